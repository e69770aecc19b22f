/* decode_layout.h: what an lwtp map holds, read from its BTF: which kind of
 * statistic or set it is, its key members, where its values are.
 *
 * A map is lwtp's when its value type is (lwtp_contract.h, docs/language.md):
 *
 *   struct lwtp_counter { __u64 packets; __u64 bytes; }  a counter
 *   lwtp_hist_count_t (__u64)                            histogram buckets
 *   lwtp_set_value_t (__u8)                              a runtime set
 *   lwtp_map_value_t (__u32)                             a runtime map of values
 *   lwtp_verdict_t (__u32)                               a runtime map of verdicts
 *                                                        (LWTP_SET, with rmap)
 *   struct lwtp_limit_state                              a limit's token buckets
 *   struct lwtp_quota_state                              a quota's budgets
 *   struct lwtp_keys { __u64 inserted; __u64 refused; }  lwtp_full_NAME: the new
 *                                                        keys of NAME, or the
 *                                                        samples of the ring NAME
 *
 *   struct lwtp_audit_NAME { struct lwtp_counter ACTION_LINE_COL; ... }
 *                                                        an audit policy's counts,
 *                                                        one a statement
 *                                                        (LWTP_AUDIT_PREFIX)
 *
 * or a plain __u64 in a map whose key has a histogram bucket (below): the
 * buckets of a histogram too. A RINGBUF map, which has no value type, is
 * taken as the ring of a sample; maps_open() also wants its lwtp_full_NAME.
 * A CGROUP_ARRAY, which has no BTF either, is taken as a set of cgroups;
 * maps_open() also wants its lwtp_cgroups_NAME, an ARRAY of
 * lwtp_cgroup_id_t (LWTP_CGROUP_IDS).
 *
 * The key is a typedef whose name says how to print it (lwtp_ip_t,
 * lwtp_ip4_t, lwtp_ip6_t, lwtp_port_t, lwtp_proto_t, lwtp_u8_t, lwtp_u16_t,
 * lwtp_u32_t, lwtp_bool_t, lwtp_log2_t, lwtp_linear_MIN_MAX_STEP_t), a
 * struct of such members (padding members named __pad* or lwtp_pad* are
 * skipped; a histogram's struct ends with the member `bucket`), plain __u32
 * for an unkeyed counter, or, for an ip set, struct lwtp_lpm_ip
 * { __u32 prefixlen; __u32 family; lwtp_ip_t addr; }.
 *
 * decode_layout() logs why a map that looks like lwtp's does not match its
 * BTF. Reading a map is decode_read.h's job, printing it decode_format.h's.
 */
#ifndef LWTP_DECODE_LAYOUT_H
#define LWTP_DECODE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "decode_names.h"
#include "lwtp_contract.h"

struct btf;
struct bpf_map_info;

enum lwtp_kind {
	LWTP_NOT_OURS,
	LWTP_COUNTER,
	LWTP_HIST,
	LWTP_SET,
	LWTP_LIMIT,
	LWTP_QUOTA,
	LWTP_KEYS,      /* lwtp_full_NAME */
	LWTP_RING,      /* a sample's ring buffer: nothing to read but its size */
	LWTP_CGROUP_IDS,        /* lwtp_cgroups_NAME: the ids of the cgroups in the
				   slots of the set of cgroups NAME */
};

/* The members of struct lwtp_limit_state, lwtp_quota_state and lwtp_keys,
 * in their order: the index of each in struct entry.v. */
enum { LIM_TOKENS, LIM_SCALE, LIM_LAST_NS, LIM_RATE, LIM_PERIOD_NS, LIM_BURST,
       LIM_PASSED, LIM_EXCEEDED, LIM_UNIT, LIM_LOCK, LIM_N };
enum { QUOTA_USED, QUOTA_LIMIT, QUOTA_OVER, QUOTA_UNIT, QUOTA_N };
enum { KEYS_INSERTED, KEYS_REFUSED, KEYS_N };

#define LWTP_MAX_VALUES LIM_N

enum field_kind {
	FK_UINT,        /* host-order integer */
	FK_BOOL,        /* 0 or 1 */
	FK_IP,          /* 16 bytes, IPv4 as ::ffff:a.b.c.d */
	FK_IP4,         /* 4 bytes, network order */
	FK_IP6,         /* 16 bytes */
	FK_PORT,        /* host order */
	FK_PROTO,       /* IP protocol number */
	FK_LOG2,        /* histogram bucket k: [2^k, 2^(k+1)), 0 in bucket 0 */
	FK_LINEAR,      /* histogram bucket: see decode_bucket_range() */
	FK_INDEX,       /* a histogram bucket of unknown shape: its index */
	FK_BYTES,       /* anything else: hex */
	FK_AUDIT,       /* a statement of an audit policy: its index in field.audit */
};

/* The statements an audit policy's map counts (lwtp_contract.h,
 * LWTP_AUDIT_PREFIX), as its BTF names them. decode_layout() keeps one
 * table of each kind for the whole run (never freed), so that layouts may
 * be copied freely. An audit map reads as a counter keyed by one FK_AUDIT
 * field, the statement's index: decode_read() makes an entry of each
 * statement that counted. */
