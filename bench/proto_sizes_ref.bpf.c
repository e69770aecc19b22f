/* proto_sizes_ref.bpf.c: policies/proto_sizes.lwtp by hand: a log2
 * histogram of skb->len per IP protocol, and packets of 1000 bytes and
 * more per protocol and IP version. See ref.h. */
#include "ref.h"

struct proto_len_hist_key {
	lwtp_proto_t ip_proto;
	__u8 _pad[3];
	lwtp_log2_t bucket;
};

struct proto_big_key {
	lwtp_proto_t ip_proto;
	lwtp_u8_t ip_version;
};

REF_MAP(proto_len_hist, BPF_MAP_TYPE_PERCPU_HASH, struct proto_len_hist_key, lwtp_hist_count_t, 1024);
REF_MAP(proto_big, BPF_MAP_TYPE_PERCPU_HASH, struct proto_big_key, struct lwtp_counter, 512);

SEC("proto_sizes")
int do_proto_sizes(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	struct ref_ip ip;
	struct ref_l4 l4;

	ref_ip(skb, &ip);
	if (!ref_l4(skb, &ip, &l4))
		return BPF_OK;

	struct proto_len_hist_key hkey = { .ip_proto = l4.proto, .bucket = ref_log2(len) };

	ref_hist_key(&proto_len_hist, &hkey);
	if (len >= 1000) {
		struct proto_big_key bkey = { .ip_proto = l4.proto, .ip_version = ip.family };

		ref_count_key(&proto_big, &bkey, len);
	}
	return BPF_OK;
}

char _license[] SEC("license") = "GPL";
