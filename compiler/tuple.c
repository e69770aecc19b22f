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

static struct expr *clone(const struct expr *e);

/* A copy of a list of expressions. */
static struct expr_list clone_list(const struct expr_list *list)
{
	struct expr_list c = { 0 };

	for (size_t i = 0; i < list->len; i++)
		ast_expr_list_push(&c, clone(list->items[i]));
	return c;
}

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
		c->u.set = clone_list(&e->u.set);
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

/* Free the tuple's components, and empty the list. */
static void free_fields(struct expr_list *fields)
{
	for (size_t i = 0; i < fields->len; i++)
		ast_expr_free(fields->items[i]);
	free(fields->items);
	*fields = (struct expr_list){ 0 };
}

/* Whether each of elems (EXPR_SETs of components) has nfields components;
 * the first that has not is reported: "this WHAT has N components, the
 * tuple VERB has M fields". */
static bool arities_ok(const struct expr_list *elems, size_t nfields, const char *what,
		       const char *verb)
{
	for (size_t i = 0; i < elems->len; i++) {
		const struct expr *t = elems->items[i];

		if (t->u.set.len != nfields) {
			diag_error(&t->loc, "this %s has %zu components, the tuple %s has %zu "
				   "fields", what, t->u.set.len, verb, nfields);
			return false;
		}
	}
	return true;
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
		free_fields(fields);
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
		diag_error(set_loc, "a constant tuple set holds at most %d elements, this one %zu; "
			   "for more, declare a runtime set of tuples ('set NAME : (ip, port);'), "
			   "one hash lookup whatever its size, filled with 'lwtp set add'",
			   TUPLE_MAX_ELEMENTS, set->len);
		ok = false;
	}
	if (ok)
		ok = arities_ok(set, fields->len, "element", "tested");
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

/* ---- maps keyed by tuples ------------------------------------------------------- */

/* Whether a and b are the same value written the same way: the same
 * verdict, integer or name. */
static bool same_value(const struct map_value *a, const struct map_value *b)
{
	if (a->verdict != b->verdict)
		return false;
	if (a->verdict != MAPV_NONE)
		return true;
	if (a->value->kind != b->value->kind)
		return false;
	if (a->value->kind == EXPR_INT)
		return a->value->u.num == b->value->u.num;
	return a->value->kind == EXPR_NAME && !strcmp(a->value->u.name.name, b->value->u.name.name);
}

/* Whether every value suits the statement: verdicts for a vmap, values
 * for 'set'; errors reported. */
static bool values_ok(enum stmt_kind kind, const struct map_lit *m)
{
	bool ok = true;

	for (size_t i = 0; i < m->keys->u.set.len; i++) {
		const struct map_value *v = &m->values[i];

		if (kind == STMT_VMAP && v->verdict == MAPV_NONE) {
			diag_error(&v->loc, "a vmap's values are verdicts, 'drop' or 'pass'; "
				   "a map of values is 'set FIELD = (F1, F2) map { ... }'");
			ok = false;
		} else if (kind == STMT_SET && v->verdict != MAPV_NONE) {
			diag_error(&v->loc, "'%s' is a verdict, but this map gives the field a value; "
				   "a map of verdicts is 'vmap (F1, F2) { ... }'",
				   v->verdict == MAPV_DROP ? "drop" : "pass");
			ok = false;
		}
	}
	return ok;
}

/* What element i's value does: 'set TARGET = VALUE', 'drop' or 'pass'. */
static struct stmt *value_stmt(enum stmt_kind kind, const struct expr *target,
			       const struct map_value *v)
{
	struct stmt *s;

	if (kind == STMT_VMAP)
		return ast_stmt(&v->loc, v->verdict == MAPV_DROP ? STMT_DROP : STMT_PASS);
	s = ast_stmt(&v->loc, STMT_SET);
	s->u.set.target = clone(target);
	s->u.set.value = clone(v->value);
	return s;
}

