static __always_inline lwtp_log2_t lwtp_log2_64(__u64 v)
{
	__u32 hi = v >> 32;

	return hi ? lwtp_log2_32(hi) + 32 : lwtp_log2_32(v);
}
