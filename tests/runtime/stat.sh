#!/bin/sh
# stat.sh: lwtp stat reads what a route's program counted, from the pins
# alone: exact numbers in --json and --prometheus (which promtool accepts,
# and node_exporter's textfile collector serves, when installed), the text
# of expected/*.txt, the policy and routes of each map, the decoder linked
# into another tool (dumpmap.c), --top, --reset, -i rates and key counts.
#
# The object is policies/stats.lwtp compiled by lwtc (fixtures/stats.bpf.c,
# the same maps by hand, before lwtc exists or with LWTP_RT_FIXTURES=1),
# attached to an IPv4 and an IPv6 route with plain iproute2. skb.len is the L3 length: IPv4 UDP = 28 + payload,
# IPv6 UDP = 48 + payload.
. "$(dirname "$0")/lib.sh"

object stats
route_bpf 198.51.100.7/32 "$T/stats.o" stats
route_bpf 2001:db8::7/128 "$T/stats.o" stats

[ -e /sys/fs/bpf/ip/globals/rt_len_hist_by_log2 ] || die "maps are not pinned by name"

# 4 x 40 B, 6 x 100 B to port 53; 2 x 1028 B to port 9 with TTL 200;
# 3 x 60 B over IPv6 to port 53
sent=$(send 198.51.100.7 53 4 12; send 198.51.100.7 53 6 72;
       send -t 200 198.51.100.7 9 2 1000; send 2001:db8::7 53 3 12)