/* 'if TEST { BODY }', at loc; body may be NULL. */
static struct stmt *if_stmt(const struct loc *loc, struct expr *test, struct stmt *body)
{
	struct stmt *s = ast_stmt(loc, STMT_IF);

	s->u.if_.test = test;
	if (body)
		ast_stmt_list_push(&s->u.if_.then_body, body);
	return s;
}

/* The elements as a chain 'if T in { E1, E2 } { V1 } else if T in { E3 }
 * { V3 } ...': consecutive elements of the same value share one test (an
 * OR, as in a constant tuple set), and the first element that matches
 * decides, as the elements are written. The 'else if' chain is flat in
 * the C (check.c counts it as one level). */
static struct stmt *element_chain(const struct loc *loc, enum stmt_kind kind,
				  const struct expr *target, const struct expr_list *fields,
				  const struct map_lit *m)
{
	const struct expr_list *keys = &m->keys->u.set;
	struct stmt *first = NULL, *last = NULL;

	for (size_t lo = 0, hi; lo < keys->len; lo = hi) {
		struct expr_list run = { .items = keys->items + lo };
		struct stmt *link;

		for (hi = lo + 1; hi < keys->len && same_value(&m->values[lo], &m->values[hi]); hi++)
			;
		run.len = hi - lo;
		link = if_stmt(loc, any(fields, &run, 0, run.len),
			       value_stmt(kind, target, &m->values[lo]));
		if (last) {
			ast_stmt_list_push(&last->u.if_.else_body, link);
			last->u.if_.has_else = true;
		} else {
			first = link;
		}
		last = link;
	}
	return first;
}

struct stmt *tuple_map(const struct loc *loc, enum stmt_kind kind, struct expr *target,
		       struct expr_list *fields, struct map_lit *m, struct expr *cond)
{
	const struct expr_list *keys = &m->keys->u.set;
	struct stmt *s = NULL;
	bool ok = components_ok(fields) && values_ok(kind, m);

	if (keys->len > TUPLE_MAX_ELEMENTS) {
		diag_error(&m->loc, "a constant map keyed by tuples holds at most %d elements, "
			   "this one %zu; for more, declare a runtime map keyed by tuples ('map "
			   "NAME : (ip, port) -> mark;'), filled with 'lwtp map add'",
			   TUPLE_MAX_ELEMENTS, keys->len);
		ok = false;
	}
	if (ok)
		ok = arities_ok(keys, fields->len, "key", "looked up");
	if (ok) {
		s = element_chain(loc, kind, target, fields, m);
		if (cond) {
			s = if_stmt(loc, cond, s);
			cond = NULL;
		}
	}
	ast_expr_free(cond);
	ast_expr_free(target);
	free_fields(fields);
	ast_map_free(m);
	return s;
}

struct stmt *tuple_map_runtime(const struct loc *loc, enum stmt_kind kind, struct expr *target,
			       struct expr_list *fields, const struct loc *tuple_loc,
			       char *name, const struct loc *name_loc, struct expr *cond)
{
	struct stmt *s;

	if (!components_ok(fields)) {
		free_fields(fields);
		ast_expr_free(target);
		ast_expr_free(cond);
		free(name);
		return NULL;
	}
	s = ast_stmt(loc, kind);
	s->u.set.target = target;
	s->u.set.value = ast_set(tuple_loc, fields);
	s->u.set.value->tuple = true;
	s->u.set.map_name = name;
	s->u.set.map_name_loc = *name_loc;
	s->cond = cond;
	return s;
}

struct expr *tuple_const_set(const struct loc *open, const struct loc *close,
			     struct expr_list *elements)
{
	struct loc l = loc_span(open, close);
	struct expr *set = ast_set(&l, elements);

	set->tuples = true;
	return set;
}

struct expr *tuple_in_const(const struct loc *loc, enum op op, const struct expr_list *fields,
			    const struct expr *set)
{
	struct expr_list f = clone_list(fields), elements = clone_list(&set->u.set);

	return tuple_in(loc, op, &f, &elements, &set->loc);
}
