/* dns_guard_ref.bpf.c: policies/dns_guard.lwtp by hand: DNS (TCP or UDP
 * port 53 or 853) to anything but the resolvers is dropped and counted per
 * destination and port. See ref.h. */
#include "ref.h"

struct dns_drops_key {
	lwtp_ip_t ip_dst;
	lwtp_port_t l4_dport;
	__u8 _pad[2];
};

REF_MAP(dns_allowed, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct lwtp_counter, 1);
REF_MAP(dns_drops, BPF_MAP_TYPE_PERCPU_HASH, struct dns_drops_key, struct lwtp_counter, 1024);

/* ::ffff:198.51.100.53 and 2001:db8::53 */
static __always_inline int is_resolver(const __be32 *a)
{
	if (a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0xffff))
		return a[3] == bpf_htonl(0xc6336435);
	return a[0] == bpf_htonl(0x20010db8) && a[1] == 0 && a[2] == 0 && a[3] == bpf_htonl(0x53);
}

/* The destination port of TCP or UDP, or 0 */
static __always_inline __u16 l4_dport(const struct __sk_buff *skb, const struct ref_l4 *l4)
{
	struct tcphdr tcp;
	struct udphdr udp;

	if (ref_tcp(skb, l4, &tcp))
		return bpf_ntohs(tcp.dest);
	if (ref_udp(skb, l4, &udp))
		return bpf_ntohs(udp.dest);
	return 0;
}

SEC("dns_guard")
int do_dns_guard(struct __sk_buff *skb)
{
	struct dns_drops_key key = {};
	struct ref_ip ip;
	struct ref_l4 l4;
	__u16 dport;

	ref_ip(skb, &ip);
	if (!ref_l4(skb, &ip, &l4))
		return BPF_OK;
	dport = l4_dport(skb, &l4);
	if (dport != 53 && dport != 853)
		return BPF_OK;
	if (is_resolver(ip.daddr)) {
		ref_count(&dns_allowed, skb->len);
		return BPF_OK;
	}
	__builtin_memcpy(key.ip_dst, ip.daddr, sizeof(key.ip_dst));
	key.l4_dport = dport;
	ref_count_key(&dns_drops, &key, skb->len);
	return BPF_DROP;
}

char _license[] SEC("license") = "GPL";
