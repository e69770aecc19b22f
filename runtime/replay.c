/* replay.c: lwtp replay OBJECT|POLICY SECTION CAPTURE: run every packet of a
 * capture through one policy with BPF_PROG_TEST_RUN, on a private copy of
 * the object, and say what the policy did to each; then print the policy's
 * statistics as lwtp stat prints them (stat_text.c, stat_json.c).
 *
 *       1 pass  192.0.2.1.40000 > 198.51.100.7.53 udp len 38
 *       2 drop  2001:db8::1.40000 > 2001:db8::7.53 udp len 58
 *       3 pass  192.0.2.1 > 198.51.100.7 icmp echo_request len 28  mark 0x2a
 *       4 skip  not IP (ethertype 0x0806, ARP)
 *   4 packets: 2 passed, 1 dropped, 1 skipped
 *
 * What the route saw, not all the capture holds (replay_source.c, which
 * lwtp diff shares): incoming packets (SLL, SLL2, pcapng flags) are not
 * replayed, nor those a capture filter or --route leaves out; fragments are
 * put back together (replay_frag.c); a packet longer than BPF_PROG_TEST_RUN
 * takes runs through a private route (replay_route.c).
 *
 * The JSON schema is in docs/lwtp-replay.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "decode_layout.h"
#include "json.h"
#include "lwtp.h"
#include "maps.h"
#include "replay.h"
#include "replay_batch.h"
#include "replay_source.h"
#include "stat_model.h"
#include "stat_print.h"

/* What the capture became (replay_source.c), and what the policy did. */
struct totals {
	struct replay_counts c;
	struct replay_batch_totals v;   /* v.skipped: the workers', until added to c */
};

/* What the sink of the capture works with. */
struct replay_ctx {
	struct replay_target target;
	struct replay_samples *smp;
	struct replay_batch *batch;     /* -q: packets run on worker threads */
	struct json *j;
	struct totals *t;
};

/* ---- the policy's statistics ---------------------------------------------------- */

static int cmp_map_name(const void *a, const void *b)
{
	return strcmp(((const struct lwtp_map *)a)->name, ((const struct lwtp_map *)b)->name);
}

/* The lwtp maps prog uses, sorted by name, as lwtp stat sees pinned ones.
 * The fds stay the object's. */
static int policy_maps(struct bpf_object *obj, struct bpf_program *prog,
		       struct lwtp_map **mapsp, size_t *np)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct lwtp_map *maps = NULL;
	struct bpf_map *map;
	__u32 *ids, nids, i, len;
	size_t n = 0, cap = 0;
	int err, ret;

	*mapsp = NULL;
	*np = 0;
	err = replay_prog_map_ids(bpf_program__fd(prog), &ids, &nids);
	if (err) {
		p_err("cannot read the maps of section %s: %s", bpf_program__section_name(prog),
		      strerror(-err));
		return err;
	}
	bpf_object__for_each_map(map, obj) {
		struct lwtp_map m = { .fd = bpf_map__fd(map) };

		if (strchr(bpf_map__name(map), '.'))    /* .rodata, .bss, ... */
			continue;
		len = sizeof(m.info);
		if (bpf_obj_get_info_by_fd(m.fd, &m.info, &len)) {
			err = -errno;
			p_err("cannot read the info of map '%s': %s", bpf_map__name(map),
			      strerror(-err));
			goto out;
		}
		for (i = 0; i < nids && ids[i] != m.info.id; i++)
			;
		if (i == nids)
			continue;       /* another policy's */
		maps_set_name(&m, bpf_map__name(map));  /* a C name, shorter than m.name */
		ret = decode_layout(m.escaped, btf, &m.info, &m.layout);
		if (ret < 0) {
			err = ret;
			goto out;
		}
		if (ret == 0 || m.layout.kind == LWTP_CGROUP_IDS)
			continue;       /* not a statistic or set of lwtp's; a set's ids */
		if (m.layout.cgroup) {
			/* a set of cgroups: its elements are in lwtp_cgroups_NAME */
			char ids_name[sizeof(m.name) + sizeof(LWTP_CGROUPS_PREFIX)];
			const struct bpf_map *ids_map;

			snprintf(ids_name, sizeof(ids_name), LWTP_CGROUPS_PREFIX "%s",
				 bpf_map__name(map));
			ids_map = bpf_object__find_map_by_name(obj, ids_name);
			if (!ids_map)
				continue;
			m.ids_fd = bpf_map__fd(ids_map);
		}
		if (n == cap) {
			struct lwtp_map *grown;

			cap = cap ? cap * 2 : 8;
			grown = realloc(maps, cap * sizeof(*maps));
			if (!grown) {
				err = -ENOMEM;
				p_err("out of memory");
				goto out;
			}
			maps = grown;
		}
		maps[n++] = m;
	}
	if (n > 1)
		qsort(maps, n, sizeof(*maps), cmp_map_name);
	*mapsp = maps;
	*np = n;
	maps = NULL;
