/* lwtp_contract.h: the format that ties lwtc's objects to the runtime that
 * reads them: map and program names, map key and value types, sizes and
 * limits, and the values the policy language names. Real C, read by three
 * readers:
 *
 *   - lwtc (compiler/), for the names, defaults and limits, and, embedded
 *     at build time (scripts/bpf_texts.sh parts), for the types it writes
 *     into generated programs: each "@part NAME" .. "@end" block below
 *     becomes bpf_text_contract_NAME, written into a program that uses it;
 *   - lwtp (runtime/), which finds these types by name in a map's BTF and
 *     reads the values with them;
 *   - the test tools (tests/tools/).
 *
 * A change to the format is one edit here: the _Static_asserts at the end
 * stop either side from building with a layout the other does not expect.
 * Parts hold C only (no preprocessor lines), so that they read the same in
 * a generated program as here.
 */
#ifndef LWTP_CONTRACT_H
#define LWTP_CONTRACT_H

#include <linux/bpf.h>        /* struct bpf_spin_lock */
#include <linux/types.h>

/* ==== names ============================================================= */

/* lwtp_full_NAME: the new keys of the keyed statistic NAME, or the samples
 * of the ring NAME (struct lwtp_keys) */
#define LWTP_FULL_PREFIX "lwtp_full_"

/* The program of policy NAME is the function lwtp_prog_NAME (SEC("NAME")).
 * The kernel keeps 15 bytes of it as the program's name; the BTF the
 * program was loaded with keeps all of it. */
#define LWTP_PROG_PREFIX "lwtp_prog_"

/* Every object holds one function lwtp_object_ID that no program calls:
 * ID is LWTP_OBJECT_ID_LEN hex digits of a hash of the C it was built from.
 * It is in the BTF of the object and of every program loaded from it, so
 * the runtime can tell which object a loaded program came from. */
#define LWTP_OBJECT_PREFIX "lwtp_object_"
#define LWTP_OBJECT_ID_LEN 16

/* An audit policy (lwtc --audit, or 'audit policy NAME'): its map
 * lwtp_audit_NAME, a PERCPU_ARRAY of one entry, key 0, counts per statement
 * what the policy would have done. The value is struct lwtp_audit_NAME, one
 * struct lwtp_counter (packets, bytes) a statement, in source order, each
 * member named ACTION_LINE_COLUMN after the statement and where it starts:
 *
 *   drop_L_C        a drop: would have dropped (the program returned BPF_OK)
 *   limit_L_C       a limit: over it, its action (else drop, else set,
 *                   else count) would have applied; not applied
 *   quota_L_C       a quota: the same, over its budget
 *   set_FIELD_L_C   set skb.FIELD = ...: would have written the field
 *                   (FIELD mark, priority, cb0 .. cb4); not written
 *   pass_L_C        a pass: passed here
 *   end_L_C         the policy's closing brace: passed, no statement decided
 *
 * Every packet ends in exactly one drop_, pass_ or end_ member, or in a
 * limit_ or quota_ member whose action is 'else drop' (the packet would
 * have been dropped there). The key type is typedef __u32
 * lwtp_srcfile_FILE_t, FILE the base name of the policy's file with every
 * byte but [A-Za-z0-9] written _XX (two lowercase hex digits): "guard.lwtp"
 * is lwtp_srcfile_guard_2elwtp_t; a plain __u32 when that name would be
 * longer than LWTP_AUDIT_FILE_MAX. */
#define LWTP_AUDIT_PREFIX "lwtp_audit_"
#define LWTP_SRCFILE_PREFIX "lwtp_srcfile_"
#define LWTP_AUDIT_FILE_MAX 200
/* statements of an audit policy that its value counts: a per-CPU value
 * holds at most 32 KiB, 16 bytes a statement */
#define LWTP_AUDIT_MAX_STMTS 2048

