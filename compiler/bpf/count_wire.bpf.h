/* count NAME wire: a packet counts as its packets and bytes on the wire
 * (lwtp_wire_packets(), lwtp_wire_bytes()). */
static __always_inline void lwtp_counter_add_wire(struct lwtp_counter *c, __u64 packets,
						  __u64 bytes)
{
	__sync_fetch_and_add(&c->packets, packets);
	__sync_fetch_and_add(&c->bytes, bytes);
}

static __always_inline void lwtp_count_wire(void *map, struct __sk_buff *skb,
					    const struct lwtp_pkt *p)
{
	__u64 packets = lwtp_wire_packets(skb), bytes = lwtp_wire_bytes(skb, p);
	__u32 zero = 0;
	struct lwtp_counter *c = bpf_map_lookup_elem(map, &zero);

	if (c)
		lwtp_counter_add_wire(c, packets, bytes);
}
