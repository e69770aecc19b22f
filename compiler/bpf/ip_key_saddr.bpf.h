/* ip.src of either family in a key (lwtp_ip_t) */
static __always_inline void lwtp_ip_key_saddr(__be32 *key, const struct lwtp_pkt *p)
{
	if (lwtp_has(p->ip4))
		lwtp_ip_from4(key, p->ip4->saddr);
	else if (lwtp_has(p->ip6))
		lwtp_ip_from6(key, p->ip6->saddr);
}
