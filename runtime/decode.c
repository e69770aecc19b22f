/* decode.c: what an lwtp map holds, from its BTF (see decode.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "decode.h"
#include "lwtp.h"

/* ---- names ------------------------------------------------------------- */

static const struct {
	const char *name;
	enum field_kind kind;
	__u32 size;             /* 0: any integer size */
} typedefs[] = {
	{ "lwtp_ip_t",    FK_IP,    16 },
	{ "lwtp_ip4_t",   FK_IP4,   4 },
	{ "lwtp_ip6_t",   FK_IP6,   16 },
	{ "lwtp_port_t",  FK_PORT,  2 },
	{ "lwtp_proto_t", FK_PROTO, 1 },
	{ "lwtp_u8_t",    FK_UINT,  1 },
	{ "lwtp_u16_t",   FK_UINT,  2 },
	{ "lwtp_u32_t",   FK_UINT,  4 },
	{ "lwtp_u64_t",   FK_UINT,  8 },
	{ "lwtp_bool_t",  FK_BOOL,  1 },
	{ "lwtp_log2_t",  FK_LOG2,  0 },
};

/* ---- the values the policy language names ------------------------------- */

/* As compiler/fields.c names them. A key member lwtc made is named after
 * its field (ip.dscp: ip_dscp; the same field twice in one key: ip_dscp_2)
 * and typed by its width only (lwtp_u8_t for ip.dscp, icmp.type and
 * ip.ttl alike), so the member's name says whose values it holds. */
#define IP_PROTOCOLS \
	{ "icmp", 1 }, { "igmp", 2 }, { "ipip", 4 }, { "tcp", 6 }, \
	{ "udp", 17 }, { "ipv6", 41 }, { "gre", 47 }, { "esp", 50 }, \
	{ "ah", 51 }, { "icmpv6", 58 }, { "sctp", 132 }, { "udplite", 136 }

static const struct named_value ip_proto_names[] = {
	IP_PROTOCOLS,
	{ NULL, 0 },
};

static const struct named_value ip6_nexthdr_names[] = {
	IP_PROTOCOLS,
	{ "hopopts", 0 }, { "routing", 43 }, { "fragment", 44 },
	{ "none", 59 }, { "dstopts", 60 },
	{ NULL, 0 },
};

static const struct named_value icmp_type_names[] = {
	{ "echo_reply", 0 }, { "dest_unreachable", 3 }, { "source_quench", 4 },
	{ "redirect", 5 }, { "echo_request", 8 },
	{ "router_advertisement", 9 }, { "router_solicitation", 10 },
	{ "time_exceeded", 11 }, { "parameter_problem", 12 },
	{ "timestamp_request", 13 }, { "timestamp_reply", 14 },
	{ NULL, 0 },
};

static const struct named_value icmp6_type_names[] = {
	{ "dest_unreachable", 1 }, { "packet_too_big", 2 },
	{ "time_exceeded", 3 }, { "parameter_problem", 4 },
	{ "echo_request", 128 }, { "echo_reply", 129 },
	{ "mld_query", 130 }, { "mld_report", 131 }, { "mld_done", 132 },
	{ "router_solicitation", 133 }, { "router_advertisement", 134 },
	{ "neighbor_solicitation", 135 }, { "neighbor_advertisement", 136 },
	{ "redirect", 137 },
	{ NULL, 0 },
};

static const struct named_value dscp_names[] = {
	{ "cs0", 0 }, { "cs1", 8 }, { "cs2", 16 }, { "cs3", 24 },
	{ "cs4", 32 }, { "cs5", 40 }, { "cs6", 48 }, { "cs7", 56 },
	{ "af11", 10 }, { "af12", 12 }, { "af13", 14 },
	{ "af21", 18 }, { "af22", 20 }, { "af23", 22 },
	{ "af31", 26 }, { "af32", 28 }, { "af33", 30 },
	{ "af41", 34 }, { "af42", 36 }, { "af43", 38 },
	{ "ef", 46 }, { "va", 44 }, { "le", 1 },
	{ NULL, 0 },
};

static const struct named_value ecn_names[] = {
	{ "not_ect", 0 }, { "ect1", 1 }, { "ect0", 2 }, { "ce", 3 },
	{ NULL, 0 },
};

static const struct named_value pkt_type_names[] = {
	{ "host", 0 }, { "broadcast", 1 }, { "multicast", 2 },
	{ "otherhost", 3 }, { "outgoing", 4 }, { "loopback", 5 },
	{ NULL, 0 },
};

static const struct named_value ethertype_names[] = {
	{ "ipv4", 0x0800 }, { "arp", 0x0806 }, { "ipv6", 0x86dd },
	{ "vlan", 0x8100 }, { "qinq", 0x88a8 },
	{ NULL, 0 },
};

/* tcp.flags is left out: a key holds a combination of the flags the
 * language names one by one. */
