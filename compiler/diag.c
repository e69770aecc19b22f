/* diag.c: collecting diagnostics and printing them with the source line and
 * a caret under the span, as gcc and nftables do. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

struct diag {
	enum diag_level level;
	struct loc loc;
	bool has_loc;
	char *msg;
};

/* Other files diagnostics may point into: sets read with 'file "PATH"'. */
struct source {
	char *file, *text;
	size_t len;
};

static struct {
	const char *file;
	const char *text;
	size_t len;
	struct source *sources;
	size_t nsources;
	struct diag *items;
	size_t n, cap;
	size_t errors;
	size_t warnings;      /* recorded: not counted under -w */
	enum diag_warnings warn_mode;
	size_t max_errors;
	bool capped;          /* an error past the cap was dropped */
	bool dropping_notes;  /* the last error was dropped: drop its notes too */
} D = { .max_errors = DIAG_MAX_ERRORS };

void diag_set_source(const char *file, const char *text, size_t len)
{
	D.file = file;
	D.text = text;
	D.len = len;
}

const char *diag_add_source(const char *file, const char *text, size_t len)
{
	struct source *src;

	for (size_t i = 0; i < D.nsources; i++)
		if (strcmp(D.sources[i].file, file) == 0)
			return D.sources[i].file;
	D.sources = xrealloc(D.sources, (D.nsources + 1) * sizeof(*D.sources));
	src = &D.sources[D.nsources++];
	src->file = xstrdup(file);
	src->text = xmalloc(len + 1);
	memcpy(src->text, text, len);
	src->text[len] = '\0';
	src->len = len;
	return src->file;
}

void diag_set_max_errors(size_t n)
{
	D.max_errors = n ? n : 1;
}

static char *vformat(const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	char *msg = xmalloc((size_t)(n > 0 ? n : 0) + 1);
	msg[0] = '\0';
	if (n > 0)
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
	return msg;
}

static bool same_loc(const struct loc *a, const struct loc *b)
{
	return a->file == b->file && a->first_line == b->first_line &&
	       a->first_column == b->first_column && a->last_line == b->last_line &&
	       a->last_column == b->last_column;
}

/* An error or a warning already recorded with the same text at the same
 * place: one test checked several times (a tuple's component, once per
 * element of its set: tuple.c) is reported once. Only the last records
 * are looked at: the repeats come one element after the other. */
static bool recorded(enum diag_level level, const struct loc *loc, const char *msg)
{
	if (level == DIAG_NOTE || !loc || loc->first_line <= 0)
		return false;
	for (size_t i = D.n > 64 ? D.n - 64 : 0; i < D.n; i++) {
		const struct diag *d = &D.items[i];
		if (d->level == level && d->has_loc && same_loc(&d->loc, loc) &&
		    strcmp(d->msg, msg) == 0)
			return true;
	}
	return false;
}

static void record(enum diag_level level, const struct loc *loc,
		   const char *fmt, va_list ap)
{
	char *msg = vformat(fmt, ap);

	if (recorded(level, loc, msg)) {
		D.dropping_notes = true;
		free(msg);
		return;
	}
	if (level == DIAG_ERROR) {
		if (D.errors >= D.max_errors) {
			D.capped = true;
			D.dropping_notes = true;
			free(msg);
			return;
		}
		D.errors++;
	}
	if (level == DIAG_WARNING) {
		if (D.warn_mode == DIAG_WARNINGS_OFF) {
			D.dropping_notes = true;
			free(msg);
			return;
		}
		D.warnings++;
	}
	if (level == DIAG_NOTE && D.dropping_notes) {
		free(msg);
		return;
	}
	if (level != DIAG_NOTE)
		D.dropping_notes = false;

	if (D.n == D.cap) {
		D.cap = D.cap ? 2 * D.cap : 16;
		D.items = xrealloc(D.items, D.cap * sizeof(*D.items));
	}
	struct diag *d = &D.items[D.n++];
	d->level = level;
	d->has_loc = loc != NULL && loc->first_line > 0;
	if (d->has_loc)
		d->loc = *loc;
	d->msg = msg;
}

#define RECORD(level, loc, fmt) do {                                    \
	va_list ap;                                                     \
	va_start(ap, fmt);                                              \
	record(level, loc, fmt, ap);                                    \
	va_end(ap);                                                     \
} while (0)

