/* stat_text.c: lwtp stat's text output: counters as tables, busiest first;
 * histograms as bpftrace prints them, one line per bucket with a bar:
 *
 *   [32, 64)               7 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "lwtp.h"
#include "stat.h"

#define BAR_WIDTH 52            /* as bpftrace */

/* A value: exact, or a per-second rate when per > 0. */
static const char *num(char *buf, size_t size, __u64 v, double per)
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

static void print_counter(const struct snap *s, double per)
{
	const struct layout *l = &s->m->layout;
	const char *unit = per > 0 ? "/s" : "";
	char a[32], b[32], cell[128];
	__u64 packets = 0, bytes = 0;
	size_t i, shown;
	int *width, c, ncols = l->nkeys + 2;

	for (i = 0; i < s->n; i++) {
		packets += s->e[i].packets;
		bytes += s->e[i].bytes;
	}
	if (!l->nkeys) {
		printf("%s: %s packets%s, %s bytes%s\n", s->m->name,
		       num(a, sizeof(a), packets, per), unit, num(b, sizeof(b), bytes, per), unit);
		return;
	}
	shown = opts.top && opts.top < s->n ? opts.top : s->n;
	printf("%s: %zu key%s, %s packets%s, %s bytes%s", s->m->name, s->n, s->n == 1 ? "" : "s",
	       num(a, sizeof(a), packets, per), unit, num(b, sizeof(b), bytes, per), unit);
	if (shown < s->n)
		printf(" (top %zu shown)", shown);
	putchar('\n');
	if (!s->n)
		return;

	/* column widths: the header, or the widest cell */
	width = calloc(ncols, sizeof(*width));
	if (!width)
		return;
	for (c = 0; c < l->nkeys; c++)
		width[c] = strlen(l->keys[c].label);
	width[l->nkeys] = strlen("PACKETS") + strlen(unit);
	width[l->nkeys + 1] = strlen("BYTES") + strlen(unit);
	for (i = 0; i < shown; i++) {
		for (c = 0; c < l->nkeys; c++) {
			int n = decode_field(&l->keys[c], s->e[i].key, cell, sizeof(cell));

			if (n > width[c])
				width[c] = n;
		}
		c = strlen(num(a, sizeof(a), s->e[i].packets, per));
		if (c > width[l->nkeys])
			width[l->nkeys] = c;
		c = strlen(num(b, sizeof(b), s->e[i].bytes, per));
		if (c > width[l->nkeys + 1])
			width[l->nkeys + 1] = c;
	}
	for (c = 0; c < l->nkeys; c++) {
		const char *p;
		int n = 0;

		for (p = l->keys[c].label; *p; p++, n++)
			putchar(toupper((unsigned char)*p));
		printf("%*s  ", width[c] - n, "");
	}
	snprintf(a, sizeof(a), "PACKETS%s", unit);
	snprintf(b, sizeof(b), "BYTES%s", unit);
	printf("%*s  %*s\n", width[l->nkeys], a, width[l->nkeys + 1], b);
	for (i = 0; i < shown; i++) {
		for (c = 0; c < l->nkeys; c++) {
			decode_field(&l->keys[c], s->e[i].key, cell, sizeof(cell));
			printf("%-*s  ", width[c], cell);
		}
		printf("%*s  %*s\n", width[l->nkeys], num(a, sizeof(a), s->e[i].packets, per),
		       width[l->nkeys + 1], num(b, sizeof(b), s->e[i].bytes, per));
	}
	free(width);
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
	printf("%-16s%8s |%-*s|\n", label, num(n, sizeof(n), count, per), BAR_WIDTH, bar);
}

/* The buckets of one group, from the first to the last non-empty one, the
 * empty ones between included (FK_INDEX: the non-empty ones only). */
static void print_buckets(const struct layout *l, const struct entry *e, size_t n, double per)
{
	const struct field *f = &l->bucket;
	__u64 max = 0, b, first, last;
	size_t i, j;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		if (e[i].packets > max)
			max = e[i].packets;
	if (f->kind == FK_INDEX) {
		for (i = 0; i < n; i++)
			hist_line(f, decode_uint(f, e[i].key), e[i].packets, max, per);
		return;
	}
	first = decode_uint(f, e[0].key);
	last = decode_uint(f, e[n - 1].key);
	for (b = first, j = 0; b <= last; b++) {
		__u64 count = 0;

		if (j < n && decode_uint(f, e[j].key) == b)
			count = e[j++].packets;
		hist_line(f, b, count, max, per);
		if (b == UINT64_MAX)
			break;
	}
}

static int print_hist(struct snap *s, double per)
{
	const struct layout *l = &s->m->layout;
	const char *unit = per > 0 ? "/s" : "";
	struct group *g;
	size_t ng, i, shown;
	__u64 total = 0;
	char a[32], key[512];
	int err;

	err = stat_groups(l, s->e, s->n, &g, &ng);
	if (err)
		return err;
	for (i = 0; i < ng; i++)
		total += g[i].total;
	if (!l->nkeys) {
		printf("%s: %s packets%s\n", s->m->name, num(a, sizeof(a), total, per), unit);
		print_buckets(l, s->e, s->n, per);
		free(g);
		return 0;
	}
	shown = opts.top && opts.top < ng ? opts.top : ng;
	printf("%s: %zu key%s, %s packets%s", s->m->name, ng, ng == 1 ? "" : "s",
	       num(a, sizeof(a), total, per), unit);
	if (shown < ng)
		printf(" (top %zu shown)", shown);
	putchar('\n');
	for (i = 0; i < shown; i++) {
		if (i)
			putchar('\n');
		key_text(l, s->e[g[i].first].key, true, key, sizeof(key));
		printf("%s[%s]: %s packets%s\n", s->m->name, key,
		       num(a, sizeof(a), g[i].total, per), unit);
		print_buckets(l, s->e + g[i].first, g[i].n, per);
	}
	free(g);
	return 0;
}

static void print_set(const struct snap *s)
{
	const struct layout *l = &s->m->layout;

	printf("%s: set of %s, %zu element%s (room for %u)\n", s->m->name, decode_set_type(l),
	       s->nelems, s->nelems == 1 ? "" : "s", l->max_entries);
}

int stat_print_text(struct snap *snaps, size_t n, double per)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		if (i)
			putchar('\n');
		switch (snaps[i].m->layout.kind) {
		case LWTP_COUNTER:
			stat_sort_counters(&snaps[i].m->layout, snaps[i].e, snaps[i].n);
			print_counter(&snaps[i], per);
			break;
		case LWTP_HIST:
			err = print_hist(&snaps[i], per);
			if (err)
				return err;
			break;
		case LWTP_SET:
			print_set(&snaps[i]);
			break;
		default:
			break;
		}
	}
	return 0;
}

