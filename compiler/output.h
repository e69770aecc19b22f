/* output.h: writing what lwtc makes (the object, or the C with -S) to the
 * path -o names, the way a user expects of a compiler:
 *
 *   a regular file (or a new one)   through a temporary file beside it that
 *                                   is renamed into place: a failed run
 *                                   never leaves half a file; the mode is
 *                                   what the umask makes of 0666
 *   a character device, a FIFO,     written through (/dev/null, /dev/stdout,
 *   a socket or a symbolic link     a pipe): never replaced by a file
 *   "-"                             standard output
 *
 * and never over the input itself, a directory or a block device.
 */
#ifndef LWTC_OUTPUT_H
#define LWTC_OUTPUT_H

#include <stddef.h>

/* Whether path may take the output of input ("-": standard input): 0, or
 * -errno with the reason printed. */
int output_check(const char *path, const char *input);

/* Write len bytes to path. 0 or -errno; the error is printed. */
int output_write(const char *path, const void *data, size_t len);

/* A new, empty temporary file for a tool (clang) to write path's content
 * into: beside path when output_commit() will rename it into place, else
 * in $TMPDIR. Its name (free() it), or NULL with the error printed. It is
 * registered with util.h's cleanup_add(): a fatal signal removes it until
 * output_commit() or output_discard(). */
char *output_temp(const char *path);

/* Put the temporary file made by output_temp(path) in place as path (or
 * copy it there) and remove it. 0 or -errno; the error is printed. A
 * fatal signal may come while it waits (for a FIFO's reader). */
int output_commit(const char *temp, const char *path);

/* Remove the temporary file made by output_temp() unused. */
void output_discard(const char *temp);

/* Write all len bytes to fd (EINTR retried): 0 or -errno. */
int output_write_all(int fd, const void *data, size_t len);

/* $TMPDIR, else /tmp */
const char *output_tmpdir(void);

#endif
