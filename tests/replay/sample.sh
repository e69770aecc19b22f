#!/bin/bash
# sample: lwtp replay says which sample rings each packet was written to,
# and a sample records the packet however the program ends: a drop (by a
# statement, or by a limit's action), a pass, or the end of the policy.
# Only the packets that reach a sample statement, and meet its condition,
# are taken; 1/1 takes all of them. The rings are named in the order of
# their maps (first use in the file).
. "$(dirname "$0")/lib.sh"

cat > "$RP_TMP/smp.lwtp" <<'POLICY'
policy smp {
    sample smp_dns 1/1 if udp.dport == 53;
    quota smp_q 2 if tcp.dport == 22;         # packets 4 and 5; 6 and 7 dropped
    if ip6.dst == 2001:db8::7 {
        sample smp_v6 1/1 snaplen 40;
        drop if ip.proto == tcp;
    }
    pass if udp.dport == 9;
    sample smp_late 1/1;
    sample smp_dns 1/1 if udp.sport == 53;      # the same ring, once a packet
}
POLICY
"$PCAPGEN" -o "$RP_TMP/smp.pcap" \
	"ip4 udp dport 53" \
	"ip4 udp sport 53 dport 53" \
	"ip6 udp dport 53" \
	"ip6 tcp dport 22" \
	"ip4 tcp dport 22" \
	"ip4 tcp dport 22" \
	"ip4 tcp dport 22" \
	"ip4 udp dport 9" \
	"ip4 udp sport 53 dport 10" || fail "pcapgen failed"

run_lwtp "$RP_TMP/out.txt" "$RP_TMP/err" replay "$RP_TMP/smp.lwtp" smp "$RP_TMP/smp.pcap"
[ "$RC" = 0 ] || fail "lwtp replay: exit $RC: $(cat "$RP_TMP/err")"
want="\
    1 pass  192.0.2.1.40000 > 198.51.100.7.53 udp len 28  sampled smp_dns,smp_late
    2 pass  192.0.2.1.53 > 198.51.100.7.53 udp len 28  sampled smp_dns,smp_late
    3 pass  2001:db8::1.40000 > 2001:db8::7.53 udp len 48  sampled smp_dns,smp_v6,smp_late
    4 drop  2001:db8::1.40000 > 2001:db8::7.22 tcp [none] len 60  sampled smp_v6
    5 pass  192.0.2.1.40000 > 198.51.100.7.22 tcp [none] len 40  sampled smp_late
    6 drop  192.0.2.1.40000 > 198.51.100.7.22 tcp [none] len 40
    7 drop  192.0.2.1.40000 > 198.51.100.7.22 tcp [none] len 40
    8 pass  192.0.2.1.40000 > 198.51.100.7.9 udp len 28
    9 pass  192.0.2.1.53 > 198.51.100.7.10 udp len 28  sampled smp_dns,smp_late
9 packets: 6 passed, 3 dropped, 0 skipped"
expect_same "packet lines" "$want" "$(head -n 10 "$RP_TMP/out.txt")"

run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" --json replay "$RP_TMP/smp.lwtp" smp "$RP_TMP/smp.pcap"
[ "$RC" = 0 ] || fail "lwtp replay --json: exit $RC: $(cat "$RP_TMP/err")"
got=$(jq -c '[.packets[] | .sampled]' "$RP_TMP/out.json") || fail "not JSON: $(cat "$RP_TMP/out.json")"
expect_same "sampled in JSON" \
	'[["smp_dns","smp_late"],["smp_dns","smp_late"],["smp_dns","smp_v6","smp_late"],["smp_v6"],["smp_late"],null,null,null,["smp_dns","smp_late"]]' \
	"$got"
