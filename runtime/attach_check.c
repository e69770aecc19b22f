/* attach_check.c: lwtp check OBJECT [SECTION]: what attaching OBJECT would
 * do, before it is attached, one line each:
 *
 *   create PIN     no map is pinned there: attaching makes it
 *   share PIN      the pin holds the same statistic: counted into together
 *   clash PIN      the pin holds another map: attaching fails (libbpf's bare
 *                  "parameter mismatch"), or, when only the BTF differs,
 *                  succeeds and mixes two statistics under one name
 *   runs ROUTE     a route runs this object already
 *   other ROUTE    a route runs another object's program of the same policy
 *   stale ROUTE    a route names OBJECT's file but runs another object: an
 *                  'ip route replace' with this file name keeps the old one
 *
 * Exit status 1 when a line says clash or stale.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "decode_format.h"
#include "inventory.h"
#include "lwtp.h"

struct checked {
	const char *path;
	char file[LWT_PROG_NAME_MAX];   /* the name iproute2 gives it: basename */
	char id[LWTP_OBJECT_ID_LEN + 1];        /* "" when it has none */
	struct bpf_object *obj;
	const char *section;            /* SECTION, or NULL for all */
	int bad;                        /* clash and stale lines */
};

/* ---- a map's statistic, as words ------------------------------------------ */

static bool same_field(const struct field *a, const struct field *b)
{
	return !strcmp(a->name, b->name) && a->kind == b->kind && a->offset == b->offset &&
	       a->size == b->size && a->lin_min == b->lin_min && a->lin_max == b->lin_max &&
	       a->lin_step == b->lin_step;
}

/* Whether two maps hold the same statistic: kind, key fields, bucket. */
static bool same_statistic(const struct layout *a, const struct layout *b)
{
	if (a->kind != b->kind || a->nkeys != b->nkeys || a->has_bucket != b->has_bucket ||
	    a->lpm != b->lpm || a->key_is_struct != b->key_is_struct)
		return false;
	for (int i = 0; i < a->nkeys; i++)
		if (!same_field(&a->keys[i], &b->keys[i]))
			return false;
	if (a->has_bucket && !same_field(&a->bucket, &b->bucket))
		return false;
	return a->kind != LWTP_SET || (same_field(&a->elem, &b->elem) && a->rmap == b->rmap);
}

static const char *field_kind_word(enum field_kind k)
{
	switch (k) {
	case FK_LOG2:   return "log2";
	case FK_LINEAR: return "linear";
	default:        return "index";
	}
}

/* "counter by ip.dst, l4.dport", "histogram by l4.dport, log2 buckets",
 * "set of ip" */
static const char *statistic_text(const struct layout *l, char *buf, size_t size)
{
	char by[200];
	size_t len;

	if (l->kind == LWTP_SET && l->rmap) {
		snprintf(buf, size, "map of %s -> %s", decode_set_type(l), decode_rmap_value(l));
		return buf;
	}
	if (l->kind == LWTP_SET) {
		snprintf(buf, size, "set of %s", decode_set_type(l));
		return buf;
	}
	decode_by_text(l, by, sizeof(by));
	len = snprintf(buf, size, "%s%s%s", decode_kind_name(l->kind), *by ? " " : "", by);
	if (l->has_bucket && len < size)
		snprintf(buf + len, size - len, "%s%s buckets", l->nkeys ? ", " : " in ",
			 field_kind_word(l->bucket.kind));
	return buf;
}

/* The programs that use map id: "program 42 (policy dns_guard, object
 * 0123...)", and so on; "no loaded program" when none does. */
static const char *users_text(const struct inventory *inv, __u32 map_id, char *buf, size_t size)
{
	size_t len = 0;
	int n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < inv->nprogs && len < size; i++) {
		const struct lwt_prog *p = &inv->progs[i];

		if (!prog_uses_map(p, map_id))
			continue;
		if (prog_is_lwtc(p))
			len += snprintf(buf + len, size - len, "%sprogram %u (policy %s, object %s)",
					n ? ", " : "", p->id, p->section, p->object);
		else
			len += snprintf(buf + len, size - len, "%sprogram %u (%s, not lwtc's)",
					n ? ", " : "", p->id, p->func);
		n++;
	}
	if (!n)
		snprintf(buf, size, "no loaded program");
	return buf;
}

