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
void yyerror(YYLTYPE *loc, yyscan_t scanner, struct program *prog, const char *msg);
}

%code {
#include <stdio.h>
#include <string.h>
#include "diag.h"
#include "lex.h"
#include "parse.h"
#include "setfile.h"
#include "util.h"

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
%token SAMPLE "sample" SNAPLEN "snaplen" AUDIT "audit"
%token EQ "==" NE "!=" LT "<" LE "<=" GT ">" GE ">=" DOTDOT ".."

%left OR
%left AND
%precedence UNOT
%nonassoc EQ NE LT LE GT GE IN NOT
%left '|'
%left '&'

%type <expr> expr primary field range_bound element cond_opt
%type <list> elements keys key_list
%type <stmt> stmt stat_stmt if_stmt budget sample_stmt
%type <size> snaplen_opt
%type <action> action_opt
%type <stmts> stmts block
%type <size> size_opt
%type <konst> const_decl
%type <set_decl> set_decl
%type <policy> policy

%destructor { free($$); } <str>
%destructor { ast_expr_free($$.target); ast_expr_free($$.value); } <action>
%destructor { ast_expr_free($$); } <expr>
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
	| file error '}'
	| file error ';'
	;

const_decl
	: "const" IDENT '=' expr ';'    { $$ = ast_const(&@$, $2, &@2, $4); }
	;

set_decl
	: "set" IDENT ':' IDENT size_opt ';' {
		$$ = ast_set_decl(&@$, $2, &@2, $4, &@4);
		$$->size = $5.n;
		$$->has_size = $5.given;
		$$->size_loc = $5.loc;
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
	| if_stmt
	| const_decl                    { $$ = ast_stmt(&@$, STMT_CONST); $$->u.konst = $1; }
	| error ';'                     { $$ = NULL; }
	;

stat_stmt
	: "count" IDENT keys size_opt cond_opt ';' {
		$$ = stat_stmt(&@$, STMT_COUNT, $2, &@2);
		$$->u.stat.keys = $3;
		set_size(&$$->u.stat, &$4);
		$$->cond = $5;
	}
	| "hist" IDENT "log2" '(' expr ')' keys size_opt cond_opt ';' {
		$$ = stat_stmt(&@$, STMT_HIST, $2, &@2);
		$$->u.stat.hist = HIST_LOG2;
		$$->u.stat.value = $5;
		$$->u.stat.keys = $7;
		set_size(&$$->u.stat, &$8);
		$$->cond = $9;
	}
	| "hist" IDENT "linear" '(' expr ',' INT ',' INT ',' INT ')' keys size_opt cond_opt ';' {
		$$ = stat_stmt(&@$, STMT_HIST, $2, &@2);
		$$->u.stat.hist = HIST_LINEAR;
		$$->u.stat.value = $5;
		$$->u.stat.lin_min = $7.v;
		$$->u.stat.lin_max = $9.v;
		$$->u.stat.lin_step = $11.v;
		$$->u.stat.lin_loc = loc_span(&@7, &@11);
		$$->u.stat.keys = $13;
		set_size(&$$->u.stat, &$14);
		$$->cond = $15;
	}
	;

budget
	: "limit" IDENT "rate" RATE "burst" INT keys size_opt action_opt cond_opt ';' {
		$$ = budget_stmt(&@$, STMT_LIMIT, $2, &@2, &$7, &$8, &$9, $10);
		$$->u.stat.rate = $4;
		$$->u.stat.rate_loc = @4;
		$$->u.stat.amount = $6.v;
		$$->u.stat.amount_unit = $6.unit;
		$$->u.stat.amount_loc = @6;
	}
	| "quota" IDENT INT keys size_opt action_opt cond_opt ';' {
		$$ = budget_stmt(&@$, STMT_QUOTA, $2, &@2, &$4, &$5, &$6, $7);
		$$->u.stat.amount = $3.v;
		$$->u.stat.amount_unit = $3.unit;
		$$->u.stat.amount_loc = @3;
	}
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
	| "by" field                    { $$ = (struct expr_list){ 0 }; ast_expr_list_push(&$$, $2); }
	| "by" '(' key_list ')'         { $$ = $3; }
	;

key_list
	: field                         { $$ = (struct expr_list){ 0 }; ast_expr_list_push(&$$, $1); }
	| key_list ',' field            { $$ = $1; ast_expr_list_push(&$$, $3); }
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
	| expr '|' expr                 { $$ = ast_binary(&@$, OP_BITOR, $1, $3); }
	| expr '&' expr                 { $$ = ast_binary(&@$, OP_BITAND, $1, $3); }
	;

primary
	: field
	| IDENT                         { $$ = ast_name(&@$, $1); }
	| INT                           { $$ = ast_int(&@$, $1.v); }
	| ADDR                          { $$ = ast_addr(&@$, &$1); }
	| "file" STRING                 { $$ = setfile_read(&@$, $2, &@2); }
	| "true"                        { $$ = ast_bool(&@$, true); }
	| "false"                       { $$ = ast_bool(&@$, false); }
	| range_bound ".." range_bound  { $$ = ast_range(&@$, $1, $3); }
	| '{' elements '}'              { $$ = ast_set(&@$, &$2); }
	| '{' elements ',' '}'          { $$ = ast_set(&@$, &$2); }
	| '(' expr ')'                  { $$ = $2; $$->loc = @$; }
	;

range_bound
	: INT                           { $$ = ast_int(&@$, $1.v); }
	| IDENT                         { $$ = ast_name(&@$, $1); }
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

/* Syntax errors: "unexpected X, expected A, B or C", at the offending token. */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner,
				 struct program *prog)
{
	(void)scanner;
	(void)prog;
	enum { MAX_EXPECTED = 6 };
	yysymbol_kind_t expected[MAX_EXPECTED];
	int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED);
	const YYLTYPE *loc = yypcontext_location(ctx);
	yysymbol_kind_t got = yypcontext_token(ctx);

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
			: parse_keyword_hint(got == YYSYMBOL_IDENT, loc));
	return 0;
}

void yyerror(YYLTYPE *loc, yyscan_t scanner, struct program *prog, const char *msg)
{
	(void)scanner;
	(void)prog;
	diag_error(loc, "%s", msg);
}
