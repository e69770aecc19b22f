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
 * What the route saw, not all the capture holds: incoming packets (SLL,
 * SLL2, pcapng flags) are not replayed, nor those a capture filter or
 * --route leaves out; fragments are put back together (replay_frag.c); a
 * packet longer than BPF_PROG_TEST_RUN takes runs through a private route
 * (replay_route.c).
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
#include "pcap_read.h"
#include "replay.h"
#include "replay_frag.h"
#include "replay_route.h"
#include "replay_select.h"
#include "stat_model.h"
#include "stat_print.h"

struct totals {
	unsigned long packets, passed, dropped, skipped, other;
	unsigned long incoming, filtered;       /* frames */
	unsigned long reassembled, fragments;   /* datagrams run, their frames */
	unsigned long incomplete;               /* datagrams */
	unsigned long via_route;
	bool selecting;         /* a filter or --route was given */
	bool truncated;         /* the capture could not be read to its end */
};

/* What replay_capture() works with. */
struct replay_ctx {
	int prog_fd;
	const char *section;
	struct replay_samples *smp;
	struct json *j;
	struct totals *t;
	struct frag_table *frags;       /* NULL: --fragments */
	struct replay_prefix *routes;   /* --route */
	unsigned nroutes;
	struct replay_route *route;     /* opened for the first big packet */
	int route_err;                  /* it could not be */
};

/* One packet to run: a frame's, or a datagram put back together. */
struct job {
	unsigned long num;
	__u16 ethertype;
	const unsigned char *l3;
	__u32 caplen, wirelen;
	const struct frag_datagram *dg; /* reassembled from these fragments */
	bool via_route;                 /* run through the private route */
};

/* ---- the policy's statistics ---------------------------------------------------- */

static int cmp_map_name(const void *a, const void *b)
{
	return strcmp(((const struct lwtp_map *)a)->name, ((const struct lwtp_map *)b)->name);
}

/* The ids of the maps prog uses. */
static int prog_map_ids(struct bpf_program *prog, __u32 **ids, __u32 *n)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), nr;
	int fd = bpf_program__fd(prog);

	*ids = NULL;
	*n = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	nr = info.nr_map_ids;
	if (!nr)
		return 0;
	*ids = calloc(nr, sizeof(**ids));
	if (!*ids)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = nr;
	info.map_ids = (__u64)(unsigned long)*ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		free(*ids);
		*ids = NULL;
		return -errno;
	}
	*n = info.nr_map_ids < nr ? info.nr_map_ids : nr;
	return 0;
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
	err = prog_map_ids(prog, &ids, &nids);
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
		if (ret == 0)
			continue;       /* not a statistic or set of lwtp's */
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

/* "3,4,5": the frames a datagram was put back together from */
static void frames_text(const struct frag_datagram *dg, char *buf, size_t size)
{
	size_t n = 0;
	unsigned i;

	buf[0] = 0;
	for (i = 0; i < dg->nframes && i < FRAG_MAX_FRAMES && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%lu", i ? "," : "", dg->frames[i]);
	if (dg->nframes > FRAG_MAX_FRAMES && n < size)
		snprintf(buf + n, size - n, ",...");
}

static void frames_json(struct json *j, const struct frag_datagram *dg)
{
	unsigned i;

	json_key(j, "fragments");
	json_array_start(j);
	for (i = 0; i < dg->nframes && i < FRAG_MAX_FRAMES; i++)
		json_uint(j, dg->frames[i]);
	json_array_end(j);
}

static void print_run(struct json *j, const struct job *p, const struct replay_out *o,
		      const char *sampled)
{
	struct replay_desc d;
	const char *verdict = replay_verdict_name(o->retval);
	char summary[256], changes[160], ret[24], frames[160] = "";

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
		if (p->dg)
			frames_json(j, p->dg);
		if (p->via_route)
			json_member_string(j, "via", "route");
		json_object_end(j);
	} else {
		changes_text(o, changes, sizeof(changes));
		if (p->dg) {
			char list[128];

			frames_text(p->dg, list, sizeof(list));
			snprintf(frames, sizeof(frames), "  reassembled %s", list);
		}
		printf("%5lu %-4s  %s%s%s%s%s%s\n", p->num, verdict, summary, changes,
		       *sampled ? "  sampled " : "", sampled, frames,
		       p->via_route ? "  via route (metadata not observed)" : "");
	}
}

