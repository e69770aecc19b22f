/* genpolicy: write a random, valid .lwtp file.
 *
 *   genpolicy SEED [POLICIES]      (POLICIES: default 8)
 *
 * The same seed gives the same file. Every file is meant to be accepted by
 * lwtc, and every accepted file to build with clang and pass the verifier
 * as LWT_OUT (tests/run.sh, suite property): a file lwtc rejects is a bug
 * in this generator or in lwtc, never an expected outcome.
 *
 * It covers every statement kind (count, hist log2 and linear, limit,
 * quota and their actions, 'wire' counts, sample, drop, pass, set skb.mark / skb.priority /
 * skb.cb[i], if / else if / else nested a few levels, const), 'by' with 1
 * to 3 keys (address keys with prefix lengths too), 'size', every readable field
 * of compiler/fields.c, named values, consts of every kind (integers,
 * ranges, sets of integers, ranges and names, addresses and prefixes of
 * both families, mixed address sets, bools, aliases) at the top and inside
 * blocks, literal sets and ranges, prefixes from /0 to full length, the
 * logical operators in both spellings, '&' and '|', runtime sets and
 * maps (mark and verdict), runtime sets and maps keyed by tuples ('set s :
 * (ip, port)'), constant tuple sets ('(F1, F2) in { (V1, V2) }') and maps,
 * and statistics shared by two statements or two policies.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"

/* ---- randomness ------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)      /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)       /* 0..n-1; n > 0 */
{
	return rnd() % n;
}

static bool chance(int percent)
{
	return (int)below(100) < percent;
}

/* 0..max, biased towards the edges and small numbers */
static uint64_t value_upto(uint64_t max)
{
	switch (below(8)) {
	case 0: return 0;
	case 1: return max;
	case 2: return max ? max - 1 : 0;
	case 3: return max < 10 ? max : below(10);
	case 4: return max < 1500 ? below(max + 1) : below(1501);
	default: return max == UINT64_MAX ? rnd() : below(max + 1);
	}
}

/* ---- text ------------------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
};

static void bprintf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap, copy;
	va_start(ap, fmt);
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		abort();
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	va_end(ap);
}

static char *bdup(struct buf *b)
{
	char *s = strdup(b->p ? b->p : "");
	if (!s)
		abort();
	return s;
}

/* An integer as a policy may write it: decimal, hex, or with a size unit. */
static void print_int(struct buf *b, uint64_t v)
{
	static const struct { const char *unit; uint64_t scale; } units[] = {
		{ "GiB", 1ULL << 30 }, { "GB", 1000000000ULL }, { "MiB", 1ULL << 20 },
		{ "MB", 1000000ULL }, { "KiB", 1024 }, { "kB", 1000 }, { "B", 1 },
	};
	if (v && chance(30)) {
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (v % units[i].scale == 0 && (i == 6 ? chance(30) : true)) {
				bprintf(b, "%" PRIu64 "%s", v / units[i].scale, units[i].unit);
				return;
			}
		}
	}
	if (chance(25))
		bprintf(b, chance(50) ? "0x%" PRIx64 : "0X%" PRIX64, v);
	else
		bprintf(b, "%" PRIu64, v);
}

/* ---- fields ------------------------------------------------------------------ */

/* The fields come from lwtc's own table (compiler/fields.c), so that a new
 * field is covered as soon as lwtc knows it; skb.cb[N] is one field per N. */

enum kind { K_INT, K_BOOL, K_ADDR, K_ADDR4, K_ADDR6 };

struct field {
	char name[48];
	enum kind kind;
	int bits;                               /* K_INT: 8, 16, 32 */
	uint64_t max;                           /* K_INT: largest value */
	const struct symbol_domain *names;      /* named values, or NULL */
	bool writable;
};

#define U8  0xffULL
#define U16 0xffffULL
#define U32 0xffffffffULL

static struct field fields[256];
static size_t nfields;

static void load_fields(void)
{
	for (const struct field_def *d = fields_all(); d->ns; d++) {
		/* only what every supported kernel has: the policies are
		 * compiled for lwtc's default target */
		if (!(d->access & FIELD_READ) || d->since)
			continue;
		enum kind k;
		switch (d->type.kind) {
		case TYPE_INT:   k = K_INT; break;
		case TYPE_BOOL:  k = K_BOOL; break;
		case TYPE_ADDR:  k = K_ADDR; break;
		case TYPE_ADDR4: k = K_ADDR4; break;
		case TYPE_ADDR6: k = K_ADDR6; break;
		default:
			fprintf(stderr, "genpolicy: field %s.%s has a type I do not know\n",
				d->ns, d->name);
			exit(2);
		}
		for (int i = 0; i < (d->nindex ? d->nindex : 1); i++) {
			struct field *f = &fields[nfields++];
			if (nfields == sizeof(fields) / sizeof(fields[0]))
				abort();
			if (d->nindex)
				snprintf(f->name, sizeof(f->name), "%s.%s[%d]", d->ns, d->name, i);
			else
				snprintf(f->name, sizeof(f->name), "%s.%s", d->ns, d->name);
			f->kind = k;
			f->bits = d->type.bits;
			f->max = k == K_INT ? fields_max_value(d) : 0;
			f->names = d->domain;
			f->writable = d->access & FIELD_WRITE;
		}
	}
}

static const struct field *any_field(void)
{
	return &fields[below(nfields)];
}

static const struct field *field_of(enum kind k)
{
	for (;;) {
		const struct field *f = any_field();
		if (f->kind == k)
			return f;
	}
}

