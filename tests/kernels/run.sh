#!/bin/bash
# tests/kernels/run.sh: make test-kernels. Boots Debian's own kernels in qemu
# (TCG: no KVM needed) without installing them on the host, and runs lwtp's
# checks in each guest against the kernel's verifier and datapath:
#
#   objects    every out/*.o on routes with plain ip, real traffic, counts
#   load       the policies meant to compile and generated ones, loaded
#   behaviour  tests/behaviour/*.case (caserun)
#   replay     lwtp replay of a capture: the same verdicts, marks and maps
#              as on the host
#
# Prints one table, kernel x check, then each failure with the verifier's
# key message; the last line is "N passed, N failed"; exit 1 on any failure.
#
# Environment:
#   KERNELS            the kernels ("6.1 6.12"): 6.1 is the one Debian's
#                      linux-image-amd64 depends on, another X.Y the newest
#                      linux-image-X.Y.N+debNN-amd64 (signed or -unsigned);
#                      a package name (linux-image-...) is taken as it is
#   KERNEL_CHECKS      which checks (objects,load,behaviour,replay)
#   QUICK=1            for CI: KERNEL_CHECKS objects,load,replay and 48
#                      generated policies instead of 400
#   KERNEL_PROPERTY_N  generated policies for the load check (400)
#   PROPERTY_SEED      the first genpolicy seed (1)
#   KERNEL_TIMEOUT     seconds for the whole run (3600); a guest still
#                      running then is stopped, and fails
#   CHECK_TIMEOUT      seconds for one object, policy or case in a guest (300)
#   KERNEL_MEM, KERNEL_SMP  the guests' memory and CPUs (2G, 2)
#
# Files, all under build/kernels/ (make clean removes them):
#   debs/, linux/      the kernel packages (apt-get download) and what
#                      dpkg-deb -x unpacked from them, kept from run to run
#   lwtc-cache/        the objects the host compiled for the guests
#                      (lwtc-cache.sh), kept while lwtc and clang stay the same
#   stage/             what the guests run (prepare.sh), made afresh
#   results/LABEL/     per kernel: results.tsv, console.log, the logs of
#                      what failed; results/host/ for the host's part
#                      (prepare.log); results/summary.txt, the table
#
# How a guest runs: the initramfs (busybox, the modules 9p and veth need,
# init) mounts the host's root read-only over 9p and chroots into it, so the
# guest runs the host's own ip, bpftool, jq and tcpdump, and the stage's
# binaries, on its own kernel. build/kernels is a read-only share of its
# own (a checkout under /tmp stays visible over the guest's tmpfs);
# results/LABEL is the only folder the guest can write.
set -u
# everything at low priority, qemu included: the machine stays usable
if [ -z "${LWTP_KERNELS_NICE:-}" ]; then
	LWTP_KERNELS_NICE=1 exec nice -n 10 bash "$0" "$@"
fi
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
K=$ROOT/build/kernels
. tests/kernels/lib.sh

# ---- settings -----------------------------------------------------------------
KERNELS=${KERNELS:-6.1 6.12}
if [ -n "${QUICK:-}" ] && [ "${QUICK:-}" != 0 ]; then
	KERNEL_CHECKS=${KERNEL_CHECKS:-objects,load,replay}
	export KERNEL_PROPERTY_N=${KERNEL_PROPERTY_N:-48}
fi
CHECKS=${KERNEL_CHECKS:-objects,load,behaviour,replay}
CHECKS=${CHECKS// /,}
TIMEOUT=${KERNEL_TIMEOUT:-3600}
MEM=${KERNEL_MEM:-2G}
SMP=${KERNEL_SMP:-2}
T0=$(date +%s)
DEADLINE=$((T0 + TIMEOUT))
say() { echo "test-kernels [$(($(date +%s) - T0))s] $*"; }
die() { echo "test-kernels: $*" >&2; exit 2; }

for c in ${CHECKS//,/ }; do
	case $c in
	objects | load | behaviour | replay) ;;
	*) die "unknown check '$c' in KERNEL_CHECKS (objects,load,behaviour,replay)" ;;
	esac
