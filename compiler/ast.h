/* ast.h: the syntax tree of a .lwtp file.
 *
 * The parser builds it (every node carries its source location), the
 * checking pass resolves names and fills in types and field definitions,
 * the resources pass collects maps, and the emitter walks it to write C.
 */
#ifndef LWTC_AST_H
#define LWTC_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loc.h"

struct field_def;   /* fields.h */
struct symbol_def;  /* fields.h: a named value such as 'udp' or 'syn' */

/* ---- types ---------------------------------------------------------- */

enum type_kind {
	TYPE_UNKNOWN = 0,   /* not yet checked, or an error already reported */
	TYPE_BOOL,
	TYPE_INT,           /* unsigned integer of type.bits width (64 for literals) */
	TYPE_ADDR4,         /* IPv4 address or prefix */
	TYPE_ADDR6,         /* IPv6 address or prefix */
	TYPE_ADDR,          /* address of either family (ip.src, ip.dst) */
	TYPE_RANGE,         /* lo..hi, integers */
	TYPE_SET,           /* { ... } */
};

struct type {
	enum type_kind kind;
	int bits;           /* TYPE_INT: 1..64; 0 otherwise */
};

/* ---- expressions ---------------------------------------------------- */

enum expr_kind {
	EXPR_INT,       /* u.num */
	EXPR_BOOL,      /* u.num: 0 or 1 */
	EXPR_ADDR,      /* u.addr: IPv4 or IPv6 address or prefix */
	EXPR_RANGE,     /* u.range: lo..hi (children are EXPR_INT after check) */
	EXPR_SET,       /* u.set: elements */
	EXPR_NAME,      /* u.name: a const, or a symbol of a field's domain */
	EXPR_FIELD,     /* u.field: ns.name or skb.cb[index] */
	EXPR_UNARY,     /* u.unary: not */
	EXPR_BINARY,    /* u.binary */
};

enum op {
	OP_NOT,
	OP_AND, OP_OR,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_IN, OP_NOT_IN,
	OP_BITAND, OP_BITOR,
};

struct addr {
	int family;         /* 4 or 6 */
	uint8_t bytes[16];  /* network order; IPv4 uses bytes[0..3] */
	int prefix_len;     /* 0..32 / 0..128; full length for a plain address */
	bool is_prefix;     /* written with /N */
};

/* The prefix lengths of an address key as written: 'by ip4.dst/24' (one),
 * 'by ip.dst/24/48' (two: IPv4, then IPv6). The checker judges them. */
struct key_prefix {
	int n;                  /* lengths written: 0, 1 or 2 */
	uint64_t len[2];
	struct loc loc[2];      /* of each length */
};

struct expr;

struct expr_list {
	struct expr **items;
	size_t len, cap;
};

struct expr {
	enum expr_kind kind;
	struct loc loc;
	struct type type;           /* filled by the checker */
	char *file;                 /* EXPR_SET read by 'file "PATH"': PATH as written */
	bool tuple;                 /* EXPR_SET: the tuple '(F1, F2, ...)' tested 'in' a
				       runtime set of tuples, its items the components */
	bool tuples;                /* EXPR_SET: a const's set of tuples, 'const c =
				       { (V1, V2), ... }', its items EXPR_SETs of
				       components; tested only as '(F1, F2) in c' */
	union {
		uint64_t num;
		struct addr addr;
		struct { struct expr *lo, *hi; } range;
		struct expr_list set;
		struct {
			char *name;
			struct set_decl *runtime_set;         /* checker: a runtime set, or NULL */
			struct expr *value;                   /* checker: the const's value, or NULL */
			const struct symbol_def *symbol;      /* checker: or the domain symbol */
		} name;
		struct {
			char *ns, *name;     /* "ip", "dst" */
			struct loc name_loc; /* location of the part after the dot */
			int index;           /* skb.cb[index]; -1 when not indexed */
			const struct field_def *def;          /* checker */
			struct key_prefix prefix;             /* a 'by' key's /LEN */
		} field;
		struct { enum op op; struct expr *operand; } unary;
		struct { enum op op; struct expr *left, *right; } binary;
	} u;
};

/* ---- statements ----------------------------------------------------- */

enum stmt_kind {
	STMT_COUNT,
	STMT_HIST,
	STMT_DROP,
	STMT_PASS,
	STMT_SET,
	STMT_IF,
	STMT_CONST,
	STMT_LIMIT,
	STMT_QUOTA,
	STMT_SAMPLE,
	STMT_VMAP,      /* 'vmap KEY { K : drop, ... }': u.set, no target */
};

enum hist_kind { HIST_LOG2, HIST_LINEAR };

/* What a limit's rate, a burst or a quota counts. */
enum amount_unit { UNIT_PACKETS, UNIT_BYTES, UNIT_BITS };

/* A rate as written: 1000/s, 1MB/s, 10Mbit/min (the lexer's RATE token). */
struct rate {
	uint64_t amount;            /* per period, in unit */
	enum amount_unit unit;
	uint64_t period_ns;         /* 1 s, 1 min or 1 h */
};

