/* emit_sets.c: writing the tests of constant sets, as analyse_sets.c
 * planned them (see analyse_sets.h): integers one by one, as a balanced
 * compare tree, or by a call of their search; addresses, per family, as
 * masked compares of prefixes or by a call of their search. The searches
 * themselves are written by emit_search.c.
 */
#include "emit_priv.h"
#include "walk.h"

/* ---- integers --------------------------------------------------------------------- */

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

/* The plan of the test x; NULL (said) when the analysis has none. */
static const struct set_match *planned(struct emitter *e, const struct expr *x, bool addr)
{
	const struct set_match *m = analyse_set_match(&e->an->sets, x);

	if (m && m->addr == addr)
		return m;
	emit_unplanned(e, "%s:%d: a test of a constant set that analyse_sets.c did not plan",
		       x->loc.file ? x->loc.file : "?", x->loc.first_line);
	return NULL;
}

void emit_int_in(struct emitter *e, struct sbuf *b, const struct expr *x)
{
	const struct set_match *plan = planned(e, x, false);
	const struct int_match *m = plan ? &plan->ints : NULL;
	const struct ivals *s = m ? &m->spans : NULL;
	struct sbuf v = { 0 };
	const char *vtype;

	if (!m || m->form == INT_MATCH_NONE) {
		sb_puts(b, "0");
		return;
	}
	vtype = m->max > UINT32_MAX ? "__u64" : "__u32";
	emit_value(e, &v, x->u.binary.left);
	switch (m->form) {
	case INT_MATCH_NONE:
		break;
	case INT_MATCH_ONE: {
		struct sbuf t = { 0 };
		span_test(&t, sb_str(&v), &s->v[0], m->max);
		if (s->v[0].lo != s->v[0].hi && !(s->v[0].lo == 0 || s->v[0].hi >= m->max))
			sb_puts(b, sb_str(&t));         /* already parenthesized */
		else
			sb_printf(b, "(%s)", sb_str(&t));
		sb_free(&t);
		break;
	}
	case INT_MATCH_LINEAR:
		sb_printf(b, "({ %s lwtp_v = %s; ", vtype, sb_str(&v));
		spans_or(b, "lwtp_v", s->v, s->len, m->max);
		sb_puts(b, "; })");
		break;
	case INT_MATCH_TREE:
		sb_printf(b, "({ %s lwtp_v = %s; ", vtype, sb_str(&v));
		spans_tree(b, s->v, s->len, m->max);
		sb_puts(b, "; })");
		break;
	case INT_MATCH_SEARCH:
		sb_printf(b, "lwtp_set%u_has(%s)", m->search->id, sb_str(&v));
		break;
	}
	sb_free(&v);
}

/* ---- addresses -------------------------------------------------------------------- */

/* Does f (in the family's header, known present) match the prefix? Masked
 * compares of 32-bit words in network order. */
static void prefix_match(struct sbuf *b, const struct field_def *f, int family, u128 value,
			 int plen)
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

/* ---- searches done once ------------------------------------------------------ */

/* A search of one family's source or destination address, which the
 * policy tests more than once ('count seen if ip.dst in deny; drop if
 * ip.dst in deny;'), is done once a packet: the first test that needs it
 * stores its answer in lwtp_foundN (-1: not searched yet), the others
 * read it. Nothing a policy does changes the packet, and clang cannot see
 * that the two searches are one (a map update between them may write
 * memory, and the packet is memory). A search is some 60 instructions. */
static struct search_memo *memo_of(struct emitter *e, const struct cset_search *search,
				   bool src, int family)
{
	for (unsigned i = 0; i < e->nmemos; i++)
		if (e->memos[i].search == search && e->memos[i].src == src &&
		    e->memos[i].family == family)
			return &e->memos[i];
	return NULL;
}

static void note_search(struct emitter *e, const struct cset_search *search, bool src,
			int family)
{
	struct search_memo *m = memo_of(e, search, src, family);

	if (m)
		m->uses++;
	else if (e->nmemos < EMIT_MAX_MEMOS)
		e->memos[e->nmemos++] = (struct search_memo){ search, src, family, 1 };
}

/* The address field an address test reads: its left side, or its right. */
static const struct field_def *tested_field(const struct expr *x)
{
	const struct expr *l = x->u.binary.left, *r = x->u.binary.right;

	if (l && l->kind == EXPR_FIELD)
		return l->u.field.def;
	return r && r->kind == EXPR_FIELD ? r->u.field.def : NULL;
}

