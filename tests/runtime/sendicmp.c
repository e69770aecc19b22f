/* sendicmp.c: send COUNT ICMP (to an IPv4 DST) or ICMPv6 (to an IPv6 DST)
 * messages of TYPE, code 0, from a raw socket, and say how many the kernel
 * took and how many a route's BPF program dropped (sendto fails with EPERM):
 *
 *   sendicmp [-q TOS] DST TYPE COUNT            prints "sent N eperm M"
 *
 * Each message is an 8-byte header (an echo's: identifier and sequence)
 * and 8 bytes of zeros. The kernel sums ICMPv6 itself; the ICMP sum is
 * computed here. Needs CAP_NET_RAW. Exit status 0 unless some other error
 * happened (then 1, or 2 for usage).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint16_t inet_sum(const unsigned char *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	unsigned char msg[16];
	socklen_t sslen;
	int fd, opt, tos = -1, type, count, i, err;
	long sent = 0, eperm = 0;

	while ((opt = getopt(argc, argv, "q:")) != -1) {
		if (opt != 'q')
			return 2;
		tos = strtol(optarg, NULL, 0);
	}
	if (argc - optind != 3) {
		fprintf(stderr, "usage: sendicmp [-q TOS] DST TYPE COUNT\n");
		return 2;
	}
	type = atoi(argv[optind + 1]);
	count = atoi(argv[optind + 2]);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, argv[optind], &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sslen = sizeof(*sin);
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	} else if (inet_pton(AF_INET6, argv[optind], &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sslen = sizeof(*sin6);
		fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	} else {
		fprintf(stderr, "sendicmp: bad address '%s'\n", argv[optind]);
		return 2;
	}
	if (fd < 0) {
		perror("sendicmp: socket");
		return 1;
	}
	if (tos >= 0) {
		err = ss.ss_family == AF_INET
		    ? setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos))
		    : setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
		if (err) {
			perror("sendicmp: setsockopt");
			return 1;
		}
	}
	for (i = 0; i < count; i++) {
		uint16_t sum;

		memset(msg, 0, sizeof(msg));
		msg[0] = type;
		msg[7] = i;             /* sequence */
		if (ss.ss_family == AF_INET) {
			sum = inet_sum(msg, sizeof(msg));
			memcpy(msg + 2, &sum, 2);
		}
		if (sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&ss, sslen) ==
		    (ssize_t)sizeof(msg)) {
			sent++;
		} else if (errno == EPERM) {
			eperm++;
		} else {
			perror("sendicmp: sendto");
			return 1;
		}
	}
	printf("sent %ld eperm %ld\n", sent, eperm);
	return 0;
}
