/* Is the packet's source or destination address in a runtime set of
 * addresses (an LPM trie)? The family's header is known present. */
static __always_inline int lwtp_set_has_addr(void *set, const struct lwtp_pkt *p, int dst)
{
	struct lwtp_lpm_ip key = { .prefixlen = 32 + 128 };

	if (!lwtp_lpm_key(&key, p, dst))
		return 0;
	return bpf_map_lookup_elem(set, &key) != 0;
}
