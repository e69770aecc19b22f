/* stat_json.c: lwtp stat --json; the schema is in docs/lwtp.1, "JSON OUTPUT". */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <linux/bpf.h>

#include "decode_format.h"
#include "elem.h"
#include "json.h"
#include "lwtp.h"
#include "routes.h"
#include "stat_model.h"
#include "stat_print.h"

static void json_value(struct json *j, __u64 v, double per)
{
	if (per > 0)
		json_double(j, v / per);
	else
		json_uint(j, v);
}

static void json_key_fields(struct json *j, const struct layout *l, const void *key)
{
	char buf[128];
	int i;

	json_object_start(j);
	for (i = 0; i < l->nkeys; i++) {
		const struct field *f = &l->keys[i];

		json_key(j, f->name);
		if (decode_field_is_number(f))
			json_uint(j, decode_uint(f, key));
		else if (f->kind == FK_BOOL)
			json_bool(j, decode_uint(f, key) != 0);
		else if (decode_field(f, key, buf, sizeof(buf)) >= 0)
			json_string(j, buf);
		else
			json_null(j);
	}
	json_object_end(j);
}

static void json_buckets(struct json *j, const struct layout *l, const struct entry *e,
			 size_t n, double per)
{
	__u64 lo, hi, b;
	bool has_hi;
	size_t i;

	json_array_start(j);
	for (i = 0; i < n; i++) {
		b = decode_uint(&l->bucket, e[i].key);
		json_object_start(j);
		json_key(j, "bucket");
		json_uint(j, b);
		if (!decode_bucket_range(&l->bucket, b, &lo, &hi, &has_hi)) {
			json_key(j, "low");
			json_uint(j, lo);
			json_key(j, "high");
			if (has_hi)
				json_uint(j, hi);
			else
				json_null(j);
		}
		json_key(j, "count");
		json_value(j, e[i].packets, per);
		json_object_end(j);
	}
	json_array_end(j);
}

/* "unit", then the parameters and state of a limit's bucket or a quota's
 * budget, in its unit; with -i the counts (passed, exceeded, over) are
 * rates. */
static void json_budget_values(struct json *j, enum lwtp_kind kind, const struct entry *e,
			       double per)
{
	__u64 used = e->v[QUOTA_USED], limit = e->v[QUOTA_LIMIT];

	json_key(j, "unit");
	json_string(j, stat_unit_name(e->v[kind == LWTP_LIMIT ? LIM_UNIT : QUOTA_UNIT]));
	if (kind == LWTP_LIMIT) {
		json_key(j, "rate");
		json_uint(j, e->v[LIM_RATE]);
		json_key(j, "period_ns");
		json_uint(j, e->v[LIM_PERIOD_NS]);
		json_key(j, "burst");
		json_uint(j, e->v[LIM_BURST]);
		json_key(j, "tokens");
		json_double(j, stat_limit_tokens(e));
		json_key(j, "passed");
		json_value(j, e->v[LIM_PASSED], per);
		json_key(j, "exceeded");
		json_value(j, e->v[LIM_EXCEEDED], per);
		return;
	}
	json_key(j, "limit");
	json_uint(j, limit);
	json_key(j, "used");
	json_uint(j, used);
	json_key(j, "left");
	json_uint(j, used < limit ? limit - used : 0);
	json_key(j, "over");
	json_value(j, e->v[QUOTA_OVER], per);
}

static void json_budget(struct json *j, struct snap *s, double per)
{
	const struct layout *l = &s->m->layout;
	size_t i, shown;

	stat_sort_budgets(l, s->e, s->n);
	shown = stat_shown(s->n);
	json_key(j, "entries");
	json_array_start(j);
	for (i = 0; i < shown; i++) {
		json_object_start(j);
		json_key(j, "key");
		json_key_fields(j, l, s->e[i].key);
		json_budget_values(j, l->kind, &s->e[i], per);
		json_object_end(j);
	}
	json_array_end(j);
}

/* "inserted", "refused" of an lwtp_full_NAME; with -i, rates */
static void json_full_counts(struct json *j, const struct snap *full, const char *inserted,
			     const char *refused, double per)
{
	__u64 ins, ref;

	stat_keys(full, &ins, &ref);
	json_key(j, inserted);
	json_value(j, ins, per);
	json_key(j, refused);
	json_value(j, ref, per);
}

/* "keys": what lwtp_full_NAME counts of the keyed statistic s */
static void json_keys(struct json *j, const struct snap *s, const struct snap *full, double per)
{
	const struct layout *l = &s->m->layout;
	size_t stored = stat_stored(s);
	__u64 ins, ref;

	json_key(j, "keys");
	json_object_start(j);
	json_full_counts(j, full, "inserted", "refused", per);
	/* what the map holds, with -i too; evicted counts since the map was
	 * made or reset, which a rate cannot say */
	json_key(j, "present");
	json_uint(j, stored);
	if (per <= 0 && (l->map_type == BPF_MAP_TYPE_LRU_HASH ||
			 l->map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH)) {
		stat_keys(full, &ins, &ref);
		json_key(j, "evicted");
		json_uint(j, ins > stored ? ins - stored : 0);
	}
	json_key(j, "max_entries");
	json_uint(j, l->max_entries);
	json_object_end(j);
}

static void json_ring(struct json *j, const struct snap *s, const struct snap *full, double per)
{
	json_key(j, "ring_bytes");
	json_uint(j, s->m->layout.max_entries);
	json_key(j, "samples");
	if (!full) {
		json_null(j);
		return;
	}
	json_object_start(j);
	json_full_counts(j, full, "written", "lost", per);
	json_object_end(j);
}

