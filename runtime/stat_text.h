/* stat_text.h: the parts of lwtp stat's text output: the words every map's
 * text uses (stat_words.c), and limits, quotas, lwtp_full_NAME and sample
 * rings (stat_budget.c), which stat_text.c prints with the rest.
 */
#ifndef LWTP_STAT_TEXT_H
#define LWTP_STAT_TEXT_H

#include <stddef.h>

#include "stat_model.h"
#include "table.h"

/* ---- words (stat_words.c) ---- */

/* A value: exact, or a per-second rate when per > 0 ("%.1f"). */
const char *stat_num(char *buf, size_t size, __u64 v, double per);
/* Under a map's first line: "  policy P on ROUTE, ROUTE", when known. */
void stat_text_where(const struct snap *s);
/* ", 2 active" after "N keys" with -i (per > 0): of the keys the map
 * holds, those that counted something in the interval. */
void stat_text_active(size_t active, double per);

/* A table of nrows rows whose first columns are the key fields of
 * e[0..nrows), headed by their labels, then nvals value columns, the
 * first of them l->nkeys. Free with table_free(), even after an error. */
int stat_key_table(struct table *t, const struct layout *l, const struct entry *e,
		   size_t nrows, int nvals);

/* ---- limits and quotas, lwtp_full_NAME under its statistic (full) or on
 * its own, sample rings (stat_budget.c) ---- */
int stat_text_budget(const struct snap *s, double per);
void stat_text_keys(const struct snap *s, const struct snap *full, double per);
void stat_text_full(const struct snap *s, double per);
void stat_text_ring(const struct snap *s, const struct snap *full, double per);

#endif
