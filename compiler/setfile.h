/* setfile.h: sets read from a file the policy names, 'file "deny.txt"'. */
#ifndef LWTC_SETFILE_H
#define LWTC_SETFILE_H

#include "ast.h"

/* The set of the elements in the file at path (taken over; relative to the
 * directory of the policy file that loc names): an EXPR_SET at loc whose
 * elements are located in that file. One element a line: an integer, a
 * range lo..hi, an address or a prefix; '#' starts a comment; blank lines
 * are skipped. Bad lines are reported at their line and column in the
 * file; a file that cannot be read, is not a regular file (a FIFO, a
 * device, a directory: refused without reading, or waiting) or is larger
 * than 64 MiB, at path_loc. Never NULL. */
struct expr *setfile_read(const struct loc *loc, char *path, const struct loc *path_loc);

/* The tuples in the file at path (taken over, as for setfile_read()), for
 * '(F1, F2) in file "conns.txt"': one a line, its components separated by
 * commas, in parentheses or not ('198.51.100.7, 443', '(2001:db8::7,
 * 53)'), each what a line of a set file holds; each tuple an EXPR_SET of
 * its components, located in the file. Errors as for setfile_read(). */
struct expr_list setfile_read_tuples(const struct loc *loc, char *path,
				     const struct loc *path_loc);

#endif
