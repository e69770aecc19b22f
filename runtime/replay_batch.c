/* replay_batch.c: the packets of `lwtp replay -q` run on worker threads,
 * in batches, while the main thread reads the capture (see
 * replay_batch.h).
 *
 * Where the time goes: a packet costs one BPF_PROG_TEST_RUN system call,
 * and the call costs far more than the program (the kernel allocates a
 * socket and an skb for it, copies the packet in, frees both: about 3 us
 * here, against tens of ns for the program); reading the capture, finding
 * the IP packet and building its frame cost a fraction of that. One call
 * cannot run different packets (`repeat` runs the same one again), so the
 * only ways left to go faster are to make each call cheaper (no metadata
 * in or out: replay_run_frame()) and to make several at once. The main
 * thread keeps everything that depends on the capture's order (direction,
 * filter, reassembly, counting frames), and the workers make the calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "decode_layout.h"
#include "lwtp.h"
#include "replay_batch.h"
#include "replay_source.h"

/* A batch holds BATCH_PACKETS frames of the longest a batch takes, so
 * only the count says when it is full. A hand-over costs a lock and a
 * wake-up: 64 packets share it. NBATCHES lets every worker hold one while
 * as many again wait and the main thread fills one more. */
#define BATCH_PACKETS 64
#define BATCH_BYTES (BATCH_PACKETS * (ETH_HLEN + REPLAY_BATCH_MAX_L3))
#define NBATCHES (2 * REPLAY_BATCH_MAX_THREADS + 1)

struct batch {
	unsigned n;
	size_t used;
	unsigned long num[BATCH_PACKETS];
	__u32 end[BATCH_PACKETS];       /* where each frame ends in data */
	unsigned char data[BATCH_BYTES];
};

struct worker {
	struct replay_batch *b;
	unsigned idx;
	pthread_t thread;
};

struct replay_batch {
	int prog_fd;
	struct batch *batches;          /* NBATCHES of them */
	struct batch *filling;          /* the main thread's */
	unsigned long unordered;        /* packets that may still run out of order */
	unsigned long refused;          /* by replay_check(), on the main thread */
	/* under lock */
	pthread_mutex_t lock;
	pthread_cond_t work;            /* a batch queued, fewer workers, or closing */
	pthread_cond_t done;            /* a batch run */
	struct batch *free[NBATCHES];
	unsigned nfree;
	struct batch *queue[NBATCHES];  /* a FIFO: with one worker, in order */
	unsigned qhead, qlen, running;
	unsigned nactive;               /* workers 0 .. nactive - 1 take batches */
	bool closing;
	struct replay_batch_totals t;
	int err;                        /* the earliest failed packet's */
	unsigned long err_num;
	char why[320];
	bool logged;
	unsigned nworkers;
	struct worker workers[REPLAY_BATCH_MAX_THREADS];
};

/* ---- which policies may run out of order ------------------------------------------ */

/* How many packets may run out of order as far as one map goes. The
 * program's verdict depends on the packet and on what it reads from its
 * maps; the maps' contents at the end on what it wrote. Order cannot
 * matter when the program reads nothing that an earlier packet wrote and
 * every write commutes:
 * - read-only maps (.rodata, sets, whose elements only `lwtp set` writes):
 *   nothing is written;
 * - counters and histograms: lwtc adds to them with atomic adds
 *   (compiler/bpf/count_add.bpf.h, hist.bpf.h), and sums do not depend on
 *   the order of their terms; in an array every slot is there already;
 * - in a hash, a packet inserts at most its own key (BPF_NOEXIST, and an
 *   insert that loses the race to another CPU adds to the winner's entry:
 *   count_key.bpf.h, hist_key.bpf.h), so while fewer packets have run than
 *   the map has room for, no insert was refused and every key seen is
 *   there, whatever the order: max_entries packets may run out of order,
 *   after which the map is exactly what the capture's order leaves, and
 *   the rest runs in order (an insert refused when full depends on which
 *   keys came first);
 * - lwtp_full_NAME counts inserts, refused ones included (sums again).
 * Anything else decides by what came before or by the time: limits and
 * quotas (token buckets, budgets), samples (rings that fill, 1/N drawn at
 * random), writable globals, maps lwtp does not know: in order. */
