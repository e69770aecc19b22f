/* emit_maps.c: the map key and value types (with the typedefs whose names
 * tell the runtime how to print each key member) and the BTF map
 * definitions, one per statistic, pinned by name. */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "bpf_texts.h"
#include "emit_priv.h"
#include "emit_rset.h"
#include "lwtp_contract.h"
#include "util.h"
#include "walk.h"

/* ---- types and maps ------------------------------------------------------------- */

/* The key member types, in the order a program declares them, each with
 * its part of include/lwtp_contract.h (a comment and the typedef). */
static const struct {
	const char *name;
	const char *text;
} key_type_parts[] = {
	{ "lwtp_ip_t",    bpf_text_contract_key_ip },
	{ "lwtp_ip4_t",   bpf_text_contract_key_ip4 },
	{ "lwtp_ip6_t",   bpf_text_contract_key_ip6 },
	{ "lwtp_port_t",  bpf_text_contract_key_port },
	{ "lwtp_proto_t", bpf_text_contract_key_proto },
	{ "lwtp_u8_t",    bpf_text_contract_key_u8 },
	{ "lwtp_u16_t",   bpf_text_contract_key_u16 },
	{ "lwtp_u32_t",   bpf_text_contract_key_u32 },
	{ "lwtp_bool_t",  bpf_text_contract_key_bool },
	{ "lwtp_log2_t",  bpf_text_contract_key_log2 },
};

/* The declaration of runtime set m. */
static const struct set_decl *set_decl_of(const struct program *prog, const struct map_def *m)
{
	for (size_t i = 0; i < prog->nitems; i++)
		if (prog->items[i].kind == ITEM_SET && prog->items[i].u.set->map == m)
			return prog->items[i].u.set;
	return NULL;
}

static bool map_uses_type(const struct program *prog, const struct map_def *m,
			  const char *name)
{
	if (m->kind == MAP_SET && m->set_elem == SETT_TUPLE) {
		const struct set_decl *d = set_decl_of(prog, m);
		return d && emit_rset_uses_type(d, name);
	}
	if (m->kind == MAP_SET)
		return m->set_elem != SETT_CGROUP &&
		       strcmp(m->set_key_type ? m->set_key_type : "lwtp_ip_t", name) == 0;
	if (m->bucket_type && strcmp(m->bucket_type, name) == 0)
		return true;
	for (size_t i = 0; i < m->nmembers; i++)
		if (m->members[i].type && m->members[i].field &&
		    strcmp(resources_member_type(m, &m->members[i]), name) == 0)
			return true;
	return false;
}

static bool program_uses_type(const struct program *prog, const char *name)
{
	for (const struct map_def *m = prog->maps; m; m = m->next)
		if (map_uses_type(prog, m, name))
			return true;
	return false;
}

static bool program_has_map(const struct program *prog, bool (*is)(const struct map_def *))
{
	for (const struct map_def *m = prog->maps; m; m = m->next)
		if (is(m))
			return true;
	return false;
}

static bool is_count(const struct map_def *m) { return m->kind == MAP_COUNT; }
static bool is_limit(const struct map_def *m) { return m->kind == MAP_LIMIT; }
static bool is_quota(const struct map_def *m) { return m->kind == MAP_QUOTA; }
static bool is_sample(const struct map_def *m) { return m->kind == MAP_SAMPLE; }
static bool is_set(const struct map_def *m)
{
	return m->kind == MAP_SET && m->set_elem != SETT_CGROUP && m->set_value == RMAP_NONE;
}
static bool is_value_map(const struct map_def *m)
{
	return m->kind == MAP_SET && m->set_value == RMAP_MARK;
}
static bool is_verdict_map(const struct map_def *m)
{
	return m->kind == MAP_SET && m->set_value == RMAP_VERDICT;
}
static bool is_cgroup_set(const struct map_def *m)
{
	return m->kind == MAP_SET && m->set_elem == SETT_CGROUP;
}
static bool is_ip_set(const struct map_def *m) { return m->kind == MAP_SET && !m->set_key_type; }
static bool is_hist(const struct map_def *m)
{
	return m->kind == MAP_HIST_LOG2 || m->kind == MAP_HIST_LINEAR;
}

/* Whether a policy of the program is in audit mode: it has an
 * lwtp_audit_NAME of struct lwtp_counter members. */