static const struct field *addr_field(void)
{
	for (;;) {
		const struct field *f = any_field();
		if (f->kind == K_ADDR || f->kind == K_ADDR4 || f->kind == K_ADDR6)
			return f;
	}
}

static const struct field *int_field_upto(int bits)
{
	for (;;) {
		const struct field *f = field_of(K_INT);
		if (f->bits <= bits)
			return f;
	}
}

static const struct field *writable_field(void)
{
	for (;;) {
		const struct field *f = field_of(K_INT);
		if (f->writable)
			return f;
	}
}

/* A named value of the domain. */
static const struct symbol_def *any_name(const struct symbol_domain *d)
{
	size_t n = 0;
	while (d->symbols[n].name)
		n++;
	return &d->symbols[below(n)];
}

/* ---- consts in scope ------------------------------------------------------------ */

enum ckind { C_INT, C_RANGE, C_INTSET, C_ADDR4, C_ADDR6, C_PFX4, C_PFX6, C_ADDRSET, C_BOOL };

struct konst {
	char name[16];
	enum ckind kind;
	uint64_t max;           /* C_INT: value; C_RANGE, C_INTSET: largest element */
	uint64_t lo;            /* C_RANGE, C_INT: smallest element */
	bool has4, has6;        /* C_ADDRSET */
	int depth;
};

static struct konst consts[512];
static size_t nconsts;
static int depth;
static unsigned counter;        /* for fresh names */
static bool no_consts;          /* statistic heads: they may be repeated where
				   the consts of here are not in scope */

static void scope_leave(void)
{
	while (nconsts > 0 && consts[nconsts - 1].depth == depth)
		nconsts--;
	depth--;
}

/* A const in scope of kind k (and, for integers, at most max), or NULL. */
static const struct konst *find_const(enum ckind k, uint64_t max)
{
	if (no_consts)
		return NULL;
	size_t start = nconsts ? below(nconsts) : 0;
	for (size_t i = 0; i < nconsts; i++) {
		const struct konst *c = &consts[(start + i) % nconsts];
		if (c->kind == k && (k > C_INTSET || c->max <= max))
			return c;
	}
	return NULL;
}

static const struct konst *find_addr_const(bool v4, bool v6)
{
	size_t start = nconsts ? below(nconsts) : 0;
	for (size_t i = 0; i < nconsts; i++) {
		const struct konst *c = &consts[(start + i) % nconsts];
		if ((v4 && (c->kind == C_ADDR4 || c->kind == C_PFX4 ||
			    (c->kind == C_ADDRSET && c->has4))) ||
		    (v6 && (c->kind == C_ADDR6 || c->kind == C_PFX6 ||
			    (c->kind == C_ADDRSET && c->has6))))
			return c;
	}
	return NULL;
}

/* ---- literals --------------------------------------------------------------------- */

static void print_v4(struct buf *b, bool prefix)
{
	static const uint8_t docs[][3] = { { 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 } };
	uint8_t a[4];
	if (chance(60)) {
		memcpy(a, docs[below(3)], 3);
		a[3] = (uint8_t)below(256);
	} else {
		uint32_t r = (uint32_t)rnd();
		memcpy(a, &r, 4);
	}
	int len = 32;
	if (prefix) {
		len = (int)(chance(10) ? (chance(50) ? 0 : 32) : below(33));
		for (int i = 0; i < 4; i++) {
			int keep = len - 8 * i;
			a[i] &= keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
		}
	}
	bprintf(b, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	if (prefix)
		bprintf(b, "/%d", len);
}

static void print_v6(struct buf *b, bool prefix)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	char text[INET6_ADDRSTRLEN];
	switch (below(4)) {
	case 0:         /* 2001:db8::/32, sparse */
		a[4 + below(12)] = (uint8_t)rnd();
		a[15] = (uint8_t)rnd();
		break;
	case 1:         /* random */
		for (int i = 0; i < 16; i++)
			a[i] = (uint8_t)rnd();
		break;
	case 2:         /* IPv4-mapped */
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
		for (int i = 12; i < 16; i++)
			a[i] = (uint8_t)rnd();
		break;
	default:        /* ::, ::1 */
		memset(a, 0, 16);
		a[15] = (uint8_t)below(2);
		break;
	}
	int len = 128;
	if (prefix) {
		len = (int)(chance(10) ? (chance(50) ? 0 : 128) : below(129));
		for (int i = 0; i < 16; i++) {
			int keep = len - 8 * i;
			a[i] &= keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
		}
	}
	inet_ntop(AF_INET6, a, text, sizeof(text));
	bprintf(b, "%s", text);
	if (prefix)
		bprintf(b, "/%d", len);
}

/* An integer constant that fits max: a literal, a const, or (names given)
 * a named value. */
static void print_int_const(struct buf *b, uint64_t max, const struct symbol_domain *names)
{
	const struct konst *c;
	if (names && chance(40)) {
		const struct symbol_def *n = any_name(names);
		if (n->value <= max) {
			bprintf(b, "%s", n->name);
			return;
		}
	}
	if (chance(20) && (c = find_const(C_INT, max))) {
		bprintf(b, "%s", c->name);
		return;
	}
	print_int(b, value_upto(max));
}

