#!/bin/bash
# quiet: `lwtp replay -q` runs the packets on worker threads, without
# metadata in or out (runtime/replay_batch.c); its totals must be those of
# the plain replay, which runs them one by one in the capture's order:
# - a policy of counters and histograms only, which runs out of order, on
#   every CPU, with a keyed counter too small for the capture's
#   destinations (the first 40 packets out of order, the rest in order, so
#   that the refused inserts are the same);
# - a policy with a quota, whose verdicts depend on the order: one worker;
# - a policy that samples: no worker at all (the other two share its
#   object, and still run on workers: only a program's own rings count).
# The capture has what the workers hand back or refuse: packets too short
# for BPF_PROG_TEST_RUN, ARP, fragments put back together and not,
# packets above 1,500 bytes and above 3,698 (through the private route),
# more packets than a batch, and the drop verdict.
. "$(dirname "$0")/lib.sh"

{
	for i in $(seq 1 300); do
		d=$((i % 97 + 1))
		echo "ip4 udp dst 198.51.100.$d dport 53 payload $((i * 7 % 900))"
		echo "ip6 tcp flags ack dst 2001:db8::$d dport 443 payload $((i % 500))"
		case $((i % 10)) in
		0) echo "ip4 tcp flags none dst 198.51.100.$d" ;;
		1) echo "ip4 udp dst 198.51.100.$d cut 10" ;;
		2) echo "ether 0x0806 payload 28" ;;
		3) echo "ip4 udp dst 198.51.100.$d payload 2000" ;;
		4) echo "ip4 udp frag later dst 198.51.100.$d payload 100" ;;
		5) echo "ip6 udp ext fragment dst 2001:db8::$d payload 64" ;;
		esac
	done
	echo "ip4 udp dst 198.51.100.7 payload 6000"
} | "$PCAPGEN" -o "$RP_TMP/mix.pcap" || fail "pcapgen failed"

cat > "$RP_TMP/quiet.lwtp" <<'EOF'
policy sums {
    count all;
    count by_dst by ip.dst size 40;
    hist sizes log2(skb.len) by ip.proto size 8;
    drop if tcp.flags == 0;
}

policy budget {
    count all;
    quota q 200KB else drop;
}

policy sampled {
    sample s 1/1;
    count all;
    drop if tcp.flags == 0;
}
EOF
"$LWTC" "$RP_TMP/quiet.lwtp" -o "$RP_TMP/quiet.o" || fail "lwtc quiet.lwtp failed"

for section in sums budget sampled; do
	run_lwtp "$RP_TMP/all" "$RP_TMP/err" replay "$RP_TMP/quiet.o" "$section" "$RP_TMP/mix.pcap"
	[ "$RC" = 0 ] || fail "$section: replay exit $RC: $(cat "$RP_TMP/err")"
	run_lwtp "$RP_TMP/q" "$RP_TMP/err" -q replay "$RP_TMP/quiet.o" "$section" "$RP_TMP/mix.pcap"
	[ "$RC" = 0 ] || fail "$section: replay -q exit $RC: $(cat "$RP_TMP/err")"
	expect_same "$section: the totals of -q" "$(grep -E '^[0-9]+ packets:' "$RP_TMP/all")" \
		"$(cat "$RP_TMP/q")"
	run_lwtp "$RP_TMP/all.json" "$RP_TMP/err" -j replay "$RP_TMP/quiet.o" "$section" \
		"$RP_TMP/mix.pcap"
	run_lwtp "$RP_TMP/q.json" "$RP_TMP/err" -j -q replay "$RP_TMP/quiet.o" "$section" \
		"$RP_TMP/mix.pcap"
	expect_same "$section: the JSON totals of -q" "$(jq -c .totals "$RP_TMP/all.json")" \
		"$(jq -c .totals "$RP_TMP/q.json")"
done
expect_grep "the capture: drops, skips, reassembly, the route" \
	'passed, [1-9][0-9]* dropped, [1-9][0-9]* skipped.*reassembled.*1 via route' "$(cat "$RP_TMP/q")"
exit 0
