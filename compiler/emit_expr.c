/* emit_expr.c: conditions and values as C expressions.
 *
 * A comparison that reads an absent field is false: each one is emitted as
 * "(PRESENCE && COMPARISON)", where PRESENCE tests the header pointers
 * lwtp_parse() set (NULL when absent), and 'not' negates the whole.
 * Membership in constant sets is written by emit_sets.c, as analyse_sets.c
 * planned it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emit_priv.h"
#include "emit_rset.h"
#include "lwtp_contract.h"
#include "util.h"

/* ---- values ----------------------------------------------------------------- */

static bool is_cond_op(enum op op)
{
	return op != OP_BITAND && op != OP_BITOR;
}

unsigned emit_presence_of(struct emitter *e, const struct expr *x)
{
	if (!x)
		return 0;
	switch (x->kind) {
	case EXPR_FIELD:
		return x->u.field.def ? emit_field_presence(e, x->u.field.def) : 0;
	case EXPR_BINARY:
		return emit_presence_of(e, x->u.binary.left) |
		       emit_presence_of(e, x->u.binary.right);
	case EXPR_UNARY:
		return emit_presence_of(e, x->u.unary.operand);
	default:
		return 0;   /* constants */
	}
}

void emit_value(struct emitter *e, struct sbuf *b, const struct expr *x)
{
	switch (x->kind) {
	case EXPR_INT:
		emit_number(b, x->u.num);
		break;
	case EXPR_BOOL:
		sb_puts(b, x->u.num ? "1" : "0");
		break;
	case EXPR_NAME:
		if (x->u.name.symbol) {
			emit_number(b, x->u.name.symbol->value);
			sb_printf(b, " /* %s */", x->u.name.name);
		} else if (x->u.name.value) {
			const struct expr *v = analyse_resolve(x);
			emit_value(e, b, v);
			if (v->kind == EXPR_INT || v->kind == EXPR_BOOL)
				sb_printf(b, " /* %s */", x->u.name.name);
		} else {
			sb_puts(b, "0 /* unresolved */");
		}
		break;
	case EXPR_FIELD:
		emit_field_value(e, b, x->u.field.def, x->u.field.index);
		break;
	case EXPR_BINARY:
		if (!is_cond_op(x->u.binary.op)) {
			sb_puts(b, "(");
			emit_value(e, b, x->u.binary.left);
			sb_puts(b, x->u.binary.op == OP_BITAND ? " & " : " | ");
			emit_value(e, b, x->u.binary.right);
			sb_puts(b, ")");
		} else {
			emit_cond(e, b, x);     /* a condition as a value: 0 or 1 */
		}
		break;
	case EXPR_UNARY:
		emit_cond(e, b, x);
		break;
	default:
		sb_puts(b, "0 /* not a value */");
		break;
	}
}

/* "(PRESENCE && TEXT)", or TEXT when nothing needs to be present */
static void guarded(struct sbuf *b, unsigned presence, const char *t)
{
	if (!presence) {
		sb_puts(b, t);
		return;
	}
	sb_puts(b, "(");
	emit_presence_text(b, presence);
	sb_printf(b, " && %s)", t);
}

/* ---- tests that need no presence test ------------------------------------------ */

/* Whether x reads exactly one field (as often as it likes): *f. */
static bool one_field(const struct expr *x, const struct field_def **f)
{
	switch (x->kind) {
	case EXPR_FIELD:
		if (!x->u.field.def || (*f && *f != x->u.field.def))
			return false;
		*f = x->u.field.def;
		return true;
	case EXPR_BINARY:
		return one_field(x->u.binary.left, f) &&
		       (x->u.binary.op == OP_IN || x->u.binary.op == OP_NOT_IN ||
			one_field(x->u.binary.right, f));
	case EXPR_UNARY:
		return one_field(x->u.unary.operand, f);
	default:
		return true;    /* constants; anything else fails below */
	}
}

/* *v: the value x has when its one field reads 0; false when that cannot
 * be told here (a runtime set, a search, an address). */
