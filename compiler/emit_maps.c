/* emit_maps.c: the map key and value types (with the typedefs whose names
 * tell the runtime how to print each key member) and the BTF map
 * definitions, one per statistic, pinned by name. */
#include <stdlib.h>
#include <string.h>

#include "emit_priv.h"
#include "lwtp_contract.h"
#include "util.h"

/* ---- types and maps ------------------------------------------------------------- */

static const char *const key_type_order[] = {
	"lwtp_ip_t", "lwtp_ip4_t", "lwtp_ip6_t", "lwtp_port_t", "lwtp_proto_t",
	"lwtp_u8_t", "lwtp_u16_t", "lwtp_u32_t", "lwtp_bool_t", "lwtp_log2_t", NULL,
};

static bool map_uses_type(const struct map_def *m, const char *name)
{
	if (m->kind == MAP_SET)
		return strcmp(m->set_key_type ? m->set_key_type : "lwtp_ip_t", name) == 0;
	if (m->bucket_type && strcmp(m->bucket_type, name) == 0)
		return true;
	for (size_t i = 0; i < m->nmembers; i++)
		if (m->members[i].type && m->members[i].field &&
		    strcmp(m->members[i].field->key_type, name) == 0)
			return true;
	return false;
}

void emit_types(struct emitter *e)
{
	const struct program *prog = e->prog;
	bool counter = false, hist = false, any = false, set = false, ip_set = false;
	bool full = false, limit = false, quota = false, sample = false;

	for (const struct map_def *m = prog->maps; m; m = m->next) {
		if (m->kind == MAP_COUNT)
			counter = true;
		if (m->kind == MAP_HIST_LOG2 || m->kind == MAP_HIST_LINEAR)
			hist = true;
		if (resources_has_full(m))
			full = true;
		if (m->kind == MAP_LIMIT)
			limit = true;
		if (m->kind == MAP_QUOTA)
			quota = true;
		if (m->kind == MAP_SAMPLE)
			sample = true;
		if (m->kind == MAP_SET)
			set = true;
		if (m->kind == MAP_SET && !m->set_key_type)
			ip_set = true;
	}
	if (!prog->maps)
		return;
	fprintf(e->out, "/* ---- map keys and values: the typedef names say how to "
		"print them ----- */\n\n");
	if (hist)
		fprintf(e->out, "/* packets in one histogram bucket */\n"
			"typedef __u64 lwtp_hist_count_t;\n\n");
	if (counter)
		fprintf(e->out, "struct lwtp_counter {\n\t__u64 packets;\n"
			"\t__u64 bytes;           /* skb.len */\n};\n\n");
	if (full)
		fprintf(e->out, "/* lwtp_full_NAME, per CPU: the new keys of the keyed statistic "
			"NAME,\n * or the records of the sample NAME */\n"
			"struct lwtp_keys {\n"
			"\t__u64 inserted;        /* stored (an LRU map evicts old keys for them) */\n"
			"\t__u64 refused;         /* not stored: the map or the ring was full */\n};\n\n");
	if (sample)
		emit_sample_types(e->out);
	if (limit)
		fprintf(e->out, "/* limit NAME: a token bucket, with its parameters */\n"
			"struct lwtp_limit_state {\n"
			"\t__u64 tokens;          /* what the bucket holds, in 1/scale units */\n"
			"\t__u64 scale;           /* tokens a unit (packet, byte or bit) */\n"
			"\t__u64 last_ns;         /* bpf_ktime_get_ns() when tokens was brought up to date */\n"
			"\t__u64 rate;            /* units per period_ns */\n"
			"\t__u64 period_ns;\n"
			"\t__u64 burst;           /* the bucket's size, in units */\n"
			"\t__u64 passed;          /* packets within the limit */\n"
			"\t__u64 exceeded;        /* packets over it: the action applied */\n"
			"\t__u32 unit;            /* 0 packets, 1 bytes, 2 bits */\n"
			"\t__u32 lock;            /* the lwtp_locks entry that guards this one */\n};\n\n"
			"struct lwtp_lock {\n\tstruct bpf_spin_lock lock;\n};\n\n");
	if (quota)
		fprintf(e->out, "/* quota NAME: a budget */\n"
			"struct lwtp_quota_state {\n"
			"\t__u64 used;            /* packets or bytes seen, over ones included */\n"
			"\t__u64 limit;           /* the budget */\n"
			"\t__u64 over;            /* packets over the budget: the action applied */\n"
			"\t__u32 unit;            /* 0 packets, 1 bytes */\n"
			"\t__u32 lwtp_pad0;\n};\n\n");
	for (const char *const *t = key_type_order; *t; t++) {
		const struct key_type *kt = resources_key_type(*t);
		bool used = false;
		for (const struct map_def *m = prog->maps; m && !used; m = m->next)
			used = map_uses_type(m, *t);
		if (!used)
			continue;
		fprintf(e->out, "/* %s */\n%s\n", kt->doc, kt->decl);
		any = true;
	}
	/* linear buckets: one typedef per parameter set, in order of first use */
	for (const struct map_def *m = prog->maps; m; m = m->next) {
		bool seen = false;
		if (m->kind != MAP_HIST_LINEAR)
			continue;
		for (const struct map_def *o = prog->maps; o != m; o = o->next)
			if (o->bucket_type && strcmp(o->bucket_type, m->bucket_type) == 0)
				seen = true;
		if (seen)
			continue;
		fprintf(e->out, "/* linear(%llu, %llu, %llu) bucket: 0 below %llu, then "
			"steps of %llu, %u from %llu on */\n",
			(unsigned long long)m->lin_min, (unsigned long long)m->lin_max,
			(unsigned long long)m->lin_step, (unsigned long long)m->lin_min,
			(unsigned long long)m->lin_step, m->nbuckets - 1,
			(unsigned long long)m->lin_max);
		fprintf(e->out, "typedef __u32 %s;\n", m->bucket_type);
		any = true;
	}
	if (any)
		fputc('\n', e->out);
	if (set)
		fprintf(e->out, "/* the value of every element of a runtime set */\n"
			"typedef __u8 lwtp_set_value_t;\n\n");
	if (ip_set)
		fprintf(e->out, "/* an element of a runtime set of addresses: the family (4 or\n"
			" * 6) is the first 32 bits of every prefix, so that no IPv6 prefix\n"
			" * (::/0 either) covers an IPv4 address; IPv4 a.b.c.d/len is\n"
			" * ::ffff:a.b.c.d with prefixlen 32 + 96 + len, IPv6 a/len 32 + len */\n"
			"struct lwtp_lpm_ip {\n\t__u32 prefixlen;\n\t__u32 family;\n"
			"\tlwtp_ip_t addr;\n};\n\n");

	for (const struct map_def *m = prog->maps; m; m = m->next) {
		if (!m->keyed)
			continue;
		fprintf(e->out, "struct %s_key {\n", m->name);
		for (size_t i = 0; i < m->nmembers; i++) {
			const struct map_key_member *k = &m->members[i];
			if (!k->type)
				fprintf(e->out, "\t__u8 %s[%u];\n", k->name, k->size);
			else if (k->field)
				fprintf(e->out, "\t%s %s;\n", k->field->key_type, k->name);
			else
				fprintf(e->out, "\t%s %s;\n", m->bucket_type, k->name);
		}
		fprintf(e->out, "};\n\n");
	}
}

