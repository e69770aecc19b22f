/* check_map.c: constant maps, 'set FIELD = KEY map { K : V, ... }' and
 * 'vmap KEY { K : drop, ... }': the key is an integer or an address read
 * from the packet; the keys are a set's elements of the key's kind, that
 * fit it; the values are integers that fit the field (map) or verdicts
 * (vmap); two keys either hold one another, the inner one winning, or are
 * apart. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyse_sets.h"
#include "check_priv.h"
#include "diag.h"

#define TEXT 160

static const char *verdict_word(uint64_t v)
{
	return v == MAPV_DROP ? "drop" : "pass";
}

/* The key: read from the packet, an integer or an address. */
static bool check_map_key(const struct check_scope *sc, struct expr *key, const char *what)
{
	char text[TEXT];

	check_expr(sc, key, NULL);
	if (!check_known(key))
		return false;
	check_expr_text(key, text, sizeof(text));
	if (key->type.kind != TYPE_INT && !check_is_addr(&key->type)) {
		diag_error(&key->loc, "the key of a %s is an integer or an address, but '%s' is %s",
			   what, text, check_type_a(&key->type));
		return false;
	}
	if (check_is_constant(key)) {
		diag_error(&key->loc, "the key of a %s is read from the packet, but '%s' is a "
			   "constant", what, text);
		return false;
	}
	return true;
}

/* The keys are of the key's kind, fit it, and are of its family. */
static bool check_map_keys(const struct expr *key, const struct expr *keys, const char *what)
{
	bool int_key = key->type.kind == TYPE_INT;
	char ktext[TEXT], text[TEXT];
	bool ok = true;

	check_expr_text(key, ktext, sizeof(ktext));
	for (size_t i = 0; i < keys->u.set.len; i++) {
		const struct expr *el = keys->u.set.items[i];
		enum type_kind fam = el->type.kind;
		check_expr_text(el, text, sizeof(text));
		if (check_element_is_int(el) != int_key) {
			diag_error(&el->loc, "a %s keyed by '%s' (%s) takes %s as keys, but '%s' is %s",
				   what, ktext, check_type_name(&key->type),
				   int_key ? "integers and ranges" : "addresses and prefixes",
				   text, check_type_a(&el->type));
			return false;       /* a set holds one kind: all of them are */
		}
		if (!int_key && key->type.kind != TYPE_ADDR && fam != key->type.kind) {
			diag_error(&el->loc, "'%s' is an %s address: the key '%s' never matches",
				   ktext, key->type.kind == TYPE_ADDR4 ? "IPv4" : "IPv6", text);
			ok = false;
		}
	}
	if (int_key)
		check_elements_fit(keys, NULL, key);
	return ok;
}

/* The values: integers that fit the field (map), or verdicts (vmap). */
static bool check_map_values(const struct check_scope *sc, struct map_lit *m, bool vmap,
			     const struct expr *target)
{
	char text[TEXT], ttext[TEXT] = "the field";
	bool ok = true;

	if (target)
		check_expr_text(target, ttext, sizeof(ttext));
	for (size_t i = 0; i < m->keys->u.set.len && !diag_too_many(); i++) {
		struct map_value *v = &m->values[i];
		if (vmap) {
			if (v->verdict == MAPV_NONE) {
				diag_error(&v->loc, "a vmap's values are verdicts, 'drop' or 'pass', "
					   "but '%s' is not; a map of values is "
					   "'set FIELD = KEY map { ... }'",
					   check_expr_text(v->value, text, sizeof(text)));
				ok = false;
			}
			v->num = v->verdict;
			continue;
		}
		if (v->verdict != MAPV_NONE) {
			diag_error(&v->loc, "'%s' is a verdict, but this map gives '%s' a value; "
				   "a map of verdicts is 'vmap KEY { ... }'",
				   verdict_word(v->verdict), ttext);
			ok = false;
			continue;
		}
		check_expr(sc, v->value, target ? check_domain_of(target) : NULL);
		if (!check_known(v->value)) {
			ok = false;
			continue;
		}
		check_expr_text(v->value, text, sizeof(text));
		if (v->value->type.kind != TYPE_INT || !check_const_int(v->value, &v->num)) {
			diag_error(&v->loc, "a map's value is an integer constant, but '%s' is %s",
				   text, check_type_a(&v->value->type));
			ok = false;
		} else if (v->num > UINT32_MAX) {
			diag_error(&v->loc, "%s does not fit in '%s' (u32, 0..4294967295)", text, ttext);
			ok = false;
		}
	}
	return ok;
}

struct conflicts {
	const struct map_lit *m;
	bool verdicts;
};

static void value_text(const struct conflicts *c, uint64_t v, char *buf, size_t size)
{
	if (c->verdicts)
		snprintf(buf, size, "%s", verdict_word(v));
	else
		snprintf(buf, size, "%" PRIu64, v);
}

/* Two keys that overlap without one holding the other, or the same key
 * twice with two values: reported at the one written second. */
