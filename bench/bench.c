/* bench: ns/packet of LWT_OUT programs under BPF_PROG_TEST_RUN, as ratios.
 *
 *   bench [-n REPEAT] [-r ROUNDS] [-p PACKET] [-m] REFERENCE PROGRAM... FLOOR
 *
 * Programs are OBJ:SECTION. The first is the reference, the last the floor
 * (an empty program, bench/empty.bpf.c). Each round runs every program
 * once with REPEAT (default 1000000) repetitions of the same packet (the
 * text form of tests/tools/pkt.h, metadata included; default "ip4 udp
 * payload 100"), in an order that rotates from round to round, and times
 * the call (wall clock / REPEAT: the kernel's own figure is whole ns).
 * Timings drift between rounds, so what is reported for each program are
 * medians of ratios taken within a round:
 *
 *   /ref      ns / the reference's ns
 *   /floor    ns / the floor's ns
 *   own       (ns - floor) / (reference - floor): the program's own cost
 *             against the reference's, with the test-run harness taken out
 *
 * and its median and smallest ns/packet, and its verdict. -m prints one
 * tab-separated line per program instead of the table:
 *
 *   OBJ:SECTION VERDICT NS MIN_NS /REF /FLOOR OWN
 *
 * Objects load privately (unpinned maps). Exit: 0 ok, 1 failure, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "benchprog.h"
#include "objload.h"

#define MAX_PROGS 8
#define MAX_ROUNDS 1001

enum { R_REF, R_FLOOR, R_OWN, N_RATIOS };

struct timed {
	struct bench_prog prog;
	uint32_t retval;
	double ns[MAX_ROUNDS];
	double ratio[N_RATIOS][MAX_ROUNDS];
};

struct options {
	int repeat, rounds, tsv;
	const char *packet;
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

static double smallest(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

/* ns per run of repeat runs */
static int time_runs(struct timed *t, const struct bench_packet *pkt, int repeat, double *ns)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (bench_run(&t->prog, pkt, repeat, &t->retval, NULL))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / repeat;
	return 0;
}

/* One round: every program once, starting at the round's own; round -1
 * warms up and is not kept. */
static int run_round(struct timed *t, int n, const struct bench_packet *pkt, int repeat, int round)
{
	int k;

	for (k = 0; k < n; k++) {
		struct timed *s = &t[(k + (round < 0 ? 0 : round)) % n];
		double ns;

		if (time_runs(s, pkt, repeat, &ns))
			return -1;
		if (round >= 0)
			s->ns[round] = ns;
	}
	return 0;
}

static void keep_ratios(struct timed *t, int n, int round)
{
	double ref = t[0].ns[round], empty = t[n - 1].ns[round];
	int i;

	for (i = 0; i < n; i++) {
		t[i].ratio[R_REF][round] = t[i].ns[round] / ref;
		t[i].ratio[R_FLOOR][round] = t[i].ns[round] / empty;
		t[i].ratio[R_OWN][round] = (t[i].ns[round] - empty) / (ref - empty);
	}
}

/* What is reported of a program */
struct summary {
	char verdict[16];
	double ns, min_ns, ratio[N_RATIOS];
};

static void summarize(const struct timed *t, int rounds, struct summary *s)
{
	char buf[16];
	int r;

	snprintf(s->verdict, sizeof(s->verdict), "%s", bench_verdict(t->retval, buf, sizeof(buf)));
	s->ns = median(t->ns, rounds);
	s->min_ns = smallest(t->ns, rounds);
	for (r = 0; r < N_RATIOS; r++)
		s->ratio[r] = median(t->ratio[r], rounds);
}

static void report(const struct timed *t, int n, const struct bench_packet *pkt,
		   const struct options *o)
{
	const char *fmt = o->tsv ? "%s\t%s\t%.2f\t%.2f\t%.3f\t%.3f\t%.3f\n"
				 : "%-50s %7s %9.2f %7.2f %7.3f %7.3f %7.3f\n";
	struct summary s;
	int i;

	if (!o->tsv) {
		printf("packet: %s (%ld bytes from L3), %d rounds of %d runs\n",
		       pkt->text, pkt->l3_len, o->rounds, o->repeat);
		printf("%-50s %7s %9s %7s %7s %7s %7s\n", "program", "verdict", "ns/packet",
		       "min", "/ref", "/floor", "own");
	}
	for (i = 0; i < n; i++) {
		summarize(&t[i], o->rounds, &s);
		printf(fmt, t[i].prog.arg, s.verdict, s.ns, s.min_ns, s.ratio[R_REF],
		       s.ratio[R_FLOOR], s.ratio[R_OWN]);
	}
	if (!o->tsv)
		printf("medians over rounds of per-round ratios; reference %s, floor %s;\n"
		       "own = (ns - floor) / (reference - floor)\n", t[0].prog.arg,
		       t[n - 1].prog.arg);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	char *end;
	int opt;

	*o = (struct options){ .repeat = 1000000, .rounds = 21, .packet = "ip4 udp payload 100" };
	while ((opt = getopt(argc, argv, "n:r:p:mh")) != -1) {
		switch (opt) {
		case 'n':
			o->repeat = strtol(optarg, &end, 0);
			if (*end || o->repeat < 1)
				return -1;
			break;
		case 'r':
			o->rounds = strtol(optarg, &end, 0);
			if (*end || o->rounds < 1 || o->rounds > MAX_ROUNDS - 1)
				return -1;
			break;
		case 'p':
			o->packet = optarg;
			break;
		case 'm':
			o->tsv = 1;
			break;
		default:
			return -1;
		}
	}
	return argc - optind < 2 || argc - optind > MAX_PROGS ? -1 : 0;
}

int main(int argc, char **argv)
{
	static struct timed t[MAX_PROGS];
	static struct bench_packet pkt;
	struct options o;
	int n, i, round, err = 0;

	if (parse_options(argc, argv, &o)) {
		fprintf(stderr, "usage: bench [-n REPEAT] [-r ROUNDS] [-p PACKET] [-m] "
			"REFERENCE PROGRAM... FLOOR\n");
		return 2;
	}
	if (bench_packet_build(&pkt, o.packet))
		return 2;
	objload_quiet_libbpf(0);
	n = argc - optind;
	for (i = 0; i < n; i++)
		if (bench_prog_open(&t[i].prog, argv[optind + i]))
			return 1;
	for (round = -1; round < o.rounds && !err; round++) {
		err = run_round(t, n, &pkt, o.repeat, round);
		if (!err && round >= 0)
			keep_ratios(t, n, round);
	}
	if (!err)
		report(t, n, &pkt, &o);
	for (i = 0; i < n; i++)
		bench_prog_close(&t[i].prog);
	return err ? 1 : 0;
}
