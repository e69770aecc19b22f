#!/bin/bash
# tests/kernels/report.sh RESULTS LABEL...: the kernel matrix's report, from
# RESULTS/LABEL/results.tsv (lib.sh's rows) of each LABEL ("host" is the
# host's part, prepare.sh's): one table, a row per kernel and a column per
# check, cells "N ok", "N ok M FAIL", and "K skip" for what was not for that
# kernel (neither passed nor failed); then every failure with its reason
# (the verifier's key message) and the failures counted by reason, and the
# skips; last, "N passed, N failed".
# Exit 1 when anything failed.
set -u
R=$1
shift
CHECKS=(compile objects load behaviour replay guest)

# the table, as rows of cells: a header, then a row per kernel
rows=("kernel|${CHECKS[*]}|time")
rows[0]=${rows[0]// /|}
passed=0 failed=0 skipped=0
for l in "$@"; do
	row="$l $(cat "$R/$l/kernel" 2> /dev/null || cut -d' ' -f1 "$R/$l/package" 2> /dev/null)"
	for c in "${CHECKS[@]}"; do
		read -r ok bad skip < <(awk -F'\t' -v c="$c" '
			$1 == c { if ($3 == "ok") ok++; else if ($3 == "skip") skip++; else bad++ }
			END { print ok + 0, bad + 0, skip + 0 }' "$R/$l/results.tsv" 2> /dev/null || echo 0 0 0)
		passed=$((passed + ok)) failed=$((failed + bad)) skipped=$((skipped + skip))
		cell=-
		if [ $((ok + bad + skip)) != 0 ]; then
			cell="$ok ok"
			[ "$bad" = 0 ] || cell="$cell $bad FAIL"
			[ "$skip" = 0 ] || cell="$cell $skip skip"
		fi
		row="$row|$cell"
	done
	rows+=("$row|$(cat "$R/$l/wall" 2> /dev/null || echo "?") s")
done
printf '%s\n' "${rows[@]}" | column -t -s '|' -o '   '

# list ok|FAIL|skip: the rows of that status, "LABEL CHECK/NAME: WHY"
list() {
	local l
	for l in "$@"; do
		awk -F'\t' -v l="$l" -v st="$STATUS" '$3 == st { printf "  %-5s %s/%s: %s\n", l, $1, $2, $4 }' \
			"$R/$l/results.tsv" 2> /dev/null
	done
}
# reasons: the failures of each kernel counted by reason, numbers that
# differ from program to program (registers, ids, instructions) as #
reasons() {
	local l
	for l in "$@"; do
		awk -F'\t' '$3 == "FAIL" { print $4 }' "$R/$l/results.tsv" 2> /dev/null |
			sed -E 's/\b(R|id=|alloc_insn=|insn |insn=)[0-9]+/\1#/g' | sort | uniq -c | sort -rn |
			awk -v l="$l" '{ n = $1; sub(/^ *[0-9]+ /, ""); printf "  %-5s %5d  %s\n", l, n, $0 }'
	done
}

if [ "$skipped" != 0 ]; then
	echo
	echo "skipped (not for that kernel):"
	STATUS=skip list "$@"
fi
if [ "$failed" != 0 ]; then
	echo
	echo "failures (logs in $R/KERNEL/CHECK/):"
	STATUS=FAIL list "$@"
	echo
	echo "failures by reason:"
	reasons "$@"
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
