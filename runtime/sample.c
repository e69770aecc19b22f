/* sample.c: lwtp sample NAME [-w FILE] [-c COUNT] [-t SECONDS]: read the
 * packets a policy's 'sample NAME M/N' statement leaves in its pinned ring
 * buffer, as they come. With -w, write them to a capture (link type RAW:
 * the packets start at their IP header, as the program sees them) that
 * tcpdump and Wireshark read: pcapng when FILE ends in .pcapng, where each
 * packet carries the program's verdict (epb_verdict, and a comment with the
 * mark), else classic pcap, which has no room for them. Without -w, print
 * a line for each:
 *
 *   21:42:17.123456 pass  192.0.2.1.40000 > 198.51.100.7.53 udp len 38
 *   21:42:17.123502 drop  2001:db8::1 > 2001:db8::7 icmp6 echo_request len 104  mark 0x2a
 *
 * With --json, one JSON object a line. At the end, on stderr, how many
 * samples were read (or written, and where), and how many the program lost
 * meanwhile because the ring was full (lwtp_full_NAME, 'refused'):
 *
 *   12 samples written to snoop.pcapng, none lost
 *   1 sample read, 3 lost because the ring was full
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "decode_read.h"
#include "json.h"
#include "lwtp.h"
#include "lwtp_contract.h"
#include "maps.h"
#include "pcap_write.h"
#include "replay.h"
#include "stat_model.h"

/* A record is lwtp_contract.h's struct lwtp_sample; its verdict is what the
 * program returned, which replay_verdict_name() names as BPF_* */
_Static_assert(LWTP_VERDICT_PASS == BPF_OK && LWTP_VERDICT_DROP == BPF_DROP,
	       "a sample's verdict is the program's");

