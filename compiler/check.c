/* check.c: the checking pass. Walks the items in order, keeping the consts
 * in scope; checks each policy's name and statements; and, for statistics,
 * their names, histogram functions, keys, size, and that one name used
 * twice in the file means the same statistic (the one place that rule is
 * checked: the resources pass makes one map of it). Expressions are checked
 * in check_expr.c and check_compare.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "audit.h"
#include "check_priv.h"
#include "diag.h"
#include "lwtp_contract.h"
#include "names.h"
#include "stat_size.h"
#include "util.h"
#include "walk.h"

#define MAX_KEYS       8
#define MAX_SIZE       16777216
#define MAX_NESTING    64       /* 'if' inside 'if' */
#define MAX_POLICY_WEIGHT 16384 /* statements and operators in a policy */
#define MAX_FILE_WEIGHT   65536 /* and in a file */
#define TEXT           160

struct checker {
	struct program *prog;
	struct check_scope scope;
	struct names stats;         /* statistic name -> its first statement, in the file */
	int nesting;                /* blocks of 'if' around the statement */
	size_t weight;              /* of the policies so far (check_policy_size) */
};

/* ---- scopes -------------------------------------------------------------- */

const struct const_decl *check_find_const(const struct check_scope *sc, const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = sc->len; i-- > 0;)
		if (strcmp(sc->consts[i].decl->name, name) == 0)
			return sc->consts[i].decl;
	return NULL;
}

struct const_search {
	const char *name;
	const struct const_decl *found;
};

static enum walk_next const_named(struct stmt *s, struct policy *p, void *ctx)
{
	struct const_search *cs = ctx;

	if (s->kind != STMT_CONST || !s->u.konst || !s->u.konst->name ||
	    strcmp(s->u.konst->name, cs->name) != 0)
		return WALK_ON;
	cs->found = s->u.konst;
	return WALK_STOP;
}

/* The first const of that name in p, in any block. */
static const struct const_decl *find_const_in(struct policy *p, const char *name)
{
	struct const_search cs = { .name = name };

	walk_stmts(&p->body, p, const_named, &cs);
	return cs.found;
}

const struct const_decl *check_find_any_const(const struct program *prog, const char *name)
{
	const struct const_decl *c = NULL;

	for (size_t i = 0; prog && name && i < prog->nitems && !c; i++) {
		const struct item *it = &prog->items[i];
		if (it->kind == ITEM_CONST && it->u.konst && it->u.konst->name &&
		    strcmp(it->u.konst->name, name) == 0)
			c = it->u.konst;
		else if (it->kind == ITEM_POLICY && it->u.policy)
			c = find_const_in(it->u.policy, name);
	}
	return c;
}

static const struct const_decl *find_in_this_scope(const struct check_scope *sc,
						   const char *name)
{
	for (size_t i = sc->len; i-- > 0 && sc->consts[i].depth == sc->depth;)
		if (strcmp(sc->consts[i].decl->name, name) == 0)
			return sc->consts[i].decl;
	return NULL;
}

static void scope_enter(struct check_scope *sc)
{
	sc->depth++;
}

static void scope_leave(struct check_scope *sc)
{
	while (sc->len > 0 && sc->consts[sc->len - 1].depth == sc->depth)
		sc->len--;
	sc->depth--;
}

static void scope_add(struct check_scope *sc, const struct const_decl *c)
{
	if (sc->len == sc->cap) {
		sc->cap = sc->cap ? 2 * sc->cap : 16;
		sc->consts = xrealloc(sc->consts, sc->cap * sizeof(*sc->consts));
	}
	sc->consts[sc->len].decl = c;
	sc->consts[sc->len].depth = sc->depth;
	sc->len++;
}

/* The value is checked before the name is in scope: 'const a = a;' refers
 * to an outer 'a', if any. */
