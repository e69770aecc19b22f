#!/bin/sh
# set.sh: lwtp set add makes a destination drop at once (sendto fails with
# EPERM), del restores it; elements are checked against the set's type and
# a bad one changes nothing; list prints the elements sorted.
#
# The object is policies/sets.lwtp compiled by lwtc, or fixtures/sets.bpf.c
# while lwtc has no `set NAME : TYPE` (or with LWTP_RT_FIXTURES=1): drop if
# ip.dst in deny_dst (an ip set, LPM_TRIE), if udp.dport in blocked_ports
# (port, HASH of 4), if ip.proto in deny_proto (proto, HASH).
. "$(dirname "$0")/lib.sh"

object sets deny_dst blocked_ports deny_proto guard_passed
route_bpf 198.51.100.7/32 "$T/sets.o" guard
route_bpf 203.0.113.9/32 "$T/sets.o" guard
route_bpf 2001:db8::7/128 "$T/sets.o" guard

expect "empty sets pass" 198.51.100.7 53 "$passes"

# ---- ip sets -------------------------------------------------------------------

check "add a prefix" lwtp set add deny_dst 198.51.100.0/24
expect "the prefix drops at once" 198.51.100.7 53 "$drops"
expect "others still pass" 203.0.113.9 53 "$passes"
check "del the prefix" lwtp set del deny_dst 198.51.100.0/24
expect "del restores it" 198.51.100.7 53 "$passes"

check "add an IPv6 prefix" lwtp set add deny_dst 2001:db8::/32
expect "IPv6 drops" 2001:db8::7 53 "$drops"
expect "IPv4 unaffected" 198.51.100.7 53 "$passes"
check "add a plain address" lwtp set add deny_dst 203.0.113.9
expect "the address drops" 203.0.113.9 53 "$drops"
check "del both" lwtp set del deny_dst 203.0.113.9/32 2001:db8::/32
expect "IPv6 restored" 2001:db8::7 53 "$passes"

errs "bad address" "lwtp: set deny_dst: '198.51.100.300' is not an IPv4 or IPv6 address or prefix" 1 \
	lwtp set add deny_dst 198.51.100.300
errs "host bits" "lwtp: set deny_dst: '198.51.100.7/24' has bits set past its prefix length; did you mean 198.51.100.0/24?" 1 \
	lwtp set add deny_dst 198.51.100.7/24
errs "IPv6 host bits" "lwtp: set deny_dst: '2001:db8::1/32' has bits set past its prefix length; did you mean 2001:db8::/32?" 1 \
	lwtp set add deny_dst 2001:db8::1/32
errs "prefix too long" "lwtp: set deny_dst: '192.0.2.0/33': the prefix length of an IPv4 address must be 0 to 32" 1 \
	lwtp set add deny_dst 192.0.2.0/33
errs "one bad element changes nothing" "lwtp: set deny_dst: 'example.org' is not an IPv4 or IPv6 address or prefix" 1 \
	lwtp set add deny_dst 198.51.100.7 example.org
check "... nothing" [ -z "$(lwtp set list deny_dst)" ]
expect "... and traffic passes" 198.51.100.7 53 "$passes"

