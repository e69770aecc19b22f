/* warn.c: the warnings pass (see warn.h). It reads the checked tree with
 * the checker's helpers (check_priv.h: constants, text for messages) and
 * changes nothing.
 *
 * A condition is judged by what packets it may be true of (struct maybe):
 * the classes of headers a packet may have (no IP, IPv4 or IPv6, times no
 * L4 header, TCP, UDP, ICMP or ICMPv6), and, for each field compared with
 * constants, the values it may hold. 'and' intersects, 'or' unites, 'not'
 * knows nothing. Only an empty intersection is reported, so a warning is
 * right as long as every step keeps each packet the condition may be true
 * of. The facts it rests on are lwtp_parse()'s (compiler/bpf/parse.bpf.h)
 * and emit_expr.c's:
 *
 *   - a comparison, '&' or bool field that reads an absent field is false,
 *     whatever its operator (so 'udp.dport != 53' needs a UDP header);
 *   - a packet has IPv4 or IPv6 or neither; TCP and UDP headers are
 *     present only when the L4 protocol (ip.proto) is 6 and 17, ICMP only
 *     over IPv4 with 1, ICMPv6 only over IPv6 with 58;
 *   - ip.version is 4 exactly for IPv4 packets, 6 for IPv6 ones; ip.src
 *     and ip.dst hold an IPv4 address exactly for IPv4 packets.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_priv.h"
#include "diag.h"
#include "fields.h"
#include "util.h"
#include "walk.h"
#include "warn.h"

#define TEXT 160
#define SET_REPORT_MAX 10   /* covered elements reported a set; then a count */

typedef unsigned __int128 u128;

#define U128_MAX (~(u128)0)
#define IP4_MAX ((u128)UINT32_MAX)

/* ---- spans: sorted, disjoint intervals of values ------------------------ */

struct span {
	u128 lo, hi;            /* inclusive */
};

struct spans {
	struct span *v;
	size_t len, cap;
};

static void spans_add(struct spans *s, u128 lo, u128 hi)
{
	if (s->len == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->len++] = (struct span){ lo, hi };
}

static void spans_free(struct spans *s)
{
	free(s->v);
	*s = (struct spans){ 0 };
}

static struct spans spans_copy(const struct spans *s)
{
	struct spans r = { 0 };

	for (size_t i = 0; i < s->len; i++)
		spans_add(&r, s->v[i].lo, s->v[i].hi);
	return r;
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/* Sort, and merge what overlaps or touches: O(n log n). */
static void spans_norm(struct spans *s)
{
	size_t n = 0;

	if (s->len < 2)
		return;
	qsort(s->v, s->len, sizeof(*s->v), span_cmp);
	for (size_t i = 0; i < s->len; i++) {
		struct span *last = n ? &s->v[n - 1] : NULL;
		if (last && (last->hi == U128_MAX || s->v[i].lo <= last->hi + 1)) {
			if (s->v[i].hi > last->hi)
				last->hi = s->v[i].hi;
		} else {
			s->v[n++] = s->v[i];
		}
	}
	s->len = n;
}

/* The values in both (each sorted and disjoint). */
static struct spans spans_meet(const struct spans *a, const struct spans *b)
{
	struct spans r = { 0 };
	size_t i = 0, j = 0;

	while (i < a->len && j < b->len) {
		u128 lo = a->v[i].lo > b->v[j].lo ? a->v[i].lo : b->v[j].lo;
		u128 hi = a->v[i].hi < b->v[j].hi ? a->v[i].hi : b->v[j].hi;
		if (lo <= hi)
			spans_add(&r, lo, hi);
		if (a->v[i].hi < b->v[j].hi)
			i++;
		else
			j++;
	}
	return r;
}

/* The values of 0..max that s (sorted, disjoint) does not hold. */
static struct spans spans_complement(const struct spans *s, u128 max)
{
	struct spans r = { 0 };
	u128 next = 0;

	for (size_t i = 0; i < s->len; i++) {
		if (s->v[i].lo > max)
			break;
		if (s->v[i].lo > next)
			spans_add(&r, next, s->v[i].lo - 1);
		if (s->v[i].hi >= max)
			return r;
		next = s->v[i].hi + 1;
	}
	spans_add(&r, next, max);
	return r;
}

static bool spans_has(const struct spans *s, u128 v)
{
	size_t lo = 0, hi = s->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].hi < v)
			lo = mid + 1;
		else if (s->v[mid].lo > v)
			hi = mid;
		else
			return true;
	}
	return false;
}

