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

/* What clang compiles, and what must come out of it. */
struct clang_source {
	/* the name the C goes by (a base name: "policy.c"): the object's
	 * debug and BTF line info name lwtc's own code by it, so that a
	 * verifier message in that code names the file 'lwtc -S' writes,
	 * with the line's text */
	const char *name;
	const char *text;
	size_t len;
	/* the policies' names: the object must have one program section
	 * of each name */
	const char *const *sections;
	size_t nsections;
	/* compiled in this many parts, at once, and linked (parts.c); 1:
	 * one compile */
	unsigned parts;
};

/* Compile src into the BPF object at path ("-" = stdout). clang_path may
 * be NULL ($LWTC_CLANG, else the build's default). What clang wrote is
 * put in place only when it is a BPF object with src's sections. 0 or
 * -errno; errors are printed. CLANG_OVERSIZE, with *over filled in and
 * nothing written, when a program is too large: the caller reports it.
 * A fatal signal meanwhile stops clang and removes the temporary files
 * (util.h). */
int clang_compile(const char *clang_path, const char *path, const struct clang_source *src,
		  bool verbose, struct clang_oversize *over);

#endif
