/* ---- limits and quotas --------------------------------------------------- */

/* A limit's token bucket in integers (see struct lwtp_limit_state): tokens
 * accrue at rate_n a nanosecond up to cap; a unit (packet, byte or bit)
 * costs scale tokens; from empty to full takes fill_ns. */
struct lwtp_limit_params {
	__u64 rate_n, scale, cap, fill_ns;
	__u64 rate, period_ns, burst;  /* as written, for readers of the map */
	__u32 unit;
};

/* Take a packet of cost units from the bucket s: 1 when it has them, else
 * 0. Every CPU shares the bucket, so it is updated under its lock in
 * lwtp_locks; no helper may be called while it is held. */
static __always_inline int lwtp_limit_take(struct lwtp_limit_state *s, __u32 stripe,
					   __u64 cost, const struct lwtp_limit_params *p)
{
	__u64 now = bpf_ktime_get_ns(), need, t;
	struct lwtp_lock *l = bpf_map_lookup_elem(&lwtp_locks, &stripe);
	int ok;

	if (!l)
		return 0;
	if (cost > p->burst)
		cost = p->burst + 1;    /* never fits; keeps cost * scale small */
	need = cost * p->scale;
	bpf_spin_lock(&l->lock);
	if (s->last_ns == 0) {
		s->tokens = p->cap;     /* a new bucket starts full */
		s->last_ns = now;
	} else if (now > s->last_ns) {
		t = now - s->last_ns;
		if (t > p->fill_ns)
			t = p->fill_ns;
		s->tokens += t * p->rate_n;
		s->last_ns = now;
	}
	if (s->tokens > p->cap)
		s->tokens = p->cap;
	ok = s->tokens >= need;
	if (ok) {
		s->tokens -= need;
		s->passed++;
	} else {
		s->exceeded++;
	}
	s->scale = p->scale;
	s->rate = p->rate;
	s->period_ns = p->period_ns;
	s->burst = p->burst;
	s->unit = p->unit;
	s->lock = stripe;
	bpf_spin_unlock(&l->lock);
	return ok;
}
