/* emit_text.c: strings for the emitter: a growing buffer, numbers as C
 * literals, and expressions as the user writes them (for comments). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "emit_priv.h"
#include "util.h"

#define COMMENT_MAX 120     /* longest expression text in a comment */
#define TEXT_SET_MAX 8      /* elements of a set shown; then "... (N elements)" */

/* ---- strings ------------------------------------------------------------ */

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sb_puts(struct sbuf *b, const char *s)
{
	sb_printf(b, "%s", s);
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

const char *sb_str(const struct sbuf *b)
{
	return b->s ? b->s : "";
}

void emit_number(struct sbuf *b, uint64_t n)
{
	if (n <= INT32_MAX)
		sb_printf(b, "%" PRIu64, n);
	else if (n <= UINT32_MAX)
		sb_printf(b, "%" PRIu64 "U", n);
	else
		sb_printf(b, "%" PRIu64 "ULL", n);
}

/* ---- the expression as the user writes it, for comments ------------------- */

static int prec(const struct expr *x)
{
	if (x->kind == EXPR_UNARY)
		return 3;
	if (x->kind != EXPR_BINARY)
		return 7;
	switch (x->u.binary.op) {
	case OP_OR:     return 1;
	case OP_AND:    return 2;
	case OP_BITOR:  return 5;
	case OP_BITAND: return 6;
	default:        return 4;   /* comparisons, in */
	}
}

void emit_addr_text(struct sbuf *b, const struct addr *a)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, ip, sizeof(ip));
	sb_puts(b, ip);
	if (a->is_prefix)
		sb_printf(b, "/%d", a->prefix_len);
}

static void text(struct sbuf *b, const struct expr *x, int min_prec)
{
	bool paren = x && prec(x) < min_prec;

	if (!x) {
		sb_puts(b, "?");
		return;
	}
	if (paren)
		sb_puts(b, "(");
	switch (x->kind) {
	case EXPR_INT:
		sb_printf(b, "%" PRIu64, x->u.num);
		break;
	case EXPR_BOOL:
		sb_puts(b, x->u.num ? "true" : "false");
		break;
	case EXPR_ADDR:
		emit_addr_text(b, &x->u.addr);
		break;
	case EXPR_RANGE:
		text(b, x->u.range.lo, 7);
		sb_puts(b, "..");
		text(b, x->u.range.hi, 7);
		break;
	case EXPR_SET:
		if (x->file) {
			char *safe = emit_comment_safe(x->file);
			sb_printf(b, "file \"%s\"", safe);
			free(safe);
			break;
		}
		sb_puts(b, x->tuple ? "(" : "{ ");     /* a tuple: '(ip.dst, tcp.dport)' */
		for (size_t i = 0; i < x->u.set.len && i < TEXT_SET_MAX; i++) {
			if (i)
				sb_puts(b, ", ");
			text(b, x->u.set.items[i], 0);
		}
		if (x->u.set.len > TEXT_SET_MAX)
			sb_printf(b, ", ... (%zu elements)", x->u.set.len);
		sb_puts(b, x->tuple ? ")" : " }");
		break;
	case EXPR_NAME:
		sb_puts(b, x->u.name.name);
		break;
	case EXPR_FIELD:
		sb_printf(b, "%s.%s", x->u.field.ns, x->u.field.name);
		if (x->u.field.index >= 0)
			sb_printf(b, "[%d]", x->u.field.index);
		for (int i = 0; i < x->u.field.prefix.n; i++)
			sb_printf(b, "/%llu", (unsigned long long)x->u.field.prefix.len[i]);
		break;
	case EXPR_UNARY:
		sb_puts(b, "not ");
		text(b, x->u.unary.operand, 3);
		break;
	case EXPR_BINARY: {
		int p = prec(x);
		/* or, and, |, & associate to the left; comparisons do not chain */
		text(b, x->u.binary.left, p == 4 ? p + 1 : p);
		sb_printf(b, " %s ", ast_op_str(x->u.binary.op));
		text(b, x->u.binary.right, p + 1);
		break;
	}
	}
	if (paren)
		sb_puts(b, ")");
}

void emit_expr_text(struct sbuf *b, const struct expr *x)
{
	struct sbuf t = { 0 };

	text(&t, x, 0);
	if (t.len > COMMENT_MAX) {
		t.s[COMMENT_MAX - 3] = '\0';
		sb_printf(b, "%s...", t.s);
	} else {
		sb_puts(b, sb_str(&t));
	}
	sb_free(&t);
}

/* Text safe inside a C comment. */
char *emit_comment_safe(const char *s)
{
	struct sbuf b = { 0 };

	sb_puts(&b, "");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '*' && s[1] == '/')
			sb_puts(&b, "* ");
		else if (c < 0x20 || c == 0x7f)
			sb_puts(&b, "?");
		else
			sb_printf(&b, "%c", c);
	}
	return b.s;
}
