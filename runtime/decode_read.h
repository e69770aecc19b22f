/* decode_read.h: read an lwtp map: walk its keys (the one key iterator of
 * lwtp), read its entries with their per-CPU values summed, order them.
 *
 * Functions return 0 or a negative errno, and log nothing: the caller
 * knows which map it was.
 */
#ifndef LWTP_DECODE_READ_H
#define LWTP_DECODE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "decode_layout.h"

/* ---- keys ------------------------------------------------------------------ */

/* The keys of a map, one after the other, in the kernel's order. A map
 * that changes while it is walked may give a key twice, or, a hash whose
 * current key goes away, start over: past limit keys (0: no limit) the
 * walk ends with -ELOOP rather than run on. */
struct map_keys {
	int fd;
	__u32 key_size;
	size_t limit;
	size_t n;               /* keys given so far */
	unsigned char *key;     /* the current one: key_size bytes */
};

/* Start a walk; free it with map_keys_end(). */
int map_keys_start(struct map_keys *it, int fd, __u32 key_size, size_t limit);
/* 1 and the next key in it->key, 0 after the last one, or a negative errno */
int map_keys_next(struct map_keys *it);
void map_keys_end(struct map_keys *it);

/* Every key of a map, walked as above, in one buffer of *n * key_size
 * bytes; free *keys. -ELOOP past limit keys leaves those read so far in
 * *keys and *n (a map that keeps changing: the caller says whether so many
 * will do); on any other error *keys is NULL. */
int map_keys_collect(int fd, __u32 key_size, size_t limit, unsigned char **keys, size_t *n);

/* The limit for the maps lwtp walks to read or change: a little over what
 * the map can hold, which a map that changes meanwhile may give. */
size_t map_keys_limit(const struct layout *l);

/* ---- entries ------------------------------------------------------------- */

/* One entry of a map, per-CPU values summed. */
struct entry {
	unsigned char *key;
	__u64 packets;          /* counter packets, or histogram bucket count */
	__u64 bytes;
	/* limits (LIM_*), quotas (QUOTA_*), keys (KEYS_*): decode_nvalues()
	 * of them, in the key's allocation (decode_entry_own()); NULL for
	 * counters and histograms, so that an entry of a map of a million
	 * counters costs 32 bytes and its key */
	__u64 *v;
};

/* Give e its own copy of key and of its values v (decode_nvalues() of
 * them; NULL for none), in one allocation that decode_free() frees:
 * 0 or -ENOMEM. */
int decode_entry_own(const struct layout *l, struct entry *e, const void *key, const __u64 *v);

/* Read every entry whose value is not zero, sorted by decode_key_cmp()
 * (none from a ring). */
int decode_read(const struct layout *l, int fd, struct entry **entries, size_t *n);
void decode_free(struct entry *entries, size_t n);

/* An unsigned integer of size 1, 2, 4 or 8 bytes at p, host order (0 for
 * other sizes); a numeric key field's value in key. */
__u64 decode_read_uint(const void *p, __u32 size);
__u64 decode_uint(const struct field *f, const void *key);

/* Order of one key field's values: integers by value, addresses by bytes. */
int decode_field_cmp(const struct field *f, const void *a, const void *b);
/* Order of keys: field by field, integers by value, addresses by bytes. */
int decode_key_cmp(const struct layout *l, const void *a, const void *b);

#endif
