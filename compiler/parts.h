/* parts.h: a large file compiled by several clangs at once (see parts.c). */
#ifndef LWTC_PARTS_H
#define LWTC_PARTS_H

#include "ast.h"

/* Give each policy of prog the part it is compiled in (policy->part, 1 to
 * N), or leave every part 0 for one compile; the number of parts, N, or 1. */
unsigned parts_plan(struct program *prog);

/* Whether prog is compiled in parts (parts_plan() gave it more than one). */
bool parts_split(const struct program *prog);

#endif
