/* emit.c: the C emitter. Writes one self-contained BPF C file for a
 * checked program, whose parts, parser calls, sample rings and constant
 * sets' tests the analysis (analyse.c) has decided, once, in this order:
 *
 *   header comment and includes
 *   map key and value types (typedefs that say how to print each member)
 *   maps, one per statistic, in order of first use
 *   the prelude helpers the programs use (emit_prelude.c)
 *   the searches of large constant sets (emit_search.c)
 *   one SEC("<policy>") function per policy, in file order
 *   the license
 *   the object's identity: a hash of all of the above, in a function's name
 *
 * Every statement's code is preceded by a #line directive naming its
 * source line, so clang's and the verifier's messages and bpftool's
 * "dump xlated linum" point at the policy.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "emit.h"
#include "emit_priv.h"
#include "emit_rset.h"
#include "kernel.h"
#include "lwtp_contract.h"
#include "parts.h"
#include "stat_size.h"
#include "util.h"

#ifndef LWTC_VERSION
#define LWTC_VERSION "dev"
#endif

/* ---- output lines and #line bookkeeping ---------------------------------- */

static void vline(struct emitter *e, int depth, const char *fmt, va_list ap)
{
	if (*fmt) {
		for (int i = 0; i < depth; i++)
			fputc('\t', e->out);
		vfprintf(e->out, fmt, ap);
	}
	fputc('\n', e->out);
	if (e->next_line)
		e->next_line++;
}

/* A line that is not code of a statement: comments, braces, blanks. */
static void __attribute__((format(printf, 3, 4)))
plain(struct emitter *e, int depth, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(e, depth, fmt, ap);
	va_end(ap);
}

static void blank(struct emitter *e)
{
	fputc('\n', e->out);
	if (e->next_line)
		e->next_line++;
}

/* A line of code that comes from source line src. */
static void __attribute__((format(printf, 4, 5)))
code(struct emitter *e, int src, int depth, const char *fmt, ...)
{
	va_list ap;

	if (src > 0 && e->next_line != src) {
		/* the file name carries over to later directives */
		if (e->named)
			fprintf(e->out, "#line %d\n", src);
		else
			fprintf(e->out, "#line %d %s\n", src, e->file_lit);
		e->named = true;
		e->next_line = src;
	}
	va_start(ap, fmt);
	vline(e, depth, fmt, ap);
	va_end(ap);
}

/* The file name as a C string literal, for #line. */
static char *c_string(const char *s)
{
	struct sbuf b = { 0 };

	sb_puts(&b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			sb_printf(&b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			sb_printf(&b, "\\%03o", c);
		else
			sb_printf(&b, "%c", c);
	}
	sb_puts(&b, "\"");
	return b.s;
}

/* "x" or "x" without its outer parentheses when they enclose it all. A
 * statement expression "({ ... })" keeps them: "if ({ ... })" is not C. */
static const char *strip_parens(const char *s, struct sbuf *tmp)
{
	size_t n = strlen(s);
	int depth = 0;

	if (n < 2 || s[0] != '(' || s[n - 1] != ')' || s[1] == '{')
		return s;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0 && i != n - 1)
			return s;
	}
	sb_printf(tmp, "%.*s", (int)(n - 2), s + 1);
	return sb_str(tmp);
}

/* ---- statements ------------------------------------------------------------ */

static void emit_stmts(struct emitter *e, const struct stmt_list *list, int depth);

static int line_of(const struct stmt *s)
{
	return s->loc.first_line;
}

/* The guard of a statement: the presence of every field its key or value
 * reads, and its condition. "" when it always runs. The presence tests
 * come first: they are registers (or a load of lwtp_pkt), where the
 * condition may read skb fields in assembly (lwtp_ctx_read()), which clang
 * must then do first and combine without a branch; both are free of side
 * effects, so the order does not change what the statement does. */
static void stmt_guard(struct emitter *e, struct sbuf *g, const struct expr *cond,
		       unsigned presence)
{
	if (presence) {
		emit_presence_text(g, presence);
		if (cond)
			sb_puts(g, " && ");
	}
	if (cond)
		emit_cond(e, g, cond);
}

static void keys_comment(struct sbuf *b, const struct stmt *s)
{
	if (!s->u.stat.keys.len)
		return;
	sb_puts(b, " by ");
	if (s->u.stat.keys.len > 1)
		sb_puts(b, "(");
	for (size_t i = 0; i < s->u.stat.keys.len; i++) {
		if (i)
			sb_puts(b, ", ");
		emit_expr_text(b, s->u.stat.keys.items[i]);
	}
	if (s->u.stat.keys.len > 1)
		sb_puts(b, ")");
}

/* "limit ssh rate 10/s burst 5 by ip.src else drop" */
static void budget_comment(struct sbuf *b, const struct stmt *s)
{
	const struct rate *r = &s->u.stat.rate;
	const struct action *a = &s->u.stat.action;

	if (s->kind == STMT_LIMIT) {
		sb_printf(b, "limit %s%s rate %llu%s/%s burst %llu%s", s->u.stat.name,
			  s->u.stat.wire ? " wire" : "", (unsigned long long)r->amount,
			  r->unit == UNIT_BYTES ? "B" : r->unit == UNIT_BITS ? "bit" : "",
			  r->period_ns == 1000000000ULL ? "s" : r->period_ns == 60000000000ULL ? "min" : "h",
			  (unsigned long long)s->u.stat.amount, s->u.stat.amount_unit ? "B" : "");
	} else {
		sb_printf(b, "quota %s%s %llu%s", s->u.stat.name, s->u.stat.wire ? " wire" : "",
			  (unsigned long long)s->u.stat.amount, s->u.stat.amount_unit ? "B" : "");
	}
	keys_comment(b, s);
	if (s->u.stat.has_size)
		sb_printf(b, " size %llu", (unsigned long long)s->u.stat.size);
	if (a->kind == ACTION_DROP) {
		sb_puts(b, " else drop");
	} else if (a->kind == ACTION_COUNT) {
		sb_puts(b, " else count");
	} else {
		sb_puts(b, " else set ");
		emit_expr_text(b, a->target);
		sb_puts(b, " = ");
		emit_expr_text(b, a->value);
	}
}

