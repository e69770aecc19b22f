#!/bin/sh
# named_values.sh: lwtp stat prints a key's value by the name the policy
# language gives it (compiler/fields.c): DSCP (ef, af41, cs1), ECN (ce,
# ect1), ICMP and ICMPv6 types (echo_request), protocols (udp); a value
# without a name as its number. In text (expected/stat_named.txt), in JSON
# as protocols have always been (a string: the name, or the number:
# "ef", "3") and in Prometheus labels; sorted by value, not by name. The
# canonical entry text (dumpmap.c, which the behaviour cases compare)
# keeps its numbers.
#
# The object is policies/named.lwtp compiled by lwtc (fixtures/named.bpf.c,
# the same maps by hand, with LWTP_RT_FIXTURES=1), attached to an IPv4 and
# an IPv6 route with plain iproute2. Lengths: IPv4 UDP = 28 + payload, IPv6
# UDP = 48 + payload, IPv4 ICMP 36, ICMPv6 56 (sendicmp's 16 bytes).
. "$(dirname "$0")/lib.sh"

object named
route_bpf 198.51.100.7/32 "$T/named.o" named
route_bpf 2001:db8::7/128 "$T/named.o" named
gcc -O2 -o "$T/sendicmp" "$HERE/sendicmp.c" || die "cannot build sendicmp"

# TOS 0xb8: ef; 0x88: af41; 0x0f: DSCP 3 (no name), ECN ce; traffic class
# 0x21: cs1, ect1. ICMP type 42 and ICMPv6 type 200 have no name.
sent=$(send -q 0xb8 198.51.100.7 53 3 12; send -q 0x88 198.51.100.7 53 2 12
       send -q 0x0f 198.51.100.7 53 1 12; send -q 0x21 2001:db8::7 53 1 12
       in_ns "$T/sendicmp" 198.51.100.7 8 2; in_ns "$T/sendicmp" 198.51.100.7 42 1
       in_ns "$T/sendicmp" 2001:db8::7 128 2; in_ns "$T/sendicmp" 2001:db8::7 200 1)
[ "$sent" = "sent 3 eperm 0
sent 2 eperm 0
sent 1 eperm 0
sent 1 eperm 0
sent 2 eperm 0
sent 1 eperm 0
sent 2 eperm 0
sent 1 eperm 0" ] || die "sending failed: $sent"

# ---- text ---------------------------------------------------------------------

lwtp_ns stat nv_dscp nv_mixed nv_icmp nv_icmp6 nv_len > "$T/named.txt" ||
	fail "stat" "exit $?"
expect_text "text names DSCP, ECN, ICMP and ICMPv6 types" "$HERE/expected/stat_named.txt" \
	"$T/named.txt"

# ---- JSON: strings, as protocols ----------------------------------------------

lwtp stat --json nv_dscp nv_mixed nv_icmp nv_icmp6 nv_len > "$T/named.json" ||
	fail "stat --json" "exit $?"
m() { jqn ".maps[] | select(.name==\"$1\") | $2" "$T/named.json"; }
check "json dscp: names, a number without one, as strings" \
	[ "$(m nv_dscp '[.entries[] | "\(.key.ip_dscp|tojson)=\(.packets)"] | join(",")')" = \
	'"cs0"=6,"ef"=3,"af41"=2,"cs1"=1,"3"=1' ]
check "json mixed key" \
	[ "$(m nv_mixed '[.entries[] | select(.key.ip_proto == "udp") | "\(.key.ip_dscp)/\(.key.ip_ecn)"] | join(",")')" = \
	"ef/not_ect,af41/not_ect,cs1/ect1,3/ce" ]
check "json icmp types" \
	[ "$(m nv_icmp '[.entries[] | "\(.key.icmp_type|tojson)=\(.packets)"] | join(",")')" = \
	'"echo_request"=2,"42"=1' ]
check "json icmp6 types" \
	[ "$(m nv_icmp6 '[.entries[] | "\(.key.icmp6_type|tojson)=\(.packets)"] | join(",")')" = \
	'"echo_request"=2,"200"=1' ]
check "json histogram key" \
	[ "$(m nv_len '[.entries[] | .key.ip_dscp] | join(",")')" = "cs0,ef,af41,3,cs1" ]

# ---- Prometheus labels ------------------------------------------------------------

lwtp stat --prometheus nv_dscp nv_mixed nv_icmp nv_icmp6 nv_len > "$T/named.prom" ||
	fail "stat --prometheus" "exit $?"
promtool_check "$T/named.prom"
prom() { grep -F -x -q -- "$1" "$T/named.prom"; }
check "prom dscp" prom 'lwtp_nv_dscp_packets_total{ip_dscp="ef"} 3'
check "prom dscp without a name" prom 'lwtp_nv_dscp_packets_total{ip_dscp="3"} 1'
check "prom mixed" prom 'lwtp_nv_mixed_packets_total{ip_proto="udp",ip_dscp="cs1",ip_ecn="ect1"} 1'
check "prom icmp" prom 'lwtp_nv_icmp_packets_total{icmp_type="echo_request"} 2'
check "prom icmp6" prom 'lwtp_nv_icmp6_packets_total{icmp6_type="echo_request"} 2'
check "prom histogram" prom 'lwtp_nv_len_bucket{ip_dscp="af41",le="63"} 2'

# ---- the canonical entry text keeps numbers -----------------------------------------

R=$ROOT/runtime
gcc -O2 -I"$ROOT/include" -I"$R" -o "$T/dumpmap" "$HERE/dumpmap.c" "$R"/decode_*.c "$R/maps.c" \
	"$R/elem.c" "$R/log.c" -lbpf -lelf -lz || die "cannot build dumpmap"
"$T/dumpmap" /sys/fs/bpf/ip/globals nv_mixed > "$T/entries.txt"
check "canonical text: protocols by name, DSCP and ECN by number" \
	grep -qx 'ip_proto=udp ip_dscp=46 ip_ecn=0 => packets=3 bytes=120' "$T/entries.txt"

# ---- the names are the contract's --------------------------------------------------

# compiler/fields.c and runtime/decode_names.c build their named values from
# the same lists of include/lwtp_contract.h (but the TCP flags, which a key
# holds combined), and the runtime writes no { "name", value } of its own
CONTRACT=$ROOT/include/lwtp_contract.h
lists() {
	grep -o 'LWTP_[A-Z0-9_]*' "$1" | grep -vx LWTP_TCP_FLAGS |
		grep -Fx -f "$T/contract.lists" | sort -u
}
grep -o '^#define LWTP_[A-Z0-9_]*(X)' "$CONTRACT" | sed 's/^#define //; s/(X)$//' \
	> "$T/contract.lists"
lists "$ROOT/compiler/fields.c" > "$T/compiler.names"
lists "$ROOT/runtime/decode_names.c" > "$T/runtime.names"
grep -o '{ "[a-z0-9_]*", [0-9a-fx]* }' "$ROOT/runtime/decode_names.c" > "$T/runtime.pairs"
if [ -s "$T/compiler.names" ] && diff "$T/compiler.names" "$T/runtime.names" > "$T/names.diff" &&
   [ ! -s "$T/runtime.pairs" ]; then
	ok "runtime/decode_names.c names what compiler/fields.c names"
else
	fail "runtime/decode_names.c names what compiler/fields.c names" \
		"< compiler, > runtime: $(cat "$T/names.diff"; cat "$T/runtime.pairs")"
fi

finish