/* ---- maps ------------------------------------------------------------------ */

/* The map as the kernel would describe it, from the object. */
static void object_map_info(const struct bpf_map *map, struct bpf_map_info *info)
{
	memset(info, 0, sizeof(*info));
	info->type = bpf_map__type(map);
	info->key_size = bpf_map__key_size(map);
	info->value_size = bpf_map__value_size(map);
	info->max_entries = bpf_map__max_entries(map);
	info->map_flags = bpf_map__map_flags(map);
	info->btf_key_type_id = bpf_map__btf_key_type_id(map);
	info->btf_value_type_id = bpf_map__btf_value_type_id(map);
	snprintf(info->name, sizeof(info->name), "%s", bpf_map__name(map));
}

/* What libbpf compares before it reuses a pin (map_is_reuse_compat()): the
 * first difference as words, or NULL. */
static const char *param_mismatch(const struct bpf_map_info *pin, const struct bpf_map_info *ours,
				  char *buf, size_t size)
{
	if (pin->type != ours->type)
		snprintf(buf, size, "map type %u there, %u here", pin->type, ours->type);
	else if (pin->key_size != ours->key_size)
		snprintf(buf, size, "key size %u there, %u here", pin->key_size, ours->key_size);
	else if (pin->value_size != ours->value_size)
		snprintf(buf, size, "value size %u there, %u here", pin->value_size,
			 ours->value_size);
	else if (pin->max_entries != ours->max_entries)
		snprintf(buf, size, "size %u there, %u here", pin->max_entries, ours->max_entries);
	else if (pin->map_flags != ours->map_flags)
		snprintf(buf, size, "flags %#x there, %#x here", pin->map_flags, ours->map_flags);
	else
		return NULL;
	return buf;
}

static void say(struct checked *c, bool bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct checked *c, bool bad, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	c->bad += bad;
}

static int check_map(struct checked *c, const struct inventory *inv, const struct bpf_map *map)
{
	char path[PATH_MAX + 300], here[256], there[256], users[1024], why[128];
	const char *name = bpf_map__name(map);
	struct bpf_map_info info;
	struct layout ours = { 0 };
	struct lwtp_map pin;
	int err;

	snprintf(path, sizeof(path), "%s/%s", opts.pin_dir, name);
	object_map_info(map, &info);
	if (decode_layout(name, bpf_object__btf(c->obj), &info, &ours) != 1) {
		p_err("%s: map '%s' is not one lwtc makes", c->path, name);
		return -EINVAL;
	}
	statistic_text(&ours, here, sizeof(here));
	err = maps_try_open(opts.pin_dir, name, &pin);
	if (err == -ENOENT) {
		say(c, false, "create %s: %s", path, here);
		return 0;
	}
	if (err)
		return err;
	users_text(inv, pin.info.id, users, sizeof(users));
	if (pin.layout.kind == LWTP_NOT_OURS) {
		say(c, true, "clash %s: a map that is not lwtp's is pinned there (%s), used by %s",
		    path, pin.why, users);
	} else if (param_mismatch(&pin.info, &info, why, sizeof(why))) {
		say(c, true, "clash %s: %s there, %s here: attaching fails (%s), pin used by %s",
		    path, statistic_text(&pin.layout, there, sizeof(there)), here, why, users);
	} else if (!same_statistic(&pin.layout, &ours)) {
		say(c, true, "clash %s: %s there, %s here: attaching succeeds and mixes the two "
		    "under one name, pin used by %s", path,
		    statistic_text(&pin.layout, there, sizeof(there)), here, users);
	} else {
		say(c, false, "share %s: %s, with %s", path, here, users);
	}
	maps_close(&pin);
	return 0;
}

/* ---- routes ---------------------------------------------------------------- */

static bool object_has_section(const struct bpf_object *obj, const char *section)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		if (!strcmp(bpf_program__section_name(prog), section))
			return true;
	return false;
}

/* Whether the check is about policy section: SECTION, or any of OBJECT's */
static bool has_section(const struct checked *c, const char *section)
{
	return c->section ? !strcmp(c->section, section) : object_has_section(c->obj, section);
}

