/* stat_model.h: lwtp stat's model: a snapshot of lwtp's pinned maps, one
 * struct snap per map, with what the inventory tells of each (its policies
 * and routes), and what the printers need to know of them: orders, groups,
 * the lwtp_full_NAME that goes with a statistic, what a limit's bucket
 * holds now.
 *
 * The printers (stat_text.c, stat_budget.c, stat_json.c, prom.c) read the
 * model; the model knows nothing of them. lwtp stat (stat.c) and the
 * exporter build it, lwtp replay builds one of its own object's maps.
 */
#ifndef LWTP_STAT_MODEL_H
#define LWTP_STAT_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "decode_layout.h"
#include "decode_read.h"
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

/* ---- one snapshot ---------------------------------------------------------- */

/* Read the map s->m into s: its entries, or a set's elements. Logs why
 * not. */
int stat_snap_read(struct snap *s);
/* Free what stat_snap_read() or stat_snap_delta() read into s. */
void stat_snap_free(struct snap *s);

/* cur - prev, key by key, into out (cur's map, entries of its own): the
 * entries that changed in between; a value that went down was reset: it
 * counts from 0. */
int stat_snap_delta(const struct snap *prev, const struct snap *cur, struct snap *out);

/* The entries the map held when it was read, and how many keys they have
 * (a histogram's: one a set of key fields, whatever its buckets). */
size_t stat_stored(const struct snap *s);
size_t stat_stored_keys(const struct snap *s);

/* ---- orders ------------------------------------------------------------------ */

/* Sort a counter's entries busiest first (packets, then bytes). */
void stat_sort_counters(const struct layout *l, struct entry *e, size_t n);
/* Sort a limit's entries busiest first (passed + exceeded), a quota's by
 * used. */
void stat_sort_budgets(const struct layout *l, struct entry *e, size_t n);

/* How many of n entries (or a histogram's groups), sorted busiest first,
 * the printers show: the --top busiest, or all. */
size_t stat_shown(size_t n);

/* A histogram's entries that share every key field but the bucket. */
struct group {
	size_t first, n;                /* in snap.e */
	__u64 total;
};

/* Sort a histogram's entries by key, then bucket, and group them; groups
 * come busiest first. Free *groups. */
int stat_groups(const struct layout *l, struct entry *e, size_t n,
		struct group **groups, size_t *ngroups);

/* ---- lwtp_full_NAME, limits ------------------------------------------------- */

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

/* ---- the maps of a pin directory --------------------------------------------- */

/* The maps opened, and a snapshot of each (snaps[i].m is &maps[i]). */
struct stat_model {
	struct lwtp_map *maps;
	struct snap *snaps;
	size_t n;
	/* maps left out: they could not be opened or read, or were named but
	 * are not lwtp's (each logged) */
	unsigned errors;
};

/* Open the maps of dir named in names (each once), and the lwtp_full_NAME
 * of each when it is pinned, so that it prints (and resets) with its
 * statistic; or, names NULL, every lwtp map pinned in dir. Nothing is read
 * yet. A negative errno (logged) when dir cannot be listed or memory is
 * short; maps that cannot be opened are counted in errors. */
int stat_model_open(struct stat_model *sm, const char *dir, char **names, size_t nnames);
/* Read every map of the model: all of them, or, on error (logged), none. */
int stat_model_read(struct stat_model *sm);
/* Every lwtp map pinned in dir, opened and read (the exporter's scrape):
 * those that cannot be opened or read are left out, and counted in
 * errors. A negative errno when dir cannot be listed. */
int stat_model_scrape(struct stat_model *sm, const char *dir);
void stat_model_free(struct stat_model *sm);

/* ---- policies and routes (stat_where.c) -------------------------------------- */

/* The inventory, read once for all the maps: known false when the
 * programs cannot be listed (no right to: nothing said) or the inventory
 * cannot be read. stat_where_find() then gives each snapshot its where
 * (NULL for all when not known). stat_places_free() frees both. */
struct stat_places {
	struct inventory inv;
	bool known;
	struct stat_where *where;       /* one per snap */
	size_t n;
};
void stat_places_read(struct stat_places *pl, const char *pin_dir);
int stat_where_find(struct stat_places *pl, struct snap *snaps, size_t n);
void stat_places_free(struct stat_places *pl);

#endif
