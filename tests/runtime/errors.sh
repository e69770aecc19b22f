#!/bin/sh
# errors.sh: each way lwtp can fail gives one clear line on stderr and exit
# status 1 (2 for usage errors), and changes nothing: no bpffs, no pin
# directory, no such map, a map that is not lwtp's, an lwtp-looking map
# whose layout does not fit, permission denied.
#
# Objects: fixtures/stats.bpf.c (good maps) and fixtures/odd.bpf.c
# (foreign_map and lone_ring, not lwtp's; bad_set and bad_hist, lwtp values
# with keys that do not fit; bad_limit, bad_quota and lwtp_full_bad, lwtp
# values of the wrong layout or in the wrong kind of map; huge_linear, more
# buckets than lwtc makes; far_bucket, a bucket past the last one).
. "$(dirname "$0")/lib.sh"

# ---- before anything is pinned ---------------------------------------------------

errs "no pin directory yet" "lwtp: no map is pinned: /sys/fs/bpf/ip/globals does not exist (it appears when a route loads an object with pinned maps)" 1 \
	lwtp stat
errs "not a bpffs" "lwtp: $T is not on a BPF filesystem (mount -t bpf bpf /sys/fs/bpf)" 1 \
	lwtp stat -d "$T"
errs "no bpffs at all" "lwtp: /nonexistent-lwtp/globals does not exist, and no BPF filesystem is mounted there (mount -t bpf bpf /sys/fs/bpf)" 1 \
	lwtp --pin-dir /nonexistent-lwtp/globals stat
errs "set without bpffs" "lwtp: $T is not on a BPF filesystem (mount -t bpf bpf /sys/fs/bpf)" 1 \
	lwtp -d "$T" set add deny_dst 192.0.2.1

fixture stats
fixture odd
route_bpf 198.51.100.7/32 "$T/stats.o" stats
route_bpf 203.0.113.9/32 "$T/odd.o" odd
send 198.51.100.7 53 2 12 > /dev/null

# ---- maps --------------------------------------------------------------------------

errs "no such map" "lwtp: no map 'nosuch' in /sys/fs/bpf/ip/globals" 1 lwtp stat nosuch
check "... prints nothing" [ ! -s "$T/out" ]
errs "not lwtp's" "lwtp: 'foreign_map' is not an lwtp map: its value type is __u64, not one of lwtp's (struct lwtp_counter, lwtp_limit_state, lwtp_quota_state, lwtp_keys, lwtp_hist_count_t, lwtp_set_value_t)" 1 \
	lwtp stat foreign_map
errs "not lwtp's, with good ones" "lwtp: 'foreign_map' is not an lwtp map: its value type is __u64, not one of lwtp's (struct lwtp_counter, lwtp_limit_state, lwtp_quota_state, lwtp_keys, lwtp_hist_count_t, lwtp_set_value_t)" 1 \
	lwtp stat rt_total foreign_map
check "... prints nothing" [ ! -s "$T/out" ]
errs "set key that does not fit" "lwtp: map 'bad_set': the key of a set must be lwtp_ip_t, lwtp_port_t, lwtp_proto_t or lwtp_uN_t" 1 \
	lwtp set list bad_set
errs "histogram without bucket" "lwtp: map 'bad_hist': the key of a histogram must end with the member 'bucket'" 1 \
	lwtp stat bad_hist
errs "a counter is not a set" "lwtp: 'rt_total' is a counter, not a set" 1 lwtp set add rt_total 1
errs "a foreign map is not a set" "lwtp: 'foreign_map' is not an lwtp map: its value type is __u64, not one of lwtp's (struct lwtp_counter, lwtp_limit_state, lwtp_quota_state, lwtp_keys, lwtp_hist_count_t, lwtp_set_value_t)" 1 \
	lwtp set add foreign_map 1
errs "a bad map name" "lwtp: '../ip' is not a map name" 1 lwtp stat ../ip
errs "limit struct without burst" "lwtp: map 'bad_limit': its struct lwtp_limit_state lacks the __u64 member 'burst' (see docs/language.md)" 1 \
	lwtp stat bad_limit
errs "per-CPU quota" "lwtp: map 'bad_quota': a quota must be an ARRAY, HASH or LRU_HASH map, not per-CPU (every CPU shares it)" 1 \
	lwtp stat bad_quota
errs "lwtp_keys in a hash" "lwtp: map 'lwtp_full_bad': struct lwtp_keys must be the value of a PERCPU_ARRAY of one entry" 1 \
	lwtp stat lwtp_full_bad
errs "a ring without lwtp_full" "lwtp: 'lone_ring' is not an lwtp map: it is a ring buffer without an lwtp_full_lone_ring beside it, so not the ring of an lwtp sample" 1 \
	lwtp stat lone_ring
errs "a linear histogram of more buckets than lwtc makes" "lwtp: map 'huge_linear': key type lwtp_linear_0_4294967295_1_t describes more than the 1024 linear buckets lwtc makes" 1 \
	lwtp stat huge_linear
check "... in Prometheus' format too" sh -c '! "$1" stat --prometheus huge_linear > /dev/null 2>&1' - "$LWTP"
# a log2 bucket far past bucket 63: shown as it is, without the 268 million
# empty buckets before it
bpftool map update pinned /sys/fs/bpf/ip/globals/far_bucket \
	key 7 0 0 0 0xff 0xff 0xff 0x0f value 5 0 0 0 0 0 0 0 > /dev/null 2>&1 &&
bpftool map update pinned /sys/fs/bpf/ip/globals/far_bucket \
	key 7 0 0 0 3 0 0 0 value 2 0 0 0 0 0 0 0 > /dev/null 2>&1 ||
	fail "cannot write far_bucket with bpftool"
