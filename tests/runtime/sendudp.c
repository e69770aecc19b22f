/* sendudp.c: send COUNT UDP datagrams of PAYLOAD bytes to DST PORT and say
 * how many the kernel took and how many a route's BPF program dropped
 * (sendto fails with EPERM):
 *
 *   sendudp [-t TTL] DST PORT COUNT PAYLOAD     prints "sent N eperm M"
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
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sslen;
	int fd, ttl = -1, opt, i, count, payload, port;
	long sent = 0, eperm = 0;
	char *buf;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt == 't')
			ttl = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind != 4) {
		fprintf(stderr, "usage: sendudp [-t TTL] DST PORT COUNT PAYLOAD\n");
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
	if (ttl >= 0 &&
	    (ss.ss_family == AF_INET
	     ? setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl))
	     : setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)))) {
		perror("sendudp: setsockopt");
		return 1;
	}
	buf = calloc(1, payload ? payload : 1);
	for (i = 0; i < count; i++) {
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
