/* maps.c: open lwtp's pinned maps and describe them from their BTF. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/magic.h>

#include "lwtp.h"
#include "maps.h"

static const char mount_hint[] = "mount -t bpf bpf /sys/fs/bpf";

static const char *perm_hint(int err)
{
	return err == -EPERM || err == -EACCES ? " (lwtp needs root)" : "";
}

/* Whether the nearest existing ancestor of path is on a BPF filesystem. */
static bool ancestor_is_bpffs(const char *path)
{
	char buf[PATH_MAX];
	struct statfs sfs;
	char *slash;

	snprintf(buf, sizeof(buf), "%s", path);
	while ((slash = strrchr(buf, '/'))) {
		if (slash == buf) {
			buf[1] = 0;
			return statfs(buf, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC;
		}
		*slash = 0;
		if (statfs(buf, &sfs) == 0)
			return sfs.f_type == BPF_FS_MAGIC;
	}
	return false;
}

int maps_check_dir(const char *dir)
{
	struct statfs sfs;
	struct stat st;
	int err;

	if (stat(dir, &st) || statfs(dir, &sfs)) {
		err = -errno;
		if (err == -ENOENT && ancestor_is_bpffs(dir)) {
			p_err("no map is pinned: %s does not exist (it appears when a route "
			      "loads an object with pinned maps)", dir);
			maps_hint_unpinned();
		} else if (err == -ENOENT)
			p_err("%s does not exist, and no BPF filesystem is mounted there (%s)",
			      dir, mount_hint);
		else
			p_err("cannot access %s: %s", dir, strerror(-err));
		return err;
	}
	if (!S_ISDIR(st.st_mode)) {
		p_err("%s is not a directory", dir);
		return -ENOTDIR;
	}
	if (sfs.f_type != BPF_FS_MAGIC) {
		p_err("%s is not on a BPF filesystem (%s)", dir, mount_hint);
		return -EMEDIUMTYPE;
	}
	return 0;
}

/* How many LWT_OUT programs lwtc made are loaded, and the first one's name. */
static unsigned count_lwtc_programs(char *first, size_t size)
{
	struct bpf_prog_info info;
	__u32 id = 0, len;
	unsigned n = 0;
	int fd;

	while (bpf_prog_get_next_id(id, &id) == 0) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    info.type == BPF_PROG_TYPE_LWT_OUT &&
		    !strncmp(info.name, LWTP_PROG_PREFIX, strlen(LWTP_PROG_PREFIX))) {
			if (!n++)
				snprintf(first, size, "%s", info.name);
		}
		close(fd);
	}
	return n;
}

void maps_hint_unpinned(void)
{
	char first[sizeof(((struct bpf_prog_info *)0)->name) + 1] = "";
	unsigned n = count_lwtc_programs(first, sizeof(first));

	if (!n)
		return;
	p_err("but %u program%s of lwtc's %s loaded on this host (%s%s): a route attached "
	      "with 'ip netns exec' or 'ip -n' pins its maps in a private /sys that is gone "
	      "when ip exits; attach with 'nsenter --net=/run/netns/NS ip route ...'",
	      n, n == 1 ? "" : "s", n == 1 ? "is" : "are", first, n == 1 ? "" : ", ...");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void maps_free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

int maps_list(const char *dir, char ***names, size_t *n)
{
	char **out = NULL, **grown;
	size_t nout = 0, cap = 0;
	struct dirent *de;
	int err = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d) {
		err = -errno;
		p_err("cannot read %s: %s", dir, strerror(-err));
		return err;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
			continue;
		if (nout == cap) {
			cap = cap ? cap * 2 : 32;
			grown = realloc(out, cap * sizeof(*out));
			if (!grown) {
				err = -ENOMEM;
				goto out;
			}
			out = grown;
		}
		out[nout] = strdup(de->d_name);
		if (!out[nout]) {
			err = -ENOMEM;
			goto out;
		}
		nout++;
	}
out:
	closedir(d);
	if (err) {
		p_err("cannot list %s: %s", dir, strerror(-err));
		maps_free_names(out, nout);
		return err;
	}
	if (nout)
		qsort(out, nout, sizeof(*out), cmp_names);
	*names = out;
	*n = nout;
	return 0;
}

bool maps_fd_is_map(int fd)
{
	char link[64], target[64];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, target, sizeof(target) - 1);
	if (len < 0)
		return true;    /* no /proc: let the info call tell */
	target[len] = 0;
	return strcmp(target, "anon_inode:bpf-map") == 0;
}

/* Whether dir holds lwtp_full_NAME, a per-CPU array of one struct lwtp_keys:
 * what makes a ring buffer the ring of a sample. Quiet: lwtp_full_NAME is
 * checked in full when it is opened as a map of its own. */
static bool has_full_map(const char *dir, const char *name)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	bool ok;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", dir, LWTP_FULL_PREFIX, name) >=
	    sizeof(path))
		return false;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	ok = maps_fd_is_map(fd) && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	     info.type == BPF_MAP_TYPE_PERCPU_ARRAY && info.max_entries == 1 &&
	     info.key_size == sizeof(__u32) && info.value_size == sizeof(struct lwtp_keys);
	close(fd);
	return ok;
}

