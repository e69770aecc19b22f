#!/bin/bash
# bench/sets.sh: the per-packet cost of 'drop if ip.dst in deny;' for a
# constant set of 10, 1,000 and 100,000 prefixes (half IPv4, half IPv6;
# lwtc compares small sets inline and binary-searches large ones), under
# BPF_PROG_TEST_RUN, as medians of per-round ratios against the 10-prefix
# set and an empty program (build/bench/bench). The packets' destinations
# are in no set. The IPv6 prefixes all lie in 2001:db8:8000::/33, and a
# search of IPv6 addresses returns at once for an address outside the
# prefix its set's addresses share: "ip6 udp" goes to an address inside the
# /33 (every search runs to its end), "ip6 udp, outside" to one outside it.
# Prints a Markdown section.
#
#   bash bench/sets.sh            (make bench, make bench-sets; BENCH_ROUNDS)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

SIZES="10 1000 100000"
TMP=$(mktemp -d /tmp/lwtp-bench-sets.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

progs=()
for n in $SIZES; do
	set_policy "$TMP" "$n"
	build/lwtc "$TMP/set$n.lwtp" -o "$TMP/set$n.o"
	progs+=("$TMP/set$n.o:p")
done

# a row per set: packet, prefixes, ns, ns - empty, /empty, /10 prefixes
rows() {
	awk -F '\t' -v label="$1" -v sizes="$SIZES" '
		{ line[NR] = $0 }
		END {
			n = split(sizes, size, " ")
			split(line[NR], empty, "\t")
			for (i = 1; i <= n; i++) {
				split(line[i], f, "\t")
				printf "%s\t%s\t%s\t%.2f\t%s\t%s\n", label, size[i], f[3],
				       f[3] - empty[3], f[6], f[5]
			}
		}'
}

{
	printf 'packet\tprefixes\tns\tns - empty\t/ empty\t/ 10 prefixes\n'
	# label, then packet; 2001:db8:a5a5:1234::7 is in no prefix of
	# genprefixes.sh's sets of 10, 1,000 and 100,000
	while IFS='|' read -r label p; do
		$B/bench -m -r "$BENCH_ROUNDS" -p "$p" "${progs[@]}" "$EMPTY" | rows "$label"
	done <<-'EOP'
	ip4 udp|ip4 udp dst 198.51.100.7 payload 100
	ip6 udp|ip6 udp dst 2001:db8:a5a5:1234::7 payload 100
	ip6 udp, outside|ip6 udp dst 2001:db8::7 payload 100
	EOP
} > "$TMP/rows"

cat <<EOF2
## Set size: \`drop if ip.dst in SET\`

One policy, \`drop if ip.dst in deny;\`, with a constant set (\`const deny =
file "...";\`) of 10, 1,000 and 100,000 prefixes, half IPv4 and half IPv6
(\`tests/tools/genprefixes.sh\`), against an empty program, under
\`BPF_PROG_TEST_RUN\`: $BENCH_ROUNDS rounds of 1,000,000 runs of each, in turn.
The packets (UDP, 128 bytes) go to addresses in no set. All the IPv6 prefixes
lie in 2001:db8:8000::/33: "ip6 udp" goes to 2001:db8:a5a5:1234::7, inside
it, so every search runs to its end; "ip6 udp, outside" to 2001:db8::7, which
the IPv6 search turns away before any table (its addresses share the /33).
"ns - empty" (medians) is what the lookup itself costs.

EOF2
md_table < "$TMP/rows"
