#!/bin/sh
# seeds.sh OUTDIR: the fuzzer's seed corpus: every policies/*.lwtp and
# tests/**/*.lwtp, and the POLICY block of every tests/behaviour/*.case
# (the lines after POLICY up to the next directive at column 0), and 100
# one-policy files of build/tests/genpolicy when it is built.
set -e
out=${1:?usage: seeds.sh OUTDIR}
mkdir -p "$out"
for f in policies/*.lwtp $(find tests -name '*.lwtp' | sort); do
	[ -f "$f" ] || continue
	cp "$f" "$out/$(echo "$f" | tr / _)"
done
for c in tests/behaviour/*.case tests/tools/cases/*.case; do
	[ -f "$c" ] || continue
	awk '/^POLICY$/ { on = 1; next }
	     on && /^[A-Z_]+( |$)/ { on = 0 }
	     on { print }' "$c" > "$out/$(echo "$c" | tr / _).lwtp"
	[ -s "$out/$(echo "$c" | tr / _).lwtp" ] || rm -f "$out/$(echo "$c" | tr / _).lwtp"
done
if [ -x build/tests/genpolicy ]; then
	for s in $(seq 1 100); do
		build/tests/genpolicy "$s" 1 > "$out/genpolicy_$s.lwtp"
	done
fi
