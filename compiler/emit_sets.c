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
 * A search reads a static const array of the intervals (in .rodata, which
 * libbpf loads as a read-only array map, one per object) in a fixed number
 * of steps, ceil(log2(n)), each branch-free: with branches, the verifier
 * would follow both ways at every step, 2^steps paths. So the cost of a
 * packet grows with log2 of the set's size, and the verifier sees one
 * straight path of about ten instructions a step. IPv4 addresses and
 * integers are compared as __u32 or __u64 in host order, IPv6 addresses
 * as two __u64 halves.
 *
 * Each set literal gets one array per family (or width), shared by every
 * use of it, also across policies: emit_const_sets() writes the arrays and
 * their search functions after the prelude.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emit_priv.h"
#include "util.h"

#define SET_LINEAR_MAX 8    /* integer spans compared one by one, as written */
#define SET_INLINE_MAX 16   /* above this, intervals are binary-searched */

typedef unsigned __int128 u128;

/* ---- intervals ---------------------------------------------------------------- */

struct ival {
	u128 lo, hi;            /* inclusive */
	const char *name;       /* a named value or const, for a comment */
};

struct ivals {
	struct ival *v;
	size_t len, cap;
};

static void ivals_add(struct ivals *s, u128 lo, u128 hi, const char *name)
{
	if (s->len == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->len++] = (struct ival){ lo, hi, name };
}

/* The low h bits set (h = 0..128). */
static u128 low_bits(int h)
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

/* ---- the arrays a program searches ----------------------------------------------- */

enum cset_kind { CSET_U32, CSET_U64, CSET_IP4, CSET_IP6 };

struct cset {
	const struct expr *lit;     /* the set literal */
	enum cset_kind kind;
	unsigned id;                /* lwtp_set<id>_... */
	char *label;                /* what it is, for a comment */
	size_t nelements;           /* as written */
	struct ivals iv;
	struct cset *next;
};

struct emit_csets {
	struct cset *first, **tail;
	unsigned next_id;
};

static const char *const kind_suffix[] = { "", "", "4", "6" };

/* The search for lit's intervals of that kind, made on first use; takes
 * iv over. */
static const struct cset *cset_get(struct emitter *e, const struct expr *lit,
				   enum cset_kind kind, const char *label, size_t nelements,
				   struct ivals *iv)
{
	struct cset *c;

	if (!e->csets) {
		e->csets = xcalloc(1, sizeof(*e->csets));
		e->csets->tail = &e->csets->first;
	}
	for (c = e->csets->first; c; c = c->next)
		if (c->lit == lit && c->kind == kind) {
			free(iv->v);
			return c;
		}
	c = xcalloc(1, sizeof(*c));
	c->lit = lit;
	c->kind = kind;
	c->id = e->csets->next_id++;
	c->label = xstrdup(label);
	c->nelements = nelements;
	c->iv = *iv;
	*e->csets->tail = c;
	e->csets->tail = &c->next;
	e->uses |= USE_SEARCH;
	return c;
}

