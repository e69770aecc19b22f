#!/bin/bash
# As len_hist_ip4.sh, over IPv6: a /128 route, L3 length = payload + 48.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/traffic.sh"
e2e_enter "$@"

OBJ=${LEN_HIST_OBJ:-$E2E_ROOT/out/len_hist.o}
need_file "$OBJ" "make policies"
e2e_pair
e2e_route 2001:db8::7/128 "$OBJ" len_hist

e2e_send 2001:db8::7 9 $SIZES6
[ "$EPERM" = 0 ] || fail "len_hist dropped $EPERM packets"
e2e_send 2001:db8::8 9 100x5 1000x5          # not by the route: not counted
e2e_dump lwt_len_hist_map "$E2E_TMP/got"
expect_same lwt_len_hist_map "$(hist_expect +48 $SIZES6)" "$(cat "$E2E_TMP/got")"
