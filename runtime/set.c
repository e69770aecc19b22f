/* set.c: lwtp set add|del|list|flush NAME [ELEMENT...]: change or show a
 * runtime set, the pinned map a policy's `set NAME : TYPE` declares.
 *
 * Every element is checked against the set's type, and add and del check
 * that they can do all of their work, before anything is changed: a bad
 * element, a missing one (del) or a full set (add) changes nothing. When
 * the kernel refuses an update midway, what this command did is undone,
 * and only that: adds insert only absent elements (BPF_NOEXIST), so an
 * element another writer put in meanwhile is never taken out again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "decode_layout.h"
#include "elem.h"
#include "json.h"
#include "lwtp.h"
#include "maps.h"

static const __u8 set_value = 1;

/* Open pinned map name and check that it is a set. */
static int open_set(const char *name, struct lwtp_map *m)
{
	int err;

	err = maps_check_dir(opts.pin_dir);
	if (err)
		return err;
	err = maps_open(opts.pin_dir, name, m);
	if (err)
		return err;
	if (m->layout.kind == LWTP_NOT_OURS) {
		maps_err_not_ours(m);
		err = -EINVAL;
	} else if (m->layout.kind != LWTP_SET) {
		p_err("'%s' is a %s, not a set", m->escaped, decode_kind_name(m->layout.kind));
		err = -EINVAL;
	}
	if (err)
		maps_close(m);
	return err;
}

/* Whether key is among the n sorted keys. */
static bool has_key(const struct layout *l, const unsigned char *keys, size_t n, const void *key)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = elem_cmp(l, key, keys + mid * l->key_size);
		if (c == 0)
			return memcmp(key, keys + mid * l->key_size, l->key_size) == 0;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* Parse every element; one line for each bad one. */
static int parse_all(const struct lwtp_map *m, int argc, char **argv, unsigned char **keys)
{
	const struct layout *l = &m->layout;
	char why[256];
	int i, bad = 0;

	*keys = calloc(argc, l->key_size);
	if (!*keys) {
		p_err("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < argc; i++) {
		int rc = elem_parse(l, argv[i], *keys + i * l->key_size, why, sizeof(why));

		if (rc == ELEM_NOTE) {
			p_err("note: set %s: %s", m->escaped, why);
		} else if (rc) {
			p_err("set %s: %s", m->escaped, why);
			bad++;
		}
	}
	if (bad) {
		free(*keys);
		*keys = NULL;
		return -EINVAL;
	}
	return 0;
}

static const char *update_hint(int err)
{
	if (err == -EPERM || err == -EACCES)
		return " (lwtp needs root)";
	if (err == -E2BIG || err == -ENOSPC)
		return " (the set is full)";
	return "";
}

enum change { ADD, DEL };

/* Add key only if absent, or delete it: 0, -EEXIST when another writer
 * added it first, -ENOENT when another deleted it first, or the error. */
static int apply(const struct lwtp_map *m, enum change what, const void *key)
{
	int rc = what == ADD ? bpf_map_update_elem(m->fd, key, &set_value, BPF_NOEXIST)
			     : bpf_map_delete_elem(m->fd, key);

	return rc ? -errno : 0;
}

static int change(enum change what, int argc, char **argv)
{
	const char *verb = what == ADD ? "add" : "del";
	unsigned char *keys = NULL, *cur = NULL;
	struct lwtp_map m;
	struct layout *l;
	size_t ncur = 0, nnew = 0, i, j;
	bool *todo = NULL, failed = false;
	int err, ret = LWTP_EXIT_FAIL;

	if (argc < 2)
		return p_usage("set %s wants a set NAME and at least one ELEMENT", verb);
	if (open_set(argv[0], &m))
		return LWTP_EXIT_FAIL;
	l = &m.layout;
	if (parse_all(&m, argc - 1, argv + 1, &keys))
		goto out;
	err = elem_read_all(l, m.fd, &cur, &ncur);
	if (err) {
		p_err("set %s: cannot read it: %s", m.escaped, strerror(-err));
		goto out;
	}

	/* what to do for each element: add those not there, delete those there */
	todo = calloc(argc, sizeof(*todo));
	if (!todo) {
		p_err("out of memory");
		goto out;
	}
	for (i = 0; i < (size_t)argc - 1; i++) {
		const unsigned char *k = keys + i * l->key_size;
		bool dup = false;

		for (j = 0; j < i && !dup; j++)
			dup = todo[j] && !memcmp(k, keys + j * l->key_size, l->key_size);
		if (dup)
			continue;
		if (what == ADD) {
			todo[i] = !has_key(l, cur, ncur, k);
		} else if (has_key(l, cur, ncur, k)) {
			todo[i] = true;
		} else {
			p_err("set %s: '%s' is not in the set", m.escaped, argv[i + 1]);
			failed = true;
		}
		nnew += todo[i];
	}
	if (failed)
		goto out;
	if (what == ADD && ncur + nnew > l->max_entries) {
		p_err("set %s: %zu new element%s do%s not fit: it holds %zu of at most %u",
		      m.escaped, nnew, nnew == 1 ? "" : "s", nnew == 1 ? "es" : "", ncur,
		      l->max_entries);
		goto out;
	}

	/* todo[i] stays true only for what this command itself changed: an
	 * element another writer added (or deleted) since the set was read
	 * is theirs, and an undo must leave it alone */
	for (i = 0; i < (size_t)argc - 1; i++) {
		const unsigned char *k = keys + i * l->key_size;

		if (!todo[i])
			continue;
		err = apply(&m, what, k);
		if (err == -EEXIST || err == -ENOENT) {
			todo[i] = false;
			continue;
		}
		if (!err)
			continue;
		p_err("set %s: cannot %s '%s': %s%s", m.escaped, verb, argv[i + 1],
		      strerror(-err), update_hint(err));
		for (j = 0; j < i; j++)
			if (todo[j])
				apply(&m, what == ADD ? DEL : ADD, keys + j * l->key_size);
		goto out;
	}
	ret = LWTP_EXIT_OK;
out:
	free(todo);
	free(cur);
	free(keys);
	maps_close(&m);
	return ret;
}

static int do_add(int argc, char **argv)
{
	return change(ADD, argc, argv);
}

static int do_del(int argc, char **argv)
{
	return change(DEL, argc, argv);
}

/* One set's elements: with a header line and indented when listed among
 * others (all), plain one a line when asked for by name. */
static int list_one(struct lwtp_map *m, struct json *j, bool all)
{
	unsigned char *keys = NULL;
	char buf[128];
	size_t n, i;
	int err;

	err = elem_read_all(&m->layout, m->fd, &keys, &n);
	if (err) {
		p_err("set %s: cannot read it: %s", m->escaped, strerror(-err));
		return err;
	}
	if (opts.json) {
		json_object_start(j);
		json_key(j, "name");
		json_string(j, m->name);
		json_key(j, "type");
		json_string(j, decode_set_type(&m->layout));
		json_key(j, "max_elements");
		json_uint(j, m->layout.max_entries);
		json_key(j, "elements");
		json_array_start(j);
	} else if (all) {
		printf("%s: set of %s, %zu element%s (room for %u)\n", m->escaped,
		       decode_set_type(&m->layout), n, n == 1 ? "" : "s", m->layout.max_entries);
	}
	for (i = 0; i < n; i++) {
		if (elem_format(&m->layout, keys + i * m->layout.key_size, buf, sizeof(buf)) < 0)
			continue;
		if (opts.json)
			json_string(j, buf);
		else
			printf("%s%s\n", all ? "  " : "", buf);
	}
	if (opts.json) {
		json_array_end(j);
		json_object_end(j);
	}
	free(keys);
	return 0;
}

/* set list with no name: every lwtp set in the pin directory, by name. */
static int list_all(void)
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
		json_key(&j, "sets");
		json_array_start(&j);
	}
	for (i = 0; i < n; i++) {
		struct lwtp_map m;

		if (maps_open(opts.pin_dir, names[i], &m)) {
			ret = LWTP_EXIT_FAIL;
			continue;
		}
		if (m.layout.kind == LWTP_SET) {
			if (!opts.json && shown++)
				putchar('\n');
			if (list_one(&m, &j, true))
				ret = LWTP_EXIT_FAIL;
		}
		maps_close(&m);
	}
	if (opts.json) {
		json_array_end(&j);
		json_object_end(&j);
		putchar('\n');
	} else if (!shown) {
		printf("no lwtp sets in %s\n", opts.pin_dir);
	}
	maps_free_names(names, n);
	return ret;
}

