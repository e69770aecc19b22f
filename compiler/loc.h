/* loc.h: source locations. This is the parser's YYLTYPE, so that nothing
 * outside the parser depends on bison. */
#ifndef LWTC_LOC_H
#define LWTC_LOC_H

struct loc {
	const char *file;
	int first_line, first_column;   /* 1-based */
	int last_line, last_column;     /* inclusive: the last character */
};

/* The location that spans from the start of a to the end of b. */
static inline struct loc loc_span(const struct loc *a, const struct loc *b)
{
	struct loc l = *a;
	l.last_line = b->last_line;
	l.last_column = b->last_column;
	return l;
}

#endif
