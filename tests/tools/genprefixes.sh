#!/bin/sh
# genprefixes.sh N4 N6: N4 random IPv4 prefixes (/16../32 in 1.0.0.0 ..
# 190.255.255.255) and N6 random IPv6 prefixes (/48../128 in
# 2001:db8:8000::/33), one a line, the same every time (a fixed seed).
# None of them holds 198.51.100.0/24 or 2001:db8::/33, the test hosts'
# addresses. Used by tests/e2e (set_100k.sh, edge_guard.sh) and bench/.
[ $# = 2 ] || { echo "usage: genprefixes.sh N4 N6" >&2; exit 2; }
exec awk -v n4="$1" -v n6="$2" 'BEGIN {
	srand(20261123);
	for (i = 0; i < n4; i++) {
		len = 16 + int(rand() * 17);
		a = (1 + int(rand() * 190)) * 16777216 + int(rand() * 16777216);
		a -= a % 2 ^ (32 - len);
		printf "%d.%d.%d.%d/%d\n", int(a / 16777216), int(a / 65536) % 256,
		       int(a / 256) % 256, a % 256, len;
	}
	for (i = 0; i < n6; i++) {
		len = 48 + 16 * int(rand() * 6);
		w3 = 32768 + int(rand() * 32768);
		for (w = 4; w < 9; w++)
			word[w] = (len > 16 * w) ? int(rand() * 65536) : 0;
		printf "2001:db8:%x:%x:%x:%x:%x:%x/%d\n", w3, word[4], word[5], word[6],
		       word[7], word[8], len;
	}
}'
