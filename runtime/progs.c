/* progs.c: the LWT programs loaded on this host (progs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lwtp.h"
#include "progs.h"

bool prog_is_lwtc(const struct lwt_prog *p)
{
	return p->section[0] && p->object[0];
}

const char *prog_type_name(__u32 type)
{
	switch (type) {
	case BPF_PROG_TYPE_LWT_IN:   return "lwt_in";
	case BPF_PROG_TYPE_LWT_OUT:  return "lwt_out";
	case BPF_PROG_TYPE_LWT_XMIT: return "lwt_xmit";
	default:                     return "other";
	}
}

static bool is_lwt_type(__u32 type)
{
	return type == BPF_PROG_TYPE_LWT_IN || type == BPF_PROG_TYPE_LWT_OUT ||
	       type == BPF_PROG_TYPE_LWT_XMIT;
}

static bool is_hex_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == LWTP_OBJECT_ID_LEN && !s[n];
}

bool object_id_of_btf(const struct btf *btf, char id[LWTP_OBJECT_ID_LEN + 1])
{
	__u32 n = btf__type_cnt(btf);
	size_t plen = strlen(LWTP_OBJECT_PREFIX);

	for (__u32 i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *name;

		if (!btf_is_func(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (name && !strncmp(name, LWTP_OBJECT_PREFIX, plen) && is_hex_id(name + plen)) {
			memcpy(id, name + plen, LWTP_OBJECT_ID_LEN + 1);
			return true;
		}
	}
	return false;
}

int object_id_of_file(const char *path, char id[LWTP_OBJECT_ID_LEN + 1])
{
	struct btf *btf = btf__parse_elf(path, NULL);
	int err;

	if (!btf) {
		err = -errno;
		if (err == -ENOENT && access(path, F_OK) == 0) {
			p_err("%s has no BTF: not an object lwtc made", path);
			return -EINVAL;
		}
		p_err("cannot read the BTF of %s: %s", path, strerror(-err));
		return err;
	}
	err = object_id_of_btf(btf, id) ? 0 : -ENOENT;
	btf__free(btf);
	return err;
}

/* The name of the program's main function, from its func_info and BTF. */
static void main_func_name(int fd, const struct bpf_prog_info *info, const struct btf *btf,
			   char *buf, size_t size)
{
	struct bpf_func_info fi = {};
	struct bpf_prog_info one = {};
	__u32 len = sizeof(one);
	const struct btf_type *t;
	const char *name;

	if (!btf || !info->nr_func_info)
		return;
	one.nr_func_info = 1;
	one.func_info_rec_size = sizeof(fi);
	one.func_info = (__u64)(unsigned long)&fi;
	if (bpf_obj_get_info_by_fd(fd, &one, &len) || one.func_info_rec_size != sizeof(fi))
		return;
	t = btf__type_by_id(btf, fi.type_id);
	if (!t || !btf_is_func(t))
		return;
	name = btf__name_by_offset(btf, t->name_off);
	if (name && *name)
		snprintf(buf, size, "%s", name);
}

/* The full name of map m: the variable in the object's .maps whose first
 * 15 bytes are the kernel's name, when exactly one is. */
static void full_map_name(const struct btf *btf, struct prog_map *m)
{
	const char *found = NULL;
	int sec, matches = 0;

	sec = btf ? btf__find_by_name_kind(btf, ".maps", BTF_KIND_DATASEC) : -1;
	if (sec < 0)
		return;
	const struct btf_type *t = btf__type_by_id(btf, sec);
	const struct btf_var_secinfo *v = btf_var_secinfos(t);
	size_t klen = strlen(m->name);

	for (__u16 i = 0; i < btf_vlen(t); i++, v++) {
		const struct btf_type *var = btf__type_by_id(btf, v->type);
		const char *name = var ? btf__name_by_offset(btf, var->name_off) : NULL;

		if (!name || strncmp(name, m->name, klen))
			continue;
		if (klen < BPF_OBJ_NAME_LEN - 1 && name[klen])
			continue;       /* the kernel's name is whole: must equal */
		found = name;
		matches++;
	}
	if (matches == 1) {
		snprintf(m->name, sizeof(m->name), "%s", found);
		m->in_maps_section = true;
	}
}

static int read_maps(int fd, const struct bpf_prog_info *info, const struct btf *btf,
		     struct lwt_prog *p)
{
	struct bpf_prog_info again = {};
	__u32 len = sizeof(again), *ids;

