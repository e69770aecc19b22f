#!/bin/bash
# cgroup.classid on real traffic: a private net_cls (cgroup v1) hierarchy
# with two groups, classid 1:1 and 1:2; a process in each and one outside
# send through a route of A. The first group's packets are counted under
# 0x10001, the outsider's under 0, and the second group's are dropped
# (0x10002): its sender sees EPERM.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

need_file "$LWTC" "make compiler"
need_file "$TOOLS/sendudp" "make test-tools"
obj=$E2E_TMP/classid.o
out=$("$LWTC" "$(dirname "$0")/classid.lwtp" -o "$obj" 2>&1) || fail "lwtc: $out"

cls=$E2E_TMP/net_cls
mkdir -p "$cls"
mount -t cgroup -o net_cls lwtp-net-cls "$cls" ||
	fail "cannot mount a net_cls (cgroup v1) hierarchy: the kernel needs CONFIG_CGROUP_NET_CLASSID"
groups=()
cleanup_cls() {
	local g
	for g in "${groups[@]}"; do rmdir "$g" 2>/dev/null; done
	umount "$cls" 2>/dev/null
	e2e_cleanup
}
trap cleanup_cls EXIT
for n in 1 2; do
	g=$cls/lwtp-e2e-$$-$n
	mkdir "$g" || fail "cannot create $g"
	groups+=("$g")
	echo $((0x10000 + n)) > "$g/net_cls.classid" || fail "cannot set $g's classid"
done

e2e_pair
e2e_route 198.51.100.7/32 "$obj" by_class
e2e_route 2001:db8::7/128 "$obj" by_class

# send_in GROUP DST SIZExCOUNT: send from a new process in GROUP ('' for
# none); prints sendudp's summary
send_in() {
	inA bash -c '[ -z "$1" ] || echo $$ > "$1/cgroup.procs" || exit 9; shift; exec "$@"' - \
		"$1" "$TOOLS/sendudp" -p 9 "$2" "$3" 2>&1
}
expect_same "group 1:1 to 198.51.100.7" "sent 3 eperm 0 errors 0" "$(send_in "${groups[0]}" 198.51.100.7 100x3)"
expect_same "group 1:1 to 2001:db8::7" "sent 1 eperm 0 errors 0" "$(send_in "${groups[0]}" 2001:db8::7 10x1)"
expect_same "outside to 198.51.100.7" "sent 2 eperm 0 errors 0" "$(send_in "" 198.51.100.7 20x2)"
expect_same "group 1:2 (dropped)" "sent 0 eperm 4 errors 0" "$(send_in "${groups[1]}" 198.51.100.7 50x4)"

e2e_dump by_classid "$E2E_TMP/by_classid"
expect_same by_classid "$(printf '%s\n' \
	"cgroup_classid=0 ip_dst=198.51.100.7 => packets=2 bytes=96" \
	"cgroup_classid=65537 ip_dst=198.51.100.7 => packets=3 bytes=384" \
	"cgroup_classid=65537 ip_dst=2001:db8::7 => packets=1 bytes=58" \
	"cgroup_classid=65538 ip_dst=198.51.100.7 => packets=4 bytes=312" | sort)" \
	"$(sort "$E2E_TMP/by_classid")"