static void emit_set_map(struct emitter *e, const struct map_def *m)
{
	fprintf(e->out, "/* set %s : %s, up to %u elements, filled with 'lwtp set' (%s:%d) */\n",
		m->name, m->set_key_type ? m->set_key_type + 5 : "ip", m->max_entries,
		m->loc.file ? m->loc.file : "?", m->loc.first_line);
	fprintf(e->out, "struct {\n");
	if (m->set_key_type) {
		fprintf(e->out, "\t__uint(type, BPF_MAP_TYPE_HASH);\n");
		fprintf(e->out, "\t__type(key, %s);\n", m->set_key_type);
	} else {
		fprintf(e->out, "\t__uint(type, BPF_MAP_TYPE_LPM_TRIE);\n");
		fprintf(e->out, "\t__type(key, struct lwtp_lpm_ip);\n");
		fprintf(e->out, "\t__uint(map_flags, BPF_F_NO_PREALLOC);\n");
	}
	fprintf(e->out, "\t__type(value, lwtp_set_value_t);\n");
	fprintf(e->out, "\t__uint(max_entries, %u);\n", m->max_entries);
	fprintf(e->out, "\t__uint(pinning, LIBBPF_PIN_BY_NAME);\n");
	fprintf(e->out, "} %s SEC(\".maps\");\n\n", m->name);
}

