/* stat_text.c: lwtp stat's text output: counters as tables, busiest first;
 * histograms as bpftrace prints them, one line per bucket with a bar:
 *
 *   [32, 64)               7 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 *
 * sets as a line; limits, quotas and rings as stat_budget.c prints them.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "decode.h"
#include "lwtp.h"
#include "maps.h"
#include "stat.h"

#define BAR_WIDTH 52            /* as bpftrace */

const char *stat_num(char *buf, size_t size, __u64 v, double per)
{
	if (per > 0)
		snprintf(buf, size, "%.1f", v / per);
	else
		snprintf(buf, size, "%" PRIu64, (uint64_t)v);
	return buf;
}

static void key_text(const struct layout *l, const void *key, bool names, char *buf, size_t size)
{
	size_t len = 0;
	int i, n;

	buf[0] = 0;
	for (i = 0; i < l->nkeys && len < size; i++) {
		n = snprintf(buf + len, size - len, "%s%s%s", i ? ", " : "",
			     names ? l->keys[i].label : "", names ? "=" : "");
		if (n < 0 || (size_t)n >= size - len)
			return;
		len += n;
		n = decode_field(&l->keys[i], key, buf + len, size - len);
		if (n < 0)
			return;
		len += n;
	}
}

void stat_by_text(const struct layout *l, char *buf, size_t size)
{
	size_t len = 0;
	int i, n;

	buf[0] = 0;
	for (i = 0; i < l->nkeys; i++) {
		n = snprintf(buf + len, size - len, "%s%s", i ? ", " : "by ", l->keys[i].label);
		if (n < 0 || (size_t)n >= size - len)
			return;
		len += n;
	}
}

void stat_text_where(const struct snap *s)
{
	const struct stat_where *w = s->where;
	char desc[512];
	size_t i;

	if (!w || !w->npolicies)
		return;         /* not known, or no policy of lwtc's counts into it */
	printf("  polic%s", w->npolicies == 1 ? "y" : "ies");
	for (i = 0; i < w->npolicies; i++)
		printf("%s %s", i ? "," : "", w->policies[i]);
	if (!w->nroutes)
		printf(", on no route of this network namespace");
	for (i = 0; i < w->nroutes; i++)
		printf("%s %s", i ? "," : " on", route_describe(w->routes[i], desc, sizeof(desc)));
	putchar('\n');
}

void stat_text_active(size_t active, double per)
{
	if (per > 0)
		printf(", %zu active", active);
}

/* ---- tables: the key columns left, the values right -------------------------- */

void stat_table_free(struct stat_table *t)
{
	size_t i;

	for (i = 0; t->cells && i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
}

int stat_table_init(struct stat_table *t, const struct layout *l, const struct entry *e,
		    size_t nrows, int nvals)
{
	char cell[128];
	size_t r;
	int c;

	memset(t, 0, sizeof(*t));
	t->nkeys = l->nkeys;
	t->ncols = l->nkeys + nvals;
	t->nrows = nrows;
	if (t->ncols > STAT_TABLE_MAX_COLS)
		return -E2BIG;
	t->cells = calloc(nrows * t->ncols + 1, sizeof(*t->cells));
	if (!t->cells)
		return -ENOMEM;
	for (c = 0; c < l->nkeys; c++) {
		snprintf(t->head[c], sizeof(t->head[c]), "%s", l->keys[c].label);
		t->left[c] = true;
		for (r = 0; r < nrows; r++) {
			if (decode_field(&l->keys[c], e[r].key, cell, sizeof(cell)) < 0)
				snprintf(cell, sizeof(cell), "?");
			t->cells[r * t->ncols + c] = strdup(cell);
			if (!t->cells[r * t->ncols + c])
				return -ENOMEM;
		}
	}
	return 0;
}

void stat_table_head(struct stat_table *t, int col, const char *name, bool left)
{
	snprintf(t->head[t->nkeys + col], sizeof(t->head[0]), "%s", name);
	t->left[t->nkeys + col] = left;
}

int stat_table_put(struct stat_table *t, size_t r, int col, const char *text)
{
	char **cell = &t->cells[r * t->ncols + t->nkeys + col];

	free(*cell);
	*cell = strdup(text);
	return *cell ? 0 : -ENOMEM;
}

/* One cell of a column width wide, two spaces after the one before; the
 * key columns are left-aligned (and not padded when last). */
static void put_cell(const struct stat_table *t, int c, int width, const char *text, bool upper)
{
	int pad = width - (int)strlen(text);

	if (c)
		fputs("  ", stdout);
	if (!t->left[c])
		printf("%*s", pad, "");
	for (; *text; text++)
		putchar(upper ? toupper((unsigned char)*text) : *text);
	if (t->left[c] && c < t->ncols - 1)
		printf("%*s", pad, "");
}

void stat_table_print(const struct stat_table *t)
{
	int width[STAT_TABLE_MAX_COLS], c, n;
	size_t r;

	for (c = 0; c < t->ncols; c++) {
		width[c] = strlen(t->head[c]);
		for (r = 0; r < t->nrows; r++) {
			n = strlen(t->cells[r * t->ncols + c] ?: "");
			if (n > width[c])
				width[c] = n;
		}
	}
	for (c = 0; c < t->ncols; c++)
		put_cell(t, c, width[c], t->head[c], true);
	putchar('\n');
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++)
			put_cell(t, c, width[c], t->cells[r * t->ncols + c] ?: "", false);
		putchar('\n');
	}
}

/* ---- counters ------------------------------------------------------------ */

static int print_counter(const struct snap *s, double per)
{
	const struct layout *l = &s->m->layout;
	const char *unit = per > 0 ? "/s" : "";
	char a[32], b[32];
	__u64 packets = 0, bytes = 0;
	struct stat_table t;
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
	shown = opts.top && opts.top < s->n ? opts.top : s->n;
	keys = stat_stored_keys(s);
	printf("%s: %zu key%s", s->m->escaped, keys, keys == 1 ? "" : "s");
	stat_text_active(s->n, per);
	printf(", %s packets%s, %s bytes%s", stat_num(a, sizeof(a), packets, per), unit,
	       stat_num(b, sizeof(b), bytes, per), unit);
	if (shown < s->n)
		printf(" (top %zu shown)", shown);
	putchar('\n');
	stat_text_where(s);
	if (!s->n)
		return 0;
	err = stat_table_init(&t, l, s->e, shown, 2);
	snprintf(a, sizeof(a), "PACKETS%s", unit);
	snprintf(b, sizeof(b), "BYTES%s", unit);
	stat_table_head(&t, 0, a, false);
	stat_table_head(&t, 1, b, false);
	for (i = 0; !err && i < shown; i++) {
		err = stat_table_put(&t, i, 0, stat_num(a, sizeof(a), s->e[i].packets, per));
		err = err ?: stat_table_put(&t, i, 1, stat_num(b, sizeof(b), s->e[i].bytes, per));
	}
	if (!err)
		stat_table_print(&t);
	stat_table_free(&t);
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
	shown = opts.top && opts.top < ng ? opts.top : ng;
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
		key_text(l, s->e[g[i].first].key, true, key, sizeof(key));
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

	printf("%s: set of %s, %zu element%s (room for %u)\n", s->m->escaped, decode_set_type(l),
	       s->nelems, s->nelems == 1 ? "" : "s", l->max_entries);
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
