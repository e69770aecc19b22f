/* fields.c: the table of every field a policy can name (see fields.h and
 * docs/language.md, "Fields"), and the named values of their domains.
 *
 * The skb.* rows follow the kernel's lwt_is_valid_access(): what an
 * LWT_OUT program may read and write in struct __sk_buff.
 */
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "kernel.h"
#include "lwtp_contract.h"

/* ---- named values ------------------------------------------------------ */

/* The tables are the contract's (include/lwtp_contract.h): lwtp prints a
 * key's values by the same names. */
#define SYMBOL(name, value) { name, value },

static const struct symbol_def ip_proto_symbols[] = { LWTP_IP_PROTOCOLS(SYMBOL) { NULL, 0 } };
static const struct symbol_def ip6_nexthdr_symbols[] = { LWTP_IP6_NEXTHDRS(SYMBOL) { NULL, 0 } };
static const struct symbol_def tcp_flag_symbols[] = { LWTP_TCP_FLAGS(SYMBOL) { NULL, 0 } };
static const struct symbol_def icmp_type_symbols[] = { LWTP_ICMP_TYPES(SYMBOL) { NULL, 0 } };
static const struct symbol_def icmp6_type_symbols[] = { LWTP_ICMP6_TYPES(SYMBOL) { NULL, 0 } };
static const struct symbol_def dscp_symbols[] = { LWTP_DSCP_NAMES(SYMBOL) { NULL, 0 } };
static const struct symbol_def ecn_symbols[] = { LWTP_ECN_NAMES(SYMBOL) { NULL, 0 } };
static const struct symbol_def pkt_type_symbols[] = { LWTP_PKT_TYPES(SYMBOL) { NULL, 0 } };
static const struct symbol_def ethertype_symbols[] = { LWTP_ETHERTYPES(SYMBOL) { NULL, 0 } };

static const struct symbol_domain ip_proto_domain = { "IP protocol", ip_proto_symbols };
static const struct symbol_domain ip6_nexthdr_domain = { "IPv6 next header", ip6_nexthdr_symbols };
static const struct symbol_domain tcp_flag_domain = { "TCP flag", tcp_flag_symbols };
static const struct symbol_domain icmp_type_domain = { "ICMP type", icmp_type_symbols };
static const struct symbol_domain icmp6_type_domain = { "ICMPv6 type", icmp6_type_symbols };
static const struct symbol_domain dscp_domain = { "DSCP", dscp_symbols };
static const struct symbol_domain ecn_domain = { "ECN codepoint", ecn_symbols };
static const struct symbol_domain pkt_type_domain = { "packet type", pkt_type_symbols };
static const struct symbol_domain ethertype_domain = { "EtherType", ethertype_symbols };

/* ---- why a field cannot be used ---------------------------------------- */

#define WRITE_RULE "LWT_OUT programs may write only skb.mark, skb.priority and skb.cb[0..4]"
#define READ_ONLY  "it is read-only; " WRITE_RULE
#define PACKET_RO  "it is a packet field, and LWT_OUT programs cannot modify the packet; " \
		   "they may write only skb.mark, skb.priority and skb.cb[0..4]"
#define POINTER    "it is a pointer, not a value; read packet fields such as 'ip.dst' instead"
#define KERNEL_NO(f) "the kernel does not give LWT_OUT programs skb." f " (lwt_is_valid_access)"
#define TASK_HELPER "bpf_get_current_pid_tgid() in LWT programs"
#define TASK_RO "it says which task the kernel runs, not what the packet carries; " WRITE_RULE
#define ROUTE_RO "it is the route's, set with 'ip route ... realm N'; " WRITE_RULE
#define CGROUP_RO "it is the sending socket's cgroup's; " WRITE_RULE
#define CGROUP_SET "it names the socket's cgroups, which only 'socket.cgroup in SET' tests, " \
		   "SET a runtime set of cgroups ('set SET : cgroup;')"

/* ---- the table ----------------------------------------------------------- */

