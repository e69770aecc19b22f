/* tuple.h: tests of several fields at once against a constant set of
 * tuples, '(F1, F2) in { (V1, V2), ... }' (nftables' concatenations). */
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

#endif
