#!/bin/bash
# linktypes: the same packets in every link type and file format replay
# reads (Ethernet, 802.1Q, 802.1ad, SLL, SLL2, raw IP, LINKTYPE_IPV4/IPV6,
# BSD loopback; pcap and pcapng; a file and standard input) get the same
# verdicts, and frames that are not IP are skipped and counted.
. "$(dirname "$0")/lib.sh"

# packet, then what replay.lwtp does to it (docs/language.md)
IP4_PACKETS="\
ip4 udp dport 53 payload 10                 => 1 drop - -
ip4 udp dst 198.51.100.53 dport 53          => 2 pass - -
ip4 tcp flags syn,fin dport 80              => 3 drop - -
ip4 tcp flags syn dport 443                 => 4 pass 42 -
ip4 icmp type echo_request                  => 5 pass - 6
ip4 icmp type echo_reply                    => 6 pass - -
ip4 udp dport 53 frag later payload 64      => 7 pass - -
ip4 udp options 8                           => 8 drop - -"
IP6_PACKETS="\
ip6 udp dport 53                            => 1 drop - -
ip6 tcp flags syn dport 443 ext hopopts     => 2 pass 42 -
ip6 icmp6 type echo_request                 => 3 pass - 6
ip6 udp frag first                          => 4 drop - -
ip6 tcp flags syn,fin                       => 5 drop - -"
ARP="ether 0x0806 payload 28"

# renumber EXPECTED-LINES: "N verdict ..." with N counted from 1
renumber() {
	awk '{ $1 = NR; print }'
}

both=$( (sed 's/.*=> //' <<<"$IP4_PACKETS"; sed 's/.*=> //' <<<"$IP6_PACKETS") | renumber)
with_arp=$( (echo "$both"; echo "x skip - -") | renumber)
pkts_both=$(sed 's/ *=>.*//' <<<"$IP4_PACKETS"; sed 's/ *=>.*//' <<<"$IP6_PACKETS")

check() {       # check NAME EXPECTED-VERDICTS PCAPGEN-ARGS... < packets
	local name=$1 want=$2 got
	shift 2
	"$PCAPGEN" "$@" -o "$RP_TMP/$name.pcap" || fail "$name: pcapgen $* failed"
	run_lwtp "$RP_TMP/$name.json" "$RP_TMP/$name.err" --json replay --fragments "$OBJ" rp "$RP_TMP/$name.pcap"
	[ "$RC" = 0 ] || fail "$name: lwtp replay: exit $RC: $(cat "$RP_TMP/$name.err")"
	got=$(verdicts "$RP_TMP/$name.json")
	expect_same "$name: verdicts" "$want" "$got"
}

for link in ether vlan qinq sll sll2; do
	for ng in "" -n; do
		(echo "$pkts_both"; echo "$ARP") | check "$link$ng" "$with_arp" -l "$link" $ng
	done
done
for link in raw null; do
	for ng in "" -n; do
		echo "$pkts_both" | check "$link$ng" "$both" -l "$link" $ng
	done
done
sed 's/ *=>.*//' <<<"$IP4_PACKETS" | check ip4 "$(sed 's/.*=> //' <<<"$IP4_PACKETS")" -l ip4
sed 's/ *=>.*//' <<<"$IP6_PACKETS" | check ip6 "$(sed 's/.*=> //' <<<"$IP6_PACKETS")" -l ip6

# the link type as libpcap names it, VLAN tags and all
for pair in ether:EN10MB vlan:EN10MB sll:LINUX_SLL sll2:LINUX_SLL2 raw:RAW null:NULL ip4:IPV4; do
	got=$(jq -r .linktype "$RP_TMP/${pair%%:*}.json")
	expect_same "${pair%%:*}: linktype" "${pair#*:}" "$got"
done

# totals count the skipped frame
got=$(jq -c .totals "$RP_TMP/sll2.json")
expect_same "sll2: totals" '{"packets":14,"passed":7,"dropped":6,"skipped":1,"other":0}' "$got"
got=$(jq -r '.packets[13].reason' "$RP_TMP/vlan.json")
expect_same "vlan: why the ARP frame is skipped" "not IP (ethertype 0x0806, ARP)" "$got"

# standard input
run_lwtp "$RP_TMP/stdin.json" "$RP_TMP/stdin.err" -j replay --fragments "$OBJ" rp - < "$RP_TMP/qinq-n.pcap"
[ "$RC" = 0 ] || fail "replay from standard input: exit $RC: $(cat "$RP_TMP/stdin.err")"
expect_same "stdin: verdicts" "$with_arp" "$(verdicts "$RP_TMP/stdin.json")"
exit 0
