/* quota NAME by KEYS: a hash of budgets. A key that cannot be stored
 * (the map is full) has no budget: it is over the quota. */
static __always_inline int lwtp_quota_key(void *map, const void *key, void *full,
					  __u64 cost, __u64 limit, __u32 unit)
{
	struct lwtp_quota_state *s = bpf_map_lookup_elem(map, key);

	if (!s) {
		struct lwtp_quota_state init = { .limit = limit, .unit = unit };

		s = lwtp_key_new(map, key, full, &init);
		if (!s)
			return 0;
	}
	return lwtp_quota_take(s, cost, limit, unit);
}
