/* resources.c: the resources pass. One map per statistic name, in order of
 * first use, with its key struct laid out member by member (explicit
 * padding), so that the emitter writes it and the runtime reads it back
 * from BTF without guessing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "lwtp_contract.h"
#include "names.h"
#include "resources.h"
#include "stat_size.h"
#include "util.h"
#include "walk.h"

/* ---- key member types -------------------------------------------------- */

/* The key member types of include/lwtp_contract.h (emit_maps.c writes their
 * typedefs from it): their sizes and alignments, to lay out a key. */
static const struct key_type key_types[] = {
	{ "lwtp_ip_t",    16, 4, true },
	{ "lwtp_ip4_t",   4,  4, false },
	{ "lwtp_ip6_t",   16, 4, true },
	{ "lwtp_port_t",  2,  2, false },
	{ "lwtp_proto_t", 1,  1, false },
	{ "lwtp_u8_t",    1,  1, false },
	{ "lwtp_u16_t",   2,  2, false },
	{ "lwtp_u32_t",   4,  4, false },
	{ "lwtp_bool_t",  1,  1, false },
	{ "lwtp_log2_t",  4,  4, false },
	{ NULL, 0, 0, false },
};

/* Linear buckets get a typedef per parameter set (lwtp_linear_MIN_MAX_STEP_t). */
static const struct key_type linear_type = { "lwtp_linear_MIN_MAX_STEP_t", 4, 4, false };

/* Address prefixes get a typedef per length (lwtp_contract.h). */
static const struct key_type prefix_types[] = {
	{ LWTP_IP4_PREFIX_TYPE, 4,  4, false },
	{ LWTP_IP6_PREFIX_TYPE, 16, 4, true },
	{ LWTP_IP_PREFIX_TYPE,  16, 4, true },
};

