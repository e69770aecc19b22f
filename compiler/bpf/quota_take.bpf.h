/* Count a packet of cost units against the budget s: 1 while the budget
 * lasts (what came before this packet is below limit), else 0. used
 * counts every packet, so that exactly the packets that find it below
 * limit pass, on any number of CPUs. */
static __always_inline int lwtp_quota_take(struct lwtp_quota_state *s, __u64 cost,
					   __u64 limit, __u32 unit)
{
	__u64 old = __sync_fetch_and_add(&s->used, cost);

	if (s->limit != limit)
		s->limit = limit;       /* for readers of the map */
	if (s->unit != unit)
		s->unit = unit;
	if (old < limit)
		return 1;
	__sync_fetch_and_add(&s->over, 1);
	return 0;
}
