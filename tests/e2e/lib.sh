# lib.sh: helpers for the end-to-end tests. A test sources it and calls
# e2e_enter "$@" first: that re-runs the test inside
#   unshare --mount --propagation private
# with a private bpffs on /sys/fs/bpf and a private tmpfs on /run/netns, so
# pins and namespaces never touch the host's and a test can run twice.
# Namespaces are per run ($$ in their names) and removed on exit.
#
# Addresses: A 198.51.100.1, 2001:db8::1; B 198.51.100.7 and .8,
# 2001:db8::7 and ::8 (documentation ranges only). A has static neighbour
# entries for B's addresses and no DAD or router solicitation, so the only
# packets leaving A by a /32 or /128 route to B are the ones a test sends.
set -u

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS=$E2E_ROOT/build/tests
LWTC=${LWTC:-$E2E_ROOT/build/lwtc}
GLOBALS=/sys/fs/bpf/ip/globals

fail() {
	echo "$*" >&2
	exit 1
}

# Run a command; on failure, fail with its output.
must() {
	local out
	out=$("$@" 2>&1) || fail "command failed: $*
$out"
}

need_file() {
	[ -e "$1" ] || fail "$1: missing${2:+ ($2)}"
}

e2e_enter() {
	if [ -z "${LWTP_E2E_INNER:-}" ]; then
		[ "$(id -u)" = 0 ] || fail "end-to-end tests need root"
		command -v unshare >/dev/null || fail "unshare: not found (util-linux)"
		LWTP_E2E_INNER=1 exec unshare --mount --propagation private bash "$0" "$@"
	fi
	E2E_NS=()
	E2E_PAIRS=0
	trap e2e_cleanup EXIT
	e2e_fresh_bpffs
	mkdir -p /run/netns || fail "cannot create /run/netns"
	mount -t tmpfs lwtp-netns /run/netns || fail "cannot mount tmpfs on /run/netns"
	E2E_TMP=$(mktemp -d /tmp/lwtp-e2e.XXXXXX)
}

# A new, empty bpffs on /sys/fs/bpf (the previous one, if ours, goes away).
e2e_fresh_bpffs() {
	if [ -n "${E2E_BPFFS:-}" ]; then
		umount /sys/fs/bpf || fail "cannot unmount our bpffs"
	fi
	mount -t bpf lwtp-bpf /sys/fs/bpf || fail "cannot mount bpffs on /sys/fs/bpf"
	E2E_BPFFS=1
}

e2e_cleanup() {
	local ns
	for ns in "${E2E_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "${E2E_TMP:-}" ] && rm -rf "$E2E_TMP"
	return 0
}

inA() { nsenter --net=/run/netns/"$NSA" "$@"; }
inB() { nsenter --net=/run/netns/"$NSB" "$@"; }

# Two namespaces joined by a veth pair; sets NSA, NSB.
e2e_pair() {
	local n=$((E2E_PAIRS++)) macb
	NSA=lwtpa$$x$n
	NSB=lwtpb$$x$n
	must ip netns add "$NSA"
	E2E_NS+=("$NSA")
	must ip netns add "$NSB"
	E2E_NS+=("$NSB")
	for ns in "$NSA" "$NSB"; do
		must nsenter --net=/run/netns/"$ns" sysctl -qw \
			net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.dad_transmits=0 net.ipv6.conf.default.dad_transmits=0 \
			net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
			net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
		must nsenter --net=/run/netns/"$ns" ip link set lo up
	done
	must inA ip link add vethA type veth peer name vethB netns "$NSB"
	must inA ip addr add 198.51.100.1/24 dev vethA
	must inA ip addr add 2001:db8::1/64 dev vethA nodad
	must inB ip addr add 198.51.100.7/24 dev vethB
	must inB ip addr add 198.51.100.8/24 dev vethB
	must inB ip addr add 2001:db8::7/64 dev vethB nodad
	must inB ip addr add 2001:db8::8/64 dev vethB nodad
	must inA ip link set vethA up
	must inB ip link set vethB up
	macb=$(inB cat /sys/class/net/vethB/address 2>/dev/null) ||
		macb=$(inB ip -o link show vethB | sed -n 's|.*link/ether \([0-9a-f:]*\).*|\1|p')
	[ -n "$macb" ] || fail "cannot read vethB's MAC address"
	for a in 198.51.100.7 198.51.100.8 2001:db8::7 2001:db8::8; do
		must inA ip neigh replace "$a" lladdr "$macb" dev vethA nud permanent
	done
}

# e2e_route ADDR/LEN OBJECT SECTION: attach OBJECT's SECTION to a route in A.
e2e_route() {
	local out
	out=$(inA ip route add "$1" encap bpf out obj "$2" section "$3" dev vethA 2>&1) ||
		fail "ip route add $1 encap bpf out obj $2 section $3 failed:
$out"
}

