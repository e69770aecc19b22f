#!/bin/bash
# output: what lwtp replay prints: one line per packet (number, verdict,
# summary, what the policy changed), the totals, then the policy's own
# statistics as lwtp stat prints them; --json; -q.
. "$(dirname "$0")/lib.sh"

"$PCAPGEN" -o "$RP_TMP/out.pcap" \
	"ip4 udp sport 5000 dport 53 payload 10" \
	"ip6 tcp flags syn dport 443 ext hopopts,dstopts" \
	"ip4 icmp type echo_request" \
	"ether 0x0806 payload 28" \
	"ip4 udp frag later payload 100" \
	"ip6 icmp6 type dest_unreachable code 4" \
	"ip4 tcp flags ack,psh cut 30" \
	"ip4 udp cut 10" \
	"ip4 tcp flags fin,rst,psh,ack,urg,ece,cwr options 8" || fail "pcapgen failed"

run_lwtp "$RP_TMP/out.txt" "$RP_TMP/err" replay --fragments "$OBJ" rp "$RP_TMP/out.pcap"
[ "$RC" = 0 ] || fail "lwtp replay: exit $RC: $(cat "$RP_TMP/err")"
out=$(cat "$RP_TMP/out.txt")
want="\
    1 drop  192.0.2.1.5000 > 198.51.100.7.53 udp len 38
    2 pass  2001:db8::1.40000 > 2001:db8::7.443 tcp [S] ext hopopts,dstopts len 76  mark 0x2a
    3 pass  192.0.2.1 > 198.51.100.7 icmp echo_request len 28  priority 6
    4 skip  not IP (ethertype 0x0806, ARP)
    5 pass  192.0.2.1 > 198.51.100.7 udp frag 1480 len 120
    6 pass  2001:db8::1 > 2001:db8::7 icmpv6 dest_unreachable code 4 len 48
    7 pass  192.0.2.1 > 198.51.100.7 tcp (header cut) len 30
    8 skip  IPv4 packet of 10 bytes, shorter than an IPv4 header (BPF_PROG_TEST_RUN refuses it)
    9 drop  192.0.2.1.40000 > 198.51.100.7.9 tcp [FRP.UEW] opts 8 len 48
9 packets: 5 passed, 2 dropped, 2 skipped"
expect_same "packet lines and totals" "$want" "$(head -n 10 <<<"$out")"

# then a blank line and the statistics of section rp (not rp_all_drop's),
# as lwtp stat prints them: 7 packets ran, 388 bytes
[ -z "$(sed -n 11p <<<"$out")" ] || fail "no blank line before the statistics:
$out"
expect_grep "statistics" "^rp_total: 7 packets, 388 bytes$" "$out"
expect_grep "statistics" "^rp_passed: 5 packets, 302 bytes$" "$out"
expect_grep "statistics" "^rp_opts: 1 packets, 48 bytes$" "$out"
expect_grep "statistics" "^rp_by_proto: " "$out"
expect_grep "statistics" "^rp_sizes: " "$out"
if grep -q rp_all_drop <<<"$out"; then
	fail "statistics of another section printed:
$out"
fi

# --json: the same, and "statistics" is what lwtp stat --json prints
run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" --json replay --fragments "$OBJ" rp "$RP_TMP/out.pcap"
[ "$RC" = 0 ] || fail "lwtp replay --json: exit $RC: $(cat "$RP_TMP/err")"
jq -e . "$RP_TMP/out.json" >/dev/null || fail "--json: not JSON: $(cat "$RP_TMP/out.json")"
got=$(jq -r '.packets[] | [.number, .verdict, .summary // .reason] | @tsv' "$RP_TMP/out.json" |
	awk -F'\t' '{ printf "%5d %-4s  %s\n", $1, $2, $3 }')
expect_same "--json packets" "$(head -n 9 <<<"$want" | sed 's/  mark 0x2a$//; s/  priority 6$//')" "$got"
got=$(jq -c '[.packets[1] | .mark, .priority, .family, .protocol, .sport, .dport, .tcp_flags, .length]' "$RP_TMP/out.json")
expect_same "--json packet 2" '[42,null,6,6,40000,443,2,76]' "$got"
got=$(jq -c '[.packets[4] | .frag_offset, .sport, .protocol], [.packets[2] | .priority, .icmp_type, .icmp_code]' "$RP_TMP/out.json")
expect_same "--json packets 5 and 3" '[1480,null,17]
[6,8,0]' "$got"
got=$(jq -c '.totals' "$RP_TMP/out.json")
expect_same "--json totals" '{"packets":9,"passed":5,"dropped":2,"skipped":2,"other":0}' "$got"
got=$(jq -c '[.statistics.maps[].name]' "$RP_TMP/out.json")
expect_same "--json statistics: the maps of section rp, by name" \
	'["rp_by_proto","rp_opts","rp_passed","rp_sizes","rp_total"]' "$got"
got=$(jq -c '.statistics.maps[] | select(.name == "rp_total") | .entries' "$RP_TMP/out.json")
expect_same "--json rp_total" '[{"key":{},"packets":7,"bytes":388}]' "$got"
got=$(jq -c '[.statistics.maps[] | select(.name == "rp_by_proto") | .entries[] | [.key.ip_proto, .packets]] | sort' "$RP_TMP/out.json")
expect_grep "--json rp_by_proto" '^\[\[("?(icmp|1)"?),1\],' "$got"

# -q: the totals alone
run_lwtp "$RP_TMP/q.txt" "$RP_TMP/err" -q replay --fragments "$OBJ" rp "$RP_TMP/out.pcap"
[ "$RC" = 0 ] || fail "lwtp -q replay: exit $RC: $(cat "$RP_TMP/err")"
expect_same "-q" "9 packets: 5 passed, 2 dropped, 2 skipped" "$(cat "$RP_TMP/q.txt")"
run_lwtp "$RP_TMP/q.json" "$RP_TMP/err" replay -q --json --fragments "$OBJ" rp "$RP_TMP/out.pcap"
[ "$RC" = 0 ] || fail "lwtp replay -q --json: exit $RC: $(cat "$RP_TMP/err")"
expect_same "-q --json" '{"totals":{"packets":9,"passed":5,"dropped":2,"skipped":2,"other":0}}' \
	"$(cat "$RP_TMP/q.json")"

# another section of the same object, with its own statistics
run_lwtp "$RP_TMP/all.txt" "$RP_TMP/err" replay --fragments "$OBJ" rp_all_drop "$RP_TMP/out.pcap"
[ "$RC" = 0 ] || fail "lwtp replay ... rp_all_drop: exit $RC: $(cat "$RP_TMP/err")"
out=$(cat "$RP_TMP/all.txt")
expect_grep "rp_all_drop" "^9 packets: 0 passed, 7 dropped, 2 skipped$" "$out"
expect_grep "rp_all_drop" "^rp_all_drop_total: 7 packets, 388 bytes$" "$out"
exit 0