/* The statement's comment: "count per_dst by ip.dst if tcp.dport == 22" */
static void stmt_comment(struct emitter *e, const struct stmt *s, int depth)
{
	struct sbuf b = { 0 };
	char *safe;

	switch (s->kind) {
	case STMT_COUNT:
	case STMT_HIST:
		sb_printf(&b, "%s %s", s->kind == STMT_COUNT ? "count" : "hist", s->u.stat.name);
		if (s->u.stat.wire)
			sb_puts(&b, " wire");
		if (s->kind == STMT_HIST) {
			if (s->u.stat.hist == HIST_LOG2) {
				sb_puts(&b, " log2(");
				emit_expr_text(&b, s->u.stat.value);
				sb_puts(&b, ")");
			} else {
				sb_puts(&b, " linear(");
				emit_expr_text(&b, s->u.stat.value);
				sb_printf(&b, ", %llu, %llu, %llu)",
					  (unsigned long long)s->u.stat.lin_min,
					  (unsigned long long)s->u.stat.lin_max,
					  (unsigned long long)s->u.stat.lin_step);
			}
		}
		keys_comment(&b, s);
		break;
	case STMT_LIMIT:
	case STMT_QUOTA:
		budget_comment(&b, s);
		break;
	case STMT_SAMPLE:
		sb_printf(&b, "sample %s %llu/%llu snaplen %llu", s->u.stat.name,
			  (unsigned long long)s->u.stat.ratio_num,
			  (unsigned long long)s->u.stat.ratio_den,
			  (unsigned long long)stat_snaplen(s));
		break;
	case STMT_DROP:
		sb_puts(&b, "drop");
		break;
	case STMT_PASS:
		sb_puts(&b, "pass");
		break;
	case STMT_SET:
		sb_puts(&b, "set ");
		emit_expr_text(&b, s->u.set.target);
		sb_puts(&b, " = ");
		emit_expr_text(&b, s->u.set.value);
		if (s->u.set.map)
			sb_printf(&b, " map { %zu keys }", s->u.set.map->keys->u.set.len);
		else if (s->u.set.map_name)
			sb_printf(&b, " map %s", s->u.set.map_name);
		break;
	case STMT_VMAP:
		sb_puts(&b, "vmap ");
		emit_expr_text(&b, s->u.set.value);
		if (s->u.set.map)
			sb_printf(&b, " { %zu keys }", s->u.set.map->keys->u.set.len);
		else
			sb_printf(&b, " %s", s->u.set.map_name);
		break;
	case STMT_IF:
		sb_puts(&b, "if ");
		emit_expr_text(&b, s->u.if_.test);
		break;
	case STMT_CONST:
		break;
	}
	if (s->cond) {
		sb_puts(&b, " if ");
		emit_expr_text(&b, s->cond);
	}
	if (e->plan->policy->audit && audit_counts(s))
		sb_printf(&b, " -- audit: %s%s", s->kind == STMT_VMAP ? "would drop, passed" :
			  audit_what(s, 0),
			  s->kind == STMT_LIMIT || s->kind == STMT_QUOTA ? ", counted when over" : "");
	safe = emit_comment_safe(sb_str(&b));
	plain(e, depth, "/* %s */", safe);
	free(safe);
	sb_free(&b);
}

/* "if (GUARD)" line, or nothing; returns the depth of the guarded code */
static int open_guard(struct emitter *e, int src, int depth, const struct sbuf *g, bool block)
{
	struct sbuf tmp = { 0 };

	if (!g->len) {
		if (block)
			code(e, src, depth, "{");
		return block ? depth + 1 : depth;
	}
	code(e, src, depth, "if (%s)%s", strip_parens(sb_str(g), &tmp), block ? " {" : "");
	sb_free(&tmp);
	return depth + 1;
}

/* End the program with a verdict: a plain return, or, in a policy that
 * samples, by its exit, which writes the samples first. */
static void emit_return(struct emitter *e, int src, int depth, const char *verdict)
{
	if (e->plan->nrings)
		code(e, src, depth, "{ lwtp_verdict = %s; goto lwtp_exit; }", verdict);
	else
		code(e, src, depth, "return %s;", verdict);
}

/* Audit mode: count the packet in the member of the policy's
 * lwtp_audit_NAME that stands for s (NULL: the policy's end). */
static void audit_call_member(struct emitter *e, int src, int depth, const struct stmt *s,
			      size_t i)
{
	const char *p = e->plan->policy->name;
	char *m = s ? audit_member(s, i) : audit_end_member(e->plan->policy);

	code(e, src, depth, "lwtp_audit(&" LWTP_AUDIT_PREFIX "%s, __builtin_offsetof(struct "
	     LWTP_AUDIT_PREFIX "%s, %s), skb->len);", p, p, m);
	free(m);
}

static void audit_call(struct emitter *e, int src, int depth, const struct stmt *s)
{
	audit_call_member(e, src, depth, s, 0);
}

