#!/bin/bash
# select: replay replays what the route saw: incoming packets (SLL and SLL2
# packet type, pcapng epb_flags) are not replayed and are counted apart; a
# capture filter in tcpdump's language and --route PREFIX leave packets out
# ("filtered", not "skipped"); NFLOG captures are read, and filtered on the
# packet inside; bad filters and prefixes are usage errors (exit 2).
. "$(dirname "$0")/lib.sh"

# expect_exit WHAT STATUS STDERR-PATTERN LWTP-ARGS...
expect_exit() {
	local what=$1 want=$2 pattern=$3
	shift 3
	run_lwtp "$RP_TMP/out" "$RP_TMP/err" "$@"
	[ "$RC" = "$want" ] || fail "$what: exit $RC, expected $want: $(cat "$RP_TMP/err")"
	grep -Eq -- "$pattern" "$RP_TMP/err" || fail "$what: stderr does not match '$pattern':
$(cat "$RP_TMP/err")"
}

# 1. direction: SLL, SLL2 (pcap and pcapng), Ethernet pcapng's flags, from
# a file and from standard input; Ethernet pcap says nothing: all replayed
DIR_PACKETS=(
	"ip4 udp dport 53 dir in"               # 1 incoming
	"ip4 udp dport 53 dir out"              # 2 drop
	"ip4 tcp flags syn dport 443 dir in"    # 3 incoming
	"ip6 icmp6 type echo_request dir out"   # 4 pass, priority 6
)
want_dir="\
1 skip - -
2 drop - -
3 skip - -
4 pass - 6"
for link in "sll" "sll -n" "sll2" "sll2 -n" "ether -n" "vlan -n"; do
	name=dir-${link// /}
	"$PCAPGEN" -l $link -o "$RP_TMP/$name.cap" "${DIR_PACKETS[@]}" || fail "$name: pcapgen failed"
	run_lwtp "$RP_TMP/$name.json" "$RP_TMP/err" -j replay "$OBJ" rp "$RP_TMP/$name.cap"
	[ "$RC" = 0 ] || fail "$name: exit $RC: $(cat "$RP_TMP/err")"
	expect_same "$name: verdicts" "$want_dir" "$(verdicts "$RP_TMP/$name.json")"
	expect_same "$name: reasons" "incoming incoming" \
		"$(jq -r '[.packets[] | select(.verdict == "skip") | .reason] | join(" ")' "$RP_TMP/$name.json")"
	expect_same "$name: totals" \
		'{"packets":4,"passed":1,"dropped":1,"skipped":0,"other":0,"replayed":2,"incoming":2,"filtered":0,"reassembled":0,"fragments":0,"incomplete":0,"via_route":0}' \
		"$(jq -c .totals "$RP_TMP/$name.json")"
done
run_lwtp "$RP_TMP/stdin.json" "$RP_TMP/err" -j replay "$OBJ" rp - < "$RP_TMP/dir-ether-n.cap"
[ "$RC" = 0 ] || fail "pcapng from standard input: exit $RC: $(cat "$RP_TMP/err")"
expect_same "pcapng from standard input: verdicts" "$want_dir" "$(verdicts "$RP_TMP/stdin.json")"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" replay "$OBJ" rp "$RP_TMP/dir-sll2.cap"
expect_same "text: incoming" "\
    1 skip  incoming
    2 drop  192.0.2.1.40000 > 198.51.100.7.53 udp len 28
    3 skip  incoming
    4 pass  2001:db8::1 > 2001:db8::7 icmpv6 echo_request len 48  priority 6
4 packets: 1 passed, 1 dropped, 0 skipped, 2 incoming" "$(head -n 5 "$RP_TMP/out")"
"$PCAPGEN" -l ether -o "$RP_TMP/dir-ether.pcap" "${DIR_PACKETS[@]}" || fail "pcapgen failed"
run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" -j replay "$OBJ" rp "$RP_TMP/dir-ether.pcap"
expect_same "Ethernet pcap: every packet replayed" "1 drop - -
2 drop - -
3 pass 42 -
4 pass - 6" "$(verdicts "$RP_TMP/out.json")"
expect_same "Ethernet pcap: totals as before" \
	'{"packets":4,"passed":2,"dropped":2,"skipped":0,"other":0}' "$(jq -c .totals "$RP_TMP/out.json")"

# 2. a capture filter: the words after CAPTURE, joined as tcpdump joins them
"$PCAPGEN" -o "$RP_TMP/mix.pcap" \
	"ip4 udp dport 53" "ip4 tcp flags syn dport 443" "ether 0x0806 payload 28" \
	"ip6 udp dport 53" "ip4 icmp type echo_request dst 203.0.113.9" || fail "pcapgen failed"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" replay "$OBJ" rp "$RP_TMP/mix.pcap" udp and port 53
[ "$RC" = 0 ] || fail "filter: exit $RC: $(cat "$RP_TMP/err")"
expect_same "filter: udp and port 53" "\
    1 drop  192.0.2.1.40000 > 198.51.100.7.53 udp len 28
    4 drop  2001:db8::1.40000 > 2001:db8::7.53 udp len 48
5 packets: 0 passed, 2 dropped, 0 skipped, 3 filtered" "$(head -n 3 "$RP_TMP/out")"
run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" -j replay "$OBJ" rp "$RP_TMP/mix.pcap" 'arp or icmp'
expect_same "filter: arp or icmp (the ARP frame matches, and is skipped)" "3 skip - -
5 pass - 6" "$(verdicts "$RP_TMP/out.json")"
expect_same "filter: the expression in the JSON" "arp or icmp" "$(jq -r .filter "$RP_TMP/out.json")"
expect_same "filter: totals" \
	'{"packets":5,"passed":1,"dropped":0,"skipped":1,"other":0,"replayed":1,"incoming":0,"filtered":3,"reassembled":0,"fragments":0,"incomplete":0,"via_route":0}' \
	"$(jq -c .totals "$RP_TMP/out.json")"
expect_exit "bad filter" 2 "bad capture filter 'udp and bogus 53'" replay "$OBJ" rp "$RP_TMP/mix.pcap" udp and bogus 53

# 3. --route PREFIX, repeatable; non-IP frames are not what a route carries
run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" -j --route 198.51.100.0/24 replay "$OBJ" rp "$RP_TMP/mix.pcap"
expect_same "--route 198.51.100.0/24" "1 drop - -
2 pass 42 -" "$(verdicts "$RP_TMP/out.json")"
run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" -j --route 2001:db8::/32 --route 203.0.113.9 replay \
	"$OBJ" rp "$RP_TMP/mix.pcap"
expect_same "--route 2001:db8::/32 --route 203.0.113.9" "4 drop - -
5 pass - 6" "$(verdicts "$RP_TMP/out.json")"
expect_same "--route: filtered" 3 "$(jq .totals.filtered "$RP_TMP/out.json")"
run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" -j --route 198.51.100.0/24 replay "$OBJ" rp "$RP_TMP/mix.pcap" tcp
expect_same "--route and a filter" "2 pass 42 -" "$(verdicts "$RP_TMP/out.json")"
expect_exit "--route with host bits" 2 "192.0.2.5/24: the address has bits set past /24.*192.0.2.0/24" \
	--route 192.0.2.5/24 replay "$OBJ" rp "$RP_TMP/mix.pcap"
expect_exit "--route not a prefix" 2 "--route wants an IPv4 or IPv6 prefix" \
	--route 198.51.100.0/33 replay "$OBJ" rp "$RP_TMP/mix.pcap"
expect_exit "--route for stat" 2 "stat does not take --route" --route 192.0.2.0/24 stat
expect_exit "--fragments for stat" 2 "stat does not take --fragments" --fragments stat

# 4. NFLOG (tcpdump -i nflog:N): the packet is the NFULA_PAYLOAD attribute
"$PCAPGEN" -l nflog -o "$RP_TMP/nflog.pcap" "ip4 udp dport 53" "ip6 tcp flags syn dport 443" \
	"ip4 icmp type echo_request" "ip6 udp frag first" || fail "pcapgen -l nflog failed"
run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" -j --fragments replay "$OBJ" rp "$RP_TMP/nflog.pcap"
[ "$RC" = 0 ] || fail "nflog: exit $RC: $(cat "$RP_TMP/err")"
expect_same "nflog: verdicts" "1 drop - -
2 pass 42 -
3 pass - 6
4 drop - -" "$(verdicts "$RP_TMP/out.json")"
expect_same "nflog: linktype" NFLOG "$(jq -r .linktype "$RP_TMP/out.json")"
run_lwtp "$RP_TMP/out.json" "$RP_TMP/err" -j replay "$OBJ" rp "$RP_TMP/nflog.pcap" 'ip6 or icmp'
[ "$RC" = 0 ] || fail "nflog with a filter: exit $RC: $(cat "$RP_TMP/err")"
expect_same "nflog: filter on the packet" "2 pass 42 -
3 pass - 6" "$(verdicts "$RP_TMP/out.json" | grep -v skip)"
exit 0
