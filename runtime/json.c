/* json.c: a tiny JSON writer (see json.h). */
#include <inttypes.h>
#include <math.h>

#include "json.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->need_comma[0] = false;
	j->after_key = false;
}

/* Before any value: a comma when a sibling came before. */
static void value_prefix(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
}

static void open(struct json *j, char c)
{
	value_prefix(j);
	fputc(c, j->f);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->f);
}

void json_object_start(struct json *j) { open(j, '{'); }
void json_object_end(struct json *j) { close_(j, '}'); }
void json_array_start(struct json *j) { open(j, '['); }
void json_array_end(struct json *j) { close_(j, ']'); }

static void put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	value_prefix(j);
	put_string(j->f, key);
	fputc(':', j->f);
	j->after_key = true;
}

void json_string(struct json *j, const char *s)
{
	value_prefix(j);
	put_string(j->f, s);
}

void json_uint(struct json *j, __u64 v)
{
	value_prefix(j);
	fprintf(j->f, "%" PRIu64, (uint64_t)v);
}

void json_double(struct json *j, double v)
{
	value_prefix(j);
	if (isfinite(v))
		fprintf(j->f, "%.15g", round(v * 1000) / 1000);     /* 3 decimals */
	else
		fputs("null", j->f);
}

void json_bool(struct json *j, bool v)
{
	value_prefix(j);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j)
{
	value_prefix(j);
	fputs("null", j->f);
}

void json_member_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_member_uint(struct json *j, const char *key, __u64 v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_member_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
