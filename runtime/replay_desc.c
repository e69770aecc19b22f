/* replay_desc.c: one line about a packet, from its headers, for lwtp replay:
 *
 *   192.0.2.1.40000 > 198.51.100.7.53 udp len 38
 *   2001:db8::1.40000 > 2001:db8::7.443 tcp [S.] ext hopopts len 68
 *   192.0.2.1 > 198.51.100.7 icmp echo_request len 28
 *   192.0.2.1 > 198.51.100.7 udp frag 1480 len 1500
 *
 * Addresses and ports as tcpdump prints them, TCP flags too ([S.] is SYN
 * and ACK); protocol and ICMP type names as the policy language writes them.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_ether.h>
#include <netinet/in.h>

#include "decode_names.h"
#include "json.h"
#include "replay.h"

#define IP6_MAX_EXT 8           /* as the policies: docs/language.md */

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void ip4(const unsigned char *p, __u32 len, struct replay_desc *d, __u32 *l4off)
{
	unsigned ihl = (p[0] & 15) * 4, fo = get16(p + 6);

	if ((p[0] >> 4) != 4 || ihl < 20 || ihl > len)
		return;
	d->family = 4;
	inet_ntop(AF_INET, p + 12, d->src, sizeof(d->src));
	inet_ntop(AF_INET, p + 16, d->dst, sizeof(d->dst));
	d->proto = p[9];
	d->ip4_optlen = ihl - 20;
	d->frag_offset = (fo & 0x1fff) * 8;
	d->fragment = (fo & 0x3fff) != 0;
	d->later_fragment = d->frag_offset != 0;
	*l4off = ihl;
}

static const char *ext_name(unsigned type)
{
	switch (type) {
	case 0: return "hopopts";
	case 43: return "routing";
	case 44: return "fragment";
	case 51: return "ah";
	case 60: return "dstopts";
	default: return NULL;
	}
}

static void ip6(const unsigned char *p, __u32 len, struct replay_desc *d, __u32 *l4off)
{
	unsigned next = p[6], off = 40, hlen, n, fo;
	size_t el = 0;

	if ((p[0] >> 4) != 6)
		return;
	d->family = 6;
	inet_ntop(AF_INET6, p + 8, d->src, sizeof(d->src));
	inet_ntop(AF_INET6, p + 24, d->dst, sizeof(d->dst));
	for (n = 0; ext_name(next); n++) {
		if (n == IP6_MAX_EXT || off + 8 > len) {
			d->proto = -1;          /* the chain goes on, or is cut */
			return;
		}
		if (next == 44) {
			fo = get16(p + off + 2);
			d->fragment = true;
			d->frag_offset = fo & 0xfff8;
			d->later_fragment = d->frag_offset != 0;
			hlen = 8;
		} else if (next == 51) {
			hlen = (p[off + 1] + 2) * 4;
		} else {
			hlen = (p[off + 1] + 1) * 8;
		}
		if (el < sizeof(d->exts))
			el += snprintf(d->exts + el, sizeof(d->exts) - el, "%s%s", el ? "," : "",
				       ext_name(next));
		next = p[off];
		off += hlen;
	}
	d->proto = next;
	*l4off = off;
}

void replay_describe(__u16 ethertype, const void *l3, __u32 len, __u32 wirelen,
		     struct replay_desc *d)
{
	const unsigned char *p = l3, *l4;
	__u32 l4off = 0, need;

	memset(d, 0, sizeof(*d));
	d->proto = -1;
	d->len = len;
	d->wirelen = wirelen > len ? wirelen : len;
	if (ethertype == ETH_P_IP && len >= 20)
		ip4(p, len, d, &l4off);
	else if (ethertype == ETH_P_IPV6 && len >= 40)
		ip6(p, len, d, &l4off);
	if (!d->family || d->proto < 0 || d->later_fragment)
		return;
	switch (d->proto) {
	case IPPROTO_TCP: need = 20; break;
	case IPPROTO_UDP: need = 8; break;
	case IPPROTO_ICMP: need = d->family == 4 ? 8 : 0; break;
	case IPPROTO_ICMPV6: need = d->family == 6 ? 8 : 0; break;
	default: need = 0; break;
	}
	if (!need || l4off + need > len)
		return;
	l4 = p + l4off;
	d->l4 = true;
	if (d->proto == IPPROTO_TCP || d->proto == IPPROTO_UDP) {
		d->ports = true;
		d->sport = get16(l4);
		d->dport = get16(l4 + 2);
		if (d->proto == IPPROTO_TCP)
			d->tcp_flags = l4[13];
	} else {
		d->icmp_type = l4[0];
		d->icmp_code = l4[1];
	}
}

