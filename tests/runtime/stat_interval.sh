#!/bin/sh
# stat_interval.sh: lwtp stat -i reads every map in a round, then divides
# each one's counts by one interval: the time between that round and the
# one before, taken the same way every round, the first included. A map
# slow to read (iv_by_id: 65536 keys, a few tenths of a second) must not
# stretch the first interval of the others: under steady traffic of 100
# packets a second every round, the first too, shows 100/s, in the quick
# map and in the sum of the slow one's keys alike (give or take the
# packets sent while the slow one is read). The keys a map stores
# are counted, not only those that counted something in the interval.
#
# The object is policies/interval.lwtp compiled by lwtc
# (fixtures/interval.bpf.c, the same maps by hand, with
# LWTP_RT_FIXTURES=1), attached to 198.51.100.7/32 with plain iproute2.
. "$(dirname "$0")/lib.sh"

object interval
route_bpf 198.51.100.7/32 "$T/interval.o" interval

# every IPv4 identification once: iv_by_id fills up (a few ids may repeat)
[ "$(send 198.51.100.7 53 65536 12)" = "sent 65536 eperm 0" ] || die "cannot fill iv_by_id"
keys=$(lwtp stat --json iv_by_id | jq '.maps[0].keys.present')
[ "$keys" -gt 65000 ] || die "iv_by_id holds $keys keys, not about 65536"

# 100 packets a second for 6 s; the rounds start after 0.5 s and end by 4.5
send -r 100 198.51.100.7 9 600 12 > "$T/paced.out" &
sender=$!
sleep 0.5
lwtp stat --json -i 1 -c 3 iv_total iv_by_id > "$T/rates.json" || fail "-i -c 3" "exit $?"
wait "$sender"
check "paced sender" [ "$(cat "$T/paced.out")" = "sent 600 eperm 0" ]
check "three rounds" [ "$(wc -l < "$T/rates.json")" = 3 ]

# per round: interval, the quick map's rate, the slow one's (its keys summed)
jq -r '[.interval, (.maps[0].entries[0].packets),
	([.maps[1].entries[].packets] | add // 0), .maps[1].keys.present] | @tsv' \
	"$T/rates.json" > "$T/rounds.tsv"
echo "# $TEST: interval, rates, keys: $(tr '\t\n' ' ;' < "$T/rounds.tsv")"
round=0
while IFS="$(printf '\t')" read -r interval total slow present; do
	round=$((round + 1))
	# about 1 s: a round that reads for longer than the one before
	# (a busy host) has its time, halfway through, later
	check "round $round: about 1 s ($interval)" \
		awk -v i="$interval" 'BEGIN { exit !(i > 0.8 && i < 1.2) }'
	# the first round, before: 100/s x (1 s + the time iv_by_id took to read)
	check "round $round: 100/s in the map read first ($total)" \
		awk -v r="$total" 'BEGIN { exit !(r >= 85 && r <= 115) }'
	# reading 65536 keys takes a while: a packet sent meanwhile counts in
	# this round or the next, by whether its key was read yet
	check "round $round: and in the map read last ($slow)" \
		awk -v r="$slow" 'BEGIN { exit !(r >= 80 && r <= 120) }'
	check "round $round: the keys stored ($present), not those that counted" \
		[ "${present:-0}" -gt 65000 ]
done < "$T/rounds.tsv"
check "every round checked" [ "$round" = 3 ]

finish
