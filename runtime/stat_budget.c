/* stat_budget.c: lwtp stat's text output of limits and quotas, one line
 * or a table, with amounts in their unit ("1 MB/s burst 100 kB"); of the
 * lwtp_full_NAME under its statistic ("keys: 3 stored, 0 refused (size
 * 4096)"); and of sample rings ("samples: 15 written, 0 lost").
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <linux/bpf.h>

#include "decode_format.h"
#include "lwtp.h"
#include "stat_model.h"
#include "stat_text.h"
#include "table.h"

/* ---- amounts: packets as numbers, bytes with SI prefixes ------------------------ */

/* v rounded down to ndec decimals, without the zeros that end them: "49.5". */
static void decimals(char *buf, size_t size, double v, int ndec)
{
	double scale = pow(10, ndec);
	char *p;

	snprintf(buf, size, "%.*f", ndec, floor(v * scale + 1e-6) / scale);
	if (!strchr(buf, '.'))
		return;
	p = buf + strlen(buf);
	while (p[-1] == '0')
		*--p = 0;
	if (p[-1] == '.')
		p[-1] = 0;
}

/* "999 B", "100 kB", "1.5 MB", "10 Mbit": decimal prefixes, as the
 * language writes sizes and rates; 3 decimals at most, rounded down. */
static void si(char *buf, size_t size, double v, const char *unit)
{
	static const char *const prefix[] = { "", "k", "M", "G", "T", "P", "E" };
	char n[32];
	int i = 0;

	while (v >= 1000 && i < 6) {
		v /= 1000;
		i++;
	}
	decimals(n, sizeof(n), v, 3);
	snprintf(buf, size, "%s %s%s", n, prefix[i], unit);
}

/* An amount in a limit's or quota's unit: packets as a number ("49.5"),
 * bytes with a prefix ("100 kB"), bits in bytes too, as a policy gives the
 * burst of a bit rate. */
static void amount(char *buf, size_t size, double v, __u64 unit)
{
	if (unit == LWTP_UNIT_PACKETS)
		decimals(buf, size, v, 1);
	else
		si(buf, size, unit == LWTP_UNIT_BITS ? v / 8 : v, "B");
}

/* A count of packets, or a rate of them with -i: "5", "2.5/s" */
static const char *count(char *buf, size_t size, __u64 v, double per)
{
	stat_num(buf, size, v, per);
	if (per > 0)
		strncat(buf, "/s", size - strlen(buf) - 1);
	return buf;
}

/* "2000/s burst 50", "1 MB/s burst 100 kB", "10 Mbit/s burst 64 kB" */
static const char *limit_text(char *buf, size_t size, const struct entry *e)
{
	__u64 unit = e->v[LIM_UNIT], period = e->v[LIM_PERIOD_NS];
	char rate[32], burst[32], per[32];

	if (unit == LWTP_UNIT_BITS)
		si(rate, sizeof(rate), e->v[LIM_RATE], "bit");
	else
		amount(rate, sizeof(rate), e->v[LIM_RATE], unit);
	amount(burst, sizeof(burst), e->v[LIM_BURST], unit);
	if (period == 1000000000ULL)
		snprintf(per, sizeof(per), "s");
	else if (period == 60000000000ULL)
		snprintf(per, sizeof(per), "min");
	else if (period == 3600000000000ULL)
		snprintf(per, sizeof(per), "h");
	else
		snprintf(per, sizeof(per), "(%" PRIu64 " ns)", (uint64_t)period);
	snprintf(buf, size, "%s/%s burst %s", rate, per, burst);
	return buf;
}

/* "10 packets", "1 GB" */
static const char *quota_text(char *buf, size_t size, const struct entry *e)
{
	char n[32];

	amount(n, sizeof(n), e->v[QUOTA_LIMIT], e->v[QUOTA_UNIT]);
	snprintf(buf, size, "%s%s", n, e->v[QUOTA_UNIT] != LWTP_UNIT_PACKETS ? "" :
		 e->v[QUOTA_LIMIT] == 1 ? " packet" : " packets");
	return buf;
}

static const char *tokens_text(char *buf, size_t size, const struct entry *e)
{
	amount(buf, size, stat_limit_tokens(e), e->v[LIM_UNIT]);
	return buf;
}