static bool value_at_zero(struct emitter *e, const struct expr *x, uint64_t *v)
{
	uint64_t a, b;

	switch (x->kind) {
	case EXPR_INT:
	case EXPR_BOOL:
		*v = x->u.num;
		return true;
	case EXPR_NAME:
		if (x->u.name.symbol) {
			*v = x->u.name.symbol->value;
			return true;
		}
		return x->u.name.value && !x->u.name.runtime_set &&
		       value_at_zero(e, analyse_resolve(x), v);
	case EXPR_FIELD:
		*v = 0;
		return true;
	case EXPR_UNARY:
		if (x->u.unary.op != OP_NOT || !value_at_zero(e, x->u.unary.operand, &a))
			return false;
		*v = !a;
		return true;
	case EXPR_BINARY:
		break;
	default:
		return false;
	}
	if (x->u.binary.op == OP_IN || x->u.binary.op == OP_NOT_IN) {
		const struct expr *r = x->u.binary.right;
		const struct set_match *m;
		bool in = false;

		if ((r->kind == EXPR_NAME && r->u.name.runtime_set) ||
		    !value_at_zero(e, x->u.binary.left, &a))
			return false;
		m = analyse_set_match(&e->an->sets, x);
		if (!m || m->addr || m->ints.form == INT_MATCH_SEARCH)
			return false;
		for (size_t i = 0; i < m->ints.spans.len; i++)
			in |= m->ints.spans.v[i].lo <= a && a <= m->ints.spans.v[i].hi;
		*v = x->u.binary.op == OP_IN ? in : !in;
		return true;
	}
	if (!value_at_zero(e, x->u.binary.left, &a) || !value_at_zero(e, x->u.binary.right, &b))
		return false;
	switch (x->u.binary.op) {
	case OP_AND:    *v = a && b; break;
	case OP_OR:     *v = a || b; break;
	case OP_EQ:     *v = a == b; break;
	case OP_NE:     *v = a != b; break;
	case OP_LT:     *v = a < b; break;
	case OP_LE:     *v = a <= b; break;
	case OP_GT:     *v = a > b; break;
	case OP_GE:     *v = a >= b; break;
	case OP_BITAND: *v = a & b; break;
	case OP_BITOR:  *v = a | b; break;
	default:        return false;
	}
	return true;
}

/* Whether test x may go without its presence test: it reads one field,
 * whose C value is 0 without its header (emit_field_zero_when_absent()),
 * and with that 0 the test is false. Then "PRESENCE && TEST" and TEST
 * agree on every packet, and TEST alone is a compare of a register fewer:
 * tcp.flags & (syn | fin) == (syn | fin) after tcp.flags was read once,
 * ip.version == 6, ip4.options. (tcp.flags == 0 keeps its test.) Nothing
 * here reads through a pointer, so the verifier needs no test either. */
static bool needs_no_presence(struct emitter *e, const struct expr *x)
{
	const struct field_def *f = NULL;
	uint64_t v;

	return one_field(x, &f) && f && emit_field_zero_when_absent(e, f) &&
	       value_at_zero(e, x, &v) && v == 0;
}

/* ---- small integer sets ---------------------------------------------------------- */

/* Compares at or above this many make a set of values below 64 one bit
 * test instead (int_in_bits()). */
enum { BITS_MIN_COMPARES = 4 };

/* x in SET, when every value of SET is below 64 and emit_sets.c's compares
 * would be BITS_MIN_COMPARES or more: "lwtp_v < 64 && (MASK >> lwtp_v) &
 * 1", bit v of MASK set for each v of SET. That is a shift, an AND and one
 * branch whatever the set's size (clang drops the first test where it
 * knows the value is below 64, as ip.dscp is), where the compares are a
 * branch each, several taken on most paths: ip.dscp in { af41, ..., cs2 }
 * (12 values) was up to 6 compares, and a hand-written switch is this bit
 * test too. The shift is of a constant by a bounded scalar, and the result
 * only tested: nothing the verifier must bound. False (nothing written)
 * when x is not such a set; emit_int_in() writes it then. */
static bool int_in_bits(struct emitter *e, struct sbuf *b, const struct expr *x)
{
	const struct set_match *m = analyse_set_match(&e->an->sets, x);
	const struct ivals *s;
	uint64_t mask = 0;
	size_t compares = 0;
	struct sbuf v = { 0 };

	if (!m || m->addr ||
	    (m->ints.form != INT_MATCH_LINEAR && m->ints.form != INT_MATCH_TREE))
		return false;
	s = &m->ints.spans;
	for (size_t i = 0; i < s->len; i++) {
		if (s->v[i].hi > 63 || s->v[i].lo > s->v[i].hi)
			return false;
		compares += s->v[i].lo == s->v[i].hi || s->v[i].lo == 0 ? 1 : 2;
		for (unsigned bit = (unsigned)s->v[i].lo; bit <= (unsigned)s->v[i].hi; bit++)
			mask |= 1ULL << bit;
	}
	if (compares < BITS_MIN_COMPARES)
		return false;
	emit_value(e, &v, x->u.binary.left);
	sb_printf(b, "({ __u64 lwtp_v = %s; lwtp_v < 64 && ((0x%016" PRIx64 "ULL >> lwtp_v) & 1); /*",
		  sb_str(&v), mask);
	for (size_t i = 0; i < s->len; i++) {
		const struct ival *sp = &s->v[i];

		if (sp->name)
			sb_printf(b, " %s", sp->name);
		else if (sp->lo == sp->hi)
			sb_printf(b, " %u", (unsigned)sp->lo);
		else
			sb_printf(b, " %u-%u", (unsigned)sp->lo, (unsigned)sp->hi);
	}
	sb_puts(b, " */ })");
	sb_free(&v);
	return true;
}

