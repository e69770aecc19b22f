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
 * __u32 or __u64 in host order, IPv6 addresses as two __u64 halves: of
 * the whole address for maps and for sets spread over all of the address
 * space, of the bits below the set's common prefix for the others (see
 * struct part6), which are searched as a partition, with no final compare.
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

/* ---- the tables' data ------------------------------------------------------------ */

/* The tables are written as the bytes of their values, in one string
 * literal of lines of 32 bytes, each table a union of that char array and
 * the array of values the search reads (aligned as the values are).
 * clang reads a string literal as a single token and keeps it as one flat
 * constant; an initializer of numbers costs it a token, a conversion and an
 * expression node a number, and more for an array of structs: 100,000
 * prefixes (bench/compile.sh's) took lwtc 1.5 s written as numbers, 0.7 s
 * as bytes (of which 0.3 to 0.4 s are lwtc's own).
 * The bytes are in lwtc's own order, which is clang's for -target bpf (the
 * host's); the C says so and refuses another target (emit_const_sets). */
struct blob {
	unsigned char *v;
	size_t len, cap;
};

static void blob_put(struct blob *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->v = xrealloc(b->v, b->cap);
	}
	memcpy(b->v + b->len, p, n);
	b->len += n;
}

static void blob_u32(struct blob *b, uint32_t v)
{
	blob_put(b, &v, sizeof(v));
}

static void blob_u64(struct blob *b, uint64_t v)
{
	blob_put(b, &v, sizeof(v));
}

/* static const union { char bytes[]; TYPE v[count]; } name = { "..." };
 * what: a comment, what the values are; the blob freed */
static void write_blob(FILE *out, const char *name, const char *type, size_t count,
		       struct blob *b, const char *what)
{
	fprintf(out, "/* %s: %zu, as bytes */\n", what, count);
	fprintf(out, "static const union {\n\tchar bytes[%zu];\n\t%s v[%zu];\n} %s SEC(\".rodata\") "
		"= { .bytes =", b->len, type, count, name);
	for (size_t i = 0; i < b->len; i += 32) {
		char line[32 * 4 + 8], *w = line;
		size_t end = i + 32 < b->len ? i + 32 : b->len;
		*w++ = '\n';
		*w++ = '\t';
		*w++ = '"';
		for (size_t j = i; j < end; j++) {
			unsigned c = b->v[j];
			/* printable characters as they are ('?' could make a
			 * trigraph); the others as octal escapes, which end
			 * after 3 digits or before a character that is no
			 * octal digit (a \x escape would go on through any hex
			 * digit after it): short ones unless a raw digit 0-7
			 * follows on the line */
			unsigned next = j + 1 < end ? b->v[j + 1] : 0;
			if (c == '\\' || c == '"') {
				*w++ = '\\';
				*w++ = (char)c;
			} else if (c >= 0x20 && c < 0x7f && c != '?') {
				*w++ = (char)c;
			} else {
				*w++ = '\\';
				if (c >= 0100 || (next >= '0' && next <= '7')) {
					*w++ = (char)('0' + (c >> 6));
					*w++ = (char)('0' + ((c >> 3) & 7));
				} else if (c >= 010) {
					*w++ = (char)('0' + (c >> 3));
				}
				*w++ = (char)('0' + (c & 7));
			}
		}
		*w++ = '"';
		fwrite(line, 1, (size_t)(w - line), out);
	}
	fprintf(out, "%s };\n\n", b->len ? "" : " \"\"");
	free(b->v);
	*b = (struct blob){ 0 };
}

static void write_u32s(FILE *out, const char *arr, const char *suffix, const uint32_t *v,
		       size_t n, const char *what)
{
	struct blob b = { 0 };
	char *name = xasprintf("%s%s", arr, suffix);

	for (size_t i = 0; i < n; i++)
		blob_u32(&b, v[i]);
	write_blob(out, name, "__u32", n, &b, what);
	free(name);
}

