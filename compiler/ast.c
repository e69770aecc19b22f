/* ast.c: constructing, freeing and printing the syntax tree. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "util.h"

static struct expr *expr_new(const struct loc *loc, enum expr_kind kind)
{
	struct expr *e = xcalloc(1, sizeof(*e));
	e->kind = kind;
	e->loc = *loc;
	return e;
}

struct expr *ast_int(const struct loc *loc, uint64_t num)
{
	struct expr *e = expr_new(loc, EXPR_INT);
	e->u.num = num;
	return e;
}

struct expr *ast_bool(const struct loc *loc, bool value)
{
	struct expr *e = expr_new(loc, EXPR_BOOL);
	e->u.num = value;
	return e;
}

struct expr *ast_addr(const struct loc *loc, const struct addr *addr)
{
	struct expr *e = expr_new(loc, EXPR_ADDR);
	e->u.addr = *addr;
	return e;
}

struct expr *ast_range(const struct loc *loc, struct expr *lo, struct expr *hi)
{
	struct expr *e = expr_new(loc, EXPR_RANGE);
	e->u.range.lo = lo;
	e->u.range.hi = hi;
	return e;
}

struct expr *ast_set(const struct loc *loc, struct expr_list *elements)
{
	struct expr *e = expr_new(loc, EXPR_SET);
	e->u.set = *elements;
	memset(elements, 0, sizeof(*elements));
	return e;
}

struct expr *ast_name(const struct loc *loc, char *name)
{
	struct expr *e = expr_new(loc, EXPR_NAME);
	e->u.name.name = name;
	return e;
}

struct expr *ast_field(const struct loc *loc, char *ns, char *name,
		       const struct loc *name_loc, int index)
{
	struct expr *e = expr_new(loc, EXPR_FIELD);
	e->u.field.ns = ns;
	e->u.field.name = name;
	e->u.field.name_loc = *name_loc;
	e->u.field.index = index;
	return e;
}

struct expr *ast_key_prefix(struct expr *field, int n, const uint64_t *len,
			    const struct loc *locs)
{
	struct key_prefix *p = &field->u.field.prefix;

	for (int i = 0; i < n && i < 2; i++) {
		p->len[i] = len[i];
		p->loc[i] = locs[i];
		p->n = i + 1;
	}
	if (p->n) {
		field->loc.last_line = p->loc[p->n - 1].last_line;
		field->loc.last_column = p->loc[p->n - 1].last_column;
	}
	return field;
}

static int digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

struct expr *ast_key_prefix_ratio(struct expr *field, uint64_t len4, uint64_t len6,
				  const struct loc *loc)
{
	struct loc locs[2] = { *loc, *loc };

	/* each number where it is written (a leading 0 aside) */
	locs[0].last_line = locs[0].first_line;
	locs[0].last_column = loc->first_column + digits(len4) - 1;
	locs[1].first_line = locs[1].last_line;
	locs[1].first_column = loc->last_column - digits(len6) + 1;
	return ast_key_prefix(field, 2, (uint64_t[]){ len4, len6 }, locs);
}

struct expr *ast_unary(const struct loc *loc, enum op op, struct expr *operand)
{
	struct expr *e = expr_new(loc, EXPR_UNARY);
	e->u.unary.op = op;
	e->u.unary.operand = operand;
	return e;
}

struct expr *ast_binary(const struct loc *loc, enum op op,
			struct expr *left, struct expr *right)
{
	struct expr *e = expr_new(loc, EXPR_BINARY);
	e->u.binary.op = op;
	e->u.binary.left = left;
	e->u.binary.right = right;
	return e;
}

struct stmt *ast_stmt(const struct loc *loc, enum stmt_kind kind)
{
	struct stmt *s = xcalloc(1, sizeof(*s));
	s->kind = kind;
	s->loc = *loc;
	return s;
}

struct const_decl *ast_const(const struct loc *loc, char *name,
			     const struct loc *name_loc, struct expr *value)
{
	struct const_decl *c = xcalloc(1, sizeof(*c));
	c->name = name;
	c->loc = *loc;
	c->name_loc = *name_loc;
	c->value = value;
	return c;
}

