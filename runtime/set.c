/* set.c: lwtp set add|del|list|flush NAME [ELEMENT...]: change or show a
 * runtime set, the pinned map a policy's `set NAME : TYPE` declares.
 *
 * Every element is checked against the set's type, and add and del check
 * that they can do all of their work, before anything is changed: a bad
 * element, a missing one (del) or a full set (add) changes nothing. When
 * the kernel refuses an update midway, what this command did is undone,
 * and only that: adds insert only absent elements (BPF_NOEXIST), so an
 * element another writer put in meanwhile is never taken out again.
 *
 * A set of cgroups (decode_cgroup.h) is two maps, written here together:
 * its CGROUP_ARRAY takes a cgroup directory's fd in a slot, and its
 * lwtp_cgroups_NAME the cgroup's id in the same slot, which is all that
 * list can read back. The same rules hold: every directory is opened and
 * checked, and the free slots counted, before any slot is written.
 */
#define _GNU_SOURCE             /* name_to_handle_at */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/magic.h>

#include "decode_layout.h"
#include "elem.h"
#include "json.h"
#include "lwtp.h"
#include "maps.h"
#include "rset.h"
#include "decode_cgroup.h"

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
	} else if (m->layout.kind == LWTP_CGROUP_IDS) {
		p_err("'%s' holds the ids of a set of cgroups: name the set itself", m->escaped);
		err = -EINVAL;
	} else if (m->layout.kind != LWTP_SET) {
		p_err("'%s' is a %s, not a set", m->escaped, decode_kind_name(m->layout.kind));
		err = -EINVAL;
	} else if (m->layout.rmap) {
		p_err("'%s' is a runtime map, not a set: see lwtp map", m->escaped);
		err = -EINVAL;
	}
	if (err)
		maps_close(m);
	return err;
}

static int list_one(struct lwtp_map *m, struct json *j, bool all);

static const struct rset_ops set_ops = {
	.word = "set",
	.maps = false,
	.open = open_set,
	.list_one = list_one,
};

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

enum change { ADD, DEL };

/* Add key only if absent, or delete it: 0, -EEXIST when another writer
 * added it first, -ENOENT when another deleted it first, or the error. */
static int apply(const struct lwtp_map *m, enum change what, const void *key)
{
	int rc = what == ADD ? bpf_map_update_elem(m->fd, key, &set_value, BPF_NOEXIST)
			     : bpf_map_delete_elem(m->fd, key);

	return rc ? -errno : 0;
}

/* ---- sets of cgroups ---------------------------------------------------------- */

/* A cgroup named on the command line: its directory's fd (-1 when it is
 * gone: del by id) and id; the slot this command changed, or -1. */
struct cg_arg {
	int fd;
	__u64 id;
	long slot;
};

/* Open the cgroup v2 directory path: its fd in *fd and its cgroup id in
 * *id; else a negative errno (-EMEDIUMTYPE: not on a cgroup2 filesystem),
 * with why in err. */
static int cgroup_open(const char *path, int *fd, __u64 *id, char *err, size_t errlen)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[sizeof(__u64)];
	} h;
	struct statfs fs;
	struct stat st;
	int mount_id, e;

	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		e = -errno;
		snprintf(err, errlen, "cannot open cgroup '%s': %s", path, strerror(-e));
		return e;
	}
	if (fstatfs(*fd, &fs) || fstat(*fd, &st)) {
		e = -errno;
		snprintf(err, errlen, "cannot read cgroup '%s': %s", path, strerror(-e));
		goto fail;
	}
	if (fs.f_type != CGROUP2_SUPER_MAGIC) {
		e = -EMEDIUMTYPE;
		snprintf(err, errlen, "'%s' is not a cgroup v2 directory (its filesystem is "
			 "not cgroup2, as /sys/fs/cgroup is on a cgroup v2 host); a set of cgroups "
			 "holds cgroup v2 cgroups only", path);
		goto fail;
	}
	/* the kernel's cgroup id is the 8 bytes of the directory's handle,
	 * which is its inode number on a 64-bit host */
	h.fh.handle_bytes = sizeof(h.bytes);
	if (name_to_handle_at(*fd, "", &h.fh, &mount_id, AT_EMPTY_PATH) == 0 &&
	    h.fh.handle_bytes == sizeof(__u64))
		memcpy(id, h.fh.f_handle, sizeof(__u64));
	else
		*id = st.st_ino;
	return 0;
