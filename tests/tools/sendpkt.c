/* sendpkt: send packets given in the text form of pkt.h, and say for each
 * what sendto said.
 *
 *   sendpkt [PACKET...]          (none: one a line on standard input)
 *
 * Input lines as pcapgen reads them ('#' comments, "Nx " repeats, "=> ..."
 * ignored). A packet is sent whole, headers included, through a raw socket
 * (IPPROTO_RAW: IP_HDRINCL, IPV6_HDRINCL) to its destination address, so
 * the route to that address, and a BPF program on it, sees these bytes
 * (for IPv4 the kernel rewrites the total length and the header checksum).
 * A line starting with "sock " sends a UDP
 * packet through an ordinary UDP socket instead (source port sport, dport,
 * payload; the kernel builds the headers), as applications do.
 *
 * Prints one line per packet sent, "N ok", "N eperm" (what a route's BPF
 * program dropping it gives) or "N error MESSAGE", then
 * "sent N eperm N errors N". Exit: 0 when there was no other error, 1
 * otherwise, 2 usage.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkt.h"

static int raw4 = -1, raw6 = -1;
static unsigned long n, sent, eperm, errors;

static void report(int err)
{
	n++;
	if (!err) {
		sent++;
		printf("%lu ok\n", n);
	} else if (err == EPERM) {
		eperm++;
		printf("%lu eperm\n", n);
	} else {
		errors++;
		printf("%lu error %s\n", n, strerror(err));
	}
}

static int raw_socket(int family)
{
	int *fd = family == AF_INET ? &raw4 : &raw6;

	if (*fd < 0) {
		*fd = socket(family, SOCK_RAW, IPPROTO_RAW);
		if (*fd < 0) {
			perror("sendpkt: raw socket");
			exit(1);
		}
	}
	return *fd;
}

static void set_addr(const struct pkt_spec *s, uint16_t port, bool dst,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (s->family == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		memcpy(&a->sin_addr, dst ? s->dst : s->src, 4);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		memcpy(&a->sin6_addr, dst ? s->dst : s->src, 16);
		*len = sizeof(*a);
	}
}

static void send_raw(const struct pkt_spec *s, const uint8_t *frame, int len)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd = raw_socket(s->family == 4 ? AF_INET : AF_INET6);

	set_addr(s, 0, true, &ss, &sslen);
	if (sendto(fd, frame + 14, len - 14, 0, (struct sockaddr *)&ss, sslen) < 0)
		report(errno);
	else
		report(0);
}

/* A UDP datagram from an ordinary socket bound to src:sport. */
static void send_sock(const struct pkt_spec *s)
{
	static char payload[65536];
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd, one = 1, err = 0;

	fd = socket(s->family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0) {
		report(errno);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	set_addr(s, s->sport, false, &ss, &sslen);
	if (bind(fd, (struct sockaddr *)&ss, sslen) < 0)
		err = errno;
	set_addr(s, s->dport, true, &ss, &sslen);
	memset(payload, 'a', sizeof(payload));
	if (!err && sendto(fd, payload, s->payload > 0 ? s->payload : 0, 0,
			   (struct sockaddr *)&ss, sslen) < 0)
		err = errno;
	close(fd);
	report(err);
}

/* One packet text; 0, or -1 on a bad packet. */
static int one(const char *where, char *text, int times)
{
	static uint8_t frame[PKT_MAX_FRAME];
	struct pkt_spec spec;
	char err[256];
	bool sock = false;
	int len = 0;

	while (isspace((unsigned char)*text))
		text++;
	if (!strncmp(text, "sock ", 5)) {
		sock = true;
		text += 5;
	}
	if (pkt_parse(text, &spec, err, sizeof(err)) ||
	    (!sock && (len = pkt_build(&spec, frame, sizeof(frame), err, sizeof(err))) < 0)) {
		fprintf(stderr, "sendpkt: %s: %s\n", where, err);
		return -1;
	}
	if (!spec.family || (sock && spec.proto != IPPROTO_UDP)) {
		fprintf(stderr, "sendpkt: %s: only IP packets, and only UDP with 'sock'\n", where);
		return -1;
	}
	while (times-- > 0) {
		if (sock)
			send_sock(&spec);
		else
			send_raw(&spec, frame, len);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char line[2048], where[32], *s, *arrow, *end;
	int i, lineno = 0, times;
	long v;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: sendpkt [PACKET...]\n");
		return 0;
	}
	for (i = 1; i < argc; i++) {
		snprintf(where, sizeof(where), "packet %d", i);
		if (one(where, argv[i], 1))
			return 2;
	}
	while (argc == 1 && fgets(line, sizeof(line), stdin)) {
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
		if (one(where, s, times))
			return 2;
	}
	printf("sent %lu eperm %lu errors %lu\n", sent, eperm, errors);
	return errors ? 1 : 0;
}