/* A runtime set of cgroups ('set NAME : cgroup'), a CGROUP_ARRAY named
 * NAME, has a companion ARRAY lwtp_cgroups_NAME of as many slots: slot i
 * holds the id (lwtp_cgroup_id_t) of the cgroup in slot i of NAME, 0 when
 * the slot is empty. The kernel gives a cgroup array's contents back to no
 * one; lwtp set writes both maps and reads the companion. The program
 * names the companion, never reads it. */
#define LWTP_CGROUPS_PREFIX "lwtp_cgroups_"
/* slots of a set of cgroups unless the policy says 'size N', and the most
 * it may say: each slot costs a helper call per packet */
#define LWTP_CGROUP_SET_DEFAULT_SIZE 16
#define LWTP_CGROUP_SET_MAX_SIZE 64

/* The longest name of a statistic, a set or a policy: a pin is a file of
 * /sys/fs/bpf/ip/globals, and a file name has at most 255 bytes. */
#define LWTP_NAME_MAX 255
/* ... of a keyed statistic or a sample, whose lwtp_full_NAME is pinned too */
#define LWTP_KEYED_NAME_MAX (LWTP_NAME_MAX - (int)sizeof(LWTP_FULL_PREFIX) + 1)
/* ... of a set of cgroups, whose lwtp_cgroups_NAME is pinned */
#define LWTP_CGROUPS_NAME_MAX (LWTP_NAME_MAX - (int)sizeof(LWTP_CGROUPS_PREFIX) + 1)
/* ... of an audit policy, whose lwtp_audit_NAME is pinned */
#define LWTP_AUDIT_NAME_MAX (LWTP_NAME_MAX - (int)sizeof(LWTP_AUDIT_PREFIX) + 1)

/* ==== sizes and limits ================================================== */

/* keys a keyed statistic holds, elements a runtime set holds, unless the
 * policy says 'size N' */
#define LWTP_DEFAULT_SIZE 4096

/* sample NAME M/N [snaplen B] [size N]: a ring of N records, each a struct
 * lwtp_sample and the first B bytes of the packet */
#define LWTP_SAMPLE_DEFAULT_SNAPLEN 128
#define LWTP_SAMPLE_MAX_SNAPLEN 65535
#define LWTP_SAMPLE_DEFAULT_SIZE 1024           /* records the ring holds */
#define LWTP_SAMPLE_MAX_RING (1u << 28)         /* bytes */

/* Entries of lwtp_locks, the spin locks that guard the token buckets of
 * limits (an unkeyed limit takes the entry its name hashes to, a keyed
 * bucket one drawn at random when it is made). */
#define LWTP_LOCKS 256

/* lwtp_sample.verdict: what the program returned (BPF_OK, BPF_DROP) */
#define LWTP_VERDICT_PASS 0
#define LWTP_VERDICT_DROP 2

/* ==== map keys: the typedef names say how to print a member ============ */

/* @part key_ip */
/* IPv4 or IPv6 address, network order; IPv4 as ::ffff:a.b.c.d */
typedef __be32 lwtp_ip_t[4];
/* @end */

/* @part key_ip4 */
/* IPv4 address, network order */
typedef __be32 lwtp_ip4_t;
/* @end */

/* @part key_ip6 */
/* IPv6 address, network order */
typedef __be32 lwtp_ip6_t[4];
/* @end */

/* @part key_port */
/* TCP or UDP port, host order */
typedef __u16 lwtp_port_t;
/* @end */

/* @part key_proto */
/* IP protocol number */
typedef __u8 lwtp_proto_t;
/* @end */

/* @part key_u8 */
/* integer */
typedef __u8 lwtp_u8_t;
/* @end */

/* @part key_u16 */
/* integer, host order */
typedef __u16 lwtp_u16_t;
/* @end */

/* @part key_u32 */
/* integer, host order */
typedef __u32 lwtp_u32_t;
/* @end */

/* lwtc never writes it; the runtime prints it as an integer */
typedef __u64 lwtp_u64_t;

