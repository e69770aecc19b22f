/* emit_expr.c: conditions and values as C expressions.
 *
 * A comparison that reads an absent field is false: each one is emitted as
 * "(PRESENCE && COMPARISON)", where PRESENCE tests the header pointers
 * lwtp_parse() set (NULL when absent), and 'not' negates the whole.
 * Integer sets of more than SET_LINEAR_MAX spans become a balanced compare
 * tree; addresses are masked compares of 32-bit words in network order.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emit_priv.h"
#include "util.h"

#define SET_LINEAR_MAX 8    /* larger integer sets become a compare tree */

/* ---- values ----------------------------------------------------------------- */

/* Follow const names to the literal they stand for. */
static const struct expr *resolve(const struct expr *x)
{
	while (x && x->kind == EXPR_NAME && x->u.name.value)
		x = x->u.name.value;
	return x;
}

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
			const struct expr *v = resolve(x);
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

/* ---- integer sets and ranges -------------------------------------------------- */

struct span {
	uint64_t lo, hi;
	const char *name;       /* a named value or const, for a comment */
};

struct spans {
	struct span *v;
	size_t len, cap;
};

static void spans_add(struct spans *s, uint64_t lo, uint64_t hi, const char *name)
{
	if (s->len == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->len++] = (struct span){ lo, hi, name };
}

static uint64_t int_of(const struct expr *x)
{
	if (x->kind == EXPR_NAME && x->u.name.symbol)
		return x->u.name.symbol->value;
	x = resolve(x);
	return x && (x->kind == EXPR_INT || x->kind == EXPR_BOOL) ? x->u.num : 0;
}

/* Flatten a set, range, or single value (names followed) into spans. */
static void flatten_ints(struct spans *s, const struct expr *x)
{
	const char *name = x->kind == EXPR_NAME ? x->u.name.name : NULL;
	const struct expr *v = x->kind == EXPR_NAME && x->u.name.symbol ? x : resolve(x);

	if (!v)
		return;
	switch (v->kind) {
	case EXPR_SET:
		for (size_t i = 0; i < v->u.set.len; i++)
			flatten_ints(s, v->u.set.items[i]);
		break;
	case EXPR_RANGE:
		spans_add(s, int_of(v->u.range.lo), int_of(v->u.range.hi), name);
		break;
	default:
		spans_add(s, int_of(v), int_of(v), name);
		break;
	}
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static uint64_t type_max(const struct type *t)
{
	if (t->kind == TYPE_BOOL)
		return 1;
	if (t->kind != TYPE_INT || t->bits <= 0 || t->bits >= 64)
		return UINT64_MAX;
	return (UINT64_C(1) << t->bits) - 1;
}

/* One span tested against v ("lwtp_v" or a field read). */
static void span_test(struct sbuf *b, const char *v, const struct span *sp, uint64_t max)
{
	if (sp->lo == sp->hi) {
		sb_printf(b, "%s == ", v);
		emit_number(b, sp->lo);
	} else if (sp->lo == 0 && sp->hi >= max) {
		sb_puts(b, "1");
	} else if (sp->lo == 0) {
		sb_printf(b, "%s <= ", v);
		emit_number(b, sp->hi);
	} else if (sp->hi >= max) {
		sb_printf(b, "%s >= ", v);
		emit_number(b, sp->lo);
	} else {
		sb_printf(b, "(%s >= ", v);
		emit_number(b, sp->lo);
		sb_printf(b, " && %s <= ", v);
		emit_number(b, sp->hi);
		sb_puts(b, ")");
	}
	if (sp->name)
		sb_printf(b, " /* %s */", sp->name);
}

static void spans_or(struct sbuf *b, const char *v, const struct span *sp, size_t n,
		     uint64_t max)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_puts(b, " || ");
		span_test(b, v, &sp[i], max);
	}
}

/* A balanced binary search over sorted, disjoint spans: BPF has no jump
 * tables, and this keeps a large set at log2(n) compares. */
