/* The value of key in a runtime map (a lwtp_map_value_t or a
 * lwtp_verdict_t, both __u32) into *v: 1 when key is in the map, else 0. */
static __always_inline int lwtp_rmap_get(void *map, const void *key, __u32 *v)
{
	const __u32 *p = bpf_map_lookup_elem(map, key);

	if (!p)
		return 0;
	*v = *p;
	return 1;
}
