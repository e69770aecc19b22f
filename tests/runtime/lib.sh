# lib.sh: what the runtime tests (tests/runtime/*.sh) share. Source it first:
#
#   . "$(dirname "$0")/lib.sh"
#
# It re-runs the test inside `unshare --mount --propagation private`, with a
# private bpffs on /sys/fs/bpf (so pins start empty and vanish with the test)
# and a private tmpfs on /run/netns; makes a network namespace $NS with a
# veth pair d0/d1, d0 192.0.2.1/24 and 2001:db8:1::1/64 without ARP: routes
# via d0 need no neighbour, and what they send ends at d1, which drops it (no
# forwarding, not its MAC address); builds the
# fixture objects and the sender into $T. in_ns runs a command in $NS with
# this mount namespace's /sys (nsenter, not `ip netns exec`, which mounts a
# fresh /sys and would hide the pins).
#
# Report with ok NAME / fail NAME [WHY]; end with `finish`, which exits 1
# when something failed.

set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/runtime
TEST=$(basename "$0" .sh)
LWTP=${LWTP:-$ROOT/build/lwtp}
LWTC=${LWTC:-$ROOT/build/lwtc}

if [ -z "${LWTP_RT_INNER:-}" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "FAIL $TEST: needs root (namespaces, bpffs, routes)"
		exit 1
	fi
	if [ ! -x "$LWTP" ]; then
		echo "FAIL $TEST: $LWTP is missing (make runtime)"
		exit 1
	fi
	export LWTP_RT_INNER=1
	exec unshare --mount --propagation private sh "$0" "$@"
fi

FAILS=0
ok() { echo "ok $TEST: $1"; }
fail() {
	echo "FAIL $TEST: $1${2:+: $2}"
	FAILS=$((FAILS + 1))
}
# check NAME COMMAND...: ok when the command succeeds
check() {
	_name=$1
	shift
	if "$@"; then ok "$_name"; else fail "$_name"; fi
}
finish() {
	[ "$FAILS" -eq 0 ] && exit 0
	exit 1
}
die() {
	echo "FAIL $TEST: $*"
	exit 1
}

T=$(mktemp -d /tmp/lwtp-rt-"$TEST".XXXXXX)
NS=lwtp-rt-$$-$(date +%s)-$TEST
mount -t bpf bpf /sys/fs/bpf || die "cannot mount bpffs"
mkdir -p /run/netns
mount -t tmpfs tmpfs /run/netns || die "cannot mount /run/netns"

cleanup() {
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

in_ns() { nsenter --net=/run/netns/"$NS" "$@"; }

ip netns add "$NS" || die "cannot add netns $NS"
in_ns ip link set lo up
in_ns ip link add d0 type veth peer name d1
in_ns ip link set d0 arp off
in_ns ip link set d1 up
in_ns ip link set d0 up
in_ns ip addr add 192.0.2.1/24 dev d0
in_ns ip -6 addr add 2001:db8:1::1/64 dev d0 nodad

command -v jq >/dev/null 2>&1 || apt-get install -y -qq jq >/dev/null 2>&1 ||
	die "jq is missing"

# fixture NAME: build tests/runtime/fixtures/NAME.bpf.c into $T/NAME.o, with
# the contract's types (include/) and lwtc's parts (compiler/bpf/) at hand
fixture() {
	clang -O2 -g -target bpf -I/usr/include/"$(gcc -print-multiarch)" \
		-I"$HERE/../../include" -I"$HERE/../../compiler/bpf" \
		-c "$HERE/fixtures/$1.bpf.c" -o "$T/$1.o" || die "cannot build fixture $1"
}

# object NAME [MAP...]: $T/NAME.o, compiled by lwtc from policies/NAME.lwtp
# when build/lwtc exists (and LWTP_RT_FIXTURES is not set), else built from
# fixtures/NAME.bpf.c, the same maps written by hand. With MAPs named, a
# policy lwtc rejects, or an object without those maps (a feature lwtc does
# not have yet), falls back to the fixture, with a note.
# LWTC_MADE is 1 after an object lwtc compiled, empty after a fixture.
LWTC_MADE=
object() {
	_name=$1
	shift
	LWTC_MADE=
	if [ -z "${LWTP_RT_FIXTURES:-}" ] && [ -x "$LWTC" ] && [ -f "$HERE/policies/$_name.lwtp" ]; then
		if "$LWTC" "$HERE/policies/$_name.lwtp" -o "$T/$_name.o" 2> "$T/$_name.lwtc.err"; then
			_missing=
			for _m in "$@"; do
				readelf -sW "$T/$_name.o" | awk '{ print $8 }' | grep -qx "$_m" ||
					_missing="$_missing $_m"
			done
			if [ -z "$_missing" ]; then
				echo "# $TEST: $_name.o compiled by lwtc from policies/$_name.lwtp"
				LWTC_MADE=1
				return 0
			fi
			echo "# $TEST: lwtc's $_name.o has no map$_missing yet; using fixtures/$_name.bpf.c"
		else
			[ $# -gt 0 ] || die "lwtc cannot compile policies/$_name.lwtp: $(cat "$T/$_name.lwtc.err")"
			echo "# $TEST: lwtc cannot compile policies/$_name.lwtp yet ($(head -1 "$T/$_name.lwtc.err")); using fixtures/$_name.bpf.c"
		fi
	fi
	fixture "$_name"
	echo "# $TEST: $_name.o built from fixtures/$_name.bpf.c"
}

gcc -O2 -o "$T/sendudp" "$HERE/sendudp.c" || die "cannot build sendudp"
# send [-t TTL] DST PORT COUNT PAYLOAD: prints "sent N eperm M"
send() { in_ns "$T/sendudp" "$@"; }

# expect WHAT DST PORT RESULT: send 3 datagrams, compare "sent N eperm M"
# with $passes or $drops
expect() {
	_got=$(send "$2" "$3" 3 10)
	if [ "$_got" = "$4" ]; then ok "$1"; else fail "$1" "$_got, not $4"; fi
}
passes="sent 3 eperm 0"
drops="sent 0 eperm 3"

# route_bpf DST OBJ SECTION: attach with plain iproute2
route_bpf() {
	in_ns ip route add "$1" encap bpf out obj "$2" section "$3" dev d0 ||
		die "cannot attach $2 section $3 to $1"
}

lwtp() { "$LWTP" "$@"; }
# lwtp_ns ARGS...: lwtp in $NS, where the routes are: lwtp stat then says
# which routes run the policy of each map
lwtp_ns() { in_ns "$LWTP" "$@"; }

# expect_text NAME EXPECTED GOT: ok when the file GOT is the file EXPECTED.
# lwtp stat names the policy of a map, and its routes, on a line of their
# own ("  policy P on ROUTE, ..."), for lwtc's programs only: after a
# fixture (a program that names no policy) GOT has no such line, and
# EXPECTED's are left out.
expect_text() {
	if [ -n "$LWTC_MADE" ]; then
		cp "$2" "$T/expected.txt"
	else
		grep -v '^  polic' "$2" > "$T/expected.txt"
	fi
	if diff -u "$T/expected.txt" "$3" > "$T/expect.diff"; then
		ok "$1"
	else
		fail "$1" "$(cat "$T/expect.diff")"
	fi
}

# errs WHAT EXPECTED-STDERR EXPECTED-STATUS COMMAND...: ok when the command
# exits with that status and writes exactly that on stderr
errs() {
	_what=$1 _want=$2 _status=$3
	shift 3
	"$@" > "$T/out" 2> "$T/err"
	_rc=$?
	if [ "$_rc" = "$_status" ] && [ "$(cat "$T/err")" = "$_want" ]; then
		ok "$_what"
	else
		fail "$_what" "exit $_rc, stderr: $(cat "$T/err")"
	fi
}

# jqn FILTER FILE: one value from a JSON file
jqn() { jq -r "$1" "$2"; }

# promtool_check FILE: ok when promtool (installed with the prometheus
# package when missing) accepts the metrics in FILE
promtool_check() {
	if ! command -v promtool >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			prometheus >/dev/null 2>&1
	fi
	if ! command -v promtool >/dev/null 2>&1; then
		fail "promtool check metrics" "promtool is missing and could not be installed"
	elif promtool check metrics < "$1" > "$T/promtool.out" 2>&1; then
		ok "promtool check metrics"
	else
		fail "promtool check metrics" "$(cat "$T/promtool.out")"
	fi
}
