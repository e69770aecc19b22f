/* An IPv6 address in a map key (lwtp_ip_t, lwtp_ip6_t) */
static __always_inline void lwtp_ip_from6(__be32 *key, const __be32 *addr)
{
	key[0] = addr[0];
	key[1] = addr[1];
	key[2] = addr[2];
	key[3] = addr[3];
}
