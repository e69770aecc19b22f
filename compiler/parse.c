/* parse.c: the front end's driver: scanner state, the parser, the tokens
 * between them (the last two, for syntax errors, and a ';' put back where
 * one was missing), and the words used to describe tokens in syntax errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "lex.h"
#include "parse.h"
#include "parser.h"
#include "lexer.h"
#include "util.h"

static struct {
	const char *text;
	size_t len;
} source;

struct token {
	int kind;               /* 0: none (YYEOF is only ever the lookahead) */
	YYSTYPE val;
	YYLTYPE loc;
};

/* The most tokens given again after a missing ';': an 'if' and its
 * condition, up to its '{'. */
#define AGAIN_MAX 256

/* What the parser was given. */
static struct {
	struct token prev, cur;     /* the last two tokens, cur the newest */
	int braces;                 /* '{' less '}' read from the scanner */
	/* the last 'if' and the tokens after it (copies), and the token
	 * before it; n > AGAIN_MAX: too many to keep */
	struct token since_if[AGAIN_MAX];
	size_t nif;
	struct loc before_if;
	bool if_starts_line;
	/* tokens to give before scanning again (copies), from pos on */
	struct token queue[AGAIN_MAX + 1];
	size_t qlen, qpos;
	/* a syntax error after which the parser may resume at the next ';' */
	bool resync;
	int resync_braces;
} tokens;

static struct token token_copy(const struct token *t)
{
	struct token c = *t;

	if ((c.kind == IDENT || c.kind == STRING) && c.val.str)
		c.val.str = xstrdup(c.val.str);
	return c;
}

static void token_free(struct token *t)
{
	if (t->kind == IDENT || t->kind == STRING)
		free(t->val.str);
	t->kind = 0;
}

static void forget_if(void)
{
	for (size_t i = 0; i < tokens.nif && i < AGAIN_MAX; i++)
		token_free(&tokens.since_if[i]);
	tokens.nif = 0;
}

static void forget_queue(void)
{
	for (size_t i = tokens.qpos; i < tokens.qlen; i++)
		token_free(&tokens.queue[i]);
	tokens.qlen = tokens.qpos = 0;
}

static void tokens_reset(void)
{
	forget_if();
	forget_queue();
	memset(&tokens, 0, sizeof(tokens));
}

/* 'wire' is a word only right after the name of a statistic ('count c
 * wire'), a name everywhere else: a policy may name a statistic, a const
 * or a set 'wire'. */
static bool is_wire_word(const struct token *t)
{
	int kw = tokens.prev.kind;

	return t->kind == IDENT && t->val.str && strcmp(t->val.str, "wire") == 0 &&
	       tokens.cur.kind == IDENT &&
	       (kw == COUNT || kw == HIST || kw == LIMIT || kw == QUOTA);
}

int parse_lex(YYSTYPE *val, YYLTYPE *loc, yyscan_t scanner)
{
	struct token t;

	if (tokens.qpos < tokens.qlen) {
		t = tokens.queue[tokens.qpos++];    /* the parser owns it now */
		if (tokens.qpos == tokens.qlen)
			tokens.qlen = tokens.qpos = 0;
		*val = t.val;
		*loc = t.loc;
	} else {
		t.kind = yylex(val, loc, scanner);
		t.val = *val;
		t.loc = *loc;
		tokens.braces += t.kind == '{' ? 1 : t.kind == '}' ? -1 : 0;
	}
	if (is_wire_word(&t)) {
		free(t.val.str);
		t.val.str = NULL;
		t.kind = WIRE;
		*val = t.val;
	}
	if (t.kind == IF) {
		forget_if();
		tokens.before_if = tokens.cur.loc;
		tokens.if_starts_line = tokens.cur.kind &&
					loc->first_line > tokens.cur.loc.last_line;
	}
	if (tokens.nif && tokens.cur.kind == ';')
		forget_if();
	if (t.kind == IF || tokens.nif) {
		if (tokens.nif < AGAIN_MAX)
			tokens.since_if[tokens.nif] = token_copy(&t);
		if (tokens.nif <= AGAIN_MAX)
			tokens.nif++;
	}
	tokens.prev = tokens.cur;
	tokens.cur = t;
	return t.kind;
}

const struct loc *parse_previous_token(void)
{
	return tokens.prev.kind ? &tokens.prev.loc : NULL;
}

const char *parse_lookahead_name(void)
{
	return tokens.cur.kind == IDENT ? tokens.cur.val.str : NULL;
}

const struct loc *parse_before_line_if(void)
{
	bool kept = tokens.nif > 0 && tokens.nif <= AGAIN_MAX;
	return kept && tokens.if_starts_line ? &tokens.before_if : NULL;
}

