#!/bin/sh
# deps.sh: install, with apt-get, whatever the build and the tests need and
# this machine lacks. Quiet when everything is there.
# 'deps.sh fuzz': also libFuzzer (make fuzz only).
# 'deps.sh bench': also iptables (make bench-egress), time and bc (bench/stat.sh).
set -e

need=""
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_file() { [ -e "$1" ]; }

have_cmd flex      || need="$need flex"
have_cmd bison     || need="$need bison"
have_cmd clang     || need="$need clang"
have_cmd llc       || need="$need llvm"         # llvm-objcopy too: tests/hostile/output.sh
have_cmd bpftool   || need="$need bpftool"
have_cmd ip        || need="$need iproute2"
have_cmd nsenter   || need="$need util-linux"
have_cmd pkg-config || need="$need pkg-config"
have_cmd gcc       || need="$need gcc"
have_cmd make      || need="$need make"
have_cmd timeout   || need="$need coreutils"
have_cmd diff      || need="$need diffutils"
have_cmd tcpdump   || need="$need tcpdump"      # tests/replay/e2e_tcpdump.sh
have_cmd jq        || need="$need jq"           # tests/replay
have_cmd gdb       || need="$need gdb"          # tests/runtime/set.sh: two writers
have_cmd nft       || need="$need nftables"     # tests/e2e/replay_live.sh: NFLOG capture
have_cmd ping      || need="$need iputils-ping" # tests/e2e/replay_live.sh
have_cmd nc        || need="$need netcat-openbsd"   # tests/e2e/replay_live.sh: TCP
have_file /usr/include/bpf/libbpf.h   || need="$need libbpf-dev"
have_file /usr/include/linux/bpf.h    || need="$need linux-libc-dev"
have_file /usr/include/pcap/pcap.h    || need="$need libpcap-dev"
have_file /usr/include/libmnl/libmnl.h || need="$need libmnl-dev"   # lwtp show: routes
have_file /usr/include/microhttpd.h   || need="$need libmicrohttpd-dev"   # lwtp exporter
have_file /usr/include/gelf.h         || need="$need libelf-dev"
have_file /usr/include/zlib.h         || need="$need zlib1g-dev"
if [ "${1:-}" = fuzz ]; then
	have_fuzzer() {
		for f in /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a; do
			[ -e "$f" ] && return 0
		done
		return 1
	}
	have_fuzzer || need="$need libclang-rt-dev"
fi
if [ "${1:-}" = bench ]; then
	have_file /usr/bin/time          || need="$need time"       # bench/stat.sh
	have_cmd bc                      || need="$need bc"
	have_cmd iptables-legacy-restore || need="$need iptables"   # iptables-restore too
fi

[ -z "$need" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$need; run 'make deps' as root or install them" >&2
	exit 2
fi
echo "deps: installing:$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $need >/dev/null
