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
	/* Fields of either family's header, read as lwtp_parse() finds it,
	 * 0 without one: ip.ttl, ip.tos (and ip.dscp, ip.ecn) and
	 * ip.len are these, not "ip4 ? ip4->ttl : ip6 ? ip6->hop_limit : 0"
	 * at each read, which tests both pointers again (two compares on
	 * an IPv6 packet) where the header's family is known already. A
	 * policy that does not read one leaves its load to clang to drop. */
	__u8 ttl;               /* IPv4 TTL, IPv6 hop limit */
	__u8 tos;               /* IPv4 TOS, IPv6 traffic class */
	__u32 len;              /* IPv4 total length, IPv6 40 + payload length */
	/* and of the IPv4 header's, 0 without one (an IPv6 packet too):
	 * lwtp_parse() has read them already to find the L4 header */
	__u8 ihl;               /* ip4.ihl */
	__be16 frag_off;        /* its flags and fragment offset, as sent */
	/* tcp.flags, 0 without a TCP header: read where the header is bound,
	 * a test of them is of a register with no test of tcp (most filters
	 * on TCP test its flags, several times) */
	__u8 tcp_flags;
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

/* Pull the packet's first end bytes into its linear data (a forwarded
 * packet may be non-linear), and some more so that the next headers
 * usually come along: 0 when the packet is shorter than end. A pull moves
 * the data: pointers into it must be computed again. */
static __always_inline int lwtp_pull(struct __sk_buff *skb, __u32 end)
{
	__u32 len = skb->len;

	if (end > len)
		return 0;
	bpf_skb_pull_data(skb, end + 64 < len ? end + 64 : len);
	return 1;
}

/* end, hidden from clang: after lwtp_have(..., lwtp_opaque(off + n)),
 * clang cannot drop the caller's own test of data + off + n as implied,
 * a test the verifier needs on the pointer data + off it reads through
 * (it learns bounds of that pointer only, not of data + (off + n)). */
static __always_inline __u32 lwtp_opaque(__u32 end)
{
	asm volatile("" : "+r"(end));
	return end;
}

/* Whether the packet's first end bytes are in its linear data, between
 * *data and *data_end; when they are not but the packet has them, pull
 * them in, point *data and *data_end at the moved data and set *moved. The
 * caller's own bounds are tested first: on a linear packet (the usual
 * case) that one compare is all, where reading skb->data and data_end anew
 * (the empty asm of lwtp_data() forbids clang to reuse them) would make
 * the caller test its header's bounds a second time. */
static __always_inline int lwtp_have(struct __sk_buff *skb, void **data, void **data_end,
				     __u32 end, __u64 *moved)
{
	if (*data + end <= *data_end)
		return 1;
	if (!lwtp_pull(skb, end))
		return 0;
	/* 1, hidden from clang: else it may test moved by comparing again
	 * the pointers of before the pull, which the verifier has made
	 * unknown by then (or unreadable, to a loader without CAP_PERFMON) */
	*moved = lwtp_opaque(1);
	*data = lwtp_data(skb);
	*data_end = lwtp_data_end(skb);
	return *data + end <= *data_end;
}

/* Branch-free tests for the IPv6 extension header walk: with branches, the
 * verifier would follow one path per header type at each of its 8 steps.
 * The empty asm keeps clang from turning them back into branches. */

/* 1 when a == b, else 0. In 64 bits: d - 1 has its top bit set only when
 * d is 0, and no 32-bit result needs masking (in 32 bits, a mask of bit 31
 * and two more instructions a test). */
static __always_inline __u32 lwtp_eq(__u32 a, __u32 b)
{
	__u64 d = a ^ b;

	asm volatile("" : "+r"(d));
	return (d - 1) >> 63;
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
	__u64 n = nexthdr;      /* 64 bits: no zero-extension after the asm */

	asm volatile("" : "+r"(n));
	return n < 64 ? (set >> n) & 1 : 0;
}

/* Point p at the headers found: the IP header of the family at the start
 * of the data, and the L4 header at l4off (0: none) when the policy reads
 * its protocol's. Returns 0, or when the L4 header is not all in the
 * linear data, where it ends: the caller pulls it in and binds again.
 * family is a constant at every call, so that each family's code is
 * straight, with no test of it; the protocol is tested once, for the
 * header's size and its pointer both.
 *
 * When a pull moved the data (moved), data and data_end are read anew
 * (lwtp_data()), and the IP header is tested against them as they are
 * now, whatever clang knows of earlier tests. When none did, data is
 * still the packet's, the very value lwtp_parse() tested the IP header's
 * fixed part against (lwtp_have() of its size): the verifier knows that
 * much of it is readable, and reading skb->data anew and testing again
 * would cost four instructions on every packet. */
