/* IPv4: more fragments, or a fragment offset */
static __always_inline int lwtp_ip4_is_fragment(const struct lwtp_iphdr *ip)
{
	return (ip->frag_off & bpf_htons(0x3fff)) != 0;
}
