/* A new key of the keyed statistic NAME was stored (inserted) or not,
 * because the map was full (refused): count it in lwtp_full_NAME. */
static __always_inline void lwtp_keys_note(void *full, long err)
{
	__u32 zero = 0;
	struct lwtp_keys *k = bpf_map_lookup_elem(full, &zero);

	if (!k)
		return;
	if (err == 0)
		__sync_fetch_and_add(&k->inserted, 1);
	else
		__sync_fetch_and_add(&k->refused, 1);
}
