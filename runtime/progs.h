/* progs.h: the lightweight-tunnel programs loaded on this host, as the
 * kernel describes them: id, name, tag, load time, the maps each uses, and
 * for lwtc's programs the policy (section) and the object they came from,
 * read from the BTF the program was loaded with (lwtp_contract.h).
 *
 * The kernel does not say which route runs which program (a route names
 * only "FILE.o:[SECTION]"); show.c matches them by section and object.
 */
#ifndef LWTP_PROGS_H
#define LWTP_PROGS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>

#include "lwtp_contract.h"

struct prog_map {
	__u32 id;
	__u32 type;                     /* BPF_MAP_TYPE_* */
	/* the full name, from the object's .maps when the kernel's 15 bytes
	 * name one of them; else the kernel's name */
	char name[256];
	bool in_maps_section;           /* declared in .maps (lwtc pins those) */
};

struct lwt_prog {
	__u32 id;
	__u32 type;                     /* BPF_PROG_TYPE_LWT_IN, _OUT, _XMIT */
	char kname[BPF_OBJ_NAME_LEN];   /* the kernel's name: 15 bytes */
	char func[256];                 /* the function's name from BTF, or kname */
	char section[256];              /* lwtc's: the policy; "" otherwise */
	char object[LWTP_OBJECT_ID_LEN + 1];    /* lwtc's object id; "" unknown */
	__u8 tag[BPF_TAG_SIZE];
	__u64 load_time;                /* ns since boot */
	__u32 nmaps;
	struct prog_map *maps;
};

/* Read every loaded program of the three LWT types, by id. Programs that
 * go away while they are read are left out. */
int progs_read(struct lwt_prog **progs, size_t *n);
void progs_free(struct lwt_prog *progs, size_t n);

/* lwtc's: the program has a section (policy) and an object id. */
bool prog_is_lwtc(const struct lwt_prog *p);

/* "lwt_out" for BPF_PROG_TYPE_LWT_OUT, ... */
const char *prog_type_name(__u32 type);

/* The program's load time as local wall-clock text "2026-12-04 21:18:11". */
const char *prog_load_text(const struct lwt_prog *p, char *buf, size_t size);
/* The load time in seconds since the epoch. */
double prog_load_epoch(const struct lwt_prog *p);

/* The tag as 16 hex digits, as bpftool prints it. */
const char *prog_tag_text(const struct lwt_prog *p, char *buf, size_t size);

/* The object id of the lwtc object in the ELF file path: 0 and id filled,
 * -ENOENT when the file is an object without one (not lwtc's, or made by
 * an lwtc before objects had ids), or another negative errno (logged). */
int object_id_of_file(const char *path, char id[LWTP_OBJECT_ID_LEN + 1]);

/* The object id in a BTF: the name of its function lwtp_object_ID. */
bool object_id_of_btf(const struct btf *btf, char id[LWTP_OBJECT_ID_LEN + 1]);

#endif
