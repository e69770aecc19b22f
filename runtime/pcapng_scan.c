/* pcapng_scan.c: the direction of each packet of a pcapng capture (see
 * pcapng_scan.h), from the blocks as they go by to libpcap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapng_scan.h"

#define NG_SHB 0x0a0d0d0au
#define NG_PB  2u               /* obsolete Packet Block */
#define NG_SPB 3u
#define NG_EPB 6u
#define NG_MAX_BLOCK (16u << 20)        /* libpcap reads no longer block */
#define NG_OPT_FLAGS 2                  /* epb_flags, pack_flags */

struct ngscan {
	FILE *in;
	enum { NG_UNDECIDED, NG_ACTIVE, NG_OFF } state;
	bool swap;              /* the section's byte order is not ours */
	unsigned char *blk;     /* the block being read */
	size_t have, cap;
	/* directions of the packets read and not yet asked for: a ring */
	unsigned char *q;
	size_t qhead, qlen, qcap;
};

static uint32_t get32(const struct ngscan *s, const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return s->swap ? __builtin_bswap32(v) : v;
}

static uint16_t get16(const struct ngscan *s, const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return s->swap ? __builtin_bswap16(v) : v;
}

static void push(struct ngscan *s, enum ngscan_dir dir)
{
	if (s->qlen == s->qcap) {
		size_t ncap = s->qcap ? s->qcap * 2 : 256, i;
		unsigned char *nq = malloc(ncap);

		if (!nq) {
			s->state = NG_OFF;      /* directions unknown from here on */
			return;
		}
		for (i = 0; i < s->qlen; i++)
			nq[i] = s->q[(s->qhead + i) % s->qcap];
		free(s->q);
		s->q = nq;
		s->qcap = ncap;
		s->qhead = 0;
	}
	s->q[(s->qhead + s->qlen++) % s->qcap] = (unsigned char)dir;
}

enum ngscan_dir ngscan_next(struct ngscan *s)
{
	enum ngscan_dir dir;

	if (!s || !s->qlen)
		return NGSCAN_DIR_UNKNOWN;
	dir = s->q[s->qhead];
	s->qhead = (s->qhead + 1) % s->qcap;
	s->qlen--;
	return dir;
}

/* The flags option among the options at p (end: the block's trailer). */
static enum ngscan_dir options_dir(const struct ngscan *s, const unsigned char *p,
				   const unsigned char *end)
{
	while (p + 4 <= end) {
		uint16_t code = get16(s, p), len = get16(s, p + 2);

		if (code == 0)                          /* opt_endofopt */
			break;
		if (p + 4 + len > end)
			break;
		if (code == NG_OPT_FLAGS && len == 4) {
			switch (get32(s, p + 4) & 3) {
			case 1: return NGSCAN_DIR_IN;
			case 2: return NGSCAN_DIR_OUT;
			default: return NGSCAN_DIR_UNKNOWN;
			}
		}
		p += 4 + ((len + 3u) & ~3u);
	}
	return NGSCAN_DIR_UNKNOWN;
}

/* One whole block of len bytes at s->blk. */
static void block(struct ngscan *s, uint32_t type, uint32_t len)
{
	const unsigned char *b = s->blk, *end = s->blk + len - 4;
	uint32_t caplen;

	switch (type) {
	case NG_EPB:                    /* ifid, ts (8), caplen, len, data, options */
	case NG_PB:                     /* ifid (2), drops (2), ts (8), caplen, len, ... */
		if (len < 32) {
			push(s, NGSCAN_DIR_UNKNOWN);
			break;
		}
		caplen = get32(s, b + 20);
		if (caplen > len - 32) {
			push(s, NGSCAN_DIR_UNKNOWN);
			break;
		}
		push(s, options_dir(s, b + 28 + ((caplen + 3u) & ~3u), end));
		break;
	case NG_SPB:
		push(s, NGSCAN_DIR_UNKNOWN);
		break;
	default:
		break;
	}
}

/* The bytes libpcap is given, parsed as they go by. */
static void feed(struct ngscan *s, const unsigned char *p, size_t n)
{
	while (n && s->state != NG_OFF) {
		size_t want = 12, take, before;
		uint32_t type, len;

		if (s->have >= 12) {
			type = get32(s, s->blk);
			want = get32(s, s->blk + 4);
		}
		if (s->have >= 12 && (want < 12 || want > NG_MAX_BLOCK || want % 4)) {
			s->state = NG_OFF;      /* libpcap will say what is wrong */
			return;
		}
		if (want > s->cap) {
			unsigned char *nb = realloc(s->blk, want);

			if (!nb) {
				s->state = NG_OFF;
				return;
			}
			s->blk = nb;
			s->cap = want;
		}
		before = s->have;
		take = want - s->have < n ? want - s->have : n;
		memcpy(s->blk + s->have, p, take);
		s->have += take;
		p += take;
		n -= take;
		if (before < 12 && s->have == 12) {     /* type, length, and a magic */
			uint32_t raw, magic;

			memcpy(&raw, s->blk, 4);
			memcpy(&magic, s->blk + 8, 4);
			if (raw == NG_SHB) {    /* a palindrome: the same either way */
				if (magic == 0x1a2b3c4du)
					s->swap = false;
				else if (magic == 0x4d3c2b1au)
					s->swap = true;
				else
					s->state = NG_OFF;
				s->state = s->state == NG_OFF ? NG_OFF : NG_ACTIVE;
			} else if (s->state == NG_UNDECIDED) {
				s->state = NG_OFF;      /* pcap, or not a capture */
			}
			if (s->state == NG_OFF)
				return;
		}
		type = get32(s, s->blk);
		len = get32(s, s->blk + 4);
		if (s->have == len) {
			block(s, type, len);
			s->have = 0;
		}
	}
}

static ssize_t scan_read(void *cookie, char *buf, size_t size)
{
	struct ngscan *s = cookie;
	ssize_t n;

	do
		n = read(fileno(s->in), buf, size);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		feed(s, (const unsigned char *)buf, (size_t)n);
	return n;
}

static int scan_close(void *cookie)
{
	struct ngscan *s = cookie;
	int ret = 0;

	if (s->in != stdin)
		ret = fclose(s->in);
	free(s->blk);
	free(s->q);
	free(s);
	return ret;
}

int ngscan_open(FILE *in, struct ngscan **sp, FILE **fp)
{
	static const cookie_io_functions_t io = { .read = scan_read, .close = scan_close };
	struct ngscan *s = calloc(1, sizeof(*s));

	*sp = NULL;
	*fp = NULL;
	if (!s)
		return -ENOMEM;
	s->in = in;
	*fp = fopencookie(s, "r", io);
	if (!*fp) {
		free(s);
		return -ENOMEM;
	}
	*sp = s;
	return 0;
}