/* ---- constants as intervals -------------------------------------------------- */

enum vkind { V_INT, V_IP4, V_IP6 };

static u128 low_bits(int n)
{
	return n >= 128 ? U128_MAX : ((u128)1 << n) - 1;
}

/* The values a constant stands for (names followed): an integer, a range,
 * an address, or a prefix (as the interval of its addresses). */
static bool const_span(const struct expr *e, enum vkind *kind, struct span *sp)
{
	const struct expr *lit;
	uint64_t v, hi;

	if (check_const_int(e, &v)) {
		*kind = V_INT;
		*sp = (struct span){ v, v };
		return true;
	}
	lit = check_literal(e);
	if (!lit)
		return false;
	if (lit->kind == EXPR_RANGE) {
		if (!check_const_int(lit->u.range.lo, &v) ||
		    !check_const_int(lit->u.range.hi, &hi) || v > hi)
			return false;
		*kind = V_INT;
		*sp = (struct span){ v, hi };
		return true;
	}
	if (lit->kind == EXPR_ADDR) {
		const struct addr *a = &lit->u.addr;
		int bits = a->family == 4 ? 32 : 128;
		u128 value = 0, host;

		if ((a->family != 4 && a->family != 6) || a->prefix_len < 0 ||
		    a->prefix_len > bits)
			return false;
		for (int i = 0; i < bits / 8; i++)
			value = value << 8 | a->bytes[i];
		host = low_bits(bits - a->prefix_len);
		*kind = a->family == 4 ? V_IP4 : V_IP6;
		*sp = (struct span){ value & ~host, value | host };
		return true;
	}
	return false;
}

/* ---- what packets a condition may be true of ------------------------------- */

enum { L3_NONE, L3_IP4, L3_IP6, L3_COUNT };
enum { L4_NONE, L4_TCP, L4_UDP, L4_ICMP, L4_ICMP6, L4_COUNT };

typedef unsigned classes;       /* a bit for each (L3, L4) a packet may have */

#define CLASS(l3, l4) (1u << ((l3) * L4_COUNT + (l4)))

static classes with_l3(int l3)
{
	classes c = 0;

	for (int l4 = 0; l4 < L4_COUNT; l4++)
		c |= CLASS(l3, l4);
	return c;
}

static classes with_l4(int l4)
{
	classes c = 0;

	for (int l3 = 0; l3 < L3_COUNT; l3++)
		c |= CLASS(l3, l4);
	return c;
}

/* Every class a packet can be of: no L4 header without IP, ICMP only over
 * IPv4, ICMPv6 only over IPv6. */
static classes all_classes(void)
{
	return CLASS(L3_NONE, L4_NONE) | (with_l3(L3_IP4) & ~CLASS(L3_IP4, L4_ICMP6)) |
	       (with_l3(L3_IP6) & ~CLASS(L3_IP6, L4_ICMP));
}

/* The packets that have header h. Headers this does not know are always
 * present, as far as it is concerned: that only ever keeps packets. */
static classes header_classes(enum header h)
{
	classes c;

	switch (h) {
	case HDR_IP:      c = with_l3(L3_IP4) | with_l3(L3_IP6); break;
	case HDR_IP4:     c = with_l3(L3_IP4); break;
	case HDR_IP6:     c = with_l3(L3_IP6); break;
	case HDR_TCP:     c = with_l4(L4_TCP); break;
	case HDR_UDP:     c = with_l4(L4_UDP); break;
	case HDR_L4PORTS: c = with_l4(L4_TCP) | with_l4(L4_UDP); break;
	case HDR_ICMP:    c = with_l4(L4_ICMP); break;
	case HDR_ICMP6:   c = with_l4(L4_ICMP6); break;
	default:          c = ~0u; break;
	}
	return c & all_classes();
}

static int popcount(classes c)
{
	return __builtin_popcount(c);
}

/* The values a field compared with constants may hold. */
struct fvals {
	const struct field_def *def;
	int index;                  /* skb.cb[N] */
	const struct expr *field;   /* as written first, for messages */
	struct spans fam[2];        /* integers or IPv4 addresses; IPv6 addresses */
};

