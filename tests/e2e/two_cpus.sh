#!/bin/bash
# Exact under concurrency: two senders pinned to CPU 0 and CPU 1 send at the
# same time, without a pause, for 3 s (TWO_CPUS_SECONDS), through one route
# to 198.51.100.7 whose policy counts unkeyed, keyed by a field each
# datagram size gives a new key of (so that both CPUs insert every key at
# about the same time) and keyed by destination and port (one key both CPUs
# share), histograms the lengths, and takes every packet from a quota and a
# limit shared by both CPUs, `else count`. Each sender goes through payload
# sizes 0..99 again and again. Then:
#   - the counters and the histogram, per-CPU values summed, count exactly
#     the datagrams sent, bytes included;
#   - the quota's used and over, and the limit's passed + exceeded, count
#     every packet, and the limit passed no more than rate x time + burst;
#   - per CPU, the unkeyed counter holds exactly what the sender pinned to
#     that CPU sent (so both contributed), and the two senders overlapped.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

SECONDS_RUN=${TWO_CPUS_SECONDS:-3}
QUOTA=20000
need_file "$LWTC" "make compiler"
need_file "$TOOLS/sendudp" "make test-tools"
need_file "$TOOLS/mapdump" "make test-tools"
command -v bpftool >/dev/null || fail "bpftool: not found (make deps)"
command -v jq >/dev/null || fail "jq: not found (make deps)"
[ "$(nproc)" -ge 2 ] || fail "needs two CPUs, has $(nproc)"
cat > "$E2E_TMP/two_cpus.lwtp" <<EOF
policy two_cpus {
    count tc_total;
    count tc_by_len by udp.len;
    count tc_by_dst by (ip.dst, l4.dport);
    hist tc_sizes log2(skb.len);
    quota tc_quota $QUOTA else count;
    limit tc_limit rate 20000/s burst 1000 else count;
}
EOF
out=$("$LWTC" "$E2E_TMP/two_cpus.lwtp" -o "$E2E_TMP/two_cpus.o" 2>&1) ||
	fail "lwtc two_cpus.lwtp failed: $out"
e2e_pair
e2e_route 198.51.100.7/32 "$E2E_TMP/two_cpus.o" two_cpus

# send CPU OUTFILE: payloads of 0..99 bytes until the deadline; writes
# "SENT EPERM START_NS END_NS"
send() {
	local out
	# shellcheck disable=SC2046
	out=$(inA "$TOOLS/sendudp" -C "$1" -T "$DEADLINE" 198.51.100.7 $(seq 0 99) 2>&1) ||
		{ echo "sendudp on CPU $1: $out" > "$2"; return; }
	echo "$out" | sed -n 's/^sent \([0-9]*\) eperm \([0-9]*\) errors 0 start \([0-9]*\) end \([0-9]*\)$/\1 \2 \3 \4/p' > "$2"
	[ -s "$2" ] || echo "sendudp on CPU $1: $out" > "$2"
}

DEADLINE=$(($(date +%s%N) + SECONDS_RUN * 1000000000))
send 0 "$E2E_TMP/cpu0" &
send 1 "$E2E_TMP/cpu1" &
wait
for c in 0 1; do
	grep -Eqx '[0-9]+ 0 [0-9]+ [0-9]+' "$E2E_TMP/cpu$c" ||
		fail "sender on CPU $c (no packet may fail): $(cat "$E2E_TMP/cpu$c")"
done
read -r s0 _ start0 end0 < "$E2E_TMP/cpu0"
read -r s1 _ start1 end1 < "$E2E_TMP/cpu1"
total=$((s0 + s1))
first=$((start0 < start1 ? start0 : start1))
last=$((end0 > end1 ? end0 : end1))
overlap=$(( (end0 < end1 ? end0 : end1) - (start0 > start1 ? start0 : start1) ))
[ -n "${TWO_CPUS_VERBOSE:-}" ] && echo "CPU 0 sent $s0 in $(((end0 - start0) / 1000000)) ms," \
	"CPU 1 sent $s1 in $(((end1 - start1) / 1000000)) ms, together for $((overlap / 1000000)) ms" >&2
