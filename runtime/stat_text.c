/* stat_text.c: lwtp stat's text output: counters as tables, busiest first;
 * histograms as bpftrace prints them, one line per bucket with a bar:
 *
 *   [32, 64)               7 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 *
 * sets as a line; limits, quotas and rings as stat_budget.c prints them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_format.h"
#include "lwtp.h"
#include "stat_model.h"
#include "stat_print.h"
#include "stat_text.h"
#include "table.h"

#define BAR_WIDTH 52            /* as bpftrace */

/* ---- counters ------------------------------------------------------------ */

static int print_counter(const struct snap *s, double per)
{
	const struct layout *l = &s->m->layout;
	const char *unit = per > 0 ? "/s" : "";
	char a[32], b[32];
	__u64 packets = 0, bytes = 0;
	struct table t;
	size_t i, shown, keys;
	int err;

	for (i = 0; i < s->n; i++) {
		packets += s->e[i].packets;
		bytes += s->e[i].bytes;
	}
	if (!l->nkeys) {
		printf("%s: %s packets%s, %s bytes%s\n", s->m->escaped,
		       stat_num(a, sizeof(a), packets, per), unit, stat_num(b, sizeof(b), bytes, per), unit);
		stat_text_where(s);
		return 0;
	}
	shown = stat_shown(s->n);
	keys = stat_stored_keys(s);
	if (l->audit) {
		/* a packet may count in several statements (a set, then a
		 * drop): their sum means nothing */
		printf("%s: audit policy, %zu of %zu statements counted", s->m->escaped, keys,
		       l->audit->n);
		stat_text_active(s->n, per);
	} else {
		printf("%s: %zu key%s", s->m->escaped, keys, keys == 1 ? "" : "s");
		stat_text_active(s->n, per);
		printf(", %s packets%s, %s bytes%s", stat_num(a, sizeof(a), packets, per), unit,
		       stat_num(b, sizeof(b), bytes, per), unit);
	}
	if (shown < s->n)
		printf(" (top %zu shown)", shown);
	putchar('\n');
	stat_text_where(s);
	if (!s->n)
		return 0;
	err = stat_key_table(&t, l, s->e, shown, 2);
	snprintf(a, sizeof(a), "PACKETS%s", unit);
	snprintf(b, sizeof(b), "BYTES%s", unit);
	table_head(&t, l->nkeys, a, false);
	table_head(&t, l->nkeys + 1, b, false);
	for (i = 0; !err && i < shown; i++) {
		err = table_put(&t, i, l->nkeys, stat_num(a, sizeof(a), s->e[i].packets, per));
		err = err ?: table_put(&t, i, l->nkeys + 1,
				       stat_num(b, sizeof(b), s->e[i].bytes, per));
	}
	if (!err)
		table_print(&t, stdout);
	table_free(&t);
	return err;
}

/* bpftrace's labels: 1024 -> 1K, 1048576 -> 1M, for powers of two. */
static void pow2_label(char *buf, size_t size, __u64 v)
{
	static const char suffix[] = "KMGTPE";
	int i = -1;

	while (v >= 1024 && (v & 1023) == 0 && i < 5) {
		v >>= 10;
		i++;
	}
	if (i >= 0)
		snprintf(buf, size, "%" PRIu64 "%c", (uint64_t)v, suffix[i]);
	else
		snprintf(buf, size, "%" PRIu64, (uint64_t)v);
}

static void bucket_label(const struct field *f, __u64 bucket, char *buf, size_t size)
{
	char lo_s[32], hi_s[32];
	__u64 lo, hi;
	bool has_hi;

	if (decode_bucket_range(f, bucket, &lo, &hi, &has_hi)) {
		snprintf(buf, size, "#%" PRIu64, (uint64_t)bucket);
		return;
	}
	if (f->kind == FK_LOG2) {
		pow2_label(lo_s, sizeof(lo_s), lo);
		pow2_label(hi_s, sizeof(hi_s), hi);
		if (has_hi)
			snprintf(buf, size, "[%s, %s)", lo_s, hi_s);
		else
			snprintf(buf, size, "[%s, ...)", lo_s);
		return;
	}
	if (bucket == 0)
		snprintf(buf, size, "(..., %" PRIu64 ")", (uint64_t)hi);
	else if (!has_hi)
		snprintf(buf, size, "[%" PRIu64 ", ...)", (uint64_t)lo);
	else
		snprintf(buf, size, "[%" PRIu64 ", %" PRIu64 ")", (uint64_t)lo, (uint64_t)hi);
}

static void hist_line(const struct field *f, __u64 bucket, __u64 count, __u64 max, double per)
{
	char label[80], n[32], bar[BAR_WIDTH + 1];
	int w = max ? (int)((double)count / max * BAR_WIDTH) : 0;

	bucket_label(f, bucket, label, sizeof(label));
	memset(bar, '@', w);
	bar[w] = 0;
	printf("%-16s%8s |%-*s|\n", label, stat_num(n, sizeof(n), count, per), BAR_WIDTH, bar);
}