/* IPv6 keys below 2^126 as struct lwtp_key127: the key's bits 63.. and
 * 0..62; padded to padded keys with pad */
static void write_keys127(FILE *out, const char *arr, const u128 *k, size_t n, size_t padded,
			  u128 pad)
{
	struct blob b = { 0 };

	for (size_t i = 0; i < padded; i++) {
		u128 v = i < n ? k[i] : pad;
		blob_u64(&b, (uint64_t)(v >> 63));
		blob_u64(&b, (uint64_t)v & 0x7fffffffffffffffULL);
	}
	write_blob(out, arr, "struct lwtp_key127", padded, &b,
		   "the boundaries, keys as struct lwtp_key127 { __u64 h, l; }, sorted, then "
		   "copies of a key above all for the last window");
}

/* ---- IPv6 sets: boundaries below a common prefix ---------------------------------- */

/* An IPv6 set (not a map) whose addresses all share a prefix of at least 2
 * bits (every set of global unicast prefixes shares 2000::/3) is searched in
 * another form, because a general 128-bit compare (lwtp_le128: two borrow
 * chains, about 16 dependent instructions) made each step cost what a whole
 * IPv4 search does:
 *
 *   - an address outside the common prefix is in no interval: one compare
 *     and a return, before any load;
 *   - inside it, the address is a key of s = 128 - common bits, held as two
 *     halves below 2^63 (kh: bits 63.. of the key, kl: bits 0..62). Halves
 *     that small subtract without wrapping into the sign bit, so a compare
 *     is 5 instructions (lwtp_le127), not 16;
 *   - the set is stored as the sorted boundaries of the partition of the
 *     key space into segments alternately out of and in the set (0, then
 *     each interval's start and the key after its end). The last boundary
 *     at or before the key is the answer, its index odd when in the set:
 *     no final compare of both ends of an interval (two 128-bit compares
 *     before);
 *   - the table is indexed by the key's top bits, the bits right after the
 *     common prefix, and its size is chosen by the set: the fewest steps
 *     for the fewest entries, within TABLE_MAX_BITS. */
struct part6 {
	unsigned common;        /* bits every address of the set shares: 2..127 */
	u128 prefix;            /* those bits, the others 0 */
	unsigned s;             /* bits of a key: 128 - common */
	u128 *b;                /* the boundaries, keys */
	size_t nb;
	unsigned k, shift;      /* table: k bits of the key from shift on; k = 0: none */
	uint32_t *start;        /* 2^k entries: a boundary, or nb + a place in sub */
	unsigned k2;            /* second tables: the k2 bits of the key below shift */
	uint32_t *sub;          /* nsub entries, 2^k2 for each crowded entry */
	size_t nsub;
	unsigned steps;
	size_t padded;          /* boundaries, padding included */
};

/* The last boundary at or before each of n keys from begin on, step
 * apart, into out (the boundaries from j on, j at or before begin). */
static void part6_starts(const struct part6 *p, size_t j, u128 begin, u128 step, size_t n,
			 uint32_t *out)
{
	for (size_t e = 0; e < n; e++) {
		u128 at = begin + (u128)e * step;
		while (j + 1 < p->nb && p->b[j + 1] <= at)
			j++;
		out[e] = (uint32_t)j;
	}
}

/* How many boundaries a search from entry e of n starts may have to go
 * through, e's own included: up to the next entry's, or to the last
 * boundary; end: the boundary of the entry after the last (or nb - 1). */
static size_t part6_span(const uint32_t *start, size_t e, size_t n, size_t end)
{
	return (e + 1 < n ? start[e + 1] : end) - start[e] + 1;
}

