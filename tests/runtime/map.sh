#!/bin/sh
# map.sh: lwtp map add gives the packets of a key the map's mark or
# priority, or its verdict, at once; del and flush take it back. Keys and
# values are checked against the map's types, and a bad one changes
# nothing; list prints KEY VALUE, sorted; lwtp set refuses a map and lwtp
# map a counter. lwtp replay, which runs the object with maps of its own,
# sees the runtime maps empty.
#
# The object is policies/maps.lwtp: skb.mark from mark_dst (ip, LPM_TRIE of
# 4 elements), skb.priority from prio_port (port, HASH), verdicts from
# verdict_dst (ip) and verdict_proto (proto); by_mark counts the packets
# that go on by (mark, priority).
. "$(dirname "$0")/lib.sh"

object maps
route_bpf 198.51.100.7/32 "$T/maps.o" guard
route_bpf 203.0.113.9/32 "$T/maps.o" guard
route_bpf 2001:db8::7/128 "$T/maps.o" guard

# marks WHAT WANT: by_mark as "MARK/PRIORITY:PACKETS ...", then zeroed
marks() {
	_got=$(lwtp stat --json --reset by_mark |
		jq -r '[.maps[0].entries[] | "\(.key.skb_mark)/\(.key.skb_priority):\(.packets)"] | sort | join(" ")')
	if [ "$_got" = "$2" ]; then ok "$1"; else fail "$1" "'$_got', not '$2'"; fi
}

expect "empty maps do nothing" 198.51.100.7 53 "$passes"
marks "... the mark is 0" "0/0:3"

# ---- maps of values -----------------------------------------------------------

check "add a prefix's mark" lwtp map add mark_dst 198.51.100.0/24 100
expect "... traffic goes on" 198.51.100.7 53 "$passes"
marks "... with the mark" "100/0:3"
check "add a longer prefix" lwtp map add mark_dst 198.51.100.7 107 2001:db8::/32 6
expect "IPv4" 198.51.100.7 53 "$passes"
expect "IPv6" 2001:db8::7 53 "$passes"
expect "another address" 203.0.113.9 53 "$passes"
marks "the longest prefix wins, per family" "0/0:3 107/0:3 6/0:3"
check "add replaces a value" lwtp map add mark_dst 198.51.100.7 0x70
expect "..." 198.51.100.7 53 "$passes"
marks "... the new mark" "112/0:3"
check "add a port's priority" lwtp map add prio_port 53 4 123 5
expect "..." 198.51.100.7 53 "$passes"
expect "... another port" 198.51.100.7 54 "$passes"
marks "... priority by port" "112/0:3 112/4:3"