static const char *used_text(char *buf, size_t size, const struct entry *e)
{
	amount(buf, size, e->v[QUOTA_USED], e->v[QUOTA_UNIT]);
	return buf;
}

static const char *left_text(char *buf, size_t size, const struct entry *e)
{
	__u64 used = e->v[QUOTA_USED], limit = e->v[QUOTA_LIMIT];

	amount(buf, size, used < limit ? limit - used : 0, e->v[QUOTA_UNIT]);
	return buf;
}

/* ---- limits and quotas ----------------------------------------------------------- */

/* One row of a keyed limit's table, from column c on: LIMIT, TOKENS,
 * PASSED, EXCEEDED. */
static int limit_row(struct table *t, size_t r, int c, const struct entry *e, double per)
{
	char buf[128];
	int err;

	err = table_put(t, r, c, limit_text(buf, sizeof(buf), e));
	err = err ?: table_put(t, r, c + 1, tokens_text(buf, sizeof(buf), e));
	err = err ?: table_put(t, r, c + 2, stat_num(buf, sizeof(buf), e->v[LIM_PASSED], per));
	return err ?: table_put(t, r, c + 3, stat_num(buf, sizeof(buf), e->v[LIM_EXCEEDED], per));
}

/* One row of a keyed quota's table, from column c on: QUOTA, USED, LEFT,
 * OVER. */
static int quota_row(struct table *t, size_t r, int c, const struct entry *e, double per)
{
	char buf[128];
	int err;

	err = table_put(t, r, c, quota_text(buf, sizeof(buf), e));
	err = err ?: table_put(t, r, c + 1, used_text(buf, sizeof(buf), e));
	err = err ?: table_put(t, r, c + 2, left_text(buf, sizeof(buf), e));
	return err ?: table_put(t, r, c + 3, stat_num(buf, sizeof(buf), e->v[QUOTA_OVER], per));
}

static int print_budget_table(const struct snap *s, size_t shown, double per)
{
	static const char *const heads[2][4] = {
		{ "LIMIT", "TOKENS", "PASSED", "EXCEEDED" },
		{ "QUOTA", "USED", "LEFT", "OVER" },
	};
	const struct layout *l = &s->m->layout;
	bool limit = l->kind == LWTP_LIMIT;
	char head[32];
	struct table t;
	size_t i;
	int err, c;

	err = stat_key_table(&t, l, s->e, shown, 4);
	for (c = 0; c < 4; c++) {
		/* with -i, the counts are rates: PASSED and EXCEEDED, OVER */
		snprintf(head, sizeof(head), "%s%s", heads[!limit][c],
			 per > 0 && c >= (limit ? 2 : 3) ? "/s" : "");
		table_head(&t, l->nkeys + c, head, c == 0);
	}
	for (i = 0; !err && i < shown; i++)
		err = limit ? limit_row(&t, i, l->nkeys, &s->e[i], per)
			    : quota_row(&t, i, l->nkeys, &s->e[i], per);
	if (!err)
		table_print(&t, stdout);
	table_free(&t);
	return err;
}

/* "lim: limit 2000/s burst 50: tokens 50, 3 passed, 0 exceeded"
 * "q: quota 10 packets: 15 used, 0 left, 5 over" */
static void print_unkeyed_budget(const struct snap *s, double per)
{
	const struct entry *e = s->e;
	char a[64], b[32], c[32], d[32];

	if (!s->n)
		printf("%s: %s, no packet yet\n", s->m->escaped, decode_kind_name(s->m->layout.kind));
	else if (s->m->layout.kind == LWTP_LIMIT)
		printf("%s: limit %s: tokens %s, %s passed, %s exceeded\n", s->m->escaped,
		       limit_text(a, sizeof(a), e), tokens_text(b, sizeof(b), e),
		       count(c, sizeof(c), e->v[LIM_PASSED], per),
		       count(d, sizeof(d), e->v[LIM_EXCEEDED], per));
	else
		printf("%s: quota %s: %s used, %s left, %s over\n", s->m->escaped,
		       quota_text(a, sizeof(a), e), used_text(b, sizeof(b), e),
		       left_text(c, sizeof(c), e), count(d, sizeof(d), e->v[QUOTA_OVER], per));
	stat_text_where(s);
}

/* "lim: limit by ip.dst: 2 keys, 12 passed, 3 exceeded", then the table;
 * "q: quota by ip.dst: 1 key, 5 over", then the table */