/* The counts of what was not replayed as captured: shown when a filter or
 * --route was given, or when one of them is not zero, so that the output
 * of a replay that used none of it stays as it always was. */
static bool totals_extended(const struct totals *t)
{
	return t->selecting || t->incoming || t->filtered || t->reassembled || t->incomplete ||
	       t->via_route;
}

static void print_totals_json_extended(struct json *j, const struct totals *t)
{
	json_member_uint(j, "replayed", t->passed + t->dropped + t->other);
	json_member_uint(j, "incoming", t->incoming);
	json_member_uint(j, "filtered", t->filtered);
	json_member_uint(j, "reassembled", t->reassembled);
	json_member_uint(j, "fragments", t->fragments);
	json_member_uint(j, "incomplete", t->incomplete);
	json_member_uint(j, "via_route", t->via_route);
}

static void print_totals_text_extended(const struct totals *t)
{
	if (t->incoming)
		printf(", %lu incoming", t->incoming);
	if (t->filtered || t->selecting)
		printf(", %lu filtered", t->filtered);
	if (t->reassembled)
		printf(", %lu datagram%s reassembled from %lu fragments", t->reassembled,
		       t->reassembled == 1 ? "" : "s", t->fragments);
	if (t->incomplete)
		printf(", %lu incomplete datagram%s", t->incomplete, t->incomplete == 1 ? "" : "s");
	if (t->via_route)
		printf(", %lu via route", t->via_route);
}

static void print_totals(struct json *j, const struct totals *t)
{
	if (opts.json) {
		if (t->truncated) {
			/* present only then, as a packet's "mark" or "wire_length" */
			json_key(j, "truncated");
			json_bool(j, true);
		}
		json_key(j, "totals");
		json_object_start(j);
		json_key(j, "packets");
		json_uint(j, t->packets);
		json_key(j, "passed");
		json_uint(j, t->passed);
		json_key(j, "dropped");
		json_uint(j, t->dropped);
		json_key(j, "skipped");
		json_uint(j, t->skipped);
		json_key(j, "other");
		json_uint(j, t->other);
		if (totals_extended(t))
			print_totals_json_extended(j, t);
		json_object_end(j);
		return;
	}
	printf("%lu packet%s: %lu passed, %lu dropped, %lu skipped", t->packets,
	       t->packets == 1 ? "" : "s", t->passed, t->dropped, t->skipped);
	if (t->other)
		printf(", %lu other verdict%s", t->other, t->other == 1 ? "" : "s");
	if (totals_extended(t))
		print_totals_text_extended(t);
	if (t->truncated)
		printf(" (capture truncated)");
	putchar('\n');
}

/* ---- the command ------------------------------------------------------------------------ */

/* Run a packet too long for BPF_PROG_TEST_RUN through the private route,
 * set up for the first one. */
static int run_via_route(struct replay_ctx *c, const struct job *p, struct replay_out *o,
			 char *why, size_t size)
{
	int err;

	if (!c->route && !c->route_err) {
		c->route_err = replay_route_open(c->prog_fd, c->section, &c->route);
		if (c->route_err)
			c->route = NULL;
	}
	if (c->route_err) {
		snprintf(why, size, "packet of %u bytes, longer than BPF_PROG_TEST_RUN takes, "
			 "and the private route to run it could not be set up: %s", p->caplen,
			 strerror(-c->route_err));
		return -EINVAL;
	}
	memset(o, 0, sizeof(*o));
	err = replay_route_run(c->route, p->ethertype, p->l3, p->caplen, &o->retval, why, size);
	if (err)
		return err;
	return 0;
}