static const struct {
	const char *member;
	const struct named_value *names;
} named_fields[] = {
	{ "skb_pkt_type", pkt_type_names },
	{ "skb_protocol", ethertype_names },
	{ "skb_vlan_proto", ethertype_names },
	{ "ip_proto", ip_proto_names },
	{ "ip4_proto", ip_proto_names },
	{ "ip6_proto", ip_proto_names },
	{ "ip6_nexthdr", ip6_nexthdr_names },
	{ "ip_dscp", dscp_names },
	{ "ip4_dscp", dscp_names },
	{ "ip6_dscp", dscp_names },
	{ "ip_ecn", ecn_names },
	{ "ip4_ecn", ecn_names },
	{ "ip6_ecn", ecn_names },
	{ "icmp_type", icmp_type_names },
	{ "icmp6_type", icmp6_type_names },
};

/* Whether member is field or, the same field again in one key, field_N. */
static bool member_is(const char *member, const char *field)
{
	size_t len = strlen(field);

	if (strncmp(member, field, len))
		return false;
	if (!member[len])
		return true;
	return member[len] == '_' && member[len + 1] &&
	       strspn(member + len + 1, "0123456789") == strlen(member + len + 1);
}

/* The values the language names for the integer key member f, or NULL. */
static const struct named_value *member_names(const struct field *f)
{
	size_t i;

	if (f->kind != FK_UINT && f->kind != FK_PROTO)
		return NULL;
	for (i = 0; i < sizeof(named_fields) / sizeof(named_fields[0]); i++)
		if (member_is(f->name, named_fields[i].member))
			return named_fields[i].names;
	return NULL;
}

static const char *value_name(const struct named_value *names, __u64 v)
{
	for (; names && names->name; names++)
		if (names->value == v)
			return names->name;
	return NULL;
}

const char *decode_proto_name(unsigned proto)
{
	return value_name(ip_proto_names, proto);
}

int decode_proto_number(const char *name)
{
	const struct named_value *nv;

	for (nv = ip_proto_names; nv->name; nv++)
		if (strcmp(nv->name, name) == 0)
			return nv->value;
	return -1;
}

const char *decode_kind_name(enum lwtp_kind kind)
{
	switch (kind) {
	case LWTP_COUNTER: return "counter";
	case LWTP_HIST:    return "histogram";
	case LWTP_SET:     return "set";
	case LWTP_LIMIT:   return "limit";
	case LWTP_QUOTA:   return "quota";
	case LWTP_KEYS:    return "keys";
	case LWTP_RING:    return "sample";
	default:           return "map";
	}
}

const char *decode_set_type(const struct layout *l)
{
	switch (l->elem.kind) {
	case FK_IP:    return "ip";
	case FK_IP4:   return "ip4";
	case FK_IP6:   return "ip6";
	case FK_PORT:  return "port";
	case FK_PROTO: return "proto";
	case FK_BOOL:  return "bool";
	case FK_UINT:
		switch (l->elem.size) {
		case 1: return "u8";
		case 2: return "u16";
		case 4: return "u32";
		default: return "u64";
		}
	default:
		return "?";
	}
}

/* ---- the members of limits, quotas and keys -------------------------------- */

struct member_spec {
	const char *name;
	__u32 size;
	bool counts;            /* a count: -i shows its rate */
};

static const struct member_spec limit_members[LIM_N] = {
	[LIM_TOKENS]    = { "tokens", 8 },
	[LIM_SCALE]     = { "scale", 8 },
	[LIM_LAST_NS]   = { "last_ns", 8 },
	[LIM_RATE]      = { "rate", 8 },
	[LIM_PERIOD_NS] = { "period_ns", 8 },
	[LIM_BURST]     = { "burst", 8 },
	[LIM_PASSED]    = { "passed", 8, true },
	[LIM_EXCEEDED]  = { "exceeded", 8, true },
	[LIM_UNIT]      = { "unit", 4 },
	[LIM_LOCK]      = { "lock", 4 },
};

static const struct member_spec quota_members[QUOTA_N] = {
	[QUOTA_USED]  = { "used", 8 },      /* the budget's state: -i shows it as it is */
	[QUOTA_LIMIT] = { "limit", 8 },
	[QUOTA_OVER]  = { "over", 8, true },
	[QUOTA_UNIT]  = { "unit", 4 },
};

static const struct member_spec keys_members[KEYS_N] = {
	[KEYS_INSERTED] = { "inserted", 8, true },
	[KEYS_REFUSED]  = { "refused", 8, true },
};

/* The value struct of a kind that decode_read() reads member by member. */
static const struct value_spec {
	const char *type;
	const struct member_spec *members;
	int n;
} value_specs[] = {
	[LWTP_LIMIT] = { "lwtp_limit_state", limit_members, LIM_N },
	[LWTP_QUOTA] = { "lwtp_quota_state", quota_members, QUOTA_N },
	[LWTP_KEYS]  = { "lwtp_keys", keys_members, KEYS_N },
};

static const struct value_spec *value_spec(enum lwtp_kind kind)
{
	if ((size_t)kind >= sizeof(value_specs) / sizeof(value_specs[0]) ||
	    !value_specs[kind].type)
		return NULL;
	return &value_specs[kind];
}

int decode_nvalues(enum lwtp_kind kind)
{
	const struct value_spec *vs = value_spec(kind);

	return vs ? vs->n : 0;
}

