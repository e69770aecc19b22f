/* sendudp: send UDP datagrams of known sizes and count what sendto says.
 *
 *   sendudp [-p DPORT] [-C CPU] [-t SECONDS | -T DEADLINE_NS] DST SIZE[xCOUNT]...
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
 *
 * With -t or -T it sends without a pause until a time: SECONDS (a decimal
 * number) after it starts, or the CLOCK_REALTIME DEADLINE_NS (nanoseconds
 * since the epoch, as `date +%s%N` prints them: senders given the same one
 * stop together). The SIZE list is gone through again and again, the clock
 * read before each datagram, and the line also says when the sending began
 * and ended (CLOCK_REALTIME, ns):
 *
 *   sent N eperm N errors N start NS end NS
 *
 * start is read before the first sendto, end after the last one returned.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct burst {
	long size, count;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: sendudp [-p DPORT] [-C CPU] [-t SECONDS | -T DEADLINE_NS] DST SIZE[xCOUNT]...\n");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	static char payload[65536];
	long dport = 9, cpu = -1, k;
	unsigned long sent = 0, eperm = 0, errors = 0;
	uint64_t deadline = 0, start, end;
	double seconds = -1;
	struct burst *bursts;
	int opt, fd, i, n, timed = 0;
	char *end_p;

	while ((opt = getopt(argc, argv, "p:C:t:T:h")) != -1) {
		switch (opt) {
		case 'p':
			dport = strtol(optarg, &end_p, 0);
			if (*end_p || dport < 0 || dport > 65535) {
				usage(stderr);
				return 2;
			}
			break;
		case 'C':
			cpu = strtol(optarg, &end_p, 0);
			if (*end_p || cpu < 0) {
				usage(stderr);
				return 2;
			}
			break;
		case 't':
			errno = 0;
			seconds = strtod(optarg, &end_p);
			if (*end_p || errno || !(seconds >= 0 && seconds < 1e6) || timed) {
				usage(stderr);
				return 2;
			}
			timed = 1;
			break;
		case 'T':
			errno = 0;
			deadline = strtoull(optarg, &end_p, 10);
			if (*end_p || errno || !*optarg || *optarg == '-' || timed) {
				usage(stderr);
				return 2;
			}
			timed = 1;
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
	n = argc - optind - 1;
	bursts = calloc(n, sizeof(*bursts));
	if (!bursts) {
		fprintf(stderr, "sendudp: out of memory\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		const char *arg = argv[optind + 1 + i];

		bursts[i].size = strtol(arg, &end_p, 10);
		bursts[i].count = 1;
		if (end_p == arg)
			end_p = "?";
		else if (*end_p == 'x' && end_p[1] >= '0' && end_p[1] <= '9')
			bursts[i].count = strtol(end_p + 1, &end_p, 10);
		if (*end_p || bursts[i].size < 0 || bursts[i].size > 65000 || bursts[i].count < 0) {
			fprintf(stderr, "sendudp: '%s': expected SIZE or SIZExCOUNT\n", arg);
			return 2;
		}
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
	start = now_ns();
	if (seconds >= 0)
		deadline = start + (uint64_t)(seconds * 1e9);
	do {
		for (i = 0; i < n; i++) {
			for (k = 0; k < bursts[i].count; k++) {
				if (timed && now_ns() >= deadline)
					goto done;
				if (sendto(fd, payload, bursts[i].size, 0, (struct sockaddr *)&ss,
					   sslen) == bursts[i].size) {
					sent++;
				} else if (errno == EPERM) {
					eperm++;
				} else {
					fprintf(stderr, "sendudp: sendto %s (%ld bytes): %s\n",
						argv[optind], bursts[i].size, strerror(errno));
					/* a failing socket must not spin until the deadline */
					if (++errors >= 1000 && timed)
						goto done;
				}
			}
		}
	} while (timed && sent + eperm + errors > 0);
done:
	end = now_ns();
	close(fd);
	free(bursts);
	if (timed)
		printf("sent %lu eperm %lu errors %lu start %llu end %llu\n", sent, eperm, errors,
		       (unsigned long long)start, (unsigned long long)end);
	else
		printf("sent %lu eperm %lu errors %lu\n", sent, eperm, errors);
	return errors ? 1 : 0;
}