static void queue_semicolon(const struct loc *at)
{
	forget_queue();
	tokens.queue[tokens.qlen++] = (struct token){ .kind = ';', .loc = *at };
	parse_resync_at_semicolon();
}

void parse_insert_semicolon(const struct loc *at)
{
	if (tokens.qlen || !tokens.cur.kind || tokens.cur.kind == YYEOF)
		return;
	/* the parser discards (and frees) its lookahead before it takes the ';' */
	queue_semicolon(at);
	tokens.queue[tokens.qlen++] = token_copy(&tokens.cur);
}

void parse_replace_lookahead(int token)
{
	if (tokens.qlen || tokens.cur.kind != IDENT)
		return;
	queue_semicolon(&tokens.cur.loc);
	tokens.queue[tokens.qlen++] = (struct token){ .kind = token, .loc = tokens.cur.loc };
}

void parse_insert_semicolon_before_if(const struct loc *at)
{
	if (tokens.qlen || !parse_before_line_if())
		return;
	queue_semicolon(at);
	for (size_t i = 0; i < tokens.nif; i++)
		tokens.queue[tokens.qlen++] = token_copy(&tokens.since_if[i]);
}

void parse_cancel_insert(void)
{
	if (tokens.qlen && tokens.qpos == 0) {
		forget_queue();
		tokens.resync = false;
	}
}

void parse_resync_at_semicolon(void)
{
	tokens.resync = true;
	tokens.resync_braces = tokens.braces;
}

bool parse_resynced(void)
{
	bool clean = tokens.resync && tokens.braces == tokens.resync_braces;

	tokens.resync = false;
	return clean;
}

int parse_program(const char *file, const char *text, size_t len,
		  struct program *prog)
{
	struct lex_state st = { .file = file, .line = 1, .column = 1 };
	yyscan_t scanner;
	size_t errors_before = diag_error_count();

	source.text = text;
	source.len = len;
	tokens_reset();
	prog->file = file;
	if (yylex_init_extra(&st, &scanner) != 0) {
		diag_error_noloc("cannot start the scanner");
		return -1;
	}
	YY_BUFFER_STATE buf = yy_scan_bytes(text, (int)len, scanner);
	int rc = yyparse(scanner, prog);
	yy_delete_buffer(buf, scanner);
	yylex_destroy(scanner);
	tokens_reset();
	if (rc != 0 || diag_error_count() > errors_before)
		return -1;
	return 0;
}

/* The text of a one-line token, from the source, shortened when long. */
static void token_text(char *buf, size_t size, const struct loc *loc)
{
	buf[0] = '\0';
	if (!source.text || loc->first_line != loc->last_line)
		return;
	const char *p = source.text, *end = source.text + source.len;
	for (int l = 1; l < loc->first_line && p < end; p++)
		if (*p == '\n')
			l++;
	p += loc->first_column - 1;
	size_t n = (size_t)(loc->last_column - loc->first_column + 1);
	if (p < source.text || p + n > end)
		return;
	if (n > 40)
		n = 40;
	snprintf(buf, size, "%.*s%s", (int)n, p,
		 loc->last_column - loc->first_column + 1 > 40 ? "..." : "");
}

static bool is_token_class(const char *name)
{
	static const char *const classes[] = { "name", "number", "address", "rate value",
					       "string", NULL };
	for (const char *const *c = classes; *c; c++)
		if (!strcmp(name, *c))
			return true;
	return false;
}

void parse_describe_token(char *buf, size_t size, int kind,
			  const char *symbol_name, const struct loc *loc)
{
	(void)kind;
	if (symbol_name[0] == '\'' || !strcmp(symbol_name, "end of file") ||
	    !strcmp(symbol_name, "error")) {
		snprintf(buf, size, "%s", symbol_name);
		return;
	}
	if (!is_token_class(symbol_name)) {
		snprintf(buf, size, "'%s'", symbol_name);   /* keyword or operator */
		return;
	}
	char text[64] = "";
	if (loc)
		token_text(text, sizeof(text), loc);
	if (text[0])
		snprintf(buf, size, "%s '%s'", symbol_name, text);
	else
		snprintf(buf, size, "%s", symbol_name);
}

const char *parse_keyword_hint(bool is_name, const struct loc *loc)
{
	static char hint[96];
	char text[64] = "";
	if (!is_name)
		return "";
	token_text(text, sizeof(text), loc);
	const char *best = text[0] ? diag_did_you_mean(text, lex_keywords()) : NULL;
	if (!best)
		return "";
	snprintf(hint, sizeof(hint), "; did you mean '%s'?", best);
	return hint;
}
