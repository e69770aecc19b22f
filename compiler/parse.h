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

/* "; did you mean 'count'?" when an unexpected name is a misspelled
 * keyword, else "". Uses a static buffer. */
const char *parse_keyword_hint(bool is_name, const struct loc *loc);

#endif
