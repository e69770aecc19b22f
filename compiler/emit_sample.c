/* emit_sample.c: the sample rings. 'sample NAME M/N' draws whether a
 * packet is sampled where the statement runs; the record is written when
 * the program ends, so that it carries the verdict and the mark the packet
 * leaves with (emit.c routes every end of a sampling policy through one
 * exit). The record is compiler/bpf/sample_record.bpf.h, the function that
 * writes it compiler/bpf/sample.bpf.h (a part of the prelude). */
#include "bpf_texts.h"
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
	emit_bpf_text(out, bpf_text_sample_record);
}