fail:
	close(*fd);
	*fd = -1;
	return e;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Open each cgroup named; del also takes the id of a cgroup that is gone. */
static int cgroup_args(const struct lwtp_map *m, enum change what, int argc, char **argv,
		       struct cg_arg *a)
{
	char why[PATH_MAX + 200];
	int i, bad = 0, err;

	for (i = 0; i < argc; i++) {
		a[i].slot = -1;
		err = cgroup_open(argv[i], &a[i].fd, &a[i].id, why, sizeof(why));
		if (err == -ENOENT && what == DEL && all_digits(argv[i])) {
			a[i].id = strtoull(argv[i], NULL, 10);
			continue;
		}
		if (err) {
			p_err("set %s: %s%s", m->escaped, why, err == -ENOENT && what == DEL ?
			      " (a cgroup that is gone is deleted by its id, as 'lwtp set list' "
			      "shows it)" : "");
			bad++;
		}
	}
	return bad ? -EINVAL : 0;
}

/* Write slot s of both maps: the cgroup of fd and its id, or, fd < 0, empty. */
static int cgroup_slot(const struct lwtp_map *m, __u32 s, int fd, __u64 id)
{
	lwtp_cgroup_id_t v = fd < 0 ? 0 : id;
	__u32 cg = (__u32)fd;

	if (fd >= 0 && bpf_map_update_elem(m->fd, &s, &cg, BPF_ANY))
		return -errno;
	if (fd < 0 && bpf_map_delete_elem(m->fd, &s) && errno != ENOENT)
		return -errno;
	if (bpf_map_update_elem(m->ids_fd, &s, &v, BPF_ANY))
		return -errno;
	return 0;
}