done
[ "$(id -u)" = 0 ] || die "needs root (apt-get, BPF, namespaces)"

# one run at a time: the stage and the results are shared
mkdir -p "$K" || exit 2
exec 9> "$K/.lock"
flock -n 9 || die "another make test-kernels is running in this checkout"

# qemu (and the host's part) is stopped however this script ends
QPID='' PREP=''
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2> /dev/null
	[ -n "$PREP" ] && kill "$PREP" 2> /dev/null
	[ -n "${IR:-}" ] && rm -rf "$IR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- host packages: qemu, a static busybox, what reads the kernel's modules ------
apt_install() {
	say "installing $*"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "$@" > /dev/null 2>&1 ||
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" > /dev/null; } ||
		die "cannot install $*"
}
need=()
command -v qemu-system-x86_64 > /dev/null || need+=(qemu-system-x86)
dpkg -s busybox-static > /dev/null 2>&1 || need+=(busybox-static)
command -v objcopy > /dev/null && command -v readelf > /dev/null || need+=(binutils)
command -v xz > /dev/null || need+=(xz-utils)
command -v zstd > /dev/null || need+=(zstd)
command -v jq > /dev/null || need+=(jq)
command -v column > /dev/null || need+=(bsdextrautils)
[ ${#need[@]} = 0 ] || apt_install "${need[@]}"

# ---- what the guests run must be built -----------------------------------------
for f in build/lwtc build/lwtp build/tests/loadcheck build/tests/caserun build/tests/mapdump \
	build/tests/sendudp build/tests/sendpkt build/tests/pcapgen build/tests/genpolicy; do
	[ -x "$f" ] || die "$f: missing (make && make test-tools build/tests/genpolicy)"
done
for p in policies/*.lwtp; do
	o=out/$(basename "$p" .lwtp).o
	[ "$o" -nt "$p" ] || die "$o: missing or older than $p (make)"
done

# ---- the kernels: downloaded and unpacked, never installed ---------------------
# kernel_package LABEL: the package of the kernel LABEL stands for
kernel_package() {
	local dep list base
	case $1 in
	linux-image-*) echo "$1"; return ;;
	[0-9]*.[0-9]*) ;;
	*) return 1 ;;
	esac
	# the one linux-image-amd64 depends on (Debian 12: 6.1), if it is X.Y
	dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1)
	case $dep in linux-image-"$1".*) echo "$dep"; return ;; esac
	# else the newest linux-image-X.Y.N+debNN-amd64, signed if there is one
	list=$(apt-cache search --names-only "^linux-image-${1//./\\.}\.[0-9]+\+deb[0-9]+-amd64(-unsigned)?\$" |
		cut -d' ' -f1)
	base=$(echo "$list" | sed 's/-unsigned$//' | sort -uV | tail -1)
	[ -n "$base" ] || return 1
	if echo "$list" | grep -qx "$base"; then echo "$base"; else echo "$base-unsigned"; fi
}

# fetch LABEL: download and unpack its package (once); sets PKG, PKGVER,
# KVER (its uname -r) and KDIR (the unpacked tree)
fetch() {
	local deb old
	PKG=$(kernel_package "$1")
	if [ -z "$PKG" ]; then
		say "apt-get update (no package for kernel $1 in the lists)"
		apt-get update -qq > /dev/null 2>&1
		PKG=$(kernel_package "$1") || true
	fi
	[ -n "$PKG" ] || die "no Debian package for kernel '$1'"
	PKGVER=$(apt-cache policy "$PKG" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	case $PKGVER in "" | "(none)") die "$PKG: no version to download (apt-cache policy $PKG)" ;; esac
	KVER=${PKG#linux-image-}
	KVER=${KVER%-unsigned}
	deb=$K/debs/${PKG}_${PKGVER//:/%3a}_amd64.deb
	KDIR=$K/linux/${PKG}_$PKGVER
	mkdir -p "$K/debs" "$K/linux"
	if [ ! -f "$deb" ]; then
		say "apt-get download $PKG=$PKGVER"
		(cd "$K/debs" && apt-get download "$PKG=$PKGVER" 2>&1 | grep -v unsandboxed) || true
		[ -f "$deb" ] || die "apt-get download $PKG=$PKGVER: no $deb"
		# older versions of the package are of no use any more
		for old in "$K/debs/${PKG}"_*.deb; do
			[ "$old" = "$deb" ] && continue
			old=$(basename "$old" _amd64.deb)
			rm -rf "$K/debs/${old}_amd64.deb" "$K/linux/$old"
		done
	fi
	if [ ! -f "$KDIR/.unpacked" ]; then
		say "dpkg-deb -x $(basename "$deb")"
		rm -rf "$KDIR"
		dpkg-deb -x "$deb" "$KDIR" || die "dpkg-deb -x $deb failed"
		touch "$KDIR/.unpacked"
	fi
	[ -f "$KDIR/boot/vmlinuz-$KVER" ] || die "$deb has no boot/vmlinuz-$KVER"
}

# ---- the initramfs: busybox, init, the modules, the guest's settings -----------
# modlist LIST NAME: NAME's line in modules.builtin or modules.order
# ("kernel/PATH/NAME.ko"; - and _ alike in NAME)
modlist() {
	awk -v n="$2" '{ b = $0; sub(/.*\//, "", b); sub(/\.ko.*/, "", b); gsub(/-/, "_", b)
		if (b == n) { print; exit } }' "$1"
}

