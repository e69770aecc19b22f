#!/bin/bash
# fragments: a route sees datagrams before fragmentation, so replay puts the
# fragments of a capture back together (IPv4: src, dst, id, protocol; IPv6:
# src, dst, fragment id, with the fragment header taken out) and replays the
# datagram once, at its last fragment; a datagram longer than
# BPF_PROG_TEST_RUN takes runs through the private route; incomplete
# datagrams are reported, never dropped silently; --fragments replays the
# fragments as captured.
. "$(dirname "$0")/lib.sh"

"$PCAPGEN" -o "$RP_TMP/frag.pcap" \
	"ip4 udp dport 53 frag first payload 1472 id 7" \
	"ip4 udp dport 9" \
	"ip4 udp frag 185 payload 100 id 7" \
	"ip6 udp dport 53 frag first payload 1440 id 9" \
	"ip6 udp frag 181 payload 2800 id 9" \
	"ip4 udp frag later payload 64 id 8" || fail "pcapgen failed"

run_lwtp "$RP_TMP/out" "$RP_TMP/err" replay "$OBJ" rp "$RP_TMP/frag.pcap"
[ "$RC" = 0 ] || fail "reassembly: exit $RC: $(cat "$RP_TMP/err")"
expect_same "reassembled" "\
    2 pass  192.0.2.1.40000 > 198.51.100.7.9 udp len 28
    3 drop  192.0.2.1.40000 > 198.51.100.7.53 udp len 1600  reassembled 1,3
    5 drop  2001:db8::1.40000 > 2001:db8::7.53 udp len 4288  reassembled 4,5  via route (metadata not observed)
    6 skip  incomplete datagram 192.0.2.1 > 198.51.100.7 id 0x8: 1 fragment (6), no first fragment; --fragments replays fragments as captured
6 packets: 1 passed, 2 dropped, 1 skipped, 2 datagrams reassembled from 4 fragments, 1 incomplete datagram, 1 via route" \
	"$(head -n 5 "$RP_TMP/out")"
grep -q "^rp_total: 3 packets, 5916 bytes" "$RP_TMP/out" ||
	fail "reassembly: rp_total should count 3 packets, 5916 bytes: $(cat "$RP_TMP/out")"

run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" -j replay "$OBJ" rp "$RP_TMP/frag.pcap"
expect_same "JSON: fragments, via" '[2,null,null,28]
[3,[1,3],null,1600]
[5,[4,5],"route",4288]
[6,null,null,null]' "$(jq -c '.packets[] | [.number, .fragments, .via, .length]' "$RP_TMP/out.json")"
expect_same "JSON: totals" \
	'{"packets":6,"passed":1,"dropped":2,"skipped":1,"other":0,"replayed":3,"incoming":0,"filtered":0,"reassembled":2,"fragments":4,"incomplete":1,"via_route":1}' \
	"$(jq -c .totals "$RP_TMP/out.json")"

# a filter decides on the first fragment, which holds the ports
run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" -j replay "$OBJ" rp "$RP_TMP/frag.pcap" udp port 9
expect_same "filter: udp port 9" "2 pass - -
6 skip - -" "$(verdicts "$RP_TMP/out.json")"
expect_same "filter: filtered frames" 4 "$(jq .totals.filtered "$RP_TMP/out.json")"
run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" -j --route 2001:db8::/32 replay "$OBJ" rp "$RP_TMP/frag.pcap"
expect_same "--route 2001:db8::/32" "5 drop - -" "$(verdicts "$RP_TMP/out.json")"

# --fragments: as captured
run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" -j --fragments replay "$OBJ" rp "$RP_TMP/frag.pcap"
expect_same "--fragments" "1 drop - -
2 pass - -
3 pass - -
4 drop - -
5 drop - -
6 pass - -" "$(verdicts "$RP_TMP/out.json")"
expect_same "--fragments: totals as before" \
	'{"packets":6,"passed":3,"dropped":3,"skipped":0,"other":0}' "$(jq -c .totals "$RP_TMP/out.json")"

# bounded: 300 datagrams open at once; the 44 oldest are evicted, reported
# (their last fragments, sent last, are incomplete datagrams of their own)
for i in $(seq 1 300); do echo "ip4 udp frag first payload 16 id $i"; done > "$RP_TMP/many.txt"
for i in $(seq 300 -1 1); do echo "ip4 udp frag 3 payload 8 id $i"; done >> "$RP_TMP/many.txt"
"$PCAPGEN" -o "$RP_TMP/many.pcap" < "$RP_TMP/many.txt" || fail "pcapgen failed"
run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" -j replay "$OBJ" rp "$RP_TMP/many.pcap"
[ "$RC" = 0 ] || fail "many datagrams: exit $RC: $(cat "$RP_TMP/err")"
expect_same "many datagrams: totals" \
	'{"packets":600,"passed":256,"dropped":0,"skipped":88,"other":0,"replayed":256,"incoming":0,"filtered":0,"reassembled":256,"fragments":512,"incomplete":88,"via_route":0}' \
	"$(jq -c .totals "$RP_TMP/out.json")"
expect_grep "many datagrams: evicted" "evicted: too many datagrams open at once" \
	"$(jq -r '.packets[] | .reason // empty' "$RP_TMP/out.json" | head -n 1)"
exit 0
