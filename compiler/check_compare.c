/* check_compare.c: checking comparisons (== != < <= > >=), membership tests
 * (in, not in) and the bit operators (& |): operand types must agree,
 * constants must fit the field they are compared with, and an IPv4-only
 * field is never compared with an IPv6 constant (or the reverse).
 */
#include <inttypes.h>
#include <stdio.h>

#include "check_priv.h"
#include "diag.h"

#define TEXT 160

/* ---- fitting constants into fields -------------------------------------- */

/* The largest value e can hold: a field's own limit, else its type's width. */
static uint64_t value_max(const struct expr *e)
{
	if (e->kind == EXPR_FIELD && e->u.field.def)
		return fields_max_value(e->u.field.def);
	if (e->type.kind == TYPE_INT && e->type.bits > 0 && e->type.bits < 64)
		return (UINT64_C(1) << e->type.bits) - 1;
	return UINT64_MAX;
}

/* "u8, 0..255" or "6 bits, 0..63" */
static const char *width_text(const struct expr *e, char *buf, size_t size)
{
	const struct field_def *def = e->kind == EXPR_FIELD ? e->u.field.def : NULL;

	if (def && def->value_bits)
		snprintf(buf, size, "%d bits, 0..%" PRIu64, def->value_bits, value_max(e));
	else
		snprintf(buf, size, "%s, 0..%" PRIu64, check_type_name(&e->type), value_max(e));
	return buf;
}

/* Whether value fits in target; if not, report it at loc, where it is
 * written as shown ("300", "'big' (300)"). */
static bool fits(uint64_t value, const struct loc *loc, const char *shown,
		 const struct expr *target)
{
	char text[TEXT], width[64];

	if (value <= value_max(target))
		return true;
	diag_error(loc, "%s does not fit in '%s' (%s)", shown,
		   check_expr_text(target, text, sizeof(text)),
		   width_text(target, width, sizeof(width)));
	return false;
}

/* c is an integer constant compared with target. */
static void constant_fits(const struct expr *c, const struct expr *target)
{
	char shown[TEXT + 32];
	uint64_t value;

	if (!check_const_int(c, &value))
		return;
	if (c->kind == EXPR_INT)
		snprintf(shown, sizeof(shown), "%" PRIu64, value);
	else
		snprintf(shown, sizeof(shown), "'%s' (%" PRIu64 ")", c->u.name.name, value);
	fits(value, &c->loc, shown, target);
}

/* When one side is a constant and the other is not, the constant must fit. */
static void operands_fit(const struct expr *l, const struct expr *r)
{
	bool lc = check_is_constant(l), rc = check_is_constant(r);

	if (rc && !lc)
		constant_fits(r, l);
	else if (lc && !rc)
		constant_fits(l, r);
}

/* The largest value an integer set element or range stands for. */
static bool element_top(const struct expr *el, uint64_t *value)
{
	const struct expr *lit = check_literal(el);

	if (lit && lit->kind == EXPR_RANGE)
		return check_const_int(lit->u.range.hi, value);
	return check_const_int(el, value);
}

/* Every element of an integer set or range must fit in target. Elements of
 * a const named at the use (via) are reported at the use. */
void check_elements_fit(const struct expr *lit, const struct expr *via,
			const struct expr *target)
{
	const struct expr *const *items = (const struct expr *const *)lit->u.set.items;
	size_t n = lit->u.set.len;
	char shown[TEXT + 32];
	uint64_t value;

	if (lit->kind == EXPR_RANGE) {
		items = (const struct expr *const *)&lit->u.range.hi;
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct expr *el = items[i];
		if (!el || !element_top(el, &value))
			continue;
		if (via) {
			snprintf(shown, sizeof(shown), "%" PRIu64 " in '%s'", value, via->u.name.name);
			if (!fits(value, &via->loc, shown, target))
				return;
		} else if (el->kind == EXPR_NAME) {
			snprintf(shown, sizeof(shown), "'%s' (%" PRIu64 ")", el->u.name.name, value);
			fits(value, &el->loc, shown, target);
		} else {
			snprintf(shown, sizeof(shown), "%" PRIu64, value);
			fits(value, &el->loc, shown, target);
		}
	}
}

/* ---- describing operands ---------------------------------------------- */

/* "'ip.ttl' (u8)" for what is computed or named, "the IPv4 address
 * '198.51.100.1'" for what is written out. */
