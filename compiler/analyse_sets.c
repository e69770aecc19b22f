/* analyse_sets.c: planning the tests of constant sets (see analyse_sets.h):
 * the elements as intervals, merged; compares inline or a search; the
 * searches numbered. The analysis (analyse.c) calls analyse_sets_expr() on
 * every expression the emitter writes, in the order it writes them.
 */
#include <stdlib.h>
#include <string.h>

#include "analyse.h"
#include "analyse_sets.h"
#include "util.h"
#include "walk.h"

#define SET_LINEAR_MAX 8    /* integer spans compared one by one, as written */
#define SET_INLINE_MAX 16   /* above this, intervals are binary-searched */

/* ---- intervals ---------------------------------------------------------------- */

/* The array v of len elements of size, with room for one more. */
static void *grow(void *v, size_t len, size_t *cap, size_t size)
{
	if (len < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 8;
	return xrealloc(v, *cap * size);
}

static void ivals_add(struct ivals *s, u128 lo, u128 hi, const char *name)
{
	s->v = grow(s->v, s->len, &s->cap, sizeof(*s->v));
	s->v[s->len++] = (struct ival){ .lo = lo, .hi = hi, .name = name };
}

u128 analyse_low_bits(int h)
{
	return h >= 128 ? ~(u128)0 : ((u128)1 << h) - 1;
}

static int ival_cmp(const void *a, const void *b)
{
	const struct ival *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/* Sort, and merge overlapping and adjacent intervals; names no longer apply
 * to merged ones. max is the largest value of the domain. */
static void ivals_merge(struct ivals *s, u128 max)
{
	size_t n = 0;

	qsort(s->v, s->len, sizeof(*s->v), ival_cmp);
	for (size_t i = 0; i < s->len; i++) {
		if (n && (s->v[n - 1].hi == max || s->v[i].lo <= s->v[n - 1].hi + 1)) {
			if (s->v[i].hi > s->v[n - 1].hi)
				s->v[n - 1].hi = s->v[i].hi;
			s->v[n - 1].name = NULL;
		} else {
			s->v[n++] = s->v[i];
		}
	}
	s->len = n;
}

/* ---- the searches ---------------------------------------------------------------- */

const struct expr *analyse_resolve(const struct expr *x)
{
	while (x && x->kind == EXPR_NAME && x->u.name.value)
		x = x->u.name.value;
	return x;
}

/* What a set is, for comments: "const deny", "file \"deny.txt\"", "{ ... }" */
static char *set_label(const struct expr *use, const struct expr *lit, bool map)
{
	const char *file = lit->file;

	if (map)
		return xasprintf("the map at %s:%d", lit->loc.file ? lit->loc.file : "?",
				 lit->loc.first_line);
	if (use->kind == EXPR_NAME && file)
		return xasprintf("const %s (file \"%s\")", use->u.name.name, file);
	if (use->kind == EXPR_NAME)
		return xasprintf("const %s (%s:%d)", use->u.name.name,
				 lit->loc.file ? lit->loc.file : "?", lit->loc.first_line);
	if (file)
		return xasprintf("file \"%s\"", file);
	return xasprintf("the set at %s:%d", lit->loc.file ? lit->loc.file : "?",
			 lit->loc.first_line);
}

/* The search of the merged intervals iv (taken over) of set, the set as
 * the test writes it: made on the first test of its literal and kind. */
static const struct cset_search *search_of(struct set_plan *sp, const struct expr *set,
					   enum cset_kind kind, bool map, size_t nelements,
					   struct ivals *iv)
{
	const struct expr *lit = analyse_resolve(set);
	struct cset_search *c;

	for (c = sp->searches; c; c = c->next)
		if (c->lit == lit && c->kind == kind) {
			free(iv->v);
			*iv = (struct ivals){ 0 };
			return c;
		}
	c = xcalloc(1, sizeof(*c));
	c->lit = lit;
	c->kind = kind;
	c->map = map;
	c->id = sp->nsearches++;
	c->label = set_label(set, lit, map);
	c->nelements = nelements;
	c->iv = *iv;
	*iv = (struct ivals){ 0 };
	if (!sp->tail)
		sp->tail = &sp->searches;
	*sp->tail = c;
	sp->tail = &c->next;
	sp->uses |= USE_SEARCH;
	return c;
}

/* ---- integers --------------------------------------------------------------------- */

static uint64_t int_of(const struct expr *x)
{
	if (x->kind == EXPR_NAME && x->u.name.symbol)
		return x->u.name.symbol->value;
	x = analyse_resolve(x);
	return x && (x->kind == EXPR_INT || x->kind == EXPR_BOOL) ? x->u.num : 0;
}

/* Flatten a set, range, or single value (names followed) into intervals. */
static void flatten_ints(struct ivals *s, const struct expr *x)
{
	const char *name = x->kind == EXPR_NAME ? x->u.name.name : NULL;
	const struct expr *v = x->kind == EXPR_NAME && x->u.name.symbol ? x : analyse_resolve(x);

	if (!v)
		return;
	switch (v->kind) {
	case EXPR_SET:
		for (size_t i = 0; i < v->u.set.len; i++)
			flatten_ints(s, v->u.set.items[i]);
		break;
	case EXPR_RANGE:
		ivals_add(s, int_of(v->u.range.lo), int_of(v->u.range.hi), name);
		break;
	default:
		ivals_add(s, int_of(v), int_of(v), name);
		break;
	}
}

static uint64_t type_max(const struct type *t)
{
	if (t->kind == TYPE_BOOL)
		return 1;
	if (t->kind != TYPE_INT || t->bits <= 0 || t->bits >= 64)
		return UINT64_MAX;
	return (UINT64_C(1) << t->bits) - 1;
}

/* 'value in set' */
static void plan_ints(struct set_plan *sp, struct int_match *m, const struct expr *value,
		      const struct expr *set)
{
	struct ivals *s = &m->spans;
	size_t written;

	flatten_ints(s, set);
	written = s->len;
	m->max = type_max(&value->type);
	if (s->len <= 1) {
		m->form = s->len ? INT_MATCH_ONE : INT_MATCH_NONE;
		return;
	}
	if (s->len <= SET_LINEAR_MAX) {
		m->form = INT_MATCH_LINEAR;
		return;
	}
	ivals_merge(s, UINT64_MAX);
	if (s->len <= SET_INLINE_MAX) {
		m->form = INT_MATCH_TREE;
		return;
	}
	bool wide = m->max > UINT32_MAX || (uint64_t)s->v[s->len - 1].hi > UINT32_MAX;
	m->form = INT_MATCH_SEARCH;
	m->search = search_of(sp, set, wide ? CSET_U64 : CSET_U32, false, written, s);
}

/* ---- addresses -------------------------------------------------------------------- */

static u128 addr_value(const struct addr *a)
{
	u128 v = 0;
	int n = a->family == 4 ? 4 : 16;

	for (int i = 0; i < n; i++)
		v = v << 8 | a->bytes[i];
	return v;
}

/* The addresses of the family in x (a set, an address or a prefix, names
 * followed), as intervals. */
static size_t flatten_addrs(struct ivals *s, const struct expr *x, int family)
{
	const struct expr *v = analyse_resolve(x);
	int bits = family == 4 ? 32 : 128;
	size_t n = 0;

	if (!v)
		return 0;
	if (v->kind == EXPR_SET) {
		for (size_t i = 0; i < v->u.set.len; i++)
			n += flatten_addrs(s, v->u.set.items[i], family);
		return n;
	}
	if (v->kind != EXPR_ADDR || v->u.addr.family != family)
		return 0;
	int plen = v->u.addr.is_prefix ? v->u.addr.prefix_len : bits;
	u128 lo = addr_value(&v->u.addr);
	u128 host = analyse_low_bits(bits - plen);

	lo &= ~host;
	ivals_add(s, lo, lo | host, NULL);
	return 1;
}

/* The fewest prefixes that cover [lo, hi], appended to out (lo = the
 * prefix, hi = its length). */
static void cover(struct ivals *out, u128 lo, u128 hi, int bits)
{
	for (;;) {
		int h = 0;      /* host bits of the largest block at lo within hi */
		while (h < bits && (lo & analyse_low_bits(h + 1)) == 0 &&
		       (lo | analyse_low_bits(h + 1)) <= hi)
			h++;
		ivals_add(out, lo, (u128)(bits - h), NULL);
		if ((lo | analyse_low_bits(h)) >= hi)
			return;
		lo = (lo | analyse_low_bits(h)) + 1;
	}
}

/* An address field against the family's addresses of set: masked compares
 * of prefixes, or a search. */
static void plan_family(struct set_plan *sp, struct family_match *m, const struct expr *set,
			int family)
{
	struct ivals s = { 0 };
	int bits = family == 4 ? 32 : 128;
	size_t written = flatten_addrs(&s, set, family);

	if (!s.len)
		return;
	ivals_merge(&s, bits == 128 ? ~(u128)0 : (u128)0xffffffffu);
	for (size_t i = 0; i < s.len && m->prefixes.len <= SET_INLINE_MAX; i++)
		cover(&m->prefixes, s.v[i].lo, s.v[i].hi, bits);
	if (m->prefixes.len <= SET_INLINE_MAX) {
		m->tests = m->prefixes.len;
		/* a /0 is "1"; the others compare with lwtp_ip4() */
		for (size_t i = 0; i < m->prefixes.len && family == 4; i++)
			if (m->prefixes.v[i].hi)
				sp->uses |= USE_IP4_CONST;
		free(s.v);
		return;
	}
	free(m->prefixes.v);
	m->prefixes = (struct ivals){ 0 };
	m->search = search_of(sp, set, family == 4 ? CSET_IP4 : CSET_IP6, false, written, &s);
	m->tests = 1;
}

/* ---- constant maps ------------------------------------------------------------------- */

void analyse_map_keys(struct ivals *out, const struct map_lit *m, int family)
{
	for (size_t i = 0; i < m->keys->u.set.len; i++) {
		const struct expr *key = m->keys->u.set.items[i];
		size_t before = out->len;
		if (!key)
			continue;
		if (family)
			flatten_addrs(out, key, family);
		else
			flatten_ints(out, key);
		for (size_t j = before; j < out->len; j++) {
			out->v[j].value = m->values[i].num;
			out->v[j].elem = i;
		}
	}
}

/* A key before the keys inside it: by start, the wider first, then as
 * written. */
static int nest_cmp(const void *a, const void *b)
{
	const struct ival *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return x->elem < y->elem ? -1 : x->elem > y->elem;
}

void analyse_map_conflicts(struct ivals *s,
			   void (*fn)(void *ctx, const struct ival *a, const struct ival *b),
			   void *ctx)
{
	size_t *open = xcalloc(s->len + 1, sizeof(*open)), top = 0;

	if (s->len)
		qsort(s->v, s->len, sizeof(*s->v), nest_cmp);
	for (size_t i = 0; i < s->len; i++) {
		const struct ival *v = &s->v[i], *t;
		while (top && s->v[open[top - 1]].hi < v->lo)
			top--;
		t = top ? &s->v[open[top - 1]] : NULL;
		if (t && fn && (t->hi < v->hi ||
				(t->lo == v->lo && t->hi == v->hi && t->value != v->value)))
			fn(ctx, t, v);
		open[top++] = i;
	}
	free(open);
}

/* [lo, hi] with the value of key, after the intervals in out: merged with
 * the last when it goes on with the same value. */
static void map_segment(struct ivals *out, u128 lo, u128 hi, const struct ival *key)
{
	struct ival *last = out->len ? &out->v[out->len - 1] : NULL;

	if (last && last->hi + 1 == lo && last->value == key->value) {
		last->hi = hi;
		last->name = NULL;
		return;
	}
	ivals_add(out, lo, hi, key->name);
	out->v[out->len - 1].value = key->value;
	out->v[out->len - 1].elem = key->elem;
}

/* Keys sorted by nest_cmp, nested or disjoint, into disjoint intervals,
 * each with the value of the innermost key that holds it (the longest
 * prefix, the narrowest range). */
static void map_flatten(struct ivals *s)
{
	struct ivals out = { 0 };
	size_t *open = xcalloc(s->len + 1, sizeof(*open)), top = 0;
	u128 at = 0;
	bool end = false;

	for (size_t i = 0; i < s->len; i++) {
		const struct ival *v = &s->v[i];
		while (top && s->v[open[top - 1]].hi < v->lo) {
			const struct ival *t = &s->v[open[--top]];
			if (at <= t->hi)
				map_segment(&out, at, t->hi, t);
			at = t->hi + 1;
		}
		if (top && at < v->lo)
			map_segment(&out, at, v->lo - 1, &s->v[open[top - 1]]);
		at = v->lo;
		open[top++] = i;
	}
	while (top) {
		const struct ival *t = &s->v[open[--top]];
		if (!end && at <= t->hi)
			map_segment(&out, at, t->hi, t);
		end |= t->hi == ~(u128)0;
		at = t->hi + 1;
	}
	free(open);
	free(s->v);
	*s = out;
}

static bool is_addr_operand(const struct expr *x);

void analyse_map_stmt(struct set_plan *sp, const struct stmt *s)
{
	const struct expr *key = s->u.set.value;
	const struct map_lit *ml = s->u.set.map;
	struct map_match *m;

	if (!key || !ml)
		return;
	sp->maps = grow(sp->maps, sp->nmaps, &sp->maps_cap, sizeof(*sp->maps));
	m = &sp->maps[sp->nmaps++];
	*m = (struct map_match){ .stmt = s, .addr = is_addr_operand(key) };
	if (m->addr && (key->kind != EXPR_FIELD || !key->u.field.def))
		return;
	for (int i = 0; i < (m->addr ? 2 : 1); i++) {
		int family = m->addr ? (i ? 6 : 4) : 0;
		struct ivals iv = { 0 };
		enum cset_kind kind = family == 4 ? CSET_IP4 : family == 6 ? CSET_IP6 : CSET_U32;
		if (family && !analyse_field_has_family(key->u.field.def, family))
			continue;
		analyse_map_keys(&iv, ml, family);
		if (!iv.len)
			continue;
		analyse_map_conflicts(&iv, NULL, NULL);
		map_flatten(&iv);
		if (!family && (type_max(&key->type) > UINT32_MAX ||
				(uint64_t)iv.v[iv.len - 1].hi > UINT32_MAX))
			kind = CSET_U64;
		m->get[i] = search_of(sp, ml->keys, kind, true, ml->keys->u.set.len, &iv);
	}
}

static int map_match_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct map_match *)a)->stmt;
	uintptr_t y = (uintptr_t)((const struct map_match *)b)->stmt;

	return x < y ? -1 : x > y;
}