# module NAME: copy module NAME (- and _ alike) and the modules it depends
# on, dependencies first, into $IR/modules, in the order of $IR/modules/order;
# built-in ones are skipped. No modules.dep in the package (depmod makes it
# on install): the dependencies come from each module's .modinfo.
module() {
	local n=${1//-/_} f b dep
	case " $MODS_DONE " in *" $n "*) return 0 ;; esac
	MODS_DONE="$MODS_DONE $n"
	[ -n "$(modlist "$MDIR/modules.builtin" "$n")" ] && return 0
	f=$(modlist "$MDIR/modules.order" "$n")
	[ -n "$f" ] || { say "module $1: not in $KVER"; return 1; }
	f=$(ls "$MDIR/$f"* 2>/dev/null | head -1)     # NAME.ko, NAME.ko.xz or NAME.ko.zst
	b=${f##*/}
	b=${b%%.ko*}.ko
	case $f in
	*.xz) xz -dc "$f" > "$IR/modules/$b" ;;
	*.zst) zstd -qdc "$f" > "$IR/modules/$b" ;;
	*) cp "$f" "$IR/modules/$b" ;;
	esac || return 1
	for dep in $(objcopy -O binary -j .modinfo "$IR/modules/$b" /dev/stdout 2>/dev/null |
		tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '); do
		module "$dep" || return 1
	done
	echo "$b" >> "$IR/modules/order"
}

# initramfs LABEL RESULTS OUT: the guest's initramfs for $KDIR
initramfs() {
	IR=$(mktemp -d "$K/initramfs.XXXXXX") || return 1
	mkdir -p "$IR"/bin "$IR"/dev "$IR"/proc "$IR"/sys "$IR"/host "$IR"/modules
	cp /bin/busybox "$IR/bin/busybox" || return 1
	MDIR=$KDIR/lib/modules/$KVER MODS_DONE=
	: > "$IR/modules/order"
	# virtio's PCI transport, 9p over virtio (the host's root, the results), veth
	for m in virtio_pci 9pnet_virtio 9p veth; do
		module "$m" || return 1
	done
	cp tests/kernels/init "$IR/init" && chmod +x "$IR/init" "$IR/bin/busybox" || return 1
	cat > "$IR/config" <<-EOF
		STAGE='$K/stage'
		RESULTS='$2'
		CHECKS='$CHECKS'
		LABEL='$1'
		CHECK_TIMEOUT='${CHECK_TIMEOUT:-300}'
	EOF
	(cd "$IR" && find . | busybox cpio -o -H newc 2> /dev/null | gzip -1) > "$3" || return 1
	rm -rf "$IR"
	IR=
}

