/* ref.h: what the hand-written references (bench/NAME_ref.bpf.c) share.
 *
 * Each reference does what policies/NAME.lwtp does, written the way one
 * writes an LWT_OUT program by hand: the kernel's header structs, direct
 * packet access behind bounds checks, BTF-defined maps. Its maps are the
 * ones the policy's header documents (same names, types, keys and values;
 * the key typedefs are lwtc's, so that lwtp stat and the bench's check,
 * build/bench/refcheck, read both alike).
 *
 * Where a reference differs from lwtc's code, it does not matter on the
 * benchmark's packets (linear, and far from any map's limit):
 *  - a header outside the linear data counts as absent, where lwtc pulls
 *    it in with bpf_skb_pull_data();
 *  - a new key that does not fit in a full map is dropped silently, where
 *    lwtc counts it in lwtp_full_NAME.
 * Per-CPU values are added to atomically, as in the kernel's own example
 * (bench/len_hist_ref.bpf.c): BPF_PROG_TEST_RUN does not disable bottom
 * halves, and the counts must stay exact there.
 */
#ifndef LWTP_BENCH_REF_H
#define LWTP_BENCH_REF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* ---- map keys and values: lwtc's and lwtp's (include/lwtp_contract.h) ---- */

#include "lwtp_contract.h"

#define REF_MAP(name, map_type, key_type, value_type, size)      \
	struct {                                                 \
		__uint(type, map_type);                          \
		__type(key, key_type);                           \
		__type(value, value_type);                       \
		__uint(max_entries, size);                       \
		__uint(pinning, LIBBPF_PIN_BY_NAME);             \
	} name SEC(".maps")

/* ---- statistics ------------------------------------------------------------ */

static __always_inline void ref_counter_add(struct lwtp_counter *c, __u64 bytes)
{
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, bytes);
}

/* A per-CPU array of one counter */
static __always_inline void ref_count(void *map, __u64 bytes)
{
	__u32 zero = 0;
	struct lwtp_counter *c = bpf_map_lookup_elem(map, &zero);

	if (c)
		ref_counter_add(c, bytes);
}

/* A per-CPU hash of counters */
static __always_inline void ref_count_key(void *map, const void *key, __u64 bytes)
{
	struct lwtp_counter *c = bpf_map_lookup_elem(map, key);
	struct lwtp_counter init = { .packets = 1, .bytes = bytes };

	if (c)
		ref_counter_add(c, bytes);
	else
		bpf_map_update_elem(map, key, &init, BPF_NOEXIST);
}

