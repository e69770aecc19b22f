/* check_text.c: expressions and types as the user writes them, for the
 * checker's messages ("did you mean 'udp.dport != 0'?"). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "check_priv.h"

/* A bounded string builder: writes past the end are dropped, and the text
 * ends with "..." when something was. */
struct text {
	char *buf;
	size_t size, len;
	bool cut;
};

static void put(struct text *t, const char *s)
{
	size_t n = strlen(s);
	if (t->len + n >= t->size) {
		t->cut = true;
		n = t->size - 1 - t->len;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void put_num(struct text *t, uint64_t n)
{
	char num[24];
	snprintf(num, sizeof(num), "%" PRIu64, n);
	put(t, num);
}

const char *check_addr_text(const struct addr *a, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, ip, sizeof(ip));
	if (a->is_prefix)
		snprintf(buf, size, "%s/%d", ip, a->prefix_len);
	else
		snprintf(buf, size, "%s", ip);
	return buf;
}

static void put_expr(struct text *t, const struct expr *e, bool nested);

static void put_set(struct text *t, const struct expr *e)
{
	if (e->file) {
		put(t, "file \"");
		put(t, e->file);
		put(t, "\"");
		return;
	}
	put(t, e->tuple ? "(" : "{ ");      /* a tuple: '(ip.dst, tcp.dport)' */
	for (size_t i = 0; i < e->u.set.len && !t->cut; i++) {
		if (i)
			put(t, ", ");
		put_expr(t, e->u.set.items[i], false);
	}
	put(t, e->tuple ? ")" : " }");
}

static void put_expr(struct text *t, const struct expr *e, bool nested)
{
	char addr[64];

	if (!e) {
		put(t, "?");
		return;
	}
	switch (e->kind) {
	case EXPR_INT:
		put_num(t, e->u.num);
		break;
	case EXPR_BOOL:
		put(t, e->u.num ? "true" : "false");
		break;
	case EXPR_ADDR:
		put(t, check_addr_text(&e->u.addr, addr, sizeof(addr)));
		break;
	case EXPR_RANGE:
		put_expr(t, e->u.range.lo, true);
		put(t, "..");
		put_expr(t, e->u.range.hi, true);
		break;
	case EXPR_SET:
		put_set(t, e);
		break;
	case EXPR_NAME:
		put(t, e->u.name.name ? e->u.name.name : "?");
		break;
	case EXPR_FIELD:
		put(t, e->u.field.ns ? e->u.field.ns : "?");
		put(t, ".");
		put(t, e->u.field.name ? e->u.field.name : "?");
		if (e->u.field.index >= 0) {
			put(t, "[");
			put_num(t, (uint64_t)e->u.field.index);
			put(t, "]");
		}
		for (int i = 0; i < e->u.field.prefix.n; i++) {
			put(t, "/");
			put_num(t, e->u.field.prefix.len[i]);
		}
		break;
	case EXPR_UNARY:
		if (nested)
			put(t, "(");
		put(t, ast_op_str(e->u.unary.op));
		put(t, " ");
		put_expr(t, e->u.unary.operand, true);
		if (nested)
			put(t, ")");
		break;
	case EXPR_BINARY:
		if (nested)
			put(t, "(");
		put_expr(t, e->u.binary.left, true);
		put(t, " ");
		put(t, ast_op_str(e->u.binary.op));
		put(t, " ");
		put_expr(t, e->u.binary.right, true);
		if (nested)
			put(t, ")");
		break;
	default:
		put(t, "?");
		break;
	}
}

const char *check_expr_text(const struct expr *e, char *buf, size_t size)
{
	struct text t = { buf, size, 0, false };

	buf[0] = '\0';
	put_expr(&t, e, false);
	if (t.cut && size > 4)
		strcpy(buf + size - 4, "...");
	return buf;
}

const char *check_type_name(const struct type *t)
{
	switch (t->kind) {
	case TYPE_INT:
		switch (t->bits) {
		case 8:  return "u8";
		case 16: return "u16";
		case 32: return "u32";
		default: return "integer";
		}
	case TYPE_BOOL:    return "bool";
	case TYPE_ADDR4:   return "IPv4 address";
	case TYPE_ADDR6:   return "IPv6 address";
	case TYPE_ADDR:    return "IP address";
	case TYPE_RANGE:   return "range";
	case TYPE_SET:     return "set";
	case TYPE_UNKNOWN: return "unknown";
	}
	return "unknown";
}

const char *check_type_a(const struct type *t)
{
	switch (t->kind) {
	case TYPE_INT:
		switch (t->bits) {
		case 8:  return "a u8";
		case 16: return "a u16";
		case 32: return "a u32";
		default: return "an integer";
		}
	case TYPE_BOOL:    return "a bool";
	case TYPE_ADDR4:   return "an IPv4 address";
	case TYPE_ADDR6:   return "an IPv6 address";
	case TYPE_ADDR:    return "an IP address";
	case TYPE_RANGE:   return "a range";
	case TYPE_SET:     return "a set";
	case TYPE_UNKNOWN: return "unknown";
	}
	return "unknown";
}
