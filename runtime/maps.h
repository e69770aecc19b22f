/* maps.h: lwtp's maps as they are pinned: list the pin directory, open a pin,
 * read its info and BTF from the kernel, and describe it (decode_layout.h).
 *
 * Functions return 0 or a negative errno and log what went wrong, with the
 * map's name, unless said otherwise.
 */
#ifndef LWTP_MAPS_H
#define LWTP_MAPS_H

#include <stddef.h>
#include <linux/bpf.h>

#include "decode_layout.h"
#include "lwtp.h"
#include "lwtp_contract.h"

struct lwtp_map {
	char name[256];                 /* the pin's file name */
	char escaped[P_ESCAPED_MAX];    /* name as text and messages show it */
	int fd;
	struct bpf_map_info info;
	struct layout layout;           /* layout.kind LWTP_NOT_OURS: not lwtp's */
	char why[P_ESCAPED_MAX + 256];  /* not lwtp's: why (may hold the name) */
	int ids_fd;                     /* a set of cgroups (layout.cgroup): its
					   lwtp_cgroups_NAME, which holds its
					   elements; else unset */
};

/* Check that dir is a directory on a BPF filesystem. */
int maps_check_dir(const char *dir);

/* When no map is pinned where lwtp looks but lwtc's programs are loaded
 * on this host, say where their maps likely went (a route attached with
 * 'ip netns exec' or 'ip -n', whose private /sys is gone): one more line on
 * stderr, or nothing. */
void maps_hint_unpinned(void);

/* The names of the pins in dir that are maps, sorted. Free with
 * maps_free_names(). */
int maps_list(const char *dir, char ***names, size_t *n);
void maps_free_names(char **names, size_t n);

/* Open the pin dir/name and describe it. A map that is not lwtp's opens
 * fine, with layout.kind LWTP_NOT_OURS, and nothing logged; so does a ring
 * buffer without an lwtp_full_NAME beside it (the ring of a sample has one),
 * a cgroup array without an lwtp_cgroups_NAME (a set of cgroups has one,
 * opened as m->ids_fd), and a pin that is not a map. A name that holds '/', or is "." or "..",
 * is refused: it would name a pin elsewhere. */
int maps_open(const char *dir, const char *name, struct lwtp_map *m);
/* As maps_open(), but a pin that does not exist is -ENOENT, not logged:
 * for pins that may be absent, or whose absence the caller words (with
 * m->escaped, which is set by then). */
int maps_try_open(const char *dir, const char *name, struct lwtp_map *m);
/* Set m->name and m->escaped (p_escape()); false when name is too long. */
bool maps_set_name(struct lwtp_map *m, const char *name);
void maps_close(struct lwtp_map *m);

/* Whether fd is a map (its /proc/self/fd link is anon_inode:bpf-map);
 * true when /proc cannot tell. */
bool maps_fd_is_map(int fd);

/* "lwtp: 'NAME' is not an lwtp map ..." */
void maps_err_not_ours(const struct lwtp_map *m);

#endif