const char *decode_value_name(enum lwtp_kind kind, int i)
{
	const struct value_spec *vs = value_spec(kind);

	return vs && i >= 0 && i < vs->n ? vs->members[i].name : NULL;
}

bool decode_value_counts(enum lwtp_kind kind, int i)
{
	const struct value_spec *vs = value_spec(kind);

	return vs && i >= 0 && i < vs->n && vs->members[i].counts;
}

/* The member name as the policy writes the field: ip_dst -> ip.dst,
 * skb_cb2 -> skb.cb[2]. Names lwtc did not make stay as they are. */
static void make_label(struct field *f)
{
	static const char *const ns[] = {
		"icmp6", "icmp", "ip4", "ip6", "ip", "tcp", "udp", "l4", "skb",
	};
	size_t i, len;
	unsigned idx;
	char tail;

	snprintf(f->label, sizeof(f->label), "%s", f->name);
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		len = strlen(ns[i]);
		if (strncmp(f->name, ns[i], len) || f->name[len] != '_' || !f->name[len + 1])
			continue;
		if (strcmp(ns[i], "skb") == 0 &&
		    sscanf(f->name + len + 1, "cb%u%c", &idx, &tail) == 1)
			snprintf(f->label, sizeof(f->label), "skb.cb[%u]", idx);
		else
			snprintf(f->label, sizeof(f->label), "%s.%s", ns[i], f->name + len + 1);
		return;
	}
}

static bool is_padding(const char *name)
{
	return !name || !*name || strncmp(name, "__pad", 5) == 0 ||
	       strncmp(name, "lwtp_pad", 8) == 0;
}

/* ---- BTF --------------------------------------------------------------- */

static const struct btf_type *skip_mods(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && btf_is_mod(t)) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

static const struct btf_type *resolve(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/* Whether the typedef chain from id passes a typedef or struct named name. */
static bool chain_has(const struct btf *btf, __u32 id, const char *name)
{
	const struct btf_type *t;
	int guard;

	for (guard = 0; guard < 32; guard++) {
		t = skip_mods(btf, &id);
		if (!t)
			return false;
		if ((btf_is_typedef(t) || btf_is_struct(t)) &&
		    strcmp(btf__name_by_offset(btf, t->name_off) ?: "", name) == 0)
			return true;
		if (!btf_is_typedef(t))
			return false;
		id = t->type;
	}
	return false;
}

/* Whether the typedef chain from id names a histogram bucket. */
static bool chain_is_bucket(const struct btf *btf, __u32 id)
{
	const struct btf_type *t;
	const char *name;
	int guard;

	for (guard = 0; guard < 32; guard++) {
		t = skip_mods(btf, &id);
		if (!t || !btf_is_typedef(t))
			return false;
		name = btf__name_by_offset(btf, t->name_off) ?: "";
		if (strcmp(name, "lwtp_log2_t") == 0 || strncmp(name, "lwtp_linear_", 12) == 0)
			return true;
		id = t->type;
	}
	return false;
}

/* A histogram whose value is a plain __u64 rather than lwtp_hist_count_t:
 * its key says so, with a bucket typed lwtp_log2_t or lwtp_linear_*. */
static bool is_plain_hist(const struct btf *btf, __u32 kid, __u32 vid)
{
	const struct btf_type *k = resolve(btf, kid), *v = resolve(btf, vid);
	const struct btf_member *m;
	int i;

	if (!k || !v || !btf_is_int(v) || btf__resolve_size(btf, vid) != 8)
		return false;
	if (!btf_is_struct(k))
		return chain_is_bucket(btf, kid);
	m = btf_members(k);
	for (i = btf_vlen(k) - 1; i >= 0; i--) {
		const char *name = btf__name_by_offset(btf, m[i].name_off);

		if (is_padding(name))
			continue;
		return strcmp(name, "bucket") == 0 && chain_is_bucket(btf, m[i].type);
	}
	return false;
}

/* The name to show for a type in messages: the first typedef or struct. */
void decode_type_name(const struct btf *btf, __u32 id, char *buf, size_t size)
{
	const struct btf_type *t = skip_mods(btf, &id);
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;

	if (!t)
		snprintf(buf, size, "type %u", id);
	else if (btf_is_struct(t))
		snprintf(buf, size, "struct %s", name && *name ? name : "(anonymous)");
	else if (btf_is_union(t))
		snprintf(buf, size, "union %s", name && *name ? name : "(anonymous)");
	else if (name && *name)
		snprintf(buf, size, "%s", name);
	else if (btf_is_array(t))
		snprintf(buf, size, "an array");
	else
		snprintf(buf, size, "type %u", id);
}

/* Classify the type id of a key member (or a scalar key) into f. Logs and
 * returns -EINVAL when an lwtp_* typedef has the wrong size. */
static int classify(const char *map, const struct btf *btf, __u32 id, struct field *f)
{
	const struct btf_type *t;
	unsigned long long a, b, c;
	__s64 size;
	size_t i;
	int guard, end;

	size = btf__resolve_size(btf, id);
	if (size < 0) {
		p_err("map '%s': cannot size its key type: %s", map, strerror((int)-size));
		return (int)size;
	}
	f->size = size;
	f->kind = FK_BYTES;
	for (guard = 0; guard < 32; guard++) {
		t = skip_mods(btf, &id);
		if (!t)
			return -EINVAL;
		if (btf_is_typedef(t)) {
			const char *name = btf__name_by_offset(btf, t->name_off) ?: "";

			for (i = 0; i < sizeof(typedefs) / sizeof(typedefs[0]); i++) {
				if (strcmp(name, typedefs[i].name))
					continue;
				if (typedefs[i].size ? f->size != typedefs[i].size
				    : (f->size > 8 || (f->size & (f->size - 1)))) {
					p_err("map '%s': key %s%s%shas type %s of %u bytes, "
					      "which does not fit that type", map,
					      *f->name ? "member '" : "", f->name,
					      *f->name ? "' " : "", name, f->size);
					return -EINVAL;
				}
				f->kind = typedefs[i].kind;
				return 0;
			}
			end = 0;
			if (sscanf(name, "lwtp_linear_%llu_%llu_%llu_t%n", &a, &b, &c, &end) == 3 &&
			    end && !name[end]) {
				if (!c || b <= a || f->size > 8 || (f->size & (f->size - 1))) {
					p_err("map '%s': key type %s does not describe linear buckets",
					      map, name);
					return -EINVAL;
				}
				if ((b - a) / c + ((b - a) % c != 0) > LWTP_MAX_LINEAR_BUCKETS) {
					p_err("map '%s': key type %s describes more than the %d "
					      "linear buckets lwtc makes", map, name,
					      LWTP_MAX_LINEAR_BUCKETS);
					return -EINVAL;
				}
				f->kind = FK_LINEAR;
				f->lin_min = a;
				f->lin_max = b;
				f->lin_step = c;
				return 0;
			}
			id = t->type;
			continue;
		}
		if ((btf_is_int(t) || btf_is_any_enum(t)) && f->size <= 8 &&
		    !(f->size & (f->size - 1)))
			f->kind = FK_UINT;
		return 0;
	}
	return -ELOOP;
}

static bool map_is_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool map_is_stat_type(__u32 type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return true;
	default:
		return false;
	}
}

