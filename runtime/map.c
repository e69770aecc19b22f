/* map.c: lwtp map add|del|list|flush NAME [KEY [VALUE]...]: change or show
 * a runtime map, the pinned map a policy's `map NAME : TYPE -> mark|verdict`
 * declares (an LPM_TRIE or HASH as a runtime set, whose elements hold a
 * __u32: lwtp_map_value_t, or lwtp_verdict_t).
 *
 * Keys are checked as a set's elements are (elem.h), values against the
 * map's kind: an integer of 32 bits, or drop or pass. add sets the value
 * of a key, a new one or one the map holds (its value replaced). As with
 * `lwtp set`, every key and value is checked, and add and del check that
 * they can do all of their work, before anything is changed; when the
 * kernel refuses an update midway, what this command did is undone: each
 * key it changed gets back its value, or goes again.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "elem.h"
#include "json.h"
#include "lwtp.h"
#include "maps.h"
#include "rset.h"

/* Open pinned map name and check that it is a runtime map. */
static int open_rmap(const char *name, struct lwtp_map *m)
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
	} else if (m->layout.kind == LWTP_SET && !m->layout.rmap) {
		p_err("'%s' is a runtime set, not a map: see lwtp set", m->escaped);
		err = -EINVAL;
	} else if (m->layout.kind != LWTP_SET) {
		p_err("'%s' is a %s, not a runtime map", m->escaped,
		      decode_kind_name(m->layout.kind));
		err = -EINVAL;
	}
	if (err)
		maps_close(m);
	return err;
}

static int list_one(struct lwtp_map *m, struct json *j, bool all);

static const struct rset_ops map_ops = {
	.word = "map",
	.maps = true,
	.open = open_rmap,
	.list_one = list_one,
};

/* A value as written: an integer of 32 bits (decimal or 0x hex) for a map
 * of values, drop or pass for a map of verdicts. */
static int value_parse(const struct lwtp_map *m, const char *text, __u32 *v)
{
	unsigned long long n;
	char *end;

	if (m->layout.rmap == RMAP_VERDICTS) {
		if (!strcmp(text, "drop"))
			*v = LWTP_RMAP_DROP;
		else if (!strcmp(text, "pass"))
			*v = LWTP_RMAP_PASS;
		else {
			p_err("map %s: '%s' is not a verdict: the map holds drop or pass",
			      m->escaped, text);
			return -EINVAL;
		}
		return 0;
	}
	errno = 0;
	n = strtoull(text, &end, 0);
	if (!*text || *end || errno || n > UINT32_MAX || text[0] == '-' || text[0] == '+') {
		p_err("map %s: '%s' is not a value: the map holds integers of 0 to 4294967295",
		      m->escaped, text);
		return -EINVAL;
	}
	*v = (__u32)n;
	return 0;
}

static void value_format(const struct layout *l, __u32 v, char *buf, size_t size)
{
	if (l->rmap == RMAP_VERDICTS && (v == LWTP_RMAP_DROP || v == LWTP_RMAP_PASS))
		snprintf(buf, size, "%s", v == LWTP_RMAP_DROP ? "drop" : "pass");
	else
		snprintf(buf, size, "%" PRIu32, v);
}

/* One key of the command line: its map key, its value (add), what the map
 * held before (had, old), and whether this command changed it. */
struct change {
	unsigned char *key;
	__u32 value, old;
	bool had, todo, done;
};

/* Put back what c changed: the old value, or no key. */
static void undo(const struct lwtp_map *m, const struct change *c)
{
	if (c->had)
		bpf_map_update_elem(m->fd, c->key, &c->old, BPF_ANY);
	else
		bpf_map_delete_elem(m->fd, c->key);
}

/* Parse the keys (and values, with pairs) of argv into c; one line for
 * each bad one. */
static int parse_args(const struct lwtp_map *m, int n, char **argv, bool pairs,
		      struct change *c, unsigned char *keys)
{
	const struct layout *l = &m->layout;
	int i, step = pairs ? 2 : 1, bad = 0;
	char why[256];

