/* inventory.c: routes, programs and pins tied together (inventory.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "inventory.h"
#include "lwtp.h"

static __u32 hook_prog_type(enum lwt_hook h)
{
	switch (h) {
	case LWT_HOOK_IN:   return BPF_PROG_TYPE_LWT_IN;
	case LWT_HOOK_OUT:  return BPF_PROG_TYPE_LWT_OUT;
	default:            return BPF_PROG_TYPE_LWT_XMIT;
	}
}

bool file_object_id(const char *file, char id[LWTP_OBJECT_ID_LEN + 1])
{
	size_t len = strlen(file);
	const char *p;

	if (len < LWTP_OBJECT_ID_LEN + 3 || strcmp(file + len - 2, ".o"))
		return false;
	p = file + len - 2 - LWTP_OBJECT_ID_LEN;
	if (p[-1] != '-' || strspn(p, "0123456789abcdef") != LWTP_OBJECT_ID_LEN)
		return false;
	memcpy(id, p, LWTP_OBJECT_ID_LEN);
	id[LWTP_OBJECT_ID_LEN] = 0;
	return true;
}

size_t inventory_route_progs(const struct inventory *inv, const struct lwt_route *r,
			     enum lwt_hook h, size_t *idx, size_t max)
{
	char file[LWT_PROG_NAME_MAX], section[LWT_PROG_NAME_MAX], id[LWTP_OBJECT_ID_LEN + 1];
	bool by_id;
	size_t n = 0;

	if (!r->prog[h][0] ||
	    !lwt_prog_name_split(r->prog[h], file, sizeof(file), section, sizeof(section)))
		return 0;
	by_id = file_object_id(file, id);
	for (size_t i = 0; i < inv->nprogs; i++) {
		const struct lwt_prog *p = &inv->progs[i];

		if (p->type != hook_prog_type(h) || !prog_is_lwtc(p) || strcmp(p->section, section))
			continue;
		if (by_id && strcmp(p->object, id))
			continue;
		if (n < max)
			idx[n] = i;
		n++;
	}
	return n;
}

bool inventory_prog_on_route(const struct inventory *inv, size_t pi)
{
	size_t idx[16];

	for (size_t i = 0; i < inv->nroutes; i++)
		for (int h = 0; h < LWT_HOOKS; h++) {
			size_t n = inventory_route_progs(inv, &inv->routes[i], h, idx, 16);

			if (n > 16)
				return true;    /* one of too many: may be */
			for (size_t k = 0; k < n; k++)
				if (idx[k] == pi)
					return true;
		}
	return false;
}

const struct pin *inventory_pin_of_map(const struct inventory *inv, __u32 map_id)
{
	for (size_t i = 0; i < inv->npins; i++)
		if (inv->pins[i].map_id && inv->pins[i].map_id == map_id)
			return &inv->pins[i];
	return NULL;
}

bool prog_same_copy(const struct lwt_prog *a, const struct lwt_prog *b)
{
	if (strcmp(a->object, b->object) || memcmp(a->tag, b->tag, sizeof(a->tag)) ||
	    a->nmaps != b->nmaps)
		return false;
	for (__u32 i = 0; i < a->nmaps; i++)
		if (a->maps[i].id != b->maps[i].id)
			return false;
	return true;
}

size_t inventory_route_kinds(const struct inventory *inv, const struct lwt_route *r,
			     enum lwt_hook h)
{
	size_t idx[16], n = inventory_route_progs(inv, r, h, idx, 16), kinds = 0;

	if (n > 16)
		return n;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		while (k < i && !prog_same_copy(&inv->progs[idx[k]], &inv->progs[idx[i]]))
			k++;
		kinds += k == i;
	}
	return kinds;
}

bool prog_uses_map(const struct lwt_prog *p, __u32 map_id)
{
	for (__u32 i = 0; i < p->nmaps; i++)
		if (p->maps[i].id == map_id)
			return true;
	return false;
}

static bool dir_is_bpffs(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && maps_check_dir(dir) == 0;
}

/* The id of the map pinned at dir/name, quietly: -1 when it is no map. */
static int pin_map_id(const char *dir, const char *name, __u32 *id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, err = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -1;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -1;
	if (maps_fd_is_map(fd) && !bpf_obj_get_info_by_fd(fd, &info, &len)) {
		*id = info.id;
		err = 0;
	}
	close(fd);
	return err;
}

/* The pins; with kinds, what each holds (maps_open(), which logs a map
 * that looks like lwtp's but does not fit its types). */
static int read_pins(struct inventory *inv, bool kinds)
{
	char **names;
	size_t n;
	int err;

	err = maps_list(inv->pin_dir, &names, &n);
	if (err)
		return err;
	inv->pins = calloc(n ? n : 1, sizeof(*inv->pins));
	if (!inv->pins) {
		maps_free_names(names, n);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct pin *pin = &inv->pins[inv->npins];
		struct lwtp_map m;

		if (kinds ? maps_try_open(inv->pin_dir, names[i], &m) :
			    pin_map_id(inv->pin_dir, names[i], &pin->map_id))
			continue;       /* gone meanwhile, not a map, or logged */
		if (kinds) {
			pin->map_id = m.info.id;
			pin->kind = m.layout.kind;
			maps_close(&m);
		}
		snprintf(pin->name, sizeof(pin->name), "%s", names[i]);
		p_escape(pin->name, pin->escaped, sizeof(pin->escaped));
		inv->npins++;
	}
	maps_free_names(names, n);
	return 0;
}

int inventory_read(struct inventory *inv, const char *pin_dir, bool kinds)
{
	int err;

	memset(inv, 0, sizeof(*inv));
	inv->pin_dir = pin_dir;
	err = routes_read(&inv->routes, &inv->nroutes);
	if (!err)
		err = progs_read(&inv->progs, &inv->nprogs);
	if (!err && dir_is_bpffs(pin_dir)) {
		inv->have_pins = true;
		err = read_pins(inv, kinds);
	}
	if (err)
		inventory_free(inv);
	return err;
}

void inventory_free(struct inventory *inv)
{
	free(inv->routes);
	progs_free(inv->progs, inv->nprogs);
	free(inv->pins);
	memset(inv, 0, sizeof(*inv));
}
