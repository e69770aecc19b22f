/* stat.c: lwtp stat [NAME...]: print the statistics of lwtp policies from
 * their pinned maps, as tables (counters) and bar charts (histograms), as
 * JSON, or in the Prometheus text format; per-second rates with -i; zero
 * them with --reset.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "decode.h"
#include "elem.h"
#include "lwtp.h"
#include "maps.h"
#include "stat.h"

/* ---- ordering ------------------------------------------------------------ */

static const struct layout *sort_layout;

static int cmp_counter(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->packets != y->packets)
		return x->packets > y->packets ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return decode_key_cmp(sort_layout, x->key, y->key);
}

void stat_sort_counters(const struct layout *l, struct entry *e, size_t n)
{
	sort_layout = l;
	if (n > 1)
		qsort(e, n, sizeof(*e), cmp_counter);
}

/* The key fields but the bucket. */
static int key_fields_cmp(const struct layout *l, const void *a, const void *b)
{
	int i, c;

	for (i = 0; i < l->nkeys; i++) {
		c = decode_field_cmp(&l->keys[i], a, b);
		if (c)
			return c;
	}
	return 0;
}

static int cmp_bucket(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	const struct field *bf = &sort_layout->bucket;
	__u64 u, v;
	int c;

	c = key_fields_cmp(sort_layout, x->key, y->key);
	if (c)
		return c;
	u = decode_uint(bf, x->key);
	v = decode_uint(bf, y->key);
	return u < v ? -1 : u > v;
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

int stat_groups(const struct layout *l, struct entry *e, size_t n,
		struct group **groups, size_t *ngroups)
{
	struct group *g = NULL;
	size_t i, ng = 0;

	*groups = NULL;
	*ngroups = 0;
	sort_layout = l;
	if (n > 1)
		qsort(e, n, sizeof(*e), cmp_bucket);
	if (!n)
		return 0;
	g = calloc(n, sizeof(*g));
	if (!g)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!ng || key_fields_cmp(l, e[i].key, e[g[ng - 1].first].key)) {
			g[ng].first = i;
			ng++;
		}
		g[ng - 1].n++;
		g[ng - 1].total += e[i].packets;
	}
	qsort(g, ng, sizeof(*g), cmp_group);
	*groups = g;
	*ngroups = ng;
	return 0;
}

/* ---- reading, rates, resetting ------------------------------------------ */

static void free_snap(struct snap *s)
{
	decode_free(s->e, s->n);
	free(s->elems);
	s->e = NULL;
	s->elems = NULL;
	s->n = s->nelems = 0;
}

static int read_snap(struct snap *s)
{
	const struct layout *l = &s->m->layout;
	int err;

	if (l->kind == LWTP_SET)
		err = elem_read_all(l, s->m->fd, &s->elems, &s->nelems);
	else
		err = decode_read(l, s->m->fd, &s->e, &s->n);
	if (err)
		p_err("cannot read map '%s': %s", s->m->name, strerror(-err));
	return err;
}

static int cmp_key_bytes(const void *key, const void *e)
{
	return decode_key_cmp(sort_layout, key, ((const struct entry *)e)->key);
}

/* cur - prev, key by key (both sorted by decode_key_cmp(), as decode_read()
 * leaves them); a value that went down was reset: it counts from 0. */
