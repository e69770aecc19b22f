/* IPv4 address a.b.c.d, network order */
#define lwtp_ip4(a, b, c, d) \
	bpf_htonl((__u32)(a) << 24 | (__u32)(b) << 16 | (__u32)(c) << 8 | (__u32)(d))
