/* limit NAME by KEYS: an LRU hash of buckets, each guarded by the lock
 * it drew when it was made. A key that cannot be stored is over the
 * limit. */
static __always_inline int lwtp_limit_key(void *map, const void *key, void *full,
					  __u64 cost, const struct lwtp_limit_params *p)
{
	struct lwtp_limit_state *s = bpf_map_lookup_elem(map, key);

	if (!s) {
		struct lwtp_limit_state init = { .lock = bpf_get_prandom_u32() % LWTP_LOCKS };

		s = lwtp_key_new(map, key, full, &init);
		if (!s)
			return 0;
	}
	return lwtp_limit_take(s, s->lock % LWTP_LOCKS, cost, p);
}
