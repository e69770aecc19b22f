#!/bin/sh
# bench/splice.sh RESULTS FILE: put RESULTS (make bench's tables) into FILE
# (BENCHMARKS.md) in place of what stands between its lines
#   <!-- make bench: begin -->  and  <!-- make bench: end -->
# leaving the rest of FILE (other sections, the egress benchmark's) as it is.
set -eu
[ $# = 2 ] || { echo "usage: splice.sh RESULTS FILE" >&2; exit 2; }
begin='<!-- make bench: begin -->'
end='<!-- make bench: end -->'
if ! grep -qx "$begin" "$2" || ! grep -qx "$end" "$2"; then
	echo "splice.sh: $2 lacks the lines '$begin' and '$end'" >&2
	exit 1
fi
awk -v results="$1" -v begin="$begin" -v end="$end" '
	$0 == begin { print; while ((getline line < results) > 0) print line; skip = 1; next }
	$0 == end { skip = 0 }
	!skip' "$2" > "$2.tmp"
mv "$2.tmp" "$2"
