#!/bin/bash
# task.tgid and task.pid on real traffic: two processes send through a
# route whose program counts by the sending process; each one's packets and
# bytes are keyed by its own process id, which is also its thread id
# (sendudp has one thread). Needs Linux 6.10 or later, where LWT programs
# may call bpf_get_current_pid_tgid(); on an older kernel lwtc's default
# target refuses the policy and this test checks that the kernel refuses
# the object compiled for 6.12 as well.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

need_file "$LWTC" "make compiler"
need_file "$TOOLS/sendudp" "make test-tools"
src=$(dirname "$0")/task_sender.lwtp
# shellcheck disable=SC2046
out=$("$LWTC" $(cat "${src%.lwtp}.args") "$src" -o "$E2E_TMP/task.o" 2>&1) ||
	fail "lwtc --target-kernel 6.12 task_sender.lwtp failed: $out"
out=$("$LWTC" --check "$src" 2>&1) &&
	fail "lwtc accepted task.tgid for its default target (6.1)"
grep -q "needs Linux 6.10 or later" <<<"$out" || fail "lwtc's refusal does not say why: $out"

e2e_pair
kernel=$(uname -r)
major=${kernel%%.*} minor=${kernel#*.}
minor=${minor%%[!0-9]*}
if [ $((major * 1000 + minor)) -lt 6010 ]; then
	out=$(inA ip route add 198.51.100.7/32 encap bpf out obj "$E2E_TMP/task.o" \
		section by_sender dev vethA 2>&1) &&
		fail "Linux $kernel loaded a program that calls bpf_get_current_pid_tgid()"
	echo "Linux $kernel refuses the object, as lwtc's default target says"
	exit 0
fi
for r in 198.51.100.7/32 198.51.100.8/32 2001:db8::7/128; do
	e2e_route "$r" "$E2E_TMP/task.o" by_sender
done

# send DST SIZE[xCOUNT]: from a process of its own; prints its pid
send() {
	inA bash -c 'echo $$ >&2; exec "$0" "$@" >/dev/null' "$TOOLS/sendudp" -p 9 "$@" \
		2> "$E2E_TMP/pid" || fail "sendudp to $1 failed"
	cat "$E2E_TMP/pid"
}
p1=$(send 198.51.100.7 100x3)
p2=$(send 2001:db8::7 100x2)
p3=$(send 198.51.100.8 10x4)
[ "$p1" != "$p2" ] && [ "$p2" != "$p3" ] || fail "the senders had the same pid: $p1 $p2 $p3"

e2e_dump senders "$E2E_TMP/senders"
expect_same senders "$(printf 'task_tgid=%s\n' "$p1 => packets=3 bytes=384" \
	"$p2 => packets=2 bytes=296" "$p3 => packets=4 bytes=152" | sort)" "$(sort "$E2E_TMP/senders")"
e2e_dump threads "$E2E_TMP/threads"
expect_same threads "task_pid=$p3 => packets=4 bytes=152" "$(cat "$E2E_TMP/threads")"
