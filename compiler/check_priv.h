/* check_priv.h: what the files of the checking pass share.
 *
 *   check.c        the walk: items, scopes, statements, statistics
 *   check_expr.c   expressions: literals, ranges, sets, conditions
 *   check_resolve.c  names (consts, named values) and fields
 *   check_compare.c  comparisons, membership tests, '&' and '|'
 *   check_map.c    constant maps and verdict maps: key, keys, values
 *   check_ident.c  whether a name can become a C identifier in the output
 *   check_text.c   expressions and types as text, for messages
 *   check_sample.c the numbers of a sample statement
 */
#ifndef LWTC_CHECK_PRIV_H
#define LWTC_CHECK_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "fields.h"

/* How deep expressions may nest ('a or b or ...' nests one level per
 * operator): the checker, the emitter and clang recurse on them, and the
 * C they become nests deeper still (clang -fbracket-depth in clang.c). */
#define MAX_EXPR_DEPTH 200

/* The consts in scope, innermost last. depth 0 is the file, 1 a policy's
 * body, 2 and up nested blocks. */
struct check_scope {
	struct {
		const struct const_decl *decl;
		int depth;
	} *consts;
	size_t len, cap;
	int depth;
	const struct program *prog;     /* to explain names used out of scope */
	struct set_decl **sets;         /* runtime sets declared so far */
	size_t nsets, sets_cap;
};

/* The runtime set declared so far under that name, or NULL. */
struct set_decl *check_find_set(const struct check_scope *sc, const char *name);

/* check.c */
const struct const_decl *check_find_const(const struct check_scope *sc, const char *name);
/* A const of that name anywhere in the program, in scope or not. */
const struct const_decl *check_find_any_const(const struct program *prog, const char *name);
/* The first policy of that name in the program, or NULL. */
const struct policy *check_find_policy(const struct program *prog, const char *name);

/* check_sample.c: the ratio, snaplen and size of a sample statement */
void check_sample(const struct stmt *s);

/* check_expr.c */

/* Check e and fill in its type (and every subexpression's). hint is the
 * domain whose named values a bare NAME may denote, or NULL. */
void check_expr(const struct check_scope *sc, struct expr *e,
		const struct symbol_domain *hint);
/* Check e as a condition: a bool, or an integer '&' (not zero). */
void check_cond(const struct check_scope *sc, struct expr *e);
/* Check the value of a const declaration: it must be a constant. */
void check_const_value(const struct check_scope *sc, struct const_decl *c);
/* The literal a constant expression stands for (following NAMEs of consts);
 * NULL for symbols and non-constants. */
const struct expr *check_literal(const struct expr *e);

bool check_known(const struct expr *e);            /* checked, no error */
bool check_is_addr(const struct type *t);          /* ADDR4, ADDR6, ADDR */
/* A literal, a const's name or a named value (not computed from packets). */
bool check_is_constant(const struct expr *e);
/* The value of an integer constant (literal, const or named value). */
bool check_const_int(const struct expr *e, uint64_t *value);
/* The named values that NAMEs compared with e denote, or NULL. */
const struct symbol_domain *check_domain_of(const struct expr *e);
/* A checked set element: whether it is an integer or range (else an address). */
bool check_element_is_int(const struct expr *el);

/* check_resolve.c */

/* Resolve a NAME: a const in scope, else a named value of hint. */
void check_name(const struct check_scope *sc, struct expr *e,
		const struct symbol_domain *hint);
/* Check e as a readable field; with write, also that it is writable. */
void check_field(struct expr *e, bool write);

/* check_compare.c */
void check_compare(const struct check_scope *sc, struct expr *e);  /* == ... in */
/* 'X in SET' where SET names a runtime set: X's type must suit the set. */
/* Also the key of a runtime map (set->value not RMAP_NONE). */
void check_runtime_member(const struct expr *l, const struct set_decl *set);
/* The tuple (an EXPR_SET marked tuple, its components checked) looked up
 * in d, a runtime map: d must be keyed by tuples of as many components,
 * each component suiting the field read for it; errors reported. */
void check_tuple_key(const struct expr *tuple, const struct set_decl *d);
void check_bitwise(const struct check_scope *sc, struct expr *e,   /* & | */
		   const struct symbol_domain *hint);

/* Every element of an integer set or range lit must fit in target; those
 * of a const named at the use (via, or NULL) are reported at the use. */
void check_elements_fit(const struct expr *lit, const struct expr *via,
			const struct expr *target);

/* check_map.c: 'set FIELD = KEY map { ... }' (target the field, NULL when
 * it is wrong) and 'vmap KEY { ... }': the key, the keys, the values. */
void check_map(const struct check_scope *sc, struct stmt *s, const struct expr *target);

/* check_set.c */
void check_set_decl(struct check_scope *sc, struct set_decl *d);
/* When e is 'socket.cgroup in SET' (or 'not in'): check it (SET must be a
 * runtime set of cgroups) and return true; else false, nothing done. */
bool check_cgroup_member(const struct check_scope *sc, struct expr *e);
/* Report the runtime map name, used at loc, as unknown: a set's name, or a
 * map declared later, or with the closest map's name. */
void check_unknown_map(const struct check_scope *sc, const char *name, const struct loc *loc);

/* check_ident.c */

/* Whether name can name a statistic or a policy (what: "statistic",
 * "policy"); reports why not at loc. */
bool check_c_name(const char *name, const struct loc *loc, const char *what);

/* check_text.c */

/* e as the user would write it, shortened to fit size. */
const char *check_expr_text(const struct expr *e, char *buf, size_t size);
/* "u16", "bool", "IPv4 address", "integer" */
const char *check_type_name(const struct type *t);
/* the same with an article: "a u16", "an IPv4 address" */
const char *check_type_a(const struct type *t);
/* an address or prefix as text */
const char *check_addr_text(const struct addr *a, char *buf, size_t size);

#endif
