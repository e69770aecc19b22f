/* emit_priv.h: what the files of the C emitter share.
 *
 *   emit.c          the file, one function per policy, statements, #line
 *   emit_maps.c     map key and value types, map definitions
 *   emit_expr.c     conditions and values: comparisons, sets, addresses
 *   emit_field.c    field reads and presence tests
 *   emit_text.c     string buffer, numbers, expressions as text
 *   emit_sets.c     membership in constant sets: inline compares, merging
 *   emit_search.c   the binary searches of large constant sets
 *   emit_prelude.c  the fixed C the programs call (packet header structs,
 *                   the parser, statistics helpers): which parts of
 *                   compiler/bpf/ a program gets
 *   emit_sample.c   the sample rings: their record, which a policy writes,
 *                   the draw
 */
#ifndef LWTC_EMIT_PRIV_H
#define LWTC_EMIT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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

/* ---- what a policy needs from the packet parser -------------------------- */

/* Headers a policy reads: the lwtp_want_* flags of the prelude's
 * lwtp_parse(), same values. */
enum want {
	WANT_IP4   = 1 << 0,    /* bind lwtp_pkt.ip4 */
	WANT_IP6   = 1 << 1,    /* bind lwtp_pkt.ip6 */
	WANT_PROTO = 1 << 2,    /* L4 protocol: walk IPv6 extension headers */
	WANT_TCP   = 1 << 3,
	WANT_UDP   = 1 << 4,
	WANT_PORTS = 1 << 5,    /* TCP or UDP ports */
	WANT_ICMP  = 1 << 6,
	WANT_ICMP6 = 1 << 7,
};

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

/* Prelude parts a program uses. */
enum use {
	USE_PARSE      = 1 << 0,
	USE_IP4_CONST  = 1 << 1,    /* lwtp_ip4(a, b, c, d) */
	USE_IP_KEY     = 1 << 2,    /* lwtp_ip_from6() */
	USE_LOG2_32    = 1 << 3,
	USE_LOG2_64    = 1 << 4,
	USE_LINEAR     = 1 << 5,
	USE_COUNT      = 1 << 6,
	USE_COUNT_KEY  = 1 << 7,
	USE_HIST       = 1 << 8,
	USE_HIST_KEY   = 1 << 9,
	USE_TCLASS     = 1 << 10,   /* lwtp_ip6_tclass() */
	USE_IP4_FRAG   = 1 << 11,   /* lwtp_ip4_is_fragment() */
	USE_CTX_WRITE  = 1 << 12,   /* lwtp_ctx_write() */
	USE_IP_KEY_SRC = 1 << 13,   /* lwtp_ip_key_saddr(), lwtp_ip_from4() */
	USE_IP_KEY_DST = 1 << 14,   /* lwtp_ip_key_daddr(), lwtp_ip_from4() */
	USE_SET_IP     = 1 << 15,   /* lwtp_set_has_addr() */
	USE_LIMIT      = 1 << 17,   /* lwtp_limit() */
	USE_LIMIT_KEY  = 1 << 18,   /* lwtp_limit_key() */
	USE_QUOTA      = 1 << 19,   /* lwtp_quota() */
	USE_QUOTA_KEY  = 1 << 20,   /* lwtp_quota_key() */
	USE_SEARCH     = 1 << 21,   /* branch-free compares of the set searches */
	USE_SAMPLE     = 1 << 22,   /* lwtp_sample() */
};

/* A policy writes to at most this many sample rings: each takes two of
 * the kernel's 64 maps a program (the ring and lwtp_full_NAME). */
#define EMIT_MAX_SAMPLES 32

struct emit_csets;  /* emit_sets.c */

struct emitter {
	FILE *out;
	const struct program *prog;
	struct emit_csets *csets;   /* the constant sets the programs search */
	unsigned uses;          /* enum use, for the whole file */
	unsigned want;          /* enum want, for the policy being written */
	/* #line bookkeeping: the source line the next output line has */
	const char *file_lit;   /* the file name as a C string literal */
	int next_line;          /* 0: unknown (not under a #line) */
	bool named;             /* a #line with the file name was written */
	/* the sample rings of the policy being written: bit i of its
	 * lwtp_sampled stands for samples[i] */
	const struct map_def *samples[EMIT_MAX_SAMPLES];
	unsigned nsamples;
};

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

