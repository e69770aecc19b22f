/* maps.h: lwtp's maps as they are pinned: list the pin directory, open a pin,
 * read its info and BTF from the kernel, and describe it (decode.h).
 *
 * Functions return 0 or a negative errno and log what went wrong, with the
 * map's name, unless said otherwise.
 */
#ifndef LWTP_MAPS_H
#define LWTP_MAPS_H

#include <stddef.h>
#include <linux/bpf.h>

#include "decode.h"

/* lwtp_full_NAME: the new keys of the keyed statistic NAME, or the
 * samples of the ring NAME (struct lwtp_keys, LWTP_KEYS) */
#define LWTP_FULL_PREFIX "lwtp_full_"

struct lwtp_map {
	char name[256];                 /* the pin's file name */
	int fd;
	struct bpf_map_info info;
	struct layout layout;           /* layout.kind LWTP_NOT_OURS: not lwtp's */
	char why[256];                  /* not lwtp's: why */
};

/* Check that dir is a directory on a BPF filesystem. */
int maps_check_dir(const char *dir);

/* The names of the pins in dir that are maps, sorted. Free with
 * maps_free_names(). */
int maps_list(const char *dir, char ***names, size_t *n);
void maps_free_names(char **names, size_t n);

/* Open the pin dir/name and describe it. A map that is not lwtp's opens
 * fine, with layout.kind LWTP_NOT_OURS, and nothing logged; so does a ring
 * buffer without an lwtp_full_NAME beside it (the ring of a sample has one). */
int maps_open(const char *dir, const char *name, struct lwtp_map *m);
void maps_close(struct lwtp_map *m);

/* "lwtp: 'NAME' is not an lwtp map ..." */
void maps_err_not_ours(const struct lwtp_map *m);

#endif