/* ---- addresses ------------------------------------------------------------------ */

/* Two address fields equal: only within one family. */
static void addr_match_fields(struct sbuf *b, const struct field_def *l, const struct field_def *r)
{
	const char *lw = emit_field_is_src(l) ? "saddr" : "daddr", *rw = emit_field_is_src(r) ? "saddr" : "daddr";
	bool v4 = analyse_field_has_family(l, 4) && analyse_field_has_family(r, 4);
	bool v6 = analyse_field_has_family(l, 6) && analyse_field_has_family(r, 6);

	if (!v4 && !v6) {
		sb_puts(b, "0");
		return;
	}
	if (v4 && v6)
		sb_puts(b, "(");
	if (v4)
		sb_printf(b, "(lwtp_has(lwtp_pkt.ip4) && lwtp_pkt.ip4->%s == lwtp_pkt.ip4->%s)", lw, rw);
	if (v4 && v6)
		sb_puts(b, " || ");
	if (v6) {
		sb_puts(b, "(lwtp_has(lwtp_pkt.ip6)");
		for (int w = 0; w < 4; w++)
			sb_printf(b, " && lwtp_pkt.ip6->%s[%d] == lwtp_pkt.ip6->%s[%d]", lw, w, rw, w);
		sb_puts(b, ")");
	}
	if (v4 && v6)
		sb_puts(b, ")");
}

/* The comparison x of addresses: two fields, or a field and a constant
 * (a set, an address, a prefix). */
static void addr_compare(struct emitter *e, struct sbuf *b, const struct expr *x)
{
	const struct expr *l = x->u.binary.left, *r = x->u.binary.right;
	enum op op = x->u.binary.op;
	struct sbuf m = { 0 };
	unsigned p;
	bool negate = op == OP_NE || op == OP_NOT_IN;

	if (l->kind != EXPR_FIELD && r->kind == EXPR_FIELD) {
		const struct expr *t = l;     /* constant on the left: == is symmetric */
		l = r;
		r = t;
	}
	if (l->kind != EXPR_FIELD || !l->u.field.def) {
		sb_puts(b, "0 /* no address field */");
		return;
	}
	p = emit_field_presence(e, l->u.field.def);
	if (r->kind == EXPR_FIELD && r->u.field.def) {
		p |= emit_field_presence(e, r->u.field.def);
		addr_match_fields(&m, l->u.field.def, r->u.field.def);
	} else {
		emit_addr_in(e, &m, x, l->u.field.def);
	}
	if (!negate) {
		/* the match tests the family's header itself */
		sb_puts(b, sb_str(&m));
	} else {
		struct sbuf t = { 0 };
		sb_printf(&t, "!%s", sb_str(&m));
		guarded(b, p, sb_str(&t));
		sb_free(&t);
	}
	sb_free(&m);
}

/* ---- conditions ------------------------------------------------------------------- */

/* A comparison's C operator: the language writes them as C does. */
static const char *c_op(enum op op)
{
	switch (op) {
	case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		return ast_op_str(op);
	default:
		return "?";
	}
}

/* 'FIELD in SET' for a runtime set: a map lookup; 'socket.cgroup in SET' a
 * helper call a slot. */
