/* stat_model.c: lwtp stat's model, a snapshot of the maps (stat_model.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode_read.h"
#include "elem.h"
#include "lwtp.h"
#include "maps.h"
#include "stat_model.h"

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

size_t stat_shown(size_t n)
{
	return opts.top && opts.top < n ? opts.top : n;
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

/* ---- one snapshot ---------------------------------------------------------- */

void stat_snap_free(struct snap *s)
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

/* A snapshot read whole (by stat_snap_read()) holds every entry; one of
 * -i, only what changed. */
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

int stat_snap_read(struct snap *s)
{
	const struct layout *l = &s->m->layout;
	int err;

	if (l->kind == LWTP_SET)
		err = elem_read_all(l, l->cgroup ? s->m->ids_fd : s->m->fd, &s->elems, &s->nelems);
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

/* prev and cur are sorted by decode_key_cmp(), as decode_read() leaves
 * them: each entry of cur is found in prev by a binary search. */
int stat_snap_delta(const struct snap *prev, const struct snap *cur, struct snap *out)
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
		__u64 v[LWTP_MAX_VALUES];
		struct entry d = *c;

		if (c->v)
			memcpy(v, c->v, decode_nvalues(l->kind) * sizeof(*v));
		d.v = c->v ? v : NULL;
		p = prev->n ? bsearch(c->key, prev->e, prev->n, sizeof(*prev->e), cmp_key_bytes)
			    : NULL;
		/* unkeyed limits, quotas and keys show their state even so */
		if (!delta_entry(l->kind, p, &d) && (l->nkeys || !decode_nvalues(l->kind)))
			continue;
		if (decode_entry_own(l, &d, c->key, d.v)) {
			decode_free(out->e, out->n);
			out->e = NULL;
			return -ENOMEM;
		}
		out->e[out->n++] = d;
	}
	return 0;
}

/* ---- the maps of a pin directory --------------------------------------------- */

void stat_model_free(struct stat_model *sm)
{
	for (size_t i = 0; i < sm->n; i++) {
		stat_snap_free(&sm->snaps[i]);
		maps_close(&sm->maps[i]);
	}
	free(sm->snaps);
	free(sm->maps);
	memset(sm, 0, sizeof(*sm));
}

/* Room for room maps. */
static int model_alloc(struct stat_model *sm, size_t room)
{
	memset(sm, 0, sizeof(*sm));
	sm->maps = calloc(room + 1, sizeof(*sm->maps));
	sm->snaps = calloc(room + 1, sizeof(*sm->snaps));
	if (sm->maps && sm->snaps)
		return 0;
	stat_model_free(sm);
	p_err("out of memory");
	return -ENOMEM;
}

static bool opened(const struct stat_model *sm, const char *name)
{
	for (size_t i = 0; i < sm->n; i++)
		if (strcmp(sm->maps[i].name, name) == 0)
			return true;
	return false;
}

/* Open the pin dir/name as the model's next map, when it is lwtp's: one
 * that is not is an error when named, else passed over. Whether it is the
 * model's now. */
static bool open_one(struct stat_model *sm, const char *dir, const char *name, bool named)
{
	struct lwtp_map *m = &sm->maps[sm->n];

	if (maps_open(dir, name, m)) {
		sm->errors++;
		return false;
	}
	if (m->layout.kind == LWTP_NOT_OURS) {
		if (named) {
			maps_err_not_ours(m);
			sm->errors++;
		}
		maps_close(m);
		return false;
	}
	if (m->layout.kind == LWTP_CGROUP_IDS) {
		/* a set of cgroups' slots: shown with the set */
		if (named) {
			const char *set = m->escaped;

			if (!strncmp(set, LWTP_CGROUPS_PREFIX, strlen(LWTP_CGROUPS_PREFIX)))
				set += strlen(LWTP_CGROUPS_PREFIX);
			p_err("'%s' holds the ids of a set of cgroups, not a statistic: "
			      "'lwtp set list %s' lists the set", m->escaped, set);
			sm->errors++;
		}
		maps_close(m);
		return false;
	}
	sm->snaps[sm->n].m = m;
	sm->n++;
	return true;
}

/* Leave the model's last map out again. */
static void drop_last(struct stat_model *sm)
{
	sm->n--;
	maps_close(&sm->maps[sm->n]);
	sm->snaps[sm->n].m = NULL;
}

/* Open the lwtp_full_NAME of each map opened, when it is pinned and not
 * opened yet. The model has room for as many again. */
static void open_full_maps(struct stat_model *sm, const char *dir)
{
	char name[sizeof(sm->maps->name)];
	size_t n = sm->n, i;
	int ret;

	for (i = 0; i < n; i++) {
		struct lwtp_map *m = &sm->maps[sm->n];
		enum lwtp_kind kind = sm->maps[i].layout.kind;

		if (kind == LWTP_KEYS || kind == LWTP_SET)
			continue;
		if ((size_t)snprintf(name, sizeof(name), "%s%s", LWTP_FULL_PREFIX,
				     sm->maps[i].name) >= sizeof(name) || opened(sm, name))
			continue;
		ret = maps_try_open(dir, name, m);
		if (ret == -ENOENT)
			continue;       /* an unkeyed statistic has none */
		if (ret) {
			sm->errors++;   /* logged */
			continue;
		}
		if (m->layout.kind != LWTP_KEYS) {
			maps_close(m);  /* not lwtp's: not a statistic's */
			continue;
		}
		sm->snaps[sm->n].m = m;
		sm->n++;
	}
}

static bool named_before(char **names, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(names[k], names[i]) == 0)
			return true;
	return false;
}

static int open_named(struct stat_model *sm, const char *dir, char **names, size_t n)
{
	/* room for an lwtp_full_NAME beside each map named */
	int err = model_alloc(sm, 2 * n);

	for (size_t i = 0; !err && i < n; i++)
		if (!named_before(names, i))    /* named twice: print it once */
			open_one(sm, dir, names[i], true);
	if (!err)
		open_full_maps(sm, dir);
	return err;
}

/* Every lwtp map of dir; with read, each read as it is opened, and one that
 * cannot be read left out. */
static int open_all(struct stat_model *sm, const char *dir, bool read)
{
	char **names;
	size_t n;
	int err;

	err = maps_list(dir, &names, &n);
	if (err)
		return err;
	err = model_alloc(sm, n);
	for (size_t i = 0; !err && i < n; i++) {
		if (!open_one(sm, dir, names[i], false) || !read)
			continue;
		if (stat_snap_read(&sm->snaps[sm->n - 1])) {
			sm->errors++;
			drop_last(sm);
		}
	}
	maps_free_names(names, n);
	return err;
}

int stat_model_open(struct stat_model *sm, const char *dir, char **names, size_t nnames)
{
	if (names)
		return open_named(sm, dir, names, nnames);
	return open_all(sm, dir, false);
}

int stat_model_read(struct stat_model *sm)
{
	size_t i;
	int err;

	for (i = 0; i < sm->n; i++) {
		sm->snaps[i].e = NULL;
		sm->snaps[i].elems = NULL;
		err = stat_snap_read(&sm->snaps[i]);
		if (err) {
			while (i--)
				stat_snap_free(&sm->snaps[i]);
			return err;
		}
	}
	return 0;
}

int stat_model_scrape(struct stat_model *sm, const char *dir)
{
	int err = maps_check_dir(dir);

	memset(sm, 0, sizeof(*sm));
	return err ? err : open_all(sm, dir, true);
}
