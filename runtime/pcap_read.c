/* pcap_read.c: captures in, IP packets out (see pcap_read.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>
#include <pcap/pcap.h>

#include "lwtp.h"
#include "pcap_read.h"

#include "pcap_dlt.h"
#define LINKTYPE_RAW 101        /* libpcap maps it to DLT_RAW; in case not */

struct pcapr {
	pcap_t *p;
	const char *path;       /* the caller's, for messages */
	int dlt;
	unsigned long num;
};

int pcapr_open(const char *path, struct pcapr **rp)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct pcapr *r;

	*rp = NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		p_err("out of memory");
		return -ENOMEM;
	}
	r->p = pcap_open_offline(path, errbuf);
	if (!r->p) {
		/* libpcap's message names the file, or says what is wrong with it */
		if (strstr(errbuf, path))
			p_err("%s", errbuf);
		else
			p_err("%s: %s", path, errbuf);
		free(r);
		return -EINVAL;
	}
	r->path = path;
	r->dlt = pcap_datalink(r->p);
	if (!pcapr_linktype_known(r->dlt)) {
		const char *name = pcap_datalink_val_to_name(r->dlt);

		p_err("%s: link type %d (%s) is not one replay reads (Ethernet, Linux "
		      "cooked SLL and SLL2, raw IP, BSD loopback)", path, r->dlt,
		      name ? name : "unknown");
		pcap_close(r->p);
		free(r);
		return -EPROTONOSUPPORT;
	}
	*rp = r;
	return 0;
}

void pcapr_close(struct pcapr *r)
{
	if (!r)
		return;
	pcap_close(r->p);
	free(r);
}

int pcapr_linktype(const struct pcapr *r)
{
	return r->dlt;
}

const char *pcapr_linktype_name(const struct pcapr *r)
{
	const char *name = pcap_datalink_val_to_name(r->dlt);

	return name ? name : "unknown";
}

/* libpcap reads no further than a frame it cannot read. When the file
 * ended inside it (tcpdump was killed, a copy was cut), libpcap's stream is
 * at its end: that is a capture cut short, and what came before it is
 * whole, as tcpdump takes it. Anything else is damage. */
static int read_error(const struct pcapr *r)
{
	FILE *f = pcap_file(r->p);
	const char *file = strcmp(r->path, "-") ? r->path : "standard input";

	if (f && feof(f)) {
		p_err("%s: the capture is cut short inside packet %lu (%s)", file, r->num + 1,
		      pcap_geterr(r->p));
		return -ENODATA;
	}
	p_err("%s: cannot read packet %lu: %s", file, r->num + 1, pcap_geterr(r->p));
	return -EIO;
}

int pcapr_next(struct pcapr *r, struct pcapr_pkt *pkt)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int ret;

	ret = pcap_next_ex(r->p, &h, &data);
	if (ret == PCAP_ERROR_BREAK)
		return 0;
	if (ret != 1)
		return read_error(r);   /* 0 (timeout) does not happen on a file */
	memset(pkt, 0, sizeof(*pkt));
	pkt->num = ++r->num;
	pkt->ts = h->ts;
	pkt->data = data;
	pkt->caplen = h->caplen;
	pkt->wirelen = h->len < h->caplen ? h->caplen : h->len;
	return pcapr_frame_l3(r->dlt, pkt) ?: 1;
}

/* ---- link layers ---------------------------------------------------------- */

bool pcapr_linktype_known(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case LINKTYPE_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	default:
		return false;
	}
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static const char *ethertype_name(unsigned type)
{
	switch (type) {
	case 0x0806: return "ARP";
	case 0x8035: return "RARP";
	case 0x8847: return "MPLS";
	case 0x8848: return "MPLS multicast";
	case 0x8863: return "PPPoE discovery";
	case 0x8864: return "PPPoE";
	case 0x888e: return "EAPOL";
	case 0x88cc: return "LLDP";
	case 0x8906: return "FCoE";
	default: return NULL;
	}
}

/* The L3 packet starts at off: set the lengths. */
static void set_l3(struct pcapr_pkt *pkt, __u16 ethertype, __u32 off)
{
	pkt->ethertype = ethertype;
	pkt->l3 = pkt->data + off;
	pkt->l3_caplen = pkt->caplen - off;
	pkt->l3_wirelen = pkt->wirelen > off ? pkt->wirelen - off : pkt->l3_caplen;
	if (pkt->l3_wirelen < pkt->l3_caplen)
		pkt->l3_wirelen = pkt->l3_caplen;
}

