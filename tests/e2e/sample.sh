#!/bin/bash
# sample on real traffic: a policy attached with plain 'ip route' samples
# packets into pinned rings, and 'lwtp sample' reads them back.
#   1. every packet to 198.51.100.7 and 2001:db8::7 (1/1): 'lwtp sample
#      --json' gives each one, in order, with the verdict (dropped ones too)
#      and the mark it left with, and its length;
#   2. the same traffic again, 'lwtp sample -w' writes a pcap: tcpdump reads
#      it, and 'lwtp replay' (libpcap) finds the same packets, headers and
#      lengths in it, cut at the snaplen;
#   3. 1/10 of 3000 packets to 198.51.100.8: about 300 samples, and
#      lwtp_full_NAME counts exactly the ones written;
#   4. a ring that is too small: what does not fit is lost, and counted;
#   5. errors: a missing ring, a map that is not one, a bad command line.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

LWTP=${LWTP:-$E2E_ROOT/build/lwtp}
need_file "$LWTC" "make compiler"
need_file "$LWTP" "make runtime"
command -v tcpdump >/dev/null || fail "tcpdump: not found (make deps)"
command -v jq >/dev/null || fail "jq: not found (make deps)"

cat > "$E2E_TMP/smp.lwtp" <<'EOF'
policy smp {
    sample smp_all 1/1 snaplen 60 if ip.dst == 198.51.100.7 or ip.dst == 2001:db8::7;
    sample smp_tenth 1/10 if ip.dst == 198.51.100.8;
    sample smp_small 1/1 snaplen 64 size 8 if ip.dst == 2001:db8::8;
    set skb.mark = 0x2a if udp.dport == 54;
    drop if udp.dport == 53;
}
EOF
must "$LWTC" "$E2E_TMP/smp.lwtp" -o "$E2E_TMP/smp.o"
e2e_pair
for r in 198.51.100.7/32 198.51.100.8/32 2001:db8::7/128 2001:db8::8/128; do
	e2e_route "$r" "$E2E_TMP/smp.o" smp
done

traffic() {
	e2e_expect_send 198.51.100.7 53 100x3 0 3          # dropped, 128 bytes from L3
	e2e_expect_send 198.51.100.7 54 20x2 2 0           # passed, marked, 48 bytes
	e2e_expect_send 2001:db8::7 53 30x2 0 2            # dropped, 78 bytes
	e2e_expect_send 2001:db8::7 9 200x1 1 0            # passed, 248 bytes
}

# 1. the records, as JSON lines
traffic
out=$("$LWTP" --json sample smp_all -c 8 -t 10 2> "$E2E_TMP/err") ||
	fail "lwtp sample --json failed: $(cat "$E2E_TMP/err")"
got=$(echo "$out" | jq -r '"\(.verdict) \(.mark) \(.wire_length // .length) \(.length) \(.dst) \(.dport)"') ||
	fail "lwtp sample --json printed no JSON lines: $out"
expect_same "samples of smp_all" "drop 0 128 60 198.51.100.7 53
drop 0 128 60 198.51.100.7 53
drop 0 128 60 198.51.100.7 53
pass 42 48 48 198.51.100.7 54
pass 42 48 48 198.51.100.7 54
drop 0 78 60 2001:db8::7 53
drop 0 78 60 2001:db8::7 53
pass 0 248 60 2001:db8::7 9" "$got"
grep -q "^8 samples read, 0 lost (ring full)$" "$E2E_TMP/err" ||
	fail "lwtp sample did not sum up '8 samples read, 0 lost': $(cat "$E2E_TMP/err")"

# 2. the same packets as a capture
traffic
must "$LWTP" sample smp_all -w "$E2E_TMP/all.pcap" -c 8 -t 10
n=$(tcpdump -nn -r "$E2E_TMP/all.pcap" 2>/dev/null | wc -l)
[ "$n" = 8 ] || fail "tcpdump reads $n packets from the sampled capture, not 8:
$(tcpdump -nn -r "$E2E_TMP/all.pcap" 2>&1)"
tcpdump -nn -r "$E2E_TMP/all.pcap" 2>/dev/null | sed -n 4p |
	grep -q " IP 198.51.100.1.[0-9]* > 198.51.100.7.54: UDP, length 20$" ||
	fail "tcpdump does not see the fourth sample as 20 bytes of UDP to 198.51.100.7.54:
