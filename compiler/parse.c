/* parse.c: the front end's driver: scanner state, the parser, and the words
 * used to describe tokens in syntax errors. */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "lex.h"
#include "parse.h"
#include "parser.h"
#include "lexer.h"

static struct {
	const char *text;
	size_t len;
} source;

int parse_program(const char *file, const char *text, size_t len,
		  struct program *prog)
{
	struct lex_state st = { .file = file, .line = 1, .column = 1 };
	yyscan_t scanner;
	size_t errors_before = diag_error_count();

	source.text = text;
	source.len = len;
	prog->file = file;
	if (yylex_init_extra(&st, &scanner) != 0) {
		diag_error_noloc("cannot start the scanner");
		return -1;
	}
	YY_BUFFER_STATE buf = yy_scan_bytes(text, (int)len, scanner);
	int rc = yyparse(scanner, prog);
	yy_delete_buffer(buf, scanner);
	yylex_destroy(scanner);
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
