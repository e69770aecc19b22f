#!/bin/bash
# bench/compile.sh: lwtc's wall time as its input grows: a constant set of
# 10 to 100,000 prefixes (file "..."), and 100 to 10,000 statements
# ('drop if skb.mark == N;', in policies of at most 1,000: lwtc refuses
# larger ones). Each compile runs BENCH_COMPILE_RUNS times (3); the median
# is reported, as a ratio to the smallest input of its kind, with the
# seconds, for the whole compile and for lwtc's own part (-S: the C, without
# clang). Prints a Markdown section.
#
#   bash bench/compile.sh         (make bench)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

RUNS=${BENCH_COMPILE_RUNS:-3}
TMP=$(mktemp -d /tmp/lwtp-bench-compile.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# statements DIR N: DIR/stmtN.lwtp
statements() {
	awk -v n="$2" 'BEGIN {
		for (i = 0; i < n; i++) {
			if (i % 1000 == 0)
				printf "%spolicy p%d {\n", i ? "}\n" : "", i / 1000
			printf "    drop if skb.mark == %d;\n", i
		}
		print "}"
	}' > "$1/stmt$2.lwtp"
}

# seconds ARGS...: the median wall time of RUNS runs of lwtc ARGS
seconds() {
	local i start
	for ((i = 0; i < RUNS; i++)); do
		start=$(date +%s%N)
		build/lwtc "$@" > /dev/null
		echo $(($(date +%s%N) - start))
	done | sort -n | awk '{ t[NR] = $1 } END { printf "%.3f\n", t[int((NR + 1) / 2)] / 1e9 }'
}

# rows KIND N...: one row per input size; the files are made by KIND
rows() {
	local kind=$1 n full front base_full= base_front=
	shift
	for n in "$@"; do
		case $kind in
		prefixes) set_policy "$TMP" "$n"; f=$TMP/set$n.lwtp ;;
		statements) statements "$TMP" "$n"; f=$TMP/stmt$n.lwtp ;;
		esac
		full=$(seconds "$f" -o "$TMP/out.o")
		front=$(seconds -S "$f" -o "$TMP/out.c")
		: "${base_full:=$full}" "${base_front:=$front}"
		awk -v k="$kind" -v n="$n" -v f="$full" -v bf="$base_full" -v s="$front" \
			-v bs="$base_front" -v size="$(stat -c %s "$TMP/out.o")" 'BEGIN {
			printf "%s\t%d\t%.3f\t%.2f\t%.3f\t%.2f\t%d\n", k, n, f, f / bf, s,
			       (s > 0 ? s / bs : 0), size
		}'
	done
}

{
	printf 'input\tsize\tlwtc s\tlwtc / smallest\tlwtc -S s\t-S / smallest\tobject bytes\n'
	rows prefixes 10 1000 10000 100000
	rows statements 100 1000 10000
} > "$TMP/rows"

cat <<EOF2
## Compile time

\`build/lwtc\` on growing inputs, the median of $RUNS runs each: a policy with a
constant set of N prefixes (\`drop if ip.dst in deny;\`, \`const deny = file
"...";\`, half IPv4, half IPv6), and N statements (\`drop if skb.mark == I;\`)
in policies of at most 1,000 (lwtc's limit is 16,384 statements and operators
a policy). "lwtc" is the whole compile, clang included; "lwtc -S" only writes
the C (parsing, checks, set tables, code generation). Ratios are to the
smallest input of the same kind.

EOF2
md_table < "$TMP/rows"
