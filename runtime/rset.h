/* rset.h: what lwtp set and lwtp map share. A runtime set and a runtime
 * map are one kind of pinned map (LWTP_SET, decode_layout.h): a map is a
 * set whose elements hold a value (layout.rmap). */
#ifndef LWTP_RSET_H
#define LWTP_RSET_H

#include <stdbool.h>

#include "json.h"
#include "maps.h"

struct rset_ops {
	const char *word;       /* "set", "map" */
	bool maps;              /* lists runtime maps, not sets */
	/* open pinned map name, checked to be one: 0, or a negative errno
	 * after saying why */
	int (*open)(const char *name, struct lwtp_map *m);
	/* print one: with a header line and indented when all are listed */
	int (*list_one)(struct lwtp_map *m, struct json *j, bool all);
};

/* "set list [NAME]", "map list [NAME]": an exit status. */
int rset_list(const struct rset_ops *ops, int argc, char **argv);

/* Delete every element of m (not a set of cgroups): 0 or a negative errno,
 * said. */
int rset_flush(const struct rset_ops *ops, struct lwtp_map *m);

/* What to add to "cannot add ...: strerror(-err)". */
const char *rset_update_hint(const struct rset_ops *ops, int err);

#endif
