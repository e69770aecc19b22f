#!/bin/bash
# e2e_tcpdump: lwtp replay gives each packet of a real tcpdump capture the
# verdict the kernel gave it on a route.
#
# In two namespaces joined by a veth pair, mixed traffic (UDP, TCP, ICMP,
# IPv4 and IPv6, options, extension headers, fragments, cut headers; raw
# packets and packets from ordinary UDP sockets) is sent twice:
#   1. on plain routes, captured with tcpdump on the sending side: what is
#      offered to the route (a dropped packet never reaches the device);
#   2. on the same routes with a policy attached by plain
#      'ip route ... encap bpf out obj', each sendto's result recorded:
#      success is pass, EPERM is drop.
# Then 'lwtp replay OBJECT SECTION capture.pcap' must give every packet the
# kernel's verdict, and its statistics must be what 'lwtp stat' reads from
# the pins the route's program counted in. Done for tests/replay/replay.lwtp
# and the shipped policies/hygiene.lwtp.
. "$(dirname "$0")/../e2e/lib.sh"
e2e_enter "$@"

LWTP=${LWTP:-$E2E_ROOT/build/lwtp}
need_file "$LWTP" "make runtime"
need_file "$LWTC" "make compiler"
need_file "$TOOLS/sendpkt" "make test-tools"
command -v tcpdump >/dev/null || fail "tcpdump: not found (make deps)"
command -v jq >/dev/null || fail "jq: not found (make deps)"

must "$LWTC" "$E2E_ROOT/tests/replay/replay.lwtp" -o "$E2E_TMP/replay.o"
must "$LWTC" "$E2E_ROOT/policies/hygiene.lwtp" -o "$E2E_TMP/hygiene.o"

# Defaults (tests/tools/pkt.h): to 198.51.100.7 / 2001:db8::7 (namespace B),
# from 192.0.2.1 / 2001:db8::1.
cat > "$E2E_TMP/traffic" <<'TRAFFIC'
ip4 udp dport 53 payload 20
ip4 udp dport 5353 payload 100
ip6 udp dport 53 payload 20
ip6 udp dport 123 payload 48
sock ip4 udp src 198.51.100.1 sport 40001 dport 53 payload 30
sock ip4 udp src 198.51.100.1 sport 40002 dport 9 payload 300
sock ip6 udp src 2001:db8::1 sport 40003 dport 53 payload 30
sock ip6 udp src 2001:db8::1 sport 40004 dport 9 payload 1200
ip4 tcp flags syn dport 443
ip4 tcp flags syn,fin dport 80
ip4 tcp flags ack,psh dport 22 payload 200
ip4 tcp flags none dport 80
ip4 tcp flags fin,psh,urg dport 80
ip4 tcp flags syn,rst dport 80
ip6 tcp flags syn,ack dport 443
ip6 tcp flags syn,fin dport 443
ip6 tcp flags syn,rst dport 22
ip6 tcp flags none dport 22
ip4 icmp type echo_request payload 56
ip4 icmp type dest_unreachable code 3 payload 28
ip6 icmp6 type echo_request payload 56
ip6 icmp6 type packet_too_big payload 48
ip4 udp options 8 dport 9
ip4 tcp options 4 flags syn dport 443
ip6 udp ext hopopts dport 53
ip6 tcp ext hopopts,dstopts flags syn dport 443
ip6 udp ext dstopts dport 9 payload 10
ip4 udp frag first payload 200 dport 53
ip4 udp frag first payload 200 dport 54
ip4 udp frag later payload 200
ip6 udp frag first payload 200
ip6 udp frag later payload 200
ip4 udp ttl 1 dport 7
ip4 proto 47 payload 20
ip4 tcp cut 30
ip6 tcp cut 50
ip4 udp len 1500 dport 9
ip6 udp len 1400 dport 53
ip6 udp len 1400 dport 54
TRAFFIC
N=$(grep -c . "$E2E_TMP/traffic")

e2e_pair
must inA ip route add 198.51.100.7/32 dev vethA
must inA ip route add 2001:db8::7/128 dev vethA
# B answers some packets (ICMP errors, RSTs): static neighbours there too,
# so that no ARP or neighbour discovery from A joins the capture
maca=$(inA ip -o link show vethA | sed -n 's|.*link/ether \([0-9a-f:]*\).*|\1|p')
[ -n "$maca" ] || fail "cannot read vethA's MAC address"
for a in 198.51.100.1 2001:db8::1; do
	must inB ip neigh replace "$a" lladdr "$maca" dev vethB nud permanent
done