/* The network mask of a /len prefix over bits [32*word, 32*word+32) of an
 * address, in host order. */
static uint32_t prefix_mask(int len, int word)
{
	int bits = len - 32 * word;

	if (bits <= 0)
		return 0;
	return bits >= 32 ? 0xffffffffu : ~0u << (32 - bits);
}

/* Word i of the 16-byte key member k masked with the constant m. */
static void mask_word(struct emitter *e, int src, int depth, const struct map_key_member *k,
		      int i, uint32_t m)
{
	if (m == 0xffffffffu)
		return;
	if (m)
		code(e, src, depth, "lwtp_key.%s[%d] &= bpf_htonl(0x%08x);", k->name, i, m);
	else
		code(e, src, depth, "lwtp_key.%s[%d] = 0;", k->name, i);
}

/* Zero the host bits of the /len IPv6 prefix in the 16-byte key member k. */
static void mask_ip6(struct emitter *e, int src, int depth, const struct map_key_member *k,
		     int len)
{
	for (int i = 0; i < 4; i++)
		mask_word(e, src, depth, k, i, prefix_mask(len, i));
}

/* An address prefix key member of either family (lwtp_ip_prefix_L4_L6_t),
 * filled with the whole address: its host bits zero, by the family the
 * packet has. IPv4 is ::ffff:a.b.c.d, its prefix in the last word. */
static void mask_ip(struct emitter *e, int src, int depth, const struct map_key_member *k)
{
	uint32_t m4 = prefix_mask(k->plen4, 0);

	if (m4 != 0xffffffffu) {
		code(e, src, depth, "if (lwtp_has(lwtp_pkt.ip4)) {   /* IPv4 /%d */", k->plen4);
		mask_word(e, src, depth + 1, k, 3, m4);
		if (k->plen6 < 128) {
			code(e, src, depth, "} else {   /* IPv6 /%d */", k->plen6);
			mask_ip6(e, src, depth + 1, k, k->plen6);
		}
		code(e, src, depth, "}");
	} else if (k->plen6 < 128) {
		code(e, src, depth, "if (!lwtp_has(lwtp_pkt.ip4)) {   /* IPv6 /%d */", k->plen6);
		mask_ip6(e, src, depth + 1, k, k->plen6);
		code(e, src, depth, "}");
	}
}

/* Fill one key member from its field; an address prefix ('by ip.dst/24/48')
 * with its host bits zero. */
static void key_member(struct emitter *e, int src, int depth, const struct map_key_member *k)
{
	const struct field_def *f = k->field;
	struct sbuf v = { 0 };

	if (k->type->addr) {
		const char *which = (f->id == F_IP_SRC || f->id == F_IP6_SRC) ? "saddr" : "daddr";
		if (f->header == HDR_IP) {
			code(e, src, depth, "lwtp_ip_key_%s(lwtp_key.%s, &lwtp_pkt);",
			     which, k->name);
			if (k->plen4 >= 0)
				mask_ip(e, src, depth, k);
		} else {
			code(e, src, depth, "lwtp_ip_from6(lwtp_key.%s, lwtp_pkt.ip6->%s);",
			     k->name, which);
			if (k->plen6 >= 0)
				mask_ip6(e, src, depth, k, k->plen6);
		}
		return;
	}
	emit_field_value(e, &v, f, k->index);
	if (k->plen4 >= 0 && k->plen4 < 32)
		code(e, src, depth, "lwtp_key.%s = %s & bpf_htonl(0x%08x);   /* /%d */", k->name,
		     sb_str(&v), prefix_mask(k->plen4, 0), k->plen4);
	else
		code(e, src, depth, "lwtp_key.%s = %s;", k->name, sb_str(&v));
	sb_free(&v);
}

/* The bucket a histogram statement's value falls in. */
static void bucket_expr(struct emitter *e, struct sbuf *b, const struct stmt *s)
{
	const struct map_def *m = s->u.stat.map;
	const struct expr *v = s->u.stat.value;
	struct sbuf val = { 0 };

	emit_value(e, &val, v);
	if (m->kind == MAP_HIST_LOG2) {
		bool wide = v->type.kind == TYPE_INT && v->type.bits > 32;
		sb_printf(b, "lwtp_log2_%s(%s)", wide ? "64" : "32", sb_str(&val));
	} else {
		sb_printf(b, "lwtp_linear(%s, ", sb_str(&val));
		emit_number(b, m->lin_min);
		sb_puts(b, ", ");
		emit_number(b, m->lin_max);
		sb_puts(b, ", ");
		emit_number(b, m->lin_step);
		sb_printf(b, ", %u)", m->nbuckets - 2);
	}
	sb_free(&val);
}

