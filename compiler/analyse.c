/* analyse.c: the analysis pass (see analyse.h). A walk of each policy's
 * statements (walk.h) that notes, for every expression the emitter writes,
 * the headers its fields need and the helpers that read them, for every
 * statement the helpers its C calls, and has analyse_sets.c plan the tests
 * of constant sets.
 *
 * It must see what the emitter writes, no more (a part the program does not
 * use would be written) and no less (clang would not find a helper), and in
 * the order it writes it (the searches are numbered by their first test).
 * emit_field.c checks that every field it tests was planned.
 */
#include <stdlib.h>

#include "analyse.h"
#include "fields.h"
#include "resources.h"
#include "util.h"
#include "walk.h"

struct analyser {
	unsigned uses;                  /* enum use, the file's so far */
	struct policy_plan *plan;       /* the policy being walked */
	struct set_plan *sets;          /* the tests of constant sets so far */
};

/* ---- fields ------------------------------------------------------------------ */

/* The headers lwtp_parse() must find for a field of each header to be read:
 * the field's presence test reads their pointers (emit_field.c). */
static const unsigned header_wants[] = {
	[HDR_SKB]     = 0,
	[HDR_IP]      = WANT_IP4 | WANT_IP6,
	[HDR_IP4]     = WANT_IP4,
	[HDR_IP6]     = WANT_IP6,
	[HDR_TCP]     = WANT_IP4 | WANT_IP6 | WANT_PROTO | WANT_TCP,
	[HDR_UDP]     = WANT_IP4 | WANT_IP6 | WANT_PROTO | WANT_UDP,
	[HDR_L4PORTS] = WANT_IP4 | WANT_IP6 | WANT_PROTO | WANT_PORTS,
	[HDR_ICMP]    = WANT_IP4 | WANT_PROTO | WANT_ICMP,
	[HDR_ICMP6]   = WANT_IP6 | WANT_PROTO | WANT_ICMP6,
	[HDR_TASK]    = 0,
	[HDR_ROUTE]   = 0,
	[HDR_CGROUP]  = 0,
};

/* The fields that need more than their header, or a helper to be read. */
static const struct {
	enum field_id id;
	unsigned want;          /* enum want */
	unsigned uses;          /* enum use */
} field_needs[] = {
	/* the L4 protocol: past the IPv6 extension headers */
	{ F_IP_PROTO,    WANT_PROTO, 0 },
	{ F_IP6_PROTO,   WANT_PROTO, 0 },
	/* IPv4: the fragment bits; IPv6: a fragment header */
	{ F_IP_FRAGMENT, WANT_PROTO, USE_IP4_FRAG },
	/* the IPv6 traffic class straddles two bytes */
	{ F_IP_TOS,      0,          USE_TCLASS },
	{ F_IP_DSCP,     0,          USE_TCLASS },
	{ F_IP_ECN,      0,          USE_TCLASS },
	{ F_IP6_TCLASS,  0,          USE_TCLASS },
	{ F_IP6_DSCP,    0,          USE_TCLASS },
	{ F_IP6_ECN,     0,          USE_TCLASS },
};

unsigned analyse_field_want(const struct field_def *f)
{
	unsigned want = header_wants[f->header];

	for (size_t i = 0; i < sizeof(field_needs) / sizeof(field_needs[0]); i++)
		if (field_needs[i].id == f->id)
			want |= field_needs[i].want;
	return want;
}

static void note_field(struct analyser *an, const struct field_def *f)
{
	an->plan->want |= analyse_field_want(f);
	if ((unsigned)f->id < ANALYSE_MAX_FIELDS && an->plan->reads[f->id] < 255)
		an->plan->reads[f->id]++;
	if ((unsigned)f->id < ANALYSE_MAX_FIELDS)
		an->plan->fields[f->id] = f;
	/* __sk_buff fields are read with lwtp_ctx_read() (ctx_access.bpf.h) */
	if (f->header == HDR_SKB && f->id != F_SKB_FORBIDDEN)
		an->uses |= USE_CTX_WRITE;
	for (size_t i = 0; i < sizeof(field_needs) / sizeof(field_needs[0]); i++)
		if (field_needs[i].id == f->id)
			an->uses |= field_needs[i].uses;
}

/* ---- expressions --------------------------------------------------------------- */

/* The map of the runtime set that x tests ('FIELD in SET'), or NULL. */
static const struct map_def *runtime_set_tested(const struct expr *x)
{
	const struct expr *r;

	if (x->kind != EXPR_BINARY || (x->u.binary.op != OP_IN && x->u.binary.op != OP_NOT_IN))
		return NULL;
	r = x->u.binary.right;
	return r && r->kind == EXPR_NAME && r->u.name.runtime_set ? r->u.name.runtime_set->map
								   : NULL;
}

