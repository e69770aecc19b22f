/* resources.h: the resources pass. Collects every map the program needs
 * (one per statistic name), with key layout, value type and size, so that
 * the emitter and the runtime read one table. */
#ifndef LWTC_RESOURCES_H
#define LWTC_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "fields.h"

/* What a map counts. */
enum map_kind {
	MAP_COUNT,          /* struct lwtp_counter { packets, bytes } */
	MAP_HIST_LOG2,      /* __u64 packets per power-of-two bucket */
	MAP_HIST_LINEAR,    /* __u64 packets per linear bucket */
	MAP_SET,            /* a runtime set: 'set NAME : TYPE;', or a runtime
			       map: 'map NAME : TYPE -> mark|verdict;' (set_value) */
	MAP_LIMIT,          /* struct lwtp_limit_state: a token bucket */
	MAP_QUOTA,          /* struct lwtp_quota_state: a budget */
	MAP_SAMPLE,         /* a ring buffer of struct lwtp_sample records */
};

/* A limit's token bucket in integers. Tokens accrue at rate_n a
 * nanosecond, a packet costs scale tokens a unit (packet, byte or bit),
 * and the bucket holds cap = burst * scale: rate_n / scale = rate /
 * period_ns exactly. */
struct limit_params {
	uint64_t rate;          /* units per period, as written */
	uint64_t period_ns;
	uint64_t burst;         /* the bucket's size in units (bits for a bit rate) */
	uint64_t rate_n;        /* rate / gcd(rate, period_ns) */
	uint64_t scale;         /* period_ns / gcd(rate, period_ns) */
	uint64_t cap;           /* burst * scale */
	uint64_t fill_ns;       /* ceil(cap / rate_n): from empty to full */
	unsigned stripe;        /* unkeyed: the lwtp_locks entry that guards it */
};

/* A C type a map key member can have: "lwtp_ip_t" and friends, typedefs
 * of include/lwtp_contract.h. The names tell the runtime how to print a
 * key; see docs/language.md. */
struct key_type {
	const char *name;       /* "lwtp_port_t" */
	unsigned size, align;   /* bytes */
	bool addr;              /* 16 bytes of address (lwtp_ip_t, lwtp_ip6_t) */
};

/* The key type of that name, or NULL. */
const struct key_type *resources_key_type(const char *name);

/* One member of a keyed map's key struct, in source order; padding is
 * explicit, and a histogram's bucket comes last. */
struct map_key_member {
	char *name;                     /* C member: "ip_dst", "skb_cb2", "bucket",
					   "lwtp_pad0" */
	const struct field_def *field;  /* the key field; NULL for bucket and pad */
	int index;                      /* skb.cb[index]; -1 otherwise */
	const struct key_type *type;    /* NULL for padding */
	char *type_name;                /* an address prefix's typedef
					   ("lwtp_ip4_prefix_24_t"); NULL: the
					   field's key_type */
	int plen4, plen6;               /* its lengths; -1: not that family */
	unsigned offset, size;          /* bytes */
};

/* The C type of a key member: its typedef's name. */
const char *resources_member_type(const struct map_def *m, const struct map_key_member *k);

struct map_def {
	char *name;                     /* the statistic's name = the map's */
	enum map_kind kind;
	bool keyed;
	/* histograms: the buckets */
	unsigned value_bits;            /* log2: bits of the value (buckets) */
	uint64_t lin_min, lin_max, lin_step;
	unsigned nbuckets;              /* log2: value_bits; linear: n + 2 */
	char *bucket_type;              /* "lwtp_log2_t", "lwtp_linear_0_256_16_t" */
	/* keyed maps: the key struct ("struct NAME_key") */
	struct map_key_member *members;
	size_t nmembers;
	unsigned key_size, key_align;
	uint32_t max_entries;
	/* limits and quotas */
	enum amount_unit unit;          /* what the bucket or the budget counts */
	struct limit_params limit;      /* MAP_LIMIT */
	uint64_t quota;                 /* MAP_QUOTA: the budget */
	/* sample rings: max_entries is the ring's bytes */
	uint64_t snaplen;               /* bytes of each packet kept */
	uint64_t samples;               /* records the ring holds */
	/* runtime sets */
	enum set_elem_type set_elem;
	const char *set_key_type;       /* "lwtp_port_t"; NULL for ip (LPM trie),
					   "__u32" for cgroup (CGROUP_ARRAY),
					   "struct NAME_key" for tuples */
	enum rmap_value set_value;      /* a runtime map's values; RMAP_NONE: a set */
	/* where it was first defined */
	const struct stmt *first;       /* NULL for a runtime set */
	struct loc loc;                 /* first->u.stat.name_loc */
	struct map_def *next;           /* program order of first use */
};

/* Whether m is keyed (its new keys, stored or refused because the map was
 * full) or a sample ring (its records, written or lost because the ring was
 * full): then those are counted in the map lwtp_full_NAME. */
bool resources_has_full(const struct map_def *m);

/* Build prog->maps and set every statistic statement's u.stat.map.
 * 0 on success, -1 when errors were reported: the kernel's limits (a limit
 * whose bucket does not fit in 64 bits, a policy of more than 64 maps).
 * Runs on a checked program: the checker has made sure that the statements
 * of one statistic define it the same way, and that no set, statistic and
 * policy share a name. */
int resources_collect(struct program *prog);

/* The key typedef of a runtime set's elements; NULL for ip (an LPM trie
 * keyed by struct lwtp_lpm_ip); "__u32" for cgroup (a CGROUP_ARRAY's
 * slot). */
const char *resources_set_key_type(enum set_elem_type elem);

/* Free prog->maps. */
void resources_free(struct program *prog);

#endif
