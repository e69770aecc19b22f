/* emit_field.c: reading fields. skb fields come from the context where
 * they are used (so a read after 'set skb.mark' sees the new value); packet
 * fields through the header pointers lwtp_parse() sets, in host byte order,
 * or from the scalars it read as it found the IP header (struct lwtp_pkt in
 * bpf/parse.bpf.h), 0 without one. Every read through a header pointer is
 * guarded by lwtp_has() of its own pointer, right there or in the
 * statement's presence test: see lwtp_has() in emit_prelude.c for why a
 * plain test of the pointer is not enough. */
#include <string.h>

#include "emit_priv.h"

/* ---- fields ------------------------------------------------------------------ */

unsigned emit_field_presence(struct emitter *e, const struct field_def *f)
{
	if (analyse_field_want(f) & ~e->plan->want)
		emit_unplanned(e, "policy '%s' tests %s.%s, whose headers analyse.c did not "
			       "have lwtp_parse() read", e->plan->policy->name, f->ns, f->name);
	switch (f->header) {
	case HDR_SKB:
	case HDR_TASK:
	case HDR_ROUTE:
	case HDR_CGROUP:
		return 0;
	case HDR_IP:
		return f->id == F_IP_PROTO ? P_PROTO : P_IP;
	case HDR_IP4:
		return P_IP4;
	case HDR_IP6:
		return f->id == F_IP6_PROTO ? P_IP6 | P_PROTO : P_IP6;
	case HDR_TCP:
		return P_TCP;
	case HDR_UDP:
		return P_UDP;
	case HDR_L4PORTS:
		return P_PORTS;
	case HDR_ICMP:
		return P_ICMP;
	case HDR_ICMP6:
		return P_ICMP6;
	}
	return 0;
}

void emit_presence_text(struct sbuf *b, unsigned p)
{
	static const struct { unsigned bit; const char *text; } atoms[] = {
		{ P_IP, "lwtp_pkt.family" },
		{ P_IP4, "lwtp_has(lwtp_pkt.ip4)" },
		{ P_IP6, "lwtp_has(lwtp_pkt.ip6)" },
		{ P_PROTO, "lwtp_pkt.proto_ok" },
		{ P_TCP, "lwtp_has(lwtp_pkt.tcp)" },
		{ P_UDP, "lwtp_has(lwtp_pkt.udp)" },
		{ P_PORTS, "lwtp_has(lwtp_pkt.ports)" },
		{ P_ICMP, "lwtp_has(lwtp_pkt.icmp)" },
		{ P_ICMP6, "lwtp_has(lwtp_pkt.icmp6)" },
	};
	bool first = true;

	/* drop what another test implies: an L4 header implies IP and its
	 * protocol, a family implies IP. ICMP implies IPv4 too, but the
	 * verifier cannot always see it: a read of ip4 keeps its own test. */
	if (p & (P_TCP | P_UDP | P_PORTS | P_ICMP | P_ICMP6))
		p &= ~(unsigned)(P_IP | P_PROTO);
	if (p & (P_PROTO | P_IP4 | P_IP6))
		p &= ~(unsigned)P_IP;
	for (size_t i = 0; i < sizeof(atoms) / sizeof(atoms[0]); i++) {
		if (!(p & atoms[i].bit))
			continue;
		sb_printf(b, "%s%s", first ? "" : " && ", atoms[i].text);
		first = false;
	}
}

/* "lwtp_ctx_read(skb, FIELD)": see emit_prelude.c */
static void ctx_read(struct sbuf *b, const char *field)
{
	sb_printf(b, "lwtp_ctx_read(skb, %s)", field);
}

