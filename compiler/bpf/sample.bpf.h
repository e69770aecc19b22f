/* ---- samples ------------------------------------------------------------ */

/* Write the packet's record to the ring of a sample; count it, or its
 * loss when the ring is full, in lwtp_full_NAME. snaplen is a constant. */
static __always_inline void lwtp_sample(void *ring, void *full, struct __sk_buff *skb,
					int verdict, const __u32 snaplen)
{
	struct lwtp_sample *r = bpf_ringbuf_reserve(ring, sizeof(*r) + snaplen, 0);
	__u64 len = skb->len;
	__u64 last;

	/* r is tested once: a second test of a reservation makes older
	 * verifiers (6.1) walk its NULL path holding the reference */
	if (!r) {
		lwtp_keys_note(full, -1);
		return;
	}
	lwtp_keys_note(full, 0);
	/* every member the record does not name here is 0 (caplen until the
	 * copy below, the padding, a member the contract adds later): a ring
	 * reservation is not zeroed, and must not show old records' bytes */
	*r = (struct lwtp_sample){
		.time_ns = bpf_ktime_get_ns(),
		.len = len,
		.verdict = verdict,
		.mark = skb->mark,
		.protocol = bpf_ntohs(skb->protocol),
		.ifindex = skb->ifindex,
	};
	/* bytes to copy, less one: the verifier must see a length of at
	 * least 1 and at most snaplen where it is formed, which last + 1
	 * after this test is on every kernel (6.1 loses a min(len, snaplen)
	 * > 0 test on a copy of the register) */
	last = (len < snaplen ? len : snaplen) - 1;
	asm volatile("" : "+r"(last));
	if (last < snaplen && bpf_skb_load_bytes(skb, 0, r->data, last + 1) == 0)
		r->caplen = last + 1;
	bpf_ringbuf_submit(r, 0);
}