static const char *describe(const struct expr *e, char *buf, size_t size)
{
	char text[TEXT];

	check_expr_text(e, text, sizeof(text));
	if (check_literal(e) == e)
		snprintf(buf, size, "the %s '%s'", check_type_name(&e->type), text);
	else
		snprintf(buf, size, "'%s' (%s)", text, check_type_name(&e->type));
	return buf;
}

static void report_mismatch(const struct expr *e, const struct expr *l,
			    const struct expr *r)
{
	char ltext[TEXT + 40], rtext[TEXT + 40];
	const struct expr *at = check_is_constant(l) && !check_is_constant(r) ? l : r;

	diag_error(&at->loc, "cannot compare %s with %s", describe(l, ltext, sizeof(ltext)),
		   describe(r, rtext, sizeof(rtext)));
	(void)e;
}

static const char *family_name(enum type_kind k)
{
	return k == TYPE_ADDR4 ? "IPv4" : "IPv6";
}

/* The family of one side cannot match the other's: report it. constant is
 * how to call the constant side ("an IPv6 address", "a set of IPv6
 * addresses"). */
static void report_family(const struct expr *e, const struct expr *l,
			  const struct expr *r, const char *constant)
{
	bool lc = check_is_constant(l), rc = check_is_constant(r);
	const struct expr *var = rc ? l : r, *con = rc ? r : l;
	char text[TEXT], other[TEXT];

	check_expr_text(var, text, sizeof(text));
	if (lc != rc && var->kind == EXPR_FIELD) {
		diag_error(&con->loc, "cannot compare an %s-only field '%s' with %s",
			   family_name(var->type.kind), text, constant);
	} else if (!lc && !rc) {
		diag_error(&e->loc, "cannot compare %s address '%s' with %s address '%s': "
			   "they are never equal", family_name(l->type.kind),
			   check_expr_text(l, text, sizeof(text)),
			   family_name(r->type.kind), check_expr_text(r, other, sizeof(other)));
	} else {
		diag_error(&e->loc, "cannot compare an %s address with %s",
			   family_name(var->type.kind), constant);
	}
}

/* Both sides are addresses: they must be able to be of the same family. */
static void families_agree(const struct expr *e, const struct expr *l,
			   const struct expr *r)
{
	enum type_kind lk = l->type.kind, rk = r->type.kind;
	const struct expr *con = check_is_constant(r) ? r : l;
	const struct expr *lit = check_literal(con);
	char what[64];

	if (lk == TYPE_ADDR || rk == TYPE_ADDR || lk == rk)
		return;
	snprintf(what, sizeof(what), "an %s %s", family_name(con->type.kind),
		 lit && lit->kind == EXPR_ADDR && lit->u.addr.is_prefix ? "prefix" : "address");
	report_family(e, l, r, what);
}

/* ---- == and != ----------------------------------------------------------- */

static bool is_collection(const struct expr *e)
{
	return e->type.kind == TYPE_RANGE || e->type.kind == TYPE_SET;
}

static void suggest_in(const struct expr *e, const struct expr *l, const struct expr *r)
{
	const struct expr *coll = is_collection(r) ? r : l;
	const struct expr *other = coll == r ? l : r;
	char ctext[TEXT], otext[TEXT];

	diag_error(&coll->loc, "'%s' compares with one value, not with %s; did you mean '%s %s %s'?",
		   ast_op_str(e->u.binary.op), check_type_a(&coll->type),
		   check_expr_text(other, otext, sizeof(otext)),
		   e->u.binary.op == OP_NE ? "not in" : "in",
		   check_expr_text(coll, ctext, sizeof(ctext)));
}

static void check_equality(const struct expr *e, const struct expr *l, const struct expr *r)
{
	enum type_kind lk = l->type.kind, rk = r->type.kind;

	if (is_collection(l) || is_collection(r))
		suggest_in(e, l, r);
	else if (lk == TYPE_INT && rk == TYPE_INT)
		operands_fit(l, r);
	else if (lk == TYPE_BOOL && rk == TYPE_BOOL)
		return;
	else if (check_is_addr(&l->type) && check_is_addr(&r->type))
		families_agree(e, l, r);
	else
		report_mismatch(e, l, r);
}

/* ---- < <= > >= -------------------------------------------------------------- */