/* lo..hi within 0..max; *top is hi */
static void print_range(struct buf *b, uint64_t max, const struct symbol_domain *names, uint64_t *top)
{
	if (names && chance(30)) {
		const struct symbol_def *x = any_name(names), *y = any_name(names);
		if (x->value > y->value) {
			const struct symbol_def *t = x;
			x = y;
			y = t;
		}
		if (y->value <= max) {
			bprintf(b, "%s..%s", x->name, y->name);
			*top = y->value;
			return;
		}
	}
	uint64_t lo = value_upto(max), hi = value_upto(max);
	if (lo > hi) {
		uint64_t t = lo; lo = hi; hi = t;
	}
	print_int(b, lo);
	bprintf(b, chance(70) ? ".." : " .. ");
	print_int(b, hi);
	*top = hi;
}

/* { ints, ranges, names } within 0..max */
static void print_int_set(struct buf *b, uint64_t max, const struct symbol_domain *names, uint64_t *top)
{
	size_t n = 1 + below(chance(10) ? 40 : 6);
	*top = 0;
	bprintf(b, "{ ");
	for (size_t i = 0; i < n; i++) {
		uint64_t t;
		const struct konst *c;
		if (i)
			bprintf(b, ", ");
		if (chance(25)) {
			print_range(b, max, names, &t);
		} else if (chance(10) && (c = find_const(C_INT, max))) {
			bprintf(b, "%s", c->name);
			t = c->max;
		} else if (names && chance(30)) {
			const struct symbol_def *nm = any_name(names);
			t = nm->value;
			if (t <= max) {
				bprintf(b, "%s", nm->name);
			} else {
				t = value_upto(max);
				print_int(b, t);
			}
		} else {
			t = value_upto(max);
			print_int(b, t);
		}
		if (t > *top)
			*top = t;
	}
	bprintf(b, chance(20) ? ", }" : " }");
}

/* { addresses, prefixes, address consts }: at least one of each family asked */
static void print_addr_set(struct buf *b, bool want4, bool want6, bool *has4, bool *has6)
{
	size_t n = 1 + below(chance(10) ? 30 : 5);
	*has4 = *has6 = false;
	bprintf(b, "{ ");
	for (size_t i = 0; i < n || (want4 && !*has4) || (want6 && !*has6); i++) {
		bool v4 = want4 && !*has4 ? true : want6 && !*has6 ? false : chance(50);
		const struct konst *c;
		if (i)
			bprintf(b, ", ");
		if (chance(15) && (c = find_const(v4 ? C_ADDR4 : C_ADDR6, 0))) {
			bprintf(b, "%s", c->name);
		} else if (chance(15) && (c = find_const(v4 ? C_PFX4 : C_PFX6, 0))) {
			bprintf(b, "%s", c->name);
		} else if (v4) {
			print_v4(b, chance(50));
		} else {
			print_v6(b, chance(50));
		}
		*(v4 ? has4 : has6) = true;
	}
	bprintf(b, " }");
}

/* ---- expressions ------------------------------------------------------------------ */

static void print_cond(struct buf *b, int level);

/* An integer expression of at most bits (32 for 'set'): a field, a field
 * '&' or '|' a constant, two fields. */
static void print_int_expr(struct buf *b, int bits)
{
	const struct field *f = int_field_upto(bits);
	switch (below(6)) {
	case 0:
		bprintf(b, "%s & ", f->name);
		print_int_const(b, f->max, f->names);
		break;
	case 1:
		bprintf(b, "%s | ", f->name);
		print_int_const(b, bits >= 32 ? U32 : f->max, f->names);
		break;
	case 2:
		bprintf(b, "(%s %c %s)", f->name, chance(50) ? '&' : '|', int_field_upto(bits)->name);
		break;
	default:
		bprintf(b, "%s", f->name);
		break;
	}
}

/* A comparison that reads an integer field. */
static void print_int_compare(struct buf *b)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	const struct field *f = field_of(K_INT);
	uint64_t top;
	const struct konst *c;

	switch (below(12)) {
	case 0:                 /* F op F */
		bprintf(b, "%s %s %s", f->name, ops[below(6)], field_of(K_INT)->name);
		return;
	case 1:                 /* CONST op F */
		print_int_const(b, f->max, f->names);
		bprintf(b, " %s %s", ops[below(6)], f->name);
		return;
	case 2:                 /* F in lo..hi */
		bprintf(b, "%s %s ", f->name, chance(70) ? "in" : "not in");
		print_range(b, f->max, f->names, &top);
		return;
	case 3:                 /* F in { ... } */
		bprintf(b, "%s %s ", f->name, chance(70) ? "in" : "not in");
		print_int_set(b, f->max, f->names, &top);
		return;
	case 4:                 /* F in CONST */
		if ((c = find_const(chance(50) ? C_RANGE : C_INTSET, f->max))) {
			bprintf(b, "%s %s %s", f->name, chance(70) ? "in" : "not in", c->name);
			return;
		}
		break;
	case 5: {               /* F & M == V, F & M as a condition */
		uint64_t m = value_upto(f->max);
		if (f->names && chance(40)) {
			const struct symbol_def *x = any_name(f->names), *y = any_name(f->names);
			if ((x->value | y->value) <= f->max) {
				bprintf(b, "%s & (%s | %s)", f->name, x->name, y->name);
				if (chance(50))
					bprintf(b, " == %s", x->name);
				return;
			}
		}
		bprintf(b, "%s & ", f->name);
		print_int(b, m);
		if (chance(60)) {
			bprintf(b, " %s ", ops[below(6)]);
			print_int(b, value_upto(m));
		}
		return;
	}
	case 6: {               /* (F | M) op V */
		uint64_t m = value_upto(f->max);
		bprintf(b, "(%s | ", f->name);
		print_int(b, m);
		bprintf(b, ") %s ", ops[below(6)]);
		print_int(b, value_upto(f->max));
		return;
	}
	case 7:                 /* F in CLO..CHI with consts as bounds */
		if ((c = find_const(C_INT, f->max))) {
			const struct konst *d = find_const(C_INT, f->max);
			const struct konst *lo = c->max <= d->max ? c : d, *hi = lo == c ? d : c;
			bprintf(b, "%s in %s..%s", f->name, lo->name, hi->name);
			return;
		}
		break;
	default:
		break;
	}
	bprintf(b, "%s %s ", f->name, ops[below(6)]);
	print_int_const(b, f->max, f->names);
}