struct set_decl *ast_set_decl(const struct loc *loc, char *name,
			      const struct loc *name_loc, char *type_name,
			      const struct loc *type_loc)
{
	struct set_decl *d = xcalloc(1, sizeof(*d));
	d->name = name;
	d->loc = *loc;
	d->name_loc = *name_loc;
	d->type_name = type_name;
	d->type_loc = *type_loc;
	return d;
}

struct policy *ast_policy(const struct loc *loc, char *name,
			  const struct loc *name_loc, struct stmt_list *body)
{
	struct policy *p = xcalloc(1, sizeof(*p));
	p->name = name;
	p->loc = *loc;
	p->name_loc = *name_loc;
	p->body = *body;
	memset(body, 0, sizeof(*body));
	return p;
}

#define LIST_PUSH(list, item) do {                                          \
	if ((list)->len == (list)->cap) {                                   \
		(list)->cap = (list)->cap ? 2 * (list)->cap : 4;            \
		(list)->items = xrealloc((list)->items,                      \
				(list)->cap * sizeof(*(list)->items));       \
	}                                                                   \
	(list)->items[(list)->len++] = (item);                              \
} while (0)

void ast_expr_list_push(struct expr_list *list, struct expr *e)
{
	LIST_PUSH(list, e);
}

void ast_stmt_list_push(struct stmt_list *list, struct stmt *s)
{
	LIST_PUSH(list, s);
}

void ast_program_push(struct program *prog, struct item item)
{
	if (prog->nitems == prog->cap) {
		prog->cap = prog->cap ? 2 * prog->cap : 4;
		prog->items = xrealloc(prog->items, prog->cap * sizeof(*prog->items));
	}
	prog->items[prog->nitems++] = item;
}

/* ---- freeing ------------------------------------------------------------ */

static void expr_list_free(struct expr_list *list)
{
	for (size_t i = 0; i < list->len; i++)
		ast_expr_free(list->items[i]);
	free(list->items);
}

static void stmt_list_free(struct stmt_list *list)
{
	for (size_t i = 0; i < list->len; i++)
		ast_stmt_free(list->items[i]);
	free(list->items);
}

/* Iterative along the left operand and through 'not', so that the long
 * left-leaning chains a parser builds for 'a or b or c ...' cannot exhaust
 * the stack; right operands of such chains are shallow. */
void ast_expr_free(struct expr *e)
{
	while (e) {
		struct expr *next = NULL;
		switch (e->kind) {
		case EXPR_INT:
		case EXPR_BOOL:
		case EXPR_ADDR:
			break;
		case EXPR_RANGE:
			ast_expr_free(e->u.range.lo);
			ast_expr_free(e->u.range.hi);
			break;
		case EXPR_SET:
			expr_list_free(&e->u.set);
			free(e->file);
			break;
		case EXPR_NAME:
			free(e->u.name.name);   /* value belongs to the const */
			break;
		case EXPR_FIELD:
			free(e->u.field.ns);
			free(e->u.field.name);
			break;
		case EXPR_UNARY:
			next = e->u.unary.operand;
			break;
		case EXPR_BINARY:
			ast_expr_free(e->u.binary.right);
			next = e->u.binary.left;
			break;
		}
		free(e);
		e = next;
	}
}

static void const_free(struct const_decl *c)
{
	if (!c)
		return;
	free(c->name);
	ast_expr_free(c->value);
	free(c);
}

/* What a statistic owns: its name, the hist's value, the keys, and what
 * 'else set' writes. */
static void stat_free(struct stmt *s)
{
	free(s->u.stat.name);
	ast_expr_free(s->u.stat.value);
	expr_list_free(&s->u.stat.keys);
	ast_expr_free(s->u.stat.action.target);
	ast_expr_free(s->u.stat.action.value);
}

struct map_lit *ast_map_lit(const struct loc *loc, struct expr *key,
			    const struct map_value *value)
{
	struct map_lit *m = xcalloc(1, sizeof(*m));

	m->loc = *loc;
	m->keys = ast_set(loc, &(struct expr_list){ 0 });
	ast_map_push(m, key, value);
	return m;
}

void ast_map_push(struct map_lit *m, struct expr *key, const struct map_value *value)
{
	struct expr_list *keys = &m->keys->u.set;

	ast_expr_list_push(keys, key);
	if (keys->len > m->cap) {
		m->cap = keys->cap;
		m->values = xrealloc(m->values, m->cap * sizeof(*m->values));
	}
	m->values[keys->len - 1] = *value;
}

