/* clang.h: building generated C with clang. */
#ifndef LWTC_CLANG_H
#define LWTC_CLANG_H

#include <stdbool.h>
#include <stddef.h>

/* BPF jumps reach 32767 instructions: clang 14 emits a larger program
 * with jumps the kernel refuses ("jump out of range"), and the verifier
 * grows a program when it rewrites context accesses and inlines map
 * lookups ("cannot be patched due to 16-bit range"; a chain of 'else if'
 * with a count in each grows by half). Half the range leaves room. */
#define CLANG_MAX_INSNS 16384
#define CLANG_OVERSIZE 1

/* A program that came out larger than CLANG_MAX_INSNS. */
struct clang_oversize {
	char *section;          /* the policy's name; free() it */
	size_t insns;
};

/* Compile C text into the BPF object at path ("-" = stdout). clang_path may
 * be NULL ($LWTC_CLANG, else the build's default). c_name is the name the
 * C goes by (a base name: "policy.c"): the object's debug and BTF line info
 * name lwtc's own code by it, so that a verifier message in that code
 * names the file 'lwtc -S' writes, with the line's text. 0 or -errno/-1;
 * errors are printed. CLANG_OVERSIZE, with *over filled in and nothing
 * written, when a program is too large: the caller reports it. */
int clang_compile(const char *clang_path, const char *path, const char *c_name,
		  const char *text, size_t len, bool verbose, struct clang_oversize *over);

#endif
