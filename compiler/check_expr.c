/* check_expr.c: checking expressions. Resolves names (a const in scope
 * first, else a named value of the field the name is compared with),
 * looks fields up, fills in every expr's type, and reports type errors at
 * the operand that is wrong.
 *
 * Names and fields are resolved in check_resolve.c; comparisons, membership
 * tests and the bit operators are checked in check_compare.c. This file
 * holds the dispatcher, literals, ranges, sets and conditions.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check_priv.h"
#include "diag.h"

#define TEXT 160

/* ---- small helpers ----------------------------------------------------- */

bool check_known(const struct expr *e)
{
	return e && e->type.kind != TYPE_UNKNOWN;
}

bool check_is_addr(const struct type *t)
{
	return t->kind == TYPE_ADDR4 || t->kind == TYPE_ADDR6 || t->kind == TYPE_ADDR;
}

const struct expr *check_literal(const struct expr *e)
{
	if (!e)
		return NULL;
	switch (e->kind) {
	case EXPR_INT:
	case EXPR_BOOL:
	case EXPR_ADDR:
	case EXPR_RANGE:
	case EXPR_SET:
		return e;
	case EXPR_NAME:
		return e->u.name.value;
	case EXPR_FIELD:
	case EXPR_UNARY:
	case EXPR_BINARY:
		return NULL;
	}
	return NULL;
}

bool check_const_int(const struct expr *e, uint64_t *value)
{
	const struct expr *lit;

	if (!e)
		return false;
	if (e->kind == EXPR_NAME && e->u.name.symbol) {
		*value = e->u.name.symbol->value;
		return true;
	}
	lit = check_literal(e);
	if (lit && lit->kind == EXPR_INT) {
		*value = lit->u.num;
		return true;
	}
	return false;
}

bool check_is_constant(const struct expr *e)
{
	return e && (check_literal(e) || (e->kind == EXPR_NAME && e->u.name.symbol));
}

/* The domain of named values that names compared with e denote: the
 * field's, also through '&' and '|' (tcp.flags & (syn | ack) == syn). */
static const struct symbol_domain *domain_of(const struct expr *e, int depth)
{
	const struct field_def *def;
	const struct symbol_domain *d;

	if (!e || depth > MAX_EXPR_DEPTH)   /* too deep: reported by check_expr */
		return NULL;
	if (e->kind == EXPR_FIELD) {
		def = fields_lookup(e->u.field.ns, e->u.field.name);
		return def ? def->domain : NULL;
	}
	if (e->kind == EXPR_BINARY &&
	    (e->u.binary.op == OP_BITAND || e->u.binary.op == OP_BITOR)) {
		d = domain_of(e->u.binary.left, depth + 1);
		return d ? d : domain_of(e->u.binary.right, depth + 1);
	}
	return NULL;
}

const struct symbol_domain *check_domain_of(const struct expr *e)
{
	return domain_of(e, 0);
}

static void set_type(struct expr *e, enum type_kind kind, int bits)
{
	e->type.kind = kind;
	e->type.bits = bits;
}

/* ---- literals, ranges, sets ------------------------------------------------ */

static void check_addr(struct expr *e)
{
	struct addr *a = &e->u.addr;
	struct addr masked = *a;
	int nbytes = a->family == 4 ? 4 : 16;
	char given[64], want[64];
	bool host_bits = false;

	set_type(e, a->family == 4 ? TYPE_ADDR4 : TYPE_ADDR6, 0);
	if (!a->is_prefix)
		return;
	for (int i = 0; i < nbytes; i++) {
		int keep = a->prefix_len - 8 * i;
		uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
		masked.bytes[i] = a->bytes[i] & mask;
		host_bits |= masked.bytes[i] != a->bytes[i];
	}
	if (host_bits)
		diag_error(&e->loc, "prefix '%s' has bits set past its length %d; did you mean '%s'?",
			   check_addr_text(a, given, sizeof(given)), a->prefix_len,
			   check_addr_text(&masked, want, sizeof(want)));
}

/* Turn a bound that names an integer into that integer, as the emitter
 * expects ranges to hold EXPR_INT only. */
static void fold_to_int(struct expr *e, uint64_t value)
{
	char *name = e->u.name.name;

	e->kind = EXPR_INT;
	e->u.num = value;
	set_type(e, TYPE_INT, 64);
	free(name);
}

