/* emit_expr.c: conditions and values as C expressions.
 *
 * Fields are read where they are used: skb fields from the context (so a
 * read after 'set skb.mark' sees the new value), packet fields through the
 * header pointers lwtp_parse() set, NULL when the header is absent. A
 * comparison that reads an absent field is false: each one is emitted as
 * "(PRESENCE && COMPARISON)", and 'not' negates the whole.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "emit_priv.h"
#include "util.h"

#define SET_LINEAR_MAX 8    /* larger integer sets become a compare tree */
#define COMMENT_MAX 120     /* longest expression text in a comment */

/* ---- strings ------------------------------------------------------------ */

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sb_puts(struct sbuf *b, const char *s)
{
	sb_printf(b, "%s", s);
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

const char *sb_str(const struct sbuf *b)
{
	return b->s ? b->s : "";
}

void emit_number(struct sbuf *b, uint64_t n)
{
	if (n <= INT32_MAX)
		sb_printf(b, "%" PRIu64, n);
	else if (n <= UINT32_MAX)
		sb_printf(b, "%" PRIu64 "U", n);
	else
		sb_printf(b, "%" PRIu64 "ULL", n);
}

/* ---- the expression as the user writes it, for comments ------------------- */

static int prec(const struct expr *x)
{
	if (x->kind == EXPR_UNARY)
		return 3;
	if (x->kind != EXPR_BINARY)
		return 7;
	switch (x->u.binary.op) {
	case OP_OR:     return 1;
	case OP_AND:    return 2;
	case OP_BITOR:  return 5;
	case OP_BITAND: return 6;
	default:        return 4;   /* comparisons, in */
	}
}

static void addr_text(struct sbuf *b, const struct addr *a)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, ip, sizeof(ip));
	sb_puts(b, ip);
	if (a->is_prefix)
		sb_printf(b, "/%d", a->prefix_len);
}

static void text(struct sbuf *b, const struct expr *x, int min_prec)
{
	bool paren = x && prec(x) < min_prec;

	if (!x) {
		sb_puts(b, "?");
		return;
	}
	if (paren)
		sb_puts(b, "(");
	switch (x->kind) {
	case EXPR_INT:
		sb_printf(b, "%" PRIu64, x->u.num);
		break;
	case EXPR_BOOL:
		sb_puts(b, x->u.num ? "true" : "false");
		break;
	case EXPR_ADDR:
		addr_text(b, &x->u.addr);
		break;
	case EXPR_RANGE:
		text(b, x->u.range.lo, 7);
		sb_puts(b, "..");
		text(b, x->u.range.hi, 7);
		break;
	case EXPR_SET:
		sb_puts(b, "{ ");
		for (size_t i = 0; i < x->u.set.len; i++) {
			if (i)
				sb_puts(b, ", ");
			text(b, x->u.set.items[i], 0);
		}
		sb_puts(b, " }");
		break;
	case EXPR_NAME:
		sb_puts(b, x->u.name.name);
		break;
	case EXPR_FIELD:
		sb_printf(b, "%s.%s", x->u.field.ns, x->u.field.name);
		if (x->u.field.index >= 0)
			sb_printf(b, "[%d]", x->u.field.index);
		break;
	case EXPR_UNARY:
		sb_puts(b, "not ");
		text(b, x->u.unary.operand, 3);
		break;
	case EXPR_BINARY: {
		int p = prec(x);
		/* or, and, |, & associate to the left; comparisons do not chain */
		text(b, x->u.binary.left, p == 4 ? p + 1 : p);
		sb_printf(b, " %s ", ast_op_str(x->u.binary.op));
		text(b, x->u.binary.right, p + 1);
		break;
	}
	}
	if (paren)
		sb_puts(b, ")");
}

void emit_expr_text(struct sbuf *b, const struct expr *x)
{
	struct sbuf t = { 0 };

	text(&t, x, 0);
	if (t.len > COMMENT_MAX) {
		t.s[COMMENT_MAX - 3] = '\0';
		sb_printf(b, "%s...", t.s);
	} else {
		sb_puts(b, sb_str(&t));
	}
	sb_free(&t);
}

/* ---- fields ------------------------------------------------------------------ */

