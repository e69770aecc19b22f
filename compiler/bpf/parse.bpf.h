/* ---- packet headers ---------------------------------------------------- */

struct lwtp_iphdr {
	__u8 ver_ihl;           /* version << 4 | header length in 32-bit words */
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;        /* flags and fragment offset */
	__u8 ttl;
	__u8 protocol;
	__sum16 check;
	__be32 saddr;
	__be32 daddr;
};

struct lwtp_ipv6hdr {
	__be32 vtc_flow;        /* version, traffic class, flow label */
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__be32 saddr[4];
	__be32 daddr[4];
};

/* The first bytes of an IPv6 extension header (frag_off: fragment header) */
struct lwtp_ip6_exthdr {
	__u8 nexthdr;
	__u8 hdrlen;
	__be16 frag_off;
};

struct lwtp_tcphdr {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u8 doff_res;          /* data offset in 32-bit words << 4 */
	__u8 flags;
	__be16 window;
	__sum16 check;
	__be16 urg_ptr;
};

struct lwtp_udphdr {
	__be16 source;
	__be16 dest;
	__be16 len;
	__sum16 check;
};

/* TCP or UDP */
struct lwtp_l4ports {
	__be16 source;
	__be16 dest;
};

/* ICMP or ICMPv6 */
struct lwtp_icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
};

/* The headers a policy reads: NULL when the packet does not have them
 * whole (absent). Every read is behind lwtp_has() of its own pointer. */
struct lwtp_pkt {
	__u8 family;            /* 4, 6, or 0: no IP header */
	struct lwtp_iphdr *ip4;
	struct lwtp_ipv6hdr *ip6;
	struct lwtp_tcphdr *tcp;
	struct lwtp_udphdr *udp;
	struct lwtp_l4ports *ports;
	struct lwtp_icmphdr *icmp;
	struct lwtp_icmphdr *icmp6;
	__u8 proto;             /* L4 protocol, after IPv6 extension headers */
	__u8 proto_ok;          /* proto is known */
	__u8 frag6;             /* an IPv6 fragment header was seen */
};

/* What lwtp_parse() looks for */
enum lwtp_want {
	lwtp_want_ip4 = 1,
	lwtp_want_ip6 = 2,
	lwtp_want_proto = 4,     /* the L4 protocol, after IPv6 extension headers */
	lwtp_want_tcp = 8,
	lwtp_want_udp = 16,
	lwtp_want_ports = 32,    /* TCP or UDP ports */
	lwtp_want_icmp = 64,
	lwtp_want_icmp6 = 128,
};

/* Whether a header of lwtp_pkt is there. The verifier does not know that
 * a packet pointer is never NULL: it follows "ip4 == NULL" with a valid
 * ip4 too, and on that path clang would use 0 for ip4 and for what it
 * inferred from it (ICMP means IPv4, family 4 means ip4). Testing a copy
 * the empty asm hides from clang leaves the pointer itself alone. */
static __always_inline int lwtp_has(const void *p)
{
	unsigned long v = (unsigned long)p;

	asm volatile("" : "+r"(v));
	return v != 0;
}

/* skb->data and skb->data_end as pointers. The empty asm keeps clang from
 * redoing the 32- to 64-bit conversion of the context field on the
 * pointer later, which the verifier refuses ("pointer arithmetic with <<=
 * operator prohibited"). */
static __always_inline void *lwtp_data(const struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;

	asm volatile("" : "+r"(data));
	return data;
}

static __always_inline void *lwtp_data_end(const struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;

	asm volatile("" : "+r"(data_end));
	return data_end;
}

/* Whether the packet's first end bytes are in its linear data. When they
 * are not but the packet has them (a forwarded packet may be non-linear),
 * pull them in, and some more so that the next headers usually come along.
 * A pull moves the data: pointers into it must be computed again. */
static __always_inline int lwtp_have(struct __sk_buff *skb, __u32 end)
{
	__u32 len;

	if (lwtp_data(skb) + end <= lwtp_data_end(skb))
		return 1;
	len = skb->len;
	if (end > len)
		return 0;
	bpf_skb_pull_data(skb, end + 64 < len ? end + 64 : len);
	return lwtp_data(skb) + end <= lwtp_data_end(skb);
}