void ast_map_free(struct map_lit *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->keys->u.set.len; i++)
		ast_expr_free(m->values[i].value);
	ast_expr_free(m->keys);
	free(m->values);
	free(m);
}

void ast_stmt_free(struct stmt *s)
{
	if (!s)
		return;
	ast_expr_free(s->cond);
	if (ast_is_stat(s)) {
		stat_free(s);
	} else if (s->kind == STMT_SET || s->kind == STMT_VMAP) {
		ast_expr_free(s->u.set.target);
		ast_expr_free(s->u.set.value);
		ast_map_free(s->u.set.map);
		free(s->u.set.map_name);
	} else if (s->kind == STMT_IF) {
		ast_expr_free(s->u.if_.test);
		stmt_list_free(&s->u.if_.then_body);
		stmt_list_free(&s->u.if_.else_body);
	} else if (s->kind == STMT_CONST) {
		const_free(s->u.konst);
	}
	free(s);
}

void ast_program_free(struct program *prog)
{
	for (size_t i = 0; i < prog->nitems; i++) {
		struct item *it = &prog->items[i];
		if (it->kind == ITEM_CONST) {
			const_free(it->u.konst);
		} else if (it->kind == ITEM_SET) {
			free(it->u.set->name);
			free(it->u.set->type_name);
			free(it->u.set->value_name);
			expr_list_free(&it->u.set->tuple);
			free(it->u.set->key_type);
			free(it->u.set);
		} else {
			stmt_list_free(&it->u.policy->body);
			free(it->u.policy->name);
			free(it->u.policy);
		}
	}
	free(prog->items);
	prog->items = NULL;
	prog->nitems = prog->cap = 0;
}

/* ---- kinds and names ---------------------------------------------------------- */

bool ast_is_stat(const struct stmt *s)
{
	switch (s->kind) {
	case STMT_COUNT:
	case STMT_HIST:
	case STMT_LIMIT:
	case STMT_QUOTA:
	case STMT_SAMPLE:
		return true;
	case STMT_DROP:
	case STMT_PASS:
	case STMT_SET:
	case STMT_VMAP:
	case STMT_IF:
	case STMT_CONST:
		return false;
	}
	return false;
}

const char *ast_op_str(enum op op)
{
	switch (op) {
	case OP_NOT:     return "not";
	case OP_AND:     return "and";
	case OP_OR:      return "or";
	case OP_EQ:      return "==";
	case OP_NE:      return "!=";
	case OP_LT:      return "<";
	case OP_LE:      return "<=";
	case OP_GT:      return ">";
	case OP_GE:      return ">=";
	case OP_IN:      return "in";
	case OP_NOT_IN:  return "not in";
	case OP_BITAND:  return "&";
	case OP_BITOR:   return "|";
	}
	return "?";
}

const char *ast_unit_str(enum amount_unit u)
{
	switch (u) {
	case UNIT_PACKETS: return "packets";
	case UNIT_BYTES:   return "bytes";
	case UNIT_BITS:    return "bits";
	}
	return "?";
}

const char *ast_type_str(const struct type *t)
{
	switch (t->kind) {
	case TYPE_UNKNOWN: return "unknown";
	case TYPE_BOOL:    return "bool";
	case TYPE_INT:
		switch (t->bits) {
		case 1:  return "u1";
		case 2:  return "u2";
		case 3:  return "u3";
		case 4:  return "u4";
		case 6:  return "u6";
		case 8:  return "u8";
		case 13: return "u13";
		case 16: return "u16";
		case 20: return "u20";
		case 32: return "u32";
		default: return "integer";
		}
	case TYPE_ADDR4:   return "IPv4 address";
	case TYPE_ADDR6:   return "IPv6 address";
	case TYPE_ADDR:    return "IP address";
	case TYPE_RANGE:   return "range";
	case TYPE_SET:     return "set";
	}
	return "?";
}

/* ---- dumping (lwtc --dump-ast) -------------------------------------------- */

static void indent(FILE *out, int depth)
{
	fprintf(out, "%*s", 2 * depth, "");
}

static void dump_addr(FILE *out, const struct addr *a)
{
	char buf[INET6_ADDRSTRLEN];
	inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, buf, sizeof(buf));
	fprintf(out, "%s", buf);
	if (a->is_prefix)
		fprintf(out, "/%d", a->prefix_len);
}