void diag_error(const struct loc *loc, const char *fmt, ...)
{
	RECORD(DIAG_ERROR, loc, fmt);
}

void diag_warning(const struct loc *loc, const char *fmt, ...)
{
	RECORD(DIAG_WARNING, loc, fmt);
}

void diag_note(const struct loc *loc, const char *fmt, ...)
{
	RECORD(DIAG_NOTE, loc, fmt);
}

void diag_error_noloc(const char *fmt, ...)
{
	RECORD(DIAG_ERROR, NULL, fmt);
}

size_t diag_error_count(void)
{
	return D.errors;
}

bool diag_too_many(void)
{
	return D.errors >= D.max_errors;
}

void diag_set_warnings(enum diag_warnings mode)
{
	D.warn_mode = mode;
}

size_t diag_warning_count(void)
{
	return D.warnings;
}

/* ---- printing ------------------------------------------------------------ */

static const char *level_str(enum diag_level level)
{
	switch (level) {
	case DIAG_ERROR:   return "error";
	case DIAG_WARNING: return D.warn_mode == DIAG_WARNINGS_ERROR ? "error" : "warning";
	case DIAG_NOTE:    return "note";
	}
	return "?";
}

/* The start of 1-based line `line` of file's source, and its length. */
static bool find_line(const char *file, int line, const char **start, size_t *len)
{
	const char *text = D.text;
	size_t text_len = D.len;

	for (size_t i = 0; file && file != D.file && i < D.nsources; i++)
		if (file == D.sources[i].file || strcmp(file, D.sources[i].file) == 0) {
			text = D.sources[i].text;
			text_len = D.sources[i].len;
			break;
		}
	if (!text || line < 1)
		return false;
	const char *p = text, *end = text + text_len;
	for (int l = 1; l < line; l++) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			return false;
		p++;
	}
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	*start = p;
	*len = (size_t)((nl ? nl : end) - p);
	if (*len && p[*len - 1] == '\r')
		(*len)--;
	return true;
}

static bool is_utf8_continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Whether line[0..len) is valid UTF-8 (so it can be echoed as it is). */
static bool valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2
			 : (c >> 3) == 30 ? 3 : (size_t)-1;
		if (n == (size_t)-1 || i + n >= len + (n ? 0 : 1))
			return false;
		for (size_t k = 1; k <= n; k++)
			if (!is_utf8_continuation(s[i + k]))
				return false;
		i += n + 1;
	}
	return true;
}

/* Echo the source line: control bytes and invalid UTF-8 become '?', so a
 * hostile file cannot drive the terminal. */
static void print_source_line(FILE *out, const unsigned char *s, size_t len,
			      const char *tail)
{
	bool utf8 = valid_utf8(s, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		if (c == '\t' || (c >= 0x20 && c < 0x7f) || (c >= 0x80 && utf8))
			fputc(c, out);
		else
			fputc('?', out);
	}
	fprintf(out, "%s\n", tail);
}

/* The caret line: the prefix copies tabs so the caret lines up, and counts
 * a UTF-8 character once. */
static void print_caret(FILE *out, const unsigned char *s, size_t len,
			int first_col, int last_col)
{
	size_t first = (size_t)(first_col > 0 ? first_col - 1 : 0);
	size_t last = (size_t)(last_col > 0 ? last_col - 1 : 0);
	if (first > len)
		first = len;
	if (last < first)
		last = first;
	for (size_t i = 0; i < first; i++) {
		if (s[i] == '\t')
			fputc('\t', out);
		else if (!is_utf8_continuation(s[i]))
			fputc(' ', out);
	}
	fputc('^', out);
	for (size_t i = first + 1; i <= last && i < len; i++)
		if (!is_utf8_continuation(s[i]))
			fputc('~', out);
	fputc('\n', out);
}

/* A source line longer than this is shown in part: the stretch around the
 * location, with "..." where it was cut. */
#define SHOWN_MAX 200
#define SHOWN_BEFORE 60     /* columns shown before the location */

/* The part [*from, *to) of a line of len bytes to show for a location that
 * starts at byte first; whole UTF-8 characters only. */
