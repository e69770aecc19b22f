# lib.sh: what the tests/replay scripts share. A script sources it, then
# runs its checks; any failure ends it with exit 1 and says why. Needs
# build/lwtp, build/lwtc and build/tests/pcapgen (make runtime compiler
# test-tools), jq, and root (BPF).
set -u

RP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LWTP=${LWTP:-$RP_ROOT/build/lwtp}
LWTC=${LWTC:-$RP_ROOT/build/lwtc}
# the test tools: next to lwtp's build, or where LWTP_TEST_TOOLS says (the
# asan suite runs build/asan/lwtp with build/tests' tools)
TEST_TOOLS=${LWTP_TEST_TOOLS:-$(dirname "$LWTP")/tests}
PCAPGEN=${PCAPGEN:-$TEST_TOOLS/pcapgen}
POLICY=$RP_ROOT/tests/replay/replay.lwtp
export LWTC

fail() {
	echo "$*" >&2
	exit 1
}

for f in "$LWTP" "$LWTC" "$PCAPGEN"; do
	[ -x "$f" ] || fail "$f: missing (make runtime compiler test-tools)"
done
command -v jq >/dev/null || fail "jq: not found (make deps)"

RP_TMP=$(mktemp -d /tmp/lwtp-replay-test.XXXXXX) || exit 2
trap 'rm -rf "$RP_TMP"' EXIT

# The compiled test policy: $RP_TMP/replay.o
"$LWTC" "$POLICY" -o "$RP_TMP/replay.o" || fail "lwtc $POLICY failed"
OBJ=$RP_TMP/replay.o

# expect_same WHAT EXPECTED ACTUAL
expect_same() {
	[ "$2" = "$3" ] || fail "$1 differs (- expected, + got):
$(diff <(echo "$2") <(echo "$3") | sed -n 's/^</-/p; s/^>/+/p' | sed 's/^/    /')"
}

# expect_grep WHAT PATTERN TEXT: TEXT has a line matching PATTERN (grep -E).
expect_grep() {
	grep -Eq -- "$2" <<<"$3" || fail "$1: no line matches '$2' in:
$(sed 's/^/    /' <<<"$3")"
}

# run_lwtp OUT ERR ARGS...: run lwtp, stdout to OUT, stderr to ERR; sets RC.
run_lwtp() {
	local out=$1 err=$2
	shift 2
	"$LWTP" "$@" >"$out" 2>"$err"
	RC=$?
}

# One line per packet of replay's JSON: "N VERDICT MARK PRIORITY", - when
# the policy left them alone.
verdicts() {
	jq -r '.packets[] | "\(.number) \(.verdict) \(.mark // "-") \(.priority // "-")"' "$1"
}
