/* pkt.c: the packet text form (see pkt.h) and frame building. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

struct name_num {
	const char *name;
	unsigned num;
};

static const struct name_num tcp_flag_names[] = {
	{ "fin", 0x01 }, { "syn", 0x02 }, { "rst", 0x04 }, { "psh", 0x08 },
	{ "ack", 0x10 }, { "urg", 0x20 }, { "ece", 0x40 }, { "cwr", 0x80 },
	{ NULL, 0 },
};

static const struct name_num icmp_type_names[] = {
	{ "echo_reply", 0 }, { "dest_unreachable", 3 }, { "source_quench", 4 },
	{ "redirect", 5 }, { "echo_request", 8 }, { "router_advertisement", 9 },
	{ "router_solicitation", 10 }, { "time_exceeded", 11 },
	{ "parameter_problem", 12 }, { "timestamp_request", 13 },
	{ "timestamp_reply", 14 },
	{ NULL, 0 },
};

static const struct name_num icmp6_type_names[] = {
	{ "dest_unreachable", 1 }, { "packet_too_big", 2 }, { "time_exceeded", 3 },
	{ "parameter_problem", 4 }, { "echo_request", 128 }, { "echo_reply", 129 },
	{ "mld_query", 130 }, { "mld_report", 131 }, { "mld_done", 132 },
	{ "router_solicitation", 133 }, { "router_advertisement", 134 },
	{ "neighbor_solicitation", 135 }, { "neighbor_advertisement", 136 },
	{ "redirect", 137 },
	{ NULL, 0 },
};

static const struct name_num ext_names[] = {
	{ "hopopts", 0 }, { "routing", 43 }, { "fragment", 44 },
	{ "dstopts", 60 }, { "ah", 51 },
	{ NULL, 0 },
};

static const struct name_num pkt_type_names[] = {
	{ "host", PACKET_HOST }, { "multicast", PACKET_MULTICAST }, { "otherhost", PACKET_OTHERHOST },
	{ NULL, 0 },
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int lookup(const struct name_num *t, const char *name, unsigned *num)
{
	for (; t->name; t++) {
		if (strcmp(t->name, name) == 0) {
			*num = t->num;
			return 0;
		}
	}
	return -ENOENT;
}

/* Decimal or 0x hexadecimal, at most max. */
static int parse_num(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A comma-separated list of names from t (or one number), ORed or listed. */
static int parse_flags(const char *s, uint8_t *flags)
{
	char buf[128], *tok, *save;
	unsigned v, acc = 0;
	uint64_t n;

	if (parse_num(s, 0xff, &n) == 0) {
		*flags = n;
		return 0;
	}
	if (strcmp(s, "none") == 0) {
		*flags = 0;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (lookup(tcp_flag_names, tok, &v))
			return -EINVAL;
		acc |= v;
	}
	*flags = acc;
	return 0;
}

void pkt_spec_init(struct pkt_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->proto = IPPROTO_UDP;
	spec->sport = 40000;
	spec->dport = 9;
	spec->ttl = 64;
	spec->ip_id = 1;
	spec->seq = 1;
	spec->window = 512;
	spec->tcp_doff = 5;
	spec->payload = 0;
	spec->len = -1;
	spec->cut = -1;
	spec->pkt_type = PACKET_HOST;
}

int pkt_parse(const char *text, struct pkt_spec *spec, char *err, size_t errlen)
{
	char buf[1024], *words[128], *save, *w;
	int nw = 0, i;
	bool src_set = false, dst_set = false, dscp_set = false, ecn_set = false;
	unsigned dscp = 0, ecn = 0;
	uint64_t n;

	pkt_spec_init(spec);
	if (strlen(text) >= sizeof(buf))
		return fail(err, errlen, "packet description too long");
	snprintf(buf, sizeof(buf), "%s", text);
	for (w = strtok_r(buf, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (nw == (int)(sizeof(words) / sizeof(words[0])))
			return fail(err, errlen, "too many words");
		words[nw++] = w;
	}
	if (nw == 0)
		return fail(err, errlen, "empty packet: expected ip4, ip6 or ether");

	i = 0;
	if (strcmp(words[0], "ip4") == 0) {
		spec->family = 4;
	} else if (strcmp(words[0], "ip6") == 0) {
		spec->family = 6;
	} else if (strcmp(words[0], "ether") == 0) {
		if (nw < 2 || parse_num(words[1], 0xffff, &n))
			return fail(err, errlen, "'ether' needs an ethertype (e.g. 0x0806)");
		spec->family = 0;
		spec->ethertype = n;
		i = 1;
	} else {
		return fail(err, errlen, "'%s': a packet starts with ip4, ip6 or ether", words[0]);
	}

	for (i++; i < nw; i++) {
		const char *k = words[i];
		const char *v = i + 1 < nw ? words[i + 1] : NULL;
		unsigned u;

#define NEED_VALUE() do { if (!v) return fail(err, errlen, "'%s' needs a value", k); i++; } while (0)
#define NUM(max) do { NEED_VALUE(); if (parse_num(v, (max), &n)) \
		return fail(err, errlen, "'%s %s': expected a number up to %" PRIu64, k, v, (uint64_t)(max)); } while (0)

		if (strcmp(k, "tcp") == 0) {
			spec->proto = IPPROTO_TCP;
		} else if (strcmp(k, "udp") == 0) {
			spec->proto = IPPROTO_UDP;
		} else if (strcmp(k, "icmp") == 0) {
			spec->proto = IPPROTO_ICMP;
		} else if (strcmp(k, "icmp6") == 0) {
			spec->proto = IPPROTO_ICMPV6;
		} else if (strcmp(k, "proto") == 0) {
			NUM(255);
			spec->proto = n;
		} else if (strcmp(k, "src") == 0 || strcmp(k, "dst") == 0) {
			uint8_t *a = k[0] == 's' ? spec->src : spec->dst;
			NEED_VALUE();
			memset(a, 0, 16);
			if (spec->family == 4 ? inet_pton(AF_INET, v, a) != 1
					      : inet_pton(AF_INET6, v, a) != 1)
				return fail(err, errlen, "'%s %s': not an IPv%d address", k, v,
					    spec->family ? spec->family : 4);
			if (k[0] == 's')
				src_set = true;
			else
				dst_set = true;
		} else if (strcmp(k, "sport") == 0) {
			NUM(0xffff);
			spec->sport = n;
		} else if (strcmp(k, "dport") == 0) {
			NUM(0xffff);
			spec->dport = n;
		} else if (strcmp(k, "flags") == 0) {
			NEED_VALUE();
			if (parse_flags(v, &spec->tcp_flags))
				return fail(err, errlen, "'flags %s': expected fin,syn,rst,psh,ack,urg,ece,cwr, none or a number", v);
		} else if (strcmp(k, "seq") == 0) {
			NUM(0xffffffffu);
			spec->seq = n;
		} else if (strcmp(k, "ackseq") == 0) {
			NUM(0xffffffffu);
			spec->ackseq = n;
		} else if (strcmp(k, "window") == 0) {
			NUM(0xffff);
			spec->window = n;
		} else if (strcmp(k, "urgptr") == 0) {
			NUM(0xffff);
			spec->urgptr = n;
		} else if (strcmp(k, "doff") == 0) {
			NUM(15);
			if (n < 5)
				return fail(err, errlen, "'doff %s': at least 5", v);
			spec->tcp_doff = n;
		} else if (strcmp(k, "type") == 0) {
			NEED_VALUE();
			if (parse_num(v, 255, &n) == 0) {
				spec->icmp_type = n;
			} else {
				const struct name_num *t = spec->proto == IPPROTO_ICMPV6 ||
					(spec->family == 6 && spec->proto != IPPROTO_ICMP)
					? icmp6_type_names : icmp_type_names;
				if (lookup(t, v, &u))
					return fail(err, errlen, "'type %s': unknown ICMP%s type (write the protocol before the type)",
						    v, t == icmp6_type_names ? "v6" : "");
				spec->icmp_type = u;
			}
			spec->icmp_type_set = true;
		} else if (strcmp(k, "code") == 0) {
			NUM(255);
			spec->icmp_code = n;
		} else if (strcmp(k, "ttl") == 0 || strcmp(k, "hoplimit") == 0) {
			NUM(255);
			spec->ttl = n;
		} else if (strcmp(k, "tos") == 0 || strcmp(k, "tclass") == 0) {
			NUM(255);
			spec->tos = n;
		} else if (strcmp(k, "dscp") == 0) {
			NUM(63);
			dscp = n;
			dscp_set = true;
		} else if (strcmp(k, "ecn") == 0) {
			NUM(3);
			ecn = n;
			ecn_set = true;
		} else if (strcmp(k, "id") == 0) {
			NUM(0xffff);
			spec->ip_id = n;
		} else if (strcmp(k, "df") == 0) {
			spec->df = true;
		} else if (strcmp(k, "mf") == 0) {
			spec->mf = true;
		} else if (strcmp(k, "flowlabel") == 0) {
			NUM(0xfffff);
			spec->flowlabel = n;
		} else if (strcmp(k, "options") == 0) {
			NUM(40);
			if (n % 4)
				return fail(err, errlen, "'options %s': a multiple of 4 up to 40", v);
			spec->ip4_optlen = n;
		} else if (strcmp(k, "ext") == 0) {
			char lb[256], *tok, *s2;
			NEED_VALUE();
			snprintf(lb, sizeof(lb), "%s", v);
			for (tok = strtok_r(lb, ",", &s2); tok; tok = strtok_r(NULL, ",", &s2)) {
				if (lookup(ext_names, tok, &u))
					return fail(err, errlen, "'ext %s': '%s' is not one of hopopts routing fragment dstopts ah", v, tok);
				if (spec->next == PKT_MAX_EXT)
					return fail(err, errlen, "'ext %s': at most %d headers", v, PKT_MAX_EXT);
				spec->ext[spec->next++] = u;
			}
		} else if (strcmp(k, "frag") == 0) {
			NEED_VALUE();
			if (strcmp(v, "first") == 0) {
				spec->frag = PKT_FRAG_FIRST;
				spec->frag_offset = 0;
			} else if (strcmp(v, "later") == 0) {
				spec->frag = PKT_FRAG_LATER;
				spec->frag_offset = 185;
			} else if (parse_num(v, 8191, &n) == 0) {
				spec->frag = n ? PKT_FRAG_LATER : PKT_FRAG_FIRST;
				spec->frag_offset = n;
			} else {
				return fail(err, errlen, "'frag %s': expected first, later or an offset in 8-byte units", v);
			}
		} else if (strcmp(k, "payload") == 0) {
			NUM(65535);
			spec->payload = n;
			spec->len = -1;
		} else if (strcmp(k, "len") == 0) {
			NUM(65535);
			spec->len = n;
			spec->payload = -1;
		} else if (strcmp(k, "cut") == 0) {
			NUM(65535);
			spec->cut = n;
		} else if (strcmp(k, "mark") == 0) {
			NUM(0xffffffffu);
			spec->mark = n;
		} else if (strcmp(k, "priority") == 0) {
			NUM(0xffffffffu);
			spec->priority = n;
		} else if (strcmp(k, "gso_segs") == 0) {
			NUM(0xffff);
			spec->gso_segs = n;
		} else if (strcmp(k, "gso_size") == 0) {
			NUM(0xffff);
			spec->gso_size = n;
		} else if ((strncmp(k, "cb[", 3) == 0 && k[3] >= '0' && k[3] <= '4' &&
			    k[4] == ']' && !k[5]) ||
			   (strncmp(k, "cb", 2) == 0 && k[2] >= '0' && k[2] <= '4' && !k[3])) {
			int idx = k[2] == '[' ? k[3] - '0' : k[2] - '0';
			NUM(0xffffffffu);
			spec->cb[idx] = n;
		} else if (strcmp(k, "dir") == 0) {
			NEED_VALUE();
			if (strcmp(v, "in") && strcmp(v, "out"))
				return fail(err, errlen, "'dir %s': expected in or out", v);
			spec->dir = strcmp(v, "in") ? PKT_DIR_OUT : PKT_DIR_IN;
		} else if (strcmp(k, "pkttype") == 0) {
			NEED_VALUE();
			if (lookup(pkt_type_names, v, &u))
				return fail(err, errlen, "'pkttype %s': expected host, multicast or otherhost", v);
			spec->pkt_type = u;
		} else {
			return fail(err, errlen, "'%s': unknown word in a packet", k);
		}
#undef NUM
#undef NEED_VALUE
	}

	if (dscp_set || ecn_set) {
		if (!dscp_set)
			dscp = spec->tos >> 2;
		if (!ecn_set)
			ecn = spec->tos & 3;
		spec->tos = dscp << 2 | ecn;
	}
	if (spec->family == 4) {
		if (!src_set)
			inet_pton(AF_INET, "192.0.2.1", spec->src);
		if (!dst_set)
			inet_pton(AF_INET, "198.51.100.7", spec->dst);
		if (spec->next)
			return fail(err, errlen, "'ext' is for ip6 packets");
	} else if (spec->family == 6) {
		if (!src_set)
			inet_pton(AF_INET6, "2001:db8::1", spec->src);
		if (!dst_set)
			inet_pton(AF_INET6, "2001:db8::7", spec->dst);
		if (spec->ip4_optlen)
			return fail(err, errlen, "'options' is for ip4 packets");
	}
	if (!spec->icmp_type_set)
		spec->icmp_type = spec->proto == IPPROTO_ICMPV6 ? 128 : 8;
	return 0;
}

/* ---- building ---------------------------------------------------------- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static int l4_header_len(const struct pkt_spec *s)
{
	if (s->frag == PKT_FRAG_LATER || s->family == 0)
		return 0;
	switch (s->proto) {
	case IPPROTO_TCP:
		return s->tcp_doff * 4;
	case IPPROTO_UDP:
		return 8;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 8;
	default:
		return 0;
	}
}

static int ext_len(uint8_t type)
{
	return type == 51 ? 24 : 8;
}

/* The IPv6 extension headers actually built: ext, plus a fragment header
 * when the packet is a fragment and ext has none. */
static int ip6_exts(const struct pkt_spec *s, uint8_t *ext)
{
	int n = s->next, i;
	bool has_frag = false;

	memcpy(ext, s->ext, n);
	for (i = 0; i < n; i++)
		has_frag |= ext[i] == 44;
	if (s->frag != PKT_FRAG_NONE && !has_frag)
		ext[n++] = 44;
	return n;
}

static long l3_header_len(const struct pkt_spec *s)
{
	uint8_t ext[PKT_MAX_EXT + 1];
	long len;
	int n, i;

	if (s->family == 4)
		return 20 + s->ip4_optlen;
	if (s->family == 6) {
		len = 40;
		n = ip6_exts(s, ext);
		for (i = 0; i < n; i++)
			len += ext_len(ext[i]);
		return len;
	}
	return 0;
}

static long full_l3_len(const struct pkt_spec *s, long *payload)
{
	long hdr = l3_header_len(s) + l4_header_len(s);

	*payload = s->payload >= 0 ? s->payload : s->len - hdr;
	return *payload < 0 ? -1 : hdr + *payload;
}

long pkt_l3_len(const struct pkt_spec *s)
{
	long payload, len = full_l3_len(s, &payload);

	if (len >= 0 && s->cut >= 0 && s->cut < len)
		return s->cut;
	return len;
}

int pkt_build(const struct pkt_spec *s, uint8_t *frame, size_t size,
	      char *err, size_t errlen)
{
	static uint8_t buf[70000];
	uint8_t ext[PKT_MAX_EXT + 1];
	long payload, l3len, off = 0, l4off, i;
	int next, n, l4len;
	uint8_t *p;

	l3len = full_l3_len(s, &payload);
	if (l3len < 0)
		return fail(err, errlen, "'len %ld' is shorter than the headers (%ld bytes)",
			    s->len, l3_header_len(s) + l4_header_len(s));
	if (l3len > 65535 + (s->family == 6 ? 40 : 0))
		return fail(err, errlen, "packet too long (%ld bytes)", l3len);
	if (s->cut > l3len)
		return fail(err, errlen, "'cut %ld' is longer than the packet (%ld bytes)", s->cut, l3len);
	memset(buf, 0, (size_t)l3len);

	if (s->family == 4) {
		uint16_t fo = s->frag_offset;

		p = buf;
		p[0] = 0x40 | (5 + s->ip4_optlen / 4);
		p[1] = s->tos;
		put16(p + 2, l3len);
		put16(p + 4, s->ip_id);
		if (s->df)
			fo |= 0x4000;
		if (s->mf || s->frag == PKT_FRAG_FIRST)
			fo |= 0x2000;
		put16(p + 6, fo);
		p[8] = s->ttl;
		p[9] = s->proto;
		memcpy(p + 12, s->src, 4);
		memcpy(p + 16, s->dst, 4);
		memset(p + 20, 1, s->ip4_optlen);       /* NOPs */
		off = 20 + s->ip4_optlen;
		put16(p + 10, csum_fold(csum_add(0, p, off)));
	} else if (s->family == 6) {
		p = buf;
		put32(p, 6u << 28 | (uint32_t)s->tos << 20 | s->flowlabel);
		put16(p + 4, l3len - 40);
		p[7] = s->ttl;
		memcpy(p + 8, s->src, 16);
		memcpy(p + 24, s->dst, 16);
		n = ip6_exts(s, ext);
		p[6] = n ? ext[0] : s->proto;
		off = 40;
		for (i = 0; i < n; i++) {
			uint8_t *e = buf + off;
			next = i + 1 < n ? ext[i + 1] : s->proto;
			e[0] = next;
			switch (ext[i]) {
			case 44:        /* fragment */
				put16(e + 2, s->frag_offset << 3 |
				      (s->mf || s->frag == PKT_FRAG_FIRST ? 1 : 0));
				put32(e + 4, s->ip_id);
				break;
			case 51:        /* AH: 12-byte ICV */
				e[1] = 24 / 4 - 2;
				put32(e + 4, 0x100);    /* SPI */
				put32(e + 8, 1);        /* sequence */
				break;
			default:        /* options (PadN) or routing (type 0, 0 left) */
				e[1] = 0;
				if (ext[i] != 43) {
					e[2] = 1;
					e[3] = 4;
				}
				break;
			}
			off += ext_len(ext[i]);
		}
	} else {
		off = 0;
	}

	l4off = off;
	l4len = l4_header_len(s);
	for (i = l4off + l4len; i < l3len; i++)
		buf[i] = (uint8_t)(i - l4off - l4len + 0x61);
	p = buf + l4off;
	if (s->family && l4len) {
		uint32_t sum = 0;
		long seglen = l3len - l4off;

		if (s->family == 4) {
			sum = csum_add(sum, s->src, 4);
			sum = csum_add(sum, s->dst, 4);
		} else {
			sum = csum_add(sum, s->src, 16);
			sum = csum_add(sum, s->dst, 16);
		}
		switch (s->proto) {
		case IPPROTO_TCP:
			put16(p, s->sport);
			put16(p + 2, s->dport);
			put32(p + 4, s->seq);
			put32(p + 8, s->ackseq);
			p[12] = s->tcp_doff << 4;
			p[13] = s->tcp_flags;
			put16(p + 14, s->window);
			put16(p + 18, s->urgptr);
			memset(p + 20, 1, l4len - 20);  /* NOP options */
			sum += seglen + IPPROTO_TCP;
			put16(p + 16, csum_fold(csum_add(sum, p, seglen)));
			break;
		case IPPROTO_UDP:
			put16(p, s->sport);
			put16(p + 2, s->dport);
			put16(p + 4, seglen);
			sum += seglen + IPPROTO_UDP;
			put16(p + 6, csum_fold(csum_add(sum, p, seglen)) ?: 0xffff);
			break;
		case IPPROTO_ICMP:
			p[0] = s->icmp_type;
			p[1] = s->icmp_code;
			put16(p + 4, 0x1234);
			put16(p + 6, 1);
			put16(p + 2, csum_fold(csum_add(0, p, seglen)));
			break;
		case IPPROTO_ICMPV6:
			p[0] = s->icmp_type;
			p[1] = s->icmp_code;
			put16(p + 4, 0x1234);
			put16(p + 6, 1);
			sum += seglen + IPPROTO_ICMPV6;
			put16(p + 2, csum_fold(csum_add(sum, p, seglen)));
			break;
		}
	}

	if (s->cut >= 0)
		l3len = s->cut;
	if ((size_t)(ETH_HLEN + l3len) > size)
		return fail(err, errlen, "frame of %ld bytes is larger than %zu", ETH_HLEN + l3len, size);

	switch (s->pkt_type) {
	case PACKET_MULTICAST:
		memcpy(frame, "\x01\x00\x5e\x00\x00\x01", 6);
		break;
	case PACKET_OTHERHOST:
		memcpy(frame, "\x02\x00\x00\x00\x00\x09", 6);
		break;
	default:        /* the loopback device's address, all zero */
		memset(frame, 0, 6);
		break;
	}
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x02", 6);
	put16(frame + 12, s->family == 4 ? ETH_P_IP : s->family == 6 ? ETH_P_IPV6 : s->ethertype);
	memcpy(frame + ETH_HLEN, buf, l3len);
	return ETH_HLEN + l3len;
}
