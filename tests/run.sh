#!/bin/bash
# tests/run.sh [SUITE...]: run the test suites (default: all of them).
#
#   tools      the test tools on hand-written BPF objects (tests/tools/)
#   bpf        each part of the BPF C lwtc writes (compiler/bpf/*.bpf.h)
#              compiles on its own, after the parts it needs; lwtc writes
#              them as they are, and its -S output compiles standalone
#   load       every policy that should compile does, and the verifier
#              accepts it as LWT_OUT (lwtc + build/tests/loadcheck)
#   diag       lwtc --check on tests/diag/NAME.lwtp (with the options in
#              NAME.args, if any) gives exactly NAME.expected (first line
#              "exit N", then stderr)
#   behaviour  tests/behaviour/*.case through lwtp replay's core and the
#              lwtp replay command, BPF_PROG_TEST_RUN (caserun -r)
#   replay     tests/replay/*.sh: lwtp replay on generated captures, and on
#              a tcpdump capture against the kernel's verdicts (root)
#   e2e        tests/e2e/*.sh: plain iproute2 on routes in private
#              namespaces, real traffic (root)
#   hostile    tests/hostile/cases: huge, deep, malformed and C-like input
#              gives a clear error or code that loads (tests/hostile/suite.sh)
#   property   random valid policies (build/tests/genpolicy) compile and
#              load: PROPERTY_N (200), PROPERTY_SEED (tests/property/suite.sh)
#   asan       every suite above again with build/asan/lwtc and
#              build/asan/lwtp (AddressSanitizer, UBSan, leaks; reports in
#              asan/reports; tests/lsan.supp), as asan/SUITE/NAME;
#              ASAN_SUITES chooses others
#
# LWTC=PATH and LWTP=PATH run the suites with another lwtc and lwtp.
# One line per test, "ok   suite/name" or "FAIL suite/name" with the reason
# indented below, then "N passed, N failed". Exit 1 when any failed.
# A missing tool (lwtc not built, ...) fails the tests that need it.
# UPDATE=1 rewrites the diag expectations from lwtc's output, for review.
# Build first: make test (or make compiler policies test-tools).
set -u

cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
B=$ROOT/build
T=$B/tests
LWTC=${LWTC:-$B/lwtc}
LWTP=${LWTP:-$B/lwtp}
export LWTC LWTP
TIMEOUT=${TEST_TIMEOUT:-120}
PASSED=0
FAILED=0
TMP=$(mktemp -d /tmp/lwtp-tests.XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT

pass() {
	echo "ok   $1"
	PASSED=$((PASSED + 1))
}

# fail NAME REASON
fail() {
	local lines
	echo "FAIL $1"
	lines=$(printf '%s\n' "$2" | wc -l)
	if [ "$lines" -gt 60 ]; then
		# the head says what failed, the tail (a verifier log's) why
		printf '%s\n' "$2" | head -15 | sed 's/^/    /'
		echo "    ... ($((lines - 45)) lines left out)"
		printf '%s\n' "$2" | tail -30 | sed 's/^/    /'
	else
		printf '%s\n' "$2" | sed 's/^/    /'
	fi
	FAILED=$((FAILED + 1))
}

# run NAME CMD...: the test passes when CMD exits 0; its output is the reason.
run() {
	local name=$1 out rc
	shift
	out=$(timeout "$TIMEOUT" "$@" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then
		pass "$name"
	elif [ $rc = 124 ]; then
		fail "$name" "timed out after ${TIMEOUT}s
$out"
	else
		fail "$name" "${out:-exit $rc, no output}"
	fi
}

# have NAME FILE...: fail NAME when one of the files is missing.
have() {
	local name=$1 f
	shift
	for f in "$@"; do
		if [ ! -x "$f" ] && [ ! -f "$f" ]; then
			fail "$name" "$f: missing (build with 'make test-tools' / 'make compiler')"
			return 1
		fi
	done
}

# rel PATH: PATH relative to the repository, without its extension.
rel() {
	local p=${1#"$ROOT"/}
	echo "${p%.*}"
}

# ---- tools --------------------------------------------------------------

suite_tools() {
	local c out rc sec

	if have tools/loadcheck-accepts "$T/loadcheck" "$B/bench/len_hist_ref.bpf.o" \
		"$B/bench/empty.bpf.o" "$T/lwtp_like.bpf.o"; then
		out=$("$T/loadcheck" -v "$B/bench/len_hist_ref.bpf.o" "$B/bench/empty.bpf.o" \
			"$T/lwtp_like.bpf.o" 2>&1)
		rc=$?
		for sec in len_hist empty guard echo; do
			if ! grep -Eq "section $sec: insns [0-9]+ verified_insns [0-9]+ jited_bytes [0-9]+$" <<<"$out"; then
				rc="no verified_insns/jited_bytes line for section $sec"
				break
			fi
		done
		if [ "$rc" = 0 ]; then
			pass tools/loadcheck-accepts
		else
			fail tools/loadcheck-accepts "$rc
$out"
		fi
	fi

	if have tools/loadcheck-rejects "$T/loadcheck" "$T/bad_access.bpf.o"; then
		out=$("$T/loadcheck" "$T/bad_access.bpf.o" 2>&1)
		rc=$?
		if [ $rc = 1 ] && grep -q "load failed" <<<"$out" &&
			grep -q "invalid access to packet" <<<"$out"; then
			pass tools/loadcheck-rejects
		else
			fail tools/loadcheck-rejects "expected exit 1 with the verifier's log; got exit $rc:
$out"
		fi
	fi

	for c in tests/tools/cases/*.case; do
		have "tools/$(basename "${c%.case}")" "$T/caserun" || continue
		run "tools/$(basename "${c%.case}")" "$T/caserun" "$c"
	done

	# caserun reports each kind of mismatch, and fails without WILL_FAIL
	if have tools/caserun-reports "$T/caserun"; then
		grep -v '^WILL_FAIL' tests/tools/cases/fails.case > "$TMP/fails.case"
		out=$("$T/caserun" "$TMP/fails.case" 2>&1)
		rc=$?
		if [ $rc = 1 ] && grep -q "ip4 udp dport 53: verdict drop, expected pass" <<<"$out" &&
			grep -q "mark 0x2a, expected 0 (unchanged)" <<<"$out" &&
			grep -q -- "- 0 => packets=3 bytes=68   (expected, missing)" <<<"$out" &&
			grep -q -- "+ 0 => packets=2 bytes=68   (not expected)" <<<"$out"; then
			pass tools/caserun-reports
		else
			fail tools/caserun-reports "expected exit 1 and the three mismatches; got exit $rc:
$out"
		fi
		printf 'POLICY\npolicy p { pass; }\nPACKET ip4 udp => pass\n' > "$TMP/nolwtc.case"
		out=$("$T/caserun" -c "$TMP/no-such-lwtc" "$TMP/nolwtc.case" 2>&1)
		rc=$?
		if [ $rc = 2 ] && grep -q "no-such-lwtc" <<<"$out"; then
			pass tools/caserun-no-compiler
		else
			fail tools/caserun-no-compiler "expected exit 2 naming the missing compiler; got exit $rc:
$out"
		fi
	fi

	# caserun -r compares what the lwtp replay command says with the case
	if have tools/caserun-replay-reports "$T/caserun"; then
		printf '#!/bin/sh\necho '"'"'{"packets":[{"number":1,"verdict":"drop","retval":2}],"totals":{"packets":1}}'"'"'\n' \
			> "$TMP/fake-lwtp"
		chmod +x "$TMP/fake-lwtp"
		printf 'POLICY\npolicy p { pass; }\nPACKET ip4 udp => pass\n' > "$TMP/replay.case"
		out=$("$T/caserun" -r "$TMP/fake-lwtp" "$TMP/replay.case" 2>&1)
		rc=$?
		if [ $rc = 1 ] && grep -q "ip4 udp: lwtp replay: verdict drop, expected pass" <<<"$out"; then
			pass tools/caserun-replay-reports
		else
			fail tools/caserun-replay-reports "expected exit 1 and the replay command's wrong verdict; got exit $rc:
$out"
		fi
	fi

	# the seed's len_hist and lwtc's are judged on the same packets
	if diff <(sed -n '/^PACKET/,$p' tests/behaviour/len_hist.case) \
		<(sed -n '/^PACKET/,$p' tests/tools/cases/seed_len_hist.case) > "$TMP/sync" 2>&1; then
		pass tools/seed_len_hist-in-sync
	else
		fail tools/seed_len_hist-in-sync "tests/behaviour/len_hist.case and tests/tools/cases/seed_len_hist.case must have the same packets and maps:
$(cat "$TMP/sync")"
	fi

	if have tools/mapdump-missing "$T/mapdump"; then
		out=$("$T/mapdump" "$TMP/no-such-pin" 2>&1)
		rc=$?
		if [ $rc = 1 ] && grep -q "No such file" <<<"$out"; then
			pass tools/mapdump-missing
		else
			fail tools/mapdump-missing "expected exit 1; got exit $rc:
$out"
		fi
	fi
}

# ---- bpf ----------------------------------------------------------------

# The BPF C lwtc writes into programs, compiler/bpf/NAME.bpf.h: each part
# (emit_prelude.c's table), with the parts it needs before it, in order.
BPF_PARTS="
parse
ctx_access
ip4_frag: parse
ip6_tclass: parse
ip4_const
ip_from4
ip_from6
ip_key_saddr: parse ip_from4 ip_from6
ip_key_daddr: parse ip_from4 ip_from6
lpm_key: parse ip_from4 ip_from6
set_has_addr: parse ip_from4 ip_from6 lpm_key
rmap_get
rmap_get_addr: parse ip_from4 ip_from6 lpm_key rmap_get
set_has_cgroup
log2_32
log2_64: log2_32
linear
stats_intro
keys_note
count_add
count: count_add
count_key: keys_note count_add
wire: parse ctx_access
count_wire: parse ctx_access wire
count_wire_key: keys_note count_add count_key parse ctx_access wire
audit: count_add
hist
hist_key: keys_note
limit_take
limit: limit_take
key_new: keys_note
limit_key: keys_note key_new limit_take
quota_take
quota: quota_take
quota_key: keys_note key_new quota_take
sample: keys_note
search
"

# A policy that uses every map type; what lwtc writes before its first part
# (the contract's types, the maps) is the parts' context.
BPF_CONTEXT_POLICY='set deny : ip;
policy context {
    sample s 1/10;
    count c;
    count ck by ip.src;
    hist h log2(skb.len);
    hist hk log2(skb.len) by ip.dst;
    limit l rate 10/s burst 5;
    limit lk rate 10/s burst 5 by ip.src;
    quota q 1000;
    quota qk 1000 by ip.src;
    drop if ip.src in deny;
}'

# One that uses every part.
BPF_EVERY_POLICY="set deny : ip;
set jobs : cgroup;
map rmarks : ip -> mark; map rverdicts : port -> verdict;
policy every {
    sample s 1/10;
    count c if ip.fragment;
    count ck by ip.src if ip.tos == 0;
    count k6 by ip6.dst;
    count kt by (ip4.src, tcp.dport, ip.proto, ip.ttl, tcp.window, tcp.seq, ip.fragment);
    hist h log2(skb.len);
    hist h64 log2(5000000000) by ip.dst;
    hist hl linear(skb.len, 0, 1500, 100);
    limit l rate 10/s burst 5;
    limit lk rate 10/s burst 5 by ip.src else set skb.mark = 1;
    quota q 1000;
    quota qk 1000 by ip.src;
    count cw wire;
    count cwk wire by ip.src;
    drop if ip.src in deny;
    drop if socket.cgroup in jobs;
    drop if ip4.dst == 10.1.2.3;
    drop if ip4.dst in { $(for i in $(seq 0 99); do printf '10.%d.%d.0/24, ' $((i * 7 % 256)) $((i * 13 % 256)); done)10.255.0.0/16 };
    set skb.mark = ip.dst map { $(for i in $(seq 0 49); do printf '10.%d.0.0/16 : %d, ' $i $i; done)2001:db8::/32 : 1 };
    vmap l4.dport { 1..1023 : drop, 53 : pass };
    set skb.priority = ip.src map rmarks; vmap udp.dport rverdicts;
    drop if (ip.dst, l4.dport, tcp.flags & (syn | ack)) not in { $(for i in $(seq 0 99); do printf '(10.%d.0.0/16, %d..%d, syn), ' $i $((i * 10)) $((i * 10 + 5)); done)(2001:db8::7, 53, 0) };
}
audit policy every_audit {
    drop if ip4.dst == 10.1.2.4;
    vmap ip.src { 198.51.100.0/24 : drop, 198.51.100.7 : pass };
}"

suite_bpf() {
	local d=$TMP/bpf clang=${CLANG:-clang} part deps line f want locks out
	local parts=() cflags
	mkdir -p "$d"
	# lwtc's flags (compiler/clang.c); the parts must not warn either
	cflags=(-O2 -g -target bpf -I"/usr/include/$(${CC:-cc} -print-multiarch 2>/dev/null)"
		-fbracket-depth=1024)

	while IFS= read -r line; do
		[ -n "$line" ] && parts+=("${line%%:*}")
	done <<<"$BPF_PARTS"
	want=$(printf '%s\n' "${parts[@]}" | sort)
	out=$(for f in compiler/bpf/*.bpf.h; do basename "$f" .bpf.h; done | sort)
	if [ "$want" = "$out" ]; then
		pass bpf/listed
	else
		fail bpf/listed "compiler/bpf/*.bpf.h and BPF_PARTS (tests/run.sh) differ (- listed, + files):
$(diff <(echo "$want") <(echo "$out") | grep '^[<>]' | sed 's/^</-/; s/^>/+/')"
	fi

	have bpf/lwtc "$LWTC" || return
	printf '%s\n' "$BPF_CONTEXT_POLICY" > "$d/context.lwtp"
	if ! out=$("$LWTC" -S "$d/context.lwtp" -o "$d/context.out" 2>&1); then
		fail bpf/context "lwtc -S failed:
$out"
		return
	fi
	awk -v stop="$(head -n1 compiler/bpf/parse.bpf.h)" '$0 == stop { exit } { print }' \
		"$d/context.out" > "$d/context.h"

	# each part on its own: the context, the parts it needs, the part
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		part=${line%%:*}
		deps=
		[ "$part" != "$line" ] && deps=${line#*:}
		{
			echo "#include \"$d/context.h\""
			for f in $deps $part; do
				echo "#include \"$ROOT/compiler/bpf/$f.bpf.h\""
			done
		} > "$d/$part.c"
		run "bpf/$part" "$clang" "${cflags[@]}" -Wall -Werror -c "$d/$part.c" -o "$d/$part.o"
	done <<<"$BPF_PARTS"

	# lwtc writes the parts as they are, and its C compiles standalone
	printf '%s\n' "$BPF_EVERY_POLICY" > "$d/every.lwtp"
	if ! out=$("$LWTC" -S "$d/every.lwtp" -o "$d/every.c" 2>&1); then
		fail bpf/embedded "lwtc -S failed:
$out"
		return
	fi
	tr '\n' '\001' < "$d/every.c" > "$d/every.line"
	out=
	for part in "${parts[@]}"; do
		tr '\n' '\001' < "compiler/bpf/$part.bpf.h" > "$d/part.line"
		grep -qF -f "$d/part.line" "$d/every.line" || out="$out
compiler/bpf/$part.bpf.h"
	done
	# and each type of the contract, as include/lwtp_contract.h writes it
	mkdir -p "$d/contract"
	awk -v dir="$d/contract" '/^\/\* @part [A-Za-z0-9_]+ \*\/$/ { out = dir "/" $3; printf "" > out; next }
		/^\/\* @end \*\/$/ { close(out); out = ""; next }
		out != "" { print > out }' include/lwtp_contract.h
	for f in "$d"/contract/*; do
		tr '\n' '\001' < "$f" > "$d/part.line"
		grep -qF -f "$d/part.line" "$d/every.line" || out="$out
include/lwtp_contract.h, @part ${f##*/}"
	done
	if [ -z "$out" ] && [ -n "$(ls "$d/contract")" ]; then
		pass bpf/embedded
	else
		fail bpf/embedded "not in lwtc -S's C as in the file:$out"
	fi
	run bpf/standalone "$clang" "${cflags[@]}" -c "$d/every.c" -o "$d/every.o"
}

# ---- load ---------------------------------------------------------------

# Whether a tests/ policy is meant to compile: everything but diag policies
# whose expectation is a failure.
meant_to_compile() {
	case $1 in
	tests/diag/*)
		[ "$(head -n1 "${1%.lwtp}.expected" 2>/dev/null)" = "exit 0" ]
		;;
	tests/hostile/*) return 1 ;;     # the hostile suite knows which
	*) return 0 ;;
	esac
}

suite_load() {
	local f name out i=0
	for f in policies/*.lwtp $(find tests -name '*.lwtp' | sort); do
		[ -f "$f" ] || continue
		meant_to_compile "$f" || continue
		name="load/$(rel "$f")"
		have "$name" "$LWTC" "$T/loadcheck" || continue
		i=$((i + 1))
		# shellcheck disable=SC2046
		if ! out=$(timeout "$TIMEOUT" "$LWTC" $(cat "${f%.lwtp}.args" 2>/dev/null) "$f" \
			-o "$TMP/load$i.o" 2>&1); then
			fail "$name" "lwtc $f failed:
$out"
			continue
		fi
		run "$name" "$T/loadcheck" "$TMP/load$i.o"
	done
}

# ---- diag ---------------------------------------------------------------

suite_diag() {
	local f base name want got rc args
	for f in tests/diag/*.lwtp; do
		[ -f "$f" ] || continue
		base=$(basename "$f" .lwtp)
		name="diag/$base"
		have "$name" "$LWTC" || continue
		# NAME.args: more lwtc options, on one line (--target-kernel 6.12)
		args=$(cat "tests/diag/$base.args" 2>/dev/null)
		# shellcheck disable=SC2086
		got=$(cd tests/diag && timeout "$TIMEOUT" "$LWTC" --check $args "$base.lwtp" 2>"$TMP/stderr" >"$TMP/stdout"; echo "exit $?")
		rc=${got#exit }
		if [ "$rc" = 124 ]; then
			fail "$name" "lwtc --check timed out"
			continue
		fi
		if [ -n "${UPDATE:-}" ]; then
			{ echo "exit $rc"; cat "$TMP/stderr"; } > "tests/diag/$base.expected"
		fi
		if [ ! -f "tests/diag/$base.expected" ]; then
			fail "$name" "tests/diag/$base.expected: missing (UPDATE=1 make test writes it)"
			continue
		fi
		if [ -s "$TMP/stdout" ]; then
			fail "$name" "lwtc --check wrote to stdout:
$(cat "$TMP/stdout")"
			continue
		fi
		{ echo "exit $rc"; cat "$TMP/stderr"; } > "$TMP/got"
		if cmp -s "tests/diag/$base.expected" "$TMP/got"; then
			pass "$name"
		else
			fail "$name" "differs from tests/diag/$base.expected (- expected, + got):
$(diff -u "tests/diag/$base.expected" "$TMP/got" | tail -n +3)"
		fi
	done
}

# ---- behaviour ----------------------------------------------------------

# Each case also goes through `lwtp replay` (caserun -r), its captures in
# a link type and file format that change from case to case, so that every
# reader of replay's runs on every run of the suite.
BEHAVIOUR_LINKS=("-l ether" "-l sll2 -n" "-l vlan" "-l raw -n" "-l sll" "-l qinq -n" "-l null" "-l ether -n")

suite_behaviour() {
	local c name i=0
	for c in tests/behaviour/*.case; do
		[ -f "$c" ] || continue
		name="behaviour/$(basename "${c%.case}")"
		have "$name" "$T/caserun" "$LWTP" || continue
		# shellcheck disable=SC2086
		run "$name" "$T/caserun" -c "$LWTC" -r "$LWTP" ${BEHAVIOUR_LINKS[i++ % ${#BEHAVIOUR_LINKS[@]}]} "$c"
	done
	# a case of several policies again, compiled in two parts and linked
	# (LWTC_PARTS, compiler/parts.c): the same packets, the same maps
	for c in tests/behaviour/*.case; do
		[ -f "$c" ] || continue
		[ "$(grep -c '^ *\(audit \)\?policy ' "$c")" -ge 2 ] || continue
		name="behaviour/$(basename "${c%.case}")/parts"
		have "$name" "$T/caserun" "$LWTP" || continue
		run "$name" env LWTC_PARTS=2 "$T/caserun" -c "$LWTC" -r "$LWTP" "$c"
	done
}

# ---- replay ---------------------------------------------------------------

suite_replay() {
	local s name
	for s in tests/replay/*.sh; do
		[ "$(basename "$s")" = lib.sh ] && continue
		name="replay/$(basename "${s%.sh}")"
		run "$name" bash "$s"
	done
}

# ---- e2e ----------------------------------------------------------------

suite_e2e() {
	local s name
	for s in tests/e2e/*.sh; do
		[ "$(basename "$s")" = lib.sh ] && continue
		[ "$(basename "$s")" = traffic.sh ] && continue
		name="e2e/$(basename "${s%.sh}")"
		run "$name" bash "$s"
	done
}

suite_runtime() {
	local s
	for s in tests/runtime/*.sh; do
		[ "$(basename "$s")" = lib.sh ] && continue
		run "runtime/$(basename "${s%.sh}")" bash "$s"
	done
}

# ---- hostile, property, asan ----------------------------------------------

. tests/hostile/suite.sh
. tests/property/suite.sh

# The whole suite again with the sanitizer builds of lwtc and lwtp, in a
# nested run whose lines are renamed asan/SUITE/NAME. Leaks are errors too,
# but those inside the libraries (tests/lsan.supp). ASan's reports go to
# files, not to stderr, so that a test that expects a failure or discards
# stderr cannot hide one: asan/reports fails with every report the run
# wrote. gcc's UBSan, next to ASan, writes to stderr whatever log_path says;
# it exits 99, which neither tool does.
suite_asan() {
	local out line logs f
	have asan/lwtc "$B/asan/lwtc" "$B/asan/lwtp" || return
	# lwtp also runs as nobody (runtime/errors): a directory anyone can write
	logs=$(mktemp -d /tmp/lwtp-asan.XXXXXX) && chmod 1777 "$logs" || return
	out=$(LWTC=$B/asan/lwtc LWTP=$B/asan/lwtp LWTP_TEST_TOOLS=$B/tests \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=$logs/asan:log_exe_name=1 \
		LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0 \
		UBSAN_OPTIONS=print_stacktrace=1:exitcode=99 \
		bash tests/run.sh ${ASAN_SUITES:-tools load diag behaviour replay e2e runtime hostile property} 2>&1)
	while IFS= read -r line; do
		case $line in
		"ok   "*) echo "ok   asan/${line#ok   }"; PASSED=$((PASSED + 1)) ;;
		"FAIL "*) echo "FAIL asan/${line#FAIL }"; FAILED=$((FAILED + 1)) ;;
		*" passed, "*" failed") ;;
		*) echo "$line" ;;
		esac
	done <<<"$out"
	if [ -z "$(ls -A "$logs")" ]; then
		pass asan/reports
	else
		fail asan/reports "$(for f in "$logs"/*; do echo "== $f"; cat "$f"; done)"
	fi
	rm -rf "$logs"
}

# ---- main ---------------------------------------------------------------

suites=("$@")
[ ${#suites[@]} = 0 ] && suites=(tools bpf load diag behaviour replay e2e runtime hostile property asan)
for s in "${suites[@]}"; do
	case $s in
	tools | bpf | load | diag | behaviour | replay | e2e | runtime | hostile | property | asan) "suite_$s" ;;
	*)
		echo "run.sh: unknown suite '$s' (tools bpf load diag behaviour replay e2e runtime hostile property asan)" >&2
		exit 2
		;;
	esac
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
