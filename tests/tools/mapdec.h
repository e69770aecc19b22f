/* mapdec.h: decode lwtp statistic maps through their BTF.
 *
 * A map's key and value types say how to print them (docs/language.md,
 * "Statistics and maps"): key fields are typedefs named lwtp_ip_t,
 * lwtp_ip4_t, lwtp_ip6_t, lwtp_port_t, lwtp_proto_t, lwtp_u8_t, lwtp_u16_t,
 * lwtp_u32_t, lwtp_bool_t, lwtp_log2_t, lwtp_linear_MIN_MAX_STEP_t,
 * lwtp_ip4_prefix_LEN_t, lwtp_ip6_prefix_LEN_t, lwtp_ip_prefix_LEN4_LEN6_t; anything else that
 * resolves to an integer prints as a decimal number, other types in hex.
 * Values are integers or structs of integers (struct lwtp_counter); per-CPU
 * values are summed member by member.
 *
 * Canonical text of an entry, as tests expect it and `lwtp stat` prints it:
 *
 *   KEY => VALUE
 *   KEY   := a scalar ("6") or "name=value" per struct member, space-separated
 *            ("ip_dst=198.51.100.7 l4_dport=53"); members named _* or
 *            lwtp_pad* are padding
 *   VALUE := a scalar ("3") or "name=value" per member ("packets=2 bytes=176")
 *
 * Addresses print with inet_ntop; an lwtp_ip_t holding an IPv4-mapped
 * address (::ffff:a.b.c.d) prints as a.b.c.d; a prefix with its length
 * (198.51.100.0/24, 2001:db8::/48; an IPv4 one in an lwtp_ip_prefix_*_t
 * with the IPv4 length). Protocols print by name
 * (tcp, udp, icmp, icmpv6, ...) or number. Histogram buckets print as their
 * index.
 *
 * libbpf style: functions return 0 or a negative errno.
 */
#ifndef LWTP_MAPDEC_H
#define LWTP_MAPDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct btf;

enum mapdec_kind {
	MAPDEC_UINT,        /* host-order unsigned integer, 1..8 bytes */
	MAPDEC_IP,          /* 16 bytes; IPv4 as ::ffff:a.b.c.d */
	MAPDEC_IP4,         /* 4 bytes, network order */
	MAPDEC_IP6,         /* 16 bytes */
	MAPDEC_PORT,        /* host order */
	MAPDEC_PROTO,       /* IP protocol number */
	MAPDEC_LOG2,        /* log2 histogram bucket */
	MAPDEC_LINEAR,      /* linear histogram bucket: lin_min/max/step */
	MAPDEC_BYTES,       /* anything else: hex */
};

struct mapdec_field {
	char name[64];          /* "" for a scalar key or value */
	enum mapdec_kind kind;
	__u32 offset, size;     /* bytes */
	__u64 lin_min, lin_max, lin_step;
	bool prefix;            /* an address prefix: plen4 bits of IPv4, */
	unsigned plen4, plen6;  /* plen6 of IPv6 */
};

#define MAPDEC_MAX_FIELDS 16

struct mapdec_layout {
	bool is_struct;
	int nfields;
	struct mapdec_field fields[MAPDEC_MAX_FIELDS];
};

struct mapdec {
	char name[256];
	__u32 map_type, key_size, value_size, max_entries;
	bool percpu;
	int ncpus;              /* possible CPUs, for per-CPU maps */
	struct mapdec_layout key, value;
};

/* One entry: the raw key, and the value's integer members summed over CPUs
 * (value layout order; non-integer members read 0). */
struct mapdec_entry {
	unsigned char *key;
	__u64 vals[MAPDEC_MAX_FIELDS];
};

/* Describe a map from BTF (e.g. bpf_object__btf() and bpf_map__btf_*_type_id()). */
int mapdec__init(struct mapdec *d, const char *name, const struct btf *btf,
		 __u32 map_type, __u32 key_type_id, __u32 value_type_id,
		 __u32 key_size, __u32 value_size);

/* Describe a loaded map from the kernel's copy of its BTF (pinned maps). */
int mapdec__init_fd(struct mapdec *d, int map_fd);

/* Read every entry whose summed value is not all zero, sorted by key.
 * Free with mapdec__free_entries(). */
int mapdec__read(const struct mapdec *d, int map_fd,
		 struct mapdec_entry **entries, size_t *n);
void mapdec__free_entries(struct mapdec_entry *entries, size_t n);

/* Canonical text (see above). Return the length written, or -ENOSPC. */
int mapdec__format_key(const struct mapdec *d, const void *key, char *buf, size_t size);
int mapdec__format_value(const struct mapdec *d, const __u64 *vals, char *buf, size_t size);
int mapdec__format_entry(const struct mapdec *d, const struct mapdec_entry *e,
			 char *buf, size_t size);
/* One key field's value alone. */
int mapdec__format_field(const struct mapdec_field *f, const void *key,
			 char *buf, size_t size);

/* The range [lo, hi) of values a histogram bucket holds; hi is 0 for "no
 * upper bound". -EINVAL for fields that are not buckets. */
int mapdec__bucket_range(const struct mapdec_field *f, __u64 bucket, __u64 *lo, __u64 *hi);

#endif
