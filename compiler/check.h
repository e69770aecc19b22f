/* check.h: the checking pass. Resolves names (consts, fields, named values),
 * computes types, and enforces the language's and the kernel's rules, with
 * a diagnostic at the right location for each violation. */
#ifndef LWTC_CHECK_H
#define LWTC_CHECK_H

#include "ast.h"

/* 0 when the program is valid, -1 when errors were reported (see diag.h). */
int check_program(struct program *prog);

#endif
