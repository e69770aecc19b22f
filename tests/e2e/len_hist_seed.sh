#!/bin/bash
# lwtc's len_hist against the kernel documentation's (bench/len_hist_ref.bpf.c):
# the same IPv4 and IPv6 traffic through each, attached the same way, each
# in its own bpffs (same map name, different layout: PERCPU_ARRAY indexed
# by bucket against PERCPU_HASH keyed by a __u64 bucket). The per-bucket
# counts must be what was sent, and identical.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/traffic.sh"
e2e_enter "$@"

OURS=${LEN_HIST_OBJ:-$E2E_ROOT/out/len_hist.o}
SEED=$E2E_ROOT/build/bench/len_hist_ref.bpf.o
need_file "$OURS" "make policies"
need_file "$SEED" "make test-tools"
want=$(hist_expect +28 $SIZES4 +48 $SIZES6)

# run OBJECT OUTFILE
run() {
	e2e_fresh_bpffs
	e2e_pair
	e2e_route 198.51.100.7/32 "$1" len_hist
	e2e_route 2001:db8::7/128 "$1" len_hist
	e2e_send 198.51.100.7 9 $SIZES4
	e2e_send 2001:db8::7 9 $SIZES6
	e2e_dump lwt_len_hist_map "$2"
}

run "$SEED" "$E2E_TMP/seed"
expect_same "the seed's lwt_len_hist_map" "$want" "$(cat "$E2E_TMP/seed")"
run "$OURS" "$E2E_TMP/ours"
expect_same "lwtc's lwt_len_hist_map" "$want" "$(cat "$E2E_TMP/ours")"
expect_same "lwtc's against the seed's" "$(cat "$E2E_TMP/seed")" "$(cat "$E2E_TMP/ours")"
