/* decode_format.c: an lwtp map's keys and values as text (decode_format.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decode_format.h"

bool decode_field_is_number(const struct field *f)
{
	/* named values print as names, protocols too, bools as true or false */
	return !f->names && decode_field_is_int(f) && f->kind != FK_PROTO && f->kind != FK_BOOL;
}

/* An audit policy's statement: "would drop at guard.lwtp:12:5". */
static int audit_text(const struct field *f, const void *key, char *buf, size_t size)
{
	__u32 i = (__u32)decode_read_uint((const unsigned char *)key + f->offset, f->size);
	char what[64], where[300];

	if (!f->audit || i >= f->audit->n)
		return snprintf(buf, size, "statement %u", i);
	decode_audit_where(f->audit, &f->audit->s[i], where, sizeof(where));
	return snprintf(buf, size, "%s at %s",
			decode_audit_what(&f->audit->s[i], what, sizeof(what)), where);
}

/* An address key member: IPv4 in an ip key (::ffff:a.b.c.d) as IPv4; an
 * address prefix with its length, the IPv4 one for an IPv4 address. */
static int addr_text(const struct field *f, const unsigned char *p, char *buf, size_t size)
{
	char tmp[INET6_ADDRSTRLEN];
	bool v4 = f->kind == FK_IP4;

	if (f->kind == FK_IP && !memcmp(p, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
		p += 12;
		v4 = true;
	}
	inet_ntop(v4 ? AF_INET : AF_INET6, p, tmp, sizeof(tmp));
	if (!f->prefix)
		return snprintf(buf, size, "%s", tmp);
	return snprintf(buf, size, "%s/%u", tmp, v4 ? f->plen4 : f->plen6);
}

/* decode_field() with the names of integers given: an integer of those
 * prints by its name, when it has one. */
static int field_text(const struct field *f, const void *key, const struct named_value *names,
		      char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)key + f->offset;
	const char *name;
	__u64 v;
	__u32 i;
	int n;

	switch (f->kind) {
	case FK_IP:
	case FK_IP6:
	case FK_IP4:
		n = addr_text(f, p, buf, size);
		break;
	case FK_PROTO:
	case FK_UINT:
		v = decode_read_uint(p, f->size);
		name = decode_named(names, v);
		n = name ? snprintf(buf, size, "%s", name)
			 : snprintf(buf, size, "%" PRIu64, (uint64_t)v);
		break;
	case FK_BOOL:
		n = snprintf(buf, size, "%s", decode_read_uint(p, f->size) ? "true" : "false");
		break;
	case FK_PORT:
	case FK_LOG2:
	case FK_LINEAR:
	case FK_INDEX:
		n = snprintf(buf, size, "%" PRIu64, (uint64_t)decode_read_uint(p, f->size));
		break;
	case FK_AUDIT:
		n = audit_text(f, key, buf, size);
		break;
	default:
		n = snprintf(buf, size, "0x");
		for (i = 0; i < f->size && n >= 0 && (size_t)n < size; i++)
			n += snprintf(buf + n, size - n, "%02x", p[i]);
		break;
	}
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

int decode_field(const struct field *f, const void *key, char *buf, size_t size)
{
	const struct named_value *names = f->names;

	if (!names && f->kind == FK_PROTO)
		names = decode_ip_protocols;
	return field_text(f, key, names, buf, size);
}

void decode_key_text(const struct layout *l, const void *key, bool labels, char *buf,
		     size_t size)
{
	size_t len = 0;
	int i, n;

	buf[0] = 0;
	for (i = 0; i < l->nkeys && len < size; i++) {
		n = snprintf(buf + len, size - len, "%s%s%s", i ? ", " : "",
			     labels ? l->keys[i].label : "", labels ? "=" : "");
		if (n < 0 || (size_t)n >= size - len)
			return;
		len += n;
		n = decode_field(&l->keys[i], key, buf + len, size - len);
		if (n < 0)
			return;
		len += n;
	}
}

void decode_by_text(const struct layout *l, char *buf, size_t size)
{
	size_t len = 0;
	int i, n;

	buf[0] = 0;
	for (i = 0; i < l->nkeys; i++) {
		n = snprintf(buf + len, size - len, "%s%s", i ? ", " : "by ", l->keys[i].label);
		if (n < 0 || (size_t)n >= size - len)
			return;
		len += n;
	}
}

int decode_entry_text(const struct layout *l, const struct entry *e, char *buf, size_t size)
{
	size_t len = 0;
	int i, n, nf = l->nkeys + l->has_bucket;

#define PUT(...) do {							\
		n = snprintf(buf + len, size - len, __VA_ARGS__);	\
		if (n < 0 || (size_t)n >= size - len)			\
			return -ENOSPC;					\
		len += n;						\
	} while (0)

	if (!size)
		return -ENOSPC;
	buf[0] = 0;
	if (!l->key_is_struct && !nf) {
		PUT("%" PRIu64, (uint64_t)decode_read_uint(e->key, l->key_size));
	} else {
		for (i = 0; i < nf; i++) {
			const struct field *f = i < l->nkeys ? &l->keys[i] : &l->bucket;

			if (l->key_is_struct)
				PUT("%s%s=", i ? " " : "", f->name);
			if (f->kind == FK_BOOL) {       /* the canonical text has 0 and 1 */
				PUT("%" PRIu64, (uint64_t)decode_uint(f, e->key));
				continue;
			}
			/* the canonical text names protocols only, as it always has */
			n = field_text(f, e->key, f->kind == FK_PROTO ? decode_ip_protocols : NULL,
				       buf + len, size - len);
			if (n < 0)
				return n;
			len += n;
		}
	}
	if (l->kind == LWTP_COUNTER) {
		PUT(" => packets=%" PRIu64 " bytes=%" PRIu64, (uint64_t)e->packets,
		    (uint64_t)e->bytes);
	} else if (l->kind == LWTP_HIST) {
		PUT(" => %" PRIu64, (uint64_t)e->packets);
	} else {
		PUT(" =>");
		for (i = 0; i < decode_nvalues(l->kind); i++)
			PUT(" %s=%" PRIu64, decode_value_name(l->kind, i), (uint64_t)e->v[i]);
	}
#undef PUT
	return (int)len;
}

__u64 decode_bucket_count(const struct field *f)
{
	switch (f->kind) {
	case FK_LOG2:
		return 64;
	case FK_LINEAR:
		return lwtp_linear_steps(f->lin_min, f->lin_max, f->lin_step) + 2;
	default:
		return 0;
	}
}

int decode_bucket_range(const struct field *f, __u64 bucket, __u64 *lo, __u64 *hi,
			bool *has_hi)
{
	switch (f->kind) {
	case FK_LOG2:
		*has_hi = bucket < 63;
		return lwtp_log2_bucket(bucket, lo, hi) ? -ERANGE : 0;
	case FK_LINEAR:
		/* the last bucket, from lin_max on, has no upper bound */
		*has_hi = bucket != lwtp_linear_steps(f->lin_min, f->lin_max, f->lin_step) + 1;
		return lwtp_linear_bucket(f->lin_min, f->lin_max, f->lin_step, bucket, lo, hi)
		       ? -ERANGE : 0;
	default:
		return -EINVAL;
	}
}
