/* quota NAME: an array of one budget */
static __always_inline int lwtp_quota(void *map, __u64 cost, __u64 limit, __u32 unit)
{
	__u32 zero = 0;
	struct lwtp_quota_state *s = bpf_map_lookup_elem(map, &zero);

	return s ? lwtp_quota_take(s, cost, limit, unit) : 0;
}
