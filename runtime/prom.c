/* prom.c: lwtp stat --prometheus: the Prometheus text exposition format
 * (version 0.0.4), for scrapers and node_exporter's textfile collector.
 *
 *   counter NAME    lwtp_NAME_packets_total{KEY...} and lwtp_NAME_bytes_total
 *   histogram NAME  lwtp_NAME_bucket{KEY...,le="..."} (cumulative, to +Inf),
 *                   lwtp_NAME_sum, lwtp_NAME_count
 *   set NAME        lwtp_NAME_elements (a gauge)
 *   limit NAME      lwtp_NAME_passed_total, _exceeded_total (counters), _tokens,
 *                   _burst, _rate (gauges, in packets or bytes, bit rates too)
 *   quota NAME      lwtp_NAME_used, _limit, _left (gauges), _over_total
 *   lwtp_full_NAME  lwtp_NAME_keys_inserted_total, _keys_refused_total,
 *                   _keys_present (a gauge), _keys_evicted_total (LRU maps)
 *   sample NAME     lwtp_NAME_samples_written_total, _samples_lost_total
 *
 * NAME is the pin's name as it is: a name that holds a byte other than
 * [A-Za-z0-9_] (bpffs lets a pin be renamed to anything) is left out, with
 * a comment that says so, rather than changed: two names changed into one
 * would make one metric of two maps.
 *
 * Labels are the key's members, by their C names (ip_dst, l4_dport). le is
 * the largest integer a bucket holds (buckets are [lo, hi) of integers, so
 * le = hi - 1). The buckets run from the first to the last that holds
 * anything in the map, +Inf last. _sum is not known exactly: it counts each
 * value as the lowest of its bucket, so it is a lower bound.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "decode_format.h"
#include "lwtp.h"
#include "prom.h"
#include "stat_model.h"

/* A label name: [a-zA-Z_][a-zA-Z0-9_]*; other bytes become _. The key's
 * members are C names (the kernel checks BTF's), so none changes. */
static void put_name(FILE *f, const char *s)
{
	const char *p;

	for (p = s; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		      (p != s && c >= '0' && c <= '9')))
			c = '_';
		fputc(c, f);
	}
}

void prom_label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void put_label_name(FILE *f, const char *name)
{
	/* __* is Prometheus's, le is the histogram's */
	if (strncmp(name, "__", 2) == 0 || strcmp(name, "le") == 0)
		fputs("key_", f);
	put_name(f, name);
}

/* The exporter's policy label of the map being printed, or NULL: none. */
static const char *cur_policy;

/* {k="v",...} with an optional le; nothing when there are no labels. */
static void put_labels(FILE *f, const struct layout *l, const void *key, const char *le)
{
	char buf[128];
	bool any = false;
	int i;

	if (cur_policy) {
		fputs("{policy=\"", f);
		prom_label_value(f, cur_policy);
		fputc('"', f);
		any = true;
	}

	for (i = 0; key && i < l->nkeys; i++) {
		fputc(any ? ',' : '{', f);
		any = true;
		put_label_name(f, l->keys[i].name);
		fputs("=\"", f);
		if (decode_field(&l->keys[i], key, buf, sizeof(buf)) < 0)
			buf[0] = 0;
		prom_label_value(f, buf);
		fputc('"', f);
	}
	if (le) {
		fprintf(f, "%sle=\"%s\"", any ? "," : "{", le);
		any = true;
	}
	if (any)
		fputc('}', f);
}

/* Whether lwtp_NAME_... is a metric name, NAME as it is. */
static bool metric_name_ok(const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return p != name;
}

/* map passed metric_name_ok(): lwtp_ before it is all a metric name needs,
 * but for an audit map, whose name has it already (lwtp_audit_NAME). */
static void put_metric(FILE *f, const char *map, const char *suffix)
{
	bool audit = strncmp(map, LWTP_AUDIT_PREFIX, strlen(LWTP_AUDIT_PREFIX)) == 0;

	fprintf(f, "%s%s%s", audit ? "" : "lwtp_", map, suffix);
}

