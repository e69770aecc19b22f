#!/bin/bash
# bench/run.sh: what 'make bench' runs. Every benchmark of bench/ in turn
# (policies.sh, sets.sh, compile.sh, stat.sh, replay.sh), their tables
# printed as they come and kept, with a line on the machine, in
# build/bench/results.md, which splice.sh then puts into BENCHMARKS.md.
# When a reference disagrees with lwtc's program the tables are printed but
# BENCHMARKS.md is left alone, and the exit status is 1.
#
#   bash bench/run.sh             (BENCH_ROUNDS, BENCH_COMPILE_RUNS)
set -eu -o pipefail
cd "$(dirname "$0")/.."

RESULTS=build/bench/results.md

machine() {
	printf 'Measured on %s by `make bench`: %s CPUs (%s), Linux %s, %s.\n' \
		"$(date -u +%Y-%m-%d)" "$(nproc)" \
		"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
		"$(uname -r)" "$(clang --version | head -1)"
}

mkdir -p "$(dirname "$RESULTS")"
status=0
{
	machine
	echo
	bash bench/policies.sh || status=$?
	echo
	bash bench/sets.sh
	echo
	bash bench/compile.sh
	echo
	bash bench/stat.sh
	echo
	bash bench/replay.sh
	exit $status
} | tee "$RESULTS.new" || status=$?
mv "$RESULTS.new" "$RESULTS"
if [ $status = 0 ]; then
	sh bench/splice.sh "$RESULTS" BENCHMARKS.md
	echo "(written to $RESULTS and BENCHMARKS.md)"
else
	echo "bench: a reference disagrees with lwtc's program (above); BENCHMARKS.md left as it is" >&2
fi
exit $status
