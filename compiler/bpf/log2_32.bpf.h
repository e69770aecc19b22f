/* Histogram bucket of v: floor(log2(v)), and 0 for 0 */
static __always_inline lwtp_log2_t lwtp_log2_32(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xffff) << 4; v >>= r;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= v >> 1;
	return r;
}
