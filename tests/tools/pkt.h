/* pkt.h: packets in a small text form, and the Ethernet frames they stand for.
 *
 * The text form is one line of words, the family first, the rest in any order:
 *
 *   ip4 udp src 192.0.2.1 dst 198.51.100.7 sport 5000 dport 53 payload 100
 *   ip6 tcp flags syn,ack dport 443 ext hopopts,routing len 1280 cut 60
 *   ip4 icmp type echo_request ttl 1 options 8 frag first
 *   ether 0x0806 payload 28
 *
 * family      ip4 | ip6 | ether ETHERTYPE (payload bytes only, "abc..."; so
 *             'ether 0x0800 payload 20' is an IPv4 frame whose header says
 *             version 6: not an IPv4 header)
 * protocol    tcp | udp | icmp | icmp6 | proto N        (default udp)
 * addresses   src ADDR, dst ADDR                        (defaults below)
 * ports       sport N, dport N                          (TCP, UDP)
 * TCP         flags fin,syn,rst,psh,ack,urg,ece,cwr|none|N, seq N, ackseq N,
 *             window N, urgptr N, doff N (5..15; options are NOPs)
 * ICMP        type NAME|N, code N                       (icmp and icmp6)
 * IP          ttl N (hoplimit), tos N (tclass), dscp N, ecn N, id N, df, mf,
 *             flowlabel N, options N (IPv4 option bytes, NOPs, multiple of 4)
 * IPv6 ext    ext NAME[,NAME...]: hopopts routing fragment dstopts ah, in order
 * fragment    frag first | later | N (offset in 8-byte units; later = 185);
 *             IPv6 adds a fragment header if ext has none
 * length      payload N (bytes after the L4 header), or len N (L3 length)
 * truncation  cut N: keep only the first N bytes from the L3 header on
 *             (BPF_PROG_TEST_RUN wants at least the fixed IPv4/IPv6 header)
 * metadata    mark N, priority N, cb[I] N (I 0..4), gso_segs N, gso_size N,
 *             pkttype host|multicast|
 *             otherhost (chooses the Ethernet destination; BPF_PROG_TEST_RUN
 *             runs on loopback, which has no broadcast address, so a
 *             broadcast destination would read as multicast)
 * direction   dir in|out: what the capture says of the packet (pcapout.h:
 *             SLL and SLL2 packet type, pcapng flags); none by default
 *
 * Defaults: udp, src 192.0.2.1 / 2001:db8::1, dst 198.51.100.7 / 2001:db8::7,
 * sport 40000, dport 9, ttl 64, payload 0, pkttype host.
 */
#ifndef LWTP_PKT_H
#define LWTP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX_EXT 12
#define PKT_MAX_FRAME 4096

enum pkt_frag { PKT_FRAG_NONE, PKT_FRAG_FIRST, PKT_FRAG_LATER };
enum pkt_dir { PKT_DIR_NONE, PKT_DIR_IN, PKT_DIR_OUT };

struct pkt_spec {
	int family;                 /* 4, 6, or 0 for 'ether' */
	uint16_t ethertype;         /* family 0 */
	int proto;                  /* IP protocol number of the L4 header */
	uint8_t src[16], dst[16];   /* network order; IPv4 in [0..3] */
	uint16_t sport, dport;
	uint8_t tcp_flags, tcp_doff;
	uint32_t seq, ackseq;
	uint16_t window, urgptr;
	uint8_t icmp_type, icmp_code;
	bool icmp_type_set;
	uint8_t ttl, tos;
	uint16_t ip_id;
	bool df, mf;
	uint32_t flowlabel;
	enum pkt_frag frag;
	uint16_t frag_offset;       /* 8-byte units */
	unsigned ip4_optlen;        /* bytes */
	uint8_t ext[PKT_MAX_EXT];   /* IPv6 extension header types, in order */
	int next;
	long payload;               /* L4 payload bytes; -1: derive from len */
	long len;                   /* L3 length asked for; -1: none */
	long cut;                   /* -1: none */
	/* __sk_buff metadata */
	uint32_t mark, priority, cb[5];
	uint32_t gso_segs, gso_size;
	int pkt_type;               /* PACKET_HOST ... from <linux/if_packet.h> */
	int dir;                    /* PKT_DIR_*: what a capture says of it */
};

/* The defaults, as parsing starts from them. */
void pkt_spec_init(struct pkt_spec *spec);

/* Parse the text form (a NUL-terminated line, no '\n' needed). On error
 * returns -EINVAL and writes a message to err. */
int pkt_parse(const char *text, struct pkt_spec *spec, char *err, size_t errlen);

/* Build the Ethernet frame. Returns its length, or -EINVAL (message in err)
 * when it would not fit in size bytes or the spec is inconsistent. */
int pkt_build(const struct pkt_spec *spec, uint8_t *frame, size_t size,
	      char *err, size_t errlen);

/* The L3 length the program sees as skb->len for this spec (after cut). */
long pkt_l3_len(const struct pkt_spec *spec);

#endif
