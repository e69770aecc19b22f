/* stat.h: what stat.c hands to its output formats: one snapshot per map. */
#ifndef LWTP_STAT_H
#define LWTP_STAT_H

#include <stdio.h>

#include "decode.h"
#include "inventory.h"
#include "maps.h"

/* What the inventory of this host tells of a map (stat_where.c): the
 * policies whose programs count into it, sorted, and the routes of this
 * network namespace that run those programs, in routes_read()'s order;
 * both point into the inventory read. */
struct stat_where {
	const char **policies;
	size_t npolicies;
	const struct lwt_route **routes;
	size_t nroutes;
};

struct snap {
	struct lwtp_map *m;
	struct entry *e;                /* counters and histograms */
	size_t n;
	unsigned char *elems;           /* sets: n keys of m->layout.key_size */
	size_t nelems;
	/* With -i, e holds only the entries that changed in the interval
	 * (delta), and stored and stored_keys count those the map held; read
	 * them with stat_stored() and stat_stored_keys(). */
	bool delta;
	size_t stored, stored_keys;
	/* NULL: not known (the programs could not be listed) */
	const struct stat_where *where;
};

/* A histogram's entries that share every key field but the bucket. */
struct group {
	size_t first, n;                /* in snap.e */
	__u64 total;
};

/* The entries the map held when it was read, and how many keys they have
 * (a histogram's: one a set of key fields, whatever its buckets). */
size_t stat_stored(const struct snap *s);
size_t stat_stored_keys(const struct snap *s);

/* Sort a counter's entries busiest first (packets, then bytes). */
void stat_sort_counters(const struct layout *l, struct entry *e, size_t n);
/* Sort a limit's entries busiest first (passed + exceeded), a quota's by
 * used. */
void stat_sort_budgets(const struct layout *l, struct entry *e, size_t n);

/* Sort a histogram's entries by key, then bucket, and group them; groups
 * come busiest first. Free *groups. */
int stat_groups(const struct layout *l, struct entry *e, size_t n,
		struct group **groups, size_t *ngroups);

/* lwtp_full_NAME is printed with the statistic or ring NAME when both are
 * among the snapshots: stat_full_of() finds it (NULL: none), and
 * stat_printed_with() says that an lwtp_full_NAME is printed so, not on its
 * own. stat_keys() reads what it counts (0 and 0 for NULL). */
const struct snap *stat_full_of(const struct snap *snaps, size_t n, const struct snap *s);
bool stat_printed_with(const struct snap *snaps, size_t n, const struct snap *s);
void stat_keys(const struct snap *full, __u64 *inserted, __u64 *refused);
/* NAME, for a map named lwtp_full_NAME; NULL for other names. */
const char *stat_full_of_name(const char *name);

/* What a limit's bucket holds now, in its unit: brought up to date from
 * last_ns to CLOCK_MONOTONIC (bpf_ktime_get_ns()) as the program would,
 * without writing it. */
double stat_limit_tokens(const struct entry *e);
/* "packets", "bytes", "bits": LIM_UNIT, QUOTA_UNIT */
const char *stat_unit_name(__u64 unit);

/* The policy and routes of each map (snaps[i].where), from one reading of
 * the inventory: NULL for all when the programs cannot be listed (no
 * right to: nothing said), or the inventory cannot be read (logged).
 * stat_where_free() frees what stat_where_find() made. */
struct stat_places {
	struct inventory inv;
	bool known;
	struct stat_where *where;       /* one per snap */
	size_t n;
};
int stat_where_find(struct stat_places *pl, struct snap *snaps, size_t n);
void stat_where_free(struct stat_places *pl);

/* ---- what the text outputs share (stat_text.c) ---- */

/* A value: exact, or a per-second rate when per > 0 ("%.1f"). */
const char *stat_num(char *buf, size_t size, __u64 v, double per);
/* "by ip.dst, l4.dport" ("" when unkeyed) */
void stat_by_text(const struct layout *l, char *buf, size_t size);
/* Under a map's first line: "  policy P on ROUTE, ROUTE", when known. */
void stat_text_where(const struct snap *s);
/* ", 2 active" after "N keys" with -i (per > 0): of the keys the map
 * holds, those that counted something in the interval. */
void stat_text_active(size_t active, double per);

/* A table: the key's fields first, left-aligned, headed by their labels in
 * capitals, then value columns, left- or right-aligned, two spaces apart. */
#define STAT_TABLE_MAX_COLS (LWTP_MAX_FIELDS + 8)

struct stat_table {
	int nkeys, ncols;
	size_t nrows;
	char **cells;                   /* nrows x ncols */
	char head[STAT_TABLE_MAX_COLS][80];
	bool left[STAT_TABLE_MAX_COLS];
};

/* nrows rows with the keys of e[0..nrows) in them, and nvals value columns
 * that stat_table_head() and stat_table_put() fill (col 0: the first after
 * the keys). Free with stat_table_free(), even after an error. */
int stat_table_init(struct stat_table *t, const struct layout *l, const struct entry *e,
		    size_t nrows, int nvals);
void stat_table_head(struct stat_table *t, int col, const char *name, bool left);
int stat_table_put(struct stat_table *t, size_t row, int col, const char *text);
void stat_table_print(const struct stat_table *t);
void stat_table_free(struct stat_table *t);

/* Limits and quotas, lwtp_full_NAME under its statistic (full) or on its
 * own, sample rings (stat_budget.c) */
int stat_text_budget(const struct snap *s, double per);
void stat_text_keys(const struct snap *s, const struct snap *full, double per);
void stat_text_full(const struct snap *s, double per);
void stat_text_ring(const struct snap *s, const struct snap *full, double per);

/* The outputs of the snapshots: text (stat_text.c), JSON (stat_json.c),
 * the Prometheus format (prom.c). per > 0: values are counts over per
 * seconds, printed as rates. prom_print() leaves out, with a comment and a
 * line on stderr, the maps whose names a metric name cannot hold, and
 * returns how many (or a negative errno). */
int stat_print_text(struct snap *snaps, size_t n, double per);
int stat_print_json(struct snap *snaps, size_t n, double per);
int prom_print(FILE *f, struct snap *snaps, size_t n);
/* prom_print() with a label policy="P" first on every series of a map, P
 * what policy() returns for the map (the exporter: the policies that count
 * into it); NULL: no label. */
typedef const char *(*prom_policy_fn)(const struct snap *s, void *ctx);
int prom_print_policies(FILE *f, struct snap *snaps, size_t n, prom_policy_fn policy, void *ctx);
/* Whether lwtp_NAME_... makes a metric name: NAME is [A-Za-z0-9_]+. */
bool prom_name_ok(const char *name);
/* A label value, with \\, \" and newline escaped as the format wants. */
void prom_label_value(FILE *f, const char *s);

/* Every lwtp map pinned in dir, opened and read (the exporter's scrape):
 * maps that cannot be opened or read are logged, counted in errors and left
 * out. A negative errno when dir cannot be listed. */
struct stat_all {
	struct lwtp_map *maps;
	struct snap *snaps;
	size_t n;
	unsigned errors;
};
int stat_read_all(const char *dir, struct stat_all *all);
void stat_free_all(struct stat_all *all);

#endif
