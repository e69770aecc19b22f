/* stat_where.c: the policy and routes a statistic belongs to, for lwtp
 * stat: the lwtc programs that use its map (by map id), their policies
 * (the programs' sections), and the routes of this network namespace whose
 * program names fit those programs (inventory.h says how that is
 * inferred). A program lwtc did not make names no policy, and the kernel
 * does not say which route runs it: its maps get neither.
 *
 * The inventory is read once per lwtp stat (and per scrape of the
 * exporter): every loaded program, with its BTF, and every route, which is
 * too much to read per map or per interval. lwtp stat's warnings of hidden
 * counts (problems.c) read the same one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "inventory.h"
#include "lwtp.h"
#include "stat_model.h"

/* Without the right to list the programs (not root), the inventory is not
 * known, and that is no error: the maps alone print as they always have. */
static bool may_list_programs(void)
{
	__u32 id;

	return !bpf_prog_get_next_id(0, &id) || errno == ENOENT;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_policy(const struct stat_where *w, const char *name)
{
	for (size_t i = 0; i < w->npolicies; i++)
		if (strcmp(w->policies[i], name) == 0)
			return true;
	return false;
}

/* Whether a hook of route r may run one of the programs that use map_id. */
static bool route_feeds(const struct inventory *inv, const struct lwt_route *r, __u32 map_id)
{
	size_t idx[16], n;

	for (int h = 0; h < LWT_HOOKS; h++) {
		n = inventory_route_progs(inv, r, h, idx, 16);
		for (size_t k = 0; k < n && k < 16; k++)
			if (prog_uses_map(&inv->progs[idx[k]], map_id))
				return true;
	}
	return false;
}

static int find_one(const struct inventory *inv, __u32 map_id, struct stat_where *w)
{
	memset(w, 0, sizeof(*w));
	w->policies = calloc(inv->nprogs + 1, sizeof(*w->policies));
	w->routes = calloc(inv->nroutes + 1, sizeof(*w->routes));
	if (!w->policies || !w->routes)
		return -ENOMEM;
	for (size_t i = 0; i < inv->nprogs; i++) {
		const struct lwt_prog *p = &inv->progs[i];

		if (prog_is_lwtc(p) && prog_uses_map(p, map_id) && !has_policy(w, p->section))
			w->policies[w->npolicies++] = p->section;
	}
	qsort(w->policies, w->npolicies, sizeof(*w->policies), cmp_str);
	for (size_t i = 0; w->npolicies && i < inv->nroutes; i++)
		if (route_feeds(inv, &inv->routes[i], map_id))
			w->routes[w->nroutes++] = &inv->routes[i];
	return 0;
}

/* Free what stat_where_find() made. */
static void where_free(struct stat_places *pl)
{
	for (size_t i = 0; pl->where && i < pl->n; i++) {
		free(pl->where[i].policies);
		free(pl->where[i].routes);
	}
	free(pl->where);
	pl->where = NULL;
	pl->n = 0;
}

void stat_places_free(struct stat_places *pl)
{
	where_free(pl);
	if (pl->known)
		inventory_free(&pl->inv);
	memset(pl, 0, sizeof(*pl));
}

void stat_places_read(struct stat_places *pl, const char *pin_dir)
{
	memset(pl, 0, sizeof(*pl));
	/* not known: nothing to say */
	pl->known = may_list_programs() && !inventory_read(&pl->inv, pin_dir, false);
}

int stat_where_find(struct stat_places *pl, struct snap *snaps, size_t n)
{
	int err = 0;

	if (!pl->known)
		return 0;
	pl->where = calloc(n + 1, sizeof(*pl->where));
	if (!pl->where)
		err = -ENOMEM;
	for (size_t i = 0; !err && i < n; i++) {
		pl->n++;
		err = find_one(&pl->inv, snaps[i].m->info.id, &pl->where[i]);
	}
	if (err) {
		p_err("cannot tell the policies of the maps: %s", strerror(-err));
		where_free(pl);
		return err;
	}
	for (size_t i = 0; i < n; i++)
		snaps[i].where = &pl->where[i];
	return 0;
}
