/* stat.c: lwtp stat [NAME...]: print the statistics of lwtp policies from
 * their pinned maps, as tables (counters, limits, quotas) and bar charts
 * (histograms), each keyed one with what its lwtp_full_NAME counts, as JSON,
 * or in the Prometheus text format; per-second rates with -i; zero them,
 * renew quotas and refill limits with --reset.
 *
 * The command: it builds the model (stat_model.h: the maps, read), chooses
 * the printer (stat_print.h, prom.h) and, with -i, reads again and again.
 * Its options are checked before it runs (main.c's table).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "lwtp.h"
#include "maps.h"
#include "problems.h"
#include "prom.h"
#include "stat_model.h"
#include "stat_print.h"
#include "stat_reset.h"

/* stat --prometheus -o FILE: a temporary file beside FILE, renamed over
 * it when whole, so that node_exporter's textfile collector never reads
 * half of it. 0644: the collector may run as another user. */
static int prom_print_file(const char *path, struct snap *snaps, size_t n)
{
	char *tmp = malloc(strlen(path) + sizeof(".lwtp-XXXXXX"));
	int fd, ret, err = 0;
	FILE *f;

	if (!tmp)
		return -ENOMEM;
	sprintf(tmp, "%s.lwtp-XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0 || fchmod(fd, 0644) || !(f = fdopen(fd, "w"))) {
		err = -errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		p_err("cannot write %s: %s", tmp, strerror(-err));
		free(tmp);
		return err;
	}
	ret = prom_print(f, snaps, n);
	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && ret >= 0 && rename(tmp, path))
		err = -errno;
	if (err || ret < 0) {
		unlink(tmp);
		if (err)
			p_err("cannot write %s: %s", path, strerror(-err));
	}
	free(tmp);
	return err ? err : ret;
}

/* The number of maps left out (prom_print()), or a negative errno. */
static int print_all(struct snap *snaps, size_t n, double per)
{
	int ret;

	if (opts.prometheus && opts.output)
		ret = prom_print_file(opts.output, snaps, n);
	else if (opts.prometheus)
		ret = prom_print(stdout, snaps, n);
	else if (opts.json)
		ret = stat_print_json(snaps, n, per);
	else
		ret = stat_print_text(snaps, n, per);
	fflush(stdout);
	if (ret < 0)
		p_err("cannot print: %s", strerror(-ret));
	return ret;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One round of -i: every map read, one after the other with nothing in
 * between, and one time for all of them, halfway through the reading.
 * Rates divide by the time between two rounds' times: one interval for
 * every map, so that maps fed by the same packets show the same rates. A
 * map read early in the round and one read late both count over that
 * interval, as long as reading takes about as long each round. On error,
 * nothing read is kept. */
static int read_round(struct stat_model *sm, double *when)
{
	double start = now();
	int err = stat_model_read(sm);

	*when = (start + now()) / 2;
	return err;
}

/* The round just read becomes the one the next is compared with. */
static void keep_round(struct snap *prev, struct snap *snaps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		stat_snap_free(&prev[i]);
		prev[i] = snaps[i];
		snaps[i].e = NULL;
		snaps[i].elems = NULL;
	}
}

/* "-- 21:42:17, per second over 1.00 s --" over each round of the text */
static void print_round_head(unsigned long k, double seconds, size_t n)
{
	char stamp[32];
	time_t wall = time(NULL);

	strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&wall));
	printf("%s-- %s, per second over %.2f s --\n", k ? "\n" : "", stamp, seconds);
	if (!n)
		printf("no lwtp maps\n");
}

/* The first round is the baseline: it prints nothing. Rounds start SEC
 * apart on the monotonic clock, however long reading and printing take. */
static int run_intervals(struct stat_model *sm)
{
	struct snap *snaps = sm->snaps;
	size_t n = sm->n;
	struct snap *prev, *delta;
	struct timespec next;
	double t_prev, t;
	unsigned long k;
	size_t i;
	int err = 0;

	prev = calloc(n + 1, sizeof(*prev));
	delta = calloc(n + 1, sizeof(*delta));
	if (!prev || !delta) {
		err = -ENOMEM;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	err = read_round(sm, &t_prev);
	if (err)
		goto out;
	keep_round(prev, snaps, n);
	for (k = 0; !opts.count_set || k < opts.count; k++) {
		next.tv_sec += opts.interval;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		err = read_round(sm, &t);
		if (err)
			goto out;
		for (i = 0; i < n && !err; i++)
			err = stat_snap_delta(&prev[i], &snaps[i], &delta[i]);
		if (err)
			goto out;
		keep_round(prev, snaps, n);
		if (!opts.json)
			print_round_head(k, t - t_prev, n);
		err = print_all(delta, n, t - t_prev);     /* not --prometheus: none left out */
		for (i = 0; i < n; i++)
			decode_free(delta[i].e, delta[i].n);
		memset(delta, 0, n * sizeof(*delta));
		if (err)
			goto out;
		t_prev = t;
	}
out:
	for (i = 0; i < n; i++) {
		if (prev)
			stat_snap_free(&prev[i]);
		if (delta)
			decode_free(delta[i].e, delta[i].n);
		stat_snap_free(&snaps[i]);   /* read, but not yet moved to prev */
	}
	free(prev);
	free(delta);
	if (err == -ENOMEM)
		p_err("out of memory");
	return err;
}

/* Read the maps, print them, reset them when asked: the exit status. */
static int print_once(struct stat_model *sm, bool failed)
{
	int err;

	if (stat_model_read(sm))
		return LWTP_EXIT_FAIL;
	if (!sm->n && !opts.json && !opts.prometheus) {
		printf("no lwtp maps in %s\n", opts.pin_dir);
		maps_hint_unpinned();
	}
	err = print_all(sm->snaps, sm->n, 0);
	if (err < 0)
		return LWTP_EXIT_FAIL;
	if (err)
		failed = true;  /* a map left out is not reset either */
	if (opts.reset && failed) {
		p_err("nothing was reset");
		return LWTP_EXIT_FAIL;
	}
	for (size_t i = 0; opts.reset && i < sm->n; i++)
		if (stat_reset_map(&sm->maps[i]))
			return LWTP_EXIT_FAIL;
	return failed ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
}

int do_stat(int argc, char **argv)
{
	struct stat_places places = { 0 };
	struct stat_model sm = { 0 };
	bool listed = argc == 0;
	int ret = LWTP_EXIT_FAIL;

	if (maps_check_dir(opts.pin_dir))
		return LWTP_EXIT_FAIL;
	/* once, not per map or round: what runs where, for the policies and
	 * routes of the maps and the warnings of counts no pin shows */
	stat_places_read(&places, opts.pin_dir);
	/* a pin removed or replaced under a route: say where the counts went */
	if (places.known)
		problems_warn_hidden(&places.inv);
	/* open and check every map before printing or changing anything */
	if (stat_model_open(&sm, opts.pin_dir, listed ? NULL : argv, argc))
		goto out;
	/* named maps must all be fine; of all the maps, the fine ones print */
	if (sm.errors && (!listed || opts.interval))
		goto out;
	if (!opts.prometheus && stat_where_find(&places, sm.snaps, sm.n))
		goto out;
	if (opts.interval)
		ret = run_intervals(&sm) ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
	else
		ret = print_once(&sm, sm.errors != 0);
out:
	stat_places_free(&places);
	stat_model_free(&sm);
	return ret;
}
