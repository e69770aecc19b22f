/* jsonp.h: a small JSON reader for the test tools (caserun reads what
 * `lwtp replay --json` prints). The whole document becomes a tree.
 */
#ifndef LWTP_JSONP_H
#define LWTP_JSONP_H

#include <stdbool.h>
#include <stddef.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jnode {
	enum jtype type;
	bool b;
	double num;
	bool is_uint;                   /* a non-negative integer: in u */
	unsigned long long u;
	char *s;                        /* J_STR */
	int n;                          /* J_ARR, J_OBJ: children */
	struct jnode **kids;
	char **keys;                    /* J_OBJ */
};

/* Parse text; NULL with a message in err on a syntax error. */
struct jnode *jparse(const char *text, char *err, size_t errlen);
void jfree(struct jnode *n);

/* An object's member, or NULL. */
const struct jnode *jget(const struct jnode *obj, const char *key);

#endif