static unsigned long map_unordered(const char *name, const struct btf *btf,
				   const struct bpf_map_info *info)
{
	struct layout l;

	if (strchr(name, '.'))          /* .rodata, .bss, .data, ... */
		return info->map_flags & BPF_F_RDONLY_PROG ? ULONG_MAX : 0;
	if (decode_layout(name, btf, info, &l) <= 0)
		return 0;
	switch (l.kind) {
	case LWTP_SET:
	case LWTP_CGROUP_IDS:
	case LWTP_KEYS:
		return ULONG_MAX;
	case LWTP_COUNTER:
	case LWTP_HIST:
		if (info->type == BPF_MAP_TYPE_ARRAY || info->type == BPF_MAP_TYPE_PERCPU_ARRAY)
			return ULONG_MAX;
		if (info->type == BPF_MAP_TYPE_HASH || info->type == BPF_MAP_TYPE_PERCPU_HASH)
			return info->max_entries;
		return 0;
	default:
		return 0;
	}
}

unsigned long replay_batch_unordered(struct bpf_object *obj, struct bpf_program *prog,
				     bool *samples)
{
	const struct btf *btf = bpf_object__btf(obj);
	unsigned long n = ULONG_MAX, m;
	struct bpf_map *map;
	__u32 *ids, nids, i, len;

	*samples = false;
	if (replay_prog_map_ids(bpf_program__fd(prog), &ids, &nids))
		return 0;
	/* lwtc's programs only: what map_unordered() says of counters holds
	 * for the code lwtc writes, not for any program with maps alike */
	if (strncmp(bpf_program__name(prog), LWTP_PROG_PREFIX, strlen(LWTP_PROG_PREFIX)))
		n = 0;
	bpf_object__for_each_map(map, obj) {
		struct bpf_map_info info = {};

		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len)) {
			n = 0;
			continue;
		}
		for (i = 0; i < nids && ids[i] != info.id; i++)
			;
		if (i == nids)
			continue;       /* another section's */
		if (info.type == BPF_MAP_TYPE_RINGBUF)
			*samples = true;
		m = n ? map_unordered(bpf_map__name(map), btf, &info) : 0;
		if (m < n)
			n = m;
	}
	free(ids);
	return n;
}

/* ---- the workers ------------------------------------------------------------------- */

void replay_batch_count(struct replay_batch_totals *t, __u32 retval)
{
	if (retval == BPF_OK)
		t->passed++;
	else if (retval == BPF_DROP)
		t->dropped++;
	else
		t->other++;
}

