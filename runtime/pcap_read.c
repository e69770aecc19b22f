/* pcap_read.c: captures in, IP packets out (see pcap_read.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>
#include <pcap/pcap.h>

#include "lwtp.h"
#include "pcap_read.h"
#include "pcapng_scan.h"

#include "pcap_dlt.h"
#define LINKTYPE_RAW 101        /* libpcap maps it to DLT_RAW; in case not */

struct pcapr {
	pcap_t *p;
	const char *path;       /* the caller's, for messages */
	int dlt;
	unsigned long num;
	struct ngscan *scan;    /* pcapng directions; freed by pcap_close() */
	struct bpf_program filter;
	bool filtering;
	bool filter_l3;         /* the filter is for raw IP, run on the packet */
};

/* The capture, through the pcapng scanner, for libpcap. */
static pcap_t *open_scanned(struct pcapr *r, const char *path, char *errbuf)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin, *f;
	pcap_t *p;

	if (!in) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (ngscan_open(in, &r->scan, &f)) {
		if (in != stdin)
			fclose(in);
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "out of memory");
		return NULL;
	}
	p = pcap_fopen_offline(f, errbuf);
	if (!p) {
		fclose(f);
		r->scan = NULL;
	}
	return p;
}

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
	r->p = open_scanned(r, path, errbuf);
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
		      "cooked SLL and SLL2, raw IP, BSD loopback, NFLOG)", path, r->dlt,
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
	if (r->filtering)
		pcap_freecode(&r->filter);
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

static enum pcapr_dir frame_dir(int dlt, const struct pcapr_pkt *pkt, enum ngscan_dir ng);

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
	pkt->dir = frame_dir(r->dlt, pkt, ngscan_next(r->scan));
	ret = pcapr_frame_l3(r->dlt, pkt);
	if (ret)
		return ret;
	if (r->filtering && !r->filter_l3) {
		pkt->filtered = !pcap_offline_filter(&r->filter, h, data);
	} else if (r->filtering) {
		struct pcap_pkthdr l3h = { .ts = h->ts, .caplen = pkt->l3_caplen,
					   .len = pkt->l3_wirelen };

		pkt->filtered = !pkt->l3 || !pcap_offline_filter(&r->filter, &l3h, pkt->l3);
	}
	return 1;
}

int pcapr_filter(struct pcapr *r, const char *expr)
{
	pcap_t *p = r->p, *dead = NULL;
	int err = 0;

	if (r->dlt == DLT_NFLOG) {
		/* libpcap cannot filter NFLOG: filter the packet in it */
		dead = pcap_open_dead(DLT_RAW, 262144);
		if (!dead) {
			p_err("out of memory");
			return -ENOMEM;
		}
		p = dead;
		r->filter_l3 = true;
	}
	if (pcap_compile(p, &r->filter, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		p_err("bad capture filter '%s': %s", expr, pcap_geterr(p));
		err = -EINVAL;
	} else {
		r->filtering = true;
	}
	if (dead)
		pcap_close(dead);
	return err;
}

/* The direction: the pcapng block's flags, else the cooked header's packet
 * type (PACKET_OUTGOING 4; host, broadcast, multicast, otherhost 0-3). */
static enum pcapr_dir frame_dir(int dlt, const struct pcapr_pkt *pkt, enum ngscan_dir ng)
{
	unsigned type = 5;

	if (ng == NGSCAN_DIR_IN)
		return PCAPR_DIR_IN;
	if (ng == NGSCAN_DIR_OUT)
		return PCAPR_DIR_OUT;
	if (dlt == DLT_LINUX_SLL && pkt->caplen >= 16)
		type = (unsigned)pkt->data[0] << 8 | pkt->data[1];
	else if (dlt == DLT_LINUX_SLL2 && pkt->caplen >= 20)
		type = pkt->data[10];
	if (type == 4)
		return PCAPR_DIR_OUT;
	return type < 4 ? PCAPR_DIR_IN : PCAPR_DIR_UNKNOWN;
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
	case DLT_NFLOG:
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

/* NFLOG: family (1), version (1), resource id (2), then TLVs: length and
 * type in the capturing host's byte order (libpcap swaps them for us when
 * the file's is not ours), values padded to 4 bytes. The packet is the
 * NFULA_PAYLOAD TLV's value, from L3 on. */
#define NFULA_PAYLOAD 9
static int nflog_l3(struct pcapr_pkt *pkt)
{
	const unsigned char *p = pkt->data;
	__u32 off = 4, len, l3_len, have;
	__u16 tlv_len, tlv_type;
	int want;

	if (pkt->caplen < 4) {
		snprintf(pkt->skip, sizeof(pkt->skip), "frame shorter than its NFLOG header");
		return 0;
	}
	want = p[0] == 2 ? 4 : p[0] == 10 ? 6 : 0;
	if (!want) {
		snprintf(pkt->skip, sizeof(pkt->skip), "not IP (NFLOG family %u)", p[0]);
		return 0;
	}
	while (off + 4 <= pkt->caplen) {
		memcpy(&tlv_len, p + off, 2);
		memcpy(&tlv_type, p + off + 2, 2);
		if (tlv_len < 4)
			break;
		if (tlv_type == NFULA_PAYLOAD) {
			len = tlv_len - 4u;
			have = pkt->caplen - (off + 4);
			if (!len || !have) {
				snprintf(pkt->skip, sizeof(pkt->skip), "empty NFLOG payload");
				return 0;
			}
			if ((p[off + 4] >> 4) != want) {
				snprintf(pkt->skip, sizeof(pkt->skip), "not IPv%d (version nibble %d)",
					 want, p[off + 4] >> 4);
				return 0;
			}
			l3_len = len < have ? len : have;
			pkt->ethertype = want == 4 ? ETH_P_IP : ETH_P_IPV6;
			pkt->l3 = p + off + 4;
			pkt->l3_caplen = l3_len;
			pkt->l3_wirelen = len;
			return 0;
		}
		off += (tlv_len + 3u) & ~3u;
	}
	snprintf(pkt->skip, sizeof(pkt->skip), "NFLOG frame without a packet (no NFULA_PAYLOAD)");
	return 0;
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
	case DLT_NFLOG:
		return nflog_l3(pkt);
	default:
		return -EPROTONOSUPPORT;
	}
}