static void emit_stat(struct emitter *e, const struct stmt *s, int depth)
{
	const struct map_def *m = s->u.stat.map;
	int src = line_of(s);
	unsigned presence = 0;
	struct sbuf g = { 0 }, bucket = { 0 };
	int d;

	if (!m)
		return;     /* resources reported an error */
	for (size_t i = 0; i < s->u.stat.keys.len; i++)
		presence |= emit_presence_of(e, s->u.stat.keys.items[i]);
	if (s->kind == STMT_HIST) {
		presence |= emit_presence_of(e, s->u.stat.value);
		bucket_expr(e, &bucket, s);
	}
	stmt_guard(e, &g, s->cond, presence);

	if (!m->keyed) {
		d = open_guard(e, src, depth, &g, false);
		if (s->kind == STMT_COUNT && s->u.stat.wire)
			code(e, src, d, "lwtp_count_wire(&%s, skb, &lwtp_pkt);", m->name);
		else if (s->kind == STMT_COUNT)
			code(e, src, d, "lwtp_count(&%s, skb->len);", m->name);
		else
			code(e, src, d, "lwtp_hist(&%s, %s);", m->name, sb_str(&bucket));
		goto out;
	}

	d = open_guard(e, src, depth, &g, true);
	code(e, src, d, "struct %s_key lwtp_key = {};   /* padding too */", m->name);
	for (size_t i = 0; i < m->nmembers; i++) {
		const struct map_key_member *k = &m->members[i];
		if (k->field)
			key_member(e, src, d, k);
		else if (k->type)   /* the bucket */
			code(e, src, d, "lwtp_key.bucket = %s;", sb_str(&bucket));
	}
	if (s->kind == STMT_COUNT && s->u.stat.wire)
		code(e, src, d, "lwtp_count_wire_key(&%s, &lwtp_key, skb, &lwtp_pkt, &"
		     LWTP_FULL_PREFIX "%s);", m->name, m->name);
	else if (s->kind == STMT_COUNT)
		code(e, src, d, "lwtp_count_key(&%s, &lwtp_key, skb->len, &" LWTP_FULL_PREFIX "%s);",
		     m->name, m->name);
	else
		code(e, src, d, "lwtp_hist_key(&%s, &lwtp_key, &" LWTP_FULL_PREFIX "%s);", m->name, m->name);
	plain(e, depth, "}");
out:
	sb_free(&g);
	sb_free(&bucket);
}

/* What a packet costs a limit or quota: as the route sees it, or, with
 * 'wire', as it goes on the wire (its GSO segments and their bytes). */
static const char *cost_text(enum amount_unit unit, bool wire)
{
	if (wire) {
		switch (unit) {
		case UNIT_PACKETS: return "lwtp_wire_packets(skb)";
		case UNIT_BYTES:   return "lwtp_wire_bytes(skb, &lwtp_pkt)";
		case UNIT_BITS:    return "lwtp_wire_bytes(skb, &lwtp_pkt) * 8";
		}
	}
	switch (unit) {
	case UNIT_PACKETS: return "1";
	case UNIT_BYTES:   return "skb->len";
	case UNIT_BITS:    return "(__u64)skb->len * 8";
	}
	return "1";
}

/* The call that takes a packet from a limit or quota: 1 within, 0 over. */
static void budget_call(struct sbuf *b, const struct map_def *m, bool wire)
{
	const struct limit_params *p = &m->limit;

	if (m->kind == MAP_LIMIT) {
		if (m->keyed)
			sb_printf(b, "lwtp_limit_key(&%s, &lwtp_key, &" LWTP_FULL_PREFIX "%s, ", m->name, m->name);
		else
			sb_printf(b, "lwtp_limit(&%s, %u, ", m->name, p->stripe);
		sb_printf(b, "%s, &(const struct lwtp_limit_params){ .rate_n = %lluULL, "
			  ".scale = %lluULL, .cap = %lluULL, .fill_ns = %lluULL, .rate = %lluULL, "
			  ".period_ns = %lluULL, .burst = %lluULL, .unit = %d })",
			  cost_text(m->unit, wire), (unsigned long long)p->rate_n,
			  (unsigned long long)p->scale, (unsigned long long)p->cap,
			  (unsigned long long)p->fill_ns, (unsigned long long)p->rate,
			  (unsigned long long)p->period_ns, (unsigned long long)p->burst, (int)m->unit);
		return;
	}
	if (m->keyed)
		sb_printf(b, "lwtp_quota_key(&%s, &lwtp_key, &" LWTP_FULL_PREFIX "%s, ", m->name, m->name);
	else
		sb_printf(b, "lwtp_quota(&%s, ", m->name);
	sb_printf(b, "%s, %lluULL, %d)", cost_text(m->unit, wire), (unsigned long long)m->quota,
		  (int)m->unit);
}

/* limit and quota: take the packet from the bucket or budget; over it, the
 * action. */
static void emit_budget(struct emitter *e, const struct stmt *s, int depth)
{
	const struct map_def *m = s->u.stat.map;
	const struct action *a = &s->u.stat.action;
	int src = line_of(s);
	unsigned presence = 0;
	struct sbuf g = { 0 }, call = { 0 }, v = { 0 }, vp = { 0 }, lhs = { 0 };
	int d;

	if (!m)
		return;     /* resources reported an error */
	for (size_t i = 0; i < s->u.stat.keys.len; i++)
		presence |= emit_presence_of(e, s->u.stat.keys.items[i]);
	stmt_guard(e, &g, s->cond, presence);
	d = open_guard(e, src, depth, &g, true);
	if (m->keyed) {
		code(e, src, d, "struct %s_key lwtp_key = {};   /* padding too */", m->name);
		for (size_t i = 0; i < m->nmembers; i++)
			if (m->members[i].field)
				key_member(e, src, d, &m->members[i]);
	}
	budget_call(&call, m, s->u.stat.wire);
	if (e->plan->policy->audit) {
		/* the bucket or budget as enforcing; over it, counted, not applied;
		 * a drop ends the program where the enforcing one would */
		code(e, src, d, "if (!%s)%s", sb_str(&call), a->kind == ACTION_DROP ? " {" : "");
		audit_call(e, src, d + 1, s);
		if (a->kind == ACTION_DROP) {
			emit_return(e, src, d + 1, "BPF_OK");
			plain(e, d, "}");
		}
		goto out;
	}
	switch (a->kind) {
	case ACTION_DROP:
		code(e, src, d, "if (!%s)", sb_str(&call));
		emit_return(e, src, d + 1, "BPF_DROP");
		break;
	case ACTION_COUNT:
		code(e, src, d, "%s;   /* over: counted in the entry */", sb_str(&call));
		break;
	case ACTION_SET:
		emit_value(e, &v, a->value);
		emit_presence_text(&vp, emit_presence_of(e, a->value));
		if (a->target->u.field.index >= 0)
			sb_printf(&lhs, "%s[%d]", a->target->u.field.name, a->target->u.field.index);
		else
			sb_puts(&lhs, a->target->u.field.name);
		code(e, src, d, "if (!%s%s%s)", sb_str(&call), vp.len ? " && " : "", sb_str(&vp));
		code(e, src, d + 1, "lwtp_ctx_write(skb, %s, %s);", sb_str(&lhs), sb_str(&v));
		break;
	}
out:
	plain(e, depth, "}");
	sb_free(&g);
	sb_free(&call);
	sb_free(&v);
	sb_free(&vp);
	sb_free(&lhs);
}

