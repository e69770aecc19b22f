# tests/property/suite.sh: suite 'property' of tests/run.sh (sourced there).
#
# Every policy lwtc accepts must load: build/tests/genpolicy writes random
# valid policies (PROPERTY_PER_FILE, 8, to a file), lwtc must accept each
# file, and the object must pass the verifier (loadcheck). One test per
# file, named by its seed; PROPERTY_N policies in all (200; make stress:
# 5000), seeds from PROPERTY_SEED on (1). A failing file is kept in
# build/tests/property-failures/ and printed: reduce it by hand and add it
# to tests/property/regressions/ (the load suite compiles and loads those).
#
#   build/tests/genpolicy SEED 8 > x.lwtp     # the same file again

suite_property() {
	local n=${PROPERTY_N:-200} per=${PROPERTY_PER_FILE:-8} seed=${PROPERTY_SEED:-1}
	local keep=$B/tests/property-failures files i s f out rc
	have property/tools "$T/genpolicy" "$LWTC" "$T/loadcheck" || return
	files=$(((n + per - 1) / per))
	for ((i = 0; i < files; i++)); do
		s=$((seed + i))
		f=$TMP/property-$s.lwtp
		if ! "$T/genpolicy" "$s" "$per" > "$f" 2> "$TMP/gen.err"; then
			fail "property/seed-$s" "genpolicy $s $per failed: $(cat "$TMP/gen.err")"
			continue
		fi
		out=$(timeout "$TIMEOUT" "$LWTC" "$f" -o "$f.o" 2>&1)
		rc=$?
		if [ $rc = 0 ]; then
			out=$(timeout "$TIMEOUT" "$T/loadcheck" "$f.o" 2>&1)
			rc=$?
			[ $rc = 0 ] && { pass "property/seed-$s"; rm -f "$f" "$f.o"; continue; }
			out="the verifier rejects what lwtc accepted:
$out"
		elif [ $rc = 1 ]; then
			out="lwtc rejects a valid policy (or genpolicy wrote an invalid one):
$out"
		else
			out="lwtc failed (exit $rc):
$out"
		fi
		mkdir -p "$keep"
		cp "$f" "$keep/seed-$s.lwtp"
		fail "property/seed-$s" "$out
policy: $keep/seed-$s.lwtp (build/tests/genpolicy $s $per)"
		sed 's/^/    | /' "$f"
		rm -f "$f" "$f.o"
	done
}