static void emit_map_def(struct emitter *e, const char *type, const char *key,
			 const char *value, unsigned max_entries, const char *name)
{
	fprintf(e->out, "struct {\n");
	fprintf(e->out, "\t__uint(type, %s);\n", type);
	fprintf(e->out, "\t__type(key, %s);\n", key);
	fprintf(e->out, "\t__type(value, %s);\n", value);
	fprintf(e->out, "\t__uint(max_entries, %u);\n", max_entries);
	fprintf(e->out, "\t__uint(pinning, LIBBPF_PIN_BY_NAME);\n");
	fprintf(e->out, "} %s SEC(\".maps\");\n\n", name);
}

static void emit_budget_map(struct emitter *e, const struct map_def *m)
{
	const struct limit_params *p = &m->limit;
	struct sbuf c = { 0 }, key = { 0 };
	char *safe;

	if (m->kind == MAP_LIMIT)
		sb_printf(&c, "limit %s: %llu %s per %llu ns, burst %llu %s", m->name,
			  (unsigned long long)p->rate, ast_unit_str(m->unit),
			  (unsigned long long)p->period_ns, (unsigned long long)p->burst,
			  ast_unit_str(m->unit));
	else
		sb_printf(&c, "quota %s: %llu %s", m->name, (unsigned long long)m->quota,
			  ast_unit_str(m->unit));
	if (m->keyed)
		sb_printf(&c, ", up to %u keys%s", m->max_entries,
			  m->kind == MAP_LIMIT ? ", least recently used go first" : "");
	sb_printf(&c, " (%s:%d)", m->loc.file ? m->loc.file : "?", m->loc.first_line);
	safe = emit_comment_safe(sb_str(&c));
	fprintf(e->out, "/* %s */\n", safe);
	free(safe);
	if (m->keyed)
		sb_printf(&key, "struct %s_key", m->name);
	else
		sb_puts(&key, "__u32");
	emit_map_def(e, !m->keyed ? "BPF_MAP_TYPE_ARRAY" : m->kind == MAP_LIMIT
		     ? "BPF_MAP_TYPE_LRU_HASH" : "BPF_MAP_TYPE_HASH", sb_str(&key),
		     m->kind == MAP_LIMIT ? "struct lwtp_limit_state" : "struct lwtp_quota_state",
		     m->max_entries, m->name);
	sb_free(&c);
	sb_free(&key);
}

/* lwtp_full_NAME: the new keys of a keyed statistic, inserted and refused */
static void emit_full_map(struct emitter *e, const struct map_def *m)
{
	char *name = xasprintf(LWTP_FULL_PREFIX "%s", m->name);

	if (m->kind == MAP_SAMPLE)
		fprintf(e->out, "/* samples of %s: written (inserted), or lost because the ring "
			"was full (refused) */\n", m->name);
	else
		fprintf(e->out, "/* new keys of %s: inserted, or refused because it was full */\n",
			m->name);
	emit_map_def(e, "BPF_MAP_TYPE_PERCPU_ARRAY", "__u32", "struct lwtp_keys", 1, name);
	free(name);
}