static void print_addr_compare(struct buf *b)
{
	const struct field *f = addr_field();
	bool v4 = f->kind != K_ADDR6, v6 = f->kind != K_ADDR4;
	bool fam4 = v4 && (!v6 || chance(50));   /* the family of a constant */
	const char *op = chance(70) ? "==" : "!=";
	const struct konst *c;
	bool h4, h6;

	switch (below(6)) {
	case 0:                 /* F == F of a family that can match */
		for (;;) {
			const struct field *g = addr_field();
			if (f->kind == K_ADDR || g->kind == K_ADDR || f->kind == g->kind) {
				bprintf(b, "%s %s %s", f->name, op, g->name);
				return;
			}
		}
	case 1:                 /* F in PREFIX, F == PREFIX */
		bprintf(b, "%s %s ", f->name, chance(50) ? (chance(70) ? "in" : "not in") : op);
		if (fam4)
			print_v4(b, true);
		else
			print_v6(b, true);
		return;
	case 2:                 /* F in { ... } */
		bprintf(b, "%s %s ", f->name, chance(70) ? "in" : "not in");
		print_addr_set(b, f->kind == K_ADDR4, f->kind == K_ADDR6, &h4, &h6);
		return;
	case 3:                 /* F == CONST, F in CONST */
		if ((c = find_addr_const(v4 && fam4, v6 && !fam4))) {
			bool member = c->kind == C_ADDRSET ||
				      ((c->kind == C_PFX4 || c->kind == C_PFX6) && chance(50));
			bprintf(b, "%s %s %s", f->name, member ? "in" : op, c->name);
			return;
		}
		break;
	case 4:                 /* CONST == F */
		if (fam4)
			print_v4(b, false);
		else
			print_v6(b, false);
		bprintf(b, " %s %s", op, f->name);
		return;
	default:
		break;
	}
	bprintf(b, "%s %s ", f->name, op);
	if (fam4)
		print_v4(b, false);
	else
		print_v6(b, false);
}

/* runtime sets declared at the top */
struct rset {
	char name[16];
	const char *type;       /* ip port proto u8 u16 u32 */
	/* a set of tuples, '(ip, port)': its ncomp component types (type
	 * is then the first) */
	const char *comp[3];
	size_t ncomp;
};
static struct rset rsets[8];
static size_t nrsets;

/* runtime maps declared at the top: of marks or of verdicts */
static struct rset rmaps[2][4];
static size_t nrmaps[2];

/* A field to test against, or look up in, a runtime set or map of type. */
static const char *rset_key(const char *type)
{
	if (!strcmp(type, "ip"))
		return addr_field()->name;
	int bits = !strcmp(type, "u32") ? 32 : !strcmp(type, "u16") ||
		   !strcmp(type, "port") ? 16 : 8;
	return int_field_upto(bits)->name;
}

/* What is tested in, or looked up in, the runtime set or map s: a field,
 * or a tuple of them, "(ip.dst, l4.dport)". */
static void print_rset_key(struct buf *b, const struct rset *s)
{
	if (!s->ncomp) {
		bprintf(b, "%s", rset_key(s->type));
		return;
	}
	bprintf(b, "(");
	for (size_t i = 0; i < s->ncomp; i++)
		bprintf(b, "%s%s", i ? ", " : "", rset_key(s->comp[i]));
	bprintf(b, ")");
}

/* The component types of a runtime set or map of tuples, declared:
 * " : (ip, port)"; or of one type, " : ip". */
static void declare_rset_type(struct rset *s, const char *const *types, size_t ntypes)
{
	s->type = types[below(ntypes)];
	s->ncomp = 0;
	if (chance(30)) {
		s->ncomp = 2 + below(2);
		s->comp[0] = s->type;
		for (size_t k = 1; k < s->ncomp; k++)
			s->comp[k] = types[below(ntypes)];
		printf(" : (%s", s->type);
		for (size_t k = 1; k < s->ncomp; k++)
			printf(", %s", s->comp[k]);
		printf(")");
	} else {
		printf(" : %s", s->type);
	}
}

static bool print_rset_member(struct buf *b)
{
	if (!nrsets)
		return false;
	const struct rset *s = &rsets[below(nrsets)];
	const char *in = chance(80) ? "in" : "not in";
	print_rset_key(b, s);
	bprintf(b, " %s %s", in, s->name);
	return true;
}

/* A component of a tuple set's element for field f. */
static void print_tuple_component(struct buf *b, const struct field *f)
{
	uint64_t top;

	if (f->kind == K_INT) {
		if (chance(25))
			print_range(b, f->max, f->names, &top);
		else
			print_int_const(b, f->max, f->names);
		return;
	}
	if (f->kind == K_ADDR4 || (f->kind == K_ADDR && chance(50)))
		print_v4(b, chance(50));
	else
		print_v6(b, chance(50));
}