static void runtime_membership(struct emitter *e, struct sbuf *b, enum op op,
			       const struct expr *l, const struct map_def *m)
{
	struct sbuf t = { 0 };
	const char *not = op == OP_NOT_IN ? "!" : "";
	unsigned p;

	if (m->set_elem == SETT_CGROUP) {
		/* socket.cgroup: always there; no socket is no cgroup */
		sb_printf(b, "%slwtp_set_has_cgroup(skb, &%s, &" LWTP_CGROUPS_PREFIX "%s, %u)",
			  not, m->name, m->name, m->max_entries);
		return;
	}
	if (!m->set_key_type) {
		const struct field_def *f = l->u.field.def;
		p = emit_field_presence(e, f);
		sb_printf(&t, "%slwtp_set_has_addr(&%s, &lwtp_pkt, %d)", not, m->name,
			  emit_field_is_src(f) ? 0 : 1);
	} else {
		p = emit_presence_of(e, l);
		sb_printf(&t, "%s(bpf_map_lookup_elem(&%s, &(%s){ ", not, m->name,
			  m->set_key_type);
		emit_value(e, &t, l);
		sb_puts(&t, " }) != 0)");
	}
	guarded(b, p, sb_str(&t));
	sb_free(&t);
}

static void compare(struct emitter *e, struct sbuf *b, const struct expr *x)
{
	const struct expr *l = x->u.binary.left, *r = x->u.binary.right;
	enum op op = x->u.binary.op;
	struct sbuf t = { 0 };
	unsigned p;

	if ((op == OP_IN || op == OP_NOT_IN) && r->kind == EXPR_NAME &&
	    r->u.name.runtime_set && r->u.name.runtime_set->map) {
		if (r->u.name.runtime_set->elem == SETT_TUPLE)
			emit_rset_tuple_in(e, b, op, l, r->u.name.runtime_set);
		else
			runtime_membership(e, b, op, l, r->u.name.runtime_set->map);
		return;
	}

	if (analyse_is_addr_compare(l, r)) {
		addr_compare(e, b, x);
		return;
	}
	p = emit_presence_of(e, l) | emit_presence_of(e, r);
	if (p && needs_no_presence(e, x))
		p = 0;
	if (op == OP_IN || op == OP_NOT_IN) {
		if (op == OP_NOT_IN)
			sb_puts(&t, "!");
		if (!int_in_bits(e, &t, x))
			emit_int_in(e, &t, x);
	} else {
		sb_puts(&t, "(");
		emit_value(e, &t, l);
		sb_printf(&t, " %s ", c_op(op));
		emit_value(e, &t, r);
		sb_puts(&t, ")");
	}
	guarded(b, p, sb_str(&t));
	sb_free(&t);
}

void emit_cond(struct emitter *e, struct sbuf *b, const struct expr *x)
{
	struct sbuf t = { 0 };

	switch (x->kind) {
	case EXPR_BOOL:
		sb_puts(b, x->u.num ? "1" : "0");
		break;
	case EXPR_NAME:
		if (x->u.name.value)
			emit_cond(e, b, analyse_resolve(x));
		else
			sb_puts(b, "0 /* not a condition */");
		break;
	case EXPR_INT:
		sb_puts(b, x->u.num ? "1" : "0");
		break;
	case EXPR_FIELD:        /* a bool field, or an integer meaning != 0 */
		emit_value(e, &t, x);
		if (x->type.kind != TYPE_BOOL) {
			struct sbuf n = { 0 };
			sb_printf(&n, "(%s != 0)", sb_str(&t));
			sb_free(&t);
			t = n;
		}
		guarded(b, needs_no_presence(e, x) ? 0 : emit_presence_of(e, x), sb_str(&t));
		break;
	case EXPR_UNARY:
		emit_cond(e, &t, x->u.unary.operand);
		if (t.len && t.s[0] == '(' && t.s[t.len - 1] == ')')
			sb_printf(b, "!%s", sb_str(&t));
		else
			sb_printf(b, "!(%s)", sb_str(&t));
		break;
	case EXPR_BINARY:
		switch (x->u.binary.op) {
		case OP_AND:
		case OP_OR:
			sb_puts(b, "(");
			emit_cond(e, b, x->u.binary.left);
			sb_puts(b, x->u.binary.op == OP_AND ? " && " : " || ");
			emit_cond(e, b, x->u.binary.right);
			sb_puts(b, ")");
			break;
		case OP_BITAND:         /* not zero */
		case OP_BITOR:
			emit_value(e, &t, x);
			sb_puts(&t, " != 0");
			{
				struct sbuf n = { 0 };
				sb_printf(&n, "(%s)", sb_str(&t));
				guarded(b, needs_no_presence(e, x) ? 0 : emit_presence_of(e, x),
					sb_str(&n));
				sb_free(&n);
			}
			break;
		case OP_NOT:
			break;
		default:
			compare(e, b, x);
			break;
		}
		break;
	default:
		sb_puts(b, "0 /* not a condition */");
		break;
	}
	sb_free(&t);
}
