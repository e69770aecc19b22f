#!/bin/bash
# Replay equals the live route, on real traffic captured the documented way
# (docs/lwtp-replay.md, "Capturing what a route sees"): nftables logs every
# packet bound for the route's prefixes to NFLOG group 7 in the output hook,
# before the route's program and before fragmentation, dropped packets
# included, and tcpdump -i nflog:7 writes them. The traffic: a TCP download
# over IPv4 and IPv6 with GSO on (super-packets of tens of KB), UDP, DNS,
# pings larger than the MTU, and a denied destination. lwtp replay of the
# capture must give the verdicts the route gave (its drops are the EPERMs
# the senders saw) and exactly the statistics lwtp stat --json reads from
# the route's pins, with no packet skipped.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

LWTP=${LWTP:-$E2E_ROOT/build/lwtp}
need_file "$LWTC" "make compiler"
need_file "$LWTP" "make runtime"
for cmd in nft tcpdump ping nc jq; do
	command -v "$cmd" >/dev/null || fail "$cmd: not found (make deps)"
done
nc -h 2>&1 | grep -q OpenBSD || fail "nc: not OpenBSD netcat (-N, -4, -6 needed; apt-get install netcat-openbsd)"
obj=$E2E_TMP/live.o
out=$("$LWTC" "$(dirname "$0")/replay_live.lwtp" -o "$obj" 2>&1) || fail "lwtc: $out"

e2e_pair
for r in 198.51.100.7/32 198.51.100.8/32 2001:db8::7/128 2001:db8::8/128; do
	e2e_route "$r" "$obj" live
done

# the capture: before the route, what the route will carry
must inA nft -f - <<'NFT'
table inet lwtp_capture {
	chain out {
		type filter hook output priority 1000;
		icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect, mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report } accept
		ip daddr { 198.51.100.7, 198.51.100.8 } log group 7
		ip6 daddr { 2001:db8::7, 2001:db8::8 } log group 7
	}
}
NFT
cap=$E2E_TMP/route.pcap
e2e_tcpdump "$cap" -i nflog:7 -s 0 -B 32768

# TCP downloads from A (GSO/TSO on, as veth has them by default)
for dst in 198.51.100.7 2001:db8::7; do
	e2e_download "$dst" 3000000
done
# UDP, DNS, to the denied destination
e2e_expect_send 198.51.100.7 9 1200x5 5 0
e2e_expect_send 2001:db8::7 9 100x3 3 0
e2e_expect_send 198.51.100.7 53 40x4 4 0
e2e_expect_send 2001:db8::7 53 60x2 2 0
e2e_expect_send 198.51.100.8 53 40x3 0 3
e2e_expect_send 2001:db8::8 9 10x2 0 2
# pings larger than the MTU: fragmented after the route
inA ping -q -c 3 -i 0.2 -s 4000 198.51.100.7 >/dev/null || fail "ping -s 4000 failed"
inA ping -q -6 -c 2 -i 0.2 -s 3000 2001:db8::7 >/dev/null || fail "ping -6 -s 3000 failed"
inA ping -q -c 2 -i 0.2 -s 2000 198.51.100.8 >/dev/null 2>&1 && fail "ping to the denied address passed"
live_drops=$((3 + 2 + 2))
e2e_tcpdump_stop
tdstat=$(grep -E "captured|dropped" "$E2E_TMP/tcpdump.err")

"$LWTP" stat --json > "$E2E_TMP/live.json" || fail "lwtp stat --json failed"
"$LWTP" replay --json "$obj" live "$cap" > "$E2E_TMP/replay.json" 2> "$E2E_TMP/replay.err" ||
	fail "lwtp replay failed: $(cat "$E2E_TMP/replay.err")"

totals=$(jq -c '.totals | {skipped, dropped}' "$E2E_TMP/replay.json")
expect_same "replay's skipped and dropped ($tdstat)" "{\"skipped\":0,\"dropped\":$live_drops}" "$totals"
big=$(jq '[.packets[] | select(.length > 10000)] | length' "$E2E_TMP/replay.json")
[ "$big" -gt 0 ] || fail "the capture holds no GSO super-packet (none longer than 10000 bytes)"

stats() {
	jq -S '[.statistics.maps // .maps | .[] | {name, kind,
		entries: (.entries | sort_by(.key | tostring))}] | sort_by(.name)' "$1"
}
expect_same "statistics (live route, then replay)" "$(stats "$E2E_TMP/live.json")" \
	"$(stats "$E2E_TMP/replay.json")"
