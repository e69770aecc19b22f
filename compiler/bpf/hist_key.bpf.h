/* hist NAME by KEYS: a per-CPU hash; the key ends with the bucket */
static __always_inline void lwtp_hist_key(void *map, const void *key, void *full)
{
	__u64 *n = bpf_map_lookup_elem(map, key);

	if (!n) {
		__u64 init = 1;
		long err = bpf_map_update_elem(map, key, &init, BPF_NOEXIST);

		if (err != -17 /* -EEXIST */) {
			lwtp_keys_note(full, err);   /* inserted, or the map is full */
			return;
		}
		n = bpf_map_lookup_elem(map, key);
		if (!n)
			return;
	}
	__sync_fetch_and_add(n, 1);
}