struct maybe {
	classes cls;                /* 0: the condition is never true */
	struct fvals *f;
	size_t nf;
	char *why;                  /* never true: why, for the message */
};

static void maybe_free(struct maybe *m)
{
	for (size_t i = 0; i < m->nf; i++) {
		spans_free(&m->f[i].fam[0]);
		spans_free(&m->f[i].fam[1]);
	}
	free(m->f);
	free(m->why);
	*m = (struct maybe){ 0 };
}

static struct maybe maybe_copy(const struct maybe *m)
{
	struct maybe r = { .cls = m->cls, .nf = m->nf };

	r.f = xcalloc(m->nf ? m->nf : 1, sizeof(*r.f));
	for (size_t i = 0; i < m->nf; i++) {
		r.f[i] = m->f[i];
		r.f[i].fam[0] = spans_copy(&m->f[i].fam[0]);
		r.f[i].fam[1] = spans_copy(&m->f[i].fam[1]);
	}
	return r;
}

static struct fvals *maybe_find(const struct maybe *m, const struct fvals *v)
{
	for (size_t i = 0; i < m->nf; i++)
		if (m->f[i].def == v->def && m->f[i].index == v->index)
			return &m->f[i];
	return NULL;
}

static bool fvals_empty(const struct fvals *v)
{
	return v->fam[0].len == 0 && v->fam[1].len == 0;
}

/* What the values of the fields say about the headers. */
static void maybe_settle(struct maybe *m)
{
	for (size_t i = 0; i < m->nf; i++) {
		const struct fvals *v = &m->f[i];
		classes l4 = with_l4(L4_NONE);

		if (fvals_empty(v)) {
			m->cls = 0;
			continue;
		}
		switch (v->def->id) {
		case F_IP_SRC:
		case F_IP_DST:
			if (!v->fam[0].len)
				m->cls &= ~with_l3(L3_IP4);
			if (!v->fam[1].len)
				m->cls &= ~with_l3(L3_IP6);
			break;
		case F_IP_VERSION:
			if (!spans_has(&v->fam[0], 4))
				m->cls &= ~with_l3(L3_IP4);
			if (!spans_has(&v->fam[0], 6))
				m->cls &= ~with_l3(L3_IP6);
			break;
		case F_IP_PROTO:
		case F_IP4_PROTO:
		case F_IP6_PROTO:
			/* no L4 header is always possible: truncated, a later
			 * fragment, another protocol */
			if (spans_has(&v->fam[0], 6))
				l4 |= with_l4(L4_TCP);
			if (spans_has(&v->fam[0], 17))
				l4 |= with_l4(L4_UDP);
			if (spans_has(&v->fam[0], 1))
				l4 |= with_l4(L4_ICMP);
			if (spans_has(&v->fam[0], 58))
				l4 |= with_l4(L4_ICMP6);
			m->cls &= l4;
			break;
		default:
			break;
		}
	}
}

/* a = a and b */
static void maybe_meet(struct maybe *a, const struct maybe *b)
{
	a->cls &= b->cls;
	for (size_t i = 0; i < b->nf; i++) {
		struct fvals *v = maybe_find(a, &b->f[i]);
		if (v) {
			for (int k = 0; k < 2; k++) {
				struct spans both = spans_meet(&v->fam[k], &b->f[i].fam[k]);
				spans_free(&v->fam[k]);
				v->fam[k] = both;
			}
			continue;
		}
		a->f = xrealloc(a->f, (a->nf + 1) * sizeof(*a->f));
		a->f[a->nf] = b->f[i];
		a->f[a->nf].fam[0] = spans_copy(&b->f[i].fam[0]);
		a->f[a->nf].fam[1] = spans_copy(&b->f[i].fam[1]);
		a->nf++;
	}
	maybe_settle(a);
}