/* @part key_bool */
/* 0 or 1 */
typedef __u8 lwtp_bool_t;
/* @end */

/* @part key_log2 */
/* histogram bucket k: values in [2^k, 2^(k+1)); bucket 0 also holds 0 */
typedef __u32 lwtp_log2_t;
/* @end */

/* A linear histogram's bucket is typedef __u32 lwtp_linear_MIN_MAX_STEP_t:
 * 0 below MIN, i in [MIN+(i-1)*STEP, MIN+i*STEP), the last from MAX on. */
#define LWTP_LINEAR_PREFIX "lwtp_linear_"
/* ... of at most this many buckets between MIN and MAX */
#define LWTP_MAX_LINEAR_BUCKETS 1024

/* An address prefix in a key ('by ip4.dst/24'): the address with its host
 * bits zero, network order, in a typedef whose name gives the length:
 *
 *   lwtp_ip4_prefix_LEN_t         __be32, LEN 0..32 (ip4.src/LEN)
 *   lwtp_ip6_prefix_LEN_t         __be32[4], LEN 0..128 (ip6.src/LEN)
 *   lwtp_ip_prefix_LEN4_LEN6_t    __be32[4] as lwtp_ip_t (ip.src/LEN4/LEN6):
 *                                 an IPv6 address with LEN6 applied, an IPv4
 *                                 one as ::ffff:a.b.c.d with LEN4 applied to
 *                                 a.b.c.d (the last 32 bits)
 *
 * lwtp_ip4_prefix_24_t prints as 198.51.100.0/24. A full length (/32, /128)
 * keys by the whole address, as the plain field does, and prints with it. */
#define LWTP_IP4_PREFIX_TYPE "lwtp_ip4_prefix_"
#define LWTP_IP6_PREFIX_TYPE "lwtp_ip6_prefix_"
#define LWTP_IP_PREFIX_TYPE "lwtp_ip_prefix_"

/* A key member lwtc adds so that a key has no unnamed bytes is named
 * lwtp_padN: the runtime neither prints nor compares it. */
#define LWTP_PAD_PREFIX "lwtp_pad"

/* What each histogram bucket counts, as lwtc's programs choose it
 * (compiler/bpf/log2_*.bpf.h, linear.bpf.h) and lwtp prints it: the values
 * in [*lo, *hi), or from *lo on when *hi is 0 (the last bucket). 0, or -1
 * when there is no such bucket. */
static inline int lwtp_log2_bucket(__u64 k, __u64 *lo, __u64 *hi)
{
	if (k > 63)
		return -1;
	*lo = k ? 1ULL << k : 0;                /* bucket 0 also holds 0 */
	*hi = k < 63 ? 1ULL << (k + 1) : 0;
	return 0;
}

/* The steps of linear(min, max, step) between min and max; the histogram
 * has two buckets more: below min, and from max on. */
static inline __u64 lwtp_linear_steps(__u64 min, __u64 max, __u64 step)
{
	return (max - min) / step + ((max - min) % step != 0);
}

static inline int lwtp_linear_bucket(__u64 min, __u64 max, __u64 step, __u64 k,
				     __u64 *lo, __u64 *hi)
{
	__u64 n = lwtp_linear_steps(min, max, step);

	if (k == 0) {
		*lo = 0;
		*hi = min;
	} else if (k <= n) {
		*lo = min + (k - 1) * step;
		*hi = min + k * step < max ? min + k * step : max;
	} else if (k == n + 1) {
		*lo = max;
		*hi = 0;
	} else {
		return -1;
	}
	return 0;
}

/* ==== map values ======================================================== */

/* @part hist_count */
/* packets in one histogram bucket */
typedef __u64 lwtp_hist_count_t;
/* @end */

/* @part counter */
struct lwtp_counter {
	__u64 packets;
	__u64 bytes;           /* skb.len */
};
/* @end */