static void check_const_decl(struct checker *ck, struct const_decl *c)
{
	const struct const_decl *first;

	if (!c || !c->name)
		return;
	check_const_value(&ck->scope, c);
	first = find_in_this_scope(&ck->scope, c->name);
	if (first) {
		diag_error(&c->name_loc, "'%s' is already defined in this scope", c->name);
		diag_note(&first->name_loc, "'%s' is first defined here", c->name);
		return;
	}
	scope_add(&ck->scope, c);
}

/* ---- statistics ------------------------------------------------------------ */

/* The name an item declares, or NULL. */
static const char *item_name(const struct item *it)
{
	switch (it->kind) {
	case ITEM_CONST:  return it->u.konst ? it->u.konst->name : NULL;
	case ITEM_POLICY: return it->u.policy ? it->u.policy->name : NULL;
	case ITEM_SET:    return it->u.set ? it->u.set->name : NULL;
	}
	return NULL;
}

/* The first item of that kind and name in the file, before or after. */
static const struct item *find_item(const struct program *prog, enum item_kind kind,
				    const char *name)
{
	for (size_t i = 0; i < prog->nitems; i++) {
		const struct item *it = &prog->items[i];
		const char *n = it->kind == kind ? item_name(it) : NULL;
		if (n && strcmp(n, name) == 0)
			return it;
	}
	return NULL;
}

const struct policy *check_find_policy(const struct program *prog, const char *name)
{
	const struct item *it = find_item(prog, ITEM_POLICY, name);

	return it ? it->u.policy : NULL;
}

/* A statistic's name: a C identifier, and one map's only: a statistic
 * named like a policy would clash with the policy's ELF section symbol,
 * one named like a set would be the set's map. */
static bool check_stat_name(struct checker *ck, const struct stmt *s)
{
	const char *name = s->u.stat.name;
	const struct policy *p;
	const struct item *set;

	if (!check_c_name(name, &s->u.stat.name_loc, "statistic"))
		return false;
	p = check_find_policy(ck->prog, name);
	if (p) {
		diag_error(&s->u.stat.name_loc, "statistic '%s' has the same name as a policy; "
			   "an object cannot hold a map and a program of one name: rename one",
			   name);
		diag_note(&p->name_loc, "policy '%s' is defined here", name);
		return false;
	}
	set = find_item(ck->prog, ITEM_SET, name);
	if (set) {
		const char *word = set->u.set->value_name ? "map" : "set";
		diag_error(&s->u.stat.name_loc, "statistic '%s' has the same name as a %s; "
			   "each names one map: rename one", name, word);
		diag_note(&set->u.set->name_loc, "%s '%s' is declared here", word, name);
		return false;
	}
	return true;
}

/* ceil((max - min) / step), without overflow */
static void check_linear(const struct stmt *s)
{
	uint64_t min = s->u.stat.lin_min, max = s->u.stat.lin_max, step = s->u.stat.lin_step;
	uint64_t n;

	if (max <= min) {
		diag_error(&s->u.stat.lin_max_loc, "linear() needs MAX above MIN, but %" PRIu64
			   " is not above %" PRIu64, max, min);
		return;
	}
	if (step == 0) {
		diag_error(&s->u.stat.lin_step_loc, "linear() needs a STEP of at least 1");
		return;
	}
	n = lwtp_linear_steps(min, max, step);
	if (n > LWTP_MAX_LINEAR_BUCKETS)
		diag_error(&s->u.stat.lin_step_loc, "linear(%" PRIu64 ", %" PRIu64 ", %" PRIu64
			   ") makes %" PRIu64 " buckets, but at most %d are allowed; use a STEP "
			   "of at least %" PRIu64,
			   min, max, step, n, LWTP_MAX_LINEAR_BUCKETS,
			   (uint64_t)lwtp_linear_steps(0, max - min, LWTP_MAX_LINEAR_BUCKETS));
}

static void check_hist_value(struct checker *ck, struct stmt *s)
{
	struct expr *v = s->u.stat.value;
	const char *fn = s->u.stat.hist == HIST_LOG2 ? "log2" : "linear";
	char text[TEXT];

	check_expr(&ck->scope, v, NULL);
	if (check_known(v) && v->type.kind != TYPE_INT)
		diag_error(&v->loc, "%s() needs an integer, but '%s' is %s", fn,
			   check_expr_text(v, text, sizeof(text)), check_type_a(&v->type));
	if (s->u.stat.hist == HIST_LINEAR)
		check_linear(s);
}