static void spans_tree(struct sbuf *b, const struct span *sp, size_t n, uint64_t max)
{
	size_t mid = n / 2;

	if (n <= 3) {
		sb_puts(b, "(");
		spans_or(b, "lwtp_v", sp, n, max);
		sb_puts(b, ")");
		return;
	}
	sb_puts(b, "(lwtp_v < ");
	emit_number(b, sp[mid].lo);
	sb_puts(b, " ? ");
	spans_tree(b, sp, mid, max);
	sb_puts(b, " : ");
	spans_tree(b, sp + mid, n - mid, max);
	sb_puts(b, ")");
}

/* value in spans, without the presence test */
static void int_membership(struct emitter *e, struct sbuf *b, const struct expr *value,
			   struct spans *s)
{
	struct sbuf v = { 0 };
	uint64_t max = type_max(&value->type);
	const char *vtype = max > UINT32_MAX ? "__u64" : "__u32";

	emit_value(e, &v, value);
	if (s->len == 0) {
		sb_puts(b, "0");
	} else if (s->len == 1) {
		struct sbuf t = { 0 };
		span_test(&t, sb_str(&v), &s->v[0], max);
		if (s->v[0].lo != s->v[0].hi && !(s->v[0].lo == 0 || s->v[0].hi >= max))
			sb_puts(b, sb_str(&t));         /* already parenthesized */
		else
			sb_printf(b, "(%s)", sb_str(&t));
		sb_free(&t);
	} else if (s->len <= SET_LINEAR_MAX) {
		sb_printf(b, "({ %s lwtp_v = %s; ", vtype, sb_str(&v));
		spans_or(b, "lwtp_v", s->v, s->len, max);
		sb_puts(b, "; })");
	} else {
		size_t n = 0;
		qsort(s->v, s->len, sizeof(*s->v), span_cmp);
		/* merge overlapping and adjacent spans; names no longer apply */
		for (size_t i = 0; i < s->len; i++) {
			if (n && (s->v[n - 1].hi == UINT64_MAX || s->v[i].lo <= s->v[n - 1].hi + 1)) {
				if (s->v[i].hi > s->v[n - 1].hi)
					s->v[n - 1].hi = s->v[i].hi;
				s->v[n - 1].name = NULL;
			} else {
				s->v[n++] = s->v[i];
			}
		}
		sb_printf(b, "({ %s lwtp_v = %s; ", vtype, sb_str(&v));
		spans_tree(b, s->v, n, max);
		sb_puts(b, "; })");
	}
	sb_free(&v);
}

/* ---- addresses ------------------------------------------------------------------ */

static bool is_addr_type(const struct expr *x)
{
	const struct expr *v = resolve(x);
	enum type_kind k = x->type.kind;

	if (k == TYPE_ADDR || k == TYPE_ADDR4 || k == TYPE_ADDR6)
		return true;
	return v && v->kind == EXPR_ADDR;
}

/* The families an address field can be: 4, 6, or both (10). */
static bool field_has_family(const struct field_def *f, int family)
{
	switch (f->type.kind) {
	case TYPE_ADDR4: return family == 4;
	case TYPE_ADDR6: return family == 6;
	case TYPE_ADDR:  return true;
	default:         return false;
	}
}

static bool is_src(const struct field_def *f)
{
	return f->id == F_IP_SRC || f->id == F_IP4_SRC || f->id == F_IP6_SRC;
}

static unsigned addr_field_presence(struct emitter *e, const struct field_def *f)
{
	/* an address field of either family needs only its family's header */
	if (f->header == HDR_IP) {
		e->want |= WANT_IP4 | WANT_IP6;
		return P_IP;
	}
	return emit_field_presence(e, f);
}

/* Does f (in the family's header, known present) match the constant a?
 * Masked compares of 32-bit words in network order. */
