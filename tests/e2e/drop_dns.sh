#!/bin/bash
# A drop policy on routes to two addresses per family: UDP to port 53 of one
# of them fails in sendto with EPERM; port 54 there, and port 53 of the
# other address, go out. The pinned counters (shared by the four routes)
# count exactly the packets dropped and passed, bytes included.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

need_file "$LWTC" "make compiler"
out=$("$LWTC" "$(dirname "$0")/drop_dns.lwtp" -o "$E2E_TMP/drop_dns.o" 2>&1) ||
	fail "lwtc drop_dns.lwtp failed: $out"
e2e_pair
for r in 198.51.100.7/32 198.51.100.8/32 2001:db8::7/128 2001:db8::8/128; do
	e2e_route "$r" "$E2E_TMP/drop_dns.o" drop_dns
done

e2e_expect_send 198.51.100.7 53 100x3 0 3          # dropped: 3 x 128 bytes
e2e_expect_send 198.51.100.7 54 100x2 2 0          # passed:  2 x 128
e2e_expect_send 198.51.100.8 53 10x4 4 0           # passed:  4 x 38
e2e_expect_send 2001:db8::7 53 20x5 0 5            # dropped: 5 x 68
e2e_expect_send 2001:db8::7 54 20x1 1 0            # passed:  1 x 68
e2e_expect_send 2001:db8::8 53 0x2 2 0             # passed:  2 x 48

e2e_dump dns_dropped "$E2E_TMP/dropped"
expect_same dns_dropped "0 => packets=8 bytes=$((3 * 128 + 5 * 68))" "$(cat "$E2E_TMP/dropped")"
e2e_dump dns_passed "$E2E_TMP/passed"
expect_same dns_passed "0 => packets=9 bytes=$((2 * 128 + 4 * 38 + 68 + 2 * 48))" "$(cat "$E2E_TMP/passed")"