void emit_const_sets_free(struct emitter *e)
{
	struct cset *c, *next;

	if (!e->csets)
		return;
	for (c = e->csets->first; c; c = next) {
		next = c->next;
		free(c->label);
		free(c->iv.v);
		free(c);
	}
	free(e->csets);
	e->csets = NULL;
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

/* ---- writing the searches --------------------------------------------------------- */

static const char search_text[] =
"/* ---- constant sets: sorted intervals, binary-searched ------------------- */\n"
"\n"
"/* Branch-free compares for the searches: with branches, the verifier would\n"
" * follow both ways at every step. The empty asm keeps clang from turning\n"
" * them back into branches (or a multiplication by one into a select). */\n"
"\n"
"/* 1 when a <= b, else 0 */\n"
"static __always_inline __u64 lwtp_le32(__u32 a, __u32 b)\n"
"{\n"
"\t__u64 d = (__u64)b - (__u64)a;   /* wraps past 2^63 when b < a */\n"
"\n"
"\tasm volatile(\"\" : \"+r\"(d));\n"
"\td = (d >> 63) ^ 1;\n"
"\tasm volatile(\"\" : \"+r\"(d));\n"
"\treturn d;\n"
"}\n"
"\n"
"/* 1 when a < b, else 0 (the borrow of a - b) */\n"
"static __always_inline __u64 lwtp_lt64(__u64 a, __u64 b)\n"
"{\n"
"\t__u64 r = (~a & b) | (~(a ^ b) & (a - b));\n"
"\n"
"\tasm volatile(\"\" : \"+r\"(r));\n"
"\tr >>= 63;\n"
"\tasm volatile(\"\" : \"+r\"(r));\n"
"\treturn r;\n"
"}\n"
"\n"
"/* 1 when a == b, else 0 */\n"
"static __always_inline __u64 lwtp_eq64(__u64 a, __u64 b)\n"
"{\n"
"\t__u64 d = a ^ b;\n"
"\n"
"\tasm volatile(\"\" : \"+r\"(d));\n"
"\td = ((d | -d) >> 63) ^ 1;\n"
"\tasm volatile(\"\" : \"+r\"(d));\n"
"\treturn d;\n"
"}\n"
"\n"
"/* 1 when a <= b, else 0 */\n"
"static __always_inline __u64 lwtp_le64(__u64 a, __u64 b)\n"
"{\n"
"\t__u64 r = lwtp_lt64(b, a) ^ 1;\n"
"\n"
"\tasm volatile(\"\" : \"+r\"(r));\n"
"\treturn r;\n"
"}\n"
"\n"
"/* 1 when (ah, al) <= (bh, bl), 128-bit values as high and low halves */\n"
"static __always_inline __u64 lwtp_le128(__u64 ah, __u64 al, __u64 bh, __u64 bl)\n"
"{\n"
"\t__u64 r = (lwtp_lt64(bh, ah) | (lwtp_eq64(ah, bh) & lwtp_lt64(bl, al))) ^ 1;\n"
"\n"
"\tasm volatile(\"\" : \"+r\"(r));\n"
"\treturn r;\n"
"}\n"
"\n"
"/* The halves of an IPv6 address, host order */\n"
"static __always_inline __u64 lwtp_ip6_hi(const __be32 *a)\n"
"{\n"
"\treturn (__u64)bpf_ntohl(a[0]) << 32 | bpf_ntohl(a[1]);\n"
"}\n"
"\n"
"static __always_inline __u64 lwtp_ip6_lo(const __be32 *a)\n"
"{\n"
"\treturn (__u64)bpf_ntohl(a[2]) << 32 | bpf_ntohl(a[3]);\n"
"}\n"
"\n"
"struct lwtp_span32 {\n\t__u32 lo, hi;\n};\n\n"
"struct lwtp_span64 {\n\t__u64 lo, hi;\n};\n\n"
"/* an interval of IPv6 addresses: each end as high and low halves */\n"
"struct lwtp_span128 {\n\t__u64 lo_hi, lo_lo, hi_hi, hi_lo;\n};\n\n";

/* ---- the layout of a search ------------------------------------------------- */

/* A search goes in two parts. A table indexed by k bits of the value, the
 * ones right after the bits every interval shares, gives the last
 * interval that starts at or before the table entry's lowest value; the
 * answer is then among the next 2^steps intervals, where steps is enough
 * for the fullest entry: a binary search of that many steps finds it. For
 * spread-out sets, that is 2 to 5 steps instead of log2(n) (17 for
 * 100,000 intervals); at worst it is log2(n) still. The interval array is
 * padded with copies of its last interval, so that every window of 2^steps
 * lies in it. Sets of few intervals have no table. */
struct layout {
	unsigned width;         /* bits of the values: 32, 64, 128 */
	unsigned k;             /* table index bits; 0: no table */
	unsigned shift;         /* the index is value >> shift, k bits */
	uint32_t *start;        /* 2^k entries */
	unsigned steps;
	size_t padded;          /* intervals, copies included */
};

#define TABLE_MIN_INTERVALS 32  /* fewer: a plain binary search */
#define TABLE_MAX_BITS 16       /* 65536 entries, 256 KiB */

static unsigned bit_length128(u128 v)
{
	unsigned n = 0;

	while (v) {
		n++;
		v >>= 1;
	}
	return n;
}

static unsigned ceil_log2(size_t n)
{
	unsigned b = 0;

	while (((size_t)1 << b) < n)
		b++;
	return b;
}

static void plan(const struct cset *c, struct layout *l)
{
	const struct ivals *iv = &c->iv;
	size_t n = iv->len, j = 0, span, widest = 1;
	unsigned common;

	memset(l, 0, sizeof(*l));
	l->width = c->kind == CSET_IP6 ? 128 : c->kind == CSET_U64 ? 64 : 32;
	if (n > TABLE_MIN_INTERVALS) {
		common = l->width - bit_length128(iv->v[0].lo ^ iv->v[n - 1].hi);
		l->k = ceil_log2(n);
		if (l->k > TABLE_MAX_BITS)
			l->k = TABLE_MAX_BITS;
		if (l->k > l->width - common)
			l->k = l->width - common;
	}
	if (l->k == 0) {
		l->steps = ceil_log2(n);
		l->padded = n + ((size_t)1 << l->steps);
		return;
	}
	l->shift = l->width - common - l->k;
	l->start = xcalloc((size_t)1 << l->k, sizeof(*l->start));
	u128 prefix = iv->v[0].lo & ~low_bits((int)(l->width - common));
	for (size_t b = 0; b < ((size_t)1 << l->k); b++) {
		u128 begin = prefix | ((u128)b << l->shift);
		while (j + 1 < n && iv->v[j + 1].lo <= begin)
			j++;
		l->start[b] = (uint32_t)j;
	}
	for (size_t b = 0; b < ((size_t)1 << l->k); b++) {
		size_t end = b + 1 < ((size_t)1 << l->k) ? l->start[b + 1] : n - 1;
		span = end - l->start[b] + 1;
		if (span > widest)
			widest = span;
	}
	l->steps = ceil_log2(widest);
	l->padded = n + ((size_t)1 << l->steps);
}

static void write_array(FILE *out, const struct cset *c, const struct layout *l,
			const char *name)
{
	static const char *const types[] = {
		"struct lwtp_span32", "struct lwtp_span64", "struct lwtp_span32",
		"struct lwtp_span128",
	};

	if (l->k) {
		fprintf(out, "static const __u32 %s_start[%zu] SEC(\".rodata\") = {", name,
			(size_t)1 << l->k);
		for (size_t b = 0; b < ((size_t)1 << l->k); b++)
			fprintf(out, "%s%" PRIu32 ",", b % 16 ? " " : "\n\t", l->start[b]);
		fprintf(out, "\n};\n\n");
	}
	fprintf(out, "static const %s %s[%zu] SEC(\".rodata\") = {\n", types[c->kind], name,
		l->padded);
	for (size_t i = 0; i < l->padded; i++) {
		const struct ival *v = &c->iv.v[i < c->iv.len ? i : c->iv.len - 1];
		u128 lo = v->lo, hi = v->hi;
		if (i == c->iv.len)
			fprintf(out, "\t/* copies of the last one, for the last window */\n");
		switch (c->kind) {
		case CSET_U32:
		case CSET_IP4:
			fprintf(out, "\t{ 0x%08" PRIx32 ", 0x%08" PRIx32 " },\n",
				(uint32_t)lo, (uint32_t)hi);
			break;
		case CSET_U64:
			fprintf(out, "\t{ 0x%" PRIx64 "ULL, 0x%" PRIx64 "ULL },\n",
				(uint64_t)lo, (uint64_t)hi);
			break;
		case CSET_IP6:
			fprintf(out, "\t{ 0x%016" PRIx64 "ULL, 0x%016" PRIx64 "ULL, 0x%016" PRIx64
				"ULL, 0x%016" PRIx64 "ULL },\n", (uint64_t)(lo >> 64), (uint64_t)lo,
				(uint64_t)(hi >> 64), (uint64_t)hi);
			break;
		}
	}
	fprintf(out, "};\n\n");
}

/* "lwtp_le32(ARR[IDX].lo, x)", or with x first and .hi */
static void write_le(FILE *out, enum cset_kind kind, const char *arr, const char *idx,
		     bool value_first, const char *end)
{
	switch (kind) {
	case CSET_U32:
	case CSET_IP4:
	case CSET_U64:
		if (value_first)
			fprintf(out, "lwtp_le%s(x, %s[%s].%s)", kind == CSET_U64 ? "64" : "32",
				arr, idx, end);
		else
			fprintf(out, "lwtp_le%s(%s[%s].%s, x)", kind == CSET_U64 ? "64" : "32",
				arr, idx, end);
		break;
	case CSET_IP6:
		if (value_first)
			fprintf(out, "lwtp_le128(x_hi, x_lo, %s[%s].%s_hi, %s[%s].%s_lo)",
				arr, idx, end, arr, idx, end);
		else
			fprintf(out, "lwtp_le128(%s[%s].%s_hi, %s[%s].%s_lo, x_hi, x_lo)",
				arr, idx, end, arr, idx, end);
		break;
	}
}

/* The table index: k bits of x from shift on. */
static void write_index(FILE *out, const struct layout *l)
{
	unsigned sh = l->shift, k = l->k;
	unsigned long long mask = (1ULL << k) - 1;

	if (l->width < 128)
		fprintf(out, "(x >> %u) & 0x%llx", sh, mask);
	else if (sh >= 64)
		fprintf(out, "(x_hi >> %u) & 0x%llx", sh - 64, mask);
	else if (sh + k <= 64)
		fprintf(out, "(x_lo >> %u) & 0x%llx", sh, mask);
	else
		fprintf(out, "((x_hi << %u) | (x_lo >> %u)) & 0x%llx", 64 - sh, sh, mask);
}

static void write_search(FILE *out, const struct cset *c)
{
	static const char *const what[] = {
		"integer", "integer", "IPv4", "IPv6",
	};
	char *arr = xasprintf("lwtp_set%u%s%s", c->id, c->kind >= CSET_IP4 ? "_v" : "",
			      kind_suffix[c->kind]);
	char *safe = emit_comment_safe(c->label);
	struct layout l;

	plan(c, &l);
	fprintf(out, "/* %s: %zu %s intervals from %zu elements; ", safe, c->iv.len,
		what[c->kind], c->nelements);
	if (l.k)
		fprintf(out, "a table of %u bits, then ", l.k);
	fprintf(out, "%u steps */\n", l.steps);
	free(safe);
	write_array(out, c, &l, arr);
	fprintf(out, "static __always_inline int lwtp_set%u_has%s(", c->id, kind_suffix[c->kind]);
	switch (c->kind) {
	case CSET_U32:
	case CSET_IP4:
		fprintf(out, "__u32 x)\n");
		break;
	case CSET_U64:
		fprintf(out, "__u64 x)\n");
		break;
	case CSET_IP6:
		fprintf(out, "__u64 x_hi, __u64 x_lo)\n");
		break;
	}
	fprintf(out, "{\n");
	if (l.k) {
		fprintf(out, "\t__u64 i = %s_start[", arr);
		write_index(out, &l);
		fprintf(out, "];\n\n");
		fprintf(out, "\tasm volatile(\"\" : \"+r\"(i));\n");
		fprintf(out, "\tif (i > %zu)\n\t\ti = %zu;   /* it is not: for the verifier */\n",
			c->iv.len - 1, c->iv.len - 1);
	} else {
		fprintf(out, "\t__u64 i = 0;\n\n");
	}
	fprintf(out, "\t/* i: the last interval that starts at or before x */\n");
	for (unsigned st = l.steps; st-- > 0;) {
		char idx[48];
		snprintf(idx, sizeof(idx), "i + %zu", (size_t)1 << st);
		fprintf(out, "\ti += ");
		write_le(out, c->kind, arr, idx, false, "lo");
		fprintf(out, " << %u;\n", st);
	}
	fprintf(out, "\treturn ");
	write_le(out, c->kind, arr, "i", false, "lo");
	fprintf(out, " & ");
	write_le(out, c->kind, arr, "i", true, "hi");
	fprintf(out, ";\n}\n\n");
	free(l.start);
	free(arr);
}

void emit_const_sets(struct emitter *e)
{
	if (!e->csets || !e->csets->first)
		return;
	fputs(search_text, e->out);
	for (const struct cset *c = e->csets->first; c; c = c->next)
		write_search(e->out, c);
}

/* ---- integers --------------------------------------------------------------------- */

/* Follow const names to the literal they stand for. */
static const struct expr *resolve(const struct expr *x)
{
	while (x && x->kind == EXPR_NAME && x->u.name.value)
		x = x->u.name.value;
	return x;
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
		ivals_merge(&s, UINT64_MAX);
		if (s.len <= SET_INLINE_MAX) {
			sb_printf(b, "({ %s lwtp_v = %s; ", vtype, sb_str(&v));
			spans_tree(b, s.v, s.len, max);
			sb_puts(b, "; })");
		} else {
			const struct expr *lit = resolve(set);
			char *label = set_label(set, lit);
			bool wide = max > UINT32_MAX || (uint64_t)s.v[s.len - 1].hi > UINT32_MAX;
			const struct cset *c = cset_get(e, lit, wide ? CSET_U64 : CSET_U32, label,
							written, &s);
			free(label);
			s.v = NULL;
			sb_printf(b, "lwtp_set%u_has(%s)", c->id, sb_str(&v));
		}
	}
	free(s.v);
	sb_free(&v);
}

