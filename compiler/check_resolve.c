/* check_resolve.c: resolving what a policy names: a NAME is a const or a
 * runtime set in scope, else a named value of the field it is compared
 * with ('udp' in 'ip.proto == udp'); a field is looked up in the field
 * table (fields.c) and must be readable, or writable where it is written.
 * Misspellings get a "did you mean".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_priv.h"
#include "diag.h"
#include "kernel.h"

#define TEXT 160

/* ---- names ------------------------------------------------------------- */

/* "cs0, cs1, ..." */
static void symbol_list(const struct symbol_domain *d, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const struct symbol_def *s = d->symbols; s->name; s++) {
		int n = snprintf(buf + used, size - used, "%s%s",
				 s == d->symbols ? "" : ", ", s->name);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
}

/* A field whose domain names `name`, to show where the name would work. */
static const struct field_def *field_naming(const char *name)
{
	for (const struct field_def *f = fields_all(); f->ns; f++)
		if (f->domain && fields_symbol(f->domain, name))
			return f;
	return NULL;
}

/* What a misspelt NAME may have meant: the consts and runtime sets in
 * scope, and hint's named values. */
static const char **name_candidates(const struct check_scope *sc,
				    const struct symbol_domain *hint)
{
	size_t n = 0, nsym = 0;
	const char **cands;

	if (hint)
		for (const struct symbol_def *s = hint->symbols; s->name; s++)
			nsym++;
	cands = calloc(sc->len + sc->nsets + nsym + 1, sizeof(*cands));
	if (!cands)
		return NULL;
	for (size_t i = 0; i < sc->len; i++)
		cands[n++] = sc->consts[i].decl->name;
	for (size_t i = 0; i < sc->nsets; i++)
		cands[n++] = sc->sets[i]->name;
	for (size_t i = 0; i < nsym; i++)
		cands[n++] = hint->symbols[i].name;
	return cands;
}

/* A runtime set of that name declared after loc, or NULL. */
static const struct set_decl *set_declared_after(const struct program *prog,
						 const char *name, const struct loc *loc)
{
	for (size_t i = 0; prog && i < prog->nitems; i++) {
		const struct set_decl *d = prog->items[i].u.set;
		if (prog->items[i].kind != ITEM_SET || !d || !d->name || strcmp(d->name, name))
			continue;
		if (d->name_loc.first_line > loc->first_line ||
		    (d->name_loc.first_line == loc->first_line &&
		     d->name_loc.first_column > loc->first_column))
			return d;
	}
	return NULL;
}

static void report_unknown_name(const struct check_scope *sc, const struct expr *e,
				const struct symbol_domain *hint)
{
	const char *name = e->u.name.name;
	const struct const_decl *elsewhere = check_find_any_const(sc->prog, name);
	const struct set_decl *later = set_declared_after(sc->prog, name, &e->loc);
	const struct field_def *f;
	char list[512];

	if (elsewhere || later) {
		diag_error(&e->loc, "unknown name '%s'", name);
		if (elsewhere)
			diag_note(&elsewhere->name_loc, "'%s' is defined here, but a const is "
				  "visible only after its definition, in its own policy or block",
				  name);
		else
			diag_note(&later->name_loc, "set '%s' is declared here, but a set is "
				  "visible only after its declaration", name);
		return;
	}
	const char **cands = name_candidates(sc, hint);
	const char *best = cands ? diag_did_you_mean(name, cands) : NULL;
	if (best)
		diag_error(&e->loc, "unknown name '%s'; did you mean '%s'?", name, best);
	else
		diag_error(&e->loc, "unknown name '%s'", name);
	free(cands);
	if (best)
		return;
	if (hint) {
		symbol_list(hint, list, sizeof(list));
		diag_note(NULL, "a name here is a const or one of the %s names: %s",
			  hint->what, list);
		return;
	}
	f = field_naming(name);
	if (f)
		diag_note(NULL, "'%s' is %s %s name; it stands for a number only where it "
			  "is compared with such a field, as in '%s.%s == %s'",
			  name, strchr("AEIOU", f->domain->what[0]) ? "an" : "a",
			  f->domain->what, f->ns, f->name, name);
}

void check_name(const struct check_scope *sc, struct expr *e,
		const struct symbol_domain *hint)
{
	const struct const_decl *c = check_find_const(sc, e->u.name.name);
	const struct symbol_def *sym;

	if (c && c->value && c->value->kind == EXPR_SET && c->value->tuples) {
		diag_error(&e->loc, "const '%s' holds tuples: test a tuple against it, "
			   "'(F1, F2) in %s'", e->u.name.name, e->u.name.name);
		return;
	}
	if (c) {
		/* A const whose value was wrong was reported where it is defined. */
		e->u.name.value = (struct expr *)check_literal(c->value);
		if (e->u.name.value)
			e->type = e->u.name.value->type;
		return;
	}
	struct set_decl *set = check_find_set(sc, e->u.name.name);
	if (set) {
		e->u.name.runtime_set = set;
		e->type.kind = TYPE_SET;
		e->type.bits = 0;
		return;
	}
	sym = fields_symbol(hint, e->u.name.name);
	if (sym) {
		e->u.name.symbol = sym;
		e->type.kind = TYPE_INT;
		e->type.bits = 64;
		return;
	}
	report_unknown_name(sc, e, hint);
}

/* ---- fields ------------------------------------------------------------ */

