/* walk.c: walking the syntax tree (see walk.h). */
#include "walk.h"

/* ---- statements ------------------------------------------------------------ */

/* s, then the statements of its blocks unless fn says otherwise. Returns
 * WALK_STOP or, for anything else, what fn returned. */
static enum walk_next walk_stmt(struct stmt *s, struct policy *p, walk_stmt_fn fn, void *ctx)
{
	enum walk_next next = fn(s, p, ctx);

	if (next != WALK_ON)
		return next;
	if (s->kind != STMT_IF)
		return WALK_ON;
	if (walk_stmts(&s->u.if_.then_body, p, fn, ctx) == WALK_STOP)
		return WALK_STOP;
	return walk_stmts(&s->u.if_.else_body, p, fn, ctx);
}

enum walk_next walk_stmts(struct stmt_list *list, struct policy *p,
			  walk_stmt_fn fn, void *ctx)
{
	for (size_t i = 0; i < list->len; i++)
		if (list->items[i] && walk_stmt(list->items[i], p, fn, ctx) == WALK_STOP)
			return WALK_STOP;
	return WALK_ON;
}

/* ---- expressions ----------------------------------------------------------- */

static enum walk_next walk_node(struct expr *e, int depth, walk_expr_fn fn, void *ctx);

/* Two operands, both at depth, in order. */
static enum walk_next walk_pair(struct expr *a, struct expr *b, int depth,
				walk_expr_fn fn, void *ctx)
{
	if (walk_node(a, depth, fn, ctx) == WALK_STOP)
		return WALK_STOP;
	return walk_node(b, depth, fn, ctx);
}

/* The operands of e, one level down from e's depth, in the order written. */
static enum walk_next walk_operands(struct expr *e, int depth, walk_expr_fn fn, void *ctx)
{
	switch (e->kind) {
	case EXPR_RANGE:
		return walk_pair(e->u.range.lo, e->u.range.hi, depth + 1, fn, ctx);
	case EXPR_SET:
		for (size_t i = 0; i < e->u.set.len; i++)
			if (walk_node(e->u.set.items[i], depth + 1, fn, ctx) == WALK_STOP)
				return WALK_STOP;
		return WALK_ON;
	case EXPR_UNARY:
		return walk_node(e->u.unary.operand, depth + 1, fn, ctx);
	case EXPR_BINARY:
		return walk_pair(e->u.binary.left, e->u.binary.right, depth + 1, fn, ctx);
	case EXPR_INT:
	case EXPR_BOOL:
	case EXPR_ADDR:
	case EXPR_NAME:         /* a const's value is walked where it is declared */
	case EXPR_FIELD:
		break;
	}
	return WALK_ON;
}

/* e (NULL: nothing) at depth, then its operands unless fn says otherwise.
 * Returns WALK_STOP or, for anything else, what fn returned. */
static enum walk_next walk_node(struct expr *e, int depth, walk_expr_fn fn, void *ctx)
{
	enum walk_next next;

	if (!e)
		return WALK_ON;
	next = fn(e, depth, ctx);
	if (next != WALK_ON)
		return next;
	return walk_operands(e, depth, fn, ctx);
}

enum walk_next walk_expr(struct expr *e, walk_expr_fn fn, void *ctx)
{
	return walk_node(e, 0, fn, ctx) == WALK_STOP ? WALK_STOP : WALK_ON;
}

enum walk_next walk_stmt_exprs(struct stmt *s, walk_expr_fn fn, void *ctx)
{
	struct expr *slots[4] = { s->cond };
	size_t n = 1;

	if (ast_is_stat(s)) {
		for (size_t i = 0; i < s->u.stat.keys.len; i++)
			if (walk_expr(s->u.stat.keys.items[i], fn, ctx) == WALK_STOP)
				return WALK_STOP;
		slots[n++] = s->u.stat.value;
		slots[n++] = s->u.stat.action.value;
	} else if (s->kind == STMT_SET || s->kind == STMT_VMAP) {
		slots[n++] = s->u.set.value;
	} else if (s->kind == STMT_IF) {
		slots[n++] = s->u.if_.test;
	}
	for (size_t i = 0; i < n; i++)
		if (slots[i] && walk_expr(slots[i], fn, ctx) == WALK_STOP)
			return WALK_STOP;
	return WALK_ON;
}
