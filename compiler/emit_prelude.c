/* emit_prelude.c: the fixed C that generated programs call: packet header
 * structs and the parser, address and histogram helpers, the statistics
 * updates, the sample writer and the set searches' compares. Each part is
 * written only when a program uses it.
 *
 * The parts are real C, one file each in compiler/bpf/: NAME.bpf.h is
 * embedded into lwtc as bpf_text_NAME (scripts/bpf_texts.sh writes
 * bpf_texts.c and bpf_texts.h at build time), and make test compiles each
 * one on its own (tests/run.sh, suite bpf, which lists what each needs).
 * A file is written into the program as it is, comments included. The
 * table below says when a part is written; a part may use what the parts
 * above it define, and the map key and value types (emit_maps.c), which
 * come before them.
 *
 * The parser reads the packet with direct packet access (LWT_OUT programs
 * may read skb->data .. skb->data_end) and calls bpf_skb_pull_data() only
 * when a header it needs lies past the linear data of a non-linear packet.
 */
#include "bpf_texts.h"
#include "emit_priv.h"

/* A part as it is, then the blank line that separates it from the next
 * (the files end with their last line). */
void emit_bpf_text(FILE *out, const char *text)
{
	fputs(text, out);
	fputc('\n', out);
}

/* A part of the prelude, written when the program uses one of uses. */
struct part {
	unsigned uses;          /* enum use */
	const char *text;       /* compiler/bpf/NAME.bpf.h */
};

static const struct part parts[] = {
	/* the packet */
	{ USE_PARSE,                    bpf_text_parse },
	{ USE_CTX_WRITE,                bpf_text_ctx_access },
	{ USE_IP4_FRAG,                 bpf_text_ip4_frag },
	{ USE_TCLASS,                   bpf_text_ip6_tclass },
	{ USE_IP4_CONST,                bpf_text_ip4_const },
	{ USE_WIRE,                     bpf_text_wire },
	/* addresses in keys and runtime sets */
	{ USE_IP_KEY_SRC | USE_IP_KEY_DST | USE_SET_IP | USE_RMAP_IP,
	  bpf_text_ip_from4 },
	{ USE_IP_KEY | USE_IP_KEY_SRC | USE_IP_KEY_DST | USE_SET_IP | USE_RMAP_IP,
	  bpf_text_ip_from6 },
	{ USE_IP_KEY_SRC,               bpf_text_ip_key_saddr },
	{ USE_IP_KEY_DST,               bpf_text_ip_key_daddr },
	{ USE_SET_IP | USE_RMAP_IP,     bpf_text_lpm_key },
	{ USE_SET_IP,                   bpf_text_set_has_addr },
	{ USE_RMAP | USE_RMAP_IP,       bpf_text_rmap_get },
	{ USE_RMAP_IP,                  bpf_text_rmap_get_addr },
	{ USE_SET_CGROUP,               bpf_text_set_has_cgroup },
	/* histogram buckets */
	{ USE_LOG2_32 | USE_LOG2_64,    bpf_text_log2_32 },
	{ USE_LOG2_64,                  bpf_text_log2_64 },
	{ USE_LINEAR,                   bpf_text_linear },
	/* count and hist */
	{ USE_COUNT | USE_COUNT_KEY | USE_HIST | USE_HIST_KEY | USE_COUNT_WIRE,
	  bpf_text_stats_intro },
	{ USE_COUNT_KEY | USE_HIST_KEY | USE_LIMIT_KEY | USE_QUOTA_KEY | USE_SAMPLE,
	  bpf_text_keys_note },
	{ USE_COUNT | USE_COUNT_KEY | USE_AUDIT, bpf_text_count_add },
	{ USE_COUNT,                    bpf_text_count },
	{ USE_COUNT_KEY,                bpf_text_count_key },
	{ USE_COUNT_WIRE,               bpf_text_count_wire },
	{ USE_COUNT_WIRE_KEY,           bpf_text_count_wire_key },
	{ USE_AUDIT,                    bpf_text_audit },
	{ USE_HIST,                     bpf_text_hist },
	{ USE_HIST_KEY,                 bpf_text_hist_key },
	/* limit and quota */
	{ USE_LIMIT_KEY | USE_QUOTA_KEY, bpf_text_key_new },
	{ USE_LIMIT | USE_LIMIT_KEY,    bpf_text_limit_take },
	{ USE_LIMIT,                    bpf_text_limit },
	{ USE_LIMIT_KEY,                bpf_text_limit_key },
	{ USE_QUOTA | USE_QUOTA_KEY,    bpf_text_quota_take },
	{ USE_QUOTA,                    bpf_text_quota },
	{ USE_QUOTA_KEY,                bpf_text_quota_key },
	/* sample, and the compares of the constant sets' searches */
	{ USE_SAMPLE,                   bpf_text_sample },
	{ USE_SEARCH,                   bpf_text_search },
};

void emit_prelude(struct emitter *e)
{
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (e->an->uses & parts[i].uses)
			emit_bpf_text(e->out, parts[i].text);
}