lwtp stat far_bucket > "$T/far" 2>&1
check "a far bucket prints a few lines" [ "$(wc -l < "$T/far")" -lt 20 ]
check "... with the far bucket as it is" grep -q "^#268435455 .* 5 |" "$T/far"
lwtp stat --prometheus far_bucket > "$T/far" 2>&1
check "... and in Prometheus' format" [ "$(wc -l < "$T/far")" -lt 200 ]
errs "--reset of a bad quota" "lwtp: map 'bad_quota': a quota must be an ARRAY, HASH or LRU_HASH map, not per-CPU (every CPU shares it)" 1 \
	lwtp stat --reset bad_quota rt_total
check "... resets nothing" [ "$(lwtp stat --json rt_total | jq -r '.maps[0].entries[0].packets')" = 2 ]

# all maps: the good ones print, the bad ones are named, exit 1; foreign_map
# is left out silently
lwtp stat --json > "$T/all.json" 2> "$T/all.err"
rc=$?
check "all maps: exit 1 with bad ones" [ "$rc" = 1 ]
check "all maps: good ones print" [ "$(jq -r '[.maps[].name] | join(" ")' "$T/all.json")" = "far_bucket rt_by_dst rt_len_hist_by_log2 rt_total rt_ttl rt_ver_len" ]
check "all maps: one line per bad map" [ "$(cat "$T/all.err")" = "lwtp: map 'bad_hist': the key of a histogram must end with the member 'bucket'
lwtp: map 'bad_limit': its struct lwtp_limit_state lacks the __u64 member 'burst' (see docs/language.md)
lwtp: map 'bad_quota': a quota must be an ARRAY, HASH or LRU_HASH map, not per-CPU (every CPU shares it)
lwtp: map 'bad_set': the key of a set must be lwtp_ip_t, lwtp_port_t, lwtp_proto_t or lwtp_uN_t
lwtp: map 'huge_linear': key type lwtp_linear_0_4294967295_1_t describes more than the 1024 linear buckets lwtc makes
lwtp: map 'lwtp_full_bad': struct lwtp_keys must be the value of a PERCPU_ARRAY of one entry" ]
lwtp stat --reset > /dev/null 2> "$T/reset.err"
check "--reset with a bad map fails" [ $? = 1 ]
check "... says so" grep -q "^lwtp: nothing was reset$" "$T/reset.err"
check "... and resets nothing" [ "$(lwtp stat --json rt_total | jq -r '.maps[0].entries[0].packets')" = 2 ]

# ---- permission ----------------------------------------------------------------------

nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
errs "permission: pin directory" "lwtp: cannot access /sys/fs/bpf/ip/globals: Permission denied" 1 \
	nobody "$LWTP" stat rt_total
chmod 755 /sys/fs/bpf /sys/fs/bpf/ip /sys/fs/bpf/ip/globals
chmod 666 /sys/fs/bpf/ip/globals/rt_total
nobody "$LWTP" stat --reset rt_total > "$T/out" 2> "$T/err"
rc=$?
check "permission: the map" [ "$rc" = 1 ]
check "... one line that says root" sh -c '[ "$(wc -l < "$1")" = 1 ] && grep -q "^lwtp: cannot .*rt_total.* (lwtp needs root)$" "$1"' - "$T/err"
check "... changes nothing" [ "$(lwtp stat --json rt_total | jq -r '.maps[0].entries[0].packets')" = 2 ]

# ---- usage --------------------------------------------------------------------------

errs "usage: unknown command" "lwtp: unknown command 'frob'
Try 'lwtp --help'." 2 lwtp frob
errs "usage: ambiguous" "lwtp: ambiguous command 's'
Try 'lwtp --help'." 2 lwtp s
# each command takes its own options, checked in one table (runtime/main.c)
errs "usage: set add -j" "lwtp: set add does not take -j
Try 'lwtp --help'." 2 lwtp set add -j deny_dst 192.0.2.1
errs "usage: sample -o" "lwtp: sample does not take -o
Try 'lwtp --help'." 2 lwtp sample -o x ring
errs "usage: stat --listen" "lwtp: stat does not take --listen
Try 'lwtp --help'." 2 lwtp stat --listen :9469
errs "usage: set list -w (abbreviated)" "lwtp: set list does not take -w
Try 'lwtp --help'." 2 lwtp -w x set li
errs "usage: bad -i" "lwtp: -i wants a number from 1 to 86400, not '0'
Try 'lwtp --help'." 2 lwtp stat -i 0
errs "usage: -c without -i" "lwtp: stat: -c counts intervals, and wants -i
Try 'lwtp --help'." 2 lwtp stat -c 3
errs "usage: --json --prometheus" "lwtp: --json and --prometheus do not go together
Try 'lwtp --help'." 2 lwtp stat --json --prometheus
errs "usage: -i --prometheus" "lwtp: stat: -i and --prometheus do not go together (Prometheus computes rates itself)
Try 'lwtp --help'." 2 lwtp stat -i 1 --prometheus
errs "usage: unknown option" "lwtp: unknown option '--frob'
Try 'lwtp --help'." 2 lwtp stat --frob
errs "usage: unknown set command" "lwtp: unknown set command 'frob'
Try 'lwtp --help'." 2 lwtp set frob x
check "abbreviations" sh -c '"$1" st rt_total > /dev/null' - "$LWTP"
check "--help" sh -c '"$1" --help | grep -q "^Usage: lwtp"' - "$LWTP"
check "--version" sh -c '"$1" --version | grep -q "^lwtp $(cat "$2")"' - "$LWTP" "$ROOT/VERSION"

finish