static bool same_key(const struct expr *a, const struct expr *b)
{
	return a->u.field.def && a->u.field.def == b->u.field.def &&
	       a->u.field.index == b->u.field.index;
}

/* A key's prefix lengths ('by ip4.dst/24', 'by ip.dst/24/48'): on an
 * address field, one length of its family's range, two (IPv4, then IPv6)
 * for a field of either family. */
static void check_key_prefix(const struct expr *k)
{
	const struct key_prefix *p = &k->u.field.prefix;
	const struct field_def *f = k->u.field.def;
	char text[TEXT];
	int i;

	if (!p->n || !f)
		return;
	check_expr_text(k, text, sizeof(text));
	*strchr(text, '/') = '\0';     /* the field alone */
	switch (f->type.kind) {
	case TYPE_ADDR4:
	case TYPE_ADDR6:
		if (p->n > 1) {
			diag_error(&p->loc[1], "'%s' holds %s addresses only: it takes one prefix "
				   "length, as in '%s/%" PRIu64 "'", text,
				   f->type.kind == TYPE_ADDR4 ? "IPv4" : "IPv6", text, p->len[0]);
			return;
		}
		break;
	case TYPE_ADDR:
		if (p->n < 2) {
			diag_error(&p->loc[0], "'%s' holds IPv4 and IPv6 addresses, and '/%" PRIu64
				   "' is the IPv4 prefix length: give the IPv6 one after it, as in "
				   "'%s/%" PRIu64 "/64' (or key by '%s4.%s/%" PRIu64 "' for IPv4 alone)",
				   text, p->len[0], text, p->len[0], f->ns, f->name, p->len[0]);
			return;
		}
		break;
	default:
		diag_error(&p->loc[0], "a prefix length applies to an address key, but '%s' is "
			   "%s; remove '/%" PRIu64 "'", text, check_type_a(&f->type), p->len[0]);
		return;
	}
	for (i = 0; i < p->n; i++) {
		bool ip4 = f->type.kind == TYPE_ADDR4 || (f->type.kind == TYPE_ADDR && i == 0);
		unsigned max = ip4 ? 32 : 128;

		if (p->len[i] > max)
			diag_error(&p->loc[i], "prefix length %" PRIu64 " is out of range: %s "
				   "prefix is 0..%u", p->len[i], ip4 ? "an IPv4" : "an IPv6", max);
	}
}

static void check_keys(struct stmt *s)
{
	struct expr_list *keys = &s->u.stat.keys;
	char text[TEXT];

	if (keys->len > MAX_KEYS && keys->items[MAX_KEYS])
		diag_error(&keys->items[MAX_KEYS]->loc, "a statistic can have at most %d keys, "
			   "but '%s' has %zu", MAX_KEYS, s->u.stat.name, keys->len);
	for (size_t i = 0; i < keys->len && !diag_too_many(); i++) {
		struct expr *k = keys->items[i];
		if (!k)
			continue;
		if (k->kind != EXPR_FIELD) {
			diag_error(&k->loc, "a key must be a field, such as 'ip.dst'");
			continue;
		}
		check_field(k, false);
		check_key_prefix(k);
		for (size_t j = 0; j < i; j++) {
			if (keys->items[j] && keys->items[j]->kind == EXPR_FIELD &&
			    same_key(keys->items[j], k)) {
				diag_error(&k->loc, "'%s' is already a key of '%s'",
					   check_expr_text(k, text, sizeof(text)), s->u.stat.name);
				break;
			}
		}
	}
}

