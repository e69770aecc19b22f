#!/bin/bash
# diff: lwtp diff OLD NEW CAPTURE lists exactly the packets an edit of a
# policy changes (verdict, mark), with the statements of each version that
# acted on them, in text and JSON; exit 0 when nothing differs, 1 when
# something does, 2 on errors (diff(1)'s convention).
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

# errors: exit 2
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff "$RP_TMP/none.lwtp" "$RP_TMP/new.lwtp" "$RP_TMP/c.pcap"
[ "$RC" = 2 ] || fail "a missing policy: exit $RC, not 2"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff "$RP_TMP/old.lwtp:nosuch" "$RP_TMP/new.lwtp" "$RP_TMP/c.pcap"
[ "$RC" = 2 ] || fail "an unknown section: exit $RC, not 2"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" diff "$RP_TMP/old.lwtp" "$RP_TMP/new.lwtp"
[ "$RC" = 2 ] || fail "two words: exit $RC, not 2"
exit 0
