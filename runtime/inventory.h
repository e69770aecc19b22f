/* inventory.h: what runs where on this host, for lwtp show and lwtp check:
 * the routes that run LWT programs (routes.h), the programs (progs.h) and
 * the maps pinned in the pin directory (maps.h), tied together.
 *
 * Ties the kernel does not state are inferred, and said to be:
 *   - a route names its program "FILE.o:[SECTION]"; the programs it may run
 *     are the loaded ones of the hook's type made from policy SECTION, and
 *     of object ID when FILE is named NAME-ID.o (lwtp install names it so);
 *   - a program's map is pinned when the pin's map id is the program's.
 */
#ifndef LWTP_INVENTORY_H
#define LWTP_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "maps.h"
#include "progs.h"
#include "routes.h"

struct pin {
	char name[256];
	char escaped[P_ESCAPED_MAX];
	__u32 map_id;                   /* 0: not a map, or unreadable */
	enum lwtp_kind kind;            /* LWTP_NOT_OURS: not lwtp's */
};

struct inventory {
	const char *pin_dir;
	bool have_pins;                 /* pin_dir is a bpffs directory we read */
	struct lwt_route *routes;
	size_t nroutes;
	struct lwt_prog *progs;
	size_t nprogs;
	struct pin *pins;
	size_t npins;
};

/* Read all three; a missing pin directory is no error (have_pins false).
 * With kinds, each pin's kind too (pin.kind; else LWTP_NOT_OURS for all),
 * which logs the pins that look like lwtp's maps but do not fit. */
int inventory_read(struct inventory *inv, const char *pin_dir, bool kinds);
void inventory_free(struct inventory *inv);

/* The programs hook h of route r may run: indexes into inv->progs, at most
 * max of them; returns how many there are (may exceed max). */
size_t inventory_route_progs(const struct inventory *inv, const struct lwt_route *r,
			     enum lwt_hook h, size_t *idx, size_t max);

/* Whether program pi may run on a route of this namespace (one of the
 * programs a route's name fits). */
bool inventory_prog_on_route(const struct inventory *inv, size_t pi);

/* The pin of map id, or NULL. */
const struct pin *inventory_pin_of_map(const struct inventory *inv, __u32 map_id);

/* Copies of one program: each route that names an object loads its own
 * program; copies have the same object, tag and maps. */
bool prog_same_copy(const struct lwt_prog *a, const struct lwt_prog *b);

/* How many different programs (copies counted once) hook h of route r may
 * run: 1 when the route's program is known. */
size_t inventory_route_kinds(const struct inventory *inv, const struct lwt_route *r,
			     enum lwt_hook h);

/* Whether program p uses map id. */
bool prog_uses_map(const struct lwt_prog *p, __u32 map_id);

/* The object id a file name carries: NAME-ID.o, as lwtp install names it;
 * false when it carries none. */
bool file_object_id(const char *file, char id[LWTP_OBJECT_ID_LEN + 1]);

#endif
