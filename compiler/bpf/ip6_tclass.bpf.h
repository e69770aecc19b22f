/* IPv6 traffic class */
static __always_inline __u8 lwtp_ip6_tclass(const struct lwtp_ipv6hdr *ip6)
{
	return bpf_ntohl(ip6->vtc_flow) >> 20;
}