#define INT(b)  { TYPE_INT, (b) }
#define BOOL    { TYPE_BOOL, 0 }
#define ADDR    { TYPE_ADDR, 0 }
#define ADDR4   { TYPE_ADDR4, 0 }
#define ADDR6   { TYPE_ADDR6, 0 }

#define RO      FIELD_READ
#define RW      (FIELD_READ | FIELD_WRITE)

/* __sk_buff fields LWT_OUT may read (and, for RW, write) */
#define SKB(n, fid, bits, acc, dom, key, d) \
	{ .ns = "skb", .name = n, .id = fid, .header = HDR_SKB, \
	  .type = INT(bits), .access = acc, \
	  .why = (acc) & FIELD_WRITE ? NULL : READ_ONLY, \
	  .domain = dom, .key_type = key, .doc = d }

/* __sk_buff fields LWT_OUT may not use at all */
#define SKB_NONE(n, reason) \
	{ .ns = "skb", .name = n, .id = F_SKB_FORBIDDEN, .header = HDR_SKB, \
	  .access = FIELD_NONE, .why = reason, \
	  .doc = "not available to LWT_OUT programs" }

/* packet fields: read-only */
#define PKT(space, n, fid, hdr, ty, vbits, dom, key, d) \
	{ .ns = space, .name = n, .id = fid, .header = hdr, .type = ty, \
	  .value_bits = vbits, .access = FIELD_READ, .why = PACKET_RO, \
	  .domain = dom, .key_type = key, .doc = d }