/* A tuple of 2 or 3 fields into f, written "(F1, F2[, F3])"; how many. */
static size_t print_tuple_fields(struct buf *b, const struct field *f[3])
{
	size_t k = 2 + below(2);

	for (size_t i = 0; i < k; i++)
		f[i] = chance(50) ? addr_field() : field_of(K_INT);
	bprintf(b, "(");
	for (size_t i = 0; i < k; i++)
		bprintf(b, "%s%s", i ? ", " : "", f[i]->name);
	bprintf(b, ")");
	return k;
}

/* An element for the k fields f: "(V1, V2[, V3])". */
static void print_tuple_element(struct buf *b, const struct field *const f[3], size_t k)
{
	bprintf(b, "(");
	for (size_t i = 0; i < k; i++) {
		if (i)
			bprintf(b, ", ");
		print_tuple_component(b, f[i]);
	}
	bprintf(b, ")");
}

/* '(F1, F2[, F3]) [not] in { (V1, V2[, V3]), ... }' */
static void print_tuple_member(struct buf *b)
{
	const struct field *f[3];
	size_t k = print_tuple_fields(b, f), n = 1 + below(chance(10) ? 40 : 5);

	bprintf(b, " %s {", chance(70) ? "in" : "not in");
	for (size_t e = 0; e < n; e++) {
		bprintf(b, "%s ", e ? "," : "");
		print_tuple_element(b, f, k);
	}
	bprintf(b, "%s }", chance(20) ? "," : "");
}

static void print_atom(struct buf *b)
{
	const struct konst *c;
	switch (below(20)) {
	case 0:
		bprintf(b, "%s", field_of(K_BOOL)->name);
		return;
	case 1:
		bprintf(b, "%s %s %s", field_of(K_BOOL)->name, chance(50) ? "==" : "!=",
			chance(50) ? "true" : chance(50) ? "false" : field_of(K_BOOL)->name);
		return;
	case 2:
		if (chance(30)) {
			bprintf(b, chance(50) ? "true" : "false");
			return;
		}
		if ((c = find_const(C_BOOL, 0))) {
			bprintf(b, "%s", c->name);
			return;
		}
		break;
	case 3:
		if (print_rset_member(b))
			return;
		break;
	case 4: case 5: case 6: case 7: case 8:
		print_addr_compare(b);
		return;
	case 9:
		print_tuple_member(b);
		return;
	default:
		break;
	}
	print_int_compare(b);
}

static void print_cond(struct buf *b, int level)
{
	if (level <= 0 || chance(40)) {
		print_atom(b);
		return;
	}
	switch (below(5)) {
	case 0:
		bprintf(b, "%s", chance(80) ? "not " : "!");
		if (chance(50)) {
			bprintf(b, "(");
			print_cond(b, level - 1);
			bprintf(b, ")");
		} else {
			print_atom(b);
		}
		return;
	case 1:
		bprintf(b, "(");
		print_cond(b, level - 1);
		bprintf(b, ")");
		return;
	default:
		print_cond(b, level - 1);
		bprintf(b, " %s ", chance(50) ? (chance(85) ? "and" : "&&") : (chance(85) ? "or" : "||"));
		print_cond(b, level - 1);
		return;
	}
}

static char *cond_text(int level)
{
	struct buf b = { 0 };
	print_cond(&b, level);
	char *text = bdup(&b);
	free(b.p);
	return text;
}

/* ---- declarations ---------------------------------------------------------------- */

static void indent(int n)
{
	for (int i = 0; i < n; i++)
		fputs(chance(95) ? "    " : "\t", stdout);
}

static void const_decl(int ind)
{
	struct konst *k;
	struct buf b = { 0 };
	if (nconsts == sizeof(consts) / sizeof(consts[0]))
		return;
	k = &consts[nconsts];
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "k%u", counter++);
	k->depth = depth;
	switch (below(10)) {
	case 0: {
		static const uint64_t tops[] = { 1, 3, 15, 63, U8, 0x1fff, U16, 0xfffff, U32 };
		k->kind = C_RANGE;
		print_range(&b, tops[below(9)], NULL, &k->max);
		break;
	}
	case 1:
		k->kind = C_INTSET;
		print_int_set(&b, chance(50) ? U8 : U16, NULL, &k->max);
		break;
	case 2:
		k->kind = C_ADDR4;
		print_v4(&b, false);
		break;
	case 3:
		k->kind = C_ADDR6;
		print_v6(&b, false);
		break;
	case 4:
		k->kind = C_PFX4;
		print_v4(&b, true);
		break;
	case 5:
		k->kind = C_PFX6;
		print_v6(&b, true);
		break;
	case 6:
		k->kind = C_ADDRSET;
		print_addr_set(&b, chance(50), chance(50), &k->has4, &k->has6);
		break;
	case 7:
		k->kind = C_BOOL;
		bprintf(&b, chance(50) ? "true" : "false");
		break;
	case 8: {               /* an alias of a const in scope */
		const struct konst *src = nconsts ? &consts[below(nconsts)] : NULL;
		if (src) {
			enum ckind kind = src->kind;
			uint64_t mx = src->max, lo = src->lo;
			bool h4 = src->has4, h6 = src->has6;
			bprintf(&b, "%s", src->name);
			k->kind = kind;
			k->max = mx;
			k->lo = lo;
			k->has4 = h4;
			k->has6 = h6;
			break;
		}
	}
	/* fall through */
	default:
		k->kind = C_INT;
		k->max = value_upto(chance(50) ? U8 : U32);
		print_int(&b, k->max);
		break;
	}
	indent(ind);
	printf("const %s = %s;\n", k->name, b.p);
	free(b.p);
	nconsts++;
}