/* An lwtp_full_NAME without NAME beside it */
static void json_full_alone(struct json *j, const struct snap *s, double per)
{
	const char *of = stat_full_of_name(s->m->name);

	json_key(j, "of");
	if (of)
		json_string(j, of);
	else
		json_null(j);
	json_full_counts(j, s, "inserted", "refused", per);
}

/* A counter's entry: "key", "packets", "bytes" */
static void json_counter_entry(struct json *j, const struct layout *l, const void *key,
			       __u64 packets, __u64 bytes, double per)
{
	json_object_start(j);
	json_key(j, "key");
	json_key_fields(j, l, key);
	json_key(j, "packets");
	json_value(j, packets, per);
	json_key(j, "bytes");
	json_value(j, bytes, per);
	json_object_end(j);
}

static void json_counter(struct json *j, struct snap *s, double per)
{
	const struct layout *l = &s->m->layout;
	__u64 packets = 0, bytes = 0;
	size_t i, shown;

	stat_sort_counters(l, s->e, s->n);
	json_key(j, "entries");
	json_array_start(j);
	if (!l->nkeys) {
		for (i = 0; i < s->n; i++) {
			packets += s->e[i].packets;
			bytes += s->e[i].bytes;
		}
		json_counter_entry(j, l, NULL, packets, bytes, per);
	}
	shown = stat_shown(s->n);
	for (i = 0; l->nkeys && i < shown; i++)
		json_counter_entry(j, l, s->e[i].key, s->e[i].packets, s->e[i].bytes, per);
	json_array_end(j);
}

static int json_hist(struct json *j, struct snap *s, double per)
{
	const struct layout *l = &s->m->layout;
	struct group *g;
	size_t i, ng, shown;
	int err;

	err = stat_groups(l, s->e, s->n, &g, &ng);
	if (err)
		return err;
	json_key(j, "entries");
	json_array_start(j);
	if (!l->nkeys && !ng) {
		json_object_start(j);
		json_key(j, "key");
		json_key_fields(j, l, NULL);
		json_key(j, "count");
		json_value(j, 0, per);
		json_key(j, "buckets");
		json_array_start(j);
		json_array_end(j);
		json_object_end(j);
	}
	shown = stat_shown(ng);
	for (i = 0; i < shown; i++) {
		json_object_start(j);
		json_key(j, "key");
		json_key_fields(j, l, s->e[g[i].first].key);
		json_key(j, "count");
		json_value(j, g[i].total, per);
		json_key(j, "buckets");
		json_buckets(j, l, s->e + g[i].first, g[i].n, per);
		json_object_end(j);
	}
	json_array_end(j);
	free(g);
	return 0;
}

static void json_set(struct json *j, const struct snap *s)
{
	const struct layout *l = &s->m->layout;
	char buf[128];
	size_t i;

	json_key(j, "type");
	json_string(j, decode_set_type(l));
	if (l->rmap) {
		/* a runtime map: its keys, as "elements"; lwtp map list has the values */
		json_key(j, "value");
		json_string(j, decode_rmap_value(l));
	}
	json_key(j, "max_elements");
	json_uint(j, l->max_entries);
	json_key(j, "elements");
	json_array_start(j);
	for (i = 0; i < s->nelems; i++) {
		if (elem_format(l, s->elems + i * l->key_size, buf, sizeof(buf)) >= 0)
			json_string(j, buf);
	}
	json_array_end(j);
}

/* "policies": ["P", ...], "routes": [{...}, ...] when known; a route as
 * lwtp show --json has it, but its hooks */
static void json_where(struct json *j, const struct snap *s)
{
	const struct stat_where *w = s->where;
	size_t i;

	if (!w)
		return;
	json_key(j, "policies");
	json_array_start(j);
	for (i = 0; i < w->npolicies; i++)
		json_string(j, w->policies[i]);
	json_array_end(j);
	json_key(j, "routes");
	json_array_start(j);
	for (i = 0; i < w->nroutes; i++) {
		const struct lwt_route *r = w->routes[i];

		json_object_start(j);
		route_json_members(j, r);
		json_object_end(j);
	}
	json_array_end(j);
}

static int json_map(struct json *j, struct snap *snaps, size_t n, struct snap *s, double per)
{
	const struct snap *full = stat_full_of(snaps, n, s);
	int err = 0;

	json_object_start(j);
	json_key(j, "name");
	json_string(j, s->m->name);
	json_key(j, "kind");
	json_string(j, decode_kind_name(s->m->layout.kind));
	json_where(j, s);
	switch (s->m->layout.kind) {
	case LWTP_COUNTER:
		json_counter(j, s, per);
		break;
	case LWTP_HIST:
		err = json_hist(j, s, per);
		break;
	case LWTP_SET:
		json_set(j, s);
		break;
	case LWTP_LIMIT:
	case LWTP_QUOTA:
		json_budget(j, s, per);
		break;
	case LWTP_KEYS:
		json_full_alone(j, s, per);
		break;
	case LWTP_RING:
		json_ring(j, s, full, per);
		full = NULL;
		break;
	default:
		break;
	}
	if (full)
		json_keys(j, s, full, per);
	json_object_end(j);
	return err;
}

int stat_print_json(struct snap *snaps, size_t n, double per)
{
	struct json j;
	size_t i;
	int err = 0;

	json_init(&j, stdout);
	json_object_start(&j);
	if (per > 0) {
		json_key(&j, "interval");
		json_double(&j, per);
	}
	json_key(&j, "maps");
	json_array_start(&j);
	for (i = 0; i < n && !err; i++)
		if (!stat_printed_with(snaps, n, &snaps[i]))
			err = json_map(&j, snaps, n, &snaps[i], per);
	json_array_end(&j);
	json_object_end(&j);
	putchar('\n');
	return err;
}
