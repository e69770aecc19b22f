#!/bin/sh
# audit.sh: an audit policy on a route beside the enforcing one, on the same
# traffic: the enforcing route drops (the sender sees EPERM), the audit
# route passes, and lwtp stat shows, per statement, what it would have done,
# exactly the packets the enforcing one dropped or marked: text, JSON and
# Prometheus. IPv4 UDP is 28 + payload bytes.
. "$(dirname "$0")/lib.sh"

[ -x "$LWTC" ] || die "needs lwtc ($LWTC)"
"$LWTC" "$HERE/policies/audit.lwtp" -o "$T/audit.o" || die "lwtc cannot compile policies/audit.lwtp"
LWTC_MADE=1
route_bpf 198.51.100.7/32 "$T/audit.o" au_enforce
route_bpf 198.51.100.8/32 "$T/audit.o" au_trial

# 4 x 40 B to port 53, 2 x 40 B to port 9, 3 x 60 B to port 123; to each
sent=$(send 198.51.100.7 53 4 12; send 198.51.100.7 9 2 12; send 198.51.100.7 123 3 32;
       send 198.51.100.8 53 4 12; send 198.51.100.8 9 2 12; send 198.51.100.8 123 3 32)
check "enforcing drops, audit passes" [ "$sent" = "sent 0 eperm 4
sent 2 eperm 0
sent 3 eperm 0
sent 4 eperm 0
sent 2 eperm 0
sent 3 eperm 0" ]

lwtp stat --json > "$T/all.json" || fail "stat --json" "exit $?"
got=$(jqn '.maps[] | select(.name=="lwtp_audit_au_trial") | .entries[] | "\(.key.statement): \(.packets) \(.bytes)"' "$T/all.json")
check "json: would drop as many as dropped" [ "$got" = "passed (end) at audit.lwtp:10:1: 5 260
would drop at audit.lwtp:8:5: 4 160
would set skb.mark at audit.lwtp:9:5: 2 80" ]
check "json: the enforcing policy's own count" \
	[ "$(jqn '.maps[] | select(.name=="au_en_dns") | .entries[0] | "\(.packets) \(.bytes)"' "$T/all.json")" = "4 160" ]

lwtp_ns stat lwtp_audit_au_trial > "$T/audit.txt"
expect_text "text" "$HERE/expected/stat_audit.txt" "$T/audit.txt"

lwtp stat --prometheus lwtp_audit_au_trial > "$T/audit.prom" || fail "stat --prometheus" "exit $?"
check "prometheus: a statement a series" \
	grep -qx 'lwtp_audit_au_trial_packets_total{statement="would drop at audit.lwtp:8:5"} 4' "$T/audit.prom"

finish