static int cgroup_change(struct lwtp_map *m, enum change what, int argc, char **argv)
{
	const char *verb = what == ADD ? "add" : "del";
	__u32 n = m->layout.max_entries, s;
	struct cg_arg *a = calloc(argc, sizeof(*a));
	__u64 *ids = calloc(n ? n : 1, sizeof(*ids));
	size_t nnew = 0, nfree = 0, nfull;
	bool failed = false;
	int i, j, err, ret = LWTP_EXIT_FAIL;

	if (!a || !ids) {
		p_err("out of memory");
		goto out;
	}
	for (i = 0; i < argc; i++)
		a[i].fd = -1;
	if (cgroup_args(m, what, argc, argv, a))
		goto out;
	err = decode_cgroup_read(m->ids_fd, n, ids);
	if (err) {
		p_err("set %s: cannot read it: %s", m->escaped, strerror(-err));
		goto out;
	}
	for (s = 0; s < n; s++)
		nfree += !ids[s];
	nfull = n - nfree;

	/* which slot each cgroup goes to (add) or leaves (del); -1: nothing to do */
	for (i = 0; i < argc; i++) {
		bool dup = false;
		long found = -1;

		for (j = 0; j < i && !dup; j++)
			dup = a[j].id == a[i].id;
		for (s = 0; s < n && found < 0; s++)
			if (ids[s] && ids[s] == a[i].id)
				found = s;
		if (dup || (what == ADD && found >= 0))
			continue;
		if (what == DEL && found < 0) {
			p_err("set %s: '%s' is not in the set", m->escaped, argv[i]);
			failed = true;
			continue;
		}
		a[i].slot = found;      /* add: chosen below */
		nnew++;
	}
	if (failed)
		goto out;
	if (what == ADD && nnew > nfree) {
		p_err("set %s: %zu new cgroup%s do%s not fit: it holds %zu of at most %u",
		      m->escaped, nnew, nnew == 1 ? "" : "s", nnew == 1 ? "es" : "", nfull, n);
		goto out;
	}
	for (i = 0, s = 0; what == ADD && i < argc; i++) {
		bool dup = false;

		for (j = 0; j < i && !dup; j++)
			dup = a[j].id == a[i].id;
		if (dup)
			continue;
		for (j = 0; j < (int)n && ids[j] != a[i].id; j++)
			;
		if (j < (int)n)
			continue;       /* there already */
		while (ids[s])
			s++;
		a[i].slot = s;
		ids[s] = a[i].id;       /* taken */
	}

	for (i = 0; i < argc; i++) {
		if (a[i].slot < 0)
			continue;
		err = cgroup_slot(m, (__u32)a[i].slot, what == ADD ? a[i].fd : -1, a[i].id);
		if (!err)
			continue;
		p_err("set %s: cannot %s '%s': %s%s", m->escaped, verb, argv[i], strerror(-err),
		      rset_update_hint(&set_ops, err));
		/* undo: empty the slots filled; a deleted cgroup comes back when
		 * its directory is still there */
		for (j = 0; j <= i; j++) {
			if (a[j].slot < 0)
				continue;
			if (what == ADD)
				cgroup_slot(m, (__u32)a[j].slot, -1, 0);
			else if (a[j].fd >= 0)
				cgroup_slot(m, (__u32)a[j].slot, a[j].fd, a[j].id);
		}
		goto out;
	}
	ret = LWTP_EXIT_OK;
out:
	for (i = 0; a && i < argc; i++)
		if (a[i].fd >= 0)
			close(a[i].fd);
	free(a);
	free(ids);
	return ret;
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
	if (l->cgroup) {
		ret = cgroup_change(&m, what, argc - 1, argv + 1);
		goto out;
	}
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
			todo[i] = !elem_has_key(l, cur, ncur, k);
		} else if (elem_has_key(l, cur, ncur, k)) {
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
		      strerror(-err), rset_update_hint(&set_ops, err));
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
	char buf[PATH_MAX + 64];
	size_t n, i;
	int err;

	err = elem_read_all(&m->layout, m->layout.cgroup ? m->ids_fd : m->fd, &keys, &n);
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
		if (m->layout.cgroup) {
			/* the ids, in the order of the elements, for cgroups that are gone */
			json_key(j, "ids");
			json_array_start(j);
			for (i = 0; i < n; i++) {
				__u64 id;

				memcpy(&id, keys + i * m->layout.key_size, sizeof(id));
				json_uint(j, id);
			}
			json_array_end(j);
		}
		json_object_end(j);
	}
	free(keys);
	return 0;
}

static int do_list(int argc, char **argv)
{
	return rset_list(&set_ops, argc, argv);
}

static int do_flush(int argc, char **argv)
{
	struct lwtp_map m;
	int err, ret = LWTP_EXIT_OK;

	if (argc != 1)
		return p_usage("set flush wants one set NAME");
	if (open_set(argv[0], &m))
		return LWTP_EXIT_FAIL;
	if (m.layout.cgroup) {
		/* every slot, full or not: one that only the cgroup array holds
		 * (a writer that stopped between the two) goes too */
		for (__u32 s = 0; s < m.layout.max_entries && !ret; s++) {
			err = cgroup_slot(&m, s, -1, 0);
			if (err) {
				p_err("set %s: cannot flush it: %s%s", m.escaped, strerror(-err),
				      rset_update_hint(&set_ops, err));
				ret = LWTP_EXIT_FAIL;
			}
		}
		maps_close(&m);
		return ret;
	}
	if (rset_flush(&set_ops, &m))
		ret = LWTP_EXIT_FAIL;
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
	       "a port, a protocol (tcp, udp, icmp, 17) or an integer, as the set's type says;\n"
	       "for a set of cgroups, a cgroup v2 directory (/sys/fs/cgroup/batch), or, to\n"
	       "delete a cgroup that is gone, its id.\n");
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
