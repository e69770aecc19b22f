/* parse.h: running the scanner and the parser over a buffer. */
#ifndef LWTC_PARSE_H
#define LWTC_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"

/* Parse text (len bytes, may hold NULs) into prog. 0 when there were no
 * syntax errors, -1 when errors were reported through diag.h. */
int parse_program(const char *file, const char *text, size_t len,
		  struct program *prog);

/* Describe a token for a syntax error: 'policy', ';', end of file, or, for
 * an unexpected name or number (loc given), name 'foo' / number '12'. */
void parse_describe_token(char *buf, size_t size, int kind,
			  const char *symbol_name, const struct loc *loc);

/* The token before the parser's lookahead, or NULL at the start. */
const struct loc *parse_previous_token(void);

/* The lookahead's name when it is a name, else NULL. */
const char *parse_lookahead_name(void);

/* A ';' is missing before the lookahead: give the parser a ';' at `at`,
 * then the lookahead again, once its error recovery has discarded it.
 * The recovery that takes that ';' resynchronises (parse_resynced()). */
void parse_insert_semicolon(const struct loc *at);

/* The lookahead, a name, is a misspelt keyword: give the parser a ';' (to
 * end its error recovery) and then the keyword (token), at the name's
 * place. */
void parse_replace_lookahead(int token);

/* The syntax error just reported spoils only the rest of its statement:
 * the parser may report errors again from the next ';' on, unless braces
 * were skipped to reach it. */
void parse_resync_at_semicolon(void);

/* The token before the last 'if' when that 'if' starts a line, and it and
 * the tokens after it, up to a ';', are kept to be given again;
 * else NULL. (An 'if' statement after a statement without its ';' reads
 * as that statement's condition, up to the '{'.) */
const struct loc *parse_before_line_if(void);

/* A ';' is missing before that 'if': give the parser a ';' at `at`, then
 * the 'if' and what follows it up to the lookahead again. */
void parse_insert_semicolon_before_if(const struct loc *at);

/* The parser recovered at the lookahead parse_insert_semicolon() was to
 * give again (a '}' at top level): give neither it nor the ';'. */
void parse_cancel_insert(void);

/* Called where the parser recovers at a ';': whether it may report errors
 * again at once (yyerrok). Forgets the request. */
bool parse_resynced(void);

/* "; did you mean 'count'?" when an unexpected name is a misspelled
 * keyword, else "". Uses a static buffer. */
const char *parse_keyword_hint(bool is_name, const struct loc *loc);

#endif
