#!/bin/bash
# output.sh: where lwtc -o writes, as an operator would try it (run by the
# hostile suite as hostile/output-*). Prints "ok NAME" or "FAIL NAME: WHY"
# lines; exits 1 when one failed. Never touches the host's /dev/null: the
# device it writes to is a private one made for the test.
set -u
LWTC=${LWTC:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/lwtp-output.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
failed=0
ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $2"; failed=1; }

cd "$T" || exit 2
printf 'policy p {\n    count c;\n}\n' > p.lwtp
cp p.lwtp orig.lwtp

# a character device is written to, never replaced (a null device of our own)
mknod -m 666 null c 1 3 || { echo "FAIL device: cannot mknod (root needed)"; exit 1; }
if "$LWTC" p.lwtp -o null && "$LWTC" -S p.lwtp -o null && [ -c null ]; then
	ok device
else
	bad device "$(ls -l null)"
fi

# a FIFO is written through: the reader gets the whole object
mkfifo fifo
timeout 20 cat fifo > from_fifo.o &   # a broken lwtc never opens it
reader=$!
"$LWTC" p.lwtp -o fifo
rc=$?
wait $reader
"$LWTC" p.lwtp -o plain.o
# the same object, but for the temporary C file's name in its debug info
same_object() {
	rm -f code1 code2
	[ "$(stat -c %s "$1")" = "$(stat -c %s "$2")" ] &&
		llvm-objcopy -O binary --only-section=p "$1" code1 &&
		llvm-objcopy -O binary --only-section=p "$2" code2 &&
		[ -s code1 ] && cmp -s code1 code2
}
if [ $rc = 0 ] && [ -p fifo ] && same_object from_fifo.o plain.o; then
	ok fifo
else
	bad fifo "exit $rc; $(ls -l fifo from_fifo.o plain.o 2>&1)"
fi

# the input itself, directly or through a link, is refused and left alone
ln -s p.lwtp link.lwtp
for out in p.lwtp ./p.lwtp link.lwtp; do
	err=$("$LWTC" p.lwtp -o "$out" 2>&1)
	rc=$?
	if [ $rc = 2 ] && cmp -s p.lwtp orig.lwtp && grep -q "will not write over the input" <<<"$err"; then
		ok "input-$out"
	else
		bad "input-$out" "exit $rc: $err"
	fi
done
err=$("$LWTC" -S - -o p.lwtp < p.lwtp 2>&1)
rc=$?
if [ $rc = 2 ] && cmp -s p.lwtp orig.lwtp; then ok input-stdin; else bad input-stdin "exit $rc: $err"; fi

# a link to another file writes that file, and the link stays a link
: > target.o
ln -s target.o link.o
if "$LWTC" p.lwtp -o link.o && [ -L link.o ] && same_object target.o plain.o; then
	ok symlink
else
	bad symlink "$(ls -l link.o target.o)"
fi

# a dangling link: the file it names is made
ln -s made.o dangling.o
if "$LWTC" p.lwtp -o dangling.o && [ -L dangling.o ] && same_object made.o plain.o; then
	ok dangling-symlink
else
	bad dangling-symlink "$(ls -l dangling.o made.o 2>&1)"
fi

# a directory is an error, with exit 2
mkdir dir
err=$("$LWTC" p.lwtp -o dir 2>&1)
rc=$?
if [ $rc = 2 ] && grep -q "is a directory" <<<"$err"; then ok directory; else bad directory "exit $rc: $err"; fi

# the mode of a new file is what the umask makes of 0666
if (umask 077 && "$LWTC" p.lwtp -o m077.o && "$LWTC" -S p.lwtp -o m077.c) &&
	(umask 022 && "$LWTC" p.lwtp -o m022.o) &&
	[ "$(stat -c %a m077.o m077.c m022.o | tr '\n' ' ')" = "600 600 644 " ]; then
	ok umask
else
	bad umask "$(stat -c '%a %n' m077.o m077.c m022.o 2>&1 | tr '\n' ' ')"
fi

# TMPDIR: the generated C goes there; an unusable one is a clear error
mkdir tmp
if TMPDIR=$T/tmp LWTC_KEEP_C=1 "$LWTC" p.lwtp -o t.o 2> keep.err &&
	grep -q "kept in $T/tmp/lwtc-.*/p.c" keep.err; then
	ok tmpdir
else
	bad tmpdir "$(cat keep.err)"
fi
err=$(TMPDIR=$T/none "$LWTC" p.lwtp -o t2.o 2>&1)
rc=$?
if [ $rc = 2 ] && grep -q "$T/none" <<<"$err" && [ ! -e t2.o ]; then
	ok tmpdir-missing
else
	bad tmpdir-missing "exit $rc: $err"
fi
exit $failed