/* @part keys */
/* lwtp_full_NAME, per CPU: the new keys of the keyed statistic NAME,
 * or the records of the sample NAME */
struct lwtp_keys {
	__u64 inserted;        /* stored (an LRU map evicts old keys for them) */
	__u64 refused;         /* not stored: the map or the ring was full */
};
/* @end */

/* @part limit_state */
/* limit NAME: a token bucket, with its parameters */
struct lwtp_limit_state {
	__u64 tokens;          /* what the bucket holds, in 1/scale units */
	__u64 scale;           /* tokens a unit (packet, byte or bit) */
	__u64 last_ns;         /* bpf_ktime_get_ns() when tokens was brought up to date */
	__u64 rate;            /* units per period_ns */
	__u64 period_ns;
	__u64 burst;           /* the bucket's size, in units */
	__u64 passed;          /* packets within the limit */
	__u64 exceeded;        /* packets over it: the action applied */
	__u32 unit;            /* 0 packets, 1 bytes, 2 bits */
	__u32 lock;            /* the lwtp_locks entry that guards this one */
};
/* @end */

/* @part lock */
/* the spin locks of the limits' token buckets, the values of lwtp_locks
 * (LWTP_LOCKS entries): a bpf_spin_lock cannot live in an LRU map's value,
 * so a bucket names the entry that guards it */
struct lwtp_lock {
	struct bpf_spin_lock lock;
};
/* @end */

/* lwtp_limit_state.unit, lwtp_quota_state.unit */
#define LWTP_UNIT_PACKETS 0
#define LWTP_UNIT_BYTES 1
#define LWTP_UNIT_BITS 2

/* @part quota_state */
/* quota NAME: a budget */
struct lwtp_quota_state {
	__u64 used;            /* packets or bytes seen, over ones included */
	__u64 limit;           /* the budget */
	__u64 over;            /* packets over the budget: the action applied */
	__u32 unit;            /* 0 packets, 1 bytes */
	__u32 lwtp_pad0;
};
/* @end */

/* @part sample */
/* sample NAME: the record of a sampled packet in the ring NAME, as the
 * program ends (lwtp sample reads it) */
struct lwtp_sample {
	__u64 time_ns;         /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u32 len;             /* skb.len: bytes from the IP header on */
	__u32 caplen;          /* bytes of the packet in data[] */
	__u32 verdict;         /* 0 passed (BPF_OK), 2 dropped (BPF_DROP) */
	__u32 mark;            /* skb.mark as the packet leaves */
	__u16 protocol;        /* skb.protocol, host order: 0x0800, 0x86dd */
	__u16 lwtp_pad0;
	__u32 ifindex;         /* skb.ifindex: 0 when the host sent the packet, the
	                        * device it came in on when it is forwarded */
	__u8 data[];           /* the packet's first caplen bytes, from the IP header */
};
/* @end */

/* @part set_value */
/* the value of every element of a runtime set */
typedef __u8 lwtp_set_value_t;
/* @end */

/* @part map_value */
/* the value of every element of a runtime map ('map NAME : TYPE -> mark'):
 * the integer a 'set FIELD = KEY map NAME' writes */
typedef __u32 lwtp_map_value_t;
/* @end */

/* @part verdict */
/* the value of every element of a runtime verdict map ('map NAME : TYPE ->
 * verdict'): LWTP_VERDICT_DROP or LWTP_VERDICT_PASS; any other value is
 * no verdict, as a key not in the map */
typedef __u32 lwtp_verdict_t;
/* @end */
#define LWTP_RMAP_DROP 1
#define LWTP_RMAP_PASS 2

/* @part cgroup_id */
/* a slot of lwtp_cgroups_NAME: the id of the cgroup in that slot of the
 * set NAME (the inode number of its cgroup2 directory), 0 for none */
typedef __u64 lwtp_cgroup_id_t;
/* @end */

