/* lwtp_like.bpf.c: a hand-written stand-in for lwtc output, for the tools'
 * own tests (suite 'tools'). It is what lwtc should make of
 *
 *   policy guard {
 *       count total;
 *       count per_dst by (ip.dst, udp.dport);
 *       hist  sizes log2(skb.len);
 *       set   skb.mark = 0x2a if ip.proto == tcp;
 *       drop  if udp.dport == 53;
 *   }
 *
 * plus a second program, 'echo', that copies metadata into the outputs.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lwtp_contract.h"     /* the map types, lwtc's and lwtp's */

struct per_dst_key {
	lwtp_ip_t ip_dst;
	lwtp_port_t udp_dport;
	__u8 lwtp_pad0[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct lwtp_counter);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, struct per_dst_key);
	__type(value, struct lwtp_counter);
	__uint(max_entries, 4096);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} per_dst SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 33);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sizes SEC(".maps");

static __always_inline void count(void *map, void *key, __u32 len)
{
	struct lwtp_counter *c = bpf_map_lookup_elem(map, key), init = { 1, len };

	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, len);
	} else {
		bpf_map_update_elem(map, key, &init, BPF_NOEXIST);
	}
}

SEC("guard")
int guard_prog(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct per_dst_key k = {};
	__u32 zero = 0, bucket, v;
	int proto = -1, l4 = -1;
	__u64 *h;

	count(&total, &zero, skb->len);

	v = skb->len;
	bucket = 0;
	for (int i = 31; i > 0; i--) {
		if (v >> i) {
			bucket = i;
			break;
		}
	}
	h = bpf_map_lookup_elem(&sizes, &bucket);
	if (h)
		__sync_fetch_and_add(h, 1);

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data;

		if ((void *)(ip + 1) > end)
			return BPF_OK;
		proto = ip->protocol;
		k.ip_dst[2] = bpf_htonl(0xffff);
		k.ip_dst[3] = ip->daddr;
		if (!(ip->frag_off & bpf_htons(0x1fff)))
			l4 = ip->ihl * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data;

		if ((void *)(ip6 + 1) > end)
			return BPF_OK;
		proto = ip6->nexthdr;
		__builtin_memcpy(k.ip_dst, &ip6->daddr, 16);
		l4 = 40;
	}
	if (proto == IPPROTO_TCP)
		skb->mark = 0x2a;
	if (proto == IPPROTO_UDP && l4 >= 0 && l4 <= 60) {
		struct udphdr *udp = data + l4;

		if ((void *)(udp + 1) > end)
			return BPF_OK;
		k.udp_dport = bpf_ntohs(udp->dest);
		count(&per_dst, &k, skb->len);
		if (k.udp_dport == 53)
			return BPF_DROP;
	}
	return BPF_OK;
}

SEC("echo")
int echo_prog(struct __sk_buff *skb)
{
	skb->mark = skb->len;
	skb->priority = skb->pkt_type;
	skb->cb[0] = skb->protocol;
	skb->cb[1] = skb->cb[1] + 1;
	return skb->cb[4];
}

char _license[] SEC("license") = "GPL";
