/* pcapng_write.c: pcapng captures of raw IP packets, with what the program
 * did to each, for lwtp sample -w FILE.pcapng.
 *
 * The format (draft-ietf-opsawg-pcapng): a file is a Section Header Block,
 * then an Interface Description Block for each interface, then an Enhanced
 * Packet Block for each packet, naming its interface by the IDB's position.
 * A block is its type, its total length, a fixed part, options, and its
 * total length again, all in 32-bit words; numbers are in the writer's byte
 * order, which the SHB's magic tells the reader. An option is a code, a
 * length and a value padded to 32 bits, and the list ends with
 * opt_endofopt.
 *
 * What the samples carry goes where Wireshark shows it: the verdict in
 * epb_verdict ("Verdict", frame.verdict), the verdict and the mark in a
 * comment (frame.comment), since pcapng has no option for a mark, the
 * direction in epb_flags. All packets are on one interface, named after
 * the sample, with nanosecond timestamps (if_tsresol 9). The sample's
 * skb.ifindex does not name the device a packet leaves by, so it makes no
 * interface of its own: at LWT out, a packet sent from this host has no
 * device yet (0), and a forwarded one still has the one it came in by.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <linux/pkt_cls.h>

#include "lwtp.h"
#include "pcapng_write.h"
#include "replay.h"

#ifndef LWTP_VERSION
#define LWTP_VERSION "0.0.0"
#endif

#define NG_BLOCK_SHB            0x0A0D0D0A
#define NG_BLOCK_IDB            0x00000001
#define NG_BLOCK_EPB            0x00000006
#define NG_BYTE_ORDER_MAGIC     0x1A2B3C4D

#define NG_OPT_ENDOFOPT         0
#define NG_OPT_COMMENT          1
#define NG_SHB_OS               3
#define NG_SHB_USERAPPL         4
#define NG_IF_NAME              2
#define NG_IF_TSRESOL           9
#define NG_EPB_FLAGS            2
#define NG_EPB_VERDICT          7

#define NG_LINKTYPE_RAW         101     /* packets start at their IP header */
#define NG_TSRESOL_NS           9       /* units of 10^-9 s */
#define NG_FLAGS_OUTBOUND       0x2     /* epb_flags bits 0-1: 10 outbound */
#define NG_VERDICT_EBPF_TC      1       /* epb_verdict type: a TC_ACT_* */

struct pcapng {
	FILE *f;
	const char *path;
};

/* A block's options, built in place. The longest list written here, the
 * IDB's, holds a sample's name as messages show it (P_ESCAPED_MAX bytes at
 * most) and 12 more; ng_opt() says when one does not fit. */
struct ng_opts {
	unsigned char buf[P_ESCAPED_MAX + 64];
	size_t len;
};

static size_t ng_pad(size_t len)
{
	return (4 - len % 4) % 4;
}

static int ng_opt(struct ng_opts *o, __u16 code, const void *value, size_t len)
{
	__u16 head[2] = { code, (__u16)len };
	size_t need = sizeof(head) + len + ng_pad(len);

	/* room kept for opt_endofopt */
	if (len > UINT16_MAX || need > sizeof(o->buf) - sizeof(head) - o->len)
		return -ENOSPC;
	memcpy(o->buf + o->len, head, sizeof(head));
	memcpy(o->buf + o->len + sizeof(head), value, len);
	memset(o->buf + o->len + sizeof(head) + len, 0, ng_pad(len));
	o->len += need;
	return 0;
}

static int ng_opt_string(struct ng_opts *o, __u16 code, const char *s)
{
	return ng_opt(o, code, s, strlen(s));
}

/* Close the list with opt_endofopt. */
static void ng_opts_end(struct ng_opts *o)
{
	__u16 end[2] = { NG_OPT_ENDOFOPT, 0 };

	memcpy(o->buf + o->len, end, sizeof(end));
	o->len += sizeof(end);
}

static int ng_write_error(const struct pcapng *w)
{
	p_err("cannot write '%s': %s", w->path, strerror(errno ?: EIO));
	return -EIO;
}

