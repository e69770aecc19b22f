#!/bin/sh
# netns_exec.sh: a route attached with 'ip netns exec NS ip route add ...'
# pins its maps in the private /sys that 'ip netns exec' mounts, which is
# gone when ip exits: the program counts into maps nobody can read. lwtp
# stat finds no map then, and says why it may be: lwtc's programs are
# loaded, so their maps went somewhere else.
. "$(dirname "$0")/lib.sh"

[ -x "$LWTC" ] || die "$LWTC is missing (make compiler)"
printf 'policy hidden {\n    count hidden_total;\n}\n' > "$T/hidden.lwtp"
"$LWTC" "$T/hidden.lwtp" -o "$T/hidden.o" || die "lwtc failed"
ip netns exec "$NS" ip route add 198.51.100.7/32 encap bpf out obj "$T/hidden.o" \
	section hidden dev d0 || die "ip netns exec ... ip route add failed"
send 198.51.100.7 9 2 10 > /dev/null
check "the route's maps are not in this /sys" [ ! -e /sys/fs/bpf/ip/globals/hidden_total ]

lwtp stat > "$T/out" 2> "$T/err"
rc=$?
check "lwtp stat fails" [ "$rc" = 1 ]
check "... says no map is pinned" grep -q "^lwtp: no map is pinned" "$T/err"
check "... and why that may be" grep -q "^lwtp: but [0-9]* programs\{0,1\} of lwtc's .* loaded on this host (lwtp_prog_.*'ip netns exec'.*nsenter --net=" "$T/err"
in_ns ip route del 198.51.100.7/32
finish
