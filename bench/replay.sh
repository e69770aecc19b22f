#!/bin/bash
# bench/replay.sh: how fast `lwtp replay` runs a capture. A 200,000-packet
# Ethernet capture (build/tests/pcapgen: a mix of IPv4 and IPv6, UDP, TCP
# and ICMP, 40 to 1,460 bytes) through out/len_hist.o and out/hygiene.o,
# with -q (the totals only) and without (a line a packet, to /dev/null);
# wall clock of the whole command, loading included. The reference, measured
# in the same rounds: build/bench/replayfloor, one bare BPF_PROG_TEST_RUN
# call a packet over the same frames, read into memory first, through an
# empty program on one thread (the floor the kernel allows one thread);
# and the same loop through len_hist's program. Medians of REPLAY_ROUNDS
# rounds (default 5): packets/s, and the per-round ratio to the reference.
# Prints a Markdown section.
#
#   bash bench/replay.sh          (make bench; root; REPLAY_ROUNDS)
set -eu
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "bench/replay.sh: needs root" >&2; exit 1; }
REPLAY_ROUNDS=${REPLAY_ROUNDS:-5}
PACKETS=200000
ROOT=$(pwd)
TMP=$(mktemp -d /tmp/lwtp-bench-replay.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# eight kinds of packet in turn, lengths spread by a step of 37 bytes
awk -v n=$PACKETS 'BEGIN {
	for (i = 0; i < n; i++) {
		k = i % 8; p = (i * 37) % 1400
		if (k == 0) printf "ip4 udp dport 53 payload %d\n", p % 400
		else if (k == 1) printf "ip6 tcp flags ack dport 443 payload %d\n", p
		else if (k == 2) printf "ip4 tcp flags syn dport 80\n"
		else if (k == 3) printf "ip4 udp dport %d payload %d\n", 1000 + i % 5000, p
		else if (k == 4) printf "ip6 udp dport 53 payload %d\n", p % 300
		else if (k == 5) printf "ip4 icmp type echo_request payload %d\n", p % 200
		else if (k == 6) printf "ip4 tcp flags ack sport 443 dport %d payload %d\n", 30000 + i % 1000, p
		else printf "ip6 tcp flags syn,ack ext hopopts dport 22\n"
	}
}' | build/tests/pcapgen -o "$TMP/cap.pcap"

# pps COMMAND...: packets/s of one run of a command, wall clock
pps() {
	local start end
	start=$(date +%s%N)
	"$@" > /dev/null
	end=$(date +%s%N)
	echo "$PACKETS * 1000000000 / ($end - $start)" | bc
}

# the rows: label, then the command
LABELS=(
	'reference: bare `BPF_PROG_TEST_RUN` loop, empty program, 1 thread'
	'bare `BPF_PROG_TEST_RUN` loop, len_hist'"'"'s program, 1 thread'
	'`lwtp replay -q`, len_hist'
	'`lwtp replay -q`, hygiene'
	'`lwtp replay` (a line a packet), len_hist'
)
run_row() {
	case $1 in
	0) build/bench/replayfloor build/bench/empty.bpf.o:empty "$TMP/cap.pcap" | awk '{ print int($3) }' ;;
	1) build/bench/replayfloor out/len_hist.o:len_hist "$TMP/cap.pcap" | awk '{ print int($3) }' ;;
	2) pps build/lwtp -q replay out/len_hist.o len_hist "$TMP/cap.pcap" ;;
	3) pps build/lwtp -q replay out/hygiene.o hygiene "$TMP/cap.pcap" ;;
	4) pps build/lwtp replay out/len_hist.o len_hist "$TMP/cap.pcap" ;;
	esac
}

# every row once a round, the reference first; a row's ratio is to the
# reference of its own round
: > "$TMP/runs"
for round in $(seq "$REPLAY_ROUNDS"); do
	ref=$(run_row 0)
	echo "0 $ref 1" >> "$TMP/runs"
	for row in 1 2 3 4; do
		v=$(run_row $row)
		echo "$row $v $(echo "scale=4; $v / $ref" | bc)" >> "$TMP/runs"
	done
done

# median ROW COLUMN
median() {
	awk -v r="$1" -v c="$2" '$1 == r { print $c }' "$TMP/runs" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

cat <<EOF
## Replay: \`lwtp replay\` on a 200,000-packet capture

A 200,000-packet Ethernet capture (IPv4 and IPv6; UDP, TCP and ICMP; 40
to 1,460 bytes) replayed through \`out/len_hist.o\` and \`out/hygiene.o\`:
packets/s over the whole command (loading the object included), against a
reference measured in the same rounds, \`build/bench/replayfloor\`: one
bare \`BPF_PROG_TEST_RUN\` call a packet, the frames read into memory
first, on one thread. Medians of $REPLAY_ROUNDS rounds; "/ reference" is
the median of per-round ratios (bench/replay.sh). With \`-q\`, replay runs
the packets on $(nproc) worker threads when the policy's maps do not
depend on their order (both of these).

EOF
{
	printf 'run\tpackets/s\t/ reference\n'
	for row in 0 1 2 3 4; do
		printf '%s\t%s\t%.2f\n' "${LABELS[$row]}" "$(median $row 2)" "$(median $row 3)"
	done
} | awk -f "$ROOT/bench/table.awk"