unsigned emit_field_presence(struct emitter *e, const struct field_def *f)
{
	switch (f->header) {
	case HDR_SKB:
		return 0;
	case HDR_IP:
		e->want |= WANT_IP4 | WANT_IP6;
		if (f->id == F_IP_PROTO) {
			e->want |= WANT_PROTO;
			return P_PROTO;
		}
		if (f->id == F_IP_FRAGMENT)
			e->want |= WANT_PROTO;      /* IPv6: a fragment header */
		return P_IP;
	case HDR_IP4:
		e->want |= WANT_IP4;
		return P_IP4;
	case HDR_IP6:
		e->want |= WANT_IP6;
		if (f->id == F_IP6_PROTO) {
			e->want |= WANT_PROTO;
			return P_IP6 | P_PROTO;
		}
		return P_IP6;
	case HDR_TCP:
		e->want |= WANT_IP4 | WANT_IP6 | WANT_PROTO | WANT_TCP;
		return P_TCP;
	case HDR_UDP:
		e->want |= WANT_IP4 | WANT_IP6 | WANT_PROTO | WANT_UDP;
		return P_UDP;
	case HDR_L4PORTS:
		e->want |= WANT_IP4 | WANT_IP6 | WANT_PROTO | WANT_PORTS;
		return P_PORTS;
	case HDR_ICMP:
		e->want |= WANT_IP4 | WANT_PROTO | WANT_ICMP;
		return P_ICMP;
	case HDR_ICMP6:
		e->want |= WANT_IP6 | WANT_PROTO | WANT_ICMP6;
		return P_ICMP6;
	}
	return 0;
}

void emit_presence_text(struct sbuf *b, unsigned p)
{
	static const struct { unsigned bit; const char *text; } atoms[] = {
		{ P_IP, "lwtp_pkt.family" },
		{ P_IP4, "lwtp_pkt.ip4" },
		{ P_IP6, "lwtp_pkt.ip6" },
		{ P_PROTO, "lwtp_pkt.proto_ok" },
		{ P_TCP, "lwtp_pkt.tcp" },
		{ P_UDP, "lwtp_pkt.udp" },
		{ P_PORTS, "lwtp_pkt.ports" },
		{ P_ICMP, "lwtp_pkt.icmp" },
		{ P_ICMP6, "lwtp_pkt.icmp6" },
	};
	bool first = true;

	/* drop what another test implies: an L4 header implies IP and its
	 * protocol, ICMP implies IPv4, ICMPv6 IPv6, a family implies IP */
	if (p & (P_TCP | P_UDP | P_PORTS | P_ICMP | P_ICMP6))
		p &= ~(unsigned)(P_IP | P_PROTO);
	if (p & P_ICMP)
		p &= ~(unsigned)P_IP4;
	if (p & P_ICMP6)
		p &= ~(unsigned)P_IP6;
	if (p & (P_PROTO | P_IP4 | P_IP6))
		p &= ~(unsigned)P_IP;
	for (size_t i = 0; i < sizeof(atoms) / sizeof(atoms[0]); i++) {
		if (!(p & atoms[i].bit))
			continue;
		sb_printf(b, "%s%s", first ? "" : " && ", atoms[i].text);
		first = false;
	}
}

/* Either family: "(lwtp_pkt.family == 4 ? V4 : V6)" */
static void either(struct sbuf *b, const char *v4, const char *v6)
{
	sb_printf(b, "(lwtp_pkt.family == 4 ? %s : %s)", v4, v6);
}

