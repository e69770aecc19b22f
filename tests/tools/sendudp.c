/* sendudp: send UDP datagrams of known sizes and count what sendto says.
 *
 *   sendudp [-p DPORT] [-C CPU] DST SIZE[xCOUNT]...
 *
 * Sends COUNT (default 1) datagrams with SIZE bytes of payload to DST
 * (IPv4 or IPv6) port DPORT (default 9) from an unconnected socket, so that
 * ICMP errors coming back do not fail later sends. -C pins the sender to a
 * CPU. Prints one line:
 *
 *   sent N eperm N errors N
 *
 * (eperm: sendto failed with EPERM, which is what a route's BPF program
 * dropping the packet gives; errors: any other failure, each also reported on
 * stderr). Exit: 0 when there were no other errors, 1 otherwise, 2 usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: sendudp [-p DPORT] [-C CPU] DST SIZE[xCOUNT]...\n");
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	static char payload[65536];
	long dport = 9, cpu = -1, size, count, k;
	unsigned long sent = 0, eperm = 0, errors = 0;
	int opt, fd, i;
	char *end;

	while ((opt = getopt(argc, argv, "p:C:h")) != -1) {
		switch (opt) {
		case 'p':
			dport = strtol(optarg, &end, 0);
			if (*end || dport < 0 || dport > 65535) {
				usage(stderr);
				return 2;
			}
			break;
		case 'C':
			cpu = strtol(optarg, &end, 0);
			if (*end || cpu < 0) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind < 2) {
		usage(stderr);
		return 2;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "sendudp: cannot pin to CPU %ld: %s\n", cpu, strerror(errno));
			return 1;
		}
	}
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, argv[optind], &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(dport);
		sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, argv[optind], &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(dport);
		sslen = sizeof(*sin6);
	} else {
		fprintf(stderr, "sendudp: '%s' is not an address\n", argv[optind]);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		fprintf(stderr, "sendudp: socket: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < (int)sizeof(payload); i++)
		payload[i] = 'a' + i % 26;
	for (i = optind + 1; i < argc; i++) {
		size = strtol(argv[i], &end, 10);
		count = 1;
		if (*end == 'x')
			count = strtol(end + 1, &end, 10);
		if (*end || size < 0 || size > 65000 || count < 0) {
			fprintf(stderr, "sendudp: '%s': expected SIZE or SIZExCOUNT\n", argv[i]);
			return 2;
		}
		for (k = 0; k < count; k++) {
			if (sendto(fd, payload, size, 0, (struct sockaddr *)&ss, sslen) == size) {
				sent++;
			} else if (errno == EPERM) {
				eperm++;
			} else {
				fprintf(stderr, "sendudp: sendto %s (%ld bytes): %s\n",
					argv[optind], size, strerror(errno));
				errors++;
			}
		}
	}
	close(fd);
	printf("sent %lu eperm %lu errors %lu\n", sent, eperm, errors);
	return errors ? 1 : 0;
}
