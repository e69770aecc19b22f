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
#include "resources.h"
#include "util.h"
#include "walk.h"

/* ---- key member types -------------------------------------------------- */

static const struct key_type key_types[] = {
	{ "lwtp_ip_t", "typedef __be32 lwtp_ip_t[4];",
	  "IPv4 or IPv6 address, network order; IPv4 as ::ffff:a.b.c.d", 16, 4, true },
	{ "lwtp_ip4_t", "typedef __be32 lwtp_ip4_t;",
	  "IPv4 address, network order", 4, 4, false },
	{ "lwtp_ip6_t", "typedef __be32 lwtp_ip6_t[4];",
	  "IPv6 address, network order", 16, 4, true },
	{ "lwtp_port_t", "typedef __u16 lwtp_port_t;",
	  "TCP or UDP port, host order", 2, 2, false },
	{ "lwtp_proto_t", "typedef __u8 lwtp_proto_t;",
	  "IP protocol number", 1, 1, false },
	{ "lwtp_u8_t", "typedef __u8 lwtp_u8_t;", "integer", 1, 1, false },
	{ "lwtp_u16_t", "typedef __u16 lwtp_u16_t;", "integer, host order", 2, 2, false },
	{ "lwtp_u32_t", "typedef __u32 lwtp_u32_t;", "integer, host order", 4, 4, false },
	{ "lwtp_bool_t", "typedef __u8 lwtp_bool_t;", "0 or 1", 1, 1, false },
	{ "lwtp_log2_t", "typedef __u32 lwtp_log2_t;",
	  "histogram bucket k: values in [2^k, 2^(k+1)); bucket 0 also holds 0", 4, 4, false },
	{ NULL, NULL, NULL, 0, 0, false },
};

/* Linear buckets get a typedef per parameter set; this is its shape. */
static const struct key_type linear_type = {
	"lwtp_linear_MIN_MAX_STEP_t", NULL,
	"histogram bucket: 0 below MIN, i in [MIN+(i-1)*STEP, MIN+i*STEP), last from MAX on",
	4, 4, false,
};