/* sample NAME: a ring buffer, pinned like the statistics */
static void emit_sample_map(struct emitter *e, const struct map_def *m)
{
	char *safe = emit_comment_safe(m->loc.file ? m->loc.file : "?");

	fprintf(e->out, "/* sample %s: %llu records of up to %llu bytes of packet (%s:%d) */\n",
		m->name, (unsigned long long)m->samples, (unsigned long long)m->snaplen,
		safe, m->loc.first_line);
	free(safe);
	fprintf(e->out, "struct {\n");
	fprintf(e->out, "\t__uint(type, BPF_MAP_TYPE_RINGBUF);\n");
	fprintf(e->out, "\t__uint(max_entries, %u);    /* bytes */\n", m->max_entries);
	fprintf(e->out, "\t__uint(pinning, LIBBPF_PIN_BY_NAME);\n");
	fprintf(e->out, "} %s SEC(\".maps\");\n\n", m->name);
	emit_full_map(e, m);
}

static void emit_map(struct emitter *e, const struct map_def *m)
{
	if (m->kind == MAP_SAMPLE) {
		emit_sample_map(e, m);
		return;
	}
	if (m->kind == MAP_SET) {
		emit_set_map(e, m);
		return;
	}
	if (m->kind == MAP_LIMIT || m->kind == MAP_QUOTA) {
		emit_budget_map(e, m);
		if (resources_has_full(m))
			emit_full_map(e, m);
		return;
	}
	struct sbuf c = { 0 };
	char *safe;
	const char *value = m->kind == MAP_COUNT ? "struct lwtp_counter" : "lwtp_hist_count_t";

	/* what it holds, from its first definition */
	sb_printf(&c, "%s %s", m->kind == MAP_COUNT ? "count" : "hist", m->name);
	if (m->kind == MAP_HIST_LOG2)
		sb_printf(&c, ": %u log2 buckets", m->nbuckets);
	else if (m->kind == MAP_HIST_LINEAR)
		sb_printf(&c, ": %u linear buckets", m->nbuckets);
	if (m->keyed)
		sb_printf(&c, ", up to %u keys", m->max_entries);
	sb_printf(&c, " (%s:%d)", m->loc.file ? m->loc.file : "?", m->loc.first_line);
	safe = emit_comment_safe(sb_str(&c));
	fprintf(e->out, "/* %s */\n", safe);
	free(safe);
	sb_free(&c);

	fprintf(e->out, "struct {\n");
	fprintf(e->out, "\t__uint(type, %s);\n",
		m->keyed ? "BPF_MAP_TYPE_PERCPU_HASH" : "BPF_MAP_TYPE_PERCPU_ARRAY");
	if (m->keyed)
		fprintf(e->out, "\t__type(key, struct %s_key);\n", m->name);
	else
		fprintf(e->out, "\t__type(key, %s);\n",
			m->kind == MAP_COUNT ? "__u32" : m->bucket_type);
	fprintf(e->out, "\t__type(value, %s);\n", value);
	fprintf(e->out, "\t__uint(max_entries, %u);\n", m->max_entries);
	fprintf(e->out, "\t__uint(pinning, LIBBPF_PIN_BY_NAME);\n");
	fprintf(e->out, "} %s SEC(\".maps\");\n\n", m->name);
	if (resources_has_full(m))
		emit_full_map(e, m);
}

void emit_maps(struct emitter *e)
{
	bool limit = false;

	if (!e->prog->maps)
		return;
	fprintf(e->out, "/* ---- maps: one per statistic, pinned by name "
		"---------------------------- */\n\n");
	for (const struct map_def *m = e->prog->maps; m; m = m->next) {
		emit_map(e, m);
		limit |= m->kind == MAP_LIMIT;
	}
	if (limit) {
		fprintf(e->out, "/* the locks of the limits' token buckets, shared by all "
			"(a bpf_spin_lock\n * cannot live in an LRU map's value) */\n");
		emit_map_def(e, "BPF_MAP_TYPE_ARRAY", "__u32", "struct lwtp_lock",
			     RESOURCES_LOCKS, "lwtp_locks");
	}
}
