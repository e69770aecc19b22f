/* check_set.c: runtime sets ('set NAME : TYPE [size N];'), filled while the
 * policy runs with 'lwtp set', and the fields that may be tested against
 * them: a set of cgroups only by 'socket.cgroup in SET', which is the one
 * use of socket.cgroup; a set of tuples ('set NAME : (ip, port);') only by
 * a tuple of as many fields, '(ip.dst, tcp.dport) in NAME'. */
#include <stdlib.h>
#include <string.h>

#include "check_priv.h"
#include "diag.h"
#include "lwtp_contract.h"
#include "tuple.h"
#include "util.h"

#define SET_MAX_SIZE (1u << 24)

static const struct {
	const char *name;
	enum set_elem_type elem;
	int bits;               /* widest integer field it matches; 0: addresses */
} set_types[] = {
	{ "ip",    SETT_IP,    0 },
	{ "port",  SETT_PORT,  16 },
	{ "proto", SETT_PROTO, 8 },
	{ "u8",    SETT_U8,    8 },
	{ "u16",   SETT_U16,   16 },
	{ "u32",   SETT_U32,   32 },
	{ "cgroup", SETT_CGROUP, 0 },
};

#define NTYPES (sizeof(set_types) / sizeof(set_types[0]))

struct set_decl *check_find_set(const struct check_scope *sc, const char *name)
{
	for (size_t i = 0; i < sc->nsets; i++)
		if (!strcmp(sc->sets[i]->name, name))
			return sc->sets[i];
	return NULL;
}

/* "set" or "map": what d declares */
static const char *decl_word(const struct set_decl *d)
{
	return d->value_name ? "map" : "set";
}

/* "holds" or "is keyed by": what d's elements are to it */
static const char *decl_verb(const struct set_decl *d)
{
	return d->value_name ? "is keyed by" : "holds";
}

/* The type named name, written at loc, of a component of a set of tuples:
 * any but cgroup. */
static bool resolve_component(const char *name, const struct loc *loc,
			      enum set_elem_type *elem)
{
	const char *names[NTYPES];
	const char *best;

	for (size_t i = 0; i < NTYPES - 1; i++) {       /* cgroup is last */
		names[i] = set_types[i].name;
		if (!strcmp(name, set_types[i].name)) {
			*elem = set_types[i].elem;
			return true;
		}
	}
	names[NTYPES - 1] = NULL;
	if (!strcmp(name, "cgroup")) {
		diag_error(loc, "a tuple's component cannot be a cgroup: only 'socket.cgroup "
			   "in SET' tests cgroups, against a set of them");
		return false;
	}
	best = diag_did_you_mean(name, names);
	if (best)
		diag_error(loc, "unknown tuple component type '%s'; did you mean '%s'?", name, best);
	else
		diag_error(loc, "unknown tuple component type '%s'; the types are ip, port, "
			   "proto, u8, u16 and u32", name);
	return false;
}

/* 'set NAME : (T1, T2, ...)': 2 to TUPLE_MAX_FIELDS components, each a
 * type a set may hold but cgroup; its map's key is struct NAME_key. */
static bool resolve_tuple_type(struct set_decl *d)
{
	const struct expr_list *types = &d->tuple;
	bool ok = true;

	const char *what = d->value_name ? "a map's key tuple" : "a set of tuples";

	if (types->len < 2) {
		if (d->value_name)
			diag_error(&d->type_loc, "%s has 2 to %d components; for one, write "
				   "'map %s : %s -> %s;'", what, TUPLE_MAX_FIELDS, d->name,
				   types->items[0]->u.name.name, d->value_name);
		else
			diag_error(&d->type_loc, "%s has 2 to %d components; for one, write "
				   "'set %s : %s;'", what, TUPLE_MAX_FIELDS, d->name,
				   types->items[0]->u.name.name);
		return false;
	}
	if (types->len > TUPLE_MAX_FIELDS) {
		diag_error(&types->items[TUPLE_MAX_FIELDS]->loc, "%s has at most %d components",
			   what, TUPLE_MAX_FIELDS);
		return false;
	}
	for (size_t k = 0; k < types->len; k++)
		if (!resolve_component(types->items[k]->u.name.name, &types->items[k]->loc,
				       &d->tuple_elem[k]))
			ok = false;
	if (!ok)
		return false;
	d->elem = SETT_TUPLE;
	d->key_type = xasprintf("struct %s_key", d->name);
	return true;
}