static void report_conflict(void *ctx, const struct ival *a, const struct ival *b)
{
	const struct conflicts *c = ctx;
	const struct expr *const *keys = (const struct expr *const *)c->m->keys->u.set.items;
	const struct ival *first = a->elem < b->elem ? a : b, *second = a->elem < b->elem ? b : a;
	char t1[TEXT], t2[TEXT], v1[32], v2[32];

	if (diag_too_many())
		return;
	check_expr_text(keys[first->elem], t1, sizeof(t1));
	check_expr_text(keys[second->elem], t2, sizeof(t2));
	if (a->lo == b->lo && a->hi == b->hi) {
		value_text(c, first->value, v1, sizeof(v1));
		value_text(c, second->value, v2, sizeof(v2));
		diag_error(&keys[second->elem]->loc, "key '%s' is in the map twice, with the "
			   "values %s and %s", t2, v1, v2);
	} else {
		diag_error(&keys[second->elem]->loc, "keys '%s' and '%s' overlap, and neither holds "
			   "the other: which value their common part takes is not clear; split "
			   "them", t1, t2);
	}
	diag_note(&keys[first->elem]->loc, "'%s' is here", t1);
}

/* Whether key is a tuple, '(F1, F2) map NAME' (tuple.c rewrites a
 * constant map keyed by tuples into tests of constant tuple sets). */
static bool is_tuple(const struct expr *key)
{
	return key && key->kind == EXPR_SET && key->tuple;
}

/* The components of a tuple looked up: each checked; whether all are
 * known (each then checked against the map's component). */
static bool check_tuple_components(const struct check_scope *sc, struct expr *tuple)
{
	bool ok = true;

	for (size_t k = 0; k < tuple->u.set.len; k++) {
		check_expr(sc, tuple->u.set.items[k], NULL);
		ok &= check_known(tuple->u.set.items[k]);
	}
	return ok;
}

/* 'set FIELD = KEY map NAME', 'vmap KEY NAME': NAME a runtime map of
 * values (map) or of verdicts (vmap), keyed by what KEY is. */
static void check_runtime_map(const struct check_scope *sc, struct stmt *s, bool key_ok)
{
	const char *name = s->u.set.map_name, *what = s->kind == STMT_VMAP ? "vmap" : "map";
	const struct loc *at = &s->u.set.map_name_loc;
	enum rmap_value want = s->kind == STMT_VMAP ? RMAP_VERDICT : RMAP_MARK;
	struct set_decl *d = check_find_set(sc, name);

	if (!d) {
		check_unknown_map(sc, name, at);
		return;
	}
	if (d->value == RMAP_NONE) {
		diag_error(at, "'%s' is a runtime set; a %s takes a runtime map "
			   "('map %s : %s -> %s;')", name, what, name, d->type_name,
			   want == RMAP_VERDICT ? "verdict" : "mark");
		diag_note(&d->name_loc, "set '%s' is declared here", name);
		return;
	}
	if (d->value != want) {
		if (want == RMAP_VERDICT)
			diag_error(at, "map '%s' holds values, but a vmap takes a map of verdicts "
				   "('-> verdict'); a map of values is 'set FIELD = KEY map %s'",
				   name, name);
		else
			diag_error(at, "map '%s' holds verdicts, but 'set' takes a map of values "
				   "('-> mark'); a map of verdicts is 'vmap KEY %s'", name, name);
		diag_note(&d->name_loc, "map '%s' is declared here", name);
		return;
	}
	s->u.set.runtime_map = d;
	if (key_ok && is_tuple(s->u.set.value))
		check_tuple_key(s->u.set.value, d);
	else if (key_ok)
		check_runtime_member(s->u.set.value, d);
}

void check_map(const struct check_scope *sc, struct stmt *s, const struct expr *target)
{
	struct map_lit *m = s->u.set.map;
	struct expr *key = s->u.set.value;
	bool vmap = s->kind == STMT_VMAP;
	const char *what = vmap ? "vmap" : "map";
	bool key_ok = is_tuple(key) ? check_tuple_components(sc, key)
				    : check_map_key(sc, key, what);

	if (s->u.set.map_name) {
		check_runtime_map(sc, s, key_ok);
		return;
	}

	check_expr(sc, m->keys, key_ok ? check_domain_of(key) : NULL);
	bool values_ok = check_map_values(sc, m, vmap, target);
	if (!key_ok || m->keys->type.kind != TYPE_SET || !check_map_keys(key, m->keys, what) ||
	    !values_ok)
		return;
	/* integers, or the addresses of each family */
	struct conflicts c = { m, vmap };
	int kinds[2] = { 4, 6 }, n = 2;
	if (key->type.kind == TYPE_INT) {
		kinds[0] = 0;
		n = 1;
	}
	for (int i = 0; i < n; i++) {
		struct ivals iv = { 0 };
		analyse_map_keys(&iv, m, kinds[i]);
		analyse_map_conflicts(&iv, report_conflict, &c);
		free(iv.v);
	}
}
