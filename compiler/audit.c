/* audit.c: audit mode's statements and their members (audit.h). */
#include <string.h>

#include "audit.h"
#include "lwtp_contract.h"
#include "util.h"
#include "walk.h"

size_t audit_counts(const struct stmt *s)
{
	switch (s->kind) {
	case STMT_DROP:
	case STMT_PASS:
	case STMT_SET:
	case STMT_LIMIT:
	case STMT_QUOTA:
		return 1;
	case STMT_VMAP:
		return 2;       /* the drops and the passes */
	default:
		return 0;
	}
}

char *audit_member(const struct stmt *s, size_t i)
{
	const struct expr *t;
	int line = s->loc.first_line, col = s->loc.first_column;

	switch (s->kind) {
	case STMT_VMAP:  return xasprintf("%s_%d_%d", i ? "pass" : "drop", line, col);
	case STMT_DROP:  return xasprintf("drop_%d_%d", line, col);
	case STMT_PASS:  return xasprintf("pass_%d_%d", line, col);
	case STMT_LIMIT: return xasprintf("limit_%d_%d", line, col);
	case STMT_QUOTA: return xasprintf("quota_%d_%d", line, col);
	case STMT_SET:   /* set_mark, set_priority, set_cb2 */
		t = s->u.set.target;
		if (t->u.field.index >= 0)
			return xasprintf("set_%s%d_%d_%d", t->u.field.name, t->u.field.index,
					 line, col);
		return xasprintf("set_%s_%d_%d", t->u.field.name, line, col);
	default:
		return xasprintf("stmt_%d_%d", line, col);
	}
}

char *audit_end_member(const struct policy *p)
{
	int line = p->loc.last_line > 0 ? p->loc.last_line : p->loc.first_line;
	int col = p->loc.last_line > 0 ? p->loc.last_column : p->loc.first_column;

	return xasprintf("end_%d_%d", line, col);
}

const char *audit_what(const struct stmt *s, size_t i)
{
	switch (s->kind) {
	case STMT_VMAP:  return i ? "passed" : "would drop";
	case STMT_DROP:  return "would drop";
	case STMT_PASS:  return "passed";
	case STMT_LIMIT: return "would limit";
	case STMT_QUOTA: return "would exceed";
	case STMT_SET:   return "would set";
	default:         return "";
	}
}

static enum walk_next count_one(struct stmt *s, struct policy *p, void *ctx)
{
	(void)p;
	*(size_t *)ctx += audit_counts(s);
	return WALK_ON;
}

size_t audit_count_stmts(struct policy *p)
{
	size_t n = 1;   /* the end */

	walk_stmts(&p->body, p, count_one, &n);
	return n;
}

char *audit_file_type(const char *file)
{
	static const char hex[] = "0123456789abcdef";
	const char *base = strrchr(file, '/');
	char name[LWTP_AUDIT_FILE_MAX + 1];
	size_t n = strlen(LWTP_SRCFILE_PREFIX);

	base = base ? base + 1 : file;
	memcpy(name, LWTP_SRCFILE_PREFIX, n);
	for (const unsigned char *c = (const unsigned char *)base; *c; c++) {
		if (n + 3 + 2 > LWTP_AUDIT_FILE_MAX)
			return NULL;
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')) {
			name[n++] = (char)*c;
		} else {
			name[n++] = '_';
			name[n++] = hex[*c >> 4];
			name[n++] = hex[*c & 15];
		}
	}
	memcpy(name + n, "_t", 3);
	return xstrdup(name);
}
