/* emit_search.c: the searches of constant sets too large to compare
 * inline (analyse_sets.c decides and numbers them): sorted, disjoint intervals in static const
 * arrays, and a function per array that finds the interval a value is in.
 *
 * The arrays land in .rodata, which libbpf (and so ip route) loads as a
 * read-only array map, one per route that loads the object. A search reads
 * a table indexed by bits of the value, which says where to start (see
 * struct layout), then takes a fixed number of branch-free steps, at most
 * ceil(log2(n)). With branches, the verifier would follow both ways at
 * every step, 2^steps paths; this way it sees one straight path of about
 * ten instructions a step, and the cost of a packet grows at most with
 * log2 of the set's size. IPv4 addresses and integers are compared as
 * __u32 or __u64 in host order, IPv6 addresses as two __u64 halves.
 *
 * Each set literal gets one array per kind (integer width or address
 * family), shared by every test of it, also across policies. The compares
 * and the interval structs the searches use are compiler/bpf/search.bpf.h
 * (USE_SEARCH, written with the prelude).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emit_priv.h"
#include "util.h"

static const char *const kind_suffix[] = { "", "", "4", "6" };

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
#define MAP_INLINE_MAX 16       /* a map of more intervals is searched */

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

static void layout_of(const struct cset_search *c, struct layout *l)
{
	const struct ivals *iv = &c->iv;
	size_t n = iv->len, j = 0, span, widest = 1;
	unsigned common = 0;

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
	u128 prefix = iv->v[0].lo & ~analyse_low_bits((int)(l->width - common));
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

/* A map's values, parallel to its intervals, padded as they are. */
static void write_values(FILE *out, const struct cset_search *c, const struct layout *l,
			 const char *name)
{
	fprintf(out, "static const __u32 %s_val[%zu] SEC(\".rodata\") = {", name, l->padded);
	for (size_t i = 0; i < l->padded; i++)
		fprintf(out, "%s%" PRIu64 ",", i % 8 ? " " : "\n\t",
			c->iv.v[i < c->iv.len ? i : c->iv.len - 1].value);
	fprintf(out, "\n};\n\n");
}

static void write_array(FILE *out, const struct cset_search *c, const struct layout *l,
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

/* The parameters of a search or lookup: the value, by kind. */
static const char *const params[] = { "__u32 x", "__u64 x", "__u32 x", "__u64 x_hi, __u64 x_lo" };

/* "(x >= 0x0a000000 && x <= 0x0a0000ff)": x in [lo, hi], for a map's
 * lookup compared inline */
static void write_in_interval(FILE *out, enum cset_kind kind, u128 lo, u128 hi)
{
	uint64_t max = kind == CSET_U64 ? UINT64_MAX : UINT32_MAX;
	/* integers in decimal, IPv4 addresses in hex */
	const char *num = kind == CSET_IP4 ? "0x%08" PRIx64 "U" :
			  kind == CSET_U64 ? "%" PRIu64 "ULL" : "%" PRIu64 "U";

	switch (kind) {
	case CSET_U32:
	case CSET_IP4:
	case CSET_U64:
		if (lo == 0 && (uint64_t)hi == max) {
			fprintf(out, "1");
			break;
		}
		if (lo == hi) {
			fprintf(out, "x == ");
			fprintf(out, num, (uint64_t)lo);
			break;
		}
		if (lo != 0) {
			fprintf(out, "x >= ");
			fprintf(out, num, (uint64_t)lo);
		}
		if (lo != 0 && (uint64_t)hi != max)
			fprintf(out, " && ");
		if ((uint64_t)hi != max) {
			fprintf(out, "x <= ");
			fprintf(out, num, (uint64_t)hi);
		}
		break;
	case CSET_IP6:
		fprintf(out, "lwtp_le128(0x%016" PRIx64 "ULL, 0x%016" PRIx64 "ULL, x_hi, x_lo) &\n"
			"\t    lwtp_le128(x_hi, x_lo, 0x%016" PRIx64 "ULL, 0x%016" PRIx64 "ULL)",
			(uint64_t)(lo >> 64), (uint64_t)lo, (uint64_t)(hi >> 64), (uint64_t)hi);
		break;
	}
}

/* A small map's lookup: its intervals compared one by one. */
static void write_map_inline(FILE *out, const struct cset_search *c)
{
	fprintf(out, "static __always_inline int lwtp_map%u_get%s(%s, __u32 *v)\n{\n", c->id,
		kind_suffix[c->kind], params[c->kind]);
	for (size_t i = 0; i < c->iv.len; i++) {
		fprintf(out, "\tif (");
		write_in_interval(out, c->kind, c->iv.v[i].lo, c->iv.v[i].hi);
		fprintf(out, ") {\n\t\t*v = %" PRIu64 ";\n\t\treturn 1;\n\t}\n", c->iv.v[i].value);
	}
	fprintf(out, "\treturn 0;\n}\n\n");
}

static void write_search(FILE *out, const struct cset_search *c)
{
	static const char *const what[] = {
		"integer", "integer", "IPv4", "IPv6",
	};
	const char *prefix = c->map ? "map" : "set";
	char *arr = xasprintf("lwtp_%s%u%s%s", prefix, c->id, c->kind >= CSET_IP4 ? "_v" : "",
			      kind_suffix[c->kind]);
	char *safe = emit_comment_safe(c->label);
	struct layout l;

	layout_of(c, &l);
	fprintf(out, "/* %s: %zu %s intervals from %s%zu %s; ", safe, c->iv.len,
		what[c->kind], c->map ? "a map of " : "", c->nelements,
		c->map ? "keys" : "elements");
	if (c->map && c->iv.len <= MAP_INLINE_MAX) {
		fprintf(out, "compared inline */\n");
		write_map_inline(out, c);
		goto out;
	}
	if (l.k)
		fprintf(out, "a table of %u bits, then ", l.k);
	fprintf(out, "%u steps */\n", l.steps);
	write_array(out, c, &l, arr);
	if (c->map) {
		write_values(out, c, &l, arr);
		fprintf(out, "static __always_inline int lwtp_map%u_get%s(%s, __u32 *v)\n", c->id,
			kind_suffix[c->kind], params[c->kind]);
	} else {
		fprintf(out, "static __always_inline int lwtp_set%u_has%s(%s)\n", c->id,
			kind_suffix[c->kind], params[c->kind]);
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
	if (c->map)
		fprintf(out, "\t*v = %s_val[i];\n", arr);
	fprintf(out, "\treturn ");
	write_le(out, c->kind, arr, "i", false, "lo");
	fprintf(out, " & ");
	write_le(out, c->kind, arr, "i", true, "hi");
	fprintf(out, ";\n}\n\n");
out:
	free(safe);
	free(l.start);
	free(arr);
}

void emit_const_sets(struct emitter *e)
{
	for (const struct cset_search *c = e->an->sets.searches; c; c = c->next)
		write_search(e->out, c);
}
