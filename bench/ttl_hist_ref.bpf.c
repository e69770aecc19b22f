/* ttl_hist_ref.bpf.c: policies/ttl_hist.lwtp by hand: TTL (hop limit)
 * histograms, in steps of 16 per IP version and in steps of 1 below 16.
 * See ref.h. */
#include "ref.h"

/* lwtc's names for linear(0, 256, 16) and linear(0, 16, 1) buckets:
 * 0 below the range, 1.. the steps, then one above */
typedef __u32 lwtp_linear_0_256_16_t;
typedef __u32 lwtp_linear_0_16_1_t;

struct ttl_buckets_key {
	lwtp_u8_t ip_version;
	__u8 _pad[3];
	lwtp_linear_0_256_16_t bucket;
};

REF_MAP(ttl_buckets, BPF_MAP_TYPE_PERCPU_HASH, struct ttl_buckets_key, lwtp_hist_count_t, 64);
REF_MAP(ttl_low, BPF_MAP_TYPE_PERCPU_ARRAY, lwtp_linear_0_16_1_t, lwtp_hist_count_t, 18);

SEC("ttl_hist")
int do_ttl_hist(struct __sk_buff *skb)
{
	struct ttl_buckets_key key = {};
	struct ref_ip ip;

	ref_ip(skb, &ip);
	if (!ip.family)
		return BPF_OK;
	key.ip_version = ip.family;
	key.bucket = ip.ttl / 16 + 1;           /* a TTL is below 256 */
	ref_hist_key(&ttl_buckets, &key);
	if (ip.ttl < 16)
		ref_hist(&ttl_low, ip.ttl + 1);
	return BPF_OK;
}

char _license[] SEC("license") = "GPL";