/* An ethertype at type_off, the payload at off; VLAN tags (TPID, TCI,
 * inner type) are skipped. what: "Ethernet", "SLL" ... for messages. */
static int typed_l3(struct pcapr_pkt *pkt, __u32 type_off, __u32 off, const char *what)
{
	unsigned type;
	const char *name;

	if (pkt->caplen < off) {
		snprintf(pkt->skip, sizeof(pkt->skip), "frame shorter than its %s header (%u bytes)",
			 what, pkt->caplen);
		return 0;
	}
	type = get16(pkt->data + type_off);
	while (type == ETH_P_8021Q || type == ETH_P_8021AD || type == 0x9100) {
		if (pkt->caplen < off + 4) {
			snprintf(pkt->skip, sizeof(pkt->skip), "frame cut inside a VLAN tag");
			return 0;
		}
		type = get16(pkt->data + off + 2);
		off += 4;
		pkt->vlans++;
	}
	if (type == ETH_P_IP || type == ETH_P_IPV6) {
		set_l3(pkt, type, off);
		return 0;
	}
	if (type < 0x0600 && !strcmp(what, "Ethernet")) {
		snprintf(pkt->skip, sizeof(pkt->skip), "not IP (802.3 frame with LLC)");
		return 0;
	}
	name = ethertype_name(type);
	snprintf(pkt->skip, sizeof(pkt->skip), "not IP (ethertype 0x%04x%s%s)", type,
		 name ? ", " : "", name ? name : "");
	return 0;
}

/* Raw IP: the version nibble says which; want is 4, 6 or 0 (either). */
static int raw_l3(struct pcapr_pkt *pkt, __u32 off, int want)
{
	int version;

	if (pkt->caplen <= off) {
		snprintf(pkt->skip, sizeof(pkt->skip), "empty frame");
		return 0;
	}
	version = pkt->data[off] >> 4;
	if ((version == 4 || version == 6) && (!want || want == version)) {
		set_l3(pkt, version == 4 ? ETH_P_IP : ETH_P_IPV6, off);
		return 0;
	}
	snprintf(pkt->skip, sizeof(pkt->skip), "not IP%s (version nibble %d)",
		 want == 4 ? "v4" : want == 6 ? "v6" : "", version);
	return 0;
}

/* BSD loopback: a 4-byte address family, in the capturing host's byte order
 * (DLT_NULL) or network order (DLT_LOOP). */
static int null_l3(struct pcapr_pkt *pkt, bool network_order)
{
	const unsigned char *p = pkt->data;
	__u32 family;

	if (pkt->caplen < 4) {
		snprintf(pkt->skip, sizeof(pkt->skip), "frame shorter than its loopback header");
		return 0;
	}
	family = (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
	if (!network_order && (family & 0xffff0000u))
		family = (__u32)p[3] << 24 | (__u32)p[2] << 16 | (__u32)p[1] << 8 | p[0];
	switch (family) {
	case 2:                         /* AF_INET */
		return raw_l3(pkt, 4, 4);
	case 10: case 24: case 28: case 30:     /* AF_INET6: Linux, BSDs, Darwin */
		return raw_l3(pkt, 4, 6);
	default:
		snprintf(pkt->skip, sizeof(pkt->skip), "not IP (address family %u)", family);
		return 0;
	}
}

int pcapr_frame_l3(int dlt, struct pcapr_pkt *pkt)
{
	pkt->skip[0] = 0;
	pkt->vlans = 0;
	pkt->l3 = NULL;
	pkt->l3_caplen = pkt->l3_wirelen = 0;
	pkt->ethertype = 0;
	switch (dlt) {
	case DLT_EN10MB:
		return typed_l3(pkt, 12, 14, "Ethernet");
	case DLT_LINUX_SLL:             /* ... protocol at 14, 16 bytes */
		return typed_l3(pkt, 14, 16, "SLL");
	case DLT_LINUX_SLL2:            /* protocol at 0, 20 bytes */
		return typed_l3(pkt, 0, 20, "SLL2");
	case DLT_RAW:
	case LINKTYPE_RAW:
		return raw_l3(pkt, 0, 0);
	case DLT_IPV4:
		return raw_l3(pkt, 0, 4);
	case DLT_IPV6:
		return raw_l3(pkt, 0, 6);
	case DLT_NULL:
		return null_l3(pkt, false);
	case DLT_LOOP:
		return null_l3(pkt, true);
	default:
		return -EPROTONOSUPPORT;
	}
}