out:
	free(maps);
	free(ids);
	return err;
}

/* A snapshot of each of the policy's maps, as lwtp stat reads pinned ones. */
static int read_snaps(struct lwtp_map *maps, size_t n, struct snap **snapsp)
{
	struct snap *snaps = calloc(n ? n : 1, sizeof(*snaps));
	size_t i;
	int err = 0;

	*snapsp = snaps;
	if (!snaps) {
		p_err("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n && !err; i++) {
		snaps[i].m = &maps[i];
		err = stat_snap_read(&snaps[i]);
	}
	return err;
}

static void free_snaps(struct snap *snaps, size_t n)
{
	size_t i;

	for (i = 0; snaps && i < n; i++)
		stat_snap_free(&snaps[i]);
	free(snaps);
}

/* ---- one packet ------------------------------------------------------------------- */

static void changes_text(const struct replay_out *o, char *buf, size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = 0;
	if (o->out.mark != o->in.mark)
		n += snprintf(buf + n, size - n, "  mark %#x", o->out.mark);
	if (n < size && o->out.priority != o->in.priority)
		n += snprintf(buf + n, size - n, "%spriority %u", n ? " " : "  ", o->out.priority);
	for (i = 0; i < 5 && n < size; i++)
		if (o->out.cb[i] != o->in.cb[i])
			n += snprintf(buf + n, size - n, "%scb[%d] %u", n ? " " : "  ", i,
				      o->out.cb[i]);
}

static void changes_json(const struct replay_out *o, struct json *j)
{
	int i;

	if (o->out.mark != o->in.mark) {
		json_key(j, "mark");
		json_uint(j, o->out.mark);
	}
	if (o->out.priority != o->in.priority) {
		json_key(j, "priority");
		json_uint(j, o->out.priority);
	}
	for (i = 0; i < 5; i++)
		if (o->out.cb[i] != o->in.cb[i])
			break;
	if (i < 5) {
		json_key(j, "cb");
		json_array_start(j);
		for (i = 0; i < 5; i++)
			json_uint(j, o->out.cb[i]);
		json_array_end(j);
	}
}

/* "sampled": ["NAME", ...] from "NAME,NAME" */
static void sampled_json(struct json *j, const char *sampled)
{
	char buf[1024], *name, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", sampled);
	json_key(j, "sampled");
	json_array_start(j);
	for (name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save))
		json_string(j, name);
	json_array_end(j);
}

static void print_skip(struct json *j, unsigned long num, const char *why)
{
	if (opts.quiet)
		return;
	if (opts.json) {
		json_object_start(j);
		json_key(j, "number");
		json_uint(j, num);
		json_key(j, "verdict");
		json_string(j, "skip");
		json_key(j, "reason");
		json_string(j, why);
		json_object_end(j);
	} else {
		printf("%5lu skip  %s\n", num, why);
	}
}

