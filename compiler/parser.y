/* parser.y: the grammar of the lwtp policy language.
 *
 * Actions only build AST nodes, each with its location. Syntax errors are
 * reported through diag.h with what was expected; 'error ;' recovery lets
 * one run report several of them.
 */
%define api.pure full
%define api.location.type {struct loc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0

%param {yyscan_t scanner}
%parse-param {struct program *prog}

%code requires {
#include <stdbool.h>
#include <stdint.h>
#include "ast.h"
#include "loc.h"
typedef void *yyscan_t;
struct size_clause { uint64_t n; bool given; struct loc loc; };
/* an integer literal, and whether it carried a size unit (1kB) */
struct int_lit { uint64_t v; bool unit; };
/* a ratio, M/N */
struct ratio { uint64_t num, den; };
}

%code provides {
int yylex(YYSTYPE *yylval, YYLTYPE *yylloc, yyscan_t scanner);
/* parse.c: yylex, and the tokens it gave, for syntax errors */
int parse_lex(YYSTYPE *yylval, YYLTYPE *yylloc, yyscan_t scanner);
void yyerror(YYLTYPE *loc, yyscan_t scanner, struct program *prog, const char *msg);
}

%code {
#include <stdio.h>
#include <string.h>
#include "diag.h"
#include "lex.h"
#include "parse.h"
#include "setfile.h"
#include "tuple.h"
#include "util.h"

/* Tokens come through parse.c, which remembers them for syntax errors. */
#define yylex parse_lex

/* Keep the file name in every location, also for empty rules. */
#define YYLLOC_DEFAULT(Cur, Rhs, N) do {                                   \
	if (N) {                                                           \
		(Cur) = YYRHSLOC(Rhs, 1);                                  \
		(Cur).last_line = YYRHSLOC(Rhs, N).last_line;              \
		(Cur).last_column = YYRHSLOC(Rhs, N).last_column;          \
	} else {                                                           \
		(Cur) = YYRHSLOC(Rhs, 0);                                  \
		(Cur).first_line = (Cur).last_line;                        \
		(Cur).first_column = (Cur).last_column;                    \
	}                                                                  \
} while (0)

static struct stmt *stat_stmt(const YYLTYPE *loc, enum stmt_kind kind,
			      char *name, const YYLTYPE *name_loc)
{
	struct stmt *s = ast_stmt(loc, kind);
	s->u.stat.name = name;
	s->u.stat.name_loc = *name_loc;
	return s;
}

/* limit and quota: the statement, its keys, size, action and condition */
static struct stmt *budget_stmt(const YYLTYPE *loc, enum stmt_kind kind, char *name,
				const YYLTYPE *name_loc, struct expr_list *keys,
				const struct size_clause *size, struct action *action,
				struct expr *cond)
{
	struct stmt *s = stat_stmt(loc, kind, name, name_loc);
	s->u.stat.keys = *keys;
	s->u.stat.size = size->n;
	s->u.stat.has_size = size->given;
	s->u.stat.size_loc = size->loc;
	s->u.stat.action = *action;
	s->cond = cond;
	return s;
}

#define set_wire(stat, clause) do {                                        \
	(stat)->wire = (clause)->given;                                    \
	(stat)->wire_loc = (clause)->loc;                                  \
} while (0)

#define set_size(stat, clause) do {                                        \
	(stat)->size = (clause)->n;                                        \
	(stat)->has_size = (clause)->given;                                \
	(stat)->size_loc = (clause)->loc;                                  \
} while (0)
}

%union {
	uint64_t num;
	char *str;
	struct addr addr;
	struct expr *expr;
	struct stmt *stmt;
	struct const_decl *konst;
	struct policy *policy;
	struct expr_list list;
	struct stmt_list stmts;
	struct size_clause size;
	struct set_decl *set_decl;
	struct int_lit ilit;
	struct rate rate;
	struct ratio ratio;
	struct action action;
	struct map_lit *map;
	struct map_value mapval;
}

%token <str>  IDENT   "name"
%token <ilit> INT     "number"
%token <addr> ADDR    "address"
%token <rate> RATE    "rate value"
%token <ratio> RATIO  "ratio (1/N)"
%token <str>  STRING  "string"
%token POLICY "policy" CONST "const" COUNT "count" HIST "hist"
%token DROP "drop" PASS "pass" SET "set" IF "if" ELSE "else"
%token BY "by" SIZE "size" IN "in" AND "and" OR "or" NOT "not"
%token LOG2 "log2" LINEAR "linear" TRUE "true" FALSE "false"
%token LIMIT "limit" QUOTA "quota" RATE_KW "rate" BURST "burst" FILE_ "file"
%token SAMPLE "sample" SNAPLEN "snaplen" AUDIT "audit" MAP "map" VMAP "vmap"
%token WIRE "wire"     /* only right after a statistic's name (parse.c); a name elsewhere */
%token ARROW "->"
%token EQ "==" NE "!=" LT "<" LE "<=" GT ">" GE ">=" DOTDOT ".."