struct sampler {
	const char *name;
	struct pcapw *capture;  /* -w */
	struct json json;
	__s64 mono_to_real_ns;  /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	unsigned long read;     /* samples read */
	unsigned long written;  /* samples written to the capture (-w) */
	unsigned long bad;      /* records that are not lwtp samples */
	unsigned long limit;    /* -c: stop after so many; 0: no limit */
	int err;                /* a write failed */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static __s64 clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (__s64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- one sample ------------------------------------------------------------ */

static void sample_time(const struct sampler *s, const struct lwtp_sample *r,
			struct timespec *ts)
{
	__s64 ns, rem;

	/* a record's time is whatever the ring holds: any 64 bits. Out of
	 * range it is clamped, never overflowed; before the epoch the
	 * nanoseconds still count up from a whole (earlier) second. */
	if (r->time_ns > (__u64)INT64_MAX ||
	    __builtin_add_overflow((__s64)r->time_ns, s->mono_to_real_ns, &ns))
		ns = INT64_MAX;         /* only a sum past it can overflow */
	rem = ns % 1000000000;
	ts->tv_sec = ns / 1000000000 - (rem < 0);
	ts->tv_nsec = rem < 0 ? rem + 1000000000 : rem;
}

static int write_pcap(struct sampler *s, const struct lwtp_sample *r)
{
	struct pcapw_packet p = {
		.data = r->data,
		.caplen = r->caplen,
		.len = r->len,
		.verdict = r->verdict,
		.mark = r->mark,
	};
	int err;

	sample_time(s, r, &p.ts);
	err = pcapw_add(s->capture, &p);
	if (!err)
		s->written++;
	return err;
}

static void print_line(struct sampler *s, const struct lwtp_sample *r,
		       const struct replay_desc *d)
{
	const char *verdict = replay_verdict_name(r->verdict);
	struct timespec ts;
	struct tm tm;
	char what[256], when[32];

	sample_time(s, r, &ts);
	if (!localtime_r(&ts.tv_sec, &tm) || !strftime(when, sizeof(when), "%H:%M:%S", &tm))
		snprintf(when, sizeof(when), "%lld", (long long)ts.tv_sec);
	replay_desc_text(d, what, sizeof(what));
	printf("%s.%06ld %-5s %s", when, ts.tv_nsec / 1000, verdict ? verdict : "?", what);
	if (r->mark)
		printf("  mark 0x%x", r->mark);
	putchar('\n');
	fflush(stdout);
}

static void print_json(struct sampler *s, const struct lwtp_sample *r,
		       const struct replay_desc *d)
{
	const char *verdict = replay_verdict_name(r->verdict);
	struct timespec ts;

	sample_time(s, r, &ts);
	json_init(&s->json, stdout);
	json_object_start(&s->json);
	json_key(&s->json, "time");
	/* microseconds, as the lines show: a double holds no more of them */
	json_double(&s->json, (double)ts.tv_sec + ts.tv_nsec / 1000 / 1e6);
	json_key(&s->json, "verdict");
	if (verdict)
		json_string(&s->json, verdict);
	else
		json_uint(&s->json, r->verdict);
	json_key(&s->json, "mark");
	json_uint(&s->json, r->mark);
	json_key(&s->json, "ifindex");
	json_uint(&s->json, r->ifindex);
	replay_desc_json(d, &s->json);
	json_object_end(&s->json);
	putchar('\n');
	fflush(stdout);
}

/* ring_buffer__poll() calls this for every record; a negative return stops
 * the poll. */
static int on_sample(void *ctx, void *data, size_t size)
{
	struct sampler *s = ctx;
	const struct lwtp_sample *r = data;
	struct replay_desc d;

	if (size < LWTP_SAMPLE_HEADER || r->caplen > size - LWTP_SAMPLE_HEADER ||
	    r->caplen > r->len) {
		s->bad++;
		return 0;
	}
	s->read++;
	if (s->capture) {
		s->err = write_pcap(s, r);
	} else {
		replay_describe(r->protocol, r->data, r->caplen, r->len, &d);
		if (opts.json)
			print_json(s, r, &d);
		else
			print_line(s, r, &d);
	}
	if (s->err || (s->limit && s->read >= s->limit))
		return -1;
	return 0;
}

/* ---- the ring and its loss counter ---------------------------------------------- */

/* Open the ring of the sample name, and its lwtp_full_NAME, which counts the
 * samples lost. maps_open() checks the name as stat does, and takes a pin
 * for a sample's ring only when it is a ring buffer with an lwtp_full_NAME
 * beside it: anything else (a program, another map, a ring of another tool)
 * is refused before a ring buffer reader is made of it. */
static int open_sample(const char *name, struct lwtp_map *ring, struct lwtp_map *full)
{
	char full_name[sizeof(LWTP_FULL_PREFIX) + sizeof(ring->name)];
	int err;

	err = maps_check_dir(opts.pin_dir);
	if (err)
		return err;
	err = maps_try_open(opts.pin_dir, name, ring);
	if (err == -ENOENT)
		p_err("cannot open sample '%s': no such pin in %s", ring->escaped, opts.pin_dir);
	if (err)
		return err;
	if (ring->layout.kind == LWTP_NOT_OURS) {
		p_err("'%s' is not a sample: %s", ring->escaped, ring->why);
		err = -EINVAL;
	} else if (ring->layout.kind != LWTP_RING) {
		p_err("'%s' is not a sample: it is an lwtp %s map; 'lwtp stat %s' shows it",
		      ring->escaped, decode_kind_name(ring->layout.kind), ring->escaped);
		err = -EINVAL;
	}
	if (!err) {
		snprintf(full_name, sizeof(full_name), "%s%s", LWTP_FULL_PREFIX, name);
		err = maps_open(opts.pin_dir, full_name, full);
	}
	if (!err && full->layout.kind != LWTP_KEYS) {
		maps_err_not_ours(full);
		maps_close(full);
		err = -EINVAL;
	}
	if (err)
		maps_close(ring);
	return err;
}

/* What lwtp_full_NAME counts as refused, all CPUs summed: the samples the
 * program could not write because the ring was full. */
static int samples_lost(struct lwtp_map *full, __u64 *lost)
{
	struct snap s = { .m = full };
	__u64 written;
	int err;

	err = decode_read(&full->layout, full->fd, &s.e, &s.n);
	if (err) {
		p_err("cannot read map '%s': %s", full->escaped, strerror(-err));
		return err;
	}
	stat_keys(&s, &written, lost);
	decode_free(s.e, s.n);
	return 0;
}

/* ---- the command ---------------------------------------------------------------- */

/* "1 sample", "12 samples", "no samples" */
static void count_samples(unsigned long n, char *buf, size_t size)
{
	if (!n)
		snprintf(buf, size, "no samples");
	else
		snprintf(buf, size, "%lu sample%s", n, n == 1 ? "" : "s");
}

/* The last line, on stderr: "12 samples read, none lost", "1 sample
 * written to snoop.pcapng, 3 lost because the ring was full". A sample
 * read but not written (the write failed) is not counted as written. */
static void print_summary(const struct sampler *s, __u64 lost)
{
	char count[32], lost_text[64];

	count_samples(s->capture ? s->written : s->read, count, sizeof(count));
	if (!s->capture)
		fprintf(stderr, "%s read", count);
	else if (!strcmp(opts.write, "-"))
		fprintf(stderr, "%s written to standard output", count);
	else
		fprintf(stderr, "%s written to %s", count, opts.write);
	if (lost)
		snprintf(lost_text, sizeof(lost_text), ", %llu lost because the ring was full",
			 (unsigned long long)lost);
	else
		snprintf(lost_text, sizeof(lost_text), ", none lost");
	fprintf(stderr, "%s\n", lost_text);
}

static bool sampler_done(const struct sampler *s)
{
	return s->err || (s->limit && s->read >= s->limit);
}

/* Poll the ring until a signal, -c or -t says to stop. */
static int read_samples(struct sampler *s, int fd)
{
	struct ring_buffer *rb = ring_buffer__new(fd, on_sample, s, NULL);
	__s64 end = clock_ns(CLOCK_MONOTONIC) + (__s64)opts.duration * 1000000000;
	int n, err = 0;

	if (!rb) {
		err = -errno;
		p_err("cannot read sample '%s': %s", s->name, strerror(-err));
		return err;
	}
	while (!stop && !sampler_done(s)) {
		if (opts.duration && clock_ns(CLOCK_MONOTONIC) >= end)
			break;
		n = ring_buffer__poll(rb, 100);
		/* on_sample() stops the poll with -1 when it is done */
		if (n < 0 && n != -EINTR && !sampler_done(s)) {
			err = n;
			p_err("reading sample '%s': %s", s->name, strerror(-n));
			break;
		}
	}
	ring_buffer__free(rb);
	return s->err ? s->err : err;
}

int do_sample(int argc, char **argv)
{
	struct sampler s = { .limit = opts.count_set ? opts.count : 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct lwtp_map ring, full;
	__u64 lost_before, lost_after;
	int err, close_err;

	if (argc != 1)
		return p_usage(argc ? "sample takes one name, the sample's" :
			       "sample wants the name of a sample");
	if (open_sample(argv[0], &ring, &full))
		return LWTP_EXIT_FAIL;
	s.name = ring.escaped;
	err = samples_lost(&full, &lost_before);
	if (!err && opts.write)
		err = pcapw_open(opts.write, s.name, &s.capture);
	if (err)
		goto out;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	s.mono_to_real_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);

	err = read_samples(&s, ring.fd);

	/* closing may still fail to write: the capture is then not whole */
	close_err = pcapw_close(s.capture);
	err = err ?: close_err;
	if (samples_lost(&full, &lost_after)) {
		err = err ?: -EIO;
	} else if (!opts.quiet) {
		/* a count that went down was reset meanwhile: it counts from 0 */
		print_summary(&s, lost_after >= lost_before ? lost_after - lost_before
							    : lost_after);
	}
	if (s.bad == 1)
		p_err("1 record of '%s' was not an lwtp sample, and was left out", s.name);
	else if (s.bad)
		p_err("%lu records of '%s' were not lwtp samples, and were left out", s.bad, s.name);
out:
	maps_close(&full);
	maps_close(&ring);
	return err ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
}