/* The buckets of one group, sorted, from the first to the last non-empty
 * one, the empty ones between included as far as the histogram has
 * buckets; keys past those (no program of lwtc's writes them) and FK_INDEX
 * buckets, the non-empty ones only. */
static void print_buckets(const struct layout *l, const struct entry *e, size_t n, double per)
{
	const struct field *f = &l->bucket;
	__u64 max = 0, b, count = decode_bucket_count(f);
	size_t i, j, in = 0;    /* e[0 .. in-1]: the buckets the histogram has */

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		if (e[i].packets > max)
			max = e[i].packets;
		if (decode_uint(f, e[i].key) < count)
			in = i + 1;
	}
	j = 0;
	for (b = decode_uint(f, e[0].key); in && b <= decode_uint(f, e[in - 1].key); b++) {
		__u64 packets = 0;

		if (j < n && decode_uint(f, e[j].key) == b)
			packets = e[j++].packets;
		hist_line(f, b, packets, max, per);
	}
	for (; j < n; j++)
		hist_line(f, decode_uint(f, e[j].key), e[j].packets, max, per);
}

static int print_hist(struct snap *s, double per)
{
	const struct layout *l = &s->m->layout;
	const char *unit = per > 0 ? "/s" : "";
	struct group *g;
	size_t ng, i, shown, keys;
	__u64 total = 0;
	char a[32], key[512];
	int err;

	err = stat_groups(l, s->e, s->n, &g, &ng);
	if (err)
		return err;
	for (i = 0; i < ng; i++)
		total += g[i].total;
	if (!l->nkeys) {
		printf("%s: %s packets%s\n", s->m->escaped, stat_num(a, sizeof(a), total, per), unit);
		stat_text_where(s);
		print_buckets(l, s->e, s->n, per);
		free(g);
		return 0;
	}
	shown = stat_shown(ng);
	keys = stat_stored_keys(s);
	printf("%s: %zu key%s", s->m->escaped, keys, keys == 1 ? "" : "s");
	stat_text_active(ng, per);
	printf(", %s packets%s", stat_num(a, sizeof(a), total, per), unit);
	if (shown < ng)
		printf(" (top %zu shown)", shown);
	putchar('\n');
	stat_text_where(s);
	for (i = 0; i < shown; i++) {
		if (i)
			putchar('\n');
		decode_key_text(l, s->e[g[i].first].key, true, key, sizeof(key));
		printf("%s[%s]: %s packets%s\n", s->m->escaped, key,
		       stat_num(a, sizeof(a), g[i].total, per), unit);
		print_buckets(l, s->e + g[i].first, g[i].n, per);
	}
	free(g);
	return 0;
}

static void print_set(const struct snap *s)
{
	const struct layout *l = &s->m->layout;

	if (l->rmap)
		printf("%s: map of %s -> %s, %zu element%s (room for %u)\n", s->m->escaped,
		       decode_set_type(l), decode_rmap_value(l), s->nelems,
		       s->nelems == 1 ? "" : "s", l->max_entries);
	else
		printf("%s: set of %s, %zu element%s (room for %u)\n", s->m->escaped,
		       decode_set_type(l), s->nelems, s->nelems == 1 ? "" : "s", l->max_entries);
	stat_text_where(s);
}

/* ---- all of them ------------------------------------------------------------------ */

static int print_map(struct snap *snaps, size_t n, struct snap *s, double per)
{
	const struct snap *full = stat_full_of(snaps, n, s);
	int err = 0;

	switch (s->m->layout.kind) {
	case LWTP_COUNTER:
		stat_sort_counters(&s->m->layout, s->e, s->n);
		err = print_counter(s, per);
		break;
	case LWTP_HIST:
		err = print_hist(s, per);
		break;
	case LWTP_SET:
		print_set(s);
		break;
	case LWTP_LIMIT:
	case LWTP_QUOTA:
		err = stat_text_budget(s, per);
		break;
	case LWTP_KEYS:
		stat_text_full(s, per);
		break;
	case LWTP_RING:
		stat_text_ring(s, full, per);
		return 0;
	default:
		break;
	}
	if (!err && full)
		stat_text_keys(s, full, per);
	return err;
}

int stat_print_text(struct snap *snaps, size_t n, double per)
{
	size_t i, printed = 0;
	int err;

	for (i = 0; i < n; i++) {
		if (stat_printed_with(snaps, n, &snaps[i]))
			continue;
		if (printed++)
			putchar('\n');
		err = print_map(snaps, n, &snaps[i], per);
		if (err)
			return err;
	}
	return 0;
}