void emit_field_value(struct emitter *e, struct sbuf *b, const struct field_def *f, int index)
{
	switch (f->id) {
	/* __sk_buff, read at the point of use */
	case F_SKB_LEN:             sb_puts(b, "skb->len"); break;
	case F_SKB_PKT_TYPE:        sb_puts(b, "skb->pkt_type"); break;
	case F_SKB_MARK:            sb_puts(b, "skb->mark"); break;
	case F_SKB_QUEUE_MAPPING:   sb_puts(b, "skb->queue_mapping"); break;
	case F_SKB_PROTOCOL:        sb_puts(b, "bpf_ntohs(skb->protocol)"); break;
	case F_SKB_VLAN_PRESENT:    sb_puts(b, "skb->vlan_present"); break;
	case F_SKB_VLAN_TCI:        sb_puts(b, "skb->vlan_tci"); break;
	case F_SKB_VLAN_PROTO:      sb_puts(b, "skb->vlan_proto"); break;
	case F_SKB_PRIORITY:        sb_puts(b, "skb->priority"); break;
	case F_SKB_INGRESS_IFINDEX: sb_puts(b, "skb->ingress_ifindex"); break;
	case F_SKB_IFINDEX:         sb_puts(b, "skb->ifindex"); break;
	case F_SKB_TC_INDEX:        sb_puts(b, "skb->tc_index"); break;
	case F_SKB_CB:              sb_printf(b, "skb->cb[%d]", index); break;
	case F_SKB_HASH:            sb_puts(b, "skb->hash"); break;
	case F_SKB_NAPI_ID:         sb_puts(b, "skb->napi_id"); break;
	case F_SKB_GSO_SEGS:        sb_puts(b, "skb->gso_segs"); break;
	case F_SKB_GSO_SIZE:        sb_puts(b, "skb->gso_size"); break;
	case F_SKB_FORBIDDEN:       sb_puts(b, "0 /* forbidden field */"); break;

	/* either IP family */
	case F_IP_VERSION:
		sb_puts(b, "lwtp_pkt.family");
		break;
	case F_IP_SRC:
	case F_IP_DST:
		/* addresses are compared and keyed by emit_addr_*; never a value */
		sb_puts(b, "0 /* address */");
		break;
	case F_IP_PROTO:
	case F_IP6_PROTO:
		sb_puts(b, "lwtp_pkt.proto");
		break;
	case F_IP_TTL:
		either(b, "lwtp_pkt.ip4->ttl", "lwtp_pkt.ip6->hop_limit");
		break;
	case F_IP_TOS:
		e->uses |= USE_TCLASS;
		either(b, "lwtp_pkt.ip4->tos", "lwtp_ip6_tclass(lwtp_pkt.ip6)");
		break;
	case F_IP_DSCP:
		e->uses |= USE_TCLASS;
		sb_puts(b, "(");
		either(b, "lwtp_pkt.ip4->tos", "lwtp_ip6_tclass(lwtp_pkt.ip6)");
		sb_puts(b, " >> 2)");
		break;
	case F_IP_ECN:
		e->uses |= USE_TCLASS;
		sb_puts(b, "(");
		either(b, "lwtp_pkt.ip4->tos", "lwtp_ip6_tclass(lwtp_pkt.ip6)");
		sb_puts(b, " & 3)");
		break;
	case F_IP_LEN:
		either(b, "bpf_ntohs(lwtp_pkt.ip4->tot_len)",
		       "40 + bpf_ntohs(lwtp_pkt.ip6->payload_len)");
		break;
	case F_IP_FRAGMENT:
		e->uses |= USE_IP4_FRAG;
		either(b, "lwtp_ip4_is_fragment(lwtp_pkt.ip4)", "lwtp_pkt.frag6");
		break;

	/* IPv4 */
	case F_IP4_SRC:         sb_puts(b, "lwtp_pkt.ip4->saddr"); break;
	case F_IP4_DST:         sb_puts(b, "lwtp_pkt.ip4->daddr"); break;
	case F_IP4_PROTO:       sb_puts(b, "lwtp_pkt.ip4->protocol"); break;
	case F_IP4_TTL:         sb_puts(b, "lwtp_pkt.ip4->ttl"); break;
	case F_IP4_TOS:         sb_puts(b, "lwtp_pkt.ip4->tos"); break;
	case F_IP4_DSCP:        sb_puts(b, "(lwtp_pkt.ip4->tos >> 2)"); break;
	case F_IP4_ECN:         sb_puts(b, "(lwtp_pkt.ip4->tos & 3)"); break;
	case F_IP4_LEN:         sb_puts(b, "bpf_ntohs(lwtp_pkt.ip4->tot_len)"); break;
	case F_IP4_ID:          sb_puts(b, "bpf_ntohs(lwtp_pkt.ip4->id)"); break;
	case F_IP4_IHL:         sb_puts(b, "(lwtp_pkt.ip4->ver_ihl & 0x0f)"); break;
	case F_IP4_OPTIONS:     sb_puts(b, "((lwtp_pkt.ip4->ver_ihl & 0x0f) > 5)"); break;
	case F_IP4_DF:
		sb_puts(b, "((lwtp_pkt.ip4->frag_off & bpf_htons(0x4000)) != 0)");
		break;
	case F_IP4_MF:
		sb_puts(b, "((lwtp_pkt.ip4->frag_off & bpf_htons(0x2000)) != 0)");
		break;
	case F_IP4_FRAG_OFFSET:
		sb_puts(b, "(bpf_ntohs(lwtp_pkt.ip4->frag_off) & 0x1fff)");
		break;

	/* IPv6 */
	case F_IP6_SRC:         sb_puts(b, "lwtp_pkt.ip6->saddr"); break;
	case F_IP6_DST:         sb_puts(b, "lwtp_pkt.ip6->daddr"); break;
	case F_IP6_NEXTHDR:     sb_puts(b, "lwtp_pkt.ip6->nexthdr"); break;
	case F_IP6_HOPLIMIT:    sb_puts(b, "lwtp_pkt.ip6->hop_limit"); break;
	case F_IP6_TCLASS:
		e->uses |= USE_TCLASS;
		sb_puts(b, "lwtp_ip6_tclass(lwtp_pkt.ip6)");
		break;
	case F_IP6_DSCP:
		e->uses |= USE_TCLASS;
		sb_puts(b, "(lwtp_ip6_tclass(lwtp_pkt.ip6) >> 2)");
		break;
	case F_IP6_ECN:
		e->uses |= USE_TCLASS;
		sb_puts(b, "(lwtp_ip6_tclass(lwtp_pkt.ip6) & 3)");
		break;
	case F_IP6_FLOWLABEL:
		sb_puts(b, "(bpf_ntohl(lwtp_pkt.ip6->vtc_flow) & 0xfffff)");
		break;
	case F_IP6_PLEN:        sb_puts(b, "bpf_ntohs(lwtp_pkt.ip6->payload_len)"); break;

	/* L4 */
	case F_TCP_SPORT:       sb_puts(b, "bpf_ntohs(lwtp_pkt.tcp->source)"); break;
	case F_TCP_DPORT:       sb_puts(b, "bpf_ntohs(lwtp_pkt.tcp->dest)"); break;
	case F_TCP_FLAGS:       sb_puts(b, "lwtp_pkt.tcp->flags"); break;
	case F_TCP_SEQ:         sb_puts(b, "bpf_ntohl(lwtp_pkt.tcp->seq)"); break;
	case F_TCP_ACKSEQ:      sb_puts(b, "bpf_ntohl(lwtp_pkt.tcp->ack_seq)"); break;
	case F_TCP_WINDOW:      sb_puts(b, "bpf_ntohs(lwtp_pkt.tcp->window)"); break;
	case F_TCP_URGPTR:      sb_puts(b, "bpf_ntohs(lwtp_pkt.tcp->urg_ptr)"); break;
	case F_TCP_DOFF:        sb_puts(b, "(lwtp_pkt.tcp->doff_res >> 4)"); break;
	case F_UDP_SPORT:       sb_puts(b, "bpf_ntohs(lwtp_pkt.udp->source)"); break;
	case F_UDP_DPORT:       sb_puts(b, "bpf_ntohs(lwtp_pkt.udp->dest)"); break;
	case F_UDP_LEN:         sb_puts(b, "bpf_ntohs(lwtp_pkt.udp->len)"); break;
	case F_L4_SPORT:        sb_puts(b, "bpf_ntohs(lwtp_pkt.ports->source)"); break;
	case F_L4_DPORT:        sb_puts(b, "bpf_ntohs(lwtp_pkt.ports->dest)"); break;
	case F_ICMP_TYPE:       sb_puts(b, "lwtp_pkt.icmp->type"); break;
	case F_ICMP_CODE:       sb_puts(b, "lwtp_pkt.icmp->code"); break;
	case F_ICMP6_TYPE:      sb_puts(b, "lwtp_pkt.icmp6->type"); break;
	case F_ICMP6_CODE:      sb_puts(b, "lwtp_pkt.icmp6->code"); break;
	}
}

