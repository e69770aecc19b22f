#!/bin/bash
# bench/stat.sh: what reading a big statistic costs. One counter keyed by
# ip.dst, on a route of a private network namespace, its map pinned in a
# private bpffs, filled by build/bench/mapfill with 10,000 and then
# 1,000,000 keys; 'lwtp stat' prints it as text, JSON and Prometheus, and
# 'bpftool map dump -j' of the same map is the reference measured in the
# same run. Medians of STAT_ROUNDS runs (default 5): seconds, the largest
# resident size, and the ratio to bpftool's time. Prints a Markdown section.
#
#   bash bench/stat.sh            (make bench; root; STAT_ROUNDS)
set -eu
cd "$(dirname "$0")/.."

if [ -z "${LWTP_BENCH_INNER:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "bench/stat.sh: needs root" >&2; exit 1; }
	LWTP_BENCH_INNER=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
STAT_ROUNDS=${STAT_ROUNDS:-5}
ROOT=$(pwd)
TMP=$(mktemp -d /tmp/lwtp-bench-stat.XXXXXX)
NS=lwtpstat$$
cleanup() {
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
mount -t bpf lwtp-bench /sys/fs/bpf
mkdir -p /run/netns
mount -t tmpfs lwtp-bench-netns /run/netns
ip netns add "$NS"
in_ns() { nsenter --net=/run/netns/"$NS" "$@"; }

printf 'policy big {\n    count big_dst by ip.dst size 1100000;\n}\n' > "$TMP/big.lwtp"
build/lwtc "$TMP/big.lwtp" -o "$TMP/big.o"
in_ns ip link add lwtpb0 type veth peer name lwtpb1
in_ns ip link set lwtpb0 up
in_ns ip route add 198.51.100.7/32 encap bpf out obj "$TMP/big.o" section big dev lwtpb0
PIN=/sys/fs/bpf/ip/globals/big_dst

# measure NAME COMMAND...: STAT_ROUNDS runs; prints "seconds max-rss-kB",
# the medians
measure() {
	local name=$1 i
	shift
	: > "$TMP/runs"
	for i in $(seq "$STAT_ROUNDS"); do
		/usr/bin/time -f '%e %M' -o "$TMP/time" "$@" > /dev/null
		cat "$TMP/time" >> "$TMP/runs"
	done
	echo "$(median 1 < "$TMP/runs") $(median 2 < "$TMP/runs")"
}

# median COLUMN: the median of that column of the lines on stdin
median() {
	awk -v c="$1" '{ print $c }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

{
	printf 'keys\tcommand\ts\tmax RSS MB\t/ bpftool\n'
	for n in 10000 1000000; do
		build/bench/mapfill "$PIN" "$n"
		read -r ref_s ref_kb <<< "$(measure bpftool bpftool map dump pinned "$PIN" -j)"
		printf '%s\t%s\t%s\t%.0f\t%s\n' "$n" 'bpftool map dump -j' "$ref_s" \
			"$(echo "$ref_kb / 1024" | bc -l)" 1.00
		for fmt in "" --json --prometheus; do
			read -r s kb <<< "$(measure lwtp build/lwtp stat $fmt big_dst)"
			printf '%s\t%s\t%s\t%.0f\t%.2f\n' "$n" "lwtp stat${fmt:+ $fmt}" "$s" \
				"$(echo "$kb / 1024" | bc -l)" "$(echo "$s / $ref_s" | bc -l)"
		done
	done
} > "$TMP/rows"

cat <<EOF2
## Reading statistics: \`lwtp stat\` on a big map

One counter keyed by \`ip.dst\` (\`PERCPU_HASH\`, $(nproc) CPUs), filled
with 10,000 and 1,000,000 keys; \`lwtp stat\` reads it in batches
(\`BPF_MAP_LOOKUP_BATCH\`), sorts it and prints every key. Medians of
$STAT_ROUNDS runs: wall-clock seconds, the largest resident size, and the
time against \`bpftool map dump -j\` of the same map in the same run
(bench/stat.sh).

EOF2
md_table() { awk -f "$ROOT/bench/table.awk"; }
md_table < "$TMP/rows"