/* A set's element type, or a map's key type: any but cgroup. */
static bool resolve_elem_type(struct set_decl *d)
{
	if (d->tuple.len)
		return resolve_tuple_type(d);

	bool map = d->value_name != NULL;
	size_t n = map ? NTYPES - 1 : NTYPES;   /* cgroup is last */
	const char *names[NTYPES + 1];
	for (size_t i = 0; i < n; i++) {
		names[i] = set_types[i].name;
		if (!strcmp(d->type_name, set_types[i].name)) {
			d->elem = set_types[i].elem;
			return true;
		}
	}
	names[n] = NULL;
	const char *best = diag_did_you_mean(d->type_name, names);
	const char *what = map ? "map key" : "set element";
	if (best)
		diag_error(&d->type_loc, "unknown %s type '%s'; did you mean '%s'?",
			   what, d->type_name, best);
	else if (map)
		diag_error(&d->type_loc, "unknown map key type '%s'; the types are ip, port, "
			   "proto, u8, u16 and u32", d->type_name);
	else
		diag_error(&d->type_loc, "unknown set element type '%s'; "
			   "the types are ip, port, proto, u8, u16, u32 and cgroup", d->type_name);
	return false;
}

/* A runtime map's values: 'mark' (integers) or 'verdict' (drop, pass). */
static bool resolve_value(struct set_decl *d)
{
	static const char *const names[] = { "mark", "verdict", NULL };
	const char *best;

	if (!d->value_name)
		return true;
	if (!strcmp(d->value_name, "mark")) {
		d->value = RMAP_MARK;
		return true;
	}
	if (!strcmp(d->value_name, "verdict")) {
		d->value = RMAP_VERDICT;
		return true;
	}
	best = diag_did_you_mean(d->value_name, names);
	if (best)
		diag_error(&d->value_loc, "unknown map value '%s'; did you mean '%s'?",
			   d->value_name, best);
	else
		diag_error(&d->value_loc, "unknown map value '%s'; a runtime map holds 'mark' "
			   "(32-bit values, for 'set FIELD = KEY map NAME') or 'verdict' (drop "
			   "or pass, for 'vmap KEY NAME')", d->value_name);
	return false;
}

static int elem_bits(enum set_elem_type elem)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (set_types[i].elem == elem)
			return set_types[i].bits;
	return 0;
}

static const char *elem_name(enum set_elem_type elem)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (set_types[i].elem == elem)
			return set_types[i].name;
	return "?";
}

/* A set of cgroups: a slot costs each packet that tests the set a helper
 * call, and its lwtp_cgroups_NAME must be a pin's name too. */
static bool cgroup_set_decl(const struct set_decl *d)
{
	bool ok = true;

	if (d->has_size && (d->size < 1 || d->size > LWTP_CGROUP_SET_MAX_SIZE)) {
		diag_error(&d->size_loc, "a set of cgroups holds 1 to %d cgroups: each one "
			   "costs every packet that tests the set a helper call "
			   "(bpf_skb_under_cgroup())", LWTP_CGROUP_SET_MAX_SIZE);
		ok = false;
	}
	if (strlen(d->name) > LWTP_CGROUPS_NAME_MAX) {
		diag_error(&d->name_loc, "the name of a set of cgroups is at most %d characters, "
			   "so that its map " LWTP_CGROUPS_PREFIX "NAME fits in %d",
			   LWTP_CGROUPS_NAME_MAX, LWTP_NAME_MAX);
		ok = false;
	}
	return ok;
}