/* ---- values ----------------------------------------------------------------- */

/* Follow const names to the literal they stand for. */
static const struct expr *resolve(const struct expr *x)
{
	while (x && x->kind == EXPR_NAME && x->u.name.value)
		x = x->u.name.value;
	return x;
}

static bool is_cond_op(enum op op)
{
	return op != OP_BITAND && op != OP_BITOR;
}

unsigned emit_presence_of(struct emitter *e, const struct expr *x)
{
	if (!x)
		return 0;
	switch (x->kind) {
	case EXPR_FIELD:
		return x->u.field.def ? emit_field_presence(e, x->u.field.def) : 0;
	case EXPR_BINARY:
		return emit_presence_of(e, x->u.binary.left) |
		       emit_presence_of(e, x->u.binary.right);
	case EXPR_UNARY:
		return emit_presence_of(e, x->u.unary.operand);
	default:
		return 0;   /* constants */
	}
}

void emit_value(struct emitter *e, struct sbuf *b, const struct expr *x)
{
	switch (x->kind) {
	case EXPR_INT:
		emit_number(b, x->u.num);
		break;
	case EXPR_BOOL:
		sb_puts(b, x->u.num ? "1" : "0");
		break;
	case EXPR_NAME:
		if (x->u.name.symbol) {
			emit_number(b, x->u.name.symbol->value);
			sb_printf(b, " /* %s */", x->u.name.name);
		} else if (x->u.name.value) {
			const struct expr *v = resolve(x);
			emit_value(e, b, v);
			if (v->kind == EXPR_INT || v->kind == EXPR_BOOL)
				sb_printf(b, " /* %s */", x->u.name.name);
		} else {
			sb_puts(b, "0 /* unresolved */");
		}
		break;
	case EXPR_FIELD:
		emit_field_value(e, b, x->u.field.def, x->u.field.index);
		break;
	case EXPR_BINARY:
		if (!is_cond_op(x->u.binary.op)) {
			sb_puts(b, "(");
			emit_value(e, b, x->u.binary.left);
			sb_puts(b, x->u.binary.op == OP_BITAND ? " & " : " | ");
			emit_value(e, b, x->u.binary.right);
			sb_puts(b, ")");
		} else {
			emit_cond(e, b, x);     /* a condition as a value: 0 or 1 */
		}
		break;
	case EXPR_UNARY:
		emit_cond(e, b, x);
		break;
	default:
		sb_puts(b, "0 /* not a value */");
		break;
	}
}