/* ---- statements -------------------------------------------------------------- */

struct stat {
	char *head;     /* "count c3 by (ip.dst, l4.dport) size 64" */
};
static struct stat stats[4096];
static size_t nstats;

/* A key: the field, an address field sometimes with its prefix lengths
 * (ip4.dst/24, ip6.src/48, ip.dst/24/48), /0 to full length. */
static void print_key(struct buf *b, const struct field *f)
{
	bprintf(b, "%s", f->name);
	if (!chance(30))
		return;
	if (f->kind == K_ADDR4 || f->kind == K_ADDR)
		bprintf(b, "/%u", (unsigned)below(33));
	if (f->kind == K_ADDR6 || f->kind == K_ADDR)
		bprintf(b, "/%u", (unsigned)below(129));
}

static void print_keys(struct buf *b)
{
	const struct field *keys[3];
	size_t n = 1 + below(3);
	for (size_t i = 0; i < n; i++) {
		bool dup;
		do {
			keys[i] = any_field();
			dup = false;
			for (size_t j = 0; j < i; j++)
				dup |= keys[j] == keys[i];
		} while (dup);
	}
	if (n == 1 && chance(70)) {
		bprintf(b, " by ");
		print_key(b, keys[0]);
	} else {
		bprintf(b, " by (");
		for (size_t i = 0; i < n; i++) {
			bprintf(b, "%s", i ? ", " : "");
			print_key(b, keys[i]);
		}
		bprintf(b, ")");
	}
	if (chance(40)) {
		static const uint64_t sizes[] = { 1, 2, 16, 64, 1000, 1024, 4096, 65536 };
		bprintf(b, " size ");
		print_int(b, sizes[below(8)]);
	}
}

static char *stat_head(void)
{
	struct buf b = { 0 };
	bool keyed = chance(50);

	no_consts = true;
	if (chance(15)) {
		/* a limit: packets, bytes or bits per s, min or h; the burst in
		 * packets for a packet rate, in bytes (with a unit) else */
		static const char *const periods[] = { "s", "min", "h" };
		static const char *const bytes[] = { "B", "kB", "KiB", "MB" };
		static const char *const bits[] = { "bit", "kbit", "Mbit" };
		static const uint64_t period_ns[] = { 1000000000ULL, 60000000000ULL, 3600000000000ULL };
		static const uint64_t byte_scale[] = { 1, 1000, 1024, 1000000 };
		static const uint64_t bit_scale[] = { 1, 1000, 1000000 };
		uint64_t amount = 1 + below(chance(50) ? 100 : 100000);
		uint64_t burst = 1 + below(chance(50) ? 100 : 1500);
		int kind = (int)below(3), per = (int)below(3), unit = (int)below(kind == 2 ? 3 : 4);
		int bunit = (int)below(3);
		const char *wire = chance(20) ? " wire" : "";
		/* lwtc's bucket: burst x period / gcd(rate, period) below 2^61
		 * (resources.c); a shorter period or a smaller burst else */
		for (;;) {
			uint64_t rate = amount * (kind == 1 ? byte_scale[unit] : kind == 2 ? bit_scale[unit] : 1);
			uint64_t cap = kind == 0 ? burst : burst * byte_scale[bunit] * (kind == 2 ? 8 : 1);
			uint64_t a = rate, g = period_ns[per];
			while (a) {
				uint64_t t = g % a;
				g = a;
				a = t;
			}
			if (cap <= (1ULL << 60) / (period_ns[per] / g))
				break;
			if (per > 0)
				per--;
			else if (bunit > 0)
				bunit = 0;
			else
				burst = 1;
		}
		if (kind == 0)
			bprintf(&b, "limit l%u%s rate %" PRIu64 "/%s burst %" PRIu64, counter++,
				wire, amount, periods[per], burst);
		else
			bprintf(&b, "limit l%u%s rate %" PRIu64 "%s/%s burst %" PRIu64 "%s", counter++,
				wire, amount, kind == 1 ? bytes[unit] : bits[unit], periods[per], burst,
				bytes[bunit]);
	} else if (chance(15)) {
		/* a quota: packets, or bytes with a unit */
		static const char *const units[] = { "", "B", "kB", "MB", "GB", "GiB" };
		const char *wire = chance(20) ? " wire" : "";
		bprintf(&b, "quota q%u%s %" PRIu64 "%s", counter++, wire, 1 + below(100000),
			units[below(6)]);
	} else if (chance(10)) {
		/* a sample: a share of the packets, into a ring of its own */
		static const uint64_t dens[] = { 1, 2, 10, 100, 4294967295ULL };
		uint64_t den = dens[below(5)];
		keyed = false;
		bprintf(&b, "sample s%u %" PRIu64 "/%" PRIu64, counter++, 1 + below(den), den);
		if (chance(50))
			bprintf(&b, " snaplen %" PRIu64, chance(50) ? 1 + below(1500) : 65535);
		if (chance(30))
			bprintf(&b, " size %" PRIu64, 1 + below(2048));
	} else if (chance(40)) {
		bprintf(&b, "count c%u%s", counter++, chance(20) ? " wire" : "");
	} else if (chance(50)) {
		bprintf(&b, "hist h%u log2(", counter++);
		if (chance(5))
			print_int(&b, value_upto(U32));
		else
			print_int_expr(&b, 32);
		bprintf(&b, ")");
	} else {
		uint64_t min = value_upto(chance(70) ? 1500 : U32), n = 1 + below(chance(20) ? 1024 : 64);
		uint64_t step = 1 + below(chance(50) ? 10 : 1000);
		uint64_t max = min + step * n - below(step);
		if (max <= min)
			max = min + 1;
		bprintf(&b, "hist h%u linear(", counter++);
		print_int_expr(&b, 32);
		bprintf(&b, ", ");
		print_int(&b, min);
		bprintf(&b, ", ");
		print_int(&b, max);
		bprintf(&b, ", ");
		print_int(&b, step);
		bprintf(&b, ")");
	}
	if (keyed)
		print_keys(&b);
	no_consts = false;
	char *head = bdup(&b);
	free(b.p);
	return head;
}

