/* emit_sample.c: the sample rings. 'sample NAME M/N' draws whether a
 * packet is sampled where the statement runs; the record is written when
 * the program ends, so that it carries the verdict and the mark the packet
 * leaves with (emit.c routes every end of a sampling policy through one
 * exit). */
#include "emit_priv.h"

static void collect_list(struct emitter *e, const struct stmt_list *list);

static void collect_stmt(struct emitter *e, const struct stmt *s)
{
	const struct map_def *m = s->u.stat.map;

	if (s->kind == STMT_IF) {
		collect_list(e, &s->u.if_.then_body);
		collect_list(e, &s->u.if_.else_body);
		return;
	}
	if (s->kind != STMT_SAMPLE || !m)
		return;
	for (unsigned i = 0; i < e->nsamples; i++)
		if (e->samples[i] == m)
			return;
	/* resources_collect() keeps a policy within 64 maps, 32 rings */
	if (e->nsamples < EMIT_MAX_SAMPLES)
		e->samples[e->nsamples++] = m;
}

static void collect_list(struct emitter *e, const struct stmt_list *list)
{
	for (size_t i = 0; i < list->len; i++)
		collect_stmt(e, list->items[i]);
}

void emit_sample_collect(struct emitter *e, const struct stmt_list *body)
{
	e->nsamples = 0;
	collect_list(e, body);
}

unsigned emit_sample_bit(const struct emitter *e, const struct map_def *m)
{
	for (unsigned i = 0; i < e->nsamples; i++)
		if (e->samples[i] == m)
			return i;
	return 0;
}

void emit_sample_draw(struct sbuf *b, uint64_t num, uint64_t den)
{
	/* the checker keeps 1 <= num <= den < 2^32: num * 2^32 fits */
	if (num >= den)
		return;
	sb_printf(b, "bpf_get_prandom_u32() < %lluU   /* %llu/%llu */",
		  (unsigned long long)((num << 32) / den), (unsigned long long)num,
		  (unsigned long long)den);
}

void emit_sample_types(FILE *out)
{
	fputs("/* sample NAME: the record of a sampled packet in the ring NAME, as the\n"
	      " * program ends (lwtp sample reads it) */\n"
	      "struct lwtp_sample {\n"
	      "\t__u64 time_ns;         /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */\n"
	      "\t__u32 len;             /* skb.len: bytes from the IP header on */\n"
	      "\t__u32 caplen;          /* bytes of the packet in data[] */\n"
	      "\t__u32 verdict;         /* 0 passed (BPF_OK), 2 dropped (BPF_DROP) */\n"
	      "\t__u32 mark;            /* skb.mark as the packet leaves */\n"
	      "\t__u16 protocol;        /* skb.protocol, host order: 0x0800, 0x86dd */\n"
	      "\t__u16 lwtp_pad0;\n"
	      "\t__u32 ifindex;         /* skb.ifindex: the route's device */\n"
	      "\t__u8 data[];           /* the packet's first caplen bytes, from the IP header */\n"
	      "};\n\n", out);
}

void emit_sample_prelude(FILE *out)
{
	fputs("/* ---- samples ------------------------------------------------------------ */\n"
	      "\n"
	      "/* Write the packet's record to the ring of a sample; count it, or its\n"
	      " * loss when the ring is full, in lwtp_full_NAME. snaplen is a constant. */\n"
	      "static __always_inline void lwtp_sample(void *ring, void *full, struct __sk_buff *skb,\n"
	      "\t\t\t\t\tint verdict, const __u32 snaplen)\n"
	      "{\n"
	      "\tstruct lwtp_sample *r = bpf_ringbuf_reserve(ring, sizeof(*r) + snaplen, 0);\n"
	      "\t__u64 len = skb->len;\n"
	      "\t__u64 last;\n"
	      "\n"
	      "\t/* r is tested once: a second test of a reservation makes older\n"
	      "\t * verifiers (6.1) walk its NULL path holding the reference */\n"
	      "\tif (!r) {\n"
	      "\t\tlwtp_keys_note(full, -1);\n"
	      "\t\treturn;\n"
	      "\t}\n"
	      "\tlwtp_keys_note(full, 0);\n"
	      "\tr->time_ns = bpf_ktime_get_ns();\n"
	      "\tr->len = len;\n"
	      "\tr->caplen = 0;\n"
	      "\tr->verdict = verdict;\n"
	      "\tr->mark = skb->mark;\n"
	      "\tr->protocol = bpf_ntohs(skb->protocol);\n"
	      "\tr->lwtp_pad0 = 0;\n"
	      "\tr->ifindex = skb->ifindex;\n"
	      "\t/* bytes to copy, less one: the verifier must see a length of at\n"
	      "\t * least 1 and at most snaplen where it is formed, which last + 1\n"
	      "\t * after this test is on every kernel (6.1 loses a min(len, snaplen)\n"
	      "\t * > 0 test on a copy of the register) */\n"
	      "\tlast = (len < snaplen ? len : snaplen) - 1;\n"
	      "\tasm volatile(\"\" : \"+r\"(last));\n"
	      "\tif (last < snaplen && bpf_skb_load_bytes(skb, 0, r->data, last + 1) == 0)\n"
	      "\t\tr->caplen = last + 1;\n"
	      "\tbpf_ringbuf_submit(r, 0);\n"
	      "}\n"
	      "\n", out);
}
