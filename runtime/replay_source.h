/* replay_source.h: the packets of a capture as the route saw them, and
 * where to run each one; what `lwtp replay` and `lwtp diff` share
 * (replay_source.c).
 *
 * A source reads a capture frame by frame (pcap_read.c) and hands each
 * packet to run to its sink, in the capture's order:
 * - a frame the capture says is incoming (SLL and SLL2 packet type, pcapng
 *   epb_flags) is not run: counted as incoming, and reported ("incoming");
 * - a frame without IP is skipped, with the reason;
 * - a filter expression (tcpdump's) and --route prefixes (replay_select.c)
 *   leave packets out: counted as filtered, not reported;
 * - fragments are put back together (replay_frag.c) unless --fragments: a
 *   datagram is run once, at its last fragment; a datagram whose fragments
 *   are not all there is skipped, with the reason.
 *
 * A target runs one packet through a program the way the route would:
 * with BPF_PROG_TEST_RUN, or, for a packet longer than that takes, through
 * a private route (replay_route.c) opened for the first such packet.
 *
 * Functions return 0 or a negative errno and log (p_err) what went wrong,
 * unless said otherwise.
 */
#ifndef LWTP_REPLAY_SOURCE_H
#define LWTP_REPLAY_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "replay.h"

struct frag_datagram;
struct json;
struct replay_route;
struct replay_source;

/* What became of the capture's frames. The source counts all but
 * via_route; a sink adds to skipped the packets it could not run, and to
 * via_route those it ran through the private route. */
struct replay_counts {
	unsigned long packets;                  /* frames read */
	unsigned long skipped;                  /* frames not run */
	unsigned long incoming, filtered;       /* frames */
	unsigned long reassembled, fragments;   /* datagrams run, their frames */
	unsigned long incomplete;               /* datagrams */
	unsigned long via_route;
	bool selecting;         /* a filter or --route was given */
	bool truncated;         /* the capture could not be read to its end */
};

/* One packet to run: a frame's, or a datagram put back together. */
struct replay_packet {
	unsigned long num;              /* the frame; a datagram's last */
	__u16 ethertype;
	const unsigned char *l3;
	__u32 caplen, wirelen;
	const struct frag_datagram *dg; /* reassembled from these fragments */
};

/* Where the source hands its packets. */
struct replay_sink {
	/* Run one packet: 0, or a negative errno (logged) that ends the
	 * capture. */
	int (*run)(void *arg, const struct replay_packet *p);
	/* A frame or datagram not run, and why; NULL: not reported. */
	void (*skip)(void *arg, unsigned long num, const char *why);
	void *arg;
};

/* The selection of the command line: the filter expression's nwords words
 * (none: no filter), --route's prefixes and --fragments (opts). -EINVAL,
 * with a usage message, for a prefix that is not one; -ENOMEM. */
int replay_source_new(int nwords, char **words, struct replay_source **sp);
/* Open the capture ("-": standard input; path stays valid until
 * replay_source_close()). */
int replay_source_open(struct replay_source *s, const char *capture);
/* Compile the filter, if any, for the capture's link type: -EINVAL, with
 * libpcap's message, for an expression it cannot compile. */
int replay_source_compile(struct replay_source *s);
/* The filter expression, its words joined as tcpdump joins them; NULL. */
const char *replay_source_expression(const struct replay_source *s);
/* The capture's link type's name ("EN10MB", ...). */
const char *replay_source_linktype(const struct replay_source *s);
/* Hand every packet of the capture to sink, counting in c. A capture cut
 * short (logged) sets c->truncated: the packets before the damage count.
 * Errors are the sink's, or -ENOMEM. */
int replay_source_run(struct replay_source *s, const struct replay_sink *sink,
		      struct replay_counts *c);
/* NULL is fine. */
void replay_source_close(struct replay_source *s);

/* How a packet came to be run, after its line: "  reassembled 3,4" (the
 * frames a datagram was put back together from), "  via route (metadata
 * not observed)"; "" for a frame run with BPF_PROG_TEST_RUN. */
void replay_packet_origin_text(const struct replay_packet *p, bool via_route, char *buf,
			       size_t size);
/* The same as members of the JSON object being written: "fragments": [3,
 * 4], "via": "route". */
void replay_packet_origin_json(struct json *j, const struct replay_packet *p, bool via_route);

/* Whether the counts go beyond packets and skipped: a filter or --route
 * was given, or a count of what was not run as captured is not zero. */
bool replay_counts_extended(const struct replay_counts *c);
/* Those counts, after the totals line's start: ", 2 incoming, ...". */
void replay_counts_text(const struct replay_counts *c);
/* The same as members of the JSON object being written. */
void replay_counts_json(const struct replay_counts *c, struct json *j);

/* ---- running one packet ------------------------------------------------- */

/* One program to run packets through. */
struct replay_target {
	int prog_fd;
	const char *name;               /* the private route's name for it */
	struct replay_route *route;     /* opened for the first big packet */
	int route_err;                  /* it could not be */
};

/* Run one packet through t's program: with BPF_PROG_TEST_RUN, or when it
 * is longer than that takes, through the private route (*via_route set;
 * the metadata of o is zero: not observed there). Errors, with why: those
 * of replay_run() and replay_route_run(), and -EINVAL when the route could
 * not be set up. Nothing logged but what replay_route_open() logs. */
int replay_target_run(struct replay_target *t, const struct replay_in *in,
		      struct replay_out *o, bool *via_route, char *why, size_t size);
/* Whether an error of replay_target_run() is the packet's (skip it) and
 * not the replay's (end it). */
bool replay_target_refused(int err, bool via_route);
/* Close the private route, if one was opened. */
void replay_target_close(struct replay_target *t);

#endif
