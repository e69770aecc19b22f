/* decode.h: what an lwtp map holds, read from its BTF, and how to print it.
 *
 * A map is lwtp's when its value type is (docs/language.md):
 *
 *   struct lwtp_counter { __u64 packets; __u64 bytes; }  a counter
 *   lwtp_hist_count_t (__u64)                            histogram buckets
 *   lwtp_set_value_t (__u8)                              a runtime set
 *   struct lwtp_limit_state                              a limit's token buckets
 *   struct lwtp_quota_state                              a quota's budgets
 *   struct lwtp_keys { __u64 inserted; __u64 refused; }  lwtp_full_NAME: the new
 *                                                        keys of NAME, or the
 *                                                        samples of the ring NAME
 *
 * or a plain __u64 in a map whose key has a histogram bucket (below): the
 * buckets of a histogram too. A RINGBUF map, which has no value type, is
 * taken as the ring of a sample; maps_open() also wants its lwtp_full_NAME.
 *
 * The key is a typedef whose name says how to print it (lwtp_ip_t,
 * lwtp_ip4_t, lwtp_ip6_t, lwtp_port_t, lwtp_proto_t, lwtp_u8_t, lwtp_u16_t,
 * lwtp_u32_t, lwtp_bool_t, lwtp_log2_t, lwtp_linear_MIN_MAX_STEP_t), a
 * struct of such members (padding members named __pad* or lwtp_pad* are
 * skipped; a histogram's struct ends with the member `bucket`), plain __u32
 * for an unkeyed counter, or, for an ip set, struct lwtp_lpm_ip
 * { __u32 prefixlen; __u32 family; lwtp_ip_t addr; }.
 *
 * Functions return 0 or a negative errno; decode_layout() logs why a map
 * that looks like lwtp's does not match its BTF.
 */
#ifndef LWTP_DECODE_H
#define LWTP_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

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
};

/* The members of struct lwtp_limit_state, lwtp_quota_state and lwtp_keys,
 * in their order: the index of each in struct entry.v. */
enum { LIM_TOKENS, LIM_SCALE, LIM_LAST_NS, LIM_RATE, LIM_PERIOD_NS, LIM_BURST,
       LIM_PASSED, LIM_EXCEEDED, LIM_UNIT, LIM_LOCK, LIM_N };
enum { QUOTA_USED, QUOTA_LIMIT, QUOTA_OVER, QUOTA_UNIT, QUOTA_N };
enum { KEYS_INSERTED, KEYS_REFUSED, KEYS_N };

#define LWTP_MAX_VALUES LIM_N

/* The unit of a limit (LIM_UNIT) or quota (QUOTA_UNIT) */
enum lwtp_unit {
	LWTP_UNIT_PACKETS,
	LWTP_UNIT_BYTES,
	LWTP_UNIT_BITS,         /* limits only */
};

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
};

/* A value the policy language names: "ef" is ip.dscp 46. */
struct named_value {
	const char *name;
	__u64 value;
};

struct field {
	char name[64];          /* the C member ("ip_dst"); "" for a scalar key */
	char label[72];         /* as the policy writes it ("ip.dst") */
	enum field_kind kind;
	__u32 offset, size;     /* bytes */
	__u64 lin_min, lin_max, lin_step;
	/* the values the language names for this field (ip.dscp, icmp.type,
	 * ...: see decode_field()), ending with { NULL }; NULL: none */
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
	struct field elem;
};

/* Describe map name from its info and BTF (btf may be NULL). Returns 1 and
 * fills l when the map is lwtp's, 0 when it is not (nothing logged), or a
 * negative errno after logging what does not match. */
int decode_layout(const char *name, const struct btf *btf,
		  const struct bpf_map_info *info, struct layout *l);

/* A type as messages name it: "struct lwtp_counter", "__u64". */
void decode_type_name(const struct btf *btf, __u32 id, char *buf, size_t size);

