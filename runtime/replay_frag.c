/* replay_frag.c: IPv4 and IPv6 reassembly for replay (see replay_frag.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>

#include "replay_frag.h"

#define FRAG_MAX_PAYLOAD 65535u

struct frag_table {
	struct frag_datagram *open[FRAG_MAX_OPEN];
	unsigned n;
	unsigned long clock;
	struct frag_datagram *done;     /* handed out by frag_add(); freed on its
					 * next call */
	struct frag_datagram *taken;    /* handed out by frag_take_incomplete();
					 * freed on its next call */
	struct frag_datagram *evicted;  /* not yet taken */
};

/* One fragment, as parsed. */
struct frag {
	unsigned char key[40];
	const unsigned char *hdr;       /* unfragmentable part */
	__u32 hdrlen, nhoff;            /* IPv6: the next-header byte naming the
					 * fragment header */
	__u8 next;                      /* IPv6: the fragment header's */
	const unsigned char *payload;
	__u32 off, plen;
	bool more;
	__u32 id;
};

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* The offset of the IPv6 fragment header, and of the byte that names it. */
static int ip6_frag_off(const unsigned char *b, __u32 len, __u32 *foff, __u32 *nhoff)
{
	__u32 off = 40, at = 6;
	__u8 nh = b[6];

	while (nh == 0 || nh == 43 || nh == 60) {
		if (off + 8 > len)
			return -EINVAL;
		at = off;
		nh = b[off];
		off += (b[off + 1] + 1u) * 8;
	}
	if (nh != 44 || off + 8 > len)
		return -EINVAL;
	*foff = off;
	*nhoff = at;
	return 0;
}

static int parse(__u16 ethertype, const unsigned char *b, __u32 len, struct frag *f)
{
	__u32 ihl, tot, foff, fo;

	memset(f, 0, sizeof(*f));
	if (ethertype == ETH_P_IP) {
		if (len < 20 || (b[0] >> 4) != 4)
			return -EINVAL;
		ihl = (b[0] & 15u) * 4;
		tot = get16(b + 2);
		if (ihl < 20 || tot < ihl || tot > len)
			return -EINVAL;
		fo = get16(b + 6);
		f->off = (fo & 0x1fff) * 8;
		f->more = fo & 0x2000;
		f->key[0] = 4;
		memcpy(f->key + 1, b + 12, 8);  /* src, dst */
		memcpy(f->key + 9, b + 4, 2);   /* id */
		f->key[11] = b[9];              /* protocol */
		f->id = get16(b + 4);
		f->hdr = b;
		f->hdrlen = ihl;
		f->payload = b + ihl;
		f->plen = tot - ihl;
		return f->off || f->more ? 0 : -EINVAL;
	}
	if (ethertype != ETH_P_IPV6 || len < 40 || (b[0] >> 4) != 6)
		return -EINVAL;
	tot = 40 + get16(b + 4);
	if (tot > len || ip6_frag_off(b, tot, &foff, &f->nhoff))
		return -EINVAL;
	if (foff > sizeof(((struct frag_datagram *)0)->hdr))
		return -EINVAL;
	fo = get16(b + foff + 2);
	f->off = fo & 0xfff8;
	f->more = fo & 1;
	f->next = b[foff];
	f->key[0] = 6;
	memcpy(f->key + 1, b + 8, 32);          /* src, dst */
	memcpy(f->key + 33, b + foff + 4, 4);   /* id */
	f->id = (__u32)get16(b + foff + 4) << 16 | get16(b + foff + 6);
	f->hdr = b;
	f->hdrlen = foff;
	f->payload = b + foff + 8;
	f->plen = tot - foff - 8;
	return 0;
}

bool frag_is_fragment(__u16 ethertype, const void *l3, __u32 len)
{
	const unsigned char *b = l3;
	__u32 foff, nhoff;

	if (ethertype == ETH_P_IP)
		return len >= 20 && (get16(b + 6) & 0x3fff);
	if (ethertype == ETH_P_IPV6)
		return len >= 40 && !ip6_frag_off(b, len, &foff, &nhoff);
	return false;
}

int frag_open(struct frag_table **tp)
{
	*tp = calloc(1, sizeof(**tp));
	return *tp ? 0 : -ENOMEM;
}

static void dg_free(struct frag_datagram *d)
{
	if (!d)
		return;
	free(d->l3);
	free(d->buf);
	free(d->bits);
	free(d);
}

void frag_close(struct frag_table *t)
{
	unsigned i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		dg_free(t->open[i]);
	dg_free(t->done);
	dg_free(t->taken);
	dg_free(t->evicted);
	free(t);
}

/* Remove open[i] from the table, and return it. */
static struct frag_datagram *unlink_open(struct frag_table *t, unsigned i)
{
	struct frag_datagram *d = t->open[i];

	memmove(t->open + i, t->open + i + 1, (t->n - i - 1) * sizeof(*t->open));
	t->n--;
	return d;
}

