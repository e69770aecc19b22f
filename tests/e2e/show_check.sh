#!/bin/bash
# lwtp show, lwtp check and lwtp install on real routes: what runs where,
# and the traps of a policy's life on a route (issue 11):
#   - a replace with a rebuilt object of the same file name keeps the old
#     program: lwtp check says "stale" and exits 1; the copy lwtp install
#     makes is attached for real, and check then says "runs";
#   - two policies that count into statistics of one name: check says
#     "clash" before attach, naming both key lists and the pin's program,
#     for a silent share (same shape, other keys) and for a shape that
#     attach would refuse; show warns when it is attached anyway;
#   - a pin removed under a running route: show and stat say where the
#     counts went, and bpftool map pin id brings them back, counts and all;
#   - a route deleted: its pins are "unused"; a hand-written program is
#     "not lwtc's".
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

LWTP=${LWTP:-$E2E_ROOT/build/lwtp}
need_file "$LWTC" "make compiler"
need_file "$LWTP" "make runtime"
need_file "$TOOLS/sendudp" "make test-tools"
mkdir -p "$E2E_TMP/out" "$E2E_TMP/lib"
T=$E2E_TMP

# expect_rc RC CMD...: run CMD in A, its stdout in $T/stdout, stderr in $T/stderr
expect_rc() {
	local want=$1 rc=0
	shift
	inA "$@" > "$T/stdout" 2> "$T/stderr" || rc=$?
	[ "$rc" = "$want" ] || fail "$* exited $rc, not $want:
$(cat "$T/stdout" "$T/stderr")"
}
has() {
	grep -q -- "$1" "$T/stdout" || fail "no line matching '$1' in:
$(cat "$T/stdout")"
}
hasnt() {
	! grep -q -- "$1" "$T/stdout" || fail "a line matches '$1' in:
$(cat "$T/stdout")"
}
# policy FILE NAME BODY [TOP]: write and compile policy NAME into out/FILE.o
policy() {
	printf '%spolicy %s {\n%s\n}\n' "${4:-}" "$2" "$3" > "$T/$1.lwtp"
	must "$LWTC" "$T/$1.lwtp" -o "$T/out/$1.o"
}

# settle POLICY N: the kernel frees a program a replace or a route delete let
# go after an RCU grace period; until then lwtp lists it. Wait until N
# programs of POLICY are loaded (the policy names are this test's own).
settle() {
	local i
	for i in $(seq 50); do
		[ "$(bpftool prog list | grep -c "name lwtp_prog_$1 ")" = "$2" ] && return
		sleep 0.1
	done
	fail "programs of $1 still loaded after 5 s: $(bpftool prog list | grep -c "name lwtp_prog_$1 ")"
}

e2e_pair

