#!/bin/bash
# route_big: packets longer than BPF_PROG_TEST_RUN takes run through a
# private route (runtime/replay_route.c, by build/tests/routerun) with their
# true length: 60,000-byte IPv4 and IPv6 UDP datagrams, 65,535-byte ones
# (the most a route's device carries), multicast of both families, get the
# policy's verdicts and exact byte counts, in the same maps as the packets
# BPF_PROG_TEST_RUN runs (routerun -t); a destination the kernel routes
# without the program (255.255.255.255) is an error, never a silent pass;
# and nothing is left behind: no namespace in /run/netns, no link in this
# namespace, no program once routerun has exited.
. "$(dirname "$0")/lib.sh"

ROUTERUN=${ROUTERUN:-$TEST_TOOLS/routerun}
[ -x "$ROUTERUN" ] || fail "$ROUTERUN: missing (make test-tools)"
command -v bpftool >/dev/null || fail "bpftool: not found (make deps)"

# The section's name is this test's own, so that its program can be told
# from any other on the machine.
cat > "$RP_TMP/big.lwtp" <<'EOF'
policy rrbig {
    count rrbig_total;
    count rrbig_by_dst by ip.dst;
    drop if ip.dst == 198.51.100.66 or ip.dst == 2001:db8::66;
}
EOF
"$LWTC" "$RP_TMP/big.lwtp" -o "$RP_TMP/big.o" || fail "lwtc big.lwtp failed"

links_before=$(ip -o link show | cut -d: -f2 | sort)
netns_before=$(ls /run/netns 2>/dev/null)

# routerun OUT ARGS...: sets RC, stdout in OUT, stderr in OUT.err
routerun() {
	local out=$1
	shift
	"$ROUTERUN" "$@" >"$out" 2>"$out.err"
	RC=$?
}

routerun "$RP_TMP/out" -t "$RP_TMP/big.o" rrbig \
	"ip4 udp dst 198.51.100.7 len 60000" \
	"ip4 udp dst 198.51.100.66 len 60000" \
	"ip6 udp dst 2001:db8::7 len 60000" \
	"ip6 udp dst 2001:db8::66 len 60000" \
	"ip4 tcp flags ack dst 198.51.100.7 df len 65535" \
	"ip6 tcp flags ack dst 2001:db8::7 len 65535" \
	"ip4 udp dst 198.51.100.66 len 3699" \
	"ip4 udp dst 198.51.100.66 len 3698" \
	"ip6 udp dst 2001:db8::7 len 100" \
	"ip4 udp dst 224.0.0.251 len 5000" \
	"ip4 udp dst 239.1.2.3 len 5000" \
	"ip6 udp dst ff02::fb len 5000" \
	"ip6 udp dst ff0e::1 len 5000"
[ "$RC" = 0 ] || fail "routerun: exit $RC: $(cat "$RP_TMP/out.err" "$RP_TMP/out")"
expect_same "verdicts and maps" "1 pass len 60000 route
2 drop len 60000 route
3 pass len 60000 route
4 drop len 60000 route
5 pass len 65535 route
6 pass len 65535 route
7 drop len 3699 route
8 drop len 3698 test
9 pass len 100 test
10 pass len 5000 route
11 pass len 5000 route
12 pass len 5000 route
13 pass len 5000 route
MAP rrbig_total
    0 => packets=13 bytes=398567
MAP rrbig_by_dst
    ip_dst=198.51.100.7 => packets=2 bytes=125535
    ip_dst=198.51.100.66 => packets=3 bytes=67397
    ip_dst=224.0.0.251 => packets=1 bytes=5000
    ip_dst=239.1.2.3 => packets=1 bytes=5000
    ip_dst=2001:db8::7 => packets=3 bytes=125635
    ip_dst=2001:db8::66 => packets=1 bytes=60000
    ip_dst=ff02::fb => packets=1 bytes=5000
    ip_dst=ff0e::1 => packets=1 bytes=5000
MAP lwtp_full_rrbig_by_dst
    0 => inserted=8 refused=0" "$(cat "$RP_TMP/out")"
[ -s "$RP_TMP/out.err" ] && fail "routerun wrote on stderr: $(cat "$RP_TMP/out.err")"

# The limited broadcast never runs a route's program: an error that says so.
routerun "$RP_TMP/bcast" "$RP_TMP/big.o" rrbig "ip4 udp dst 255.255.255.255 len 5000" \
	"ip4 udp dst 198.51.100.7 len 5000"
[ "$RC" = 1 ] || fail "broadcast: exit $RC, expected 1: $(cat "$RP_TMP/bcast.err")"
expect_grep "broadcast: stderr" \
	"^routerun: packet 1 .*: Invalid argument: destination 255\.255\.255\.255: the kernel runs no route's program for it$" \
	"$(cat "$RP_TMP/bcast.err")"
expect_grep "after the broadcast" "^    0 => packets=1 bytes=5000$" "$(cat "$RP_TMP/bcast")"

# Nothing left behind.
expect_same "links in this namespace" "$links_before" "$(ip -o link show | cut -d: -f2 | sort)"
expect_same "named namespaces" "$netns_before" "$(ls /run/netns 2>/dev/null)"
# The routes held the program; the kernel frees the namespace (and so the
# program) a moment after its last socket closes.
for _ in $(seq 50); do
	progs=$(bpftool prog show name lwtp_prog_rrbig 2>/dev/null)
	[ -z "$progs" ] && break
	sleep 0.1
done
[ -z "$progs" ] || fail "the program is still loaded 5 s after routerun exited:
$progs"
exit 0
