/* replay_frag.h: put IPv4 and IPv6 fragments back together, so that replay
 * runs the datagram a route saw before fragmentation.
 *
 * A datagram is keyed by source, destination, identification and protocol
 * (IPv4) or source, destination and fragment id (IPv6), and completes when
 * its fragments cover it from the first byte to the end the last one says.
 * At most FRAG_MAX_OPEN datagrams are open at once (at most 64 KiB each):
 * one more evicts the oldest, which is then incomplete.
 */
#ifndef LWTP_REPLAY_FRAG_H
#define LWTP_REPLAY_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define FRAG_MAX_OPEN 256
#define FRAG_MAX_FRAMES 64      /* frame numbers kept per datagram */

struct frag_table;

/* A datagram: whole (frag_add()) or not (frag_take_incomplete()). */
struct frag_datagram {
	__u16 ethertype;
	unsigned char *l3;              /* the whole datagram, when complete */
	__u32 len;
	unsigned long frames[FRAG_MAX_FRAMES];  /* the fragments' frame numbers */
	unsigned nframes;               /* fragments (frames[] holds the first
					 * FRAG_MAX_FRAMES) */
	bool first_flag;                /* frag_add()'s flag of the fragment at
					 * offset 0 */
	bool evicted;                   /* pushed out by newer datagrams */
	char what[160];                 /* "192.0.2.1 > 198.51.100.7 id 0x1c46":
					 * for messages */
	/* private */
	unsigned char hdr[64 * 8];      /* the unfragmentable part of fragment 0 */
	__u32 hdrlen;
	bool have_first, have_last;
	__u32 total;                    /* payload bytes, once the last is in */
	unsigned char *buf;             /* payload */
	__u32 bufsize, got;             /* got: payload bytes received */
	unsigned char *bits;            /* 8-byte units received */
	int family;                     /* 4 or 6 */
	unsigned char dst[16];          /* the destination address */
	unsigned char key[40];
	unsigned long age;
};

int frag_open(struct frag_table **tp);
void frag_close(struct frag_table *t);

/* Whether a packet is a fragment: IPv4 with MF or an offset, IPv6 with a
 * fragment header (after hop-by-hop, routing and destination options). */
bool frag_is_fragment(__u16 ethertype, const void *l3, __u32 len);

/* Add a whole captured fragment (frame num; flag: the caller's, kept for
 * the offset-0 fragment). 1: it completes a datagram, *dgp valid until the
 * next call; 0: kept; -EINVAL: not a fragment replay can use (a bad
 * header), nothing kept; -ENOMEM. */
int frag_add(struct frag_table *t, unsigned long num, __u16 ethertype, const void *l3,
	     __u32 len, bool flag, struct frag_datagram **dgp);

/* An incomplete datagram: one evicted since the last call, or with all, any
 * still open (at the end of the capture), oldest first. 1 with *dgp (valid
 * until the next call of this function), 0 when there is none. */
int frag_take_incomplete(struct frag_table *t, bool all, struct frag_datagram **dgp);

#endif