const struct map_match *analyse_map_match(const struct set_plan *sp, const struct stmt *s)
{
	struct map_match key = { .stmt = s };

	if (!sp->nmaps)
		return NULL;
	return bsearch(&key, sp->maps, sp->nmaps, sizeof(*sp->maps), map_match_cmp);
}

/* ---- the tests ---------------------------------------------------------------------- */

bool analyse_field_has_family(const struct field_def *f, int family)
{
	switch (f->type.kind) {
	case TYPE_ADDR4: return family == 4;
	case TYPE_ADDR6: return family == 6;
	case TYPE_ADDR:  return true;
	default:         return false;
	}
}

static bool is_addr_operand(const struct expr *x)
{
	const struct expr *v = analyse_resolve(x);
	enum type_kind k = x->type.kind;

	if (k == TYPE_ADDR || k == TYPE_ADDR4 || k == TYPE_ADDR6)
		return true;
	return v && v->kind == EXPR_ADDR;
}

bool analyse_is_addr_compare(const struct expr *l, const struct expr *r)
{
	return is_addr_operand(l) || is_addr_operand(r);
}

static bool is_comparison(enum op op)
{
	switch (op) {
	case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
	case OP_IN: case OP_NOT_IN:
		return true;
	default:
		return false;
	}
}

