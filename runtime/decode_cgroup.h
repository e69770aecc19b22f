/* decode_cgroup.h: the elements of a runtime set of cgroups ('set NAME :
 * cgroup'), which are cgroup ids, and the cgroup v2 directories they name.
 *
 * The set is two maps (lwtp_contract.h, LWTP_CGROUPS_PREFIX): NAME, a
 * CGROUP_ARRAY whose slots hold cgroups (written with a directory's fd by
 * lwtp set, never read back: the kernel does not give them), and
 * lwtp_cgroups_NAME, an ARRAY whose slot i holds the id of the cgroup in
 * slot i of NAME, 0 when it is empty. A cgroup's id is the inode number of
 * its directory on the cgroup2 filesystem (name_to_handle_at()'s handle).
 *
 * Functions return 0 or a negative errno, and log nothing.
 */
#ifndef LWTP_DECODE_CGROUP_H
#define LWTP_DECODE_CGROUP_H

#include <stddef.h>
#include <linux/types.h>

/* The ids of slots 0..n-1 of lwtp_cgroups_NAME (ids_fd), 0 for an empty
 * slot, into ids[n]. */
int decode_cgroup_read(int ids_fd, __u32 n, __u64 *ids);

/* The path of the directory of cgroup id under the cgroup2 mount
 * (/sys/fs/cgroup, or the first cgroup2 mount): 0, -ENOENT when no
 * directory there has that id, -ENOSPC. */
int decode_cgroup_find(__u64 id, char *path, size_t size);

/* The path of cgroup id ("/sys/fs/cgroup/batch/a"), or "(removed, id N)"
 * when no directory has that id. The length, or -ENOSPC. */
int decode_cgroup_format(__u64 id, char *buf, size_t size);

#endif