# e2e_send DST DPORT SIZE[xCOUNT]...: send from A; sets SENT EPERM ERRORS.
e2e_send() {
	local dst=$1 port=$2 out
	shift 2
	need_file "$TOOLS/sendudp" "make test-tools"
	out=$(inA "$TOOLS/sendudp" -p "$port" "$dst" "$@" 2>&1)
	set -- $(echo "$out" | sed -n 's/^sent \([0-9]*\) eperm \([0-9]*\) errors \([0-9]*\)$/\1 \2 \3/p')
	[ $# = 3 ] || fail "sendudp to $dst: $out"
	SENT=$1 EPERM=$2 ERRORS=$3
	[ "$ERRORS" = 0 ] || fail "sendudp to $dst: $out"
}

# e2e_expect_send DST PORT SIZE[xCOUNT] WANT_SENT WANT_EPERM: send from A,
# and fail unless sendto succeeded and failed with EPERM as often as wanted.
e2e_expect_send() {
	e2e_send "$1" "$2" "$3"
	[ "$SENT $EPERM" = "$4 $5" ] ||
		fail "to $1 port $2 ($3): sent $SENT, EPERM $EPERM; expected sent $4, EPERM $5"
}

# e2e_dump MAP FILE: the pinned map's entries, one "KEY => VALUE" a line.
e2e_dump() {
	need_file "$TOOLS/mapdump" "make test-tools"
	"$TOOLS/mapdump" "$GLOBALS/$1" > "$E2E_TMP/dump" 2>&1 || fail "mapdump $1: $(cat "$E2E_TMP/dump")"
	sed -e 1d -e 's/^ *//' "$E2E_TMP/dump" > "$2"
}

# expect_same WHAT EXPECTED ACTUAL
expect_same() {
	[ "$2" = "$3" ] || fail "$1 differs:
expected:
$(echo "$2" | sed 's/^/    /')
got:
$(echo "$3" | sed 's/^/    /')
diff:
$(diff <(echo "$2") <(echo "$3") | sed 's/^/    /')"
}

# log2 buckets of L3 lengths: hist_expect +OVERHEAD SIZE[xCOUNT]... [+OVERHEAD
# SIZE[xCOUNT]...] prints "BUCKET => COUNT" lines sorted by bucket, as
# mapdump prints a log2 hist; +N sets the header bytes added to what follows.
hist_expect() {
	local overhead=0 spec size count len b
	declare -A n=()
	for spec in "$@"; do
		if [ "${spec#+}" != "$spec" ]; then
			overhead=${spec#+}
			continue
		fi
		size=${spec%x*}
		count=1
		[ "$spec" != "$size" ] && count=${spec#*x}
		len=$((size + overhead))
		b=0
		while [ $((len >> (b + 1))) -gt 0 ]; do b=$((b + 1)); done
		n[$b]=$(( ${n[$b]:-0} + count ))
	done
	for b in "${!n[@]}"; do echo "$b => ${n[$b]}"; done | sort -n
}

# e2e_tcpdump FILE TCPDUMP-ARGS...: tcpdump in A writing FILE, started and
# listening; sets TCPDUMP (its pid: kill -INT, then wait) and TCPDUMP_ERR
# (its messages: "N packets dropped by kernel" once it ends).
e2e_tcpdump() {
	local file=$1
	shift
	TCPDUMP_ERR=$E2E_TMP/tcpdump.err
	# exec: the pid must be tcpdump itself, for the SIGINT that ends it
	(exec nsenter --net=/run/netns/"$NSA" tcpdump "$@" -U -w "$file" 2> "$TCPDUMP_ERR") &
	TCPDUMP=$!
	for _ in $(seq 50); do
		grep -q listening "$TCPDUMP_ERR" && break
		sleep 0.1
	done
	grep -q listening "$TCPDUMP_ERR" || fail "tcpdump did not start: $(cat "$TCPDUMP_ERR")"
	TCPDUMP_FILE=$file
}

# e2e_tcpdump_stop: end e2e_tcpdump's capture once it holds everything.
# On SIGINT tcpdump stops at once: what is still in its socket buffer is
# neither written nor counted as dropped, and on a loaded machine that can
# be hundreds of packets. With -U every packet is written as it is read, so
# the capture is complete when its file stops growing: wait until its size
# holds for a second (at most 20 s), then stop tcpdump; it must say that
# the kernel dropped nothing.
e2e_tcpdump_stop() {
	local size last=-1 same=0
	for _ in $(seq 80); do
		size=$(stat -c %s "$TCPDUMP_FILE" 2>/dev/null || echo 0)
		if [ "$size" = "$last" ]; then
			same=$((same + 1))
			[ $same -ge 4 ] && break
		else
			same=0
		fi
		last=$size
		sleep 0.25
	done
	kill -INT "$TCPDUMP"
	wait "$TCPDUMP"
	grep -q "^0 packets dropped by kernel" "$TCPDUMP_ERR" ||
		fail "tcpdump dropped packets: $(cat "$TCPDUMP_ERR")"
}

# e2e_download DST BYTES: B downloads BYTES zero bytes by TCP from A (A
# listens on port 5001; B connects from DST, its address ending in 7, to
# A's ending in 1), through A's route to DST: TCP with GSO, as veth has it.
e2e_download() {
	local dst=$1 bytes=$2 fam=-4 srv
	[ "${dst#*:}" != "$dst" ] && fam=-6
	head -c "$bytes" /dev/zero > "$E2E_TMP/file"
	inA nc $fam -N -l 5001 < "$E2E_TMP/file" &
	srv=$!
	sleep 0.3
	inB timeout 30 nc $fam -d -s "$dst" "${dst%7}1" 5001 > "$E2E_TMP/got" ||
		{ kill $srv 2>/dev/null; fail "TCP download over $dst failed"; }
	wait $srv
	[ "$(stat -c %s "$E2E_TMP/got")" = "$bytes" ] || fail "TCP download over $dst: short"
}
