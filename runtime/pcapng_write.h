/* pcapng_write.h: a pcapng writer for lwtp sample -w FILE.pcapng, which
 * libpcap cannot be: it writes no options, and the options are the point.
 * Each packet is an Enhanced Packet Block that says which way it went
 * (epb_flags: outbound), what the program did with it (epb_verdict, and a
 * comment that names the mark too), with nanosecond timestamps, on one
 * interface of link type RAW named after the sample. pcap_write.c is the
 * only caller.
 *
 * Functions return 0 or a negative errno and log (p_err) what went wrong.
 */
#ifndef LWTP_PCAPNG_WRITE_H
#define LWTP_PCAPNG_WRITE_H

#include "pcap_write.h"

struct pcapng;

/* Create path and write its Section Header Block, and the Interface
 * Description Block of the interface named name, the sample's. */
int pcapng_open(const char *path, const char *name, struct pcapng **wp);
/* Add the packet, and flush it. */
int pcapng_add(struct pcapng *w, const struct pcapw_packet *p);
/* Close the file and free w (NULL: nothing). */
int pcapng_close(struct pcapng *w);

#endif