/* A struct's members into fields, padding skipped. */
static int struct_fields(const char *map, const struct btf *btf, const struct btf_type *t,
			 struct field *fields, int *n)
{
	const struct btf_member *m = btf_members(t);
	int i, err;

	*n = 0;
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		struct field *f;

		if (is_padding(name))
			continue;
		if (btf_member_bitfield_size(t, i)) {
			p_err("map '%s': key member '%s' is a bit-field, which lwtp does not read",
			      map, name);
			return -EOPNOTSUPP;
		}
		if (*n == LWTP_MAX_FIELDS) {
			p_err("map '%s': its key has more than %d members", map, LWTP_MAX_FIELDS);
			return -E2BIG;
		}
		f = &fields[(*n)++];
		memset(f, 0, sizeof(*f));
		snprintf(f->name, sizeof(f->name), "%s", name);
		make_label(f);
		f->offset = btf_member_bit_offset(t, i) / 8;
		err = classify(map, btf, m->type, f);
		if (err)
			return err;
		f->names = member_names(f);
	}
	return 0;
}

/* The byte offset of the member name of struct t, which must be an integer
 * of size bytes, naturally aligned: -ENOENT when there is no such member,
 * -EINVAL when it is of another size. */
static int member_offset(const struct btf *btf, const struct btf_type *t, const char *name,
			 __u32 size)
{
	const struct btf_member *m = btf_members(t);
	__u32 off;
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off) ?: "", name))
			continue;
		off = btf_member_bit_offset(t, i);
		if (off % (size * 8) || btf_member_bitfield_size(t, i) ||
		    btf__resolve_size(btf, m->type) != size)
			return -EINVAL;
		return off / 8;
	}
	return -ENOENT;
}

static int counter_value(const char *map, const struct btf *btf, __u32 id, struct layout *l)
{
	const struct btf_type *t = resolve(btf, id);
	int packets = -ENOENT, bytes = -ENOENT;

	if (t && btf_is_struct(t)) {
		packets = member_offset(btf, t, "packets", 8);
		bytes = member_offset(btf, t, "bytes", 8);
	}
	if (packets < 0 || bytes < 0) {
		p_err("map '%s': its struct lwtp_counter lacks the __u64 members packets and bytes",
		      map);
		return -EINVAL;
	}
	l->packets_off = packets;
	l->bytes_off = bytes;
	return 0;
}

/* A limit's, quota's or keys' struct: where each member of value_specs is. */
static int state_value(const char *map, const struct btf *btf, __u32 id, struct layout *l)
{
	const struct value_spec *vs = value_spec(l->kind);
	const struct btf_type *t = resolve(btf, id);
	int i, off;

	for (i = 0; i < vs->n; i++) {
		const struct member_spec *ms = &vs->members[i];

		off = t && btf_is_struct(t) ? member_offset(btf, t, ms->name, ms->size) : -ENOENT;
		if (off < 0) {
			p_err("map '%s': its struct %s lacks the %s member '%s' (see docs/language.md)",
			      map, vs->type, ms->size == 8 ? "__u64" : "__u32", ms->name);
			return -EINVAL;
		}
		l->val_off[i] = off;
	}
	return 0;
}

