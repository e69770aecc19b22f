/* mapdec.c: decode lwtp statistic maps through their BTF (see mapdec.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "lwtp_contract.h"
#include "mapdec.h"

/* The key member typedefs of the contract (include/lwtp_contract.h); the
 * sizeof makes a renamed or removed typedef a compile error here. */
#define KIND(type, kind) { #type, kind, sizeof(type) }
static const struct {
	const char *name;
	enum mapdec_kind kind;
	size_t size;
} typedef_kinds[] = {
	KIND(lwtp_ip_t, MAPDEC_IP),
	KIND(lwtp_ip4_t, MAPDEC_IP4),
	KIND(lwtp_ip6_t, MAPDEC_IP6),
	KIND(lwtp_port_t, MAPDEC_PORT),
	KIND(lwtp_proto_t, MAPDEC_PROTO),
	KIND(lwtp_u8_t, MAPDEC_UINT),
	KIND(lwtp_u16_t, MAPDEC_UINT),
	KIND(lwtp_u32_t, MAPDEC_UINT),
	KIND(lwtp_u64_t, MAPDEC_UINT),
	KIND(lwtp_bool_t, MAPDEC_UINT),
	KIND(lwtp_log2_t, MAPDEC_LOG2),
};

#define PROTO_NAME(name, value) [value] = name,
static const char *const proto_names[256] = { LWTP_IP_PROTOCOLS(PROTO_NAME) };

/* An address prefix typedef: lwtp_ip4_prefix_LEN_t, lwtp_ip6_prefix_LEN_t,
 * lwtp_ip_prefix_LEN4_LEN6_t (lwtp_contract.h). Whether name is one. */
static bool prefix_kind(const char *name, struct mapdec_field *f)
{
	static const struct { const char *fmt; enum mapdec_kind kind; } pats[] = {
		{ LWTP_IP4_PREFIX_TYPE "%u_t%n", MAPDEC_IP4 },
		{ LWTP_IP6_PREFIX_TYPE "%u_t%n", MAPDEC_IP6 },
		{ LWTP_IP_PREFIX_TYPE "%u_%u_t%n", MAPDEC_IP },
	};
	unsigned len[2];
	size_t i;
	int end, n, want;

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		want = pats[i].kind == MAPDEC_IP ? 2 : 1;
		end = 0;
		n = want == 2 ? sscanf(name, pats[i].fmt, &len[0], &len[1], &end)
			      : sscanf(name, pats[i].fmt, &len[0], &end);
		if (n != want || !end || name[end])
			continue;
		f->kind = pats[i].kind;
		f->prefix = true;
		f->plen4 = pats[i].kind == MAPDEC_IP6 ? 0 : len[0];
		f->plen6 = pats[i].kind == MAPDEC_IP6 ? len[0] : want == 2 ? len[1] : 0;
		return true;
	}
	return false;
}

/* Classify type id: follow typedefs and modifiers; an lwtp_* typedef names
 * the kind. */
static int classify(const struct btf *btf, __u32 id, struct mapdec_field *f)
{
	const struct btf_type *t;
	unsigned long long a, b, c;
	size_t i;
	__s64 size;
	int guard;

	size = btf__resolve_size(btf, id);
	if (size < 0)
		return (int)size;
	f->size = size;
	f->kind = MAPDEC_BYTES;
	for (guard = 0; guard < 32; guard++) {
		t = btf__type_by_id(btf, id);
		if (!t)
			return -EINVAL;
		if (btf_is_typedef(t)) {
			const char *name = btf__name_by_offset(btf, t->name_off);

			for (i = 0; name && i < sizeof(typedef_kinds) / sizeof(typedef_kinds[0]); i++) {
				if (strcmp(name, typedef_kinds[i].name) == 0) {
					f->kind = typedef_kinds[i].kind;
					return 0;
				}
			}
			if (name && prefix_kind(name, f))
				return 0;
			if (name && sscanf(name, LWTP_LINEAR_PREFIX "%llu_%llu_%llu_t", &a, &b, &c) == 3) {
				f->kind = MAPDEC_LINEAR;
				f->lin_min = a;
				f->lin_max = b;
				f->lin_step = c;
				return 0;
			}
			id = t->type;
		} else if (btf_is_mod(t)) {
			id = t->type;
		} else if (btf_is_int(t) || btf_is_any_enum(t)) {
			if (size <= 8)
				f->kind = MAPDEC_UINT;
			return 0;
		} else {
			return 0;
		}
	}
	return -ELOOP;
}

