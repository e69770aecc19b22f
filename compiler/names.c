/* names.c: a table from names to things (see names.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "util.h"

struct name_slot {
	const char *name;
	void *thing;
};

/* FNV-1a */
static size_t hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	return (size_t)h;
}

/* The slot of name, or the free one where it would go; cap is a power of
 * two and never full. */
static struct name_slot *slot_of(struct name_slot *slots, size_t cap, const char *name)
{
	size_t i = hash(name) & (cap - 1);

	while (slots[i].name && strcmp(slots[i].name, name) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

void *names_find(const struct names *t, const char *name)
{
	return t->cap ? slot_of(t->slots, t->cap, name)->thing : NULL;
}

/* Twice the slots, the names in them again; at most half full after. */
static void grow(struct names *t)
{
	size_t cap = t->cap ? 2 * t->cap : 64;
	struct name_slot *slots = xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].name)
			*slot_of(slots, cap, t->slots[i].name) = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
}

void names_add(struct names *t, const char *name, void *thing)
{
	if (2 * (t->len + 1) > t->cap)
		grow(t);
	*slot_of(t->slots, t->cap, name) = (struct name_slot){ name, thing };
	t->len++;
}

void names_free(struct names *t)
{
	free(t->slots);
	*t = (struct names){ 0 };
}
