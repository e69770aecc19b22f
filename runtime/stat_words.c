/* stat_words.c: the words every map's text in lwtp stat uses (stat_text.h):
 * numbers and rates, the line of its policy and routes, the table of its
 * keys.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decode_format.h"
#include "routes.h"
#include "stat_text.h"

const char *stat_num(char *buf, size_t size, __u64 v, double per)
{
	if (per > 0)
		snprintf(buf, size, "%.1f", v / per);
	else
		snprintf(buf, size, "%" PRIu64, (uint64_t)v);
	return buf;
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

int stat_key_table(struct table *t, const struct layout *l, const struct entry *e,
		   size_t nrows, int nvals)
{
	char cell[128];
	size_t r;
	int c, err;

	err = table_init(t, nrows, l->nkeys + nvals);
	for (c = 0; !err && c < l->nkeys; c++) {
		table_head(t, c, l->keys[c].label, true);
		for (r = 0; !err && r < nrows; r++) {
			if (decode_field(&l->keys[c], e[r].key, cell, sizeof(cell)) < 0)
				snprintf(cell, sizeof(cell), "?");
			err = table_put(t, r, c, cell);
		}
	}
	return err;
}