static const struct field_def field_table[] = {
	SKB("len", F_SKB_LEN, 32, RO, NULL, "lwtp_u32_t",
	    "length from the L3 header on, in bytes"),
	SKB("pkt_type", F_SKB_PKT_TYPE, 32, RO, &pkt_type_domain, "lwtp_u32_t",
	    "packet type (host broadcast multicast otherhost outgoing loopback)"),
	SKB("mark", F_SKB_MARK, 32, RW, NULL, "lwtp_u32_t",
	    "firewall mark; writable"),
	SKB("queue_mapping", F_SKB_QUEUE_MAPPING, 32, RO, NULL, "lwtp_u32_t",
	    "transmit queue"),
	SKB("protocol", F_SKB_PROTOCOL, 16, RO, &ethertype_domain, "lwtp_u16_t",
	    "EtherType, host byte order (ipv4 ipv6 arp)"),
	SKB("vlan_present", F_SKB_VLAN_PRESENT, 32, RO, NULL, "lwtp_u32_t",
	    "1 when the packet carries a VLAN tag"),
	SKB("vlan_tci", F_SKB_VLAN_TCI, 32, RO, NULL, "lwtp_u32_t",
	    "VLAN tag control information"),
	SKB("vlan_proto", F_SKB_VLAN_PROTO, 16, RO, &ethertype_domain, "lwtp_u16_t",
	    "VLAN protocol (an ethertype such as 0x8100), host order"),
	SKB("priority", F_SKB_PRIORITY, 32, RW, NULL, "lwtp_u32_t",
	    "queueing priority; writable"),
	SKB("ingress_ifindex", F_SKB_INGRESS_IFINDEX, 32, RO, NULL, "lwtp_u32_t",
	    "interface the packet came in on, 0 for local traffic"),
	SKB("ifindex", F_SKB_IFINDEX, 32, RO, NULL, "lwtp_u32_t",
	    "interface the packet goes out on"),
	SKB("tc_index", F_SKB_TC_INDEX, 32, RO, NULL, "lwtp_u32_t",
	    "traffic control index"),
	{ .ns = "skb", .name = "cb", .id = F_SKB_CB, .header = HDR_SKB,
	  .type = INT(32), .access = RW, .nindex = 5,
	  .key_type = "lwtp_u32_t", .doc = "scratch words skb.cb[0]..skb.cb[4]; writable" },
	SKB("hash", F_SKB_HASH, 32, RO, NULL, "lwtp_u32_t",
	    "flow hash"),
	SKB("napi_id", F_SKB_NAPI_ID, 32, RO, NULL, "lwtp_u32_t",
	    "NAPI id of the receive queue"),
	SKB("gso_segs", F_SKB_GSO_SEGS, 32, RO, NULL, "lwtp_u32_t",
	    "number of GSO segments"),
	SKB("gso_size", F_SKB_GSO_SIZE, 32, RO, NULL, "lwtp_u32_t",
	    "GSO segment size"),

	SKB_NONE("tc_classid", KERNEL_NO("tc_classid")),
	SKB_NONE("data", POINTER),
	SKB_NONE("data_end", POINTER),
	SKB_NONE("family", KERNEL_NO("family")),
	SKB_NONE("remote_ip4", KERNEL_NO("remote_ip4")),
	SKB_NONE("local_ip4", KERNEL_NO("local_ip4")),
	SKB_NONE("remote_ip6", KERNEL_NO("remote_ip6")),
	SKB_NONE("local_ip6", KERNEL_NO("local_ip6")),
	SKB_NONE("remote_port", KERNEL_NO("remote_port")),
	SKB_NONE("local_port", KERNEL_NO("local_port")),
	SKB_NONE("data_meta", KERNEL_NO("data_meta")),
	SKB_NONE("flow_keys", KERNEL_NO("flow_keys")),
	SKB_NONE("tstamp", KERNEL_NO("tstamp")),
	SKB_NONE("wire_len", KERNEL_NO("wire_len")),
	SKB_NONE("sk", POINTER),
	SKB_NONE("tstamp_type", KERNEL_NO("tstamp_type")),
	SKB_NONE("hwtstamp", KERNEL_NO("hwtstamp")),

	PKT("ip", "version", F_IP_VERSION, HDR_IP, INT(8), 4, NULL, "lwtp_u8_t",
	    "IP version: 4 or 6"),
	PKT("ip", "src", F_IP_SRC, HDR_IP, ADDR, 0, NULL, "lwtp_ip_t",
	    "source address, IPv4 or IPv6"),
	PKT("ip", "dst", F_IP_DST, HDR_IP, ADDR, 0, NULL, "lwtp_ip_t",
	    "destination address, IPv4 or IPv6"),
	PKT("ip", "proto", F_IP_PROTO, HDR_IP, INT(8), 0, &ip_proto_domain, "lwtp_proto_t",
	    "L4 protocol (for IPv6 after extension headers)"),
	PKT("ip", "ttl", F_IP_TTL, HDR_IP, INT(8), 0, NULL, "lwtp_u8_t",
	    "time to live (IPv6 hop limit)"),
	PKT("ip", "tos", F_IP_TOS, HDR_IP, INT(8), 0, NULL, "lwtp_u8_t",
	    "type of service (IPv6 traffic class)"),
	PKT("ip", "dscp", F_IP_DSCP, HDR_IP, INT(8), 6, &dscp_domain, "lwtp_u8_t",
	    "differentiated services code point, 6 bits"),
	PKT("ip", "ecn", F_IP_ECN, HDR_IP, INT(8), 2, &ecn_domain, "lwtp_u8_t",
	    "explicit congestion notification, 2 bits"),
	PKT("ip", "len", F_IP_LEN, HDR_IP, INT(16), 0, NULL, "lwtp_u16_t",
	    "total length (IPv6: 40 + payload length)"),
	PKT("ip", "fragment", F_IP_FRAGMENT, HDR_IP, BOOL, 0, NULL, "lwtp_bool_t",
	    "packet is a fragment (first or later)"),

	PKT("ip4", "src", F_IP4_SRC, HDR_IP4, ADDR4, 0, NULL, "lwtp_ip4_t",
	    "IPv4 source address"),
	PKT("ip4", "dst", F_IP4_DST, HDR_IP4, ADDR4, 0, NULL, "lwtp_ip4_t",
	    "IPv4 destination address"),
	PKT("ip4", "proto", F_IP4_PROTO, HDR_IP4, INT(8), 0, &ip_proto_domain, "lwtp_proto_t",
	    "IPv4 protocol"),
	PKT("ip4", "ttl", F_IP4_TTL, HDR_IP4, INT(8), 0, NULL, "lwtp_u8_t",
	    "IPv4 time to live"),
	PKT("ip4", "tos", F_IP4_TOS, HDR_IP4, INT(8), 0, NULL, "lwtp_u8_t",
	    "IPv4 type of service"),
	PKT("ip4", "dscp", F_IP4_DSCP, HDR_IP4, INT(8), 6, &dscp_domain, "lwtp_u8_t",
	    "IPv4 DSCP, 6 bits"),
	PKT("ip4", "ecn", F_IP4_ECN, HDR_IP4, INT(8), 2, &ecn_domain, "lwtp_u8_t",
	    "IPv4 ECN, 2 bits"),
	PKT("ip4", "len", F_IP4_LEN, HDR_IP4, INT(16), 0, NULL, "lwtp_u16_t",
	    "IPv4 total length"),
	PKT("ip4", "id", F_IP4_ID, HDR_IP4, INT(16), 0, NULL, "lwtp_u16_t",
	    "IPv4 identification"),
	PKT("ip4", "ihl", F_IP4_IHL, HDR_IP4, INT(8), 4, NULL, "lwtp_u8_t",
	    "IPv4 header length in 32-bit words"),
	PKT("ip4", "options", F_IP4_OPTIONS, HDR_IP4, BOOL, 0, NULL, "lwtp_bool_t",
	    "IPv4 header has options (ihl > 5)"),
	PKT("ip4", "df", F_IP4_DF, HDR_IP4, BOOL, 0, NULL, "lwtp_bool_t",
	    "IPv4 don't fragment flag"),
	PKT("ip4", "mf", F_IP4_MF, HDR_IP4, BOOL, 0, NULL, "lwtp_bool_t",
	    "IPv4 more fragments flag"),
	PKT("ip4", "frag_offset", F_IP4_FRAG_OFFSET, HDR_IP4, INT(16), 13, NULL, "lwtp_u16_t",
	    "IPv4 fragment offset in 8-byte units"),

	PKT("ip6", "src", F_IP6_SRC, HDR_IP6, ADDR6, 0, NULL, "lwtp_ip6_t",
	    "IPv6 source address"),
	PKT("ip6", "dst", F_IP6_DST, HDR_IP6, ADDR6, 0, NULL, "lwtp_ip6_t",
	    "IPv6 destination address"),
	PKT("ip6", "nexthdr", F_IP6_NEXTHDR, HDR_IP6, INT(8), 0, &ip6_nexthdr_domain, "lwtp_proto_t",
	    "next header of the fixed IPv6 header"),
	PKT("ip6", "proto", F_IP6_PROTO, HDR_IP6, INT(8), 0, &ip_proto_domain, "lwtp_proto_t",
	    "L4 protocol after extension headers"),
	PKT("ip6", "hoplimit", F_IP6_HOPLIMIT, HDR_IP6, INT(8), 0, NULL, "lwtp_u8_t",
	    "IPv6 hop limit"),
	PKT("ip6", "tclass", F_IP6_TCLASS, HDR_IP6, INT(8), 0, NULL, "lwtp_u8_t",
	    "IPv6 traffic class"),
	PKT("ip6", "dscp", F_IP6_DSCP, HDR_IP6, INT(8), 6, &dscp_domain, "lwtp_u8_t",
	    "IPv6 DSCP, 6 bits"),
	PKT("ip6", "ecn", F_IP6_ECN, HDR_IP6, INT(8), 2, &ecn_domain, "lwtp_u8_t",
	    "IPv6 ECN, 2 bits"),
	PKT("ip6", "flowlabel", F_IP6_FLOWLABEL, HDR_IP6, INT(32), 20, NULL, "lwtp_u32_t",
	    "IPv6 flow label, 20 bits"),
	PKT("ip6", "plen", F_IP6_PLEN, HDR_IP6, INT(16), 0, NULL, "lwtp_u16_t",
	    "IPv6 payload length"),

	PKT("tcp", "sport", F_TCP_SPORT, HDR_TCP, INT(16), 0, NULL, "lwtp_port_t",
	    "TCP source port"),
	PKT("tcp", "dport", F_TCP_DPORT, HDR_TCP, INT(16), 0, NULL, "lwtp_port_t",
	    "TCP destination port"),
	PKT("tcp", "flags", F_TCP_FLAGS, HDR_TCP, INT(8), 0, &tcp_flag_domain, "lwtp_u8_t",
	    "TCP flags (fin syn rst psh ack urg ece cwr)"),
	PKT("tcp", "seq", F_TCP_SEQ, HDR_TCP, INT(32), 0, NULL, "lwtp_u32_t",
	    "TCP sequence number"),
	PKT("tcp", "ackseq", F_TCP_ACKSEQ, HDR_TCP, INT(32), 0, NULL, "lwtp_u32_t",
	    "TCP acknowledgment number"),
	PKT("tcp", "window", F_TCP_WINDOW, HDR_TCP, INT(16), 0, NULL, "lwtp_u16_t",
	    "TCP window"),
	PKT("tcp", "urgptr", F_TCP_URGPTR, HDR_TCP, INT(16), 0, NULL, "lwtp_u16_t",
	    "TCP urgent pointer"),
	PKT("tcp", "doff", F_TCP_DOFF, HDR_TCP, INT(8), 4, NULL, "lwtp_u8_t",
	    "TCP data offset in 32-bit words"),

	PKT("udp", "sport", F_UDP_SPORT, HDR_UDP, INT(16), 0, NULL, "lwtp_port_t",
	    "UDP source port"),
	PKT("udp", "dport", F_UDP_DPORT, HDR_UDP, INT(16), 0, NULL, "lwtp_port_t",
	    "UDP destination port"),
	PKT("udp", "len", F_UDP_LEN, HDR_UDP, INT(16), 0, NULL, "lwtp_u16_t",
	    "UDP length"),

	PKT("l4", "sport", F_L4_SPORT, HDR_L4PORTS, INT(16), 0, NULL, "lwtp_port_t",
	    "TCP or UDP source port"),
	PKT("l4", "dport", F_L4_DPORT, HDR_L4PORTS, INT(16), 0, NULL, "lwtp_port_t",
	    "TCP or UDP destination port"),

	PKT("icmp", "type", F_ICMP_TYPE, HDR_ICMP, INT(8), 0, &icmp_type_domain, "lwtp_u8_t",
	    "ICMP type"),
	PKT("icmp", "code", F_ICMP_CODE, HDR_ICMP, INT(8), 0, NULL, "lwtp_u8_t",
	    "ICMP code"),
	PKT("icmp6", "type", F_ICMP6_TYPE, HDR_ICMP6, INT(8), 0, &icmp6_type_domain, "lwtp_u8_t",
	    "ICMPv6 type"),
	PKT("icmp6", "code", F_ICMP6_CODE, HDR_ICMP6, INT(8), 0, NULL, "lwtp_u8_t",
	    "ICMPv6 code"),

	/* The task the kernel runs the program in: for a packet sent by a
	 * local socket in process context, the sender; for forwarded packets
	 * and what the kernel sends from softirq context (TCP ACKs and
	 * retransmissions, ICMP errors), whatever task the CPU happened to be
	 * running, often the idle task (0) or ksoftirqd. */
	{ .ns = "task", .name = "pid", .id = F_TASK_PID, .header = HDR_TASK,
	  .type = INT(32), .access = FIELD_READ, .why = TASK_RO,
	  .key_type = "lwtp_u32_t",
	  .doc = "thread id of the current task (the sender, for local traffic)",
	  .since = KERNEL(6, 10), .since_why = TASK_HELPER },
	{ .ns = "task", .name = "tgid", .id = F_TASK_TGID, .header = HDR_TASK,
	  .type = INT(32), .access = FIELD_READ, .why = TASK_RO,
	  .key_type = "lwtp_u32_t",
	  .doc = "process id of the current task (the sender, for local traffic)",
	  .since = KERNEL(6, 10), .since_why = TASK_HELPER },

	/* The realm of the route the packet leaves by, bpf_get_route_realm():
	 * its dst's tclassid, the 32 bits of RTA_FLOW, which 'ip route ...
	 * realm N' sets to N and 'realms FROM/TO' to FROM << 16 | TO (nftables'
	 * meta rtclassid). IPv6 routes have no realm (0), nor a packet without
	 * a route (BPF_PROG_TEST_RUN). */
	{ .ns = "route", .name = "realm", .id = F_ROUTE_REALM, .header = HDR_ROUTE,
	  .type = INT(32), .access = FIELD_READ, .why = ROUTE_RO,
	  .key_type = "lwtp_u32_t",
	  .doc = "realm of the route the packet leaves by ('ip route ... realm N'), 0 for none" },
	/* The net_cls (cgroup v1) class id, bpf_get_cgroup_classid(): of the
	 * current task when the program runs in process context, else of the
	 * packet's socket; 0 without either (forwarded packets). */
	{ .ns = "cgroup", .name = "classid", .id = F_CGROUP_CLASSID, .header = HDR_CGROUP,
	  .type = INT(32), .access = FIELD_READ, .why = CGROUP_RO,
	  .key_type = "lwtp_u32_t",
	  .doc = "net_cls class id of the sender's cgroup (MAJOR << 16 | MINOR), 0 for none" },
	/* The cgroup v2 of the packet's full socket, tested only against a
	 * set of cgroups (bpf_skb_under_cgroup()); a packet without one
	 * (forwarded, or sent by a TIME_WAIT socket) is in no cgroup. */
	{ .ns = "socket", .name = "cgroup", .id = F_SOCKET_CGROUP, .header = HDR_CGROUP,
	  .access = FIELD_MEMBER, .why = CGROUP_SET,
	  .doc = "the socket's cgroup v2: only 'socket.cgroup in SET', SET a set of cgroups" },

	{ .ns = NULL },
};

