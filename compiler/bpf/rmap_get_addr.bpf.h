/* The value for the packet's source or destination address in a runtime
 * map keyed by addresses (an LPM trie: the longest prefix that holds the
 * address wins) into *v: 1 when one does, else 0. */
static __always_inline int lwtp_rmap_get_addr(void *map, const struct lwtp_pkt *p, int dst,
					      __u32 *v)
{
	struct lwtp_lpm_ip key = { .prefixlen = 32 + 128 };

	if (!lwtp_lpm_key(&key, p, dst))
		return 0;
	return lwtp_rmap_get(map, &key, v);
}
