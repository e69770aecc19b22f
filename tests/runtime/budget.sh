#!/bin/sh
# budget.sh: lwtp stat shows limits (rate and burst in their unit, the
# tokens now, passed, exceeded), quotas (used, left, the budget, over) and
# sample rings, each with what its lwtp_full_NAME counts (keys stored,
# refused, evicted; samples written, lost), in text (expected/stat_budgets.txt),
# --json and --prometheus; --reset renews a quota (what was over passes
# again) and refills a limit's bucket, on real traffic, and the renewed
# keys are counted as stored.
#
# The object is policies/budgets.lwtp compiled by lwtc (limits, quotas and
# samples have no hand-written fixture), attached with plain iproute2 to
# 198.51.100.0/24. skb.len is the L3 length: IPv4 UDP = 28 + payload.
. "$(dirname "$0")/lib.sh"

[ -x "$LWTC" ] || die "$LWTC is missing (make compiler): budgets.o comes from lwtc"
object budgets
route_bpf 198.51.100.0/24 "$T/budgets.o" budgets

# expect_send WHAT DST PORT COUNT PAYLOAD RESULT
expect_send() {
	_got=$(send "$2" "$3" "$4" "$5")
	if [ "$_got" = "$6" ]; then ok "$1"; else fail "$1" "$_got, not $6"; fi
}

# 15 to a quota of 10 per destination, else drop: 10 pass, 5 EPERM
expect_send "quota: 10 of 15 pass" 198.51.100.7 7 15 10 "sent 10 eperm 5"
expect_send "quota: another key has its own" 198.51.100.8 7 3 10 "sent 3 eperm 0"
expect_send "byte quota" 198.51.100.7 8 3 300 "sent 3 eperm 0"
# a quota of 1 packet per key, 2 keys at most, else count: the third key is
# refused, and over its quota (it has none)
send 198.51.100.1 14 1 10 > /dev/null
send 198.51.100.2 14 2 10 > /dev/null
send 198.51.100.3 14 1 10 > /dev/null
expect_send "limit: under the burst" 198.51.100.7 9 2 10 "sent 2 eperm 0"
send 198.51.100.7 10 3 1000 > /dev/null
send 198.51.100.8 10 1 1000 > /dev/null
expect_send "limit: burst 3 of 5" 198.51.100.7 11 5 10 "sent 3 eperm 2"
send 198.51.100.7 12 1 10 > /dev/null
send 198.51.100.7 13 4 10 > /dev/null
# nobody reads the rings: 2 samples of 1528 bytes fit in 4096
send 198.51.100.7 15 5 1000 > /dev/null
# bl_pkts, bl_dst and bl_line are full again after 5 ms; bl_slow (1/h)
# gains less than 0.1 token in 6 minutes
sleep 0.2

# ---- text -------------------------------------------------------------------

# in $NS, where the route is: each map's policy and route under its name
lwtp_ns stat bl_pkts bl_slow bl_line bl_dst bq_dst bq_bytes bq_small bs_ring bs_tiny \
	> "$T/budgets.txt" 2> "$T/err" || fail "stat" "exit $?: $(cat "$T/err")"
expect_text "limit, quota and ring text" "$HERE/expected/stat_budgets.txt" "$T/budgets.txt"
lwtp stat > "$T/all.txt" || fail "stat of all maps" "exit $?"
check "lwtp_full maps print with their statistic, not on their own" \
	sh -c '! grep -q "^lwtp_full_" "$1" && grep -q "^samples: 4 written, 0 lost$" "$1"' - "$T/all.txt"
# without the policy lines from here on: outside $NS they say "on no route"
nopol() { grep -v '^  polic'; }
lwtp stat lwtp_full_bq_dst | nopol > "$T/full.txt"
check "an lwtp_full map named alone" [ "$(cat "$T/full.txt")" = \
	"lwtp_full_bq_dst: 2 inserted, 0 refused (the new keys or samples of bq_dst)" ]