%left OR
%left AND
%precedence UNOT
%nonassoc EQ NE LT LE GT GE IN NOT
%left '|'
%left '&'

%type <expr> expr primary field range_bound element cond_opt key
%type <list> elements keys key_list tuple_fields tuple_set tuple_elements set_types
%type <expr> tuple_element
%type <stmt> stmt stat_stmt if_stmt budget sample_stmt
%type <size> snaplen_opt
%type <action> action_opt
%type <stmts> stmts block
%type <size> size_opt wire_opt
%type <konst> const_decl
%type <set_decl> set_decl map_decl
%type <policy> policy
%type <map> map_body map_elements tuple_map_body tuple_map_elements
%type <mapval> map_value

%destructor { free($$); } <str>
%destructor { ast_expr_free($$.target); ast_expr_free($$.value); } <action>
%destructor { ast_expr_free($$); } <expr>
%destructor { ast_map_free($$); } <map>
%destructor { ast_expr_free($$.value); } <mapval>
%destructor { ast_stmt_free($$); } <stmt>
%destructor {
	for (size_t i = 0; i < $$.len; i++) ast_expr_free($$.items[i]);
	free($$.items);
} <list>
%destructor {
	for (size_t i = 0; i < $$.len; i++) ast_stmt_free($$.items[i]);
	free($$.items);
} <stmts>

%%

file
	: %empty
	| file const_decl   { ast_program_push(prog, (struct item){ .kind = ITEM_CONST, .u.konst = $2 }); }
	| file policy       { ast_program_push(prog, (struct item){ .kind = ITEM_POLICY, .u.policy = $2 }); }
	| file set_decl     { ast_program_push(prog, (struct item){ .kind = ITEM_SET, .u.set = $2 }); }
	| file map_decl     { ast_program_push(prog, (struct item){ .kind = ITEM_SET, .u.set = $2 }); }
	| file error '}'    { parse_cancel_insert(); }
	| file error ';'    { if (parse_resynced()) yyerrok; }
	;

const_decl
	: "const" IDENT '=' expr ';'    { $$ = ast_const(&@$, $2, &@2, $4); }
	| "const" IDENT '=' '{' tuple_elements '}' ';' {
		$$ = ast_const(&@$, $2, &@2, tuple_const_set(&@4, &@6, &$5));
	}
	| "const" IDENT '=' '{' tuple_elements ',' '}' ';' {
		$$ = ast_const(&@$, $2, &@2, tuple_const_set(&@4, &@7, &$5));
	}
	;

set_decl
	: "set" IDENT ':' IDENT size_opt ';' {
		$$ = ast_set_decl(&@$, $2, &@2, $4, &@4);
		$$->size = $5.n;
		$$->has_size = $5.given;
		$$->size_loc = $5.loc;
	}
	| "set" IDENT ':' '(' set_types ')' size_opt ';' {
		struct loc types = loc_span(&@4, &@6);
		$$ = ast_set_decl(&@$, $2, &@2, tuple_type_text(&$5), &types);
		$$->tuple = $5;
		$$->size = $7.n;
		$$->has_size = $7.given;
		$$->size_loc = $7.loc;
	}
	;

/* the component types of a set of tuples, '(ip, port)' */
set_types
	: IDENT                         { $$ = (struct expr_list){ 0 }; ast_expr_list_push(&$$, ast_name(&@1, $1)); }
	| set_types ',' IDENT           { $$ = $1; ast_expr_list_push(&$$, ast_name(&@3, $3)); }
	;

/* a runtime map: a set_decl with a value */
map_decl
	: "map" IDENT ':' IDENT "->" IDENT size_opt ';' {
		$$ = ast_set_decl(&@$, $2, &@2, $4, &@4);
		$$->value_name = $6;
		$$->value_loc = @6;
		$$->size = $7.n;
		$$->has_size = $7.given;
		$$->size_loc = $7.loc;
	}
	| "map" IDENT ':' '(' set_types ')' "->" IDENT size_opt ';' {
		struct loc types = loc_span(&@4, &@6);
		$$ = ast_set_decl(&@$, $2, &@2, tuple_type_text(&$5), &types);
		$$->tuple = $5;
		$$->value_name = $8;
		$$->value_loc = @8;
		$$->size = $9.n;
		$$->has_size = $9.given;
		$$->size_loc = $9.loc;
	}
	;