static void check_ordering(const struct expr *e, const struct expr *l, const struct expr *r)
{
	const struct expr *bad = l->type.kind != TYPE_INT ? l : r->type.kind != TYPE_INT ? r : NULL;
	char text[TEXT];

	if (bad) {
		diag_error(&bad->loc, "'%s' compares integers, but '%s' is %s",
			   ast_op_str(e->u.binary.op), check_expr_text(bad, text, sizeof(text)),
			   check_type_a(&bad->type));
		return;
	}
	operands_fit(l, r);
}

/* ---- in, not in ------------------------------------------------------------ */

static void report_not_collection(const struct expr *e, const struct expr *l,
				  const struct expr *r)
{
	char ltext[TEXT], rtext[TEXT];
	bool one_value = check_is_constant(r) &&
			 (r->type.kind == TYPE_INT || check_is_addr(&r->type));

	check_expr_text(r, rtext, sizeof(rtext));
	if (one_value)
		diag_error(&r->loc, "'%s' needs a set, a range or a prefix on the right, but '%s' "
			   "is one value; did you mean '%s %s %s'?", ast_op_str(e->u.binary.op),
			   rtext, check_expr_text(l, ltext, sizeof(ltext)),
			   e->u.binary.op == OP_NOT_IN ? "!=" : "==", rtext);
	else
		diag_error(&r->loc, "'%s' needs a set, a range or a prefix on the right, but '%s' is %s",
			   ast_op_str(e->u.binary.op), rtext, check_type_a(&r->type));
}

/* The left side of 'in' must be of the kind the right side holds. */
static bool left_is(const struct expr *e, const struct expr *l, bool want_int,
		    const char *right_holds)
{
	char text[TEXT];
	bool ok = want_int ? l->type.kind == TYPE_INT : check_is_addr(&l->type);

	if (!ok)
		diag_error(&l->loc, "'%s' with %s needs %s on the left, but '%s' is %s",
			   ast_op_str(e->u.binary.op), right_holds,
			   want_int ? "an integer" : "an address",
			   check_expr_text(l, text, sizeof(text)), check_type_a(&l->type));
	return ok;
}

static void member_of_range(const struct expr *e, const struct expr *l,
			    const struct expr *r, const struct expr *lit)
{
	if (!left_is(e, l, true, "a range"))
		return;
	if (!check_is_constant(l))
		check_elements_fit(lit, r->kind == EXPR_NAME ? r : NULL, l);
}

static void member_of_prefix(const struct expr *e, const struct expr *l,
			     const struct expr *r)
{
	if (left_is(e, l, false, "a prefix"))
		families_agree(e, l, r);
}

/* An address set matches an IPv4-only (IPv6-only) field only when it holds
 * an address of that family. */
static void set_family_agrees(const struct expr *e, const struct expr *l,
			      const struct expr *r, const struct expr *lit)
{
	enum type_kind want = l->type.kind;
	char what[64];

	if (want == TYPE_ADDR)
		return;
	for (size_t i = 0; i < lit->u.set.len; i++) {
		const struct expr *el = lit->u.set.items[i];
		if (el && (el->type.kind == want || el->type.kind == TYPE_ADDR))
			return;
	}
	snprintf(what, sizeof(what), "a set of %s addresses",
		 family_name(want == TYPE_ADDR4 ? TYPE_ADDR6 : TYPE_ADDR4));
	report_family(e, l, r, what);
}

static void member_of_set(const struct expr *e, const struct expr *l,
			  const struct expr *r, const struct expr *lit)
{
	bool ints = lit->u.set.len > 0 && lit->u.set.items[0] &&
		    check_element_is_int(lit->u.set.items[0]);

	if (ints) {
		if (left_is(e, l, true, "a set of integers") && !check_is_constant(l))
			check_elements_fit(lit, r->kind == EXPR_NAME ? r : NULL, l);
	} else {
		if (left_is(e, l, false, "a set of addresses"))
			set_family_agrees(e, l, r, lit);
	}
}

static void check_membership(const struct expr *e, const struct expr *l,
			     const struct expr *r)
{
	if (r->kind == EXPR_NAME && r->u.name.runtime_set) {
		const struct set_decl *d = r->u.name.runtime_set;
		if (d->value != RMAP_NONE)
			diag_error(&r->loc, "'%s' is a runtime map, not a set: use it as '%s%s'",
				   d->name, d->value == RMAP_VERDICT ? "vmap KEY " :
				   "set FIELD = KEY map ", d->name);
		else
			check_runtime_member(l, d);
		(void)e;
		return;
	}
	const struct expr *lit = check_literal(r);

	if (!lit) {
		report_not_collection(e, l, r);
		return;
	}
	switch (lit->kind) {
	case EXPR_RANGE:
		member_of_range(e, l, r, lit);
		return;
	case EXPR_SET:
		member_of_set(e, l, r, lit);
		return;
	case EXPR_ADDR:
		if (lit->u.addr.is_prefix) {
			member_of_prefix(e, l, r);
			return;
		}
		break;
	case EXPR_INT:
	case EXPR_BOOL:
	case EXPR_NAME:
	case EXPR_FIELD:
	case EXPR_UNARY:
	case EXPR_BINARY:
		break;
	}
	report_not_collection(e, l, r);
}

