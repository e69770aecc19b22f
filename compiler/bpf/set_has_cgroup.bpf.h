/* Is the packet's socket in one of the cgroups of a runtime set of cgroups
 * (a CGROUP_ARRAY of n slots), or in a cgroup below one? A packet without
 * a full socket (forwarded, or sent by a TIME_WAIT socket) is in none: the
 * helper says -ENOENT (-2) for it at the first slot, and the test ends
 * there. An empty slot says -EAGAIN and is passed over. The loop is
 * unrolled: n is a constant (at most 64, LWTP_CGROUP_SET_MAX_SIZE), so
 * every verifier from 6.1 on sees straight code. ids is the set's
 * lwtp_cgroups_NAME, never read: naming it makes it one of the program's
 * maps, so that lwtp sees which programs use it. */
static __always_inline int lwtp_set_has_cgroup(struct __sk_buff *skb, void *set, void *ids,
					       __u32 n)
{
	asm volatile("" : : "r"(ids));
#pragma clang loop unroll(full)
	for (__u32 i = 0; i < 64; i++) {
		long r;

		if (i >= n)
			break;
		r = bpf_skb_under_cgroup(skb, set, i);
		if (r == 1)
			return 1;
		if (r == -2)
			return 0;
	}
	return 0;
}