/* ---- addresses -------------------------------------------------------------------- */

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
	u128 host = low_bits(bits - plen);

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
		while (h < bits && (lo & low_bits(h + 1)) == 0 && (lo | low_bits(h + 1)) <= hi)
			h++;
		ivals_add(out, lo, (u128)(bits - h), NULL);
		if ((lo | low_bits(h)) >= hi)
			return;
		lo = (lo | low_bits(h)) + 1;
	}
}

/* Does f (in the family's header, known present) match the prefix? Masked
 * compares of 32-bit words in network order. */
static void prefix_match(struct emitter *e, struct sbuf *b, const struct field_def *f,
			 int family, u128 value, int plen)
{
	const char *which = is_src(f) ? "saddr" : "daddr";
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
	ivals_merge(&s, bits == 128 ? ~(u128)0 : (u128)0xffffffffu);
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
		const char *which = is_src(f) ? "saddr" : "daddr";
		char *label = set_label(set, lit);
		const struct cset *cs = cset_get(e, lit, family == 4 ? CSET_IP4 : CSET_IP6,
						 label, written, &s);
		free(label);
		if (family == 4)
			sb_printf(b, "lwtp_set%u_has4(bpf_ntohl(lwtp_pkt.ip4->%s))", cs->id, which);
		else
			sb_printf(b, "lwtp_set%u_has6(lwtp_ip6_hi(lwtp_pkt.ip6->%s), "
				  "lwtp_ip6_lo(lwtp_pkt.ip6->%s))", cs->id, which, which);
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
		if (!field_has_family(f, families[i]))
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
