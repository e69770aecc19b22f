#!/bin/bash
# lwtc's len_hist (out/len_hist.o, from policies/len_hist.lwtp) attached with
# plain iproute2 to a /32 route: every bucket of the pinned
# lwt_len_hist_map counts exactly the IPv4 datagrams sent by that route, and
# nothing sent to a neighbour address outside the route.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/traffic.sh"
e2e_enter "$@"

OBJ=${LEN_HIST_OBJ:-$E2E_ROOT/out/len_hist.o}
need_file "$OBJ" "make policies"
e2e_pair
e2e_route 198.51.100.7/32 "$OBJ" len_hist

e2e_send 198.51.100.7 9 $SIZES4
[ "$EPERM" = 0 ] || fail "len_hist dropped $EPERM packets"
e2e_send 198.51.100.8 9 100x5 1000x5         # not by the route: not counted
e2e_dump lwt_len_hist_map "$E2E_TMP/got"
expect_same lwt_len_hist_map "$(hist_expect +28 $SIZES4)" "$(cat "$E2E_TMP/got")"
