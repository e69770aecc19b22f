#!/bin/bash
# tests/kernels/objects.sh LOGDIR OBJ...: the 'objects' check of the kernel
# matrix, for out/OBJ.o (the shipped policies/OBJ.lwtp, compiled on the
# host). Attaches every program of each object with plain
#     ip route add DST encap bpf out obj out/OBJ.o section S dev vethA
# in two private namespaces (tests/e2e/lib.sh: private bpffs, documentation
# addresses only), sends real traffic, and checks what the pinned maps
# counted, exactly, twice: with mapdump (tests/tools/mapdec.c) and with jq
# on 'lwtp stat --json' (runtime/decode.c); bpftool and 'lwtp stat' must
# read every map too. Runs from the stage prepare.sh makes (a copy of the
# checkout's out/, build/ and tests/), on any kernel.
#
# Under emulation every process costs a few hundred milliseconds, so the
# namespaces are made once for all the objects (each gets a fresh bpffs and
# its routes are flushed after it), each object's packets go out in one
# sendpkt run, and its maps are read once.
#
# Writes LOGDIR/OBJ.log, and prints "RESULT OBJ STATUS SECONDS" for each
# object, STATUS: 0 all counted as expected; 1 something counted wrong (BAD
# lines in the log say what); 2 ip refused a program (the log has its
# output, the verifier's log included) or OBJ has no expectations here.
. "$(dirname "$0")/../e2e/lib.sh"
e2e_enter "$@"
. "$E2E_ROOT/tests/kernels/lib.sh"

LOGDIR=$1
shift
LWTP=$E2E_ROOT/build/lwtp

bad() {
	echo "BAD $*"
	BAD=1
}

# route DST SECTION [ROUTE-OPTION...]: attach; if ip refuses, that is the
# object's result
route() {
	local out
	if ! out=$(inA ip route add "$1" encap bpf out obj "$O" section "$2" dev vethA "${@:3}" 2>&1); then
		echo "ip route add $1 encap bpf out obj out/$OBJ.o section $2 dev vethA ${*:3}: FAILED"
		echo "$out"
		exit 2
	fi
	echo "attached $2 to $1"
	ATTACHED="$ATTACHED$2 "
}

# neigh ADDR...: A reaches ADDR through the veth (B need not own it)
neigh() {
	local a
	for a in "$@"; do must inA ip neigh replace "$a" lladdr "$MACB" dev vethA nud permanent; done
}

