/* replay_source.c: the packets of a capture as the route saw them (the
 * direction, a filter, --route, fragments put back together), handed one
 * by one to lwtp replay's or lwtp diff's sink; and a target that runs one
 * packet with BPF_PROG_TEST_RUN, or through the private route when it is
 * too long for that. See replay_source.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lwtp.h"
#include "pcap_read.h"
#include "replay_frag.h"
#include "replay_route.h"
#include "replay_select.h"
#include "replay_source.h"

/* What a packet run through the private route says after its line. */
#define VIA_ROUTE_NOTE "  via route (metadata not observed)"

struct replay_source {
	struct replay_prefix *routes;   /* --route */
	unsigned nroutes;
	char *filter;                   /* the expression, or NULL */
	bool reassemble;
	struct pcapr *r;
	struct frag_table *frags;       /* NULL: --fragments */
	/* while running */
	const struct replay_sink *sink;
	struct replay_counts *c;
};

/* ---- the selection ---------------------------------------------------------------- */

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

/* --route's prefixes */
static int parse_routes(struct replay_source *s)
{
	unsigned i;

	if (!opts.nroutes)
		return 0;
	s->routes = calloc(opts.nroutes, sizeof(*s->routes));
	if (!s->routes) {
		p_err("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < opts.nroutes; i++)
		if (replay_prefix_parse(opts.routes[i], &s->routes[i]))
			return -EINVAL;
	s->nroutes = opts.nroutes;
	return 0;
}

int replay_source_new(int nwords, char **words, struct replay_source **sp)
{
	struct replay_source *s = calloc(1, sizeof(*s));
	int err;

	*sp = NULL;
	if (!s) {
		p_err("out of memory");
		return -ENOMEM;
	}
	s->reassemble = !opts.fragments;
	err = parse_routes(s);
	if (!err && nwords && !(s->filter = join_words(nwords, words))) {
		p_err("out of memory");
		err = -ENOMEM;
	}
	if (err) {
		replay_source_close(s);
		return err;
	}
	*sp = s;
	return 0;
}

int replay_source_open(struct replay_source *s, const char *capture)
{
	int err = pcapr_open(capture, &s->r);

	if (!err && s->reassemble && frag_open(&s->frags)) {
		p_err("out of memory");
		err = -ENOMEM;
	}
	return err;
}

int replay_source_compile(struct replay_source *s)
{
	return s->filter ? pcapr_filter(s->r, s->filter) : 0;
}

const char *replay_source_expression(const struct replay_source *s)
{
	return s->filter;
}

const char *replay_source_linktype(const struct replay_source *s)
{
	return pcapr_linktype_name(s->r);
}

void replay_source_close(struct replay_source *s)
{
	if (!s)
		return;
	pcapr_close(s->r);
	frag_close(s->frags);
	free(s->routes);
	free(s->filter);
	free(s);
}

/* ---- fragments ----------------------------------------------------------------------- */

static void report_skip(struct replay_source *s, unsigned long num, const char *why)
{
	if (s->sink->skip)
		s->sink->skip(s->sink->arg, num, why);
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

void replay_packet_origin_text(const struct replay_packet *p, bool via_route, char *buf,
			       size_t size)
{
	char list[128];

	buf[0] = 0;
	if (p->dg) {
		frames_text(p->dg, list, sizeof(list));
		snprintf(buf, size, "  reassembled %s", list);
	}
	if (via_route)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s", VIA_ROUTE_NOTE);
}

void replay_packet_origin_json(struct json *j, const struct replay_packet *p, bool via_route)
{
	unsigned i;

	if (p->dg) {
		json_key(j, "fragments");
		json_array_start(j);
		for (i = 0; i < p->dg->nframes && i < FRAG_MAX_FRAMES; i++)
			json_uint(j, p->dg->frames[i]);
		json_array_end(j);
	}
	if (via_route)
		json_member_string(j, "via", "route");
}

/* A datagram whose fragments are not all in the capture: reported on its
 * first fragment's number, its frames counted as skipped. */
static void report_incomplete(struct replay_source *s, const struct frag_datagram *dg)
{
	char why[512], frames[160];

	if ((dg->have_first && !dg->first_flag) ||
	    (s->nroutes && !replay_prefix_match_addr(s->routes, s->nroutes, dg->family,
						     dg->dst))) {
		s->c->filtered += dg->nframes;
		return;
	}
	frames_text(dg, frames, sizeof(frames));
	snprintf(why, sizeof(why), "incomplete datagram %s: %u fragment%s (%s), %s%s; "
		 "--fragments replays fragments as captured", dg->what, dg->nframes,
		 dg->nframes == 1 ? "" : "s", frames,
		 !dg->have_first ? "no first fragment" : !dg->have_last ? "no last fragment" :
		 "a hole", dg->evicted ? ", evicted: too many datagrams open at once" : "");
	s->c->incomplete++;
	s->c->skipped += dg->nframes;
	report_skip(s, dg->frames[0], why);
}

static void drain_incomplete(struct replay_source *s, bool all)
{
	struct frag_datagram *dg;

	while (s->frags && frag_take_incomplete(s->frags, all, &dg) > 0)
		report_incomplete(s, dg);
}

/* A fragment: kept, or its datagram run when it completes it. 1 when the
 * fragment was taken, 0 when it is to be run as captured. */
static int take_fragment(struct replay_source *s, const struct pcapr_pkt *p)
{
	struct frag_datagram *dg;
	struct replay_packet job = {};
	int ret;

	ret = frag_add(s->frags, p->num, p->ethertype, p->l3, p->l3_caplen, !p->filtered, &dg);
	drain_incomplete(s, false);
	if (ret == -EINVAL)
		return 0;       /* a header replay cannot use: run as captured */
	if (ret < 0) {
		p_err("packet %lu: cannot keep the fragment: %s", p->num, strerror(-ret));
		return ret;
	}
	if (ret == 0)
		return 1;
	if (!dg->first_flag || (s->nroutes && !replay_prefix_match(s->routes, s->nroutes,
								  dg->ethertype, dg->l3, dg->len))) {
		s->c->filtered += dg->nframes;
		return 1;
	}
	s->c->reassembled++;
	s->c->fragments += dg->nframes;
	job.num = p->num;
	job.ethertype = dg->ethertype;
	job.l3 = dg->l3;
	job.caplen = job.wirelen = dg->len;
	job.dg = dg;
	ret = s->sink->run(s->sink->arg, &job);
	return ret ? ret : 1;
}

/* ---- the capture ------------------------------------------------------------------------ */

/* One frame: reported, left out, kept as a fragment, or run. */
static int take_frame(struct replay_source *s, const struct pcapr_pkt *p)
{
	struct replay_packet job = {
		.num = p->num, .ethertype = p->ethertype, .l3 = p->l3,
		.caplen = p->l3_caplen, .wirelen = p->l3_wirelen,
	};
	int err;

	if (p->dir == PCAPR_DIR_IN) {
		s->c->incoming++;
		report_skip(s, p->num, "incoming");
		return 0;
	}
	if (p->skip[0]) {
		if (p->filtered || s->nroutes) {
			s->c->filtered++;
			return 0;
		}
		s->c->skipped++;
		report_skip(s, p->num, p->skip);
		return 0;
	}
	if (s->frags && p->l3_caplen == p->l3_wirelen &&
	    frag_is_fragment(p->ethertype, p->l3, p->l3_caplen)) {
		err = take_fragment(s, p);
		if (err)
			return err < 0 ? err : 0;
	}
	if (p->filtered || (s->nroutes && !replay_prefix_match(s->routes, s->nroutes,
							       p->ethertype, p->l3, p->l3_caplen))) {
		s->c->filtered++;
		return 0;
	}
	return s->sink->run(s->sink->arg, &job);
}

int replay_source_run(struct replay_source *s, const struct replay_sink *sink,
		      struct replay_counts *c)
{
	struct pcapr_pkt p;
	int ret, err;

	s->sink = sink;
	s->c = c;
	c->selecting = s->filter || s->nroutes;
	while ((ret = pcapr_next(s->r, &p)) > 0) {
		c->packets++;
		err = take_frame(s, &p);
		if (err)
			return err;
	}
	if (ret < 0) {
		/* logged; as tcpdump does, the packets before it still count:
		 * the totals, the statistics and the JSON stay whole */
		c->truncated = true;
		ret = 0;
	}
	drain_incomplete(s, true);
	return ret;
}

/* ---- the counts --------------------------------------------------------------------- */

bool replay_counts_extended(const struct replay_counts *c)
{
	return c->selecting || c->incoming || c->filtered || c->reassembled || c->incomplete ||
	       c->via_route;
}

void replay_counts_text(const struct replay_counts *c)
{
	if (c->incoming)
		printf(", %lu incoming", c->incoming);
	if (c->filtered || c->selecting)
		printf(", %lu filtered", c->filtered);
	if (c->reassembled)
		printf(", %lu datagram%s reassembled from %lu fragments", c->reassembled,
		       c->reassembled == 1 ? "" : "s", c->fragments);
	if (c->incomplete)
		printf(", %lu incomplete datagram%s", c->incomplete, c->incomplete == 1 ? "" : "s");
	if (c->via_route)
		printf(", %lu via route", c->via_route);
}

void replay_counts_json(const struct replay_counts *c, struct json *j)
{
	json_member_uint(j, "incoming", c->incoming);
	json_member_uint(j, "filtered", c->filtered);
	json_member_uint(j, "reassembled", c->reassembled);
	json_member_uint(j, "fragments", c->fragments);
	json_member_uint(j, "incomplete", c->incomplete);
	json_member_uint(j, "via_route", c->via_route);
}

/* ---- running one packet ------------------------------------------------------------ */

/* Run a packet too long for BPF_PROG_TEST_RUN through the private route,
 * set up for the first one. */
static int run_via_route(struct replay_target *t, const struct replay_in *in,
			 struct replay_out *o, char *why, size_t size)
{
	if (!t->route && !t->route_err) {
		t->route_err = replay_route_open(t->prog_fd, t->name, &t->route);
		if (t->route_err)
			t->route = NULL;
	}
	if (t->route_err) {
		snprintf(why, size, "packet of %u bytes, longer than BPF_PROG_TEST_RUN takes, "
			 "and the private route to run it could not be set up: %s", in->len,
			 strerror(-t->route_err));
		return -EINVAL;
	}
	memset(o, 0, sizeof(*o));
	return replay_route_run(t->route, in->ethertype, in->l3, in->len, &o->retval, why, size);
}

int replay_target_run(struct replay_target *t, const struct replay_in *in,
		      struct replay_out *o, bool *via_route, char *why, size_t size)
{
	int err;

	*via_route = false;
	if (in->len > REPLAY_MAX_L3) {
		*via_route = true;
		return run_via_route(t, in, o, why, size);
	}
	err = replay_run(t->prog_fd, in, o, why, size);
	if (err == -EINVAL && !replay_check(in->ethertype, in->len, why, size) &&
	    in->len > 1500) {
		/* a kernel with less room than REPLAY_MAX_L3 says */
		*via_route = true;
		err = run_via_route(t, in, o, why, size);
	}
	return err;
}

bool replay_target_refused(int err, bool via_route)
{
	return err == -EINVAL || err == -E2BIG || (err && via_route);
}

void replay_target_close(struct replay_target *t)
{
	replay_route_close(t->route);
	t->route = NULL;
}