static void addr_match_const(struct emitter *e, struct sbuf *b, const struct field_def *f,
			     const struct addr *a)
{
	const char *which = is_src(f) ? "saddr" : "daddr";
	int plen = a->is_prefix ? a->prefix_len : (a->family == 4 ? 32 : 128);
	bool first = true;

	if (a->family == 4) {
		uint32_t mask = plen == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - plen));
		if (plen == 0) {
			sb_puts(b, "1");
			return;
		}
		e->uses |= USE_IP4_CONST;
		if (plen == 32)
			sb_printf(b, "lwtp_pkt.ip4->%s == ", which);
		else
			sb_printf(b, "(lwtp_pkt.ip4->%s & bpf_htonl(0x%08x)) == ", which, mask);
		sb_printf(b, "lwtp_ip4(%u, %u, %u, %u)", a->bytes[0], a->bytes[1],
			  a->bytes[2], a->bytes[3]);
		return;
	}
	if (plen == 0) {
		sb_puts(b, "1");
		return;
	}
	sb_puts(b, "(");
	for (int w = 0; w < 4; w++) {
		int bits = plen - 32 * w;
		uint32_t word = (uint32_t)a->bytes[4 * w] << 24 | (uint32_t)a->bytes[4 * w + 1] << 16 |
				(uint32_t)a->bytes[4 * w + 2] << 8 | a->bytes[4 * w + 3];
		if (bits <= 0)
			break;
		if (!first)
			sb_puts(b, " && ");
		first = false;
		if (bits >= 32 && word == 0) {
			sb_printf(b, "lwtp_pkt.ip6->%s[%d] == 0", which, w);
		} else if (bits >= 32) {
			sb_printf(b, "lwtp_pkt.ip6->%s[%d] == bpf_htonl(0x%08x)", which, w, word);
		} else {
			uint32_t mask = (uint32_t)(0xffffffffu << (32 - bits));
			sb_printf(b, "(lwtp_pkt.ip6->%s[%d] & bpf_htonl(0x%08x)) == bpf_htonl(0x%08x)",
				  which, w, mask, word & mask);
		}
	}
	sb_puts(b, " /* ");
	emit_addr_text(b, a);
	sb_puts(b, " */)");
}

struct addr_list {
	const struct addr **v;
	size_t len, cap;
};

static void flatten_addrs(struct addr_list *l, const struct expr *x)
{
	const struct expr *v = resolve(x);

	if (!v)
		return;
	if (v->kind == EXPR_SET) {
		for (size_t i = 0; i < v->u.set.len; i++)
			flatten_addrs(l, v->u.set.items[i]);
		return;
	}
	if (v->kind != EXPR_ADDR)
		return;
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->len++] = &v->u.addr;
}

/* field matches any of the constants: grouped by family,
 * "(lwtp_pkt.ip4 && (A || B)) || (lwtp_pkt.ip6 && C)" */
static void addr_match_list(struct emitter *e, struct sbuf *b, const struct field_def *f,
			    const struct addr_list *l)
{
	static const int families[] = { 4, 6 };
	int groups = 0;
	struct sbuf g[2] = { { 0 }, { 0 } };
	size_t n[2] = { 0, 0 };

	for (int i = 0; i < 2; i++) {
		int fam = families[i];
		if (!field_has_family(f, fam))
			continue;
		for (size_t j = 0; j < l->len; j++) {
			if (l->v[j]->family != fam)
				continue;
			if (n[i]++)
				sb_puts(&g[i], " || ");
			addr_match_const(e, &g[i], f, l->v[j]);
		}
		if (n[i])
			groups++;
	}
	if (!groups) {
		sb_puts(b, "0");
		return;
	}
	if (groups > 1)
		sb_puts(b, "(");
	for (int i = 0, k = 0; i < 2; i++) {
		if (!n[i])
			continue;
		if (k++)
			sb_puts(b, " || ");
		if (n[i] > 1)
			sb_printf(b, "(lwtp_pkt.ip%d && (%s))", families[i], sb_str(&g[i]));
		else
			sb_printf(b, "(lwtp_pkt.ip%d && %s)", families[i], sb_str(&g[i]));
	}
	if (groups > 1)
		sb_puts(b, ")");
	sb_free(&g[0]);
	sb_free(&g[1]);
}

