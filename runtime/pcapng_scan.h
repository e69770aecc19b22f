/* pcapng_scan.h: what libpcap does not tell of a pcapng capture: the
 * direction of each packet (epb_flags, bits 0-1: 01 inbound, 10 outbound).
 *
 * The scanner sits between the file and libpcap: ngscan_open() gives a
 * FILE that reads the capture for libpcap (pcap_fopen_offline()) and, as the
 * bytes go by, parses the pcapng blocks and queues one direction for each
 * packet block (EPB, SPB, and the obsolete PB), in file order. libpcap
 * returns one packet per such block, so ngscan_next() called once per packet
 * libpcap returns gives that packet's direction. One pass, one read of the
 * input: standard input works as a file does. A capture that is not pcapng
 * goes through untouched, and every packet's direction is unknown.
 */
#ifndef LWTP_PCAPNG_SCAN_H
#define LWTP_PCAPNG_SCAN_H

#include <stdio.h>

enum ngscan_dir {
	NGSCAN_DIR_UNKNOWN = 0,
	NGSCAN_DIR_IN,
	NGSCAN_DIR_OUT,
};

struct ngscan;

/* Read in (closed with the FILE returned, unless it is stdin) through a
 * scanner: *fp is the FILE for libpcap; fclose(*fp) (pcap_close() does it)
 * frees the scanner. 0 or a negative errno (not logged). */
int ngscan_open(FILE *in, struct ngscan **sp, FILE **fp);
/* The direction of the next packet libpcap returns. */
enum ngscan_dir ngscan_next(struct ngscan *s);

#endif