/* a = a or b; b is taken */
static void maybe_join(struct maybe *a, struct maybe *b)
{
	size_t n = 0;

	if (!b->cls) {
		maybe_free(b);
		return;
	}
	if (!a->cls) {
		maybe_free(a);
		*a = *b;
		*b = (struct maybe){ 0 };
		return;
	}
	a->cls |= b->cls;
	for (size_t i = 0; i < a->nf; i++) {
		struct fvals *w = maybe_find(b, &a->f[i]);
		if (!w) {       /* one side says nothing of it: anything */
			spans_free(&a->f[i].fam[0]);
			spans_free(&a->f[i].fam[1]);
			continue;
		}
		for (int k = 0; k < 2; k++) {
			for (size_t j = 0; j < w->fam[k].len; j++)
				spans_add(&a->f[i].fam[k], w->fam[k].v[j].lo, w->fam[k].v[j].hi);
			spans_norm(&a->f[i].fam[k]);
		}
		a->f[n++] = a->f[i];
	}
	a->nf = n;
	maybe_free(b);
}

/* The packets whose headers have every field e reads. */
static classes reads(const struct expr *e)
{
	if (!e)
		return ~0u;
	switch (e->kind) {
	case EXPR_FIELD:
		return e->u.field.def ? header_classes(e->u.field.def->header) : ~0u;
	case EXPR_UNARY:
		return reads(e->u.unary.operand);
	case EXPR_BINARY:
		return reads(e->u.binary.left) & reads(e->u.binary.right);
	default:
		return ~0u;
	}
}

/* The field e reads whose header the fewest packets have, or NULL. */
static const struct expr *narrowest_field(const struct expr *e)
{
	const struct expr *a, *b;

	if (!e)
		return NULL;
	switch (e->kind) {
	case EXPR_FIELD:
		return e->u.field.def && header_classes(e->u.field.def->header) != all_classes()
		       ? e : NULL;
	case EXPR_UNARY:
		return narrowest_field(e->u.unary.operand);
	case EXPR_BINARY:
		a = narrowest_field(e->u.binary.left);
		b = narrowest_field(e->u.binary.right);
		if (!a || !b)
			return a ? a : b;
		return popcount(header_classes(b->u.field.def->header)) <
		       popcount(header_classes(a->u.field.def->header)) ? b : a;
	default:
		return NULL;
	}
}

/* 'CONSTANT op FIELD' as 'FIELD op' CONSTANT. */
static enum op mirrored(enum op op)
{
	switch (op) {
	case OP_LT: return OP_GT;
	case OP_LE: return OP_GE;
	case OP_GT: return OP_LT;
	case OP_GE: return OP_LE;
	default:    return op;
	}
}

/* The values a field may hold at all, per family. */
static bool field_domain(const struct field_def *def, struct spans fam[2])
{
	switch (def->type.kind) {
	case TYPE_INT:
		spans_add(&fam[0], 0, fields_max_value(def));
		return true;
	case TYPE_ADDR4:
		spans_add(&fam[0], 0, IP4_MAX);
		return true;
	case TYPE_ADDR6:
		spans_add(&fam[1], 0, U128_MAX);
		return true;
	case TYPE_ADDR:
		spans_add(&fam[0], 0, IP4_MAX);
		spans_add(&fam[1], 0, U128_MAX);
		return true;
	default:
		return false;
	}
}

/* The constant c (a value, range, prefix or set) as values of a field of
 * type t, per family; false when an element is not one this reads. */
static bool const_values(const struct expr *c, enum type_kind t, struct spans fam[2])
{
	const struct expr *lit = check_literal(c);
	const struct expr *const *items = (const struct expr *const *)&c;
	size_t n = 1;

	if (lit && lit->kind == EXPR_SET) {
		items = (const struct expr *const *)lit->u.set.items;
		n = lit->u.set.len;
	}
	for (size_t i = 0; i < n; i++) {
		enum vkind k;
		struct span sp;

		if (!items[i] || !const_span(items[i], &k, &sp))
			return false;
		if ((k == V_INT) != (t == TYPE_INT))
			return false;
		spans_add(&fam[k == V_IP6], sp.lo, sp.hi);
	}
	spans_norm(&fam[0]);
	spans_norm(&fam[1]);
	return true;
}

/* For the comparison 'FIELD op CONSTANT' (either way round), the values
 * it leaves the field in fam; false when e is not of that form ('&', '|',
 * two fields, a runtime set). */
static bool compare_values(const struct expr *e, const struct expr **field,
			   struct spans fam[2])
{
	const struct expr *l = e->u.binary.left, *r = e->u.binary.right;
	enum op op = e->u.binary.op;
	struct spans dom[2] = { { 0 } }, allow[2] = { { 0 } };
	uint64_t c;
	bool ok = true;

