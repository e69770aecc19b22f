#!/bin/bash
# A constant set of 100,000 prefixes (50,000 IPv4, 50,000 IPv6, generated
# here, read with 'file "deny.txt"') compiled into the object: plain
# iproute2 loads it, and the program drops exactly the packets to
# addresses in the set. 198.51.100.7 and 2001:db8::7 are the last addresses
# of prefixes of the set (198.51.100.4/30, 2001:db8::/125); .8 and ::8, the
# next ones, are not in it. The pinned count sees the dropped ones only.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

need_file "$LWTC" "make compiler"

# 50,000 random IPv4 prefixes and 50,000 IPv6 ones: none of them holds .8
# or ::8; then two that hold .7 and ::7
{
	sh "$E2E_ROOT/tests/tools/genprefixes.sh" 50000 50000
	echo 198.51.100.4/30
	echo 2001:db8::/125
} > "$E2E_TMP/deny.txt" || fail "cannot generate the prefixes"
[ "$(wc -l < "$E2E_TMP/deny.txt")" = 100002 ] || fail "generated $(wc -l < "$E2E_TMP/deny.txt") prefixes, not 100002"

cat > "$E2E_TMP/set100k.lwtp" <<'EOF'
const deny = file "deny.txt";

policy set100k {
    count set100k_hits if ip.dst in deny;
    drop if ip.dst in deny;
}
EOF
start=$(date +%s%N)
out=$("$LWTC" "$E2E_TMP/set100k.lwtp" -o "$E2E_TMP/set100k.o" 2>&1) ||
	fail "lwtc set100k.lwtp failed: $out"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 20000 ] || fail "lwtc took ${ms} ms for 100,000 prefixes"

e2e_pair
for r in 198.51.100.7/32 198.51.100.8/32 2001:db8::7/128 2001:db8::8/128; do
	e2e_route "$r" "$E2E_TMP/set100k.o" set100k
done

e2e_expect_send 198.51.100.7 9 100x3 0 3
e2e_expect_send 198.51.100.8 9 100x2 2 0
e2e_expect_send 2001:db8::7 9 100x4 0 4
e2e_expect_send 2001:db8::8 9 100x1 1 0

e2e_dump set100k_hits "$E2E_TMP/hits"
expect_same set100k_hits "0 => packets=7 bytes=$((3 * 128 + 4 * 148))" "$(cat "$E2E_TMP/hits")"
