/* emit_sets.c: membership in constant sets: '{ 80, 443, 8000..8080 }',
 * '{ 198.51.100.0/24, 2001:db8::/32 }', 'file "deny.txt"'.
 *
 * The elements are merged into sorted, disjoint intervals, as nftables
 * does for interval sets: overlapping and adjacent prefixes and ranges
 * become one. Then
 *
 *   - integers: up to SET_LINEAR_MAX spans as written are compared one by
 *     one; up to SET_INLINE_MAX merged intervals make a balanced compare
 *     tree; more are binary-searched;
 *   - addresses, per family: the intervals are covered by prefixes again
 *     (10.0.0.0/24 and 10.0.1.0/24 make 10.0.0.0/23); up to SET_INLINE_MAX
 *     of them are masked compares of the header's words in network order;
 *     more are binary-searched.
 *
 * The searches are written by emit_search.c.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emit_priv.h"
#include "util.h"

#define SET_LINEAR_MAX 8    /* integer spans compared one by one, as written */
#define SET_INLINE_MAX 16   /* above this, intervals are binary-searched */
/* ---- integers --------------------------------------------------------------------- */

/* Follow const names to the literal they stand for. */
static const struct expr *resolve(const struct expr *x)
{
	while (x && x->kind == EXPR_NAME && x->u.name.value)
		x = x->u.name.value;
	return x;
}

/* What a set is, for comments: "const deny", "file \"deny.txt\"", "{ ... }" */
static char *set_label(const struct expr *use, const struct expr *lit)
{
	const char *file = lit->file;

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

static uint64_t int_of(const struct expr *x)
{
	if (x->kind == EXPR_NAME && x->u.name.symbol)
		return x->u.name.symbol->value;
	x = resolve(x);
	return x && (x->kind == EXPR_INT || x->kind == EXPR_BOOL) ? x->u.num : 0;
}

/* Flatten a set, range, or single value (names followed) into intervals. */
static void flatten_ints(struct ivals *s, const struct expr *x)
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
		emit_ivals_add(s, int_of(v->u.range.lo), int_of(v->u.range.hi), name);
		break;
	default:
		emit_ivals_add(s, int_of(v), int_of(v), name);
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

/* One interval tested against v ("lwtp_v" or a field read). */
static void span_test(struct sbuf *b, const char *v, const struct ival *sp, uint64_t max)
{
	uint64_t lo = (uint64_t)sp->lo, hi = (uint64_t)sp->hi;

	if (lo == hi) {
		sb_printf(b, "%s == ", v);
		emit_number(b, lo);
	} else if (lo == 0 && hi >= max) {
		sb_puts(b, "1");
	} else if (lo == 0) {
		sb_printf(b, "%s <= ", v);
		emit_number(b, hi);
	} else if (hi >= max) {
		sb_printf(b, "%s >= ", v);
		emit_number(b, lo);
	} else {
		sb_printf(b, "(%s >= ", v);
		emit_number(b, lo);
		sb_printf(b, " && %s <= ", v);
		emit_number(b, hi);
		sb_puts(b, ")");
	}
	if (sp->name)
		sb_printf(b, " /* %s */", sp->name);
}

static void spans_or(struct sbuf *b, const char *v, const struct ival *sp, size_t n,
		     uint64_t max)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_puts(b, " || ");
		span_test(b, v, &sp[i], max);
	}
}

/* A balanced binary search over sorted, disjoint spans: BPF has no jump
 * tables, and this keeps a set at log2(n) compares. */
static void spans_tree(struct sbuf *b, const struct ival *sp, size_t n, uint64_t max)
{
	size_t mid = n / 2;

	if (n <= 3) {
		sb_puts(b, "(");
		spans_or(b, "lwtp_v", sp, n, max);
		sb_puts(b, ")");
		return;
	}
	sb_puts(b, "(lwtp_v < ");
	emit_number(b, (uint64_t)sp[mid].lo);
	sb_puts(b, " ? ");
	spans_tree(b, sp, mid, max);
	sb_puts(b, " : ");
	spans_tree(b, sp + mid, n - mid, max);
	sb_puts(b, ")");
}

void emit_int_in(struct emitter *e, struct sbuf *b, const struct expr *value,
		 const struct expr *set)
{
	struct ivals s = { 0 };
	struct sbuf v = { 0 };
	uint64_t max = type_max(&value->type);
	const char *vtype = max > UINT32_MAX ? "__u64" : "__u32";
	size_t written;

	flatten_ints(&s, set);
	written = s.len;
	emit_value(e, &v, value);
	if (s.len == 0) {
		sb_puts(b, "0");
	} else if (s.len == 1) {
		struct sbuf t = { 0 };
		span_test(&t, sb_str(&v), &s.v[0], max);
		if (s.v[0].lo != s.v[0].hi && !(s.v[0].lo == 0 || s.v[0].hi >= max))
			sb_puts(b, sb_str(&t));         /* already parenthesized */
		else
			sb_printf(b, "(%s)", sb_str(&t));
		sb_free(&t);
	} else if (s.len <= SET_LINEAR_MAX) {
		sb_printf(b, "({ %s lwtp_v = %s; ", vtype, sb_str(&v));
		spans_or(b, "lwtp_v", s.v, s.len, max);
		sb_puts(b, "; })");
	} else {
		emit_ivals_merge(&s, UINT64_MAX);
		if (s.len <= SET_INLINE_MAX) {
			sb_printf(b, "({ %s lwtp_v = %s; ", vtype, sb_str(&v));
			spans_tree(b, s.v, s.len, max);
			sb_puts(b, "; })");
		} else {
			const struct expr *lit = resolve(set);
			char *label = set_label(set, lit);
			bool wide = max > UINT32_MAX || (uint64_t)s.v[s.len - 1].hi > UINT32_MAX;
			unsigned id = emit_search_get(e, lit, wide ? CSET_U64 : CSET_U32, label,
						      written, &s);
			free(label);
			sb_printf(b, "lwtp_set%u_has(%s)", id, sb_str(&v));
		}
	}
	free(s.v);
	sb_free(&v);
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
	const struct expr *v = resolve(x);
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
	u128 host = emit_low_bits(bits - plen);

	lo &= ~host;
	emit_ivals_add(s, lo, lo | host, NULL);
	return 1;
}