static int delta_snap(const struct snap *prev, const struct snap *cur, struct snap *out)
{
	const struct layout *l = &cur->m->layout;
	size_t i;

	*out = *cur;
	out->e = NULL;
	out->n = 0;
	out->elems = NULL;
	out->nelems = cur->nelems;
	if (l->kind == LWTP_SET)
		return 0;
	out->e = calloc(cur->n ? cur->n : 1, sizeof(*out->e));
	if (!out->e)
		return -ENOMEM;
	sort_layout = l;
	for (i = 0; i < cur->n; i++) {
		const struct entry *c = &cur->e[i], *p;
		struct entry d = *c;

		p = prev->n ? bsearch(c->key, prev->e, prev->n, sizeof(*prev->e), cmp_key_bytes)
			    : NULL;
		if (p && c->packets >= p->packets && c->bytes >= p->bytes) {
			d.packets -= p->packets;
			d.bytes -= p->bytes;
		}
		if (!d.packets && !d.bytes)
			continue;
		d.key = malloc(l->key_size);
		if (!d.key) {
			decode_free(out->e, out->n);
			out->e = NULL;
			return -ENOMEM;
		}
		memcpy(d.key, c->key, l->key_size);
		out->e[out->n++] = d;
	}
	return 0;
}

static int reset_map(const struct lwtp_map *m)
{
	const struct layout *l = &m->layout;
	size_t stride = l->percpu ? (l->value_size + 7) / 8 * 8 : l->value_size;
	unsigned char *zero = NULL, *keys = NULL, *grown;
	size_t n = 0, cap = 0, i;
	__u32 idx;
	int err = 0;

	if (l->map_type == BPF_MAP_TYPE_ARRAY || l->map_type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		/* arrays keep their entries: write zeros, for every CPU */
		zero = calloc(l->ncpus, stride);
		if (!zero)
			return -ENOMEM;
		for (idx = 0; idx < l->max_entries; idx++) {
			if (bpf_map_update_elem(m->fd, &idx, zero, BPF_ANY)) {
				err = -errno;
				break;
			}
		}
		free(zero);
		goto out;
	}
	/* hashes: delete the keys, which also makes room for new ones */
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(keys, cap * l->key_size);
			if (!grown) {
				err = -ENOMEM;
				goto out;
			}
			keys = grown;
		}
		if (bpf_map_get_next_key(m->fd, n ? keys + (n - 1) * l->key_size : NULL,
					 keys + n * l->key_size)) {
			if (errno != ENOENT)
				err = -errno;
			break;
		}
		n++;
		if (n > (size_t)l->max_entries + 1024)
			break;
	}
	for (i = 0; !err && i < n; i++) {
		if (bpf_map_delete_elem(m->fd, keys + i * l->key_size) && errno != ENOENT)
			err = -errno;
	}
out:
	free(keys);
	if (err)
		p_err("cannot reset map '%s': %s", m->name, strerror(-err));
	return err;
}

/* ---- the command ------------------------------------------------------------ */

static int print_all(struct snap *snaps, size_t n, double per)
{
	int err;

	if (opts.prometheus)
		err = prom_print(stdout, snaps, n);
	else if (opts.json)
		err = stat_print_json(snaps, n, per);
	else
		err = stat_print_text(snaps, n, per);
	fflush(stdout);
	if (err)
		p_err("cannot print: %s", strerror(-err));
	return err;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_intervals(struct snap *snaps, size_t n)
{
	struct snap *prev, *delta;
	struct timespec next;
	double t_prev, t;
	unsigned long k;
	size_t i;
	int err = 0;

	prev = calloc(n, sizeof(*prev));
	delta = calloc(n, sizeof(*delta));
	if (!prev || !delta) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		prev[i] = snaps[i];     /* the first reading is the baseline */
	t_prev = now();
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (k = 0; !opts.count_set || k < opts.count; k++) {
		next.tv_sec += opts.interval;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		t = now();
		for (i = 0; i < n; i++) {
			snaps[i].e = NULL;
			snaps[i].elems = NULL;
			err = read_snap(&snaps[i]);
			if (err)
				goto out;
		}
		for (i = 0; i < n; i++) {
			err = delta_snap(&prev[i], &snaps[i], &delta[i]);
			if (err)
				goto out;
			free_snap(&prev[i]);
			prev[i] = snaps[i];
			snaps[i].e = NULL;
			snaps[i].elems = NULL;
		}
		if (!opts.json) {
			char stamp[32];
			time_t wall = time(NULL);

			strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&wall));
			printf("%s-- %s, per second over %.2f s --\n", k ? "\n" : "", stamp,
			       t - t_prev);
			if (!n)
				printf("no lwtp maps\n");
		}
		err = print_all(delta, n, t - t_prev);
		for (i = 0; i < n; i++)
			decode_free(delta[i].e, delta[i].n);
		memset(delta, 0, n * sizeof(*delta));
		if (err)
			goto out;
		t_prev = t;
	}