/* Run one batch; the first failure stops it, in *err, *num and why. */
static void run_batch(int prog_fd, const struct batch *bt, struct replay_batch_totals *t,
		      int *err, unsigned long *num, char *why, size_t size)
{
	size_t start = 0;
	__u32 retval;
	unsigned i;
	int ret;

	for (i = 0; i < bt->n; start = bt->end[i++]) {
		ret = replay_run_frame(prog_fd, bt->data + start, bt->end[i] - start, &retval,
				       why, size);
		if (replay_target_refused(ret, false)) {
			t->skipped++;   /* as replay.c's run_one() counts it */
			continue;
		}
		if (ret) {
			*err = ret;
			*num = bt->num[i];
			return;
		}
		replay_batch_count(t, retval);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct replay_batch *b = w->b;
	struct replay_batch_totals t;
	struct batch *bt;
	unsigned long num;
	char why[sizeof(b->why)];
	bool stop;
	int err;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		if (!b->qlen || w->idx >= b->nactive) {
			if (b->closing)
				break;
			pthread_cond_wait(&b->work, &b->lock);
			continue;
		}
		bt = b->queue[b->qhead];
		b->qhead = (b->qhead + 1) % NBATCHES;
		b->qlen--;
		b->running++;
		stop = b->err;          /* a packet failed: the replay ends */
		pthread_mutex_unlock(&b->lock);

		memset(&t, 0, sizeof(t));
		err = 0;
		if (!stop)
			run_batch(b->prog_fd, bt, &t, &err, &num, why, sizeof(why));

		pthread_mutex_lock(&b->lock);
		b->t.passed += t.passed;
		b->t.dropped += t.dropped;
		b->t.other += t.other;
		b->t.skipped += t.skipped;
		if (err && (!b->err || num < b->err_num)) {
			b->err = err;
			b->err_num = num;
			memcpy(b->why, why, sizeof(why));
		}
		bt->n = 0;
		bt->used = 0;
		b->free[b->nfree++] = bt;
		b->running--;
		pthread_cond_broadcast(&b->done);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* ---- the main thread's side --------------------------------------------------------- */

/* A packet failed: say so once. Called with the lock held. */
static int failed(struct replay_batch *b)
{
	if (b->err && !b->logged) {
		p_err("packet %lu: %s", b->err_num, b->why);
		b->logged = true;
	}
	return b->err;
}

/* Queue the batch being filled, if it holds anything. */
static void submit(struct replay_batch *b)
{
	if (!b->filling || !b->filling->n)
		return;
	pthread_mutex_lock(&b->lock);
	b->queue[(b->qhead + b->qlen++) % NBATCHES] = b->filling;
	pthread_cond_broadcast(&b->work);
	pthread_mutex_unlock(&b->lock);
	b->filling = NULL;
}

/* Wait until every batch queued has run. */
static int drain(struct replay_batch *b)
{
	int err;

	submit(b);
	pthread_mutex_lock(&b->lock);
	while (b->qlen || b->running)
		pthread_cond_wait(&b->done, &b->lock);
	err = failed(b);
	pthread_mutex_unlock(&b->lock);
	return err;
}

/* A free batch to fill, once a worker has given one back. */
static int take_free(struct replay_batch *b)
{
	int err;

	pthread_mutex_lock(&b->lock);
	while (!b->nfree)
		pthread_cond_wait(&b->done, &b->lock);
	b->filling = b->free[--b->nfree];
	err = failed(b);
	pthread_mutex_unlock(&b->lock);
	return err;
}

int replay_batch_add(struct replay_batch *b, unsigned long num, const struct replay_in *in)
{
	struct batch *bt;
	char why[320];
	int err;

	if (in->len <= REPLAY_BATCH_MAX_L3 && replay_check(in->ethertype, in->len, why, sizeof(why))) {
		b->refused++;
		return 1;
	}
	if (b->unordered != ULONG_MAX) {
		if (!b->unordered && b->nactive > 1) {
			/* in order from here on, after every packet before */
			err = drain(b);
			if (err)
				return err;
			pthread_mutex_lock(&b->lock);
			b->nactive = 1;
			pthread_mutex_unlock(&b->lock);
		} else if (b->unordered) {
			b->unordered--;
		}
	}
	if (in->len > REPLAY_BATCH_MAX_L3) {
		/* nactive is the main thread's to change: no lock to read it */
		return b->nactive > 1 ? 0 : drain(b);
	}
	if (b->filling && b->filling->n == BATCH_PACKETS)
		submit(b);
	if (!b->filling) {
		err = take_free(b);
		if (err)
			return err;
	}
	bt = b->filling;
	bt->used += replay_frame(bt->data + bt->used, in);
	bt->num[bt->n] = num;
	bt->end[bt->n++] = bt->used;
	return 1;
}

int replay_batch_finish(struct replay_batch *b, struct replay_batch_totals *t)
{
	int err = drain(b);

	t->passed += b->t.passed;
	t->dropped += b->t.dropped;
	t->other += b->t.other;
	t->skipped += b->t.skipped + b->refused;
	return err;
}

/* ---- starting and stopping ---------------------------------------------------------------- */

int replay_batch_open(int prog_fd, unsigned long unordered, struct replay_batch **bp)
{
	struct replay_batch *b = calloc(1, sizeof(*b));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned want = 1, i;
	int err;

	*bp = NULL;
	if (!b || !(b->batches = calloc(NBATCHES, sizeof(*b->batches)))) {
		free(b);
		p_err("out of memory");
		return -ENOMEM;
	}
	if (unordered && cpus > 1)
		want = cpus < REPLAY_BATCH_MAX_THREADS ? (unsigned)cpus : REPLAY_BATCH_MAX_THREADS;
	b->prog_fd = prog_fd;
	b->unordered = want > 1 ? unordered : ULONG_MAX;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->work, NULL);
	pthread_cond_init(&b->done, NULL);
	for (i = 0; i < NBATCHES; i++)
		b->free[b->nfree++] = &b->batches[i];
	b->nactive = want;
	for (i = 0; i < want; i++) {
		b->workers[i] = (struct worker){ .b = b, .idx = i };
		err = pthread_create(&b->workers[i].thread, NULL, worker_main, &b->workers[i]);
		if (err)
			break;
		b->nworkers++;
	}
	if (!b->nworkers) {
		p_err("cannot start a thread to run packets: %s", strerror(err));
		replay_batch_close(b);
		return -err;
	}
	if (b->nworkers < want) {
		/* fewer than asked for: any of them still takes any batch */
		b->nactive = b->nworkers;
		if (b->nworkers == 1)
			b->unordered = ULONG_MAX;
	}
	*bp = b;
	return 0;
}

void replay_batch_close(struct replay_batch *b)
{
	unsigned i;

	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	b->closing = true;
	pthread_cond_broadcast(&b->work);
	pthread_mutex_unlock(&b->lock);
	for (i = 0; i < b->nworkers; i++)
		pthread_join(b->workers[i].thread, NULL);
	pthread_cond_destroy(&b->done);
	pthread_cond_destroy(&b->work);
	pthread_mutex_destroy(&b->lock);
	free(b->batches);
	free(b);
}
