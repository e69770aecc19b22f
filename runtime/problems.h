/* problems.h: what lwtp show warns about, found in an inventory:
 *
 *   hidden_counts     a program counts into a map that is not pinned (its pin
 *                     was removed or replaced, or it was never pinned here):
 *                     no reader can see those counts
 *   unused_pin        an lwtp map pinned that no loaded program uses: its
 *                     numbers no longer move
 *   shared_statistic  one pin counted into by programs of different
 *                     policies (versions of one policy share by design)
 *   not_lwtc          a route's program is not one lwtc made
 *   ambiguous         several loaded programs fit a route's program name
 */
#ifndef LWTP_PROBLEMS_H
#define LWTP_PROBLEMS_H

#include <stdio.h>

#include "inventory.h"

struct json;

struct problem {
	const char *kind;
	char *text;             /* one line, names escaped */
};

struct problems {
	struct problem *list;
	size_t n;
};

int problems_find(const struct inventory *inv, struct problems *pr);
void problems_free(struct problems *pr);

/* "warning: TEXT" per problem, or nothing. */
void problems_print_text(const struct problems *pr, FILE *f);
/* "problems": [{"kind": ..., "text": ...}, ...] */
void problems_print_json(const struct problems *pr, struct json *j);

/* lwtp stat's part: the hidden counts of the maps pinned where inv was
 * read, as "lwtp: warning: ..." lines on stderr. lwtp stat reads the
 * inventory once, for these and for the policies of its maps; without the
 * right to list programs it has none, and says nothing: the pins' own
 * errors say what is wrong. */
void problems_warn_hidden(const struct inventory *inv);

#endif