/* ---- entry points -------------------------------------------------------------- */

void check_compare(const struct check_scope *sc, struct expr *e)
{
	struct expr *l = e->u.binary.left, *r = e->u.binary.right;
	const struct symbol_domain *d;

	if (check_cgroup_member(sc, e))
		return;
	d = check_domain_of(l);
	if (!d)
		d = check_domain_of(r);
	check_expr(sc, l, d);
	check_expr(sc, r, d);
	/* A comparison is a bool even when an operand is wrong, so that one
	 * mistake gives one message. */
	e->type.kind = TYPE_BOOL;
	e->type.bits = 0;
	if (!check_known(l) || !check_known(r))
		return;
	bool membership = e->u.binary.op == OP_IN || e->u.binary.op == OP_NOT_IN;
	const struct expr *misplaced = (l->kind == EXPR_NAME && l->u.name.runtime_set) ? l
		: (!membership && r->kind == EXPR_NAME && r->u.name.runtime_set) ? r : NULL;
	if (misplaced) {
		diag_error(&misplaced->loc, "runtime set '%s' can only be tested with 'in': "
			   "'FIELD in %s'", misplaced->u.name.name, misplaced->u.name.name);
		return;
	}
	switch (e->u.binary.op) {
	case OP_EQ:
	case OP_NE:
		check_equality(e, l, r);
		return;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		check_ordering(e, l, r);
		return;
	case OP_IN:
	case OP_NOT_IN:
		check_membership(e, l, r);
		return;
	case OP_NOT: case OP_AND: case OP_OR: case OP_BITAND: case OP_BITOR:
		break;
	}
	diag_error(&e->loc, "internal error: '%s' is not a comparison",
		   ast_op_str(e->u.binary.op));
}

static bool integer_operand(const struct expr *e, const struct expr *operand)
{
	char text[TEXT];

	if (operand->type.kind == TYPE_INT)
		return true;
	check_expr_text(operand, text, sizeof(text));
	if (operand->type.kind == TYPE_BOOL)
		diag_error(&operand->loc, "'%s' works on integers, but '%s' is a bool; did you mean '%s'?",
			   ast_op_str(e->u.binary.op), text,
			   e->u.binary.op == OP_BITAND ? "and" : "or");
	else
		diag_error(&operand->loc, "'%s' works on integers, but '%s' is %s",
			   ast_op_str(e->u.binary.op), text, check_type_a(&operand->type));
	return false;
}

/* The bits an operand of '&' or '|' spans: a constant's own width, so that
 * 'tcp.dport | 0x10000' is a u32 and not a 64-bit value. */
static int operand_bits(const struct expr *e)
{
	uint64_t v;

	if (!check_is_constant(e) || !check_const_int(e, &v))
		return e->type.bits;
	return v <= UINT8_MAX ? 8 : v <= UINT16_MAX ? 16 : v <= UINT32_MAX ? 32 : 64;
}

void check_bitwise(const struct check_scope *sc, struct expr *e,
		   const struct symbol_domain *hint)
{
	struct expr *l = e->u.binary.left, *r = e->u.binary.right;
	const struct symbol_domain *d = check_domain_of(e);
	bool ok_l, ok_r;
	int lb, rb;

	check_expr(sc, l, d ? d : hint);
	check_expr(sc, r, d ? d : hint);
	if (!check_known(l) || !check_known(r))
		return;
	ok_l = integer_operand(e, l);
	ok_r = integer_operand(e, r);
	if (!ok_l || !ok_r)
		return;
	lb = operand_bits(l);
	rb = operand_bits(r);
	e->type.kind = TYPE_INT;
	if (e->u.binary.op == OP_BITAND) {
		e->type.bits = lb < rb ? lb : rb;
		operands_fit(l, r);   /* tcp.flags & 0x100 is always 0 */
	} else {
		e->type.bits = lb > rb ? lb : rb;
	}
}