static void check_size(const struct stmt *s)
{
	const struct loc *loc = &s->u.stat.size_loc;

	if (!s->u.stat.has_size || s->kind == STMT_SAMPLE)
		return;     /* a sample's size: check_sample() */
	if (s->u.stat.keys.len == 0) {
		diag_error(loc, "'size' bounds the number of keys, but '%s' has no 'by' keys; "
			   "remove 'size %" PRIu64 "'", s->u.stat.name, s->u.stat.size);
		return;
	}
	if (s->u.stat.size < 1 || s->u.stat.size > MAX_SIZE)
		diag_error(loc, "size must be 1..%d, but it is %" PRIu64, MAX_SIZE, s->u.stat.size);
}

/* ---- one name, one statistic ------------------------------------------------ */

/* "(ip.dst, tcp.dport)" or "(none)" */
static const char *keys_text(const struct stmt *s, char *buf, size_t size)
{
	const struct expr_list *keys = &s->u.stat.keys;
	size_t used = 0;
	char text[TEXT];

	snprintf(buf, size, "(none)");
	for (size_t i = 0; i < keys->len; i++) {
		int n = snprintf(buf + used, size - used, "%s%s%s", i ? ", " : "(",
				 check_expr_text(keys->items[i], text, sizeof(text)),
				 i + 1 == keys->len ? ")" : "");
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

static bool same_keys(const struct stmt *a, const struct stmt *b)
{
	char ta[512], tb[512];

	return strcmp(keys_text(a, ta, sizeof(ta)), keys_text(b, tb, sizeof(tb))) == 0;
}

static const char *stat_kind_word(const struct stmt *s)
{
	if (s->kind == STMT_COUNT)
		return "a count";
	if (s->kind == STMT_LIMIT)
		return "a limit";
	if (s->kind == STMT_SAMPLE)
		return "a sample";
	if (s->kind == STMT_QUOTA)
		return "a quota";
	return s->u.stat.hist == HIST_LOG2 ? "a log2 hist" : "a linear hist";
}

/* "1000 packets per 1 s, burst 5 packets", "1000000000 bytes" */
static const char *budget_text(const struct stmt *s, char *buf, size_t size)
{
	const struct rate *r = &s->u.stat.rate;

	if (s->kind == STMT_QUOTA)
		snprintf(buf, size, "%" PRIu64 " %s", s->u.stat.amount,
			 s->u.stat.amount_unit ? "bytes" : "packets");
	else
		snprintf(buf, size, "%" PRIu64 " %s per %" PRIu64 " s, burst %" PRIu64 " %s",
			 r->amount, ast_unit_str(r->unit), (uint64_t)(r->period_ns / 1000000000u),
			 s->u.stat.amount, s->u.stat.amount_unit ? "bytes" : "packets");
	return buf;
}

/* How s differs from first, in words; NULL when they are the same. */
static const char *definition_difference(const struct stmt *s, const struct stmt *first,
					 char *buf, size_t size)
{
	char a[512], b[512];

	if (s->kind != first->kind || (s->kind == STMT_HIST && s->u.stat.hist != first->u.stat.hist)) {
		snprintf(buf, size, "here it is %s, there %s", stat_kind_word(s), stat_kind_word(first));
	} else if (s->kind == STMT_HIST &&
		   strcmp(check_expr_text(s->u.stat.value, a, sizeof(a)),
			  check_expr_text(first->u.stat.value, b, sizeof(b))) != 0) {
		snprintf(buf, size, "here it is a hist of '%s', there of '%s'", a, b);
	} else if (s->kind == STMT_HIST && s->u.stat.hist == HIST_LINEAR &&
		   (s->u.stat.lin_min != first->u.stat.lin_min ||
		    s->u.stat.lin_max != first->u.stat.lin_max ||
		    s->u.stat.lin_step != first->u.stat.lin_step)) {
		snprintf(buf, size, "here its buckets are linear(%" PRIu64 ", %" PRIu64 ", %" PRIu64
			 "), there linear(%" PRIu64 ", %" PRIu64 ", %" PRIu64 ")",
			 s->u.stat.lin_min, s->u.stat.lin_max, s->u.stat.lin_step,
			 first->u.stat.lin_min, first->u.stat.lin_max, first->u.stat.lin_step);
	} else if ((s->kind == STMT_LIMIT || s->kind == STMT_QUOTA) &&
		   strcmp(budget_text(s, a, sizeof(a)), budget_text(first, b, sizeof(b))) != 0) {
		snprintf(buf, size, "here it is %s, there %s", a, b);
	} else if (s->u.stat.wire != first->u.stat.wire) {
		snprintf(buf, size, "here it counts %s, there %s",
			 s->u.stat.wire ? "the packets on the wire" : "the packets the route sees",
			 first->u.stat.wire ? "the packets on the wire" : "the packets the route sees");
	} else if (s->kind == STMT_SAMPLE &&
		   stat_snaplen(s) != stat_snaplen(first)) {
		snprintf(buf, size, "here its snaplen is %" PRIu64 ", there %" PRIu64,
			 stat_snaplen(s), stat_snaplen(first));
	} else if (!same_keys(s, first)) {
		snprintf(buf, size, "here its keys are %s, there %s",
			 keys_text(s, a, sizeof(a)), keys_text(first, b, sizeof(b)));
	} else if (stat_size(s) != stat_size(first)) {
		snprintf(buf, size, "here its size is %" PRIu64 ", there %" PRIu64,
			 stat_size(s), stat_size(first));
	} else {
		return NULL;
	}
	return buf;
}

/* The rule "one name, one statistic", checked here and nowhere else: every
 * statement that names a statistic, in any policy of the file, counts into
 * the one map of that name (the resources pass makes it), so it must define
 * it as the first statement does. */
static void check_same_definition(struct checker *ck, struct stmt *s)
{
	const struct stmt *first = names_find(&ck->stats, s->u.stat.name);
	char why[1200];

	if (!first) {
		names_add(&ck->stats, s->u.stat.name, s);
		return;
	}
	if (definition_difference(s, first, why, sizeof(why))) {
		diag_error(&s->u.stat.name_loc, "statistic '%s' is already defined "
			   "differently: %s; a name used twice must mean the same "
			   "statistic", s->u.stat.name, why);
		diag_note(&first->u.stat.name_loc, "'%s' is first defined here", s->u.stat.name);
	}
}

/* limit: a rate of at least 1, a burst in the rate's unit; quota: a budget
 * of at least 1 packet or byte. The resources pass checks that the bucket's
 * arithmetic fits in 64 bits. */
static void check_amounts(const struct stmt *s)
{
	const struct rate *r = &s->u.stat.rate;
	const struct loc *aloc = &s->u.stat.amount_loc;

	if (s->kind == STMT_QUOTA) {
		if (s->u.stat.amount == 0)
			diag_error(aloc, "a quota needs a budget of at least 1 %s",
				   s->u.stat.amount_unit ? "byte" : "packet");
		return;
	}
	if (r->amount == 0)
		diag_error(&s->u.stat.rate_loc, "a rate must be at least 1 %s per period",
			   r->unit == UNIT_PACKETS ? "packet" : r->unit == UNIT_BYTES ? "byte" : "bit");
	if (r->unit == UNIT_PACKETS && s->u.stat.amount_unit)
		diag_error(aloc, "the burst of a packet rate is a number of packets: "
			   "write it without a unit, as in 'burst 10'");
	else if (r->unit != UNIT_PACKETS && !s->u.stat.amount_unit)
		diag_error(aloc, "the burst of a %s rate is in bytes: write it with a size "
			   "unit, as in 'burst %" PRIu64 "B' or 'burst 64kB'",
			   r->unit == UNIT_BYTES ? "byte" : "bit", s->u.stat.amount);
	else if (s->u.stat.amount == 0)
		diag_error(aloc, "a burst must be at least 1 %s",
			   r->unit == UNIT_PACKETS ? "packet" : "byte");
}

/* 'set FIELD = VALUE': FIELD writable, VALUE a 32-bit integer. */
static void check_assignment(struct checker *ck, struct expr *target, struct expr *value)
{
	uint64_t n;
	char text[TEXT], ttext[TEXT];

	if (target && target->kind == EXPR_FIELD)
		check_field(target, true);
	else if (target)
		diag_error(&target->loc, "'set' writes a field: skb.mark, skb.priority or skb.cb[N]");
	check_expr(&ck->scope, value, target ? check_domain_of(target) : NULL);
	if (!check_known(value))
		return;
	check_expr_text(value, text, sizeof(text));
	if (value->type.kind != TYPE_INT) {
		diag_error(&value->loc, "'set' stores an integer, but '%s' is %s",
			   text, check_type_a(&value->type));
		return;
	}
	if (check_const_int(value, &n)) {
		if (n > UINT32_MAX && check_known(target))
			diag_error(&value->loc, "%s does not fit in '%s' (u32, 0..4294967295)",
				   text, check_expr_text(target, ttext, sizeof(ttext)));
	} else if (value->type.bits > 32) {
		diag_error(&value->loc, "'set' stores 32 bits, but '%s' may be wider", text);
	}
}

static void check_stat(struct checker *ck, struct stmt *s)
{
	bool name_ok = s->u.stat.name && check_stat_name(ck, s);

	/* a keyed statistic's new keys, a sample's records are counted in
	 * lwtp_full_NAME */
	if (name_ok && (s->u.stat.keys.len > 0 || s->kind == STMT_SAMPLE) && strlen(s->u.stat.name) > LWTP_KEYED_NAME_MAX) {
		diag_error(&s->u.stat.name_loc, "the name of a keyed statistic or a sample can have at most "
			   "%d characters (its map of refusals is lwtp_full_NAME), but '%.20s...' "
			   "has %zu", LWTP_KEYED_NAME_MAX, s->u.stat.name, strlen(s->u.stat.name));
		name_ok = false;
	}

	if (s->kind == STMT_HIST)
		check_hist_value(ck, s);
	if (s->kind == STMT_HIST && s->u.stat.wire)
		diag_error(&s->u.stat.wire_loc, "a hist describes the packets the route sees: "
			   "'wire' is for count, limit and quota");
	if (s->kind == STMT_SAMPLE)
		check_sample(s);
	if (s->kind == STMT_LIMIT || s->kind == STMT_QUOTA) {
		check_amounts(s);
		if (s->u.stat.action.kind == ACTION_SET)
			check_assignment(ck, s->u.stat.action.target, s->u.stat.action.value);
	}
	check_keys(s);
	check_size(s);
	if (name_ok)
		check_same_definition(ck, s);
}

/* ---- statements -------------------------------------------------------------- */

static void check_set_stmt(struct checker *ck, struct stmt *s)
{
	struct expr *t = s->u.set.target;

	if (!s->u.set.map && !s->u.set.map_name) {
		check_assignment(ck, t, s->u.set.value);
		return;
	}
	if (t->kind == EXPR_FIELD)
		check_field(t, true);
	check_map(&ck->scope, s, check_known(t) ? t : NULL);
}

static bool check_block(struct checker *ck, struct stmt_list *body);

/* Returns whether the statement always ends the program. */
static bool check_if(struct checker *ck, struct stmt *s)
{
	const struct stmt_list *el = &s->u.if_.else_body;
	bool chained = el->len == 1 && el->items[0] && el->items[0]->kind == STMT_IF;
	bool then_ends, else_ends;

	check_cond(&ck->scope, s->u.if_.test);
	if (ck->nesting >= MAX_NESTING) {
		diag_error(&s->loc, "'if' nested more than %d deep; the C it becomes "
			   "would be too deep for clang", MAX_NESTING);
		return false;
	}
	ck->nesting++;
	scope_enter(&ck->scope);
	then_ends = check_block(ck, &s->u.if_.then_body);
	scope_leave(&ck->scope);
	ck->nesting--;
	/* 'else if' goes on at the same depth: the C is a flat chain */
	if (!chained)
		ck->nesting++;
	scope_enter(&ck->scope);
	else_ends = check_block(ck, &s->u.if_.else_body);
	scope_leave(&ck->scope);
	if (!chained)
		ck->nesting--;
	return s->u.if_.has_else && then_ends && else_ends;
}

/* Returns whether the statement always ends the program. */
static bool check_stmt(struct checker *ck, struct stmt *s)
{
	if (ast_is_stat(s)) {
		check_stat(ck, s);
		check_cond(&ck->scope, s->cond);
		return false;
	}
	switch (s->kind) {
	case STMT_DROP:
	case STMT_PASS:
		check_cond(&ck->scope, s->cond);
		return s->cond == NULL;
	case STMT_SET:
		check_set_stmt(ck, s);
		check_cond(&ck->scope, s->cond);
		return false;
	case STMT_VMAP:
		check_map(&ck->scope, s, NULL);
		check_cond(&ck->scope, s->cond);
		return false;
	case STMT_IF:
		return check_if(ck, s);
	case STMT_CONST:
		check_const_decl(ck, s->u.konst);
		return false;
	default:        /* the statistics are checked above */
		diag_error(&s->loc, "internal error: unknown statement kind %d", (int)s->kind);
		return false;
	}
}

static const char *why_it_ends(const struct stmt *s)
{
	switch (s->kind) {
	case STMT_DROP: return "this 'drop' always ends the program";
	case STMT_PASS: return "this 'pass' always ends the program";
	default:        return "every branch of this 'if' ends the program";
	}
}

/* Returns whether the block always ends the program. */
static bool check_block(struct checker *ck, struct stmt_list *body)
{
	const struct stmt *ender = NULL;
	bool warned = false;

	for (size_t i = 0; i < body->len && !diag_too_many(); i++) {
		struct stmt *s = body->items[i];
		if (!s)
			continue;
		if (ender && !warned && s->kind != STMT_CONST) {
			diag_warning(&s->loc, "statement is never reached");
			diag_note(&ender->loc, "%s", why_it_ends(ender));
			warned = true;
		}
		if (check_stmt(ck, s) && !ender)
			ender = s;
	}
	return ender != NULL;
}

/* ---- policies and the program --------------------------------------------------- */

static void check_policy_name(struct checker *ck, const struct policy *p)
{
	static const char *const sections[] = { "license", "maps", "version", NULL };
	const struct policy *first = check_find_policy(ck->prog, p->name);

	if (first != p) {
		diag_error(&p->name_loc, "policy '%s' is defined twice", p->name);
		diag_note(&first->name_loc, "'%s' is first defined here", p->name);
		return;
	}
	for (const char *const *sec = sections; *sec; sec++) {
		if (strcmp(p->name, *sec) == 0) {
			diag_error(&p->name_loc, "'%s' cannot be a policy name: the ELF section "
				   "'%s' is not a program, so iproute2 would not load it", p->name, *sec);
			return;
		}
	}
	check_c_name(p->name, &p->name_loc, "policy");
}

/* ---- size ------------------------------------------------------------------ */

/* Expression nodes, down to the depth check_expr() allows; a set counts
 * once (large sets become maps). ctx: the size_t to add to. */
static enum walk_next weigh_node(struct expr *e, int depth, void *ctx)
{
	size_t *w = ctx;

	if (depth > MAX_EXPR_DEPTH)
		return WALK_OVER;
	(*w)++;
	return e->kind == EXPR_UNARY || e->kind == EXPR_BINARY ? WALK_ON : WALK_OVER;
}

/* A statement and the expression nodes it tests or computes. */
static enum walk_next weigh_stmt(struct stmt *s, struct policy *p, void *ctx)
{
	size_t *w = ctx;

	(*w)++;
	walk_expr(s->cond, weigh_node, w);
	if (s->kind == STMT_IF)
		walk_expr(s->u.if_.test, weigh_node, w);
	else if (s->kind == STMT_HIST)
		walk_expr(s->u.stat.value, weigh_node, w);
	else if (s->kind == STMT_SET)
		walk_expr(s->u.set.value, weigh_node, w);
	return WALK_ON;
}

/* clang's time grows faster than the policy: refuse a policy that would
 * keep it busy for minutes (and could not load anyway: see clang.c's
 * CLANG_MAX_INSNS). The weight, statements and the expression nodes they
 * test or compute, is about how much C a policy becomes. */
static void check_policy_size(struct checker *ck, struct policy *p)
{
	size_t w = 0;

	walk_stmts(&p->body, p, weigh_stmt, &w);

	ck->weight += w;
	if (w > MAX_POLICY_WEIGHT)
		diag_error(&p->name_loc, "policy '%s' is too large: %zu statements and operators, "
			   "at most %d; split it into several policies",
			   p->name ? p->name : "?", w, MAX_POLICY_WEIGHT);
	else if (ck->weight > MAX_FILE_WEIGHT && ck->weight - w <= MAX_FILE_WEIGHT)
		diag_error(&p->name_loc, "the file is too large from policy '%s' on: %zu "
			   "statements and operators, at most %d in one file; split it into "
			   "several files", p->name ? p->name : "?", ck->weight, MAX_FILE_WEIGHT);
}

/* An audit policy's map is lwtp_audit_NAME, pinned, and its value holds a
 * counter a statement (lwtp_contract.h, LWTP_AUDIT_PREFIX). */
static void check_audit(struct policy *p)
{
	size_t n;

	if (p->name && strlen(p->name) > LWTP_AUDIT_NAME_MAX) {
		diag_error(&p->name_loc, "the name of an audit policy is at most %d characters "
			   "(its map " LWTP_AUDIT_PREFIX "NAME is pinned, and a pin's name has at "
			   "most %d), but '%.20s...' has %zu", LWTP_AUDIT_NAME_MAX, LWTP_NAME_MAX,
			   p->name, strlen(p->name));
		if (p->audit_loc.first_line != p->name_loc.first_line ||
		    p->audit_loc.first_column != p->name_loc.first_column)
			diag_note(&p->audit_loc, "audit mode is asked for here");
	}
	n = audit_count_stmts(p);
	if (n > LWTP_AUDIT_MAX_STMTS)
		diag_error(&p->name_loc, "audit policy '%s' has %zu statements that its map counts "
			   "(drop, pass, set, limit, quota, and its end), at most %d: a per-CPU "
			   "value holds 32 KiB; split it into several policies",
			   p->name ? p->name : "?", n, LWTP_AUDIT_MAX_STMTS);
}

static void check_policy(struct checker *ck, struct policy *p)
{
	if (p->name)
		check_policy_name(ck, p);
	if (p->audit)
		check_audit(p);
	check_policy_size(ck, p);
	if (diag_too_many())
		return;
	scope_enter(&ck->scope);
	check_block(ck, &p->body);
	scope_leave(&ck->scope);
}

int check_program(struct program *prog)
{
	struct checker ck = { .prog = prog, .scope.prog = prog };
	bool any_policy = false;

	for (size_t i = 0; i < prog->nitems; i++)
		any_policy |= prog->items[i].kind == ITEM_POLICY;
	/* an object without a program loads nowhere: say so rather than
	 * write it (a file with syntax errors has said enough already) */
	if (!any_policy && diag_error_count() == 0)
		diag_error_noloc("no policy in the file: an object needs at least one "
				 "'policy NAME { ... }' to attach to a route");
	for (size_t i = 0; i < prog->nitems && !diag_too_many(); i++) {
		struct item *it = &prog->items[i];
		switch (it->kind) {
		case ITEM_CONST:
			check_const_decl(&ck, it->u.konst);
			break;
		case ITEM_POLICY:
			if (it->u.policy)
				check_policy(&ck, it->u.policy);
			break;
		case ITEM_SET:
			check_set_decl(&ck.scope, it->u.set);
			break;
		default:
			diag_error_noloc("internal error: unknown item kind %d", (int)it->kind);
			break;
		}
	}
	free(ck.scope.consts);
	free(ck.scope.sets);
	names_free(&ck.stats);
	return diag_error_count() > 0 ? -1 : 0;
}
