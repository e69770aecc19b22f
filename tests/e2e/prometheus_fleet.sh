#!/bin/bash
# A fleet of two routers watched by a real Prometheus server: each router is
# a network namespace with a bpffs of its own (a mount namespace) and a route
# running the policy 'fleet'; each has an 'lwtp exporter' reading its pins.
# Prometheus (Debian's package, with a config of its own in a temporary
# directory, on loopback) scrapes both; its HTTP API must then give the
# PromQL sum across the routers equal to the packets sent through both,
# with lwtp_up 1 and the policy label on every series.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

LWTP=${LWTP:-$E2E_ROOT/build/lwtp}
need_file "$LWTC" "make compiler"
need_file "$LWTP" "make runtime"
need_file "$TOOLS/sendudp" "make test-tools"
command -v curl >/dev/null || fail "curl: not found"
command -v jq >/dev/null || fail "jq: not found"
if ! command -v prometheus >/dev/null; then
	# the package's service is not wanted: only the binary runs, here
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		prometheus >/dev/null 2>&1 || fail "prometheus: not installed, and apt-get could not"
fi
T=$E2E_TMP
PIDS=()
stop_all() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	e2e_cleanup
}
trap stop_all EXIT

# a free loopback port (between the tests' own choice and a bind, another
# program may take it: the bind then fails loudly)
free_port() {
	local p
	while :; do
		p=$(shuf -i 20000-59999 -n 1)
		ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}
wait_http() {
	local i
	for i in $(seq 100); do
		curl -sf "$1" >/dev/null && return
		sleep 0.1
	done
	fail "nothing answers at $1"
}

printf 'policy fleet {\n    count fleet_packets;\n}\n' > "$T/fleet.lwtp"
must "$LWTC" "$T/fleet.lwtp" -o "$T/fleet.o"

# router N: a pair of namespaces, and a mount namespace of its own, held by a
# sleeping process, with a fresh bpffs: the route pins its map there
router() {
	local n=$1 count=$2 holder
	e2e_pair
	unshare --mount --propagation private sh -c \
		'mount -t bpf lwtp-bpf /sys/fs/bpf && exec sleep 1000' &
	holder=$!
	PIDS+=("$holder")
	sleep 0.2
	MNT[$n]=/proc/$holder/ns/mnt
	nsenter --mount="${MNT[$n]}" --net=/run/netns/"$NSA" ip route add 198.51.100.7/32 \
		encap bpf out obj "$T/fleet.o" section fleet dev vethA ||
		fail "router $n: cannot add the route"
	e2e_expect_send 198.51.100.7 9 "100x$count" "$count" 0
	PORT[$n]=$(free_port)
	nsenter --mount="${MNT[$n]}" "$LWTP" exporter --listen "127.0.0.1:${PORT[$n]}" \
		2> "$T/exporter$n.log" &
	PIDS+=("$!")
	wait_http "http://127.0.0.1:${PORT[$n]}/metrics"
}
declare -a MNT PORT
router 1 3
router 2 5
# the routers' pins are their own: each exporter sees its own count
curl -sf "http://127.0.0.1:${PORT[1]}/metrics" | grep -qx 'lwtp_fleet_packets_packets_total{policy="fleet"} 3' ||
	fail "router 1's exporter: $(curl -s "http://127.0.0.1:${PORT[1]}/metrics")"
curl -sf "http://127.0.0.1:${PORT[2]}/metrics" | grep -qx 'lwtp_fleet_packets_packets_total{policy="fleet"} 5' ||
	fail "router 2's exporter: $(curl -s "http://127.0.0.1:${PORT[2]}/metrics")"

PPORT=$(free_port)
cat > "$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: lwtp
    static_configs:
      - targets: ['127.0.0.1:${PORT[1]}']
        labels: {router: r1}
      - targets: ['127.0.0.1:${PORT[2]}']
        labels: {router: r2}
EOF
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/data" \
	--web.listen-address="127.0.0.1:$PPORT" > "$T/prometheus.log" 2>&1 &
PIDS+=("$!")
wait_http "http://127.0.0.1:$PPORT/-/ready"

# query EXPR: the value of an instant PromQL query with one result ("" if none)
query() {
	curl -sf "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" |
		jq -r 'if (.data.result | length) == 1 then .data.result[0].value[1] else "" end'
}
got=
for i in $(seq 100); do
	got=$(query 'sum(lwtp_fleet_packets_packets_total{job="lwtp"})')
	[ "$got" = 8 ] && break
	sleep 0.3
done
[ "$got" = 8 ] || fail "Prometheus's sum across the routers is '$got', not 8 packets:
$(tail -5 "$T/prometheus.log")"
[ "$(query 'sum(lwtp_up{job="lwtp"})')" = 2 ] || fail "lwtp_up is not 1 on both routers"
[ "$(query 'count(lwtp_fleet_packets_packets_total{policy="fleet"})')" = 2 ] ||
	fail "the policy label is missing"
[ "$(query 'lwtp_fleet_packets_packets_total{router="r2"}')" = 5 ] || fail "router 2 is not 5"
echo "Prometheus sums 3 + 5 packets across two routers' exporters: 8"
