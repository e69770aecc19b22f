#!/bin/sh
# sample_time.sh: lwtp sample on records whose time is anything a ring can
# hold. A sample ring's records come from a program; this one is lwtc's own
# C for 'sample smp_t 1/1', edited so that the record's time_ns is 0, 2^63 - 1,
# 2^63 or 2^64 - 1 by the packet's length. lwtp sample must print each (text,
# JSON, pcap) without undefined behaviour (the asan suite runs this with
# UBSan) and with 6 digits of microseconds that are never negative.
. "$(dirname "$0")/lib.sh"

[ -x "$LWTC" ] || die "$LWTC is missing (make compiler)"
cat > "$T/smp.lwtp" <<'POLICY'
policy smp {
    sample smp_t 1/1 snaplen 32;
}
POLICY
"$LWTC" -S "$T/smp.lwtp" -o "$T/smp.c" || die "lwtc -S failed"
grep -q '\.time_ns = bpf_ktime_get_ns(),' "$T/smp.c" ||
	die "lwtc's sample code no longer sets .time_ns = bpf_ktime_get_ns(): update this test"
sed -i 's/\.time_ns = bpf_ktime_get_ns(),/.time_ns = len == 128 ? 0x7fffffffffffffffULL : len == 129 ? 0x8000000000000000ULL : len == 130 ? 0xffffffffffffffffULL : 0,/' \
	"$T/smp.c"
clang -O2 -g -target bpf -I/usr/include/"$(gcc -print-multiarch)" -c "$T/smp.c" -o "$T/smp.o" ||
	die "cannot compile the edited sample program"
route_bpf 198.51.100.7/32 "$T/smp.o" smp
# four packets, one of each time (IPv4 + UDP: skb.len 128 .. 131)
send_four() {
	for payload in 100 101 102 103; do
		send 198.51.100.7 9 1 "$payload" > /dev/null
	done
}
send_four

lwtp sample smp_t -c 4 -t 5 > "$T/text" 2> "$T/err"
rc=$?
if [ $rc = 0 ] && [ "$(wc -l < "$T/text")" = 4 ] &&
	! grep -v '^[0-9:]*\.[0-9]\{6\} pass ' "$T/text" > /dev/null; then
	ok "text lines for extreme times"
else
	fail "text lines for extreme times" "exit $rc: $(cat "$T/text" "$T/err")"
fi

# the ring is drained: the same packets again for the JSON and the capture
send_four
lwtp --json sample smp_t -c 4 -t 5 > "$T/json" 2> "$T/err"
rc=$?
if [ $rc = 0 ] && [ "$(jq -s 'map(.time | numbers | select(. >= 0)) | length' "$T/json")" = 4 ]; then
	ok "JSON times for extreme times"
else
	fail "JSON times for extreme times" "exit $rc: $(cat "$T/json" "$T/err")"
fi

send_four
lwtp sample smp_t -w "$T/smp.pcap" -c 4 -t 5 2> "$T/err"
rc=$?
if [ $rc = 0 ] && grep -q '^4 samples written to .*, none lost$' "$T/err"; then
	ok "capture of extreme times"
else
	fail "capture of extreme times" "exit $rc: $(cat "$T/err")"
fi
finish
