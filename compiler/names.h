/* names.h: a table from names to things, for the passes that look a name
 * up once per statement (the checker's statistics, the resources pass's
 * maps): a file of tens of thousands of statements must not cost a
 * comparison with every name before it. */
#ifndef LWTC_NAMES_H
#define LWTC_NAMES_H

#include <stddef.h>

struct names {
	struct name_slot *slots;        /* open addressing; NULL name: free */
	size_t cap, len;
};

/* What name stands for, or NULL. */
void *names_find(const struct names *t, const char *name);
/* Let name (kept, not copied: it must outlive the table) stand for thing;
 * name must not be in the table. */
void names_add(struct names *t, const char *name, void *thing);
void names_free(struct names *t);

#endif