# send FILE: send the traffic from A; FILE gets "N ok|eperm" lines
send() {
	inA "$TOOLS/sendpkt" < "$E2E_TMP/traffic" > "$1" 2>&1
	grep -q "^sent .* errors 0$" "$1" || fail "sendpkt failed:
$(cat "$1")"
	sed -i '/^sent /d' "$1"
	[ "$(grep -c . "$1")" = "$N" ] || fail "sendpkt: expected $N results:
$(cat "$1")"
}

# 1. the capture, on plain routes
CAP=$E2E_TMP/capture.pcap
# (nsenter execs tcpdump: $! is tcpdump's PID)
nsenter --net=/run/netns/"$NSA" tcpdump -i vethA -Q out -n -U --immediate-mode -s 9000 -B 8192 -Z root -w "$CAP" \
	'(ip or ip6) and (dst host 198.51.100.7 or dst host 2001:db8::7)' 2> "$E2E_TMP/tcpdump.err" &
TCPDUMP=$!
for _ in $(seq 100); do
	grep -q "listening on" "$E2E_TMP/tcpdump.err" && break
	kill -0 "$TCPDUMP" 2>/dev/null || break
	sleep 0.05
done
grep -q "listening on" "$E2E_TMP/tcpdump.err" || fail "tcpdump did not start:
$(cat "$E2E_TMP/tcpdump.err")"
send "$E2E_TMP/plain"
grep -v " ok$" "$E2E_TMP/plain" && fail "without a policy, every packet should go out"
sleep 0.3
kill -TERM "$TCPDUMP"
wait "$TCPDUMP"
grep -q "^$N packets captured" "$E2E_TMP/tcpdump.err" || fail "expected $N packets captured:
$(cat "$E2E_TMP/tcpdump.err")"

# 2. each policy on the same routes, against replay of the capture
for pol in replay.o:rp hygiene.o:hygiene; do
	obj=$E2E_TMP/${pol%%:*} sec=${pol#*:}
	e2e_fresh_bpffs
	for dst in 198.51.100.7/32 2001:db8::7/128; do
		out=$(inA ip route replace "$dst" encap bpf out obj "$obj" section "$sec" dev vethA 2>&1) ||
			fail "ip route replace $dst encap bpf out obj $obj section $sec: $out"
	done
	send "$E2E_TMP/kernel.$sec"
	# the frames are sent again one by one, so the route saw the
	# fragments as captured, not their datagrams: --fragments
	"$LWTP" -j replay --fragments "$obj" "$sec" "$CAP" > "$E2E_TMP/replay.$sec.json" 2> "$E2E_TMP/err" ||
		fail "lwtp replay $obj $sec: $(cat "$E2E_TMP/err")"

	kernel=$(sed 's/ ok$/ pass/; s/ eperm$/ drop/' "$E2E_TMP/kernel.$sec")
	replayed=$(jq -r '.packets[] | "\(.number) \(.verdict)"' "$E2E_TMP/replay.$sec.json")
	if [ "$kernel" != "$replayed" ]; then
		fail "$sec: lwtp replay and the kernel differ (packet: kernel, replay):
$(paste -d' ' <(echo "$kernel") <(echo "$replayed") | awk '$2 != $4 { print "    " $1 ": " $2 ", " $4 }')
(traffic, in order:)
$(nl -w5 "$E2E_TMP/traffic")"
	fi
	drops=$(grep -c ' drop$' <<<"$kernel")
	[ "$drops" -ge 5 ] && [ "$drops" -le $((N - 5)) ] ||
		fail "$sec: $drops of $N packets dropped: the traffic does not test much"

	# the same statistics: replay's private maps, the route's pinned ones
	# (iproute2 pins the maps of every section; replay prints the section's)
	jq -S .statistics "$E2E_TMP/replay.$sec.json" > "$E2E_TMP/replay.stat"
	names=$(jq -r '.statistics.maps[].name' "$E2E_TMP/replay.$sec.json")
	[ -n "$names" ] || fail "$sec: lwtp replay printed no statistics"
	# shellcheck disable=SC2086
	"$LWTP" -j stat $names > "$E2E_TMP/kernel.json" 2> "$E2E_TMP/err" ||
		fail "lwtp stat: $(cat "$E2E_TMP/err")"
	# (less what only the kernel's maps have: the policy and routes of each)
	jq -S 'del(.maps[].policies, .maps[].routes)' "$E2E_TMP/kernel.json" > "$E2E_TMP/kernel.stat"
	diff -u "$E2E_TMP/kernel.stat" "$E2E_TMP/replay.stat" > "$E2E_TMP/diff" ||
		fail "$sec: statistics differ (- lwtp stat on the route's pins, + lwtp replay):
$(cat "$E2E_TMP/diff")"
done
exit 0