/* What a limit or quota does to a packet over it: 'else drop', 'else
 * count', 'else set FIELD = EXPR'. Without 'else', drop. */
enum action_kind { ACTION_DROP, ACTION_COUNT, ACTION_SET };

struct action {
	enum action_kind kind;
	bool given;                 /* written with 'else' */
	struct expr *target;        /* ACTION_SET: EXPR_FIELD */
	struct expr *value;         /* ACTION_SET */
	struct loc loc;
};

struct stmt;

struct stmt_list {
	struct stmt **items;
	size_t len, cap;
};

struct map_def;  /* resources.h */

/* A constant map, '{ KEY : VALUE, ... }' after 'map' or 'vmap KEY': keys
 * is an EXPR_SET of the keys, checked as a set is; values[i] is the value
 * of keys->u.set.items[i]. */
enum map_verdict { MAPV_NONE, MAPV_DROP, MAPV_PASS };

struct map_value {
	struct expr *value;         /* an integer or a const's name; NULL for a verdict */
	enum map_verdict verdict;   /* 'drop', 'pass'; MAPV_NONE for an integer */
	uint64_t num;               /* checker: the integer, or the verdict */
	struct loc loc;
};

struct map_lit {
	struct loc loc;
	struct expr *keys;          /* EXPR_SET */
	struct map_value *values;
	size_t cap;
};

struct stmt {
	enum stmt_kind kind;
	struct loc loc;
	struct expr *cond;              /* trailing 'if COND', or NULL */
	union {
		struct {                    /* STMT_COUNT, STMT_HIST, STMT_LIMIT, STMT_QUOTA,
					       STMT_SAMPLE */
			char *name;
			struct loc name_loc;
			enum hist_kind hist;            /* STMT_HIST */
			struct expr *value;             /* STMT_HIST: log2/linear argument */
			uint64_t lin_min, lin_max, lin_step;
			struct loc lin_min_loc, lin_max_loc, lin_step_loc;   /* linear(...)'s */
			struct expr_list keys;          /* 'by': EXPR_FIELD each */
			uint64_t size;                  /* 'size N' */
			bool has_size;                  /* whether 'size N' was written */
			struct loc size_loc;
			struct map_def *map;            /* resources pass */
			bool wire;                      /* 'wire': count, limit or quota
							   the packets on the wire (GSO
							   segments), not those the route sees */
			struct loc wire_loc;
			/* STMT_LIMIT, STMT_QUOTA */
			struct rate rate;               /* limit: 'rate R' */
			struct loc rate_loc;
			uint64_t amount;                /* limit: the burst; quota: the budget */
			bool amount_unit;               /* written with a size unit (1500B, 1GB) */
			struct loc amount_loc;
			struct action action;           /* on a packet over the limit or quota */
			/* STMT_SAMPLE: 'sample NAME M/N [snaplen B]' */
			uint64_t ratio_num, ratio_den;  /* M/N of the packets */
			struct loc ratio_loc;
			uint64_t snaplen;               /* bytes kept of each; 0: not written */
			struct loc snaplen_loc;
		} stat;
		struct {                    /* STMT_SET, STMT_VMAP */
			struct expr *target;            /* EXPR_FIELD; NULL for STMT_VMAP */
			struct expr *value;             /* with a map: its key */
			struct map_lit *map;            /* 'VALUE map { ... }', 'vmap': or NULL */
			char *map_name;                 /* 'VALUE map NAME', 'vmap KEY NAME':
							   a runtime map; or NULL */
			struct loc map_name_loc;
			struct set_decl *runtime_map;   /* checker: the map it names */
		} set;
		struct {                    /* STMT_IF */
			struct expr *test;
			struct stmt_list then_body, else_body;
			bool has_else;
		} if_;
		struct const_decl *konst;   /* STMT_CONST */
	} u;
};

struct const_decl {
	char *name;
	struct loc loc;         /* the whole declaration */
	struct loc name_loc;
	struct expr *value;
};

struct policy {
	char *name;
	struct loc loc;
	struct loc name_loc;
	struct stmt_list body;
	/* audit mode ('audit policy NAME', lwtc --audit): drop, limit, quota
	 * and set count what they would do in lwtp_audit_NAME, and do not do it */
	bool audit;
	struct loc audit_loc;       /* the word 'audit'; the name's for --audit */
	/* the clang that compiles it when the file is compiled in parts
	 * (parts.c), 1 to N; 0: the file is one compile */
	unsigned part;
};

/* A runtime set: 'set NAME : TYPE [size N];', filled with 'lwtp set'. */
enum set_elem_type {
	SETT_UNKNOWN = 0,
	SETT_IP, SETT_PORT, SETT_PROTO, SETT_U8, SETT_U16, SETT_U32,
	SETT_CGROUP,        /* cgroup v2 directories, tested by socket.cgroup */
	SETT_TUPLE,         /* '(ip, port)': a tuple of the types above but cgroup */
};

