/* pcapout.c: captures from pkt.h frames (see pcapout.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>
#include <pcap/pcap.h>

#include "pcapout.h"

#include "pcap_dlt.h"
#define PCAPOUT_VLAN (-2)       /* Ethernet, tagged: our own codes */
#define PCAPOUT_QINQ (-3)

struct pcapout {
	int link;               /* a DLT, or PCAPOUT_VLAN/QINQ */
	unsigned snaplen;
	unsigned long n;
	/* pcap */
	pcap_t *dead;
	pcap_dumper_t *dumper;
	/* pcapng */
	FILE *ng;
};

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static const struct {
	const char *name;
	int link;
} links[] = {
	{ "ether", DLT_EN10MB }, { "vlan", PCAPOUT_VLAN }, { "qinq", PCAPOUT_QINQ },
	{ "sll", DLT_LINUX_SLL }, { "sll2", DLT_LINUX_SLL2 }, { "raw", DLT_RAW },
	{ "ip4", DLT_IPV4 }, { "ip6", DLT_IPV6 }, { "null", DLT_NULL }, { "nflog", DLT_NFLOG },
	{ NULL, 0 },
};

int pcapout_link(const char *name)
{
	int i;

	for (i = 0; links[i].name; i++)
		if (!strcmp(links[i].name, name))
			return links[i].link;
	return -1;
}

static int file_dlt(int link)
{
	return link == PCAPOUT_VLAN || link == PCAPOUT_QINQ ? DLT_EN10MB : link;
}

bool pcapout_carries(int link, uint16_t ethertype)
{
	switch (link) {
	case DLT_RAW:
	case DLT_NULL:
	case DLT_NFLOG:
		return ethertype == ETH_P_IP || ethertype == ETH_P_IPV6;
	case DLT_IPV4:
		return ethertype == ETH_P_IP;
	case DLT_IPV6:
		return ethertype == ETH_P_IPV6;
	default:
		return true;
	}
}

/* ---- pcapng ------------------------------------------------------------------ */

static int ng_block(FILE *f, uint32_t type, const void *body, size_t len, const void *data,
		    size_t dlen)
{
	static const uint8_t pad[4];
	uint32_t total = 12 + len + dlen + (4 - dlen % 4) % 4;

	if (fwrite(&type, 4, 1, f) != 1 || fwrite(&total, 4, 1, f) != 1 ||
	    fwrite(body, 1, len, f) != len || (dlen && fwrite(data, 1, dlen, f) != dlen) ||
	    fwrite(pad, 1, (4 - dlen % 4) % 4, f) != (4 - dlen % 4) % 4 ||
	    fwrite(&total, 4, 1, f) != 1)
		return -EIO;
	return 0;
}

static int ng_start(FILE *f, int dlt, unsigned snaplen)
{
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int64_t section_len;
	} __attribute__((packed)) shb = { 0x1a2b3c4d, 1, 0, -1 };
	struct {
		uint16_t linktype, reserved;
		uint32_t snaplen;
	} idb = { (uint16_t)dlt, 0, snaplen };

	return ng_block(f, 0x0a0d0d0a, &shb, sizeof(shb), NULL, 0) ?:
	       ng_block(f, 1, &idb, sizeof(idb), NULL, 0);
}

/* ---- writing ------------------------------------------------------------------ */

int pcapout_open(const char *path, int link, unsigned snaplen, bool pcapng,
		 struct pcapout **pp, char *err, size_t errlen)
{
	struct pcapout *p;