static __always_inline __u32 lwtp_bind(struct __sk_buff *skb, struct lwtp_pkt *p,
				       const unsigned want, const __u8 family,
				       void *data, void *data_end, const __u64 moved, __u64 l4off)
{
	if (moved) {
		data = lwtp_data(skb);
		data_end = lwtp_data_end(skb);
		if (data + (family == 4 ? sizeof(struct lwtp_iphdr)
					: sizeof(struct lwtp_ipv6hdr)) > data_end)
			goto none;
	}
	if (family == 4) {
		p->ip4 = data;
		p->family = 4;
	} else {
		p->ip6 = data;
		p->family = 6;
	}
	if (!l4off)
		goto no_l4;
	if (p->proto == 6 && (want & (lwtp_want_tcp | lwtp_want_ports))) {
		struct lwtp_tcphdr *tcp = data + l4off;

		if ((void *)(tcp + 1) > data_end)
			return l4off + sizeof(*tcp);
		if ((tcp->doff_res >> 4) < 5)
			goto no_l4;
		if (want & lwtp_want_tcp) {
			__u8 flags = tcp->flags;

			/* read here, right after the test of tcp + 1: else
			 * clang may sink the load to where the paths join and
			 * form tcp anew from data + l4off there, a pointer the
			 * verifier knows no bounds of */
			asm volatile("" : "+r"(flags));
			p->tcp = tcp;
			p->tcp_flags = flags;
		}
		if (want & lwtp_want_ports)
			p->ports = (struct lwtp_l4ports *)tcp;
	} else if (p->proto == 17 && (want & (lwtp_want_udp | lwtp_want_ports))) {
		struct lwtp_udphdr *udp = data + l4off;

		if ((void *)(udp + 1) > data_end)
			return l4off + sizeof(*udp);
		if (want & lwtp_want_udp)
			p->udp = udp;
		if (want & lwtp_want_ports)
			p->ports = (struct lwtp_l4ports *)udp;
	} else if ((family == 4 && p->proto == 1 && (want & lwtp_want_icmp)) ||
		   (family == 6 && p->proto == 58 && (want & lwtp_want_icmp6))) {
		struct lwtp_icmphdr *icmp = data + l4off;

		if ((void *)(icmp + 1) > data_end)
			return l4off + sizeof(*icmp);
		if (family == 4)
			p->icmp = icmp;
		else
			p->icmp6 = icmp;
	} else {
		goto no_l4;
	}
	return 0;
no_l4:
	/* the empty asm: see the end of lwtp_parse() */
	asm volatile("");
	return 0;
none:
	__builtin_memset(p, 0, sizeof(*p));
	asm volatile("");
	return 0;
}

/* lwtp_bind(), and when the L4 header is not all in the linear data but
 * the packet has it, pull it in and bind again (the pull moved the IP
 * header too). A linear packet's L4 header is tested once, here, not
 * also while the headers are found. */
