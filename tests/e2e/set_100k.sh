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

# 50,000 random IPv4 prefixes in 1.0.0.0 .. 190.255.255.255 and 50,000 IPv6
# prefixes in 2001:db8:8000::/33: none of them holds .8 or ::8
awk 'BEGIN {
	srand(20261123);
	for (i = 0; i < 50000; i++) {
		len = 16 + int(rand() * 17);
		a = (1 + int(rand() * 190)) * 16777216 + int(rand() * 16777216);
		a -= a % 2 ^ (32 - len);
		printf "%d.%d.%d.%d/%d\n", int(a / 16777216), int(a / 65536) % 256,
		       int(a / 256) % 256, a % 256, len;
	}
	for (i = 0; i < 50000; i++) {
		len = 48 + 16 * int(rand() * 6);
		w3 = 32768 + int(rand() * 32768);
		for (w = 4; w < 9; w++)
			word[w] = (len > 16 * w) ? int(rand() * 65536) : 0;
		printf "2001:db8:%x:%x:%x:%x:%x:%x/%d\n", w3, word[4], word[5], word[6],
		       word[7], word[8], len;
	}
	print "198.51.100.4/30";
	print "2001:db8::/125";
}' > "$E2E_TMP/deny.txt" || fail "cannot generate the prefixes"
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

# send DST SIZExCOUNT WANT_SENT WANT_EPERM
send() {
	e2e_send "$1" 9 "$2"
	[ "$SENT $EPERM" = "$3 $4" ] ||
		fail "to $1 ($2): sent $SENT, EPERM $EPERM; expected sent $3, EPERM $4"
}
send 198.51.100.7 100x3 0 3
send 198.51.100.8 100x2 2 0
send 2001:db8::7 100x4 0 4
send 2001:db8::8 100x1 1 0

e2e_dump set100k_hits "$E2E_TMP/hits"
expect_same set100k_hits "0 => packets=7 bytes=$((3 * 128 + 4 * 148))" "$(cat "$E2E_TMP/hits")"
