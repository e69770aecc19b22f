#!/bin/sh
# prefix_keys.sh: lwtp stat prints a key by address prefix ('by
# ip.dst/24/48') as the network and its length: 198.51.100.0/24,
# 2001:db8:aa::/48 (an IPv4 address of an ip.* key as IPv4, with the IPv4
# length), under a column head that gives the lengths (IP.DST/24/48); in
# text (expected/stat_prefixes.txt), in JSON (the key member's value is
# that string) and in Prometheus labels. The canonical entry text
# (dumpmap.c, which the behaviour cases compare) says the same.
#
# The object is policies/prefixes.lwtp compiled by lwtc (fixtures/
# prefixes.bpf.c, the same maps by hand, with LWTP_RT_FIXTURES=1),
# attached to an IPv4 /23 and an IPv6 /32 with plain iproute2. Lengths:
# IPv4 UDP = 28 + payload, IPv6 UDP = 48 + payload.
. "$(dirname "$0")/lib.sh"

object prefixes
route_bpf 198.51.100.0/23 "$T/prefixes.o" prefixes
route_bpf 2001:db8::/32 "$T/prefixes.o" prefixes

# 198.51.100.0/24: 4 packets of 40 bytes; 198.51.101.0/24: 2;
# 2001:db8:aa::/48 (one /64): 3 of 60 bytes; 2001:db8:bb::/48: 1
sent=$(send 198.51.100.7 53 3 12; send 198.51.100.9 53 1 12
       send 198.51.101.5 123 2 12; send 2001:db8:aa::1 53 2 12
       send 2001:db8:aa::2 53 1 12; send 2001:db8:bb:1::1 53 1 12)
[ "$sent" = "sent 3 eperm 0
sent 1 eperm 0
sent 2 eperm 0
sent 2 eperm 0
sent 1 eperm 0
sent 1 eperm 0" ] || die "sending failed: $sent"

# ---- text ---------------------------------------------------------------------

lwtp_ns stat pf_dst pf_dst4 pf_dst6 > "$T/prefixes.txt" || fail "stat" "exit $?"
expect_text "text prints networks and their lengths" "$HERE/expected/stat_prefixes.txt" \
	"$T/prefixes.txt"

# ---- JSON: the network as a string ----------------------------------------------

lwtp stat --json pf_dst pf_dst4 pf_dst6 > "$T/prefixes.json" || fail "stat --json" "exit $?"
m() { jqn ".maps[] | select(.name==\"$1\") | $2" "$T/prefixes.json"; }
check "json ip.dst/24/48: both families" \
	[ "$(m pf_dst '[.entries[] | "\(.key.ip_dst)=\(.packets)"] | sort | join(",")')" = \
	"198.51.100.0/24=4,198.51.101.0/24=2,2001:db8:aa::/48=3,2001:db8:bb::/48=1" ]
check "json ip4.dst/16 in a tuple" \
	[ "$(m pf_dst4 '[.entries[] | "\(.key.ip4_dst) \(.key.l4_dport)=\(.bytes)"] | sort | join(",")')" = \
	"198.51.0.0/16 123=80,198.51.0.0/16 53=160" ]
check "json ip6.dst/64" \
	[ "$(m pf_dst6 '[.entries[] | "\(.key.ip6_dst)=\(.packets)"] | sort | join(",")')" = \
	"2001:db8:aa::/64=3,2001:db8:bb:1::/64=1" ]

# ---- Prometheus labels ------------------------------------------------------------

lwtp stat --prometheus pf_dst pf_dst4 pf_dst6 > "$T/prefixes.prom" ||
	fail "stat --prometheus" "exit $?"
promtool_check "$T/prefixes.prom"
prom() { grep -F -x -q -- "$1" "$T/prefixes.prom"; }
check "prom IPv4 /24" prom 'lwtp_pf_dst_packets_total{ip_dst="198.51.100.0/24"} 4'
check "prom IPv6 /48" prom 'lwtp_pf_dst_bytes_total{ip_dst="2001:db8:aa::/48"} 180'
check "prom tuple" prom 'lwtp_pf_dst4_packets_total{ip4_dst="198.51.0.0/16",l4_dport="123"} 2'
check "prom IPv6 /64" prom 'lwtp_pf_dst6_packets_total{ip6_dst="2001:db8:bb:1::/64"} 1'

# ---- the canonical entry text ---------------------------------------------------------

R=$ROOT/runtime
gcc -O2 -I"$ROOT/include" -I"$R" -o "$T/dumpmap" "$HERE/dumpmap.c" "$R"/decode_*.c "$R/maps.c" \
	"$R/elem.c" "$R/log.c" -lbpf -lelf -lz || die "cannot build dumpmap"
"$T/dumpmap" /sys/fs/bpf/ip/globals pf_dst > "$T/entries.txt"
check "canonical text: an IPv4 prefix of an ip.* key" \
	grep -qx 'ip_dst=198.51.101.0/24 => packets=2 bytes=80' "$T/entries.txt"
check "canonical text: an IPv6 prefix" \
	grep -qx 'ip_dst=2001:db8:bb::/48 => packets=1 bytes=60' "$T/entries.txt"

finish