static struct set_match *new_match(struct set_plan *sp, const struct expr *test)
{
	struct set_match *m;

	sp->matches = grow(sp->matches, sp->len, &sp->cap, sizeof(*sp->matches));
	m = &sp->matches[sp->len++];
	*m = (struct set_match){ .test = test };
	return m;
}

/* A comparison, as emit_expr.c's compare() takes it apart: a runtime set's
 * lookup, two address fields and a bare integer comparison have nothing to
 * plan. */
static void plan_test(struct set_plan *sp, const struct expr *x)
{
	const struct expr *l = x->u.binary.left, *r = x->u.binary.right;
	bool member = x->u.binary.op == OP_IN || x->u.binary.op == OP_NOT_IN;

	if (!l || !r)
		return;
	if (member && r->kind == EXPR_NAME && r->u.name.runtime_set && r->u.name.runtime_set->map)
		return;
	if (analyse_is_addr_compare(l, r)) {
		if (l->kind != EXPR_FIELD && r->kind == EXPR_FIELD) {
			const struct expr *t = l;
			l = r;
			r = t;
		}
		if (l->kind != EXPR_FIELD || !l->u.field.def ||
		    (r->kind == EXPR_FIELD && r->u.field.def))
			return;
		struct set_match *m = new_match(sp, x);
		m->addr = true;
		for (int i = 0; i < 2; i++)
			if (analyse_field_has_family(l->u.field.def, i ? 6 : 4))
				plan_family(sp, &m->fam[i], r, i ? 6 : 4);
		return;
	}
	if (member)
		plan_ints(sp, &new_match(sp, x)->ints, l, r);
}