static __always_inline void lwtp_bind_all(struct __sk_buff *skb, struct lwtp_pkt *p,
					  const unsigned want, const __u8 family,
					  void *data, void *data_end, __u64 moved, __u64 l4off)
{
	__u32 end = lwtp_bind(skb, p, want, family, data, data_end, moved, l4off);

	if (end && lwtp_pull(skb, end))
		lwtp_bind(skb, p, want, family, data, data_end, 1, l4off);
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
	void *data = lwtp_data(skb);
	void *data_end = lwtp_data_end(skb);
	__u64 l4off = 0;        /* where the L4 header starts (64 bits: added to a pointer) */
	__u64 moved = 0;        /* a pull moved the data (64 bits: tested as is) */

	__builtin_memset(p, 0, sizeof(*p));

	/* 1. Find the headers, pulling them into the linear data if need be;
	 * 2. point at them (lwtp_bind_all()), now that the data stays where
	 * it is. */
	if ((want & lwtp_want_ip4) && skb->protocol == bpf_htons(0x0800 /* ETH_P_IP */)) {
		struct lwtp_iphdr *ip;
		__u32 hlen;
		__u8 proto, ttl, tos;
		__be16 len, frag_off;
		int later;

		/* lwtp_have() tested data + sizeof(*ip) <= data_end on the
		 * data it leaves here, on each of its paths: the verifier
		 * knows ip is readable, and a second test would cost a
		 * compare on every packet (clang keeps it after the merge). */
		if (!lwtp_have(skb, &data, &data_end, sizeof(*ip), &moved))
			goto none;
		ip = data;
		hlen = (ip->ver_ihl & 0x0f) * 4;
		if ((ip->ver_ihl >> 4) != 4 || hlen < sizeof(*ip))
			goto none;
		proto = ip->protocol;
		later = (ip->frag_off & bpf_htons(0x1fff)) != 0;
		ttl = ip->ttl;
		tos = ip->tos;
		len = ip->tot_len;
		frag_off = ip->frag_off;
		/* nothing is read at data + hlen: clang may use this test */
		if (!lwtp_have(skb, &data, &data_end, hlen, &moved))
			goto none;
		/* the fields as read above: a pull moves the bytes, and
		 * changes none of them (see struct lwtp_pkt) */
		p->ttl = ttl;
		p->tos = tos;
		p->len = bpf_ntohs(len);
		p->ihl = hlen / 4;
		p->frag_off = frag_off;
		p->proto = proto;
		p->proto_ok = 1;
		if (!later)
			l4off = hlen;
		lwtp_bind_all(skb, p, want, 4, data, data_end, moved, l4off);
	} else if ((want & lwtp_want_ip6) &&
		   skb->protocol == bpf_htons(0x86dd /* ETH_P_IPV6 */)) {
		struct lwtp_ipv6hdr *ip6;
		__u64 off = sizeof(*ip6);      /* 64 bits: added to a pointer */
		__u8 nexthdr, ttl, tos;
		__be16 len;

		/* lwtp_have() tested data + sizeof(*ip6) <= data_end on the
		 * data it leaves here, on each of its paths: the verifier
		 * knows ip6 is readable, and a second test would cost a
		 * compare on every packet (clang keeps it after the merge). */
		if (!lwtp_have(skb, &data, &data_end, sizeof(*ip6), &moved))
			goto none;
		ip6 = data;
		if ((ip6->vtc_flow & bpf_htonl(0xf0000000)) != bpf_htonl(0x60000000))
			goto none;
		nexthdr = ip6->nexthdr;
		ttl = ip6->hop_limit;
		tos = bpf_ntohl(ip6->vtc_flow) >> 20;
		len = ip6->payload_len;
		if (want & lwtp_want_proto) {
			__u64 pulled = 0;       /* the walk came back after a pull */

			/* The walk makes no call: a header beyond the linear
			 * data leaves it for the pull below, which starts it
			 * again from the IPv6 header, once. With the call of
			 * bpf_skb_pull_data() in the loop, its values would
			 * have to live through the call, in r6-r9 and the
			 * stack, and every step on every packet would load and
			 * store them there. */
walk:
			/* i in 64 bits: counted with no zero-extension */
			for (__u64 i = 0; i < 8 && lwtp_ip6_exthdr(nexthdr); i++) {
				struct lwtp_ip6_exthdr *x = data + off;
				__u32 frag, ah, hdrlen;

				if ((void *)(x + 1) > data_end) {
					if (pulled)
						goto bind;     /* truncated: L4 unknown */
					goto pull;
				}
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
			goto bind;
pull:
			/* the header at off is not all in the linear data: pull
			 * it in (and what follows, usually), and walk again on
			 * the moved data, which sets p->frag6 again (to 0 here,
			 * for the path to none below: lwtp_pkt all 0 there) */
			if (!lwtp_have(skb, &data, &data_end, lwtp_opaque(off + 8), &moved))
				goto bind;             /* truncated: L4 unknown */
			p->frag6 = 0;
			ip6 = data;
			if ((void *)(ip6 + 1) > data_end)
				goto none;
			pulled = 1;
			off = sizeof(*ip6);
			nexthdr = ip6->nexthdr;
			goto walk;
		}
bind:
		p->ttl = ttl;
		p->tos = tos;
		p->len = 40 + bpf_ntohs(len);
		lwtp_bind_all(skb, p, want, 6, data, data_end, moved, l4off);
	} else {
		goto none;
	}
	return;
none:
	/* No whole IP header: lwtp_pkt stays all 0. Every such packet comes
	 * to this one block, which the empty asm keeps clang from merging
	 * away: else each test above that fails would set every field of
	 * lwtp_pkt the policy reads (kept in registers) to 0 before its
	 * branch, on every packet, for the rare one that takes it. */
	asm volatile("");
}
