/* The LPM trie key of the packet's source or destination address, in a
 * runtime set or map of addresses: key->prefixlen is the caller's. The
 * family is part of the key, so IPv4 matches IPv4 prefixes only. 0 when
 * the packet has no IPv4 or IPv6 header. */
static __always_inline int lwtp_lpm_key(struct lwtp_lpm_ip *key, const struct lwtp_pkt *p,
					int dst)
{
	if (lwtp_has(p->ip4)) {
		key->family = 4;
		lwtp_ip_from4(key->addr, dst ? p->ip4->daddr : p->ip4->saddr);
	} else if (lwtp_has(p->ip6)) {
		key->family = 6;
		lwtp_ip_from6(key->addr, dst ? p->ip6->daddr : p->ip6->saddr);
	} else {
		return 0;
	}
	return 1;
}
