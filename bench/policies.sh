#!/bin/bash
# bench/policies.sh: every program of every policy (out/*.o, one per
# section) against its hand-written reference (bench/NAME_ref.bpf.c) and an
# empty program (bench/empty.bpf.c): ns/packet under BPF_PROG_TEST_RUN as
# medians of per-round ratios (build/bench/bench), on the packets of
# bench/packets.txt, once build/bench/refcheck has found that the reference
# does the same with them; then what the verifier and the JIT make of each
# (build/tests/loadcheck -v). Prints two Markdown sections. Exit 1 when a
# reference disagrees; a policy without one (customer_marks, per_realm) is
# measured against the empty program, its row saying "no reference".
#
#   bash bench/policies.sh        (make bench; BENCH_ROUNDS rounds, 31)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

# OBJ SECTION INSNS VERIFIED_INSNS JITED_BYTES, one line a program
programs() {
	build/tests/loadcheck -v "$@" |
		awk '{ sub(/:$/, "", $1); sub(/:$/, "", $3); print $1, $3, $5, $7, $9 }'
}

# packet_lines SECTION KIND: bench/packets.txt's lines for the section:
# measure: LABEL<tab>PACKET; check: every packet; ignore: the field names
packet_lines() {
	awk -F '|' -v s="$1" -v kind="$2" '
		/^[ \t]*(#|$)/ { next }
		{ for (i = 1; i <= 3; i++) gsub(/^[ \t]+|[ \t]+$/, "", $i) }
		$1 != s { next }
		kind == "measure" && $2 != "check" && $2 != "ignore" { print $2 "\t" $3 }
		kind == "check" && $2 != "ignore" { print $3 }
		kind == "ignore" && $2 == "ignore" { print $3 }' bench/packets.txt
}

# check OBJ SECTION REF: "ok" when refcheck finds the reference does the
# same on every packet of the section, else "DIFFERS" (details on stderr)
check() {
	local args=() p f
	while IFS= read -r p; do
		args+=(-p "$p")
	done < <(packet_lines "$2" check)
	for f in $(packet_lines "$2" ignore); do
		args+=(-x "$f")
	done
	[ ${#args[@]} -gt 0 ] || args=(-p "ip4 udp payload 100")
	if $B/refcheck "${args[@]}" "$1:$2" "$3:$2" > "$TMP/check" 2>&1; then
		echo ok
	else
		sed "s/^/    $2: /" "$TMP/check" >&2
		echo DIFFERS
	fi
}

# measure OBJ SECTION REF LABEL PACKET CHECK: a row of the speed table
measure() {
	local ref=$3:$2
	[ -e "$3" ] || ref=$EMPTY
	$B/bench -m -r "$BENCH_ROUNDS" -p "$5" "$ref" "$1:$2" "$EMPTY" |
		awk -F '\t' -v s="$2" -v label="$4" -v check="$6" -v noref="$([ -e "$3" ] || echo 1)" '
			{ verdict[NR] = $2; ns[NR] = $3; rref[NR] = $5; rfloor[NR] = $6; own[NR] = $7 }
			END {
				if (noref)
					ns[1] = rfloor[1] = rref[2] = own[2] = "-"
				print s, label, verdict[2], ns[2], ns[1], ns[3], rfloor[2], rfloor[1],
				      rref[2], own[2], check
			}' OFS='\t'
}

TMP=$(mktemp -d /tmp/lwtp-bench-policies.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
status=0
programs out/*.o > "$TMP/generated"
printf 'policy\tpacket\tverdict\tgen ns\tref ns\tempty ns\tgen/empty\tref/empty\tgen/ref\t' > "$TMP/speed"
printf 'own gen/ref\tcheck\n' >> "$TMP/speed"
printf 'policy\tgen insns\tgen verified\tgen JIT bytes\tref insns\tref verified\tref JIT bytes\n' \
	> "$TMP/size"
while read -r obj section insns verified jited; do
	ref=$B/$(basename "$obj" .o)_ref.bpf.o
	if [ -e "$ref" ]; then
		checked=$(check "$obj" "$section" "$ref")
		read -r _ _ rinsns rverified rjited < <(programs "$ref" | awk -v s="$section" '$2 == s') ||
			rinsns=- rverified=- rjited=-
	else
		checked="no reference"
		rinsns=- rverified=- rjited=-
	fi
	# a disagreement fails the run; a policy without a reference has
	# its own rows, without ratios to one
	[ "$checked" = ok ] || [ "$checked" = "no reference" ] || status=1
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$section" "$insns" "$verified" "$jited" \
		"${rinsns:--}" "${rverified:--}" "${rjited:--}" >> "$TMP/size"
	packets=$(packet_lines "$section" measure)
	[ -n "$packets" ] || packets=$(printf 'IPv4 UDP, 128 B\tip4 udp payload 100')
	while IFS=$'\t' read -r label packet; do
		measure "$obj" "$section" "$ref" "$label" "$packet" "$checked" >> "$TMP/speed"
	done <<< "$packets"
done < "$TMP/generated"

cat <<EOF2
## Policies: generated code against hand-written C

Every program of every policy (gen: lwtc's, \`out/*.o\`, a section each)
against a hand-written C program that does the same (ref:
\`bench/NAME_ref.bpf.c\`; for len_hist, the kernel documentation's own
example) and against an empty program (\`bench/empty.bpf.c\`), under
\`BPF_PROG_TEST_RUN\`: $BENCH_ROUNDS rounds of 1,000,000 runs of each, in turn, the
order rotating. Ratios are medians of per-round ratios, ns/packet medians of
rounds. "own gen/ref" is (gen - empty) / (ref - empty): the programs' own
work with the test-run harness taken out (noisy where both are close to
empty). The verdict is lwtc's program's in the measured runs. "check" is
\`build/bench/refcheck\` on the packets of \`bench/packets.txt\`: ok when the
reference gives the same verdicts, metadata and map contents.

EOF2
md_table < "$TMP/speed"
cat <<EOF2

## Policies: verifier and JIT

Per program, loaded as \`BPF_PROG_TYPE_LWT_OUT\` (\`build/tests/loadcheck -v\`):
instructions in the object, instructions the verifier processed
(\`verified_insns\`) and the JIT-ed size, for lwtc's program and the reference.

EOF2
md_table < "$TMP/size"
exit $status
