/* Is the packet's source or destination address in a runtime set of
 * addresses (an LPM trie)? The family's header is known present; the
 * family is part of the key, so IPv4 matches IPv4 prefixes only. */
static __always_inline int lwtp_set_has_addr(void *set, const struct lwtp_pkt *p, int dst)
{
	struct lwtp_lpm_ip key = { .prefixlen = 32 + 128 };

	if (lwtp_has(p->ip4)) {
		key.family = 4;
		lwtp_ip_from4(key.addr, dst ? p->ip4->daddr : p->ip4->saddr);
	} else if (lwtp_has(p->ip6)) {
		key.family = 6;
		lwtp_ip_from6(key.addr, dst ? p->ip6->daddr : p->ip6->saddr);
	} else {
		return 0;
	}
	return bpf_map_lookup_elem(set, &key) != 0;
}