static void print_run(struct json *j, const struct replay_packet *p, bool via_route,
		      const struct replay_out *o, const char *sampled)
{
	struct replay_desc d;
	const char *verdict = replay_verdict_name(o->retval);
	char summary[256], changes[160], ret[24], origin[192];

	if (opts.quiet)
		return;
	replay_describe(p->ethertype, p->l3, p->caplen, p->wirelen, &d);
	replay_desc_text(&d, summary, sizeof(summary));
	if (!verdict) {
		snprintf(ret, sizeof(ret), "ret %u", o->retval);
		verdict = ret;
	}
	if (opts.json) {
		json_object_start(j);
		json_key(j, "number");
		json_uint(j, p->num);
		json_key(j, "verdict");
		json_string(j, replay_verdict_name(o->retval) ?: "other");
		json_key(j, "retval");
		json_uint(j, o->retval);
		changes_json(o, j);
		if (*sampled)
			sampled_json(j, sampled);
		json_key(j, "summary");
		json_string(j, summary);
		replay_desc_json(&d, j);
		replay_packet_origin_json(j, p, via_route);
		json_object_end(j);
	} else {
		changes_text(o, changes, sizeof(changes));
		replay_packet_origin_text(p, via_route, origin, sizeof(origin));
		printf("%5lu %-4s  %s%s%s%s%s\n", p->num, verdict, summary, changes,
		       *sampled ? "  sampled " : "", sampled, origin);
	}
}

static void print_totals(struct json *j, const struct totals *t)
{
	if (opts.json) {
		if (t->c.truncated) {
			/* present only then, as a packet's "mark" or "wire_length" */
			json_key(j, "truncated");
			json_bool(j, true);
		}
		json_key(j, "totals");
		json_object_start(j);
		json_key(j, "packets");
		json_uint(j, t->c.packets);
		json_key(j, "passed");
		json_uint(j, t->v.passed);
		json_key(j, "dropped");
		json_uint(j, t->v.dropped);
		json_key(j, "skipped");
		json_uint(j, t->c.skipped);
		json_key(j, "other");
		json_uint(j, t->v.other);
		if (replay_counts_extended(&t->c)) {
			json_member_uint(j, "replayed", t->v.passed + t->v.dropped + t->v.other);
			replay_counts_json(&t->c, j);
		}
		json_object_end(j);
		return;
	}
	printf("%lu packet%s: %lu passed, %lu dropped, %lu skipped", t->c.packets,
	       t->c.packets == 1 ? "" : "s", t->v.passed, t->v.dropped, t->c.skipped);
	if (t->v.other)
		printf(", %lu other verdict%s", t->v.other, t->v.other == 1 ? "" : "s");
	if (replay_counts_extended(&t->c))
		replay_counts_text(&t->c);
	if (t->c.truncated)
		printf(" (capture truncated)");
	putchar('\n');
}

/* ---- the command ------------------------------------------------------------------------ */

/* A frame or datagram not replayed (the sink's skip). */
static void skip_one(void *arg, unsigned long num, const char *why)
{
	struct replay_ctx *c = arg;

	print_skip(c->j, num, why);
}

/* Run one packet, and say what it got (the sink's run). */
static int run_one(void *arg, const struct replay_packet *p)
{
	struct replay_ctx *c = arg;
	struct replay_in in = {
		.ethertype = p->ethertype, .l3 = p->l3, .len = p->caplen,
		/* -q prints no metadata: leave it out of the call (replay_run_frame()) */
		.no_metadata = opts.quiet,
	};
	struct replay_out o;
	char why[320], sampled[1024];
	bool via_route;
	int err;

	if (c->batch) {
		err = replay_batch_add(c->batch, p->num, &in);
		if (err)
			return err < 0 ? err : 0;
		/* too long for a batch: run here, as below */
	}
	err = replay_target_run(&c->target, &in, &o, &via_route, why, sizeof(why));
	if (replay_target_refused(err, via_route)) {
		c->t->c.skipped++;
		print_skip(c->j, p->num, why);
		return 0;
	}
	if (err) {
		p_err("packet %lu: %s", p->num, why);
		return err;
	}
	replay_batch_count(&c->t->v, o.retval);
	if (via_route)
		c->t->c.via_route++;
	replay_samples_take(c->smp, sampled, sizeof(sampled));
	print_run(c->j, p, via_route, &o, sampled);
	return 0;
}

