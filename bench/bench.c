/* bench: ns/packet of LWT_OUT programs under BPF_PROG_TEST_RUN, as ratios.
 *
 *   bench [-n REPEAT] [-r ROUNDS] [-p PACKET] OBJ:SECTION OBJ:SECTION [OBJ:SECTION...]
 *
 * The first program is the subject, the second the reference, the last the
 * floor (an empty program). Each round runs every program once with REPEAT
 * (default 1000000) repetitions of the same packet (pkt.h text form, default
 * "ip4 udp payload 100"), in an order that rotates from round to round, and
 * times the call (wall clock / REPEAT: the kernel's own figure is whole ns). Timings drift between rounds, so what
 * is reported are medians of ratios taken within a round:
 *
 *   subject/reference, subject/floor, reference/floor, and
 *   (subject-floor)/(reference-floor): the program's own cost against the
 *   reference's, with the test-run harness subtracted.
 *
 * Objects load privately (unpinned maps). Exit: 0 ok, 1 failure, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "objload.h"
#include "pkt.h"

#define MAX_PROGS 8
#define MAX_ROUNDS 1001

struct subject {
	const char *arg;
	char path[1024];
	const char *section;
	struct bpf_object *obj;
	int fd;
	double ns[MAX_ROUNDS];
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double tmp[MAX_ROUNDS];

	memcpy(tmp, v, n * sizeof(double));
	qsort(tmp, n, sizeof(double), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static int open_subject(struct subject *s)
{
	struct bpf_program *prog;
	char *colon;

	snprintf(s->path, sizeof(s->path), "%s", s->arg);
	colon = strrchr(s->path, ':');
	s->section = NULL;
	if (colon) {
		*colon = 0;
		s->section = colon + 1;
	}
	if (objload(s->path, &s->obj, stderr))
		return -1;
	bpf_object__for_each_program(prog, s->obj) {
		if (!s->section || !strcmp(bpf_program__section_name(prog), s->section)) {
			s->fd = bpf_program__fd(prog);
			return 0;
		}
	}
	fprintf(stderr, "bench: %s: no section '%s'\n", s->path, s->section);
	return -1;
}

static int run_once(struct subject *s, const void *frame, int len, int repeat, double *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = frame,
		.data_size_in = len,
		.repeat = repeat,
	);

	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (bpf_prog_test_run_opts(s->fd, &opts)) {
		fprintf(stderr, "bench: %s: BPF_PROG_TEST_RUN: %s\n", s->arg, strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* opts.duration is the kernel's mean in whole ns: too coarse for
	 * ratios near 1. One syscall per REPEAT runs costs next to nothing. */
	*ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / repeat;
	return 0;
}

static const char *short_name(const struct subject *s)
{
	const char *b = strrchr(s->path, '/');

	return b ? b + 1 : s->path;
}

int main(int argc, char **argv)
{
	static struct subject subj[MAX_PROGS];
	static uint8_t frame[PKT_MAX_FRAME];
	const char *packet = "ip4 udp payload 100";
	double r[4][MAX_ROUNDS];
	int repeat = 1000000, rounds = 21, n, i, k, round, len, opt;
	struct pkt_spec spec;
	char err[256];
	char *end;

	while ((opt = getopt(argc, argv, "n:r:p:h")) != -1) {
		switch (opt) {
		case 'n':
			repeat = strtol(optarg, &end, 0);
			if (*end || repeat < 1)
				goto usage;
			break;
		case 'r':
			rounds = strtol(optarg, &end, 0);
			if (*end || rounds < 1 || rounds > MAX_ROUNDS - 1)
				goto usage;
			break;
		case 'p':
			packet = optarg;
			break;
		default:
			goto usage;
		}
	}
	n = argc - optind;
	if (n < 2 || n > MAX_PROGS)
		goto usage;
	if (pkt_parse(packet, &spec, err, sizeof(err)) ||
	    (len = pkt_build(&spec, frame, sizeof(frame), err, sizeof(err))) < 0) {
		fprintf(stderr, "bench: packet '%s': %s\n", packet, err);
		return 2;
	}
	objload_quiet_libbpf(0);
	for (i = 0; i < n; i++) {
		subj[i].arg = argv[optind + i];
		if (open_subject(&subj[i]))
			return 1;
	}

	/* one warm-up round, not counted */
	for (round = -1; round < rounds; round++) {
		for (k = 0; k < n; k++) {
			struct subject *s = &subj[(k + (round < 0 ? 0 : round)) % n];
			double ns;

			if (run_once(s, frame, len, repeat, &ns))
				return 1;
			if (round >= 0)
				s->ns[round] = ns;
		}
		if (round < 0)
			continue;
		r[0][round] = subj[0].ns[round] / subj[1].ns[round];
		r[1][round] = subj[0].ns[round] / subj[n - 1].ns[round];
		r[2][round] = subj[1].ns[round] / subj[n - 1].ns[round];
		r[3][round] = (subj[0].ns[round] - subj[n - 1].ns[round]) /
			      (subj[1].ns[round] - subj[n - 1].ns[round]);
	}

	printf("packet: %s (%ld bytes from L3), %d rounds of %d runs\n",
	       packet, pkt_l3_len(&spec), rounds, repeat);
	printf("%-50s %10s\n", "program", "ns/packet");
	for (i = 0; i < n; i++)
		printf("%-50s %10.2f   (median; min %.2f)\n", subj[i].arg, median(subj[i].ns, rounds),
		       (qsort(subj[i].ns, rounds, sizeof(double), cmp_double), subj[i].ns[0]));
	printf("ratios, medians of per-round ratios:\n");
	printf("  %-44s %6.3f\n", "subject / reference:", median(r[0], rounds));
	if (n > 2) {
		printf("  %-44s %6.3f\n", "subject / floor:", median(r[1], rounds));
		printf("  %-44s %6.3f\n", "reference / floor:", median(r[2], rounds));
		printf("  %-44s %6.3f\n", "(subject-floor) / (reference-floor):", median(r[3], rounds));
	}
	printf("  subject %s, reference %s, floor %s\n", short_name(&subj[0]),
	       short_name(&subj[1]), short_name(&subj[n - 1]));
	for (i = 0; i < n; i++)
		bpf_object__close(subj[i].obj);
	return 0;
usage:
	fprintf(stderr, "usage: bench [-n REPEAT] [-r ROUNDS] [-p PACKET] OBJ:SECTION OBJ:SECTION [OBJ:SECTION...]\n");
	return 2;
}
