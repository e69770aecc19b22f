#!/bin/bash
# sample on real traffic: a policy attached with plain 'ip route' samples
# packets into pinned rings, and 'lwtp sample' reads them back.
#   1. every packet to 198.51.100.7 and 2001:db8::7 (1/1): 'lwtp sample
#      --json' gives each one, in order, with the verdict (dropped ones too)
#      and the mark it left with, and its length;
#   2. the same traffic again, 'lwtp sample -w' writes a pcap: tcpdump reads
#      it, and 'lwtp replay' (libpcap) finds the same packets, headers and
#      lengths in it, cut at the snaplen;
#   2b. and again with -w FILE.pcapng: the same checks, and each packet
#      carries its verdict and mark: a parse of the blocks here (so that the
#      test needs no Wireshark), and tshark's fields when it is installed;
#      the summary says how many samples went where;
#   3. 1/10 of 3000 packets to 198.51.100.8: about 300 samples, and
#      lwtp_full_NAME counts exactly the ones written;
#   4. a ring that is too small: what does not fit is lost, and counted;
#   5. errors: a missing ring, a map that is not one, a bad command line.
. "$(dirname "$0")/lib.sh"
e2e_enter "$@"

LWTP=${LWTP:-$E2E_ROOT/build/lwtp}
need_file "$LWTC" "make compiler"
need_file "$LWTP" "make runtime"
command -v tcpdump >/dev/null || fail "tcpdump: not found (make deps)"
command -v jq >/dev/null || fail "jq: not found (make deps)"

cat > "$E2E_TMP/smp.lwtp" <<'EOF'
policy smp {
    sample smp_all 1/1 snaplen 60 if ip.dst == 198.51.100.7 or ip.dst == 2001:db8::7;
    sample smp_tenth 1/10 if ip.dst == 198.51.100.8;
    sample smp_small 1/1 snaplen 64 size 8 if ip.dst == 2001:db8::8;
    set skb.mark = 0x2a if udp.dport == 54;
    drop if udp.dport == 53;
}
EOF
must "$LWTC" "$E2E_TMP/smp.lwtp" -o "$E2E_TMP/smp.o"
e2e_pair
for r in 198.51.100.7/32 198.51.100.8/32 2001:db8::7/128 2001:db8::8/128; do
	e2e_route "$r" "$E2E_TMP/smp.o" smp
done

traffic() {
	e2e_expect_send 198.51.100.7 53 100x3 0 3          # dropped, 128 bytes from L3
	e2e_expect_send 198.51.100.7 54 20x2 2 0           # passed, marked, 48 bytes
	e2e_expect_send 2001:db8::7 53 30x2 0 2            # dropped, 78 bytes
	e2e_expect_send 2001:db8::7 9 200x1 1 0            # passed, 248 bytes
}

# 1. the records, as JSON lines
traffic
out=$("$LWTP" --json sample smp_all -c 8 -t 10 2> "$E2E_TMP/err") ||
	fail "lwtp sample --json failed: $(cat "$E2E_TMP/err")"
got=$(echo "$out" | jq -r '"\(.verdict) \(.mark) \(.wire_length // .length) \(.length) \(.dst) \(.dport)"') ||
	fail "lwtp sample --json printed no JSON lines: $out"
expect_same "samples of smp_all" "drop 0 128 60 198.51.100.7 53
drop 0 128 60 198.51.100.7 53
drop 0 128 60 198.51.100.7 53
pass 42 48 48 198.51.100.7 54
pass 42 48 48 198.51.100.7 54
drop 0 78 60 2001:db8::7 53
drop 0 78 60 2001:db8::7 53
pass 0 248 60 2001:db8::7 9" "$got"
grep -q "^8 samples read, none lost$" "$E2E_TMP/err" ||
	fail "lwtp sample did not sum up '8 samples read, none lost': $(cat "$E2E_TMP/err")"

