#!/bin/bash
# bench/egress.sh: what a policy costs each packet on the real egress path,
# against nftables and iptables doing the same job. Run by 'make bench-egress'.
#
#   bash bench/egress.sh [ROUNDS]        (default 25; EGRESS_SECONDS per run,
#                                         0.4; EGRESS_CPU, the sender's, 1)
#
# One pair of namespaces per configuration, joined by a veth pair: A sends
# 64-byte UDP datagrams (bench/egress_send: sendmmsg, pinned to one CPU) to
# 198.51.100.7 by the route 198.51.100.0/24 via 192.0.2.2; B owns the
# address. The configurations differ only in A:
#
#   plain     the plain route
#   lwtp-1    lwtp 'count c;' on the route (ip route ... encap bpf out obj ...)
#   lwtp-10k  lwtp 'count seen if ip.dst in deny; drop if ip.dst in deny;',
#             deny a const set of 10,000 IPv4 prefixes generated here
#   nft-1     nftables, output hook: one rule 'counter'
#   nft-10k   nftables, output hook: the same 10,000 prefixes in an interval
#             set, 'ip daddr @deny counter drop'
#   ipt-1000  iptables (the nf_tables backend, Debian's default), OUTPUT:
#             1,000 rules that do not match
#   iptl-1000 the same rules with iptables-legacy
#
# The destination is in no set and matched by no rule: all traffic flows,
# every lookup runs in full. Each round runs every configuration once, in
# that order; a configuration's delta is its ns/packet minus the mean of the
# plain route's at the start of its round and at the start of the next (a
# last plain run closes the last round), so drift within a round cancels.
# Reported: medians over rounds, of the sender's CPU time per packet
# (which leaves out the time other tasks had the CPU: on a busy machine the
# steadier figure) and of the wall clock's. EGRESS_RUNS=FILE keeps the raw
# runs ("ROUND CONFIG WALL_NS CPU_NS", per packet). Everything happens in a
# private mount namespace with a private bpffs and private network
# namespaces: the host's routes, pins and firewall are not touched.
# Results and method: BENCHMARKS.md, "Real egress path".
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${1:-25}
RUN_SECONDS=${EGRESS_SECONDS:-0.4}
CPU=${EGRESS_CPU:-1}
LWTC=${LWTC:-$ROOT/build/lwtc}
SEND=${EGRESS_SEND:-$ROOT/build/bench/egress_send}
CONFIGS="plain lwtp-1 lwtp-10k nft-1 nft-10k ipt-1000 iptl-1000"

fail() {
	echo "egress: $*" >&2
	exit 1
}

if [ -z "${LWTP_EGRESS_INNER:-}" ]; then
	[ "$(id -u)" = 0 ] || fail "needs root (namespaces, BPF)"
	for t in unshare nsenter ip nft iptables-restore iptables-legacy-restore; do
		command -v $t >/dev/null || fail "$t: not found (scripts/deps.sh bench)"
	done
	[ -x "$LWTC" ] || fail "$LWTC: missing (make compiler)"
	[ -x "$SEND" ] || fail "$SEND: missing (make build/bench/egress_send)"
	LWTP_EGRESS_INNER=1 exec unshare --mount --propagation private bash "$0" "$@"
fi

NS=()
TMP=$(mktemp -d /tmp/lwtp-egress.XXXXXX)
cleanup() {
	local ns
	for ns in "${NS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
mount -t bpf lwtp-egress-bpf /sys/fs/bpf || fail "cannot mount bpffs on /sys/fs/bpf"
mkdir -p /run/netns || fail "cannot create /run/netns"
mount -t tmpfs lwtp-egress-netns /run/netns || fail "cannot mount tmpfs on /run/netns"

# run NS CMD...: CMD in namespace NS
run() {
	local ns=$1
	shift
	nsenter --net=/run/netns/"$ns" "$@"
}

# must CMD...: CMD, or fail with its output
must() {
	local out
	out=$("$@" 2>&1) || fail "command failed: $*
$out"
}

# 10,000 IPv4 prefixes /16 to /32, one in each of 10,000 distinct /16s of
# 1.0.0.0 .. 190.255.255.255 (so none overlap, and 198.51.100.7 is in none)
gen_prefixes() {
	awk 'BEGIN {
		srand(20261201);
		while (n < 10000) {
			b = 256 + int(rand() * 190 * 256);
			if (b in seen)
				continue;
			seen[b] = 1;
			n++;
			len = 16 + int(rand() * 17);
			a = b * 65536 + int(rand() * 65536);
			a -= a % 2 ^ (32 - len);
			printf "%d.%d.%d.%d/%d\n", int(a / 16777216), int(a / 65536) % 256,
			       int(a / 256) % 256, a % 256, len;
		}
	}'
}