static bool check_range_bound(const struct check_scope *sc, struct expr *b,
			      const struct symbol_domain *hint)
{
	char text[TEXT];
	uint64_t value;

	if (!b)
		return false;
	check_expr(sc, b, hint);
	if (!check_known(b))
		return false;
	if (b->type.kind != TYPE_INT || !check_const_int(b, &value)) {
		diag_error(&b->loc, "a range bound must be an integer, but '%s' is %s",
			   check_expr_text(b, text, sizeof(text)), check_type_a(&b->type));
		return false;
	}
	if (b->kind == EXPR_NAME)
		fold_to_int(b, value);
	return true;
}

static void check_range(const struct check_scope *sc, struct expr *e,
			const struct symbol_domain *hint)
{
	struct expr *lo = e->u.range.lo, *hi = e->u.range.hi;
	bool ok_lo = check_range_bound(sc, lo, hint);
	bool ok_hi = check_range_bound(sc, hi, hint);

	if (!ok_lo || !ok_hi)
		return;
	if (lo->u.num > hi->u.num) {
		diag_error(&e->loc, "range %" PRIu64 "..%" PRIu64 " is empty: it starts after it ends; "
			   "did you mean %" PRIu64 "..%" PRIu64 "?",
			   lo->u.num, hi->u.num, hi->u.num, lo->u.num);
		return;
	}
	set_type(e, TYPE_RANGE, 0);
}

/* Whether el can be in a set: integers, ranges, addresses, prefixes. */
static bool check_element(const struct expr *el)
{
	char text[TEXT];

	switch (el->type.kind) {
	case TYPE_INT:
	case TYPE_RANGE:
	case TYPE_ADDR4:
	case TYPE_ADDR6:
		if (check_is_constant(el))
			return true;
		break;
	case TYPE_SET:
		diag_error(&el->loc, "sets cannot be nested: '%s' is a set; list its elements instead",
			   check_expr_text(el, text, sizeof(text)));
		return false;
	default:
		break;
	}
	diag_error(&el->loc, "a set holds integers, ranges, addresses and prefixes, "
		   "but '%s' is %s", check_expr_text(el, text, sizeof(text)),
		   check_type_a(&el->type));
	return false;
}

bool check_element_is_int(const struct expr *el)
{
	return el->type.kind == TYPE_INT || el->type.kind == TYPE_RANGE;
}

static void check_set(const struct check_scope *sc, struct expr *e,
		      const struct symbol_domain *hint)
{
	const struct expr *first = NULL;
	char text[TEXT], first_text[TEXT];
	bool ok = true;

	if (e->u.set.len == 0) {
		if (!e->file)   /* an empty or unreadable set file is reported already */
			diag_error(&e->loc, "a set needs at least one element");
		return;
	}
	for (size_t i = 0; i < e->u.set.len && !diag_too_many(); i++) {
		struct expr *el = e->u.set.items[i];
		if (!el) {
			ok = false;
			continue;
		}
		check_expr(sc, el, hint);
		if (!check_known(el) || !check_element(el)) {
			ok = false;
			continue;
		}
		if (!first) {
			first = el;
		} else if (check_element_is_int(el) != check_element_is_int(first)) {
			diag_error(&el->loc, "a set cannot mix integers and addresses: '%s' is %s, "
				   "but '%s' is %s", check_expr_text(el, text, sizeof(text)),
				   check_type_a(&el->type),
				   check_expr_text(first, first_text, sizeof(first_text)),
				   check_type_a(&first->type));
			ok = false;
		}
	}
	if (ok)
		set_type(e, TYPE_SET, 0);
}

/* ---- conditions ----------------------------------------------------------- */

static bool is_condition(const struct expr *e)
{
	return e->type.kind == TYPE_BOOL ||
	       (e->type.kind == TYPE_INT && e->kind == EXPR_BINARY &&
		e->u.binary.op == OP_BITAND);
}

/* Report e when it is not a condition; e is checked. */
static void require_condition(const struct expr *e)
{
	char text[TEXT];

	if (!check_known(e) || is_condition(e))
		return;
	check_expr_text(e, text, sizeof(text));
	if (e->type.kind == TYPE_INT && !check_is_constant(e))
		diag_error(&e->loc, "condition must be a boolean, but '%s' is %s; "
			   "did you mean '%s%s%s != 0'?", text, check_type_a(&e->type),
			   e->kind == EXPR_BINARY ? "(" : "", text,
			   e->kind == EXPR_BINARY ? ")" : "");
	else
		diag_error(&e->loc, "condition must be a boolean, but '%s' is %s",
			   text, check_type_a(&e->type));
}

