/* emit_maps.c: the map key and value types (with the typedefs whose names
 * tell the runtime how to print each key member) and the BTF map
 * definitions, one per statistic, pinned by name. */
#include <stdlib.h>
#include <string.h>

#include "emit_priv.h"

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
	bool counter = false, any = false, set = false, ip_set = false;

	for (const struct map_def *m = prog->maps; m; m = m->next) {
		if (m->kind == MAP_COUNT)
			counter = true;
		if (m->kind == MAP_SET)
			set = true;
		if (m->kind == MAP_SET && !m->set_key_type)
			ip_set = true;
	}
	if (!prog->maps)
		return;
	fprintf(e->out, "/* ---- map keys and values: the typedef names say how to "
		"print them ----- */\n\n");
	if (counter)
		fprintf(e->out, "struct lwtp_counter {\n\t__u64 packets;\n"
			"\t__u64 bytes;           /* skb.len */\n};\n\n");
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
		fprintf(e->out, "/* an element of a runtime set of addresses: a prefix, "
			"IPv4 as ::ffff:a.b.c.d/(96+len) */\n"
			"struct lwtp_lpm_ip {\n\t__u32 prefixlen;\n\tlwtp_ip_t addr;\n};\n\n");

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

static void emit_map(struct emitter *e, const struct map_def *m)
{
	if (m->kind == MAP_SET) {
		emit_set_map(e, m);
		return;
	}
	struct sbuf c = { 0 };
	char *safe;
	const char *value = m->kind == MAP_COUNT ? "struct lwtp_counter" : "__u64";

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
}

void emit_maps(struct emitter *e)
{
	if (!e->prog->maps)
		return;
	fprintf(e->out, "/* ---- maps: one per statistic, pinned by name "
		"---------------------------- */\n\n");
	for (const struct map_def *m = e->prog->maps; m; m = m->next)
		emit_map(e, m);
}