/* Run one packet, and say what it got. */
static int run_one(struct replay_ctx *c, struct job *p)
{
	struct replay_in in = {
		.ethertype = p->ethertype, .l3 = p->l3, .len = p->caplen,
	};
	struct replay_out o;
	char why[320], sampled[1024];
	int err;

	if (p->caplen > REPLAY_MAX_L3) {
		p->via_route = true;
		err = run_via_route(c, p, &o, why, sizeof(why));
	} else {
		err = replay_run(c->prog_fd, &in, &o, why, sizeof(why));
		if (err == -EINVAL && !replay_check(in.ethertype, in.len, why, sizeof(why)) &&
		    in.len > 1500) {
			/* a kernel with less room than REPLAY_MAX_L3 says */
			p->via_route = true;
			err = run_via_route(c, p, &o, why, sizeof(why));
		}
	}
	if (err == -EINVAL || err == -E2BIG || (err && p->via_route)) {
		c->t->skipped++;
		print_skip(c->j, p->num, why);
		return 0;
	}
	if (err) {
		p_err("packet %lu: %s", p->num, why);
		return err;
	}
	if (o.retval == BPF_OK)
		c->t->passed++;
	else if (o.retval == BPF_DROP)
		c->t->dropped++;
	else
		c->t->other++;
	if (p->via_route)
		c->t->via_route++;
	replay_samples_take(c->smp, sampled, sizeof(sampled));
	print_run(c->j, p, &o, sampled);
	return 0;
}

/* A datagram whose fragments are not all in the capture: reported on its
 * first fragment's number, its frames counted as skipped. */
static void report_incomplete(struct replay_ctx *c, const struct frag_datagram *dg)
{
	char why[512], frames[160];

	if ((dg->have_first && !dg->first_flag) ||
	    (c->nroutes && !replay_prefix_match_addr(c->routes, c->nroutes, dg->family,
						     dg->dst))) {
		c->t->filtered += dg->nframes;
		return;
	}
	frames_text(dg, frames, sizeof(frames));
	snprintf(why, sizeof(why), "incomplete datagram %s: %u fragment%s (%s), %s%s; "
		 "--fragments replays fragments as captured", dg->what, dg->nframes,
		 dg->nframes == 1 ? "" : "s", frames,
		 !dg->have_first ? "no first fragment" : !dg->have_last ? "no last fragment" :
		 "a hole", dg->evicted ? ", evicted: too many datagrams open at once" : "");
	c->t->incomplete++;
	c->t->skipped += dg->nframes;
	print_skip(c->j, dg->frames[0], why);
}

static void drain_incomplete(struct replay_ctx *c, bool all)
{
	struct frag_datagram *dg;

	while (c->frags && frag_take_incomplete(c->frags, all, &dg) > 0)
		report_incomplete(c, dg);
}

/* A fragment: kept, or its datagram run when it completes it. 1 when the
 * fragment was taken, 0 when it is to be run as captured. */
static int take_fragment(struct replay_ctx *c, const struct pcapr_pkt *p)
{
	struct frag_datagram *dg;
	struct job job = {};
	int ret;

	ret = frag_add(c->frags, p->num, p->ethertype, p->l3, p->l3_caplen, !p->filtered, &dg);
	drain_incomplete(c, false);
	if (ret == -EINVAL)
		return 0;       /* a header replay cannot use: run as captured */
	if (ret < 0) {
		p_err("packet %lu: cannot keep the fragment: %s", p->num, strerror(-ret));
		return ret;
	}
	if (ret == 0)
		return 1;
	if (!dg->first_flag || (c->nroutes && !replay_prefix_match(c->routes, c->nroutes,
								  dg->ethertype, dg->l3, dg->len))) {
		c->t->filtered += dg->nframes;
		return 1;
	}
	c->t->reassembled++;
	c->t->fragments += dg->nframes;
	job.num = p->num;
	job.ethertype = dg->ethertype;
	job.l3 = dg->l3;
	job.caplen = job.wirelen = dg->len;
	job.dg = dg;
	ret = run_one(c, &job);
	return ret ? ret : 1;
}

