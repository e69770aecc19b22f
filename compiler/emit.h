/* emit.h: the C emitter. Writes one self-contained BPF C file for a checked
 * program: one SEC("<policy>") program per policy, its maps, and #line
 * directives that point back at the .lwtp source. */
#ifndef LWTC_EMIT_H
#define LWTC_EMIT_H

#include <stdio.h>
#include "ast.h"

/* Analyse the program (analyse.h), then write it. 0 on success, -errno
 * when writing failed. */
int emit_program(FILE *out, const struct program *prog);

#endif