/* ---- constant maps ------------------------------------------------------------ */

/* The lookup of s's constant map, as analyse_sets.c planned it: true when
 * the key is in the map, its value then in lwtp_mv. An integer key's
 * header is tested first; an address's family, for each family. */
static void runtime_map_lookup(struct emitter *e, struct sbuf *b, const struct stmt *s);

static void map_lookup(struct emitter *e, struct sbuf *b, const struct stmt *s)
{
	const struct map_match *m = analyse_map_match(&e->an->sets, s);
	const struct expr *key = s->u.set.value;
	struct sbuf v = { 0 };
	int n = 0;

	if (s->u.set.map_name) {
		runtime_map_lookup(e, b, s);
		return;
	}
	if (!m) {
		emit_unplanned(e, "%s:%d: a constant map that analyse_sets.c did not plan",
			       s->loc.file ? s->loc.file : "?", s->loc.first_line);
		sb_puts(b, "0");
		return;
	}
	if (!m->addr) {
		unsigned p = emit_presence_of(e, key);
		if (!m->get[0]) {
			sb_puts(b, "0");
			return;
		}
		emit_value(e, &v, key);
		emit_presence_text(b, p);
		sb_printf(b, "%slwtp_map%u_get(%s, &lwtp_mv)", p ? " && " : "", m->get[0]->id,
			  sb_str(&v));
		sb_free(&v);
		return;
	}
	const char *which = emit_field_is_src(key->u.field.def) ? "saddr" : "daddr";
	for (int i = 0; i < 2; i++) {
		if (!m->get[i])
			continue;
		if (n++)
			sb_puts(b, " || ");
		if (i == 0)
			sb_printf(b, "(lwtp_has(lwtp_pkt.ip4) && lwtp_map%u_get4(bpf_ntohl("
				  "lwtp_pkt.ip4->%s), &lwtp_mv))", m->get[i]->id, which);
		else
			sb_printf(b, "(lwtp_has(lwtp_pkt.ip6) && lwtp_map%u_get6(lwtp_ip6_hi("
				  "lwtp_pkt.ip6->%s), lwtp_ip6_lo(lwtp_pkt.ip6->%s), &lwtp_mv))",
				  m->get[i]->id, which, which);
	}
	if (!n)
		sb_puts(b, "0");
}

/* The lookup of s's runtime map: true when the key is in the map, its
 * value then in lwtp_mv. The key's header is tested first; an address's
 * LPM trie takes the family of the packet, an ip4.* or ip6.* field's
 * family tested. */
static void runtime_map_lookup(struct emitter *e, struct sbuf *b, const struct stmt *s)
{
	const struct expr *key = s->u.set.value;
	const struct map_def *m = s->u.set.runtime_map ? s->u.set.runtime_map->map : NULL;
	struct sbuf v = { 0 };
	unsigned p;

	if (!m) {
		emit_unplanned(e, "%s:%d: a runtime map that the resources pass did not collect",
			       s->loc.file ? s->loc.file : "?", s->loc.first_line);
		sb_puts(b, "0");
		return;
	}
	if (key->kind == EXPR_SET && key->tuple) {      /* '(F1, F2) map NAME' */
		emit_rset_tuple_get(e, b, key, s->u.set.runtime_map);
		return;
	}
	if (!m->set_key_type) {
		p = emit_field_presence(e, key->u.field.def);
		emit_presence_text(b, p);
		sb_printf(b, "%slwtp_rmap_get_addr(&%s, &lwtp_pkt, %d, &lwtp_mv)", p ? " && " : "",
			  m->name, emit_field_is_src(key->u.field.def) ? 0 : 1);
		return;
	}
	p = emit_presence_of(e, key);
	emit_value(e, &v, key);
	emit_presence_text(b, p);
	sb_printf(b, "%slwtp_rmap_get(&%s, &(%s){ %s }, &lwtp_mv)", p ? " && " : "", m->name,
		  m->set_key_type, sb_str(&v));
	sb_free(&v);
}

/* A map's statement: "{ __u32 lwtp_mv = 0; if (COND && (LOOKUP))" and its
 * depth inside; close_map() closes it. */
static int open_map(struct emitter *e, const struct stmt *s, int src, int depth, bool block)
{
	struct sbuf g = { 0 }, lk = { 0 };
	int d;

	stmt_guard(e, &g, s->cond, 0);
	map_lookup(e, &lk, s);
	sb_printf(&g, "%s(%s)", g.len ? " && " : "", sb_str(&lk));
	plain(e, depth, "{");
	code(e, src, depth + 1, "__u32 lwtp_mv = 0;");
	blank(e);
	d = open_guard(e, src, depth + 1, &g, block);
	sb_free(&g);
	sb_free(&lk);
	return d;
}

