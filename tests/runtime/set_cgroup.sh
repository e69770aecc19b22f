#!/bin/sh
# set_cgroup.sh: lwtp set on sets of cgroups: add, del, list and flush,
# every error changing nothing; a cgroup that is gone lists and deletes by
# its id; stat shows the set and never its lwtp_cgroups_NAME. Whether a
# packet matches is tests/e2e/cgroup_set.sh's.
#
# The object is policies/set_cgroup.lwtp compiled by lwtc. The cgroups are
# made under the cgroup2 mount (/sys/fs/cgroup, or /sys/fs/cgroup/unified
# on a hybrid host) with names of this test's own, and removed on exit.
. "$(dirname "$0")/lib.sh"

CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$CG" ] || die "no cgroup2 filesystem is mounted"
A=$CG/lwtp-rt-$$-a B=$CG/lwtp-rt-$$-b C=$CG/lwtp-rt-$$-c
trap 'rmdir "$A" "$B" "$C" 2>/dev/null; cleanup' EXIT
mkdir "$A" "$B" "$C" || die "cannot make cgroups under $CG"

object set_cgroup
route_bpf 198.51.100.7/32 "$T/set_cgroup.o" cg

ino() { stat -c %i "$1"; }

check "starts empty" [ -z "$(lwtp set list jobs)" ]
check "add a cgroup" lwtp set add jobs "$A"
check "list prints its path" [ "$(lwtp set list jobs)" = "$A" ]
check "the slot holds its id" [ "$(bpftool -j map dump pinned /sys/fs/bpf/ip/globals/lwtp_cgroups_jobs |
	jq -r '.[0].formatted.value')" = "$(ino "$A")" ]
check "add it again: nothing to do" lwtp set add jobs "$A"
check "... still one" [ "$(lwtp set list jobs | wc -l)" = 1 ]
errs "a full set changes nothing" "lwtp: set jobs: 2 new cgroups do not fit: it holds 1 of at most 2" 1 \
	lwtp set add jobs "$B" "$C"
check "... nothing" [ "$(lwtp set list jobs)" = "$A" ]
errs "not a cgroup v2 directory" "lwtp: set jobs: '$T' is not a cgroup v2 directory (its filesystem is not cgroup2, as /sys/fs/cgroup is on a cgroup v2 host); a set of cgroups holds cgroup v2 cgroups only" 1 \
	lwtp set add jobs "$T"
errs "a missing directory" "lwtp: set jobs: cannot open cgroup '$CG/lwtp-rt-$$-none': No such file or directory" 1 \
	lwtp set add jobs "$B" "$CG/lwtp-rt-$$-none"
check "... changes nothing" [ "$(lwtp set list jobs)" = "$A" ]
errs "an element of another kind" "lwtp: set jobs: cannot open cgroup '198.51.100.7': No such file or directory" 1 \
	lwtp set add jobs 198.51.100.7
check "add a second" lwtp set add jobs "$B"
check "list both" [ "$(lwtp set list jobs | sort)" = "$(printf '%s\n%s\n' "$A" "$B" | sort)" ]
got=$(lwtp set list --json jobs | jq -r '"\(.type) \(.max_elements) \(.elements | sort | join(",")) \(.ids | sort | join(","))"')
want="cgroup 2 $(printf '%s\n%s\n' "$A" "$B" | LC_ALL=C sort | paste -sd,) $(printf '%s\n%s\n' "$(ino "$A")" "$(ino "$B")" | sort -n | paste -sd,)"
check "list --json" [ "$got" = "$want" ]
check "list with no name" sh -c '"$1" set list | grep -qx "jobs: set of cgroup, 2 elements (room for 2)"' - "$LWTP"
errs "del one that is not there changes nothing" "lwtp: set jobs: '$C' is not in the set" 1 \
	lwtp set del jobs "$B" "$C"
check "... nothing" [ "$(lwtp set list jobs | wc -l)" = 2 ]
check "del by path" lwtp set del jobs "$B"
check "... leaves the other" [ "$(lwtp set list jobs)" = "$A" ]
check "its slot is free again" lwtp set add jobs "$C"
check "flush" lwtp set flush jobs
check "... empties it" [ -z "$(lwtp set list jobs)" ]
check "... and its ids" [ "$(bpftool -j map dump pinned /sys/fs/bpf/ip/globals/lwtp_cgroups_jobs |
	jq -r '[.[].formatted.value] | add')" = 0 ]

# a cgroup removed while in the set: listed and deleted by its id
id=$(ino "$C")
check "add to web" lwtp set add web "$C"
rmdir "$C"
check "a removed cgroup lists as such" [ "$(lwtp set list web)" = "(removed, id $id)" ]
errs "del by the path that is gone" "lwtp: set web: cannot open cgroup '$C': No such file or directory (a cgroup that is gone is deleted by its id, as 'lwtp set list' shows it)" 1 \
	lwtp set del web "$C"
check "del by id" lwtp set del web "$id"
check "... empties it" [ -z "$(lwtp set list web)" ]

# stat: a set, never its slots
lwtp set add jobs "$A" > /dev/null
got=$(lwtp stat --json jobs | jq -r '[.maps[] | "\(.name):\(.kind):\(.type):\(.elements | join(","))"] | join(" ")')
check "stat shows a set of cgroups" [ "$got" = "jobs:set:cgroup:$A" ]
check "stat leaves lwtp_cgroups_NAME out" sh -c '! "$1" stat --json | jq -r ".maps[].name" | grep -q lwtp_cgroups_' - "$LWTP"
errs "stat of lwtp_cgroups_NAME says what it is" "lwtp: 'lwtp_cgroups_jobs' holds the ids of a set of cgroups, not a statistic: 'lwtp set list jobs' lists the set" 1 \
	lwtp stat lwtp_cgroups_jobs
errs "set commands want the set" "lwtp: 'lwtp_cgroups_jobs' holds the ids of a set of cgroups: name the set itself" 1 \
	lwtp set list lwtp_cgroups_jobs
got=$(lwtp_ns show --json | jq -r '[.pins[] | select(.name | test("jobs")) | "\(.name):\(.kind):\(.programs | length)"] | join(" ")')
check "show: both maps, used by the program" [ "$got" = "cg_jobs:counter:1 jobs:set:1 lwtp_cgroups_jobs:cgroup ids:1" ]
lwtp_ns check "$T/set_cgroup.o" > "$T/check.out" 2>&1
check "check: the object shares both maps" sh -c 'grep -q "^share .*/jobs: set of cgroup" "$1" &&
	grep -q "^share .*/lwtp_cgroups_jobs: cgroup ids" "$1"' - "$T/check.out"
check "show: no problem" sh -c '! "$1" show --json | jq -r ".problems[]?.kind" | grep -q .' - "$LWTP"

finish
