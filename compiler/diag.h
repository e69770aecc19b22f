/* diag.h: diagnostics, collected during all passes and printed at the end as
 *
 *   file:line:col: error: message
 *    12 |     drop if udp.dprot == 53;
 *       |             ^~~~~~~~~
 *   file:line:col: note: ...
 */
#ifndef LWTC_DIAG_H
#define LWTC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "loc.h"

enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

#define DIAG_MAX_ERRORS 20   /* after this many errors, stop reporting */

/* At most this many errors are recorded (lwtc --max-errors). */
void diag_set_max_errors(size_t n);

/* The source text of the file being compiled, for quoting lines. */
void diag_set_source(const char *file, const char *text, size_t len);

/* Another file that locations may name (a set read with 'file "PATH"'):
 * diag keeps a copy of name and text, to quote its lines, until
 * diag_reset(). Returns the copy of the name, to put in locations. */
const char *diag_add_source(const char *file, const char *text, size_t len);

/* Record a diagnostic. printf-style. A NOTE attaches to the previous
 * error or warning. */
void diag_error(const struct loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_warning(const struct loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_note(const struct loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What becomes of warnings: reported (the default), not reported (lwtc
 * -w), or reported as errors (lwtc -Werror): printed 'error: ...
 * [-Werror]', and each one fails the compile. Notes go with their
 * warning. */
enum diag_warnings { DIAG_WARNINGS_ON, DIAG_WARNINGS_OFF, DIAG_WARNINGS_ERROR };
void diag_set_warnings(enum diag_warnings mode);
/* Warnings recorded so far (none under -w): under -Werror, the compile
 * fails when this is not 0. They do not count in diag_error_count(), so
 * that every pass still runs and reports all of them. */
size_t diag_warning_count(void);

/* An error with no source location (e.g. "cannot read file"). */
void diag_error_noloc(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

size_t diag_error_count(void);
bool diag_too_many(void);   /* the cap was reached: passes may stop early */

/* Print everything recorded so far, in order, and forget it. */
void diag_flush(FILE *out);

/* Forget everything: diagnostics, counts, the cap and the source, as at
 * start-up. For programs that compile several inputs (the fuzzer). */
void diag_reset(void);

/* Best match for a misspelled name among candidates, or NULL when none is
 * close enough. Candidates end with NULL. */
const char *diag_did_you_mean(const char *name, const char *const *candidates);
/* Levenshtein distance, for callers that collect candidates themselves. */
int diag_distance(const char *a, const char *b);
/* The candidate nearest to name, at most max typos away, or NULL; two
 * neighbouring letters swapped are one typo ('cuont' is 'count', not
 * 'const'), and of two as near, one with name's letters wins ('conut').
 * Candidates end with NULL. */
const char *diag_closest(const char *name, const char *const *candidates, int max);

#endif
