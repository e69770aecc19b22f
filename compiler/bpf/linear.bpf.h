/* Linear histogram bucket of v: 0 below min, 1..n from min in steps of
 * step, n + 1 from max on */
static __always_inline __u32 lwtp_linear(__u64 v, __u64 min, __u64 max,
					 __u64 step, __u32 n)
{
	if (v < min)
		return 0;
	if (v >= max)
		return n + 1;
	return (v - min) / step + 1;
}
