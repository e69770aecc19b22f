/* elem.h: elements of runtime sets: parse them from the command line into
 * map keys, print keys back, read a set's keys in order.
 *
 * The key is the set's (decode_layout.h): struct lwtp_lpm_ip { __u32 prefixlen;
 * __u32 family; lwtp_ip_t addr; } in an LPM_TRIE (the family, 4 or 6, is
 * the first 32 bits of the prefix, so IPv4 and IPv6 never match each
 * other's prefixes; IPv4 a.b.c.d/n is ::ffff:a.b.c.d with prefixlen
 * 32+96+n, IPv6 a/n prefixlen 32+n), or a scalar lwtp_port_t,
 * lwtp_proto_t, lwtp_uN_t ... in a HASH; or, for a set of tuples, a
 * struct of one such member per component in a HASH (an address as
 * lwtp_ip_t, IPv4 as ::ffff:a.b.c.d), written "198.51.100.7,443" or
 * "(198.51.100.7, 443)"; or, for a set of cgroups, a cgroup's id
 * (decode_cgroup.h).
 */
#ifndef LWTP_ELEM_H
#define LWTP_ELEM_H

#include <stdbool.h>
#include <stddef.h>

#include "decode_layout.h"

/* Parse text into key (l->key_size bytes, zeroed first): 0. On a bad
 * element returns -EINVAL and writes why to err, quoting the text:
 * "'198.51.100.300' is not an IPv4 or IPv6 address or prefix". A good
 * element that may not mean what it seems (an IPv4-mapped IPv6 address in
 * an ip set) gives ELEM_NOTE, with the note in err. */
#define ELEM_NOTE 1
int elem_parse(const struct layout *l, const char *text, void *key,
	       char *err, size_t errlen);

/* The canonical text of a key: "198.51.100.0/24", "2001:db8::7", "udp",
 * "53". Returns the length or -ENOSPC. */
int elem_format(const struct layout *l, const void *key, char *buf, size_t size);

/* Order of elements: IPv4 before IPv6, then by address, then by prefix
 * length; numbers by value. */
int elem_cmp(const struct layout *l, const void *a, const void *b);

/* Whether key is among the n keys sorted by elem_cmp() (an exact match:
 * an LPM trie's lookup would find a shorter prefix that holds it). */
bool elem_has_key(const struct layout *l, const unsigned char *keys, size_t n, const void *key);

/* Every key of the set, sorted, in one buffer of n * l->key_size bytes;
 * -ELOOP when the set keeps changing while it is read. A set of cgroups
 * (l->cgroup) is read from its lwtp_cgroups_NAME: fd is that map's
 * (struct lwtp_map's ids_fd), and the keys are the cgroups' ids (__u64),
 * which elem_format() prints as the cgroups' paths. */
int elem_read_all(const struct layout *l, int fd, unsigned char **keys, size_t *n);

#endif