static enum walk_next count_searches(struct expr *x, int depth, void *ctx)
{
	struct emitter *e = ctx;
	const struct set_match *m;
	const struct field_def *f;

	if (x->kind != EXPR_BINARY)
		return WALK_ON;
	m = analyse_set_match(&e->an->sets, x);
	f = m && m->addr ? tested_field(x) : NULL;
	for (int i = 0; f && i < 2; i++)
		if (m->fam[i].search)
			note_search(e, m->fam[i].search, emit_field_is_src(f), i ? 6 : 4);
	return WALK_ON;
}

static enum walk_next count_stmt_searches(struct stmt *s, struct policy *p, void *ctx)
{
	walk_stmt_exprs(s, count_searches, ctx);
	return WALK_ON;
}

void emit_search_memos(struct emitter *e, struct policy *p)
{
	bool any = false;

	e->nmemos = 0;
	walk_stmts(&p->body, p, count_stmt_searches, e);
	for (unsigned i = 0; i < e->nmemos; i++) {
		const struct search_memo *m = &e->memos[i];

		if (m->uses < 2)
			continue;
		if (!any)
			fprintf(e->out, "	/* searched once, when first tested: -1 not yet */\n");
		any = true;
		fprintf(e->out, "	int lwtp_found%u = -1;   /* %s address, IPv%d, set %u */\n", i,
			m->src ? "source" : "destination", m->family, m->search->id);
	}
	if (any)
		fprintf(e->out, "\n");
}

/* ---- addresses ------------------------------------------------------------------ */

/* A search of the family's address: "lwtp_setN_has4(...)", or its answer
 * kept in lwtp_foundN when the policy tests it more than once. */
static void search_call(struct emitter *e, struct sbuf *b, const struct cset_search *search,
			bool src, int family)
{
	const char *which = src ? "saddr" : "daddr";
	const struct search_memo *m = memo_of(e, search, src, family);
	struct sbuf call = { 0 };

	if (family == 4)
		sb_printf(&call, "lwtp_set%u_has4(bpf_ntohl(lwtp_pkt.ip4->%s))", search->id, which);
	else
		sb_printf(&call, "lwtp_set%u_has6(lwtp_ip6_hi(lwtp_pkt.ip6->%s), "
			  "lwtp_ip6_lo(lwtp_pkt.ip6->%s))", search->id, which, which);
	if (m && m->uses >= 2) {
		unsigned n = (unsigned)(m - e->memos);

		sb_printf(b, "(lwtp_found%u >= 0 ? lwtp_found%u : (lwtp_found%u = %s))", n, n, n,
			  sb_str(&call));
	} else {
		sb_puts(b, sb_str(&call));
	}
	sb_free(&call);
}

/* f matches one of the family's addresses: masked compares, or a search. */
static void family_match(struct emitter *e, struct sbuf *b, const struct field_def *f,
			 const struct family_match *m, int family)
{
	if (m->search) {
		search_call(e, b, m->search, emit_field_is_src(f), family);
		return;
	}
	for (size_t i = 0; i < m->prefixes.len; i++) {
		if (i)
			sb_puts(b, " || ");
		prefix_match(b, f, family, m->prefixes.v[i].lo, (int)m->prefixes.v[i].hi);
	}
}

void emit_addr_in(struct emitter *e, struct sbuf *b, const struct expr *x,
		  const struct field_def *f)
{
	static const int families[] = { 4, 6 };
	const struct set_match *m = planned(e, x, true);
	int groups = 0;

	for (int i = 0; m && i < 2; i++)
		groups += m->fam[i].tests > 0;
	if (!groups) {
		sb_puts(b, "0");
		return;
	}
	if (groups > 1)
		sb_puts(b, "(");
	for (int i = 0, k = 0; i < 2; i++) {
		struct sbuf g = { 0 };
		if (!m->fam[i].tests)
			continue;
		if (k++)
			sb_puts(b, " || ");
		family_match(e, &g, f, &m->fam[i], families[i]);
		if (m->fam[i].tests > 1)
			sb_printf(b, "(lwtp_has(lwtp_pkt.ip%d) && (%s))", families[i], sb_str(&g));
		else
			sb_printf(b, "(lwtp_has(lwtp_pkt.ip%d) && %s)", families[i], sb_str(&g));
		sb_free(&g);
	}
	if (groups > 1)
		sb_puts(b, ")");
}
