/* elem.c: elements of runtime sets (see elem.h). */
#define _GNU_SOURCE             /* qsort_r */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_format.h"
#include "decode_names.h"
#include "decode_read.h"
#include "elem.h"
#include "lwtp_contract.h"
#include "lwtp_literal.h"
#include "decode_cgroup.h"

static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* struct lwtp_lpm_ip { __u32 prefixlen; __u32 family; lwtp_ip_t addr; }:
 * the family word is the first LWTP_LPM_FAMILY_BITS bits of every prefix,
 * and an IPv4 address is ::ffff:a.b.c.d, V4MAPPED_BITS before it */
#define V4MAPPED_BITS (LWTP_LPM_IP4_BITS - LWTP_LPM_FAMILY_BITS)
_Static_assert(V4MAPPED_BITS == sizeof(v4mapped) * 8, "::ffff:0:0/96");

static __u32 lpm_family(const void *key)
{
	__u32 family;

	memcpy(&family, (const unsigned char *)key + 4, 4);
	return family;
}

/* the prefix length within the address (IPv4: V4MAPPED_BITS + n) */
static __u32 lpm_addr_bits(const void *key)
{
	__u32 prefixlen;

	memcpy(&prefixlen, key, 4);
	return prefixlen > LWTP_LPM_FAMILY_BITS ? prefixlen - LWTP_LPM_FAMILY_BITS : 0;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* An unsigned number, decimal or 0x hex, nothing else, at most max. */
static bool parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	return lwtp_uint(s, LWTP_DEC | LWTP_HEX, max, v) == LWTP_LIT_OK;
}

/* Zero the bits of addr (len bytes) past plen; whether any was set. */
static int mask(unsigned char *addr, unsigned len, unsigned plen)
{
	int changed = 0;
	unsigned i;

	for (i = 0; i < len; i++) {
		unsigned char m;

		if (plen >= (i + 1) * 8)
			continue;
		m = plen > i * 8 ? (unsigned char)(0xff << (8 - (plen - i * 8))) : 0;
		changed |= (addr[i] & ~m) != 0;
		addr[i] &= m;
	}
	return changed;
}

static const char *family_words(enum field_kind kind)
{
	switch (kind) {
	case FK_IP4: return "an IPv4 address";
	case FK_IP6: return "an IPv6 address";
	default:     return "an IPv4 or IPv6 address";
	}
}