static const char *icmp_name(int family, unsigned type)
{
	static const char *const v4[] = {
		[0] = "echo_reply", [3] = "dest_unreachable", [4] = "source_quench",
		[5] = "redirect", [8] = "echo_request", [9] = "router_advertisement",
		[10] = "router_solicitation", [11] = "time_exceeded",
		[12] = "parameter_problem", [13] = "timestamp_request", [14] = "timestamp_reply",
	};
	static const char *const v6[] = {
		[1] = "dest_unreachable", [2] = "packet_too_big", [3] = "time_exceeded",
		[4] = "parameter_problem", [128] = "echo_request", [129] = "echo_reply",
		[130] = "mld_query", [131] = "mld_report", [132] = "mld_done",
		[133] = "router_solicitation", [134] = "router_advertisement",
		[135] = "neighbor_solicitation", [136] = "neighbor_advertisement",
		[137] = "redirect",
	};

	if (family == 4)
		return type < sizeof(v4) / sizeof(v4[0]) ? v4[type] : NULL;
	return type < sizeof(v6) / sizeof(v6[0]) ? v6[type] : NULL;
}

/* tcpdump's way: [S.] is SYN and ACK, [none] no flag. */
static void tcp_flags_text(__u8 flags, char *buf, size_t size)
{
	static const struct { __u8 bit; char c; } names[] = {
		{ 0x01, 'F' }, { 0x02, 'S' }, { 0x04, 'R' }, { 0x08, 'P' },
		{ 0x10, '.' }, { 0x20, 'U' }, { 0x40, 'E' }, { 0x80, 'W' },
	};
	size_t i, n = 0;

	if (!flags) {
		snprintf(buf, size, "[none]");
		return;
	}
	buf[n++] = '[';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			buf[n++] = names[i].c;
	buf[n++] = ']';
	buf[n] = 0;
}

static void proto_text(int proto, char *buf, size_t size)
{
	const char *name = proto >= 0 ? decode_proto_name(proto) : NULL;

	if (name)
		snprintf(buf, size, "%s", name);
	else if (proto >= 0)
		snprintf(buf, size, "proto %d", proto);
	else
		snprintf(buf, size, "proto ?");
}

void replay_desc_text(const struct replay_desc *d, char *buf, size_t size)
{
	char proto[32], extra[64] = "", len[48];
	const char *name;
	size_t n = 0;

#define PUT(...) do { if (n < size) n += snprintf(buf + n, size - n, __VA_ARGS__); } while (0)
	if (d->wirelen > d->len)
		snprintf(len, sizeof(len), "len %u of %u", d->len, d->wirelen);
	else
		snprintf(len, sizeof(len), "len %u", d->len);
	if (!d->family) {
		PUT("not a valid IP header, %s", len);
		return;
	}
	if (d->ports)
		PUT("%s.%u > %s.%u", d->src, d->sport, d->dst, d->dport);
	else
		PUT("%s > %s", d->src, d->dst);
	proto_text(d->proto, proto, sizeof(proto));
	PUT(" %s", proto);
	if (d->l4 && d->proto == IPPROTO_TCP) {
		tcp_flags_text(d->tcp_flags, extra, sizeof(extra));
	} else if (d->l4 && (d->proto == IPPROTO_ICMP || d->proto == IPPROTO_ICMPV6)) {
		name = icmp_name(d->family, d->icmp_type);
		if (name)
			snprintf(extra, sizeof(extra), "%s", name);
		else
			snprintf(extra, sizeof(extra), "type %u", d->icmp_type);
		if (d->icmp_code)
			snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), " code %u",
				 d->icmp_code);
	} else if (!d->l4 && !d->later_fragment && d->proto >= 0 &&
		   (d->proto == IPPROTO_TCP || d->proto == IPPROTO_UDP ||
		    d->proto == IPPROTO_ICMP || d->proto == IPPROTO_ICMPV6)) {
		snprintf(extra, sizeof(extra), "(header cut)");
	}
	if (*extra)
		PUT(" %s", extra);
	if (d->ip4_optlen)
		PUT(" opts %d", d->ip4_optlen);
	if (*d->exts)
		PUT(" ext %s", d->exts);
	if (d->later_fragment)
		PUT(" frag %u", d->frag_offset);
	else if (d->fragment)
		PUT(" frag first");
	PUT(" %s", len);
#undef PUT
}

void replay_desc_json(const struct replay_desc *d, struct json *j)
{
	json_key(j, "family");
	if (d->family)
		json_uint(j, d->family);
	else
		json_null(j);
	if (d->family) {
		json_key(j, "src");
		json_string(j, d->src);
		json_key(j, "dst");
		json_string(j, d->dst);
		json_key(j, "protocol");
		if (d->proto >= 0)
			json_uint(j, d->proto);
		else
			json_null(j);
	}
	if (d->ports) {
		json_key(j, "sport");
		json_uint(j, d->sport);
		json_key(j, "dport");
		json_uint(j, d->dport);
	}
	if (d->l4 && d->proto == IPPROTO_TCP) {
		json_key(j, "tcp_flags");
		json_uint(j, d->tcp_flags);
	}
	if (d->l4 && (d->proto == IPPROTO_ICMP || d->proto == IPPROTO_ICMPV6)) {
		json_key(j, "icmp_type");
		json_uint(j, d->icmp_type);
		json_key(j, "icmp_code");
		json_uint(j, d->icmp_code);
	}
	if (d->fragment) {
		json_key(j, "frag_offset");
		json_uint(j, d->frag_offset);
	}
	json_key(j, "length");
	json_uint(j, d->len);
	if (d->wirelen > d->len) {
		json_key(j, "wire_length");
		json_uint(j, d->wirelen);
	}
}
