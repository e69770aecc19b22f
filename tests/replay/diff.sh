#!/bin/bash
# diff: lwtp diff OLD NEW CAPTURE lists exactly the packets an edit of a
# policy changes (verdict, mark), with the statements of each version that
# acted on them, in text and JSON; exit 0 when nothing differs, 1 when
# something does, 2 on errors (diff(1)'s convention). It runs the packets
# lwtp replay runs (runtime/replay_source.c): incoming ones (SLL2, pcapng)
# are not diffed, a filter expression and --route select, fragments are
# diffed once put back together (as captured with --fragments), and a
# packet longer than BPF_PROG_TEST_RUN takes runs through each policy's
# private route, its verdict compared.
. "$(dirname "$0")/lib.sh"

cat > "$RP_TMP/old.lwtp" <<'POLICY'
policy guard {
    count total;
    drop if udp.dport == 53;
    set skb.mark = 0x2a if tcp.dport == 80;
}
POLICY
# the edit: DNS dropped for IPv4 only, 443 marked too, ICMP dropped
cat > "$RP_TMP/new.lwtp" <<'POLICY'
policy guard {
    count total;
    drop if udp.dport == 53 and ip.version == 4;
    set skb.mark = 0x2a if tcp.dport == 80 or tcp.dport == 443;
    drop if ip.proto == icmp;
}
POLICY
"$PCAPGEN" -o "$RP_TMP/c.pcap" "ip4 udp dport 53" "ip6 udp dport 53" "ip4 tcp dport 80" \
	"ip4 tcp dport 443" "ip4 icmp" "ip6 tcp dport 22" "ether 0x0806 payload 28" ||
	fail "pcapgen failed"

run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff "$RP_TMP/old.lwtp" "$RP_TMP/new.lwtp" "$RP_TMP/c.pcap"
[ "$RC" = 1 ] || fail "lwtp diff of an edit: exit $RC, not 1: $(cat "$RP_TMP/err")"
expect_same "the differing packets" "      2  drop -> pass  2001:db8::1.40000 > 2001:db8::7.53 udp len 48
      4  pass -> pass mark 0x2a  192.0.2.1.40000 > 198.51.100.7.443 tcp [none] len 40
      5  pass -> drop  192.0.2.1 > 198.51.100.7 icmp echo_request len 28
the statements that acted on the differing packets:
  old  would drop at old.lwtp:3:5                        1
  old  passed (end) at old.lwtp:5:1                      2
  new  passed (end) at new.lwtp:6:1                      2
  new  would set skb.mark at new.lwtp:4:5                1
  new  would drop at new.lwtp:5:5                        1
7 packets: 3 differ (2 verdict, 1 mark or priority), 1 skipped" "$(cat "$RP_TMP/out")"

# JSON: the same packets, with what each version did and why
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff -j "$RP_TMP/old.lwtp:guard" "$RP_TMP/new.lwtp" "$RP_TMP/c.pcap"
[ "$RC" = 1 ] || fail "lwtp diff -j: exit $RC: $(cat "$RP_TMP/err")"
expect_same "JSON packets" "2 drop:0 pass:0 would drop at old.lwtp:3:5|passed (end) at new.lwtp:6:1
4 pass:0 pass:42 passed (end) at old.lwtp:5:1|would set skb.mark at new.lwtp:4:5,passed (end) at new.lwtp:6:1
5 pass:0 drop:0 passed (end) at old.lwtp:5:1|would drop at new.lwtp:5:5" \
	"$(jq -r '.packets[] | "\(.number) \(.old.verdict):\(.old.mark) \(.new.verdict):\(.new.mark) \(.old.statements | join(","))|\(.new.statements | join(","))"' "$RP_TMP/out")"
expect_same "JSON totals" '{"packets":7,"differ":3,"verdict":2,"metadata":1,"skipped":1}' \
	"$(jq -c .totals "$RP_TMP/out")"