# 2. the same packets as a capture. check_capture FILE: tcpdump and lwtp
# replay (libpcap) read the 8 packets, headers and lengths.
check_capture() {
	local n out got
	n=$(tcpdump -nn -r "$1" 2>/dev/null | wc -l)
	[ "$n" = 8 ] || fail "tcpdump reads $n packets from the sampled capture $1, not 8:
$(tcpdump -nn -r "$1" 2>&1)"
	tcpdump -nn -r "$1" 2>/dev/null | sed -n 4p |
		grep -q " IP 198.51.100.1.[0-9]* > 198.51.100.7.54: UDP, length 20$" ||
		fail "tcpdump does not see the fourth sample of $1 as 20 bytes of UDP to 198.51.100.7.54:
$(tcpdump -nn -r "$1" 2>&1)"
	out=$("$LWTP" --json replay "$E2E_TMP/look.lwtp" look "$1" 2>&1) ||
		fail "lwtp replay of the sampled capture $1 failed: $out"
	got=$(echo "$out" | jq -r '.packets[] | "\(.dst) \(.dport) \(.length) \(.wire_length // .length)"' 2>&1) ||
		fail "lwtp replay --json: $out"
	expect_same "packets replayed from the sampled capture $1" "198.51.100.7 53 60 128
198.51.100.7 53 60 128
198.51.100.7 53 60 128
198.51.100.7 54 48 48
198.51.100.7 54 48 48
2001:db8::7 53 60 78
2001:db8::7 53 60 78
2001:db8::7 9 60 248" "$got"
}
echo 'policy look { pass; }' > "$E2E_TMP/look.lwtp"
traffic
must "$LWTP" sample smp_all -w "$E2E_TMP/all.pcap" -c 8 -t 10
check_capture "$E2E_TMP/all.pcap"
# a name that does not end in .pcapng keeps to classic pcap: its magic
# (in the writer's byte order, this host's)
magic=$(od -An -tx4 -N4 "$E2E_TMP/all.pcap" | tr -d ' ')
[ "$magic" = a1b2c3d4 ] || fail "all.pcap is not a classic pcap: it starts with $magic"

# pcapng_blocks FILE FROM_NS TO_NS: the blocks of a pcapng file, one a line,
# each checked as a reader checks it (byte order from the magic, the total
# length at both ends, 32-bit padding, options closed by opt_endofopt), an
# EPB's time checked to lie in [FROM_NS, TO_NS]. Perl, not python: Debian
# always has perl-base (Essential), so the test brings in no package.
pcapng_blocks() {
	perl - "$@" <<'PERL'
use strict;
use warnings;
my ($file, $from, $to) = @ARGV;
open(my $fh, '<:raw', $file) or die "$file: $!\n";
my $d = do { local $/; <$fh> };
my ($u16, $u32, $u64);
if (substr($d, 8, 4) eq pack('V', 0x1A2B3C4D)) {
	($u16, $u32, $u64) = ('v', 'V', 'Q<');
} elsif (substr($d, 8, 4) eq pack('N', 0x1A2B3C4D)) {
	($u16, $u32, $u64) = ('n', 'N', 'Q>');
} else {
	die "$file: no pcapng byte-order magic\n";
}
sub pad { my $n = shift; return $n + (4 - $n % 4) % 4; }
sub ip_dst {
	my $p = shift;
	my $v = ord($p) >> 4;
	return join('.', unpack('C4', substr($p, 16, 4))) if $v == 4;
	return join(':', map { sprintf('%x', $_) } unpack('n8', substr($p, 24, 16))) if $v == 6;
	return "ip version $v";
}
# the options of a block: code => how its value reads
my %opts = (
	0x0A0D0D0A => { 3 => sub { 'os' }, 4 => sub { "userappl='$_[0]'" } },
	1 => { 2 => sub { "name='$_[0]'" }, 9 => sub { 'tsresol=' . ord($_[0]) } },
	6 => {
		1 => sub { "comment='$_[0]'" },
		2 => sub { sprintf('flags=0x%x', unpack($u32, $_[0])) },
		7 => sub { sprintf('verdict=%d:%d', ord($_[0]), unpack($u64, substr($_[0], 1))) },
	},
);
my $off = 0;
while ($off < length $d) {
	die "block at $off: cut short\n" if $off + 12 > length $d;
	my ($type, $total) = unpack("$u32$u32", substr($d, $off, 8));
	die "block at $off: total length $total\n"
		if $total % 4 || $total < 12 || $off + $total > length $d;
	my $again = unpack($u32, substr($d, $off + $total - 4, 4));
	die "block at $off: total length $total, and $again at its end\n" if $again != $total;
	my $body = substr($d, $off + 8, $total - 12);
	my ($line, $o);
	if ($type == 0x0A0D0D0A) {
		my ($major, $minor, $len) = unpack("x4 $u16$u16$u64", $body);
		$line = "shb $major.$minor" . ($len == 2**64 - 1 ? '' : " length $len");
		$o = 16;
	} elsif ($type == 1) {
		my ($linktype, $snaplen) = unpack("$u16 x2 $u32", $body);
		$line = "idb linktype $linktype snaplen $snaplen";
		$o = 8;
	} elsif ($type == 6) {
		my ($if, $high, $low, $caplen, $len) = unpack($u32 x 5, $body);
		my $ns = $high * 2**32 + $low;
		my $time = $ns >= $from && $ns <= $to ? 'in time' : "at $ns, not in [$from, $to]";
		$line = "epb if $if $time caplen $caplen len $len " .
			ip_dst(substr($body, 20, $caplen));
		$o = 20 + pad($caplen);
	} else {
		die "block at $off: type $type\n";
	}
	my ($start, $end) = ($o, 0);
	while ($o < length $body) {
		die "block at $off: options after opt_endofopt\n" if $end;
		my ($code, $len) = unpack("$u16$u16", substr($body, $o, 4));
		die "block at $off: option $code cut short\n" if $o + 4 + $len > length $body;
		my $v = substr($body, $o + 4, $len);
		if ($code == 0) {
			$end = 1;
		} elsif ($opts{$type}{$code}) {
			$line .= ' ' . $opts{$type}{$code}->($v);
		} else {
			$line .= " option$code";
		}
		$o += 4 + pad($len);
	}
	die "block at $off: options past the block's end\n" if $o != length $body;
	die "block at $off: options without opt_endofopt\n" if $o > $start && !$end;
	print "$line\n";
	$off += $total;
}
PERL
}