/* "(PRESENCE && TEXT)", or TEXT when nothing needs to be present */
static void guarded(struct sbuf *b, unsigned presence, const char *t)
{
	if (!presence) {
		sb_puts(b, t);
		return;
	}
	sb_puts(b, "(");
	emit_presence_text(b, presence);
	sb_printf(b, " && %s)", t);
}

/* ---- integer sets and ranges -------------------------------------------------- */

struct span {
	uint64_t lo, hi;
	const char *name;       /* a named value or const, for a comment */
};

struct spans {
	struct span *v;
	size_t len, cap;
};

static void spans_add(struct spans *s, uint64_t lo, uint64_t hi, const char *name)
{
	if (s->len == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->len++] = (struct span){ lo, hi, name };
}

static uint64_t int_of(const struct expr *x)
{
	if (x->kind == EXPR_NAME && x->u.name.symbol)
		return x->u.name.symbol->value;
	x = resolve(x);
	return x && (x->kind == EXPR_INT || x->kind == EXPR_BOOL) ? x->u.num : 0;
}

/* Flatten a set, range, or single value (names followed) into spans. */
static void flatten_ints(struct spans *s, const struct expr *x)
{
	const char *name = x->kind == EXPR_NAME ? x->u.name.name : NULL;
	const struct expr *v = x->kind == EXPR_NAME && x->u.name.symbol ? x : resolve(x);

	if (!v)
		return;
	switch (v->kind) {
	case EXPR_SET:
		for (size_t i = 0; i < v->u.set.len; i++)
			flatten_ints(s, v->u.set.items[i]);
		break;
	case EXPR_RANGE:
		spans_add(s, int_of(v->u.range.lo), int_of(v->u.range.hi), name);
		break;
	default:
		spans_add(s, int_of(v), int_of(v), name);
		break;
	}
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static uint64_t type_max(const struct type *t)
{
	if (t->kind == TYPE_BOOL)
		return 1;
	if (t->kind != TYPE_INT || t->bits <= 0 || t->bits >= 64)
		return UINT64_MAX;
	return (UINT64_C(1) << t->bits) - 1;
}

/* One span tested against v ("lwtp_v" or a field read). */
static void span_test(struct sbuf *b, const char *v, const struct span *sp, uint64_t max)
{
	if (sp->lo == sp->hi) {
		sb_printf(b, "%s == ", v);
		emit_number(b, sp->lo);
	} else if (sp->lo == 0 && sp->hi >= max) {
		sb_puts(b, "1");
	} else if (sp->lo == 0) {
		sb_printf(b, "%s <= ", v);
		emit_number(b, sp->hi);
	} else if (sp->hi >= max) {
		sb_printf(b, "%s >= ", v);
		emit_number(b, sp->lo);
	} else {
		sb_printf(b, "(%s >= ", v);
		emit_number(b, sp->lo);
		sb_printf(b, " && %s <= ", v);
		emit_number(b, sp->hi);
		sb_puts(b, ")");
	}
	if (sp->name)
		sb_printf(b, " /* %s */", sp->name);
}

static void spans_or(struct sbuf *b, const char *v, const struct span *sp, size_t n,
		     uint64_t max)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_puts(b, " || ");
		span_test(b, v, &sp[i], max);
	}
}

/* A balanced binary search over sorted, disjoint spans: BPF has no jump
 * tables, and this keeps a large set at log2(n) compares. */
static void spans_tree(struct sbuf *b, const struct span *sp, size_t n, uint64_t max)
{
	size_t mid = n / 2;

	if (n <= 3) {
		sb_puts(b, "(");
		spans_or(b, "lwtp_v", sp, n, max);
		sb_puts(b, ")");
		return;
	}
	sb_puts(b, "(lwtp_v < ");
	emit_number(b, sp[mid].lo);
	sb_puts(b, " ? ");
	spans_tree(b, sp, mid, max);
	sb_puts(b, " : ");
	spans_tree(b, sp + mid, n - mid, max);
	sb_puts(b, ")");
}