	if (l->kind != EXPR_FIELD && r->kind == EXPR_FIELD && op != OP_IN && op != OP_NOT_IN) {
		const struct expr *t = l;
		l = r;
		r = t;
		op = mirrored(op);
	}
	if (l->kind != EXPR_FIELD || !l->u.field.def || !check_is_constant(r) ||
	    !field_domain(l->u.field.def, dom))
		return false;
	enum type_kind t = l->u.field.def->type.kind;
	switch (op) {
	case OP_EQ: case OP_NE: case OP_IN: case OP_NOT_IN:
		ok = const_values(r, t, allow);
		if (ok && (op == OP_NE || op == OP_NOT_IN)) {
			for (int k = 0; k < 2; k++) {
				struct spans not = spans_complement(&allow[k], U128_MAX);
				spans_free(&allow[k]);
				allow[k] = not;
			}
		}
		break;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		ok = t == TYPE_INT && check_const_int(r, &c);
		if (!ok)
			break;
		if (op == OP_LT && c > 0)
			spans_add(&allow[0], 0, (u128)c - 1);
		else if (op == OP_LE)
			spans_add(&allow[0], 0, c);
		else if (op == OP_GT)
			spans_add(&allow[0], (u128)c + 1, U128_MAX);
		else if (op == OP_GE)
			spans_add(&allow[0], c, U128_MAX);
		break;
	default:
		ok = false;
		break;
	}
	for (int k = 0; k < 2; k++) {
		if (ok)
			fam[k] = spans_meet(&dom[k], &allow[k]);
		spans_free(&dom[k]);
		spans_free(&allow[k]);
	}
	*field = l;
	return ok;
}

/* ---- conditions ---------------------------------------------------------------- */

/* A part of a condition that is never true while the whole may be. */
struct part {
	const struct expr *at;
	char *why;
};

struct conds {
	struct part *v;
	size_t len, cap;
};

static void parts_cut(struct conds *cs, size_t len)
{
	while (cs->len > len)
		free(cs->v[--cs->len].why);
}

static void part_add(struct conds *cs, const struct expr *at, char *why)
{
	if (cs->len == cs->cap) {
		cs->cap = cs->cap ? 2 * cs->cap : 4;
		cs->v = xrealloc(cs->v, cs->cap * sizeof(*cs->v));
	}
	cs->v[cs->len++] = (struct part){ at, why };
}

static struct maybe judge(struct conds *cs, const struct expr *e);

/* A comparison, '&', a bool field: the headers it reads, and what a
 * comparison with a constant leaves its field. */
static struct maybe judge_atom(const struct expr *e)
{
	struct maybe m = { .cls = reads(e) & all_classes() };
	const struct expr *field;
	struct spans fam[2] = { { 0 } };
	char text[TEXT], name[64];

	if (e->kind == EXPR_BINARY && compare_values(e, &field, fam)) {
		m.f = xcalloc(1, sizeof(*m.f));
		m.f[0] = (struct fvals){ field->u.field.def, field->u.field.index, field,
					 { fam[0], fam[1] } };
		m.nf = 1;
		maybe_settle(&m);
		if (!m.cls && fvals_empty(&m.f[0])) {
			m.why = xasprintf("no value of '%s' satisfies '%s'",
					  check_expr_text(field, name, sizeof(name)),
					  check_expr_text(e, text, sizeof(text)));
			return m;
		}
	}
	if (m.cls)
		return m;
	check_expr_text(e, text, sizeof(text));
	if (reads(e) & all_classes())   /* the value: ip.version 4 or 6 ... */
		m.why = m.nf && m.f[0].def->id == F_IP_VERSION
			? xasprintf("'ip.version' is 4 or 6, and '%s' is false for both", text)
			: xasprintf("no packet satisfies '%s'", text);
	else
		m.why = xasprintf("no packet has every header that '%s' reads", text);
	return m;
}

/* "an IPv4", "a TCP" */
static const char *header_a(enum header h, char *buf, size_t size)
{
	const char *name = fields_header_name(h);

	snprintf(buf, size, "%s %s", name[0] == 'I' ? "an" : "a", name);
	return buf;
}