/* The location of the part before the dot in ns.name. */
static struct loc namespace_loc(const struct expr *e)
{
	struct loc l = e->loc;
	const struct loc *n = &e->u.field.name_loc;

	if (n->first_line == l.first_line && n->first_column - 2 >= l.first_column) {
		l.last_line = l.first_line;
		l.last_column = n->first_column - 2;
	}
	return l;
}

static void report_unknown_header(const struct expr *e)
{
	const char *ns = e->u.field.ns;
	const char *best = diag_did_you_mean(ns, fields_namespaces());
	struct loc l = namespace_loc(e);
	char text[TEXT];

	check_expr_text(e, text, sizeof(text));
	if (best) {
		diag_error(&l, "unknown header '%s' in '%s'; did you mean '%s'?", ns, text, best);
		return;
	}
	diag_error(&l, "unknown header '%s' in '%s'", ns, text);
	diag_note(NULL, "the headers are skb, ip, ip4, ip6, tcp, udp, l4, icmp and icmp6");
}

/* The usable field names of a namespace, for suggestions. */
static const char **field_names_in(const char *ns)
{
	size_t n = 0, cap = 0;
	const char **names;

	for (const struct field_def *f = fields_all(); f->ns; f++)
		cap++;
	names = calloc(cap + 1, sizeof(*names));
	if (!names)
		return NULL;
	for (const struct field_def *f = fields_all(); f->ns; f++)
		if (strcmp(f->ns, ns) == 0 && f->access != FIELD_NONE)
			names[n++] = f->name;
	return names;
}

/* A usable field of that name in another namespace: 'udp.flags' -> tcp.flags */
static const struct field_def *same_name_elsewhere(const char *name)
{
	for (const struct field_def *f = fields_all(); f->ns; f++)
		if (strcmp(f->name, name) == 0 && f->access != FIELD_NONE)
			return f;
	return NULL;
}

static void list_fields(const char *ns, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const struct field_def *f = fields_all(); f->ns; f++) {
		if (strcmp(f->ns, ns) != 0 || f->access == FIELD_NONE)
			continue;
		int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", f->name);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
}

static void report_unknown_field(const struct expr *e)
{
	const char *ns = e->u.field.ns, *name = e->u.field.name;
	const char **names = field_names_in(ns);
	const char *best = names ? diag_did_you_mean(name, names) : NULL;
	const struct field_def *other;
	char list[512];

	free(names);
	if (best) {
		diag_error(&e->u.field.name_loc, "unknown field '%s.%s'; did you mean '%s.%s'?",
			   ns, name, ns, best);
		return;
	}
	other = same_name_elsewhere(name);
	if (other) {
		diag_error(&e->u.field.name_loc, "unknown field '%s.%s'; did you mean '%s.%s'?",
			   ns, name, other->ns, other->name);
		return;
	}
	diag_error(&e->u.field.name_loc, "unknown field '%s.%s'", ns, name);
	list_fields(ns, list, sizeof(list));
	diag_note(NULL, "the fields of '%s' are %s", ns, list);
}

static bool check_index(const struct expr *e, const struct field_def *def)
{
	int index = e->u.field.index;

	if (def->nindex > 0 && index < 0) {
		diag_error(&e->loc, "'%s.%s' holds %d words; say which one: '%s.%s[0]' .. '%s.%s[%d]'",
			   def->ns, def->name, def->nindex, def->ns, def->name,
			   def->ns, def->name, def->nindex - 1);
		return false;
	}
	if (def->nindex == 0 && index >= 0) {
		diag_error(&e->loc, "'%s.%s' is not an array; remove the '[%d]'",
			   def->ns, def->name, index);
		return false;
	}
	if (index >= def->nindex && def->nindex > 0) {
		diag_error(&e->loc, "index %d is out of range: '%s.%s' has words 0..%d",
			   index, def->ns, def->name, def->nindex - 1);
		return false;
	}
	return true;
}

void check_field(struct expr *e, bool write)
{
	const struct field_def *def;
	char text[TEXT];

	if (!e || !e->u.field.ns || !e->u.field.name)
		return;
	if (!fields_namespace_known(e->u.field.ns)) {
		report_unknown_header(e);
		return;
	}
	def = fields_lookup(e->u.field.ns, e->u.field.name);
	if (!def) {
		report_unknown_field(e);
		return;
	}
	check_expr_text(e, text, sizeof(text));
	if (def->access == FIELD_NONE) {
		if (write)
			diag_error(&e->loc, "cannot write '%s': %s", text, def->why);
		else
			diag_error(&e->loc, "'%s' cannot be read: %s", text, def->why);
		return;
	}
	if (!check_index(e, def))
		return;
	if (def->access == FIELD_MEMBER) {
		/* 'socket.cgroup in SET' is check_cgroup_member()'s */
		diag_error(&e->loc, "'%s' is not a value: %s", text, def->why);
		return;
	}
	if (write && !(def->access & FIELD_WRITE)) {
		diag_error(&e->loc, "cannot write '%s': %s", text, def->why);
		return;
	}
	if (!kernel_target_has(def->since)) {
		char since[16], target[16];
		diag_error(&e->loc, "'%s' needs Linux %s or later (%s), but the target is %s: "
			   "give '--target-kernel %s' if every kernel the object loads on is "
			   "that new", text,
			   kernel_text(def->since, since, sizeof(since)), def->since_why,
			   kernel_text(kernel_target(), target, sizeof(target)), since);
		return;
	}
	e->u.field.def = def;
	e->type = def->type;
}
