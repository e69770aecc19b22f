/* problems.c: the problems lwtp show warns about (problems.h). */
#define _GNU_SOURCE     /* vasprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lwtp.h"
#include "problems.h"

static int add(struct problems *pr, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int add(struct problems *pr, const char *kind, const char *fmt, ...)
{
	struct problem *grown = realloc(pr->list, (pr->n + 1) * sizeof(*grown));
	va_list ap;
	int len;

	if (!grown)
		return -ENOMEM;
	pr->list = grown;
	va_start(ap, fmt);
	len = vasprintf(&pr->list[pr->n].text, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -ENOMEM;
	pr->list[pr->n++].kind = kind;
	return 0;
}

static bool pin_named(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->npins; i++)
		if (!strcmp(inv->pins[i].name, name))
			return true;
	return false;
}

/* Whether a program before pi counts into map id too: one line a map. */
static bool reported_before(const struct inventory *inv, size_t pi, __u32 map_id)
{
	for (size_t i = 0; i < pi; i++)
		if (prog_is_lwtc(&inv->progs[i]) && inventory_prog_on_route(inv, i) &&
		    prog_uses_map(&inv->progs[i], map_id))
			return true;
	return false;
}

/* Programs on this namespace's routes that count into a map of their
 * object that is not pinned. */
static int find_hidden(const struct inventory *inv, struct problems *pr)
{
	char esc[P_ESCAPED_MAX];
	int err = 0;

	for (size_t i = 0; i < inv->nprogs && !err; i++) {
		const struct lwt_prog *p = &inv->progs[i];

		if (!prog_is_lwtc(p) || !inventory_prog_on_route(inv, i))
			continue;       /* another namespace's: other pins */
		for (__u32 k = 0; k < p->nmaps && !err; k++) {
			const struct prog_map *m = &p->maps[k];

			if (!m->in_maps_section || inventory_pin_of_map(inv, m->id) ||
			    reported_before(inv, i, m->id))
				continue;
			p_escape(m->name, esc, sizeof(esc));
			if (pin_named(inv, m->name))
				err = add(pr, "hidden_counts",
					  "program %u (policy %s) counts into map %s (id %u), but "
					  "%s/%s pins another map: lwtp stat shows that one; to "
					  "count into the pin, attach the policy again from a file "
					  "of a new name", p->id, p->section, esc, m->id,
					  inv->pin_dir, esc);
			else
				err = add(pr, "hidden_counts",
					  "program %u (policy %s) counts into map %s (id %u), which "
					  "is not pinned in %s: lwtp stat cannot see those counts; "
					  "pin it again, counts and all: bpftool map pin id %u "
					  "%s/%s", p->id, p->section, esc, m->id, inv->pin_dir,
					  m->id, inv->pin_dir, esc);
		}
	}
	return err;
}

static int find_unused_and_shared(const struct inventory *inv, struct problems *pr)
{
	int err = 0;

	for (size_t i = 0; i < inv->npins && !err; i++) {
		const struct pin *pin = &inv->pins[i];
		const struct lwt_prog *first = NULL, *other = NULL;
		size_t users = 0;

		if (pin->kind == LWTP_NOT_OURS)
			continue;
		for (size_t k = 0; k < inv->nprogs; k++) {
			const struct lwt_prog *p = &inv->progs[k];

			if (!prog_uses_map(p, pin->map_id))
				continue;
			users++;
			if (!prog_is_lwtc(p))
				continue;
			if (!first)
				first = p;
			else if (!other && strcmp(first->section, p->section))
				other = p;
		}
		if (!users)
			err = add(pr, "unused_pin",
				  "%s/%s: no loaded program uses this %s, its numbers no longer "
				  "move (rm the pin when they are no longer wanted)",
				  inv->pin_dir, pin->escaped, decode_kind_name(pin->kind));
		else if (other)
			err = add(pr, "shared_statistic",
				  "%s/%s is counted into by policy %s (program %u, object %s) and "
				  "by policy %s (program %u, object %s): one name, two statistics",
				  inv->pin_dir, pin->escaped, first->section, first->id, first->object,
				  other->section, other->id, other->object);
	}
	return err;
}

static int find_route_problems(const struct inventory *inv, struct problems *pr)
{
	char desc[512], esc[P_ESCAPED_MAX];
	int err = 0;

	for (size_t i = 0; i < inv->nroutes && !err; i++) {
		const struct lwt_route *r = &inv->routes[i];

		for (int h = 0; h < LWT_HOOKS && !err; h++) {
			size_t n;

			if (!r->prog[h][0])
				continue;
			n = inventory_route_kinds(inv, r, h);
			route_describe(r, desc, sizeof(desc));
			p_escape(r->prog[h], esc, sizeof(esc));
			if (n == 0)
				err = add(pr, "not_lwtc",
					  "route %s %s runs %s, which is not a program lwtc made "
					  "(or made before lwtc gave objects an id)",
					  desc, lwt_hook_names[h], esc);
			else if (n > 1)
				err = add(pr, "ambiguous",
					  "route %s %s runs %s: %zu different loaded programs of that policy fit "
					  "and the kernel does not say which; attach objects named by "
					  "'lwtp install' to tell", desc, lwt_hook_names[h], esc, n);
		}
	}
	return err;
}

int problems_find(const struct inventory *inv, struct problems *pr)
{
	int err;

	memset(pr, 0, sizeof(*pr));
	err = find_route_problems(inv, pr);
	if (!err)
		err = find_hidden(inv, pr);
	if (!err && inv->have_pins)
		err = find_unused_and_shared(inv, pr);
	if (err) {
		p_err("cannot list the problems: %s", strerror(-err));
		problems_free(pr);
	}
	return err;
}

void problems_free(struct problems *pr)
{
	for (size_t i = 0; i < pr->n; i++)
		free(pr->list[i].text);
	free(pr->list);
	memset(pr, 0, sizeof(*pr));
}

void problems_print_text(const struct problems *pr, FILE *f)
{
	for (size_t i = 0; i < pr->n; i++)
		fprintf(f, "warning: %s\n", pr->list[i].text);
}

void problems_print_json(const struct problems *pr, struct json *j)
{
	json_key(j, "problems");
	json_array_start(j);
	for (size_t i = 0; i < pr->n; i++) {
		json_object_start(j);
		json_member_string(j, "kind", pr->list[i].kind);
		json_member_string(j, "text", pr->list[i].text);
		json_object_end(j);
	}
	json_array_end(j);
}

void problems_warn_hidden(const struct inventory *inv)
{
	struct problems pr = { 0 };

	if (!find_hidden(inv, &pr))
		for (size_t i = 0; i < pr.n; i++)
			p_err("warning: %s", pr.list[i].text);
	problems_free(&pr);
}