/* The plan of a table of k bits: p->k, shift, start, k2, sub, nsub and
 * steps. A table entry whose keys hold many boundaries ("crowded": more
 * than 2^steps) points to a second table of its own, indexed by the next
 * k2 bits, instead of making every packet take more steps: random
 * prefixes crowd a few entries (for 50,000 IPv6 prefixes in a /33 and 16
 * bits, 96 entries of 65,536 hold more than 8 boundaries, and made 4 steps
 * where the others need 3). A packet of an uncrowded entry pays one
 * predictable branch; one of a crowded entry, a load more. The second
 * tables get at most a quarter of the first's entries (256 at least). */
/* Whether a table entry whose search goes through span boundaries needs
 * more than steps steps (is "crowded", below). */
static bool crowded(size_t span, unsigned steps)
{
	return span > ((size_t)1 << steps);
}

static void part6_plan(struct part6 *p, unsigned k)
{
	size_t n = (size_t)1 << k, widest = 1, budget = n / 4 > 256 ? n / 4 : 256;
	size_t *span;
	uint32_t *tmp;

	p->k = k;
	p->shift = p->s - k;
	p->start = xcalloc(n, sizeof(*p->start));
	part6_starts(p, 0, 0, (u128)1 << p->shift, n, p->start);
	span = xcalloc(n, sizeof(*span));
	for (size_t e = 0; e < n; e++) {
		span[e] = part6_span(p->start, e, n, p->nb - 1);
		if (span[e] > widest)
			widest = span[e];
	}
	p->steps = ceil_log2(widest);
	tmp = xcalloc((size_t)1 << 12, sizeof(*tmp));
	for (unsigned st = 0; st < p->steps; st++) {
		size_t ncrowded = 0;
		unsigned k2;
		for (size_t e = 0; e < n; e++)
			ncrowded += crowded(span[e], st);
		/* the fewest bits that leave no crowded second entry */
		for (k2 = 1; k2 <= 12 && k2 <= p->shift && (ncrowded << k2) <= budget; k2++) {
			bool ok = true;
			for (size_t e = 0; e < n && ok; e++) {
				size_t m = (size_t)1 << k2;
				size_t end = e + 1 < n ? p->start[e + 1] : p->nb - 1;
				if (!crowded(span[e], st))
					continue;
				part6_starts(p, p->start[e], (u128)e << p->shift,
					     (u128)1 << (p->shift - k2), m, tmp);
				for (size_t j = 0; j < m && ok; j++)
					ok = !crowded(part6_span(tmp, j, m, end), st);
			}
			if (ok)
				break;
		}
		if (k2 > 12 || k2 > p->shift || (ncrowded << k2) > budget)
			continue;
		/* st steps, with second tables of k2 bits */
		p->k2 = k2;
		p->nsub = ncrowded << k2;
		p->sub = xcalloc(p->nsub, sizeof(*p->sub));
		for (size_t e = 0, at = 0; e < n; e++) {
			if (!crowded(span[e], st))
				continue;
			part6_starts(p, p->start[e], (u128)e << p->shift,
				     (u128)1 << (p->shift - k2), (size_t)1 << k2, p->sub + at);
			p->start[e] = (uint32_t)(p->nb + at);
			at += (size_t)1 << k2;
		}
		p->steps = st;
		break;
	}
	free(span);
	free(tmp);
}

static void part6_unplan(struct part6 *p)
{
	free(p->start);
	free(p->sub);
	p->start = p->sub = NULL;
	p->k = p->k2 = 0;
	p->nsub = 0;
}