static struct frag_datagram *dg_new(struct frag_table *t, __u16 ethertype,
				    const struct frag *f)
{
	struct frag_datagram *d = calloc(1, sizeof(*d));
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = f->key[0] == 4 ? AF_INET : AF_INET6;

	if (!d)
		return NULL;
	d->bits = calloc(1, FRAG_MAX_PAYLOAD / 8 / 8 + 1);
	if (!d->bits) {
		free(d);
		return NULL;
	}
	d->ethertype = ethertype;
	d->family = f->key[0];
	memcpy(d->dst, f->key + 1 + (af == AF_INET ? 4 : 16), af == AF_INET ? 4 : 16);
	memcpy(d->key, f->key, sizeof(d->key));
	inet_ntop(af, f->key + 1, src, sizeof(src));
	inet_ntop(af, f->key + 1 + (af == AF_INET ? 4 : 16), dst, sizeof(dst));
	snprintf(d->what, sizeof(d->what), "%s > %s id %#x", src, dst, f->id);
	if (t->n == FRAG_MAX_OPEN) {
		dg_free(t->evicted);    /* the caller did not take it: dropped */
		t->evicted = unlink_open(t, 0);         /* the oldest */
		t->evicted->evicted = true;
	}
	d->age = ++t->clock;
	t->open[t->n++] = d;
	return d;
}

static bool complete(const struct frag_datagram *d)
{
	__u32 u, units;

	if (!d->have_first || !d->have_last)
		return false;
	units = (d->total + 7) / 8;
	for (u = 0; u < units; u++)
		if (!(d->bits[u / 8] & (1u << (u % 8))))
			return false;
	return true;
}

static __u16 ip4_csum(const unsigned char *h, __u32 len)
{
	__u32 sum = 0, i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* The datagram, whole: the first fragment's header, the payload. */
static int build(struct frag_datagram *d)
{
	__u32 len = d->hdrlen + d->total;
	unsigned char *p = malloc(len);

	if (!p)
		return -ENOMEM;
	memcpy(p, d->hdr, d->hdrlen);
	memcpy(p + d->hdrlen, d->buf, d->total);
	if (d->ethertype == ETH_P_IP) {
		put16(p + 2, len > 0xffff ? 0xffff : len);
		put16(p + 6, get16(p + 6) & 0x4000);    /* DF stays */
		put16(p + 10, 0);
		put16(p + 10, ip4_csum(p, d->hdrlen));
	} else {
		put16(p + 4, len - 40 > 0xffff ? 0xffff : len - 40);
	}
	d->l3 = p;
	d->len = len;
	return 0;
}

int frag_add(struct frag_table *t, unsigned long num, __u16 ethertype, const void *l3,
	     __u32 len, bool flag, struct frag_datagram **dgp)
{
	struct frag_datagram *d = NULL;
	struct frag f;
	__u32 u, end;
	unsigned i;
	int err;

	*dgp = NULL;
	dg_free(t->done);
	t->done = NULL;
	if (parse(ethertype, l3, len, &f))
		return -EINVAL;
	end = f.off + f.plen;
	if (end > FRAG_MAX_PAYLOAD)
		return -EINVAL;
	for (i = 0; i < t->n; i++)
		if (!memcmp(t->open[i]->key, f.key, sizeof(f.key))) {
			d = t->open[i];
			break;
		}
	if (!d) {
		d = dg_new(t, ethertype, &f);
		if (!d)
			return -ENOMEM;
		i = t->n - 1;
	}
	if (end > d->bufsize) {
		unsigned char *nb = realloc(d->buf, end);

		if (!nb)
			return -ENOMEM;
		memset(nb + d->bufsize, 0, end - d->bufsize);
		d->buf = nb;
		d->bufsize = end;
	}
	memcpy(d->buf + f.off, f.payload, f.plen);
	d->got += f.plen;
	for (u = f.off / 8; u < (end + 7) / 8; u++)
		d->bits[u / 8] |= 1u << (u % 8);
	if (d->nframes < FRAG_MAX_FRAMES)
		d->frames[d->nframes] = num;
	d->nframes++;
	if (f.off == 0) {
		memcpy(d->hdr, f.hdr, f.hdrlen);
		d->hdrlen = f.hdrlen;
		if (ethertype == ETH_P_IPV6)
			d->hdr[f.nhoff] = f.next;
		d->have_first = true;
		d->first_flag = flag;
	}
	if (!f.more) {
		d->total = end;
		d->have_last = true;
	}
	if (!complete(d))
		return 0;
	unlink_open(t, i);
	t->done = d;
	err = build(d);
	if (err)
		return err;
	*dgp = d;
	return 1;
}

int frag_take_incomplete(struct frag_table *t, bool all, struct frag_datagram **dgp)
{
	*dgp = NULL;
	dg_free(t->taken);
	t->taken = NULL;
	if (t->evicted) {
		t->taken = t->evicted;
		t->evicted = NULL;
	} else if (all && t->n) {
		t->taken = unlink_open(t, 0);
	} else {
		return 0;
	}
	*dgp = t->taken;
	return 1;
}
