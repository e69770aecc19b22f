static __always_inline void lwtp_counter_add(struct lwtp_counter *c, __u64 bytes)
{
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, bytes);
}