static bool program_audits(const struct program *prog)
{
	for (size_t i = 0; i < prog->nitems; i++)
		if (prog->items[i].kind == ITEM_POLICY && prog->items[i].u.policy->audit)
			return true;
	return false;
}

/* The value types of the program's maps, as the contract writes them. */
static void emit_value_types(struct emitter *e)
{
	const struct program *prog = e->prog;

	if (program_has_map(prog, is_hist))
		emit_bpf_text(e->out, bpf_text_contract_hist_count);
	if (program_has_map(prog, is_count) || program_audits(prog))
		emit_bpf_text(e->out, bpf_text_contract_counter);
	if (program_has_map(prog, resources_has_full))
		emit_bpf_text(e->out, bpf_text_contract_keys);
	if (program_has_map(prog, is_sample))
		emit_bpf_text(e->out, bpf_text_contract_sample);
	if (program_has_map(prog, is_limit)) {
		emit_bpf_text(e->out, bpf_text_contract_limit_state);
		emit_bpf_text(e->out, bpf_text_contract_lock);
		fprintf(e->out, "#define LWTP_LOCKS %u\n\n", LWTP_LOCKS);
	}
	if (program_has_map(prog, is_quota))
		emit_bpf_text(e->out, bpf_text_contract_quota_state);
}