out:
	for (i = 0; prev && i < n; i++) {
		free_snap(&prev[i]);
		snaps[i].e = NULL;
		snaps[i].elems = NULL;
	}
	free(prev);
	free(delta);
	if (err == -ENOMEM)
		p_err("out of memory");
	return err;
}

int do_stat(int argc, char **argv)
{
	struct lwtp_map *maps = NULL;
	struct snap *snaps = NULL;
	char **names = NULL;
	size_t nnames = 0, nmaps = 0, i;
	bool listed = argc == 0, failed = false;
	int ret = LWTP_EXIT_FAIL, err;

	if (opts.interval && opts.prometheus)
		return p_usage("stat: -i and --prometheus do not go together (Prometheus "
			       "computes rates itself)");
	if (opts.interval && opts.reset)
		return p_usage("stat: -i and --reset do not go together");
	if (opts.count_set && !opts.interval)
		return p_usage("stat: -c counts intervals, and wants -i");

	if (maps_check_dir(opts.pin_dir))
		return LWTP_EXIT_FAIL;
	if (listed) {
		if (maps_list(opts.pin_dir, &names, &nnames))
			return LWTP_EXIT_FAIL;
	} else {
		names = argv;
		nnames = argc;
	}
	maps = calloc(nnames ? nnames : 1, sizeof(*maps));
	snaps = calloc(nnames ? nnames : 1, sizeof(*snaps));
	if (!maps || !snaps) {
		p_err("out of memory");
		goto out;
	}

	/* open and check every map before printing or changing anything */
	for (i = 0; i < nnames; i++) {
		struct lwtp_map *m = &maps[nmaps];
		size_t k;

		for (k = 0; k < i && strcmp(names[k], names[i]); k++)
			;
		if (k < i)
			continue;       /* named twice: print it once */
		if (maps_open(opts.pin_dir, names[i], m)) {
			failed = true;
			continue;
		}
		if (m->layout.kind == LWTP_NOT_OURS) {
			if (!listed) {
				maps_err_not_ours(m);
				failed = true;
			}
			maps_close(m);
			continue;
		}
		snaps[nmaps].m = m;
		nmaps++;
	}
	/* named maps must all be fine; of all the maps, the fine ones print */
	if (failed && (!listed || opts.interval))
		goto out;

	for (i = 0; i < nmaps; i++)
		if (read_snap(&snaps[i]))
			goto out;

	if (opts.interval) {
		if (run_intervals(snaps, nmaps))
			goto out;
		ret = LWTP_EXIT_OK;
		goto out;
	}

	if (!nmaps && !opts.json && !opts.prometheus)
		printf("no lwtp maps in %s\n", opts.pin_dir);
	if (print_all(snaps, nmaps, 0))
		goto out;
	if (opts.reset && failed) {
		p_err("nothing was reset");
		goto out;
	}
	if (opts.reset) {
		for (i = 0; i < nmaps; i++) {
			if (maps[i].layout.kind == LWTP_SET)
				continue;       /* sets are not statistics */
			err = reset_map(&maps[i]);
			if (err)
				goto out;
		}
	}
	ret = failed ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
out:
	for (i = 0; snaps && i < nmaps; i++)
		free_snap(&snaps[i]);
	for (i = 0; maps && i < nmaps; i++)
		maps_close(&maps[i]);
	free(snaps);
	free(maps);
	if (listed)
		maps_free_names(names, nnames);
	return ret;
}

