/* analyse.h: the analysis pass, between resources and emission. From the
 * checked program and its maps (resources.h), it decides what the C emitter
 * must know before it writes a line: which parts of compiler/bpf/ the file
 * needs (enum use), which headers each policy has lwtp_parse() read (enum
 * want), the sample rings each policy writes at its exit, and how each
 * constant set is matched, inline or by a search (analyse_sets.h). The
 * emitter then writes the file once, in order.
 */
#ifndef LWTC_ANALYSE_H
#define LWTC_ANALYSE_H

#include <stddef.h>

#include "analyse_sets.h"
#include "ast.h"

/* Headers a policy reads: the lwtp_want_* flags of lwtp_parse()
 * (compiler/bpf/parse.bpf.h), same values. */
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

/* Prelude parts a program uses (emit_prelude.c writes them). */
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
	USE_CTX_WRITE  = 1 << 12,   /* lwtp_ctx_read(), lwtp_ctx_write() */
	USE_IP_KEY_SRC = 1 << 13,   /* lwtp_ip_key_saddr(), lwtp_ip_from4() */
	USE_IP_KEY_DST = 1 << 14,   /* lwtp_ip_key_daddr(), lwtp_ip_from4() */
	USE_SET_IP     = 1 << 15,   /* lwtp_set_has_addr() */
	USE_SET_CGROUP = 1 << 16,   /* lwtp_set_has_cgroup() */
	USE_LIMIT      = 1 << 17,   /* lwtp_limit() */
	USE_LIMIT_KEY  = 1 << 18,   /* lwtp_limit_key() */
	USE_QUOTA      = 1 << 19,   /* lwtp_quota() */
	USE_QUOTA_KEY  = 1 << 20,   /* lwtp_quota_key() */
	USE_SEARCH     = 1 << 21,   /* branch-free compares of the set searches */
	USE_SAMPLE     = 1 << 22,   /* lwtp_sample() */
	USE_AUDIT      = 1 << 23,   /* lwtp_audit(): an audit policy's counts */
	USE_WIRE       = 1 << 24,   /* lwtp_wire_packets(), lwtp_wire_bytes() */
	USE_COUNT_WIRE = 1 << 25,   /* lwtp_count_wire() */
	USE_COUNT_WIRE_KEY = 1 << 26,   /* lwtp_count_wire_key() */
	USE_RMAP       = 1 << 27,   /* lwtp_rmap_get(): runtime maps */
	USE_RMAP_IP    = 1 << 28,   /* lwtp_rmap_get_addr(): runtime maps of addresses */
};

/* A policy writes to at most this many sample rings: each takes two of
 * the kernel's 64 maps a program (the ring and lwtp_full_NAME), and the
 * resources pass keeps a policy within them. */
#define ANALYSE_MAX_RINGS 32

struct map_def;     /* resources.h */

/* Reads are counted for fields whose enum field_id is below this (all of
 * them, fields.h has fewer); a field beyond would only not be counted. */
#define ANALYSE_MAX_FIELDS 256

/* What the emitter needs to know of one policy. */
struct policy_plan {
	const struct policy *policy;
	unsigned want;                  /* enum want: lwtp_parse()'s flags */
	/* how many times the policy's C reads each field, by enum field_id,
	 * up to 255: a packet field read more than once is read once, at the
	 * top of the function (emit_field.c) */
	unsigned char reads[ANALYSE_MAX_FIELDS];
	const struct field_def *fields[ANALYSE_MAX_FIELDS];    /* those read */
	/* the sample rings it writes, in order of first use: bit i of its
	 * lwtp_sampled stands for rings[i] */
	const struct map_def *rings[ANALYSE_MAX_RINGS];
	unsigned nrings;
};

struct analysis {
	unsigned uses;                  /* enum use, the whole file's */
	struct policy_plan *plans;      /* one per policy, in file order */
	size_t nplans;
	struct set_plan sets;           /* the tests of constant sets, the searches */
};

/* Analyse a checked program whose maps are collected (resources_collect()).
 * Free the result with analyse_free(). */
void analyse_program(const struct program *prog, struct analysis *a);
/* The plan of policy p. */
const struct policy_plan *analyse_plan(const struct analysis *a, const struct policy *p);
/* The bit of lwtp_sampled that stands for ring m in the plan's policy;
 * plan->nrings when the policy does not write m. */
unsigned analyse_ring_bit(const struct policy_plan *plan, const struct map_def *m);
/* What lwtp_parse() must find for field f to be read (enum want). */
unsigned analyse_field_want(const struct field_def *f);
void analyse_free(struct analysis *a);

#endif