lwtp stat --top 1 bq_dst | nopol > "$T/top.txt"
check "--top on a quota" [ "$(sed -n '1p;3p' "$T/top.txt")" = "bq_dst: quota by ip.dst: 2 keys, 5 over (top 1 shown)
198.51.100.7  10 packets    15     0     5" ]

# ---- JSON ---------------------------------------------------------------------

lwtp stat --json > "$T/all.json" || fail "stat --json" "exit $?"
check "json is one document" sh -c 'jq -e . "$1" >/dev/null' - "$T/all.json"
m() { jqn ".maps[] | select(.name==\"$1\") | $2" "$T/all.json"; }
check "json: lwtp_full maps are not maps of their own" \
	[ "$(jqn '[.maps[].name] | join(" ")' "$T/all.json")" = "bl_dst bl_line bl_pkts bl_slow bq_bytes bq_dst bq_small bs_ring bs_tiny" ]
check "json quota entry" [ "$(m bq_dst '.entries[0] | "\(.key.ip_dst) \(.unit) \(.limit) \(.used) \(.left) \(.over)"')" = \
	"198.51.100.7 packets 10 15 0 5" ]
check "json quota keys" [ "$(m bq_dst '.keys | "\(.inserted) \(.refused) \(.present) \(.max_entries)"')" = "2 0 2 4096" ]
check "json full quota keys" [ "$(m bq_small '.keys | "\(.inserted) \(.refused) \(.present) \(.max_entries)"')" = "2 1 2 2" ]
check "json byte quota" [ "$(m bq_bytes '.entries[0] | "\(.key) \(.unit) \(.limit) \(.used) \(.left) \(.over)"')" = \
	"{} bytes 1000 984 16 0" ]
check "json limit" [ "$(m bl_slow '.entries[0] | "\(.unit) \(.rate) \(.period_ns) \(.burst) \(.passed) \(.exceeded) \(.tokens < 0.1)"')" = \
	"packets 1 3600000000000 3 3 2 true" ]
check "json full bucket" [ "$(m bl_pkts '.entries[0] | "\(.tokens) \(.burst) \(.passed)"')" = "5 5 2" ]
check "json bit limit" [ "$(m bl_line '.entries[0] | "\(.unit) \(.rate) \(.burst) \(.tokens)"')" = "bits 10000000 512000 512000" ]
check "json keyed limit" [ "$(m bl_dst '[.entries[] | "\(.key.ip_dst)=\(.passed)"] | join(",")')" = "198.51.100.7=3,198.51.100.8=1" ]
check "json LRU keys" [ "$(m bl_dst '.keys | "\(.inserted) \(.present) \(.evicted) \(.max_entries)"')" = "2 2 0 16" ]
check "json ring" [ "$(m bs_ring '"\(.kind) \(.ring_bytes) \(.samples.written) \(.samples.lost)"')" = "sample 262144 4 0" ]
check "json full ring" [ "$(m bs_tiny '"\(.ring_bytes) \(.samples.written) \(.samples.lost)"')" = "4096 2 3" ]

# ---- Prometheus ------------------------------------------------------------------

lwtp stat --prometheus > "$T/metrics.prom" || fail "stat --prometheus" "exit $?"
promtool_check "$T/metrics.prom"
prom() { grep -F -x -q -- "$1" "$T/metrics.prom"; }
check "prom quota used" prom 'lwtp_bq_dst_used{ip_dst="198.51.100.7"} 15'
check "prom quota left" prom 'lwtp_bq_dst_left{ip_dst="198.51.100.7"} 0'
check "prom quota limit" prom 'lwtp_bq_dst_limit{ip_dst="198.51.100.8"} 10'
check "prom quota over" prom 'lwtp_bq_dst_over_total{ip_dst="198.51.100.7"} 5'
check "prom quota TYPE" prom '# TYPE lwtp_bq_dst_over_total counter'
check "prom byte quota" prom 'lwtp_bq_bytes_used 984'
check "prom limit passed" prom 'lwtp_bl_slow_passed_total 3'
check "prom limit exceeded" prom 'lwtp_bl_slow_exceeded_total 2'
check "prom limit burst" prom 'lwtp_bl_slow_burst 3'
check "prom limit rate per second" prom 'lwtp_bl_pkts_rate 1000'
check "prom full bucket" prom 'lwtp_bl_pkts_tokens 5'
check "prom bit rate in bytes" prom 'lwtp_bl_line_rate 1250000'
check "prom bit burst in bytes" prom 'lwtp_bl_line_burst 64000'
check "prom keyed limit" prom 'lwtp_bl_dst_passed_total{ip_dst="198.51.100.7"} 3'
check "prom keys inserted" prom 'lwtp_bq_small_keys_inserted_total 2'
check "prom keys refused" prom 'lwtp_bq_small_keys_refused_total 1'
check "prom keys present" prom 'lwtp_bq_small_keys_present 2'
check "prom LRU evicted" prom 'lwtp_bl_dst_keys_evicted_total 0'
check "prom samples written" prom 'lwtp_bs_tiny_samples_written_total 2'
check "prom samples lost" prom 'lwtp_bs_tiny_samples_lost_total 3'
check "prom: no lwtp_full metrics of their own" sh -c '! grep -q "lwtp_lwtp_full" "$1"' - "$T/metrics.prom"

# ---- -i: rates of what counts, the state as it is ----------------------------------

lwtp stat --json -i 1 -c 1 bq_dst bl_slow > "$T/rates.json" &
pid=$!
sleep 0.3
send 198.51.100.8 7 9 10 > /dev/null
wait $pid || fail "-i -c" "exit $?"
got=$(jq -r '[.maps[] | .entries[] | "\(.key.ip_dst // "-") \(.used // .passed) \(.over // .exceeded)"] | join(",")' "$T/rates.json")
check "-i: keyed quota shows the keys that changed, unkeyed limit its state" \
	sh -c 'echo "$1" | grep -Eq "^198\.51\.100\.8 12 (2|1\.9[0-9]*|2\.0[0-9]*),- 0 0$"' - "$got"

# ---- --reset renews a quota, refills a limit ----------------------------------------

lwtp stat --reset bq_dst bl_slow > /dev/null || fail "--reset" "exit $?"
lwtp stat --json bq_dst bl_slow > "$T/reset.json"
check "reset: quota used and over 0, budget kept" [ "$(jqn '[.maps[0].entries[] | "\(.key.ip_dst) \(.used) \(.left) \(.over) \(.limit)"] | join(",")' "$T/reset.json")" = \
	"198.51.100.7 0 10 0 10,198.51.100.8 0 10 0 10" ]
check "reset: its lwtp_full too" [ "$(jqn '.maps[0].keys | "\(.inserted) \(.refused) \(.present)"' "$T/reset.json")" = "0 0 2" ]
# the renewed keys are still stored: the header and the keys line say so
lwtp stat bq_dst | nopol > "$T/reset.txt"
check "reset: the header counts the keys stored" \
	[ "$(sed -n 1p "$T/reset.txt")" = "bq_dst: quota by ip.dst: 2 keys, 0 over" ]
check "... and so does the keys line" \
	[ "$(sed -n '$p' "$T/reset.txt")" = "keys: 2 stored, 0 refused (size 4096)" ]
check "reset: limit full, counts 0" [ "$(jqn '.maps[1].entries[0] | "\(.tokens) \(.passed) \(.exceeded) \(.burst)"' "$T/reset.json")" = "3 0 0 3" ]
expect_send "reset: what was over the quota passes again" 198.51.100.7 7 15 10 "sent 10 eperm 5"
expect_send "reset: the bucket is full again" 198.51.100.7 11 5 10 "sent 3 eperm 2"
lwtp stat bq_dst | nopol > "$T/after.txt"
check "reset: then spent again" [ "$(sed -n 3p "$T/after.txt")" = "198.51.100.7  10 packets    15     0     5" ]
lwtp stat --reset lwtp_full_bs_ring > /dev/null
check "reset of an lwtp_full map alone" [ "$(lwtp stat --json bs_ring | jq -r '.maps[0].samples | "\(.written) \(.lost)"')" = "0 0" ]
lwtp stat --reset bs_tiny > /dev/null || fail "--reset of a ring" "exit $?"
check "reset of a ring zeroes its counts" [ "$(lwtp stat --json bs_tiny | jq -r '.maps[0].samples | "\(.written) \(.lost)"')" = "0 0" ]

# ---- wrong input ----------------------------------------------------------------------

lwtp set add bq_dst 1 > /dev/null 2> "$T/err"
rc=$?
check "a quota is not a set: exit 1" [ "$rc" = 1 ]
check "... says so" [ "$(cat "$T/err")" = "lwtp: 'bq_dst' is a quota, not a set" ]
lwtp stat bq_dst lwtp_full_nosuch > "$T/out" 2> "$T/err"
rc=$?
check "an lwtp_full map that is not there: exit 1, nothing printed" [ "$rc" = 1 -a ! -s "$T/out" ]
check "... one line" [ "$(cat "$T/err")" = "lwtp: no map 'lwtp_full_nosuch' in /sys/fs/bpf/ip/globals" ]

# ---- an LRU limit evicts: evicted = inserted - present --------------------------------

i=1
while [ $i -le 40 ]; do
	send 198.51.100.$((100 + i)) 10 1 10 > /dev/null
	i=$((i + 1))
done
lwtp stat --json bl_dst > "$T/lru.json"
got=$(jqn '.maps[0].keys | "\(.inserted - .present == .evicted) \(.present <= 16) \(.evicted >= 24) \(.inserted)"' "$T/lru.json")
check "LRU limit: evicted = inserted - present" [ "$got" = "true true true 42" ]

finish
