#!/bin/bash
# errors: lwtp replay on wrong command lines, missing or broken files,
# objects the verifier refuses, and packets BPF_PROG_TEST_RUN cannot run
# (too short, too long), which are skipped with the reason; a capture cut
# by its snap length runs with the bytes it has, and says so.
. "$(dirname "$0")/lib.sh"

"$PCAPGEN" -o "$RP_TMP/ok.pcap" "ip4 udp" "ip6 udp" || fail "pcapgen failed"

# expect_exit WHAT RC PATTERN ARGS...: lwtp ARGS exits RC, PATTERN in stderr
expect_exit() {
	local what=$1 rc=$2 pattern=$3
	shift 3
	run_lwtp "$RP_TMP/out" "$RP_TMP/err" "$@"
	[ "$RC" = "$rc" ] && grep -Eq -- "$pattern" "$RP_TMP/err" ||
		fail "$what: expected exit $rc and '$pattern' on stderr; got exit $RC:
$(cat "$RP_TMP/err" "$RP_TMP/out")"
}

expect_exit "no arguments" 2 "replay wants OBJECT\|POLICY SECTION CAPTURE" replay
expect_exit "two arguments" 2 "replay wants" replay "$OBJ" rp
expect_exit "--prometheus" 2 "replay does not take --prometheus" --prometheus replay "$OBJ" rp "$RP_TMP/ok.pcap"
expect_exit "missing object" 1 "no-such\.o: No such file" replay "$RP_TMP/no-such.o" rp "$RP_TMP/ok.pcap"
expect_exit "missing capture" 1 "no-such\.pcap" replay "$OBJ" rp "$RP_TMP/no-such.pcap"
echo "not a capture" > "$RP_TMP/text.pcap"
expect_exit "not a capture" 1 "text\.pcap.*(unknown file format|bad dump file format)" \
	replay "$OBJ" rp "$RP_TMP/text.pcap"
# a pcap header of link type 105 (IEEE 802.11), little-endian
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x69\x00\x00\x00' \
	> "$RP_TMP/wifi.pcap"
expect_exit "unknown link type" 1 "link type 105 \(IEEE802_11\) is not one replay reads" \
	replay "$OBJ" rp "$RP_TMP/wifi.pcap"
# a capture cut inside its second record: the first runs (truncated.sh
# has the details)
head -c $(($(stat -c %s "$RP_TMP/ok.pcap") - 10)) "$RP_TMP/ok.pcap" > "$RP_TMP/cut.pcap"
expect_exit "truncated capture" 1 "cut\.pcap: the capture is cut short inside packet 2 \(truncated" \
	replay "$OBJ" rp "$RP_TMP/cut.pcap"
expect_grep "truncated capture: totals" "^1 packet: 1 passed, 0 dropped, 0 skipped \(capture truncated\)$" \
	"$(cat "$RP_TMP/out")"
# a record that says it holds 2 GB: libpcap reads no further, and neither
# does replay, but what came before runs, as for a cut (tcpdump does so)
off=$((24 + 16 + $(od -An -tu4 -j 32 -N 4 "$RP_TMP/ok.pcap")))
{ head -c $((off + 8)) "$RP_TMP/ok.pcap"; printf '\377\377\377\177'
  tail -c +$((off + 13)) "$RP_TMP/ok.pcap"; } > "$RP_TMP/damaged.pcap"
expect_exit "damaged record" 1 "damaged\.pcap: cannot read packet 2: invalid packet capture length" \
	--json replay "$OBJ" rp "$RP_TMP/damaged.pcap"
expect_same "damaged record: JSON" "true 1" "$(jq -r '"\(.truncated) \(.totals.packets)"' "$RP_TMP/out")"
expect_exit "unknown section" 1 "no section 'nope' \(sections: rp, rp_all_drop\)" \
	replay "$OBJ" nope "$RP_TMP/ok.pcap"
BAD=$RP_ROOT/build/tests/bad_access.bpf.o
[ -f "$BAD" ] || fail "$BAD: missing (make test-tools)"
expect_exit "verifier refuses" 1 "load failed" replay "$BAD" bad "$RP_TMP/ok.pcap"
grep -q "verifier log of section bad" "$RP_TMP/err" && grep -q "invalid access to packet" "$RP_TMP/err" ||
	fail "verifier refuses: no verifier log: $(cat "$RP_TMP/err")"

# packets BPF_PROG_TEST_RUN refuses are skipped, with the reason; longer
# ones run through a private route (replay_route.c), and say so
"$PCAPGEN" -o "$RP_TMP/len.pcap" "ip4 udp cut 19" "ip4 udp cut 20" "ip6 udp cut 39" "ip6 udp cut 40" \
	"ip4 udp len 3698" "ip4 udp len 3699" "ip6 udp len 3698" "ip6 udp len 9000" || fail "pcapgen failed"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" replay "$OBJ" rp "$RP_TMP/len.pcap"
[ "$RC" = 0 ] || fail "short and long packets: exit $RC: $(cat "$RP_TMP/err")"
want="\
    1 skip  IPv4 packet of 19 bytes, shorter than an IPv4 header (BPF_PROG_TEST_RUN refuses it)
    2 pass  192.0.2.1 > 198.51.100.7 udp (header cut) len 20
    3 skip  IPv6 packet of 39 bytes, shorter than an IPv6 header (BPF_PROG_TEST_RUN refuses it)
    4 pass  2001:db8::1 > 2001:db8::7 udp (header cut) len 40
    5 pass  192.0.2.1.40000 > 198.51.100.7.9 udp len 3698
    6 pass  192.0.2.1.40000 > 198.51.100.7.9 udp len 3699  via route (metadata not observed)
    7 pass  2001:db8::1.40000 > 2001:db8::7.9 udp len 3698
    8 pass  2001:db8::1.40000 > 2001:db8::7.9 udp len 9000  via route (metadata not observed)
8 packets: 6 passed, 0 dropped, 2 skipped, 2 via route"
expect_same "short and long packets" "$want" "$(head -n 9 "$RP_TMP/out")"

# a snap length: the packet runs with what was captured
"$PCAPGEN" -s 64 -o "$RP_TMP/snap.pcap" "ip4 udp dport 53 payload 86" "ip4 udp dport 53 payload 10" ||
	fail "pcapgen failed"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" replay "$OBJ" rp "$RP_TMP/snap.pcap"
[ "$RC" = 0 ] || fail "snapped capture: exit $RC: $(cat "$RP_TMP/err")"
want="\
    1 drop  192.0.2.1.40000 > 198.51.100.7.53 udp len 50 of 114
    2 drop  192.0.2.1.40000 > 198.51.100.7.53 udp len 38"
expect_same "snapped capture" "$want" "$(head -n 2 "$RP_TMP/out")"
expect_grep "snapped capture: bytes counted are those run" "^rp_total: 2 packets, 88 bytes$" "$(cat "$RP_TMP/out")"
exit 0
