/* count NAME wire by KEYS: lwtp_count_key() with the wire bytes, which
 * counts the packet once (and notes a new or refused key); then its other
 * segments, when it has more than one. */
static __always_inline void lwtp_count_wire_key(void *map, const void *key,
						struct __sk_buff *skb, const struct lwtp_pkt *p,
						void *full)
{
	__u64 packets = lwtp_wire_packets(skb);
	struct lwtp_counter *c;

	lwtp_count_key(map, key, lwtp_wire_bytes(skb, p), full);
	if (packets < 2)
		return;
	c = bpf_map_lookup_elem(map, key);
	if (c)
		__sync_fetch_and_add(&c->packets, packets - 1);
}