/* A runtime set of addresses is an LPM trie, searched by
 * lwtp_set_has_addr(). */
static bool runtime_addr_membership(const struct expr *x)
{
	const struct map_def *m = runtime_set_tested(x);

	return m && !m->set_key_type;
}

/* 'socket.cgroup in SET': bpf_skb_under_cgroup() on each slot, by
 * lwtp_set_has_cgroup(). */
static bool runtime_cgroup_membership(const struct expr *x)
{
	const struct map_def *m = runtime_set_tested(x);

	return m && m->set_elem == SETT_CGROUP;
}

/* Every field the emitter reads or tests: a const's value is constant, so
 * the walk need not follow names. */
static enum walk_next note_expr(struct expr *x, int depth, void *ctx)
{
	struct analyser *an = ctx;

	if (x->kind == EXPR_FIELD && x->u.field.def)
		note_field(an, x->u.field.def);
	else if (runtime_addr_membership(x))
		an->uses |= USE_SET_IP;
	else if (runtime_cgroup_membership(x))
		an->uses |= USE_SET_CGROUP;
	return WALK_ON;
}

/* 'map NAME', 'vmap KEY NAME': a runtime map's lookup, an LPM trie's for
 * an address key. */
static void note_runtime_map(struct analyser *an, const struct stmt *s)
{
	const struct set_decl *d = s->u.set.runtime_map;

	if (d && d->map)
		an->uses |= d->map->set_key_type ? USE_RMAP : USE_RMAP_IP;
}

/* An expression the emitter writes, in the order it writes them. */
static void note_expr_tree(struct analyser *an, struct expr *x)
{
	walk_expr(x, note_expr, an);
	analyse_sets_expr(an->sets, x);
}

/* ---- statistics ------------------------------------------------------------------ */

/* The helper a statistic's statement calls, on its map unkeyed and keyed. */
static const struct {
	enum stmt_kind kind;
	unsigned unkeyed, keyed;        /* enum use */
} stat_uses[] = {
	{ STMT_COUNT,  USE_COUNT,  USE_COUNT_KEY },
	{ STMT_HIST,   USE_HIST,   USE_HIST_KEY },
	{ STMT_LIMIT,  USE_LIMIT,  USE_LIMIT_KEY },
	{ STMT_QUOTA,  USE_QUOTA,  USE_QUOTA_KEY },
	/* the draw is inline; the policy's exit writes the record */
	{ STMT_SAMPLE, USE_SAMPLE, USE_SAMPLE },
};

static unsigned stat_helper(const struct stmt *s, const struct map_def *m)
{
	for (size_t i = 0; i < sizeof(stat_uses) / sizeof(stat_uses[0]); i++)
		if (stat_uses[i].kind == s->kind)
			return m->keyed ? stat_uses[i].keyed : stat_uses[i].unkeyed;
	return 0;
}

/* The function that finds a histogram's bucket. */
static unsigned bucket_helper(const struct stmt *s, const struct map_def *m)
{
	const struct expr *v = s->u.stat.value;

	if (m->kind != MAP_HIST_LOG2)
		return USE_LINEAR;
	return v->type.kind == TYPE_INT && v->type.bits > 32 ? USE_LOG2_64 : USE_LOG2_32;
}

/* Address key members are filled by helpers of their own: IPv4 and IPv6
 * in one lwtp_ip_t for ip.src and ip.dst, an IPv6 address copied for
 * ip6.src and ip6.dst. */
static void note_address_keys(struct analyser *an, const struct map_def *m)
{
	for (size_t i = 0; i < m->nmembers; i++) {
		const struct map_key_member *k = &m->members[i];
		if (!k->field || !k->type->addr)
			continue;
		an->uses |= USE_IP_KEY;
		if (k->field->header == HDR_IP)
			an->uses |= k->field->id == F_IP_SRC ? USE_IP_KEY_SRC : USE_IP_KEY_DST;
	}
}

static void note_ring(struct policy_plan *plan, const struct map_def *m)
{
	if (analyse_ring_bit(plan, m) < plan->nrings)
		return;
	/* the resources pass keeps a policy within 64 maps: 32 rings */
	if (plan->nrings < ANALYSE_MAX_RINGS)
		plan->rings[plan->nrings++] = m;
}

