/* benchprog.h: what bench and refcheck share: programs named OBJ:SECTION,
 * loaded privately as LWT_OUT (tests/tools/objload.h), and packets in the
 * text form of tests/tools/pkt.h, metadata included, run through
 * BPF_PROG_TEST_RUN. Functions return 0 or a negative errno and say what
 * went wrong on stderr. */
#ifndef LWTP_BENCHPROG_H
#define LWTP_BENCHPROG_H

#include <stdint.h>
#include <linux/bpf.h>

#include "pkt.h"

struct bpf_object;

struct bench_prog {
	const char *arg;            /* OBJ:SECTION as given */
	char path[1024];
	const char *section;        /* NULL: the object's first program */
	struct bpf_object *obj;
	int fd;
};

struct bench_packet {
	const char *text;
	uint8_t frame[PKT_MAX_FRAME];
	int len;
	long l3_len;                /* skb->len */
	struct __sk_buff ctx;       /* the metadata it goes in with */
};

int bench_prog_open(struct bench_prog *p, const char *arg);
void bench_prog_close(struct bench_prog *p);

int bench_packet_build(struct bench_packet *pkt, const char *text);

/* Run pkt through p repeat times (the metadata goes in once, before the
 * first). retval and ctx_out (either may be NULL) get what the last run
 * left. */
int bench_run(const struct bench_prog *p, const struct bench_packet *pkt, int repeat,
	      uint32_t *retval, struct __sk_buff *ctx_out);

/* "pass", "drop", or the number */
const char *bench_verdict(uint32_t retval, char *buf, size_t size);

#endif
