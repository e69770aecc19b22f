/* stat.c: lwtp stat [NAME...]: print the statistics of lwtp policies from
 * their pinned maps, as tables (counters, limits, quotas) and bar charts
 * (histograms), each keyed one with what its lwtp_full_NAME counts, as JSON,
 * or in the Prometheus text format; per-second rates with -i; zero them,
 * renew quotas and refill limits with --reset.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "decode.h"
#include "elem.h"
#include "lwtp.h"
#include "maps.h"
#include "problems.h"
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

static __u64 budget_weight(const struct entry *e)
{
	if (sort_layout->kind == LWTP_LIMIT)
		return e->v[LIM_PASSED] + e->v[LIM_EXCEEDED];
	return e->v[QUOTA_USED];
}

static int cmp_budget(const void *a, const void *b)
{
	__u64 x = budget_weight(a), y = budget_weight(b);

	if (x != y)
		return x > y ? -1 : 1;
	return decode_key_cmp(sort_layout, ((const struct entry *)a)->key,
			      ((const struct entry *)b)->key);
}

void stat_sort_budgets(const struct layout *l, struct entry *e, size_t n)
{
	sort_layout = l;
	if (n > 1)
		qsort(e, n, sizeof(*e), cmp_budget);
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

/* ---- lwtp_full_NAME, limits --------------------------------------------- */

const char *stat_full_of_name(const char *name)
{
	size_t len = strlen(LWTP_FULL_PREFIX);

	return strncmp(name, LWTP_FULL_PREFIX, len) == 0 ? name + len : NULL;
}

const struct snap *stat_full_of(const struct snap *snaps, size_t n, const struct snap *s)
{
	const char *of;
	size_t i;

	if (s->m->layout.kind == LWTP_KEYS || s->m->layout.kind == LWTP_SET)
		return NULL;
	for (i = 0; i < n; i++) {
		if (snaps[i].m->layout.kind != LWTP_KEYS)
			continue;
		of = stat_full_of_name(snaps[i].m->name);
		if (of && strcmp(of, s->m->name) == 0)
			return &snaps[i];
	}
	return NULL;
}

bool stat_printed_with(const struct snap *snaps, size_t n, const struct snap *s)
{
	const char *of = stat_full_of_name(s->m->name);
	size_t i;

	if (s->m->layout.kind != LWTP_KEYS || !of)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(snaps[i].m->name, of) == 0)
			return stat_full_of(snaps, n, &snaps[i]) == s;
	return false;
}

void stat_keys(const struct snap *full, __u64 *inserted, __u64 *refused)
{
	*inserted = full && full->n ? full->e[0].v[KEYS_INSERTED] : 0;
	*refused = full && full->n ? full->e[0].v[KEYS_REFUSED] : 0;
}

const char *stat_unit_name(__u64 unit)
{
	switch (unit) {
	case LWTP_UNIT_PACKETS: return "packets";
	case LWTP_UNIT_BYTES:   return "bytes";
	case LWTP_UNIT_BITS:    return "bits";
	default:                return "units";
	}
}