static void shown_part(const unsigned char *s, size_t len, size_t first, size_t *from,
		       size_t *to)
{
	*from = 0;
	*to = len;
	if (len <= SHOWN_MAX)
		return;
	if (first > len)
		first = len;
	*from = first > SHOWN_BEFORE ? first - SHOWN_BEFORE : 0;
	while (*from > 0 && is_utf8_continuation(s[*from]))
		(*from)--;
	*to = *from + SHOWN_MAX < len ? *from + SHOWN_MAX : len;
	while (*to < len && is_utf8_continuation(s[*to]))
		(*to)++;
}

static void print_one(FILE *out, const struct diag *d)
{
	/* a warning made an error says which option made it one, as gcc does */
	const char *tag = d->level == DIAG_WARNING && D.warn_mode == DIAG_WARNINGS_ERROR
			  ? " [-Werror]" : "";

	if (!d->has_loc) {
		fprintf(out, "%s: %s: %s%s\n", D.file ? D.file : "lwtc",
			level_str(d->level), d->msg, tag);
		return;
	}
	const struct loc *l = &d->loc;
	fprintf(out, "%s:%d:%d: %s: %s%s\n", l->file ? l->file : D.file,
		l->first_line, l->first_column, level_str(d->level), d->msg, tag);

	const char *line;
	size_t len, from, to;
	if (!find_line(l->file, l->first_line, &line, &len))
		return;
	int last_col = l->last_line == l->first_line ? l->last_column : (int)len;
	const unsigned char *s = (const unsigned char *)line;
	shown_part(s, len, (size_t)(l->first_column > 0 ? l->first_column - 1 : 0), &from, &to);
	fprintf(out, "%5d | %s", l->first_line, from ? "..." : "");
	print_source_line(out, s + from, to - from, to < len ? "..." : "");
	fprintf(out, "      | %s", from ? "   " : "");
	/* columns count from the start of what is shown */
	print_caret(out, s + from, to - from, l->first_column - (int)from, last_col - (int)from);
}

void diag_flush(FILE *out)
{
	for (size_t i = 0; i < D.n; i++) {
		print_one(out, &D.items[i]);
		free(D.items[i].msg);
	}
	if (D.capped || D.errors >= D.max_errors)
		fprintf(out, "%s: stopped after %zu errors\n",
			D.file ? D.file : "lwtc", D.max_errors);
	D.n = 0;
	D.capped = false;
	fflush(out);
}

void diag_reset(void)
{
	for (size_t i = 0; i < D.n; i++)
		free(D.items[i].msg);
	free(D.items);
	for (size_t i = 0; i < D.nsources; i++) {
		free(D.sources[i].file);
		free(D.sources[i].text);
	}
	free(D.sources);
	memset(&D, 0, sizeof(D));
	D.max_errors = DIAG_MAX_ERRORS;
}

/* ---- "did you mean" ------------------------------------------------------ */

int diag_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 1000;
	int prev[65], cur[65];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int best = prev[j - 1] + cost;
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
		memcpy(prev, cur, (lb + 1) * sizeof(int));
	}
	return prev[lb];
}

const char *diag_did_you_mean(const char *name, const char *const *candidates)
{
	const char *best = NULL;
	int best_d = 0;
	int limit = (int)strlen(name) / 3 + 1;   /* tolerate ~1 typo per 3 chars */
	if (limit > 3)
		limit = 3;
	for (; candidates && *candidates; candidates++) {
		int d = diag_distance(name, *candidates);
		if (d <= limit && (!best || d < best_d)) {
			best = *candidates;
			best_d = d;
		}
	}
	return best;
}

/* Levenshtein distance where a swap of neighbouring letters costs 1
 * (the optimal string alignment distance). */
static int swap_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 1000;
	int d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int best = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* Whether a and b hold the same letters, in any order. */
static bool same_letters(const char *a, const char *b)
{
	int count[256] = { 0 };

	for (; *a; a++)
		count[(unsigned char)*a]++;
	for (; *b; b++)
		count[(unsigned char)*b]--;
	for (int i = 0; i < 256; i++)
		if (count[i])
			return false;
	return true;
}

const char *diag_closest(const char *name, const char *const *candidates, int max)
{
	const char *best = NULL;
	int best_d = 0;

	/* of two as near, the one with name's letters ('conut': count, not const) */
	for (; candidates && *candidates; candidates++) {
		int d = swap_distance(name, *candidates);
		if (d > max)
			continue;
		if (!best || d < best_d ||
		    (d == best_d && same_letters(name, *candidates) && !same_letters(name, best))) {
			best = *candidates;
			best_d = d;
		}
	}
	return best;
}
