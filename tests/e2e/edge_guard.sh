#!/bin/bash
# policies/edge_guard.lwtp on real traffic, with a deny set of 100,000
# prefixes: it limits each destination to 1,000 packets/s (burst 100), keeps
# a 1 GB quota per destination, drops the denied ones and samples 1 packet in
# 100, attached with plain 'ip route'.
#   - to denied 198.51.100.7 and 2001:db8::7 (in the set): every packet
#     dropped, and counted per destination in edge_denied;
#   - to 198.51.100.8 and 2001:db8::8 (not in it), two senders on two CPUs
#     for SECONDS each: what passes is within 5% of 1000 x time + 100, per
#     destination; the limit's state counts it exactly, and so does the
#     quota's (the bytes of exactly the packets that passed);
#   - the samples: written + lost is about 1/100 of every packet that left
#     (6 standard deviations), and the capture lwtp sample writes holds
#     exactly the written ones.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

SECONDS_RUN=${EDGE_SECONDS:-3}
LWTP=${LWTP:-$E2E_ROOT/build/lwtp}
need_file "$LWTC" "make compiler"
need_file "$LWTP" "make runtime"
need_file "$TOOLS/sendudp" "make test-tools"
command -v tcpdump >/dev/null || fail "tcpdump: not found (make deps)"

{
	sh "$E2E_ROOT/tests/tools/genprefixes.sh" 50000 50000
	echo 198.51.100.4/30
	echo 2001:db8::/125
} > "$E2E_TMP/edge_deny.txt" || fail "cannot generate the prefixes"
cp "$E2E_ROOT/policies/edge_guard.lwtp" "$E2E_TMP/" || fail "policies/edge_guard.lwtp: missing"
must "$LWTC" "$E2E_TMP/edge_guard.lwtp" -o "$E2E_TMP/edge_guard.o"

e2e_pair
for r in 198.51.100.7/32 198.51.100.8/32 2001:db8::7/128 2001:db8::8/128; do
	e2e_route "$r" "$E2E_TMP/edge_guard.o" edge_guard
done

# denied destinations
e2e_expect_send 198.51.100.7 9 100x5 0 5       # 5 x 128 bytes
e2e_expect_send 2001:db8::7 9 100x3 0 3         # 3 x 148
e2e_dump edge_denied "$E2E_TMP/denied"
expect_same edge_denied "ip_dst=198.51.100.7 => packets=5 bytes=640
ip_dst=2001:db8::7 => packets=3 bytes=444" "$(sort "$E2E_TMP/denied")"

# blast DST CPU OUT: send 64-byte datagrams for SECONDS_RUN seconds;
# OUT gets "SENT EPERM NS"
blast() {
	local out
	out=$(inA "$TOOLS/sendudp" -C "$2" -t "$SECONDS_RUN" "$1" 64 2>&1) || fail "sendudp: $out"
	set -- "$@" $(echo "$out" |
		sed -n 's/^sent \([0-9]*\) eperm \([0-9]*\) errors 0 start \([0-9]*\) end \([0-9]*\)$/\1 \2 \3 \4/p')
	[ $# = 7 ] || fail "sendudp to $1: $out"
	echo "$4 $5 $(($7 - $6))" > "$3"
}
blast 198.51.100.8 0 "$E2E_TMP/v4" &
blast 2001:db8::8 1 "$E2E_TMP/v6" &
wait
read -r s4 e4 ns4 < "$E2E_TMP/v4" || fail "the IPv4 sender did not finish"
read -r s6 e6 ns6 < "$E2E_TMP/v6" || fail "the IPv6 sender did not finish"

# within WHAT GOT WANT: GOT within 5% of WANT
within() {
	[ $(($2 * 100)) -ge $(($3 * 95)) ] && [ $(($2 * 100)) -le $(($3 * 105)) ] ||
		fail "$1: $2 passed, expected $3 within 5%"
}
[ "$e4" -gt 0 ] && [ "$e6" -gt 0 ] || fail "a sender was not over the limit (EPERM $e4, $e6)"
within "198.51.100.8 in $((ns4 / 1000000)) ms" "$s4" $((1000 * ns4 / 1000000000 + 100))
within "2001:db8::8 in $((ns6 / 1000000)) ms" "$s6" $((1000 * ns6 / 1000000000 + 100))

e2e_dump edge_rate "$E2E_TMP/rate"
grep -q "^ip_dst=198.51.100.8 => .*passed=$s4 exceeded=$e4 " "$E2E_TMP/rate" &&
	grep -q "^ip_dst=2001:db8::8 => .*passed=$s6 exceeded=$e6 " "$E2E_TMP/rate" ||
	fail "edge_rate does not count passed=$s4 exceeded=$e4 and passed=$s6 exceeded=$e6:
$(cat "$E2E_TMP/rate")"
e2e_dump edge_quota "$E2E_TMP/quota"
expect_same edge_quota "ip_dst=198.51.100.8 => used=$((s4 * 92)) limit=1000000000 over=0 unit=1
ip_dst=2001:db8::8 => used=$((s6 * 112)) limit=1000000000 over=0 unit=1" \
	"$(sort "$E2E_TMP/quota")"

# samples: every packet reached the statement; nobody read the ring while
# they were sent, so it filled up and the rest were lost
total=$((8 + s4 + e4 + s6 + e6))
e2e_dump lwtp_full_edge_samples "$E2E_TMP/full"
read -r written lost < <(sed -n 's/^0 => inserted=\([0-9]*\) refused=\([0-9]*\)$/\1 \2/p' "$E2E_TMP/full")
[ -n "${lost:-}" ] || fail "lwtp_full_edge_samples: $(cat "$E2E_TMP/full")"
mean=$((total / 100))
sd=$(awk -v n="$total" 'BEGIN { printf "%d", sqrt(n * 0.01 * 0.99) + 1 }')
[ $((written + lost)) -ge $((mean - 6 * sd)) ] && [ $((written + lost)) -le $((mean + 6 * sd)) ] ||
	fail "$((written + lost)) samples of $total packets, expected $mean +- $((6 * sd))"
"$LWTP" sample edge_samples -w "$E2E_TMP/edge.pcap" -t 1 2> "$E2E_TMP/err" ||
	fail "lwtp sample failed: $(cat "$E2E_TMP/err")"
n=$(tcpdump -nn -r "$E2E_TMP/edge.pcap" 2>/dev/null | wc -l)
[ "$n" = "$written" ] || fail "the capture holds $n samples, lwtp_full_edge_samples says $written were written"
exit 0
