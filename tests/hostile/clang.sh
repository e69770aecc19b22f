#!/bin/bash
# clang.sh: lwtc and the clang it runs (run by the hostile suite as
# hostile/clang-*). Prints "ok NAME" or "FAIL NAME: WHY" lines; exits 1
# when one failed.
#
#   bad-*    what clang wrote is put in place only when it is a BPF object
#            with a program for each policy: a "clang" that exits 0 after
#            writing nothing, text, an x86 program or another policy's
#            object gives exit 2, and the -o file is left as it was
#   kill-*   lwtc killed by SIGTERM, SIGINT or SIGHUP while clang runs, or
#            while it waits for the reader of a FIFO, stops clang and
#            leaves nothing in $TMPDIR or beside the -o file
set -u
LWTC=${LWTC:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/lwtp-clang.XXXXXX") || exit 2
failed=0
ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $(tr '\n' ' ' <<<"$2")"; failed=1; }

# clang processes whose command line names $1 (a directory of this test):
# one left running is reported, then ended
clangs_in() {
	pgrep -f -- "clang.* $1/" | tr '\n' ' '
}
cleanup() {
	local left
	left=$(clangs_in "$T")
	[ -n "$left" ] && kill $left 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

cd "$T" || exit 2
printf 'policy p {\n    count c;\n}\n' > p.lwtp
printf 'policy q {\n    count c;\n}\n' > q.lwtp
"$LWTC" q.lwtp -o q.o || { echo "FAIL setup: lwtc cannot compile q.lwtp"; exit 1; }
printf 'not an object\n' > text.o

# a "clang" that exits 0 after copying $FAKE_OBJ (if set) to its -o file
cat > fakeclang <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do
	[ "$1" = -o ] && out=$2
	shift
done
[ -n "${FAKE_OBJ:-}" ] && cp "$FAKE_OBJ" "$out"
exit 0
EOF
chmod +x fakeclang

# bad_clang NAME CLANG FAKE_OBJ WHY: exit 2 with the message, out.o as it
# was, nothing else left in the directory, nothing on standard output
bad_clang() {
	local name=$1 clang=$2 fake=$3 why=$4 dir=$T/bad-$1 err rc out
	mkdir "$dir"
	printf 'old\n' > "$dir/out.o"
	err=$(FAKE_OBJ=$fake "$LWTC" --clang "$clang" p.lwtp -o "$dir/out.o" 2>&1)
	rc=$?
	out=$(FAKE_OBJ=$fake "$LWTC" --clang "$clang" p.lwtp -o - 2>/dev/null | wc -c)
	if [ $rc = 2 ] &&
		grep -qF "lwtc: internal error: clang made no BPF object for p.c ($why)" <<<"$err" &&
		[ "$(cat "$dir/out.o")" = old ] && [ "$(ls -A "$dir")" = out.o ] && [ "$out" = 0 ]; then
		ok "bad-$name"
	else
		bad "bad-$name" "exit $rc, $out bytes on stdout, out.o $(wc -c < "$dir/out.o") bytes, in its directory: $(ls -A "$dir" | tr '\n' ' '): $err"
	fi
}
bad_clang true /bin/true "" "an empty file"
bad_clang empty "$T/fakeclang" "" "an empty file"
bad_clang text "$T/fakeclang" "$T/text.o" "not an ELF file"
bad_clang x86 "$T/fakeclang" /bin/true "an ELF file for another machine than BPF"
bad_clang other "$T/fakeclang" "$T/q.o" "no program section 'p'"

# A policy that keeps clang busy for a few seconds: 200,000 integers, no
# two adjacent, so that the set stays 200,000 intervals.
awk 'BEGIN { printf "policy big {\n    drop if skb.mark in { 0";
	for (i = 1; i < 200000; i++) printf ", %d", i * 3; print " };\n}" }' > big.lwtp

# The files left in the test's TMPDIR and -o directory.
leftovers() {
	(cd "$T" && find "$@" -mindepth 1 | tr '\n' ' ')
}

# kill_while_clang SIGNAL: kill lwtc once clang runs (its command line
# names the C in $TMPDIR/lwtc-XXXXXX). set -m: a background job of a
# script would ignore SIGINT.
kill_while_clang() {
	local sig=$1 tmp=$T/tmp-$1 out=$T/out-$1 pid rc i left running
	mkdir "$tmp" "$out"
	set -m
	TMPDIR=$tmp "$LWTC" big.lwtp -o "$out/big.o" 2> "$T/kill-$sig.err" &
	pid=$!
	set +m
	for i in $(seq 400); do
		[ -n "$(clangs_in "$tmp")" ] && break
		sleep 0.05
	done
	if [ -z "$(clangs_in "$tmp")" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid"
		bad "kill-$sig" "clang was not seen running within 20 s: $(cat "$T/kill-$sig.err")"
		return
	fi
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	left=$(leftovers "tmp-$sig" "out-$sig")
	running=$(clangs_in "$tmp")
	if [ $rc = $((128 + $(kill -l "$sig"))) ] && [ -z "$left" ] && [ -z "$running" ]; then
		ok "kill-$sig"
	else
		bad "kill-$sig" "exit $rc; left behind: ${left:-nothing}; clang still running: ${running:-none}"
	fi
}
kill_while_clang TERM
kill_while_clang INT
kill_while_clang HUP

# killed while it waits for a reader of the FIFO it writes the object to:
# the object is then whole in $TMPDIR/lwtc-out-XXXXXX
mkdir tmp-fifo
mkfifo out.fifo
TMPDIR=$T/tmp-fifo "$LWTC" p.lwtp -o out.fifo 2> kill-fifo.err &
pid=$!
for i in $(seq 400); do
	[ -n "$(find tmp-fifo -name 'lwtc-out-*' -size +0c)" ] && break
	sleep 0.05
done
kill -s TERM "$pid"
wait "$pid"
rc=$?
left=$(leftovers tmp-fifo)
if [ $rc = 143 ] && [ -z "$left" ] && [ -p out.fifo ]; then
	ok kill-fifo
else
	bad kill-fifo "exit $rc; left behind: ${left:-nothing}; $(ls -l out.fifo) $(cat kill-fifo.err)"
fi
exit $failed