/* value in spans, without the presence test */
static void int_membership(struct emitter *e, struct sbuf *b, const struct expr *value,
			   struct spans *s)
{
	struct sbuf v = { 0 };
	uint64_t max = type_max(&value->type);
	const char *vtype = max > UINT32_MAX ? "__u64" : "__u32";

	emit_value(e, &v, value);
	if (s->len == 0) {
		sb_puts(b, "0");
	} else if (s->len == 1) {
		struct sbuf t = { 0 };
		span_test(&t, sb_str(&v), &s->v[0], max);
		if (s->v[0].lo != s->v[0].hi && !(s->v[0].lo == 0 || s->v[0].hi >= max))
			sb_puts(b, sb_str(&t));         /* already parenthesized */
		else
			sb_printf(b, "(%s)", sb_str(&t));
		sb_free(&t);
	} else if (s->len <= SET_LINEAR_MAX) {
		sb_printf(b, "({ %s lwtp_v = %s; ", vtype, sb_str(&v));
		spans_or(b, "lwtp_v", s->v, s->len, max);
		sb_puts(b, "; })");
	} else {
		size_t n = 0;
		qsort(s->v, s->len, sizeof(*s->v), span_cmp);
		/* merge overlapping and adjacent spans; names no longer apply */
		for (size_t i = 0; i < s->len; i++) {
			if (n && (s->v[n - 1].hi == UINT64_MAX || s->v[i].lo <= s->v[n - 1].hi + 1)) {
				if (s->v[i].hi > s->v[n - 1].hi)
					s->v[n - 1].hi = s->v[i].hi;
				s->v[n - 1].name = NULL;
			} else {
				s->v[n++] = s->v[i];
			}
		}
		sb_printf(b, "({ %s lwtp_v = %s; ", vtype, sb_str(&v));
		spans_tree(b, s->v, n, max);
		sb_puts(b, "; })");
	}
	sb_free(&v);
}

/* ---- addresses ------------------------------------------------------------------ */

static bool is_addr_type(const struct expr *x)
{
	const struct expr *v = resolve(x);
	enum type_kind k = x->type.kind;

	if (k == TYPE_ADDR || k == TYPE_ADDR4 || k == TYPE_ADDR6)
		return true;
	return v && v->kind == EXPR_ADDR;
}

/* The families an address field can be: 4, 6, or both (10). */
static bool field_has_family(const struct field_def *f, int family)
{
	switch (f->type.kind) {
	case TYPE_ADDR4: return family == 4;
	case TYPE_ADDR6: return family == 6;
	case TYPE_ADDR:  return true;
	default:         return false;
	}
}

static bool is_src(const struct field_def *f)
{
	return f->id == F_IP_SRC || f->id == F_IP4_SRC || f->id == F_IP6_SRC;
}

static unsigned addr_field_presence(struct emitter *e, const struct field_def *f)
{
	/* an address field of either family needs only its family's header */
	if (f->header == HDR_IP) {
		e->want |= WANT_IP4 | WANT_IP6;
		return P_IP;
	}
	return emit_field_presence(e, f);
}

/* Does f (in the family's header, known present) match the constant a?
 * Masked compares of 32-bit words in network order. */
static void addr_match_const(struct emitter *e, struct sbuf *b, const struct field_def *f,
			     const struct addr *a)
{
	const char *which = is_src(f) ? "saddr" : "daddr";
	int plen = a->is_prefix ? a->prefix_len : (a->family == 4 ? 32 : 128);
	bool first = true;

	if (a->family == 4) {
		uint32_t mask = plen == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - plen));
		if (plen == 0) {
			sb_puts(b, "1");
			return;
		}
		e->uses |= USE_IP4_CONST;
		if (plen == 32)
			sb_printf(b, "lwtp_pkt.ip4->%s == ", which);
		else
			sb_printf(b, "(lwtp_pkt.ip4->%s & bpf_htonl(0x%08x)) == ", which, mask);
		sb_printf(b, "lwtp_ip4(%u, %u, %u, %u)", a->bytes[0], a->bytes[1],
			  a->bytes[2], a->bytes[3]);
		return;
	}
	if (plen == 0) {
		sb_puts(b, "1");
		return;
	}
	sb_puts(b, "(");
	for (int w = 0; w < 4; w++) {
		int bits = plen - 32 * w;
		uint32_t word = (uint32_t)a->bytes[4 * w] << 24 | (uint32_t)a->bytes[4 * w + 1] << 16 |
				(uint32_t)a->bytes[4 * w + 2] << 8 | a->bytes[4 * w + 3];
		if (bits <= 0)
			break;
		if (!first)
			sb_puts(b, " && ");
		first = false;
		if (bits >= 32 && word == 0) {
			sb_printf(b, "lwtp_pkt.ip6->%s[%d] == 0", which, w);
		} else if (bits >= 32) {
			sb_printf(b, "lwtp_pkt.ip6->%s[%d] == bpf_htonl(0x%08x)", which, w, word);
		} else {
			uint32_t mask = (uint32_t)(0xffffffffu << (32 - bits));
			sb_printf(b, "(lwtp_pkt.ip6->%s[%d] & bpf_htonl(0x%08x)) == bpf_htonl(0x%08x)",
				  which, w, mask, word & mask);
		}
	}
	sb_puts(b, " /* ");
	addr_text(b, a);
	sb_puts(b, " */)");
}

