#!/bin/bash
# truncated: a capture that ends inside a packet (tcpdump killed, a copy
# cut short, a full disk) replays as tcpdump reads it: every packet before
# the cut runs and prints, one line on stderr names the file and the packet
# that is cut, the totals (marked "(capture truncated)") and the statistics
# follow, --json stays one valid document with "truncated": true, and the
# exit status is 1, as tcpdump's. pcap and pcapng, cut inside a packet's
# bytes and inside its record's header, from a file and from standard
# input; a capture that ends between two packets is whole (and its JSON
# has no "truncated").
. "$(dirname "$0")/lib.sh"

PACKETS=("ip4 udp dport 53" "ip6 udp" "ip4 tcp flags syn dport 443" "ip4 udp dport 9")

# cut FORMAT-FLAG NAME: $RP_TMP/NAME.whole, 4 packets, and
# $RP_TMP/NAME.cut1 (inside packet 4's bytes), NAME.cut2 (inside its
# record header), NAME.cut0 (between packets 3 and 4)
cut() {
	local whole=$RP_TMP/$2.whole three=$RP_TMP/$2.three size3
	"$PCAPGEN" $1 -o "$whole" "${PACKETS[@]}" || fail "pcapgen failed"
	"$PCAPGEN" $1 -o "$three" "${PACKETS[@]:0:3}" || fail "pcapgen failed"
	size3=$(stat -c %s "$three")
	cmp -s -n "$size3" "$three" "$whole" ||
		fail "pcapgen $1: 3 packets are not the start of the same 4"
	head -c $(($(stat -c %s "$whole") - 10)) "$whole" > "$RP_TMP/$2.cut1"
	head -c $((size3 + 6)) "$whole" > "$RP_TMP/$2.cut2"
	head -c "$size3" "$whole" > "$RP_TMP/$2.cut0"
}
cut "" pcap
cut -n pcapng

# the first three lines of the whole capture's replay, and the totals
run_lwtp "$RP_TMP/whole.txt" "$RP_TMP/err" replay "$OBJ" rp "$RP_TMP/pcap.whole"
[ "$RC" = 0 ] || fail "whole capture: exit $RC: $(cat "$RP_TMP/err")"
first3=$(head -n 3 "$RP_TMP/whole.txt")
totals="3 packets: 2 passed, 1 dropped, 0 skipped (capture truncated)"

# expect_cut WHAT FILE STDERR-PATTERN [LWTP ARGS...]: replayed text output
expect_cut() {
	local what=$1 file=$2 pattern=$3
	shift 3
	run_lwtp "$RP_TMP/out" "$RP_TMP/err" "$@" replay "$OBJ" rp "$file"
	[ "$RC" = 1 ] || fail "$what: exit $RC, expected 1: $(cat "$RP_TMP/err")"
	[ "$(wc -l < "$RP_TMP/err")" = 1 ] || fail "$what: not one line on stderr:
$(cat "$RP_TMP/err")"
	expect_grep "$what: stderr" "$pattern" "$(cat "$RP_TMP/err")"
	expect_same "$what: packets and totals" "$first3
$totals" "$(head -n 4 "$RP_TMP/out")"
	expect_grep "$what: statistics" "^rp_total: 3 packets, 116 bytes$" "$(cat "$RP_TMP/out")"
}

for fmt in pcap pcapng; do
	f=$RP_TMP/$fmt
	expect_cut "$fmt cut in a packet" "$f.cut1" \
		"^lwtp: $f\.cut1: the capture is cut short inside packet 4 \(truncated $([ $fmt = pcapng ] && echo 'pcapng ')dump file; .*\)$"
	expect_cut "$fmt cut in a record header" "$f.cut2" \
		"^lwtp: $f\.cut2: the capture is cut short inside packet 4 \(truncated .*\)$"

	# --json: one document, truncated, the three packets, totals, statistics
	run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" --json replay "$OBJ" rp "$f.cut1"
	[ "$RC" = 1 ] || fail "$fmt --json: exit $RC, expected 1"
	jq -e . "$RP_TMP/out.json" > /dev/null || fail "$fmt --json: not JSON: $(cat "$RP_TMP/out.json")"
	got=$(jq -c '[.truncated, [.packets[].number], .totals.packets, .totals.dropped,
		(.statistics.maps[] | select(.name == "rp_total") | .entries[0].packets)]' "$RP_TMP/out.json")
	expect_same "$fmt --json" '[true,[1,2,3],3,1,3]' "$got"
	run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" --json -q replay "$OBJ" rp "$f.cut2"
	[ "$RC" = 1 ] || fail "$fmt --json -q: exit $RC, expected 1"
	expect_same "$fmt --json -q" \
		'{"truncated":true,"totals":{"packets":3,"passed":2,"dropped":1,"skipped":0,"other":0}}' \
		"$(cat "$RP_TMP/out.json")"

	# a capture that ends between two packets is whole, as for tcpdump
	run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" --json -q replay "$OBJ" rp "$f.cut0"
	[ "$RC" = 0 ] && [ ! -s "$RP_TMP/err" ] ||
		fail "$fmt cut between packets: exit $RC: $(cat "$RP_TMP/err")"
	expect_same "$fmt cut between packets" "null 3" "$(jq -r '"\(.truncated) \(.totals.packets)"' "$RP_TMP/out.json")"
	run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" --json replay "$OBJ" rp "$f.whole"
	[ "$RC" = 0 ] || fail "$fmt whole: exit $RC: $(cat "$RP_TMP/err")"
	expect_same "$fmt whole" "null 4" "$(jq -r '"\(.truncated) \(.totals.packets)"' "$RP_TMP/out.json")"
done

# standard input: named so
"$LWTP" replay "$OBJ" rp - < "$RP_TMP/pcapng.cut1" > "$RP_TMP/out" 2> "$RP_TMP/err"
RC=$?
[ "$RC" = 1 ] || fail "standard input: exit $RC, expected 1"
expect_grep "standard input: stderr" \
	"^lwtp: standard input: the capture is cut short inside packet 4 \(truncated pcapng dump file; .*\)$" \
	"$(cat "$RP_TMP/err")"
expect_same "standard input: packets and totals" "$first3
$totals" "$(head -n 4 "$RP_TMP/out")"

# tcpdump reads the same packets from the same files
if command -v tcpdump > /dev/null; then
	for f in "$RP_TMP"/pcap.cut1 "$RP_TMP"/pcapng.cut2; do
		n=$(tcpdump -nr "$f" 2> /dev/null | wc -l)
		[ "$n" = 3 ] || fail "tcpdump reads $n packets of $f, replay 3"
	done
fi
exit 0