static const struct btf_type *resolve(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/* Whether id is struct lwtp_counter. */
static bool is_counter(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = resolve(btf, id);
	const char *name = t && btf_is_struct(t) ? btf__name_by_offset(btf, t->name_off) : NULL;

	return name && !strcmp(name, "lwtp_counter");
}

static int layout(const struct btf *btf, __u32 id, __u32 size, struct mapdec_layout *l)
{
	const struct btf_type *t;
	const struct btf_member *m;
	int i, err;

	memset(l, 0, sizeof(*l));
	if (!btf || !id) {
		/* no BTF: one scalar, a number if it fits in 8 bytes */
		l->nfields = 1;
		l->fields[0].size = size;
		l->fields[0].kind = size <= 8 && (size & (size - 1)) == 0 ? MAPDEC_UINT : MAPDEC_BYTES;
		return 0;
	}
	t = resolve(btf, id);
	if (!t)
		return -EINVAL;
	if (!btf_is_struct(t)) {
		l->nfields = 1;
		return classify(btf, id, &l->fields[0]);
	}
	l->is_struct = true;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		struct mapdec_field *f;

		if (!name || !*name || name[0] == '_' || !strncmp(name, "lwtp_pad", 8))
			continue;       /* padding */
		if (btf_member_bitfield_size(t, i))
			return -EOPNOTSUPP;
		if (is_counter(btf, m->type)) {
			/* an audit policy's value: a struct lwtp_counter a
			 * statement, printed M.packets=N M.bytes=N */
			if (l->nfields + 2 > MAPDEC_MAX_FIELDS)
				return -E2BIG;
			for (int k = 0; k < 2; k++) {
				f = &l->fields[l->nfields++];
				snprintf(f->name, sizeof(f->name), "%s.%s", name, k ? "bytes" : "packets");
				f->offset = btf_member_bit_offset(t, i) / 8 + 8 * k;
				f->size = 8;
				f->kind = MAPDEC_UINT;
			}
			continue;
		}
		if (l->nfields == MAPDEC_MAX_FIELDS)
			return -E2BIG;
		f = &l->fields[l->nfields++];
		snprintf(f->name, sizeof(f->name), "%s", name);
		f->offset = btf_member_bit_offset(t, i) / 8;
		err = classify(btf, m->type, f);
		if (err)
			return err;
	}
	return 0;
}

static bool map_is_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

int mapdec__init(struct mapdec *d, const char *name, const struct btf *btf,
		 __u32 map_type, __u32 key_type_id, __u32 value_type_id,
		 __u32 key_size, __u32 value_size)
{
	int err;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name ? name : "");
	d->map_type = map_type;
	d->key_size = key_size;
	d->value_size = value_size;
	d->percpu = map_is_percpu(map_type);
	d->ncpus = 1;
	if (d->percpu) {
		d->ncpus = libbpf_num_possible_cpus();
		if (d->ncpus < 1)
			return d->ncpus < 0 ? d->ncpus : -EINVAL;
	}
	err = layout(btf, key_type_id, key_size, &d->key);
	if (!err)
		err = layout(btf, value_type_id, value_size, &d->value);
	return err;
}

int mapdec__init_fd(struct mapdec *d, int map_fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct btf *btf = NULL;
	int err;

	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(map_fd, &info, &len);
	if (err)
		return -errno;
	if (info.btf_id) {
		btf = btf__load_from_kernel_by_id(info.btf_id);
		if (!btf)
			return -errno;
	}
	err = mapdec__init(d, info.name, btf, info.type,
			   btf ? info.btf_key_type_id : 0, btf ? info.btf_value_type_id : 0,
			   info.key_size, info.value_size);
	d->max_entries = info.max_entries;
	btf__free(btf);
	return err;
}

static __u64 read_uint(const unsigned char *p, __u32 size)
{
	switch (size) {
	case 1: return *p;
	case 2: { __u16 v; memcpy(&v, p, 2); return v; }
	case 4: { __u32 v; memcpy(&v, p, 4); return v; }
	case 8: { __u64 v; memcpy(&v, p, 8); return v; }
	default: return 0;
	}
}