/* set FIELD = KEY map { ... }: the value of the key, when it is in the map */
static void emit_map_set(struct emitter *e, const struct stmt *s, const char *lhs, int depth)
{
	int src = line_of(s);
	int d = open_map(e, s, src, depth, false);

	if (e->plan->policy->audit)
		audit_call(e, src, d, s);       /* not written */
	else
		code(e, src, d, "lwtp_ctx_write(skb, %s, lwtp_mv);", lhs);
	plain(e, depth, "}");
}

/* vmap KEY { ... }: the verdict of the key, when it is in the map; in an
 * audit policy, counted, and the packet passes */
static void emit_runtime_vmap(struct emitter *e, const struct stmt *s, int depth);

static void emit_vmap(struct emitter *e, const struct stmt *s, int depth)
{
	const struct map_lit *ml = s->u.set.map;
	bool drops = false, passes = false;
	int src = line_of(s);
	int d;

	if (s->u.set.map_name) {
		emit_runtime_vmap(e, s, depth);
		return;
	}
	d = open_map(e, s, src, depth, true);

	for (size_t i = 0; i < ml->keys->u.set.len; i++) {
		drops |= ml->values[i].num == MAPV_DROP;
		passes |= ml->values[i].num == MAPV_PASS;
	}
	if (drops && passes)
		code(e, src, d, "if (lwtp_mv == %d)   /* drop */", MAPV_DROP);
	if (e->plan->policy->audit) {
		if (drops)
			audit_call_member(e, src, d + passes, s, 0);
		if (drops && passes)
			code(e, src, d, "else");
		if (passes)
			audit_call_member(e, src, d + drops, s, 1);
		emit_return(e, src, d, "BPF_OK");
	} else {
		if (drops)
			emit_return(e, src, d + passes, "BPF_DROP");
		if (passes)
			emit_return(e, src, d, "BPF_OK");
	}
	plain(e, depth + 1, "}");
	plain(e, depth, "}");
}

/* vmap KEY NAME: the verdict of the key's element in the runtime map,
 * LWTP_RMAP_DROP or LWTP_RMAP_PASS; none, or another value, goes on. In an
 * audit policy, counted, and the packet passes. */
static void emit_runtime_vmap(struct emitter *e, const struct stmt *s, int depth)
{
	static const struct {
		unsigned code;
		const char *word, *ret;
	} verdicts[] = {
		{ LWTP_RMAP_DROP, "drop", "BPF_DROP" },
		{ LWTP_RMAP_PASS, "pass", "BPF_OK" },
	};
	int src = line_of(s);
	int d = open_map(e, s, src, depth, true);

	for (size_t i = 0; i < 2; i++) {
		code(e, src, d, "if (lwtp_mv == %u) {   /* %s */", verdicts[i].code,
		     verdicts[i].word);
		if (e->plan->policy->audit) {
			audit_call_member(e, src, d + 1, s, i);
			emit_return(e, src, d + 1, "BPF_OK");
		} else {
			emit_return(e, src, d + 1, verdicts[i].ret);
		}
		plain(e, d, "}");
	}
	plain(e, depth + 1, "}");
	plain(e, depth, "}");
}

static void emit_set(struct emitter *e, const struct stmt *s, int depth)
{
	const struct expr *t = s->u.set.target;
	int src = line_of(s);
	struct sbuf g = { 0 }, v = { 0 }, lhs = { 0 };
	int d;

	/* the writable fields: skb.mark, skb.priority, skb.cb[N] */
	if (t->u.field.index >= 0)
		sb_printf(&lhs, "%s[%d]", t->u.field.name, t->u.field.index);
	else
		sb_puts(&lhs, t->u.field.name);
	if (s->u.set.map || s->u.set.map_name) {
		emit_map_set(e, s, sb_str(&lhs), depth);
		sb_free(&lhs);
		return;
	}
	stmt_guard(e, &g, s->cond, emit_presence_of(e, s->u.set.value));
	emit_value(e, &v, s->u.set.value);
	d = open_guard(e, src, depth, &g, false);
	if (e->plan->policy->audit)
		audit_call(e, src, d, s);       /* not written */
	else
		code(e, src, d, "lwtp_ctx_write(skb, %s, %s);", sb_str(&lhs), sb_str(&v));
	sb_free(&g);
	sb_free(&v);
	sb_free(&lhs);
}

static void emit_verdict(struct emitter *e, const struct stmt *s, int depth)
{
	int src = line_of(s);
	struct sbuf g = { 0 };
	int d;

	stmt_guard(e, &g, s->cond, 0);
	if (e->plan->policy->audit) {
		/* counted; a drop passes, and ends the program where it would */
		d = open_guard(e, src, depth, &g, true);
		audit_call(e, src, d, s);
		emit_return(e, src, d, "BPF_OK");
		plain(e, depth, "}");
	} else {
		d = open_guard(e, src, depth, &g, false);
		emit_return(e, src, d, s->kind == STMT_DROP ? "BPF_DROP" : "BPF_OK");
	}
	sb_free(&g);
}