/* Whether c is searched as a partition of keys; p filled when it is. */
static bool part6_of(const struct cset_search *c, struct part6 *p)
{
	const struct ivals *iv = &c->iv;
	size_t n = iv->len;

	memset(p, 0, sizeof(*p));
	if (c->kind != CSET_IP6 || c->map || !n)
		return false;
	p->common = 128 - bit_length128(iv->v[0].lo ^ iv->v[n - 1].hi);
	if (p->common < 2 || p->common >= 128)
		return false;
	p->s = 128 - p->common;
	p->prefix = iv->v[0].lo & ~analyse_low_bits((int)p->s);
	p->b = xcalloc(2 * n + 1, sizeof(*p->b));
	p->b[p->nb++] = 0;
	for (size_t i = 0; i < n; i++) {
		/* a first interval from key 0 starts at boundary 0: the two
		 * are the same, and the search finds the second */
		p->b[p->nb++] = iv->v[i].lo & analyse_low_bits((int)p->s);
		if ((iv->v[i].hi & analyse_low_bits((int)p->s)) != analyse_low_bits((int)p->s))
			p->b[p->nb++] = (iv->v[i].hi & analyse_low_bits((int)p->s)) + 1;
	}
	p->steps = ceil_log2(p->nb);
	/* the table's size by the set's: from half the boundaries' count in
	 * entries to 8 times it, the fewest steps, then the fewest entries
	 * (the tables' size in .rodata and in the C) */
	if (p->nb > TABLE_MIN_INTERVALS) {
		unsigned lb = ceil_log2(p->nb), best_k = 0, best_steps = p->steps;
		size_t best_size = 0;
		for (unsigned k = lb - 1; k <= lb + 3 && k <= TABLE_MAX_BITS && k <= p->s; k++) {
			part6_plan(p, k);
			size_t size = ((size_t)1 << k) + p->nsub;
			if (p->steps < best_steps || (p->steps == best_steps && best_k &&
						       size < best_size)) {
				best_k = k;
				best_steps = p->steps;
				best_size = size;
			}
			part6_unplan(p);
		}
		if (best_k)
			part6_plan(p, best_k);
		else
			p->steps = ceil_log2(p->nb);
	}
	p->padded = p->nb + ((size_t)1 << p->steps) - 1;
	return true;
}

/* "(a & M) >> S" pieces of the key: its bits [from, from + len) */
static void write_key_bits(FILE *out, unsigned from, unsigned len)
{
	unsigned long long mask = len >= 64 ? ~0ULL : (1ULL << len) - 1;

	if (from >= 63)
		fprintf(out, "(kh >> %u) & 0x%llx", from - 63, mask);
	else if (from + len <= 63)
		fprintf(out, "(kl >> %u) & 0x%llx", from, mask);
	else
		fprintf(out, "((kh << %u) | (kl >> %u)) & 0x%llx", 63 - from, from, mask);
}