/* @part lpm_ip */
/* an element of a runtime set of addresses: the family (4 or
 * 6) is the first 32 bits of every prefix, so that no IPv6 prefix
 * (::/0 either) covers an IPv4 address; IPv4 a.b.c.d/len is
 * ::ffff:a.b.c.d with prefixlen 32 + 96 + len, IPv6 a/len 32 + len */
struct lwtp_lpm_ip {
	__u32 prefixlen;
	__u32 family;
	lwtp_ip_t addr;
};
/* @end */

/* struct lwtp_lpm_ip.family */
#define LWTP_LPM_FAMILY_IP4 4
#define LWTP_LPM_FAMILY_IP6 6
/* struct lwtp_lpm_ip.prefixlen: the bits before the address */
#define LWTP_LPM_FAMILY_BITS 32
/* ... and those of an IPv4 address mapped to IPv6 */
#define LWTP_LPM_IP4_BITS (LWTP_LPM_FAMILY_BITS + 96)

/* ==== the values the policy language names ============================== */

/* Each list is X(NAME, VALUE) for every name: lwtc reads them as constants
 * of a field's domain (docs/language.md, "Named values"), the runtime
 * prints a key member's value by them. A key member lwtc makes is named
 * after its field (ip.dscp: ip_dscp; the same field twice in one key:
 * ip_dscp_2) and typed by its width only, so the member's name says whose
 * values it holds. */

#define LWTP_IP_PROTOCOLS(X) \
	X("icmp", 1) X("igmp", 2) X("ipip", 4) X("tcp", 6) \
	X("udp", 17) X("ipv6", 41) X("gre", 47) X("esp", 50) \
	X("ah", 51) X("icmpv6", 58) X("sctp", 132) X("udplite", 136)

/* the IP protocols, and the IPv6 extension headers */
#define LWTP_IP6_NEXTHDRS(X) \
	LWTP_IP_PROTOCOLS(X) \
	X("hopopts", 0) X("routing", 43) X("fragment", 44) \
	X("none", 59) X("dstopts", 60)

#define LWTP_TCP_FLAGS(X) \
	X("fin", 0x01) X("syn", 0x02) X("rst", 0x04) X("psh", 0x08) \
	X("ack", 0x10) X("urg", 0x20) X("ece", 0x40) X("cwr", 0x80)

#define LWTP_ICMP_TYPES(X) \
	X("echo_reply", 0) X("dest_unreachable", 3) X("source_quench", 4) \
	X("redirect", 5) X("echo_request", 8) \
	X("router_advertisement", 9) X("router_solicitation", 10) \
	X("time_exceeded", 11) X("parameter_problem", 12) \
	X("timestamp_request", 13) X("timestamp_reply", 14)

#define LWTP_ICMP6_TYPES(X) \
	X("dest_unreachable", 1) X("packet_too_big", 2) \
	X("time_exceeded", 3) X("parameter_problem", 4) \
	X("echo_request", 128) X("echo_reply", 129) \
	X("mld_query", 130) X("mld_report", 131) X("mld_done", 132) \
	X("router_solicitation", 133) X("router_advertisement", 134) \
	X("neighbor_solicitation", 135) X("neighbor_advertisement", 136) \
	X("redirect", 137)

/* RFC 2474 class selectors, RFC 2597 assured forwarding, RFC 3246
 * expedited forwarding, RFC 5865 voice admit, RFC 8622 lower effort */
#define LWTP_DSCP_NAMES(X) \
	X("cs0", 0) X("cs1", 8) X("cs2", 16) X("cs3", 24) \
	X("cs4", 32) X("cs5", 40) X("cs6", 48) X("cs7", 56) \
	X("af11", 10) X("af12", 12) X("af13", 14) \
	X("af21", 18) X("af22", 20) X("af23", 22) \
	X("af31", 26) X("af32", 28) X("af33", 30) \
	X("af41", 34) X("af42", 36) X("af43", 38) \
	X("ef", 46) X("va", 44) X("le", 1)

