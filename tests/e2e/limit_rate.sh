#!/bin/bash
# limit on real traffic: for 10 s, two senders pinned to two CPUs offer
# more than 2000 packets/s to 198.51.100.7, whose route's policy limits
# them to 2000/s (burst 50) in one bucket shared by both CPUs; a third
# offers more than 1 MB/s to 2001:db8::7, limited by destination to 1 MB/s
# (burst 100kB). Each sender is one process sending without a pause (sendudp
# -T), so that no refill is lost. What passes (sendto succeeds; the rest
# fails with EPERM) is within 5% of rate x time + burst, the time from the
# first sendto to the last, and the pinned state of each limit counts it
# exactly.
# LIMIT_VERBOSE=1 prints the numbers.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

SECONDS_RUN=${LIMIT_SECONDS:-10}
need_file "$LWTC" "make compiler"
need_file "$TOOLS/sendudp" "make test-tools"
need_file "$TOOLS/mapdump" "make test-tools"
cat > "$E2E_TMP/limit_rate.lwtp" <<'EOF'
policy limit_rate {
    limit lr_pkts rate 2000/s burst 50 if ip4.dst == 198.51.100.7;
    limit lr_bytes rate 1MB/s burst 100kB by ip.dst if ip6.dst == 2001:db8::7;
}
EOF
out=$("$LWTC" "$E2E_TMP/limit_rate.lwtp" -o "$E2E_TMP/limit_rate.o" 2>&1) ||
	fail "lwtc limit_rate.lwtp failed: $out"
e2e_pair
e2e_route 198.51.100.7/32 "$E2E_TMP/limit_rate.o" limit_rate
e2e_route 2001:db8::7/128 "$E2E_TMP/limit_rate.o" limit_rate

# The senders offer traffic without a pause until one deadline: each is one
# sendudp -T process, for the bucket refills to its burst in 25 ms, less
# than it takes to start a process on a busy machine. They run at nice -15:
# at 0, with both CPUs busy with other work, the scheduler left both
# senders of the packets bucket off their CPUs for up to 44 ms at a time,
# which cost 4% of the refill.
# send DST CPU SIZE OUTFILE: writes "SENT EPERM START_NS END_NS"
send() {
	local out
	out=$(inA nice -n -15 "$TOOLS/sendudp" -C "$2" -T "$DEADLINE" "$1" "$3" 2>&1) ||
		{ echo "sendudp to $1: $out" > "$4"; return; }
	echo "$out" | sed -n 's/^sent \([0-9]*\) eperm \([0-9]*\) errors 0 start \([0-9]*\) end \([0-9]*\)$/\1 \2 \3 \4/p' > "$4"
	[ -s "$4" ] || echo "sendudp to $1: $out" > "$4"
}

DEADLINE=$(($(date +%s%N) + SECONDS_RUN * 1000000000))
send 198.51.100.7 0 64 "$E2E_TMP/a" &
send 198.51.100.7 1 64 "$E2E_TMP/b" &
send 2001:db8::7 1 952 "$E2E_TMP/c" &       # 1000 bytes from L3
wait
for s in a b c; do
	grep -Eqx '[0-9]+ [0-9]+ [0-9]+ [0-9]+' "$E2E_TMP/$s" || fail "sender $s: $(cat "$E2E_TMP/$s")"
done
read -r sa ea starta enda < "$E2E_TMP/a"
read -r sb eb startb endb < "$E2E_TMP/b"
read -r sc ec startc endc < "$E2E_TMP/c"
# the time the packets bucket was offered traffic, from the first sendto of
# either sender to the last
ns=$(( (endb > enda ? endb : enda) - (startb < starta ? startb : starta) ))
ns_c=$((endc - startc))

# within WHAT GOT WANT NS: GOT is within 5% of WANT
within() {
	[ $(($2 * 100)) -ge $(($3 * 95)) ] && [ $(($2 * 100)) -le $(($3 * 105)) ] ||
		fail "$1: $2 passed in $(($4 / 1000000)) ms, expected $3 within 5%"
}
[ -n "${LIMIT_VERBOSE:-}" ] && echo "in $((ns / 1000000)) ms: packets passed $((sa + sb))" \
	"(expected $((2000 * ns / 1000000000 + 50))), over $((ea + eb)); in $((ns_c / 1000000)) ms:" \
	"bytes passed $((sc * 1000)) (expected $((1000000 * ns_c / 1000000000 + 100000))), over $((ec * 1000))" >&2
[ "$ea" -gt 0 ] && [ "$eb" -gt 0 ] && [ "$ec" -gt 0 ] ||
	fail "a sender was not over the limit (EPERM $ea, $eb, $ec): the test offers too little"
within "2000 packets/s" $((sa + sb)) $((2000 * ns / 1000000000 + 50)) $ns
within "1 MB/s" $((sc * 1000)) $((1000000 * ns_c / 1000000000 + 100000)) $ns_c

"$TOOLS/mapdump" "$GLOBALS/lr_pkts" > "$E2E_TMP/pkts" 2>&1 || fail "mapdump lr_pkts: $(cat "$E2E_TMP/pkts")"
grep -q "passed=$((sa + sb)) exceeded=$((ea + eb))" "$E2E_TMP/pkts" ||
	fail "lr_pkts does not say passed=$((sa + sb)) exceeded=$((ea + eb)):
$(cat "$E2E_TMP/pkts")"
"$TOOLS/mapdump" "$GLOBALS/lr_bytes" > "$E2E_TMP/bytes" 2>&1 || fail "mapdump lr_bytes: $(cat "$E2E_TMP/bytes")"
grep -q "ip_dst=2001:db8::7 .*passed=$sc exceeded=$ec" "$E2E_TMP/bytes" ||
	fail "lr_bytes does not say passed=$sc exceeded=$ec:
$(cat "$E2E_TMP/bytes")"
e2e_dump lwtp_full_lr_bytes "$E2E_TMP/full"
expect_same lwtp_full_lr_bytes "0 => inserted=1 refused=0" "$(cat "$E2E_TMP/full")"
[ -e "$GLOBALS/lwtp_locks" ] || fail "lwtp_locks is not pinned"