policy
	: "policy" IDENT block          { $$ = ast_policy(&@$, $2, &@2, &$3); }
	| "audit" "policy" IDENT block  {
		$$ = ast_policy(&@$, $3, &@3, &$4);
		$$->audit = true;
		$$->audit_loc = @1;
	}
	;

block
	: '{' stmts '}'                 { $$ = $2; }
	;

stmts
	: %empty                        { $$ = (struct stmt_list){ 0 }; }
	| stmts stmt                    { $$ = $1; if ($2) ast_stmt_list_push(&$$, $2); }
	;

stmt
	: stat_stmt
	| budget
	| sample_stmt
	| "drop" cond_opt ';'           { $$ = ast_stmt(&@$, STMT_DROP); $$->cond = $2; }
	| "pass" cond_opt ';'           { $$ = ast_stmt(&@$, STMT_PASS); $$->cond = $2; }
	| "set" field '=' expr cond_opt ';' {
		$$ = ast_stmt(&@$, STMT_SET);
		$$->u.set.target = $2;
		$$->u.set.value = $4;
		$$->cond = $5;
	}
	| "set" field '=' expr "map" map_body cond_opt ';' {
		$$ = ast_stmt(&@$, STMT_SET);
		$$->u.set.target = $2;
		$$->u.set.value = $4;
		$$->u.set.map = $6;
		$$->cond = $7;
	}
	| "set" field '=' expr "map" IDENT cond_opt ';' {
		$$ = ast_stmt(&@$, STMT_SET);
		$$->u.set.target = $2;
		$$->u.set.value = $4;
		$$->u.set.map_name = $6;
		$$->u.set.map_name_loc = @6;
		$$->cond = $7;
	}
	| "set" field '=' '(' tuple_fields ')' "map" tuple_map_body cond_opt ';' {
		$$ = tuple_map(&@$, STMT_SET, $2, &$5, $8, $9);
	}
	| "set" field '=' '(' tuple_fields ')' "map" IDENT cond_opt ';' {
		struct loc t = loc_span(&@4, &@6);
		$$ = tuple_map_runtime(&@$, STMT_SET, $2, &$5, &t, $8, &@8, $9);
	}
	| "vmap" '(' tuple_fields ')' tuple_map_body cond_opt ';' {
		$$ = tuple_map(&@$, STMT_VMAP, NULL, &$3, $5, $6);
	}
	| "vmap" '(' tuple_fields ')' IDENT cond_opt ';' {
		struct loc t = loc_span(&@2, &@4);
		$$ = tuple_map_runtime(&@$, STMT_VMAP, NULL, &$3, &t, $5, &@5, $6);
	}
	| "vmap" expr map_body cond_opt ';' {
		$$ = ast_stmt(&@$, STMT_VMAP);
		$$->u.set.value = $2;
		$$->u.set.map = $3;
		$$->cond = $4;
	}
	| "vmap" expr IDENT cond_opt ';' {
		$$ = ast_stmt(&@$, STMT_VMAP);
		$$->u.set.value = $2;
		$$->u.set.map_name = $3;
		$$->u.set.map_name_loc = @3;
		$$->cond = $4;
	}
	| if_stmt
	| const_decl                    { $$ = ast_stmt(&@$, STMT_CONST); $$->u.konst = $1; }
	| error ';'                     { $$ = NULL; if (parse_resynced()) yyerrok; }
	;

