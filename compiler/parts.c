/* parts.c: which policies each clang compiles, for a large file.
 *
 * clang's time grows with the square of the distinct source lines of one
 * compile: clang 14 records each line's text in the BTF line info, and
 * finds a line's text among those already recorded by a linear search.
 * 10,000 one-line statements took 7 s, 4 of them there. A file of many
 * policy lines is therefore compiled in parts, each a group of whole
 * policies in file order of at most PART_LINES lines, by one clang each
 * (-DLWTP_PART=K; the generated C says what each part holds), all at once,
 * and the parts are linked into one object by libbpf's linker (clang.c):
 * each part's time is bounded, so the whole grows linearly, and the parts
 * share the CPUs. A file below SPLIT_LINES is one compile: the guards and
 * the link cost more than they save.
 */
#include <stdlib.h>

#include "parts.h"

#define SPLIT_LINES 2000        /* policy lines before a file is split */
#define PART_LINES  1000        /* policy lines in a part, at most */
#define MAX_PARTS   16

static unsigned policy_lines(const struct policy *p)
{
	return p->loc.last_line >= p->loc.first_line ?
	       (unsigned)(p->loc.last_line - p->loc.first_line + 1) : 1;
}

/* LWTC_PARTS=N: N parts whatever the size (1: one compile), for tests
 * of the parts' link on small files; 0 when unset or not 1 to MAX_PARTS. */
static unsigned parts_wanted(void)
{
	const char *v = getenv("LWTC_PARTS");
	char *end;
	unsigned long n;

	if (!v || !*v)
		return 0;
	n = strtoul(v, &end, 10);
	return *end || n < 1 || n > MAX_PARTS ? 0 : (unsigned)n;
}

unsigned parts_plan(struct program *prog)
{
	unsigned total = 0, npolicies = 0, part = 1, in_part = 0, limit, wanted = parts_wanted();

	for (size_t i = 0; i < prog->nitems; i++) {
		if (prog->items[i].kind != ITEM_POLICY)
			continue;
		total += policy_lines(prog->items[i].u.policy);
		npolicies++;
	}
	if (npolicies < 2 || wanted == 1 || (!wanted && total < SPLIT_LINES))
		return 1;
	if (wanted)             /* about total / wanted lines a part */
		limit = (total + wanted - 1) / wanted;
	else                    /* no more than MAX_PARTS: then larger parts */
		limit = total / MAX_PARTS + 1 > PART_LINES ? total / MAX_PARTS + 1 : PART_LINES;
	for (size_t i = 0; i < prog->nitems; i++) {
		struct policy *p = prog->items[i].u.policy;
		unsigned n;

		if (prog->items[i].kind != ITEM_POLICY)
			continue;
		n = policy_lines(p);
		if (in_part && in_part + n > limit) {
			part++;
			in_part = 0;
		}
		p->part = part;
		in_part += n;
	}
	return part;
}

bool parts_split(const struct program *prog)
{
	for (size_t i = 0; i < prog->nitems; i++)
		if (prog->items[i].kind == ITEM_POLICY && prog->items[i].u.policy->part)
			return true;
	return false;
}
