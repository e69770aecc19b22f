#!/bin/bash
# tests/kernels/prepare.sh STAGE RESULTS CHECKS: the host's part of the
# kernel matrix (run.sh runs it before booting anything). Clang under
# emulation is slow, so everything a guest needs is compiled here, once for
# every kernel:
#
#   STAGE/             a frozen copy of what the guests run: build/lwtc,
#                      build/lwtp, build/tests/*, out/*.o, policies/,
#                      tests/{e2e,kernels,behaviour}; a 'make' on the host
#                      while the guests run changes nothing they see
#   STAGE/load/        the 'load' check: list.tsv (NAME, object, the oldest
#                      kernel it is for, source, lwtc options) and the
#                      objects: every policy of policies/ and tests/ meant
#                      to compile (as tests/run.sh's load suite chooses them,
#                      with the options of NAME.args), and KERNEL_PROPERTY_N
#                      generated policies (build/tests/genpolicy, 8 a file,
#                      as the property suite), in load/property/
#   STAGE/replay/      the 'replay' check: capture.pcap (replay.packets),
#                      list (OBJECT SECTION), ref/OBJECT.SECTION.json: what
#                      lwtp replay says on the host, normalized (replay_norm)
#   STAGE/config       LWTC_CACHE_DIR, for the guests
#
# Every compile goes through lwtc-cache.sh in record mode, into a cache
# named after lwtc's and clang's identity (build/kernels/lwtc-cache/): a run
# after one that compiled the same sources with the same lwtc compiles
# nothing. The behaviour cases run here, on the host's kernel, with the
# same wrapper: that fills the cache for the guests' caserun, which
# replays it, and checks the cases on the host.
#
# Results (lib.sh's rows) go to RESULTS/results.tsv: compile/NAME (lwtc
# refused a policy meant to compile), behaviour/NAME (the cases on the
# host), replay/OBJECT.SECTION (the references). Compiles and cases run in
# parallel, a worker per CPU.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
STAGE=$1 RESULTS=$2 CHECKS=$3
. tests/kernels/lib.sh
PROPERTY_N=${KERNEL_PROPERTY_N:-400}
PROPERTY_SEED=${PROPERTY_SEED:-1}
PER_FILE=8
TO=300 JOBS=$(nproc)
has() { case ",$CHECKS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

# ---- the stage: a copy of what the guests run --------------------------------
S=$STAGE
rm -rf "$S"
mkdir -p "$S/build/tests" "$S/out" "$S/tests" "$S/load/property" "$S/replay/ref" "$S/work" || exit 2
cp build/lwtc build/lwtp "$S/build/" &&
	cp build/tests/loadcheck build/tests/caserun build/tests/mapdump build/tests/sendudp \
		build/tests/sendpkt build/tests/pcapgen "$S/build/tests/" &&
	cp out/*.o "$S/out/" &&
	cp -r policies "$S/" &&
	cp -r tests/e2e tests/kernels tests/behaviour "$S/tests/" || exit 2
WORK=$S/work                     # this run's scratch files

# ---- the compile cache: one directory per lwtc and clang -----------------------
salt=$({ cat "$S/build/lwtc" tests/kernels/lwtc-cache.sh; clang --version 2>&1 | head -1; } |
	sha256sum | cut -c1-16)
CACHE=$ROOT/build/kernels/lwtc-cache/$salt
mkdir -p "$CACHE" || exit 2
# objects of other compilers are of no use any more
find "$ROOT/build/kernels/lwtc-cache" -mindepth 1 -maxdepth 1 ! -name "$salt" -exec rm -rf {} +
echo "LWTC_CACHE_DIR='$CACHE'" > "$S/config"
export LWTC_CACHE_DIR=$CACHE LWTC_REAL=$S/build/lwtc LWTC_CACHE_MODE=record

# ---- load: the policies meant to compile, and generated ones --------------------

# As tests/run.sh's meant_to_compile: every policy but the diag ones whose
# expectation is a failure, and the hostile ones (their suite decides)
meant_to_compile() {
	case $1 in
	tests/diag/*) [ "$(head -n1 "${1%.lwtp}.expected" 2> /dev/null)" = "exit 0" ] ;;
	tests/hostile/*) return 1 ;;
	*) return 0 ;;
	esac
}

# compile_one "NAME<tab>OBJECT<tab>KERNEL<tab>SOURCE<tab>OPTIONS" (a line of
# list.tsv, "-" for no KERNEL, no OPTIONS: read collapses empty fields
# between tabs): lwtc, through the cache; a refusal is a host failure
compile_one() {
	local name obj target src args
	IFS=$'\t' read -r name obj target src args <<< "$1"
	[ "$args" = - ] && args=
	# shellcheck disable=SC2086
	if timeout "$TO" "$S/tests/kernels/lwtc-cache.sh" $args "$src" -o "$S/$obj" > "$OUT" 2>&1; then
		row compile "$name" ok
	else
		row compile "$name" FAIL "lwtc $args $src: $(head -2 "$OUT")"
	fi
}

if has load; then
	# list.tsv: KERNEL is X.Y from --target-kernel in NAME.args, the lwtc
	# options of a test policy: a guest with an older kernel leaves it out
	i=0
	for f in policies/*.lwtp $(find tests -name '*.lwtp' | sort); do
		meant_to_compile "$f" || continue
		i=$((i + 1))
		args=$(cat "${f%.lwtp}.args" 2> /dev/null)
		target=$(echo "$args" | sed -n 's/.*--target-kernel[ =]\([0-9]*\.[0-9]*\).*/\1/p')
		printf '%s\tload/%s.o\t%s\t%s\t%s\n' "${f%.lwtp}" "$i" "${target:--}" "$ROOT/$f" "${args:--}"
	done > "$S/load/list.tsv"
	for ((n = 0; n * PER_FILE < PROPERTY_N; n++)); do
		seed=$((PROPERTY_SEED + n))
		f=$S/load/property/seed-$seed.lwtp
		build/tests/genpolicy "$seed" "$PER_FILE" > "$f" ||
			{ row compile "property/seed-$seed" FAIL "genpolicy $seed $PER_FILE failed"; continue; }
		printf 'property/seed-%s\tload/property/seed-%s.o\t-\t%s\t-\n' "$seed" "$seed" "$f"
	done >> "$S/load/list.tsv"
	in_parallel compile_one "$S/load/list.tsv"
fi

# ---- behaviour: the cases on the host, which fills the cache ---------------------
if has behaviour; then
	(cd "$S" && behaviour_list > "$WORK/cases" && in_parallel behaviour_one "$WORK/cases")
fi

# ---- replay: the capture, and what the host kernel makes of it -------------------
if has replay; then
	grep -v '^#' tests/kernels/replay.packets | "$S/build/tests/pcapgen" -o "$S/replay/capture.pcap" ||
		row replay capture FAIL "pcapgen could not write tests/kernels/replay.packets"
	for o in "$S"/out/*.o; do
		o=$(basename "$o" .o)
		for s in $(sections "$S/out/$o.o"); do
			echo "$o $s" >> "$S/replay/list"
			OUT=$WORK/replay.err
			if timeout "$TO" "$S/build/lwtp" --json replay "$S/out/$o.o" "$s" "$S/replay/capture.pcap" \
				> "$WORK/replay.json" 2> "$OUT" &&
				replay_norm < "$WORK/replay.json" > "$S/replay/ref/$o.$s.json"; then
				row replay "$o.$s" ok
			else
				rm -f "$S/replay/ref/$o.$s.json"
				row replay "$o.$s" FAIL "$(key_message "$(keep replay "$o.$s")")"
			fi
		done
	done
fi
rm -rf "$WORK"
exit 0
