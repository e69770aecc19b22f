/* ---- constant sets: sorted intervals, binary-searched ------------------- */

/* Branch-free compares for the searches: with branches, the verifier would
 * follow both ways at every step. The empty asm keeps clang from turning
 * them back into branches (or a multiplication by one into a select). */

/* 1 when a <= b, else 0 */
static __always_inline __u64 lwtp_le32(__u32 a, __u32 b)
{
	__u64 d = (__u64)b - (__u64)a;   /* wraps past 2^63 when b < a */

	asm volatile("" : "+r"(d));
	d = (d >> 63) ^ 1;
	asm volatile("" : "+r"(d));
	return d;
}

/* The borrow out of a - b - c (c: 0 or 1), Hacker's Delight 2-13: 1 when
 * a < b + c, else 0. The result is a shift of bit 63, so every verifier
 * knows it is 0 or 1 (6.1 tracks no bounds through OR or XOR of unknowns:
 * none of the search's values may come from one unshifted). */
static __always_inline __u64 lwtp_borrow64(__u64 a, __u64 b, __u64 c)
{
	__u64 r = (~a & b) | (~(a ^ b) & (a - b - c));

	asm volatile("" : "+r"(r));
	r >>= 63;
	asm volatile("" : "+r"(r));
	return r;
}

/* 1 when a <= b, else 0 */
static __always_inline __u64 lwtp_le64(__u64 a, __u64 b)
{
	__u64 r = lwtp_borrow64(b, a, 0) ^ 1;

	asm volatile("" : "+r"(r));
	return r;
}

/* 1 when (ah, al) <= (bh, bl), 128-bit values as high and low halves: no
 * borrow out of the 128-bit subtraction b - a */
static __always_inline __u64 lwtp_le128(__u64 ah, __u64 al, __u64 bh, __u64 bl)
{
	__u64 r = lwtp_borrow64(bh, ah, lwtp_borrow64(bl, al, 0)) ^ 1;

	asm volatile("" : "+r"(r));
	return r;
}

/* 1 when (ah, al) <= (bh, bl), for halves below 2^63 (the keys of an
 * IPv6 set below its common prefix, emit_search.c): such halves subtract
 * without wrapping into bit 63, so bit 63 of a difference is the borrow,
 * and the compare takes 5 instructions where lwtp_le128 takes about 16.
 * (ah, al) may also be (2^63, 0), the padding after the last boundary:
 * al = 0 makes d 0, and bh - 2^63 has bit 63 set, so 0 comes out, as it
 * must. Every value that reaches an index is a shift by 63: 0 or 1, for
 * every verifier. */
static __always_inline __u64 lwtp_le127(__u64 ah, __u64 al, __u64 bh, __u64 bl)
{
	__u64 d = (bl - al) >> 63;      /* 1 when bl < al: a borrow */

	asm volatile("" : "+r"(d));
	d = (bh - ah - d) >> 63;        /* 1 when b < a */
	asm volatile("" : "+r"(d));
	return d ^ 1;
}

/* The halves of an IPv6 address, host order */
static __always_inline __u64 lwtp_ip6_hi(const __be32 *a)
{
	return (__u64)bpf_ntohl(a[0]) << 32 | bpf_ntohl(a[1]);
}

static __always_inline __u64 lwtp_ip6_lo(const __be32 *a)
{
	return (__u64)bpf_ntohl(a[2]) << 32 | bpf_ntohl(a[3]);
}

struct lwtp_span32 {
	__u32 lo, hi;
};

struct lwtp_span64 {
	__u64 lo, hi;
};

/* an interval of IPv6 addresses: each end as high and low halves */
struct lwtp_span128 {
	__u64 lo_hi, lo_lo, hi_hi, hi_lo;
};

/* an IPv6 set's key below its common prefix: bits 63.. and 0..62 */
struct lwtp_key127 {
	__u64 h, l;
};
