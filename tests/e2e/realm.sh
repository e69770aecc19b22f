#!/bin/bash
# route.realm on real routes: one object attached to three routes of A,
# 198.51.100.7 with 'realm 3', 198.51.100.8 with 'realms 2/5' and
# 2001:db8::7 with 'realm 4' (which IPv6 routes ignore: their realm is 0),
# counts each route's traffic apart in one map, and drops DNS only on the
# route whose realm says so. IPv4 UDP is 28 + payload bytes, IPv6 UDP 48 +.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

need_file "$LWTC" "make compiler"
obj=$E2E_TMP/realm.o
out=$("$LWTC" "$(dirname "$0")/realm.lwtp" -o "$obj" 2>&1) || fail "lwtc: $out"

e2e_pair
add_route() {
	local out
	out=$(inA ip route add "$1" encap bpf out obj "$obj" section per_realm dev vethA $2 2>&1) ||
		fail "ip route add $1 ... $2 failed: $out"
}
add_route 198.51.100.7/32 "realm 3"
add_route 198.51.100.8/32 "realms 2/5"
add_route 2001:db8::7/128 "realm 4"
inA ip route show 198.51.100.8 | grep -q 'realms 2/5' || fail "the route has no realms 2/5: $(inA ip route)"

e2e_expect_send 198.51.100.7 53 100x3 3 0
e2e_expect_send 198.51.100.7 9 10x1 1 0
e2e_expect_send 198.51.100.8 53 100x2 0 2
e2e_expect_send 198.51.100.8 9 20x4 4 0
e2e_expect_send 2001:db8::7 53 100x2 2 0

e2e_dump by_realm "$E2E_TMP/by_realm"
expect_same "by_realm (realm 3, realms 2/5 = 131077, IPv6 0)" \
	"$(printf '%s\n' "route_realm=0 => packets=2 bytes=296" \
		"route_realm=131077 => packets=6 bytes=448" \
		"route_realm=3 => packets=4 bytes=422" | sort)" "$(sort "$E2E_TMP/by_realm")"