/* The L4 protocol a packet with header h has, or 0. */
static unsigned header_proto(enum header h)
{
	switch (h) {
	case HDR_TCP:   return 6;
	case HDR_UDP:   return 17;
	case HDR_ICMP:  return 1;
	case HDR_ICMP6: return 58;
	default:        return 0;
	}
}

/* Why x (true of mx) and y (true of my) are never true together. */
static char *explain(const struct expr *x, const struct maybe *mx,
		     const struct expr *y, const struct maybe *my)
{
	char xt[TEXT], yt[TEXT], name[64], ha[48], hb[48];
	const struct expr *fx = narrowest_field(x), *fy = narrowest_field(y);

	check_expr_text(x, xt, sizeof(xt));
	check_expr_text(y, yt, sizeof(yt));
	for (size_t i = 0; i < my->nf; i++) {
		const struct fvals *v = maybe_find(mx, &my->f[i]);
		struct spans a, b;
		bool none;

		if (!v)
			continue;
		a = spans_meet(&v->fam[0], &my->f[i].fam[0]);
		b = spans_meet(&v->fam[1], &my->f[i].fam[1]);
		none = !a.len && !b.len;
		spans_free(&a);
		spans_free(&b);
		if (none)
			return xasprintf("no value of '%s' satisfies both '%s' and '%s'",
					 check_expr_text(v->field, name, sizeof(name)), xt, yt);
	}
	if (fx && fy) {
		enum header hx = fx->u.field.def->header, hy = fy->u.field.def->header;
		char fxn[64], fyn[64];

		fields_name(fx->u.field.def, fxn, sizeof(fxn));
		fields_name(fy->u.field.def, fyn, sizeof(fyn));
		if (!(header_classes(hx) & header_classes(hy)))
			return xasprintf("no packet has both %s header ('%s') and %s header ('%s')",
					 header_a(hx, ha, sizeof(ha)), fxn,
					 header_a(hy, hb, sizeof(hb)), fyn);
	}
	for (int k = 0; k < 2; k++) {
		const struct maybe *m = k ? my : mx;
		const struct expr *other = k ? fx : fy;
		unsigned proto = other ? header_proto(other->u.field.def->header) : 0;

		for (size_t i = 0; proto && i < m->nf; i++) {
			enum field_id id = m->f[i].def->id;
			if ((id == F_IP_PROTO || id == F_IP4_PROTO || id == F_IP6_PROTO) &&
			    !spans_has(&m->f[i].fam[0], proto))
				return xasprintf("no packet satisfies both '%s' and '%s': a packet "
						 "with %s header has IP protocol %u", xt, yt,
						 header_a(other->u.field.def->header, ha, sizeof(ha)),
						 proto);
		}
	}
	return xasprintf("no packet satisfies both '%s' and '%s'", xt, yt);
}

static void conjuncts(const struct expr *e, const struct expr ***v, size_t *n, size_t *cap)
{
	if (e->kind == EXPR_BINARY && e->u.binary.op == OP_AND) {
		conjuncts(e->u.binary.left, v, n, cap);
		conjuncts(e->u.binary.right, v, n, cap);
		return;
	}
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = e;
}

/* 'a and b and ...': the first part that makes it never true, and the
 * part before it that it conflicts with. */
static struct maybe judge_and(struct conds *cs, const struct expr *e)
{
	const struct expr **v = NULL;
	size_t n = 0, cap = 0;
	struct maybe *parts, all = { .cls = all_classes() };

	conjuncts(e, &v, &n, &cap);
	parts = xcalloc(n, sizeof(*parts));
	for (size_t i = 0; i < n; i++)
		parts[i] = judge(cs, v[i]);
	for (size_t i = 0; i < n && all.cls; i++) {
		if (!parts[i].cls) {            /* never true on its own */
			all.cls = 0;
			all.why = parts[i].why;
			parts[i].why = NULL;
			break;
		}
		maybe_meet(&all, &parts[i]);
		if (all.cls)
			continue;
		for (size_t j = 0; j < i && !all.why; j++) {
			struct maybe two = maybe_copy(&parts[j]);
			maybe_meet(&two, &parts[i]);
			if (!two.cls)
				all.why = explain(v[j], &parts[j], v[i], &parts[i]);
			maybe_free(&two);
		}
		for (size_t k = 0; k < all.nf && !all.why; k++) {
			char name[64];
			if (fvals_empty(&all.f[k]))
				all.why = xasprintf("no value of '%s' satisfies all of its parts",
						    check_expr_text(all.f[k].field, name,
								    sizeof(name)));
		}
		if (!all.why) {
			char text[TEXT];
			all.why = xasprintf("no packet satisfies '%s' and what comes before it",
					    check_expr_text(v[i], text, sizeof(text)));
		}
	}
	for (size_t i = 0; i < n; i++)
		maybe_free(&parts[i]);
	free(parts);
	free(v);
	return all;
}

