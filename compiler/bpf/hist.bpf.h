/* hist NAME: a per-CPU array, one packet count per bucket */
static __always_inline void lwtp_hist(void *map, __u32 bucket)
{
	__u64 *n = bpf_map_lookup_elem(map, &bucket);

	if (n)
		__sync_fetch_and_add(n, 1);
}