# traffic: send the packets of standard input in one sendpkt run, lines
# "[Nx ]PACKET => ok|eperm" (pkt.h's text form; "sock PACKET" is a datagram
# from an ordinary UDP socket, bound to A's address), and check what sendto
# said to each: ok, or eperm when the program dropped it.
traffic() {
	local line what n j i=0 k res rest want=() text=()
	cat > "$E2E_TMP/traffic"
	while IFS= read -r line; do
		case $line in "" | "#"*) continue ;; esac
		what=${line##*=> }
		n=1
		[[ $line =~ ^([0-9]+)x\  ]] && n=${BASH_REMATCH[1]}
		for ((j = 0; j < n; j++)); do want+=("$what") text+=("${line%% =>*}"); done
	done < "$E2E_TMP/traffic"
	inA "$TOOLS/sendpkt" < "$E2E_TMP/traffic" > "$E2E_TMP/sent" 2>&1 ||
		bad "sendpkt: $(grep -v '^[0-9]* \(ok\|eperm\)$' "$E2E_TMP/sent" | head -3)"
	while read -r k res rest; do
		[ "$k" = sent ] && { echo "sendpkt: sent $res $rest"; continue; }
		[ "$res" = "${want[i]:-none}" ] || bad "packet $k (${text[i]:-?}): $res, expected ${want[i]:-no packet}"
		i=$((i + 1))
	done < "$E2E_TMP/sent"
	[ "$i" = ${#want[@]} ] || bad "sendpkt sent $i packets, expected ${#want[@]}"
	READ=
}

# send DST PORT SIZE[xCOUNT]...: UDP from a socket (sendudp), for the sizes
# of tests/e2e/traffic.sh and for bursts; sets SENT and EPERM
send() {
	e2e_send "$@"
	READ=
}

# read_maps: every map, once after the traffic, as 'lwtp stat --json' and
# as mapdump read them, into $E2E_TMP/json and $E2E_TMP/dump: lines
# "MAP<tab>ENTRY" sorted, ENTRY as mapdump prints it (see json_lines)
read_maps() {
	local m kind names=() line map
	[ -n "$READ" ] && return
	READ=1
	: > "$E2E_TMP/json"
	: > "$E2E_TMP/dump"
	if ! "$LWTP" stat --json > "$E2E_TMP/stat.json" 2> "$E2E_TMP/stat.err"; then
		bad "lwtp stat --json: $(head -3 "$E2E_TMP/stat.err")"
		return
	fi
	json_lines < "$E2E_TMP/stat.json" | sort -t $'\t' -k1,1 -k2 > "$E2E_TMP/json" ||
		bad "lwtp stat --json: not the JSON expected: $(head -c 300 "$E2E_TMP/stat.json")"
	# mapdump reads every map but the sample rings (no entries)
	while IFS=$'\t' read -r m kind; do
		[ "$kind" = sample ] || names+=("$GLOBALS/$m")
	done < <(jq -r '.maps[] | "\(.name)\t\(.kind)"' "$E2E_TMP/stat.json")
	"$TOOLS/mapdump" "${names[@]}" > "$E2E_TMP/mapdump" 2>&1 || bad "mapdump: $(head -3 "$E2E_TMP/mapdump")"
	while IFS= read -r line; do
		case $line in
		"MAP "*) map=${line#MAP } ;;
		*) printf '%s\t%s\n' "$map" "${line#"${line%%[! ]*}"}" ;;
		esac
	done < "$E2E_TMP/mapdump" | sort -t $'\t' -k1,1 -k2 > "$E2E_TMP/dump"
}

# json_lines: 'lwtp stat --json' (standard input) as "MAP<tab>ENTRY" lines,
# without entries whose values are all zero, ENTRY in mapdump's form:
# counters "KEY => packets=N bytes=N", histograms "BUCKET => N" or "KEY
# bucket=BUCKET => N" (KEY "0" when the statistic has none); quotas "KEY =>
# used=N limit=N over=N" and limits "KEY => passed=N exceeded=N" (fewer
# fields than mapdump prints).
json_lines() {
	jq -r '
		def kv: if . == {} then "0" else to_entries | map("\(.key)=\(.value)") | join(" ") end;
		.maps[] | .name as $m |
		if .kind == "counter" then
			.entries[] | select(.packets > 0 or .bytes > 0)
			| "\(.key | kv) => packets=\(.packets) bytes=\(.bytes)"
		elif .kind == "histogram" then
			.entries[] as $e | $e.buckets[] | select(.count > 0)
			| if $e.key == {} then "\(.bucket) => \(.count)"
			  else "\($e.key | kv) bucket=\(.bucket) => \(.count)" end
		elif .kind == "quota" then
			.entries[] | "\(.key | kv) => used=\(.used) limit=\(.limit) over=\(.over)"
		elif .kind == "limit" then
			.entries[] | "\(.key | kv) => passed=\(.passed) exceeded=\(.exceeded)"
		else empty end | "\($m)\t\(.)"'
}

# entries FILE MAP: MAP's entries in FILE (read_maps), one a line
entries() {
	local m e
	while IFS=$'\t' read -r m e; do
		[ "$m" = "$2" ] && echo "$e"
	done < "$1"
}

# compare WHAT EXPECTED GOT
compare() {
	if [ "$2" = "$3" ]; then
		echo "ok  $1: $(echo "$3" | tr '\n' ';')"
	else
		bad "$1, - expected, + got:"
		diff <(echo "${2:-(no entries)}") <(echo "${3:-(no entries)}") | sed -n 's/^</    -/p; s/^>/    +/p'
	fi
}

# check MAP EXPECTED [JSON]: the map's entries, as mapdump and as 'lwtp
# stat --json' read them, against EXPECTED (sorted lines); JSON, when
# given, is what 'lwtp stat --json' must say instead: it names the values
# the language names (ip_dscp=ef), where mapdump has numbers (ip_dscp=46).
# jcheck: only 'lwtp stat --json', for quotas and limits, whose mapdump
# lines carry more.
check() {
	read_maps
	compare "$1 (mapdump)" "$2" "$(entries "$E2E_TMP/dump" "$1")"
	compare "$1 (lwtp stat --json)" "${3:-$2}" "$(entries "$E2E_TMP/json" "$1")"
}
jcheck() {
	read_maps
	compare "$1 (lwtp stat --json)" "$2" "$(entries "$E2E_TMP/json" "$1")"
}

# readers: bpftool must dump every map that has entries (one batch), and
# 'lwtp stat' print them all as text
readers() {
	local m kind
	read_maps
	while IFS=$'\t' read -r m kind; do
		[ "$kind" = sample ] || echo "map dump pinned $GLOBALS/$m"
	done < <(jq -r '.maps[] | "\(.name)\t\(.kind)"' "$E2E_TMP/stat.json") > "$E2E_TMP/bpftool.batch"
	if [ -s "$E2E_TMP/bpftool.batch" ] &&
		! bpftool -j batch file "$E2E_TMP/bpftool.batch" > "$E2E_TMP/bpftool.out" 2>&1; then
		bad "bpftool map dump: $(grep -m2 -i error "$E2E_TMP/bpftool.out")"
	fi
	"$LWTP" stat > "$E2E_TMP/stat.txt" 2>&1 || bad "lwtp stat: $(head -3 "$E2E_TMP/stat.txt")"
}

# object OBJ: one object's routes (every program at least once), traffic,
# and what its maps must hold; run in a subshell, it exits with the
# object's status. Sizes: UDP adds 28 bytes to the payload over IPv4, 48
# over IPv6; sendpkt's packets are as tests/tools/pkt.h builds them.
object() {
	OBJ=$1 O=$E2E_ROOT/out/$1.o BAD=0 ATTACHED=" " READ=
	need_file "$O"
	case $OBJ in
	len_hist)
		. "$E2E_ROOT/tests/e2e/traffic.sh"
		route 198.51.100.7/32 len_hist
		route 2001:db8::7/128 len_hist
		send 198.51.100.7 9 $SIZES4
		[ "$EPERM" = 0 ] || bad "len_hist refused $EPERM IPv4 datagrams"
		send 2001:db8::7 9 $SIZES6
		[ "$EPERM" = 0 ] || bad "len_hist refused $EPERM IPv6 datagrams"
		send 198.51.100.8 9 100x5 1000x5          # not by the route: not counted
		check lwt_len_hist_map "$(hist_expect +28 $SIZES4 +48 $SIZES6 | sort)"
		;;
	dst_bytes)
		route 198.51.100.7/32 dst_counters
		route 2001:db8::7/128 dst_counters
		traffic <<-EOF
			3x sock ip4 udp src 198.51.100.1 dst 198.51.100.7 payload 100 => ok
			2x sock ip6 udp src 2001:db8::1 dst 2001:db8::7 payload 100 => ok
		EOF
		check dst_total "0 => packets=5 bytes=680"
		check dst_bytes "$(printf '%s\n' "ip_dst=198.51.100.7 => packets=3 bytes=384" \
			"ip_dst=2001:db8::7 => packets=2 bytes=296" | sort)"
		;;
	dns_guard)
		neigh 198.51.100.53 2001:db8::53
		for r in 198.51.100.7/32 198.51.100.53/32 2001:db8::7/128 2001:db8::53/128; do
			route $r dns_guard
		done
		traffic <<-EOF
			# to a resolver: allowed; elsewhere: dropped; not DNS: not counted
			3x sock ip4 udp src 198.51.100.1 dst 198.51.100.53 dport 53 payload 100 => ok
			2x sock ip6 udp src 2001:db8::1 dst 2001:db8::53 dport 853 payload 100 => ok
			4x sock ip4 udp src 198.51.100.1 dst 198.51.100.7 dport 53 payload 100 => eperm
			1x sock ip4 udp src 198.51.100.1 dst 198.51.100.7 dport 853 payload 100 => eperm
			2x sock ip6 udp src 2001:db8::1 dst 2001:db8::7 dport 53 payload 100 => eperm
			5x sock ip4 udp src 198.51.100.1 dst 198.51.100.7 dport 9 payload 100 => ok
			ip4 tcp dst 198.51.100.7 dport 53 => eperm
		EOF
		check dns_allowed "0 => packets=5 bytes=680"
		check dns_drops "$(printf '%s\n' \
			"ip_dst=198.51.100.7 l4_dport=53 => packets=5 bytes=552" \
			"ip_dst=198.51.100.7 l4_dport=853 => packets=1 bytes=128" \
			"ip_dst=2001:db8::7 l4_dport=53 => packets=2 bytes=296" | sort)"
		;;
	dscp_mark)
		route 198.51.100.7/32 dscp_mark
		route 2001:db8::7/128 dscp_mark
		traffic <<-EOF
			3x ip4 udp dscp 46 payload 100 => ok
			2x ip4 udp payload 100 => ok
			ip4 udp dscp 10 payload 100 => ok
			2x ip6 udp dscp 48 payload 100 => ok
			4x sock ip4 udp src 198.51.100.1 payload 100 => ok
		EOF
		check dscp_seen "$(printf '%s\n' \
			"ip_dscp=0 => packets=6 bytes=768" \
			"ip_dscp=10 => packets=1 bytes=128" \
			"ip_dscp=46 => packets=3 bytes=384" \
			"ip_dscp=48 => packets=2 bytes=296" | sort)" "$(printf '%s\n' \
			"ip_dscp=cs0 => packets=6 bytes=768" \
			"ip_dscp=af11 => packets=1 bytes=128" \
			"ip_dscp=ef => packets=3 bytes=384" \
			"ip_dscp=cs6 => packets=2 bytes=296" | sort)"
		;;
	hygiene)
		route 198.51.100.7/32 hygiene
		route 2001:db8::7/128 hygiene
		traffic <<-EOF
			2x ip4 udp payload 10 => ok
			ip4 tcp flags syn => ok
			ip4 udp options 8 payload 10 => eperm
			ip4 udp options 4 payload 10 => eperm
			ip6 udp ext fragment payload 10 => eperm
			ip4 udp frag later payload 10 => eperm
			ip4 tcp flags syn,fin => eperm
			ip4 tcp flags syn,rst => eperm
			ip4 tcp flags none => eperm
			ip4 tcp flags fin,psh,urg => eperm
			ip6 tcp flags syn,ack => ok
		EOF
		check hyg_passed "0 => packets=4 bytes=176"
		check hyg_ip4_opts "0 => packets=2 bytes=88"
		check hyg_ip6_frag "0 => packets=1 bytes=66"
		check hyg_late_frag "0 => packets=1 bytes=30"
		check hyg_syn_fin "0 => packets=1 bytes=40"
		check hyg_syn_rst "0 => packets=1 bytes=40"
		check hyg_null_scan "0 => packets=1 bytes=40"
		check hyg_xmas_scan "0 => packets=1 bytes=40"
		;;
	proto_sizes)
		route 198.51.100.7/32 proto_sizes
		route 2001:db8::7/128 proto_sizes
		traffic <<-EOF
			3x sock ip4 udp src 198.51.100.1 payload 100 => ok
			2x sock ip4 udp src 198.51.100.1 payload 1000 => ok
			sock ip6 udp src 2001:db8::1 payload 2000 => ok
			ip4 tcp flags syn => ok
		EOF
		# 128 bytes: log2 bucket 7; 1028: 10; 2048: 11; 40: 5; 1 kB and more: big
		check proto_len_hist "$(printf '%s\n' "ip_proto=udp bucket=7 => 3" "ip_proto=udp bucket=10 => 2" \
			"ip_proto=udp bucket=11 => 1" "ip_proto=tcp bucket=5 => 1" | sort)"
		check proto_big "$(printf '%s\n' "ip_proto=udp ip_version=4 => packets=2 bytes=2056" \
			"ip_proto=udp ip_version=6 => packets=1 bytes=2048" | sort)"
		;;
	services)
		route 198.51.100.7/32 svc_web
		route 2001:db8::7/128 svc_icmp
		route 198.51.100.8/32 svc_icmp
		traffic <<-EOF
			2x sock ip4 udp src 198.51.100.1 dport 443 payload 100 => ok
			ip4 tcp flags syn dport 80 => ok
			ip4 tcp flags ack dport 8080 => ok
			ip6 icmp6 type echo_request payload 8 => ok
			ip4 icmp type echo_request dst 198.51.100.8 payload 8 => ok
			ip4 icmp type timestamp_request dst 198.51.100.8 payload 12 => eperm
		EOF
		check web_quic "ip_dst=198.51.100.7 => packets=2 bytes=256"
		check web_syns "ip_dst=198.51.100.7 => packets=1 bytes=40"
		check web_by_dst "$(printf '%s\n' "ip_dst=198.51.100.7 tcp_dport=80 => packets=1 bytes=40" \
			"ip_dst=198.51.100.7 tcp_dport=8080 => packets=1 bytes=40" | sort)"
		check icmp6_types "icmp6_type=128 icmp6_code=0 => packets=1 bytes=56" \
			"icmp6_type=echo_request icmp6_code=0 => packets=1 bytes=56"
		check icmp_types "$(printf '%s\n' "icmp_type=8 icmp_code=0 => packets=1 bytes=36" \
			"icmp_type=13 icmp_code=0 => packets=1 bytes=40" | sort)" \
			"$(printf '%s\n' "icmp_type=echo_request icmp_code=0 => packets=1 bytes=36" \
			"icmp_type=timestamp_request icmp_code=0 => packets=1 bytes=40" | sort)"
		check icmp_ts_drops "0 => packets=1 bytes=40"
		;;
	customer_marks)
		# the mark by the longest prefix; 198.51.100.8 is suspended
		route 198.51.100.7/32 customer_marks
		route 198.51.100.8/32 customer_marks
		route 2001:db8::7/128 customer_marks
		traffic <<-EOF
			2x ip4 udp dst 198.51.100.7 => ok
			ip4 udp dst 198.51.100.8 => eperm
			ip6 udp dst 2001:db8::7 => ok
		EOF
		check customer_traffic "$(printf '%s\n' "skb_mark=101 => packets=2 bytes=76" \
			"skb_mark=103 => packets=2 bytes=56" | sort)"
		;;
	realm_accounting)
		# one object on three routes; IPv6 routes have no realm (0)
		route 198.51.100.7/32 per_realm realm 101
		route 198.51.100.8/32 per_realm realm 102
		route 2001:db8::7/128 per_realm
		traffic <<-EOF
			3x sock ip4 udp src 198.51.100.1 dst 198.51.100.7 payload 100 => ok
			2x sock ip4 udp src 198.51.100.1 dst 198.51.100.8 payload 1000 => ok
			sock ip6 udp src 2001:db8::1 dst 2001:db8::7 payload 100 => ok
		EOF
		check realm_bytes "$(printf '%s\n' "route_realm=0 => packets=1 bytes=148" \
			"route_realm=101 => packets=3 bytes=384" "route_realm=102 => packets=2 bytes=2056" | sort)"
		check realm_protos "$(printf '%s\n' "route_realm=0 ip_proto=udp => packets=1 bytes=148" \
			"route_realm=101 ip_proto=udp => packets=3 bytes=384" \
			"route_realm=102 ip_proto=udp => packets=2 bytes=2056" | sort)"
		# log2 buckets: 128 and 148 bytes: 7; 1028: 10
		check realm_sizes "$(printf '%s\n' "route_realm=0 bucket=7 => 1" \
			"route_realm=101 bucket=7 => 3" "route_realm=102 bucket=10 => 2" | sort)"
		;;
	ttl_hist)
		route 198.51.100.7/32 ttl_hist
		route 2001:db8::7/128 ttl_hist
		traffic <<-EOF
			2x ip4 udp ttl 64 => ok
			ip4 udp ttl 3 => ok
			ip6 udp ttl 200 => ok
		EOF
		# linear(ip.ttl, 0, 256, 16): bucket TTL / 16 + 1
		check ttl_low "4 => 1"
		check ttl_buckets "$(printf '%s\n' "ip_version=4 bucket=1 => 1" "ip_version=4 bucket=5 => 2" \
			"ip_version=6 bucket=13 => 1" | sort)"
		;;
	edge_guard)
		# 198.51.100.128/25 and 2001:db8:bad::/48 are in policies/edge_deny.txt
		neigh 198.51.100.200 2001:db8:bad::1
		for r in 198.51.100.8/32 198.51.100.200/32 2001:db8::8/128 2001:db8:bad::1/128; do
			route $r edge_guard
		done
		traffic <<-EOF
			5x sock ip4 udp src 198.51.100.1 dst 198.51.100.200 payload 100 => eperm
			3x sock ip6 udp src 2001:db8::1 dst 2001:db8:bad::1 payload 100 => eperm
			50x sock ip4 udp src 198.51.100.1 dst 198.51.100.8 payload 64 => ok
			20x sock ip6 udp src 2001:db8::1 dst 2001:db8::8 payload 64 => ok
		EOF
		check edge_denied "$(printf '%s\n' "ip_dst=198.51.100.200 => packets=5 bytes=640" \
			"ip_dst=2001:db8:bad::1 => packets=3 bytes=444" | sort)"
		# over the burst of 100: what passes is counted passed, the rest
		# exceeded, and the quota counts the bytes of what passed (92 each)
		send 198.51.100.8 9 64x1000
		s=$((50 + SENT)) e=$EPERM
		echo "1000 more to 198.51.100.8: sent $SENT eperm $EPERM"
		jcheck edge_rate "$(printf '%s\n' "ip_dst=198.51.100.8 => passed=$s exceeded=$e" \
			"ip_dst=2001:db8::8 => passed=20 exceeded=0" | sort)"
		jcheck edge_quota "$(printf '%s\n' "ip_dst=198.51.100.8 => used=$((s * 92)) limit=1000000000 over=0" \
			"ip_dst=2001:db8::8 => used=2240 limit=1000000000 over=0" | sort)"
		entries "$E2E_TMP/dump" edge_rate | grep -q "^ip_dst=198.51.100.8 => .*passed=$s exceeded=$e " ||
			bad "edge_rate (mapdump) does not say passed=$s exceeded=$e: $(entries "$E2E_TMP/dump" edge_rate)"
		# the ring: what lwtp stat and lwtp_full_edge_samples count written,
		# lwtp sample reads
		w=$(jq '.maps[] | select(.name == "edge_samples") | .samples.written' "$E2E_TMP/stat.json")
		f=$("$TOOLS/mapdump" "$GLOBALS/lwtp_full_edge_samples" | sed -n 's/.*inserted=\([0-9]*\).*/\1/p')
		timeout 60 "$LWTP" sample edge_samples -w "$E2E_TMP/s.pcap" -t 3 2> "$E2E_TMP/serr"
		n=$(tcpdump -nn -r "$E2E_TMP/s.pcap" 2> /dev/null | wc -l)
		echo "samples: $n in lwtp sample's capture, $w written (lwtp_full_edge_samples: $f), 1/100 of 1078 packets"
		[ "$n" -gt 0 ] && [ "$n" = "$w" ] && [ "$n" = "$f" ] ||
			bad "samples: $n in the capture, $w written (lwtp stat), $f (lwtp_full_edge_samples)"
		;;
	*)
		echo "objects.sh: no expectations for out/$OBJ.o: add them to tests/kernels/objects.sh"
		exit 2
		;;
	esac
	for s in $(sections "$O"); do
		case $ATTACHED in *" $s "*) ;; *) bad "section $s was never attached to a route" ;; esac
	done
	readers
	exit "$BAD"
}

e2e_pair
MACB=$(inB ip -o link show vethB | sed -n 's|.*link/ether \([0-9a-f:]*\).*|\1|p')
for obj in "$@"; do
	e2e_fresh_bpffs
	t0=$SECONDS
	(object "$obj") > "$LOGDIR/$obj.log" 2>&1
	echo "RESULT $obj $? $((SECONDS - t0))s"
	# the next object's routes go to the same destinations
	inA ip route flush proto boot
	inA ip -6 route flush proto boot
done
exit 0
