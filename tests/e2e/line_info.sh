#!/bin/bash
# What the kernel says about a loaded program's lines: every instruction's
# line info names either a line of the policy (dns_guard.lwtp) or a line of
# lwtc's own code in dns_guard.c, the file 'lwtc -S policies/dns_guard.lwtp'
# writes, with that line's text, so that a verifier message points at
# something the user can open (never at lwtc's deleted temporary file).
# Also: the lines of dns_guard.c are the lines of what 'lwtc -S' writes.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

need_file "$LWTC" "make compiler"
command -v bpftool >/dev/null || fail "bpftool: not found (make deps)"
policy=$E2E_ROOT/policies/dns_guard.lwtp
must "$LWTC" "$policy" -o "$E2E_TMP/dns_guard.o"
must "$LWTC" -S "$policy" -o "$E2E_TMP/dns_guard.c"
out=$(bpftool prog load "$E2E_TMP/dns_guard.o" /sys/fs/bpf/lwtp_line_info type lwt_out 2>&1) ||
	fail "bpftool prog load failed: $out"
bpftool prog dump xlated pinned /sys/fs/bpf/lwtp_line_info linum > "$E2E_TMP/xlated" ||
	fail "bpftool prog dump xlated failed"

# "; TEXT [file:PATH line_num:N line_col:C]"
grep '^;' "$E2E_TMP/xlated" | sed -n 's/^; \(.*\) \[file:\(.*\) line_num:\([0-9]*\) line_col:[0-9]*\]$/\2\t\3\t\1/p' \
	> "$E2E_TMP/lines"
[ -s "$E2E_TMP/lines" ] || fail "no line info in the program: $(head -5 "$E2E_TMP/xlated")"
policy_lines=0 c_lines=0
while IFS=$'\t' read -r file line text; do
	[ "$line" = 0 ] && continue     # code the compiler made up, of no line
	case ${file##*/} in
	dns_guard.lwtp)
		want=$(sed -n "${line}p" "$policy")
		policy_lines=$((policy_lines + 1)) ;;
	dns_guard.c)
		want=$(sed -n "${line}p" "$E2E_TMP/dns_guard.c")
		c_lines=$((c_lines + 1)) ;;
	*)
		fail "line info names $file:$line ('$text'), neither dns_guard.lwtp nor dns_guard.c" ;;
	esac
	# bpftool shows the text without its leading blanks
	[ -n "$text" ] && [ "$(echo "$want" | sed 's/^[[:space:]]*//')" = "$text" ] ||
		fail "${file##*/}:$line is '$want', the line info says '$text'"
done < "$E2E_TMP/lines"
[ $policy_lines -gt 0 ] && [ $c_lines -gt 0 ] ||
	fail "expected lines of both files: $policy_lines of the policy, $c_lines of dns_guard.c"
echo "$policy_lines instructions' lines in dns_guard.lwtp, $c_lines in dns_guard.c"
