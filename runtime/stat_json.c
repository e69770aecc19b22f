/* stat_json.c: lwtp stat --json; the schema is in docs/lwtp.1, "JSON OUTPUT". */
#include <stdio.h>
#include <stdlib.h>

#include "decode.h"
#include "elem.h"
#include "json.h"
#include "lwtp.h"
#include "stat.h"

static void json_value(struct json *j, __u64 v, double per)
{
	if (per > 0)
		json_double(j, v / per);
	else
		json_uint(j, v);
}

static void json_key_fields(struct json *j, const struct layout *l, const void *key)
{
	char buf[128];
	int i;

	json_object_start(j);
	for (i = 0; i < l->nkeys; i++) {
		const struct field *f = &l->keys[i];

		json_key(j, f->name);
		if (decode_field_is_number(f))
			json_uint(j, decode_uint(f, key));
		else if (f->kind == FK_BOOL)
			json_bool(j, decode_uint(f, key) != 0);
		else if (decode_field(f, key, buf, sizeof(buf)) >= 0)
			json_string(j, buf);
		else
			json_null(j);
	}
	json_object_end(j);
}

static void json_buckets(struct json *j, const struct layout *l, const struct entry *e,
			 size_t n, double per)
{
	__u64 lo, hi, b;
	bool has_hi;
	size_t i;

	json_array_start(j);
	for (i = 0; i < n; i++) {
		b = decode_uint(&l->bucket, e[i].key);
		json_object_start(j);
		json_key(j, "bucket");
		json_uint(j, b);
		if (!decode_bucket_range(&l->bucket, b, &lo, &hi, &has_hi)) {
			json_key(j, "low");
			json_uint(j, lo);
			json_key(j, "high");
			if (has_hi)
				json_uint(j, hi);
			else
				json_null(j);
		}
		json_key(j, "count");
		json_value(j, e[i].packets, per);
		json_object_end(j);
	}
	json_array_end(j);
}

static int json_map(struct json *j, struct snap *s, double per)
{
	const struct layout *l = &s->m->layout;
	char buf[128];
	struct group *g;
	size_t i, ng, shown;
	int err;

	json_object_start(j);
	json_key(j, "name");
	json_string(j, s->m->name);
	json_key(j, "kind");
	json_string(j, decode_kind_name(l->kind));
	switch (l->kind) {
	case LWTP_COUNTER:
		stat_sort_counters(l, s->e, s->n);
		json_key(j, "entries");
		json_array_start(j);
		if (!l->nkeys) {
			__u64 packets = 0, bytes = 0;

			for (i = 0; i < s->n; i++) {
				packets += s->e[i].packets;
				bytes += s->e[i].bytes;
			}
			json_object_start(j);
			json_key(j, "key");
			json_key_fields(j, l, NULL);
			json_key(j, "packets");
			json_value(j, packets, per);
			json_key(j, "bytes");
			json_value(j, bytes, per);
			json_object_end(j);
		}
		shown = opts.top && opts.top < s->n ? opts.top : s->n;
		for (i = 0; l->nkeys && i < shown; i++) {
			json_object_start(j);
			json_key(j, "key");
			json_key_fields(j, l, s->e[i].key);
			json_key(j, "packets");
			json_value(j, s->e[i].packets, per);
			json_key(j, "bytes");
			json_value(j, s->e[i].bytes, per);
			json_object_end(j);
		}
		json_array_end(j);
		break;
	case LWTP_HIST:
		err = stat_groups(l, s->e, s->n, &g, &ng);
		if (err)
			return err;
		json_key(j, "entries");
		json_array_start(j);
		if (!l->nkeys && !ng) {
			json_object_start(j);
			json_key(j, "key");
			json_key_fields(j, l, NULL);
			json_key(j, "count");
			json_value(j, 0, per);
			json_key(j, "buckets");
			json_array_start(j);
			json_array_end(j);
			json_object_end(j);
		}
		shown = opts.top && opts.top < ng ? opts.top : ng;
		for (i = 0; i < shown; i++) {
			json_object_start(j);
			json_key(j, "key");
			json_key_fields(j, l, s->e[g[i].first].key);
			json_key(j, "count");
			json_value(j, g[i].total, per);
			json_key(j, "buckets");
			json_buckets(j, l, s->e + g[i].first, g[i].n, per);
			json_object_end(j);
		}
		json_array_end(j);
		free(g);
		break;
	case LWTP_SET:
		json_key(j, "type");
		json_string(j, decode_set_type(l));
		json_key(j, "max_elements");
		json_uint(j, l->max_entries);
		json_key(j, "elements");
		json_array_start(j);
		for (i = 0; i < s->nelems; i++) {
			if (elem_format(l, s->elems + i * l->key_size, buf, sizeof(buf)) >= 0)
				json_string(j, buf);
		}
		json_array_end(j);
		break;
	default:
		break;
	}
	json_object_end(j);
	return 0;
}

int stat_print_json(struct snap *snaps, size_t n, double per)
{
	struct json j;
	size_t i;
	int err = 0;

	json_init(&j, stdout);
	json_object_start(&j);
	if (per > 0) {
		json_key(&j, "interval");
		json_double(&j, per);
	}
	json_key(&j, "maps");
	json_array_start(&j);
	for (i = 0; i < n && !err; i++)
		err = json_map(&j, &snaps[i], per);
	json_array_end(&j);
	json_object_end(&j);
	putchar('\n');
	return err;
}

