/* dst_bytes_ref.bpf.c: policies/dst_bytes.lwtp (section dst_counters) by
 * hand: packets and bytes in total and per IP destination. See ref.h. */
#include "ref.h"

struct dst_bytes_key {
	lwtp_ip_t ip_dst;
};

REF_MAP(dst_total, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct lwtp_counter, 1);
REF_MAP(dst_bytes, BPF_MAP_TYPE_PERCPU_HASH, struct dst_bytes_key, struct lwtp_counter, 16384);

SEC("dst_counters")
int do_dst_counters(struct __sk_buff *skb)
{
	struct dst_bytes_key key;
	__u32 len = skb->len;
	struct ref_ip ip;

	ref_ip(skb, &ip);
	ref_count(&dst_total, len);
	if (!ip.family)
		return BPF_OK;
	__builtin_memcpy(key.ip_dst, ip.daddr, sizeof(key.ip_dst));
	ref_count_key(&dst_bytes, &key, len);
	return BPF_OK;
}

char _license[] SEC("license") = "GPL";