static bool is_number(enum mapdec_kind k)
{
	return k == MAPDEC_UINT || k == MAPDEC_PORT || k == MAPDEC_PROTO ||
	       k == MAPDEC_LOG2 || k == MAPDEC_LINEAR;
}

static const struct mapdec *sort_dec;

static int cmp_entries(const void *a, const void *b)
{
	const struct mapdec_entry *x = a, *y = b;
	int i, c;

	for (i = 0; i < sort_dec->key.nfields; i++) {
		const struct mapdec_field *f = &sort_dec->key.fields[i];

		if (is_number(f->kind) && f->size <= 8) {
			__u64 u = read_uint(x->key + f->offset, f->size);
			__u64 v = read_uint(y->key + f->offset, f->size);

			if (u != v)
				return u < v ? -1 : 1;
		} else {
			c = memcmp(x->key + f->offset, y->key + f->offset, f->size);
			if (c)
				return c;
		}
	}
	return memcmp(x->key, y->key, sort_dec->key_size);
}

void mapdec__free_entries(struct mapdec_entry *entries, size_t n)
{
	size_t i;

	for (i = 0; entries && i < n; i++)
		free(entries[i].key);
	free(entries);
}

int mapdec__read(const struct mapdec *d, int map_fd,
		 struct mapdec_entry **entries, size_t *n)
{
	size_t stride = d->percpu ? (d->value_size + 7) / 8 * 8 : d->value_size;
	unsigned char *key = NULL, *next = NULL, *val = NULL;
	struct mapdec_entry *out = NULL, *e;
	size_t nout = 0, cap = 0;
	bool first = true, nonzero;
	int err = 0, cpu, i;

	*entries = NULL;
	*n = 0;
	key = calloc(1, d->key_size ?: 1);
	next = calloc(1, d->key_size ?: 1);
	val = calloc(d->ncpus, stride ?: 1);
	if (!key || !next || !val) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (bpf_map_get_next_key(map_fd, first ? NULL : key, next)) {
			if (errno != ENOENT)
				err = -errno;
			break;
		}
		first = false;
		memcpy(key, next, d->key_size);
		if (bpf_map_lookup_elem(map_fd, key, val)) {
			if (errno == ENOENT)
				continue;       /* deleted meanwhile */
			err = -errno;
			break;
		}
		if (nout == cap) {
			struct mapdec_entry *grown;

			cap = cap ? cap * 2 : 16;
			grown = realloc(out, cap * sizeof(*out));
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			out = grown;
		}
		e = &out[nout];
		memset(e, 0, sizeof(*e));
		nonzero = false;
		for (i = 0; i < d->value.nfields; i++) {
			const struct mapdec_field *f = &d->value.fields[i];

			if (f->kind == MAPDEC_BYTES || f->size > 8) {
				/* not summable: nonzero when any byte on any CPU is */
				for (cpu = 0; cpu < d->ncpus; cpu++) {
					const unsigned char *p = val + cpu * stride + f->offset;
					__u32 j;

					for (j = 0; j < f->size; j++)
						nonzero |= p[j] != 0;
				}
				continue;
			}
			for (cpu = 0; cpu < d->ncpus; cpu++)
				e->vals[i] += read_uint(val + cpu * stride + f->offset, f->size);
			nonzero |= e->vals[i] != 0;
		}
		if (!nonzero)
			continue;
		e->key = malloc(d->key_size ?: 1);
		if (!e->key) {
			err = -ENOMEM;
			break;
		}
		memcpy(e->key, key, d->key_size);
		nout++;
	}
out:
	free(key);
	free(next);
	free(val);
	if (err) {
		mapdec__free_entries(out, nout);
		return err;
	}
	sort_dec = d;
	if (nout > 1)
		qsort(out, nout, sizeof(*out), cmp_entries);
	*entries = out;
	*n = nout;
	return 0;
}

