/* decode_layout.c: what an lwtp map holds, from its BTF (decode_layout.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "decode_layout.h"
#include "lwtp.h"

/* A contract type's name as its BTF has it; the sizeof makes the build
 * fail when lwtp_contract.h no longer has the type. */
#define TYPE_NAME(t) (#t + 0 * sizeof(t))
#define STRUCT_NAME(s) (#s + 0 * sizeof(struct s))

/* Padding members of key structs: C's own (__pad*) and the contract's
 * (lwtp_pad0, ...: LWTP_PAD_PREFIX). */

/* ---- names ------------------------------------------------------------- */

/* The key typedefs of lwtp_contract.h, and how each prints */
#define KEY_TYPEDEF(t, kind) { TYPE_NAME(t), kind, sizeof(t) }

static const struct {
	const char *name;
	enum field_kind kind;
	__u32 size;             /* 0: any integer size */
} typedefs[] = {
	KEY_TYPEDEF(lwtp_ip_t, FK_IP),
	KEY_TYPEDEF(lwtp_ip4_t, FK_IP4),
	KEY_TYPEDEF(lwtp_ip6_t, FK_IP6),
	KEY_TYPEDEF(lwtp_port_t, FK_PORT),
	KEY_TYPEDEF(lwtp_proto_t, FK_PROTO),
	KEY_TYPEDEF(lwtp_u8_t, FK_UINT),
	KEY_TYPEDEF(lwtp_u16_t, FK_UINT),
	KEY_TYPEDEF(lwtp_u32_t, FK_UINT),
	KEY_TYPEDEF(lwtp_u64_t, FK_UINT),
	KEY_TYPEDEF(lwtp_bool_t, FK_BOOL),
	/* a bucket index: lwtc writes __u32, but any integer reads */
	{ TYPE_NAME(lwtp_log2_t), FK_LOG2, 0 },
};

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
	case LWTP_CGROUP_IDS: return "cgroup ids";
	default:           return "map";
	}
}

/* The type of one element, or of one component of a tuple. */
static const char *elem_type(const struct field *f)
{
	switch (f->kind) {
	case FK_IP:    return "ip";
	case FK_IP4:   return "ip4";
	case FK_IP6:   return "ip6";
	case FK_PORT:  return "port";
	case FK_PROTO: return "proto";
	case FK_BOOL:  return "bool";
	case FK_UINT:
		switch (f->size) {
		case 1: return "u8";
		case 2: return "u16";
		case 4: return "u32";
		default: return "u64";
		}
	default:
		return "?";
	}
}

const char *decode_set_type(const struct layout *l)
{
	if (l->cgroup)
		return "cgroup";
	if (l->tuple)
		return l->tuple_type;
	return elem_type(&l->elem);
}

const char *decode_rmap_value(const struct layout *l)
{
	switch (l->rmap) {
	case RMAP_VALUES:   return "mark";
	case RMAP_VERDICTS: return "verdict";
	default:            return NULL;
	}
}

/* ---- the members of limits, quotas and keys -------------------------------- */

struct member_spec {
	const char *name;
	__u32 size;
	bool counts;            /* a count: -i shows its rate */
};

/* A member of a contract struct: its name and size from lwtp_contract.h */
#define MEMBER(s, m, counts) { #m, sizeof(((struct s *)0)->m), counts }

static const struct member_spec limit_members[LIM_N] = {
	[LIM_TOKENS]    = MEMBER(lwtp_limit_state, tokens, false),
	[LIM_SCALE]     = MEMBER(lwtp_limit_state, scale, false),
	[LIM_LAST_NS]   = MEMBER(lwtp_limit_state, last_ns, false),
	[LIM_RATE]      = MEMBER(lwtp_limit_state, rate, false),
	[LIM_PERIOD_NS] = MEMBER(lwtp_limit_state, period_ns, false),
	[LIM_BURST]     = MEMBER(lwtp_limit_state, burst, false),
	[LIM_PASSED]    = MEMBER(lwtp_limit_state, passed, true),
	[LIM_EXCEEDED]  = MEMBER(lwtp_limit_state, exceeded, true),
	[LIM_UNIT]      = MEMBER(lwtp_limit_state, unit, false),
	[LIM_LOCK]      = MEMBER(lwtp_limit_state, lock, false),
};