/* Where the JSON's packets go: the capture, the section, the filter. */
static void print_json_head(struct json *j, const char *capture, const char *section,
			    const struct replay_source *src)
{
	const char *filter = replay_source_expression(src);

	json_key(j, "capture");
	json_string(j, capture);
	json_key(j, "linktype");
	json_string(j, replay_source_linktype(src));
	json_key(j, "section");
	json_string(j, section);
	if (filter)
		json_member_string(j, "filter", filter);
	json_key(j, "packets");
	json_array_start(j);
}

int do_replay(int argc, char **argv)
{
	const char *src, *section, *capture;
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct lwtp_map *maps = NULL;
	struct snap *snaps = NULL;
	struct replay_source *source = NULL;
	struct replay_samples *smp = NULL;
	struct totals t = {};
	struct replay_ctx ctx = {};
	struct replay_sink sink = { .run = run_one, .skip = skip_one, .arg = &ctx };
	struct json j;
	char *compiled = NULL;
	size_t nmaps = 0;
	int ret = LWTP_EXIT_FAIL, err;

	if (argc < 3)
		return p_usage("replay wants OBJECT|POLICY SECTION CAPTURE [EXPRESSION...], as in "
			       "'lwtp replay guard.o guard traffic.pcap'");
	src = argv[0];
	section = argv[1];
	capture = argv[2];
	err = replay_source_new(argc - 3, argv + 3, &source);
	if (err)
		return err == -EINVAL ? LWTP_EXIT_USAGE : LWTP_EXIT_FAIL;
	ctx.target.name = section;
	ctx.j = &j;
	ctx.t = &t;

	if (access(src, R_OK)) {
		p_err("%s: %s", src, strerror(errno));
		goto out;
	}
	if (!replay_is_elf(src)) {
		if (replay_compile(src, &compiled))
			goto out;
		src = compiled;
	}
	if (replay_load(src, section, &obj, &prog))
		goto out;
	if (replay_source_open(source, capture))
		goto out;
	if (replay_source_compile(source)) {
		ret = LWTP_EXIT_USAGE;
		goto out;
	}
	if (replay_samples_open(obj, &smp))
		goto out;
	ctx.target.prog_fd = bpf_program__fd(prog);
	ctx.smp = smp;
	/* -q wants no line a packet, only the verdicts counted and the maps:
	 * the packets can run on worker threads (replay_batch.h), but for a
	 * policy that samples, whose rings are read after each packet here */
	if (opts.quiet) {
		bool samples;
		unsigned long unordered = replay_batch_unordered(obj, prog, &samples);

		if (!samples && replay_batch_open(ctx.target.prog_fd, unordered, &ctx.batch))
			goto out;
	}

	json_init(&j, stdout);
	if (opts.json) {
		json_object_start(&j);
		if (!opts.quiet)
			print_json_head(&j, capture, section, source);
	}
	if (replay_source_run(source, &sink, &t.c))
		goto out;
	if (ctx.batch) {
		if (replay_batch_finish(ctx.batch, &t.v))
			goto out;
		t.c.skipped += t.v.skipped;
	}
	if (opts.json && !opts.quiet)
		json_array_end(&j);
	print_totals(&j, &t);
	if (!opts.quiet) {
		if (policy_maps(obj, prog, &maps, &nmaps) || read_snaps(maps, nmaps, &snaps))
			goto out;
		if (opts.json) {
			/* the value is what lwtp stat --json prints */
			json_key(&j, "statistics");
			fflush(stdout);
			if (stat_print_json(snaps, nmaps, 0))
				goto out;
		} else if (nmaps) {
			putchar('\n');
			if (stat_print_text(snaps, nmaps, 0))
				goto out;
		}
	}
	if (opts.json) {
		json_object_end(&j);
		putchar('\n');
	}
	ret = t.c.truncated ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
out:
	fflush(stdout);
	free_snaps(snaps, nmaps);
	free(maps);
	replay_batch_close(ctx.batch);
	replay_source_close(source);
	replay_target_close(&ctx.target);
	replay_samples_close(smp);
	bpf_object__close(obj);
	if (compiled) {
		replay_cleanup(compiled);
		free(compiled);
	}
	return ret;
}