lwtp map list mark_dst > "$T/list"
check "list sorts, IPv4 first, KEY VALUE" [ "$(cat "$T/list")" = "198.51.100.0/24 100
198.51.100.7 112
2001:db8::/32 6" ]
check "list --json" [ "$(lwtp map list --json mark_dst | jq -c '[.type, .value, .max_elements, .elements[0]]')" = '["ip","mark",4,{"key":"198.51.100.0/24","value":100}]' ]
lwtp map list > "$T/all"
check "list every map" [ "$(grep -c '^[a-z_]*: map of' "$T/all")" = 4 ]
check "... and no set" [ "$(lwtp set list)" = "no lwtp sets in /sys/fs/bpf/ip/globals" ]

check "del" lwtp map del mark_dst 198.51.100.7
expect "..." 198.51.100.7 53 "$passes"
marks "... the shorter prefix again" "100/4:3"

# ---- errors: each changes nothing ------------------------------------------------

errs "host bits" "lwtp: map mark_dst: '198.51.100.7/24' has bits set past its prefix length; did you mean 198.51.100.0/24?" 1 \
	lwtp map add mark_dst 198.51.100.7/24 1
errs "bad value" "lwtp: map mark_dst: '4294967296' is not a value: the map holds integers of 0 to 4294967295" 1 \
	lwtp map add mark_dst 192.0.2.0/24 1 192.0.2.7 4294967296
errs "a verdict in a map of values" "lwtp: map mark_dst: 'drop' is not a value: the map holds integers of 0 to 4294967295" 1 \
	lwtp map add mark_dst 192.0.2.0/24 drop
errs "port out of range" "lwtp: map prio_port: '65536' is not a port (0 to 65535)" 1 \
	lwtp map add prio_port 65536 1
errs "a key twice, two values" "lwtp: map mark_dst: '192.0.2.0/24' is given twice, with two values" 1 \
	lwtp map add mark_dst 192.0.2.0/24 1 192.0.2.0/24 2
errs "too many keys" "lwtp: map mark_dst: 3 new keys do not fit: it holds 2 of at most 4" 1 \
	lwtp map add mark_dst 192.0.2.0/24 1 192.0.2.128/25 2 10.0.0.0/8 3
errs "del a missing key" "lwtp: map mark_dst: '192.0.2.6' is not in the map" 1 \
	lwtp map del mark_dst 198.51.100.0/24 192.0.2.6
check "... nothing changed" [ "$(lwtp map list mark_dst)" = "198.51.100.0/24 100
2001:db8::/32 6" ]
errs "a key without a value" "lwtp: map add wants a map NAME and KEY VALUE pairs
Try 'lwtp --help'." 2 lwtp map add mark_dst 192.0.2.0/24
errs "a counter is not a map" "lwtp: 'by_mark' is a counter, not a runtime map" 1 \
	lwtp map list by_mark
errs "unknown map" "lwtp: no map 'nosuch' in /sys/fs/bpf/ip/globals" 1 lwtp map list nosuch
errs "a map is not a set" "lwtp: 'mark_dst' is a runtime map, not a set: see lwtp map" 1 \
	lwtp set add mark_dst 192.0.2.0/24

# ---- maps of verdicts -------------------------------------------------------------

check "add a drop" lwtp map add verdict_dst 198.51.100.0/24 drop
expect "the prefix drops at once" 198.51.100.7 53 "$drops"
expect "others pass" 203.0.113.9 53 "$passes"
marks "... and are counted" "0/4:3"
check "a longer prefix passes" lwtp map add verdict_dst 198.51.100.7/32 pass
expect "... at once" 198.51.100.7 53 "$passes"
marks "... and ends the policy: not counted" ""
check "a protocol's drop" lwtp map add verdict_proto udp drop
expect "... after the vmap before it" 203.0.113.9 53 "$drops"
expect "... which passes first" 198.51.100.7 53 "$passes"
errs "not a verdict" "lwtp: map verdict_proto: '1' is not a verdict: the map holds drop or pass" 1 \
	lwtp map add verdict_proto tcp 1
check "list verdicts" [ "$(lwtp map list verdict_dst)" = "198.51.100.0/24 drop
198.51.100.7 pass" ]
check "flush" lwtp map flush verdict_proto
expect "... restores" 203.0.113.9 53 "$passes"
check "del" lwtp map del verdict_dst 198.51.100.0/24 198.51.100.7
check "... empties it" [ -z "$(lwtp map list verdict_dst)" ]
expect "... and the packets go on" 198.51.100.7 53 "$passes"
marks "... marked again" "0/4:3 100/4:3"

# lwtp replay runs the object with maps of its own: runtime maps are empty
check "a drop in the pinned map" lwtp map add verdict_dst 198.51.100.0/24 drop
expect "... drops the route's packets" 198.51.100.7 53 "$drops"
"$ROOT/build/tests/pcapgen" -o "$T/rm.pcap" "ip4 udp dst 198.51.100.7 dport 53" \
	"ip4 udp dst 198.51.100.8 dport 123" || fail "pcapgen failed"
check "... not those lwtp replay runs" [ "$(lwtp -j replay "$T/maps.o" guard "$T/rm.pcap" |
	jq -r '[.packets[] | "\(.verdict) \(.mark // 0)"] | join(",")')" = "pass 0,pass 0" ]
lwtp map flush verdict_dst

finish
