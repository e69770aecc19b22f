#!/bin/sh
# names.sh: a pin's name is whatever bpffs was told (ip pins a map by its
# name, but `mv` or `bpftool map pin` can give a pin any bytes but '/' and
# NUL), and no output of lwtp stat lets it do harm:
#   - text output and messages show it with every byte outside printable
#     ASCII, and the backslash, as \xNN: a newline starts no line of its
#     own, an ESC reaches no terminal;
#   - JSON has it exactly (escaped as JSON escapes strings);
#   - Prometheus names metrics lwtp_NAME_... after the name as it is, so
#     that a leading digit is kept (9rs is not _rs), and leaves out a map
#     whose name holds anything but [A-Za-z0-9_]: a '# ' comment where it
#     would be, a line on stderr, exit status 1 (and --reset resets
#     nothing); promtool accepts what is printed.
# The odd names are rt_total (fixtures/stats.bpf.c, or lwtc's) pinned again.
. "$(dirname "$0")/lib.sh"

object stats
route_bpf 198.51.100.7/32 "$T/stats.o" stats
sent=$(send 198.51.100.7 53 4 12)
[ "$sent" = "sent 4 eperm 0" ] || die "sending failed: $sent"

G=/sys/fs/bpf/ip/globals
# pin NAME: rt_total pinned again as NAME
pin() {
	bpftool map pin pinned "$G/rt_total" "$G/$1" || die "cannot pin rt_total as '$1'"
}
NL=$(printf 'nl\nlwtp_injected_total 999')
ESC=$(printf 'esc\033[2J\033]0;owned\007')
pin "$NL"
pin "$ESC"
pin 'back\slash'
pin 9rs
pin _rs
ESCB=$(printf '\033')
BELB=$(printf '\007')
# no_ctl FILE: FILE holds no ESC, no BEL
no_ctl() { ! grep -q "[$ESCB$BELB]" "$1"; }

# ---- text ------------------------------------------------------------------------

lwtp stat > "$T/out" 2> "$T/err"
rc=$?
check "text: exit 0" [ "$rc" = 0 ]
check "text: nothing on stderr" [ ! -s "$T/err" ]
check "text: a newline in a name is \\x0a" \
	grep -qxF 'nl\x0alwtp_injected_total 999: 4 packets, 160 bytes' "$T/out"
check "text: ... and starts no line" sh -c '! grep -q "^lwtp_injected_total" "$1"' - "$T/out"
check "text: ESC and BEL are \\x1b and \\x07" \
	grep -qxF 'esc\x1b[2J\x1b]0;owned\x07: 4 packets, 160 bytes' "$T/out"
check "text: ... and reach no terminal" no_ctl "$T/out"
check "text: a backslash is \\x5c" grep -qxF 'back\x5cslash: 4 packets, 160 bytes' "$T/out"
check "text: a leading digit is kept" grep -qxF '9rs: 4 packets, 160 bytes' "$T/out"
check "text: one line per unkeyed counter" \
	[ "$(grep -c ': 4 packets, 160 bytes$' "$T/out")" = 6 ]

# messages show names as text output does
lwtp stat "$(printf 'no\033such')" > "$T/out" 2> "$T/err"
rc=$?
check "message: exit 1" [ "$rc" = 1 ]
check "message: the name escaped" \
	[ "$(cat "$T/err")" = "lwtp: no map 'no\\x1bsuch' in /sys/fs/bpf/ip/globals" ]
lwtp stat "$ESC" > "$T/out" 2> "$T/err"
check "text: a name given, escaped" grep -qxF 'esc\x1b[2J\x1b]0;owned\x07: 4 packets, 160 bytes' "$T/out"

# ---- JSON: the names exactly ------------------------------------------------------

lwtp stat --json > "$T/all.json" || fail "json" "exit $?"
check "json: one document" sh -c 'jq -e . "$1" > /dev/null' - "$T/all.json"
json_has() {
	jq -e --arg n "$1" 'any(.maps[]; .name == $n and .entries[0].packets == 4)' \
		"$T/all.json" > /dev/null
}
check "json: a newline in a name, exactly" json_has "$NL"
check "json: ESC and BEL, exactly" json_has "$ESC"
check "json: a backslash, exactly" json_has 'back\slash'
check "json: 9rs" json_has 9rs
check "json: _rs" json_has _rs
check "json: no ESC or BEL" no_ctl "$T/all.json"

# ---- Prometheus ---------------------------------------------------------------------

lwtp stat --prometheus > "$T/metrics.prom" 2> "$T/err"
rc=$?
check "prom: exit 1 with maps left out" [ "$rc" = 1 ]
promtool_check "$T/metrics.prom"
prom() { grep -F -x -q -- "$1" "$T/metrics.prom"; }
check "prom: 9rs keeps its digit" prom 'lwtp_9rs_packets_total 4'
check "prom: _rs is another map" prom 'lwtp__rs_packets_total 4'
check "prom: the others print" prom 'lwtp_rt_total_packets_total 4'
check "prom: no line injected" sh -c '! grep -q "^lwtp_injected_total" "$1"' - "$T/metrics.prom"
check "prom: no ESC or BEL" no_ctl "$T/metrics.prom"
why="a metric name holds only A-Z, a-z, 0-9 and _"
check "prom: a comment for the newline" prom "# lwtp: map 'nl\\x0alwtp_injected_total 999' left out: $why"
check "prom: a comment for the ESC" prom "# lwtp: map 'esc\\x1b[2J\\x1b]0;owned\\x07' left out: $why"
check "prom: a comment for the backslash" prom "# lwtp: map 'back\\x5cslash' left out: $why"
check "prom: one line on stderr for each" [ "$(cat "$T/err")" = "\
lwtp: map 'back\\x5cslash' left out of the Prometheus output: $why
lwtp: map 'esc\\x1b[2J\\x1b]0;owned\\x07' left out of the Prometheus output: $why
lwtp: map 'nl\\x0alwtp_injected_total 999' left out of the Prometheus output: $why" ]
lwtp stat --prometheus rt_total 9rs _rs > "$T/named.prom" 2> "$T/err"
rc=$?
check "prom: good names named: exit 0" [ "$rc" = 0 ]
check "... nothing on stderr" [ ! -s "$T/err" ]
check "prom: ... and nothing left out" sh -c '! grep -q "^# lwtp:" "$1"' - "$T/named.prom"
lwtp stat --prometheus --reset > /dev/null 2> "$T/err"
rc=$?
check "prom: --reset with maps left out: exit 1" [ "$rc" = 1 ]
check "... says so" grep -qx "lwtp: nothing was reset" "$T/err"
check "... and resets nothing" [ "$(lwtp stat --json rt_total | jq -r '.maps[0].entries[0].packets')" = 4 ]

finish
