/* emit_rset.h: runtime sets of tuples, 'set NAME : (ip, port);' (see
 * emit_rset.c): the key struct of the set's map and the lookup of
 * '(F1, F2) in NAME'. */
#ifndef LWTC_EMIT_RSET_H
#define LWTC_EMIT_RSET_H

#include <stdbool.h>

#include "emit_priv.h"

/* struct NAME_key of the set of tuples d, with its size asserted. */
void emit_rset_key_type(struct emitter *e, const struct set_decl *d);

/* Whether a component of the set of tuples d is of the key typedef type
 * ("lwtp_port_t"). */
bool emit_rset_uses_type(const struct set_decl *d, const char *type);

/* 'TUPLE in SET' (op OP_IN) or 'TUPLE not in SET' (OP_NOT_IN), tuple an
 * EXPR_SET marked tuple and d the set of tuples, as a C condition, the
 * presence of the tuple's headers included: both are false when a
 * component's header is absent. */
void emit_rset_tuple_in(struct emitter *e, struct sbuf *b, enum op op,
			const struct expr *tuple, const struct set_decl *d);

/* The lookup of the tuple (an EXPR_SET marked tuple) in d, a runtime map
 * keyed by tuples, as a C condition: true when the key is in the map, its
 * value then in lwtp_mv; false when a component's header is absent. */
void emit_rset_tuple_get(struct emitter *e, struct sbuf *b, const struct expr *tuple,
			 const struct set_decl *d);

#endif
