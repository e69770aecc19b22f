/* emit_rset.c: runtime sets of tuples, 'set NAME : (ip, port);', and maps
 * keyed by tuples, 'map NAME : (ip, port) -> mark;': the key struct of the
 * HASH map, and '(F1, F2) in NAME' or '(F1, F2) map NAME' as one lookup.
 *
 * The key, struct NAME_key, has a member for each component, named after
 * its type (ip, port, ...; the same type again: ip_2) and typed with its
 * typedef, so that lwtp prints it; explicit lwtp_padN members leave no
 * unnamed byte. The test looks up a compound literal of that struct: the
 * members it does not name, pads included, are zero, so the key is all
 * initialised on the stack as the verifier wants it. An address
 * component is the packet's address as lwtp_ip_t (IPv4 as
 * ::ffff:a.b.c.d); the test takes the packet's family first, and an IPv6
 * address in ::ffff:0:0/96 matches nothing, so that IPv4 and IPv6
 * never match each other (lwtp set refuses IPv4-mapped elements).
 */
#include <string.h>

#include "emit_priv.h"
#include "emit_rset.h"
#include "lwtp_contract.h"
#include "tuple.h"

struct component {
	const char *type;       /* "lwtp_ip_t" */
	const char *word;       /* "ip": the member is named after it */
	unsigned size, align;
};

static struct component component_of(enum set_elem_type elem)
{
	switch (elem) {
	case SETT_IP:    return (struct component){ "lwtp_ip_t", "ip", 16, 4 };
	case SETT_PORT:  return (struct component){ "lwtp_port_t", "port", 2, 2 };
	case SETT_PROTO: return (struct component){ "lwtp_proto_t", "proto", 1, 1 };
	case SETT_U8:    return (struct component){ "lwtp_u8_t", "u8", 1, 1 };
	case SETT_U16:   return (struct component){ "lwtp_u16_t", "u16", 2, 2 };
	case SETT_U32:   return (struct component){ "lwtp_u32_t", "u32", 4, 4 };
	case SETT_CGROUP:
	case SETT_TUPLE:
	case SETT_UNKNOWN:
		break;
	}
	return (struct component){ "__u8", "unknown", 1, 1 };
}

/* The member of component k: its type's word, "_N" for the Nth of it. */
static void member_name(const struct set_decl *d, size_t k, char *buf, size_t size)
{
	const char *word = component_of(d->tuple_elem[k]).word;
	unsigned nth = 1;

	for (size_t i = 0; i < k; i++)
		nth += d->tuple_elem[i] == d->tuple_elem[k];
	if (nth == 1)
		snprintf(buf, size, "%s", word);
	else
		snprintf(buf, size, "%s_%u", word, nth);
}

bool emit_rset_uses_type(const struct set_decl *d, const char *type)
{
	for (size_t k = 0; k < d->tuple.len; k++)
		if (!strcmp(component_of(d->tuple_elem[k]).type, type))
			return true;
	return false;
}

/* ---- the key --------------------------------------------------------------------- */

static void pad(struct emitter *e, unsigned *offset, unsigned align, unsigned *npad)
{
	unsigned n = (align - *offset % align) % align;

	if (!n)
		return;
	fprintf(e->out, "\t__u8 " LWTP_PAD_PREFIX "%u[%u];\n", (*npad)++, n);
	*offset += n;
}

void emit_rset_key_type(struct emitter *e, const struct set_decl *d)
{
	unsigned offset = 0, align = 1, npad = 0;
	char name[32];

	if (d->value_name)
		fprintf(e->out, "/* a key of map %s : %s -> %s, each component exact */\n",
			d->name, d->type_name, d->value_name);
	else
		fprintf(e->out, "/* an element of set %s : %s, each component exact */\n",
			d->name, d->type_name);
	fprintf(e->out, "%s {\n", d->key_type);
	for (size_t k = 0; k < d->tuple.len; k++) {
		struct component c = component_of(d->tuple_elem[k]);

		pad(e, &offset, c.align, &npad);
		member_name(d, k, name, sizeof(name));
		fprintf(e->out, "\t%s %s;\n", c.type, name);
		offset += c.size;
		if (c.align > align)
			align = c.align;
	}
	pad(e, &offset, align, &npad);
	fprintf(e->out, "};\n");
	fprintf(e->out, "_Static_assert(sizeof(%s) == %u, \"%s: no unnamed bytes\");\n\n",
		d->key_type, offset, d->key_type);
}

/* ---- the test --------------------------------------------------------------------- */

/* The families of the packet the tuple's address components can read
 * together: bit 4 and bit 6. */
static unsigned tuple_families(const struct expr *tuple, const struct set_decl *d)
{
	unsigned fam = 1u << 4 | 1u << 6;

	for (size_t k = 0; k < tuple->u.set.len; k++) {
		const struct field_def *f = tuple->u.set.items[k]->u.field.def;

		if (d->tuple_elem[k] != SETT_IP)
			continue;
		if (!f || !analyse_field_has_family(f, 4))
			fam &= ~(1u << 4);
		if (!f || !analyse_field_has_family(f, 6))
			fam &= ~(1u << 6);
	}
	return fam;
}

static bool has_addr(const struct set_decl *d)
{
	for (size_t k = 0; k < d->tuple.len; k++)
		if (d->tuple_elem[k] == SETT_IP)
			return true;
	return false;
}

/* The call that looks a key up: "bpf_map_lookup_elem(&NAME, KEY)" for a
 * set, "lwtp_rmap_get(&NAME, KEY, &lwtp_mv)" for a map (its value then in
 * lwtp_mv). */