struct audit_stmt {
	char action[24];        /* "drop", "limit", "quota", "set_mark", "pass", "end" */
	__u32 line, col;
	__u32 off;              /* of its struct lwtp_counter in the value */
};

struct audit_table {
	char file[256];         /* the policy's file's base name; "" unknown */
	size_t n;
	struct audit_stmt *s;
	struct audit_table *next;
};

struct field {
	char name[64];          /* the C member ("ip_dst"); "" for a scalar key */
	char label[72];         /* as the policy writes it ("ip.dst") */
	enum field_kind kind;
	__u32 offset, size;     /* bytes */
	__u64 lin_min, lin_max, lin_step;
	/* FK_IP4, FK_IP6, FK_IP: an address prefix (lwtp_ip4_prefix_LEN_t,
	 * ...: the contract's LWTP_IP4_PREFIX_TYPE) of plen4 (IPv4) and plen6
	 * (IPv6) bits; the label says them too ("ip.dst/24/48") */
	bool prefix;
	unsigned plen4, plen6;
	const struct audit_table *audit;        /* FK_AUDIT */
	/* the values the language names for this field (ip.dscp, icmp.type,
	 * ...: decode_member_names()), ending with { NULL }; NULL: none */
	const struct named_value *names;
};

#define LWTP_MAX_FIELDS 16

struct layout {
	enum lwtp_kind kind;
	__u32 map_type, key_size, value_size, max_entries;
	bool percpu;
	int ncpus;              /* values per lookup: possible CPUs, or 1 */
	/* counters and histograms: the key fields, bucket excluded */
	bool key_is_struct;
	int nkeys;
	struct field keys[LWTP_MAX_FIELDS];
	bool has_bucket;        /* histograms */
	struct field bucket;
	__u32 packets_off, bytes_off;   /* counters: in struct lwtp_counter */
	__u32 val_off[LWTP_MAX_VALUES]; /* limits, quotas, keys: of each member */
	/* sets: one element field; lpm: struct lwtp_lpm_ip */
	bool lpm;
	/* a set of cgroups: a CGROUP_ARRAY, which has no BTF and whose
	 * contents the kernel does not give back; its elements are the ids
	 * in lwtp_cgroups_NAME (set_cgroup.h), and key_size is an id's */
	bool cgroup;
	struct field elem;
	/* a set of tuples ('set NAME : (ip, port)'): a HASH keyed by a struct
	 * of a member a component, in keys[0 .. nkeys - 1] (padding
	 * skipped); elem is zero. tuple_type is "(ip, port)". */
	bool tuple;
	char tuple_type[96];
	/* a runtime map ('map NAME : TYPE -> mark|verdict'): a set whose
	 * elements have a __u32 value */
	enum rmap_kind { RMAP_SET = 0, RMAP_VALUES, RMAP_VERDICTS } rmap;
	/* an audit policy's counters (a LWTP_COUNTER keyed by statement) */
	const struct audit_table *audit;
};

/* Describe map name from its info and BTF (btf may be NULL). Returns 1 and
 * fills l when the map is lwtp's, 0 when it is not (nothing logged), or a
 * negative errno after logging what does not match. */
int decode_layout(const char *name, const struct btf *btf,
		  const struct bpf_map_info *info, struct layout *l);

/* A type as messages name it: "struct lwtp_counter", "__u64". */
void decode_type_name(const struct btf *btf, __u32 id, char *buf, size_t size);

/* What a statement of an audit policy did to the packets it counts, and
 * where it is: "would drop", "guard.lwtp:12:5" ("12:5" when the file is
 * not known). */
const char *decode_audit_what(const struct audit_stmt *s, char *buf, size_t size);
void decode_audit_where(const struct audit_table *t, const struct audit_stmt *s, char *buf,
			size_t size);

/* "counter", "histogram", "set", "limit", "quota", "keys", "sample",
 * "cgroup ids" */
const char *decode_kind_name(enum lwtp_kind kind);
/* The element type of a set: "ip", "ip4", "ip6", "port", "proto", "u8" ...,
 * "cgroup" */
const char *decode_set_type(const struct layout *l);
/* What a runtime map's values are: "mark", "verdict"; NULL for a set. */
const char *decode_rmap_value(const struct layout *l);

/* The values of a limit, quota or keys entry (struct entry.v): how many,
 * each one's member name and size in bytes, and whether it counts (passed,
 * over, inserted, ...: a rate with -i) rather than tells a state or a
 * parameter (tokens, used, burst, ...). */
int decode_nvalues(enum lwtp_kind kind);
const char *decode_value_name(enum lwtp_kind kind, int i);
__u32 decode_value_size(enum lwtp_kind kind, int i);
bool decode_value_counts(enum lwtp_kind kind, int i);

/* Whether a key field holds an integer (a number, a protocol, a bool, a
 * bucket), which orders by value, rather than bytes (an address). */
bool decode_field_is_int(const struct field *f);

/* The most finite buckets of a linear histogram lwtc makes (check.c). */

#endif