int mapdec__format_field(const struct mapdec_field *f, const void *key,
			 char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)key + f->offset;
	char tmp[INET6_ADDRSTRLEN];
	__u32 i;
	int n;

	switch (f->kind) {
	case MAPDEC_IP:
	case MAPDEC_IP6:
		if (f->size != 16)
			goto bytes;
		if (f->kind == MAPDEC_IP && !memcmp(p, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
			inet_ntop(AF_INET, p + 12, tmp, sizeof(tmp));
			n = f->prefix ? snprintf(buf, size, "%s/%u", tmp, f->plen4)
				      : snprintf(buf, size, "%s", tmp);
		} else {
			inet_ntop(AF_INET6, p, tmp, sizeof(tmp));
			n = f->prefix ? snprintf(buf, size, "%s/%u", tmp, f->plen6)
				      : snprintf(buf, size, "%s", tmp);
		}
		break;
	case MAPDEC_IP4:
		if (f->size != 4)
			goto bytes;
		inet_ntop(AF_INET, p, tmp, sizeof(tmp));
		n = f->prefix ? snprintf(buf, size, "%s/%u", tmp, f->plen4)
			      : snprintf(buf, size, "%s", tmp);
		break;
	case MAPDEC_PROTO:
		if (f->size > 8)
			goto bytes;
		{
			__u64 v = read_uint(p, f->size);

			if (v < 256 && proto_names[v])
				n = snprintf(buf, size, "%s", proto_names[v]);
			else
				n = snprintf(buf, size, "%" PRIu64, (uint64_t)v);
		}
		break;
	case MAPDEC_UINT:
	case MAPDEC_PORT:
	case MAPDEC_LOG2:
	case MAPDEC_LINEAR:
		if (f->size > 8 || (f->size & (f->size - 1)))
			goto bytes;
		n = snprintf(buf, size, "%" PRIu64, (uint64_t)read_uint(p, f->size));
		break;
	default:
bytes:
		n = snprintf(buf, size, "0x");
		for (i = 0; i < f->size && n >= 0 && (size_t)n < size; i++)
			n += snprintf(buf + n, size - n, "%02x", p[i]);
		break;
	}
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

static int format_layout(const struct mapdec_layout *l, const void *base,
			 const __u64 *vals, char *buf, size_t size)
{
	size_t len = 0;
	int i, n;

	if (size)
		buf[0] = 0;
	for (i = 0; i < l->nfields; i++) {
		const struct mapdec_field *f = &l->fields[i];

		if (i) {
			if (len + 1 >= size)
				return -ENOSPC;
			buf[len++] = ' ';
			buf[len] = 0;
		}
		if (l->is_struct) {
			n = snprintf(buf + len, size - len, "%s=", f->name);
			if (n < 0 || (size_t)n >= size - len)
				return -ENOSPC;
			len += n;
		}
		if (vals && f->kind != MAPDEC_BYTES && f->size <= 8)
			n = snprintf(buf + len, size - len, "%" PRIu64, (uint64_t)vals[i]);
		else if (vals)
			n = snprintf(buf + len, size - len, "?");
		else
			n = mapdec__format_field(f, base, buf + len, size - len);
		if (n < 0 || (size_t)n >= size - len)
			return -ENOSPC;
		len += n;
	}
	return (int)len;
}

int mapdec__format_key(const struct mapdec *d, const void *key, char *buf, size_t size)
{
	return format_layout(&d->key, key, NULL, buf, size);
}

int mapdec__format_value(const struct mapdec *d, const __u64 *vals, char *buf, size_t size)
{
	return format_layout(&d->value, NULL, vals, buf, size);
}

int mapdec__format_entry(const struct mapdec *d, const struct mapdec_entry *e,
			 char *buf, size_t size)
{
	int k, v;

	k = mapdec__format_key(d, e->key, buf, size);
	if (k < 0)
		return k;
	if ((size_t)k + 4 >= size)
		return -ENOSPC;
	memcpy(buf + k, " => ", 5);
	v = mapdec__format_value(d, e->vals, buf + k + 4, size - k - 4);
	if (v < 0)
		return v;
	return k + 4 + v;
}

int mapdec__bucket_range(const struct mapdec_field *f, __u64 bucket, __u64 *lo, __u64 *hi)
{
	switch (f->kind) {
	case MAPDEC_LOG2:
		return lwtp_log2_bucket(bucket, lo, hi) ? -ERANGE : 0;
	case MAPDEC_LINEAR:
		if (!f->lin_step || f->lin_max <= f->lin_min)
			return -EINVAL;
		return lwtp_linear_bucket(f->lin_min, f->lin_max, f->lin_step, bucket, lo, hi)
		       ? -ERANGE : 0;
	default:
		return -EINVAL;
	}
}
