/* decode_read.c: read an lwtp map (decode_read.h). */
#define _GNU_SOURCE             /* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "decode_read.h"

/* ---- keys ------------------------------------------------------------------ */

int map_keys_start(struct map_keys *it, int fd, __u32 key_size, size_t limit)
{
	memset(it, 0, sizeof(*it));
	it->fd = fd;
	it->key_size = key_size;
	it->limit = limit;
	it->key = calloc(1, key_size ? key_size : 1);
	return it->key ? 0 : -ENOMEM;
}

int map_keys_next(struct map_keys *it)
{
	/* the kernel reads the current key before it writes the next one
	 * over it: one buffer does */
	if (bpf_map_get_next_key(it->fd, it->n ? it->key : NULL, it->key))
		return errno == ENOENT ? 0 : -errno;
	it->n++;
	if (it->limit && it->n > it->limit)
		return -ELOOP;
	return 1;
}

void map_keys_end(struct map_keys *it)
{
	free(it->key);
	it->key = NULL;
}

/* Room for one more key in *buf, which holds n of them. */
static int grow_keys(unsigned char **buf, size_t *cap, size_t n, __u32 key_size)
{
	unsigned char *grown;

	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 64;
	grown = realloc(*buf, *cap * key_size);
	if (!grown)
		return -ENOMEM;
	*buf = grown;
	return 0;
}

int map_keys_collect(int fd, __u32 key_size, size_t limit, unsigned char **keys, size_t *n)
{
	unsigned char *out = NULL;
	struct map_keys it;
	size_t nout = 0, cap = 0;
	int ret;

	*keys = NULL;
	*n = 0;
	ret = map_keys_start(&it, fd, key_size, limit);
	while (!ret && (ret = map_keys_next(&it)) > 0) {
		ret = grow_keys(&out, &cap, nout, key_size);
		if (!ret)
			memcpy(out + nout++ * key_size, it.key, key_size);
	}
	map_keys_end(&it);
	if (ret && ret != -ELOOP) {
		free(out);
		return ret;
	}
	*keys = out;
	*n = nout;
	return ret;
}

size_t map_keys_limit(const struct layout *l)
{
	return (size_t)l->max_entries + 1024;
}

/* ---- values ------------------------------------------------------------ */

__u64 decode_read_uint(const void *p, __u32 size)
{
	switch (size) {
	case 1: return *(const unsigned char *)p;
	case 2: { __u16 v; memcpy(&v, p, 2); return v; }
	case 4: { __u32 v; memcpy(&v, p, 4); return v; }
	case 8: { __u64 v; memcpy(&v, p, 8); return v; }
	default: return 0;
	}
}

__u64 decode_uint(const struct field *f, const void *key)
{
	return decode_read_uint((const unsigned char *)key + f->offset, f->size);
}

int decode_field_cmp(const struct field *f, const void *a, const void *b)
{
	__u64 u, v;

	if (decode_field_is_int(f)) {
		u = decode_uint(f, a);
		v = decode_uint(f, b);
		return u < v ? -1 : u > v;
	}
	return memcmp((const char *)a + f->offset, (const char *)b + f->offset, f->size);
}

int decode_key_cmp(const struct layout *l, const void *a, const void *b)
{
	int i, c, nf = l->nkeys + l->has_bucket;
	__u64 u, v;

	if (!nf && l->key_size <= 8) {
		u = decode_read_uint(a, l->key_size);
		v = decode_read_uint(b, l->key_size);
		if (u != v)
			return u < v ? -1 : 1;
	}
	for (i = 0; i < nf; i++) {
		const struct field *f = i < l->nkeys ? &l->keys[i] : &l->bucket;

		c = decode_field_cmp(f, a, b);
		if (c)
			return c;
	}
	return memcmp(a, b, l->key_size);
}

static int cmp_entries(const void *a, const void *b, void *l)
{
	const struct entry *x = a, *y = b;

	return decode_key_cmp(l, x->key, y->key);
}

/* ---- entries ------------------------------------------------------------- */

/* Add one CPU's value v to e. */
static void add_value(const struct layout *l, const unsigned char *v, struct entry *e)
{
	int i;

	switch (l->kind) {
	case LWTP_COUNTER:
		e->packets += decode_read_uint(v + l->packets_off, 8);
		e->bytes += decode_read_uint(v + l->bytes_off, 8);
		break;
	case LWTP_HIST:
		e->packets += decode_read_uint(v, 8);
		break;
	default:
		for (i = 0; i < decode_nvalues(l->kind); i++)
			e->v[i] += decode_read_uint(v + l->val_off[i], decode_value_size(l->kind, i));
		break;
	}
}

static bool entry_is_zero(const struct layout *l, const struct entry *e)
{
	int i;

	for (i = 0; i < decode_nvalues(l->kind); i++)
		if (e->v[i])
			return false;
	return !e->packets && !e->bytes;
}

void decode_free(struct entry *entries, size_t n)
{
	size_t i;

	for (i = 0; entries && i < n; i++)
		free(entries[i].key);
	free(entries);
}

/* Room for one more entry in *out, which holds n of them. */
static int grow_entries(struct entry **out, size_t *cap, size_t n)
{
	struct entry *grown;

	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 64;
	grown = realloc(*out, *cap * sizeof(**out));
	if (!grown)
		return -ENOMEM;
	*out = grown;
	return 0;
}

/* An audit policy's map: its one value, an entry for each statement that
 * counted, keyed by the statement's index. */