check "add several" lwtp set add deny_dst fe80::/10 203.0.113.0/24 ::ffff:192.0.2.5 2001:db8::/32 198.51.100.128/25 0.0.0.0/1 203.0.113.0/24
lwtp set list deny_dst > "$T/list"
check "list sorts, IPv4 first" [ "$(cat "$T/list")" = "0.0.0.0/1
198.51.100.128/25
203.0.113.0/24
::ffff:192.0.2.5
2001:db8::/32
fe80::/10" ]
check "list --json" [ "$(lwtp set list --json deny_dst | jq -r '"\(.type) \(.elements | length) \(.elements[0])"')" = "ip 6 0.0.0.0/1" ]
errs "del a missing element changes nothing" "lwtp: set deny_dst: '192.0.2.6' is not in the set" 1 \
	lwtp set del deny_dst 203.0.113.0/24 192.0.2.6
check "... nothing" [ "$(lwtp set list deny_dst | wc -l)" = 6 ]
check "flush" lwtp set flush deny_dst

# IPv4 and IPv6 never match each other's prefixes, as in constant sets
check "add ::/0" lwtp set add deny_dst ::/0
expect "::/0 drops IPv6" 2001:db8::7 53 "$drops"
expect "::/0 does not drop IPv4" 198.51.100.7 53 "$passes"
check "del ::/0, add 0.0.0.0/0" sh -c '"$1" set del deny_dst ::/0 && "$1" set add deny_dst 0.0.0.0/0' - "$LWTP"
expect "0.0.0.0/0 drops IPv4" 198.51.100.7 53 "$drops"
expect "0.0.0.0/0 does not drop IPv6" 2001:db8::7 53 "$passes"
lwtp set flush deny_dst > /dev/null
errs "an IPv4-mapped element is IPv6, and lwtp says so" "lwtp: note: set deny_dst: '::ffff:198.51.100.7' is an IPv4-mapped IPv6 address: it matches IPv6 packets to that address, never IPv4 ones (for those, add 198.51.100.7/32)" 0 \
	lwtp set add deny_dst ::ffff:198.51.100.7
expect "... and does not drop IPv4 to 198.51.100.7" 198.51.100.7 53 "$passes"
errs "an IPv4-mapped prefix too" "lwtp: note: set deny_dst: '::ffff:0:0/96' is an IPv4-mapped IPv6 prefix: it matches IPv6 packets in that prefix, never IPv4 ones (for those, add 0.0.0.0/0)" 0 \
	lwtp set add deny_dst ::ffff:0:0/96
expect "... which does not drop IPv4 either" 198.51.100.7 53 "$passes"
lwtp set flush deny_dst > /dev/null
check "... empties it" [ -z "$(lwtp set list deny_dst)" ]

# ---- port and proto sets --------------------------------------------------------

check "add a port" lwtp set add blocked_ports 5353
expect "the port drops" 198.51.100.7 5353 "$drops"
expect "other ports pass" 198.51.100.7 53 "$passes"
errs "bad port" "lwtp: set blocked_ports: '65536' is not a port (0 to 65535)" 1 \
	lwtp set add blocked_ports 53 65536
expect "... changed nothing" 198.51.100.7 53 "$passes"
errs "a full set changes nothing" "lwtp: set blocked_ports: 4 new elements do not fit: it holds 1 of at most 4" 1 \
	lwtp set add blocked_ports 1 2 3 4 5353
check "... nothing" [ "$(lwtp set list blocked_ports)" = 5353 ]
check "del the port" lwtp set del blocked_ports 5353
expect "... restores it" 198.51.100.7 5353 "$passes"

check "add protocols by name and number" lwtp set add deny_proto udp 1 tcp
check "list names protocols" [ "$(lwtp set list deny_proto | tr '\n' ' ')" = "icmp tcp udp " ]
expect "udp drops" 2001:db8::7 53 "$drops"
errs "bad protocol" "lwtp: set deny_proto: 'udpp' is not a protocol name (tcp, udp, icmp, icmpv6, ...) or number (0 to 255)" 1 \
	lwtp set add deny_proto udpp
check "del a protocol" lwtp set del deny_proto 17
expect "... restores it" 2001:db8::7 53 "$passes"

# ---- sets in stat ----------------------------------------------------------------------

lwtp set add deny_dst 192.0.2.0/24 >/dev/null
got=$(lwtp stat --json deny_dst deny_proto | jq -r '[.maps[] | "\(.name):\(.kind):\(.type):\(.elements | join(","))"] | join(" ")')
check "stat shows sets" [ "$got" = "deny_dst:set:ip:192.0.2.0/24 deny_proto:set:proto:icmp,tcp" ]
# (without the line that names the set's policy: see stat.sh)
check "stat text of a set" [ "$(lwtp stat deny_dst | grep -v '^  polic')" = \
	"deny_dst: set of ip, 1 element (room for 1024)" ]
# set list with no name: every set, by name, each with a header
lwtp set list > "$T/all.txt"
check "list with no name lists every set" [ "$(cat "$T/all.txt")" = "blocked_ports: set of port, 0 elements (room for 4)

deny_dst: set of ip, 1 element (room for 1024)
  192.0.2.0/24

deny_proto: set of proto, 2 elements (room for 4096)
  icmp
  tcp" ]
got=$(lwtp set list --json | jq -r '[.sets[] | "\(.name):\(.type):\(.elements | join(","))"] | join(" ")')
check "... and in JSON" [ "$got" = "blocked_ports:port: deny_dst:ip:192.0.2.0/24 deny_proto:proto:icmp,tcp" ]
lwtp set list a b 2> /dev/null
check "... but not with two names" [ $? = 2 ]
lwtp stat --reset > /dev/null
check "--reset leaves sets alone" [ "$(lwtp set list deny_dst)" = 192.0.2.0/24 ]

# ---- two writers ------------------------------------------------------------------------------
# A's 'set add' stops (gdb) at its first update, when it has read the set
# and found room for its three ports; B then adds two of its own, one of
# them also among A's, and fills the set. A's last port no longer fits: A
# fails and undoes what it added itself, and only that: B's ports stay.

lwtp set flush blocked_ports > /dev/null
if command -v gdb > /dev/null 2>&1; then
	# LeakSanitizer does not work under ptrace (the asan suite's lwtp)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" gdb -batch -nx -ex 'set breakpoint pending on' -ex 'break bpf_map_update_elem' -ex run \
		-ex 'delete' -ex "shell \"$LWTP\" set add blocked_ports 7000 7001 > '$T/b.out' 2>&1; echo \$? > '$T/b.rc'" \
		-ex continue --args "$LWTP" set add blocked_ports 7001 7002 7003 7004 \
		> "$T/a.out" 2>&1
	check "B, the second writer, succeeded" [ "$(cat "$T/b.rc")" = 0 ]
	check "A, whose last port no longer fit, failed" grep -q "exited with code 01" "$T/a.out"
	check "A says the set is full" grep -q "cannot add '7004'.*(the set is full)" "$T/a.out"
	got=$(lwtp set list blocked_ports | tr '\n' ' ')
	if [ "$got" = "7000 7001 " ]; then
		ok "A undid its own adds, and B's ports stay"
	else
		fail "A undid its own adds, and B's ports stay" \
			"the set holds '$got', not '7000 7001 '; A said: $(tail -5 "$T/a.out")"
	fi
else
	fail "two writers" "gdb is missing (apt-get install gdb)"
fi
lwtp set flush blocked_ports > /dev/null

# ---- not a set -------------------------------------------------------------------------------

errs "a counter is not a set" "lwtp: 'guard_passed' is a counter, not a set" 1 \
	lwtp set add guard_passed 1
errs "usage: no element" "lwtp: set add wants a set NAME and at least one ELEMENT
Try 'lwtp --help'." 2 lwtp set add deny_dst

finish
