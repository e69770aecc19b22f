/* ---- wire packets ------------------------------------------------------- */

/* An LWT route's program runs before GSO: a packet it sees may go on the
 * wire as several segments, each with the headers again. */

/* The packets on the wire: skb->gso_segs, which is 0 or 1 for a packet
 * that is not GSO (one segment). */
static __always_inline __u64 lwtp_wire_packets(struct __sk_buff *skb)
{
	__u32 segs = lwtp_ctx_read(skb, gso_segs);

	return segs > 1 ? segs : 1;
}

/* The header bytes every segment carries: the IPv4 header with its options,
 * or the IPv6 header and the extension headers lwtp_parse() skips; then
 * the TCP header with its options, or UDP's 8 bytes. 0 without an IP
 * header. The extension headers are read with bpf_skb_load_bytes(): their
 * length is only added to a counter, never used to reach into the packet. */
static __always_inline __u64 lwtp_wire_header(struct __sk_buff *skb, const struct lwtp_pkt *p)
{
	__u64 h = 0;

	if (lwtp_has(p->ip4)) {
		h = (p->ip4->ver_ihl & 0x0f) * 4;
	} else if (lwtp_has(p->ip6)) {
		__u32 off = sizeof(struct lwtp_ipv6hdr);
		__u8 nexthdr = p->ip6->nexthdr;

		for (int i = 0; i < 8 && lwtp_ip6_exthdr(nexthdr); i++) {
			struct lwtp_ip6_exthdr x;
			__u32 frag, ah, hdrlen;

			if (bpf_skb_load_bytes(skb, off, &x, sizeof(x)))
				break;
			/* as lwtp_parse(): (hdrlen + 1) * 8, AH (hdrlen + 2) * 4,
			 * a fragment header 8 */
			frag = lwtp_eq(nexthdr, 44);
			ah = lwtp_eq(nexthdr, 51);
			hdrlen = (x.hdrlen & (frag - 1)) << 2;
			off += 8 + hdrlen + (hdrlen & (ah - 1));
			nexthdr = x.nexthdr;
		}
		h = off;
	}
	if (lwtp_has(p->tcp))
		h += (p->tcp->doff_res >> 4) * 4;
	else if (lwtp_has(p->udp))
		h += sizeof(struct lwtp_udphdr);
	return h;
}

/* The bytes on the wire, from the IP header on as skb->len counts them:
 * skb->len, and the headers again for every segment after the first. */
static __always_inline __u64 lwtp_wire_bytes(struct __sk_buff *skb, const struct lwtp_pkt *p)
{
	__u64 packets = lwtp_wire_packets(skb), bytes = skb->len;

	if (packets > 1)
		bytes += (packets - 1) * lwtp_wire_header(skb, p);
	return bytes;
}