static void dump_expr(FILE *out, const struct expr *e, int depth)
{
	indent(out, depth);
	if (!e) {
		fprintf(out, "(null)\n");
		return;
	}
	fprintf(out, "%d:%d ", e->loc.first_line, e->loc.first_column);
	switch (e->kind) {
	case EXPR_INT:
		fprintf(out, "int %" PRIu64 "\n", e->u.num);
		break;
	case EXPR_BOOL:
		fprintf(out, "bool %s\n", e->u.num ? "true" : "false");
		break;
	case EXPR_ADDR:
		fprintf(out, "addr ");
		dump_addr(out, &e->u.addr);
		fprintf(out, "\n");
		break;
	case EXPR_RANGE:
		fprintf(out, "range\n");
		dump_expr(out, e->u.range.lo, depth + 1);
		dump_expr(out, e->u.range.hi, depth + 1);
		break;
	case EXPR_SET:
		if (e->file)
			fprintf(out, "set file \"%s\" (%zu elements)\n", e->file, e->u.set.len);
		else
			fprintf(out, "set\n");
		for (size_t i = 0; i < e->u.set.len; i++)
			dump_expr(out, e->u.set.items[i], depth + 1);
		break;
	case EXPR_NAME:
		fprintf(out, "name %s\n", e->u.name.name);
		break;
	case EXPR_FIELD:
		if (e->u.field.index >= 0)
			fprintf(out, "field %s.%s[%d]\n", e->u.field.ns,
				e->u.field.name, e->u.field.index);
		else if (e->u.field.prefix.n == 2)
			fprintf(out, "field %s.%s/%" PRIu64 "/%" PRIu64 "\n", e->u.field.ns,
				e->u.field.name, e->u.field.prefix.len[0], e->u.field.prefix.len[1]);
		else if (e->u.field.prefix.n == 1)
			fprintf(out, "field %s.%s/%" PRIu64 "\n", e->u.field.ns,
				e->u.field.name, e->u.field.prefix.len[0]);
		else
			fprintf(out, "field %s.%s\n", e->u.field.ns, e->u.field.name);
		break;
	case EXPR_UNARY:
		fprintf(out, "%s\n", ast_op_str(e->u.unary.op));
		dump_expr(out, e->u.unary.operand, depth + 1);
		break;
	case EXPR_BINARY:
		fprintf(out, "%s\n", ast_op_str(e->u.binary.op));
		dump_expr(out, e->u.binary.left, depth + 1);
		dump_expr(out, e->u.binary.right, depth + 1);
		break;
	}
}

static void dump_stmts(FILE *out, const struct stmt_list *list, int depth);

static const char *stmt_kind_str(enum stmt_kind k)
{
	switch (k) {
	case STMT_COUNT: return "count";
	case STMT_HIST:  return "hist";
	case STMT_DROP:  return "drop";
	case STMT_PASS:  return "pass";
	case STMT_SET:   return "set";
	case STMT_IF:    return "if";
	case STMT_CONST: return "const";
	case STMT_LIMIT: return "limit";
	case STMT_QUOTA: return "quota";
	case STMT_SAMPLE: return "sample";
	case STMT_VMAP:  return "vmap";
	}
	return "?";
}

