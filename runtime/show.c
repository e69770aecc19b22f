/* show.c: lwtp show: every route of this network namespace that runs an
 * LWT program, the program behind it, the maps it counts into and where
 * they are pinned, and the problems worth a line (problems.c).
 *
 *   198.51.100.0/24 dev veth0
 *   	out dns_guard-0123456789abcdef.o:[dns_guard]
 *   		program 42 policy dns_guard object 0123456789abcdef loaded ...
 *   		counter dns_allowed /sys/fs/bpf/ip/globals/dns_allowed
 */
#include <errno.h>
#include <string.h>

#include "inventory.h"
#include "json.h"
#include "lwtp.h"
#include "problems.h"

#define MAX_SHOWN 16    /* candidate programs named for one hook */

/* ---- text ---------------------------------------------------------------- */

static void text_map(const struct inventory *inv, const struct prog_map *m)
{
	const struct pin *pin = inventory_pin_of_map(inv, m->id);
	char esc[P_ESCAPED_MAX];

	if (!m->in_maps_section)
		return;         /* .rodata and the like: nothing to read */
	p_escape(m->name, esc, sizeof(esc));
	if (pin)
		printf("\t\t%s %s %s/%s\n", decode_kind_name(pin->kind), esc, inv->pin_dir,
		       pin->escaped);
	else
		printf("\t\tmap %s (id %u) not pinned in %s\n", esc, m->id, inv->pin_dir);
}

static void text_prog_line(const struct lwt_prog *p)
{
	char when[32], tag[2 * BPF_TAG_SIZE + 1], esc[P_ESCAPED_MAX];

	if (prog_is_lwtc(p))
		printf(" policy %s object %s", p->section, p->object);
	else
		printf(" %s %s", prog_type_name(p->type), p_escape(p->func, esc, sizeof(esc)));
	printf(" tag %s loaded %s\n", prog_tag_text(p, tag, sizeof(tag)),
	       prog_load_text(p, when, sizeof(when)));
}

static void text_prog(const struct inventory *inv, const struct lwt_prog *p, const char *indent)
{
	printf("%sprogram %u", indent, p->id);
	text_prog_line(p);
	for (__u32 i = 0; i < p->nmaps; i++)
		text_map(inv, &p->maps[i]);
}

static void text_hook(const struct inventory *inv, const struct lwt_route *r, enum lwt_hook h)
{
	size_t idx[MAX_SHOWN], n = inventory_route_progs(inv, r, h, idx, MAX_SHOWN);
	const struct lwt_prog *first;
	char esc[P_ESCAPED_MAX];
	bool copies = n > 1 && n <= MAX_SHOWN;

	printf("\t%s %s\n", lwt_hook_names[h], p_escape(r->prog[h], esc, sizeof(esc)));
	if (n == 0) {
		printf("\t\tno program of lwtc's (see the warnings)\n");
		return;
	}
	first = &inv->progs[idx[0]];
	for (size_t i = 1; copies && i < n; i++)
		copies = prog_same_copy(first, &inv->progs[idx[i]]);
	if (n == 1 || copies) {
		printf("\t\tprogram%s %u", n > 1 ? "s" : "", first->id);
		for (size_t i = 1; i < n; i++)
			printf(", %u", inv->progs[idx[i]].id);
		text_prog_line(first);
		for (__u32 i = 0; i < first->nmaps; i++)
			text_map(inv, &first->maps[i]);
		return;
	}
	printf("\t\tone of %zu programs (the kernel does not say which):\n", n);
	for (size_t i = 0; i < n && i < MAX_SHOWN; i++)
		text_prog(inv, &inv->progs[idx[i]], "\t\t");
}

