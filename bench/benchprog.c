/* benchprog.c: programs and packets for bench and refcheck (benchprog.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "benchprog.h"
#include "objload.h"

int bench_prog_open(struct bench_prog *p, const char *arg)
{
	struct bpf_program *prog;
	char *colon;
	int err;

	p->arg = arg;
	snprintf(p->path, sizeof(p->path), "%s", arg);
	colon = strrchr(p->path, ':');
	p->section = NULL;
	if (colon) {
		*colon = 0;
		p->section = colon + 1;
	}
	err = objload(p->path, &p->obj, stderr);
	if (err)
		return err;
	bpf_object__for_each_program(prog, p->obj) {
		if (!p->section || !strcmp(bpf_program__section_name(prog), p->section)) {
			p->fd = bpf_program__fd(prog);
			return 0;
		}
	}
	fprintf(stderr, "%s: no section '%s'\n", p->path, p->section);
	bench_prog_close(p);
	return -ENOENT;
}

void bench_prog_close(struct bench_prog *p)
{
	bpf_object__close(p->obj);
	p->obj = NULL;
}

int bench_packet_build(struct bench_packet *pkt, const char *text)
{
	struct pkt_spec spec;
	char err[256];

	memset(pkt, 0, sizeof(*pkt));
	pkt->text = text;
	if (pkt_parse(text, &spec, err, sizeof(err)) ||
	    (pkt->len = pkt_build(&spec, pkt->frame, sizeof(pkt->frame), err, sizeof(err))) < 0) {
		fprintf(stderr, "packet '%s': %s\n", text, err);
		return -EINVAL;
	}
	pkt->l3_len = pkt_l3_len(&spec);
	pkt->ctx.mark = spec.mark;
	pkt->ctx.priority = spec.priority;
	pkt->ctx.gso_segs = spec.gso_segs;
	pkt->ctx.gso_size = spec.gso_size;
	memcpy(pkt->ctx.cb, spec.cb, sizeof(pkt->ctx.cb));
	return 0;
}

int bench_run(const struct bench_prog *p, const struct bench_packet *pkt, int repeat,
	      uint32_t *retval, struct __sk_buff *ctx_out)
{
	struct __sk_buff ctx = pkt->ctx, out;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = pkt->frame,
		.data_size_in = pkt->len,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.ctx_out = &out,
		.ctx_size_out = sizeof(out),
		.repeat = repeat,
	);

	if (bpf_prog_test_run_opts(p->fd, &opts)) {
		int err = -errno;

		fprintf(stderr, "%s: BPF_PROG_TEST_RUN: %s\n", p->arg, strerror(-err));
		return err;
	}
	if (retval)
		*retval = opts.retval;
	if (ctx_out)
		*ctx_out = out;
	return 0;
}

const char *bench_verdict(uint32_t retval, char *buf, size_t size)
{
	if (retval == BPF_OK)
		return "pass";
	if (retval == BPF_DROP)
		return "drop";
	snprintf(buf, size, "%u", retval);
	return buf;
}