static int stat_key(const char *map, const struct btf *btf, __u32 id, struct layout *l)
{
	const struct btf_type *t = resolve(btf, id);
	struct field f;
	int err;

	if (!t) {
		p_err("map '%s': its key type %u is not in its BTF", map, id);
		return -EINVAL;
	}
	if (btf_is_struct(t)) {
		l->key_is_struct = true;
		err = struct_fields(map, btf, t, l->keys, &l->nkeys);
		if (err)
			return err;
		if (l->kind == LWTP_HIST) {
			if (!l->nkeys || strcmp(l->keys[l->nkeys - 1].name, "bucket")) {
				p_err("map '%s': the key of a histogram must end with the member "
				      "'bucket'", map);
				return -EINVAL;
			}
			l->bucket = l->keys[--l->nkeys];
			l->has_bucket = true;
		}
	} else {
		memset(&f, 0, sizeof(f));
		err = classify(map, btf, id, &f);
		if (err)
			return err;
		if (l->kind == LWTP_HIST) {
			l->bucket = f;
			l->has_bucket = true;
		} else if (f.kind == FK_UINT && !chain_has(btf, id, "lwtp_u32_t") &&
			   l->max_entries == 1 &&
			   (l->map_type == BPF_MAP_TYPE_ARRAY ||
			    l->map_type == BPF_MAP_TYPE_PERCPU_ARRAY)) {
			l->nkeys = 0;   /* unkeyed: __u32 0 */
		} else {
			snprintf(f.name, sizeof(f.name), "key");
			snprintf(f.label, sizeof(f.label), "key");
			l->keys[l->nkeys++] = f;
		}
	}
	if (l->has_bucket) {
		switch (l->bucket.kind) {
		case FK_LOG2:
		case FK_LINEAR:
			break;
		case FK_UINT:
			l->bucket.kind = FK_INDEX;
			break;
		default:
			p_err("map '%s': its histogram bucket is not an integer", map);
			return -EINVAL;
		}
	}
	return 0;
}

static int set_key(const char *map, const struct btf *btf, __u32 id, struct layout *l)
{
	const struct btf_type *t = resolve(btf, id);
	struct field f[LWTP_MAX_FIELDS];
	int n, err;

	if (!t) {
		p_err("map '%s': its key type %u is not in its BTF", map, id);
		return -EINVAL;
	}
	if (l->map_type == BPF_MAP_TYPE_LPM_TRIE) {
		if (!btf_is_struct(t))
			goto bad_lpm;
		err = struct_fields(map, btf, t, f, &n);
		if (err)
			return err;
		if (n != 3 || strcmp(f[0].name, "prefixlen") || f[0].offset != 0 ||
		    f[0].size != 4 || strcmp(f[1].name, "family") || f[1].offset != 4 ||
		    f[1].size != 4 || strcmp(f[2].name, "addr") || f[2].offset != 8 ||
		    f[2].kind != FK_IP)
			goto bad_lpm;
		l->lpm = true;
		l->elem = f[2];
		return 0;
	}
	if (l->map_type != BPF_MAP_TYPE_HASH && l->map_type != BPF_MAP_TYPE_LRU_HASH) {
		p_err("map '%s': a set must be a HASH or an LPM_TRIE map", map);
		return -EINVAL;
	}
	memset(f, 0, sizeof(f[0]));
	err = classify(map, btf, id, &f[0]);
	if (err)
		return err;
	switch (f[0].kind) {
	case FK_IP:
	case FK_IP4:
	case FK_IP6:
	case FK_PORT:
	case FK_PROTO:
	case FK_BOOL:
		break;
	case FK_UINT:
		if (chain_has(btf, id, "lwtp_u8_t") || chain_has(btf, id, "lwtp_u16_t") ||
		    chain_has(btf, id, "lwtp_u32_t") || chain_has(btf, id, "lwtp_u64_t"))
			break;
		/* fall through */
	default:
		p_err("map '%s': the key of a set must be lwtp_ip_t, lwtp_port_t, "
		      "lwtp_proto_t or lwtp_uN_t", map);
		return -EINVAL;
	}
	l->elem = f[0];
	return 0;
bad_lpm:
	p_err("map '%s': the key of an LPM_TRIE set must be struct lwtp_lpm_ip "
	      "{ __u32 prefixlen; __u32 family; lwtp_ip_t addr; }", map);
	return -EINVAL;
}

