. /work/main/tests/runtime/lib.sh
object stats
route_bpf 198.51.100.7/32 "$T/stats.o" stats
send 198.51.100.7 53 4 12 >/dev/null
send 198.51.100.7 53 6 1000 >/dev/null
mkdir $T/tf
lwtp stat --prometheus > $T/tf/lwtp.prom
in_ns prometheus-node-exporter --collector.disable-defaults --collector.textfile --collector.textfile.directory=$T/tf --web.listen-address=127.0.0.1:9100 > $T/ne.log 2>&1 &
sleep 1.5
in_ns curl -s http://127.0.0.1:9100/metrics | grep -E "lwtp|textfile" | head -40
kill %1; wait
grep -i "error\|warn" $T/ne.log | head