/* An address or prefix for the element, or the tuple component, f. */
static int parse_ip(const struct layout *l, const struct field *f, const char *text,
		    void *key, char *err, size_t errlen)
{
	struct lwtp_addr_lit lit;
	unsigned char *addr = lit.bytes;
	char shown[INET6_ADDRSTRLEN];
	unsigned alen, maxlen, plen;
	bool v4, has_len;
	enum lwtp_lit res = lwtp_addr(text, 0, &lit);
	int note = 0;

	if (res == LWTP_LIT_BAD)
		return fail(err, errlen, "'%s' is not %s%s", text, family_words(f->kind),
			    l->lpm ? " or prefix" : "");
	v4 = lit.family == 4;
	alen = v4 ? 4 : 16;
	maxlen = alen * 8;
	if (res != LWTP_LIT_OK)     /* not a decimal number, or too long */
		return fail(err, errlen, "'%s': the prefix length of an %s must be "
			    "0 to %u", text, v4 ? "IPv4 address" : "IPv6 address", maxlen);
	plen = lit.prefix_len;
	has_len = lit.has_prefix;
	if (v4 && f->kind == FK_IP6)
		return fail(err, errlen, "'%s' is an IPv4 %s, but the set holds IPv6 ones",
			    text, has_len ? "prefix" : "address");
	if (!v4 && f->kind == FK_IP4)
		return fail(err, errlen, "'%s' is an IPv6 %s, but the set holds IPv4 ones",
			    text, has_len ? "prefix" : "address");
	if (!l->lpm && plen != maxlen)
		return fail(err, errlen, "'%s' is a prefix, but the set holds addresses only",
			    text);
	/* An IPv4 address is ::ffff:a.b.c.d in a HASH key too, and lwtc's
	 * lookup refuses IPv6 packets in ::ffff:0:0/96 (emit_rset.c): such an
	 * element would stand for the IPv4 address. */
	if (!l->lpm && !v4 && f->kind == FK_IP && !memcmp(addr, v4mapped, sizeof(v4mapped))) {
		inet_ntop(AF_INET, addr + sizeof(v4mapped), shown, sizeof(shown));
		return fail(err, errlen, "'%s' is an IPv4-mapped IPv6 address, which IPv6 "
			    "packets never carry; for IPv4 packets write %s", text, shown);
	}
	if (mask(addr, alen, plen)) {
		inet_ntop(v4 ? AF_INET : AF_INET6, addr, shown, sizeof(shown));
		return fail(err, errlen, "'%s' has bits set past its prefix length; "
			    "did you mean %s/%u?", text, shown, plen);
	}
	if (l->lpm) {
		unsigned char *a = (unsigned char *)key + f->offset;
		__u32 prefixlen = LWTP_LPM_FAMILY_BITS + plen, family = v4 ? LWTP_LPM_FAMILY_IP4 : LWTP_LPM_FAMILY_IP6;

		if (!v4 && plen >= V4MAPPED_BITS && !memcmp(addr, v4mapped, sizeof(v4mapped))) {
			inet_ntop(AF_INET, addr + sizeof(v4mapped), shown, sizeof(shown));
			snprintf(err, errlen, "'%s' is an IPv4-mapped IPv6 %s: it matches IPv6 "
				 "packets%s, never IPv4 ones (for those, add %s/%u)", text,
				 plen == 128 ? "address" : "prefix",
				 plen == 128 ? " to that address" : " in that prefix", shown,
				 plen - V4MAPPED_BITS);
			note = ELEM_NOTE;
		}
		if (v4) {
			memcpy(a, v4mapped, sizeof(v4mapped));
			memcpy(a + sizeof(v4mapped), addr, 4);
			prefixlen += V4MAPPED_BITS;
		} else {
			memcpy(a, addr, alen);
		}
		memcpy(key, &prefixlen, 4);
		memcpy((unsigned char *)key + 4, &family, 4);
		return note;
	} else {
		unsigned char *a = (unsigned char *)key + f->offset;

		if (f->kind == FK_IP && v4) {
			memcpy(a, v4mapped, sizeof(v4mapped));
			memcpy(a + sizeof(v4mapped), addr, 4);
		} else {
			memcpy(a, addr, alen);
		}
	}
	return 0;
}

static void store_uint(void *p, __u32 size, __u64 v)
{
	switch (size) {
	case 1: { __u8 x = v; memcpy(p, &x, 1); break; }
	case 2: { __u16 x = v; memcpy(p, &x, 2); break; }
	case 4: { __u32 x = v; memcpy(p, &x, 4); break; }
	default: memcpy(p, &v, 8); break;
	}
}

/* The element, or the tuple component, f from text into key (zeroed). */
static int parse_field(const struct layout *l, const struct field *f, const char *text,
		       void *key, char *err, size_t errlen)
{
	unsigned char *p = (unsigned char *)key + f->offset;
	uint64_t v, max = f->size >= 8 ? UINT64_MAX : (1ULL << (f->size * 8)) - 1;
	int proto;

	switch (f->kind) {
	case FK_IP:
	case FK_IP4:
	case FK_IP6:
		return parse_ip(l, f, text, key, err, errlen);
	case FK_PORT:
		if (!parse_uint(text, 65535, &v))
			return fail(err, errlen, "'%s' is not a port (0 to 65535)", text);
		break;
	case FK_PROTO:
		proto = decode_proto_number(text);
		if (proto >= 0)
			v = proto;
		else if (!parse_uint(text, 255, &v))
			return fail(err, errlen, "'%s' is not a protocol name (tcp, udp, icmp, "
				    "icmpv6, ...) or number (0 to 255)", text);
		break;
	case FK_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
			v = 1;
		else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
			v = 0;
		else
			return fail(err, errlen, "'%s' is not true or false", text);
		break;
	case FK_UINT:
		if (!parse_uint(text, max, &v))
			return fail(err, errlen, "'%s' is not a u%u (0 to %" PRIu64 ")",
				    text, f->size * 8, (uint64_t)max);
		break;
	default:
		return fail(err, errlen, "lwtp cannot write elements of this set");
	}
	store_uint(p, f->size, v);
	return 0;
}

