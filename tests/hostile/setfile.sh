#!/bin/bash
# setfile.sh: set files (file "PATH") that are not regular files, or are
# too large (run by the hostile suite as hostile/setfile-*). Prints "ok
# NAME" or "FAIL NAME: WHY" lines; exits 1 when one failed. A device and
# a directory are tests/diag/set_file_special; the FIFO and the large file
# are made here.
#
#   fifo           a FIFO with no writer is refused at once, at the name
#   fifo-unopened  a writer waiting on the FIFO is not let through: lwtc
#                  never opens it
#   huge           a 1 GiB (sparse) file is refused from its size, unread:
#                  its access time stays as it was
#   symlink        a link to a regular file is read
set -u
LWTC=${LWTC:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/lwtp-setfile.XXXXXX") || exit 2
failed=0
writer=
ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $(tr '\n' ' ' <<<"$2")"; failed=1; }
cleanup() {
	[ -n "$writer" ] && kill "$writer" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 2

# policy NAME FILE: NAME.lwtp drops the addresses in FILE
policy() {
	printf 'const deny = file "%s";\npolicy p { drop if ip.dst in deny; }\n' "$2" > "$1.lwtp"
}

# check NAME: lwtc --check NAME.lwtp, 10 s at most; sets rc and err
check() {
	err=$(timeout 10 "$LWTC" --check "$1.lwtp" 2>&1)
	rc=$?
}

mkfifo deny.fifo
policy fifo deny.fifo
check fifo
want="fifo.lwtp:1:19: error: set file 'deny.fifo' is a FIFO, not a regular file"
if [ $rc = 1 ] && [ "$(head -n1 <<<"$err")" = "$want" ]; then
	ok fifo
else
	bad fifo "exit $rc (124: it hung): $err"
fi

# a reader opening the FIFO would let the writer's open through
(echo 198.51.100.1 > deny.fifo) &
writer=$!
check fifo
sleep 0.2
if [ $rc = 1 ] && kill -0 "$writer" 2>/dev/null; then
	ok fifo-unopened
else
	bad fifo-unopened "exit $rc, the writer was let through: $err"
fi
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
writer=

# Reading a file makes its access time new when it was older than its
# modification (relatime), unless the file system keeps none (noatime).
old_atime() {
	touch -a -d 2001-01-01 "$1"
	stat -c %X "$1"
}
printf '198.51.100.1\n' > probe.txt
before=$(old_atime probe.txt)
cat probe.txt > /dev/null
truncate -s 1G huge.txt
policy huge huge.txt
atime=$(old_atime huge.txt)
check huge
want="huge.lwtp:1:19: error: set file 'huge.txt' is larger than 64 MiB"
if [ "$(stat -c %X probe.txt)" = "$before" ]; then
	bad huge "the file system of $T keeps no access times: cannot tell whether lwtc read huge.txt"
elif [ $rc = 1 ] && [ "$(head -n1 <<<"$err")" = "$want" ] &&
	[ "$(stat -c %X huge.txt)" = "$atime" ]; then
	ok huge
else
	bad huge "exit $rc, access time $atime -> $(stat -c %X huge.txt) (read): $err"
fi
rm -f huge.txt

printf '198.51.100.0/24\n' > list.txt
ln -s list.txt link.txt
policy symlink link.txt
check symlink
if [ $rc = 0 ] && [ -z "$err" ]; then ok symlink; else bad symlink "exit $rc: $err"; fi
exit $failed