static void put_header(FILE *f, const char *map, const char *suffix, const char *type,
		       const char *help)
{
	fputs("# HELP ", f);
	put_metric(f, map, suffix);
	fprintf(f, " %s\n# TYPE ", help);
	put_metric(f, map, suffix);
	fprintf(f, " %s\n", type);
}

/* ", by ip.dst, l4.dport" for HELP texts; "" when unkeyed */
static void by_text(const struct layout *l, char *buf, size_t size)
{
	if (size < 3)
		return;
	decode_by_text(l, buf + 2, size - 2);
	if (buf[2])
		memcpy(buf, ", ", 2);
	else
		buf[0] = 0;
}

static void prom_counter(FILE *f, struct snap *s)
{
	const struct layout *l = &s->m->layout;
	char help[1024], by[256];
	size_t i, shown;
	int pass;

	stat_sort_counters(l, s->e, s->n);
	shown = stat_shown(s->n);
	by_text(l, by, sizeof(by));
	for (pass = 0; pass < 2; pass++) {
		__u64 total = 0;

		snprintf(help, sizeof(help), "%s%s counted by the lwtp statistic %s%s.",
			 pass ? "Bytes" : "Packets", pass ? " (skb.len)" : "", s->m->name, by);
		put_header(f, s->m->name, pass ? "_bytes_total" : "_packets_total",
			   "counter", help);
		if (!l->nkeys) {
			for (i = 0; i < s->n; i++)
				total += pass ? s->e[i].bytes : s->e[i].packets;
			put_metric(f, s->m->name, pass ? "_bytes_total" : "_packets_total");
			put_labels(f, l, NULL, NULL);
			fprintf(f, " %" PRIu64 "\n", (uint64_t)total);
			continue;
		}
		for (i = 0; i < shown; i++) {
			put_metric(f, s->m->name, pass ? "_bytes_total" : "_packets_total");
			put_labels(f, l, s->e[i].key, NULL);
			fprintf(f, " %" PRIu64 "\n",
				(uint64_t)(pass ? s->e[i].bytes : s->e[i].packets));
		}
	}
}

/* The finite buckets to print: first..last (bucket indexes). */
static void bucket_span(const struct layout *l, const struct entry *e, size_t n,
			__u64 *first, __u64 *last)
{
	const struct field *b = &l->bucket;
	__u64 lo, hi, v, nlin;
	bool has_hi;
	size_t i;

	*first = 0;
	*last = 0;
	if (b->kind == FK_LINEAR) {
		nlin = (b->lin_max - b->lin_min + b->lin_step - 1) / b->lin_step;
		*first = b->lin_min ? 0 : 1;    /* bucket 0 is empty when MIN is 0 */
		*last = nlin;                   /* n + 1 is +Inf */
		return;
	}
	for (i = 0; i < n; i++) {
		v = decode_uint(b, e[i].key);
		if (!decode_bucket_range(b, v, &lo, &hi, &has_hi) && has_hi && v > *last)
			*last = v;
	}
}

