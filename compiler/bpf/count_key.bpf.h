/* count NAME by KEYS: a per-CPU hash of counters. When another CPU
 * inserts the key first, add to its entry; when the map is full, the
 * packet is not counted, and the refused key is (in lwtp_full_NAME). */
static __always_inline void lwtp_count_key(void *map, const void *key, __u64 bytes,
					   void *full)
{
	struct lwtp_counter *c = bpf_map_lookup_elem(map, key);

	if (!c) {
		struct lwtp_counter init = { .packets = 1, .bytes = bytes };
		long err = bpf_map_update_elem(map, key, &init, BPF_NOEXIST);

		if (err != -17 /* -EEXIST */) {
			lwtp_keys_note(full, err);   /* inserted, or the map is full */
			return;
		}
		c = bpf_map_lookup_elem(map, key);
		if (!c)
			return;
	}
	lwtp_counter_add(c, bytes);
}
