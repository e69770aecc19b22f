/* pcap_write.h: write a capture of raw IP packets (link type RAW: each
 * starts at its IPv4 or IPv6 header), flushed packet by packet, for lwtp
 * sample -w. A path that ends in ".pcapng" gets pcapng (pcapng_write.c),
 * where each packet carries its verdict and mark; any other path, and "-"
 * (standard output), a classic pcap through libpcap, which has nowhere to
 * put them. Kept apart from the BPF headers, whose struct bpf_insn
 * libpcap's would clash with.
 *
 * Functions return 0 or a negative errno and log (p_err) what went wrong.
 */
#ifndef LWTP_PCAP_WRITE_H
#define LWTP_PCAP_WRITE_H

#include <time.h>
#include <linux/types.h>

struct pcapw;

/* One packet as the program saw it leave. */
struct pcapw_packet {
	struct timespec ts;     /* CLOCK_REALTIME; tv_nsec in [0, 1e9) */
	const void *data;       /* caplen bytes, from the IP header on */
	__u32 caplen;
	__u32 len;              /* the packet's whole length */
	__u32 verdict;          /* the program's: BPF_OK, BPF_DROP */
	__u32 mark;             /* skb.mark as it left */
};

/* Create the capture path ("-": standard output) of the packets of the
 * sample name (pcapng names its interface so). */
int pcapw_open(const char *path, const char *name, struct pcapw **wp);
/* Add a packet and flush it: a reader may follow the file. */
int pcapw_add(struct pcapw *w, const struct pcapw_packet *p);
/* Finish the capture and free w (NULL: nothing); fails when the last
 * bytes cannot be written. */
int pcapw_close(struct pcapw *w);

#endif
