/* A key new to a keyed limit's or quota's map: store init for it, count
 * the insertion (or its refusal, the map being full) in lwtp_full_NAME,
 * and return its state; NULL when it has none: the packet is over the
 * limit or the quota. */
static __always_inline void *lwtp_key_new(void *map, const void *key, void *full,
					  const void *init)
{
	long err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);

	if (err != -17 /* -EEXIST: another CPU stored it first */)
		lwtp_keys_note(full, err);
	return bpf_map_lookup_elem(map, key);
}
