/* pcapout.h: write the Ethernet frames of pkt.h into a capture file, in one
 * of the link types lwtp replay reads, as pcap (libpcap's pcap_open_dead and
 * pcap_dump) or pcapng (written here: libpcap 1.10 reads pcapng but does not
 * write it).
 *
 * Link types:
 *   ether   Ethernet, as built
 *   vlan    Ethernet with an 802.1Q tag (VLAN 100)
 *   qinq    Ethernet with an 802.1ad tag (VLAN 200) and an 802.1Q tag (100)
 *   sll     Linux cooked (DLT_LINUX_SLL), packet type "outgoing"
 *   sll2    Linux cooked v2 (DLT_LINUX_SLL2), packet type "outgoing"
 *   raw     raw IP (DLT_RAW); only IPv4 and IPv6 frames
 *   ip4     LINKTYPE_IPV4; only IPv4 frames  (ip6: LINKTYPE_IPV6)
 *   null    BSD loopback (DLT_NULL), family in host order; only IP frames
 *   nflog   NFLOG (DLT_NFLOG), as tcpdump -i nflog:N writes it: a prefix
 *           attribute, then the packet in NFULA_PAYLOAD; only IP frames
 *
 * A frame's direction (pcapout_write_dir): SLL and SLL2 say "outgoing"
 * unless told "in" (then "host"); pcapng adds epb_flags when told either.
 *
 * Functions return 0 or a negative errno with a message in err.
 */
#ifndef LWTP_PCAPOUT_H
#define LWTP_PCAPOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcapout;

/* The link type of a name above: its DLT, or -1. */
int pcapout_link(const char *name);
/* Whether a link type can carry frames of this ethertype. */
bool pcapout_carries(int dlt, uint16_t ethertype);

/* snaplen 0: 65535. */
int pcapout_open(const char *path, int dlt, unsigned snaplen, bool pcapng,
		 struct pcapout **pp, char *err, size_t errlen);
/* One frame (Ethernet, as pkt_build() makes it), cut to the snap length. */
int pcapout_write(struct pcapout *p, const uint8_t *frame, size_t len,
		  char *err, size_t errlen);
/* The same, with a direction: 0 none, 1 in, 2 out (pkt.h's PKT_DIR_*). */
int pcapout_write_dir(struct pcapout *p, const uint8_t *frame, size_t len, int dir,
		      char *err, size_t errlen);
/* Flush and close; 0 or a negative errno. */
int pcapout_close(struct pcapout *p);

#endif
