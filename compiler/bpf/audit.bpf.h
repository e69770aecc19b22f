/* audit policy: count a packet in the lwtp_counter at byte off of the one
 * value of the policy's lwtp_audit_NAME (a struct of them, one a statement) */
static __always_inline void lwtp_audit(void *map, __u32 off, __u64 bytes)
{
	__u32 zero = 0;
	char *v = bpf_map_lookup_elem(map, &zero);

	if (v)
		lwtp_counter_add((struct lwtp_counter *)(v + off), bytes);
}