static void note_stat(struct analyser *an, struct stmt *s)
{
	const struct map_def *m = s->u.stat.map;
	const struct action *a = &s->u.stat.action;

	if (!m)
		return;     /* resources reported an error: nothing is written */
	if (s->u.stat.wire && s->kind != STMT_HIST) {
		/* the headers each segment repeats: IP, TCP or UDP; gso_segs
		 * read with lwtp_ctx_read() */
		an->plan->want |= WANT_IP4 | WANT_IP6 | WANT_PROTO | WANT_TCP | WANT_UDP;
		an->uses |= USE_WIRE | USE_CTX_WRITE;
		if (s->kind == STMT_COUNT)
			an->uses |= m->keyed ? USE_COUNT_WIRE_KEY | USE_COUNT_KEY : USE_COUNT_WIRE;
		else
			an->uses |= stat_helper(s, m);
	} else {
		an->uses |= stat_helper(s, m);
	}
	/* as emit.c writes them: the keys, a histogram's value, the
	 * condition, a limit's or quota's action */
	for (size_t i = 0; i < s->u.stat.keys.len; i++)
		note_expr_tree(an, s->u.stat.keys.items[i]);
	note_address_keys(an, m);
	if (s->kind == STMT_HIST) {
		note_expr_tree(an, s->u.stat.value);
		an->uses |= bucket_helper(s, m);
	}
	note_expr_tree(an, s->cond);
	/* an audit policy counts the action, and does not set */
	if ((s->kind == STMT_LIMIT || s->kind == STMT_QUOTA) && a->kind == ACTION_SET &&
	    !an->plan->policy->audit) {
		note_expr_tree(an, a->value);
		an->uses |= USE_CTX_WRITE;      /* lwtp_ctx_write() */
	}
	if (s->kind == STMT_SAMPLE)
		note_ring(an->plan, m);
}

/* ---- statements and policies -------------------------------------------------------- */

static enum walk_next note_stmt(struct stmt *s, struct policy *p, void *ctx)
{
	struct analyser *an = ctx;

	if (ast_is_stat(s)) {
		note_stat(an, s);
		return WALK_ON;
	}
	switch (s->kind) {
	case STMT_SET:
		note_expr_tree(an, s->cond);
		/* audit: only the presence of what the value reads is tested */
		note_expr_tree(an, s->u.set.value);
		if (s->u.set.map)
			analyse_map_stmt(an->sets, s);
		note_runtime_map(an, s);
		if (!p->audit)
			an->uses |= USE_CTX_WRITE;      /* lwtp_ctx_write() */
		break;
	case STMT_VMAP:
		note_expr_tree(an, s->cond);
		note_expr_tree(an, s->u.set.value);
		analyse_map_stmt(an->sets, s);
		note_runtime_map(an, s);
		break;
	case STMT_IF:
		note_expr_tree(an, s->u.if_.test);      /* its blocks: the walk goes on */
		break;
	case STMT_DROP:
	case STMT_PASS:
		note_expr_tree(an, s->cond);
		break;
	default:        /* consts: nothing of their own is written */
		break;
	}
	return WALK_ON;
}

static void analyse_policy(struct analyser *an, struct policy *p, struct policy_plan *plan)
{
	plan->policy = p;
	an->plan = plan;
	walk_stmts(&p->body, p, note_stmt, an);
	if (p->audit)
		an->uses |= USE_AUDIT;
	if (plan->want)
		an->uses |= USE_PARSE;
}

void analyse_program(const struct program *prog, struct analysis *a)
{
	struct analyser an = { .sets = &a->sets };
	size_t n = 0;

	for (size_t i = 0; i < prog->nitems; i++)
		n += prog->items[i].kind == ITEM_POLICY;
	a->plans = xcalloc(n, sizeof(*a->plans));
	a->nplans = 0;
	a->sets = (struct set_plan){ 0 };
	for (size_t i = 0; i < prog->nitems; i++)
		if (prog->items[i].kind == ITEM_POLICY)
			analyse_policy(&an, prog->items[i].u.policy, &a->plans[a->nplans++]);
	analyse_sets_done(&a->sets);
	a->uses = an.uses | a->sets.uses;
}

const struct policy_plan *analyse_plan(const struct analysis *a, const struct policy *p)
{
	for (size_t i = 0; i < a->nplans; i++)
		if (a->plans[i].policy == p)
			return &a->plans[i];
	return NULL;
}

unsigned analyse_ring_bit(const struct policy_plan *plan, const struct map_def *m)
{
	unsigned i = 0;

	while (i < plan->nrings && plan->rings[i] != m)
		i++;
	return i;
}

void analyse_free(struct analysis *a)
{
	free(a->plans);
	a->plans = NULL;
	a->nplans = 0;
	analyse_sets_free(&a->sets);
}
