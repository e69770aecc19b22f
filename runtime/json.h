/* json.h: a tiny JSON writer. Compact output; the writer inserts the commas.
 *
 *   struct json j;
 *   json_init(&j, stdout);
 *   json_object_start(&j);
 *   json_key(&j, "maps"); json_array_start(&j); ... json_array_end(&j);
 *   json_object_end(&j);
 *   fputc('\n', stdout);
 */
#ifndef LWTP_JSON_H
#define LWTP_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, FILE *f);
void json_object_start(struct json *j);
void json_object_end(struct json *j);
void json_array_start(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_uint(struct json *j, __u64 v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* "key": value, in one call */
void json_member_string(struct json *j, const char *key, const char *s);
void json_member_uint(struct json *j, const char *key, __u64 v);
void json_member_bool(struct json *j, const char *key, bool v);

#endif