/* sample NAME M/N: draw whether this packet is sampled; the exit writes it */
static void emit_sample(struct emitter *e, const struct stmt *s, int depth)
{
	const struct map_def *m = s->u.stat.map;
	int src = line_of(s);
	struct sbuf g = { 0 }, draw = { 0 };
	int d;

	if (!m)
		return;     /* resources reported an error */
	stmt_guard(e, &g, s->cond, 0);
	emit_sample_draw(&draw, s->u.stat.ratio_num, s->u.stat.ratio_den);
	if (g.len && draw.len)
		sb_puts(&g, " && ");
	sb_puts(&g, sb_str(&draw));
	d = open_guard(e, src, depth, &g, false);
	code(e, src, d, "lwtp_sampled |= 1u << %u;   /* %s */", analyse_ring_bit(e->plan, m),
	     m->name);
	sb_free(&g);
	sb_free(&draw);
}

/* The end of a policy that samples: every verdict comes here, and the
 * rings its packet was drawn for get its record. */
static void emit_sample_exit(struct emitter *e, int src)
{
	plain(e, 0, "lwtp_exit:");
	for (unsigned i = 0; i < e->plan->nrings; i++) {
		const struct map_def *m = e->plan->rings[i];
		code(e, src, 1, "if (lwtp_sampled & (1u << %u))", i);
		code(e, src, 2, "lwtp_sample(&%s, &" LWTP_FULL_PREFIX "%s, skb, lwtp_verdict, %llu);",
		     m->name, m->name, (unsigned long long)m->snaplen);
	}
	code(e, src, 1, "return lwtp_verdict;");
}

static void emit_if(struct emitter *e, const struct stmt *s, int depth, bool chained)
{
	struct sbuf c = { 0 }, tmp = { 0 };
	int src = s->u.if_.test ? s->u.if_.test->loc.first_line : line_of(s);

	emit_cond(e, &c, s->u.if_.test);
	code(e, src, depth, "%sif (%s) {", chained ? "} else " : "",
	     strip_parens(sb_str(&c), &tmp));
	emit_stmts(e, &s->u.if_.then_body, depth + 1);
	if (s->u.if_.has_else) {
		const struct stmt_list *el = &s->u.if_.else_body;
		if (el->len == 1 && el->items[0]->kind == STMT_IF && !el->items[0]->cond) {
			emit_if(e, el->items[0], depth, true);
			goto out;   /* the chained if closes the brace */
		}
		plain(e, depth, "} else {");
		emit_stmts(e, el, depth + 1);
	}
	plain(e, depth, "}");
out:
	sb_free(&c);
	sb_free(&tmp);
}

static void emit_stmt(struct emitter *e, const struct stmt *s, int depth)
{
	if (s->kind == STMT_CONST)
		return;
	if (s->kind != STMT_IF || !s->cond) {
		stmt_comment(e, s, depth);
	}
	switch (s->kind) {
	case STMT_COUNT:
	case STMT_HIST:
		emit_stat(e, s, depth);
		break;
	case STMT_LIMIT:
	case STMT_QUOTA:
		emit_budget(e, s, depth);
		break;
	case STMT_SAMPLE:
		emit_sample(e, s, depth);
		break;
	case STMT_DROP:
	case STMT_PASS:
		emit_verdict(e, s, depth);
		break;
	case STMT_SET:
		emit_set(e, s, depth);
		break;
	case STMT_VMAP:
		emit_vmap(e, s, depth);
		break;
	case STMT_IF:
		emit_if(e, s, depth, false);
		break;
	case STMT_CONST:
		break;
	}
}

static void emit_stmts(struct emitter *e, const struct stmt_list *list, int depth)
{
	bool first = true;

	for (size_t i = 0; i < list->len; i++) {
		if (list->items[i]->kind == STMT_CONST)
			continue;
		if (!first)
			blank(e);
		first = false;
		emit_stmt(e, list->items[i], depth);
	}
}

/* ---- policies ---------------------------------------------------------------- */

static void want_text(FILE *out, unsigned want)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ WANT_IP4, "lwtp_want_ip4" }, { WANT_IP6, "lwtp_want_ip6" },
		{ WANT_PROTO, "lwtp_want_proto" }, { WANT_TCP, "lwtp_want_tcp" },
		{ WANT_UDP, "lwtp_want_udp" }, { WANT_PORTS, "lwtp_want_ports" },
		{ WANT_ICMP, "lwtp_want_icmp" }, { WANT_ICMP6, "lwtp_want_icmp6" },
	};
	bool first = true;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(want & names[i].bit))
			continue;
		fprintf(out, "%s%s", first ? "" : " | ", names[i].name);
		first = false;
	}
}