/* What the value type says the map is; LWTP_NOT_OURS when it is not lwtp's. */
static enum lwtp_kind value_kind(const struct btf *btf, __u32 kid, __u32 vid)
{
	static const struct {
		const char *type;
		enum lwtp_kind kind;
	} kinds[] = {
		{ "lwtp_counter", LWTP_COUNTER },
		{ "lwtp_hist_count_t", LWTP_HIST },
		{ "lwtp_set_value_t", LWTP_SET },
		{ "lwtp_limit_state", LWTP_LIMIT },
		{ "lwtp_quota_state", LWTP_QUOTA },
		{ "lwtp_keys", LWTP_KEYS },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (chain_has(btf, vid, kinds[i].type))
			return kinds[i].kind;
	return kid && is_plain_hist(btf, kid, vid) ? LWTP_HIST : LWTP_NOT_OURS;
}

/* Whether the map's type fits its kind; logs why not. */
static int check_map_type(const char *name, const struct layout *l)
{
	switch (l->kind) {
	case LWTP_COUNTER:
	case LWTP_HIST:
		if (map_is_stat_type(l->map_type))
			return 0;
		p_err("map '%s': a %s must be an ARRAY or HASH map (per-CPU or not)",
		      name, decode_kind_name(l->kind));
		return -EINVAL;
	case LWTP_LIMIT:
	case LWTP_QUOTA:
		if (l->map_type == BPF_MAP_TYPE_ARRAY || l->map_type == BPF_MAP_TYPE_HASH ||
		    l->map_type == BPF_MAP_TYPE_LRU_HASH)
			return 0;
		p_err("map '%s': a %s must be an ARRAY, HASH or LRU_HASH map, not per-CPU "
		      "(every CPU shares it)", name, decode_kind_name(l->kind));
		return -EINVAL;
	case LWTP_KEYS:
		if ((l->map_type == BPF_MAP_TYPE_PERCPU_ARRAY || l->map_type == BPF_MAP_TYPE_ARRAY) &&
		    l->max_entries == 1)
			return 0;
		p_err("map '%s': struct lwtp_keys must be the value of a PERCPU_ARRAY of one entry",
		      name);
		return -EINVAL;
	default:
		return 0;
	}
}

/* The kernel's sizes must be those of the BTF types. */
static int check_sizes(const char *name, const struct btf *btf, const struct bpf_map_info *info)
{
	__u32 vid = info->btf_value_type_id, kid = info->btf_key_type_id;
	char tname[128];
	__s64 size;

	size = btf__resolve_size(btf, vid);
	if (size != info->value_size) {
		decode_type_name(btf, vid, tname, sizeof(tname));
		p_err("map '%s': its values are %u bytes, but its value type %s is %lld",
		      name, info->value_size, tname, (long long)size);
		return -EINVAL;
	}
	if (!kid) {
		p_err("map '%s': its BTF has no key type", name);
		return -EINVAL;
	}
	size = btf__resolve_size(btf, kid);
	if (size != info->key_size) {
		decode_type_name(btf, kid, tname, sizeof(tname));
		p_err("map '%s': its keys are %u bytes, but its key type %s is %lld",
		      name, info->key_size, tname, (long long)size);
		return -EINVAL;
	}
	return 0;
}

static int decode_value(const char *name, const struct btf *btf, __u32 vid, struct layout *l)
{
	switch (l->kind) {
	case LWTP_COUNTER:
		return counter_value(name, btf, vid, l);
	case LWTP_HIST:
		if (l->value_size == 8)
			return 0;
		p_err("map '%s': lwtp_hist_count_t must be 8 bytes", name);
		return -EINVAL;
	case LWTP_SET:
		if (l->value_size == 1)
			return 0;
		p_err("map '%s': lwtp_set_value_t must be 1 byte", name);
		return -EINVAL;
	default:
		return state_value(name, btf, vid, l);
	}
}

static int decode_key(const char *name, const struct btf *btf, __u32 kid, struct layout *l)
{
	int err;

	if (l->kind == LWTP_SET)
		return set_key(name, btf, kid, l);
	err = stat_key(name, btf, kid, l);
	if (!err && l->kind == LWTP_KEYS && (l->nkeys || l->key_is_struct)) {
		p_err("map '%s': the key of struct lwtp_keys must be __u32 0", name);
		err = -EINVAL;
	}
	return err;
}

int decode_layout(const char *name, const struct btf *btf,
		  const struct bpf_map_info *info, struct layout *l)
{
	__u32 vid = info->btf_value_type_id, kid = info->btf_key_type_id;
	int err;

	memset(l, 0, sizeof(*l));
	l->map_type = info->type;
	l->key_size = info->key_size;
	l->value_size = info->value_size;
	l->max_entries = info->max_entries;
	l->ncpus = 1;
	if (info->type == BPF_MAP_TYPE_RINGBUF) {
		l->kind = LWTP_RING;    /* max_entries: its bytes */
		return 1;
	}
	if (!btf || !vid)
		return 0;
	l->kind = value_kind(btf, kid, vid);
	if (l->kind == LWTP_NOT_OURS)
		return 0;

	l->percpu = map_is_percpu(info->type);
	if (l->percpu) {
		l->ncpus = libbpf_num_possible_cpus();
		if (l->ncpus < 1) {
			err = l->ncpus < 0 ? l->ncpus : -EINVAL;
			p_err("cannot count the possible CPUs: %s", strerror(-err));
			return err;
		}
	}
	err = check_sizes(name, btf, info);
	if (!err)
		err = check_map_type(name, l);
	if (!err)
		err = decode_value(name, btf, vid, l);
	if (!err)
		err = decode_key(name, btf, kid, l);
	return err ? err : 1;
}

/* ---- values ------------------------------------------------------------ */

static __u64 read_uint(const unsigned char *p, __u32 size)
{
	switch (size) {
	case 1: return *p;
	case 2: { __u16 v; memcpy(&v, p, 2); return v; }
	case 4: { __u32 v; memcpy(&v, p, 4); return v; }
	case 8: { __u64 v; memcpy(&v, p, 8); return v; }
	default: return 0;
	}
}

__u64 decode_uint(const struct field *f, const void *key)
{
	return read_uint((const unsigned char *)key + f->offset, f->size);
}

int decode_field_cmp(const struct field *f, const void *a, const void *b)
{
	__u64 u, v;

	if (decode_field_is_number(f) || f->names || f->kind == FK_PROTO || f->kind == FK_BOOL) {
		u = decode_uint(f, a);
		v = decode_uint(f, b);
		return u < v ? -1 : u > v;
	}
	return memcmp((const char *)a + f->offset, (const char *)b + f->offset, f->size);
}

int decode_key_cmp(const struct layout *l, const void *a, const void *b)
{
	int i, c, nf = l->nkeys + l->has_bucket;
	__u64 u, v;

	if (!nf && l->key_size <= 8) {
		u = read_uint(a, l->key_size);
		v = read_uint(b, l->key_size);
		if (u != v)
			return u < v ? -1 : 1;
	}
	for (i = 0; i < nf; i++) {
		const struct field *f = i < l->nkeys ? &l->keys[i] : &l->bucket;

		c = decode_field_cmp(f, a, b);
		if (c)
			return c;
	}
	return memcmp(a, b, l->key_size);
}

static const struct layout *sort_layout;

static int cmp_entries(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return decode_key_cmp(sort_layout, x->key, y->key);
}

/* Add one CPU's value v to e. */
static void add_value(const struct layout *l, const unsigned char *v, struct entry *e)
{
	const struct value_spec *vs;
	int i;

	switch (l->kind) {
	case LWTP_COUNTER:
		e->packets += read_uint(v + l->packets_off, 8);
		e->bytes += read_uint(v + l->bytes_off, 8);
		break;
	case LWTP_HIST:
		e->packets += read_uint(v, 8);
		break;
	default:
		vs = value_spec(l->kind);
		for (i = 0; vs && i < vs->n; i++)
			e->v[i] += read_uint(v + l->val_off[i], vs->members[i].size);
		break;
	}
}

static bool entry_is_zero(const struct layout *l, const struct entry *e)
{
	int i;

	for (i = 0; i < decode_nvalues(l->kind); i++)
		if (e->v[i])
			return false;
	return !e->packets && !e->bytes;
}

void decode_free(struct entry *entries, size_t n)
{
	size_t i;

	for (i = 0; entries && i < n; i++)
		free(entries[i].key);
	free(entries);
}

int decode_read(const struct layout *l, int fd, struct entry **entries, size_t *n)
{
	size_t stride = l->percpu ? (l->value_size + 7) / 8 * 8 : l->value_size;
	unsigned char *key = NULL, *next = NULL, *val = NULL;
	struct entry *out = NULL, *e;
	size_t nout = 0, cap = 0;
	bool first = true;
	int err = 0, cpu;

	*entries = NULL;
	*n = 0;
	if (l->kind == LWTP_RING)
		return 0;       /* a ring cannot be iterated */
	key = calloc(1, l->key_size);
	next = calloc(1, l->key_size);
	val = calloc(l->ncpus, stride);
	if (!key || !next || !val) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (bpf_map_get_next_key(fd, first ? NULL : key, next)) {
			if (errno != ENOENT)
				err = -errno;
			break;
		}
		first = false;
		memcpy(key, next, l->key_size);
		if (bpf_map_lookup_elem(fd, key, val)) {
			if (errno == ENOENT)
				continue;       /* deleted meanwhile */
			err = -errno;
			break;
		}
		if (nout == cap) {
			struct entry *grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(out, cap * sizeof(*out));
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			out = grown;
		}
		e = &out[nout];
		memset(e, 0, sizeof(*e));
		for (cpu = 0; cpu < l->ncpus; cpu++)
			add_value(l, val + cpu * stride, e);
		if (entry_is_zero(l, e))
			continue;
		e->key = malloc(l->key_size);
		if (!e->key) {
			err = -ENOMEM;
			break;
		}
		memcpy(e->key, key, l->key_size);
		nout++;
	}
out:
	free(key);
	free(next);
	free(val);
	if (err) {
		decode_free(out, nout);
		return err;
	}
	sort_layout = l;
	if (nout > 1)
		qsort(out, nout, sizeof(*out), cmp_entries);
	*entries = out;
	*n = nout;
	return 0;
}

