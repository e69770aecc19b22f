#!/bin/bash
# Updating a policy on a live route, as the README and every policy header
# say to: lwtp install gives the object a name of its own per content
# (NAME-ID.o, ID the object id lwtc wrote into it), and
# 'ip route replace' with it puts the new program in place while traffic
# flows: no packet is lost (every packet sent is counted by the old
# program or the new one) and the counters carry on (the pinned maps are
# reused by name). The trap it avoids: the kernel compares LWT programs by
# the name iproute2 gives them (FILE.o:[SECTION], the base name), so a
# replace with a rebuilt object of the same base name keeps the old program
# and exits 0; this test shows that too, so that a change in iproute2 or
# the kernel is noticed.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

LWTP=${LWTP:-$E2E_ROOT/build/lwtp}
need_file "$LWTC" "make compiler"
need_file "$LWTP" "make runtime"
need_file "$TOOLS/sendudp" "make test-tools"
need_file "$TOOLS/mapdump" "make test-tools"
mkdir -p "$E2E_TMP/out" "$E2E_TMP/lib"

# version N [STATEMENT]: policy 'upd' counting into upd_total, built into
# out/upd.o, then installed as lib/upd-ID.o (its path in $OBJ)
version() {
	printf 'policy upd {\n    count upd_total;\n    %s\n}\n' "${2:-}" > "$E2E_TMP/upd.lwtp"
	must "$LWTC" "$E2E_TMP/upd.lwtp" -o "$E2E_TMP/out/upd.o"
	OBJ=$("$LWTP" install "$E2E_TMP/out/upd.o" "$E2E_TMP/lib") || fail "lwtp install failed"
	case $OBJ in "$E2E_TMP"/lib/upd-????????????????.o) ;; *) fail "lwtp install made $OBJ" ;; esac
}
replace() {
	must inA ip route replace 198.51.100.7/32 encap bpf out obj "$1" section upd dev vethA
}
# count MAP: the packets an unkeyed count holds (0 when none, or no map)
count() {
	local n
	n=$("$TOOLS/mapdump" "$GLOBALS/$1" 2>/dev/null | sed -n 's/^ *0 => packets=\([0-9]*\) .*/\1/p')
	echo "${n:-0}"
}
total() { count upd_total; }

e2e_pair
# the trap: attached as out/upd.o, rebuilt in place, replaced: not loaded
version 1
e2e_route 198.51.100.7/32 "$E2E_TMP/out/upd.o" upd
e2e_expect_send 198.51.100.7 9 100x3 3 0
[ "$(total)" = 3 ] || fail "version 1 counted $(total) packets, not 3"
version 2 'count upd_v2;'
replace "$E2E_TMP/out/upd.o"
e2e_expect_send 198.51.100.7 9 100x2 2 0
# (loading the object pinned upd_v2, but the program on the route is the old one)
[ "$(count upd_v2)" = 0 ] && [ "$(total)" = 5 ] ||
	fail "a replace with the same base name loaded the new program: update README and the policy headers"

# the way: version 2 under its own name, replaced while a sender sends
first=$(total)
inA "$TOOLS/sendudp" -p 9 -t 2 198.51.100.7 100 > "$E2E_TMP/sent" 2>&1 &
sender=$!
sleep 0.5
replace "$OBJ"
wait $sender || fail "sendudp failed: $(cat "$E2E_TMP/sent")"
sent=$(sed -n 's/^sent \([0-9]*\) eperm \([0-9]*\) errors \([0-9]*\).*/\1 \2 \3/p' "$E2E_TMP/sent")
set -- $sent
[ $# = 3 ] && [ "$2" = 0 ] && [ "$3" = 0 ] || fail "sendudp: $(cat "$E2E_TMP/sent")"
v2=$(count upd_v2)
[ "$(total)" = $((first + $1)) ] ||
	fail "upd_total counted $(( $(total) - first )) of the $1 packets sent across the replace"
[ "$v2" -gt 0 ] && [ "$v2" -lt "$1" ] ||
	fail "version 2 counted $v2 of $1 packets: the replace did not happen while they flowed"
echo "$1 packets across the replace, all counted ($v2 by version 2); upd_total kept its $first"

# the same content again gets the same name: a replace that changes nothing
version 2 'count upd_v2;'
replace "$OBJ"
e2e_expect_send 198.51.100.7 9 100x1 1 0