[ $((overlap * 2)) -ge $((last - first)) ] ||
	fail "the senders overlapped for $((overlap / 1000000)) ms of $(((last - first) / 1000000)): not concurrent"
[ "$s0" -ge 10000 ] && [ "$s1" -ge 10000 ] && [ "$total" -gt $((QUOTA + 10000)) ] ||
	fail "too few packets for the test (CPU 0 $s0, CPU 1 $s1)"

# What each payload size got: a sender that sent N went through the sizes
# N/100 times and then through the first N%100 once more.
# sent_bytes N: the bytes (from L3, 28 + payload) of N such datagrams
sent_bytes() {
	local z b=0
	for ((z = 0; z < 100; z++)); do
		b=$((b + ($1 / 100 + (z < $1 % 100 ? 1 : 0)) * (28 + z)))
	done
	echo $b
}
b0=$(sent_bytes "$s0")
b1=$(sent_bytes "$s1")
bytes=$((b0 + b1))
by_len= sizes=()
for ((z = 0; z < 100; z++)); do
	n=$((s0 / 100 + (z < s0 % 100 ? 1 : 0) + s1 / 100 + (z < s1 % 100 ? 1 : 0)))
	by_len+="udp_len=$((8 + z)) => packets=$n bytes=$((n * (28 + z)))
"
	sizes+=("${z}x$n")
done

e2e_dump tc_total "$E2E_TMP/got"
expect_same tc_total "0 => packets=$total bytes=$bytes" "$(cat "$E2E_TMP/got")"
e2e_dump tc_by_len "$E2E_TMP/got"
expect_same tc_by_len "${by_len%?}" "$(cat "$E2E_TMP/got")"
e2e_dump tc_by_dst "$E2E_TMP/got"
expect_same tc_by_dst "ip_dst=198.51.100.7 l4_dport=9 => packets=$total bytes=$bytes" "$(cat "$E2E_TMP/got")"
e2e_dump tc_sizes "$E2E_TMP/got"
expect_same tc_sizes "$(hist_expect +28 "${sizes[@]}")" "$(cat "$E2E_TMP/got")"
for m in tc_by_len tc_by_dst; do
	e2e_dump "lwtp_full_$m" "$E2E_TMP/got"
	want=$([ $m = tc_by_len ] && echo 100 || echo 1)
	expect_same "lwtp_full_$m" "0 => inserted=$want refused=0" "$(cat "$E2E_TMP/got")"
done

e2e_dump tc_quota "$E2E_TMP/got"
grep -q "^0 => used=$total .*over=$((total - QUOTA))\b" "$E2E_TMP/got" ||
	fail "tc_quota does not say used=$total over=$((total - QUOTA)):
$(cat "$E2E_TMP/got")"
e2e_dump tc_limit "$E2E_TMP/got"
set -- $(sed -n 's/.* passed=\([0-9]*\) exceeded=\([0-9]*\).*/\1 \2/p' "$E2E_TMP/got")
[ $# = 2 ] && [ $(($1 + $2)) = "$total" ] && [ "$1" -gt 0 ] && [ "$2" -gt 0 ] ||
	fail "tc_limit: expected passed + exceeded = $total, both above 0:
$(cat "$E2E_TMP/got")"
[ "$1" -le $((20000 * (last - first) / 1000000000 + 1000 + 1)) ] ||
	fail "tc_limit passed $1 in $(((last - first) / 1000000)) ms: more than 20000/s + burst 1000"

# per CPU: bpftool prints each CPU's value of the unkeyed counter
bpftool -j map dump pinned "$GLOBALS/tc_total" > "$E2E_TMP/percpu" 2>&1 ||
	fail "bpftool map dump tc_total: $(cat "$E2E_TMP/percpu")"
got=$(jq -r '.[0].formatted.values[] | select(.value.packets > 0 or .value.bytes > 0) |
	"\(.cpu) packets=\(.value.packets) bytes=\(.value.bytes)"' "$E2E_TMP/percpu" 2>&1) ||
	fail "bpftool's tc_total: $got
$(cat "$E2E_TMP/percpu")"
expect_same "tc_total per CPU" "0 packets=$s0 bytes=$b0
1 packets=$s1 bytes=$b1" "$got"