# no difference: exit 0, no packet listed; an object on one side (no
# attribution: "-")
"$LWTC" "$RP_TMP/old.lwtp" -o "$RP_TMP/old.o" || fail "lwtc old.lwtp failed"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff "$RP_TMP/old.o" "$RP_TMP/old.lwtp" "$RP_TMP/c.pcap"
[ "$RC" = 0 ] || fail "lwtp diff of a policy and its object: exit $RC: $(cat "$RP_TMP/err")"
expect_same "no difference" "7 packets: 0 differ (0 verdict, 0 mark or priority), 1 skipped" "$(cat "$RP_TMP/out")"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff -j "$RP_TMP/old.o" "$RP_TMP/new.lwtp" "$RP_TMP/c.pcap"
expect_same "an object: no attribution" "- - -" "$(jq -r '[.packets[].old.decided] | join(" ")' "$RP_TMP/out")"

# what is diffed is what lwtp replay runs. Direction: an incoming packet
# (SLL2's packet type, pcapng's epb_flags) is not diffed, though both
# policies would treat it differently.
"$PCAPGEN" -l sll2 -o "$RP_TMP/dir.pcap" "ip4 icmp dir in" "ip4 icmp dir out" ||
	fail "pcapgen -l sll2 failed"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff "$RP_TMP/old.lwtp" "$RP_TMP/new.lwtp" "$RP_TMP/dir.pcap"
[ "$RC" = 1 ] || fail "lwtp diff of SLL2: exit $RC, not 1: $(cat "$RP_TMP/err")"
expect_same "SLL2: the incoming packet is not diffed" "\
      2  pass -> drop  192.0.2.1 > 198.51.100.7 icmp echo_request len 28
2 packets: 1 differ (1 verdict, 0 mark or priority), 0 skipped, 1 incoming" \
	"$(sed -n '1p; $p' "$RP_TMP/out")"

# pcapng, outgoing but for frame 1: a fragmented IPv6 DNS datagram (2, 4),
# a packet of 5000 bytes whose verdict differs (6) and one whose does not
# (5), both through the private routes
"$PCAPGEN" -n -o "$RP_TMP/big.pcapng" \
	"ip4 tcp dport 80 dir in" \
	"ip6 udp dport 53 frag first payload 1440 id 9 dir out" \
	"ip4 tcp dport 443 dir out" \
	"ip6 udp frag 181 payload 100 id 9 dir out" \
	"ip4 udp dport 53 len 5000 dir out" \
	"ip6 udp dport 53 len 5000 dir out" || fail "pcapgen -n failed"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff "$RP_TMP/old.lwtp" "$RP_TMP/new.lwtp" "$RP_TMP/big.pcapng"
[ "$RC" = 1 ] || fail "lwtp diff of pcapng: exit $RC, not 1: $(cat "$RP_TMP/err")"
expect_same "pcapng: reassembled, via route" "\
      3  pass -> pass mark 0x2a  192.0.2.1.40000 > 198.51.100.7.443 tcp [none] len 40
      4  drop -> pass  2001:db8::1.40000 > 2001:db8::7.53 udp len 1588  reassembled 2,4
      6  drop -> pass  2001:db8::1.40000 > 2001:db8::7.53 udp len 5000  via route (metadata not observed)
the statements that acted on the differing packets:
  old  passed (end) at old.lwtp:5:1                      1
  old  would drop at old.lwtp:3:5                        2
  new  would set skb.mark at new.lwtp:4:5                1
  new  passed (end) at new.lwtp:6:1                      3
6 packets: 3 differ (2 verdict, 1 mark or priority), 0 skipped, 1 incoming, 1 datagram reassembled from 2 fragments, 2 via route" \
	"$(cat "$RP_TMP/out")"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" -j diff "$RP_TMP/old.lwtp" "$RP_TMP/new.lwtp" "$RP_TMP/big.pcapng"
expect_same "JSON: fragments, via, attribution through the route" \
	'[3,null,null,"passed (end) at old.lwtp:5:1","would set skb.mark at new.lwtp:4:5,passed (end) at new.lwtp:6:1"]
[4,[2,4],null,"would drop at old.lwtp:3:5","passed (end) at new.lwtp:6:1"]
[6,null,"route","would drop at old.lwtp:3:5","passed (end) at new.lwtp:6:1"]' \
	"$(jq -c '.packets[] | [.number, .packet.fragments, .packet.via, (.old.statements | join(",")), (.new.statements | join(","))]' "$RP_TMP/out")"
