/* clang.h: writing the output, and building generated C with clang. */
#ifndef LWTC_CLANG_H
#define LWTC_CLANG_H

#include <stdbool.h>
#include <stddef.h>

/* Write len bytes to path ("-" = stdout) through a temporary file that is
 * renamed into place, so a failed run never leaves a half-written file.
 * 0 or -errno; the error is printed. */
int clang_write_file(const char *path, const char *text, size_t len);

/* Compile C text into the BPF object at path ("-" = stdout). clang_path may
 * be NULL ($LWTC_CLANG, else the build's default). 0 or -errno/-1; errors
 * are printed. */
int clang_compile(const char *clang_path, const char *path, const char *text,
		  size_t len, bool verbose);

#endif
