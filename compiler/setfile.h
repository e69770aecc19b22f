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

#endif