/* The fewest prefixes that cover [lo, hi], appended to out (lo = the
 * prefix, hi = its length). */
static void cover(struct ivals *out, u128 lo, u128 hi, int bits)
{
	for (;;) {
		int h = 0;      /* host bits of the largest block at lo within hi */
		while (h < bits && (lo & emit_low_bits(h + 1)) == 0 && (lo | emit_low_bits(h + 1)) <= hi)
			h++;
		emit_ivals_add(out, lo, (u128)(bits - h), NULL);
		if ((lo | emit_low_bits(h)) >= hi)
			return;
		lo = (lo | emit_low_bits(h)) + 1;
	}
}

/* Does f (in the family's header, known present) match the prefix? Masked
 * compares of 32-bit words in network order. */
static void prefix_match(struct emitter *e, struct sbuf *b, const struct field_def *f,
			 int family, u128 value, int plen)
{
	const char *which = emit_field_is_src(f) ? "saddr" : "daddr";
	bool first = true;

	if (plen == 0) {
		sb_puts(b, "1");
		return;
	}
	if (family == 4) {
		uint32_t a = (uint32_t)value;
		uint32_t mask = (uint32_t)(0xffffffffu << (32 - plen));
		e->uses |= USE_IP4_CONST;
		if (plen == 32)
			sb_printf(b, "lwtp_pkt.ip4->%s == ", which);
		else
			sb_printf(b, "(lwtp_pkt.ip4->%s & bpf_htonl(0x%08x)) == ", which, mask);
		sb_printf(b, "lwtp_ip4(%u, %u, %u, %u)", a >> 24, (a >> 16) & 0xff,
			  (a >> 8) & 0xff, a & 0xff);
		return;
	}
	sb_puts(b, "(");
	for (int w = 0; w < 4; w++) {
		int bits = plen - 32 * w;
		uint32_t word = (uint32_t)(value >> (96 - 32 * w));
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
	struct addr a = { .family = 6, .prefix_len = plen, .is_prefix = plen < 128 };
	for (int i = 0; i < 16; i++)
		a.bytes[i] = (uint8_t)(value >> (120 - 8 * i));
	sb_puts(b, " /* ");
	emit_addr_text(b, &a);
	sb_puts(b, " */)");
}

/* f matches one of the family's addresses of set: masked compares, or a
 * search. Empty when the set has none of that family. */
static void family_match(struct emitter *e, struct sbuf *b, const struct field_def *f,
			 const struct expr *set, int family, size_t *count)
{
	struct ivals s = { 0 }, c = { 0 };
	int bits = family == 4 ? 32 : 128;
	size_t written = flatten_addrs(&s, set, family);

	*count = 0;
	if (!s.len)
		return;
	emit_ivals_merge(&s, bits == 128 ? ~(u128)0 : (u128)0xffffffffu);
	for (size_t i = 0; i < s.len && c.len <= SET_INLINE_MAX; i++)
		cover(&c, s.v[i].lo, s.v[i].hi, bits);
	if (c.len <= SET_INLINE_MAX) {
		for (size_t i = 0; i < c.len; i++) {
			if (i)
				sb_puts(b, " || ");
			prefix_match(e, b, f, family, c.v[i].lo, (int)c.v[i].hi);
		}
		*count = c.len;
		free(s.v);
	} else {
		const struct expr *lit = resolve(set);
		const char *which = emit_field_is_src(f) ? "saddr" : "daddr";
		char *label = set_label(set, lit);
		unsigned id = emit_search_get(e, lit, family == 4 ? CSET_IP4 : CSET_IP6,
					      label, written, &s);
		free(label);
		if (family == 4)
			sb_printf(b, "lwtp_set%u_has4(bpf_ntohl(lwtp_pkt.ip4->%s))", id, which);
		else
			sb_printf(b, "lwtp_set%u_has6(lwtp_ip6_hi(lwtp_pkt.ip6->%s), "
				  "lwtp_ip6_lo(lwtp_pkt.ip6->%s))", id, which, which);
		*count = 1;
	}
	free(c.v);
}

void emit_addr_in(struct emitter *e, struct sbuf *b, const struct field_def *f,
		  const struct expr *set)
{
	static const int families[] = { 4, 6 };
	struct sbuf g[2] = { { 0 }, { 0 } };
	size_t n[2] = { 0, 0 };
	int groups = 0;

	for (int i = 0; i < 2; i++) {
		if (!emit_field_has_family(f, families[i]))
			continue;
		family_match(e, &g[i], f, set, families[i], &n[i]);
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
			sb_printf(b, "(lwtp_has(lwtp_pkt.ip%d) && (%s))", families[i], sb_str(&g[i]));
		else
			sb_printf(b, "(lwtp_has(lwtp_pkt.ip%d) && %s)", families[i], sb_str(&g[i]));
	}
	if (groups > 1)
		sb_puts(b, ")");
	sb_free(&g[0]);
	sb_free(&g[1]);
}
