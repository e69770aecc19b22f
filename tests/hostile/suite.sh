# tests/hostile/suite.sh: suite 'hostile' of tests/run.sh (sourced there).
#
# Every input in tests/hostile/cases, with the large ones made by gen.sh,
# must give a clear error or code that loads: never a crash, a sanitizer
# report, a hang or C that clang rejects. With LWTC=build/asan/lwtc (suite
# asan) the same inputs run under AddressSanitizer and UBSan.

HOSTILE_TIMEOUT=${HOSTILE_TIMEOUT:-20}

# hostile_one NAME EXPECT ERE FILE
hostile_one() {
	local name=$1 expect=$2 ere=$3 file=$4 dir base rc err first
	dir=$(dirname "$file")
	base=$(basename "$file")
	rm -f "$TMP/hostile.o"
	(cd "$dir" && timeout "$HOSTILE_TIMEOUT" "$LWTC" "$base" -o "$TMP/hostile.o") \
		> "$TMP/hostile.out" 2> "$TMP/hostile.err"
	rc=$?
	err=$(head -n 20 "$TMP/hostile.err" | cut -c1-300)
	first=$(head -n1 "$TMP/hostile.err" | cut -c1-300)
	if [ $rc = 124 ]; then
		fail "hostile/$name" "lwtc took more than ${HOSTILE_TIMEOUT}s"
	elif [ $rc -ge 128 ]; then
		fail "hostile/$name" "lwtc crashed (exit $rc):
$err"
	elif grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$TMP/hostile.err"; then
		fail "hostile/$name" "sanitizer report (exit $rc):
$err"
	elif [ $rc = 2 ]; then
		fail "hostile/$name" "exit 2 (a tool error):
$err"
	elif [ -s "$TMP/hostile.out" ]; then
		fail "hostile/$name" "lwtc wrote to stdout"
	elif [ $rc = 0 ] && [ "$expect" = error ]; then
		fail "hostile/$name" "lwtc accepted it; expected an error${ere:+ matching '$ere'}"
	elif [ $rc = 0 ]; then
		run "hostile/$name" "$T/loadcheck" "$TMP/hostile.o"
	elif [ $rc != 1 ]; then
		fail "hostile/$name" "exit $rc:
$err"
	elif [ "$expect" = ok ]; then
		fail "hostile/$name" "lwtc rejected it (exit 1); expected code that loads:
$err"
	elif ! grep -Eq "^$base(:[0-9]+:[0-9]+)?: error: " <<<"$first"; then
		fail "hostile/$name" "the first line is not '$base:LINE:COL: error: ...':
$err"
	elif [ -n "$ere" ] && ! grep -Eq -- "$ere" "$TMP/hostile.err"; then
		fail "hostile/$name" "stderr does not match '$ere':
$err"
	else
		pass "hostile/$name"
	fi
}

suite_hostile() {
	local gen=$TMP/hostile name expect ere file
	have hostile/tools "$LWTC" "$T/loadcheck" || return
	if ! sh tests/hostile/gen.sh "$gen" > "$TMP/gen.out" 2>&1; then
		fail hostile/gen "tests/hostile/gen.sh failed:
$(cat "$TMP/gen.out")"
		return
	fi
	while read -r name expect ere; do
		case $name in '' | '#'*) continue ;; esac
		file=tests/hostile/$name.lwtp
		[ -f "$file" ] || file=$gen/$name.lwtp
		if [ ! -f "$file" ]; then
			fail "hostile/$name" "no tests/hostile/$name.lwtp, and gen.sh makes none"
			continue
		fi
		case $expect in
		ok | error | any) hostile_one "$name" "$expect" "$ere" "$file" ;;
		*) fail "hostile/$name" "tests/hostile/cases: EXPECT must be ok, error or any, not '$expect'" ;;
		esac
	done < tests/hostile/cases
	# every committed input is in the list
	for file in tests/hostile/*.lwtp; do
		name=$(basename "$file" .lwtp)
		grep -q "^$name " tests/hostile/cases ||
			fail "hostile/$name" "tests/hostile/$name.lwtp is not in tests/hostile/cases"
	done
	rm -rf "$gen"
	hostile_scripts
}

# The scripts of tests/hostile, a test per line ("ok NAME" or "FAIL NAME:
# WHY"), as hostile/SCRIPT-NAME:
#   output.sh   where 'lwtc -o' writes (devices, FIFOs, links, the input
#               itself, directories, the umask, TMPDIR)
#   clang.sh    what clang wrote is checked before it is put in place; a
#               killed lwtc stops clang and leaves no temporary file
#   setfile.sh  set files that are FIFOs or too large are refused at once
hostile_scripts() {
	local script
	for script in output clang setfile; do
		hostile_script "$script"
	done
}

# hostile_script NAME: run tests/hostile/NAME.sh and read its lines
hostile_script() {
	local script=$1 line
	have "hostile/$script" "$LWTC" || return
	timeout "$TIMEOUT" bash "tests/hostile/$script.sh" > "$TMP/$script.out" 2>&1
	while read -r line; do
		case $line in
		"ok "*) pass "hostile/$script-${line#ok }" ;;
		"FAIL "*) line=${line#FAIL }; fail "hostile/$script-${line%%:*}" "${line#*: }" ;;
		esac
	done < "$TMP/$script.out"
	grep -q '^ok ' "$TMP/$script.out" ||
		fail "hostile/$script" "tests/hostile/$script.sh ran no test: $(tail -5 "$TMP/$script.out")"
}