static int replay_capture(struct pcapr *r, struct replay_ctx *c)
{
	struct pcapr_pkt p;
	struct totals *t = c->t;
	int ret, err;

	while ((ret = pcapr_next(r, &p)) > 0) {
		struct job job = {
			.num = p.num, .ethertype = p.ethertype, .l3 = p.l3,
			.caplen = p.l3_caplen, .wirelen = p.l3_wirelen,
		};

		t->packets++;
		if (p.dir == PCAPR_DIR_IN) {
			t->incoming++;
			print_skip(c->j, p.num, "incoming");
			continue;
		}
		if (p.skip[0]) {
			if (p.filtered || c->nroutes) {
				t->filtered++;
				continue;
			}
			t->skipped++;
			print_skip(c->j, p.num, p.skip);
			continue;
		}
		if (c->frags && p.l3_caplen == p.l3_wirelen &&
		    frag_is_fragment(p.ethertype, p.l3, p.l3_caplen)) {
			err = take_fragment(c, &p);
			if (err < 0)
				return err;
			if (err)
				continue;
		}
		if (p.filtered || (c->nroutes && !replay_prefix_match(c->routes, c->nroutes,
								      p.ethertype, p.l3,
								      p.l3_caplen))) {
			t->filtered++;
			continue;
		}
		err = run_one(c, &job);
		if (err)
			return err;
	}
	if (ret < 0) {
		/* logged; as tcpdump does, the packets before it still count:
		 * the totals, the statistics and the JSON stay whole */
		t->truncated = true;
		ret = 0;
	}
	drain_incomplete(c, true);
	return ret;
}

/* The words after CAPTURE, joined with spaces as tcpdump joins them. */
static char *join_words(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int do_replay(int argc, char **argv)
{
	const char *src, *section, *capture;
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct lwtp_map *maps = NULL;
	struct snap *snaps = NULL;
	struct pcapr *r = NULL;
	struct replay_samples *smp = NULL;
	struct totals t = {};
	struct replay_ctx ctx = {};
	struct replay_prefix *routes = NULL;
	struct json j;
	char *filter = NULL;
	unsigned i;
	char *compiled = NULL;
	size_t nmaps = 0;
	int ret = LWTP_EXIT_FAIL;

	if (argc < 3)
		return p_usage("replay wants OBJECT|POLICY SECTION CAPTURE [EXPRESSION...], as in "
			       "'lwtp replay guard.o guard traffic.pcap'");
	src = argv[0];
	section = argv[1];
	capture = argv[2];
	if (opts.nroutes) {
		routes = calloc(opts.nroutes, sizeof(*routes));
		if (!routes) {
			p_err("out of memory");
			return LWTP_EXIT_FAIL;
		}
		for (i = 0; i < opts.nroutes; i++)
			if (replay_prefix_parse(opts.routes[i], &routes[i])) {
				free(routes);
				return LWTP_EXIT_USAGE;
			}
	}
	if (argc > 3 && !(filter = join_words(argc - 3, argv + 3))) {
		free(routes);
		p_err("out of memory");
		return LWTP_EXIT_FAIL;
	}
	ctx.section = section;
	ctx.j = &j;
	ctx.t = &t;
	ctx.routes = routes;
	ctx.nroutes = opts.nroutes;
	t.selecting = filter || opts.nroutes;

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
	if (pcapr_open(capture, &r))
		goto out;
	if (filter && pcapr_filter(r, filter)) {
		ret = LWTP_EXIT_USAGE;
		goto out;
	}
	if (replay_samples_open(obj, &smp))
		goto out;
	if (!opts.fragments && frag_open(&ctx.frags)) {
		p_err("out of memory");
		goto out;
	}
	ctx.prog_fd = bpf_program__fd(prog);
	ctx.smp = smp;

	json_init(&j, stdout);
	if (opts.json) {
		json_object_start(&j);
		if (!opts.quiet) {
			json_key(&j, "capture");
			json_string(&j, capture);
			json_key(&j, "linktype");
			json_string(&j, pcapr_linktype_name(r));
			json_key(&j, "section");
			json_string(&j, section);
			if (filter)
				json_member_string(&j, "filter", filter);
			json_key(&j, "packets");
			json_array_start(&j);
		}
	}
	if (replay_capture(r, &ctx))
		goto out;
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
	ret = t.truncated ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
out:
	fflush(stdout);
	free_snaps(snaps, nmaps);
	free(maps);
	pcapr_close(r);
	frag_close(ctx.frags);
	replay_route_close(ctx.route);
	free(routes);
	free(filter);
	replay_samples_close(smp);
	bpf_object__close(obj);
	if (compiled) {
		replay_cleanup(compiled);
		free(compiled);
	}
	return ret;
}