static void check_route_hook(struct checked *c, const struct inventory *inv,
			     const struct lwt_route *r, enum lwt_hook h)
{
	char file[LWT_PROG_NAME_MAX], section[LWT_PROG_NAME_MAX], desc[512], esc[P_ESCAPED_MAX];
	size_t idx[16], n, mine = 0;
	const struct lwt_prog *other = NULL;

	if (!r->prog[h][0] ||
	    !lwt_prog_name_split(r->prog[h], file, sizeof(file), section, sizeof(section)) ||
	    !has_section(c, section))
		return;
	n = inventory_route_progs(inv, r, h, idx, 16);
	for (size_t k = 0; k < n && k < 16; k++) {
		if (c->id[0] && !strcmp(inv->progs[idx[k]].object, c->id))
			mine++;
		else if (!other)
			other = &inv->progs[idx[k]];
	}
	route_describe(r, desc, sizeof(desc));
	p_escape(r->prog[h], esc, sizeof(esc));
	if (mine && !other)
		say(c, false, "runs %s %s: %s, this object", desc, lwt_hook_names[h], esc);
	else if (mine)
		say(c, false, "runs %s %s: %s, this object or object %s (the kernel does not "
		    "say which)", desc, lwt_hook_names[h], esc, other->object);
	else if (!strcmp(file, c->file))
		say(c, true, "stale %s %s: named %s but runs %s%s, not this object: "
		    "'ip route replace' with a file of that name keeps the program the route "
		    "runs; attach the copy 'lwtp install %s' makes", desc, lwt_hook_names[h], esc,
		    other ? "object " : "a program lwtc did not make",
		    other ? other->object : "", c->path);
	else if (other)
		say(c, false, "other %s %s: %s, object %s: attach this object there to update "
		    "it", desc, lwt_hook_names[h], esc, other->object);
}

static void check_routes(struct checked *c, const struct inventory *inv)
{
	for (size_t i = 0; i < inv->nroutes; i++)
		for (int h = 0; h < LWT_HOOKS; h++)
			check_route_hook(c, inv, &inv->routes[i], h);
}

/* ---- the command --------------------------------------------------------------- */

static int open_object(struct checked *c)
{
	LIBBPF_OPTS(bpf_object_open_opts, o, .pin_root_path = opts.pin_dir);
	char *copy;
	int err;

	err = object_id_of_file(c->path, c->id);
	if (err == -ENOENT)
		c->id[0] = 0;
	else if (err)
		return err;
	c->obj = bpf_object__open_file(c->path, &o);
	if (!c->obj) {
		err = -errno;
		p_err("%s: cannot open BPF object: %s", c->path, strerror(-err));
		return err;
	}
	if (c->section && !object_has_section(c->obj, c->section)) {
		p_err("%s: no section '%s'", c->path, c->section);
		return -ENOENT;
	}
	copy = strdup(c->path);
	if (!copy)
		return -ENOMEM;
	snprintf(c->file, sizeof(c->file), "%s", basename(copy));
	free(copy);
	return 0;
}

int do_check(int argc, char **argv)
{
	struct checked c = { 0 };
	struct inventory inv;
	struct bpf_map *map;
	int err = 0;

	if (argc < 1 || argc > 2)
		return p_usage("check wants OBJECT [SECTION]");
	c.path = argv[0];
	c.section = argc > 1 ? argv[1] : NULL;
	if (open_object(&c) || inventory_read(&inv, opts.pin_dir, true)) {
		bpf_object__close(c.obj);
		return LWTP_EXIT_FAIL;
	}
	if (c.id[0])
		printf("object %s: id %s\n", c.path, c.id);
	else
		printf("object %s: no object id (not made by this lwtc): routes cannot be "
		       "told apart\n", c.path);
	bpf_object__for_each_map(map, c.obj) {
		if (!bpf_map__pin_path(map))
			continue;       /* .rodata and the like: never pinned */
		err = check_map(&c, &inv, map);
		if (err)
			break;
	}
	if (!err)
		check_routes(&c, &inv);
	inventory_free(&inv);
	bpf_object__close(c.obj);
	if (err)
		return LWTP_EXIT_FAIL;
	return c.bad ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
}