	for (i = 0; i < n; i++) {
		const char *text = argv[i * step];
		int rc;

		c[i].key = keys + (size_t)i * l->key_size;
		rc = elem_parse(l, text, c[i].key, why, sizeof(why));
		if (rc == ELEM_NOTE) {
			p_err("note: map %s: %s", m->escaped, why);
		} else if (rc) {
			p_err("map %s: %s", m->escaped, why);
			bad++;
		}
		if (pairs && value_parse(m, argv[i * step + 1], &c[i].value))
			bad++;
	}
	return bad ? -EINVAL : 0;
}

static int change(bool add, int argc, char **argv)
{
	const char *verb = add ? "add" : "del";
	unsigned char *keys = NULL, *cur = NULL;
	struct change *c = NULL;
	struct lwtp_map m;
	const struct layout *l;
	size_t ncur = 0, nnew = 0;
	int n, i, j, err, ret = LWTP_EXIT_FAIL;
	bool failed = false;

	if (argc < 2 || (add && argc % 2 == 0))
		return p_usage(add ? "map add wants a map NAME and KEY VALUE pairs"
				   : "map del wants a map NAME and at least one KEY");
	if (open_rmap(argv[0], &m))
		return LWTP_EXIT_FAIL;
	l = &m.layout;
	n = add ? (argc - 1) / 2 : argc - 1;
	c = calloc(n, sizeof(*c));
	keys = calloc(n, l->key_size);
	if (!c || !keys) {
		p_err("out of memory");
		goto out;
	}
	if (parse_args(&m, n, argv + 1, add, c, keys))
		goto out;
	err = elem_read_all(l, m.fd, &cur, &ncur);
	if (err) {
		p_err("map %s: cannot read it: %s", m.escaped, strerror(-err));
		goto out;
	}

	/* what each key holds, and what to do with it */
	for (i = 0; i < n; i++) {
		bool dup = false;

		for (j = 0; j < i && !dup; j++)
			dup = !memcmp(c[i].key, c[j].key, l->key_size);
		if (dup) {
			if (add && c[j - 1].value != c[i].value) {
				p_err("map %s: '%s' is given twice, with two values", m.escaped,
				      argv[1 + 2 * i]);
				failed = true;
			}
			continue;
		}
		c[i].had = elem_has_key(l, cur, ncur, c[i].key) &&
			   bpf_map_lookup_elem(m.fd, c[i].key, &c[i].old) == 0;
		if (!add && !c[i].had) {
			p_err("map %s: '%s' is not in the map", m.escaped, argv[1 + i]);
			failed = true;
			continue;
		}
		c[i].todo = !add || !c[i].had || c[i].old != c[i].value;
		nnew += add && !c[i].had;
	}
	if (failed)
		goto out;
	if (add && ncur + nnew > l->max_entries) {
		p_err("map %s: %zu new key%s do%s not fit: it holds %zu of at most %u",
		      m.escaped, nnew, nnew == 1 ? "" : "s", nnew == 1 ? "es" : "", ncur,
		      l->max_entries);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!c[i].todo)
			continue;
		if (add)
			err = bpf_map_update_elem(m.fd, c[i].key, &c[i].value, BPF_ANY) ? -errno : 0;
		else
			err = bpf_map_delete_elem(m.fd, c[i].key) ? -errno : 0;
		if (err == -ENOENT && !add)
			continue;       /* another writer deleted it first */
		if (err) {
			p_err("map %s: cannot %s '%s': %s%s", m.escaped, verb,
			      argv[1 + (add ? 2 * i : i)], strerror(-err), rset_update_hint(&map_ops, err));
			for (j = 0; j < i; j++)
				if (c[j].done)
					undo(&m, &c[j]);
			goto out;
		}
		c[i].done = true;
	}
	ret = LWTP_EXIT_OK;