/* What packets e may be true of. Parts never true while what holds them
 * may be are added to cs; when e itself is never true, its parts' are
 * dropped again: e's own warning says it. */
static struct maybe judge(struct conds *cs, const struct expr *e)
{
	size_t mark = cs->len;
	struct maybe m = { .cls = all_classes() };

	if (!e)
		return m;
	if (e->kind == EXPR_BINARY && e->u.binary.op == OP_AND) {
		m = judge_and(cs, e);
	} else if (e->kind == EXPR_BINARY && e->u.binary.op == OP_OR) {
		struct maybe l = judge(cs, e->u.binary.left);
		struct maybe r = judge(cs, e->u.binary.right);

		if (!l.cls && r.cls) {
			part_add(cs, e->u.binary.left, l.why);
			l.why = NULL;
		} else if (l.cls && !r.cls) {
			part_add(cs, e->u.binary.right, r.why);
			r.why = NULL;
		}
		if (!l.cls && !r.cls) {
			m = l;          /* l's reason stands for both */
			maybe_free(&r);
		} else {
			m = l;
			maybe_join(&m, &r);
		}
	} else if (e->kind == EXPR_UNARY) {
		struct maybe x = judge(cs, e->u.unary.operand);

		if (!x.cls) {
			part_add(cs, e->u.unary.operand, x.why);
			x.why = NULL;
		}
		maybe_free(&x);         /* 'not' knows nothing */
	} else if (e->kind == EXPR_FIELD || e->kind == EXPR_BINARY) {
		m = judge_atom(e);
	}
	if (!m.cls)
		parts_cut(cs, mark);
	return m;
}

static void warn_cond(const struct expr *e)
{
	struct conds cs = { 0 };
	struct maybe m;

	if (!e)
		return;
	m = judge(&cs, e);
	if (!m.cls)
		diag_warning(&e->loc, "condition is never true: %s", m.why ? m.why : "?");
	for (size_t i = 0; i < cs.len; i++)
		diag_warning(&cs.v[i].at->loc, "this part of the condition is never true: %s",
			     cs.v[i].why ? cs.v[i].why : "?");
	parts_cut(&cs, 0);
	free(cs.v);
	maybe_free(&m);
}

/* ---- set elements covered by others ------------------------------------------ */

/* The set files already judged: a file named twice is one set, and is
 * reported once (its elements' locations name the file as diag keeps it). */
struct seen {
	const char **files;
	size_t len;
};

static bool seen_before(struct seen *seen, const struct expr *set)
{
	const char *file;

	if (!set->file || !set->u.set.len || !set->u.set.items[0])
		return false;
	file = set->u.set.items[0]->loc.file;
	for (size_t i = 0; i < seen->len; i++)
		if (seen->files[i] == file || (file && seen->files[i] &&
					       !strcmp(seen->files[i], file)))
			return true;
	seen->files = xrealloc(seen->files, (seen->len + 1) * sizeof(*seen->files));
	seen->files[seen->len++] = file;
	return false;
}

struct elem {
	u128 lo, hi;
	enum vkind kind;
	size_t at;                  /* index in the set */
};

struct covered {
	size_t at, by;
};

/* By kind, then start; of one start the widest first; of equals the one
 * written first. */
