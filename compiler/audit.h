/* audit.h: audit mode (lwtc --audit, 'audit policy NAME'): which statements
 * of an audit policy its map lwtp_audit_NAME counts, and the member of its
 * value each counts in (include/lwtp_contract.h, LWTP_AUDIT_PREFIX). The
 * checker bounds them, emit_maps.c writes the value's struct, emit.c the
 * counts. */
#ifndef LWTC_AUDIT_H
#define LWTC_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"

/* How many members s counts in, in its audit policy's map: one for drop,
 * pass, set, limit, quota; two for vmap (its drops, its passes); 0. */
size_t audit_counts(const struct stmt *s);

/* The member i of s counts in: "drop_12_5", "set_mark_14_9"; a vmap's
 * drops "drop_12_5" (0) and passes "pass_12_5" (1) (free it). */
char *audit_member(const struct stmt *s, size_t i);
/* The member of the packets that reach the policy's end: "end_20_1". */
char *audit_end_member(const struct policy *p);

/* What the member counts, for comments: "would drop", "passed", ... */
const char *audit_what(const struct stmt *s, size_t i);

/* The statements of p that count, the end included. */
size_t audit_count_stmts(struct policy *p);

/* The key type of p's audit map: "lwtp_srcfile_guard_2elwtp_t" for a
 * policy in .../guard.lwtp, or NULL (a plain __u32) when that name would
 * be too long (free it). */
char *audit_file_type(const char *file);

#endif
