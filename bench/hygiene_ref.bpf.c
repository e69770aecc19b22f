/* hygiene_ref.bpf.c: policies/hygiene.lwtp by hand: drop IPv4 options,
 * IPv6 fragments, IPv4 later fragments and impossible TCP flag
 * combinations, counting each kind, and count what passes. See ref.h. */
#include "ref.h"

REF_MAP(hyg_ip4_opts, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct lwtp_counter, 1);
REF_MAP(hyg_ip6_frag, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct lwtp_counter, 1);
REF_MAP(hyg_late_frag, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct lwtp_counter, 1);
REF_MAP(hyg_syn_fin, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct lwtp_counter, 1);
REF_MAP(hyg_syn_rst, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct lwtp_counter, 1);
REF_MAP(hyg_null_scan, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct lwtp_counter, 1);
REF_MAP(hyg_xmas_scan, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct lwtp_counter, 1);
REF_MAP(hyg_passed, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct lwtp_counter, 1);

static __always_inline int drop(void *map, __u32 len)
{
	ref_count(map, len);
	return BPF_DROP;
}

/* The counter of the TCP flags' kind of scan, or NULL */
static __always_inline void *bad_flags(__u8 flags)
{
	if ((flags & (REF_SYN | REF_FIN)) == (REF_SYN | REF_FIN))
		return &hyg_syn_fin;
	if ((flags & (REF_SYN | REF_RST)) == (REF_SYN | REF_RST))
		return &hyg_syn_rst;
	if (flags == 0)
		return &hyg_null_scan;
	if ((flags & (REF_FIN | REF_PSH | REF_URG)) == (REF_FIN | REF_PSH | REF_URG))
		return &hyg_xmas_scan;
	return NULL;
}

SEC("hygiene")
int do_hygiene(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	struct tcphdr tcp;
	struct ref_ip ip;
	struct ref_l4 l4;
	void *bad = NULL;

	ref_ip(skb, &ip);
	if (ip.family == 4 && ip.ihl > 5)
		return drop(&hyg_ip4_opts, len);
	ref_l4(skb, &ip, &l4);
	if (ip.family == 6 && l4.frag6)
		return drop(&hyg_ip6_frag, len);
	if (ip.family == 4 && (ip.frag_off & bpf_htons(REF_IP_OFFSET)))
		return drop(&hyg_late_frag, len);
	if (ref_tcp(skb, &l4, &tcp))
		bad = bad_flags(ref_tcp_flags(&tcp));
	if (bad)
		return drop(bad, len);
	ref_count(&hyg_passed, len);
	return BPF_OK;
}

char _license[] SEC("license") = "GPL";
