#!/bin/bash
# tests/kernels/guest.sh: what a guest of the kernel matrix runs, as root,
# in a chroot of the host's root filesystem (read-only) on the guest's own
# kernel; init starts it. Everything comes from the stage prepare.sh made
# on the host: nothing is compiled here (clang under emulation is slow).
#
# Environment (from init): STAGE, RESULTS (shared with the host, writable),
# CHECKS (comma-separated), LABEL (the kernel's name in the matrix),
# CHECK_TIMEOUT (seconds for one object, policy or case).
#
# Checks, each a group of lib.sh rows in RESULTS/results.tsv:
#   objects    objects.sh on every out/*.o: plain ip route, real traffic,
#              exact counts (mapdump and lwtp stat --json)
#   load       loadcheck on every object of STAGE/load/list.tsv
#   behaviour  caserun on tests/behaviour/*.case, lwtc replaced by
#              lwtc-cache.sh in replay mode (the host's objects)
#   replay     lwtp replay --json of STAGE/replay/capture.pcap through every
#              program, against what the host said (STAGE/replay/ref)
# What failed keeps its log in RESULTS/CHECK/NAME.log; RESULTS/times has
# the seconds each check took, RESULTS/kernel the kernel's release, and
# RESULTS/done appears when the guest got to the end.
#
# Under emulation each process started costs a few hundred milliseconds:
# the loops start no more than the check needs.
set -u
cd "$STAGE" || exit 2
. tests/kernels/lib.sh
. ./config
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp
TO=${CHECK_TIMEOUT:-300}
WORK=/tmp/kernels                # the guest's own tmpfs
OUT=$WORK/out                    # a command's output, kept when it failed
JOBS=$(nproc)                    # workers for load and behaviour
mkdir -p "$WORK"

# objects.sh runs them all in one go (namespaces made once): a line
# "RESULT OBJ STATUS SECONDS" each, the details in objects/OBJ.log
check_objects() {
	local objs=() o st l why
	for o in out/*.o; do
		o=${o#out/}
		objs+=("${o%.o}")
	done
	timeout $((TO * ${#objs[@]})) bash tests/kernels/objects.sh "$RESULTS/objects" "${objs[@]}" \
		> "$RESULTS/objects/results" 2>&1
	for o in "${objs[@]}"; do
		l=$RESULTS/objects/$o.log
		st=$(sed -n "s/^RESULT $o \([0-9]*\) .*/\1/p" "$RESULTS/objects/results")
		case $st in
		0) row objects "$o" ok; continue ;;
		2) why=$(key_message "$l") ;;       # ip refused it: the verifier's words
		1) why=$(grep -m3 '^BAD\|^    [-+]' "$l" | tr '\n' ' ') ;;
		*) why="no result: objects.sh stopped ($(tail -1 "$RESULTS/objects/results"))" ;;
		esac
		row objects "$o" FAIL "${why:-$(tail -1 "$l")}"
	done
}

# older KERNEL: whether this kernel (uname -r) is older than KERNEL (X.Y)
older() {
	local want=$1 rmaj rmin
	IFS=. read -r rmaj rmin _ <<< "$KREL"
	rmin=${rmin%%[!0-9]*}
	[ "$rmaj" -lt "${want%%.*}" ] || { [ "$rmaj" = "${want%%.*}" ] && [ "$rmin" -lt "${want#*.}" ]; }
}

# load_one "NAME<tab>OBJECT<tab>KERNEL<tab>...": a line of load/list.tsv
# (prepare.sh); a policy compiled with --target-kernel for a newer KERNEL
# than this one is left out (a "skip" row)
load_one() {
	local name obj target l
	IFS=$'\t' read -r name obj target _ <<< "$1"
	if [ "$target" != - ] && older "$target"; then
		row load "$name" skip "compiled for $target and later (--target-kernel)"
	elif [ ! -f "$obj" ]; then
		row load "$name" skip "not compiled: see the host's compile/$name"
	elif timeout "$TO" build/tests/loadcheck "$obj" > "$OUT" 2>&1; then
		row load "$name" ok
	else
		l=$(keep load "$name")
		# a generated policy: keep it too, to reduce it by hand
		[ "${name#property/}" != "$name" ] && cp "${obj%.o}.lwtp" "${l%.log}.lwtp"
		row load "$name" FAIL "$(key_message "$l")"
	fi
}
check_load() {
	in_parallel load_one load/list.tsv
}

check_behaviour() {
	export LWTC_CACHE_DIR LWTC_CACHE_MODE=replay LWTC_REAL=$STAGE/build/lwtc
	behaviour_list > "$WORK/cases"
	in_parallel behaviour_one "$WORK/cases"
}

check_replay() {
	local o s ref
	while read -r o s; do
		ref=replay/ref/$o.$s.json
		if ! timeout "$TO" build/lwtp --json replay "out/$o.o" "$s" replay/capture.pcap \
			> "$WORK/replay.json" 2> "$OUT"; then
			row replay "$o.$s" FAIL "$(key_message "$(keep replay "$o.$s")")"
		elif [ ! -f "$ref" ]; then
			row replay "$o.$s" FAIL "no reference: the host's replay failed"
		elif replay_norm < "$WORK/replay.json" | diff -u "$ref" - > "$OUT"; then
			row replay "$o.$s" ok
		else
			keep replay "$o.$s" > /dev/null
			row replay "$o.$s" FAIL "differs from the host's (- host, + here): $(grep -m3 '^[-+] ' "$OUT" | tr -s ' ' | tr '\n' ' ')"
		fi
	done < replay/list
}

KREL=$(uname -r)
echo "$KREL" > "$RESULTS/kernel"
echo "guest: $LABEL, $KREL, up $(cut -d' ' -f1 /proc/uptime) s; checks: $CHECKS"
for c in ${CHECKS//,/ }; do
	mkdir -p "$RESULTS/$c"
	t0=$SECONDS
	"check_$c"
	echo "$c $((SECONDS - t0))" >> "$RESULTS/times"
done
touch "$RESULTS/done"
echo "guest: done after $(cut -d' ' -f1 /proc/uptime) s"