/* The C that reads f from the context, a helper or the packet. */
static void field_read(struct sbuf *b, const struct field_def *f, int index)
{
	switch (f->id) {
	/* __sk_buff, read at the point of use, in assembly (lwtp_ctx_read) */
	case F_SKB_LEN:             ctx_read(b, "len"); break;
	case F_SKB_PKT_TYPE:        ctx_read(b, "pkt_type"); break;
	case F_SKB_MARK:            ctx_read(b, "mark"); break;
	case F_SKB_QUEUE_MAPPING:   ctx_read(b, "queue_mapping"); break;
	case F_SKB_PROTOCOL:
		sb_puts(b, "bpf_ntohs(");
		ctx_read(b, "protocol");
		sb_puts(b, ")");
		break;
	case F_SKB_VLAN_PRESENT:    ctx_read(b, "vlan_present"); break;
	case F_SKB_VLAN_TCI:        ctx_read(b, "vlan_tci"); break;
	case F_SKB_VLAN_PROTO:
		sb_puts(b, "bpf_ntohs(");
		ctx_read(b, "vlan_proto");
		sb_puts(b, ")");
		break;
	case F_SKB_PRIORITY:        ctx_read(b, "priority"); break;
	case F_SKB_INGRESS_IFINDEX: ctx_read(b, "ingress_ifindex"); break;
	case F_SKB_IFINDEX:         ctx_read(b, "ifindex"); break;
	case F_SKB_TC_INDEX:        ctx_read(b, "tc_index"); break;
	case F_SKB_CB: {
		char cb[16];
		snprintf(cb, sizeof(cb), "cb[%d]", index);
		ctx_read(b, cb);
		break;
	}
	case F_SKB_HASH:            ctx_read(b, "hash"); break;
	case F_SKB_NAPI_ID:         ctx_read(b, "napi_id"); break;
	case F_SKB_GSO_SEGS:        ctx_read(b, "gso_segs"); break;
	case F_SKB_GSO_SIZE:        ctx_read(b, "gso_size"); break;
	case F_SKB_FORBIDDEN:       sb_puts(b, "0 /* forbidden field */"); break;

	/* the current task: the helper's low half is the thread, the high the
	 * process (the checker admits these only for kernels from 6.10 on) */
	case F_TASK_PID:            sb_puts(b, "((__u32)bpf_get_current_pid_tgid())"); break;
	case F_TASK_TGID:           sb_puts(b, "((__u32)(bpf_get_current_pid_tgid() >> 32))"); break;

	/* helpers on the skb: its dst's tclassid, its sender's net_cls class */
	case F_ROUTE_REALM:         sb_puts(b, "bpf_get_route_realm(skb)"); break;
	case F_CGROUP_CLASSID:      sb_puts(b, "bpf_get_cgroup_classid(skb)"); break;
	/* tested by lwtp_set_has_cgroup() only (emit_expr.c); never a value */
	case F_SOCKET_CGROUP:       sb_puts(b, "0 /* not a value */"); break;

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
	/* read by lwtp_parse() as it found the header (see struct lwtp_pkt) */
	case F_IP_TTL:
		sb_puts(b, "lwtp_pkt.ttl");
		break;
	case F_IP_TOS:
		sb_puts(b, "lwtp_pkt.tos");
		break;
	case F_IP_DSCP:
		sb_puts(b, "(lwtp_pkt.tos >> 2)");
		break;
	case F_IP_ECN:
		sb_puts(b, "(lwtp_pkt.tos & 3)");
		break;
	case F_IP_LEN:
		sb_puts(b, "lwtp_pkt.len");
		break;
	case F_IP_FRAGMENT:
		/* frag_off is an IPv4 packet's, frag6 an IPv6 one's: each is 0
		 * for the other family (and without an IP header) */
		sb_puts(b, "(lwtp_pkt.frag6 | ((lwtp_pkt.frag_off & bpf_htons(0x3fff)) != 0))");
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
	/* read by lwtp_parse() as it found the header (see struct lwtp_pkt) */
	case F_IP4_IHL:         sb_puts(b, "lwtp_pkt.ihl"); break;
	case F_IP4_OPTIONS:     sb_puts(b, "(lwtp_pkt.ihl > 5)"); break;
	case F_IP4_DF:
		sb_puts(b, "((lwtp_pkt.frag_off & bpf_htons(0x4000)) != 0)");
		break;
	case F_IP4_MF:
		sb_puts(b, "((lwtp_pkt.frag_off & bpf_htons(0x2000)) != 0)");
		break;
	case F_IP4_FRAG_OFFSET:
		sb_puts(b, "(bpf_ntohs(lwtp_pkt.frag_off) & 0x1fff)");
		break;

	/* IPv6 */
	case F_IP6_SRC:         sb_puts(b, "lwtp_pkt.ip6->saddr"); break;
	case F_IP6_DST:         sb_puts(b, "lwtp_pkt.ip6->daddr"); break;
	case F_IP6_NEXTHDR:     sb_puts(b, "lwtp_pkt.ip6->nexthdr"); break;
	case F_IP6_HOPLIMIT:    sb_puts(b, "lwtp_pkt.ip6->hop_limit"); break;
	case F_IP6_TCLASS:
		sb_puts(b, "lwtp_ip6_tclass(lwtp_pkt.ip6)");
		break;
	case F_IP6_DSCP:
		sb_puts(b, "(lwtp_ip6_tclass(lwtp_pkt.ip6) >> 2)");
		break;
	case F_IP6_ECN:
		sb_puts(b, "(lwtp_ip6_tclass(lwtp_pkt.ip6) & 3)");
		break;
	case F_IP6_FLOWLABEL:
		sb_puts(b, "(bpf_ntohl(lwtp_pkt.ip6->vtc_flow) & 0xfffff)");
		break;
	case F_IP6_PLEN:        sb_puts(b, "bpf_ntohs(lwtp_pkt.ip6->payload_len)"); break;

	/* L4 */
	case F_TCP_SPORT:       sb_puts(b, "bpf_ntohs(lwtp_pkt.tcp->source)"); break;
	case F_TCP_DPORT:       sb_puts(b, "bpf_ntohs(lwtp_pkt.tcp->dest)"); break;
	case F_TCP_FLAGS:       sb_puts(b, "lwtp_pkt.tcp_flags"); break;    /* struct lwtp_pkt */
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

/* ---- fields read once ----------------------------------------------------------- */

/* Whether f, read more than once, may be read once at the policy's top
 * for all its reads: a field of the packet's headers, which nothing a
 * policy does changes (statements write skb fields only, and lwtp_parse()
 * is the only pull). Not skb fields (a 'set' changes them: read where
 * used), helpers' (a call each time, as written), fields lwtp_pkt holds as
 * scalars already (ip.version, ip.proto, ip.ttl, ..., tcp.flags), nor
 * addresses (emit_addr_*() compares them; never a value). */
static bool cacheable(const struct field_def *f)
{
	switch (f->id) {
	case F_IP_VERSION: case F_IP_PROTO: case F_IP6_PROTO:
	case F_IP_TTL: case F_IP_TOS: case F_IP_DSCP: case F_IP_ECN: case F_IP_LEN:
	case F_IP4_IHL: case F_IP4_OPTIONS: case F_IP4_DF: case F_IP4_MF: case F_IP4_FRAG_OFFSET:
	case F_IP_FRAGMENT: case F_TCP_FLAGS:
	case F_IP_SRC: case F_IP_DST: case F_IP4_SRC: case F_IP4_DST:
	case F_IP6_SRC: case F_IP6_DST:
		return false;
	default:
		break;
	}
	switch (f->header) {
	case HDR_IP: case HDR_IP4: case HDR_IP6: case HDR_TCP: case HDR_UDP:
	case HDR_L4PORTS: case HDR_ICMP: case HDR_ICMP6:
		return true;
	default:
		return false;
	}
}

/* At most this many fields are read once at the top, those read most
 * first: each is a value live through the whole function, and past the
 * four registers a helper call leaves alone it takes a slot of the
 * 512-byte stack. A policy whose statements read packet fields more than
 * LOTS times in all gets none: the few values would save little of its
 * work, and its stack may be near full already (clang refuses a program
 * that needs more). */
enum { MAX_CACHED_FIELDS = 4, LOTS = 40 };

static bool cached(const struct emitter *e, const struct field_def *f)
{
	return (unsigned)f->id < ANALYSE_MAX_FIELDS && e->field_cached[f->id];
}

void emit_field_value(const struct emitter *e, struct sbuf *b, const struct field_def *f,
		      int index)
{
	if (cached(e, f))
		sb_printf(b, "lwtp_v_%s_%s", f->ns, f->name);
	else
		field_read(b, f, index);
}

void emit_field_cache(struct emitter *e)
{
	const struct policy_plan *plan = e->plan;
	unsigned total = 0, nfields = 0;

	memset(e->field_cached, 0, sizeof(e->field_cached));
	for (unsigned id = 0; id < ANALYSE_MAX_FIELDS; id++)
		if (plan->fields[id] && plan->fields[id]->header != HDR_SKB)
			total += plan->reads[id];
	if (total > LOTS)
		return;
	/* the fields read most (at least twice), in the order of enum
	 * field_id among those read as often: deterministic */
	for (unsigned n = 255; n >= 2 && nfields < MAX_CACHED_FIELDS; n--)
		for (unsigned id = 0; id < ANALYSE_MAX_FIELDS && nfields < MAX_CACHED_FIELDS; id++)
			if (plan->fields[id] && plan->reads[id] == n && cacheable(plan->fields[id])) {
				e->field_cached[id] = true;
				nfields++;
			}
	if (!nfields)
		return;

	/* Each read of a field is a load behind a test of its header's
	 * pointer (lwtp_has(), whose empty asm keeps clang from merging two):
	 * the policy tested tcp.flags four times, say, each time testing the
	 * TCP header anew. Read once, the statements test a register, and
	 * most need no test of the header at all: the value is 0 without it
	 * (emit_field_zero_when_absent()). The read stays behind lwtp_has() of
	 * its own pointer, as the verifier needs. */
	fprintf(e->out, "\t/* read once: no statement changes the packet */\n");
	for (unsigned id = 0; id < ANALYSE_MAX_FIELDS; id++) {
		const struct field_def *f = plan->fields[id];
		struct sbuf v = { 0 }, g = { 0 };

		if (!f || !cached(e, f))
			continue;
		field_read(&v, f, -1);
		emit_presence_text(&g, emit_field_presence(e, f));
		if (g.len)
			fprintf(e->out, "\tconst __u32 lwtp_v_%s_%s = %s ? %s : 0;\n", f->ns, f->name,
				sb_str(&g), sb_str(&v));
		else
			fprintf(e->out, "\tconst __u32 lwtp_v_%s_%s = %s;\n", f->ns, f->name,
				sb_str(&v));
		sb_free(&v);
		sb_free(&g);
	}
	fprintf(e->out, "\n");
}

bool emit_field_zero_when_absent(const struct emitter *e, const struct field_def *f)
{
	if (cached(e, f))
		return true;    /* lwtp_v_NS_NAME: "PRESENCE ? READ : 0" */
	switch (f->id) {
	/* lwtp_pkt's scalars, 0 until lwtp_parse() finds their header */
	case F_IP_VERSION: case F_IP_PROTO:
	case F_IP_TTL: case F_IP_TOS: case F_IP_DSCP: case F_IP_ECN: case F_IP_LEN:
	case F_IP4_IHL: case F_IP4_OPTIONS: case F_IP4_DF: case F_IP4_MF: case F_IP4_FRAG_OFFSET:
	case F_IP_FRAGMENT: case F_TCP_FLAGS:
		return true;
	default:
		return false;
	}
}

bool emit_field_is_src(const struct field_def *f)
{
	return f->id == F_IP_SRC || f->id == F_IP4_SRC || f->id == F_IP6_SRC;
}