static void print_trailing_cond(int level)
{
	if (chance(50)) {
		char *c = cond_text(level);
		printf(" if %s", c);
		free(c);
	}
}

/* Statistics in this policy: a program may use at most 64 maps, and a
 * keyed statistic takes two. */
static unsigned policy_stats;
#define MAX_POLICY_STATS 20

static void set_stmt(int ind, int level);

static void stat_stmt(int ind, int level)
{
	const char *head;
	if (policy_stats >= MAX_POLICY_STATS) {
		set_stmt(ind, level);
		return;
	}
	policy_stats++;
	if (nstats && chance(15)) {
		head = stats[below(nstats)].head;       /* the same statistic again */
	} else {
		char *h = stat_head();
		if (nstats < sizeof(stats) / sizeof(stats[0]))
			stats[nstats++].head = h;
		head = h;
	}
	indent(ind);
	printf("%s", head);
	if ((head[0] == 'l' || head[0] == 'q') && chance(70)) {    /* the action */
		struct buf act = { 0 };
		switch (below(3)) {
		case 0:
			bprintf(&act, " else drop");
			break;
		case 1:
			bprintf(&act, " else count");
			break;
		default:
			bprintf(&act, " else set %s = ", writable_field()->name);
			if (chance(50))
				print_int(&act, value_upto(U32));
			else
				print_int_expr(&act, 32);
			break;
		}
		printf("%s", act.p);
		free(act.p);
	}
	print_trailing_cond(level);
	printf(";\n");
}

/* A constant map's key and elements: "KEY map { K : V, ... }" (verdicts:
 * "KEY { K : drop, ... }"). Keys are distinct as written, and integer keys
 * single values but for a range that holds them all, so that no two keys
 * are the same or overlap without one holding the other. */
static void print_map(struct buf *b, bool verdicts)
{
	bool addr = chance(60);
	const struct field *f = addr ? addr_field() : field_of(K_INT);
	size_t n = 1 + below(chance(20) ? 40 : 6), written = 0;
	char seen[48][64];
	size_t nseen = 0;

	bprintf(b, "%s%s {", f->name, verdicts ? "" : " map");
	if (!addr && chance(30)) {
		bprintf(b, " 0..%" PRIu64 " : ", f->max);
		if (verdicts)
			bprintf(b, chance(50) ? "drop" : "pass");
		else
			print_int(b, value_upto(U32));
		written++;
	}
	for (size_t i = 0; i < n && nseen < 48; i++) {
		struct buf k = { 0 };
		bool dup = false;
		if (!addr) {
			bprintf(&k, "%" PRIu64, value_upto(f->max));
		} else {
			bool v4 = f->kind == K_ADDR4 || (f->kind == K_ADDR && chance(50));
			if (v4)
				print_v4(&k, chance(70));
			else
				print_v6(&k, chance(70));
			/* a full-length prefix is its address: '::/128' is '::' */
			size_t len = strlen(k.p), cut = v4 ? 3 : 4;
			if (len > cut && !strcmp(k.p + len - cut, v4 ? "/32" : "/128"))
				k.p[len - cut] = '\0';
		}
		for (size_t j = 0; j < nseen; j++)
			dup |= strcmp(seen[j], k.p) == 0;
		if (!dup && strlen(k.p) < sizeof(seen[0])) {
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", k.p);
			bprintf(b, "%s %s : ", written++ ? "," : "", k.p);
			if (verdicts)
				bprintf(b, chance(50) ? "drop" : "pass");
			else
				print_int(b, value_upto(U32));
		}
		free(k.p);
	}
	if (!written) {     /* every key was a repeat: one of the field's */
		bprintf(b, " %s : ", addr ? (f->kind == K_ADDR6 ? "::/0" : "0.0.0.0/0") : "0");
		bprintf(b, verdicts ? "drop" : "1");
	}
	bprintf(b, "%s }", chance(20) ? "," : "");
}

/* A constant map keyed by a tuple: "(F1, F2) map { (V1, V2) : V, ... }"
 * (verdicts: "(F1, F2) { (V1, V2) : drop, ... }"); elements may overlap,
 * the first that matches deciding. */
static void print_tuple_map(struct buf *b, bool verdicts)
{
	const struct field *f[3];
	size_t k = print_tuple_fields(b, f), n = 1 + below(chance(10) ? 40 : 5);

	bprintf(b, "%s {", verdicts ? "" : " map");
	for (size_t e = 0; e < n; e++) {
		bprintf(b, "%s ", e ? "," : "");
		print_tuple_element(b, f, k);
		bprintf(b, " : ");
		if (verdicts)
			bprintf(b, chance(50) ? "drop" : "pass");
		else
			print_int(b, value_upto(U32));
	}
	bprintf(b, "%s }", chance(20) ? "," : "");
}

