/* prom.c: lwtp stat --prometheus: the Prometheus text exposition format
 * (version 0.0.4), for scrapers and node_exporter's textfile collector.
 *
 *   counter NAME    lwtp_NAME_packets_total{KEY...} and lwtp_NAME_bytes_total
 *   histogram NAME  lwtp_NAME_bucket{KEY...,le="..."} (cumulative, to +Inf),
 *                   lwtp_NAME_sum, lwtp_NAME_count
 *   set NAME        lwtp_NAME_elements (a gauge)
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

#include "decode.h"
#include "lwtp.h"
#include "stat.h"

/* A metric or label name: [a-zA-Z_:][a-zA-Z0-9_:]*; other bytes become _. */
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

static void put_label_value(FILE *f, const char *s)
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

/* {k="v",...} with an optional le; nothing when there are no labels. */
static void put_labels(FILE *f, const struct layout *l, const void *key, const char *le)
{
	char buf[128];
	bool any = false;
	int i;

	for (i = 0; key && i < l->nkeys; i++) {
		fputc(any ? ',' : '{', f);
		any = true;
		put_label_name(f, l->keys[i].name);
		fputs("=\"", f);
		if (decode_field(&l->keys[i], key, buf, sizeof(buf)) < 0)
			buf[0] = 0;
		put_label_value(f, buf);
		fputc('"', f);
	}
	if (le) {
		fprintf(f, "%sle=\"%s\"", any ? "," : "{", le);
		any = true;
	}
	if (any)
		fputc('}', f);
}

static void put_metric(FILE *f, const char *map, const char *suffix)
{
	fputs("lwtp_", f);
	put_name(f, map);
	fputs(suffix, f);
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

/* "by ip.dst, l4.dport" for HELP texts */
static void by_text(const struct layout *l, char *buf, size_t size)
{
	size_t len = 0;
	int i, n;

	buf[0] = 0;
	for (i = 0; i < l->nkeys; i++) {
		n = snprintf(buf + len, size - len, "%s%s", i ? ", " : ", by ", l->keys[i].label);
		if (n < 0 || (size_t)n >= size - len)
			return;
		len += n;
	}
}

static void prom_counter(FILE *f, struct snap *s)
{
	const struct layout *l = &s->m->layout;
	char help[1024], by[256];
	size_t i, shown;
	int pass;

	stat_sort_counters(l, s->e, s->n);
	shown = opts.top && opts.top < s->n ? opts.top : s->n;
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
	shown = opts.top && opts.top < ng ? opts.top : ng;
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
	fprintf(f, " %zu\n", s->nelems);
}

int prom_print(FILE *f, struct snap *snaps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (snaps[i].m->layout.kind) {
		case LWTP_COUNTER:
			prom_counter(f, &snaps[i]);
			break;
		case LWTP_HIST:
			prom_hist(f, &snaps[i]);
			break;
		case LWTP_SET:
			prom_set(f, &snaps[i]);
			break;
		default:
			break;
		}
	}
	return ferror(f) ? -EIO : 0;
}
