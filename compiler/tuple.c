/* tuple.c: '(F1, F2) in { (V1, V2), ... }' rewritten, right after
 * parsing, as '(F1 in { V1 } and F2 in { V2 }) or ...': the checker, the
 * analyses and the emitter then see only tests they know, each component
 * checked and compiled as a one-element constant set is.
 *
 * '(F1, F2) in NAME', a runtime set of tuples, stays one test: 'in' with
 * the tuple (an EXPR_SET marked tuple) on the left, checked by
 * check_set.c and compiled by emit_rset.c as one lookup. */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "tuple.h"
#include "util.h"

/* A copy of e as the parser builds it (nothing resolved yet). */
static struct expr *clone(const struct expr *e)
{
	struct expr *c;

	if (!e)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	*c = *e;
	c->file = NULL;
	switch (e->kind) {
	case EXPR_INT: case EXPR_BOOL: case EXPR_ADDR:
		break;
	case EXPR_RANGE:
		c->u.range.lo = clone(e->u.range.lo);
		c->u.range.hi = clone(e->u.range.hi);
		break;
	case EXPR_SET:
		c->u.set = (struct expr_list){ 0 };
		for (size_t i = 0; i < e->u.set.len; i++)
			ast_expr_list_push(&c->u.set, clone(e->u.set.items[i]));
		break;
	case EXPR_NAME:
		c->u.name.name = xstrdup(e->u.name.name);
		break;
	case EXPR_FIELD:
		c->u.field.ns = xstrdup(e->u.field.ns);
		c->u.field.name = xstrdup(e->u.field.name);
		break;
	case EXPR_UNARY:
		c->u.unary.operand = clone(e->u.unary.operand);
		break;
	case EXPR_BINARY:
		c->u.binary.left = clone(e->u.binary.left);
		c->u.binary.right = clone(e->u.binary.right);
		break;
	}
	return c;
}

static struct expr *join(enum op op, struct expr *a, struct expr *b)
{
	struct loc l;

	if (!a)
		return b;
	l = loc_span(&a->loc, &b->loc);
	return ast_binary(&l, op, a, b);
}

/* Element t (an EXPR_SET of components) matches: 'Fk in { Vk }' for all k. */
static struct expr *element_match(const struct expr_list *fields, const struct expr *t)
{
	struct expr *all = NULL;

	for (size_t k = 0; k < fields->len; k++) {
		const struct expr *v = t->u.set.items[k];
		struct expr_list one = { 0 };
		struct expr *in;

		ast_expr_list_push(&one, clone(v));
		in = ast_binary(&v->loc, OP_IN, clone(fields->items[k]), ast_set(&v->loc, &one));
		all = join(OP_AND, all, in);
	}
	return all;
}

/* The OR of elements [lo, hi), as a balanced tree: the depth stays log2. */
static struct expr *any(const struct expr_list *fields, const struct expr_list *set,
			size_t lo, size_t hi)
{
	size_t mid;

	if (hi - lo == 1)
		return element_match(fields, set->items[lo]);
	mid = lo + (hi - lo) / 2;
	return join(OP_OR, any(fields, set, lo, mid), any(fields, set, mid, hi));
}

/* Whether the tuple's components read the packet, and are not too many;
 * errors reported. */
static bool components_ok(const struct expr_list *fields)
{
	bool ok = true;

	if (fields->len > TUPLE_MAX_FIELDS) {
		diag_error(&fields->items[TUPLE_MAX_FIELDS]->loc,
			   "a tuple has at most %d fields", TUPLE_MAX_FIELDS);
		ok = false;
	}
	for (size_t k = 0; k < fields->len; k++) {
		const struct expr *f = fields->items[k];

		if (f->kind != EXPR_FIELD && f->kind != EXPR_BINARY) {
			diag_error(&f->loc, "a tuple's component must read the packet: "
				   "a field, or '&' or '|' of fields");
			ok = false;
		}
	}
	return ok;
}

struct expr *tuple_in_set(const struct loc *loc, enum op op, struct expr_list *fields,
			  const struct loc *tuple_loc, struct expr *set)
{
	struct expr *tuple;

	if (!components_ok(fields)) {
		for (size_t i = 0; i < fields->len; i++)
			ast_expr_free(fields->items[i]);
		free(fields->items);
		*fields = (struct expr_list){ 0 };
		ast_expr_free(set);
		return ast_bool(loc, false);
	}
	tuple = ast_set(tuple_loc, fields);
	tuple->tuple = true;
	return ast_binary(loc, op, tuple, set);
}

char *tuple_type_text(const struct expr_list *types)
{
	size_t n = 3;
	char *s;

	for (size_t i = 0; i < types->len; i++)
		n += strlen(types->items[i]->u.name.name) + 2;
	s = xcalloc(1, n);
	strcat(s, "(");
	for (size_t i = 0; i < types->len; i++) {
		if (i)
			strcat(s, ", ");
		strcat(s, types->items[i]->u.name.name);
	}
	strcat(s, ")");
	return s;
}

struct expr *tuple_in(const struct loc *loc, enum op op, struct expr_list *fields,
		      struct expr_list *set, const struct loc *set_loc)
{
	struct expr *test = NULL;
	bool ok = true;

	if (!components_ok(fields))
		ok = false;
	if (set->len > TUPLE_MAX_ELEMENTS) {
		diag_error(set_loc, "a constant tuple set holds at most %d elements, this one %zu",
			   TUPLE_MAX_ELEMENTS, set->len);
		ok = false;
	}
	for (size_t i = 0; ok && i < set->len; i++) {
		const struct expr *t = set->items[i];

		if (t->u.set.len != fields->len) {
			diag_error(&t->loc, "this element has %zu components, the tuple tested has %zu fields",
				   t->u.set.len, fields->len);
			ok = false;
		}
	}
	if (ok && set->len) {          /* no elements: the parser said why */
		test = any(fields, set, 0, set->len);
		if (op == OP_NOT_IN) {
			/* false when a field is absent, as 'F not in S' is:
			 * 'Fk == Fk' holds exactly when Fk's header is present */
			struct expr *present = NULL;

			for (size_t k = 0; k < fields->len; k++) {
				const struct expr *f = fields->items[k];
				present = join(OP_AND, present,
					       ast_binary(&f->loc, OP_EQ, clone(f), clone(f)));
			}
			test = ast_binary(loc, OP_AND, present, ast_unary(loc, OP_NOT, test));
		}
		test->loc = *loc;
	} else {
		test = ast_bool(loc, false);
	}
	for (size_t i = 0; i < fields->len; i++)
		ast_expr_free(fields->items[i]);
	for (size_t i = 0; i < set->len; i++)
		ast_expr_free(set->items[i]);
	free(fields->items);
	free(set->items);
	*fields = (struct expr_list){ 0 };
	*set = (struct expr_list){ 0 };
	return test;
}