# 2b. the same packets as pcapng, with their verdict and mark
from=$(date +%s%N)                      # the samples' times: from here
traffic
"$LWTP" sample smp_all -w "$E2E_TMP/all.pcapng" -c 8 -t 10 2> "$E2E_TMP/err" ||
	fail "lwtp sample -w all.pcapng failed: $(cat "$E2E_TMP/err")"
to=$(date +%s%N)
expect_same "the summary of lwtp sample -w all.pcapng" \
	"8 samples written to $E2E_TMP/all.pcapng, none lost" "$(cat "$E2E_TMP/err")"
check_capture "$E2E_TMP/all.pcapng"
got=$(pcapng_blocks "$E2E_TMP/all.pcapng" "$from" "$to" 2>&1) ||
	fail "all.pcapng is not pcapng as written: $got"
version=$("$LWTP" --version | cut -d' ' -f2)
# verdicts: epb_verdict type 1 (Linux eBPF TC): 0 TC_ACT_OK, 2 TC_ACT_SHOT
expect_same "the blocks of all.pcapng" "shb 1.0 userappl='lwtp $version' os
idb linktype 101 snaplen 0 name='smp_all' tsresol=9
epb if 0 in time caplen 60 len 128 198.51.100.7 comment='lwtp: drop' flags=0x2 verdict=1:2
epb if 0 in time caplen 60 len 128 198.51.100.7 comment='lwtp: drop' flags=0x2 verdict=1:2
epb if 0 in time caplen 60 len 128 198.51.100.7 comment='lwtp: drop' flags=0x2 verdict=1:2
epb if 0 in time caplen 48 len 48 198.51.100.7 comment='lwtp: pass, mark 0x2a' flags=0x2 verdict=1:0
epb if 0 in time caplen 48 len 48 198.51.100.7 comment='lwtp: pass, mark 0x2a' flags=0x2 verdict=1:0
epb if 0 in time caplen 60 len 78 2001:db8:0:0:0:0:0:7 comment='lwtp: drop' flags=0x2 verdict=1:2
epb if 0 in time caplen 60 len 78 2001:db8:0:0:0:0:0:7 comment='lwtp: drop' flags=0x2 verdict=1:2
epb if 0 in time caplen 60 len 248 2001:db8:0:0:0:0:0:7 comment='lwtp: pass' flags=0x2 verdict=1:0" "$got"
# what Wireshark shows, when it is here and knows epb_verdict
if command -v tshark > /dev/null &&
   tshark -G fields 2> /dev/null | grep -q "	frame\.verdict\.ebpf_tc	"; then
	got=$(tshark -r "$E2E_TMP/all.pcapng" -T fields -E separator=";" \
		-e frame.interface_name -e frame.verdict.ebpf_tc -e frame.comment \
		-e ip.dst -e ipv6.dst 2> "$E2E_TMP/tshark.err") ||
		fail "tshark cannot read all.pcapng: $(cat "$E2E_TMP/tshark.err")"
	expect_same "tshark's verdicts and comments in all.pcapng" "smp_all;2;lwtp: drop;198.51.100.7;
