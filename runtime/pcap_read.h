/* pcap_read.h: read captures (pcap and pcapng, through libpcap) and find the
 * IP packet in each frame, as a route's LWT_OUT program would see it.
 *
 * Link types: Ethernet (802.1Q and 802.1ad VLAN tags skipped), Linux cooked
 * (SLL and SLL2, tags too), raw IP (DLT_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6:
 * the version nibble says which) and BSD loopback (DLT_NULL, DLT_LOOP).
 * A frame that holds no IPv4 or IPv6 packet is "skipped", with the reason.
 *
 * Functions return 0 or a negative errno and log (p_err) what went wrong.
 */
#ifndef LWTP_PCAP_READ_H
#define LWTP_PCAP_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>
#include <linux/types.h>

struct pcapr;

struct pcapr_pkt {
	unsigned long num;              /* 1, 2, ... in the file */
	struct timeval ts;
	const unsigned char *data;      /* the captured frame */
	__u32 caplen, wirelen;          /* captured, and on the wire */
	/* the IP packet, when skip is "" */
	__u16 ethertype;                /* ETH_P_IP or ETH_P_IPV6 */
	const unsigned char *l3;
	__u32 l3_caplen;                /* captured bytes from L3 on */
	__u32 l3_wirelen;               /* the whole packet's bytes from L3 on */
	unsigned vlans;                 /* VLAN tags skipped */
	char skip[96];                  /* why the frame is skipped, or "" */
};

/* Open a capture ("-": standard input); path must stay valid until
 * pcapr_close(). */
int pcapr_open(const char *path, struct pcapr **rp);
/* The next frame: 1, 0 at the end, or a negative errno: -ENODATA when the
 * file ends inside the frame (the capture is cut short), -EIO when it
 * cannot be read otherwise; either way, logged with the frame's number,
 * and the capture ends there. The frame stays valid until the next call. */
int pcapr_next(struct pcapr *r, struct pcapr_pkt *pkt);
void pcapr_close(struct pcapr *r);

/* The capture's link type: its DLT number and name ("EN10MB", ...). */
int pcapr_linktype(const struct pcapr *r);
const char *pcapr_linktype_name(const struct pcapr *r);

/* Find the IP packet in one frame of link type dlt: fills pkt's ethertype,
 * l3, l3_caplen, l3_wirelen, vlans and skip from pkt->data, caplen and
 * wirelen. Returns 0; a frame without IP gets skip set. -EPROTONOSUPPORT
 * for a link type this reader does not know. */
int pcapr_frame_l3(int dlt, struct pcapr_pkt *pkt);
/* Whether pcapr_frame_l3() knows the link type. */
bool pcapr_linktype_known(int dlt);

#endif