static void prom_hist(FILE *f, struct snap *s)
{
	const struct layout *l = &s->m->layout;
	char help[1024], by[256], le[32];
	__u64 first, last, b, lo, hi, cum, sum;
	struct group *g = NULL, one;
	size_t ng, i, j, shown;
	bool has_hi;

	if (l->bucket.kind == FK_INDEX) {
		/* buckets of unknown bounds cannot be told as le= */
		return;
	}
	if (stat_groups(l, s->e, s->n, &g, &ng))
		return;
	if (!l->nkeys && !ng) {
		/* an empty unkeyed histogram still exists */
		memset(&one, 0, sizeof(one));
		ng = 1;
	}
	by_text(l, by, sizeof(by));
	snprintf(help, sizeof(help), "Packets in the %s buckets of the lwtp histogram %s%s; "
		 "le is the largest value a bucket holds; _sum is a lower bound.",
		 l->bucket.kind == FK_LOG2 ? "log2" : "linear", s->m->name, by);
	put_header(f, s->m->name, "", "histogram", help);
	bucket_span(l, s->e, s->n, &first, &last);
	shown = stat_shown(ng);
	for (i = 0; i < shown; i++) {
		const struct group *gr = g ? &g[i] : &one;
		const struct entry *e = s->e + gr->first;
		const void *key = gr->n ? e[0].key : NULL;

		cum = 0;
		sum = 0;
		j = 0;
		for (b = first; b <= last; b++) {
			while (j < gr->n && decode_uint(&l->bucket, e[j].key) <= b) {
				cum += e[j].packets;
				if (!decode_bucket_range(&l->bucket, decode_uint(&l->bucket, e[j].key),
							 &lo, &hi, &has_hi))
					sum += lo * e[j].packets;
				j++;
			}
			if (decode_bucket_range(&l->bucket, b, &lo, &hi, &has_hi) || !has_hi)
				break;
			if (hi == 0)
				continue;
			snprintf(le, sizeof(le), "%" PRIu64, (uint64_t)(hi - 1));
			put_metric(f, s->m->name, "_bucket");
			put_labels(f, l, key, le);
			fprintf(f, " %" PRIu64 "\n", (uint64_t)cum);
		}
		for (; j < gr->n; j++) {
			cum += e[j].packets;
			if (!decode_bucket_range(&l->bucket, decode_uint(&l->bucket, e[j].key),
						 &lo, &hi, &has_hi))
				sum += lo * e[j].packets;
		}
		put_metric(f, s->m->name, "_bucket");
		put_labels(f, l, key, "+Inf");
		fprintf(f, " %" PRIu64 "\n", (uint64_t)cum);
		put_metric(f, s->m->name, "_sum");
		put_labels(f, l, key, NULL);
		fprintf(f, " %" PRIu64 "\n", (uint64_t)sum);
		put_metric(f, s->m->name, "_count");
		put_labels(f, l, key, NULL);
		fprintf(f, " %" PRIu64 "\n", (uint64_t)cum);
	}
	free(g);
}

static void prom_set(FILE *f, const struct snap *s)
{
	char help[1024];

	snprintf(help, sizeof(help), "Elements in the lwtp set %s (of %s).", s->m->name,
		 decode_set_type(&s->m->layout));
	put_header(f, s->m->name, "_elements", "gauge", help);
	put_metric(f, s->m->name, "_elements");
	put_labels(f, &s->m->layout, NULL, NULL);
	fprintf(f, " %zu\n", s->nelems);
}

/* ---- limits and quotas ----------------------------------------------------------- */

static double limit_passed(const struct entry *e)   { return e->v[LIM_PASSED]; }
static double limit_exceeded(const struct entry *e) { return e->v[LIM_EXCEEDED]; }
static double limit_burst(const struct entry *e)    { return e->v[LIM_BURST]; }
static double quota_used(const struct entry *e)     { return e->v[QUOTA_USED]; }
static double quota_limit(const struct entry *e)    { return e->v[QUOTA_LIMIT]; }
static double quota_over(const struct entry *e)     { return e->v[QUOTA_OVER]; }

static double limit_rate(const struct entry *e)
{
	return e->v[LIM_PERIOD_NS] ? e->v[LIM_RATE] * 1e9 / e->v[LIM_PERIOD_NS] : 0;
}

static double quota_left(const struct entry *e)
{
	__u64 used = e->v[QUOTA_USED], limit = e->v[QUOTA_LIMIT];

	return used < limit ? limit - used : 0;
}

/* A metric family of a limit or quota: one sample per key. help is a
 * format of the statistic's name, unit and "by ..." text. An amount is in
 * the statistic's unit: bytes for a bit rate too (Prometheus's base unit). */