/* A per-CPU array of packet counts, one per bucket */
static __always_inline void ref_hist(void *map, __u32 bucket)
{
	__u64 *n = bpf_map_lookup_elem(map, &bucket);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* A per-CPU hash of packet counts */
static __always_inline void ref_hist_key(void *map, const void *key)
{
	__u64 *n = bpf_map_lookup_elem(map, key), one = 1;

	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(map, key, &one, BPF_NOEXIST);
}

/* floor(log2(v)), 0 for 0: the kernel example's log2() */
static __always_inline __u32 ref_log2(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

/* ---- headers ----------------------------------------------------------------- *
 *
 * The references read the headers they need into scalars (struct ref_ip,
 * struct ref_l4, copies of L4 headers), each read behind its own bounds
 * check, and test those: a NULL test of a packet pointer leads clang and
 * the verifier apart (clang may drop a check the verifier needs on a path
 * that cannot happen). What a program does not use, clang leaves out. */

#define REF_IP_OFFSET 0x1fff          /* IPv4 fragment offset (<net/ip.h>) */

static __always_inline void *ref_data(const struct __sk_buff *skb)
{
	return (void *)(long)skb->data;
}

static __always_inline void *ref_data_end(const struct __sk_buff *skb)
{
	return (void *)(long)skb->data_end;
}

/* Copy size bytes at off into to; 0 when the linear data ends first */
static __always_inline int ref_read(const struct __sk_buff *skb, __u32 off, void *to, __u32 size)
{
	void *data = ref_data(skb);

	if (off > 0xffff || data + off + size > ref_data_end(skb))
		return 0;
	__builtin_memcpy(to, data + off, size);
	return 1;
}

/* The IP header's fields */
struct ref_ip {
	__u8 family;            /* 4, 6, or 0: not IP */
	__u8 tos;               /* IPv4 TOS, IPv6 traffic class */
	__u8 ttl;               /* TTL, hop limit */
	__u8 nexthdr;           /* IPv4 protocol, IPv6 next header */
	__u8 ihl;               /* IPv4 header length, 32-bit words */
	__be16 frag_off;        /* IPv4 flags and fragment offset */
	lwtp_ip_t daddr;        /* IPv4 as ::ffff:a.b.c.d */
};

static __always_inline void ref_ip4(const struct __sk_buff *skb, struct ref_ip *ip)
{
	struct iphdr *ip4 = ref_data(skb);
	void *end = ref_data_end(skb);

	if ((void *)(ip4 + 1) > end || ip4->version != 4 || ip4->ihl < 5 ||
	    (void *)ip4 + ip4->ihl * 4 > end)
		return;
	ip->family = 4;
	ip->tos = ip4->tos;
	ip->ttl = ip4->ttl;
	ip->nexthdr = ip4->protocol;
	ip->ihl = ip4->ihl;
	ip->frag_off = ip4->frag_off;
	ip->daddr[2] = bpf_htonl(0xffff);
	ip->daddr[3] = ip4->daddr;
}

static __always_inline void ref_ip6(const struct __sk_buff *skb, struct ref_ip *ip)
{
	struct ipv6hdr *ip6 = ref_data(skb);

	if ((void *)(ip6 + 1) > ref_data_end(skb) || ip6->version != 6)
		return;
	ip->family = 6;
	ip->tos = bpf_ntohl(*(__be32 *)ip6) >> 20;
	ip->ttl = ip6->hop_limit;
	ip->nexthdr = ip6->nexthdr;
	__builtin_memcpy(ip->daddr, &ip6->daddr, sizeof(ip->daddr));
}

/* The IPv4 or IPv6 header; ip->family 0 when there is none */
static __always_inline void ref_ip(const struct __sk_buff *skb, struct ref_ip *ip)
{
	__builtin_memset(ip, 0, sizeof(*ip));
	if (skb->protocol == bpf_htons(ETH_P_IP))
		ref_ip4(skb, ip);
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		ref_ip6(skb, ip);
}

/* Where the L4 header is */
struct ref_l4 {
	__u32 off;      /* 0: none (a later fragment) */
	__u8 proto;     /* its protocol */
	__u8 frag6;     /* an IPv6 fragment header was seen */
};

static __always_inline int ref_ip6_is_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_FRAGMENT || nexthdr == IPPROTO_AH ||
	       nexthdr == IPPROTO_DSTOPTS;
}

/* After up to 8 IPv6 extension headers: 0 when the chain is longer or
 * truncated (protocol unknown). */
static __always_inline int ref_l4_ip6(const struct __sk_buff *skb, __u8 next, struct ref_l4 *l4)
{
	__u32 off = sizeof(struct ipv6hdr);

	for (int i = 0; i < 8 && ref_ip6_is_ext(next); i++) {
		struct { __u8 nexthdr, hdrlen; __be16 frag_off; } x;

		if (!ref_read(skb, off, &x, sizeof(x)))
			return 0;
		if (next == IPPROTO_FRAGMENT) {
			l4->frag6 = 1;
			if (x.frag_off & bpf_htons(0xfff8)) {
				l4->proto = x.nexthdr;      /* a later fragment */
				return 1;
			}
			off += 8;
		} else if (next == IPPROTO_AH) {
			off += (x.hdrlen + 2) * 4;
		} else {
			off += (x.hdrlen + 1) * 8;
		}
		next = x.nexthdr;
	}
	if (ref_ip6_is_ext(next) || off > skb->len)
		return 0;
	l4->proto = next;
	l4->off = off;
	return 1;
}

/* The L4 protocol and header: 0 when not IP or the protocol is unknown */
static __always_inline int ref_l4(const struct __sk_buff *skb, const struct ref_ip *ip,
				  struct ref_l4 *l4)
{
	__builtin_memset(l4, 0, sizeof(*l4));
	if (ip->family == 4) {
		l4->proto = ip->nexthdr;
		if (!(ip->frag_off & bpf_htons(REF_IP_OFFSET)))
			l4->off = ip->ihl * 4;
		return 1;
	}
	return ip->family == 6 && ref_l4_ip6(skb, ip->nexthdr, l4);
}

/* Copy size bytes of the L4 header of protocol proto; 0 when absent */
static __always_inline int ref_l4_read(const struct __sk_buff *skb, const struct ref_l4 *l4,
				       __u8 proto, void *to, __u32 size)
{
	return l4->proto == proto && l4->off && ref_read(skb, l4->off, to, size);
}

static __always_inline int ref_tcp(const struct __sk_buff *skb, const struct ref_l4 *l4,
				   struct tcphdr *tcp)
{
	return ref_l4_read(skb, l4, IPPROTO_TCP, tcp, sizeof(*tcp)) && tcp->doff >= 5;
}

static __always_inline int ref_udp(const struct __sk_buff *skb, const struct ref_l4 *l4,
				   struct udphdr *udp)
{
	return ref_l4_read(skb, l4, IPPROTO_UDP, udp, sizeof(*udp));
}

enum { REF_FIN = 0x01, REF_SYN = 0x02, REF_RST = 0x04, REF_PSH = 0x08, REF_ACK = 0x10,
       REF_URG = 0x20 };

/* The TCP flags byte */
static __always_inline __u8 ref_tcp_flags(const struct tcphdr *tcp)
{
	return ((const __u8 *)tcp)[13];
}

#endif