static int do_list(int argc, char **argv)
{
	struct lwtp_map m;
	struct json j;
	int err;

	if (argc > 1)
		return p_usage("set list wants one set NAME, or none for every set");
	if (argc == 0)
		return list_all();
	if (open_set(argv[0], &m))
		return LWTP_EXIT_FAIL;
	if (opts.json)
		json_init(&j, stdout);
	err = list_one(&m, &j, false);
	if (opts.json && !err)
		putchar('\n');
	maps_close(&m);
	return err ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
}

static int do_flush(int argc, char **argv)
{
	unsigned char *keys = NULL;
	struct lwtp_map m;
	size_t n, i;
	int err, ret = LWTP_EXIT_OK;

	if (argc != 1)
		return p_usage("set flush wants one set NAME");
	if (open_set(argv[0], &m))
		return LWTP_EXIT_FAIL;
	err = elem_read_all(&m.layout, m.fd, &keys, &n);
	if (err) {
		p_err("set %s: cannot read it: %s", m.escaped, strerror(-err));
		ret = LWTP_EXIT_FAIL;
	}
	for (i = 0; !err && i < n; i++) {
		if (bpf_map_delete_elem(m.fd, keys + i * m.layout.key_size) && errno != ENOENT) {
			err = -errno;
			p_err("set %s: cannot flush it: %s%s", m.escaped, strerror(-err),
			      update_hint(err));
			ret = LWTP_EXIT_FAIL;
		}
	}
	free(keys);
	maps_close(&m);
	return ret;
}

static int do_help(int argc, char **argv)
{
	printf("Usage: lwtp set add NAME ELEMENT...\n"
	       "       lwtp set del NAME ELEMENT...\n"
	       "       lwtp set list [NAME] [--json]\n"
	       "       lwtp set flush NAME\n"
	       "ELEMENT: an address or prefix (198.51.100.7, 203.0.113.0/24, 2001:db8::/32),\n"
	       "a port, a protocol (tcp, udp, icmp, 17) or an integer, as the set's type says.\n");
	return LWTP_EXIT_OK;
}

static const struct cmd set_cmds[] = {
	{ "add", do_add, 0, NULL },
	{ "del", do_del, 0, NULL },
	{ "delete", do_del, 0, NULL },
	{ "list", do_list, OPT_JSON, NULL },
	{ "show", do_list, OPT_JSON, NULL },
	{ "flush", do_flush, 0, NULL },
	{ "help", do_help, 0, NULL },
	{ NULL, NULL, 0, NULL },
};

int do_set(int argc, char **argv)
{
	return cmd_select(set_cmds, "set command", "set ", argc, argv);
}
