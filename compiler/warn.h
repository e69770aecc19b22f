/* warn.h: the warnings pass, after check and before resources. It reports
 * what a checked policy says that cannot mean what it says, and changes
 * nothing:
 *
 *   - a condition, or a part of one, that no packet can satisfy
 *     ('udp.dport == 53 and tcp.dport == 53', 'tcp.dport == 1 and
 *     tcp.dport == 2', 'ip.proto == udp and tcp.flags & syn');
 *   - a constant set element that another element covers
 *     ('{ 198.51.100.0/24, 198.51.100.7 }'), with a note at the other;
 *   - a const named like a field's named value ('const tcp = 5;'), which
 *     it then hides.
 *
 * (Statements after an unconditional drop or pass are reported by the
 * check pass, which knows the blocks: "statement is never reached".)
 * Whether warnings are reported, or fail the compile, is diag.h's
 * (lwtc -w, -Werror).
 */
#ifndef LWTC_WARN_H
#define LWTC_WARN_H

#include "ast.h"

/* Report the warnings of a checked program. Returns 0: a warning never
 * stops the compile by itself (main.c fails it under -Werror). */
int warn_program(struct program *prog);

#endif