/* The fd of dir/lwtp_cgroups_NAME, an ARRAY of max_entries lwtp_cgroup_id_t:
 * what makes a CGROUP_ARRAY a set of cgroups, and where its elements are;
 * -1 when there is none. Quiet, as has_full_map(). */
static int open_cgroup_ids(const char *dir, const char *name, __u32 max_entries)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", dir, LWTP_CGROUPS_PREFIX, name) >=
	    sizeof(path))
		return -1;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -1;
	if (maps_fd_is_map(fd) && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	    info.type == BPF_MAP_TYPE_ARRAY && info.max_entries == max_entries &&
	    info.key_size == sizeof(__u32) && info.value_size == sizeof(lwtp_cgroup_id_t))
		return fd;
	close(fd);
	return -1;
}

bool maps_set_name(struct lwtp_map *m, const char *name)
{
	if (strlen(name) >= sizeof(m->name))
		return false;
	snprintf(m->name, sizeof(m->name), "%s", name);
	p_escape(name, m->escaped, sizeof(m->escaped));
	return true;
}

/* Get the pin dir/name into m->fd; a missing one is logged unless quiet. */
static int open_pin(const char *dir, const char *name, struct lwtp_map *m, bool quiet)
{
	char path[PATH_MAX], shown[P_ESCAPED_MAX];
	int err;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    !maps_set_name(m, name)) {
		p_err("'%s' is not a map name", p_escape(name, shown, sizeof(shown)));
		return -EINVAL;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		p_err("%s/%s: path too long", dir, m->escaped);
		return -ENAMETOOLONG;
	}
	m->fd = bpf_obj_get(path);
	if (m->fd >= 0)
		return 0;
	err = -errno;
	m->fd = -1;
	if (err != -ENOENT)
		p_err("cannot open %s/%s: %s%s", dir, m->escaped, strerror(-err), perm_hint(err));
	else if (!quiet)
		p_err("no map '%s' in %s", m->escaped, dir);
	return err;
}

/* Read the info and BTF of the open pin m, and describe it. */
static int describe(const char *dir, struct lwtp_map *m)
{
	struct btf *btf = NULL;
	__u32 len = sizeof(m->info);
	int err, ret;

	if (!maps_fd_is_map(m->fd)) {
		m->layout.kind = LWTP_NOT_OURS;
		snprintf(m->why, sizeof(m->why), "it is not a map");
		return 0;
	}
	if (bpf_obj_get_info_by_fd(m->fd, &m->info, &len)) {
		err = -errno;
		p_err("cannot read the info of map '%s': %s%s", m->escaped, strerror(-err),
		      perm_hint(err));
		return err;
	}
	if (m->info.btf_id) {
		btf = btf__load_from_kernel_by_id(m->info.btf_id);
		if (!btf) {
			err = -errno;
			p_err("cannot load the BTF of map '%s': %s%s", m->escaped, strerror(-err),
			      perm_hint(err));
			return err;
		}
	}
	ret = decode_layout(m->escaped, btf, &m->info, &m->layout);
	if (ret == 0) {
		char tname[96];

		if (!btf || !m->info.btf_value_type_id) {
			snprintf(m->why, sizeof(m->why), "it has no BTF value type");
		} else {
			decode_type_name(btf, m->info.btf_value_type_id, tname, sizeof(tname));
			snprintf(m->why, sizeof(m->why), "its value type is %s, not one of lwtp's "
				 "(struct lwtp_counter, lwtp_limit_state, lwtp_quota_state, "
				 "lwtp_keys, lwtp_hist_count_t, lwtp_set_value_t)", tname);
		}
	}
	btf__free(btf);
	if (ret < 0)
		return ret;
	if (ret == 1 && m->layout.kind == LWTP_RING && !has_full_map(dir, m->name)) {
		snprintf(m->why, sizeof(m->why), "it is a ring buffer without an %s%s "
			 "beside it, so not the ring of an lwtp sample", LWTP_FULL_PREFIX, m->escaped);
		ret = 0;
	}
	if (ret == 1 && m->layout.cgroup) {
		m->ids_fd = open_cgroup_ids(dir, m->name, m->info.max_entries);
		if (m->ids_fd < 0) {
			snprintf(m->why, sizeof(m->why), "it is a cgroup array without an "
				 "%s%s of as many slots beside it, so not an lwtp set of cgroups",
				 LWTP_CGROUPS_PREFIX, m->escaped);
			m->layout.cgroup = false;
			ret = 0;
		}
	}
	if (ret == 0)
		m->layout.kind = LWTP_NOT_OURS;
	return 0;
}

static int open_map(const char *dir, const char *name, struct lwtp_map *m, bool quiet)
{
	int err = open_pin(dir, name, m, quiet);

	if (!err)
		err = describe(dir, m);
	if (err)
		maps_close(m);
	return err;
}

int maps_open(const char *dir, const char *name, struct lwtp_map *m)
{
	return open_map(dir, name, m, false);
}

int maps_try_open(const char *dir, const char *name, struct lwtp_map *m)
{
	return open_map(dir, name, m, true);
}

void maps_close(struct lwtp_map *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	if (m->layout.cgroup && m->ids_fd >= 0)
		close(m->ids_fd);
	m->layout.cgroup = false;
}

void maps_err_not_ours(const struct lwtp_map *m)
{
	p_err("'%s' is not an lwtp map: %s", m->escaped, m->why);
}
