/* emit_field.c: reading fields. skb fields come from the context where
 * they are used (so a read after 'set skb.mark' sees the new value); packet
 * fields through the header pointers lwtp_parse() sets, in host byte order.
 * Every read of a header is guarded by lwtp_has() of its own pointer, right
 * there or in the statement's presence test: see lwtp_has() in
 * emit_prelude.c for why a plain test of the pointer is not enough. */
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

/* Either family, each read behind a test of its own pointer (see
 * lwtp_has() in emit_prelude.c); the statement has tested that one of
 * them is there. */
static void either(struct sbuf *b, const char *v4, const char *v6)
{
	sb_printf(b, "(lwtp_has(lwtp_pkt.ip4) ? %s : lwtp_has(lwtp_pkt.ip6) ? %s : 0)", v4, v6);
}

/* "lwtp_ctx_read(skb, FIELD)": see emit_prelude.c */
static void ctx_read(struct sbuf *b, const char *field)
{
	sb_printf(b, "lwtp_ctx_read(skb, %s)", field);
}

void emit_field_value(struct sbuf *b, const struct field_def *f, int index)
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
	case F_IP_TTL:
		either(b, "lwtp_pkt.ip4->ttl", "lwtp_pkt.ip6->hop_limit");
		break;
	case F_IP_TOS:
		either(b, "lwtp_pkt.ip4->tos", "lwtp_ip6_tclass(lwtp_pkt.ip6)");
		break;
	case F_IP_DSCP:
		sb_puts(b, "(");
		either(b, "lwtp_pkt.ip4->tos", "lwtp_ip6_tclass(lwtp_pkt.ip6)");
		sb_puts(b, " >> 2)");
		break;
	case F_IP_ECN:
		sb_puts(b, "(");
		either(b, "lwtp_pkt.ip4->tos", "lwtp_ip6_tclass(lwtp_pkt.ip6)");
		sb_puts(b, " & 3)");
		break;
	case F_IP_LEN:
		either(b, "bpf_ntohs(lwtp_pkt.ip4->tot_len)",
		       "40 + bpf_ntohs(lwtp_pkt.ip6->payload_len)");
		break;
	case F_IP_FRAGMENT:
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

bool emit_field_is_src(const struct field_def *f)
{
	return f->id == F_IP_SRC || f->id == F_IP4_SRC || f->id == F_IP6_SRC;
}