const struct key_type *resources_key_type(const char *name)
{
	if (!name)
		return NULL;
	for (const struct key_type *t = key_types; t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	if (strncmp(name, "lwtp_linear_", 12) == 0)
		return &linear_type;
	return NULL;
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

static const char *kind_name(enum map_kind k)
{
	switch (k) {
	case MAP_COUNT:       return "count";
	case MAP_HIST_LOG2:   return "log2 histogram";
	case MAP_HIST_LINEAR: return "linear histogram";
	case MAP_SET:         return "set";
	case MAP_LIMIT:       return "limit";
	case MAP_QUOTA:       return "quota";
	case MAP_SAMPLE:      return "sample";
	}
	return "?";
}

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

/* Append a member of type t, with padding before it to t's alignment. */
static void place(struct map_def *m, size_t *cap, unsigned *pads, char *name,
		  const struct field_def *f, int index, const struct key_type *t)
{
	unsigned off = m->key_size;
	unsigned aligned = (off + t->align - 1) / t->align * t->align;

	if (aligned > off) {
		struct map_key_member pad = {
			.name = xasprintf("lwtp_pad%u", (*pads)++),
			.index = -1, .offset = off, .size = aligned - off,
		};
		add_member(m, cap, pad);
	}
	struct map_key_member mem = {
		.name = name, .field = f, .index = index, .type = t,
		.offset = aligned, .size = t->size,
	};
	add_member(m, cap, mem);
	m->key_size = aligned + t->size;
	if (t->align > m->key_align)
		m->key_align = t->align;
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
	return h % RESOURCES_LOCKS;
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
		m->snaplen = resources_sample_snaplen(s);
		m->samples = resources_sample_size(s);
	} else if (s->u.stat.hist == HIST_LOG2) {
		m->kind = MAP_HIST_LOG2;
		m->value_bits = s->u.stat.value ? value_bits(s->u.stat.value) : 64;
		m->nbuckets = m->value_bits;
		m->bucket_type = xstrdup("lwtp_log2_t");
	} else {
		uint64_t span, n;
		m->kind = MAP_HIST_LINEAR;
		m->lin_min = s->u.stat.lin_min;
		m->lin_max = s->u.stat.lin_max;
		m->lin_step = s->u.stat.lin_step;
		/* the checker guarantees min < max, step > 0, n <= 1024 */
		span = m->lin_max > m->lin_min ? m->lin_max - m->lin_min : 0;
		n = m->lin_step ? span / m->lin_step + (span % m->lin_step != 0) : 0;
		m->nbuckets = (unsigned)(n + 2);
		m->bucket_type = xasprintf("lwtp_linear_%" PRIu64 "_%" PRIu64 "_%" PRIu64 "_t",
					   m->lin_min, m->lin_max, m->lin_step);
	}

	m->keyed = s->u.stat.keys.len > 0;
	if (m->keyed) {
		for (size_t i = 0; i < s->u.stat.keys.len; i++) {
			const struct expr *k = s->u.stat.keys.items[i];
			const struct field_def *f = k->u.field.def;
			const struct key_type *t = f ? resources_key_type(f->key_type) : NULL;
			char *name;

			if (!t) {
				/* The checker lets only fields with a key type through. */
				diag_error(&k->loc, "internal error: '%s.%s' has no map key type",
					   k->u.field.ns, k->u.field.name);
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
			place(m, &cap, &pads, name, f, k->u.field.index, t);
		}
		if (m->kind == MAP_HIST_LOG2 || m->kind == MAP_HIST_LINEAR)
			place(m, &cap, &pads, xstrdup("bucket"), NULL, -1,
			      resources_key_type(m->bucket_type));
		/* tail padding, so that sizeof() has no unnamed bytes */
		if (m->key_size % m->key_align) {
			unsigned end = (m->key_size + m->key_align - 1) / m->key_align * m->key_align;
			struct map_key_member pad = {
				.name = xasprintf("lwtp_pad%u", pads++),
				.index = -1, .offset = m->key_size, .size = end - m->key_size,
			};
			add_member(m, &cap, pad);
			m->key_size = end;
		}
		m->max_entries = s->u.stat.has_size ? (uint32_t)s->u.stat.size
						    : RESOURCES_DEFAULT_SIZE;
	} else if (m->kind == MAP_SAMPLE) {
		m->max_entries = (uint32_t)resources_sample_ring(m->snaplen, m->samples);
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

uint64_t resources_sample_snaplen(const struct stmt *s)
{
	return s->u.stat.snaplen ? s->u.stat.snaplen : SAMPLE_DEFAULT_SNAPLEN;
}

uint64_t resources_sample_size(const struct stmt *s)
{
	return s->u.stat.has_size ? s->u.stat.size : SAMPLE_DEFAULT_SIZE;
}

uint64_t resources_sample_ring(uint64_t snaplen, uint64_t size)
{
	/* a record: the ring's 8-byte header, then ours, 8-byte aligned */
	uint64_t record = 8 + (SAMPLE_HEADER + snaplen + 7) / 8 * 8;
	uint64_t ring = 4096;

	if (snaplen > SAMPLE_MAX_SNAPLEN || size > SAMPLE_MAX_RING / record)
		return 0;
	while (ring < record * size)
		ring *= 2;
	return ring <= SAMPLE_MAX_RING ? ring : 0;
}

static void map_free(struct map_def *m)
{
	for (size_t i = 0; i < m->nmembers; i++)
		free(m->members[i].name);
	free(m->members);
	free(m->bucket_type);
	free(m->name);
	free(m);
}

/* ---- comparing two definitions -------------------------------------------- */

/* "ip.dst", "(ip.dst, tcp.dport)"; "" when not keyed */
static char *keys_text(const struct map_def *m)
{
	char *text = xstrdup("");
	size_t nkeys = 0;

	for (size_t i = 0; i < m->nmembers; i++) {
		const struct map_key_member *k = &m->members[i];
		char *next;
		if (!k->field)
			continue;
		if (k->index >= 0)
			next = xasprintf("%s%s%s.%s[%d]", text, nkeys ? ", " : "",
					 k->field->ns, k->field->name, k->index);
		else
			next = xasprintf("%s%s%s.%s", text, nkeys ? ", " : "",
					 k->field->ns, k->field->name);
		free(text);
		text = next;
		nkeys++;
	}
	if (nkeys > 1) {
		char *next = xasprintf("(%s)", text);
		free(text);
		text = next;
	}
	return text;
}

static bool same_keys(const struct map_def *a, const struct map_def *b)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->nmembers && !a->members[i].field)
			i++;
		while (j < b->nmembers && !b->members[j].field)
			j++;
		if (i == a->nmembers || j == b->nmembers)
			return i == a->nmembers && j == b->nmembers;
		if (a->members[i].field != b->members[j].field ||
		    a->members[i].index != b->members[j].index)
			return false;
		i++;
		j++;
	}
}

static struct loc keys_loc(const struct stmt *s)
{
	const struct expr_list *k = &s->u.stat.keys;
	if (k->len == 0)
		return s->u.stat.name_loc;
	return loc_span(&k->items[0]->loc, &k->items[k->len - 1]->loc);
}

static void first_note(const struct map_def *first)
{
	diag_note(&first->loc, "'%s' is first defined here; every statement that uses "
		  "a statistic must define it the same way", first->name);
}

/* Compare the map a later statement defines with the first definition.
 * log2 histograms of values of different widths share one map with the
 * larger number of buckets: the buckets mean the same. */
static bool merge(struct map_def *first, const struct map_def *m, const struct stmt *s)
{
	if (first->kind != m->kind) {
		diag_error(&s->u.stat.name_loc, "'%s' is a %s here, but a %s where it is first defined",
			   m->name, kind_name(m->kind), kind_name(first->kind));
		first_note(first);
		return false;
	}
	if ((m->kind == MAP_LIMIT &&
	     (first->limit.rate != m->limit.rate || first->limit.period_ns != m->limit.period_ns ||
	      first->limit.burst != m->limit.burst || first->unit != m->unit)) ||
	    (m->kind == MAP_QUOTA && (first->quota != m->quota || first->unit != m->unit))) {
		diag_error(&s->u.stat.amount_loc, "'%s' is defined with other numbers here than "
			   "where it is first defined", m->name);
		first_note(first);
		return false;
	}
	if (m->kind == MAP_SAMPLE &&
	    (first->snaplen != m->snaplen || first->samples != m->samples)) {
		diag_error(&s->u.stat.name_loc, "'%s' keeps %" PRIu64 " bytes of %" PRIu64
			   " packets here, but %" PRIu64 " bytes of %" PRIu64 " where it is first "
			   "defined (snaplen and size)", m->name, m->snaplen, m->samples,
			   first->snaplen, first->samples);
		first_note(first);
		return false;
	}
	if (m->kind == MAP_HIST_LINEAR &&
	    (first->lin_min != m->lin_min || first->lin_max != m->lin_max ||
	     first->lin_step != m->lin_step)) {
		diag_error(&s->u.stat.lin_loc, "'%s' has linear buckets (%" PRIu64 ", %" PRIu64
			   ", %" PRIu64 ") here, but (%" PRIu64 ", %" PRIu64 ", %" PRIu64
			   ") where it is first defined", m->name,
			   m->lin_min, m->lin_max, m->lin_step,
			   first->lin_min, first->lin_max, first->lin_step);
		first_note(first);
		return false;
	}
	if (first->keyed != m->keyed || !same_keys(first, m)) {
		char *here = keys_text(m), *there = keys_text(first);
		struct loc loc = keys_loc(s);
		if (!m->keyed)
			diag_error(&loc, "'%s' is not keyed here, but keyed by %s where it is "
				   "first defined", m->name, there);
		else if (!first->keyed)
			diag_error(&loc, "'%s' is keyed by %s here, but not keyed where it is "
				   "first defined", m->name, here);
		else
			diag_error(&loc, "'%s' is keyed by %s here, but by %s where it is "
				   "first defined", m->name, here, there);
		first_note(first);
		free(here);
		free(there);
		return false;
	}
	if (m->keyed && first->max_entries != m->max_entries) {
		const struct loc *loc = s->u.stat.has_size ? &s->u.stat.size_loc
							   : &s->u.stat.name_loc;
		diag_error(loc, "'%s' has size %" PRIu32 " here, but %" PRIu32 " where it is "
			   "first defined", m->name, m->max_entries, first->max_entries);
		first_note(first);
		return false;
	}
	if (m->kind == MAP_HIST_LOG2 && m->nbuckets > first->nbuckets) {
		first->value_bits = m->value_bits;
		first->nbuckets = m->nbuckets;
		if (!first->keyed)
			first->max_entries = first->nbuckets;
	}
	return true;
}

/* ---- the walk ------------------------------------------------------------- */

/* The kernel's limit on the maps one program uses (MAX_USED_MAPS). */
#define MAX_MAPS_PER_PROGRAM 64

struct collect {
	struct program *prog;
	struct map_def **tail;
	int errors;
	/* the maps of the policy being collected */
	const struct policy *policy;
	const struct map_def *used[MAX_MAPS_PER_PROGRAM];
	size_t nused;
	unsigned slots;         /* maps used: statistics, lwtp_full_*, lwtp_locks */
	bool locks;             /* lwtp_locks is among them */
	bool too_many;
};

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

static struct map_def *find_map(const struct program *prog, const char *name)
{
	for (struct map_def *m = prog->maps; m; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
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
	first = find_map(c->prog, m->name);
	if (first && first->kind == MAP_SET) {
		diag_error(&s->u.stat.name_loc, "statistic '%s' has the same name as a set; "
			   "each names one map: rename one", m->name);
		diag_note(&first->loc, "set '%s' is declared here", m->name);
		c->errors++;
		map_free(m);
		return;
	}
	if (!first) {
		*c->tail = m;
		c->tail = &m->next;
		s->u.stat.map = m;
		use_map(c, m, s);
		return;
	}
	if (merge(first, m, s)) {
		s->u.stat.map = first;
		use_map(c, first, s);
	} else {
		c->errors++;
	}
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
	m->set_key_type = resources_set_key_type(d->elem);
	m->max_entries = (uint32_t)d->size;
	m->loc = d->name_loc;
	*c->tail = m;
	c->tail = &m->next;
	d->map = m;
}

/* A statistic or a set named like a policy would clash with the policy's
 * ELF section symbol; a set and a statistic of one name would be one map. */
static void check_map_names(struct collect *c)
{
	for (size_t i = 0; i < c->prog->nitems; i++) {
		const struct item *it = &c->prog->items[i];
		if (it->kind != ITEM_POLICY || !it->u.policy->name)
			continue;
		for (const struct map_def *m = c->prog->maps; m; m = m->next) {
			if (m->kind != MAP_SET || strcmp(m->name, it->u.policy->name))
				continue;
			diag_error(&m->loc, "set '%s' has the same name as a policy; an object "
				   "cannot hold a map and a program of one name: rename one", m->name);
			diag_note(&it->u.policy->name_loc, "policy '%s' is defined here", m->name);
			c->errors++;
		}
	}
}

int resources_collect(struct program *prog)
{
	struct collect c = { .prog = prog };

	resources_free(prog);
	c.tail = &prog->maps;
	for (size_t i = 0; i < prog->nitems; i++)
		if (prog->items[i].kind == ITEM_SET)
			collect_set(&c, prog->items[i].u.set);
	check_map_names(&c);
	for (size_t i = 0; i < prog->nitems; i++) {
		if (prog->items[i].kind != ITEM_POLICY)
			continue;
		struct policy *p = prog->items[i].u.policy;
		c.policy = p;
		c.nused = 0;
		c.slots = 0;
		c.locks = false;
		c.too_many = false;
		walk_stmts(&p->body, p, collect_stmt, &c);
	}
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