/* Write a block and flush it: the fixed part, data padded to 32 bits (the
 * EPB's packet; none for the others), the options. */
static int ng_block(struct pcapng *w, __u32 type, const void *fixed, size_t fixed_len,
		    const void *data, size_t data_len, const struct ng_opts *o)
{
	static const unsigned char zeros[4];
	size_t pad = ng_pad(data_len);
	size_t total = 8 + fixed_len + data_len + pad + o->len + 4;
	__u32 head[2] = { type, (__u32)total };
	__u32 tail = (__u32)total;

	if (total > UINT32_MAX) {
		p_err("cannot write '%s': a packet of %zu bytes is too long for pcapng",
		      w->path, data_len);
		return -EFBIG;
	}
	errno = 0;
	if (fwrite(head, sizeof(head), 1, w->f) != 1 ||
	    fwrite(fixed, fixed_len, 1, w->f) != 1 ||
	    (data_len && fwrite(data, data_len, 1, w->f) != 1) ||
	    (pad && fwrite(zeros, pad, 1, w->f) != 1) ||
	    fwrite(o->buf, o->len, 1, w->f) != 1 ||
	    fwrite(&tail, sizeof(tail), 1, w->f) != 1 ||
	    fflush(w->f))
		return ng_write_error(w);
	return 0;
}

/* ---- the section and its interfaces ------------------------------------------ */

static int ng_write_shb(struct pcapng *w)
{
	struct {
		__u32 magic;
		__u16 major, minor;
		__s64 section_len;
	} __attribute__((packed)) shb = {
		.magic = NG_BYTE_ORDER_MAGIC,
		.major = 1,
		.minor = 0,
		.section_len = -1,      /* not known: the file grows as samples come */
	};
	struct ng_opts o = { .len = 0 };
	struct utsname u;
	char os[sizeof(u.sysname) + sizeof(u.release) + 1];
	int err;

	err = ng_opt_string(&o, NG_SHB_USERAPPL, "lwtp " LWTP_VERSION);
	if (!err && !uname(&u)) {
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
		err = ng_opt_string(&o, NG_SHB_OS, os);
	}
	if (err) {
		p_err("cannot write '%s': the section's options do not fit", w->path);
		return err;
	}
	ng_opts_end(&o);
	return ng_block(w, NG_BLOCK_SHB, &shb, sizeof(shb), NULL, 0, &o);
}

/* The one interface, ID 0, that every packet names: the packets come from
 * the ring of the sample name, whatever device they left by, so it is
 * named after the sample. */
static int ng_write_idb(struct pcapng *w, const char *name)
{
	struct {
		__u16 linktype, reserved;
		__u32 snaplen;
	} idb = {
		.linktype = NG_LINKTYPE_RAW,
		.snaplen = 0,           /* no limit: each sample has its own */
	};
	struct ng_opts o = { .len = 0 };
	__u8 tsresol = NG_TSRESOL_NS;

	if (ng_opt_string(&o, NG_IF_NAME, name) ||
	    ng_opt(&o, NG_IF_TSRESOL, &tsresol, sizeof(tsresol))) {
		p_err("cannot write '%s': the interface's options do not fit", w->path);
		return -ENOSPC;
	}
	ng_opts_end(&o);
	return ng_block(w, NG_BLOCK_IDB, &idb, sizeof(idb), NULL, 0, &o);
}

/* ---- packets ------------------------------------------------------------------ */

/* epb_verdict has types for TC and XDP programs, none for LWT ones. The
 * verdicts an LWT program gives have TC twins of the same number and
 * meaning: BPF_OK 0 is TC_ACT_OK, BPF_DROP 2 TC_ACT_SHOT, BPF_REDIRECT 7
 * TC_ACT_REDIRECT, so "eBPF TC" tells the truth about them. Any other value
 * has no twin: it gets no epb_verdict, and the comment gives its number. */
static bool ng_tc_verdict(__u32 verdict, __u64 *tc)
{
	switch (verdict) {
	case BPF_OK:
		*tc = TC_ACT_OK;
		return true;
	case BPF_DROP:
		*tc = TC_ACT_SHOT;
		return true;
	case BPF_REDIRECT:
		*tc = TC_ACT_REDIRECT;
		return true;
	default:
		return false;
	}
}