[ "$sent" = "sent 4 eperm 0
sent 6 eperm 0
sent 2 eperm 0
sent 3 eperm 0" ] || die "sending failed: $sent"

# ---- JSON: exact numbers ----------------------------------------------------

lwtp stat --json > "$T/all.json" || fail "stat --json" "exit $?"
check "json is one document" sh -c 'jq -e . "$1" >/dev/null' - "$T/all.json"
check "json total" [ "$(jqn '.maps[] | select(.name=="rt_total") | .entries[0] | "\(.packets) \(.bytes)"' "$T/all.json")" = "15 2996" ]
check "json total is a counter" [ "$(jqn '.maps[] | select(.name=="rt_total") | .kind' "$T/all.json")" = counter ]
got=$(jqn '.maps[] | select(.name=="rt_by_dst") | .entries[] | "\(.key.ip_dst) \(.key.udp_dport) \(.key.ip_proto) \(.packets) \(.bytes)"' "$T/all.json")
check "json keyed counter, busiest first" [ "$got" = "198.51.100.7 53 udp 10 760
2001:db8::7 53 udp 3 180
198.51.100.7 9 udp 2 2056" ]
got=$(jqn '.maps[] | select(.name=="rt_len_hist_by_log2") | .entries[0] | "\(.count):" + ([.buckets[] | "\(.low)-\(.high)=\(.count)"] | join(","))' "$T/all.json")
check "json log2 histogram (name past 15 chars)" [ "$got" = "15:32-64=7,64-128=6,1024-2048=2" ]
got=$(jqn '.maps[] | select(.name=="rt_ttl") | [.entries[0].buckets[] | "\(.bucket):\(.low)-\(.high)=\(.count)"] | join(",")' "$T/all.json")
check "json linear histogram" [ "$got" = "5:64-80=13,13:192-208=2" ]
got=$(jqn '.maps[] | select(.name=="rt_ver_len") | [.entries[] | "v\(.key.ip_version)=\(.count)"] | join(",")' "$T/all.json")
check "json keyed histogram" [ "$got" = "v4=12,v6=3" ]
check "json names only lwtp maps" [ "$(jqn '[.maps[].name] | join(" ")' "$T/all.json")" = "rt_by_dst rt_len_hist_by_log2 rt_total rt_ttl rt_ver_len" ]

# ---- text -------------------------------------------------------------------

# in $NS, where the routes are: each map's policy and routes under its name
lwtp_ns stat rt_len_hist_by_log2 rt_ver_len rt_ttl > "$T/hist.txt"
expect_text "histogram text" "$HERE/expected/stat_hist.txt" "$T/hist.txt"
lwtp_ns stat rt_total rt_by_dst > "$T/counters.txt"
expect_text "counter text" "$HERE/expected/stat_counters.txt" "$T/counters.txt"

# ---- the policy and routes of a map ---------------------------------------------

# lwtc's program names its policy, and the routes that run it are known;
# a hand-written fixture's names none, and which route runs it is not known
lwtp_ns stat --json rt_by_dst > "$T/where.json"
got=$(jq -r '.maps[0] | "\(.policies | join(",")) \([.routes[] | "\(.family):\(.dst):\(.dev):\(.table)"] | join(","))"' "$T/where.json")
if [ -n "$LWTC_MADE" ]; then
	check "json policies and routes" [ "$got" = "stats inet:198.51.100.7:d0:254,inet6:2001:db8::7:d0:254" ]
else
	check "json: a fixture has no policy, no route" [ "$got" = " " ]
fi
# outside $NS the policy is known, its routes are not
lwtp stat rt_total > "$T/elsewhere.txt"
if [ -n "$LWTC_MADE" ]; then
	check "text: no route in this namespace" [ "$(sed -n 2p "$T/elsewhere.txt")" = \
		"  policy stats, on no route of this network namespace" ]
else
	check "text: a fixture has no policy line" [ "$(wc -l < "$T/elsewhere.txt")" = 1 ]
fi
lwtp stat --prometheus rt_total > "$T/where.prom"
check "prometheus: no policy of its own (the exporter labels it)" \
	sh -c '! grep -q "polic\|route" "$1"' - "$T/where.prom"

# ---- the decoder as other tools link it: canonical entry text --------------------

R=$ROOT/runtime
gcc -O2 -I"$ROOT/include" -I"$R" -o "$T/dumpmap" "$HERE/dumpmap.c" "$R"/decode_*.c "$R/maps.c" "$R/elem.c" \
	"$R/log.c" -lbpf -lelf -lz || die "cannot build dumpmap"
for m in rt_total rt_by_dst rt_len_hist_by_log2 rt_ver_len; do
	"$T/dumpmap" /sys/fs/bpf/ip/globals $m
done > "$T/entries.txt"
if diff -u "$HERE/expected/stat_entries.txt" "$T/entries.txt" > "$T/entries.diff"; then
	ok "canonical entry text"
else
	fail "canonical entry text" "$(cat "$T/entries.diff")"
fi

# ---- Prometheus ---------------------------------------------------------------

lwtp stat --prometheus > "$T/metrics.prom" || fail "stat --prometheus" "exit $?"
promtool_check "$T/metrics.prom"
# node_exporter's textfile collector, when it is installed, serves them
NE=$(command -v prometheus-node-exporter || command -v node_exporter || true)
if [ -n "$NE" ] && command -v curl >/dev/null 2>&1; then
	mkdir "$T/textfile"
	cp "$T/metrics.prom" "$T/textfile/lwtp.prom"
	# in $NS, whose loopback is its own; nsenter execs, so $! is the exporter
	nsenter --net=/run/netns/"$NS" "$NE" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$T/textfile" \
		--web.listen-address=127.0.0.1:9100 > "$T/ne.log" 2>&1 &
	ne=$!
	for i in 1 2 3 4 5 6 7 8 9 10; do
		in_ns curl -sf http://127.0.0.1:9100/metrics > "$T/ne.out" && break
		sleep 0.5
	done
	kill "$ne" 2>/dev/null
	wait "$ne" 2>/dev/null
	check "node_exporter textfile collector serves them" \
		grep -q '^lwtp_rt_by_dst_packets_total{ip_dst="198.51.100.7",ip_proto="udp",udp_dport="53"} 10$' "$T/ne.out"
	check "... without errors" grep -q '^node_textfile_scrape_error 0$' "$T/ne.out"
else
	echo "# $TEST: prometheus-node-exporter is not installed; textfile collector not tried"
fi

# -o FILE: the same text, written whole and renamed into place, 0644
mkdir "$T/tf"
lwtp stat --prometheus -o "$T/tf/lwtp.prom" > "$T/o.out" || fail "stat --prometheus -o" "exit $?"
check "-o writes what stdout gets" cmp -s "$T/tf/lwtp.prom" "$T/metrics.prom"
check "... prints nothing" [ ! -s "$T/o.out" ]
check "... mode 0644" [ "$(stat -c %a "$T/tf/lwtp.prom")" = 644 ]
check "... leaves no temporary file" [ "$(ls "$T/tf")" = lwtp.prom ]
lwtp stat --prometheus -o "$T/nodir/lwtp.prom" 2> "$T/o.err"
check "-o into a missing directory fails" [ $? = 1 ]
check "... saying so" grep -q "^lwtp: cannot write $T/nodir/lwtp.prom.lwtp-......: No such file or directory$" "$T/o.err"
lwtp stat -o "$T/tf/x.prom" 2> "$T/o.err"
check "-o without --prometheus is refused" [ $? = 2 ]

# the exporter: the same metrics over HTTP, a policy label first, lwtp_up
PORT=$((20000 + $$ % 30000))
# nsenter itself, not the in_ns function: a function in the background is a
# subshell, and $! would be that subshell rather than the exporter
nsenter --net=/run/netns/"$NS" "$LWTP" exporter --listen "127.0.0.1:$PORT" \
	2> "$T/exporter.err" > /dev/null &
exp=$!
for i in $(seq 50); do
	in_ns curl -sf "http://127.0.0.1:$PORT/metrics" > "$T/exported.prom" && break
	sleep 0.1
done
in_ns curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nope" > "$T/code404"
in_ns curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/metrics" > "$T/code405"
in_ns curl -s -D "$T/headers" -o /dev/null "http://127.0.0.1:$PORT/metrics"
kill "$exp"
wait "$exp"
check "exporter exits 0 on SIGTERM" [ $? = 0 ]
# the policy label names lwtc's section; the hand-written fixture is no policy
POL=
readelf -sW "$T/stats.o" | grep -q ' lwtp_object_' && POL=stats
exported() { grep -F -x -q -- "$1" "$T/exported.prom"; }
check "exporter: a keyed counter, policy label first" exported "lwtp_rt_by_dst_packets_total{policy=\"$POL\",ip_dst=\"198.51.100.7\",udp_dport=\"53\",ip_proto=\"udp\"} 10"
check "exporter: an unkeyed one" exported "lwtp_rt_total_packets_total{policy=\"$POL\"} 15"
check "exporter: a bucket" exported "lwtp_rt_len_hist_by_log2_bucket{policy=\"$POL\",le=\"127\"} 13"
check "exporter: lwtp_up" exported 'lwtp_up 1'
check "exporter: no scrape errors" exported 'lwtp_scrape_errors 0'
check "exporter: created" grep -q "^lwtp_statistic_created_seconds{statistic=\"rt_total\",policy=\"$POL\"} [0-9]*\\.[0-9]*$" "$T/exported.prom"
check "exporter: 404 elsewhere" [ "$(cat "$T/code404")" = 404 ]
check "exporter: 405 for POST" [ "$(cat "$T/code405")" = 405 ]
check "exporter: content type" grep -qi '^content-type: text/plain; version=0.0.4' "$T/headers"
promtool_check "$T/exported.prom"
lwtp exporter --listen nonsense 2> "$T/exp.err"
check "exporter: a bad --listen is refused" [ $? = 2 ]

prom() { grep -F -x -q -- "$1" "$T/metrics.prom"; }
check "prom total" prom 'lwtp_rt_total_packets_total 15'
check "prom total bytes" prom 'lwtp_rt_total_bytes_total 2996'
check "prom keyed counter" prom 'lwtp_rt_by_dst_packets_total{ip_dst="198.51.100.7",udp_dport="53",ip_proto="udp"} 10'
check "prom keyed bytes" prom 'lwtp_rt_by_dst_bytes_total{ip_dst="2001:db8::7",udp_dport="53",ip_proto="udp"} 180'
check "prom bucket" prom 'lwtp_rt_len_hist_by_log2_bucket{le="127"} 13'
check "prom +Inf" prom 'lwtp_rt_len_hist_by_log2_bucket{le="+Inf"} 15'
check "prom count" prom 'lwtp_rt_len_hist_by_log2_count 15'
check "prom keyed bucket" prom 'lwtp_rt_ver_len_bucket{ip_version="6",le="63"} 3'
check "prom linear bucket" prom 'lwtp_rt_ttl_bucket{le="207"} 15'
check "prom TYPE" prom '# TYPE lwtp_rt_ttl histogram'

# ---- --top ------------------------------------------------------------------------

got=$(lwtp stat --json --top 1 rt_by_dst | jq -r '[.maps[0].entries[] | .packets] | join(",")')
check "--top 1" [ "$got" = 10 ]

# ---- a name that is not there, and one given twice --------------------------------

check "named map order kept" [ "$(lwtp stat --json rt_ttl rt_total | jq -r '[.maps[].name] | join(" ")')" = "rt_ttl rt_total" ]

# ---- -i: rates ---------------------------------------------------------------------

lwtp stat --json -i 1 -c 2 rt_total > "$T/rates.json" &
pid=$!
sleep 0.3
send 198.51.100.7 53 10 12 > /dev/null
wait $pid || fail "-i -c" "exit $?"
check "-i prints one line per interval" [ "$(wc -l < "$T/rates.json")" = 2 ]
got=$(head -1 "$T/rates.json" | jq -r '(.maps[0].entries[0].packets * .interval + 0.5 | floor | tostring) + " " + (.maps[0].entries[0].bytes * .interval + 0.5 | floor | tostring)')
check "-i first interval rate" [ "$got" = "10 400" ]
got=$(sed -n 2p "$T/rates.json" | jq -r '.maps[0].entries[0].packets')
check "-i second interval rate is 0" [ "$got" = 0 ]
lwtp stat -i 1 -c 1 rt_total rt_by_dst > "$T/rates.txt" || fail "-i text" "exit $?"
check "-i text" grep -q '^rt_total: 0.0 packets/s, 0.0 bytes/s$' "$T/rates.txt"
# the keys stored, though none counted in the interval
check "-i: a keyed map's keys, and those that counted" \
	grep -qx 'rt_by_dst: 3 keys, 0 active, 0.0 packets/s, 0.0 bytes/s' "$T/rates.txt"
check "-i: the keys stored under it" \
	grep -qx 'keys: 3 stored, 0.0 inserted/s, 0.0 refused/s' "$T/rates.txt"
lwtp stat --json -i 1 -c 1 rt_by_dst > "$T/rates.json" || fail "-i json" "exit $?"
check "-i json: keys present" [ "$(jq -r '.maps[0] | "\(.keys.present) \(.entries | length)"' "$T/rates.json")" = "3 0" ]

# ---- --reset ------------------------------------------------------------------------

lwtp stat --reset > /dev/null || fail "--reset" "exit $?"
check "reset keeps the pins" test -e /sys/fs/bpf/ip/globals/rt_total -a -e /sys/fs/bpf/ip/globals/rt_by_dst
lwtp stat --json > "$T/zero.json"
check "reset zeroes counters" [ "$(jqn '.maps[] | select(.name=="rt_total") | .entries[0] | "\(.packets) \(.bytes)"' "$T/zero.json")" = "0 0" ]
check "reset empties keyed maps" [ "$(jqn '[.maps[] | select(.name!="rt_total") | .entries[] | select(.count > 0 or .packets > 0)] | length' "$T/zero.json")" = 0 ]
send 198.51.100.7 53 1 12 > /dev/null
check "counting goes on after reset" [ "$(lwtp stat --json rt_total | jq -r '.maps[0].entries[0] | "\(.packets) \(.bytes)"')" = "1 40" ]
check "counting goes on in keyed maps" [ "$(lwtp stat --json rt_by_dst | jq -r '.maps[0].entries[0].packets')" = 1 ]

finish