/* ---- text ---------------------------------------------------------------- */

bool decode_field_is_number(const struct field *f)
{
	if (f->names)
		return false;
	switch (f->kind) {
	case FK_UINT:
	case FK_PORT:
	case FK_LOG2:
	case FK_LINEAR:
	case FK_INDEX:
		return true;
	default:
		return false;
	}
}

/* decode_field() with the names of integers given: an integer of those
 * prints by its name, when it has one. */
static int field_text(const struct field *f, const void *key, const struct named_value *names,
		      char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)key + f->offset;
	char tmp[INET6_ADDRSTRLEN];
	const char *name;
	__u64 v;
	__u32 i;
	int n;

	switch (f->kind) {
	case FK_IP:
	case FK_IP6:
		if (f->kind == FK_IP && !memcmp(p, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12))
			inet_ntop(AF_INET, p + 12, tmp, sizeof(tmp));
		else
			inet_ntop(AF_INET6, p, tmp, sizeof(tmp));
		n = snprintf(buf, size, "%s", tmp);
		break;
	case FK_IP4:
		inet_ntop(AF_INET, p, tmp, sizeof(tmp));
		n = snprintf(buf, size, "%s", tmp);
		break;
	case FK_PROTO:
	case FK_UINT:
		v = read_uint(p, f->size);
		name = value_name(names, v);
		n = name ? snprintf(buf, size, "%s", name)
			 : snprintf(buf, size, "%" PRIu64, (uint64_t)v);
		break;
	case FK_BOOL:
		n = snprintf(buf, size, "%s", read_uint(p, f->size) ? "true" : "false");
		break;
	case FK_PORT:
	case FK_LOG2:
	case FK_LINEAR:
	case FK_INDEX:
		n = snprintf(buf, size, "%" PRIu64, (uint64_t)read_uint(p, f->size));
		break;
	default:
		n = snprintf(buf, size, "0x");
		for (i = 0; i < f->size && n >= 0 && (size_t)n < size; i++)
			n += snprintf(buf + n, size - n, "%02x", p[i]);
		break;
	}
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

