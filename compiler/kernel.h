/* kernel.h: the kernels lwtc's programs are for. A program lwtc emits
 * loads on every kernel from the target (--target-kernel, by default the
 * oldest supported) on; constructs that need a newer kernel than the
 * target are refused at the statement that uses them.
 *
 * Supported: Linux 6.1 (Debian 12's stock kernel) and later. The
 * generated code is checked on 6.1, 6.12 and the build machine's kernel
 * (make test-kernels); see docs/language.md, "Kernels".
 */
#ifndef LWTC_KERNEL_H
#define LWTC_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

/* A kernel version as a number that orders them: KERNEL(6, 10). */
#define KERNEL(major, minor) ((unsigned)(major) << 16 | (unsigned)(minor))
#define KERNEL_MAJOR(v) ((v) >> 16)
#define KERNEL_MINOR(v) ((v) & 0xffff)

/* The oldest kernel lwtc supports, and the default target. */
#define KERNEL_FLOOR KERNEL(6, 1)

/* "6.12", "6.12.118" or what uname -r says ("6.1.0-57-amd64"; the patch
 * level and suffix are ignored) into *v: 0; -1 when it is no version, -2
 * when it is older than KERNEL_FLOOR. */
int kernel_parse(const char *text, unsigned *v);

/* The target for this run (KERNEL_FLOOR unless set). */
void kernel_set_target(unsigned v);
unsigned kernel_target(void);

/* Whether the target has what a construct needs (since: 0 for any
 * supported kernel). */
bool kernel_target_has(unsigned since);

/* "6.10" */
const char *kernel_text(unsigned v, char *buf, size_t size);

#endif