/* linear buckets: one typedef per parameter set, in order of first use */
static bool emit_linear_types(struct emitter *e)
{
	bool any = false;

	for (const struct map_def *m = e->prog->maps; m; m = m->next) {
		bool seen = false;
		if (m->kind != MAP_HIST_LINEAR)
			continue;
		for (const struct map_def *o = e->prog->maps; o != m; o = o->next)
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
	return any;
}

/* Whether the key member k is the first in the program of its address
 * prefix typedef. */
static bool first_prefix(const struct program *prog, const struct map_key_member *k)
{
	for (const struct map_def *o = prog->maps; o; o = o->next)
		for (size_t i = 0; i < o->nmembers; i++) {
			if (&o->members[i] == k)
				return true;
			if (o->members[i].type_name &&
			    strcmp(o->members[i].type_name, k->type_name) == 0)
				return false;
		}
	return true;
}

/* address prefixes: one typedef per field family and lengths, in order of
 * first use (lwtp_contract.h, LWTP_IP4_PREFIX_TYPE) */
static bool emit_prefix_types(struct emitter *e)
{
	bool any = false;

	for (const struct map_def *m = e->prog->maps; m; m = m->next)
		for (size_t i = 0; i < m->nmembers; i++) {
			const struct map_key_member *k = &m->members[i];

			if (!k->type_name || !first_prefix(e->prog, k))
				continue;
			if (k->plen6 < 0)
				fprintf(e->out, "/* IPv4 /%d prefix, network order, host bits zero */\n"
					"typedef __be32 %s;\n", k->plen4, k->type_name);
			else if (k->plen4 < 0)
				fprintf(e->out, "/* IPv6 /%d prefix, network order, host bits zero */\n"
					"typedef __be32 %s[4];\n", k->plen6, k->type_name);
			else
				fprintf(e->out, "/* IPv4 /%d or IPv6 /%d prefix, network order, host "
					"bits zero; IPv4 as ::ffff:a.b.c.d */\n"
					"typedef __be32 %s[4];\n", k->plen4, k->plen6, k->type_name);
			any = true;
		}
	return any;
}

/* The key member types the program's maps use, one after another. */
static void emit_key_types(struct emitter *e)
{
	bool any = false;

	for (size_t i = 0; i < sizeof(key_type_parts) / sizeof(key_type_parts[0]); i++) {
		if (!program_uses_type(e->prog, key_type_parts[i].name))
			continue;
		fputs(key_type_parts[i].text, e->out);
		any = true;
	}
	any |= emit_linear_types(e);
	if (emit_prefix_types(e) || any)
		fputc('\n', e->out);
}

/* ---- audit policies ---------------------------------------------------------------- */

static enum walk_next audit_member_line(struct stmt *s, struct policy *p, void *ctx)
{
	struct emitter *e = ctx;
	char *m;

	(void)p;
	for (size_t i = 0; i < audit_counts(s); i++) {
		m = audit_member(s, i);
		fprintf(e->out, "\tstruct lwtp_counter %s;%*s/* %s */\n", m,
			(int)(strlen(m) < 24 ? 24 - strlen(m) : 1), "", audit_what(s, i));
		free(m);
	}
	return WALK_ON;
}

/* struct lwtp_audit_NAME of each audit policy: a counter a statement, named
 * after it (lwtp_contract.h, LWTP_AUDIT_PREFIX); and the key's typedef,
 * whose name says the policy's file. */
static void emit_audit_types(struct emitter *e)
{
	const struct program *prog = e->prog;
	char *key = audit_file_type(prog->file ? prog->file : "<stdin>");

	if (key)
		fprintf(e->out, "/* the key of the audit maps: 0; its name says the policies' file */\n"
			"typedef __u32 %s;\n\n", key);
	free(key);
	for (size_t i = 0; i < prog->nitems; i++) {
		struct policy *p = prog->items[i].kind == ITEM_POLICY ? prog->items[i].u.policy : NULL;
		char *end;

		if (!p || !p->audit)
			continue;
		end = audit_end_member(p);
		fprintf(e->out, "/* audit policy %s: what each statement would have done */\n", p->name);
		fprintf(e->out, "struct " LWTP_AUDIT_PREFIX "%s {\n", p->name);
		walk_stmts(&p->body, p, audit_member_line, e);
		fprintf(e->out, "\tstruct lwtp_counter %s;%*s/* passed: the policy's end */\n", end,
			(int)(strlen(end) < 24 ? 24 - strlen(end) : 1), "");
		fprintf(e->out, "};\n\n");
		free(end);
	}
}

void emit_types(struct emitter *e)
{
	const struct program *prog = e->prog;

	if (!prog->maps && !program_audits(prog))
		return;
	fprintf(e->out, "/* ---- map keys and values: the typedef names say how to "
		"print them ----- */\n\n");
	emit_value_types(e);
	emit_key_types(e);
	if (program_has_map(prog, is_set))
		emit_bpf_text(e->out, bpf_text_contract_set_value);
	if (program_has_map(prog, is_value_map))
		emit_bpf_text(e->out, bpf_text_contract_map_value);
	if (program_has_map(prog, is_verdict_map))
		emit_bpf_text(e->out, bpf_text_contract_verdict);
	if (program_has_map(prog, is_ip_set))
		emit_bpf_text(e->out, bpf_text_contract_lpm_ip);
	if (program_has_map(prog, is_cgroup_set))
		emit_bpf_text(e->out, bpf_text_contract_cgroup_id);

	for (const struct map_def *m = prog->maps; m; m = m->next) {
		if (!m->keyed)
			continue;
		fprintf(e->out, "struct %s_key {\n", m->name);
		for (size_t i = 0; i < m->nmembers; i++) {
			const struct map_key_member *k = &m->members[i];
			if (!k->type)
				fprintf(e->out, "\t__u8 %s[%u];\n", k->name, k->size);
			else
				fprintf(e->out, "\t%s %s;\n", resources_member_type(m, k), k->name);
		}
		fprintf(e->out, "};\n\n");
	}
	for (const struct map_def *m = prog->maps; m; m = m->next) {
		const struct set_decl *d = m->kind == MAP_SET && m->set_elem == SETT_TUPLE
					   ? set_decl_of(prog, m) : NULL;
		if (d)
			emit_rset_key_type(e, d);
	}
	if (program_audits(prog))
		emit_audit_types(e);
}

/* set NAME : cgroup: the CGROUP_ARRAY the program tests, and the ids of
 * its cgroups for lwtp (the kernel gives the array's contents to no one).
 * A CGROUP_ARRAY takes no BTF key and value: libbpf leaves them out. */
/* The start of a map's definition. In a file compiled in parts, the maps
 * are defined in part 1 and declared extern in the others (LWTP_EXTERN):
 * libbpf's linker makes each part's references to a map one map. */
static void open_map_def(struct emitter *e)
{
	fprintf(e->out, "%sstruct {\n", e->split ? "LWTP_EXTERN " : "");
}

static void emit_map_def(struct emitter *e, const char *type, const char *key,
			 const char *value, unsigned max_entries, const char *name);

static void emit_cgroup_set_map(struct emitter *e, const struct map_def *m)
{
	char *safe = emit_comment_safe(m->loc.file ? m->loc.file : "?");
	char *ids = xasprintf(LWTP_CGROUPS_PREFIX "%s", m->name);

	fprintf(e->out, "/* set %s : cgroup, %u slots, filled with 'lwtp set' (%s:%d) */\n",
		m->name, m->max_entries, safe, m->loc.first_line);
	emit_map_def(e, "BPF_MAP_TYPE_CGROUP_ARRAY", "__u32", "__u32", m->max_entries, m->name);
	fprintf(e->out, "/* ... the id of the cgroup in each slot of %s, 0 for none */\n", m->name);
	emit_map_def(e, "BPF_MAP_TYPE_ARRAY", "__u32", "lwtp_cgroup_id_t", m->max_entries, ids);
	free(ids);
	free(safe);
}

static void emit_set_map(struct emitter *e, const struct map_def *m)
{
	if (m->set_elem == SETT_CGROUP) {
		emit_cgroup_set_map(e, m);
		return;
	}
	const struct set_decl *d = m->set_elem == SETT_TUPLE ? set_decl_of(e->prog, m) : NULL;
	const char *type = d ? d->type_name : m->set_key_type ? m->set_key_type + 5 : "ip";
	const char *value = "lwtp_set_value_t";
	char *safe = emit_comment_safe(m->loc.file ? m->loc.file : "?");

	if (m->set_value == RMAP_NONE) {
		fprintf(e->out, "/* set %s : %s, up to %u elements, filled with 'lwtp set' "
			"(%s:%d) */\n", m->name, type, m->max_entries,
			m->loc.file ? m->loc.file : "?", m->loc.first_line);
	} else {
		value = m->set_value == RMAP_MARK ? "lwtp_map_value_t" : "lwtp_verdict_t";
		fprintf(e->out, "/* map %s : %.*s -> %s, up to %u elements, filled with 'lwtp "
			"map' (%s:%d) */\n", m->name, (int)strcspn(type, "_"), type,
			m->set_value == RMAP_MARK ? "mark" : "verdict", m->max_entries, safe,
			m->loc.first_line);
	}
	free(safe);
	open_map_def(e);
	if (m->set_key_type) {
		fprintf(e->out, "\t__uint(type, BPF_MAP_TYPE_HASH);\n");
		fprintf(e->out, "\t__type(key, %s);\n", m->set_key_type);
	} else {
		fprintf(e->out, "\t__uint(type, BPF_MAP_TYPE_LPM_TRIE);\n");
		fprintf(e->out, "\t__type(key, struct lwtp_lpm_ip);\n");
		fprintf(e->out, "\t__uint(map_flags, BPF_F_NO_PREALLOC);\n");
	}
	fprintf(e->out, "\t__type(value, %s);\n", value);
	fprintf(e->out, "\t__uint(max_entries, %u);\n", m->max_entries);
	fprintf(e->out, "\t__uint(pinning, LIBBPF_PIN_BY_NAME);\n");
	fprintf(e->out, "} %s SEC(\".maps\");\n\n", m->name);
}

static void emit_map_def(struct emitter *e, const char *type, const char *key,
			 const char *value, unsigned max_entries, const char *name)
{
	open_map_def(e);
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
	open_map_def(e);
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

	open_map_def(e);
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

static void emit_audit_maps(struct emitter *e)
{
	const struct program *prog = e->prog;
	char *key = audit_file_type(prog->file ? prog->file : "<stdin>");

	for (size_t i = 0; i < prog->nitems; i++) {
		const struct policy *p = prog->items[i].kind == ITEM_POLICY ? prog->items[i].u.policy : NULL;
		char *name, *value, *safe;

		if (!p || !p->audit)
			continue;
		name = xasprintf(LWTP_AUDIT_PREFIX "%s", p->name);
		value = xasprintf("struct %s", name);
		safe = emit_comment_safe(p->loc.file ? p->loc.file : "?");
		fprintf(e->out, "/* audit policy %s: what its statements would have done (%s:%d) */\n",
			p->name, safe, p->loc.first_line);
		emit_map_def(e, "BPF_MAP_TYPE_PERCPU_ARRAY", key ? key : "__u32", value, 1, name);
		free(safe);
		free(value);
		free(name);
	}
	free(key);
}

void emit_maps(struct emitter *e)
{
	bool limit = false;

	if (!e->prog->maps && !program_audits(e->prog))
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
			     LWTP_LOCKS, "lwtp_locks");
	}
	if (program_audits(e->prog))
		emit_audit_maps(e);
}
