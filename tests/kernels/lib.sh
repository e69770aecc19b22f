# tests/kernels/lib.sh: what the host side (run.sh, prepare.sh, report.sh)
# and the guests (guest.sh) share. Sourced.
#
# A result is a line of RESULTS/results.tsv, four fields separated by tabs:
#   CHECK   objects | load | behaviour | replay; compile (on the host:
#           prepare.sh), guest (run.sh: did the guest get to the end)
#   NAME    what was checked: an object, a policy, a case
#   STATUS  ok | FAIL | skip (not for this kernel: neither passed nor failed)
#   WHY     for a FAIL, one line: the verifier's key message, or the first
#           thing that went wrong; for a skip, why

# row CHECK NAME ok|FAIL|skip [WHY]: record a result in $ROWS (default
# $RESULTS/results.tsv) and say it as tests/run.sh does ("ok   CHECK/NAME",
# "FAIL CHECK/NAME: WHY").
row() {
	local why=${4:-}
	why=${why//[$'\t\n\r']/ }
	why=${why:0:300}
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$why" >> "${ROWS:-$RESULTS/results.tsv}"
	case $3 in
	ok) echo "ok   $1/$2" ;;
	skip) echo "skip $1/$2: $why" ;;
	*) echo "FAIL $1/$2: $why" ;;
	esac
}

# key_message FILE: why something failed, in one line. When FILE holds a
# verifier log (loadcheck's and caserun's "--- verifier log ... ---", or
# libbpf's "-- BEGIN PROG LOAD LOG --", as ip and lwtp print it), the
# verifier's last words: the lines after its last instruction trace, without
# the statistics ("processed N insns ..."), and "[at: SOURCE]", the last
# line of the generated C it showed before them. Otherwise the first two
# lines that say something.
key_message() {
	awk '
	# the lines of a verifier log that trace instructions and states
	function trace(l) {
		return l ~ /^[0-9]+: / || l ~ /^; / || l ~ /^from [0-9]+ to [0-9]+/ ||
		       l ~ /^(mark_precise|last_idx|parent|regs=|propagating|frame[0-9]|func#|Func#|Live regs|Global function)/ ||
		       l ~ /^[ \t]/
	}
	function noise(l) {
		return l ~ /^processed [0-9]+ insns/ || l ~ /^verification time/ ||
		       l ~ /^stack depth/ || l ~ /^[ \t]*$/
	}
	/^--- verifier log of|-- BEGIN PROG LOAD LOG --/ { inlog = 1; n = 0; src = ""; next }
	/^--- end of log ---|-- END PROG LOAD LOG --/ {
		inlog = 0
		if (n) { k = n; at = msgat; for (i = 0; i < n; i++) key[i] = msg[i] }
		next
	}
	inlog && /^; ./ { src = substr($0, 3); sub(/ @ .*/, "", src); gsub(/^[ \t]+|[ \t]+$/, "", src) }
	inlog && trace($0) { n = 0; next }
	inlog && !noise($0) { if (!n) msgat = src; msg[n++] = $0; next }
	!inlog && !noise($0) && other < 2 && !/^lwtp: replay: / { first[other++] = $0 }
	END {
		out = ""
		if (k) {
			for (i = (k > 2 ? k - 2 : 0); i < k; i++) out = out (out == "" ? "" : " / ") key[i]
			if (at != "") out = out " [at: " substr(at, 1, 90) "]"
		} else {
			for (i = 0; i < other; i++) out = out (out == "" ? "" : " | ") first[i]
		}
		print (out == "" ? "(no output)" : out)
	}' "$1"
}

# ---- running items: in the guests (guest.sh) and on the host (prepare.sh)
# These need RESULTS, TO (seconds for one item), JOBS (workers) and WORK (a
# scratch folder of this run's own).

# in_parallel FUNC LIST: FUNC ITEM for each line of LIST, by JOBS workers
# (one per CPU; under TCG each guest CPU is a host thread): worker W takes
# the lines W, W + JOBS, ...; FUNC makes one row per item, in the worker's
# own ROWS file, and the rows go to RESULTS/results.tsv in LIST's order.
# OUT is the worker's file for a command's output.
in_parallel() {
	local fn=$1 list=$2 w rows=()
	for ((w = 0; w < JOBS; w++)); do
		rows+=("$WORK/rows.$w")
		(
			ROWS=$WORK/rows.$w OUT=$WORK/out.$w i=0
			: > "$ROWS"
			while IFS= read -r item; do
				[ $((i++ % JOBS)) = "$w" ] && "$fn" "$item"
			done < "$list"
		) &
	done
	wait
	paste -d '\n' "${rows[@]}" | grep -v '^$' >> "$RESULTS/results.tsv"
	rm -f "${rows[@]}"
}

# keep CHECK NAME: keep $OUT as the failure's log, RESULTS/CHECK/NAME.log
# (slashes of NAME as _); prints the log's path
keep() {
	local l=$RESULTS/$1/${2//\//_}.log
	mkdir -p "$RESULTS/$1"
	cp "$OUT" "$l"
	echo "$l"
}

# behaviour_one "N CASE": a behaviour case through caserun and lwtp
# replay (-r), as tests/run.sh runs it, in the Nth of BEHAVIOUR_LINKS (they
# take turns), lwtc being lwtc-cache.sh (LWTC_CACHE_MODE says record or
# replay). Paths are the stage's: run in it.
behaviour_one() {
	local n=${1%% *} c=${1#* } name link
	name=${c##*/}
	name=${name%.case}
	link=${BEHAVIOUR_LINKS[n % ${#BEHAVIOUR_LINKS[@]}]}
	# shellcheck disable=SC2086
	if timeout "$TO" build/tests/caserun -c tests/kernels/lwtc-cache.sh -r build/lwtp \
		$link "$c" > "$OUT" 2>&1; then
		row behaviour "$name" ok
	else
		row behaviour "$name" FAIL "$(key_message "$(keep behaviour "$name")")"
	fi
}

# The link types and capture formats the behaviour cases go through, in
# turn (as tests/run.sh's BEHAVIOUR_LINKS)
BEHAVIOUR_LINKS=("-l ether" "-l sll2 -n" "-l vlan" "-l raw -n" "-l sll" "-l qinq -n" "-l null" "-l ether -n")

# behaviour_list: the cases, "N CASE" lines for behaviour_one
behaviour_list() {
	local c i=0
	for c in tests/behaviour/*.case; do echo "$((i++)) $c"; done
}

# ---- objects and replays

# sections OBJ: the programs (ELF sections) of a BPF object, one a line
sections() {
	readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) *PROGBITS .* AX .*/\1/p' | grep -vx '\.text'
}

# replay_norm: lwtp replay --json's output, without what may differ from
# run to run or from kernel to kernel without being wrong: the capture's
# path, which packets the 1/N sampling picked (bpf_get_prandom_u32) and how
# many samples it wrote, a rate limit's tokens (refilled with time)
replay_norm() {
	jq -S 'del(.capture) | del(.packets[]?.sampled)
		| del(.statistics.maps[]?.samples)
		| del(.statistics.maps[]?.entries[]?.tokens)'
}