void check_cond(const struct check_scope *sc, struct expr *e)
{
	if (!e)
		return;
	check_expr(sc, e, NULL);
	require_condition(e);
}

static void check_logical(const struct check_scope *sc, struct expr *e)
{
	if (e->kind == EXPR_UNARY) {
		check_cond(sc, e->u.unary.operand);
	} else {
		check_cond(sc, e->u.binary.left);
		check_cond(sc, e->u.binary.right);
	}
	set_type(e, TYPE_BOOL, 0);
}

/* ---- the dispatcher --------------------------------------------------------- */

static void check_unary(const struct check_scope *sc, struct expr *e)
{
	switch (e->u.unary.op) {
	case OP_NOT:
		check_logical(sc, e);
		return;
	default:
		diag_error(&e->loc, "internal error: unexpected unary operator '%s'",
			   ast_op_str(e->u.unary.op));
		return;
	}
}

static void check_binary(const struct check_scope *sc, struct expr *e,
			 const struct symbol_domain *hint)
{
	switch (e->u.binary.op) {
	case OP_AND:
	case OP_OR:
		check_logical(sc, e);
		return;
	case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
	case OP_IN: case OP_NOT_IN:
		check_compare(sc, e);
		return;
	case OP_BITAND:
	case OP_BITOR:
		check_bitwise(sc, e, hint);
		return;
	case OP_NOT:
		break;
	}
	diag_error(&e->loc, "internal error: unexpected binary operator '%s'",
		   ast_op_str(e->u.binary.op));
}

static void check_node(const struct check_scope *sc, struct expr *e,
		       const struct symbol_domain *hint);

void check_expr(const struct check_scope *sc, struct expr *e,
		const struct symbol_domain *hint)
{
	static int depth;
	static bool reported;   /* once per outermost expression */

	if (!e || diag_too_many())
		return;
	if (depth >= MAX_EXPR_DEPTH) {
		if (!reported)
			diag_error(&e->loc, "expression nested more than %d levels deep; split it, "
				   "or test many values at once with 'in { ... }'", MAX_EXPR_DEPTH);
		reported = true;
		return;
	}
	depth++;
	check_node(sc, e, hint);
	if (--depth == 0)
		reported = false;
}

static void check_node(const struct check_scope *sc, struct expr *e,
		       const struct symbol_domain *hint)
{
	switch (e->kind) {
	case EXPR_INT:
		set_type(e, TYPE_INT, 64);
		return;
	case EXPR_BOOL:
		set_type(e, TYPE_BOOL, 0);
		return;
	case EXPR_ADDR:
		check_addr(e);
		return;
	case EXPR_RANGE:
		check_range(sc, e, hint);
		return;
	case EXPR_SET:
		check_set(sc, e, hint);
		return;
	case EXPR_NAME:
		if (e->u.name.name)
			check_name(sc, e, hint);
		return;
	case EXPR_FIELD:
		check_field(e, false);
		return;
	case EXPR_UNARY:
		check_unary(sc, e);
		return;
	case EXPR_BINARY:
		check_binary(sc, e, hint);
		return;
	}
	diag_error(&e->loc, "internal error: unknown expression kind %d", (int)e->kind);
}

/* ---- const values ---------------------------------------------------------- */

void check_const_value(const struct check_scope *sc, struct const_decl *c)
{
	struct expr *e = c->value;
	char text[TEXT];

	if (!e)
		return;
	if (e->kind == EXPR_SET && e->tuples)
		return;         /* checked where tested, against the fields */
	switch (e->kind) {
	case EXPR_INT:
	case EXPR_BOOL:
	case EXPR_ADDR:
	case EXPR_RANGE:
	case EXPR_SET:
	case EXPR_NAME:
		check_expr(sc, e, NULL);
		return;
	case EXPR_FIELD:
	case EXPR_UNARY:
	case EXPR_BINARY:
		break;
	}
	diag_error(&e->loc, "the value of const '%s' must be a number, address, prefix, "
		   "range, set, true, false or the name of another const; '%s' is not",
		   c->name ? c->name : "?", check_expr_text(e, text, sizeof(text)));
}