make_policies() {
	gen_prefixes > "$TMP/deny.txt"
	printf 'policy count1 {\n    count c;\n}\n' > "$TMP/count1.lwtp"
	printf '%s\n' 'const deny = file "deny.txt";' '' 'policy deny10k {' \
		'    count seen if ip.dst in deny;' '    drop if ip.dst in deny;' '}' > "$TMP/deny10k.lwtp"
	must "$LWTC" "$TMP/count1.lwtp" -o "$TMP/count1.o"
	must "$LWTC" "$TMP/deny10k.lwtp" -o "$TMP/deny10k.o"
	printf '%s\n' 'table ip bench {' '    chain out {' \
		'        type filter hook output priority 0;' '        counter' '    }' '}' > "$TMP/nft-1.nft"
	{
		printf '%s\n' 'table ip bench {' '    set deny {' '        type ipv4_addr' \
			'        flags interval' '        elements = {'
		sed 's/^/            /; s/$/,/' "$TMP/deny.txt"
		printf '%s\n' '        }' '    }' '    chain out {' \
			'        type filter hook output priority 0;' '        ip daddr @deny counter drop' \
			'    }' '}'
	} > "$TMP/nft-10k.nft"
	{
		echo '*filter'
		for i in $(seq 1 1000); do
			echo "-A OUTPUT -d 203.0.113.$((i % 256))/32 -p udp --dport $((10000 + i)) -j DROP"
		done
		echo 'COMMIT'
	} > "$TMP/ipt-1000.rules"
}

# mac NS DEV: DEV's MAC address
mac() {
	local m
	m=$(run "$1" ip -o link show "$2" | sed -n 's|.*link/ether \([0-9a-f:]*\).*|\1|p')
	[ -n "$m" ] || fail "cannot read $2's MAC address"
	echo "$m"
}

# make_pair NAME: namespaces A-NAME and B-NAME joined by a veth pair, B
# owning 198.51.100.7, no route to it yet in A
make_pair() {
	local a=egA$$-$1 b=egB$$-$1 ns maca macb
	for ns in "$a" "$b"; do
		must ip netns add "$ns"
		NS+=("$ns")
		must run "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		must run "$ns" ip link set lo up
	done
	must run "$a" ip link add vethA type veth peer name vethB netns "$b"
	must run "$a" ip addr add 192.0.2.1/24 dev vethA
	must run "$b" ip addr add 192.0.2.2/24 dev vethB
	must run "$b" ip addr add 198.51.100.7/32 dev lo
	must run "$a" ip link set vethA up
	must run "$b" ip link set vethB up
	maca=$(mac "$a" vethA)
	macb=$(mac "$b" vethB)
	must run "$a" ip neigh replace 192.0.2.2 lladdr "$macb" dev vethA nud permanent
	must run "$b" ip neigh replace 192.0.2.1 lladdr "$maca" dev vethB nud permanent
}

# configure NAME: the route and the firewall of configuration NAME in A-NAME
configure() {
	local a=egA$$-$1 route="198.51.100.0/24 via 192.0.2.2 dev vethA"
	case $1 in
	lwtp-1) must run "$a" ip route add $route encap bpf out obj "$TMP/count1.o" section count1 ;;
	lwtp-10k) must run "$a" ip route add $route encap bpf out obj "$TMP/deny10k.o" section deny10k ;;
	*) must run "$a" ip route add $route ;;
	esac
	case $1 in
	nft-*) must run "$a" nft -f "$TMP/$1.nft" ;;
	ipt-1000) must run "$a" iptables-restore "$TMP/ipt-1000.rules" ;;
	iptl-1000) must run "$a" iptables-legacy-restore "$TMP/ipt-1000.rules" ;;
	esac
}

# tx_packets NS: what vethA has sent
tx_packets() {
	run "$1" awk '$1 == "vethA:" { print $11 }' /proc/net/dev
}

# measure NAME: one run of the sender in A-NAME; prints its ns/packet, wall
# clock and CPU time
measure() {
	local a=egA$$-$1 before out packets
	before=$(tx_packets "$a")
	out=$(run "$a" "$SEND" -C "$CPU" -d "$RUN_SECONDS" 198.51.100.7 2>&1) ||
		fail "$1: $out"
	packets=$(echo "$out" | sed -n 's/^packets \([0-9]*\) .*/\1/p')
	[ "$(( $(tx_packets "$a") - before ))" = "$packets" ] ||
		fail "$1: vethA sent $(( $(tx_packets "$a") - before )) packets, the sender counted $packets"
	echo "$out" | sed -n 's/.* ns_per_packet \([0-9.]*\) cpu_ns_per_packet \([0-9.]*\)$/\1 \2/p'
}

# every configuration once per round, a plain run to close the last round;
# lines "ROUND CONFIG WALL_NS CPU_NS" (per packet) into $TMP/runs
run_rounds() {
	local r c
	for c in $CONFIGS; do
		measure "$c" > /dev/null        # warm-up, not counted
	done
	for r in $(seq 1 "$ROUNDS"); do
		for c in $CONFIGS; do
			echo "$r $c $(measure "$c")"
		done >> "$TMP/runs"
		printf '.' >&2
	done
	echo "$((ROUNDS + 1)) plain $(measure plain)" >> "$TMP/runs"
	echo >&2
}