smp_all;2;lwtp: drop;198.51.100.7;
smp_all;2;lwtp: drop;198.51.100.7;
smp_all;0;lwtp: pass, mark 0x2a;198.51.100.7;
smp_all;0;lwtp: pass, mark 0x2a;198.51.100.7;
smp_all;2;lwtp: drop;;2001:db8::7
smp_all;2;lwtp: drop;;2001:db8::7
smp_all;0;lwtp: pass;;2001:db8::7" "$got"
fi
# the summary's numbers: one sample, then none (the ring is drained)
e2e_expect_send 198.51.100.7 54 20x1 1 0
"$LWTP" sample smp_all -w "$E2E_TMP/one.pcapng" -c 1 -t 10 2> "$E2E_TMP/err" ||
	fail "lwtp sample -w one.pcapng failed: $(cat "$E2E_TMP/err")"
expect_same "the summary of one sample" \
	"1 sample written to $E2E_TMP/one.pcapng, none lost" "$(cat "$E2E_TMP/err")"
"$LWTP" sample smp_all -t 1 > "$E2E_TMP/out" 2> "$E2E_TMP/err" ||
	fail "lwtp sample of an empty ring failed: $(cat "$E2E_TMP/err")"
expect_same "the summary of no sample" "no samples read, none lost" \
	"$(cat "$E2E_TMP/out" "$E2E_TMP/err")"

# 3. 1 in 10: 3000 packets give 300 on average; 200..400 is 5.8 standard
# deviations each way
e2e_expect_send 198.51.100.8 9 10x3000 3000 0
"$LWTP" sample smp_tenth -w "$E2E_TMP/tenth.pcap" -t 2 2> "$E2E_TMP/err" ||
	fail "lwtp sample smp_tenth failed: $(cat "$E2E_TMP/err")"
n=$(tcpdump -nn -r "$E2E_TMP/tenth.pcap" 2>/dev/null | wc -l)
[ "$n" -ge 200 ] && [ "$n" -le 400 ] || fail "1/10 of 3000 packets gave $n samples"
e2e_dump lwtp_full_smp_tenth "$E2E_TMP/full"
expect_same lwtp_full_smp_tenth "0 => inserted=$n refused=0" "$(cat "$E2E_TMP/full")"

# 4. a ring of 8 records at least (one page: 4096 / (8 + 32 + 64) = 39):
# 100 packets, nobody reading
e2e_expect_send 2001:db8::8 9 100x100 100 0
"$LWTP" sample smp_small -c 100 -t 1 > "$E2E_TMP/small" 2>&1
n=$(grep -c ' pass ' "$E2E_TMP/small")
[ "$n" -ge 8 ] && [ "$n" -lt 100 ] || fail "a full ring kept $n of 100 samples:
$(cat "$E2E_TMP/small")"
e2e_dump lwtp_full_smp_small "$E2E_TMP/full"
expect_same lwtp_full_smp_small "0 => inserted=$n refused=$((100 - n))" "$(cat "$E2E_TMP/full")"
# errors: no such ring, a map that is not a ring, a wrong command line
"$LWTP" sample smp_none -t 1 > "$E2E_TMP/out" 2>&1
[ $? = 1 ] && grep -q "cannot open sample 'smp_none'" "$E2E_TMP/out" ||
	fail "lwtp sample of a missing ring: $(cat "$E2E_TMP/out")"
"$LWTP" sample lwtp_full_smp_all -t 1 > "$E2E_TMP/out" 2>&1
[ $? = 1 ] && grep -q "'lwtp_full_smp_all' is not a sample" "$E2E_TMP/out" ||
	fail "lwtp sample of a per-CPU array: $(cat "$E2E_TMP/out")"
"$LWTP" sample > "$E2E_TMP/out" 2>&1
[ $? = 2 ] || fail "lwtp sample without a name: $(cat "$E2E_TMP/out")"
"$LWTP" sample smp_all -w "$E2E_TMP/no/such/dir/x.pcap" -t 1 > "$E2E_TMP/out" 2>&1
[ $? = 1 ] && grep -q "cannot write" "$E2E_TMP/out" ||
	fail "lwtp sample -w into a missing directory: $(cat "$E2E_TMP/out")"
"$LWTP" sample smp_all -w "$E2E_TMP/no/such/dir/x.pcapng" -t 1 > "$E2E_TMP/out" 2>&1
[ $? = 1 ] && grep -qx "lwtp: cannot write '$E2E_TMP/no/such/dir/x.pcapng': No such file or directory" \
	"$E2E_TMP/out" ||
	fail "lwtp sample -w x.pcapng into a missing directory: $(cat "$E2E_TMP/out")"
exit 0