void emit_unplanned(struct emitter *e, const char *fmt, ...)
{
	va_list ap;

	if (e->err)
		return;         /* the first one says it */
	fprintf(stderr, "lwtc: internal error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	e->err = -EINVAL;
}

/* The function's head: its section, and what every path through it needs
 * first: a sampling policy's verdict and rings drawn, the headers parsed. */
static void policy_head(struct emitter *e, const struct policy *p, int src)
{
	fprintf(e->out, "/* ---- %spolicy %s ", p->audit ? "audit " : "", p->name);
	for (size_t n = strlen(p->name) + (p->audit ? 6 : 0); n < 58; n++)
		fputc('-', e->out);
	fprintf(e->out, " */\n\n");
	/* the function itself is in the policy's file, so that debug info and
	 * BTF line info name the .lwtp file, not the temporary .c */
	fprintf(e->out, "#line %d %s\n", src, e->file_lit);
	fprintf(e->out, "SEC(\"%s\")\n", p->name);
	fprintf(e->out, "int " LWTP_PROG_PREFIX "%s(struct __sk_buff *skb)\n{\n", p->name);
	if (e->plan->nrings)
		fprintf(e->out, "\tint lwtp_verdict = BPF_OK;\n"
			"\t__u32 lwtp_sampled = 0;      /* bit i: samples ring i */\n\n");
	if (e->plan->want) {
		fprintf(e->out, "\tstruct lwtp_pkt lwtp_pkt;\n\n");
		fprintf(e->out, "#line %d\n", src);
		fprintf(e->out, "\tlwtp_parse(skb, &lwtp_pkt, ");
		want_text(e->out, e->plan->want);
		fprintf(e->out, ");\n\n");
		emit_field_cache(e);
		emit_search_memos(e, (struct policy *)p);
	}
}

/* Write the policy's function to e->out, as its plan says. */
static void emit_policy(struct emitter *e, const struct policy *p, const struct policy_plan *plan)
{
	int src = p->loc.first_line;
	int end = p->loc.last_line > 0 ? p->loc.last_line : src;

	e->plan = plan;
	memset(e->field_cached, 0, sizeof(e->field_cached));
	policy_head(e, p, src);
	e->next_line = 0;
	e->named = true;        /* by the #line before the function */
	emit_stmts(e, &p->body, 1);
	for (size_t i = 0; i < p->body.len; i++)
		if (p->body.items[i]->kind != STMT_CONST) {
			blank(e);
			break;
		}
	if (p->audit)
		audit_call(e, end, 1, NULL);
	if (plan->nrings)
		emit_sample_exit(e, end);
	else
		code(e, end, 1, "return BPF_OK;");
	/* the closing brace is the policy's last line, not the one after it */
	fprintf(e->out, "#line %d\n}\n\n", end);
}

/* ---- the file ------------------------------------------------------------------ */

/* 64-bit FNV-1a: an identity, not a defence. Two versions of a policy on one
 * host collide with odds of about 2^-64. */
static unsigned long long fnv1a64(const char *text, size_t len)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The object's identity (lwtp_contract.h): a function no program calls, in
 * .text, so it costs no instruction; its name is in the object's BTF, which
 * the kernel keeps with every program loaded from it. */
static void emit_object_id(FILE *out, const char *c_text, size_t len)
{
	fprintf(out, "\n/* The identity of this object, a hash of the C above: lwtp show and\n"
		" * lwtp check find this name in the BTF of a loaded program to tell\n"
		" * which object it came from. No program calls it. */\n");
	fprintf(out, "int " LWTP_OBJECT_PREFIX "%0*llx(void)\n{\n\treturn 0;\n}\n",
		LWTP_OBJECT_ID_LEN, fnv1a64(c_text, len));
}

/* ---- a file compiled in parts (parts.c) ------------------------------------- */

static void emit_parts_note(struct emitter *e)
{
	fprintf(e->out, "/* This file is compiled in parts, one clang each, and the parts are\n"
		" * linked into one object: 'clang -DLWTP_PART=K' compiles the policies\n"
		" * of part K, and part 1 also defines the maps (the others declare them\n"
		" * extern), the license and the object's identity. Without LWTP_PART,\n"
		" * the whole file is one compile. */\n"
		"#if defined(LWTP_PART) && LWTP_PART > 1\n#define LWTP_EXTERN extern\n"
		"#else\n#define LWTP_EXTERN\n#endif\n\n");
}

/* What follows is part's: "#if" it is compiled (part 0: always, no guard). */
static void part_guard(struct emitter *e, unsigned part)
{
	if (part)
		fprintf(e->out, "#if !defined(LWTP_PART) || LWTP_PART == %u\n", part);
}

static void part_end(struct emitter *e, unsigned part)
{
	if (part)
		fprintf(e->out, "#endif  /* part %u */\n\n", part);
}

int emit_program(FILE *out, const struct program *prog)
{
	struct analysis plan;
	struct emitter e = { .prog = prog, .an = &plan, .split = parts_split(prog) };
	char *whole = NULL, *file_comment, target[16];
	size_t whole_len = 0;
	const char *file = prog->file ? prog->file : "<stdin>";
	int err = 0;

	analyse_program(prog, &plan);
	e.file_lit = c_string(file);

	/* the whole file in memory, to name the object by a hash of it */
	e.out = open_memstream(&whole, &whole_len);
	if (!e.out) {
		err = -errno;
		goto out;
	}
	file_comment = emit_comment_safe(file);
	fprintf(e.out, "/* Generated by lwtc %s from %s for Linux %s and later. Do not edit. */\n",
		LWTC_VERSION, file_comment, kernel_text(kernel_target(), target, sizeof(target)));
	free(file_comment);
	fprintf(e.out, "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
		"#include <bpf/bpf_endian.h>\n\n");
	if (e.split)
		emit_parts_note(&e);
	emit_types(&e);
	emit_maps(&e);
	emit_prelude(&e);
	emit_const_sets(&e);
	for (size_t i = 0; i < prog->nitems; i++) {
		const struct item *it = &prog->items[i];
		if (it->kind != ITEM_POLICY)
			continue;
		part_guard(&e, it->u.policy->part);
		emit_policy(&e, it->u.policy, analyse_plan(&plan, it->u.policy));
		part_end(&e, it->u.policy->part);
	}
	part_guard(&e, e.split);
	fprintf(e.out, "char _license[] SEC(\"license\") = \"GPL\";\n");
	if (fclose(e.out) != 0)
		err = -errno;
	if (!err)
		err = e.err;
	if (err)
		goto out;
	fwrite(whole, 1, whole_len, out);
	emit_object_id(out, whole, whole_len);
	if (e.split)
		fprintf(out, "#endif\n");
	if (ferror(out))
		err = -EIO;
out:
	analyse_free(&plan);
	free(whole);
	free((char *)e.file_lit);
	return err;
}
