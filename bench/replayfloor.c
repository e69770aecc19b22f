/* replayfloor: what BPF_PROG_TEST_RUN alone allows `lwtp replay` (the
 * reference of bench/replay.sh). Reads every frame of an Ethernet capture
 * into memory first, then times one loop of bare BPF_PROG_TEST_RUN calls
 * over them, one call a packet, through OBJ:SECTION (loaded privately as
 * LWT_OUT): the frame as captured, no metadata in or out, no packet out.
 * Prints "PACKETS SECONDS PACKETS_PER_SECOND". The capture is a classic
 * pcap file (build/tests/pcapgen writes one).
 *
 *   replayfloor [-c] OBJ:SECTION CAPTURE
 *
 * -c  pass a zero __sk_buff in and read it back out, as replay does when it
 *     prints what a policy changed (for comparison)
 * Exit: 0, 1 on an error (on stderr), 2 usage.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "benchprog.h"

struct frames {
	unsigned char *buf;     /* every frame, one after the other */
	size_t len, cap;
	size_t *off;            /* where each starts; off[n] is the end */
	size_t n, ncap;
};

static int frames_add(struct frames *f, const unsigned char *data, size_t len)
{
	if (f->n + 2 > f->ncap) {
		size_t ncap = f->ncap ? f->ncap * 2 : 4096;
		size_t *off = realloc(f->off, ncap * sizeof(*off));

		if (!off)
			return -ENOMEM;
		f->off = off;
		f->ncap = ncap;
	}
	if (f->len + len > f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 1 << 20;
		unsigned char *buf;

		while (cap < f->len + len)
			cap *= 2;
		buf = realloc(f->buf, cap);
		if (!buf)
			return -ENOMEM;
		f->buf = buf;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, data, len);
	f->off[f->n++] = f->len;
	f->len += len;
	f->off[f->n] = f->len;
	return 0;
}

/* A classic pcap file of the host's byte order (pcapgen writes them):
 * a 24-byte file header, then a 16-byte header before each frame. libpcap
 * is not used: its header and libbpf's both define struct bpf_insn. */
static int frames_read(const char *path, struct frames *f)
{
	unsigned char head[24], rec[16], *frame = malloc(65536);
	uint32_t magic, linktype, caplen;
	FILE *in = fopen(path, "rb");
	int err = -EINVAL;

	if (!in || !frame) {
		fprintf(stderr, "replayfloor: %s: %s\n", path, strerror(in ? ENOMEM : errno));
		goto out;
	}
	if (fread(head, 1, sizeof(head), in) != sizeof(head))
		goto bad;
	memcpy(&magic, head, 4);
	memcpy(&linktype, head + 20, 4);
	if ((magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) || linktype != 1 /* Ethernet */)
		goto bad;
	while (fread(rec, 1, sizeof(rec), in) == sizeof(rec)) {
		memcpy(&caplen, rec + 8, 4);
		if (caplen > 65536 || fread(frame, 1, caplen, in) != caplen)
			goto bad;
		if (frames_add(f, frame, caplen)) {
			fprintf(stderr, "replayfloor: out of memory\n");
			err = -ENOMEM;
			goto out;
		}
	}
	err = 0;
	goto out;
bad:
	fprintf(stderr, "replayfloor: %s: not a classic Ethernet pcap of this host's byte "
		"order, or cut short\n", path);
out:
	if (in)
		fclose(in);
	free(frame);
	return err;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct bench_prog prog = {};
	struct frames f = {};
	struct __sk_buff ctx_in, ctx_out;
	bool ctx = false;
	double t0, t1;
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "c")) != -1) {
		if (opt != 'c')
			goto usage;
		ctx = true;
	}
	if (argc - optind != 2)
		goto usage;
	if (frames_read(argv[optind + 1], &f) || bench_prog_open(&prog, argv[optind]))
		return 1;
	t0 = now();
	for (i = 0; i < f.n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_in = f.buf + f.off[i],
			.data_size_in = f.off[i + 1] - f.off[i],
			.repeat = 1,
		);

		if (ctx) {
			memset(&ctx_in, 0, sizeof(ctx_in));
			opts.ctx_in = &ctx_in;
			opts.ctx_size_in = sizeof(ctx_in);
			opts.ctx_out = &ctx_out;
			opts.ctx_size_out = sizeof(ctx_out);
		}
		if (bpf_prog_test_run_opts(prog.fd, &opts)) {
			fprintf(stderr, "replayfloor: packet %zu: BPF_PROG_TEST_RUN: %s\n", i + 1,
				strerror(errno));
			return 1;
		}
	}
	t1 = now();
	printf("%zu %.4f %.0f\n", f.n, t1 - t0, f.n / (t1 - t0));
	bench_prog_close(&prog);
	free(f.buf);
	free(f.off);
	return 0;
usage:
	fprintf(stderr, "usage: replayfloor [-c] OBJ:SECTION CAPTURE\n");
	return 2;
}