/* The emitter writes a comparison's left operand before its set, and the
 * comparisons of 'and', 'or' and 'not' left to right: the order of this
 * walk (the left side of 'in' is an integer or an address, never a test). */
static enum walk_next plan_node(struct expr *x, int depth, void *ctx)
{
	if (x->kind == EXPR_BINARY && is_comparison(x->u.binary.op))
		plan_test(ctx, x);
	return WALK_ON;
}

void analyse_sets_expr(struct set_plan *sp, struct expr *x)
{
	walk_expr(x, plan_node, sp);
}

static int match_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct set_match *)a)->test;
	uintptr_t y = (uintptr_t)((const struct set_match *)b)->test;

	return x < y ? -1 : x > y;
}

void analyse_sets_done(struct set_plan *sp)
{
	if (sp->len)
		qsort(sp->matches, sp->len, sizeof(*sp->matches), match_cmp);
	if (sp->nmaps)
		qsort(sp->maps, sp->nmaps, sizeof(*sp->maps), map_match_cmp);
}

const struct set_match *analyse_set_match(const struct set_plan *sp, const struct expr *test)
{
	struct set_match key = { .test = test };

	if (!sp->len)
		return NULL;
	return bsearch(&key, sp->matches, sp->len, sizeof(*sp->matches), match_cmp);
}

void analyse_sets_free(struct set_plan *sp)
{
	struct cset_search *c, *next;

	for (size_t i = 0; i < sp->len; i++) {
		free(sp->matches[i].ints.spans.v);
		free(sp->matches[i].fam[0].prefixes.v);
		free(sp->matches[i].fam[1].prefixes.v);
	}
	free(sp->matches);
	free(sp->maps);
	for (c = sp->searches; c; c = next) {
		next = c->next;
		free(c->label);
		free(c->iv.v);
		free(c);
	}
	memset(sp, 0, sizeof(*sp));
}