/* "counter", "histogram", "set", "limit", "quota", "keys", "sample" */
const char *decode_kind_name(enum lwtp_kind kind);
/* The element type of a set: "ip", "ip4", "ip6", "port", "proto", "u8" ... */
const char *decode_set_type(const struct layout *l);

/* One entry of a map, per-CPU values summed. */
struct entry {
	unsigned char *key;
	__u64 packets;          /* counter packets, or histogram bucket count */
	__u64 bytes;
	__u64 v[LWTP_MAX_VALUES];       /* limits (LIM_*), quotas (QUOTA_*), keys (KEYS_*) */
};

/* The values of a limit, quota or keys entry (struct entry.v): how many,
 * each one's member name, and whether it counts (passed, over, inserted,
 * ...: a rate with -i) rather than tells a state or a parameter (tokens,
 * used, burst, ...). */
int decode_nvalues(enum lwtp_kind kind);
const char *decode_value_name(enum lwtp_kind kind, int i);
bool decode_value_counts(enum lwtp_kind kind, int i);

/* Order of one key field's values: numbers by value, addresses by bytes. */
int decode_field_cmp(const struct field *f, const void *a, const void *b);
/* Order of keys: field by field, numbers by value, addresses by bytes. */
int decode_key_cmp(const struct layout *l, const void *a, const void *b);

/* Read every entry whose value is not zero, sorted by decode_key_cmp()
 * (none from a ring). */
int decode_read(const struct layout *l, int fd, struct entry **entries, size_t *n);
void decode_free(struct entry *entries, size_t n);

/* One key field as text; returns the length or -ENOSPC. An integer the
 * policy language names prints by that name, as the policy writes it: a
 * protocol ("udp"), and the value of a key member lwtc named after a field
 * whose values the language names (compiler/fields.c): ip_dscp "ef",
 * icmp_type and icmp6_type "echo_request", ip_ecn "ce", ip6_nexthdr
 * "fragment", skb_pkt_type "host", skb_protocol "ipv6"; other values as
 * numbers. */
int decode_field(const struct field *f, const void *key, char *buf, size_t size);
/* Whether decode_field() text is always a number (JSON prints it bare); a
 * field whose values may print as names is not. */
bool decode_field_is_number(const struct field *f);
/* A numeric key field's value. */
__u64 decode_uint(const struct field *f, const void *key);

/* The canonical one-line text of an entry that tests compare
 * (tests/tools/mapdec.h): "KEY => VALUE", KEY a scalar ("5") or
 * "member=value" per key member, bucket included ("ip_dst=198.51.100.7
 * l4_dport=53"; protocols by name, other named values such as ip_dscp as
 * numbers), VALUE "packets=N bytes=N" (counters), "N" (histograms) or
 * "member=N" per member of a limit, quota or keys value ("used=5 limit=3
 * over=2 unit=0").
 * Returns the length or -ENOSPC. */
int decode_entry_text(const struct layout *l, const struct entry *e, char *buf, size_t size);

/* The values a histogram bucket holds: [lo, hi), has_hi false when there is
 * no upper bound. -EINVAL for FK_INDEX, -ERANGE past the last bucket. */
int decode_bucket_range(const struct field *f, __u64 bucket, __u64 *lo, __u64 *hi,
			bool *has_hi);

/* The number of buckets a histogram's bucket field has (0 .. n-1): 64 for
 * log2, the finite ones and the two open ends for linear; 0 for FK_INDEX.
 * A key past them is a map's own business, never a reason to print
 * billions of empty buckets. */
__u64 decode_bucket_count(const struct field *f);

/* The most finite buckets of a linear histogram lwtc makes (check.c). */
#define LWTP_MAX_LINEAR_BUCKETS 1024

/* IP protocol names: "udp" for 17, NULL for unnamed numbers; and back
 * (-1 for unknown names). */
const char *decode_proto_name(unsigned proto);
int decode_proto_number(const char *name);

#endif
