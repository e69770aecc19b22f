/* analyse_sets.h: how each constant set is matched, decided by the analysis
 * pass (analyse.c) before a line is written: '{ 80, 443, 8000..8080 }',
 * '{ 198.51.100.0/24, 2001:db8::/32 }', 'file "deny.txt"', and a single
 * address compared with '=='.
 *
 * The elements are merged into sorted, disjoint intervals, as nftables
 * does for interval sets: overlapping and adjacent prefixes and ranges
 * become one. Then
 *
 *   - integers: up to SET_LINEAR_MAX spans as written are compared one by
 *     one; up to SET_INLINE_MAX merged intervals make a balanced compare
 *     tree; more are binary-searched;
 *   - addresses, per family: the intervals are covered by prefixes again
 *     (10.0.0.0/24 and 10.0.1.0/24 make 10.0.0.0/23); up to SET_INLINE_MAX
 *     of them are masked compares of the header's words in network order;
 *     more are binary-searched.
 *
 * A search is made once for each set literal and kind (integer width or
 * address family), shared by every test of it, also across policies, and
 * numbered in the order the emitter writes the tests (lwtp_setN_has()).
 * emit_sets.c writes the compares, emit_search.c the searches.
 *
 * A constant map ('set F = KEY map { ... }', 'vmap KEY { ... }') is
 * planned the same way, per kind: its keys as intervals, flattened into
 * disjoint ones that each take the value of the innermost key holding
 * them (the longest prefix, the narrowest range); emit_search.c writes
 * lwtp_mapN_get(), which compares up to 16 intervals one by one and
 * searches more, with the values in an array beside the intervals.
 */
#ifndef LWTC_ANALYSE_SETS_H
#define LWTC_ANALYSE_SETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "fields.h"

typedef unsigned __int128 u128;

/* An interval of a set's values (integers, or addresses as 32- or 128-bit
 * numbers), inclusive. */
struct ival {
	u128 lo, hi;
	const char *name;       /* a named value or const, for a comment */
	uint64_t value;         /* a map's: the value of the key */
	size_t elem;            /* a map's: the key's index */
};

struct ivals {
	struct ival *v;
	size_t len, cap;
};

/* The low h bits set (h = 0..128). */
u128 analyse_low_bits(int h);

/* What a search compares: integers of 32 or 64 bits, IPv4 or IPv6 addresses. */
enum cset_kind { CSET_U32, CSET_U64, CSET_IP4, CSET_IP6 };

/* The search of one set literal, of one kind: lwtp_set<id>_has(),
 * lwtp_set<id>_has4(), lwtp_set<id>_has6(); or the lookup of a constant
 * map's keys of one kind, lwtp_map<id>_get(), _get4(), _get6(), which
 * also gives the value of the interval found. */
struct cset_search {
	const struct expr *lit;     /* the set literal; a map's keys */
	enum cset_kind kind;
	bool map;                   /* a map's: iv holds values; small ones compared inline */
	unsigned id;
	char *label;                /* what the set is, for a comment */
	size_t nelements;           /* as written */
	struct ivals iv;            /* merged */
	struct cset_search *next;   /* in order of id */
};

/* How 'VALUE in SET' is matched, for an integer VALUE. */
enum int_match_form {
	INT_MATCH_NONE,         /* the set is empty: 0 */
	INT_MATCH_ONE,          /* one span */
	INT_MATCH_LINEAR,       /* spans as written, one by one */
	INT_MATCH_TREE,         /* merged spans, a balanced compare tree */
	INT_MATCH_SEARCH,       /* a search */
};

struct int_match {
	enum int_match_form form;
	uint64_t max;           /* the largest value of VALUE's type */
	struct ivals spans;     /* ONE, LINEAR: as written; TREE: merged */
	const struct cset_search *search;
};

/* How an address field is matched against the addresses of one family. */
struct family_match {
	size_t tests;           /* 0: the set has no address of the family */
	struct ivals prefixes;  /* inline: lo the prefix, hi its length */
	const struct cset_search *search;   /* or a search (tests = 1) */
};

/* One test of a constant set: 'X in SET', 'X not in SET', and for
 * addresses 'ADDR_FIELD == CONSTANT' and '!='. */
struct set_match {
	const struct expr *test;    /* the comparison */
	bool addr;
	struct int_match ints;
	struct family_match fam[2]; /* IPv4, IPv6 */
};

/* A constant map's lookup ('set F = KEY map { ... }', 'vmap KEY { ... }'):
 * for an integer key, get[0]; for an address, get[0] IPv4 and get[1]
 * IPv6 (NULL: no key of that family, or the field has none). */
struct map_match {
	const struct stmt *stmt;
	bool addr;
	const struct cset_search *get[2];
};

struct set_plan {
	struct set_match *matches;  /* sorted by test once planned */
	size_t len, cap;
	struct map_match *maps;     /* sorted by statement once planned */
	size_t nmaps, maps_cap;
	struct cset_search *searches, **tail;
	unsigned nsearches;
	unsigned uses;              /* enum use: USE_SEARCH, USE_IP4_CONST */
};

/* Plan the tests of constant sets in x, to be written in the order the
 * calls come: the searches are numbered as the emitter meets them. */
void analyse_sets_expr(struct set_plan *sp, struct expr *x);
/* Plan the lookup of the constant map of s (STMT_SET or STMT_VMAP), after
 * analyse_sets_expr() on its condition and key. */
void analyse_map_stmt(struct set_plan *sp, const struct stmt *s);
/* The plan of s's map; NULL when the analysis missed it. */
const struct map_match *analyse_map_match(const struct set_plan *sp, const struct stmt *s);
/* After the last analyse_sets_expr(): ready for analyse_set_match(). */
void analyse_sets_done(struct set_plan *sp);
/* The plan of the comparison test; NULL when it is not a test of a
 * constant set (or the analysis missed it). */
const struct set_match *analyse_set_match(const struct set_plan *sp, const struct expr *test);
void analyse_sets_free(struct set_plan *sp);

/* Whether a comparison of l and r compares addresses. */
bool analyse_is_addr_compare(const struct expr *l, const struct expr *r);
/* Whether an address field can hold an address of that family (4 or 6). */
bool analyse_field_has_family(const struct field_def *f, int family);
/* The keys of map m of one kind (family 0: integers; 4 or 6: addresses
 * of that family) appended to out, as intervals with their values and
 * indexes. */
void analyse_map_keys(struct ivals *out, const struct map_lit *m, int family);
/* Sort map keys so that a key comes before the keys inside it, and call
 * fn on each pair of keys that overlap without one holding the other, or
 * are the same with different values (a the first written). */
void analyse_map_conflicts(struct ivals *s,
			   void (*fn)(void *ctx, const struct ival *a, const struct ival *b),
			   void *ctx);

/* Follow const names to the literal they stand for. */
const struct expr *analyse_resolve(const struct expr *x);

#endif
