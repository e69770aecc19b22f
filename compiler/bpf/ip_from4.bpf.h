/* An IPv4 address in a map key (lwtp_ip_t: 16 bytes, network order) */
static __always_inline void lwtp_ip_from4(__be32 *key, __be32 addr)
{
	key[0] = 0;                     /* ::ffff:a.b.c.d */
	key[1] = 0;
	key[2] = bpf_htonl(0x0000ffff);
	key[3] = addr;
}
