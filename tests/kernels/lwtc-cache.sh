#!/bin/bash
# lwtc-cache.sh: lwtc, with the objects it makes kept in a cache, so that a
# guest under emulation (tests/kernels/) never runs clang: the host compiles,
# the guest copies.
#
#   lwtc-cache.sh FILE.lwtp -o OBJ      what caserun -c and the load set run
#
# Environment:
#   LWTC_CACHE_DIR   the cache (required): one OBJ per key, KEY.o
#   LWTC_CACHE_MODE  record: copy the stored object, or run the real lwtc
#                    and store what it made; replay: copy the stored
#                    object, or on a miss warn and run the real lwtc
#   LWTC_REAL        the real lwtc (default build/lwtc)
#
# The key is the sha256 of the arguments that are not paths, of the policy's
# text and of every file it reads ('file "NAME"', relative to the policy's
# directory). The compiler itself is not in the key: the caller gives every
# lwtc and clang its own LWTC_CACHE_DIR (tests/kernels/prepare.sh). Any
# other use (-S, --check, standard input, several files) goes straight to
# the real lwtc.
set -u
real=${LWTC_REAL:-build/lwtc}
dir=${LWTC_CACHE_DIR:?LWTC_CACHE_DIR: where the objects are cached}
mode=${LWTC_CACHE_MODE:-record}

# ---- the command line: FILE.lwtp, -o OBJ, and options that change the object
src="" obj="" opts=() args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	-o) obj=${2:-}; shift 2 || break; continue ;;
	--clang) shift 2 || break; continue ;;      # a path: not in the key
	--target-kernel | --max-errors) opts+=("$1" "${2:-}"); shift 2 || break; continue ;;
	-S | --check | -) exec "$real" "${args[@]}" ;;
	-*) opts+=("$1") ;;
	*) [ -z "$src" ] || exec "$real" "${args[@]}"; src=$1 ;;
	esac
	shift
done
[ -n "$src" ] && [ -n "$obj" ] && [ "$obj" != - ] && [ -f "$src" ] || exec "$real" "${args[@]}"

# ---- the key (bash builtins where it can: under emulation each process
# started costs a few hundred milliseconds)
mapfile -t text < "$src" || exit 2
words=("${opts[@]+"${opts[@]}"}" -- "${text[@]+"${text[@]}"}")
for line in "${text[@]+"${text[@]}"}"; do
	# the set files the policy reads, in the order it names them
	[[ $line =~ file\ *\"([^\"]*)\" ]] || continue
	f=${BASH_REMATCH[1]}
	case $f in /*) ;; *) [[ $src == */* ]] && f=${src%/*}/$f ;; esac
	words+=("-- file ${BASH_REMATCH[1]}")
	if [ -f "$f" ]; then mapfile -t set < "$f"; words+=("${set[@]+"${set[@]}"}"); fi
done
key=$(printf '%s\n' "${words[@]}" | sha256sum)
entry=$dir/${key:0:32}.o

if [ -f "$entry" ]; then
	cp "$entry" "$obj" || exit 2
	exit 0
fi
if [ "$mode" = replay ]; then
	echo "lwtc-cache.sh: warning: $src is not in $dir (key ${key:0:32}): compiling it here" >&2
	exec "$real" "${args[@]}"
fi

# record: compile, and keep the object only when lwtc succeeded
"$real" "${args[@]}" || exit
mkdir -p "$dir" && cp "$obj" "$entry.tmp$$" && mv "$entry.tmp$$" "$entry"
