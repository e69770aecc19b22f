/* replay_samples.c: which sample rings a replayed packet was written to.
 * Every ring buffer of the object is read after each packet, and the
 * records are only counted: lwtp replay says "sampled NAME" for them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lwtp.h"
#include "replay.h"

#define MAX_RINGS 64    /* a program uses at most 64 maps */

/* what a ring's callback is given: its entry */
struct ring_ctx {
	struct replay_samples *s;
	unsigned i;
};

struct replay_samples {
	struct ring_buffer *rb;
	const char *names[MAX_RINGS];
	unsigned long got[MAX_RINGS];   /* records since the last take */
	struct ring_ctx ctxs[MAX_RINGS];
	unsigned n;
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct ring_ctx *c = ctx;

	c->s->got[c->i]++;
	return 0;
}

static int add_ring(struct replay_samples *s, struct bpf_map *map)
{
	unsigned i = s->n;
	int err;

	if (i == MAX_RINGS)
		return 0;
	s->ctxs[i] = (struct ring_ctx){ .s = s, .i = i };
	if (!s->rb) {
		s->rb = ring_buffer__new(bpf_map__fd(map), on_record, &s->ctxs[i], NULL);
		err = s->rb ? 0 : -errno;
	} else {
		err = ring_buffer__add(s->rb, bpf_map__fd(map), on_record, &s->ctxs[i]);
	}
	if (err) {
		p_err("cannot read sample '%s': %s", bpf_map__name(map), strerror(-err));
		return err;
	}
	s->names[s->n++] = bpf_map__name(map);
	return 0;
}

int replay_samples_open(struct bpf_object *obj, struct replay_samples **sp)
{
	struct replay_samples *s = calloc(1, sizeof(*s));
	struct bpf_map *map;
	int err;

	*sp = NULL;
	if (!s)
		return -ENOMEM;
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_RINGBUF)
			continue;
		err = add_ring(s, map);
		if (err) {
			replay_samples_close(s);
			return err;
		}
	}
	*sp = s;
	return 0;
}

void replay_samples_take(struct replay_samples *s, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	if (!s || !s->rb)
		return;
	ring_buffer__consume(s->rb);
	for (unsigned i = 0; i < s->n; i++) {
		if (s->got[i] && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "",
						s->names[i]);
		s->got[i] = 0;
	}
}

void replay_samples_close(struct replay_samples *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	free(s);
}