stat_stmt
	: "count" IDENT wire_opt keys size_opt cond_opt ';' {
		$$ = stat_stmt(&@$, STMT_COUNT, $2, &@2);
		set_wire(&$$->u.stat, &$3);
		$$->u.stat.keys = $4;
		set_size(&$$->u.stat, &$5);
		$$->cond = $6;
	}
	| "hist" IDENT wire_opt "log2" '(' expr ')' keys size_opt cond_opt ';' {
		$$ = stat_stmt(&@$, STMT_HIST, $2, &@2);
		set_wire(&$$->u.stat, &$3);     /* an error: the checker says why */
		$$->u.stat.hist = HIST_LOG2;
		$$->u.stat.value = $6;
		$$->u.stat.keys = $8;
		set_size(&$$->u.stat, &$9);
		$$->cond = $10;
	}
	| "hist" IDENT wire_opt "linear" '(' expr ',' INT ',' INT ',' INT ')' keys size_opt cond_opt ';' {
		$$ = stat_stmt(&@$, STMT_HIST, $2, &@2);
		set_wire(&$$->u.stat, &$3);
		$$->u.stat.hist = HIST_LINEAR;
		$$->u.stat.value = $6;
		$$->u.stat.lin_min = $8.v;
		$$->u.stat.lin_max = $10.v;
		$$->u.stat.lin_step = $12.v;
		$$->u.stat.lin_min_loc = @8;
		$$->u.stat.lin_max_loc = @10;
		$$->u.stat.lin_step_loc = @12;
		$$->u.stat.keys = $14;
		set_size(&$$->u.stat, &$15);
		$$->cond = $16;
	}
	;

budget
	: "limit" IDENT wire_opt "rate" RATE "burst" INT keys size_opt action_opt cond_opt ';' {
		$$ = budget_stmt(&@$, STMT_LIMIT, $2, &@2, &$8, &$9, &$10, $11);
		set_wire(&$$->u.stat, &$3);
		$$->u.stat.rate = $5;
		$$->u.stat.rate_loc = @5;
		$$->u.stat.amount = $7.v;
		$$->u.stat.amount_unit = $7.unit;
		$$->u.stat.amount_loc = @7;
	}
	| "quota" IDENT wire_opt INT keys size_opt action_opt cond_opt ';' {
		$$ = budget_stmt(&@$, STMT_QUOTA, $2, &@2, &$5, &$6, &$7, $8);
		set_wire(&$$->u.stat, &$3);
		$$->u.stat.amount = $4.v;
		$$->u.stat.amount_unit = $4.unit;
		$$->u.stat.amount_loc = @4;
	}
	;

/* count, limit, quota NAME wire: what goes on the wire (see Wire packets) */
wire_opt
	: %empty                        { $$ = (struct size_clause){ 0 }; }
	| "wire"                        { $$ = (struct size_clause){ 0, true, @1 }; }
	;

sample_stmt
	: "sample" IDENT RATIO snaplen_opt size_opt cond_opt ';' {
		$$ = stat_stmt(&@$, STMT_SAMPLE, $2, &@2);
		$$->u.stat.ratio_num = $3.num;
		$$->u.stat.ratio_den = $3.den;
		$$->u.stat.ratio_loc = @3;
		$$->u.stat.snaplen = $4.n;
		$$->u.stat.snaplen_loc = $4.loc;
		set_size(&$$->u.stat, &$5);
		$$->cond = $6;
	}
	;

snaplen_opt
	: %empty                        { $$ = (struct size_clause){ 0 }; }
	| "snaplen" INT                 { $$ = (struct size_clause){ $2.v, true, @2 }; }
	;

action_opt
	: %empty                        { $$ = (struct action){ .kind = ACTION_DROP, .loc = @$ }; }
	| "else" "drop"                 { $$ = (struct action){ .kind = ACTION_DROP, .given = true, .loc = @$ }; }
	| "else" "count"                { $$ = (struct action){ .kind = ACTION_COUNT, .given = true, .loc = @$ }; }
	| "else" "set" field '=' expr {
		$$ = (struct action){ .kind = ACTION_SET, .given = true, .target = $3,
				      .value = $5, .loc = @$ };
	}
	;

keys
	: %empty                        { $$ = (struct expr_list){ 0 }; }
	| "by" key                      { $$ = (struct expr_list){ 0 }; ast_expr_list_push(&$$, $2); }
	| "by" '(' key_list ')'         { $$ = $3; }
	;

key_list
	: key                           { $$ = (struct expr_list){ 0 }; ast_expr_list_push(&$$, $1); }
	| key_list ',' key              { $$ = $1; ast_expr_list_push(&$$, $3); }
	;

/* A key: a field, an address field with its prefix length(s): ip4.dst/24,
 * ip.dst/24/48 (there '24/48' is one token, a ratio) */
key
	: field
	| field '/' INT {
		if ($3.unit)
			diag_error(&@3, "a prefix length is a number of bits, without a unit");
		$$ = ast_key_prefix($1, 1, &$3.v, &@3);
	}
	| field '/' INT '/' INT {
		if ($3.unit || $5.unit)
			diag_error($3.unit ? &@3 : &@5, "a prefix length is a number of bits, without a unit");
		$$ = ast_key_prefix($1, 2, (uint64_t[]){ $3.v, $5.v }, (struct loc[]){ @3, @5 });
	}
	| field '/' RATIO               { $$ = ast_key_prefix_ratio($1, $3.num, $3.den, &@3); }
	;