/* Move begin and end inwards past blanks. */
static void trim(const char **begin, const char **end)
{
	while (*begin < *end && (**begin == ' ' || **begin == '\t'))
		(*begin)++;
	while (*end > *begin && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
		(*end)--;
}

/* Text between begin and end, blanks around it cut, into buf. */
static void trimmed(const char *begin, const char *end, char *buf, size_t size)
{
	size_t n;

	trim(&begin, &end);
	n = (size_t)(end - begin) < size - 1 ? (size_t)(end - begin) : size - 1;
	memcpy(buf, begin, n);
	buf[n] = '\0';
}

/* A tuple: its components separated by commas, "198.51.100.7,443", in
 * parentheses or not, "(198.51.100.7, 443)"; each parsed as an element of
 * its type. A component's error comes after the whole element. */
static int parse_tuple(const struct layout *l, const char *text, void *key,
		       char *err, size_t errlen)
{
	const char *begin = text, *end = text + strlen(text), *comma;
	char part[256], why[256];
	int k, n = 1, rc, note = 0;

	trim(&begin, &end);
	if (end - begin >= 2 && *begin == '(' && end[-1] == ')') {
		begin++;
		end--;
	}
	for (const char *c = begin; c < end; c++)
		n += *c == ',';
	if (n != l->nkeys)
		return fail(err, errlen, "'%s' has %d component%s, but the %s are %s tuples "
			    "(written A,B or (A, B))", text, n, n == 1 ? "" : "s",
			    l->rmap ? "map's keys" : "set's elements", l->tuple_type);
	for (k = 0; k < n; k++, begin = comma + 1) {
		comma = memchr(begin, ',', (size_t)(end - begin));
		if (!comma)
			comma = end;
		trimmed(begin, comma, part, sizeof(part));
		rc = parse_field(l, &l->keys[k], part, key, why, sizeof(why));
		if (rc < 0)
			return fail(err, errlen, "'%s': %s", text, why);
		if (rc == ELEM_NOTE) {
			snprintf(err, errlen, "'%s': %s", text, why);
			note = rc;
		}
	}
	return note;
}

int elem_parse(const struct layout *l, const char *text, void *key,
	       char *err, size_t errlen)
{
	memset(key, 0, l->key_size);
	if (l->cgroup)
		return fail(err, errlen, "a set of cgroups takes cgroup directories, not '%s'",
			    text);
	if (l->tuple)
		return parse_tuple(l, text, key, err, errlen);
	return parse_field(l, &l->elem, text, key, err, errlen);
}

/* A tuple as lwtp set add takes it, components joined by commas with no
 * blank ("198.51.100.7,443"), so that a listed element is one word of a
 * command line again. */
static int format_tuple(const struct layout *l, const void *key, char *buf, size_t size)
{
	size_t used = 0;
	int n;

	for (int k = 0; k < l->nkeys; k++) {
		if (k) {
			if (used + 1 >= size)
				return -ENOSPC;
			buf[used++] = ',';
		}
		n = decode_field(&l->keys[k], key, buf + used, size - used);
		if (n < 0 || (size_t)n >= size - used)
			return -ENOSPC;
		used += n;
	}
	buf[used] = '\0';
	return (int)used;
}

int elem_format(const struct layout *l, const void *key, char *buf, size_t size)
{
	const unsigned char *a = (const unsigned char *)key + l->elem.offset;
	char tmp[INET6_ADDRSTRLEN];
	__u32 plen;
	int n;

	if (l->cgroup)
		return decode_cgroup_format(decode_uint(&l->elem, key), buf, size);
	if (l->tuple)
		return format_tuple(l, key, buf, size);
	if (!l->lpm)
		return decode_field(&l->elem, key, buf, size);
	plen = lpm_addr_bits(key);
	if (lpm_family(key) == LWTP_LPM_FAMILY_IP4) {
		inet_ntop(AF_INET, a + sizeof(v4mapped), tmp, sizeof(tmp));
		plen = plen > V4MAPPED_BITS ? plen - V4MAPPED_BITS : 0;
		n = plen == 32 ? snprintf(buf, size, "%s", tmp)
			       : snprintf(buf, size, "%s/%u", tmp, plen);
	} else {
		inet_ntop(AF_INET6, a, tmp, sizeof(tmp));
		n = plen == 128 ? snprintf(buf, size, "%s", tmp)
				: snprintf(buf, size, "%s/%u", tmp, plen);
	}
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

/* Order of two values of the element, or the tuple component, f. */
static int field_cmp(const struct layout *l, const struct field *f, const void *x,
		     const void *y)
{
	const unsigned char *a = (const unsigned char *)x + f->offset;
	const unsigned char *b = (const unsigned char *)y + f->offset;
	__u32 pa = 0, pb = 0;
	int fa, fb, c;

	switch (f->kind) {
	case FK_IP:
	case FK_IP4:
	case FK_IP6:
		if (l->lpm) {
			pa = lpm_addr_bits(x);
			pb = lpm_addr_bits(y);
			fa = lpm_family(x);
			fb = lpm_family(y);
			if (fa != fb)
				return fa - fb;
		} else if (f->kind == FK_IP) {
			fa = !memcmp(a, v4mapped, sizeof(v4mapped)) ? 4 : 6;
			fb = !memcmp(b, v4mapped, sizeof(v4mapped)) ? 4 : 6;
			if (fa != fb)
				return fa - fb;
		}
		c = memcmp(a, b, f->size);
		if (c)
			return c;
		return pa < pb ? -1 : pa > pb;
	default: {
		__u64 u = decode_uint(f, x), v = decode_uint(f, y);

		return u < v ? -1 : u > v;
	}
	}
}

int elem_cmp(const struct layout *l, const void *x, const void *y)
{
	int c = 0;

	if (!l->tuple)
		return field_cmp(l, &l->elem, x, y);
	for (int k = 0; k < l->nkeys && !c; k++)       /* by the first component, ... */
		c = field_cmp(l, &l->keys[k], x, y);
	return c;
}

static int cmp_r(const void *a, const void *b, void *l)
{
	return elem_cmp(l, a, b);
}

/* A set of cgroups: the ids of its full slots, from lwtp_cgroups_NAME */
static int read_cgroup_ids(const struct layout *l, int ids_fd, unsigned char **keys, size_t *n)
{
	__u64 *ids = calloc(l->max_entries ? l->max_entries : 1, sizeof(*ids));
	int err;

	*keys = (unsigned char *)ids;
	*n = 0;
	if (!ids)
		return -ENOMEM;
	err = decode_cgroup_read(ids_fd, l->max_entries, ids);
	if (err)
		return err;
	for (__u32 i = 0; i < l->max_entries; i++)
		if (ids[i])
			ids[(*n)++] = ids[i];
	return 0;
}

int elem_read_all(const struct layout *l, int fd, unsigned char **keys, size_t *n)
{
	int err = l->cgroup ? read_cgroup_ids(l, fd, keys, n)
			    : map_keys_collect(fd, l->key_size, map_keys_limit(l), keys, n);

	if (err) {
		free(*keys);    /* -ELOOP: the map keeps changing under us */
		*keys = NULL;
		*n = 0;
		return err;
	}
	if (*n)
		qsort_r(*keys, *n, l->key_size, cmp_r, (void *)l);
	return 0;
}

bool elem_has_key(const struct layout *l, const unsigned char *keys, size_t n, const void *key)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = elem_cmp(l, key, keys + mid * l->key_size);
		if (c == 0)
			return memcmp(key, keys + mid * l->key_size, l->key_size) == 0;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}
