/* sendudp.c: send COUNT UDP datagrams of PAYLOAD bytes to DST PORT and say
 * how many the kernel took and how many a route's BPF program dropped
 * (sendto fails with EPERM):
 *
 *   sendudp [-t TTL] [-q TOS] [-r RATE] DST PORT COUNT PAYLOAD
 *                                               prints "sent N eperm M"
 *
 * -q sets the IPv4 TOS or IPv6 traffic class (DSCP << 2 | ECN); -r sends
 * RATE datagrams a second, each at its own time on the monotonic clock
 * (steady traffic, however long a sendto takes), rather than at once.
 *
 * Exit status 0 unless some other error happened (then 1, or 2 for usage).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int set_opt(int fd, int family, int opt4, int opt6, int v)
{
	if (family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, opt4, &v, sizeof(v));
	return setsockopt(fd, IPPROTO_IPV6, opt6, &v, sizeof(v));
}

/* Wait until the i-th of a series of sends RATE a second from start. */
static void pace(const struct timespec *start, long i, double rate)
{
	struct timespec at = *start;
	double off = i / rate;

	at.tv_sec += (time_t)off;
	at.tv_nsec += (long)((off - (time_t)off) * 1e9);
	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct timespec start;
	socklen_t sslen;
	int fd, ttl = -1, tos = -1, opt, i, count, payload, port;
	long sent = 0, eperm = 0;
	double rate = 0;
	char *buf;

	while ((opt = getopt(argc, argv, "t:q:r:")) != -1) {
		if (opt == 't')
			ttl = atoi(optarg);
		else if (opt == 'q')
			tos = strtol(optarg, NULL, 0);
		else if (opt == 'r' && (rate = atof(optarg)) > 0)
			;
		else
			return 2;
	}
	if (argc - optind != 4) {
		fprintf(stderr, "usage: sendudp [-t TTL] [-q TOS] [-r RATE] DST PORT COUNT PAYLOAD\n");
		return 2;
	}
	port = atoi(argv[optind + 1]);
	count = atoi(argv[optind + 2]);
	payload = atoi(argv[optind + 3]);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, argv[optind], &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, argv[optind], &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sslen = sizeof(*sin6);
	} else {
		fprintf(stderr, "sendudp: bad address '%s'\n", argv[optind]);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("sendudp: socket");
		return 1;
	}
	if ((ttl >= 0 && set_opt(fd, ss.ss_family, IP_TTL, IPV6_UNICAST_HOPS, ttl)) ||
	    (tos >= 0 && set_opt(fd, ss.ss_family, IP_TOS, IPV6_TCLASS, tos))) {
		perror("sendudp: setsockopt");
		return 1;
	}
	buf = calloc(1, payload ? payload : 1);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < count; i++) {
		if (rate > 0)
			pace(&start, i, rate);
		if (sendto(fd, buf, payload, 0, (struct sockaddr *)&ss, sslen) == payload) {
			sent++;
		} else if (errno == EPERM) {
			eperm++;
		} else {
			perror("sendudp: sendto");
			return 1;
		}
	}
	printf("sent %ld eperm %ld\n", sent, eperm);
	return 0;
}
