/* tuple.h: tests of several fields at once against a set of tuples,
 * constant '(F1, F2) in { (V1, V2), ... }' or runtime '(F1, F2) in NAME'
 * (nftables' concatenations). */
#ifndef LWTC_TUPLE_H
#define LWTC_TUPLE_H

#include "ast.h"

#define TUPLE_MAX_FIELDS   8     /* components of a tuple */
#define TUPLE_MAX_ELEMENTS 256   /* elements of a constant tuple set */

/* 'FIELDS in SET' (op OP_IN) or 'FIELDS not in SET' (OP_NOT_IN), at loc:
 * fields holds the tuple's components, set the set's elements (each an
 * EXPR_SET of its components, at the element's location), set_loc is the
 * set's location. Both lists are taken over. Returns the test written
 * with the existing operators: an OR (balanced) of one AND per element of
 * 'Fk in { Vk }', each component compared as a one-element set is; 'not
 * in' is the presence of every field and not that. Arity and size errors
 * are reported here. */
struct expr *tuple_in(const struct loc *loc, enum op op, struct expr_list *fields,
		      struct expr_list *set, const struct loc *set_loc);

/* 'FIELDS in SET' (op OP_IN or OP_NOT_IN) for a runtime set of tuples, at
 * loc; tuple_loc is the tuple's, '(' to ')', and set the set's name (an
 * EXPR_NAME). fields and set are taken over. Returns 'in' with the tuple,
 * an EXPR_SET marked tuple, on the left; the checker matches it with the
 * set's components. */
struct expr *tuple_in_set(const struct loc *loc, enum op op, struct expr_list *fields,
			  const struct loc *tuple_loc, struct expr *set);

/* 'set TARGET = (F1, F2) map { (K1, K2) : V, ... } [if COND]' (kind
 * STMT_SET) or 'vmap (F1, F2) { (K1, K2) : drop, ... } [if COND]'
 * (STMT_VMAP, target NULL), at loc: m's keys are EXPR_SETs of components.
 * Returns the statements it means, written with the existing ones: an
 * 'if' chain, the first element that matches deciding, its tests those
 * of a constant tuple set; inside 'if COND { ... }' when there is a COND.
 * Errors (arity, size, a verdict for a value or the reverse) are
 * reported here, and give NULL. Everything passed is taken over. */
struct stmt *tuple_map(const struct loc *loc, enum stmt_kind kind, struct expr *target,
		       struct expr_list *fields, struct map_lit *m, struct expr *cond);

/* 'set TARGET = (F1, F2) map NAME' or 'vmap (F1, F2) NAME', NAME a runtime
 * map keyed by tuples: the statement with the tuple, an EXPR_SET marked
 * tuple at tuple_loc, as its key (u.set.value); the checker matches it
 * with the map's components. NULL after an error. Everything passed is
 * taken over. */
struct stmt *tuple_map_runtime(const struct loc *loc, enum stmt_kind kind, struct expr *target,
			       struct expr_list *fields, const struct loc *tuple_loc,
			       char *name, const struct loc *name_loc, struct expr *cond);

/* A const's set of tuples, 'const c = { (V1, V2), ... }', from '{' at
 * open to '}' at close: an EXPR_SET marked tuples, holding the elements
 * (taken over). */
struct expr *tuple_const_set(const struct loc *open, const struct loc *close,
			     struct expr_list *elements);

/* '(F1, F2) in c' (op OP_IN or OP_NOT_IN) at loc, c a const's set of
 * tuples: the test tuple_in() makes of the fields and the const's
 * elements, copied (neither is taken over, nor resolved yet). */
struct expr *tuple_in_const(const struct loc *loc, enum op op, const struct expr_list *fields,
			    const struct expr *set);

/* The text of a set of tuples' type: "(ip, port)", from its component
 * types (EXPR_NAMEs); the caller frees it. */
char *tuple_type_text(const struct expr_list *types);

#endif