const struct key_type *resources_key_type(const char *name)
{
	if (!name)
		return NULL;
	for (const struct key_type *t = key_types; t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	if (strncmp(name, LWTP_LINEAR_PREFIX, strlen(LWTP_LINEAR_PREFIX)) == 0)
		return &linear_type;
	for (size_t i = 0; i < sizeof(prefix_types) / sizeof(prefix_types[0]); i++)
		if (strncmp(name, prefix_types[i].name, strlen(prefix_types[i].name)) == 0)
			return &prefix_types[i];
	return NULL;
}

const char *resources_member_type(const struct map_def *m, const struct map_key_member *k)
{
	if (k->type_name)
		return k->type_name;
	return k->field ? k->field->key_type : m->bucket_type;
}

/* The typedef of key k's prefix ('by ip4.dst/24': lwtp_ip4_prefix_24_t),
 * its lengths in *plen4, *plen6; NULL when k has none. The checker has
 * made sure the lengths fit the field's family. */
static char *prefix_type(const struct expr *k, int *plen4, int *plen6)
{
	const struct key_prefix *p = &k->u.field.prefix;

	*plen4 = *plen6 = -1;
	if (!p->n)
		return NULL;
	switch (k->u.field.def->type.kind) {
	case TYPE_ADDR4:
		*plen4 = (int)p->len[0];
		return xasprintf(LWTP_IP4_PREFIX_TYPE "%d_t", *plen4);
	case TYPE_ADDR6:
		*plen6 = (int)p->len[0];
		return xasprintf(LWTP_IP6_PREFIX_TYPE "%d_t", *plen6);
	default:
		*plen4 = (int)p->len[0];
		*plen6 = (int)p->len[1];
		return xasprintf(LWTP_IP_PREFIX_TYPE "%d_%d_t", *plen4, *plen6);
	}
}

/* ---- histogram value widths -------------------------------------------- */

static unsigned bit_length(uint64_t v)
{
	unsigned n = 0;
	while (v) {
		n++;
		v >>= 1;
	}
	return n ? n : 1;
}

/* How many low bits of e's value can be set: the number of log2 buckets. */
static unsigned value_bits(const struct expr *e)
{
	unsigned l, r;

	switch (e->kind) {
	case EXPR_INT:
		return bit_length(e->u.num);
	case EXPR_BOOL:
		return 1;
	case EXPR_NAME:
		if (e->u.name.value)
			return value_bits(e->u.name.value);
		if (e->u.name.symbol)
			return bit_length(e->u.name.symbol->value);
		break;
	case EXPR_FIELD:
		if (e->u.field.def && e->u.field.def->value_bits > 0)
			return (unsigned)e->u.field.def->value_bits;
		break;
	case EXPR_BINARY:
		l = value_bits(e->u.binary.left);
		r = value_bits(e->u.binary.right);
		if (e->u.binary.op == OP_BITAND)
			return l < r ? l : r;
		if (e->u.binary.op == OP_BITOR)
			return l > r ? l : r;
		break;
	default:
		break;
	}
	if (e->type.kind == TYPE_BOOL)
		return 1;
	if (e->type.kind == TYPE_INT && e->type.bits > 0 && e->type.bits <= 64)
		return (unsigned)e->type.bits;
	return 64;
}

/* ---- building one map_def from a statement ------------------------------ */

static void add_member(struct map_def *m, size_t *cap, struct map_key_member mem)
{
	if (m->nmembers == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		m->members = xrealloc(m->members, *cap * sizeof(*m->members));
	}
	m->members[m->nmembers++] = mem;
}

static bool member_named(const struct map_def *m, const char *name)
{
	for (size_t i = 0; i < m->nmembers; i++)
		if (strcmp(m->members[i].name, name) == 0)
			return true;
	return false;
}

/* Append a member of type t, with padding before it to t's alignment;
 * the member's own typedef, and its prefix lengths, are set after. */
static struct map_key_member *place(struct map_def *m, size_t *cap, unsigned *pads, char *name,
				    const struct field_def *f, int index, const struct key_type *t)
{
	unsigned off = m->key_size;
	unsigned aligned = (off + t->align - 1) / t->align * t->align;

	if (aligned > off) {
		struct map_key_member pad = {
			.name = xasprintf(LWTP_PAD_PREFIX "%u", (*pads)++),
			.index = -1, .offset = off, .size = aligned - off,
		};
		add_member(m, cap, pad);
	}
	struct map_key_member mem = {
		.name = name, .field = f, .index = index, .type = t,
		.plen4 = -1, .plen6 = -1, .offset = aligned, .size = t->size,
	};
	add_member(m, cap, mem);
	m->key_size = aligned + t->size;
	if (t->align > m->key_align)
		m->key_align = t->align;
	return &m->members[m->nmembers - 1];
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* FNV-1a of the name: which lwtp_locks entry an unkeyed limit takes. */
static unsigned name_stripe(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h % LWTP_LOCKS;
}

#define LIMIT_MAX_CAP (UINT64_C(1) << 61)

/* The bucket of a limit statement in integers; false (reported) when its
 * numbers do not fit in 64 bits. */
static bool limit_params(const struct stmt *s, struct map_def *m)
{
	const struct rate *r = &s->u.stat.rate;
	struct limit_params *p = &m->limit;
	uint64_t g;

	m->unit = r->unit;
	p->rate = r->amount;
	p->period_ns = r->period_ns;
	p->burst = s->u.stat.amount;
	p->stripe = name_stripe(s->u.stat.name);
	if (r->amount == 0 || p->burst == 0 || r->period_ns == 0)
		return false;   /* the checker said so */
	if (r->unit == UNIT_BITS) {
		if (p->burst > UINT64_MAX / 8)
			goto too_large;
		p->burst *= 8;  /* written in bytes, counted in bits */
	}
	g = gcd(p->rate, p->period_ns);
	p->rate_n = p->rate / g;
	p->scale = p->period_ns / g;
	if (p->rate_n > LIMIT_MAX_CAP || p->burst > LIMIT_MAX_CAP / p->scale)
		goto too_large;
	p->cap = p->burst * p->scale;
	p->fill_ns = p->cap / p->rate_n + (p->cap % p->rate_n != 0);
	return true;
too_large:
	diag_error(&s->u.stat.amount_loc, "the burst of '%s' is too large for its rate: "
		   "burst x (time a unit of the rate takes, in ns) must stay below 2^61",
		   s->u.stat.name);
	return false;
}

static struct map_def *map_from_stmt(const struct stmt *s, bool *ok)
{
	struct map_def *m = xcalloc(1, sizeof(*m));
	size_t cap = 0;
	unsigned pads = 0;

	*ok = true;
	m->name = xstrdup(s->u.stat.name);
	m->first = s;
	m->loc = s->u.stat.name_loc;
	m->key_align = 1;
	if (s->kind == STMT_COUNT) {
		m->kind = MAP_COUNT;
	} else if (s->kind == STMT_LIMIT) {
		m->kind = MAP_LIMIT;
		*ok = limit_params(s, m);
	} else if (s->kind == STMT_QUOTA) {
		m->kind = MAP_QUOTA;
		m->quota = s->u.stat.amount;
		m->unit = s->u.stat.amount_unit ? UNIT_BYTES : UNIT_PACKETS;
	} else if (s->kind == STMT_SAMPLE) {
		m->kind = MAP_SAMPLE;
		m->snaplen = stat_snaplen(s);
		m->samples = stat_size(s);
	} else if (s->u.stat.hist == HIST_LOG2) {
		m->kind = MAP_HIST_LOG2;
		m->value_bits = s->u.stat.value ? value_bits(s->u.stat.value) : 64;
		m->nbuckets = m->value_bits;
		m->bucket_type = xstrdup("lwtp_log2_t");
	} else {
		uint64_t n;
		m->kind = MAP_HIST_LINEAR;
		m->lin_min = s->u.stat.lin_min;
		m->lin_max = s->u.stat.lin_max;
		m->lin_step = s->u.stat.lin_step;
		/* the checker guarantees min < max, step > 0, n <= 1024 */
		n = m->lin_step && m->lin_max > m->lin_min
		    ? lwtp_linear_steps(m->lin_min, m->lin_max, m->lin_step) : 0;
		m->nbuckets = (unsigned)(n + 2);
		m->bucket_type = xasprintf(LWTP_LINEAR_PREFIX "%" PRIu64 "_%" PRIu64 "_%" PRIu64 "_t",
					   m->lin_min, m->lin_max, m->lin_step);
	}

	m->keyed = s->u.stat.keys.len > 0;
	if (m->keyed) {
		for (size_t i = 0; i < s->u.stat.keys.len; i++) {
			const struct expr *k = s->u.stat.keys.items[i];
			const struct field_def *f = k->u.field.def;
			int plen4 = -1, plen6 = -1;
			char *type = f ? prefix_type(k, &plen4, &plen6) : NULL;
			const struct key_type *t = f ? resources_key_type(type ? type : f->key_type) : NULL;
			struct map_key_member *mem;
			char *name;

			if (!t) {
				/* The checker lets only fields with a key type through. */
				diag_error(&k->loc, "internal error: '%s.%s' has no map key type",
					   k->u.field.ns, k->u.field.name);
				free(type);
				continue;
			}
			name = k->u.field.index >= 0
			     ? xasprintf("%s_%s%d", f->ns, f->name, k->u.field.index)
			     : xasprintf("%s_%s", f->ns, f->name);
			for (int n = 2; member_named(m, name); n++) {
				free(name);
				name = k->u.field.index >= 0
				     ? xasprintf("%s_%s%d_%d", f->ns, f->name, k->u.field.index, n)
				     : xasprintf("%s_%s_%d", f->ns, f->name, n);
			}
			mem = place(m, &cap, &pads, name, f, k->u.field.index, t);
			mem->type_name = type;
			mem->plen4 = plen4;
			mem->plen6 = plen6;
		}
		if (m->kind == MAP_HIST_LOG2 || m->kind == MAP_HIST_LINEAR)
			place(m, &cap, &pads, xstrdup("bucket"), NULL, -1,
			      resources_key_type(m->bucket_type));
		/* tail padding, so that sizeof() has no unnamed bytes */
		if (m->key_size % m->key_align) {
			unsigned end = (m->key_size + m->key_align - 1) / m->key_align * m->key_align;
			struct map_key_member pad = {
				.name = xasprintf(LWTP_PAD_PREFIX "%u", pads++),
				.index = -1, .offset = m->key_size, .size = end - m->key_size,
			};
			add_member(m, &cap, pad);
			m->key_size = end;
		}
		m->max_entries = (uint32_t)stat_size(s);
	} else if (m->kind == MAP_SAMPLE) {
		m->max_entries = (uint32_t)stat_ring_bytes(m->snaplen, m->samples);
		if (!m->max_entries) {
			/* The checker should have said so; never emit a bad map. */
			diag_error(&s->u.stat.size_loc, "internal error: sample ring too large");
			*ok = false;
		}
	} else {
		m->max_entries = (m->kind == MAP_HIST_LOG2 || m->kind == MAP_HIST_LINEAR)
			       ? m->nbuckets : 1;
	}
	return m;
}

bool resources_has_full(const struct map_def *m)
{
	return (m->keyed && m->kind != MAP_SET) || m->kind == MAP_SAMPLE;
}

static void map_free(struct map_def *m)
{
	for (size_t i = 0; i < m->nmembers; i++) {
		free(m->members[i].name);
		free(m->members[i].type_name);
	}
	free(m->members);
	free(m->bucket_type);
	free(m->name);
	free(m);
}

/* ---- one statistic, several statements ------------------------------------- */

/* A later statement of a statistic that first already stands for: the
 * checker has made sure that it defines it the same way (check.c, the one
 * place of that rule). log2 histograms of values of different widths (a
 * const of each policy's own, say) share one map with the larger number of
 * buckets: the buckets mean the same. */
static void merge(struct map_def *first, const struct map_def *m)
{
	if (m->kind == MAP_HIST_LOG2 && m->nbuckets > first->nbuckets) {
		first->value_bits = m->value_bits;
		first->nbuckets = m->nbuckets;
		if (!first->keyed)
			first->max_entries = first->nbuckets;
	}
}

/* ---- the walk ------------------------------------------------------------- */

/* The kernel's limit on the maps one program uses (MAX_USED_MAPS). */
#define MAX_MAPS_PER_PROGRAM 64

struct collect {
	struct program *prog;
	struct map_def **tail;
	struct names maps;      /* name -> its map, for the statements that follow */
	int errors;
	/* the maps of the policy being collected */
	const struct policy *policy;
	const struct map_def *used[MAX_MAPS_PER_PROGRAM];
	size_t nused;
	unsigned slots;         /* maps used: statistics, lwtp_full_*, lwtp_locks */
	bool locks;             /* lwtp_locks is among them */
	bool too_many;
};

/* m, the map of a name not seen before, last of the program's maps. */
static void add_map(struct collect *c, struct map_def *m)
{
	*c->tail = m;
	c->tail = &m->next;
	if (!names_find(&c->maps, m->name))
		names_add(&c->maps, m->name, m);
}

/* Count m (and lwtp_full_NAME, lwtp_locks) against the policy's limit of
 * maps. */
static void use_map(struct collect *c, const struct map_def *m, const struct stmt *s)
{
	for (size_t i = 0; i < c->nused; i++)
		if (c->used[i] == m)
			return;
	c->slots += 1 + resources_has_full(m);
	if (m->kind == MAP_LIMIT && !c->locks) {
		c->locks = true;
		c->slots++;
	}
	if (c->nused < MAX_MAPS_PER_PROGRAM && c->slots <= MAX_MAPS_PER_PROGRAM) {
		c->used[c->nused++] = m;
		return;
	}
	if (!c->too_many) {
		diag_error(&s->u.stat.name_loc, "policy '%s' uses more than %d maps (a keyed "
			   "statistic takes two: its own and lwtp_full_NAME; limits share "
			   "lwtp_locks); the kernel lets one program use at most %d maps",
			   c->policy->name, MAX_MAPS_PER_PROGRAM, MAX_MAPS_PER_PROGRAM);
		c->errors++;
		c->too_many = true;
	}
}

static void collect_stat(struct collect *c, struct stmt *s)
{
	struct map_def *m, *first;

	if (!s->u.stat.name)
		return;
	if (s->u.stat.keys.len > 0 && s->u.stat.has_size &&
	    (s->u.stat.size == 0 || s->u.stat.size > UINT32_MAX)) {
		/* The checker should have said so; never emit a bad map. */
		diag_error(&s->u.stat.size_loc, "size must be from 1 to %" PRIu32, UINT32_MAX);
		c->errors++;
		return;
	}
	bool ok;
	m = map_from_stmt(s, &ok);
	if (!ok) {
		c->errors++;
		map_free(m);
		return;
	}
	/* the checker has made sure that no set has the name */
	first = names_find(&c->maps, m->name);
	if (!first) {
		add_map(c, m);
		s->u.stat.map = m;
		use_map(c, m, s);
		return;
	}
	merge(first, m);
	s->u.stat.map = first;
	use_map(c, first, s);
	map_free(m);
}

static enum walk_next collect_stmt(struct stmt *s, struct policy *p, void *ctx)
{
	if (ast_is_stat(s))
		collect_stat(ctx, s);
	return WALK_ON;
}

/* ---- runtime sets ---------------------------------------------------------- */

const char *resources_set_key_type(enum set_elem_type elem)
{
	switch (elem) {
	case SETT_PORT:  return "lwtp_port_t";
	case SETT_PROTO: return "lwtp_proto_t";
	case SETT_U8:    return "lwtp_u8_t";
	case SETT_U16:   return "lwtp_u16_t";
	case SETT_U32:   return "lwtp_u32_t";
	case SETT_CGROUP: return "__u32";       /* a slot of the CGROUP_ARRAY */
	case SETT_TUPLE:        /* the set's own struct: set_decl.key_type */
	case SETT_IP:
	case SETT_UNKNOWN:
		break;
	}
	return NULL;
}

static void collect_set(struct collect *c, struct set_decl *d)
{
	struct map_def *m = xcalloc(1, sizeof(*m));

	m->name = xstrdup(d->name);
	m->kind = MAP_SET;
	m->set_elem = d->elem;
	m->set_key_type = d->elem == SETT_TUPLE ? d->key_type : resources_set_key_type(d->elem);
	m->set_value = d->value;
	m->max_entries = (uint32_t)d->size;
	m->loc = d->name_loc;
	add_map(c, m);
	d->map = m;
}

int resources_collect(struct program *prog)
{
	struct collect c = { .prog = prog };

	resources_free(prog);
	c.tail = &prog->maps;
	for (size_t i = 0; i < prog->nitems; i++)
		if (prog->items[i].kind == ITEM_SET)
			collect_set(&c, prog->items[i].u.set);
	for (size_t i = 0; i < prog->nitems; i++) {
		if (prog->items[i].kind != ITEM_POLICY)
			continue;
		struct policy *p = prog->items[i].u.policy;
		c.policy = p;
		c.nused = 0;
		c.slots = p->audit;     /* its lwtp_audit_NAME */
		c.locks = false;
		c.too_many = false;
		walk_stmts(&p->body, p, collect_stmt, &c);
	}
	names_free(&c.maps);
	return c.errors ? -1 : 0;
}

void resources_free(struct program *prog)
{
	struct map_def *m = prog->maps, *next;

	for (; m; m = next) {
		next = m->next;
		map_free(m);
	}
	prog->maps = NULL;
}