#define LWTP_ECN_NAMES(X) \
	X("not_ect", 0) X("ect1", 1) X("ect0", 2) X("ce", 3)

/* PACKET_* of <linux/if_packet.h> */
#define LWTP_PKT_TYPES(X) \
	X("host", 0) X("broadcast", 1) X("multicast", 2) \
	X("otherhost", 3) X("outgoing", 4) X("loopback", 5)

/* ETH_P_* of <linux/if_ether.h>, in host byte order */
#define LWTP_ETHERTYPES(X) \
	X("ipv4", 0x0800) X("arp", 0x0806) X("ipv6", 0x86dd) \
	X("vlan", 0x8100) X("qinq", 0x88a8)

/* ==== the layout both sides rely on ===================================== */

#define LWTP_ASSERT_LAYOUT(cond, what) _Static_assert(cond, "lwtp contract: " what)
#define LWTP_OFFSET(type, member) __builtin_offsetof(type, member)

LWTP_ASSERT_LAYOUT(sizeof(lwtp_ip_t) == 16 && sizeof(lwtp_ip6_t) == 16, "addresses are 16 bytes");
LWTP_ASSERT_LAYOUT(sizeof(lwtp_ip4_t) == 4 && sizeof(lwtp_port_t) == 2 &&
		   sizeof(lwtp_proto_t) == 1 && sizeof(lwtp_bool_t) == 1 &&
		   sizeof(lwtp_log2_t) == 4, "key member sizes");
LWTP_ASSERT_LAYOUT(sizeof(lwtp_hist_count_t) == 8, "a histogram bucket counts in 64 bits");
LWTP_ASSERT_LAYOUT(sizeof(lwtp_set_value_t) == 1, "a set element's value is one byte");
LWTP_ASSERT_LAYOUT(sizeof(lwtp_cgroup_id_t) == 8, "a cgroup id is 64 bits");
LWTP_ASSERT_LAYOUT(sizeof(struct lwtp_counter) == 16, "struct lwtp_counter");
LWTP_ASSERT_LAYOUT(sizeof(struct lwtp_keys) == 16, "struct lwtp_keys");
LWTP_ASSERT_LAYOUT(sizeof(struct lwtp_limit_state) == 72 &&
		   LWTP_OFFSET(struct lwtp_limit_state, unit) == 64 &&
		   LWTP_OFFSET(struct lwtp_limit_state, lock) == 68, "struct lwtp_limit_state");
LWTP_ASSERT_LAYOUT(sizeof(struct lwtp_quota_state) == 32 &&
		   LWTP_OFFSET(struct lwtp_quota_state, unit) == 24, "struct lwtp_quota_state");
LWTP_ASSERT_LAYOUT(sizeof(struct lwtp_sample) == 32 &&
		   LWTP_OFFSET(struct lwtp_sample, len) == 8 &&
		   LWTP_OFFSET(struct lwtp_sample, caplen) == 12 &&
		   LWTP_OFFSET(struct lwtp_sample, verdict) == 16 &&
		   LWTP_OFFSET(struct lwtp_sample, mark) == 20 &&
		   LWTP_OFFSET(struct lwtp_sample, protocol) == 24 &&
		   LWTP_OFFSET(struct lwtp_sample, ifindex) == 28 &&
		   LWTP_OFFSET(struct lwtp_sample, data) == 32,
		   "struct lwtp_sample: a record's header, then the packet");
LWTP_ASSERT_LAYOUT(sizeof(struct lwtp_lpm_ip) == 24 &&
		   LWTP_OFFSET(struct lwtp_lpm_ip, addr) == 8, "struct lwtp_lpm_ip");

/* The bytes of a sample record before the packet: what lwtc counts in a
 * ring's size, and where lwtp sample finds the packet. */
#define LWTP_SAMPLE_HEADER sizeof(struct lwtp_sample)

#endif