int stat_text_budget(const struct snap *s, double per)
{
	const struct layout *l = &s->m->layout;
	bool limit = l->kind == LWTP_LIMIT;
	__u64 passed = 0, over = 0;
	char by[256], a[32], b[32];
	size_t i, shown, keys;

	stat_sort_budgets(l, s->e, s->n);
	if (!l->nkeys) {
		print_unkeyed_budget(s, per);
		return 0;
	}
	for (i = 0; i < s->n; i++) {
		passed += limit ? s->e[i].v[LIM_PASSED] : 0;
		over += s->e[i].v[limit ? LIM_EXCEEDED : QUOTA_OVER];
	}
	shown = stat_shown(s->n);
	decode_by_text(l, by, sizeof(by));
	keys = stat_stored_keys(s);
	printf("%s: %s %s: %zu key%s", s->m->escaped, decode_kind_name(l->kind), by, keys,
	       keys == 1 ? "" : "s");
	stat_text_active(s->n, per);
	if (limit)
		printf(", %s passed", count(a, sizeof(a), passed, per));
	printf(", %s %s", count(b, sizeof(b), over, per), limit ? "exceeded" : "over");
	if (shown < s->n)
		printf(" (top %zu shown)", shown);
	putchar('\n');
	stat_text_where(s);
	return shown ? print_budget_table(s, shown, per) : 0;
}

/* ---- lwtp_full_NAME and rings ----------------------------------------------------- */

/* Under a keyed statistic: "keys: 1234 stored, 17 refused (map full, size
 * 4096)"; under an LRU limit: "keys: 1500 stored, 476 evicted (size 1024,
 * least recently used go first)", evicted being inserted - stored. Stored
 * is what the map holds, as the header counts it, not what lwtp_full_NAME
 * counts as inserted: --reset renews a keyed quota's entries but zeroes
 * its lwtp_full_NAME. With -i: "keys: 1234 stored, 2.0 inserted/s, 0.0
 * refused/s". */
void stat_text_keys(const struct snap *s, const struct snap *full, double per)
{
	const struct layout *l = &s->m->layout;
	const char *what = l->kind == LWTP_HIST ? "entries" : "keys";
	bool lru = l->map_type == BPF_MAP_TYPE_LRU_HASH ||
		   l->map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	size_t stored = stat_stored(s);
	__u64 inserted, refused;
	char a[32], b[32];

	stat_keys(full, &inserted, &refused);
	printf("%s: %zu stored", what, stored);
	if (per > 0) {
		printf(", %s inserted/s, %s refused/s\n", stat_num(a, sizeof(a), inserted, per),
		       stat_num(b, sizeof(b), refused, per));
		return;
	}
	if (lru)
		printf(", %" PRIu64 " evicted",
		       (uint64_t)(inserted > stored ? inserted - stored : 0));
	if (!lru || refused)
		printf(", %" PRIu64 " refused", (uint64_t)refused);
	printf(" (%ssize %u%s)\n", refused && !lru ? "map full, " : "", l->max_entries,
	       lru ? ", least recently used go first" : "");
}

/* "snoop: sample ring of 262144 bytes" and "samples: 1234 written, 0 lost" */
void stat_text_ring(const struct snap *s, const struct snap *full, double per)
{
	__u64 written, lost;
	char a[32], b[32];

	printf("%s: sample ring of %u bytes\n", s->m->escaped, s->m->layout.max_entries);
	stat_text_where(s);
	if (!full) {
		printf("samples: not counted (no %s%s)\n", LWTP_FULL_PREFIX, s->m->escaped);
		return;
	}
	stat_keys(full, &written, &lost);
	printf("samples: %s written, %s lost%s\n", count(a, sizeof(a), written, per),
	       count(b, sizeof(b), lost, per), lost && per <= 0 ? " (the ring was full)" : "");
}

/* An lwtp_full_NAME without NAME beside it. */
void stat_text_full(const struct snap *s, double per)
{
	const char *of = stat_full_of_name(s->m->escaped);
	__u64 inserted, refused;
	char a[32], b[32];

	stat_keys(s, &inserted, &refused);
	printf("%s: %s inserted, %s refused (the new keys or samples of %s)\n", s->m->escaped,
	       count(a, sizeof(a), inserted, per), count(b, sizeof(b), refused, per),
	       of ? of : "a statistic");
	stat_text_where(s);
}