void check_set_decl(struct check_scope *sc, struct set_decl *d)
{
	if (!d || !d->name || !d->type_name)
		return;
	const char *word = decl_word(d);
	bool ok = check_c_name(d->name, &d->name_loc, word);
	struct set_decl *first = check_find_set(sc, d->name);
	const struct const_decl *konst = check_find_const(sc, d->name);
	if (first || konst) {
		diag_error(&d->name_loc, "'%s' is already defined", d->name);
		diag_note(first ? &first->name_loc : &konst->name_loc,
			  "'%s' is first defined here", d->name);
		ok = false;
	}
	/* reported, but the set stays declared: its tests are checked */
	const struct policy *policy = check_find_policy(sc->prog, d->name);
	if (policy) {
		diag_error(&d->name_loc, "%s '%s' has the same name as a policy; an object "
			   "cannot hold a map and a program of one name: rename one", word, d->name);
		diag_note(&policy->name_loc, "policy '%s' is defined here", d->name);
	}
	if (!resolve_elem_type(d))
		ok = false;
	if (!resolve_value(d))
		ok = false;
	if (d->elem == SETT_CGROUP) {
		if (!cgroup_set_decl(d))
			ok = false;
	} else if (d->has_size && (d->size < 1 || d->size > SET_MAX_SIZE)) {
		diag_error(&d->size_loc, "a %s's size must be from 1 to %u", word, SET_MAX_SIZE);
		ok = false;
	}
	if (!d->has_size)
		d->size = d->elem == SETT_CGROUP ? LWTP_CGROUP_SET_DEFAULT_SIZE : LWTP_DEFAULT_SIZE;
	if (!ok)
		return;
	if (sc->nsets == sc->sets_cap) {
		sc->sets_cap = sc->sets_cap ? 2 * sc->sets_cap : 8;
		sc->sets = xrealloc(sc->sets, sc->sets_cap * sizeof(*sc->sets));
	}
	sc->sets[sc->nsets++] = d;
}

void check_runtime_member(const struct expr *l, const struct set_decl *set)
{
	const char *word = decl_word(set);
	char text[160];
	check_expr_text(l, text, sizeof(text));
	if (set->elem == SETT_TUPLE) {
		diag_error(&l->loc, "%s '%s' %s %s tuples, but '%s' is one field: %s "
			   "a tuple of %zu, '(F1, F2%s)%s%s'", word, set->name, decl_verb(set),
			   set->type_name, text, set->value_name ? "look up" : "test",
			   set->tuple.len, set->tuple.len > 2 ? ", ..." : "",
			   set->value_name ? " map " : " in ", set->name);
		return;
	}
	if (set->elem == SETT_CGROUP) {
		diag_error(&l->loc, "set '%s' holds cgroups, which only 'socket.cgroup in %s' "
			   "tests, but '%s' is %s", set->name, set->name, text,
			   check_type_a(&l->type));
		return;
	}
	if (set->elem == SETT_IP) {
		if (!check_is_addr(&l->type) || l->kind != EXPR_FIELD)
			diag_error(&l->loc, "%s '%s' holds addresses, but '%s' is %s",
				   word, set->name, text, check_type_a(&l->type));
		return;
	}
	int bits = elem_bits(set->elem);
	if (l->type.kind != TYPE_INT || check_is_constant(l)) {
		diag_error(&l->loc, "%s '%s' holds %s values, but '%s' is %s",
			   word, set->name, elem_name(set->elem), text, check_type_a(&l->type));
		return;
	}
	if (l->type.bits > bits)
		diag_error(&l->loc, "'%s' is %s, wider than the %s %s of %s '%s'",
			   text, check_type_a(&l->type), elem_name(set->elem),
			   set->value_name ? "keys" : "elements", word, set->name);
}

void check_unknown_map(const struct check_scope *sc, const char *name, const struct loc *loc)
{
	const struct program *prog = sc->prog;
	const char **cands = xcalloc(sc->nsets + 1, sizeof(*cands));
	const char *best;
	size_t n = 0;

	for (size_t i = 0; prog && i < prog->nitems; i++) {
		const struct set_decl *d = prog->items[i].u.set;
		if (prog->items[i].kind != ITEM_SET || !d || !d->name || strcmp(d->name, name) ||
		    !d->value_name)
			continue;
		free(cands);
		if (d->name_loc.first_line < loc->first_line ||
		    (d->name_loc.first_line == loc->first_line &&
		     d->name_loc.first_column < loc->first_column))
			return;     /* declared before, wrongly: reported there */
		diag_error(loc, "unknown map '%s'", name);
		diag_note(&d->name_loc, "map '%s' is declared here, but a map is visible only "
			  "after its declaration", name);
		return;
	}
	for (size_t i = 0; i < sc->nsets; i++)
		if (sc->sets[i]->value_name)
			cands[n++] = sc->sets[i]->name;
	best = diag_did_you_mean(name, cands);
	if (best)
		diag_error(loc, "unknown map '%s'; did you mean '%s'?", name, best);
	else
		diag_error(loc, "unknown map '%s'; a runtime map is declared at top level, before "
			   "its use: 'map %s : ip -> mark;'", name, name);
	free(cands);
}

