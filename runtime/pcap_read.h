/* pcap_read.h: read captures (pcap and pcapng, through libpcap) and find the
 * IP packet in each frame, as a route's LWT_OUT program would see it.
 *
 * Link types: Ethernet (802.1Q and 802.1ad VLAN tags skipped), Linux cooked
 * (SLL and SLL2, tags too), raw IP (DLT_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6:
 * the version nibble says which), BSD loopback (DLT_NULL, DLT_LOOP) and
 * NFLOG (the NFULA_PAYLOAD attribute). A frame that holds no IPv4 or IPv6
 * packet is "skipped", with the reason.
 *
 * Each frame's direction comes from the capture where it says one: the
 * packet type of SLL and SLL2, the flags of a pcapng Enhanced Packet Block
 * (pcapng_scan.c, as libpcap does not pass them on).
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

enum pcapr_dir {
	PCAPR_DIR_UNKNOWN = 0,          /* the capture does not say */
	PCAPR_DIR_IN,
	PCAPR_DIR_OUT,
};

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
	enum pcapr_dir dir;
	bool filtered;                  /* the capture filter does not match it */
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

/* Match every frame against expr, a filter in tcpdump's language compiled
 * for the capture's link type (for NFLOG, which libpcap cannot filter: for
 * raw IP, matched against the packet inside): pcapr_next() sets
 * pkt->filtered for frames it does not match. -EINVAL, logged with libpcap's message, for an
 * expression libpcap cannot compile. */
int pcapr_filter(struct pcapr *r, const char *expr);

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
