/* jsonp.c: a small JSON reader (see jsonp.h). Recursive descent; strings
 * keep \uXXXX escapes below 0x80 only (lwtp prints ASCII). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonp.h"

struct parser {
	const char *p;
	const char *start;
	char *err;
	size_t errlen;
	int depth;
};

static struct jnode *fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->err[0])
		return NULL;
	n = snprintf(ps->err, ps->errlen, "offset %ld: ", (long)(ps->p - ps->start));
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->errlen)
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
	return NULL;
}

static void ws(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static struct jnode *node(enum jtype t)
{
	struct jnode *n = calloc(1, sizeof(*n));

	if (!n) {
		perror("jsonp");
		exit(2);
	}
	n->type = t;
	return n;
}

static char *string(struct parser *ps)
{
	size_t cap = 32, len = 0;
	char *s = malloc(cap);
	unsigned v;

	ps->p++;        /* the opening quote */
	while (s && *ps->p != '"') {
		char c = *ps->p++;

		if (!c || (unsigned char)c < 0x20) {
			free(s);
			fail(ps, "unterminated string");
			return NULL;
		}
		if (c == '\\') {
			c = *ps->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case '"': case '\\': case '/': break;
			case 'u':
				if (sscanf(ps->p, "%4x", &v) != 1 || v >= 0x80) {
					free(s);
					fail(ps, "unsupported \\u escape");
					return NULL;
				}
				ps->p += 4;
				c = (char)v;
				break;
			default:
				free(s);
				fail(ps, "bad escape");
				return NULL;
			}
		}
		if (len + 2 > cap) {
			char *g = realloc(s, cap *= 2);

			if (!g) {
				free(s);
				return NULL;
			}
			s = g;
		}
		s[len++] = c;
	}
	if (!s) {
		perror("jsonp");
		exit(2);
	}
	s[len] = 0;
	ps->p++;        /* the closing quote */
	return s;
}

static void add(struct jnode *parent, struct jnode *kid, char *key)
{
	if (!(parent->n & (parent->n - 1))) {   /* 0, 1, 2, 4, ...: grow */
		int cap = parent->n ? parent->n * 2 : 1;

		parent->kids = realloc(parent->kids, cap * sizeof(*parent->kids));
		if (parent->type == J_OBJ)
			parent->keys = realloc(parent->keys, cap * sizeof(*parent->keys));
		if (!parent->kids || (parent->type == J_OBJ && !parent->keys)) {
			perror("jsonp");
			exit(2);
		}
	}
	parent->kids[parent->n] = kid;
	if (parent->type == J_OBJ)
		parent->keys[parent->n] = key;
	parent->n++;
}

static struct jnode *value(struct parser *ps);

static struct jnode *container(struct parser *ps, enum jtype t)
{
	struct jnode *n = node(t), *kid;
	char close = t == J_OBJ ? '}' : ']', *key = NULL;

	if (++ps->depth > 64) {
		jfree(n);
		return fail(ps, "nested too deep");
	}
	ps->p++;
	ws(ps);
	if (*ps->p == close) {
		ps->p++;
		ps->depth--;
		return n;
	}
	for (;;) {
		ws(ps);
		if (t == J_OBJ) {
			if (*ps->p != '"')
				goto bad;
			key = string(ps);
			if (!key)
				goto bad;
			ws(ps);
			if (*ps->p++ != ':') {
				free(key);
				goto bad;
			}
		}
		kid = value(ps);
		if (!kid) {
			free(key);
			goto bad;
		}
		add(n, kid, key);
		key = NULL;
		ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			ps->depth--;
			return n;
		}
		goto bad;
	}
bad:
	jfree(n);
	return fail(ps, "expected %s", t == J_OBJ ? "a member or '}'" : "a value or ']'");
}

static struct jnode *value(struct parser *ps)
{
	struct jnode *n;
	char *end;

	ws(ps);
	switch (*ps->p) {
	case '{':
		return container(ps, J_OBJ);
	case '[':
		return container(ps, J_ARR);
	case '"':
		n = node(J_STR);
		n->s = string(ps);
		if (!n->s) {
			free(n);
			return NULL;
		}
		return n;
	case 't':
	case 'f':
	case 'n':
		if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
			n = node(J_BOOL);
			n->b = *ps->p == 't';
			ps->p += n->b ? 4 : 5;
			return n;
		}
		if (!strncmp(ps->p, "null", 4)) {
			ps->p += 4;
			return node(J_NULL);
		}
		return fail(ps, "unexpected word");
	default:
		if (*ps->p != '-' && !isdigit((unsigned char)*ps->p))
			return fail(ps, "unexpected '%c'", *ps->p ? *ps->p : '0');
		n = node(J_NUM);
		n->num = strtod(ps->p, &end);
		if (*ps->p != '-' && strspn(ps->p, "0123456789") == (size_t)(end - ps->p)) {
			n->is_uint = true;
			n->u = strtoull(ps->p, NULL, 10);
		}
		ps->p = end;
		return n;
	}
}

struct jnode *jparse(const char *text, char *err, size_t errlen)
{
	struct parser ps = { .p = text, .start = text, .err = err, .errlen = errlen };
	struct jnode *n;

	err[0] = 0;
	n = value(&ps);
	if (!n)
		return NULL;
	ws(&ps);
	if (*ps.p) {
		jfree(n);
		return fail(&ps, "text after the value");
	}
	return n;
}

void jfree(struct jnode *n)
{
	int i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++) {
		jfree(n->kids[i]);
		if (n->keys)
			free(n->keys[i]);
	}
	free(n->kids);
	free(n->keys);
	free(n->s);
	free(n);
}

const struct jnode *jget(const struct jnode *obj, const char *key)
{
	int i;

	if (!obj || obj->type != J_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return obj->kids[i];
	return NULL;
}
