/* stat.h: what stat.c hands to its output formats: one snapshot per map. */
#ifndef LWTP_STAT_H
#define LWTP_STAT_H

#include <stdio.h>

#include "decode.h"
#include "maps.h"

struct snap {
	struct lwtp_map *m;
	struct entry *e;                /* counters and histograms */
	size_t n;
	unsigned char *elems;           /* sets: n keys of m->layout.key_size */
	size_t nelems;
};

/* A histogram's entries that share every key field but the bucket. */
struct group {
	size_t first, n;                /* in snap.e */
	__u64 total;
};

/* Sort a counter's entries busiest first (packets, then bytes). */
void stat_sort_counters(const struct layout *l, struct entry *e, size_t n);

/* Sort a histogram's entries by key, then bucket, and group them; groups
 * come busiest first. Free *groups. */
int stat_groups(const struct layout *l, struct entry *e, size_t n,
		struct group **groups, size_t *ngroups);

/* The outputs of the snapshots: text (stat_text.c), JSON (stat_json.c),
 * the Prometheus format (prom.c). per > 0: values are counts over per
 * seconds, printed as rates. */
int stat_print_text(struct snap *snaps, size_t n, double per);
int stat_print_json(struct snap *snaps, size_t n, double per);
int prom_print(FILE *f, struct snap *snaps, size_t n);

#endif
