/* walk.h: walking the syntax tree. A pass that wants every statement of a
 * policy, or every node of an expression, gives a visitor instead of
 * writing the recursion again. Passes that do their own work per block
 * (the checker's scopes, the emitter's braces) recurse themselves.
 *
 * A visitor returns what the walk does next:
 *   WALK_ON    go on, into what the node holds (an 'if's blocks, an
 *              expression's operands)
 *   WALK_OVER  go on, but past what the node holds
 *   WALK_STOP  end the walk; the walk returns WALK_STOP
 */
#ifndef LWTC_WALK_H
#define LWTC_WALK_H

#include "ast.h"

enum walk_next { WALK_ON, WALK_OVER, WALK_STOP };

typedef enum walk_next (*walk_stmt_fn)(struct stmt *s, struct policy *p, void *ctx);

/* Visit every statement of list and of the blocks nested in it, in the
 * order written: an 'if' before its then block, the then block before
 * the else block. p is the policy that list belongs to, handed to fn.
 * Statements a syntax error left out (NULL) are skipped. Returns
 * WALK_STOP when fn ended the walk, WALK_ON otherwise. */
enum walk_next walk_stmts(struct stmt_list *list, struct policy *p,
			  walk_stmt_fn fn, void *ctx);

typedef enum walk_next (*walk_expr_fn)(struct expr *e, int depth, void *ctx);

/* Visit e and the expressions in it, each before its operands, left to
 * right: a range's bounds, a set's elements, the operand of 'not', both
 * sides of a binary operator. depth is 0 at e and one more a level down;
 * a visitor that stops going down at some depth (WALK_OVER) bounds the
 * recursion on the long chains a parser builds for 'a or b or c ...'.
 * NULL operands are skipped. Returns as walk_stmts() does. */
enum walk_next walk_expr(struct expr *e, walk_expr_fn fn, void *ctx);

/* walk_expr() on each expression s holds itself, not those of its blocks:
 * its condition, a statistic's keys, histogram value and action's value, a
 * 'set' or 'vmap' statement's value or key, an 'if' statement's test.
 * Returns as walk_stmts() does. */
enum walk_next walk_stmt_exprs(struct stmt *s, walk_expr_fn fn, void *ctx);

#endif