/* Branch-free tests for the IPv6 extension header walk: with branches, the
 * verifier would follow one path per header type at each of its 8 steps.
 * The empty asm keeps clang from turning them back into branches. */

/* 1 when a == b, else 0 (a, b below 2^31) */
static __always_inline __u32 lwtp_eq(__u32 a, __u32 b)
{
	__u32 d = a ^ b;

	asm volatile("" : "+r"(d));
	return (__u32)(d - 1) >> 31;
}

/* 1 when v (below 2^16) is not 0, else 0 */
static __always_inline __u32 lwtp_nonzero16(__u32 v)
{
	asm volatile("" : "+r"(v));
	return (v + 0xffff) >> 16;
}

/* Whether nexthdr is an extension header lwtp_parse() skips: hop-by-hop
 * (0), routing (43), fragment (44), AH (51), destination options (60). */
static __always_inline __u32 lwtp_ip6_exthdr(__u8 nexthdr)
{
	__u64 set = 1ULL << 0 | 1ULL << 43 | 1ULL << 44 | 1ULL << 51 | 1ULL << 60;
	__u32 n = nexthdr;

	asm volatile("" : "+r"(n));
	return n < 64 ? (set >> n) & 1 : 0;
}


/* Find the headers want asks for. A header is present when the packet has
 * it and its whole fixed part: IPv4 (skb->protocol ETH_P_IP, version 4,
 * ihl * 4 >= 20 bytes), IPv6 (ETH_P_IPV6, version 6, 40 bytes), TCP (20
 * bytes, doff >= 5), UDP (8), ICMP over IPv4 and ICMPv6 (4). L4 headers are
 * absent in later fragments, and after more than 8 IPv6 extension headers
 * or a truncated chain of them. */