static const struct family {
	const char *suffix, *type, *help;
	double (*value)(const struct entry *e);
	bool amount;
} limit_families[] = {
	{ "_passed_total", "counter", "Packets within the lwtp limit %s (a bucket of %s)%s.",
	  limit_passed, false },
	{ "_exceeded_total", "counter", "Packets over the lwtp limit %s (a bucket of %s), "
	  "its action applied%s.", limit_exceeded, false },
	{ "_tokens", "gauge", "What the bucket of the lwtp limit %s holds now, in %s%s.",
	  stat_limit_tokens, true },
	{ "_burst", "gauge", "The size of the bucket of the lwtp limit %s, in %s%s.", limit_burst,
	  true },
	{ "_rate", "gauge", "What fills the bucket of the lwtp limit %s, in %s per second%s.",
	  limit_rate, true },
}, quota_families[] = {
	{ "_used", "gauge", "What the lwtp quota %s has seen since it was last renewed, over "
	  "packets included, in %s%s.", quota_used, true },
	{ "_limit", "gauge", "The budget of the lwtp quota %s, in %s%s.", quota_limit, true },
	{ "_left", "gauge", "What is left of the budget of the lwtp quota %s, in %s%s.",
	  quota_left, true },
	{ "_over_total", "counter", "Packets over the lwtp quota %s (a budget of %s), its action "
	  "applied%s.", quota_over, false },
};

static void prom_budget(FILE *f, struct snap *s)
{
	const struct layout *l = &s->m->layout;
	bool limit = l->kind == LWTP_LIMIT;
	const struct family *fam = limit ? limit_families : quota_families;
	size_t nfam = limit ? sizeof(limit_families) / sizeof(limit_families[0])
			    : sizeof(quota_families) / sizeof(quota_families[0]);
	__u64 unit = s->n ? s->e[0].v[limit ? LIM_UNIT : QUOTA_UNIT] : LWTP_UNIT_PACKETS;
	double scale = unit == LWTP_UNIT_BITS ? 1.0 / 8 : 1;
	char help[1024], by[256];
	size_t i, k, shown;
	double v;

	stat_sort_budgets(l, s->e, s->n);
	shown = stat_shown(s->n);
	by_text(l, by, sizeof(by));
	for (k = 0; k < nfam; k++) {
		snprintf(help, sizeof(help), fam[k].help, s->m->name,
			 stat_unit_name(unit == LWTP_UNIT_BITS ? LWTP_UNIT_BYTES : unit), by);
		put_header(f, s->m->name, fam[k].suffix, fam[k].type, help);
		for (i = 0; i < shown; i++) {
			v = fam[k].value(&s->e[i]);
			put_metric(f, s->m->name, fam[k].suffix);
			put_labels(f, l, s->e[i].key, NULL);
			fprintf(f, " %.15g\n", fam[k].amount ? v * scale : v);
		}
	}
}

/* ---- lwtp_full_NAME and rings ----------------------------------------------------- */

/* One sample of a family of its own: # HELP, # TYPE, the value. */
static void put_single(FILE *f, const char *map, const char *suffix, const char *type,
		       const char *help, __u64 v)
{
	put_header(f, map, suffix, type, help);
	put_metric(f, map, suffix);
	put_labels(f, NULL, NULL, NULL);
	fprintf(f, " %" PRIu64 "\n", (uint64_t)v);
}

/* What lwtp_full_NAME counts of the keyed statistic s (or, without s, of
 * the statistic named name). */
