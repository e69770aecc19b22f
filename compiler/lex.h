/* lex.h: what the scanner and the parser share besides tokens. */
#ifndef LWTC_LEX_H
#define LWTC_LEX_H

#include <stddef.h>

#include "loc.h"

#define LEX_MAX_NAME 255

struct lex_state {
	const char *file;
	int line, column;   /* of the next character */
};

/* Move past text, setting loc to the span it covers (YY_USER_ACTION). */
void lex_advance(struct lex_state *st, struct loc *loc, const char *text, size_t len);

/* The language's keywords, ending with NULL. */
const char *const *lex_keywords(void);

#endif
