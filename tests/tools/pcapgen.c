/* pcapgen: write a capture from packets in the text form of pkt.h, so tests
 * generate their captures instead of committing them.
 *
 *   pcapgen [-l LINK] [-s SNAPLEN] [-n] -o FILE [PACKET...]
 *
 * Each PACKET argument is one packet ("ip4 udp dport 53 payload 10"); with
 * none, packets are read from standard input, one a line: blank lines and
 * '#' comments are skipped, "Nx " before a packet repeats it N times and
 * anything from "=>" on is ignored, so the PACKET lines of a behaviour case
 * can be fed as they are:
 *
 *   sed -n 's/^PACKET //p' tests/behaviour/hist.case | pcapgen -o hist.pcap
 *
 * -l  link type (pcapout.h): ether (default), vlan, qinq, sll, sll2, raw,
 *     ip4, ip6, null, nflog
 * -s  snap length: frames are cut to it, as tcpdump -s does
 * -n  write pcapng instead of pcap
 *
 * The packets' metadata words (mark, priority, cb, gso_*) do not go into a
 * capture; pkttype chooses the Ethernet destination; dir in|out the
 * direction the capture gives it. Exit: 0, 1 on a bad
 * packet (file:line: message on stderr) or a write error, 2 usage.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapout.h"
#include "pkt.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: pcapgen [-l LINK] [-s SNAPLEN] [-n] -o FILE [PACKET...]\n"
		"  LINK: ether vlan qinq sll sll2 raw ip4 ip6 null nflog\n");
}

/* Write one packet text (times copies); 0 or -1 after a message. */
static int put(struct pcapout *out, const char *where, char *text, int times)
{
	static uint8_t frame[14 + 65535 + 40];       /* the longest IP packet */
	struct pkt_spec spec;
	char err[256];
	int len;

	if (pkt_parse(text, &spec, err, sizeof(err)) ||
	    (len = pkt_build(&spec, frame, sizeof(frame), err, sizeof(err))) < 0) {
		fprintf(stderr, "pcapgen: %s: %s\n", where, err);
		return -1;
	}
	while (times-- > 0) {
		if (pcapout_write_dir(out, frame, len, spec.dir, err, sizeof(err))) {
			fprintf(stderr, "pcapgen: %s: %s\n", where, err);
			return -1;
		}
	}
	return 0;
}

static int from_stdin(struct pcapout *out)
{
	char line[2048], where[32], *s, *arrow, *end;
	int lineno = 0, times;
	long v;

	while (fgets(line, sizeof(line), stdin)) {
		lineno++;
		snprintf(where, sizeof(where), "line %d", lineno);
		arrow = strstr(line, "=>");
		if (arrow)
			*arrow = 0;
		s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			continue;
		times = 1;
		if (isdigit((unsigned char)*s)) {
			v = strtol(s, &end, 10);
			if (*end == 'x' && isspace((unsigned char)end[1]) && v > 0 && v <= 100000) {
				times = (int)v;
				s = end + 1;
			}
		}
		if (put(out, where, s, times))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *link = "ether";
	struct pcapout *out;
	unsigned long snaplen = 0;
	bool ng = false;
	char err[256], where[32], *end;
	int opt, i, dlt, ret = 0;

	while ((opt = getopt(argc, argv, "l:s:no:h")) != -1) {
		switch (opt) {
		case 'l':
			link = optarg;
			break;
		case 's':
			snaplen = strtoul(optarg, &end, 10);
			if (*end || !snaplen || snaplen > 262144) {
				fprintf(stderr, "pcapgen: -s wants a snap length from 1 to 262144\n");
				return 2;
			}
			break;
		case 'n':
			ng = true;
			break;
		case 'o':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	dlt = pcapout_link(link);
	if (dlt == -1) {
		fprintf(stderr, "pcapgen: unknown link type '%s'\n", link);
		usage(stderr);
		return 2;
	}
	if (pcapout_open(path, dlt, snaplen, ng, &out, err, sizeof(err))) {
		fprintf(stderr, "pcapgen: %s\n", err);
		return 1;
	}
	if (optind == argc) {
		ret = from_stdin(out);
	} else {
		for (i = optind; i < argc && !ret; i++) {
			snprintf(where, sizeof(where), "packet %d", i - optind + 1);
			ret = put(out, where, argv[i], 1);
		}
	}
	if (pcapout_close(out)) {
		fprintf(stderr, "pcapgen: %s: write error\n", path);
		ret = -1;
	}
	if (ret)
		unlink(path);
	return ret ? 1 : 0;
}