static const struct member_spec quota_members[QUOTA_N] = {
	/* used is the budget's state: -i shows it as it is */
	[QUOTA_USED]  = MEMBER(lwtp_quota_state, used, false),
	[QUOTA_LIMIT] = MEMBER(lwtp_quota_state, limit, false),
	[QUOTA_OVER]  = MEMBER(lwtp_quota_state, over, true),
	[QUOTA_UNIT]  = MEMBER(lwtp_quota_state, unit, false),
};

static const struct member_spec counter_packets = MEMBER(lwtp_counter, packets, true);
static const struct member_spec counter_bytes = MEMBER(lwtp_counter, bytes, true);

static const struct member_spec keys_members[KEYS_N] = {
	[KEYS_INSERTED] = MEMBER(lwtp_keys, inserted, true),
	[KEYS_REFUSED]  = MEMBER(lwtp_keys, refused, true),
};

/* The value struct of a kind that decode_read() reads member by member. */
static const struct value_spec {
	const char *type;
	const struct member_spec *members;
	int n;
} value_specs[] = {
	[LWTP_LIMIT] = { STRUCT_NAME(lwtp_limit_state), limit_members, LIM_N },
	[LWTP_QUOTA] = { STRUCT_NAME(lwtp_quota_state), quota_members, QUOTA_N },
	[LWTP_KEYS]  = { STRUCT_NAME(lwtp_keys), keys_members, KEYS_N },
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

__u32 decode_value_size(enum lwtp_kind kind, int i)
{
	const struct value_spec *vs = value_spec(kind);

	return vs && i >= 0 && i < vs->n ? vs->members[i].size : 0;
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

/* The values the language names for the integer key member f, or NULL. */
static const struct named_value *member_names(const struct field *f)
{
	if (f->kind != FK_UINT && f->kind != FK_PROTO)
		return NULL;
	return decode_member_names(f->name);
}

bool decode_field_is_int(const struct field *f)
{
	switch (f->kind) {
	case FK_UINT:
	case FK_BOOL:
	case FK_PORT:
	case FK_PROTO:
	case FK_LOG2:
	case FK_LINEAR:
	case FK_INDEX:
		return true;
	default:
		return false;
	}
}

static bool is_padding(const char *name)
{
	return !name || !*name || strncmp(name, "__pad", 5) == 0 ||
	       strncmp(name, LWTP_PAD_PREFIX, strlen(LWTP_PAD_PREFIX)) == 0;
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
		if (strcmp(name, TYPE_NAME(lwtp_log2_t)) == 0 ||
		    strncmp(name, LWTP_LINEAR_PREFIX, strlen(LWTP_LINEAR_PREFIX)) == 0)
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

/* An address prefix typedef (lwtp_contract.h, LWTP_IP4_PREFIX_TYPE) into
 * f: 1 when name is one, 0 when it is not, -EINVAL (logged) when it is one
 * that lwtc does not make. */
static int classify_prefix(const char *map, const char *name, struct field *f)
{
	static const struct {
		const char *prefix;
		enum field_kind kind;
		int lengths;
		unsigned max4, max6;
		__u32 size;
	} kinds[] = {
		{ LWTP_IP4_PREFIX_TYPE, FK_IP4, 1, 32, 0, sizeof(lwtp_ip4_t) },
		{ LWTP_IP6_PREFIX_TYPE, FK_IP6, 1, 0, 128, sizeof(lwtp_ip6_t) },
		{ LWTP_IP_PREFIX_TYPE, FK_IP, 2, 32, 128, sizeof(lwtp_ip_t) },
	};
	unsigned a = 0, b = 0;
	size_t i, len;
	int end = 0, n;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		len = strlen(kinds[i].prefix);
		if (strncmp(name, kinds[i].prefix, len))
			continue;
		n = kinds[i].lengths == 1 ? sscanf(name + len, "%u_t%n", &a, &end)
					  : sscanf(name + len, "%u_%u_t%n", &a, &b, &end);
		if (n != kinds[i].lengths || !end || name[len + end] || f->size != kinds[i].size ||
		    (kinds[i].lengths == 1 ? a > (kinds[i].max4 ?: kinds[i].max6)
					   : a > kinds[i].max4 || b > kinds[i].max6)) {
			p_err("map '%s': key type %s of %u bytes does not describe an address "
			      "prefix", map, name, f->size);
			return -EINVAL;
		}
		f->kind = kinds[i].kind;
		f->prefix = true;
		f->plen4 = kinds[i].kind == FK_IP6 ? 0 : a;
		f->plen6 = kinds[i].kind == FK_IP6 ? a : kinds[i].kind == FK_IP ? b : 0;
		return 1;
	}
	return 0;
}

/* "ip.dst/24", "ip.dst/24/48": a prefix key's label says its lengths. */
static void label_prefix(struct field *f)
{
	size_t len = strlen(f->label);

	if (f->kind == FK_IP)
		snprintf(f->label + len, sizeof(f->label) - len, "/%u/%u", f->plen4, f->plen6);
	else
		snprintf(f->label + len, sizeof(f->label) - len, "/%u",
			 f->kind == FK_IP4 ? f->plen4 : f->plen6);
}

/* Classify the type id of a key member (or a scalar key) into f. Logs and
 * returns -EINVAL when an lwtp_* typedef has the wrong size. */
static int classify(const char *map, const struct btf *btf, __u32 id, struct field *f)
{
	const struct btf_type *t;
	unsigned long long a, b, c;
	__s64 size;
	size_t i;
	int guard, end, err;

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
			err = classify_prefix(map, name, f);
			if (err)
				return err < 0 ? err : 0;
			end = 0;
			if (sscanf(name, LWTP_LINEAR_PREFIX "%llu_%llu_%llu_t%n", &a, &b, &c, &end) == 3 &&
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
		if (f->prefix)
			label_prefix(f);
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
		packets = member_offset(btf, t, counter_packets.name, counter_packets.size);
		bytes = member_offset(btf, t, counter_bytes.name, counter_bytes.size);
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
		} else if (f.kind == FK_UINT && !chain_has(btf, id, TYPE_NAME(lwtp_u32_t)) &&
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

/* Whether f (of BTF type id), a set's element or a tuple's component, is
 * of a type a set holds: lwtp_ip_t, lwtp_port_t, lwtp_proto_t, lwtp_uN_t,
 * ... */
static bool set_elem_ok(const struct btf *btf, __u32 id, const struct field *f)
{
	switch (f->kind) {
	case FK_IP:
	case FK_IP4:
	case FK_IP6:
	case FK_PORT:
	case FK_PROTO:
	case FK_BOOL:
		return true;
	case FK_UINT:
		return chain_has(btf, id, TYPE_NAME(lwtp_u8_t)) ||
		       chain_has(btf, id, TYPE_NAME(lwtp_u16_t)) ||
		       chain_has(btf, id, TYPE_NAME(lwtp_u32_t)) ||
		       chain_has(btf, id, TYPE_NAME(lwtp_u64_t));
	default:
		return false;
	}
}

/* A set of tuples: a HASH keyed by a struct of 2 or more members, each of
 * a type a set holds (lwtc's struct NAME_key, lwtp_padN members aside). */
static int tuple_key(const char *map, const struct btf *btf, const struct btf_type *t,
		     struct layout *l)
{
	const struct btf_member *m = btf_members(t);
	size_t len = 1;
	int i, j, err;

	err = struct_fields(map, btf, t, l->keys, &l->nkeys);
	if (err)
		return err;
	if (l->nkeys < 2)
		goto bad;
	for (i = 0, j = 0; i < btf_vlen(t); i++, m++) {
		if (is_padding(btf__name_by_offset(btf, m->name_off)))
			continue;
		/* an exact value: no prefix type (lwtp_ip4_prefix_N_t) */
		if (!set_elem_ok(btf, m->type, &l->keys[j]) || l->keys[j].prefix)
			goto bad;
		j++;
	}
	l->tuple = true;
	strcpy(l->tuple_type, "(");
	for (j = 0; j < l->nkeys; j++) {
		const char *w = elem_type(&l->keys[j]);

		len += strlen(w) + 2;
		if (len + 1 >= sizeof(l->tuple_type))
			goto bad;
		strcat(l->tuple_type, j ? ", " : "");
		strcat(l->tuple_type, w);
	}
	strcat(l->tuple_type, ")");
	return 0;
bad:
	p_err("map '%s': the key of a set of tuples must be a struct of 2 or more members, "
	      "each lwtp_ip_t, lwtp_port_t, lwtp_proto_t or lwtp_uN_t", map);
	return -EINVAL;
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
	if (btf_is_struct(t))
		return tuple_key(map, btf, t, l);
	memset(f, 0, sizeof(f[0]));
	err = classify(map, btf, id, &f[0]);
	if (err)
		return err;
	if (!set_elem_ok(btf, id, &f[0])) {
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

/* ---- audit policies ------------------------------------------------------ */

static struct audit_table *audit_tables;       /* every one seen, for the run */

/* Whether vid is struct lwtp_audit_NAME. */
static bool is_audit_value(const struct btf *btf, __u32 vid)
{
	const struct btf_type *t = resolve(btf, vid);
	const char *name = t && btf_is_struct(t) ? btf__name_by_offset(btf, t->name_off) : NULL;

	return name && strncmp(name, LWTP_AUDIT_PREFIX, strlen(LWTP_AUDIT_PREFIX)) == 0;
}

/* The file of lwtp_srcfile_FILE_t ("" when the key is not so named):
 * every _XX back to its byte. */
static void audit_file(const struct btf *btf, __u32 kid, char *buf, size_t size)
{
	const struct btf_type *t = btf__type_by_id(btf, kid);
	const char *name, *p;
	size_t n = 0, len;
	unsigned c;

	buf[0] = 0;
	while (t && btf_is_mod(t))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_typedef(t))
		return;
	name = btf__name_by_offset(btf, t->name_off);
	len = name ? strlen(name) : 0;
	if (len < strlen(LWTP_SRCFILE_PREFIX) + 2 ||
	    strncmp(name, LWTP_SRCFILE_PREFIX, strlen(LWTP_SRCFILE_PREFIX)) ||
	    strcmp(name + len - 2, "_t"))
		return;
	for (p = name + strlen(LWTP_SRCFILE_PREFIX); p < name + len - 2 && n + 1 < size; p++) {
		if (*p == '_' && sscanf(p + 1, "%2x", &c) == 1 && p + 3 <= name + len - 2) {
			buf[n++] = (char)c;
			p += 2;
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = 0;
}

/* ACTION_LINE_COL into s; false for another name. */
static bool audit_member(const char *name, struct audit_stmt *s)
{
	const char *col = strrchr(name, '_'), *line;
	size_t alen;

	if (!col || col == name)
		return false;
	for (line = col - 1; line > name && *line != '_'; line--)
		;
	alen = line - name;
	if (line == name || !alen || alen >= sizeof(s->action) ||
	    sscanf(line + 1, "%u", &s->line) != 1 || sscanf(col + 1, "%u", &s->col) != 1)
		return false;
	memcpy(s->action, name, alen);
	s->action[alen] = 0;
	return true;
}

static const struct audit_table *audit_intern(struct audit_table *t)
{
	struct audit_table *o;

	for (o = audit_tables; o; o = o->next)
		if (o->n == t->n && !strcmp(o->file, t->file) &&
		    !memcmp(o->s, t->s, t->n * sizeof(*t->s))) {
			free(t->s);
			free(t);
			return o;
		}
	t->next = audit_tables;
	audit_tables = t;
	return t;
}

/* An audit policy's map: a PERCPU_ARRAY (or ARRAY) of one struct
 * lwtp_audit_NAME of struct lwtp_counter members; read as a counter keyed
 * by statement. */
static int audit_layout(const char *map, const struct btf *btf, __u32 kid, __u32 vid,
			struct layout *l)
{
	const struct btf_type *t = resolve(btf, vid);
	const struct btf_member *m = btf_members(t);
	struct audit_table *tab;
	struct field *f;
	int i;

	if ((l->map_type != BPF_MAP_TYPE_PERCPU_ARRAY && l->map_type != BPF_MAP_TYPE_ARRAY) ||
	    l->max_entries != 1 || l->key_size != sizeof(__u32)) {
		p_err("map '%s': an audit policy's counts must be a PERCPU_ARRAY of one entry", map);
		return -EINVAL;
	}
	tab = calloc(1, sizeof(*tab));
	if (tab)
		tab->s = calloc(btf_vlen(t) ? btf_vlen(t) : 1, sizeof(*tab->s));
	if (!tab || !tab->s) {
		free(tab);
		return -ENOMEM;
	}
	for (i = 0; i < btf_vlen(t); i++, m++) {
		struct audit_stmt *s = &tab->s[tab->n];

		if (!chain_has(btf, m->type, STRUCT_NAME(lwtp_counter)) ||
		    btf_member_bitfield_size(t, i) || btf_member_bit_offset(t, i) % 64 ||
		    !audit_member(btf__name_by_offset(btf, m->name_off) ?: "", s)) {
			p_err("map '%s': member %d of its struct %s is not a struct lwtp_counter "
			      "named ACTION_LINE_COLUMN", map, i, btf__name_by_offset(btf, t->name_off));
			free(tab->s);
			free(tab);
			return -EINVAL;
		}
		s->off = btf_member_bit_offset(t, i) / 8;
		tab->n++;
	}
	audit_file(btf, kid, tab->file, sizeof(tab->file));
	l->audit = audit_intern(tab);
	l->packets_off = __builtin_offsetof(struct lwtp_counter, packets);
	l->bytes_off = __builtin_offsetof(struct lwtp_counter, bytes);
	l->nkeys = 1;
	f = &l->keys[0];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "statement");
	snprintf(f->label, sizeof(f->label), "statement");
	f->kind = FK_AUDIT;
	f->size = sizeof(__u32);
	f->audit = l->audit;
	return 0;
}

const char *decode_audit_what(const struct audit_stmt *s, char *buf, size_t size)
{
	unsigned cb;

	if (!strcmp(s->action, "drop"))
		return "would drop";
	if (!strcmp(s->action, "limit"))
		return "would limit";
	if (!strcmp(s->action, "quota"))
		return "would exceed";
	if (!strcmp(s->action, "pass"))
		return "passed";
	if (!strcmp(s->action, "end"))
		return "passed (end)";
	if (!strncmp(s->action, "set_", 4)) {
		if (sscanf(s->action + 4, "cb%u", &cb) == 1)
			snprintf(buf, size, "would set skb.cb[%u]", cb);
		else
			snprintf(buf, size, "would set skb.%s", s->action + 4);
		return buf;
	}
	return s->action;
}

void decode_audit_where(const struct audit_table *t, const struct audit_stmt *s, char *buf,
			size_t size)
{
	snprintf(buf, size, "%s%s%u:%u", t->file, *t->file ? ":" : "", s->line, s->col);
}

/* What the value type says the map is; LWTP_NOT_OURS when it is not lwtp's. */
static enum lwtp_kind value_kind(const struct btf *btf, __u32 kid, __u32 vid)
{
	static const struct {
		const char *type;
		enum lwtp_kind kind;
	} kinds[] = {
		{ STRUCT_NAME(lwtp_counter), LWTP_COUNTER },
		{ TYPE_NAME(lwtp_hist_count_t), LWTP_HIST },
		{ TYPE_NAME(lwtp_set_value_t), LWTP_SET },
		{ TYPE_NAME(lwtp_map_value_t), LWTP_SET },
		{ TYPE_NAME(lwtp_verdict_t), LWTP_SET },
		{ STRUCT_NAME(lwtp_limit_state), LWTP_LIMIT },
		{ STRUCT_NAME(lwtp_quota_state), LWTP_QUOTA },
		{ STRUCT_NAME(lwtp_keys), LWTP_KEYS },
		{ TYPE_NAME(lwtp_cgroup_id_t), LWTP_CGROUP_IDS },
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
	case LWTP_CGROUP_IDS:
		if (l->map_type == BPF_MAP_TYPE_ARRAY && l->value_size == sizeof(lwtp_cgroup_id_t) &&
		    l->key_size == sizeof(__u32))
			return 0;
		p_err("map '%s': lwtp_cgroup_id_t must be the value of an ARRAY keyed by __u32",
		      name);
		return -EINVAL;
	default:
		return 0;
	}
}

/* The kernel's size of a map's keys or values (what) must be that of its
 * BTF type id. */
static int check_size(const char *name, const struct btf *btf, __u32 id, __u32 kernel_size,
		      const char *what)
{
	__s64 size = btf__resolve_size(btf, id);
	char tname[128];

	if (size == kernel_size)
		return 0;
	decode_type_name(btf, id, tname, sizeof(tname));
	p_err("map '%s': its %ss are %u bytes, but its %s type %s is %lld",
	      name, what, kernel_size, what, tname, (long long)size);
	return -EINVAL;
}

static int check_sizes(const char *name, const struct btf *btf, const struct bpf_map_info *info)
{
	int err = check_size(name, btf, info->btf_value_type_id, info->value_size, "value");

	if (err)
		return err;
	if (!info->btf_key_type_id) {
		p_err("map '%s': its BTF has no key type", name);
		return -EINVAL;
	}
	return check_size(name, btf, info->btf_key_type_id, info->key_size, "key");
}

static int decode_value(const char *name, const struct btf *btf, __u32 vid, struct layout *l)
{
	if (l->audit || l->kind == LWTP_CGROUP_IDS)
		return 0;       /* audit_layout() has read it; check_map_type() an id */
	switch (l->kind) {
	case LWTP_COUNTER:
		return counter_value(name, btf, vid, l);
	case LWTP_HIST:
		if (l->value_size == sizeof(lwtp_hist_count_t))
			return 0;
		p_err("map '%s': lwtp_hist_count_t must be 8 bytes", name);
		return -EINVAL;
	case LWTP_SET:
		if (chain_has(btf, vid, TYPE_NAME(lwtp_map_value_t)))
			l->rmap = RMAP_VALUES;
		else if (chain_has(btf, vid, TYPE_NAME(lwtp_verdict_t)))
			l->rmap = RMAP_VERDICTS;
		if (l->rmap && l->value_size == sizeof(__u32))
			return 0;
		if (!l->rmap && l->value_size == sizeof(lwtp_set_value_t))
			return 0;
		p_err("map '%s': %s must be %s", name, l->rmap ? "the value of a runtime map" :
		      "lwtp_set_value_t", l->rmap ? "4 bytes" : "1 byte");
		return -EINVAL;
	default:
		return state_value(name, btf, vid, l);
	}
}

static int decode_key(const char *name, const struct btf *btf, __u32 kid, struct layout *l)
{
	int err;

	if (l->audit || l->kind == LWTP_CGROUP_IDS)
		return 0;       /* audit_layout() has read it; check_map_type() a slot */
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
	if (info->type == BPF_MAP_TYPE_CGROUP_ARRAY) {
		l->kind = LWTP_SET;     /* of cgroups: the ids are in lwtp_cgroups_NAME */
		l->cgroup = true;
		l->key_size = sizeof(lwtp_cgroup_id_t);
		l->elem.kind = FK_UINT;
		l->elem.size = sizeof(lwtp_cgroup_id_t);
		return 1;
	}
	if (!btf || !vid)
		return 0;
	l->kind = is_audit_value(btf, vid) ? LWTP_COUNTER : value_kind(btf, kid, vid);
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
	if (!err && is_audit_value(btf, vid))
		err = audit_layout(name, btf, kid, vid, l);
	if (!err)
		err = check_map_type(name, l);
	if (!err)
		err = decode_value(name, btf, vid, l);
	if (!err)
		err = decode_key(name, btf, kid, l);
	return err ? err : 1;
}

/* ---- values ------------------------------------------------------------ */