size_opt
	: %empty                        { $$ = (struct size_clause){ 0 }; }
	| "size" INT                    { $$ = (struct size_clause){ $2.v, true, @2 }; }
	;

cond_opt
	: %empty                        { $$ = NULL; }
	| "if" expr                     { $$ = $2; }
	;

if_stmt
	: "if" expr block {
		$$ = ast_stmt(&@$, STMT_IF);
		$$->u.if_.test = $2;
		$$->u.if_.then_body = $3;
	}
	| "if" expr block "else" block {
		$$ = ast_stmt(&@$, STMT_IF);
		$$->u.if_.test = $2;
		$$->u.if_.then_body = $3;
		$$->u.if_.else_body = $5;
		$$->u.if_.has_else = true;
	}
	| "if" expr block "else" if_stmt {
		$$ = ast_stmt(&@$, STMT_IF);
		$$->u.if_.test = $2;
		$$->u.if_.then_body = $3;
		$$->u.if_.else_body = (struct stmt_list){ 0 };
		ast_stmt_list_push(&$$->u.if_.else_body, $5);
		$$->u.if_.has_else = true;
	}
	;

expr
	: primary
	| expr "or" expr                { $$ = ast_binary(&@$, OP_OR, $1, $3); }
	| expr "and" expr               { $$ = ast_binary(&@$, OP_AND, $1, $3); }
	| "not" expr %prec UNOT         { $$ = ast_unary(&@$, OP_NOT, $2); }
	| expr "==" expr                { $$ = ast_binary(&@$, OP_EQ, $1, $3); }
	| expr "!=" expr                { $$ = ast_binary(&@$, OP_NE, $1, $3); }
	| expr "<" expr                 { $$ = ast_binary(&@$, OP_LT, $1, $3); }
	| expr "<=" expr                { $$ = ast_binary(&@$, OP_LE, $1, $3); }
	| expr ">" expr                 { $$ = ast_binary(&@$, OP_GT, $1, $3); }
	| expr ">=" expr                { $$ = ast_binary(&@$, OP_GE, $1, $3); }
	| expr "in" expr                { $$ = ast_binary(&@$, OP_IN, $1, $3); }
	| expr "not" "in" expr %prec IN { $$ = ast_binary(&@$, OP_NOT_IN, $1, $4); }
	| '(' tuple_fields ')' "in" tuple_set {
		$$ = tuple_in(&@$, OP_IN, &$2, &$5, &@5);
	}
	| '(' tuple_fields ')' "not" "in" tuple_set %prec IN {
		$$ = tuple_in(&@$, OP_NOT_IN, &$2, &$6, &@6);
	}
	| '(' tuple_fields ')' "in" IDENT {
		struct loc t = loc_span(&@1, &@3);
		$$ = tuple_in_set(&@$, OP_IN, &$2, &t, ast_name(&@5, $5));
	}
	| '(' tuple_fields ')' "not" "in" IDENT %prec IN {
		struct loc t = loc_span(&@1, &@3);
		$$ = tuple_in_set(&@$, OP_NOT_IN, &$2, &t, ast_name(&@6, $6));
	}
	| expr '|' expr                 { $$ = ast_binary(&@$, OP_BITOR, $1, $3); }
	| expr '&' expr                 { $$ = ast_binary(&@$, OP_BITAND, $1, $3); }
	;

primary
	: field
	| IDENT                         { $$ = ast_name(&@$, $1); }
	| INT                           { $$ = ast_int(&@$, $1.v); }
	| ADDR                          { $$ = ast_addr(&@$, &$1); }
	| "file" STRING {
		/* an unterminated string was reported: no file is read */
		$$ = $2 ? setfile_read(&@$, $2, &@2) : ast_set(&@$, &(struct expr_list){ 0 });
	}
	| "true"                        { $$ = ast_bool(&@$, true); }
	| "false"                       { $$ = ast_bool(&@$, false); }
	| range_bound ".." range_bound  { $$ = ast_range(&@$, $1, $3); }
	| '{' elements '}'              { $$ = ast_set(&@$, &$2); }
	| '{' elements ',' '}'          { $$ = ast_set(&@$, &$2); }
	| '(' expr ')'                  { $$ = $2; $$->loc = @$; }
	;