static const char *const namespaces[] = {
	"skb", "ip", "ip4", "ip6", "tcp", "udp", "l4", "icmp", "icmp6", "task", "route", "cgroup",
	"socket", NULL,
};

/* ---- lookups --------------------------------------------------------------- */

const struct field_def *fields_all(void)
{
	return field_table;
}

const char *const *fields_namespaces(void)
{
	return namespaces;
}

const struct field_def *fields_lookup(const char *ns, const char *name)
{
	if (!ns || !name)
		return NULL;
	for (const struct field_def *f = field_table; f->ns; f++)
		if (strcmp(f->ns, ns) == 0 && strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

bool fields_namespace_known(const char *ns)
{
	if (!ns)
		return false;
	for (const char *const *n = namespaces; *n; n++)
		if (strcmp(*n, ns) == 0)
			return true;
	return false;
}

const struct symbol_def *fields_symbol(const struct symbol_domain *d, const char *name)
{
	if (!d || !name)
		return NULL;
	for (const struct symbol_def *s = d->symbols; s->name; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

const char *fields_header_name(enum header h)
{
	switch (h) {
	case HDR_SKB:     return "skb metadata";
	case HDR_IP:      return "IPv4 or IPv6";
	case HDR_IP4:     return "IPv4";
	case HDR_IP6:     return "IPv6";
	case HDR_TCP:     return "TCP";
	case HDR_UDP:     return "UDP";
	case HDR_L4PORTS: return "TCP or UDP";
	case HDR_ICMP:    return "ICMP";
	case HDR_ICMP6:   return "ICMPv6";
	case HDR_TASK:    return "current task";
	case HDR_ROUTE:   return "route";
	case HDR_CGROUP:  return "cgroup";
	}
	return "unknown header";
}

uint64_t fields_max_value(const struct field_def *f)
{
	int bits = f->value_bits ? f->value_bits : f->type.bits;

	if (f->type.kind == TYPE_BOOL)
		return 1;
	if (f->type.kind != TYPE_INT || bits <= 0 || bits >= 64)
		return UINT64_MAX;
	return (UINT64_C(1) << bits) - 1;
}

const char *fields_name(const struct field_def *f, char *buf, size_t size)
{
	snprintf(buf, size, "%s.%s", f->ns, f->name);
	return buf;
}