out:
	free(c);
	free(keys);
	free(cur);
	maps_close(&m);
	return ret;
}

static int do_add(int argc, char **argv)
{
	return change(true, argc, argv);
}

static int do_del(int argc, char **argv)
{
	return change(false, argc, argv);
}

/* One map's elements, KEY VALUE a line: with a header line and indented
 * when listed among others (all). */
static int list_one(struct lwtp_map *m, struct json *j, bool all)
{
	const struct layout *l = &m->layout;
	unsigned char *keys = NULL;
	char key[128], value[32];
	size_t n, i;
	int err;

	err = elem_read_all(l, m->fd, &keys, &n);
	if (err) {
		p_err("map %s: cannot read it: %s", m->escaped, strerror(-err));
		return err;
	}
	if (opts.json) {
		json_object_start(j);
		json_key(j, "name");
		json_string(j, m->name);
		json_key(j, "type");
		json_string(j, decode_set_type(l));
		json_key(j, "value");
		json_string(j, decode_rmap_value(l));
		json_key(j, "max_elements");
		json_uint(j, l->max_entries);
		json_key(j, "elements");
		json_array_start(j);
	} else if (all) {
		printf("%s: map of %s -> %s, %zu element%s (room for %u)\n", m->escaped,
		       decode_set_type(l), decode_rmap_value(l), n, n == 1 ? "" : "s",
		       l->max_entries);
	}
	for (i = 0; i < n; i++) {
		const unsigned char *k = keys + i * l->key_size;
		__u32 v;

		if (elem_format(l, k, key, sizeof(key)) < 0 || bpf_map_lookup_elem(m->fd, k, &v))
			continue;       /* deleted meanwhile */
		value_format(l, v, value, sizeof(value));
		if (opts.json) {
			json_object_start(j);
			json_key(j, "key");
			json_string(j, key);
			json_key(j, "value");
			if (l->rmap == RMAP_VALUES)
				json_uint(j, v);
			else
				json_string(j, value);
			json_object_end(j);
		} else {
			printf("%s%s %s\n", all ? "  " : "", key, value);
		}
	}
	if (opts.json) {
		json_array_end(j);
		json_object_end(j);
	}
	free(keys);
	return 0;
}

static int do_list(int argc, char **argv)
{
	return rset_list(&map_ops, argc, argv);
}

static int do_flush(int argc, char **argv)
{
	struct lwtp_map m;
	int err;

	if (argc != 1)
		return p_usage("map flush wants one map NAME");
	if (open_rmap(argv[0], &m))
		return LWTP_EXIT_FAIL;
	err = rset_flush(&map_ops, &m);
	maps_close(&m);
	return err ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
}

static int do_help(int argc, char **argv)
{
	printf("Usage: lwtp map add NAME KEY VALUE [KEY VALUE...]\n"
	       "       lwtp map del NAME KEY...\n"
	       "       lwtp map list [NAME] [--json]\n"
	       "       lwtp map flush NAME\n"
	       "KEY: an address or prefix (198.51.100.7, 203.0.113.0/24, 2001:db8::/32), a\n"
	       "port, a protocol (tcp, udp, icmp, 17) or an integer, as the map's key type says.\n"
	       "VALUE: an integer of 0 to 4294967295 for a map of marks ('-> mark'), drop or\n"
	       "pass for a map of verdicts ('-> verdict'); add replaces a key's value.\n");
	return LWTP_EXIT_OK;
}

static const struct cmd map_cmds[] = {
	{ "add", do_add, 0, NULL },
	{ "del", do_del, 0, NULL },
	{ "delete", do_del, 0, NULL },
	{ "list", do_list, OPT_JSON, NULL },
	{ "show", do_list, OPT_JSON, NULL },
	{ "flush", do_flush, 0, NULL },
	{ "help", do_help, 0, NULL },
	{ NULL, NULL, 0, NULL },
};

int do_map(int argc, char **argv)
{
	return cmd_select(map_cmds, "map command", "map ", argc, argv);
}