# boot LABEL RES: run the guest for $KVER; its results land in RES. The
# serial console goes to RES/console.log; its ok/FAIL lines are shown.
boot() {
	local left=$((DEADLINE - $(date +%s))) rc last
	[ "$left" -gt 30 ] || { row guest finished FAIL "not booted: KERNEL_TIMEOUT (${TIMEOUT}s) reached"; return; }
	initramfs "$1" "$2" "$K/initramfs-$KVER.cpio.gz" || { row guest finished FAIL "cannot build the initramfs"; return; }
	say "booting $KVER ($1) under TCG, -smp $SMP -m $MEM, checks $CHECKS"
	: > "$2/console.log"
	timeout -k 10 "$left" qemu-system-x86_64 \
		-nographic -no-reboot -nic none \
		-machine q35 -accel tcg,thread=multi -cpu max -smp "$SMP" -m "$MEM" \
		-kernel "$KDIR/boot/vmlinuz-$KVER" -initrd "$K/initramfs-$KVER.cpio.gz" \
		-append "console=ttyS0 panic=-1 loglevel=4 mitigations=off" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$2,mount_tag=results,security_model=none" \
		-virtfs "local,path=$K,mount_tag=kernels,security_model=none,readonly=on,multidevs=remap" \
		< /dev/null > "$2/console.log" 2>&1 &
	QPID=$!
	# in the background too: bash runs the traps (INT, TERM) only between
	# commands, and 'wait' is one it leaves at once for them
	tail -n +1 -f --pid="$QPID" "$2/console.log" 2> /dev/null | tr -d '\r' |
		grep --line-buffered -E '^(ok   |FAIL |skip |guest: |init: )' | sed -u 's/^/    /' &
	wait "$QPID"
	rc=$?
	QPID=
	wait
	# the guest's last words, not qemu's
	last=$(tr -d '\r' < "$2/console.log" | grep -v '^\s*$\|^qemu-system' | tail -1)
	if [ -f "$2/done" ]; then
		row guest finished ok
	elif [ $rc = 124 ] || [ $rc = 137 ]; then
		row guest finished FAIL "stopped at KERNEL_TIMEOUT (${TIMEOUT}s), after: $last"
	else
		row guest finished FAIL "qemu exited $rc before the end, after: $last"
	fi
}

# ---- main -------------------------------------------------------------------
rm -rf "$K/results" "$K"/initramfs.*
mkdir -p "$K/results/host"
declare -A PKGS=() KVERS=() KDIRS=()
for k in $KERNELS; do
	fetch "$k"
	PKGS[$k]="$PKG $PKGVER" KVERS[$k]=$KVER KDIRS[$k]=$KDIR
	say "kernel $k: $PKG $PKGVER"
done

say "host: compiling for the guests, behaviour cases and replay references on $(uname -r)"
RESULTS=$K/results/host
uname -r > "$RESULTS/kernel"
: > "$RESULTS/results.tsv"
t=$(date +%s)
timeout $((DEADLINE - t)) bash tests/kernels/prepare.sh "$K/stage" "$RESULTS" "$CHECKS" \
	> "$RESULTS/prepare.log" 2>&1 &
PREP=$!
wait $PREP                       # in the background: a trap can interrupt 'wait'
PREP=
grep '^FAIL' "$RESULTS/prepare.log" | sed 's/^/    /'
echo $(($(date +%s) - t)) > "$RESULTS/wall"
say "host: $(grep -c $'\tok\t' "$RESULTS/results.tsv") ok, $(grep -c $'\tFAIL\t' "$RESULTS/results.tsv") failed"

for k in $KERNELS; do
	RESULTS=$K/results/$k
	mkdir -p "$RESULTS"
	: > "$RESULTS/results.tsv"
	KVER=${KVERS[$k]} KDIR=${KDIRS[$k]}
	echo "${PKGS[$k]}" > "$RESULTS/package"
	t=$(date +%s)
	boot "$k" "$RESULTS"
	echo $(($(date +%s) - t)) > "$RESULTS/wall"
	say "$k: done in $(cat "$RESULTS/wall") s"
done

say "wall time $(($(date +%s) - T0)) s (KERNELS='$KERNELS' KERNEL_CHECKS=$CHECKS)"
echo
bash tests/kernels/report.sh "$K/results" host $KERNELS | tee "$K/results/summary.txt"
exit "${PIPESTATUS[0]}"