/* When e is '(F1, F2) in SET' (or 'not in'): check it (SET must be a
 * runtime set of tuples of as many components, each field suiting its
 * component) and return true; else false, nothing done. */
static bool check_tuple_member(const struct check_scope *sc, struct expr *e);

/* Whether x is the field socket.cgroup, written so; not checked yet. */
static const struct field_def *cgroup_field(const struct expr *x)
{
	const struct field_def *def;

	if (!x || x->kind != EXPR_FIELD || !x->u.field.ns || !x->u.field.name ||
	    x->u.field.index >= 0)
		return NULL;
	def = fields_lookup(x->u.field.ns, x->u.field.name);
	return def && def->access == FIELD_MEMBER ? def : NULL;
}

bool check_cgroup_member(const struct check_scope *sc, struct expr *e)
{
	struct expr *l = e->u.binary.left, *r = e->u.binary.right;
	const struct field_def *def;
	char text[160];

	if (e->u.binary.op != OP_IN && e->u.binary.op != OP_NOT_IN)
		return false;
	/* check_compare() asks here first: a tuple tested in a runtime set too */
	if (check_tuple_member(sc, e))
		return true;
	def = cgroup_field(l);
	if (!def)
		return false;
	/* socket.cgroup is no value: it has no type, only its field */
	l->u.field.def = def;
	e->type.kind = TYPE_BOOL;
	e->type.bits = 0;
	check_expr(sc, r, NULL);
	if (!check_known(r))
		return true;
	check_expr_text(r, text, sizeof(text));
	if (r->kind != EXPR_NAME || !r->u.name.runtime_set)
		diag_error(&r->loc, "'socket.cgroup' is tested only against a runtime set of "
			   "cgroups ('set NAME : cgroup;'), but '%s' is %s", text,
			   check_type_a(&r->type));
	else if (r->u.name.runtime_set->elem != SETT_CGROUP)
		diag_error(&r->loc, "'socket.cgroup' is tested only against a runtime set of "
			   "cgroups, but set '%s' holds %s %s: declare it 'set %s : cgroup;'",
			   text, r->u.name.runtime_set->type_name,
			   r->u.name.runtime_set->elem == SETT_TUPLE ? "tuples" : "values", text);
	return true;
}

/* ---- tuples: '(F1, F2) in SET' ------------------------------------------------ */

/* Component k of the tuple tested in set d must suit the set's component
 * k, as a field tested 'in' a set of that type must. */
static void check_component(const struct expr *c, size_t k, const struct set_decl *d)
{
	enum set_elem_type elem = d->tuple_elem[k];
	char text[160];

	if (!check_known(c))
		return;
	check_expr_text(c, text, sizeof(text));
	if (elem == SETT_IP) {
		if (!check_is_addr(&c->type) || c->kind != EXPR_FIELD)
			diag_error(&c->loc, "%s '%s' %s %s tuples, whose component %zu is an "
				   "address, but '%s' is %s", decl_word(d), d->name, decl_verb(d),
				   d->type_name, k + 1, text, check_type_a(&c->type));
		return;
	}
	if (c->type.kind != TYPE_INT || check_is_constant(c)) {
		diag_error(&c->loc, "%s '%s' %s %s tuples, whose component %zu is a %s, "
			   "but '%s' is %s", decl_word(d), d->name, decl_verb(d), d->type_name,
			   k + 1, elem_name(elem), text, check_type_a(&c->type));
		return;
	}
	if (c->type.bits > elem_bits(elem))
		diag_error(&c->loc, "'%s' is %s, wider than component %zu of %s '%s' %s, a %s",
			   text, check_type_a(&c->type), k + 1, decl_word(d), d->name,
			   d->type_name, elem_name(elem));
}

/* The set a tuple is tested in: a runtime set of tuples of as many
 * components; NULL after saying why not. */
