/* count NAME: a per-CPU array of one counter */
static __always_inline void lwtp_count(void *map, __u64 bytes)
{
	__u32 zero = 0;
	struct lwtp_counter *c = bpf_map_lookup_elem(map, &zero);

	if (c)
		lwtp_counter_add(c, bytes);
}