# deltas FIELD: lines "ROUND CONFIG NS DELTA" from $TMP/runs' FIELD (3 wall
# clock, 4 CPU time), rounds 1..ROUNDS
deltas() {
	awk -v f="$1" '$2 == "plain" { base[$1] = $f } { ns[$1, $2] = $f; cfg[$2] = 1 }
	END {
		for (r = 1; r in base && (r + 1) in base; r++)
			for (c in cfg)
				if ((r, c) in ns)
					print r, c, ns[r, c], ns[r, c] - (base[r] + base[r + 1]) / 2;
	}' "$TMP/runs"
}

# quantile Q: the Q-quantile (0..1) of the numbers on standard input
quantile() {
	sort -g | awk -v q="$1" '{ v[NR] = $1 }
	END {
		p = 1 + q * (NR - 1); i = int(p);
		print (i < NR) ? v[i] + (p - i) * (v[i + 1] - v[i]) : v[i];
	}'
}

# column CONFIG FIELD: that field (3 ns, 4 delta) of CONFIG's rounds
column() {
	awk -v c="$1" -v f="$2" '$2 == c { print $f }' "$TMP/deltas"
}

# ratios A B: per-round delta(A) / delta(B)
ratios() {
	awk -v x="$1" -v y="$2" '$2 == x { a[$1] = $4 } $2 == y { b[$1] = $4 }
	END { for (r in a) if (r in b && b[r] != 0) print a[r] / b[r] }' "$TMP/deltas"
}

# the nftables configuration doing CONFIG's job, if any
equivalent() {
	case $1 in
	lwtp-1) echo nft-1 ;;
	lwtp-10k) echo nft-10k ;;
	esac
}

# row CONFIG: one table row from $TMP/deltas
row() {
	local c=$1 eq ratio=- delta
	if [ "$c" = plain ]; then
		printf '| %-9s | %10.0f | %10s | %13s | %19s |\n' "$c" "$(column "$c" 3 | quantile 0.5)" - - -
		return
	fi
	delta=$(column "$c" 4 | quantile 0.5)
	eq=$(equivalent "$c")
	[ -n "$eq" ] && ratio=$(awk -v a="$delta" -v b="$(column "$eq" 4 | quantile 0.5)" \
		-v eq="$eq" 'BEGIN { printf "%.2f (%s)", a / b, eq }')
	printf '| %-9s | %10.0f | %10.0f | %13s | %19s |\n' "$c" "$(column "$c" 3 | quantile 0.5)" \
		"$delta" "$(printf '%.0f..%.0f' "$(column "$c" 4 | quantile 0.25)" \
		"$(column "$c" 4 | quantile 0.75)")" "$ratio"
}

# verdict: lwtp-10k's delta against nft-10k's, and whether it meets the bar
# of issue 16: at most 0.4, and the per-round ratios' quartiles within 0.1
# of their median
verdict() {
	local a b
	a=$(column lwtp-10k 4 | quantile 0.5)
	b=$(column nft-10k 4 | quantile 0.5)
	awk -v a="$a" -v b="$b" -v m="$(ratios lwtp-10k nft-10k | quantile 0.5)" \
		-v q1="$(ratios lwtp-10k nft-10k | quantile 0.25)" \
		-v q3="$(ratios lwtp-10k nft-10k | quantile 0.75)" 'BEGIN {
		printf "lwtp-10k / nft-10k: %.2f (per round: median %.2f, q1..q3 %.2f..%.2f): ",
		       a / b, m, q1, q3;
		print (b > 0 && a <= 0.4 * b && m - q1 <= 0.1 && q3 - m <= 0.1) ?
		      "at most 0.4, quartiles within 0.1" : "NOT at most 0.4 with quartiles within 0.1";
	}'
}

# report FIELD TITLE: the table for one clock (FIELD of $TMP/runs)
report() {
	local c
	deltas "$1" > "$TMP/deltas"
	printf '%s\n\n' "$2"
	printf '| %-9s | %10s | %10s | %13s | %19s |\n' config "ns/packet" "delta" \
		"delta q1..q3" "delta / nftables'"
	printf '|%s|%s:|%s:|%s:|%s:|\n' ----------- ----------- ----------- -------------- \
		--------------------
	for c in $CONFIGS; do
		row "$c"
	done
	echo
	verdict
	echo
}

make_policies
for c in $CONFIGS; do
	make_pair "$c"
	configure "$c"
done
run_rounds
printf '%s rounds of %s s per configuration, sender on CPU %s, 64-byte UDP payload\n\n' \
	"$ROUNDS" "$RUN_SECONDS" "$CPU"
report 4 "Sender's CPU time per packet (CLOCK_THREAD_CPUTIME_ID):"
report 3 "Wall clock per packet (CLOCK_MONOTONIC):"
[ -n "${EGRESS_RUNS:-}" ] && cp "$TMP/runs" "$EGRESS_RUNS"
exit 0