static void write_search6(FILE *out, const struct cset_search *c, const struct part6 *p,
			  const char *arr)
{
	struct addr a = { .family = 6, .is_prefix = true, .prefix_len = (int)p->common };
	struct sbuf net = { 0 };
	uint64_t ph = (uint64_t)(p->prefix >> 64), pl = (uint64_t)p->prefix;
	u128 pad = (u128)1 << 126;      /* kh = 2^63, kl = 0: above every key */

	for (int i = 0; i < 16; i++)
		a.bytes[i] = (uint8_t)(p->prefix >> (120 - 8 * i));
	emit_addr_text(&net, &a);
	fprintf(out, "all in %s: %zu boundaries of segments out of and in the set\n"
		" * (keys: the address's last %u bits; odd indexes start the set's);\n * ",
		sb_str(&net), p->nb, p->s);
	if (p->k)
		fprintf(out, "a table of %u bits, ", p->k);
	if (p->nsub)
		fprintf(out, "%zu crowded entries with a second table of %u bits, ",
			p->nsub >> p->k2, p->k2);
	fprintf(out, "then %u steps */\n", p->steps);
	write_keys127(out, arr, p->b, p->nb, p->padded, pad);
	if (p->k)
		write_u32s(out, arr, "_start", p->start, (size_t)1 << p->k,
			   p->nsub ? "the table, __u32: where the search starts, or above the last "
			   "boundary, where the entry's second table starts in _sub" :
			   "the table, __u32: where the search starts");
	if (p->nsub)
		write_u32s(out, arr, "_sub", p->sub, p->nsub,
			   "the second tables, __u32: where the search starts");
	fprintf(out, "static __always_inline int lwtp_set%u_has6(__u64 x_hi, __u64 x_lo)\n{\n",
		c->id);
	/* outside the common prefix: in no interval */
	if (p->common < 64)
		fprintf(out, "\tif ((x_hi >> %u) != 0x%" PRIx64 "ULL)\n", 64 - p->common,
			ph >> (64 - p->common));
	else if (p->common == 64)
		fprintf(out, "\tif (x_hi != 0x%016" PRIx64 "ULL)\n", ph);
	else
		fprintf(out, "\tif (x_hi != 0x%016" PRIx64 "ULL || (x_lo >> %u) != 0x%" PRIx64
			"ULL)\n", ph, 128 - p->common, pl >> (128 - p->common));
	fprintf(out, "\t\treturn 0;   /* outside %s */\n\n", sb_str(&net));
	/* the key's halves, both below 2^63 */
	if (p->s > 63)
		fprintf(out, "\t__u64 kh = ((x_hi << 1) | (x_lo >> 63)) & 0x%llx;\n",
			p->s - 63 >= 64 ? ~0ULL : (1ULL << (p->s - 63)) - 1);
	else
		fprintf(out, "\t__u64 kh = 0;\n");
	fprintf(out, "\t__u64 kl = x_lo & 0x%llx;\n",
		p->s >= 63 ? 0x7fffffffffffffffULL : (1ULL << p->s) - 1);
	if (p->k && p->nsub) {
		fprintf(out, "\t__u64 i = %s_start.v[", arr);
		write_key_bits(out, p->shift, p->k);
		fprintf(out, "];\n\n\tasm volatile(\"\" : \"+r\"(i));\n");
		fprintf(out, "\tif (i > %zu) {\n"
			"\t\t/* a crowded entry: its second table, by the next %u bits */\n"
			"\t\t__u64 j = i - %zu + (", p->nb - 1, p->k2, p->nb);
		write_key_bits(out, p->shift - p->k2, p->k2);
		fprintf(out, ");\n\n\t\tasm volatile(\"\" : \"+r\"(j));\n"
			"\t\tif (j > %zu)\n\t\t\tj = %zu;   /* it is not: for the verifier */\n"
			"\t\ti = %s_sub.v[j];\n\t\tasm volatile(\"\" : \"+r\"(i));\n"
			"\t\tif (i > %zu)\n\t\t\ti = %zu;   /* it is not: for the verifier */\n\t}\n",
			p->nsub - 1, p->nsub - 1, arr, p->nb - 1, p->nb - 1);
	} else if (p->k) {
		fprintf(out, "\t__u64 i = %s_start.v[", arr);
		write_key_bits(out, p->shift, p->k);
		fprintf(out, "];\n\n\tasm volatile(\"\" : \"+r\"(i));\n");
		fprintf(out, "\tif (i > %zu)\n\t\ti = %zu;   /* it is not: for the verifier */\n",
			p->nb - 1, p->nb - 1);
	} else {
		fprintf(out, "\t__u64 i = 0;\n");
	}
	fprintf(out, "\t/* i: the last boundary at or before the key */\n");
	for (unsigned st = p->steps; st-- > 0;)
		fprintf(out, "\ti += lwtp_le127(%s.v[i + %zu].h, %s.v[i + %zu].l, kh, kl) << %u;\n",
			arr, (size_t)1 << st, arr, (size_t)1 << st, st);
	fprintf(out, "\treturn i & 1;\n}\n\n");
	sb_free(&net);
}

/* A map's values, parallel to its intervals, padded as they are. */
static void write_values(FILE *out, const struct cset_search *c, const struct layout *l,
			 const char *name)
{
	struct blob b = { 0 };
	char *vname = xasprintf("%s_val", name);

	for (size_t i = 0; i < l->padded; i++)
		blob_u32(&b, (uint32_t)c->iv.v[i < c->iv.len ? i : c->iv.len - 1].value);
	write_blob(out, vname, "__u32", l->padded, &b,
		   "the value of each interval, __u32, padded as they are");
	free(vname);
}