# ---- a route, a stale replace, and the way that works -------------------------
policy shck shck 'count shck_total;'
e2e_route 198.51.100.7/32 "$T/out/shck.o" shck
id1=$("$LWTP" check "$T/out/shck.o" | sed -n 's/^object .*: id \([0-9a-f]*\)$/\1/p')
[ ${#id1} = 16 ] || fail "lwtp check printed no object id"
expect_rc 0 "$LWTP" check "$T/out/shck.o"
has "^share $GLOBALS/shck_total: counter, with program [0-9]* (policy shck, object $id1)$"
has "^runs 198.51.100.7 dev vethA out: shck.o:\[shck\], this object$"

policy shck shck 'count shck_total; count shck_v2;'
inA ip route replace 198.51.100.7/32 encap bpf out obj "$T/out/shck.o" section shck dev vethA ||
	fail "ip route replace failed"
settle shck 1
expect_rc 1 "$LWTP" check "$T/out/shck.o"
has "^stale 198.51.100.7 dev vethA out: named shck.o:\[shck\] but runs object $id1, not this object"
expect_rc 0 "$LWTP" show
has "policy shck object $id1"

obj=$(inA "$LWTP" install "$T/out/shck.o" "$T/lib") || fail "lwtp install failed"
id2=$("$LWTP" check "$T/out/shck.o" | sed -n 's/^object .*: id \([0-9a-f]*\)$/\1/p')
[ "$obj" = "$T/lib/shck-$id2.o" ] || fail "lwtp install made $obj, not $T/lib/shck-$id2.o"
cmp -s "$obj" "$T/out/shck.o" || fail "lwtp install's copy differs from the object"
[ "$(stat -c %a "$obj")" = 644 ] || fail "lwtp install's copy has mode $(stat -c %a "$obj")"
before=$(stat -c %Y.%i "$obj")
sleep 1
[ "$(inA "$LWTP" install "$T/out/shck.o" "$T/lib")" = "$obj" ] || fail "a second install named another file"
[ "$(stat -c %Y.%i "$obj")" = "$before" ] || fail "a second install of the same object rewrote it"
[ "$(inA "$LWTP" install "$obj" "$T/lib")" = "$obj" ] || fail "installing the copy named another file"
inA ip route replace 198.51.100.7/32 encap bpf out obj "$obj" section shck dev vethA ||
	fail "ip route replace with the installed copy failed"
settle shck 1
expect_rc 0 "$LWTP" check "$T/out/shck.o" shck
has "^runs 198.51.100.7 dev vethA out: shck-$id2.o:\[shck\], this object$"
has "^share $GLOBALS/shck_v2: counter, with program"
expect_rc 0 "$LWTP" show
has "^198.51.100.7 dev vethA$"
has "^	out shck-$id2.o:\[shck\]$"
has "^		program [0-9]* policy shck object $id2 tag [0-9a-f]\{16\} loaded "
has "^		counter shck_total $GLOBALS/shck_total$"
hasnt "^warning"
expect_rc 0 "$LWTP" show -j
jq -e --arg id "$id2" '.routes[0].hooks[0].section == "shck" and
	(.routes[0].hooks[0].programs | length) == 1 and
	([.programs[] | select(.id == $ARGS.named.p)] | length) >= 0 and
	([.programs[] | select(.object == $id and .on_route)] | length) == 1 and
	.problems == []' "$T/stdout" >/dev/null || fail "lwtp show -j: $(cat "$T/stdout")"
e2e_expect_send 198.51.100.7 9 100x2 2 0
inA "$LWTP" stat -j shck_v2 | jq -e '.maps[0].entries[0].packets == 2' >/dev/null ||
	fail "the installed version did not count: $(inA "$LWTP" stat shck_v2 2>&1)"

# ---- statistics of one name, other keys or shapes ------------------------------
policy ports ports 'drop if tcp.dport in ports_deny;
count s2 by tcp.dport;' 'set ports_deny : port;
'
policy ids ids 'count s2 by ip4.id;'
policy sized sized 'count s2 by tcp.dport size 100;'
expect_rc 0 "$LWTP" check "$T/out/ports.o"
has "^create $GLOBALS/s2: counter by tcp.dport$"
e2e_route 198.51.100.8/32 "$T/out/ports.o" ports
expect_rc 1 "$LWTP" check "$T/out/ids.o"
has "^clash $GLOBALS/s2: counter by tcp.dport there, counter by ip4.id here: attaching succeeds and mixes the two under one name, pin used by program [0-9]* (policy ports, object [0-9a-f]*)$"
expect_rc 1 "$LWTP" check "$T/out/sized.o"
has "^clash $GLOBALS/s2: .*attaching fails (size 4096 there, 100 here)"
e2e_route 198.51.100.9/32 "$T/out/ids.o" ids
expect_rc 0 "$LWTP" show
has "^warning: $GLOBALS/s2 is counted into by policy ports (program [0-9]*, object [0-9a-f]*) and by policy ids"
# three routes, three objects: each route with its program, statistics and sets
has "^198.51.100.7 dev vethA$"
has "^198.51.100.8 dev vethA$"
has "^198.51.100.9 dev vethA$"
has "^	out ports.o:\[ports\]$"
has "^	out ids.o:\[ids\]$"
has "^		set ports_deny $GLOBALS/ports_deny$"
has "^		counter s2 $GLOBALS/s2$"
[ "$(grep -c "^		program [0-9]* policy " "$T/stdout")" = 3 ] ||
	fail "lwtp show: not three programs: $(cat "$T/stdout")"
inA ip route del 198.51.100.9/32 || fail "cannot delete the route"
settle ids 0

# ---- a pin removed under a running route ---------------------------------------
rm "$GLOBALS/shck_total"
expect_rc 0 "$LWTP" show
has "^warning: program [0-9]* (policy shck) counts into map shck_total (id [0-9]*), which is not pinned in $GLOBALS: lwtp stat cannot see those counts; pin it again, counts and all: bpftool map pin id [0-9]* $GLOBALS/shck_total$"
has "^		map shck_total (id [0-9]*) not pinned in $GLOBALS$"
expect_rc 0 "$LWTP" stat shck_v2
grep -q "^lwtp: warning: program [0-9]* (policy shck) counts into map shck_total" "$T/stderr" ||
	fail "lwtp stat did not warn about the hidden counts: $(cat "$T/stderr")"
map_id=$(sed -n 's/.*bpftool map pin id \([0-9]*\) .*/\1/p' "$T/stderr")
bpftool map pin id "$map_id" "$GLOBALS/shck_total" || fail "cannot pin map $map_id again"
expect_rc 0 "$LWTP" stat -j shck_total
jq -e '.maps[0].entries[0].packets == 2' "$T/stdout" >/dev/null ||
	fail "the pinned-again map lost its counts: $(cat "$T/stdout")"
[ ! -s "$T/stderr" ] || fail "lwtp stat still warns: $(cat "$T/stderr")"

# ---- routes gone, and programs lwtc did not make -------------------------------
inA ip route del 198.51.100.8/32 || fail "cannot delete the route"
settle ports 0
expect_rc 0 "$LWTP" show
has "^warning: $GLOBALS/s2: no loaded program uses this counter"
cat > "$T/hand.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("hand") int hand_prog(struct __sk_buff *skb) { return BPF_OK; }
char _license[] SEC("license") = "GPL";
EOF
must clang -O2 -g -target bpf -I/usr/include/"$(gcc -print-multiarch)" -c "$T/hand.c" -o "$T/hand.o"
e2e_route 198.51.100.10/32 "$T/hand.o" hand
expect_rc 0 "$LWTP" show
has "^warning: route 198.51.100.10 dev vethA out runs hand.o:\[hand\], which is not a program lwtc made"
expect_rc 1 "$LWTP" install "$T/hand.o" "$T/lib"
grep -q "has no object id: not an object this lwtc made" "$T/stderr" || fail "install: $(cat "$T/stderr")"
expect_rc 1 "$LWTP" check "$T/out/shck.o" nosuch
grep -q "no section 'nosuch'" "$T/stderr" || fail "check: $(cat "$T/stderr")"
# a file name with a newline and an ESC: escaped in text, whole in JSON
evil=$T/$'ev\nil\e[31m.o'
cp "$T/out/shck.o" "$evil"
e2e_route 198.51.100.11/32 "$evil" shck
expect_rc 0 "$LWTP" show
has '^	out ev\\x0ail\\x1b\[31m\.o:\[shck\]$'
! grep -q $'\e' "$T/stdout" || fail "lwtp show wrote an ESC to the terminal"
expect_rc 0 "$LWTP" show -j
jq -e '[.routes[].hooks[].name] | index("ev\nil\u001b[31m.o:[shck]") != null' "$T/stdout" >/dev/null ||
	fail "lwtp show -j lost the name: $(cat "$T/stdout")"
echo "show, check and install agree with the routes"