static void show_text(const struct inventory *inv, const struct problems *pr)
{
	char desc[512];
	bool header = false;

	if (!inv->nroutes)
		printf("no route runs an LWT program in this network namespace\n");
	for (size_t i = 0; i < inv->nroutes; i++) {
		const struct lwt_route *r = &inv->routes[i];

		printf("%s\n", route_describe(r, desc, sizeof(desc)));
		for (int h = 0; h < LWT_HOOKS; h++)
			if (r->prog[h][0])
				text_hook(inv, r, h);
	}
	for (size_t i = 0; i < inv->nprogs; i++) {
		if (!prog_is_lwtc(&inv->progs[i]) || inventory_prog_on_route(inv, i))
			continue;
		if (!header)
			printf("loaded, on no route of this namespace\n");
		header = true;
		text_prog(inv, &inv->progs[i], "\t");
	}
	problems_print_text(pr, stdout);
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_prog_maps(struct json *j, const struct inventory *inv, const struct lwt_prog *p)
{
	json_key(j, "maps");
	json_array_start(j);
	for (__u32 i = 0; i < p->nmaps; i++) {
		const struct prog_map *m = &p->maps[i];
		const struct pin *pin = inventory_pin_of_map(inv, m->id);

		if (!m->in_maps_section)
			continue;
		json_object_start(j);
		json_member_string(j, "name", m->name);
		json_member_uint(j, "id", m->id);
		json_member_bool(j, "pinned", pin != NULL);
		if (pin) {
			json_member_string(j, "kind", decode_kind_name(pin->kind));
		}
		json_object_end(j);
	}
	json_array_end(j);
}

static void json_prog(struct json *j, const struct inventory *inv, size_t pi)
{
	const struct lwt_prog *p = &inv->progs[pi];
	char tag[2 * BPF_TAG_SIZE + 1];

	json_object_start(j);
	json_member_uint(j, "id", p->id);
	json_member_string(j, "type", prog_type_name(p->type));
	json_member_string(j, "name", p->func);
	json_member_bool(j, "lwtc", prog_is_lwtc(p));
	if (prog_is_lwtc(p)) {
		json_member_string(j, "policy", p->section);
		json_member_string(j, "object", p->object);
	}
	json_member_string(j, "tag", prog_tag_text(p, tag, sizeof(tag)));
	json_member_uint(j, "loaded_at", (__u64)prog_load_epoch(p));
	json_member_bool(j, "on_route", inventory_prog_on_route(inv, pi));
	json_prog_maps(j, inv, p);
	json_object_end(j);
}

static void json_route(struct json *j, const struct inventory *inv, const struct lwt_route *r)
{
	char file[LWT_PROG_NAME_MAX], section[LWT_PROG_NAME_MAX];
	size_t idx[MAX_SHOWN];

	json_object_start(j);
	route_json_members(j, r);
	json_key(j, "hooks");
	json_array_start(j);
	for (int h = 0; h < LWT_HOOKS; h++) {
		size_t n;

		if (!r->prog[h][0])
			continue;
		json_object_start(j);
		json_member_string(j, "hook", lwt_hook_names[h]);
		json_member_string(j, "name", r->prog[h]);
		if (lwt_prog_name_split(r->prog[h], file, sizeof(file), section, sizeof(section))) {
			json_member_string(j, "file", file);
			json_member_string(j, "section", section);
		}
		n = inventory_route_progs(inv, r, h, idx, MAX_SHOWN);
		json_key(j, "programs");
		json_array_start(j);
		for (size_t k = 0; k < n && k < MAX_SHOWN; k++)
			json_uint(j, inv->progs[idx[k]].id);
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void json_pins(struct json *j, const struct inventory *inv)
{
	json_key(j, "pins");
	json_array_start(j);
	for (size_t i = 0; i < inv->npins; i++) {
		const struct pin *pin = &inv->pins[i];

		if (pin->kind == LWTP_NOT_OURS)
			continue;
		json_object_start(j);
		json_member_string(j, "name", pin->name);
		json_member_string(j, "kind", decode_kind_name(pin->kind));
		json_member_uint(j, "map_id", pin->map_id);
		json_key(j, "programs");
		json_array_start(j);
		for (size_t k = 0; k < inv->nprogs; k++)
			if (prog_uses_map(&inv->progs[k], pin->map_id))
				json_uint(j, inv->progs[k].id);
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}

static void show_json(const struct inventory *inv, const struct problems *pr)
{
	struct json j;

	json_init(&j, stdout);
	json_object_start(&j);
	json_key(&j, "pin_dir");
	json_string(&j, inv->pin_dir);
	json_key(&j, "routes");
	json_array_start(&j);
	for (size_t i = 0; i < inv->nroutes; i++)
		json_route(&j, inv, &inv->routes[i]);
	json_array_end(&j);
	json_key(&j, "programs");
	json_array_start(&j);
	for (size_t i = 0; i < inv->nprogs; i++)
		json_prog(&j, inv, i);
	json_array_end(&j);
	json_pins(&j, inv);
	problems_print_json(pr, &j);
	json_object_end(&j);
	fputc('\n', stdout);
}

int do_show(int argc, char **argv)
{
	struct inventory inv;
	struct problems pr;
	int err;

	if (argc > 0)
		return p_usage("show takes no arguments, not '%s'", argv[0]);
	err = inventory_read(&inv, opts.pin_dir, true);
	if (err)
		return LWTP_EXIT_FAIL;
	err = problems_find(&inv, &pr);
	if (!err) {
		if (opts.json)
			show_json(&inv, &pr);
		else
			show_text(&inv, &pr);
	}
	problems_free(&pr);
	inventory_free(&inv);
	if (fflush(stdout) || ferror(stdout)) {
		p_err("cannot write the output: %s", strerror(errno));
		return LWTP_EXIT_FAIL;
	}
	return err ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
}
