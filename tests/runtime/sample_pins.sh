#!/bin/sh
# sample_pins.sh: lwtp sample reads only a sample's ring. The name is
# checked as lwtp stat checks it (no '/', not '.' or '..': the same line,
# word for word), and the pin must be a ring buffer with its
# lwtp_full_NAME beside it: a pinned program, an lwtp map of another kind,
# a ring buffer without lwtp_full_NAME (another tool's) are refused with
# one line and exit 1, before anything is read. A sample's ring still
# reads, and what its lwtp_full_NAME counts as lost while lwtp sample runs
# (all CPUs summed) is told at the end.
. "$(dirname "$0")/lib.sh"

[ -x "$LWTC" ] || die "$LWTC is missing (make compiler)"
cat > "$T/smp.lwtp" <<'POLICY'
policy smp {
    count smp_total;
    sample smp_r 1/1 if ip.dst == 198.51.100.7;
    sample smp_s 1/1 snaplen 64 size 8 if ip.dst == 198.51.100.8;
}
POLICY
"$LWTC" "$T/smp.lwtp" -o "$T/smp.o" || die "lwtc failed"
route_bpf 198.51.100.7/32 "$T/smp.o" smp
route_bpf 198.51.100.8/32 "$T/smp.o" smp
G=/sys/fs/bpf/ip/globals
[ -e "$G/smp_r" ] && [ -e "$G/lwtp_full_smp_r" ] || die "the ring is not pinned"

# errs WHAT EXPECTED-STDERR COMMAND...: exit 1, that stderr, nothing on stdout
errs() {
	_what=$1 _want=$2
	shift 2
	"$@" > "$T/out" 2> "$T/err"
	_rc=$?
	if [ "$_rc" = 1 ] && [ "$(cat "$T/err")" = "$_want" ] && [ ! -s "$T/out" ]; then
		ok "$_what"
	else
		fail "$_what" "exit $_rc, stderr: $(cat "$T/err"), stdout: $(cat "$T/out")"
	fi
}

# ---- names: as lwtp stat checks them -------------------------------------------------

for n in ../globals/smp_r ../../bpf/ip/globals/smp_r .. . ""; do
	lwtp stat "$n" > /dev/null 2> "$T/stat.err"
	errs "name '$n': refused as stat refuses it" "$(cat "$T/stat.err")" lwtp sample "$n" -t 1
done
errs "name '../globals/smp_r': the line" "lwtp: '../globals/smp_r' is not a map name" \
	lwtp sample ../globals/smp_r -t 1
errs "a missing ring" "lwtp: cannot open sample 'nosuch': no such pin in $G" \
	lwtp sample nosuch -t 1
errs "a missing ring: the name escaped" "lwtp: cannot open sample 'no\\x1bsuch': no such pin in $G" \
	lwtp sample "$(printf 'no\033such')" -t 1

# ---- pins that are not a sample's ring ---------------------------------------------

# the route's program, pinned beside the maps
map_id=$(bpftool -j map show pinned "$G/smp_r" | jq -r .id)
prog_id=$(bpftool -j prog show | jq -r --argjson m "$map_id" \
	'[.[] | select((.map_ids // []) | index($m))][0].id')
bpftool prog pin id "$prog_id" "$G/smp_prog" || die "cannot pin program $prog_id"
errs "a program" "lwtp: 'smp_prog' is not a sample: it is not a map" lwtp sample smp_prog -t 1
errs "an lwtp counter" "lwtp: 'smp_total' is not a sample: it is an lwtp counter map; 'lwtp stat smp_total' shows it" \
	lwtp sample smp_total -t 1
errs "an lwtp_full_NAME" "lwtp: 'lwtp_full_smp_r' is not a sample: it is an lwtp keys map; 'lwtp stat lwtp_full_smp_r' shows it" \
	lwtp sample lwtp_full_smp_r -t 1
# the ring pinned again under a name without lwtp_full_NAME: not lwtp's
bpftool map pin pinned "$G/smp_r" "$G/other_ring" || die "cannot pin the ring again"
errs "a ring without lwtp_full_NAME" "lwtp: 'other_ring' is not a sample: it is a ring buffer without an lwtp_full_other_ring beside it, so not the ring of an lwtp sample" \
	lwtp sample other_ring -t 1
errs "... as stat says it" "lwtp: 'other_ring' is not an lwtp map: it is a ring buffer without an lwtp_full_other_ring beside it, so not the ring of an lwtp sample" \
	lwtp stat other_ring
# so refused, they were not read: the samples are still in the ring
send 198.51.100.7 9 3 12 > /dev/null
errs "... read nothing" "lwtp: 'other_ring' is not a sample: it is a ring buffer without an lwtp_full_other_ring beside it, so not the ring of an lwtp sample" \
	lwtp sample other_ring -t 1

# ---- a sample's ring -------------------------------------------------------------------

lwtp sample smp_r -c 3 -t 5 > "$T/out" 2> "$T/err"
rc=$?
check "the ring: exit 0" [ "$rc" = 0 ]
check "the ring: 3 samples" [ "$(grep -c ' pass  192.0.2.1.[0-9]* > 198.51.100.7.9 udp len 40$' "$T/out")" = 3 ]
check "the ring: the summary" [ "$(cat "$T/err")" = "3 samples read, none lost" ]

# lost while it runs: stopped, it reads nothing, and the small ring fills.
# It is stopped once it polls the ring (an epoll fd: ring_buffer__new()),
# after it has read what lwtp_full_smp_s counted before.
"$LWTP" sample smp_s -t 4 > "$T/small" 2> "$T/err" &
pid=$!
i=0
until ls -l /proc/"$pid"/fd 2> /dev/null | grep -q eventpoll || [ $i = 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -STOP "$pid"
send 198.51.100.8 9 100 12 > /dev/null
kill -CONT "$pid"
wait "$pid"
rc=$?
n=$(wc -l < "$T/small")
check "lost: exit 0" [ "$rc" = 0 ]
check "lost: some read, some lost ($n read)" sh -c '[ "$1" -ge 8 ] && [ "$1" -lt 100 ]' - "$n"
check "lost: what lwtp_full_smp_s refused, all CPUs summed" \
	[ "$(cat "$T/err")" = "$n samples read, $((100 - n)) lost because the ring was full" ]

finish
