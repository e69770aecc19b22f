/* services_ref.bpf.c: policies/services.lwtp by hand, both policies:
 * svc_web counts web traffic, new connections and QUIC per destination;
 * svc_icmp counts ICMP and ICMPv6 by type and code and drops ICMP
 * timestamps. See ref.h. */
#include "ref.h"

/* from <linux/icmp.h>, which needs the C library's headers */
#define ICMP_TIMESTAMP          13
#define ICMP_TIMESTAMPREPLY     14

struct web_by_dst_key {
	lwtp_ip_t ip_dst;
	lwtp_port_t tcp_dport;
	__u8 _pad[2];
};

struct web_dst_key {
	lwtp_ip_t ip_dst;
};

struct icmp_types_key {
	lwtp_u8_t icmp_type;
	lwtp_u8_t icmp_code;
};

struct icmp6_types_key {
	lwtp_u8_t icmp6_type;
	lwtp_u8_t icmp6_code;
};

REF_MAP(web_by_dst, BPF_MAP_TYPE_PERCPU_HASH, struct web_by_dst_key, struct lwtp_counter, 8192);
REF_MAP(web_syns, BPF_MAP_TYPE_PERCPU_HASH, struct web_dst_key, struct lwtp_counter, 4096);
REF_MAP(web_quic, BPF_MAP_TYPE_PERCPU_HASH, struct web_dst_key, struct lwtp_counter, 4096);
REF_MAP(icmp_types, BPF_MAP_TYPE_PERCPU_HASH, struct icmp_types_key, struct lwtp_counter, 256);
REF_MAP(icmp6_types, BPF_MAP_TYPE_PERCPU_HASH, struct icmp6_types_key, struct lwtp_counter, 256);
REF_MAP(icmp_ts_drops, BPF_MAP_TYPE_PERCPU_ARRAY, __u32, struct lwtp_counter, 1);

static __always_inline int is_web_port(__u16 port)
{
	return port == 80 || port == 443 || (port >= 8000 && port <= 8080);
}

SEC("svc_web")
int do_svc_web(struct __sk_buff *skb)
{
	struct web_by_dst_key key = {};
	struct web_dst_key dst;
	struct ref_ip ip;
	struct ref_l4 l4;
	struct tcphdr tcp;
	struct udphdr udp;

	ref_ip(skb, &ip);
	if (!ref_l4(skb, &ip, &l4))
		return BPF_OK;
	__builtin_memcpy(dst.ip_dst, ip.daddr, sizeof(dst.ip_dst));
	if (ref_tcp(skb, &l4, &tcp) && is_web_port(bpf_ntohs(tcp.dest))) {
		__builtin_memcpy(key.ip_dst, ip.daddr, sizeof(key.ip_dst));
		key.tcp_dport = bpf_ntohs(tcp.dest);
		ref_count_key(&web_by_dst, &key, skb->len);
		if ((ref_tcp_flags(&tcp) & (REF_SYN | REF_ACK)) == REF_SYN)
			ref_count_key(&web_syns, &dst, skb->len);
	} else if (ref_udp(skb, &l4, &udp) && udp.dest == bpf_htons(443)) {
		ref_count_key(&web_quic, &dst, skb->len);
	}
	return BPF_OK;
}

SEC("svc_icmp")
int do_svc_icmp(struct __sk_buff *skb)
{
	struct ref_ip ip;
	struct ref_l4 l4;
	__u8 icmp[2];

	ref_ip(skb, &ip);
	if (!ref_l4(skb, &ip, &l4))
		return BPF_OK;
	if (ip.family == 4 && ref_l4_read(skb, &l4, IPPROTO_ICMP, icmp, 4)) {
		struct icmp_types_key key = { .icmp_type = icmp[0], .icmp_code = icmp[1] };

		ref_count_key(&icmp_types, &key, skb->len);
		if (key.icmp_type == ICMP_TIMESTAMP || key.icmp_type == ICMP_TIMESTAMPREPLY) {
			ref_count(&icmp_ts_drops, skb->len);
			return BPF_DROP;
		}
	} else if (ip.family == 6 && ref_l4_read(skb, &l4, IPPROTO_ICMPV6, icmp, 4)) {
		struct icmp6_types_key key = { .icmp6_type = icmp[0], .icmp6_code = icmp[1] };

		ref_count_key(&icmp6_types, &key, skb->len);
	}
	return BPF_OK;
}

char _license[] SEC("license") = "GPL";