expect_same "JSON: totals" \
	'{"packets":6,"differ":3,"verdict":2,"metadata":1,"skipped":0,"incoming":1,"filtered":0,"reassembled":1,"fragments":2,"incomplete":0,"via_route":2}' \
	"$(jq -c .totals "$RP_TMP/out")"

# --fragments: the fragments as captured; only the first, with the ports,
# differs
run_lwtp "$RP_TMP/out" "$RP_TMP/err" --fragments diff "$RP_TMP/old.lwtp" "$RP_TMP/new.lwtp" \
	"$RP_TMP/big.pcapng"
[ "$RC" = 1 ] || fail "lwtp --fragments diff: exit $RC, not 1: $(cat "$RP_TMP/err")"
expect_same "--fragments: as captured" "\
      2  drop -> pass  2001:db8::1.40000 > 2001:db8::7.53 udp ext fragment frag first len 1496
      3  pass -> pass mark 0x2a  192.0.2.1.40000 > 198.51.100.7.443 tcp [none] len 40
      6  drop -> pass  2001:db8::1.40000 > 2001:db8::7.53 udp len 5000  via route (metadata not observed)
6 packets: 3 differ (2 verdict, 1 mark or priority), 0 skipped, 1 incoming, 2 via route" \
	"$(sed -n '1,3p; $p' "$RP_TMP/out")"

# a filter expression (the datagram decided on its first fragment), and
# --route
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff "$RP_TMP/old.lwtp" "$RP_TMP/new.lwtp" \
	"$RP_TMP/big.pcapng" udp and not tcp
[ "$RC" = 1 ] || fail "lwtp diff with a filter: exit $RC, not 1: $(cat "$RP_TMP/err")"
expect_same "filter: udp and not tcp" "\
      4  drop -> pass  2001:db8::1.40000 > 2001:db8::7.53 udp len 1588  reassembled 2,4
      6  drop -> pass  2001:db8::1.40000 > 2001:db8::7.53 udp len 5000  via route (metadata not observed)
6 packets: 2 differ (2 verdict, 0 mark or priority), 0 skipped, 1 incoming, 1 filtered, 1 datagram reassembled from 2 fragments, 2 via route" \
	"$(sed -n '1,2p; $p' "$RP_TMP/out")"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" -j --route 198.51.100.0/24 diff "$RP_TMP/old.lwtp" \
	"$RP_TMP/new.lwtp" "$RP_TMP/big.pcapng"
expect_same "--route 198.51.100.0/24" '[3] {"packets":6,"differ":1,"verdict":0,"metadata":1,"skipped":0,"incoming":1,"filtered":3,"reassembled":0,"fragments":0,"incomplete":0,"via_route":1}' \
	"$(jq -c '[.packets[].number]' "$RP_TMP/out") $(jq -c .totals "$RP_TMP/out")"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff "$RP_TMP/old.lwtp" "$RP_TMP/new.lwtp" \
	"$RP_TMP/big.pcapng" 'udp port'
[ "$RC" = 2 ] || fail "a filter libpcap cannot compile: exit $RC, not 2"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" --route 198.51.100.0/33 diff "$RP_TMP/old.lwtp" \
	"$RP_TMP/new.lwtp" "$RP_TMP/big.pcapng"
[ "$RC" = 2 ] || fail "a bad --route: exit $RC, not 2"

# errors: exit 2
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff "$RP_TMP/none.lwtp" "$RP_TMP/new.lwtp" "$RP_TMP/c.pcap"
[ "$RC" = 2 ] || fail "a missing policy: exit $RC, not 2"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff "$RP_TMP/old.lwtp:nosuch" "$RP_TMP/new.lwtp" "$RP_TMP/c.pcap"
[ "$RC" = 2 ] || fail "an unknown section: exit $RC, not 2"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff "$RP_TMP/old.lwtp" "$RP_TMP/new.lwtp"
[ "$RC" = 2 ] || fail "two words: exit $RC, not 2"
exit 0