static const struct set_decl *tuple_set_of(const struct expr *tuple, const struct expr *r)
{
	const struct set_decl *d = r->u.name.runtime_set;
	char text[160];

	check_expr_text(r, text, sizeof(text));
	if (!d) {
		diag_error(&r->loc, "a tuple is tested against a runtime set of tuples or "
			   "tuples written in the test, '{ (V1, V2), ... }': '%s' is %s", text,
			   check_type_a(&r->type));
		return NULL;
	}
	if (d->value != RMAP_NONE) {
		diag_error(&r->loc, "'%s' is a runtime map, not a set", d->name);
		return NULL;
	}
	if (d->elem != SETT_TUPLE) {
		diag_error(&r->loc, "set '%s' holds %s values, not tuples: test one field, "
			   "'FIELD in %s', or declare it 'set %s : (%s, ...);'", d->name,
			   d->type_name, d->name, d->name, d->type_name);
		return NULL;
	}
	if (tuple->u.set.len != d->tuple.len) {
		diag_error(&tuple->loc, "this tuple has %zu fields, but the elements of set '%s' "
			   "have %zu components, %s", tuple->u.set.len, d->name, d->tuple.len,
			   d->type_name);
		diag_note(&d->name_loc, "set '%s' is declared here", d->name);
		return NULL;
	}
	return d;
}

/* '(F1, F2) in c', c a const's set of tuples: e becomes the test of a
 * constant tuple set written in place (tuple.c), checked; true. False
 * when the set is no such const, nothing done. */
static bool tuple_const_rewritten(const struct check_scope *sc, struct expr *e)
{
	struct expr *l = e->u.binary.left, *r = e->u.binary.right, *test;
	const struct const_decl *c;

	if (!r || r->kind != EXPR_NAME)
		return false;
	c = check_find_const(sc, r->u.name.name);
	if (!c || !c->value || c->value->kind != EXPR_SET || !c->value->tuples)
		return false;
	for (size_t i = 0; i < c->value->u.set.len; i++) {
		const struct expr *t = c->value->u.set.items[i];

		if (t->u.set.len == l->u.set.len)
			continue;
		diag_error(&l->loc, "this tuple has %zu fields, but the elements of const '%s' "
			   "have %zu components", l->u.set.len, c->name, t->u.set.len);
		diag_note(&t->loc, "an element of const '%s'", c->name);
		e->type.kind = TYPE_BOOL;
		e->type.bits = 0;
		return true;
	}
	size_t errors = diag_error_count();
	struct loc at = e->loc;

	test = tuple_in_const(&e->loc, e->u.binary.op, &l->u.set, c->value);
	ast_expr_free(l);
	ast_expr_free(r);
	*e = *test;
	free(test);
	check_expr(sc, e, NULL);
	/* the errors are at the const's elements: say which test found them */
	if (diag_error_count() > errors)
		diag_note(&at, "in this test of const '%s'", c->name);
	return true;
}

static bool check_tuple_member(const struct check_scope *sc, struct expr *e)
{
	struct expr *l = e->u.binary.left, *r = e->u.binary.right;
	const struct set_decl *d;

	if ((e->u.binary.op != OP_IN && e->u.binary.op != OP_NOT_IN) ||
	    !l || l->kind != EXPR_SET || !l->tuple)
		return false;
	if (tuple_const_rewritten(sc, e))
		return true;
	e->type.kind = TYPE_BOOL;
	e->type.bits = 0;
	for (size_t k = 0; k < l->u.set.len; k++)
		check_expr(sc, l->u.set.items[k], NULL);
	check_expr(sc, r, NULL);
	if (!check_known(r))
		return true;
	d = tuple_set_of(l, r);
	for (size_t k = 0; d && k < l->u.set.len; k++)
		check_component(l->u.set.items[k], k, d);
	return true;
}

void check_tuple_key(const struct expr *tuple, const struct set_decl *d)
{
	if (d->elem != SETT_TUPLE) {
		diag_error(&tuple->loc, "map '%s' is keyed by %s values, not tuples: look up one "
			   "field, or declare it 'map %s : (%s, ...) -> %s;'", d->name,
			   d->type_name, d->name, d->type_name, d->value_name);
		diag_note(&d->name_loc, "map '%s' is declared here", d->name);
		return;
	}
	if (tuple->u.set.len != d->tuple.len) {
		diag_error(&tuple->loc, "this tuple has %zu fields, but the keys of map '%s' "
			   "have %zu components, %s", tuple->u.set.len, d->name, d->tuple.len,
			   d->type_name);
		diag_note(&d->name_loc, "map '%s' is declared here", d->name);
		return;
	}
	for (size_t k = 0; k < tuple->u.set.len; k++)
		check_component(tuple->u.set.items[k], k, d);
}