	if (!info->nr_map_ids)
		return 0;
	ids = calloc(info->nr_map_ids, sizeof(*ids));
	p->maps = calloc(info->nr_map_ids, sizeof(*p->maps));
	if (!ids || !p->maps) {
		free(ids);
		return -ENOMEM;
	}
	again.nr_map_ids = info->nr_map_ids;
	again.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &again, &len)) {
		free(ids);
		return -errno;
	}
	for (__u32 i = 0; i < again.nr_map_ids && i < info->nr_map_ids; i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);
		struct prog_map *m = &p->maps[p->nmaps];
		int mfd = bpf_map_get_fd_by_id(ids[i]);

		if (mfd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(mfd, &mi, &mlen)) {
			m->id = mi.id;
			m->type = mi.type;
			snprintf(m->name, sizeof(m->name), "%s", mi.name);
			full_map_name(btf, m);
			p->nmaps++;
		}
		close(mfd);
	}
	free(ids);
	return 0;
}

/* Describe the program fd into p; 1 when it is an LWT program, 0 when it is
 * another kind, or a negative errno. */
static int read_prog(int fd, struct lwt_prog *p)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct btf *btf = NULL;
	size_t plen = strlen(LWTP_PROG_PREFIX);
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (!is_lwt_type(info.type))
		return 0;
	memset(p, 0, sizeof(*p));
	p->id = info.id;
	p->type = info.type;
	snprintf(p->kname, sizeof(p->kname), "%s", info.name);
	snprintf(p->func, sizeof(p->func), "%s", info.name);
	memcpy(p->tag, info.tag, sizeof(p->tag));
	p->load_time = info.load_time;
	if (info.btf_id)
		btf = btf__load_from_kernel_by_id(info.btf_id);
	main_func_name(fd, &info, btf, p->func, sizeof(p->func));
	if (btf && object_id_of_btf(btf, p->object) && !strncmp(p->func, LWTP_PROG_PREFIX, plen))
		snprintf(p->section, sizeof(p->section), "%s", p->func + plen);
	err = read_maps(fd, &info, btf, p);
	btf__free(btf);
	return err < 0 ? err : 1;
}

void progs_free(struct lwt_prog *progs, size_t n)
{
	for (size_t i = 0; progs && i < n; i++)
		free(progs[i].maps);
	free(progs);
}

int progs_read(struct lwt_prog **progs, size_t *n)
{
	struct lwt_prog *out = NULL, *grown;
	size_t nout = 0, cap = 0;
	__u32 id = 0;
	int err = 0;

	for (;;) {
		int fd, ret;

		if (bpf_prog_get_next_id(id, &id)) {
			if (errno != ENOENT) {
				err = -errno;
				p_err("cannot list the loaded programs: %s%s", strerror(-err),
				      err == -EPERM ? " (lwtp needs root, or CAP_SYS_ADMIN)" : "");
			}
			break;
		}
		fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0) {
			if (errno == ENOENT)
				continue;       /* gone meanwhile */
			err = -errno;
			p_err("cannot open program %u: %s", id, strerror(-err));
			break;
		}
		if (nout == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(out, cap * sizeof(*out));
			if (!grown) {
				close(fd);
				err = -ENOMEM;
				break;
			}
			out = grown;
		}
		ret = read_prog(fd, &out[nout]);
		close(fd);
		if (ret == 1)
			nout++;
		else if (ret < 0 && ret != -ENOENT) {
			err = ret;
			p_err("cannot read program %u: %s", id, strerror(-err));
			nout++; /* its maps, if any, are freed below */
			break;
		}
	}
	if (err) {
		progs_free(out, nout);
		return err;
	}
	*progs = out;
	*n = nout;
	return 0;
}

/* ns since boot to seconds since the epoch: now minus how long ago */
double prog_load_epoch(const struct lwt_prog *p)
{
	struct timespec real, boot;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	double since_boot_now = boot.tv_sec + boot.tv_nsec / 1e9;
	double ago = since_boot_now - p->load_time / 1e9;

	return real.tv_sec + real.tv_nsec / 1e9 - ago;
}

const char *prog_load_text(const struct lwt_prog *p, char *buf, size_t size)
{
	time_t t = (time_t)prog_load_epoch(p);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "?");
	return buf;
}

const char *prog_tag_text(const struct lwt_prog *p, char *buf, size_t size)
{
	size_t len = 0;

	for (int i = 0; i < BPF_TAG_SIZE && len + 3 <= size; i++)
		len += snprintf(buf + len, size - len, "%02x", p->tag[i]);
	return buf;
}