struct call {
	const char *fn, *tail;
};
static const struct call set_call = { "bpf_map_lookup_elem", "" };
static const struct call map_call = { "lwtp_rmap_get", ", &lwtp_mv" };

/* "CALL(&NAME, &(struct NAME_key){ .ip = ..., .port = ... })" for a packet
 * of family (4 or 6; 0: no address component). */
static void lookup(struct emitter *e, struct sbuf *b, const struct expr *tuple,
		   const struct set_decl *d, int family, const struct call *call)
{
	char name[32];

	sb_printf(b, "%s(&%s, &(%s){ ", call->fn, d->name, d->key_type);
	for (size_t k = 0; k < tuple->u.set.len; k++) {
		const struct expr *c = tuple->u.set.items[k];

		member_name(d, k, name, sizeof(name));
		sb_printf(b, "%s.%s = ", k ? ", " : "", name);
		if (d->tuple_elem[k] != SETT_IP) {
			emit_value(e, b, c);
			continue;
		}
		const char *w = emit_field_is_src(c->u.field.def) ? "saddr" : "daddr";
		if (family == 4)
			sb_printf(b, "{ 0, 0, bpf_htonl(0x0000ffff), lwtp_pkt.ip4->%s }", w);
		else
			sb_printf(b, "{ lwtp_pkt.ip6->%s[0], lwtp_pkt.ip6->%s[1], "
				  "lwtp_pkt.ip6->%s[2], lwtp_pkt.ip6->%s[3] }", w, w, w, w);
	}
	sb_printf(b, " }%s)", call->tail);
}

/* The lookup for an IPv6 packet, after the test that each address it
 * reads is not IPv4-mapped (::ffff:0:0/96): "(MAPPED... && LOOKUP)". */
static void lookup6(struct emitter *e, struct sbuf *b, const struct expr *tuple,
		    const struct set_decl *d, const struct call *call)
{
	bool done[2] = { false, false };

	sb_puts(b, "(");
	for (size_t k = 0; k < tuple->u.set.len; k++) {
		const struct expr *c = tuple->u.set.items[k];
		bool src;

		if (d->tuple_elem[k] != SETT_IP)
			continue;
		src = emit_field_is_src(c->u.field.def);
		if (done[src])
			continue;
		done[src] = true;
		sb_printf(b, "(lwtp_pkt.ip6->%s[0] | lwtp_pkt.ip6->%s[1] | "
			  "(lwtp_pkt.ip6->%s[2] ^ bpf_htonl(0x0000ffff))) != 0 && ",
			  src ? "saddr" : "daddr", src ? "saddr" : "daddr", src ? "saddr" : "daddr");
	}
	lookup(e, b, tuple, d, 6, call);
	sb_puts(b, ")");
}

/* The match for a packet of family (0: no address component), negated
 * for 'not in'. */
static void match(struct emitter *e, struct sbuf *b, const struct expr *tuple,
		  const struct set_decl *d, int family, bool negate, const struct call *call)
{
	if (negate)
		sb_puts(b, "!");
	if (family == 6)
		lookup6(e, b, tuple, d, call);
	else
		lookup(e, b, tuple, d, family, call);
}

/* The presence tests of the integer components. */
static unsigned int_presence(struct emitter *e, const struct expr *tuple,
			     const struct set_decl *d)
{
	unsigned p = 0;

	for (size_t k = 0; k < tuple->u.set.len; k++)
		if (d->tuple_elem[k] != SETT_IP)
			p |= emit_presence_of(e, tuple->u.set.items[k]);
	return p;
}

/* The lookup of tuple in d with call, negated or not, each family's key
 * built when the packet is of it, behind the presence of the integer
 * components' headers. */
static void tuple_lookup(struct emitter *e, struct sbuf *b, const struct expr *tuple,
			 const struct set_decl *d, bool negate, const struct call *call)
{
	unsigned p = int_presence(e, tuple, d), fam;
	struct sbuf t = { 0 };

	if (!has_addr(d)) {
		match(e, &t, tuple, d, 0, negate, call);
	} else {
		fam = tuple_families(tuple, d);
		if (fam == (1u << 4 | 1u << 6)) {
			/* one family or the other: each its own key */
			sb_puts(&t, "(lwtp_has(lwtp_pkt.ip4) ? ");
			match(e, &t, tuple, d, 4, negate, call);
			sb_puts(&t, " : lwtp_has(lwtp_pkt.ip6) && ");
			match(e, &t, tuple, d, 6, negate, call);
			sb_puts(&t, ")");
		} else if (fam) {
			int f = fam & 1u << 4 ? 4 : 6;

			sb_printf(&t, "(lwtp_has(lwtp_pkt.ip%d) && ", f);
			match(e, &t, tuple, d, f, negate, call);
			sb_puts(&t, ")");
		} else {
			/* an IPv4 address and an IPv6 one: never both there */
			sb_puts(&t, "0");
		}
	}
	if (p && strcmp(sb_str(&t), "0")) {
		sb_puts(b, "(");
		emit_presence_text(b, p);
		sb_printf(b, " && %s)", sb_str(&t));
	} else {
		sb_puts(b, sb_str(&t));
	}
	sb_free(&t);
}

void emit_rset_tuple_in(struct emitter *e, struct sbuf *b, enum op op,
			const struct expr *tuple, const struct set_decl *d)
{
	tuple_lookup(e, b, tuple, d, op == OP_NOT_IN, &set_call);
}

void emit_rset_tuple_get(struct emitter *e, struct sbuf *b, const struct expr *tuple,
			 const struct set_decl *d)
{
	tuple_lookup(e, b, tuple, d, false, &map_call);
}