struct addr_list {
	const struct addr **v;
	size_t len, cap;
};

static void flatten_addrs(struct addr_list *l, const struct expr *x)
{
	const struct expr *v = resolve(x);

	if (!v)
		return;
	if (v->kind == EXPR_SET) {
		for (size_t i = 0; i < v->u.set.len; i++)
			flatten_addrs(l, v->u.set.items[i]);
		return;
	}
	if (v->kind != EXPR_ADDR)
		return;
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->len++] = &v->u.addr;
}

/* field matches any of the constants: grouped by family,
 * "(lwtp_pkt.ip4 && (A || B)) || (lwtp_pkt.ip6 && C)" */
static void addr_match_list(struct emitter *e, struct sbuf *b, const struct field_def *f,
			    const struct addr_list *l)
{
	static const int families[] = { 4, 6 };
	int groups = 0;
	struct sbuf g[2] = { { 0 }, { 0 } };
	size_t n[2] = { 0, 0 };

	for (int i = 0; i < 2; i++) {
		int fam = families[i];
		if (!field_has_family(f, fam))
			continue;
		for (size_t j = 0; j < l->len; j++) {
			if (l->v[j]->family != fam)
				continue;
			if (n[i]++)
				sb_puts(&g[i], " || ");
			addr_match_const(e, &g[i], f, l->v[j]);
		}
		if (n[i])
			groups++;
	}
	if (!groups) {
		sb_puts(b, "0");
		return;
	}
	if (groups > 1)
		sb_puts(b, "(");
	for (int i = 0, k = 0; i < 2; i++) {
		if (!n[i])
			continue;
		if (k++)
			sb_puts(b, " || ");
		if (n[i] > 1)
			sb_printf(b, "(lwtp_pkt.ip%d && (%s))", families[i], sb_str(&g[i]));
		else
			sb_printf(b, "(lwtp_pkt.ip%d && %s)", families[i], sb_str(&g[i]));
	}
	if (groups > 1)
		sb_puts(b, ")");
	sb_free(&g[0]);
	sb_free(&g[1]);
}

/* Two address fields equal: only within one family. */
static void addr_match_fields(struct sbuf *b, const struct field_def *l, const struct field_def *r)
{
	const char *lw = is_src(l) ? "saddr" : "daddr", *rw = is_src(r) ? "saddr" : "daddr";
	bool v4 = field_has_family(l, 4) && field_has_family(r, 4);
	bool v6 = field_has_family(l, 6) && field_has_family(r, 6);

	if (!v4 && !v6) {
		sb_puts(b, "0");
		return;
	}
	if (v4 && v6)
		sb_puts(b, "(");
	if (v4)
		sb_printf(b, "(lwtp_pkt.ip4 && lwtp_pkt.ip4->%s == lwtp_pkt.ip4->%s)", lw, rw);
	if (v4 && v6)
		sb_puts(b, " || ");
	if (v6) {
		sb_puts(b, "(lwtp_pkt.ip6");
		for (int w = 0; w < 4; w++)
			sb_printf(b, " && lwtp_pkt.ip6->%s[%d] == lwtp_pkt.ip6->%s[%d]", lw, w, rw, w);
		sb_puts(b, ")");
	}
	if (v4 && v6)
		sb_puts(b, ")");
}

