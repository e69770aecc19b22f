/* limit NAME: an array of one bucket, guarded by lwtp_locks[stripe] */
static __always_inline int lwtp_limit(void *map, __u32 stripe, __u64 cost,
				      const struct lwtp_limit_params *p)
{
	__u32 zero = 0;
	struct lwtp_limit_state *s = bpf_map_lookup_elem(map, &zero);

	return s ? lwtp_limit_take(s, stripe, cost, p) : 0;
}