int decode_field(const struct field *f, const void *key, char *buf, size_t size)
{
	const struct named_value *names = f->names;

	if (!names && f->kind == FK_PROTO)
		names = ip_proto_names;
	return field_text(f, key, names, buf, size);
}

int decode_entry_text(const struct layout *l, const struct entry *e, char *buf, size_t size)
{
	size_t len = 0;
	int i, n, nf = l->nkeys + l->has_bucket;

#define PUT(...) do {							\
		n = snprintf(buf + len, size - len, __VA_ARGS__);	\
		if (n < 0 || (size_t)n >= size - len)			\
			return -ENOSPC;					\
		len += n;						\
	} while (0)

	if (!size)
		return -ENOSPC;
	buf[0] = 0;
	if (!l->key_is_struct && !nf) {
		PUT("%" PRIu64, (uint64_t)read_uint(e->key, l->key_size));
	} else {
		for (i = 0; i < nf; i++) {
			const struct field *f = i < l->nkeys ? &l->keys[i] : &l->bucket;

			if (l->key_is_struct)
				PUT("%s%s=", i ? " " : "", f->name);
			if (f->kind == FK_BOOL) {       /* the canonical text has 0 and 1 */
				PUT("%" PRIu64, (uint64_t)decode_uint(f, e->key));
				continue;
			}
			/* the canonical text names protocols only, as it always has */
			n = field_text(f, e->key, f->kind == FK_PROTO ? ip_proto_names : NULL,
				       buf + len, size - len);
			if (n < 0)
				return n;
			len += n;
		}
	}
	if (l->kind == LWTP_COUNTER) {
		PUT(" => packets=%" PRIu64 " bytes=%" PRIu64, (uint64_t)e->packets,
		    (uint64_t)e->bytes);
	} else if (l->kind == LWTP_HIST) {
		PUT(" => %" PRIu64, (uint64_t)e->packets);
	} else {
		PUT(" =>");
		for (i = 0; i < decode_nvalues(l->kind); i++)
			PUT(" %s=%" PRIu64, decode_value_name(l->kind, i), (uint64_t)e->v[i]);
	}
#undef PUT
	return (int)len;
}

__u64 decode_bucket_count(const struct field *f)
{
	switch (f->kind) {
	case FK_LOG2:
		return 64;
	case FK_LINEAR:
		return (f->lin_max - f->lin_min + f->lin_step - 1) / f->lin_step + 2;
	default:
		return 0;
	}
}

int decode_bucket_range(const struct field *f, __u64 bucket, __u64 *lo, __u64 *hi,
			bool *has_hi)
{
	__u64 n;

	*has_hi = true;
	switch (f->kind) {
	case FK_LOG2:
		if (bucket > 63)
			return -ERANGE;
		*lo = bucket ? 1ULL << bucket : 0;
		*hi = bucket < 63 ? 1ULL << (bucket + 1) : 0;
		*has_hi = bucket < 63;
		return 0;
	case FK_LINEAR:
		n = (f->lin_max - f->lin_min + f->lin_step - 1) / f->lin_step;
		if (bucket == 0) {
			*lo = 0;
			*hi = f->lin_min;
		} else if (bucket <= n) {
			*lo = f->lin_min + (bucket - 1) * f->lin_step;
			*hi = f->lin_min + bucket * f->lin_step;
			if (*hi > f->lin_max)
				*hi = f->lin_max;
		} else if (bucket == n + 1) {
			*lo = f->lin_max;
			*hi = 0;
			*has_hi = false;
		} else {
			return -ERANGE;
		}
		return 0;
	default:
		return -EINVAL;
	}
}