/* A constant map: '{ KEY : VALUE, ... }', the keys as a set's elements */
map_body
	: '{' map_elements '}'          { $$ = $2; $$->loc = @$; $$->keys->loc = @$; }
	| '{' map_elements ',' '}'      { $$ = $2; $$->loc = @$; $$->keys->loc = @$; }
	;

map_elements
	: element ':' map_value         { $$ = ast_map_lit(&@$, $1, &$3); }
	| map_elements ',' element ':' map_value { $$ = $1; ast_map_push($$, $3, &$5); }
	;

/* A constant map keyed by tuples: '{ (K1, K2) : VALUE, ... }' */
tuple_map_body
	: '{' tuple_map_elements '}'    { $$ = $2; $$->loc = @$; $$->keys->loc = @$; }
	| '{' tuple_map_elements ',' '}' { $$ = $2; $$->loc = @$; $$->keys->loc = @$; }
	;

tuple_map_elements
	: tuple_element ':' map_value   { $$ = ast_map_lit(&@$, $1, &$3); }
	| tuple_map_elements ',' tuple_element ':' map_value { $$ = $1; ast_map_push($$, $3, &$5); }
	;

map_value
	: INT                           { $$ = (struct map_value){ .value = ast_int(&@$, $1.v), .loc = @$ }; }
	| IDENT                         { $$ = (struct map_value){ .value = ast_name(&@$, $1), .loc = @$ }; }
	| "drop"                        { $$ = (struct map_value){ .verdict = MAPV_DROP, .loc = @$ }; }
	| "pass"                        { $$ = (struct map_value){ .verdict = MAPV_PASS, .loc = @$ }; }
	;

range_bound
	: INT                           { $$ = ast_int(&@$, $1.v); }
	| IDENT                         { $$ = ast_name(&@$, $1); }
	;

/* A tuple, '(F1, F2, ...)', and a constant set of tuples: only in
 * 'TUPLE in SET' (tuple.c rewrites the test), or 'TUPLE in NAME' for a
 * runtime set of tuples */
tuple_fields
	: expr ',' expr                 { $$ = (struct expr_list){ 0 }; ast_expr_list_push(&$$, $1); ast_expr_list_push(&$$, $3); }
	| tuple_fields ',' expr         { $$ = $1; ast_expr_list_push(&$$, $3); }
	;

tuple_set
	: '{' tuple_elements '}'        { $$ = $2; }
	| '{' tuple_elements ',' '}'    { $$ = $2; }
	| "file" STRING {
		/* an unterminated string was reported: no file is read */
		$$ = $2 ? setfile_read_tuples(&@$, $2, &@2) : (struct expr_list){ 0 };
	}
	;

tuple_elements
	: tuple_element                 { $$ = (struct expr_list){ 0 }; ast_expr_list_push(&$$, $1); }
	| tuple_elements ',' tuple_element { $$ = $1; ast_expr_list_push(&$$, $3); }
	;

tuple_element
	: '(' element ',' elements ')' {
		struct expr_list l = { 0 };
		ast_expr_list_push(&l, $2);
		for (size_t i = 0; i < $4.len; i++)
			ast_expr_list_push(&l, $4.items[i]);
		free($4.items);
		$$ = ast_set(&@$, &l);
	}
	;

elements
	: element                       { $$ = (struct expr_list){ 0 }; ast_expr_list_push(&$$, $1); }
	| elements ',' element          { $$ = $1; ast_expr_list_push(&$$, $3); }
	;

element
	: INT                           { $$ = ast_int(&@$, $1.v); }
	| IDENT                         { $$ = ast_name(&@$, $1); }
	| ADDR                          { $$ = ast_addr(&@$, &$1); }
	| range_bound ".." range_bound  { $$ = ast_range(&@$, $1, $3); }
	;

field
	: IDENT '.' IDENT {
		$$ = ast_field(&@$, $1, $3, &@3, -1);
	}
	| IDENT '.' IDENT '[' INT ']' {
		$$ = ast_field(&@$, $1, $3, &@3, $5.v > 1000000 ? 1000000 : (int)$5.v);
	}
	;

%%

/* Syntax errors: "unexpected X, expected A, B or C", at the offending token;
 * a missing ';' right after the token before; a misspelt statement keyword
 * as such. */

