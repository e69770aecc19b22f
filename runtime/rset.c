/* rset.c: listing and flushing runtime sets and maps (rset.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "elem.h"
#include "lwtp.h"
#include "rset.h"

const char *rset_update_hint(const struct rset_ops *ops, int err)
{
	if (err == -EPERM || err == -EACCES)
		return " (lwtp needs root)";
	if (err == -E2BIG || err == -ENOSPC)
		return ops->maps ? " (the map is full)" : " (the set is full)";
	return "";
}

/* Every runtime set (or map) in the pin directory, by name. */
static int list_all(const struct rset_ops *ops)
{
	char **names = NULL;
	size_t n, i, shown = 0;
	int ret = LWTP_EXIT_OK;
	struct json j;

	if (maps_check_dir(opts.pin_dir))
		return LWTP_EXIT_FAIL;
	if (maps_list(opts.pin_dir, &names, &n))
		return LWTP_EXIT_FAIL;
	if (opts.json) {
		json_init(&j, stdout);
		json_object_start(&j);
		json_key(&j, ops->maps ? "maps" : "sets");
		json_array_start(&j);
	}
	for (i = 0; i < n; i++) {
		struct lwtp_map m;

		if (maps_open(opts.pin_dir, names[i], &m)) {
			ret = LWTP_EXIT_FAIL;
			continue;
		}
		if (m.layout.kind == LWTP_SET && !m.layout.rmap == !ops->maps) {
			if (!opts.json && shown++)
				putchar('\n');
			if (ops->list_one(&m, &j, true))
				ret = LWTP_EXIT_FAIL;
		}
		maps_close(&m);
	}
	if (opts.json) {
		json_array_end(&j);
		json_object_end(&j);
		putchar('\n');
	} else if (!shown) {
		printf("no lwtp %ss in %s\n", ops->word, opts.pin_dir);
	}
	maps_free_names(names, n);
	return ret;
}

int rset_list(const struct rset_ops *ops, int argc, char **argv)
{
	struct lwtp_map m;
	struct json j;
	int err;

	if (argc > 1)
		return p_usage("%s list wants one %s NAME, or none for every %s", ops->word,
			       ops->word, ops->word);
	if (argc == 0)
		return list_all(ops);
	if (ops->open(argv[0], &m))
		return LWTP_EXIT_FAIL;
	if (opts.json)
		json_init(&j, stdout);
	err = ops->list_one(&m, &j, false);
	if (opts.json && !err)
		putchar('\n');
	maps_close(&m);
	return err ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
}

int rset_flush(const struct rset_ops *ops, struct lwtp_map *m)
{
	unsigned char *keys = NULL;
	size_t n = 0, i;
	int err;

	err = elem_read_all(&m->layout, m->fd, &keys, &n);
	if (err)
		p_err("%s %s: cannot read it: %s", ops->word, m->escaped, strerror(-err));
	for (i = 0; !err && i < n; i++) {
		if (bpf_map_delete_elem(m->fd, keys + i * m->layout.key_size) && errno != ENOENT) {
			err = -errno;
			p_err("%s %s: cannot flush it: %s%s", ops->word, m->escaped,
			      strerror(-err), rset_update_hint(ops, err));
		}
	}
	free(keys);
	return err;
}