static void write_array(FILE *out, const struct cset_search *c, const struct layout *l,
			const char *name)
{
	static const char *const types[] = {
		"struct lwtp_span32", "struct lwtp_span64", "struct lwtp_span32",
		"struct lwtp_span128",
	};
	static const char *const what[] = {
		"the intervals as struct lwtp_span32 { __u32 lo, hi; }",
		"the intervals as struct lwtp_span64 { __u64 lo, hi; }",
		"the intervals as struct lwtp_span32 { __u32 lo, hi; }, host order",
		"the intervals as struct lwtp_span128 { __u64 lo_hi, lo_lo, hi_hi, hi_lo; }",
	};
	struct blob b = { 0 };
	char *comment;

	if (l->k)
		write_u32s(out, name, "_start", l->start, (size_t)1 << l->k,
			   "the table, __u32: where the search starts");
	for (size_t i = 0; i < l->padded; i++) {
		const struct ival *v = &c->iv.v[i < c->iv.len ? i : c->iv.len - 1];
		u128 lo = v->lo, hi = v->hi;
		switch (c->kind) {
		case CSET_U32:
		case CSET_IP4:
			blob_u32(&b, (uint32_t)lo);
			blob_u32(&b, (uint32_t)hi);
			break;
		case CSET_U64:
			blob_u64(&b, (uint64_t)lo);
			blob_u64(&b, (uint64_t)hi);
			break;
		case CSET_IP6:
			blob_u64(&b, (uint64_t)(lo >> 64));
			blob_u64(&b, (uint64_t)lo);
			blob_u64(&b, (uint64_t)(hi >> 64));
			blob_u64(&b, (uint64_t)hi);
			break;
		}
	}
	comment = xasprintf("%s, sorted, then copies of the last one for the last window",
			    what[c->kind]);
	write_blob(out, name, types[c->kind], l->padded, &b, comment);
	free(comment);
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
			fprintf(out, "lwtp_le%s(x, %s.v[%s].%s)", kind == CSET_U64 ? "64" : "32",
				arr, idx, end);
		else
			fprintf(out, "lwtp_le%s(%s.v[%s].%s, x)", kind == CSET_U64 ? "64" : "32",
				arr, idx, end);
		break;
	case CSET_IP6:
		if (value_first)
			fprintf(out, "lwtp_le128(x_hi, x_lo, %s.v[%s].%s_hi, %s.v[%s].%s_lo)",
				arr, idx, end, arr, idx, end);
		else
			fprintf(out, "lwtp_le128(%s.v[%s].%s_hi, %s.v[%s].%s_lo, x_hi, x_lo)",
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
	struct part6 p;

	if (part6_of(c, &p)) {
		fprintf(out, "/* %s: %zu %s intervals from %zu elements,\n * ", safe, c->iv.len,
			what[c->kind], c->nelements);
		write_search6(out, c, &p, arr);
		free(p.b);
		part6_unplan(&p);
		free(safe);
		free(arr);
		return;
	}
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
		fprintf(out, "\t__u64 i = %s_start.v[", arr);
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
		fprintf(out, "\t*v = %s_val.v[i];\n", arr);
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
	if (e->an->sets.searches) {
		fprintf(e->out, "/* The searches' tables are written as bytes in lwtc's byte order. */\n"
			"#if __BYTE_ORDER__ != __ORDER_%s_ENDIAN__\n"
			"#error \"lwtc wrote these tables for a %s target\"\n#endif\n\n",
			HOST_ORDER_MACRO, HOST_ORDER);
	}
	for (const struct cset_search *c = e->an->sets.searches; c; c = c->next)
		write_search(e->out, c);
}
