#!/bin/sh
# set_tuple.sh: runtime sets of tuples ('set conns : (ip, port);') filled
# with lwtp set add: an element is A,B or (A, B), each component checked
# against its type; traffic to a listed (address, port) drops at once and
# other ports of the same address pass; list prints elements sorted, in
# the form add takes, so that a listing can be fed back. Runtime maps
# keyed by tuples ('map tmarks : (ip, port) -> mark;') the same way, with
# lwtp map.
. "$(dirname "$0")/lib.sh"

object set_tuple
route_bpf 198.51.100.7/32 "$T/set_tuple.o" tguard
route_bpf 203.0.113.9/32 "$T/set_tuple.o" tguard
route_bpf 2001:db8::7/128 "$T/set_tuple.o" tguard

expect "empty sets pass" 198.51.100.7 53 "$passes"

check "add an (address, port)" lwtp set add conns 198.51.100.7,53
expect "that destination and port drop" 198.51.100.7 53 "$drops"
expect "another port of the address passes" 198.51.100.7 54 "$passes"
expect "the port to another address passes" 203.0.113.9 53 "$passes"
check "add an IPv6 one in parentheses, with blanks" lwtp set add conns '(2001:db8::7, 53)'
expect "IPv6 drops" 2001:db8::7 53 "$drops"
expect "IPv6, another port, passes" 2001:db8::7 5353 "$passes"
check "list" [ "$(lwtp set list conns)" = "198.51.100.7,53
2001:db8::7,53" ]
check "list --json" [ "$(lwtp set list --json conns | jq -c '[.type, .elements]')" = '["(ip, port)",["198.51.100.7,53","2001:db8::7,53"]]' ]
check "del in the other form" lwtp set del conns '( 198.51.100.7 , 53 )'
expect "del restores it" 198.51.100.7 53 "$passes"
expect "... and leaves the other" 2001:db8::7 53 "$drops"

errs "too few components" "lwtp: set conns: '198.51.100.7' has 1 component, but the set's elements are (ip, port) tuples (written A,B or (A, B))" 1 \
	lwtp set add conns 198.51.100.7
errs "too many" "lwtp: set conns: '198.51.100.7,53,1' has 3 components, but the set's elements are (ip, port) tuples (written A,B or (A, B))" 1 \
	lwtp set add conns 198.51.100.7,53,1
errs "a bad port" "lwtp: set conns: '198.51.100.7,65536': '65536' is not a port (0 to 65535)" 1 \
	lwtp set add conns 198.51.100.7,65536
errs "a prefix" "lwtp: set conns: '198.51.100.0/24,53': '198.51.100.0/24' is a prefix, but the set holds addresses only" 1 \
	lwtp set add conns 198.51.100.0/24,53
errs "an IPv4-mapped address" "lwtp: set conns: '::ffff:198.51.100.7,53': '::ffff:198.51.100.7' is an IPv4-mapped IPv6 address, which IPv6 packets never carry; for IPv4 packets write 198.51.100.7" 1 \
	lwtp set add conns ::ffff:198.51.100.7,53
errs "one bad element changes nothing" "lwtp: set conns: '203.0.113.9,x': 'x' is not a port (0 to 65535)" 1 \
	lwtp set add conns 198.51.100.7,53 203.0.113.9,x
check "... nothing" [ "$(lwtp set list conns)" = "2001:db8::7,53" ]

# three components, a protocol by name or number
check "add (address, protocol, port)" lwtp set add svc 203.0.113.9,udp,53 '(198.51.100.7, 6, 80)'
expect "udp 53 to the address drops" 203.0.113.9 53 "$drops"
expect "udp 80 to the other passes (tcp listed)" 198.51.100.7 80 "$passes"
check "protocols list by name" [ "$(lwtp set list svc)" = "198.51.100.7,tcp,80
203.0.113.9,udp,53" ]
errs "a bad protocol" "lwtp: set svc: '203.0.113.9,ud,53': 'ud' is not a protocol name (tcp, udp, icmp, icmpv6, ...) or number (0 to 255)" 1 \
	lwtp set add svc 203.0.113.9,ud,53
check "a listing fed back deletes everything" sh -c '"$1" set list svc | xargs "$1" set del svc' - "$LWTP"
check "... so the set is empty" [ -z "$(lwtp set list svc)" ]
expect "... and traffic passes" 203.0.113.9 53 "$passes"

check "every set, with its type" [ "$(lwtp set list | grep -c '^conns: set of (ip, port), 1 element (room for 64)$')" = 1 ]
check "flush" lwtp set flush conns
expect "flushed: IPv6 passes" 2001:db8::7 53 "$passes"

# ---- maps keyed by tuples ------------------------------------------------------

# marks WHAT WANT: tguard_passed as "MARK:PACKETS ...", then zeroed
marks() {
	_got=$(lwtp stat --json --reset tguard_passed |
		jq -r '[.maps[0].entries[] | "\(.key.skb_mark):\(.packets)"] | sort | join(" ")')
	if [ "$_got" = "$2" ]; then ok "$1"; else fail "$1" "'$_got', not '$2'"; fi
}
lwtp stat --reset tguard_passed > /dev/null
check "map add a mark by (address, port)" lwtp map add tmarks 198.51.100.7,53 100 '(2001:db8::7, 53)' 0x66
expect "IPv4 goes on" 198.51.100.7 53 "$passes"
expect "another port goes on" 198.51.100.7 54 "$passes"
expect "IPv6 goes on" 2001:db8::7 53 "$passes"
marks "... each with its mark, or none" "0:3 100:3 102:3"
check "map add a verdict" lwtp map add tverdicts 198.51.100.7,54 drop '(2001:db8::7, 53)' pass
expect "the listed port drops" 198.51.100.7 54 "$drops"
expect "a pass verdict ends the policy: no mark" 2001:db8::7 53 "$passes"
marks "... so nothing was counted" ""
check "map list" [ "$(lwtp map list tmarks)" = "198.51.100.7,53 100
2001:db8::7,53 102" ]
check "map list --json" [ "$(lwtp map list --json tverdicts | jq -c '[.type, .value, .elements[0]]')" = '["(ip, port)","verdict",{"key":"198.51.100.7,54","value":"drop"}]' ]
errs "map add: a bad key changes nothing" "lwtp: map tmarks: '198.51.100.7,53,1' has 3 components, but the map's keys are (ip, port) tuples (written A,B or (A, B))" 1 \
	lwtp map add tmarks 203.0.113.9,53 1 198.51.100.7,53,1 2
check "... nothing" [ "$(lwtp map list tmarks | wc -l)" = 2 ]
check "map del" lwtp map del tverdicts 198.51.100.7,54
expect "... the port passes again" 198.51.100.7 54 "$passes"
finish
