#!/bin/bash
# count NAME wire on real GSO: a TCP download from A over IPv4 and IPv6,
# through a route whose policy counts what it sees and what goes on the
# wire. veth does TSO, so nothing would segment the super-packets the
# route sees; a tbf qdisc on vethA with a burst below their size makes the
# kernel segment them in software before they leave (tbf_segment()), and
# tcpdump on vethA sees the segments. The wire counts must equal what
# tcpdump counts of the TCP packets (the neighbour discovery A answers B
# with does not take the route), packet for packet and byte for byte (L3:
# the frame less its 14-byte Ethernet header), and be more than what the
# route saw.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

need_file "$LWTC" "make compiler"
need_file "$TOOLS/mapdump" "make test-tools"
for cmd in tc tcpdump nc; do
	command -v "$cmd" >/dev/null || fail "$cmd: not found (make deps)"
done
nc -h 2>&1 | grep -q OpenBSD || fail "nc: not OpenBSD netcat (-N, -4, -6 needed; apt-get install netcat-openbsd)"
obj=$E2E_TMP/wire.o
out=$("$LWTC" "$(dirname "$0")/wire_gso.lwtp" -o "$obj" 2>&1) || fail "lwtc: $out"

e2e_pair
e2e_route 198.51.100.7/32 "$obj" gso
e2e_route 2001:db8::7/128 "$obj" gso
must inA tc qdisc replace dev vethA root tbf rate 1gbit burst 1600 latency 100ms

cap=$E2E_TMP/wire.pcap
e2e_tcpdump "$cap" -i vethA -Q out -nn -s 96 -B 32768 \
	"tcp and (dst host 198.51.100.7 or dst host 2001:db8::7)"
for dst in 198.51.100.7 2001:db8::7; do
	e2e_download "$dst" 2000000
done
e2e_tcpdump_stop

# "ADDR PACKETS BYTES" of each destination in a counter's map
counts() {
	e2e_dump "$1" "$E2E_TMP/$1.dump"
	sed -n 's/^ip_dst=\([^ ]*\) => packets=\([0-9]*\) bytes=\([0-9]*\)$/\1 \2 \3/p' \
		"$E2E_TMP/$1.dump" | sort
}
# the same from the capture: every frame, its L3 length
wire_seen=$(tcpdump -r "$cap" -nn -e 2>/dev/null | awk '
	{ dst = ""; len = -1
	  for (i = 1; i < NF; i++)
		if ($i == "length" && len < 0) {
			len = $(i + 1); sub(":", "", len)
			dst = $(i + 4); sub(":$", "", dst)    # length N: SRC > DST:
			break
		}
	  sub(/\.[0-9]+$/, "", dst)                        # the port
	  n[dst]++; b[dst] += len - 14 }
	END { for (d in n) print d, n[d], b[d] }' | sort)

expect_same "wire counts of TCP (the map, then tcpdump on vethA)" "$wire_seen" "$(counts wire_tcp)"
route=$(counts route)
[ "$(wc -l <<<"$route")" = 2 ] || fail "route counts: $route"
# every relation of wire and route counts: more packets and more bytes
for pair in "route wire" "route_tcp wire_tcp"; do
	set -- $pair
	r=$(counts "$1")
	w=$(counts "$2")
	while read -r addr rp rb; do
		read -r waddr wp wb <<<"$(grep "^$addr " <<<"$w")"
		[ "$waddr" = "$addr" ] || fail "$2: no count for $addr"
		[ "$wp" -gt "$rp" ] && [ "$wb" -gt "$rb" ] ||
			fail "$addr: $2 $wp packets, $wb bytes; $1 $rp packets, $rb bytes: no GSO packet"
	done <<<"$r"
done
exit 0
