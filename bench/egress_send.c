/* egress_send: UDP datagrams through the real egress path, timed.
 *
 *   egress_send [-C CPU] [-n COUNT | -d SECONDS] [-s SIZE] [-b BATCH] [-p DPORT] DST
 *
 * Sends SIZE-byte (default 64) datagrams to DST (IPv4 or IPv6) port DPORT
 * (default 9) from one unconnected socket with sendmmsg, BATCH (default 64)
 * at a time, until COUNT datagrams went out or SECONDS (default 1) passed.
 * -C pins the sender to a CPU first. Prints one line:
 *
 *   packets N elapsed_ns N cpu_ns N ns_per_packet X cpu_ns_per_packet X
 *
 * elapsed_ns is CLOCK_MONOTONIC around the sending loop, cpu_ns the
 * sender's CPU time over it (CLOCK_THREAD_CPUTIME_ID): what the sending
 * took, including the receive work the kernel does in the sender's context
 * (veth hands a packet to the peer on the same CPU), and excluding the time
 * other tasks had the CPU. The benchmark
 * measures traffic that flows: an error from sendmmsg (EPERM: a route's
 * program or a firewall dropped the datagram) ends the run with exit 1.
 * sendmmsg reports an error only when the first datagram of a call fails,
 * so bench/egress.sh also checks that the device sent as many as counted.
 * Exit: 0 ok, 1 failure, 2 usage.
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
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 1024
#define MAX_SIZE 65000

struct options {
	long cpu;		/* -1: not pinned */
	long count;		/* 0: run for seconds */
	double seconds;
	long size;
	long batch;
	long dport;
	const char *dst;
};

struct batch {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	struct iovec iov;
	struct mmsghdr msgs[MAX_BATCH];
};

static void usage(FILE *f)
{
	fprintf(f, "usage: egress_send [-C CPU] [-n COUNT | -d SECONDS] [-s SIZE] [-b BATCH] "
		"[-p DPORT] DST\n");
}

/* A whole number in [min, max] into *v; 0, or -1 when it is not one. */
static int parse_long(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 0);
	return (errno || end == s || *end || *v < min || *v > max) ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	char *end;
	int opt, bad = 0;

	*o = (struct options){ .cpu = -1, .seconds = 1, .size = 64, .batch = 64, .dport = 9 };
	while ((opt = getopt(argc, argv, "C:n:d:s:b:p:h")) != -1) {
		switch (opt) {
		case 'C': bad |= parse_long(optarg, 0, CPU_SETSIZE - 1, &o->cpu); break;
		case 'n': bad |= parse_long(optarg, 1, 1L << 40, &o->count); break;
		case 's': bad |= parse_long(optarg, 0, MAX_SIZE, &o->size); break;
		case 'b': bad |= parse_long(optarg, 1, MAX_BATCH, &o->batch); break;
		case 'p': bad |= parse_long(optarg, 0, 65535, &o->dport); break;
		case 'd':
			o->seconds = strtod(optarg, &end);
			bad |= (*end || end == optarg || !(o->seconds > 0)) ? -1 : 0;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (bad || argc - optind != 1)
		return -1;
	o->dst = argv[optind];
	return 0;
}

static int pin_to_cpu(long cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "egress_send: cannot pin to CPU %ld: %s\n", cpu, strerror(errno));
		return -1;
	}
	return 0;
}

/* DST and DPORT into b->addr; -1 when DST is not an address. */
static int parse_dst(const struct options *o, struct batch *b)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&b->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&b->addr;

	memset(&b->addr, 0, sizeof(b->addr));
	if (inet_pton(AF_INET, o->dst, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(o->dport);
		b->addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, o->dst, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(o->dport);
		b->addrlen = sizeof(*sin6);
	} else {
		fprintf(stderr, "egress_send: '%s' is not an address\n", o->dst);
		return -1;
	}
	return 0;
}

/* Every message of the batch: the same payload to the same address. */
static void fill_batch(struct batch *b, long size)
{
	static char payload[MAX_SIZE];
	long i;

	for (i = 0; i < size; i++)
		payload[i] = 'a' + i % 26;
	b->iov = (struct iovec){ .iov_base = payload, .iov_len = size };
	for (i = 0; i < MAX_BATCH; i++) {
		b->msgs[i].msg_hdr = (struct msghdr){
			.msg_name = &b->addr, .msg_namelen = b->addrlen,
			.msg_iov = &b->iov, .msg_iovlen = 1,
		};
	}
}

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct result {
	long long packets;
	long long elapsed;	/* ns, CLOCK_MONOTONIC */
	long long cpu;		/* ns, CLOCK_THREAD_CPUTIME_ID */
};

/* Send until o->count datagrams went out or o->seconds passed; what was
 * sent and the time taken into *res. 0, or -1 on an error. */
static int send_loop(int fd, const struct options *o, struct batch *b, struct result *res)
{
	long long cpu = now_ns(CLOCK_THREAD_CPUTIME_ID), start = now_ns(CLOCK_MONOTONIC);
	long long deadline = start + (long long)(o->seconds * 1e9);
	long long sent = 0, t = start;
	long n;
	int r;

	for (;;) {
		if (o->count ? sent >= o->count : t >= deadline)
			break;
		n = o->count && o->count - sent < o->batch ? o->count - sent : o->batch;
		r = sendmmsg(fd, b->msgs, n, 0);
		if (r < 0) {
			fprintf(stderr, "egress_send: sendmmsg to %s after %lld datagrams: %s\n",
				o->dst, sent, strerror(errno));
			return -1;
		}
		sent += r;
		t = now_ns(CLOCK_MONOTONIC);
	}
	res->cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
	res->packets = sent;
	res->elapsed = t - start;
	return 0;
}

static double per_packet(long long ns, long long packets)
{
	return packets ? (double)ns / packets : 0.0;
}

int main(int argc, char **argv)
{
	static struct batch b;
	struct options o;
	struct result res;
	int fd;

	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	if (parse_dst(&o, &b))
		return 2;
	if (o.cpu >= 0 && pin_to_cpu(o.cpu))
		return 1;
	fd = socket(b.addr.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		fprintf(stderr, "egress_send: socket: %s\n", strerror(errno));
		return 1;
	}
	fill_batch(&b, o.size);
	if (send_loop(fd, &o, &b, &res)) {
		close(fd);
		return 1;
	}
	close(fd);
	printf("packets %lld elapsed_ns %lld cpu_ns %lld ns_per_packet %.1f cpu_ns_per_packet %.1f\n",
	       res.packets, res.elapsed, res.cpu, per_packet(res.elapsed, res.packets),
	       per_packet(res.cpu, res.packets));
	return 0;
}