static void prom_keys(FILE *f, const char *name, const struct snap *s, const struct snap *full)
{
	const struct layout *l = s ? &s->m->layout : NULL;
	char help[1024];
	__u64 inserted, refused, stored;

	stat_keys(full, &inserted, &refused);
	snprintf(help, sizeof(help), "New keys stored in the lwtp statistic %s since its map was "
		 "made or reset.", name);
	put_single(f, name, "_keys_inserted_total", "counter", help, inserted);
	snprintf(help, sizeof(help), "New keys of the lwtp statistic %s not stored: its map "
		 "was full.", name);
	put_single(f, name, "_keys_refused_total", "counter", help, refused);
	if (!l)
		return;
	snprintf(help, sizeof(help), "Keys in the map of the lwtp statistic %s, of %u at most.",
		 name, l->max_entries);
	stored = stat_stored(s);
	put_single(f, name, "_keys_present", "gauge", help, stored);
	if (l->map_type != BPF_MAP_TYPE_LRU_HASH && l->map_type != BPF_MAP_TYPE_LRU_PERCPU_HASH)
		return;
	snprintf(help, sizeof(help), "Keys evicted from the LRU map of the lwtp statistic %s "
		 "(inserted - present).", name);
	put_single(f, name, "_keys_evicted_total", "counter", help,
		   inserted > stored ? inserted - stored : 0);
}

static void prom_ring(FILE *f, const struct snap *s, const struct snap *full)
{
	char help[1024];
	__u64 written, lost;

	stat_keys(full, &written, &lost);
	snprintf(help, sizeof(help), "Samples written to the ring of the lwtp sample %s.",
		 s->m->name);
	put_single(f, s->m->name, "_samples_written_total", "counter", help, written);
	snprintf(help, sizeof(help), "Samples of the lwtp sample %s lost: its ring was full.",
		 s->m->name);
	put_single(f, s->m->name, "_samples_lost_total", "counter", help, lost);
}

/* ---- all of them ------------------------------------------------------------------ */

/* The NAME of the metrics lwtp_NAME_...: an lwtp_full_NAME printed on its
 * own counts for NAME. */
static const char *metric_map_name(const struct snap *s)
{
	const char *of = s->m->layout.kind == LWTP_KEYS ? stat_full_of_name(s->m->name) : NULL;

	return of ?: s->m->name;
}

static void prom_map(FILE *f, struct snap *snaps, size_t n, struct snap *s)
{
	const struct snap *full = stat_full_of(snaps, n, s);

	switch (s->m->layout.kind) {
	case LWTP_COUNTER:
		prom_counter(f, s);
		break;
	case LWTP_HIST:
		prom_hist(f, s);
		break;
	case LWTP_SET:
		prom_set(f, s);
		break;
	case LWTP_LIMIT:
	case LWTP_QUOTA:
		prom_budget(f, s);
		break;
	case LWTP_KEYS:
		prom_keys(f, metric_map_name(s), NULL, s);
		break;
	case LWTP_RING:
		prom_ring(f, s, full);
		return;
	default:
		break;
	}
	if (full)
		prom_keys(f, s->m->name, s, full);
}

/* A comment where the map would be, and a line on stderr. */
static void left_out(FILE *f, const struct snap *s)
{
	static const char why[] = "a metric name holds only A-Z, a-z, 0-9 and _";

	fprintf(f, "# lwtp: map '%s' left out: %s\n", s->m->escaped, why);
	p_err("map '%s' left out of the Prometheus output: %s", s->m->escaped, why);
}

int prom_print_policies(FILE *f, struct snap *snaps, size_t n, prom_policy_fn policy, void *ctx)
{
	size_t i;
	int nleft = 0;

	for (i = 0; i < n; i++) {
		if (stat_printed_with(snaps, n, &snaps[i]))
			continue;
		if (metric_name_ok(metric_map_name(&snaps[i]))) {
			cur_policy = policy ? policy(&snaps[i], ctx) : NULL;
			prom_map(f, snaps, n, &snaps[i]);
			cur_policy = NULL;
		} else {
			left_out(f, &snaps[i]);
			nleft++;
		}
	}
	return ferror(f) ? -EIO : nleft;
}

int prom_print(FILE *f, struct snap *snaps, size_t n)
{
	return prom_print_policies(f, snaps, n, NULL, NULL);
}

bool prom_name_ok(const char *name)
{
	return metric_name_ok(name);
}