/* The words that start a statement. */
static bool starts_statement(yysymbol_kind_t s)
{
	switch (s) {
	case YYSYMBOL_COUNT: case YYSYMBOL_HIST: case YYSYMBOL_DROP: case YYSYMBOL_PASS:
	case YYSYMBOL_SET: case YYSYMBOL_LIMIT: case YYSYMBOL_QUOTA: case YYSYMBOL_SAMPLE:
	case YYSYMBOL_IF: case YYSYMBOL_CONST: case YYSYMBOL_VMAP:
		return true;
	default:
		return false;
	}
}

/* The token of a statement's keyword. */
static int statement_token(yysymbol_kind_t s)
{
	switch (s) {
	case YYSYMBOL_COUNT:  return COUNT;
	case YYSYMBOL_HIST:   return HIST;
	case YYSYMBOL_DROP:   return DROP;
	case YYSYMBOL_PASS:   return PASS;
	case YYSYMBOL_SET:    return SET;
	case YYSYMBOL_LIMIT:  return LIMIT;
	case YYSYMBOL_QUOTA:  return QUOTA;
	case YYSYMBOL_SAMPLE: return SAMPLE;
	case YYSYMBOL_IF:     return IF;
	case YYSYMBOL_CONST:  return CONST;
	case YYSYMBOL_VMAP:   return VMAP;
	default:              return YYUNDEF;
	}
}

static bool has_symbol(const yysymbol_kind_t *list, int n, yysymbol_kind_t s)
{
	for (int i = 0; i < n; i++)
		if (list[i] == s)
			return true;
	return false;
}

/* "the 'count' statement", "the 'const' declaration": what the tokens on
 * the parser's stack began, found by the keyword that begins it ('else
 * drop' inside a statement is not one); *cond tells whether an 'if'
 * condition of it is on the stack. */
static void statement_name(const yypcontext_t *ctx, char *buf, size_t size, bool *cond)
{
	snprintf(buf, size, "the statement");
	*cond = false;
	for (const yy_state_t *p = ctx->yyssp; *p != 0; p--) {
		yysymbol_kind_t s = YY_ACCESSING_SYMBOL(*p);
		yysymbol_kind_t below = YY_ACCESSING_SYMBOL(p[-1]);
		*cond |= s == YYSYMBOL_IF;
		if (!starts_statement(s) || s == YYSYMBOL_IF || below == YYSYMBOL_ELSE)
			continue;
		bool declaration = s == YYSYMBOL_CONST ||
				   (s == YYSYMBOL_SET && below == YYSYMBOL_file);
		snprintf(buf, size, "the '%s' %s", yysymbol_name(s),
			 declaration ? "declaration" : "statement");
		return;
	}
}

/* Just after the token at prev. */
static struct loc after(const struct loc *prev)
{
	struct loc at = *prev;
	at.first_line = at.last_line = prev->last_line;
	at.first_column = at.last_column = prev->last_column + 1;
	return at;
}

/* A ';' was expected, and what came instead starts something new: the
 * end of a block or of the file, a word on a later line, or a word that
 * only starts a statement; or the '{' of an 'if' statement on a line of
 * its own, which read as the condition of the statement before. Reported
 * just after the last token of the statement, as clang does, and the ';'
 * is put back so that parsing goes on. */
static bool report_missing_semicolon(const yypcontext_t *ctx,
				     const yysymbol_kind_t *expected, int n)
{
	yysymbol_kind_t got = yypcontext_token(ctx);
	const YYLTYPE *loc = yypcontext_location(ctx);
	const struct loc *prev = parse_previous_token();
	const struct loc *before_if = parse_before_line_if();
	char what[64];
	bool cond;

	if (!prev || !has_symbol(expected, n, YYTRANSLATE(';')))
		return false;
	statement_name(ctx, what, sizeof(what), &cond);
	if (got == YYTRANSLATE('{') && cond && before_if) {
		struct loc at = after(before_if);
		diag_error(&at, "expected ';' after %s", what);
		parse_insert_semicolon_before_if(&at);
		return true;
	}
	bool ends = got == YYTRANSLATE('}') || got == YYSYMBOL_YYEOF ||
		    loc->first_line > prev->last_line ||
		    (starts_statement(got) && got != YYSYMBOL_IF && got != YYSYMBOL_SET) ||
		    got == YYSYMBOL_POLICY || got == YYSYMBOL_AUDIT;
	if (!ends)
		return false;
	struct loc at = after(prev);
	diag_error(&at, "expected ';' after %s", what);
	parse_insert_semicolon(&at);
	return true;
}

/* A name where a statement starts. A misspelt keyword (one typo, two
 * for longer words) is said so, and read as that keyword, so that the
 * rest of the statement is parsed; any other name lists the statements,
 * and parsing goes on after the next ';'. */