static void addr_compare(struct emitter *e, struct sbuf *b, enum op op,
			 const struct expr *l, const struct expr *r)
{
	struct sbuf m = { 0 };
	unsigned p;
	bool negate = op == OP_NE || op == OP_NOT_IN;

	if (l->kind != EXPR_FIELD && r->kind == EXPR_FIELD) {
		const struct expr *t = l;     /* constant on the left: == is symmetric */
		l = r;
		r = t;
	}
	if (l->kind != EXPR_FIELD || !l->u.field.def) {
		sb_puts(b, "0 /* no address field */");
		return;
	}
	p = addr_field_presence(e, l->u.field.def);
	if (r->kind == EXPR_FIELD && r->u.field.def) {
		p |= addr_field_presence(e, r->u.field.def);
		addr_match_fields(&m, l->u.field.def, r->u.field.def);
	} else {
		struct addr_list list = { 0 };
		flatten_addrs(&list, r);
		addr_match_list(e, &m, l->u.field.def, &list);
		free(list.v);
	}
	if (!negate) {
		/* the match tests the family's header itself */
		sb_puts(b, sb_str(&m));
	} else {
		struct sbuf t = { 0 };
		sb_printf(&t, "!%s", sb_str(&m));
		guarded(b, p, sb_str(&t));
		sb_free(&t);
	}
	sb_free(&m);
}

/* ---- conditions ------------------------------------------------------------------- */

static const char *c_op(enum op op)
{
	switch (op) {
	case OP_EQ: return "==";
	case OP_NE: return "!=";
	case OP_LT: return "<";
	case OP_LE: return "<=";
	case OP_GT: return ">";
	case OP_GE: return ">=";
	default:    return "?";
	}
}

static void compare(struct emitter *e, struct sbuf *b, enum op op,
		    const struct expr *l, const struct expr *r)
{
	struct sbuf t = { 0 };
	unsigned p;

	if (is_addr_type(l) || is_addr_type(r)) {
		addr_compare(e, b, op, l, r);
		return;
	}
	p = emit_presence_of(e, l) | emit_presence_of(e, r);
	if (op == OP_IN || op == OP_NOT_IN) {
		struct spans s = { 0 };
		flatten_ints(&s, r);
		if (op == OP_NOT_IN)
			sb_puts(&t, "!");
		int_membership(e, &t, l, &s);
		free(s.v);
	} else {
		sb_puts(&t, "(");
		emit_value(e, &t, l);
		sb_printf(&t, " %s ", c_op(op));
		emit_value(e, &t, r);
		sb_puts(&t, ")");
	}
	guarded(b, p, sb_str(&t));
	sb_free(&t);
}

void emit_cond(struct emitter *e, struct sbuf *b, const struct expr *x)
{
	struct sbuf t = { 0 };

	switch (x->kind) {
	case EXPR_BOOL:
		sb_puts(b, x->u.num ? "1" : "0");
		break;
	case EXPR_NAME:
		if (x->u.name.value)
			emit_cond(e, b, resolve(x));
		else
			sb_puts(b, "0 /* not a condition */");
		break;
	case EXPR_INT:
		sb_puts(b, x->u.num ? "1" : "0");
		break;
	case EXPR_FIELD:        /* a bool field, or an integer meaning != 0 */
		emit_value(e, &t, x);
		if (x->type.kind != TYPE_BOOL) {
			struct sbuf n = { 0 };
			sb_printf(&n, "(%s != 0)", sb_str(&t));
			sb_free(&t);
			t = n;
		}
		guarded(b, emit_presence_of(e, x), sb_str(&t));
		break;
	case EXPR_UNARY:
		emit_cond(e, &t, x->u.unary.operand);
		if (t.len && t.s[0] == '(' && t.s[t.len - 1] == ')')
			sb_printf(b, "!%s", sb_str(&t));
		else
			sb_printf(b, "!(%s)", sb_str(&t));
		break;
	case EXPR_BINARY:
		switch (x->u.binary.op) {
		case OP_AND:
		case OP_OR:
			sb_puts(b, "(");
			emit_cond(e, b, x->u.binary.left);
			sb_puts(b, x->u.binary.op == OP_AND ? " && " : " || ");
			emit_cond(e, b, x->u.binary.right);
			sb_puts(b, ")");
			break;
		case OP_BITAND:         /* not zero */
		case OP_BITOR:
			emit_value(e, &t, x);
			sb_puts(&t, " != 0");
			{
				struct sbuf n = { 0 };
				sb_printf(&n, "(%s)", sb_str(&t));
				guarded(b, emit_presence_of(e, x), sb_str(&n));
				sb_free(&n);
			}
			break;
		case OP_NOT:
			break;
		default:
			compare(e, b, x->u.binary.op, x->u.binary.left, x->u.binary.right);
			break;
		}
		break;
	default:
		sb_puts(b, "0 /* not a condition */");
		break;
	}
	sb_free(&t);
}