static __always_inline void lwtp_parse(struct __sk_buff *skb, struct lwtp_pkt *p,
				       const unsigned want)
{
	void *data, *data_end;
	__u32 l4off = 0;        /* where the L4 header starts */
	__u32 l4len = 0;        /* its bytes the policy reads; 0: none */
	__u8 family = 0;

	__builtin_memset(p, 0, sizeof(*p));

	/* 1. Find the headers, pulling them into the linear data if need be. */
	if ((want & lwtp_want_ip4) && skb->protocol == bpf_htons(0x0800 /* ETH_P_IP */)) {
		struct lwtp_iphdr *ip;
		__u32 hlen;
		__u8 proto;
		int later;

		if (!lwtp_have(skb, sizeof(*ip)))
			return;
		data = lwtp_data(skb);
		data_end = lwtp_data_end(skb);
		ip = data;
		if ((void *)(ip + 1) > data_end)
			return;
		hlen = (ip->ver_ihl & 0x0f) * 4;
		if ((ip->ver_ihl >> 4) != 4 || hlen < sizeof(*ip))
			return;
		proto = ip->protocol;
		later = (ip->frag_off & bpf_htons(0x1fff)) != 0;
		if (!lwtp_have(skb, hlen))
			return;
		family = 4;
		p->proto = proto;
		p->proto_ok = 1;
		if (!later)
			l4off = hlen;
	} else if ((want & lwtp_want_ip6) &&
		   skb->protocol == bpf_htons(0x86dd /* ETH_P_IPV6 */)) {
		struct lwtp_ipv6hdr *ip6;
		__u32 off = sizeof(*ip6);
		__u8 nexthdr;

		if (!lwtp_have(skb, sizeof(*ip6)))
			return;
		data = lwtp_data(skb);
		data_end = lwtp_data_end(skb);
		ip6 = data;
		if ((void *)(ip6 + 1) > data_end)
			return;
		if ((ip6->vtc_flow & bpf_htonl(0xf0000000)) != bpf_htonl(0x60000000))
			return;
		family = 6;
		nexthdr = ip6->nexthdr;
		if (want & lwtp_want_proto) {
			for (int i = 0; i < 8 && lwtp_ip6_exthdr(nexthdr); i++) {
				struct lwtp_ip6_exthdr *x;
				__u32 frag, ah, hdrlen;

				if (!lwtp_have(skb, off + sizeof(*x)))
					goto bind;     /* truncated: L4 unknown */
				data = lwtp_data(skb);
				data_end = lwtp_data_end(skb);
				x = data + off;
				if ((void *)(x + 1) > data_end)
					goto bind;
				frag = lwtp_eq(nexthdr, 44);
				ah = lwtp_eq(nexthdr, 51);
				p->frag6 |= frag;
				if (frag & lwtp_nonzero16(x->frag_off & bpf_htons(0xfff8))) {
					/* a later fragment: no L4 header */
					p->proto = x->nexthdr;
					p->proto_ok = 1;
					goto bind;
				}
				/* the header's length in bytes: (hdrlen + 1) * 8,
				 * AH (hdrlen + 2) * 4, a fragment header 8 (its
				 * hdrlen byte is reserved): 8 + 4 hdrlen, plus 4
				 * hdrlen again unless AH. Chosen with a mask, not a
				 * multiply: every verifier keeps bounds through AND
				 * and ADD of unknowns (6.1 loses them through MUL and
				 * OR), so off stays below 40 + 8 * 2048 where it is
				 * formed. */
				hdrlen = (x->hdrlen & (frag - 1)) << 2;
				off += 8 + hdrlen + (hdrlen & (ah - 1));
				nexthdr = x->nexthdr;
			}
			if (lwtp_ip6_exthdr(nexthdr) || off > skb->len)
				goto bind;             /* too many, or truncated */
			p->proto = nexthdr;
			p->proto_ok = 1;
			l4off = off;
		}
	} else {
		return;
	}

	if (l4off) {
		if (p->proto == 6 && (want & (lwtp_want_tcp | lwtp_want_ports)))
			l4len = sizeof(struct lwtp_tcphdr);
		else if (p->proto == 17 && (want & (lwtp_want_udp | lwtp_want_ports)))
			l4len = sizeof(struct lwtp_udphdr);
		else if (p->proto == 1 && family == 4 && (want & lwtp_want_icmp))
			l4len = sizeof(struct lwtp_icmphdr);
		else if (p->proto == 58 && family == 6 && (want & lwtp_want_icmp6))
			l4len = sizeof(struct lwtp_icmphdr);
		if (l4len && !lwtp_have(skb, l4off + l4len))
			l4len = 0;
	}

bind:
	/* 2. Point at them, now that the data stays where it is. */
	data = lwtp_data(skb);
	data_end = lwtp_data_end(skb);
	if (family == 4) {
		struct lwtp_iphdr *ip = data;

		if ((void *)(ip + 1) > data_end)
			goto none;
		p->ip4 = ip;
		p->family = 4;
	} else {
		struct lwtp_ipv6hdr *ip6 = data;

		if ((void *)(ip6 + 1) > data_end)
			goto none;
		p->ip6 = ip6;
		p->family = 6;
	}
	if (!l4len)
		return;
	if (p->proto == 6) {
		struct lwtp_tcphdr *tcp = data + l4off;

		if ((void *)(tcp + 1) <= data_end && (tcp->doff_res >> 4) >= 5) {
			if (want & lwtp_want_tcp)
				p->tcp = tcp;
			if (want & lwtp_want_ports)
				p->ports = (struct lwtp_l4ports *)tcp;
		}
	} else if (p->proto == 17) {
		struct lwtp_udphdr *udp = data + l4off;

		if ((void *)(udp + 1) <= data_end) {
			if (want & lwtp_want_udp)
				p->udp = udp;
			if (want & lwtp_want_ports)
				p->ports = (struct lwtp_l4ports *)udp;
		}
	} else {
		struct lwtp_icmphdr *icmp = data + l4off;

		if ((void *)(icmp + 1) <= data_end) {
			if (family == 4)
				p->icmp = icmp;
			else
				p->icmp6 = icmp;
		}
	}
	return;
none:
	__builtin_memset(p, 0, sizeof(*p));
}
