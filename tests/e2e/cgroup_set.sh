#!/bin/bash
# A set of cgroups on real traffic: two cgroup v2 groups, G1 (with a child
# G1/sub) and G2, made under the cgroup2 mount with names of this run's own
# and removed on exit. 'lwtp set add batch G1': the packets of a process
# in G1 or G1/sub count in batch_pkts and are dropped to 198.51.100.8 (the
# sender sees EPERM); those of G2 and of a process in neither count in
# other_pkts. After 'lwtp set del batch G1', G1's packets are other_pkts
# and pass.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

LWTP=${LWTP:-$E2E_ROOT/build/lwtp}
need_file "$LWTC" "make compiler"
need_file "$LWTP" "make runtime"
need_file "$TOOLS/sendudp" "make test-tools"
obj=$E2E_TMP/cgroup_set.o
out=$("$LWTC" "$(dirname "$0")/cgroup_set.lwtp" -o "$obj" 2>&1) || fail "lwtc: $out"

cg=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$cg" ] || fail "no cgroup2 filesystem is mounted"
g1=$cg/lwtp-e2e-$$-1 g2=$cg/lwtp-e2e-$$-2
cleanup_cg() {
	rmdir "$g1/sub" "$g1" "$g2" 2>/dev/null
	e2e_cleanup
}
trap cleanup_cg EXIT
mkdir "$g1" "$g1/sub" "$g2" || fail "cannot create cgroups under $cg"

e2e_pair
e2e_route 198.51.100.7/32 "$obj" by_cgroup
e2e_route 198.51.100.8/32 "$obj" by_cgroup
e2e_route 2001:db8::7/128 "$obj" by_cgroup

out=$("$LWTP" set add batch "$g1" 2>&1) || fail "lwtp set add: $out"
expect_same "set list" "$g1" "$("$LWTP" set list batch 2>&1)"

# send_in GROUP DST SIZExCOUNT: send from a new process in GROUP ('' for
# none), whose socket is made there; prints sendudp's summary
send_in() {
	inA bash -c '[ -z "$1" ] || echo $$ > "$1/cgroup.procs" || exit 9; shift; exec "$@"' - \
		"$1" "$TOOLS/sendudp" -p 9 "$2" "$3" 2>&1
}
expect_same "G1 to 198.51.100.7" "sent 3 eperm 0 errors 0" "$(send_in "$g1" 198.51.100.7 100x3)"
expect_same "G1/sub (below G1) to 198.51.100.7" "sent 2 eperm 0 errors 0" "$(send_in "$g1/sub" 198.51.100.7 10x2)"
expect_same "G1 to 2001:db8::7" "sent 1 eperm 0 errors 0" "$(send_in "$g1" 2001:db8::7 10x1)"
expect_same "G2 to 198.51.100.7" "sent 2 eperm 0 errors 0" "$(send_in "$g2" 198.51.100.7 20x2)"
expect_same "outside to 198.51.100.7" "sent 1 eperm 0 errors 0" "$(send_in "" 198.51.100.7 30x1)"
expect_same "G1 to 198.51.100.8 (dropped)" "sent 0 eperm 4 errors 0" "$(send_in "$g1" 198.51.100.8 50x4)"
expect_same "G2 to 198.51.100.8" "sent 1 eperm 0 errors 0" "$(send_in "$g2" 198.51.100.8 50x1)"

e2e_dump batch_pkts "$E2E_TMP/batch"
expect_same batch_pkts "$(printf '%s\n' \
	"ip_dst=198.51.100.7 => packets=5 bytes=460" \
	"ip_dst=198.51.100.8 => packets=4 bytes=312" \
	"ip_dst=2001:db8::7 => packets=1 bytes=58" | sort)" "$(sort "$E2E_TMP/batch")"
e2e_dump other_pkts "$E2E_TMP/other"
expect_same other_pkts "$(printf '%s\n' \
	"ip_dst=198.51.100.7 => packets=3 bytes=154" \
	"ip_dst=198.51.100.8 => packets=1 bytes=78" | sort)" "$(sort "$E2E_TMP/other")"

# out of the set: G1 no longer matches
out=$("$LWTP" set del batch "$g1" 2>&1) || fail "lwtp set del: $out"
expect_same "set list after del" "" "$("$LWTP" set list batch 2>&1)"
expect_same "G1 to 198.51.100.8 after del" "sent 2 eperm 0 errors 0" "$(send_in "$g1" 198.51.100.8 50x2)"
e2e_dump other_pkts "$E2E_TMP/other"
expect_same "other_pkts after del" "$(printf '%s\n' \
	"ip_dst=198.51.100.7 => packets=3 bytes=154" \
	"ip_dst=198.51.100.8 => packets=3 bytes=234" | sort)" "$(sort "$E2E_TMP/other")"
e2e_dump batch_pkts "$E2E_TMP/batch"
expect_same "batch_pkts after del" "$(printf '%s\n' \
	"ip_dst=198.51.100.7 => packets=5 bytes=460" \
	"ip_dst=198.51.100.8 => packets=4 bytes=312" \
	"ip_dst=2001:db8::7 => packets=1 bytes=58" | sort)" "$(sort "$E2E_TMP/batch")"
echo "cgroup_set: ok"