$(tcpdump -nn -r "$E2E_TMP/all.pcap" 2>&1)"
# lwtp replay reads it with libpcap: the same headers and lengths
echo 'policy look { pass; }' > "$E2E_TMP/look.lwtp"
out=$("$LWTP" --json replay "$E2E_TMP/look.lwtp" look "$E2E_TMP/all.pcap" 2>&1) ||
	fail "lwtp replay of the sampled capture failed: $out"
got=$(echo "$out" | jq -r '.packets[] | "\(.dst) \(.dport) \(.length) \(.wire_length // .length)"' 2>&1) ||
	fail "lwtp replay --json: $out"
expect_same "packets replayed from the sampled capture" "198.51.100.7 53 60 128
198.51.100.7 53 60 128
198.51.100.7 53 60 128
198.51.100.7 54 48 48
198.51.100.7 54 48 48
2001:db8::7 53 60 78
2001:db8::7 53 60 78
2001:db8::7 9 60 248" "$got"

# 3. 1 in 10: 3000 packets give 300 on average; 200..400 is 5.8 standard
# deviations each way
e2e_expect_send 198.51.100.8 9 10x3000 3000 0
"$LWTP" sample smp_tenth -w "$E2E_TMP/tenth.pcap" -t 2 2> "$E2E_TMP/err" ||
	fail "lwtp sample smp_tenth failed: $(cat "$E2E_TMP/err")"
n=$(tcpdump -nn -r "$E2E_TMP/tenth.pcap" 2>/dev/null | wc -l)
[ "$n" -ge 200 ] && [ "$n" -le 400 ] || fail "1/10 of 3000 packets gave $n samples"
e2e_dump lwtp_full_smp_tenth "$E2E_TMP/full"
expect_same lwtp_full_smp_tenth "0 => inserted=$n refused=0" "$(cat "$E2E_TMP/full")"

# 4. a ring of 8 records at least (one page: 4096 / (8 + 32 + 64) = 39):
# 100 packets, nobody reading
e2e_expect_send 2001:db8::8 9 100x100 100 0
"$LWTP" sample smp_small -c 100 -t 1 > "$E2E_TMP/small" 2>&1
n=$(grep -c ' pass ' "$E2E_TMP/small")
[ "$n" -ge 8 ] && [ "$n" -lt 100 ] || fail "a full ring kept $n of 100 samples:
$(cat "$E2E_TMP/small")"
e2e_dump lwtp_full_smp_small "$E2E_TMP/full"
expect_same lwtp_full_smp_small "0 => inserted=$n refused=$((100 - n))" "$(cat "$E2E_TMP/full")"
# errors: no such ring, a map that is not a ring, a wrong command line
"$LWTP" sample smp_none -t 1 > "$E2E_TMP/out" 2>&1
[ $? = 1 ] && grep -q "cannot open sample 'smp_none'" "$E2E_TMP/out" ||
	fail "lwtp sample of a missing ring: $(cat "$E2E_TMP/out")"
"$LWTP" sample lwtp_full_smp_all -t 1 > "$E2E_TMP/out" 2>&1
[ $? = 1 ] && grep -q "'lwtp_full_smp_all' is not a sample" "$E2E_TMP/out" ||
	fail "lwtp sample of a per-CPU array: $(cat "$E2E_TMP/out")"
"$LWTP" sample > "$E2E_TMP/out" 2>&1
[ $? = 2 ] || fail "lwtp sample without a name: $(cat "$E2E_TMP/out")"
"$LWTP" sample smp_all -w "$E2E_TMP/no/such/dir/x.pcap" -t 1 > "$E2E_TMP/out" 2>&1
[ $? = 1 ] && grep -q "cannot write" "$E2E_TMP/out" ||
	fail "lwtp sample -w into a missing directory: $(cat "$E2E_TMP/out")"
exit 0