static void report_unknown_statement(const yypcontext_t *ctx,
				     const yysymbol_kind_t *expected, int n)
{
	const YYLTYPE *loc = yypcontext_location(ctx);
	const char *words[16];
	yysymbol_kind_t kinds[16];
	char list[256] = "", text[64] = "";
	size_t nwords = 0, used = 0;

	for (int i = 0; i < n && nwords + 1 < sizeof(words) / sizeof(words[0]); i++) {
		if (!starts_statement(expected[i]))
			continue;
		kinds[nwords] = expected[i];
		words[nwords++] = yysymbol_name(expected[i]);
		int w = snprintf(list + used, sizeof(list) - used, "%s'%s'",
				 used ? ", " : "", yysymbol_name(expected[i]));
		if (w > 0 && (size_t)w < sizeof(list) - used)
			used += (size_t)w;
	}
	words[nwords] = NULL;
	const char *name = parse_lookahead_name();
	const char *best = name ? diag_closest(name, words, strlen(name) > 4 ? 2 : 1) : NULL;
	if (best) {
		diag_error(loc, "unknown statement '%s'; did you mean '%s'?", name, best);
		for (size_t i = 0; i < nwords; i++)
			if (words[i] == best)
				parse_replace_lookahead(statement_token(kinds[i]));
		return;
	}
	parse_describe_token(text, sizeof(text), YYSYMBOL_IDENT, "name", loc);
	diag_error(loc, "syntax error: unexpected %s, expected a statement (%s) or '}'",
		   text, list);
	parse_resync_at_semicolon();
}

/* The word 'wire' where it is a name: after the keys of a statistic, a
 * second time, or after a statement that does not take it. */
static bool wire_misplaced(yysymbol_kind_t got)
{
	const char *name = got == YYSYMBOL_IDENT ? parse_lookahead_name() : NULL;

	return name && strcmp(name, "wire") == 0;
}

static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner,
				 struct program *prog)
{
	(void)scanner;
	(void)prog;
	enum { MAX_EXPECTED = 6 };
	yysymbol_kind_t all[YYNTOKENS];
	int n_all = yypcontext_expected_tokens(ctx, all, YYNTOKENS);
	const yysymbol_kind_t *expected = all;
	int n = n_all > MAX_EXPECTED ? 0 : n_all;
	const YYLTYPE *loc = yypcontext_location(ctx);
	yysymbol_kind_t got = yypcontext_token(ctx);

	if (n_all > 0 && report_missing_semicolon(ctx, all, n_all))
		return 0;
	/* only where a statement starts is 'hist' expected */
	if (got == YYSYMBOL_IDENT && has_symbol(all, n_all, YYSYMBOL_HIST)) {
		report_unknown_statement(ctx, all, n_all);
		return 0;
	}
	char what[128];
	parse_describe_token(what, sizeof(what), got, yysymbol_name(got), loc);
	if (n <= 0) {
		bool comparison = got == YYSYMBOL_EQ || got == YYSYMBOL_NE ||
				  got == YYSYMBOL_LT || got == YYSYMBOL_LE ||
				  got == YYSYMBOL_GT || got == YYSYMBOL_GE ||
				  got == YYSYMBOL_IN;
		diag_error(loc, "syntax error: unexpected %s%s", what,
			   comparison ? "; comparisons do not chain: join them with 'and'" : "");
		return 0;
	}
	char list[512] = "";
	size_t used = 0;
	for (int i = 0; i < n; i++) {
		char name[64];
		parse_describe_token(name, sizeof(name), expected[i],
				     yysymbol_name(expected[i]), NULL);
		const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", sep, name);
		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += (size_t)w;
	}
	bool rate = false;
	for (int i = 0; i < n; i++)
		rate |= expected[i] == YYSYMBOL_RATE;
	diag_error(loc, "syntax error: unexpected %s, expected %s%s", what, list,
		   rate ? "; a rate is N/s, N/min or N/h: 1000/s (packets), 1MB/s (bytes), "
			  "10Mbit/s (bits)"
			: wire_misplaced(got) ? "; 'wire' is written once, right after the name of "
						"a count, limit or quota"
			: parse_keyword_hint(got == YYSYMBOL_IDENT, loc));
	return 0;
}

void yyerror(YYLTYPE *loc, yyscan_t scanner, struct program *prog, const char *msg)
{
	(void)scanner;
	(void)prog;
	diag_error(loc, "%s", msg);
}