/* A runtime map: 'map NAME : TYPE -> mark|verdict [size N];', filled with
 * 'lwtp map'; a set_decl whose value is not RMAP_NONE. Sets and maps share
 * one namespace: each is a map pinned by its name. */
enum rmap_value {
	RMAP_NONE = 0,      /* a runtime set */
	RMAP_MARK,          /* '-> mark': __u32 values (lwtp_map_value_t) */
	RMAP_VERDICT,       /* '-> verdict': drop or pass (lwtp_verdict_t) */
};

struct set_decl {
	char *name;
	struct loc loc;
	struct loc name_loc;
	char *type_name;            /* as written: "ip", "port", ... */
	struct loc type_loc;
	enum set_elem_type elem;    /* checker */
	uint64_t size;
	bool has_size;
	struct loc size_loc;
	struct map_def *map;        /* resources pass */
	/* a runtime map: what its values are, as written and as checked */
	char *value_name;           /* "mark", "verdict"; NULL for a set */
	struct loc value_loc;
	enum rmap_value value;      /* checker */
	/* a set of tuples, 'set NAME : (ip, port);': type_name is the text
	 * "(ip, port)", type_loc its span */
	struct expr_list tuple;     /* each component's type, an EXPR_NAME */
	enum set_elem_type tuple_elem[8];   /* checker: each component's */
	char *key_type;             /* checker: "struct NAME_key" */
};

enum item_kind { ITEM_CONST, ITEM_POLICY, ITEM_SET };

struct item {
	enum item_kind kind;
	union {
		struct const_decl *konst;
		struct policy *policy;
		struct set_decl *set;
	} u;
};

struct program {
	const char *file;           /* as given on the command line, "<stdin>" for - */
	struct item *items;
	size_t nitems, cap;
	struct map_def *maps;       /* resources pass: every map, in order of first use */
};

/* ---- constructors (ast.c): location first, as nftables does ---------- */

struct expr *ast_int(const struct loc *loc, uint64_t num);
struct expr *ast_bool(const struct loc *loc, bool value);
struct expr *ast_addr(const struct loc *loc, const struct addr *addr);
struct expr *ast_range(const struct loc *loc, struct expr *lo, struct expr *hi);
struct expr *ast_set(const struct loc *loc, struct expr_list *elements);
struct expr *ast_name(const struct loc *loc, char *name);
struct expr *ast_field(const struct loc *loc, char *ns, char *name,
		       const struct loc *name_loc, int index);
/* 'by FIELD/LEN' or 'by FIELD/LEN4/LEN6': the key field, its lengths (n
 * of them, at locs) added, its location widened to the last; returns it. */
struct expr *ast_key_prefix(struct expr *field, int n, const uint64_t *len,
			    const struct loc *locs);
/* 'by FIELD/LEN4/LEN6' where 'LEN4/LEN6' is one token (a ratio) at loc. */
struct expr *ast_key_prefix_ratio(struct expr *field, uint64_t len4, uint64_t len6,
				  const struct loc *loc);
struct expr *ast_unary(const struct loc *loc, enum op op, struct expr *operand);
struct expr *ast_binary(const struct loc *loc, enum op op,
			struct expr *left, struct expr *right);

struct stmt *ast_stmt(const struct loc *loc, enum stmt_kind kind);
struct const_decl *ast_const(const struct loc *loc, char *name,
			     const struct loc *name_loc, struct expr *value);
struct set_decl *ast_set_decl(const struct loc *loc, char *name,
			      const struct loc *name_loc, char *type_name,
			      const struct loc *type_loc);
/* A map of one element, KEY : VALUE (value taken over), and one more. */
struct map_lit *ast_map_lit(const struct loc *loc, struct expr *key,
			    const struct map_value *value);
void ast_map_push(struct map_lit *m, struct expr *key, const struct map_value *value);
void ast_map_free(struct map_lit *m);
struct policy *ast_policy(const struct loc *loc, char *name,
			  const struct loc *name_loc, struct stmt_list *body);

void ast_expr_list_push(struct expr_list *list, struct expr *e);
void ast_stmt_list_push(struct stmt_list *list, struct stmt *s);
void ast_program_push(struct program *prog, struct item item);

void ast_expr_free(struct expr *e);
void ast_stmt_free(struct stmt *s);
void ast_program_free(struct program *prog);

/* Whether s is a statistic: count, hist, limit, quota or sample, the
 * statements that name a map and keep what they say in s->u.stat. The one
 * place that lists them: a new statistic kind is added here. */
bool ast_is_stat(const struct stmt *s);

const char *ast_op_str(enum op op);            /* "==", "and", ... */
const char *ast_type_str(const struct type *t); /* "u16", "IPv4 address", ... */
const char *ast_unit_str(enum amount_unit u);   /* "packets", "bytes", "bits" */

/* Print the tree, one node per line (lwtc --dump-ast; for debugging). */
#include <stdio.h>
void ast_dump(FILE *out, const struct program *prog);

#endif