static __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* As the program brings a bucket up to date (lwtc's lwtp_limit_take()), in
 * 128 bits: tokens + elapsed * rate * scale / period_ns, capped at burst *
 * scale. */
double stat_limit_tokens(const struct entry *e)
{
	unsigned __int128 moved, gained, cap;
	__u64 scale = e->v[LIM_SCALE], last = e->v[LIM_LAST_NS], now = monotonic_ns();
	__u64 period = e->v[LIM_PERIOD_NS], rate = e->v[LIM_RATE], burst = e->v[LIM_BURST];

	if (!scale || !period)
		return 0;               /* no packet yet: nothing is known */
	if (!last)
		return burst;           /* a new (or refilled) bucket starts full */
	cap = (unsigned __int128)burst * scale;
	gained = 0;
	if (now > last) {
		moved = (unsigned __int128)(now - last) * rate;
		if (moved >= (unsigned __int128)burst * period)
			return burst;   /* long enough to fill it */
		gained = moved / period * scale + moved % period * scale / period;
	}
	gained += e->v[LIM_TOKENS];
	if (gained > cap)
		gained = cap;
	return (double)gained / scale;
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

/* How many keys entries sorted by their key fields (decode_key_cmp(), or
 * stat_groups()) have: a histogram's are the runs of equal key fields (an
 * entry a bucket); others, one an entry. */
static size_t count_keys(const struct layout *l, const struct entry *e, size_t n)
{
	size_t i, keys = n ? 1 : 0;

	if (l->kind != LWTP_HIST)
		return n;
	for (i = 1; i < n; i++)
		keys += key_fields_cmp(l, e[i - 1].key, e[i].key) != 0;
	return keys;
}

/* A snapshot read whole (by read_snap(), or by lwtp replay's own reader)
 * holds every entry; one of -i, only what changed. */
size_t stat_stored(const struct snap *s)
{
	if (s->delta)
		return s->stored;
	return s->m->layout.kind == LWTP_SET ? s->nelems : s->n;
}

size_t stat_stored_keys(const struct snap *s)
{
	if (s->delta)
		return s->stored_keys;
	return s->m->layout.kind == LWTP_SET ? s->nelems : count_keys(&s->m->layout, s->e, s->n);
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
		p_err("cannot read map '%s': %s", s->m->escaped, strerror(-err));
	return err;
}

static int cmp_key_bytes(const void *key, const void *e)
{
	return decode_key_cmp(sort_layout, key, ((const struct entry *)e)->key);
}

/* d - p for what counts in d (packets, bytes, passed, over, ...: see
 * decode_value_counts()); a value that went down was reset: it counts from
 * 0. Whether the entry changed: it counted something, or the program wrote
 * its state (a quota's used, a bucket's tokens) meanwhile. */
static bool delta_entry(enum lwtp_kind kind, const struct entry *p, struct entry *d)
{
	bool changed;
	int i;

	if (p && d->packets >= p->packets && d->bytes >= p->bytes) {
		d->packets -= p->packets;
		d->bytes -= p->bytes;
	}
	changed = !p || d->packets || d->bytes;
	for (i = 0; i < decode_nvalues(kind); i++) {
		if (!decode_value_counts(kind, i)) {
			changed = changed || d->v[i] != p->v[i];
			continue;
		}
		if (p && d->v[i] >= p->v[i])
			d->v[i] -= p->v[i];
		changed = changed || d->v[i];
	}
	return changed;
}

/* cur - prev, key by key (both sorted by decode_key_cmp(), as decode_read()
 * leaves them); a value that went down was reset: it counts from 0. */
static int delta_snap(const struct snap *prev, const struct snap *cur, struct snap *out)
{
	const struct layout *l = &cur->m->layout;
	size_t i;

	*out = *cur;
	out->delta = true;
	out->stored = stat_stored(cur);
	out->stored_keys = stat_stored_keys(cur);
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
		/* unkeyed limits, quotas and keys show their state even so */
		if (!delta_entry(l->kind, p, &d) && (l->nkeys || !decode_nvalues(l->kind)))
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

/* The keys of a hash map, at most max_entries + 1024 of them (a map that
 * changes while it is read may give some twice). Free *keys. */
static int hash_keys(const struct lwtp_map *m, unsigned char **keys, size_t *n)
{
	const struct layout *l = &m->layout;
	unsigned char *out = NULL, *grown;
	size_t cap = 0, k = 0;
	int err = 0;

	for (;;) {
		if (k == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(out, cap * l->key_size);
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			out = grown;
		}
		if (bpf_map_get_next_key(m->fd, k ? out + (k - 1) * l->key_size : NULL,
					 out + k * l->key_size)) {
			if (errno != ENOENT)
				err = -errno;
			break;
		}
		k++;
		if (k > (size_t)l->max_entries + 1024)
			break;
	}
	if (err) {
		free(out);
		out = NULL;
		k = 0;
	}
	*keys = out;
	*n = k;
	return err;
}

static bool is_array(const struct layout *l)
{
	return l->map_type == BPF_MAP_TYPE_ARRAY || l->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* Arrays keep their entries: write zeros, for every CPU. */
static int zero_array(const struct lwtp_map *m)
{
	const struct layout *l = &m->layout;
	size_t stride = l->percpu ? (l->value_size + 7) / 8 * 8 : l->value_size;
	unsigned char *zero = calloc(l->ncpus, stride);
	__u32 idx;
	int err = 0;

	if (!zero)
		return -ENOMEM;
	for (idx = 0; idx < l->max_entries && !err; idx++)
		if (bpf_map_update_elem(m->fd, &idx, zero, BPF_ANY))
			err = -errno;
	free(zero);
	return err;
}

/* Hashes: delete the keys, which also makes room for new ones. */
static int delete_keys(const struct lwtp_map *m)
{
	size_t size = m->layout.key_size, n, i;
	unsigned char *keys;
	int err;

	err = hash_keys(m, &keys, &n);
	for (i = 0; !err && i < n; i++)
		if (bpf_map_delete_elem(m->fd, keys + i * size) && errno != ENOENT)
			err = -errno;
	free(keys);
	return err;
}

/* Write 0 into the members of one entry (all of them __u64: see
 * decode.c's value_specs), keeping the others. */
static int zero_members(const struct lwtp_map *m, const void *key, unsigned char *val,
			const int *members, int n, __u64 flags)
{
	const struct layout *l = &m->layout;
	int i;

	if (bpf_map_lookup_elem(m->fd, key, val))
		return errno == ENOENT ? 0 : -errno;    /* deleted meanwhile */
	for (i = 0; i < n; i++)
		memset(val + l->val_off[members[i]], 0, sizeof(__u64));
	if (bpf_map_update_elem(m->fd, key, val, flags))
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

/* Write 0 into the members of every entry: a limit's or quota's, which are
 * not per CPU. */
static int zero_members_all(const struct lwtp_map *m, const int *members, int n)
{
	const struct layout *l = &m->layout;
	unsigned char *val = malloc(l->value_size), *keys = NULL;
	size_t nkeys = 0, i;
	__u32 idx;
	int err = 0;

	if (!val)
		return -ENOMEM;
	if (is_array(l)) {
		for (idx = 0; idx < l->max_entries && !err; idx++)
			err = zero_members(m, &idx, val, members, n, BPF_ANY);
	} else {
		err = hash_keys(m, &keys, &nkeys);
		for (i = 0; !err && i < nkeys; i++)
			err = zero_members(m, keys + i * l->key_size, val, members, n, BPF_EXIST);
	}
	free(keys);
	free(val);
	return err;
}

/* What --reset does (docs/lwtp.1): counters, histograms and lwtp_full_NAME
 * are zeroed; a quota is renewed (used and over 0, its budget kept); a
 * limit's buckets are refilled (a keyed one's entries deleted, an unkeyed
 * one's last_ns 0: a new bucket, or one with last_ns 0, starts full) and
 * its counts zeroed. A ring has nothing to reset but its lwtp_full_NAME. */
static int reset_map(const struct lwtp_map *m)
{
	static const int renew[] = { QUOTA_USED, QUOTA_OVER };
	static const int refill[] = { LIM_TOKENS, LIM_LAST_NS, LIM_PASSED, LIM_EXCEEDED };
	const struct layout *l = &m->layout;
	int err;

	if (l->kind == LWTP_RING || l->kind == LWTP_SET)
		return 0;
	if (l->kind == LWTP_QUOTA)
		err = zero_members_all(m, renew, sizeof(renew) / sizeof(renew[0]));
	else if (l->kind == LWTP_LIMIT && is_array(l))
		err = zero_members_all(m, refill, sizeof(refill) / sizeof(refill[0]));
	else if (is_array(l))
		err = zero_array(m);
	else
		err = delete_keys(m);
	if (err)
		p_err("cannot reset map '%s': %s", m->escaped, strerror(-err));
	return err;
}

/* ---- the command ------------------------------------------------------------ */

static bool opened(const struct lwtp_map *maps, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(maps[i].name, name) == 0)
			return true;
	return false;
}

/* Open the lwtp_full_NAME of each map named, when it is pinned and was not
 * named too, so that it prints (and resets) with its statistic. maps and
 * snaps have room for as many again. */
static int open_full_maps(struct lwtp_map *maps, struct snap *snaps, size_t *nmaps)
{
	char name[sizeof(maps->name)];
	size_t n = *nmaps, i;
	int err = 0, ret;

	for (i = 0; i < n; i++) {
		struct lwtp_map *m = &maps[*nmaps];
		enum lwtp_kind kind = maps[i].layout.kind;

		if (kind == LWTP_KEYS || kind == LWTP_SET)
			continue;
		if ((size_t)snprintf(name, sizeof(name), "%s%s", LWTP_FULL_PREFIX,
				     maps[i].name) >= sizeof(name) || opened(maps, *nmaps, name))
			continue;
		ret = maps_try_open(opts.pin_dir, name, m);
		if (ret == -ENOENT)
			continue;       /* an unkeyed statistic has none */
		if (ret) {
			err = ret;      /* logged */
			continue;
		}
		if (m->layout.kind != LWTP_KEYS) {
			maps_close(m);  /* not lwtp's: not a statistic's */
			continue;
		}
		snaps[*nmaps].m = m;
		(*nmaps)++;
	}
	return err;
}

void stat_free_all(struct stat_all *all)
{
	for (size_t i = 0; i < all->n; i++) {
		free_snap(&all->snaps[i]);
		maps_close(&all->maps[i]);
	}
	free(all->snaps);
	free(all->maps);
	memset(all, 0, sizeof(*all));
}

int stat_read_all(const char *dir, struct stat_all *all)
{
	char **names;
	size_t nnames;
	int err;

	memset(all, 0, sizeof(*all));
	err = maps_check_dir(dir);
	if (!err)
		err = maps_list(dir, &names, &nnames);
	if (err)
		return err;
	all->maps = calloc(nnames + 1, sizeof(*all->maps));
	all->snaps = calloc(nnames + 1, sizeof(*all->snaps));
	if (!all->maps || !all->snaps) {
		maps_free_names(names, nnames);
		stat_free_all(all);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nnames; i++) {
		struct lwtp_map *m = &all->maps[all->n];
		struct snap *s = &all->snaps[all->n];

		if (maps_open(dir, names[i], m)) {
			all->errors++;
			continue;
		}
		if (m->layout.kind == LWTP_NOT_OURS) {
			maps_close(m);
			continue;
		}
		s->m = m;
		if (read_snap(s)) {
			all->errors++;
			maps_close(m);
			s->m = NULL;
			continue;
		}
		all->n++;
	}
	maps_free_names(names, nnames);
	return 0;
}

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
static int read_round(struct snap *snaps, size_t n, double *when)
{
	double start = now();
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		snaps[i].e = NULL;
		snaps[i].elems = NULL;
		err = read_snap(&snaps[i]);
		if (err) {
			while (i--)
				free_snap(&snaps[i]);
			return err;
		}
	}
	*when = (start + now()) / 2;
	return 0;
}

/* The first round is the baseline: it prints nothing. Rounds start SEC
 * apart on the monotonic clock, however long reading and printing take. */
static int run_intervals(struct snap *snaps, size_t n)
{
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
	err = read_round(snaps, n, &t_prev);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		prev[i] = snaps[i];
		snaps[i].e = NULL;
		snaps[i].elems = NULL;
	}
	for (k = 0; !opts.count_set || k < opts.count; k++) {
		next.tv_sec += opts.interval;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		err = read_round(snaps, n, &t);
		if (err)
			goto out;
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
			free_snap(&prev[i]);
		if (delta)
			decode_free(delta[i].e, delta[i].n);
		free_snap(&snaps[i]);   /* read, but not yet moved to prev */
	}
	free(prev);
	free(delta);
	if (err == -ENOMEM)
		p_err("out of memory");
	return err;
}

int do_stat(int argc, char **argv)
{
	struct stat_places places = { 0 };
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
	if (opts.output && !opts.prometheus)
		return p_usage("stat: -o writes the Prometheus text, and wants --prometheus");
	if (opts.listen)
		return p_usage("stat: --listen is the exporter's");

	if (maps_check_dir(opts.pin_dir))
		return LWTP_EXIT_FAIL;
	/* a pin removed or replaced under a route: say where the counts went */
	problems_warn_hidden(opts.pin_dir);
	if (listed) {
		if (maps_list(opts.pin_dir, &names, &nnames))
			return LWTP_EXIT_FAIL;
	} else {
		names = argv;
		nnames = argc;
	}
	/* room for an lwtp_full_NAME beside each map named */
	maps = calloc(2 * nnames + 1, sizeof(*maps));
	snaps = calloc(2 * nnames + 1, sizeof(*snaps));
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
	if (!listed && open_full_maps(maps, snaps, &nmaps))
		failed = true;
	/* named maps must all be fine; of all the maps, the fine ones print */
	if (failed && (!listed || opts.interval))
		goto out;
	/* once, not per map or round: the policies and routes of the maps */
	if (!opts.prometheus && stat_where_find(&places, snaps, nmaps))
		goto out;

	if (opts.interval) {
		if (run_intervals(snaps, nmaps))
			goto out;
		ret = LWTP_EXIT_OK;
		goto out;
	}

	for (i = 0; i < nmaps; i++)
		if (read_snap(&snaps[i]))
			goto out;

	if (!nmaps && !opts.json && !opts.prometheus) {
		printf("no lwtp maps in %s\n", opts.pin_dir);
		maps_hint_unpinned();
	}
	err = print_all(snaps, nmaps, 0);
	if (err < 0)
		goto out;
	if (err)
		failed = true;  /* a map left out is not reset either */
	if (opts.reset && failed) {
		p_err("nothing was reset");
		goto out;
	}
	if (opts.reset) {
		for (i = 0; i < nmaps; i++) {
			err = reset_map(&maps[i]);
			if (err)
				goto out;
		}
	}
	ret = failed ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
out:
	stat_where_free(&places);
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

