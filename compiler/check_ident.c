/* check_ident.c: whether a statistic or policy name can become an
 * identifier in the generated C. Statistics become map variables and
 * policies become programs and ELF sections, so a name must not be a C
 * keyword, a macro or declaration of the BPF headers, or a name lwtc
 * reserves for itself.
 */
#include <stdlib.h>
#include <string.h>

#include "check_priv.h"
#include "diag.h"
#include "lex.h"
#include "lwtp_contract.h"

/* Every identifier of the BPF headers, the C keywords and lwtc's own names,
 * sorted (strcmp order), from scripts/reserved.sh. */
static const char *const reserved[] = {
#include "reserved.inc"
	NULL
};

static const char *const c_keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do",
	"double", "else", "enum", "extern", "float", "for", "goto", "if",
	"inline", "int", "long", "register", "restrict", "return", "short",
	"signed", "sizeof", "static", "struct", "switch", "typedef", "union",
	"unsigned", "void", "volatile", "while", "asm", "typeof", "bool",
	"true", "false", "alignas", "alignof", "constexpr", "nullptr",
	"static_assert", "thread_local", "typeof_unqual",
	NULL
};

static const char *const reserved_prefixes[] = { "lwtp_", "bpf_", "__", NULL };

static bool in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

static int compare_names(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool is_reserved(const char *name)
{
	size_t n = sizeof(reserved) / sizeof(reserved[0]) - 1;
	return bsearch(name, reserved, n, sizeof(reserved[0]), compare_names) != NULL;
}

static bool is_c_identifier(const char *name)
{
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')
	      || name[0] == '_'))
		return false;
	for (const char *p = name + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
		      || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static const char *reserved_prefix(const char *name)
{
	for (const char *const *p = reserved_prefixes; *p; p++)
		if (strncmp(name, *p, strlen(*p)) == 0)
			return *p;
	return NULL;
}

bool check_c_name(const char *name, const struct loc *loc, const char *what)
{
	const char *prefix;

	if (!name)
		return false;
	if (strlen(name) > LWTP_NAME_MAX) {
		diag_error(loc, "this %s name is %zu characters long; at most %d are allowed",
			   what, strlen(name), LWTP_NAME_MAX);
		return false;
	}
	if (!is_c_identifier(name)) {
		diag_error(loc, "'%s' cannot be a %s name: it must be a letter or '_' "
			   "followed by letters, digits and '_'", name, what);
		return false;
	}
	if (in_list(name, lex_keywords())) {
		diag_error(loc, "'%s' cannot be a %s name: it is a keyword of the language",
			   name, what);
		return false;
	}
	prefix = reserved_prefix(name);
	if (prefix) {
		diag_error(loc, "'%s' cannot be a %s name: names starting with '%s' are "
			   "reserved for the generated code", name, what, prefix);
		return false;
	}
	if (in_list(name, c_keywords)) {
		diag_error(loc, "'%s' cannot be a %s name: it is a C keyword, and the name "
			   "becomes a C identifier in the generated code", name, what);
		return false;
	}
	if (is_reserved(name)) {
		diag_error(loc, "'%s' cannot be a %s name: the generated C already uses it "
			   "(the BPF headers or lwtc define it)", name, what);
		return false;
	}
	return true;
}
