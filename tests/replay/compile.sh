#!/bin/bash
# compile: lwtp replay POLICY.lwtp compiles the policy first, with the lwtc
# of $LWTC, else the one next to lwtp, else the one in PATH; lwtc's errors
# reach the user as lwtc prints them; nothing is left behind.
. "$(dirname "$0")/lib.sh"

"$PCAPGEN" -o "$RP_TMP/c.pcap" "ip4 udp dport 53" "ip6 tcp flags syn dport 443" "ip4 icmp" ||
	fail "pcapgen failed"
want=$("$LWTP" -j replay "$OBJ" rp "$RP_TMP/c.pcap" | jq -c .packets) || fail "replay of the object failed"
mkdir -p "$RP_TMP/tmp"
export TMPDIR=$RP_TMP/tmp

# $LWTC
run_lwtp "$RP_TMP/out" "$RP_TMP/err" -j replay "$POLICY" rp "$RP_TMP/c.pcap"
[ "$RC" = 0 ] || fail "LWTC=$LWTC lwtp replay POLICY: exit $RC: $(cat "$RP_TMP/err")"
expect_same "replay of the policy, compiled with \$LWTC" "$want" "$(jq -c .packets "$RP_TMP/out")"

# next to lwtp (build/lwtc, build/lwtp)
[ "$(dirname "$LWTC")" = "$(dirname "$LWTP")" ] || fail "LWTC=$LWTC is not next to $LWTP: run with the built one"
(unset LWTC; "$LWTP" -j replay "$POLICY" rp "$RP_TMP/c.pcap" >"$RP_TMP/out" 2>"$RP_TMP/err") ||
	fail "lwtp replay POLICY with the lwtc next to lwtp: $(cat "$RP_TMP/err")"
expect_same "replay of the policy, compiled with the lwtc next to lwtp" "$want" "$(jq -c .packets "$RP_TMP/out")"

# in PATH, and nowhere
mkdir -p "$RP_TMP/bin" "$RP_TMP/path"
cp "$LWTP" "$RP_TMP/bin/lwtp"
ln -s "$LWTC" "$RP_TMP/path/lwtc"
(unset LWTC; PATH=$RP_TMP/path:$PATH "$RP_TMP/bin/lwtp" -j replay "$POLICY" rp "$RP_TMP/c.pcap" \
	>"$RP_TMP/out" 2>"$RP_TMP/err") || fail "lwtp replay POLICY with lwtc in PATH: $(cat "$RP_TMP/err")"
expect_same "replay of the policy, compiled with the lwtc in PATH" "$want" "$(jq -c .packets "$RP_TMP/out")"
(unset LWTC; PATH=/nonexistent "$RP_TMP/bin/lwtp" replay "$POLICY" rp "$RP_TMP/c.pcap" \
	>"$RP_TMP/out" 2>"$RP_TMP/err")
rc=$?
[ $rc = 1 ] && grep -q "cannot find lwtc" "$RP_TMP/err" && [ ! -s "$RP_TMP/out" ] ||
	fail "without lwtc: expected exit 1 and 'cannot find lwtc'; got exit $rc: $(cat "$RP_TMP/err" "$RP_TMP/out")"
LWTC=$RP_TMP/no-lwtc "$LWTP" replay "$POLICY" rp "$RP_TMP/c.pcap" >"$RP_TMP/out" 2>"$RP_TMP/err"
rc=$?
[ $rc = 1 ] && grep -q "LWTC=$RP_TMP/no-lwtc: not runnable" "$RP_TMP/err" ||
	fail "LWTC=missing: expected exit 1 and 'not runnable'; got exit $rc: $(cat "$RP_TMP/err")"

# a policy with an error: lwtc's diagnostic, exit 1, nothing on stdout
printf 'policy bad {\n    drop if udp.dport == 53\n}\n' > "$RP_TMP/bad.lwtp"
run_lwtp "$RP_TMP/out" "$RP_TMP/err" replay "$RP_TMP/bad.lwtp" bad "$RP_TMP/c.pcap"
err=$(cat "$RP_TMP/err")
[ "$RC" = 1 ] || fail "bad policy: expected exit 1, got $RC: $err"
[ ! -s "$RP_TMP/out" ] || fail "bad policy: stdout not empty: $(cat "$RP_TMP/out")"
expect_grep "bad policy: lwtc's diagnostic" "bad\.lwtp:2:28: error: expected .;. after" "$err"
expect_grep "bad policy: what failed" "^lwtp: .*lwtc failed on $RP_TMP/bad.lwtp \(exit 1\)$" "$err"

# a policy without the section asked for
run_lwtp "$RP_TMP/out" "$RP_TMP/err" replay "$POLICY" nosuch "$RP_TMP/c.pcap"
[ "$RC" = 1 ] && grep -q "no section 'nosuch' (sections: rp, rp_all_drop)" "$RP_TMP/err" ||
	fail "unknown section: expected exit 1 and the sections; got exit $RC: $(cat "$RP_TMP/err")"

left=$(ls -A "$TMPDIR")
[ -z "$left" ] || fail "left behind in \$TMPDIR: $left"
exit 0
