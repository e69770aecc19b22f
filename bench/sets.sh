#!/bin/bash
# bench/sets.sh: the cost of a packet against a constant set of 100,000
# prefixes (50,000 IPv4, 50,000 IPv6, binary-searched) and against one of
# 10 (5 + 5, compared inline), under BPF_PROG_TEST_RUN, as ratios
# (build/bench/bench: medians of per-round ratios). The policy is the same,
# 'drop if ip.dst in deny;', the packets are not in either set (the whole
# search runs). Run by 'make bench-sets'.
#
#   bash bench/sets.sh [ROUNDS]
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-21}
TMP=$(mktemp -d /tmp/lwtp-bench-sets.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# the same generator as tests/e2e/set_100k.sh
gen() {
	awk -v n4="$1" -v n6="$2" 'BEGIN {
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
}

gen 50000 50000 > "$TMP/big.txt"
gen 5 5 > "$TMP/small.txt"
for s in big small; do
	printf 'const deny = file "%s.txt";\n\npolicy p {\n    drop if ip.dst in deny;\n}\n' \
		"$s" > "$TMP/$s.lwtp"
	start=$(date +%s%N)
	build/lwtc "$TMP/$s.lwtp" -o "$TMP/$s.o"
	echo "lwtc, $(wc -l < "$TMP/$s.txt") prefixes: $(( ($(date +%s%N) - start) / 1000000 )) ms," \
		"object $(stat -c %s "$TMP/$s.o") bytes"
done
for p in "ip4 udp dst 198.51.100.7 payload 100" "ip6 udp dst 2001:db8::7 payload 100"; do
	echo
	build/bench/bench -r "$ROUNDS" -p "$p" "$TMP/big.o:p" "$TMP/small.o:p" \
		build/bench/empty.bpf.o:empty
done
