/* emit_priv.h: what the files of the C emitter share.
 *
 *   emit.c          the file, one function per policy, statements, #line;
 *                   what to write is decided before, by analyse.c and
 *                   analyse_sets.c
 *   emit_maps.c     map key and value types, map definitions
 *   emit_expr.c     conditions and values: comparisons, sets, addresses
 *   emit_field.c    field reads and presence tests
 *   emit_text.c     string buffer, numbers, expressions as text
 *   emit_sets.c     membership in constant sets: the inline compares
 *   emit_search.c   the binary searches of large constant sets
 *   emit_prelude.c  the fixed C the programs call (packet header structs,
 *                   the parser, statistics helpers): which parts of
 *                   compiler/bpf/ a program gets
 *   emit_sample.c   the sample rings: their record, the draw
 */
#ifndef LWTC_EMIT_PRIV_H
#define LWTC_EMIT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analyse.h"
#include "ast.h"
#include "fields.h"
#include "resources.h"

/* ---- a growing string ------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
};

void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_puts(struct sbuf *b, const char *s);
void sb_free(struct sbuf *b);
/* the text so far ("" when empty); stays owned by b */
const char *sb_str(const struct sbuf *b);

/* ---- what a statement tests before it reads a field ----------------------- */

/* Presence tests a statement needs before it reads a field: "lwtp_pkt.tcp"
 * and friends. */
enum presence {
	P_IP    = 1 << 0,   /* lwtp_pkt.family: IPv4 or IPv6 */
	P_IP4   = 1 << 1,
	P_IP6   = 1 << 2,
	P_PROTO = 1 << 3,   /* lwtp_pkt.proto_ok */
	P_TCP   = 1 << 4,
	P_UDP   = 1 << 5,
	P_PORTS = 1 << 6,
	P_ICMP  = 1 << 7,
	P_ICMP6 = 1 << 8,
};

#define EMIT_MAX_MEMOS 16

struct emitter {
	FILE *out;
	const struct program *prog;
	/* what to write: the parts, every policy's plan, the constant sets'
	 * tests and searches (analyse.c) */
	const struct analysis *an;
	const struct policy_plan *plan;     /* the policy being written */
	int err;                /* -EINVAL: the analysis missed what was written */
	/* #line bookkeeping: the source line the next output line has */
	const char *file_lit;   /* the file name as a C string literal */
	int next_line;          /* 0: unknown (not under a #line) */
	bool named;             /* a #line with the file name was written */
	/* the policy being written: the fields read once at its top, into
	 * lwtp_v_NS_NAME, by field id (emit_field_cache()) */
	bool field_cached[ANALYSE_MAX_FIELDS];
	/* the policy being written: the address searches it tests more than
	 * once, each done once a packet into lwtp_foundN (emit_sets.c) */
	bool split;             /* compiled in parts (parts.c): maps LWTP_EXTERN */
	struct search_memo {
		const struct cset_search *search;
		bool src;
		int family;
		unsigned uses;
	} memos[EMIT_MAX_MEMOS];
	unsigned nmemos;
};

/* The analysis did not plan what the emitter is writing: say so, and make
 * emit_program() fail rather than write C that reads a header lwtp_parse()
 * did not look for, or tests a set nobody planned. */
void emit_unplanned(struct emitter *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- emit_sets.c: searches done once ---------------------------------------- */

/* Count the policy's tests of an address by a search, and declare
 * lwtp_foundN for each search tested more than once (before the
 * statements, after lwtp_parse()). */
void emit_search_memos(struct emitter *e, struct policy *p);

/* ---- emit_text.c ------------------------------------------------------------ */

/* The expression as the user writes it (for comments). */
void emit_expr_text(struct sbuf *b, const struct expr *x);
/* An address or prefix as the user writes it. */
void emit_addr_text(struct sbuf *b, const struct addr *a);
/* A number as a C literal. */
void emit_number(struct sbuf *b, uint64_t n);
/* A copy of s that is safe inside a C comment (no end of comment). */
char *emit_comment_safe(const char *s);

/* ---- emit_field.c ------------------------------------------------------------ */

/* Presence tests a field needs (enum presence); the headers they test must
 * be among those the policy's plan has lwtp_parse() read. */
unsigned emit_field_presence(struct emitter *e, const struct field_def *f);
/* "lwtp_has(lwtp_pkt.tcp) && lwtp_has(lwtp_pkt.ip4)", or "" when p is 0. */
void emit_presence_text(struct sbuf *b, unsigned p);
/* A field's value in C (host order; raw network order for addresses): the
 * variable it was read into at the policy's top, if it was. */
void emit_field_value(const struct emitter *e, struct sbuf *b, const struct field_def *f,
		      int index);
/* At the top of the policy's function, after lwtp_parse(): read the packet
 * fields the policy reads more than once into variables its statements
 * use instead. */
void emit_field_cache(struct emitter *e);

/* Whether f's value in C (emit_field_value()) is 0 where f's header is
 * absent, read with no pointer: ip.proto, ip.ttl, ... and the fields
 * emit_field_cache() read. A test of such a field that is false when it
 * is 0 needs no presence test of its own (emit_expr.c). */
bool emit_field_zero_when_absent(const struct emitter *e, const struct field_def *f);

/* Whether an address field is a source address (ip.src, ip4.src, ip6.src). */
bool emit_field_is_src(const struct field_def *f);

/* ---- emit_maps.c ------------------------------------------------------------- */

/* Key and value types, then the maps. */
void emit_types(struct emitter *e);
void emit_maps(struct emitter *e);

/* ---- emit_expr.c ------------------------------------------------------------ */

/* C text of a condition, absent fields included: a comparison reading an
 * absent field is false. */
void emit_cond(struct emitter *e, struct sbuf *b, const struct expr *x);
/* C text of an integer or bool value; the caller tests presence first. */
void emit_value(struct emitter *e, struct sbuf *b, const struct expr *x);
/* The presence tests (enum presence) that reading x needs. */
unsigned emit_presence_of(struct emitter *e, const struct expr *x);

/* ---- emit_search.c ------------------------------------------------------------ */

/* The arrays and search functions of the constant sets (the analysis'
 * searches), after the prelude, before the functions. */
void emit_const_sets(struct emitter *e);

/* ---- emit_sets.c ------------------------------------------------------------ */

/* 'VALUE in SET', the test x, as planned: without the presence test. */
void emit_int_in(struct emitter *e, struct sbuf *b, const struct expr *x);
/* The address field f is one of the addresses or in one of the prefixes of
 * the constant set, address or prefix it is compared with in the test x,
 * as planned; tests the family's header itself. */
void emit_addr_in(struct emitter *e, struct sbuf *b, const struct expr *x,
		  const struct field_def *f);

/* ---- emit_sample.c ------------------------------------------------------------ */

/* The C test that takes num/den of the packets: "bpf_get_prandom_u32() <
 * 42949672U" for 1/100; nothing for all of them. */
void emit_sample_draw(struct sbuf *b, uint64_t num, uint64_t den);

/* ---- emit_prelude.c ------------------------------------------------------------ */

/* The fixed helper C the file needs (enum use), after its maps. */
void emit_prelude(struct emitter *e);
/* A text of compiler/bpf/ (bpf_text_NAME, bpf_texts.h), then a blank line. */
void emit_bpf_text(FILE *out, const char *text);

#endif