/* The rest of a statistic's line, and what it holds below it. */
static void dump_stat(FILE *out, const struct stmt *s, int depth)
{
	fprintf(out, " %s%s", s->u.stat.name, s->u.stat.wire ? " wire" : "");
	if (s->kind == STMT_SAMPLE)
		fprintf(out, " %" PRIu64 "/%" PRIu64 " snaplen %" PRIu64,
			s->u.stat.ratio_num, s->u.stat.ratio_den, s->u.stat.snaplen);
	if (s->kind == STMT_LIMIT)
		fprintf(out, " rate %" PRIu64 " %s per %" PRIu64 " ns burst %" PRIu64,
			s->u.stat.rate.amount, ast_unit_str(s->u.stat.rate.unit),
			s->u.stat.rate.period_ns, s->u.stat.amount);
	else if (s->kind == STMT_QUOTA)
		fprintf(out, " %" PRIu64 "%s", s->u.stat.amount,
			s->u.stat.amount_unit ? " bytes" : " packets");
	if (s->kind == STMT_LIMIT || s->kind == STMT_QUOTA)
		fprintf(out, " else %s", s->u.stat.action.kind == ACTION_DROP ? "drop"
			: s->u.stat.action.kind == ACTION_COUNT ? "count" : "set");
	if (s->kind == STMT_HIST && s->u.stat.hist == HIST_LINEAR)
		fprintf(out, " linear(%" PRIu64 ", %" PRIu64 ", %" PRIu64 ")",
			s->u.stat.lin_min, s->u.stat.lin_max, s->u.stat.lin_step);
	else if (s->kind == STMT_HIST)
		fprintf(out, " log2");
	if (s->u.stat.has_size)
		fprintf(out, " size %" PRIu64, s->u.stat.size);
	fprintf(out, "\n");
	if (s->u.stat.value)
		dump_expr(out, s->u.stat.value, depth + 1);
	for (size_t i = 0; i < s->u.stat.keys.len; i++) {
		indent(out, depth + 1);
		fprintf(out, "by\n");
		dump_expr(out, s->u.stat.keys.items[i], depth + 2);
	}
	if (s->u.stat.action.kind == ACTION_SET) {
		dump_expr(out, s->u.stat.action.target, depth + 1);
		dump_expr(out, s->u.stat.action.value, depth + 1);
	}
}

static void dump_stmt(FILE *out, const struct stmt *s, int depth)
{
	indent(out, depth);
	fprintf(out, "%d:%d %s", s->loc.first_line, s->loc.first_column,
		stmt_kind_str(s->kind));
	if (ast_is_stat(s))
		dump_stat(out, s, depth);
	switch (s->kind) {
	case STMT_SET:
	case STMT_VMAP:
		fprintf(out, "\n");
		dump_expr(out, s->u.set.target, depth + 1);
		dump_expr(out, s->u.set.value, depth + 1);
		if (s->u.set.map) {
			indent(out, depth + 1);
			fprintf(out, "map\n");
			dump_expr(out, s->u.set.map->keys, depth + 2);
		}
		if (s->u.set.map_name) {
			indent(out, depth + 1);
			fprintf(out, "map %s\n", s->u.set.map_name);
		}
		break;
	case STMT_IF:
		fprintf(out, "\n");
		dump_expr(out, s->u.if_.test, depth + 1);
		dump_stmts(out, &s->u.if_.then_body, depth + 1);
		if (s->u.if_.has_else) {
			indent(out, depth);
			fprintf(out, "else\n");
			dump_stmts(out, &s->u.if_.else_body, depth + 1);
		}
		break;
	case STMT_CONST:
		fprintf(out, " %s\n", s->u.konst->name);
		dump_expr(out, s->u.konst->value, depth + 1);
		break;
	case STMT_DROP:
	case STMT_PASS:
		fprintf(out, "\n");
		break;
	default:        /* the statistics: dump_stat(), above */
		break;
	}
	if (s->cond) {
		indent(out, depth + 1);
		fprintf(out, "if\n");
		dump_expr(out, s->cond, depth + 2);
	}
}

static void dump_stmts(FILE *out, const struct stmt_list *list, int depth)
{
	for (size_t i = 0; i < list->len; i++)
		dump_stmt(out, list->items[i], depth);
}

void ast_dump(FILE *out, const struct program *prog)
{
	for (size_t i = 0; i < prog->nitems; i++) {
		const struct item *it = &prog->items[i];
		if (it->kind == ITEM_CONST) {
			fprintf(out, "const %s\n", it->u.konst->name);
			dump_expr(out, it->u.konst->value, 1);
		} else if (it->kind == ITEM_SET) {
			fprintf(out, "%s %s : %s", it->u.set->value_name ? "map" : "set",
				it->u.set->name, it->u.set->type_name);
			if (it->u.set->value_name)
				fprintf(out, " -> %s", it->u.set->value_name);
			if (it->u.set->has_size)
				fprintf(out, " size %" PRIu64, it->u.set->size);
			fprintf(out, "\n");
		} else {
			fprintf(out, "%spolicy %s\n", it->u.policy->audit ? "audit " : "",
				it->u.policy->name);
			dump_stmts(out, &it->u.policy->body, 1);
		}
	}
}