/* "lwtp: drop", "lwtp: pass, mark 0x2a", "lwtp: verdict 5": the mark only
 * when there is one, as lwtp sample's lines show it. */
static void ng_comment(const struct pcapw_packet *p, char *buf, size_t size)
{
	const char *verdict = replay_verdict_name(p->verdict);
	int n;

	if (verdict)
		n = snprintf(buf, size, "lwtp: %s", verdict);
	else
		n = snprintf(buf, size, "lwtp: verdict %u", p->verdict);
	if (p->mark && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - n, ", mark 0x%x", p->mark);
}

static int ng_packet_opts(const struct pcapw_packet *p, struct ng_opts *o)
{
	__u32 flags = NG_FLAGS_OUTBOUND;        /* LWT out: leaving by a route */
	unsigned char verdict[1 + sizeof(__u64)] = { NG_VERDICT_EBPF_TC };
	char comment[64];
	__u64 tc;
	int err;

	ng_comment(p, comment, sizeof(comment));
	err = ng_opt_string(o, NG_OPT_COMMENT, comment) ?:
	      ng_opt(o, NG_EPB_FLAGS, &flags, sizeof(flags));
	if (!err && ng_tc_verdict(p->verdict, &tc)) {
		memcpy(verdict + 1, &tc, sizeof(tc));
		err = ng_opt(o, NG_EPB_VERDICT, verdict, sizeof(verdict));
	}
	if (!err)
		ng_opts_end(o);
	return err;                     /* cannot be: under 100 bytes */
}

/* Nanoseconds since the epoch, an unsigned count: a time before the epoch
 * is written as the epoch, one past 2554 (cannot be: the sample's time is a
 * signed 64-bit count) as the last. */
static __u64 ng_time(const struct timespec *ts)
{
	if (ts->tv_sec < 0)
		return 0;
	if ((__u64)ts->tv_sec > (UINT64_MAX - (__u64)ts->tv_nsec) / 1000000000)
		return UINT64_MAX;
	return (__u64)ts->tv_sec * 1000000000 + (__u64)ts->tv_nsec;
}

int pcapng_add(struct pcapng *w, const struct pcapw_packet *p)
{
	__u64 ns = ng_time(&p->ts);
	struct {
		__u32 interface;
		__u32 time_high, time_low;
		__u32 caplen, len;
	} epb = {
		.interface = 0,
		.time_high = (__u32)(ns >> 32),
		.time_low = (__u32)ns,
		.caplen = p->caplen,
		.len = p->len,
	};
	struct ng_opts o = { .len = 0 };
	int err;

	err = ng_packet_opts(p, &o);
	if (err) {
		p_err("cannot write '%s': a packet's options do not fit", w->path);
		return err;
	}
	return ng_block(w, NG_BLOCK_EPB, &epb, sizeof(epb), p->data, p->caplen, &o);
}

/* ---- the file ----------------------------------------------------------------- */

int pcapng_open(const char *path, const char *name, struct pcapng **wp)
{
	struct pcapng *w = calloc(1, sizeof(*w));
	int err;

	*wp = NULL;
	if (!w) {
		p_err("cannot write '%s': %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	w->path = path;
	w->f = fopen(path, "w");
	if (!w->f) {
		err = -errno;
		p_err("cannot write '%s': %s", path, strerror(-err));
		free(w);
		return err;
	}
	err = ng_write_shb(w) ?: ng_write_idb(w, name);
	if (err) {
		pcapng_close(w);
		return err;
	}
	*wp = w;
	return 0;
}

int pcapng_close(struct pcapng *w)
{
	int err = 0;

	if (!w)
		return 0;
	/* every block was flushed: only a late error (NFS, a full disk that
	 * the flush did not see) can be left for fclose() to report */
	if (w->f && fclose(w->f)) {
		err = -errno;
		p_err("cannot write '%s': %s", w->path, strerror(-err));
	}
	free(w);
	return err;
}