static int read_audit(const struct layout *l, int fd, struct entry **entries, size_t *n)
{
	size_t stride = l->percpu ? (l->value_size + 7) / 8 * 8 : l->value_size;
	const struct audit_table *t = l->audit;
	unsigned char *val = calloc(l->ncpus, stride);
	struct entry *out = calloc(t->n ? t->n : 1, sizeof(*out)), *e;
	__u32 zero = 0, i;
	size_t nout = 0;
	int cpu, err = 0;

	if (!val || !out) {
		err = -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_elem(fd, &zero, val)) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < t->n; i++) {
		e = &out[nout];
		memset(e, 0, sizeof(*e));
		for (cpu = 0; cpu < l->ncpus; cpu++) {
			const unsigned char *v = val + cpu * stride + t->s[i].off;

			e->packets += decode_read_uint(v + l->packets_off, 8);
			e->bytes += decode_read_uint(v + l->bytes_off, 8);
		}
		if (entry_is_zero(l, e))
			continue;
		e->key = malloc(sizeof(i));
		if (!e->key) {
			err = -ENOMEM;
			goto out;
		}
		memcpy(e->key, &i, sizeof(i));
		nout++;
	}
out:
	free(val);
	if (err) {
		decode_free(out, nout);
		return err;
	}
	*entries = out;
	*n = nout;
	return 0;
}

/* What decode_read() builds, in the order the kernel gives the keys. */
struct reading {
	const struct layout *l;
	struct entry *out;
	size_t n, cap;
};

int decode_entry_own(const struct layout *l, struct entry *e, const void *key, const __u64 *v)
{
	size_t key_room = (l->key_size + 7) / 8 * 8;
	size_t nv = decode_nvalues(l->kind);

	e->key = malloc(key_room + nv * sizeof(__u64));
	if (!e->key)
		return -ENOMEM;
	memcpy(e->key, key, l->key_size);
	e->v = nv ? (__u64 *)(e->key + key_room) : NULL;
	if (nv)
		memcpy(e->v, v, nv * sizeof(__u64));
	return 0;
}

/* Add key and its value (vals: every CPU's, 8-byte aligned each) to r,
 * unless the value is zero: 0 or -ENOMEM. */
static int take_entry(struct reading *r, const void *key, const unsigned char *vals)
{
	const struct layout *l = r->l;
	size_t stride = l->percpu ? (l->value_size + 7) / 8 * 8 : l->value_size;
	__u64 v[LWTP_MAX_VALUES] = { 0 };
	struct entry e = { .v = v };
	int cpu, ret;

	for (cpu = 0; cpu < l->ncpus; cpu++)
		add_value(l, vals + cpu * stride, &e);
	if (entry_is_zero(l, &e))
		return 0;
	ret = grow_entries(&r->out, &r->cap, r->n);
	ret = ret ?: decode_entry_own(l, &e, key, v);
	if (!ret)
		r->out[r->n++] = e;
	return ret;
}

/* Keys and values a BPF_MAP_LOOKUP_BATCH asks for at first; a hash
 * bucket with more keys than that makes the kernel say ENOSPC, and the
 * batch grows. */
#define READ_BATCH 4096

#define READ_BATCH_MAX (1 << 20)

/* Read the whole map with BPF_MAP_LOOKUP_BATCH: one system call for
 * thousands of keys and their values, where walking the map costs two a
 * key (get_next_key, lookup): on a map of a million keys, seconds. Like
 * the walk, it is not a snapshot: a map that changes meanwhile may give a
 * key twice or not at all. Every map type lwtc writes has batched lookups
 * on every kernel lwtc's objects load on (Linux 5.6 and later). */
static int read_batched(struct reading *r, int fd)
{
	const struct layout *l = r->l;
	size_t stride = l->percpu ? (l->value_size + 7) / 8 * 8 : l->value_size;
	size_t token_size = l->key_size > 8 ? l->key_size : 8;
	unsigned char *keys = NULL, *vals = NULL, *tokens = calloc(2, token_size);
	__u32 batch = READ_BATCH, count, i;
	void *in = NULL, *next = tokens;
	int ret = tokens ? 0 : -ENOMEM;
	bool done = false;

	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	while (!ret && !done) {
		unsigned char *k = realloc(keys, (size_t)batch * l->key_size);
		unsigned char *v = k ? realloc(vals, (size_t)batch * stride * l->ncpus) : NULL;

		keys = k ?: keys;
		vals = v ?: vals;
		if (!k || !v) {
			ret = -ENOMEM;
			break;
		}
		count = batch;
		ret = bpf_map_lookup_batch(fd, in, next, keys, vals, &count, &opts) ? -errno : 0;
		if (ret == -ENOSPC && batch < READ_BATCH_MAX) {
			batch *= 2;     /* a bucket holds more keys than a batch */
			ret = 0;
			continue;
		}
		if (ret == -ENOENT) {
			done = true;    /* the last batch, maybe empty */
			ret = 0;
		}
		for (i = 0; !ret && i < count; i++)
			ret = take_entry(r, keys + (size_t)i * l->key_size,
					 vals + (size_t)i * stride * l->ncpus);
		/* the kernel's token for the next batch becomes ours */
		in = next;
		next = next == tokens ? tokens + token_size : tokens;
	}
	free(keys);
	free(vals);
	free(tokens);
	return ret;
}

int decode_read(const struct layout *l, int fd, struct entry **entries, size_t *n)
{
	struct reading r = { .l = l };
	int ret;

	*entries = NULL;
	*n = 0;
	if (l->kind == LWTP_RING)
		return 0;       /* a ring cannot be iterated */
	if (l->audit)
		return read_audit(l, fd, entries, n);
	ret = read_batched(&r, fd);
	if (ret) {
		decode_free(r.out, r.n);
		return ret;
	}
	if (r.n > 1)
		qsort_r(r.out, r.n, sizeof(*r.out), cmp_entries, (void *)l);
	*entries = r.out;
	*n = r.n;
	return 0;
}