/* Two address fields equal: only within one family. */
static void addr_match_fields(struct sbuf *b, const struct field_def *l, const struct field_def *r)
{
	const char *lw = is_src(l) ? "saddr" : "daddr", *rw = is_src(r) ? "saddr" : "daddr";
	bool v4 = field_has_family(l, 4) && field_has_family(r, 4);
	bool v6 = field_has_family(l, 6) && field_has_family(r, 6);

	if (!v4 && !v6) {
		sb_puts(b, "0");
		return;
	}
	if (v4 && v6)
		sb_puts(b, "(");
	if (v4)
		sb_printf(b, "(lwtp_pkt.ip4 && lwtp_pkt.ip4->%s == lwtp_pkt.ip4->%s)", lw, rw);
	if (v4 && v6)
		sb_puts(b, " || ");
	if (v6) {
		sb_puts(b, "(lwtp_pkt.ip6");
		for (int w = 0; w < 4; w++)
			sb_printf(b, " && lwtp_pkt.ip6->%s[%d] == lwtp_pkt.ip6->%s[%d]", lw, w, rw, w);
		sb_puts(b, ")");
	}
	if (v4 && v6)
		sb_puts(b, ")");
}

static void addr_compare(struct emitter *e, struct sbuf *b, enum op op,
			 const struct expr *l, const struct expr *r)
{
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
	p = addr_field_presence(e, l->u.field.def);
	if (r->kind == EXPR_FIELD && r->u.field.def) {
		p |= addr_field_presence(e, r->u.field.def);
		addr_match_fields(&m, l->u.field.def, r->u.field.def);
	} else {
		struct addr_list list = { 0 };
		flatten_addrs(&list, r);
		addr_match_list(e, &m, l->u.field.def, &list);
		free(list.v);
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

static const char *c_op(enum op op)
{
	switch (op) {
	case OP_EQ: return "==";
	case OP_NE: return "!=";
	case OP_LT: return "<";
	case OP_LE: return "<=";
	case OP_GT: return ">";
	case OP_GE: return ">=";
	default:    return "?";
	}
}

/* 'FIELD in SET' for a runtime set: a map lookup. */
static void runtime_membership(struct emitter *e, struct sbuf *b, enum op op,
			       const struct expr *l, const struct map_def *m)
{
	struct sbuf t = { 0 };
	const char *not = op == OP_NOT_IN ? "!" : "";
	unsigned p;

	if (!m->set_key_type) {
		const struct field_def *f = l->u.field.def;
		p = addr_field_presence(e, f);
		e->uses |= USE_SET_IP;
		sb_printf(&t, "%slwtp_set_has_addr(&%s, &lwtp_pkt, %d)", not, m->name,
			  is_src(f) ? 0 : 1);
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

static void compare(struct emitter *e, struct sbuf *b, enum op op,
		    const struct expr *l, const struct expr *r)
{
	struct sbuf t = { 0 };
	unsigned p;

	if ((op == OP_IN || op == OP_NOT_IN) && r->kind == EXPR_NAME &&
	    r->u.name.runtime_set && r->u.name.runtime_set->map) {
		runtime_membership(e, b, op, l, r->u.name.runtime_set->map);
		return;
	}

	if (is_addr_type(l) || is_addr_type(r)) {
		addr_compare(e, b, op, l, r);
		return;
	}
	p = emit_presence_of(e, l) | emit_presence_of(e, r);
	if (op == OP_IN || op == OP_NOT_IN) {
		struct spans s = { 0 };
		flatten_ints(&s, r);
		if (op == OP_NOT_IN)
			sb_puts(&t, "!");
		int_membership(e, &t, l, &s);
		free(s.v);
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
			emit_cond(e, b, resolve(x));
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
		guarded(b, emit_presence_of(e, x), sb_str(&t));
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
				guarded(b, emit_presence_of(e, x), sb_str(&n));
				sb_free(&n);
			}
			break;
		case OP_NOT:
			break;
		default:
			compare(e, b, x->u.binary.op, x->u.binary.left, x->u.binary.right);
			break;
		}
		break;
	default:
		sb_puts(b, "0 /* not a condition */");
		break;
	}
	sb_free(&t);
}