/* Presence tests a field needs (enum presence), and what it wants from the
 * parser (into e->want). */
unsigned emit_field_presence(struct emitter *e, const struct field_def *f);
/* "lwtp_pkt.tcp && lwtp_pkt.ip4", or "" when p is 0. */
void emit_presence_text(struct sbuf *b, unsigned p);
/* A field's value in C (host order; raw network order for addresses). */
void emit_field_value(struct emitter *e, struct sbuf *b, const struct field_def *f,
		      int index);

/* Whether an address field can hold an address of that family (4 or 6). */
bool emit_field_has_family(const struct field_def *f, int family);
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
/* The presence tests (enum presence) that reading x needs, and what it
 * wants from the parser (accumulated into e->want). */
unsigned emit_presence_of(struct emitter *e, const struct expr *x);

/* ---- emit_search.c ------------------------------------------------------------ */

typedef unsigned __int128 u128;

/* An interval of a set's values (integers, or addresses as 32- or 128-bit
 * numbers), inclusive. */
struct ival {
	u128 lo, hi;
	const char *name;       /* a named value or const, for a comment */
};

struct ivals {
	struct ival *v;
	size_t len, cap;
};

void emit_ivals_add(struct ivals *s, u128 lo, u128 hi, const char *name);
/* Sort, and merge overlapping and adjacent intervals (names no longer
 * apply to merged ones); max is the largest value of the domain. */
void emit_ivals_merge(struct ivals *s, u128 max);
/* The low h bits set (h = 0..128). */
u128 emit_low_bits(int h);

/* What a search compares: integers of 32 or 64 bits, IPv4 or IPv6 addresses. */
enum cset_kind { CSET_U32, CSET_U64, CSET_IP4, CSET_IP6 };

/* The search of the merged intervals iv of the set literal lit (taken
 * over), made on first use of (lit, kind): returns N of lwtp_setN_has(),
 * lwtp_setN_has4(), lwtp_setN_has6(). label says what the set is, in a
 * comment. */
unsigned emit_search_get(struct emitter *e, const struct expr *lit, enum cset_kind kind,
			 const char *label, size_t nelements, struct ivals *iv);
/* The arrays and search functions of the sets used so far (after the
 * prelude, before the functions), and forgetting them. */
void emit_const_sets(struct emitter *e);
void emit_const_sets_free(struct emitter *e);

/* ---- emit_sets.c ------------------------------------------------------------ */

/* value in the integer set or range set (a literal or a const's name),
 * without the presence test. */
void emit_int_in(struct emitter *e, struct sbuf *b, const struct expr *value,
		 const struct expr *set);
/* The address field f is one of the addresses or in one of the prefixes of
 * set (a set, an address or a prefix, or a const's name); tests the
 * family's header itself. */
void emit_addr_in(struct emitter *e, struct sbuf *b, const struct field_def *f,
		  const struct expr *set);
/* ---- emit_sample.c ------------------------------------------------------------ */

/* Find the sample rings the policy body writes to (e->samples). */
void emit_sample_collect(struct emitter *e, const struct stmt_list *body);
/* The bit of lwtp_sampled that stands for ring m. */
unsigned emit_sample_bit(const struct emitter *e, const struct map_def *m);
/* The C test that takes num/den of the packets: "bpf_get_prandom_u32() <
 * 42949672U" for 1/100; nothing for all of them. */
void emit_sample_draw(struct sbuf *b, uint64_t num, uint64_t den);
/* struct lwtp_sample, the record of a sampled packet. */
void emit_sample_types(FILE *out);

/* ---- emit_prelude.c ------------------------------------------------------------ */

/* The fixed helper C the file needs (enum use), after its maps. */
void emit_prelude(struct emitter *e);
/* A text of compiler/bpf/ (bpf_text_NAME, bpf_texts.h), then a blank line. */
void emit_bpf_text(FILE *out, const char *text);

#endif
