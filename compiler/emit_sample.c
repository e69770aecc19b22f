/* emit_sample.c: the sample rings. 'sample NAME M/N' draws whether a
 * packet is sampled where the statement runs; the record is written when
 * the program ends, so that it carries the verdict and the mark the packet
 * leaves with (emit.c routes every end of a sampling policy through one
 * exit, which writes the rings analyse.c found in the policy). The record
 * is struct lwtp_sample (include/lwtp_contract.h), the function that
 * writes it compiler/bpf/sample.bpf.h (a part of the prelude). */
#include "emit_priv.h"

void emit_sample_draw(struct sbuf *b, uint64_t num, uint64_t den)
{
	/* the checker keeps 1 <= num <= den < 2^32: num * 2^32 fits */
	if (num >= den)
		return;
	sb_printf(b, "bpf_get_prandom_u32() < %lluU   /* %llu/%llu */",
		  (unsigned long long)((num << 32) / den), (unsigned long long)num,
		  (unsigned long long)den);
}