static int elem_cmp(const void *a, const void *b)
{
	const struct elem *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

static int covered_cmp(const void *a, const void *b)
{
	const struct covered *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* Every element that another covers, found in one sort and one sweep:
 * sorted by start, an element is covered exactly when one before it ends
 * at or after its end, and the one that ends last is that cover. */
static void warn_set(const struct expr *set)
{
	const struct expr *const *items = (const struct expr *const *)set->u.set.items;
	size_t n = 0, ncov = 0, holder = 0;
	struct elem *v = xcalloc(set->u.set.len ? set->u.set.len : 1, sizeof(*v));
	struct covered *cov;
	char text[TEXT], by[TEXT];

	for (size_t i = 0; i < set->u.set.len; i++) {
		struct span sp;
		enum vkind k;
		if (items[i] && const_span(items[i], &k, &sp))
			v[n++] = (struct elem){ sp.lo, sp.hi, k, i };
	}
	qsort(v, n, sizeof(*v), elem_cmp);
	cov = xcalloc(n ? n : 1, sizeof(*cov));
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || v[i].kind != v[holder].kind)
			holder = i;
		else if (v[holder].hi >= v[i].hi)
			cov[ncov++] = (struct covered){ v[i].at, holder };
		else
			holder = i;
	}
	qsort(cov, ncov, sizeof(*cov), covered_cmp);
	for (size_t i = 0; i < ncov && i < SET_REPORT_MAX; i++) {
		const struct elem *h = &v[cov[i].by];
		const struct expr *el = items[cov[i].at], *other = items[h->at];
		struct span sp;
		enum vkind k;
		bool same = const_span(el, &k, &sp) && sp.lo == h->lo && sp.hi == h->hi;

		check_expr_text(el, text, sizeof(text));
		check_expr_text(other, by, sizeof(by));
		if (same) {
			diag_warning(&el->loc, "set element '%s' is the same as another element: "
				     "it changes nothing", text);
			diag_note(&other->loc, "'%s' is the same value", by);
		} else {
			diag_warning(&el->loc, "set element '%s' is covered by another element: "
				     "it changes nothing", text);
			diag_note(&other->loc, "'%s' covers it", by);
		}
	}
	if (ncov > SET_REPORT_MAX)
		diag_note(&set->loc, "%zu more elements of this set are covered by others",
			  ncov - SET_REPORT_MAX);
	free(cov);
	free(v);
}

static enum walk_next set_visit(struct expr *e, int depth, void *ctx)
{
	(void)depth;
	if (e->kind != EXPR_SET)
		return WALK_ON;
	if (!seen_before(ctx, e))
		warn_set(e);
	return WALK_OVER;
}

static void warn_sets(struct seen *seen, struct expr *e)
{
	if (e)
		walk_expr(e, set_visit, seen);
}

/* ---- consts that hide named values ----------------------------------------- */

static void warn_const(struct seen *seen, struct const_decl *c)
{
	if (!c || !c->name)
		return;
	for (const struct field_def *f = fields_all(); f->ns; f++) {
		const struct symbol_def *sym = f->domain ? fields_symbol(f->domain, c->name) : NULL;
		char name[64];

		if (!sym)
			continue;
		fields_name(f, name, sizeof(name));
		diag_warning(&c->name_loc, "const '%s' hides the %s name '%s' (%" PRIu64 "): "
			     "in '%s == %s' it now means the const", c->name, f->domain->what,
			     sym->name, sym->value, name, c->name);
		break;
	}
	warn_sets(seen, c->value);
}

/* ---- the pass ------------------------------------------------------------------- */

static enum walk_next warn_stmt(struct stmt *s, struct policy *p, void *ctx)
{
	struct seen *seen = ctx;

	(void)p;
	if (s->kind == STMT_CONST) {
		warn_const(seen, s->u.konst);
		return WALK_ON;
	}
	warn_cond(s->cond);
	warn_sets(seen, s->cond);
	switch (s->kind) {
	case STMT_IF:
		warn_cond(s->u.if_.test);
		warn_sets(seen, s->u.if_.test);
		break;
	case STMT_SET:
		warn_sets(seen, s->u.set.value);
		break;
	case STMT_HIST:
		warn_sets(seen, s->u.stat.value);
		break;
	case STMT_LIMIT:
	case STMT_QUOTA:
		warn_sets(seen, s->u.stat.action.value);
		break;
	default:
		break;
	}
	return WALK_ON;
}

int warn_program(struct program *prog)
{
	struct seen seen = { 0 };

	for (size_t i = 0; i < prog->nitems; i++) {
		struct item *it = &prog->items[i];
		if (it->kind == ITEM_CONST)
			warn_const(&seen, it->u.konst);
		else if (it->kind == ITEM_POLICY && it->u.policy)
			walk_stmts(&it->u.policy->body, it->u.policy, warn_stmt, &seen);
	}
	free(seen.files);
	return 0;
}