static void vmap_stmt(int ind, int level)
{
	struct buf b = { 0 };
	if (nrmaps[1] && chance(30)) {
		const struct rset *m = &rmaps[1][below(nrmaps[1])];
		print_rset_key(&b, m);
		bprintf(&b, " %s", m->name);
	} else if (chance(20)) {
		print_tuple_map(&b, true);
	} else {
		print_map(&b, true);
	}
	indent(ind);
	printf("vmap %s", b.p);
	free(b.p);
	print_trailing_cond(level);
	printf(";\n");
}

static void set_stmt(int ind, int level)
{
	struct buf b = { 0 };
	const struct konst *c;
	if (nrmaps[0] && chance(10)) {
		const struct rset *m = &rmaps[0][below(nrmaps[0])];
		print_rset_key(&b, m);
		bprintf(&b, " map %s", m->name);
	} else if (chance(4)) {
		print_tuple_map(&b, false);
	} else if (chance(15)) {
		print_map(&b, false);
	} else if (chance(40)) {
		if (chance(30) && (c = find_const(C_INT, U32)))
			bprintf(&b, "%s", c->name);
		else
			print_int(&b, value_upto(U32));
	} else {
		print_int_expr(&b, 32);
	}
	indent(ind);
	printf("set %s = %s", writable_field()->name, b.p);
	free(b.p);
	print_trailing_cond(level);
	printf(";\n");
}

static void block(int ind, int nest, size_t n);

static void if_stmt(int ind, int nest)
{
	char *c = cond_text(3);
	indent(ind);
	printf("if %s {\n", c);
	free(c);
	block(ind + 1, nest - 1, 1 + below(4));
	indent(ind);
	printf("}");
	while (chance(40)) {
		c = cond_text(2);
		printf(" else if %s {\n", c);
		free(c);
		block(ind + 1, nest - 1, 1 + below(3));
		indent(ind);
		printf("}");
	}
	if (chance(40)) {
		printf(" else {\n");
		block(ind + 1, nest - 1, below(3));
		indent(ind);
		printf("}");
	}
	printf("\n");
}

static void stmt(int ind, int nest)
{
	switch (below(12)) {
	case 0: case 1: case 2: case 3:
		stat_stmt(ind, 2);
		return;
	case 4:
	case 5: {
		char *c = cond_text(3);
		indent(ind);
		printf("%s if %s;\n", chance(60) ? "drop" : "pass", c);
		free(c);
		return;
	}
	case 6:
		if (chance(20))
			vmap_stmt(ind, 2);
		else
			set_stmt(ind, 2);
		return;
	case 7:
		const_decl(ind);
		return;
	case 8:
		if (chance(30)) {
			indent(ind);
			printf("# a comment\n");
		}
		/* fall through */
	default:
		if (nest > 0)
			if_stmt(ind, nest);
		else
			stat_stmt(ind, 2);
		return;
	}
}

/* n statements, maybe ending with an unconditional drop or pass */
static void block(int ind, int nest, size_t n)
{
	depth++;
	for (size_t i = 0; i < n; i++)
		stmt(ind, nest);
	if (chance(10)) {
		indent(ind);
		printf("%s;\n", chance(50) ? "drop" : "pass");
		if (chance(10))         /* unreachable: a warning, and still valid */
			stmt(ind, 0);
	}
	scope_leave();
}

/* ---- the file ----------------------------------------------------------------- */

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: genpolicy SEED [POLICIES]\n");
		return 2;
	}
	uint64_t seed = strtoull(argv[1], NULL, 0);
	long npol = argc == 3 ? strtol(argv[2], NULL, 0) : 8;
	if (npol < 1 || npol > 1000) {
		fprintf(stderr, "genpolicy: POLICIES must be 1..1000\n");
		return 2;
	}
	rng_state = seed;
	load_fields();

	printf("# genpolicy %" PRIu64 " %ld\n", seed, npol);
	for (size_t i = below(5); i > 0; i--)
		const_decl(0);
	if (chance(40)) {
		static const char *const types[] = { "ip", "port", "proto", "u8", "u16", "u32" };
		for (size_t i = 1 + below(3); i > 0; i--) {
			struct rset *s = &rsets[nrsets++];
			snprintf(s->name, sizeof(s->name), "rs%u", counter++);
			printf("set %s", s->name);
			declare_rset_type(s, types, 6);
			if (chance(50))
				printf(" size %" PRIu64, 1 + below(65536));
			printf(";\n");
		}
	}
	if (chance(40)) {
		static const char *const types[] = { "ip", "port", "proto", "u8", "u16", "u32" };
		for (size_t i = 1 + below(3); i > 0; i--) {
			int verdicts = (int)below(2);
			struct rset *m = &rmaps[verdicts][nrmaps[verdicts]++];
			snprintf(m->name, sizeof(m->name), "rm%u", counter++);
			printf("map %s", m->name);
			declare_rset_type(m, types, 6);
			printf(" -> %s", verdicts ? "verdict" : "mark");
			if (chance(50))
				printf(" size %" PRIu64, 1 + below(65536));
			printf(";\n");
		}
	}
	for (long p = 0; p < npol; p++) {
		printf("\npolicy p%ld {\n", p);
		policy_stats = 0;
		block(1, 3, 1 + below(8));
		printf("}\n");
		if (chance(20))
			const_decl(0);
	}
	for (size_t i = 0; i < nstats; i++)
		free(stats[i].head);
	return ferror(stdout) ? 1 : 0;
}