	*pp = NULL;
	if (link == -1)
		return fail(err, errlen, -EINVAL, "unknown link type");
	p = calloc(1, sizeof(*p));
	if (!p)
		return fail(err, errlen, -ENOMEM, "out of memory");
	p->link = link;
	p->snaplen = snaplen ? snaplen : 65535;
	if (pcapng) {
		p->ng = fopen(path, "wb");
		if (!p->ng || ng_start(p->ng, file_dlt(link), p->snaplen)) {
			int e = errno;

			if (p->ng)
				fclose(p->ng);
			free(p);
			return fail(err, errlen, -EIO, "%s: %s", path, strerror(e));
		}
	} else {
		p->dead = pcap_open_dead(file_dlt(link), p->snaplen);
		if (!p->dead) {
			free(p);
			return fail(err, errlen, -ENOMEM, "pcap_open_dead failed");
		}
		p->dumper = pcap_dump_open(p->dead, path);
		if (!p->dumper) {
			fail(err, errlen, -EIO, "%s", pcap_geterr(p->dead));
			pcap_close(p->dead);
			free(p);
			return -EIO;
		}
	}
	*pp = p;
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

int pcapout_write(struct pcapout *p, const uint8_t *frame, size_t len,
		  char *err, size_t errlen)
{
	return pcapout_write_dir(p, frame, len, 0, err, errlen);
}

int pcapout_write_dir(struct pcapout *p, const uint8_t *frame, size_t len, int dir,
		      char *err, size_t errlen)
{
	static uint8_t buf[70100], epb[70200];
	uint16_t tlv[2];
	uint16_t type;
	size_t n = 0, l3len;
	const uint8_t *l3;
	uint32_t family;

	if (len < ETH_HLEN)
		return fail(err, errlen, -EINVAL, "frame shorter than an Ethernet header");
	type = (uint16_t)(frame[12] << 8 | frame[13]);
	l3 = frame + ETH_HLEN;
	l3len = len - ETH_HLEN;
	if (!pcapout_carries(p->link, type))
		return fail(err, errlen, -EINVAL, "this link type cannot carry ethertype 0x%04x", type);
	if (l3len + 32 > sizeof(buf))
		return fail(err, errlen, -EINVAL, "frame too long");
	switch (p->link) {
	case DLT_EN10MB:
		memcpy(buf, frame, ETH_HLEN);
		n = ETH_HLEN;
		break;
	case PCAPOUT_VLAN:
	case PCAPOUT_QINQ:
		memcpy(buf, frame, 12);
		n = 12;
		if (p->link == PCAPOUT_QINQ) {
			put16(buf + n, ETH_P_8021AD);
			put16(buf + n + 2, 200);
			n += 4;
		}
		put16(buf + n, ETH_P_8021Q);
		put16(buf + n + 2, 100);
		put16(buf + n + 4, type);
		n += 6;
		break;
	case DLT_LINUX_SLL:
		put16(buf, dir == 1 ? 0 : 4);   /* PACKET_HOST, PACKET_OUTGOING */
		put16(buf + 2, 1);              /* ARPHRD_ETHER */
		put16(buf + 4, 6);
		memset(buf + 6, 0, 8);
		memcpy(buf + 6, frame + 6, 6);  /* the source address */
		put16(buf + 14, type);
		n = 16;
		break;
	case DLT_LINUX_SLL2:
		put16(buf, type);
		put16(buf + 2, 0);
		buf[4] = buf[5] = buf[6] = 0;
		buf[7] = 2;                     /* ifindex */
		put16(buf + 8, 1);              /* ARPHRD_ETHER */
		buf[10] = dir == 1 ? 0 : 4;     /* PACKET_HOST, PACKET_OUTGOING */
		buf[11] = 6;
		memset(buf + 12, 0, 8);
		memcpy(buf + 12, frame + 6, 6);
		n = 20;
		break;
	case DLT_NULL:
		family = type == ETH_P_IP ? 2 : 24;
		memcpy(buf, &family, 4);        /* host order */
		n = 4;
		break;
	case DLT_NFLOG:                 /* family, version, resource id (BE) */
		buf[0] = type == ETH_P_IP ? 2 : 10;
		buf[1] = 0;
		put16(buf + 2, 1);
		tlv[0] = 4 + 5;                 /* NFULA_PREFIX "lwtp", host order */
		tlv[1] = 10;
		memcpy(buf + 4, tlv, 4);
		memcpy(buf + 8, "lwtp\0\0\0\0", 8);
		tlv[0] = (uint16_t)(4 + l3len); /* NFULA_PAYLOAD */
		tlv[1] = 9;
		memcpy(buf + 16, tlv, 4);
		n = 20;
		break;
	default:                                /* raw */
		n = 0;
		break;
	}
	memcpy(buf + n, l3, l3len);
	n += l3len;
	p->n++;
	{
		uint32_t caplen = n < p->snaplen ? n : p->snaplen;
		uint32_t sec = 1700000000 + p->n / 1000, usec = (p->n % 1000) * 1000;

		if (p->ng) {
			uint64_t ts = (uint64_t)sec * 1000000 + usec;
			struct {
				uint32_t ifid, ts_high, ts_low, caplen, len;
			} hdr = { 0, (uint32_t)(ts >> 32), (uint32_t)ts, caplen, (uint32_t)n };
			size_t elen = sizeof(hdr);
			uint32_t flags = dir == 1 ? 1 : 2;      /* inbound, outbound */

			memcpy(epb, &hdr, sizeof(hdr));
			memcpy(epb + elen, buf, caplen);
			elen += caplen;
			memset(epb + elen, 0, (4 - caplen % 4) % 4);
			elen += (4 - caplen % 4) % 4;
			if (dir) {                      /* epb_flags, opt_endofopt */
				uint16_t opt[2] = { 2, 4 };

				memcpy(epb + elen, opt, 4);
				memcpy(epb + elen + 4, &flags, 4);
				memset(epb + elen + 8, 0, 4);
				elen += 12;
			}
			if (ng_block(p->ng, 6, epb, elen, NULL, 0))
				return fail(err, errlen, -EIO, "write: %s", strerror(errno));
		} else {
			struct pcap_pkthdr h = { .caplen = caplen, .len = n };

			h.ts.tv_sec = sec;
			h.ts.tv_usec = usec;
			pcap_dump((u_char *)p->dumper, &h, buf);
		}
	}
	return 0;
}

int pcapout_close(struct pcapout *p)
{
	int err = 0;

	if (!p)
		return 0;
	if (p->ng) {
		if (fclose(p->ng))
			err = -errno;
	} else {
		if (pcap_dump_flush(p->dumper))
			err = -EIO;
		pcap_dump_close(p->dumper);
		pcap_close(p->dead);
	}
	free(p);
	return err;
}
