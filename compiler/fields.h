/* fields.h: every field a policy can name, what header it lives in, its
 * type, whether LWT_OUT may read or write it, and its named values.
 *
 * The table (fields.c) is the one place that knows the kernel's rules for
 * __sk_buff access in LWT_OUT programs (lwt_is_valid_access); the checker
 * enforces them and the emitter switches on field_id to read each field.
 */
#ifndef LWTC_FIELDS_H
#define LWTC_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"

/* The header a field is read from. A field is present when its header is. */
enum header {
	HDR_SKB,        /* __sk_buff metadata: always present */
	HDR_IP,         /* IPv4 or IPv6 */
	HDR_IP4,
	HDR_IP6,
	HDR_TCP,
	HDR_UDP,
	HDR_L4PORTS,    /* TCP or UDP */
	HDR_ICMP,       /* ICMP over IPv4 */
	HDR_ICMP6,
	HDR_TASK,       /* the task the kernel runs the program in: always present */
	HDR_ROUTE,      /* the route the packet leaves by (its dst): always present */
	HDR_CGROUP,     /* the sending socket's cgroups: always present */
};

enum field_id {
	/* __sk_buff */
	F_SKB_LEN, F_SKB_PKT_TYPE, F_SKB_MARK, F_SKB_QUEUE_MAPPING,
	F_SKB_PROTOCOL, F_SKB_VLAN_PRESENT, F_SKB_VLAN_TCI, F_SKB_VLAN_PROTO,
	F_SKB_PRIORITY, F_SKB_INGRESS_IFINDEX, F_SKB_IFINDEX, F_SKB_TC_INDEX,
	F_SKB_CB, F_SKB_HASH, F_SKB_NAPI_ID, F_SKB_GSO_SEGS, F_SKB_GSO_SIZE,
	F_SKB_FORBIDDEN,        /* a real __sk_buff field LWT_OUT may not touch */
	/* either IP family */
	F_IP_VERSION, F_IP_SRC, F_IP_DST, F_IP_PROTO, F_IP_TTL, F_IP_TOS,
	F_IP_DSCP, F_IP_ECN, F_IP_LEN, F_IP_FRAGMENT,
	/* IPv4 */
	F_IP4_SRC, F_IP4_DST, F_IP4_PROTO, F_IP4_TTL, F_IP4_TOS, F_IP4_DSCP,
	F_IP4_ECN, F_IP4_LEN, F_IP4_ID, F_IP4_IHL, F_IP4_OPTIONS, F_IP4_DF,
	F_IP4_MF, F_IP4_FRAG_OFFSET,
	/* IPv6 */
	F_IP6_SRC, F_IP6_DST, F_IP6_NEXTHDR, F_IP6_PROTO, F_IP6_HOPLIMIT,
	F_IP6_TCLASS, F_IP6_DSCP, F_IP6_ECN, F_IP6_FLOWLABEL, F_IP6_PLEN,
	/* TCP */
	F_TCP_SPORT, F_TCP_DPORT, F_TCP_FLAGS, F_TCP_SEQ, F_TCP_ACKSEQ,
	F_TCP_WINDOW, F_TCP_URGPTR, F_TCP_DOFF,
	/* UDP */
	F_UDP_SPORT, F_UDP_DPORT, F_UDP_LEN,
	/* TCP or UDP */
	F_L4_SPORT, F_L4_DPORT,
	/* ICMP, ICMPv6 */
	F_ICMP_TYPE, F_ICMP_CODE, F_ICMP6_TYPE, F_ICMP6_CODE,
	/* the current task (bpf_get_current_pid_tgid) */
	F_TASK_PID, F_TASK_TGID,
	/* the route (bpf_get_route_realm) and cgroup v1 net_cls
	 * (bpf_get_cgroup_classid) */
	F_ROUTE_REALM, F_CGROUP_CLASSID,
	/* the packet's socket's cgroup v2: only tested, against a set of
	 * cgroups (bpf_skb_under_cgroup) */
	F_SOCKET_CGROUP,
};

enum field_access {
	FIELD_NONE  = 0,        /* forbidden or not a value: see why */
	FIELD_READ  = 1,
	FIELD_WRITE = 2,
	FIELD_MEMBER = 4,       /* not a value: only 'FIELD in SET', SET a runtime
				   set of cgroups (socket.cgroup) */
};

struct symbol_def {
	const char *name;       /* "udp", "syn", "ef" */
	uint64_t value;
};

struct symbol_domain {
	const char *what;               /* "IP protocol", "TCP flag", ... */
	const struct symbol_def *symbols;  /* ends with { NULL, 0 } */
};

struct field_def {
	const char *ns, *name;          /* "ip", "dst" */
	enum field_id id;
	enum header header;
	struct type type;               /* TYPE_BOOL, TYPE_INT + bits, TYPE_ADDR* */
	int value_bits;                 /* TYPE_INT: bits that can be set, when
					   fewer than type.bits (ip.dscp: 6);
					   0 means type.bits */
	unsigned access;                /* FIELD_READ | FIELD_WRITE, or FIELD_NONE */
	const char *why;                /* FIELD_NONE: why it cannot be read;
					   read-only fields: why it cannot be
					   written. A clause that follows
					   "cannot write 'skb.len': " */
	int nindex;                     /* skb.cb: 5 (index 0..4); 0 when not indexed */
	const struct symbol_domain *domain;  /* named values, or NULL */
	const char *key_type;           /* BTF typedef of the field in a map key:
					   "lwtp_ip_t", "lwtp_port_t", ... */
	const char *doc;                /* one line, for --help-fields and docs */
	unsigned since;                 /* the oldest kernel that can read it
					   (kernel.h's KERNEL(6, 10)); 0: every
					   supported kernel */
	const char *since_why;          /* what that kernel brought:
					   "bpf_get_current_pid_tgid() in LWT programs" */
};

/* NULL when there is no such field. */
const struct field_def *fields_lookup(const char *ns, const char *name);

/* Whether ns names a header ("ip", "tcp", "skb"...). */
bool fields_namespace_known(const char *ns);

/* All fields, in table order, ending with an entry whose ns is NULL. */
const struct field_def *fields_all(void);

/* All namespace names, ending with NULL. */
const char *const *fields_namespaces(void);

/* The named value in a domain, or NULL. */
const struct symbol_def *fields_symbol(const struct symbol_domain *d, const char *name);

const char *fields_header_name(enum header h);   /* "IPv4", "TCP", ... */

/* The largest value a TYPE_INT field can hold (ip.ttl: 255, ip.dscp: 63). */
uint64_t fields_max_value(const struct field_def *f);

/* The field's name as written: "ip.dst", "skb.cb". */
const char *fields_name(const struct field_def *f, char *buf, size_t size);

#endif
