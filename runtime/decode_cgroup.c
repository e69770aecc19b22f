/* decode_cgroup.c: the elements of a set of cgroups, cgroup ids, and the
 * cgroup v2 directories they name (see decode_cgroup.h). */
#define _GNU_SOURCE             /* nftw's FTW_ACTIONRETVAL */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <bpf/bpf.h>
#include <linux/magic.h>

#include "lwtp_contract.h"
#include "decode_cgroup.h"

int decode_cgroup_read(int ids_fd, __u32 n, __u64 *ids)
{
	for (__u32 i = 0; i < n; i++) {
		lwtp_cgroup_id_t v = 0;

		if (bpf_map_lookup_elem(ids_fd, &i, &v))
			return -errno;
		ids[i] = v;
	}
	return 0;
}

/* ---- a cgroup's path, from its id ----------------------------------------- */

/* Where cgroup2 is mounted: /sys/fs/cgroup when it is there, else the first
 * cgroup2 mount of /proc/self/mountinfo; "" when none. */
static const char *cgroup2_mount(void)
{
	static char found[4096];
	static int looked;
	char line[8192], point[4096], type[64];
	struct statfs fs;
	FILE *f;

	if (looked)
		return found;
	looked = 1;
	if (statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
		snprintf(found, sizeof(found), "/sys/fs/cgroup");
		return found;
	}
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return found;
	while (fgets(line, sizeof(line), f)) {
		/* ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - TYPE SOURCE ... */
		const char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
		    sscanf(dash + 3, "%63s", type) != 1 || strcmp(type, "cgroup2") != 0)
			continue;
		snprintf(found, sizeof(found), "%s", point);
		break;
	}
	fclose(f);
	return found;
}

static __u64 wanted;
static char *found_path;
static size_t found_size;
static int found;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_D || (__u64)st->st_ino != wanted)
		return FTW_CONTINUE;
	found = snprintf(found_path, found_size, "%s", path) < (int)found_size ? 1 : -ENOSPC;
	return FTW_STOP;
}

int decode_cgroup_find(__u64 id, char *path, size_t size)
{
	const char *root = cgroup2_mount();

	if (!*root || !id)
		return -ENOENT;
	wanted = id;
	found_path = path;
	found_size = size;
	found = 0;
	if (nftw(root, visit, 16, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL) < 0 && !found)
		return -errno;
	return found == 1 ? 0 : found ? found : -ENOENT;
}

int decode_cgroup_format(__u64 id, char *buf, size_t size)
{
	int n, err = decode_cgroup_find(id, buf, size);

	if (!err)
		return (int)strlen(buf);
	n = snprintf(buf, size, "(removed, id %" PRIu64 ")", (uint64_t)id);
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}
