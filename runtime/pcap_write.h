/* pcap_write.h: write a capture of raw IP packets (link type RAW: each
 * starts at its IPv4 or IPv6 header), flushed packet by packet, through
 * libpcap. Kept apart from the BPF headers, whose struct bpf_insn libpcap's
 * would clash with.
 *
 * Functions return 0 or a negative errno and log (p_err) what went wrong.
 */
#ifndef LWTP_PCAP_WRITE_H
#define LWTP_PCAP_WRITE_H

#include <sys/time.h>
#include <linux/types.h>

struct pcapw;

/* Create the capture path ("-": standard output). */
int pcapw_open(const char *path, struct pcapw **wp);
/* Add a packet of len bytes, of which caplen are in data, and flush it. */
int pcapw_add(struct pcapw *w, const struct timeval *ts, const void *data, __u32 caplen,
	      __u32 len);
void pcapw_close(struct pcapw *w);

#endif
