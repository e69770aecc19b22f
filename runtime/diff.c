/* diff.c: lwtp diff OLD[:SECTION] NEW[:SECTION] CAPTURE [EXPRESSION...]:
 * run every packet of a capture through two policies (two objects, two
 * policies, or two versions of one), as lwtp replay does, and list the
 * packets whose verdict, mark or priority differ; then, for those, the
 * statement of each policy that decided them, and totals.
 *
 *        3  drop -> pass  192.0.2.1.40000 > 198.51.100.7.53 udp len 38
 *        7  pass -> pass mark 0x2a  192.0.2.1.40000 > 198.51.100.7.80 tcp [S] len 40
 *   the statements that acted on the differing packets:
 *     old  would drop at old.lwtp:5:5            1
 *     new  passed (end) at new.lwtp:9:1          1
 *     ...
 *   9 packets: 2 differ (1 verdict, 1 mark or priority), 0 skipped
 *
 * The packets are those lwtp replay runs (replay_source.c): outgoing only,
 * selected by the filter EXPRESSION and --route, fragments put back
 * together unless --fragments; a packet longer than BPF_PROG_TEST_RUN
 * takes runs through a private route for each program (its verdict only:
 * mark and priority are not observed there).
 *
 * Attribution: a policy given as source is also compiled in audit mode
 * (LWTC_AUDIT=1, lwtc --audit), and each packet runs through that copy
 * too: the statements of lwtp_audit_SECTION whose counts the packet raised
 * are those that acted on it, in source order (the order they ran), the
 * last one the one that decided its verdict; a packet run through the
 * private route runs through the audit copy's own route too. An object gets
 * no attribution ("-").
 *
 * Exit status, as diff(1): 0 no packet differs, 1 some do, 2 trouble. The
 * JSON schema is in docs/lwtp-diff.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "decode_format.h"
#include "decode_layout.h"
#include "diff.h"
#include "json.h"
#include "lwtp.h"
#include "lwtp_contract.h"
#include "replay.h"
#include "replay_source.h"

#define DIFF_EXIT_DIFFER 1
#define DIFF_EXIT_TROUBLE 2

/* What one statement decided, among the differing packets. */
struct tally {
	char text[400];
	unsigned long packets;
};

/* One policy: the program that gives the verdicts, and its audit copy
 * that says which statement decided. */
struct side {
	const char *label;              /* "old", "new" */
	char path[4096];
	const char *section;            /* NULL: the object's only program */
	char *compiled, *audit_compiled;
	struct bpf_object *obj, *aobj;
	struct bpf_program *prog, *aprog;
	struct replay_target run, arun; /* prog's, aprog's */
	int audit_fd;                   /* lwtp_audit_SECTION, or -1 */
	struct layout al;
	unsigned char *prev, *cur;      /* its value before and after a packet */
	size_t vsize;
	struct tally *tallies;
	size_t ntallies;
};

/* PATH[:SECTION]: the section after the last ':', unless PATH itself
 * names a file. */
static int side_parse(struct side *s, const char *label, const char *arg)
{
	const char *colon = strrchr(arg, ':');

	s->label = label;
	s->audit_fd = -1;
	if (snprintf(s->path, sizeof(s->path), "%s", arg) >= (int)sizeof(s->path))
		return p_usage("diff: '%.40s...' is too long", arg);
	if (colon && colon[1] && access(arg, F_OK)) {
		s->path[colon - arg] = 0;
		s->section = colon + 1;
	}
	return 0;
}

/* The section of the only program of obj, when none was given. */
static int side_section(struct side *s)
{
	struct bpf_program *p, *only = NULL;
	int n = 0;

	if (s->section)
		return 0;
	bpf_object__for_each_program(p, s->obj) {
		only = p;
		n++;
	}
	if (n != 1) {
		p_err("%s holds %d policies: name one, as %s:SECTION", s->path, n, s->path);
		return -EINVAL;
	}
	s->section = bpf_program__section_name(only);
	s->prog = only;
	return 0;
}

/* The audit copy: the policy compiled again with LWTC_AUDIT=1, and its
 * map lwtp_audit_SECTION read with lwtp's decoder. */
static int side_audit(struct side *s)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct bpf_map *map;
	char name[LWTP_NAME_MAX + 1];
	int err;

	setenv("LWTC_AUDIT", "1", 1);
	err = replay_compile(s->path, &s->audit_compiled);
	unsetenv("LWTC_AUDIT");
	if (err)
		return err;
	err = replay_load(s->audit_compiled, s->section, &s->aobj, &s->aprog);
	if (err)
		return err;
	snprintf(name, sizeof(name), LWTP_AUDIT_PREFIX "%s", s->section);
	map = bpf_object__find_map_by_name(s->aobj, name);
	if (!map) {
		p_err("%s: the audit build has no map %s", s->path, name);
		return -ENOENT;
	}
	s->audit_fd = bpf_map__fd(map);
	if (bpf_obj_get_info_by_fd(s->audit_fd, &info, &len))
		return -errno;
	if (decode_layout(name, bpf_object__btf(s->aobj), &info, &s->al) != 1 || !s->al.audit) {
		p_err("%s: map %s is not an audit policy's", s->path, name);
		return -EINVAL;
	}
	s->vsize = (size_t)s->al.ncpus * ((s->al.value_size + 7) / 8 * 8);
	s->prev = calloc(1, s->vsize);
	s->cur = calloc(1, s->vsize);
	return s->prev && s->cur ? 0 : -ENOMEM;
}

static int side_open(struct side *s)
{
	bool source = !replay_is_elf(s->path);
	const char *obj = s->path;
	int err;

	if (source) {
		err = replay_compile(s->path, &s->compiled);
		if (err)
			return err;
		obj = s->compiled;
	}
	err = replay_load(obj, s->section, &s->obj, &s->prog);
	if (!err)
		err = side_section(s);
	if (!err && source)
		err = side_audit(s);
	if (err)
		return err;
	s->run = (struct replay_target){ .prog_fd = bpf_program__fd(s->prog), .name = s->section };
	if (s->aprog)
		s->arun = (struct replay_target){ .prog_fd = bpf_program__fd(s->aprog),
						  .name = s->section };
	return 0;
}

static void side_close(struct side *s)
{
	replay_target_close(&s->run);
	replay_target_close(&s->arun);
	bpf_object__close(s->obj);
	bpf_object__close(s->aobj);
	if (s->compiled)
		replay_cleanup(s->compiled);
	if (s->audit_compiled)
		replay_cleanup(s->audit_compiled);
	free(s->compiled);
	free(s->audit_compiled);
	free(s->prev);
	free(s->cur);
	free(s->tallies);
}

#define DIFF_MAX_HITS 32

/* What a policy did to one packet. */
struct outcome {
	struct replay_out out;
	bool via_route;                 /* run through the private route: no
					 * metadata */
	__u32 hit[DIFF_MAX_HITS];       /* the audit statements it counted in */
	int nhit;
};

/* The statements the packet just run through the audit copy counted in:
 * those whose packets went up, in source order. */
static void side_hits(struct side *s, struct outcome *o)
{
	const struct audit_table *t = s->al.audit;
	size_t stride = (s->al.value_size + 7) / 8 * 8;
	__u32 zero = 0;

	o->nhit = 0;
	if (s->audit_fd < 0 || bpf_map_lookup_elem(s->audit_fd, &zero, s->cur))
		return;
	for (size_t i = 0; i < t->n; i++) {
		__u64 was = 0, now = 0;

		for (int cpu = 0; cpu < s->al.ncpus; cpu++) {
			size_t at = cpu * stride + t->s[i].off + s->al.packets_off;

			was += decode_read_uint(s->prev + at, 8);
			now += decode_read_uint(s->cur + at, 8);
		}
		if (now != was && o->nhit < DIFF_MAX_HITS)
			o->hit[o->nhit++] = (__u32)i;
	}
	memcpy(s->prev, s->cur, s->vsize);
}

/* A statement as lwtp stat shows it: "would drop at guard.lwtp:5:5". */
static void hit_text(const struct side *s, __u32 hit, char *buf, size_t size)
{
	if (decode_field(&s->al.keys[0], &hit, buf, size) < 0)
		snprintf(buf, size, "statement %u", hit);
}

/* The statement that decided: the last that counted it; "-" when not known. */
static void decided_text(const struct side *s, const struct outcome *o, char *buf, size_t size)
{
	if (o->nhit)
		hit_text(s, o->hit[o->nhit - 1], buf, size);
	else
		snprintf(buf, size, "-");
}

static void tally_one(struct side *s, const char *text)
{
	struct tally *grown;
	size_t i;

	for (i = 0; i < s->ntallies; i++)
		if (!strcmp(s->tallies[i].text, text)) {
			s->tallies[i].packets++;
			return;
		}
	grown = realloc(s->tallies, (s->ntallies + 1) * sizeof(*grown));
	if (!grown)
		return;
	s->tallies = grown;
	snprintf(s->tallies[s->ntallies].text, sizeof(s->tallies[0].text), "%s", text);
	s->tallies[s->ntallies++].packets = 1;
}

/* Count a differing packet in every statement that acted on it. */
static void side_tally(struct side *s, const struct outcome *o)
{
	char text[400];

	if (!o->nhit)
		tally_one(s, "-");
	for (int i = 0; i < o->nhit; i++) {
		hit_text(s, o->hit[i], text, sizeof(text));
		tally_one(s, text);
	}
}

/* ---- one packet ---------------------------------------------------------------- */

/* Run a packet through a policy, and through its audit copy when it has
 * one. Errors as replay_target_run()'s, o->via_route set. */
static int run_side(struct side *s, const struct replay_packet *p, struct outcome *o,
		    char *why, size_t size)
{
	struct replay_in in = { .ethertype = p->ethertype, .l3 = p->l3, .len = p->caplen };
	struct replay_out aout;
	bool avia;
	int err;

	memset(o, 0, sizeof(*o));
	err = replay_target_run(&s->run, &in, &o->out, &o->via_route, why, size);
	if (err || !s->aprog)
		return err;
	err = replay_target_run(&s->arun, &in, &aout, &avia, why, size);
	side_hits(s, o);        /* the counts seen, so the next packet's are its own */
	if (err)
		o->nhit = 0;
	return err;
}

/* "drop", "pass mark 0x2a priority 3" */
static void outcome_text(const struct outcome *o, char *buf, size_t size)
{
	const char *v = replay_verdict_name(o->out.retval);
	int n = v ? snprintf(buf, size, "%s", v) : snprintf(buf, size, "%u", o->out.retval);

	if (o->out.out.mark && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, " mark %#x", o->out.out.mark);
	if (o->out.out.priority && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - n, " priority %u", o->out.out.priority);
}

static void outcome_json(struct json *j, const struct side *s, const struct outcome *o)
{
	const char *v = replay_verdict_name(o->out.retval);
	char text[400];

	json_key(j, s->label);
	json_object_start(j);
	if (v)
		json_member_string(j, "verdict", v);
	else
		json_member_uint(j, "verdict", o->out.retval);
	json_member_uint(j, "mark", o->out.out.mark);
	json_member_uint(j, "priority", o->out.out.priority);
	decided_text(s, o, text, sizeof(text));
	json_member_string(j, "decided", text);
	json_key(j, "statements");
	json_array_start(j);
	for (int i = 0; i < o->nhit; i++) {
		hit_text(s, o->hit[i], text, sizeof(text));
		json_string(j, text);
	}
	json_array_end(j);
	json_object_end(j);
}

/* What the capture became (replay_source.c), and how the policies
 * compare on the packets run. */
struct totals {
	struct replay_counts c;
	unsigned long differ, verdict, meta;
};

static void report(struct json *j, const struct side *sides, const struct replay_packet *p,
		   const struct outcome *a, const struct outcome *b)
{
	struct replay_desc d;
	char desc[256], ta[64], tb[64], origin[192];

	replay_describe(p->ethertype, p->l3, p->caplen, p->wirelen, &d);
	if (opts.json) {
		json_object_start(j);
		json_member_uint(j, "number", p->num);
		outcome_json(j, &sides[0], a);
		outcome_json(j, &sides[1], b);
		json_key(j, "packet");
		json_object_start(j);
		replay_desc_json(&d, j);
		replay_packet_origin_json(j, p, a->via_route);
		json_object_end(j);
		json_object_end(j);
		return;
	}
	replay_desc_text(&d, desc, sizeof(desc));
	outcome_text(a, ta, sizeof(ta));
	outcome_text(b, tb, sizeof(tb));
	replay_packet_origin_text(p, a->via_route, origin, sizeof(origin));
	printf("%7lu  %s -> %s  %s%s\n", p->num, ta, tb, desc, origin);
}

/* ---- the command ---------------------------------------------------------------- */

static void print_tallies(struct json *j, const struct side *s)
{
	if (opts.json) {
		json_key(j, s->label);
		json_array_start(j);
		for (size_t i = 0; i < s->ntallies; i++) {
			json_object_start(j);
			json_member_string(j, "statement", s->tallies[i].text);
			json_member_uint(j, "packets", s->tallies[i].packets);
			json_object_end(j);
		}
		json_array_end(j);
		return;
	}
	for (size_t i = 0; i < s->ntallies; i++)
		printf("  %s  %-44s %6lu\n", s->label, s->tallies[i].text, s->tallies[i].packets);
}

/* What the sink of the capture works with. */
struct diff_ctx {
	struct side *sides;
	struct json *j;
	struct totals *t;
};

/* Run one packet through both policies and report it if they differ (the
 * sink's run). A packet either cannot run is skipped for both. */
static int diff_one(void *arg, const struct replay_packet *p)
{
	struct diff_ctx *c = arg;
	struct outcome o[2];
	char why[320];
	bool verdict, meta;
	int i, err;

	for (i = 0; i < 2; i++) {
		err = run_side(&c->sides[i], p, &o[i], why, sizeof(why));
		if (replay_target_refused(err, o[i].via_route)) {
			c->t->c.skipped++;      /* the same for both: no difference */
			return 0;
		}
		if (err) {
			p_err("packet %lu through %s: %s", p->num, c->sides[i].path, why);
			return err;
		}
	}
	c->t->c.via_route += o[0].via_route;
	verdict = o[0].out.retval != o[1].out.retval;
	meta = o[0].out.out.mark != o[1].out.out.mark ||
	       o[0].out.out.priority != o[1].out.out.priority;
	if (!verdict && !meta)
		return 0;
	c->t->differ++;
	c->t->verdict += verdict;
	c->t->meta += !verdict;
	for (i = 0; i < 2; i++)
		side_tally(&c->sides[i], &o[i]);
	report(c->j, c->sides, p, &o[0], &o[1]);
	return 0;
}

/* Open the capture, compile its filter, and run every packet it selects. */
static int run_capture(struct side *sides, struct replay_source *src, const char *capture,
		       struct json *j, struct totals *t)
{
	struct diff_ctx ctx = { .sides = sides, .j = j, .t = t };
	struct replay_sink sink = { .run = diff_one, .arg = &ctx };
	int err;

	err = replay_source_open(src, capture);
	if (!err)
		err = replay_source_compile(src);
	if (!err)
		err = replay_source_run(src, &sink, &t->c);
	return err;
}

static void print_totals(struct json *j, const struct totals *t)
{
	if (opts.json) {
		if (t->c.truncated)
			json_member_bool(j, "truncated", true);
		json_key(j, "totals");
		json_object_start(j);
		json_member_uint(j, "packets", t->c.packets);
		json_member_uint(j, "differ", t->differ);
		json_member_uint(j, "verdict", t->verdict);
		json_member_uint(j, "metadata", t->meta);
		json_member_uint(j, "skipped", t->c.skipped);
		if (replay_counts_extended(&t->c))
			replay_counts_json(&t->c, j);
		json_object_end(j);
		return;
	}
	printf("%lu packet%s: %lu differ (%lu verdict, %lu mark or priority), %lu skipped",
	       t->c.packets, t->c.packets == 1 ? "" : "s", t->differ, t->verdict, t->meta,
	       t->c.skipped);
	if (replay_counts_extended(&t->c))
		replay_counts_text(&t->c);
	if (t->c.truncated)
		printf(" (capture truncated)");
	putchar('\n');
}

int do_diff(int argc, char **argv)
{
	struct side sides[2] = {};
	struct replay_source *src = NULL;
	struct totals t = {};
	struct json j;
	int err;

	if (argc < 3)
		return p_usage("diff wants OLD[:SECTION] NEW[:SECTION] CAPTURE [EXPRESSION...], "
			       "as in 'lwtp diff guard.lwtp guard-new.lwtp traffic.pcap'");
	if (side_parse(&sides[0], "old", argv[0]) || side_parse(&sides[1], "new", argv[1]))
		return LWTP_EXIT_USAGE;
	if (replay_source_new(argc - 3, argv + 3, &src))
		return DIFF_EXIT_TROUBLE;
	err = side_open(&sides[0]);
	if (!err)
		err = side_open(&sides[1]);
	if (err)
		goto out;
	json_init(&j, stdout);
	if (opts.json) {
		json_object_start(&j);
		json_key(&j, "packets");
		json_array_start(&j);
	}
	err = run_capture(sides, src, argv[2], &j, &t);
	if (opts.json) {
		json_array_end(&j);
		json_key(&j, "statements");
		json_object_start(&j);
	} else if (t.differ) {
		printf("the statements that acted on the differing packets:\n");
	}
	print_tallies(&j, &sides[0]);
	print_tallies(&j, &sides[1]);
	if (opts.json)
		json_object_end(&j);
	print_totals(&j, &t);
	if (opts.json) {
		json_object_end(&j);
		putchar('\n');
	}
out:
	replay_source_close(src);
	side_close(&sides[0]);
	side_close(&sides[1]);
	if (err || t.c.truncated)
		return DIFF_EXIT_TROUBLE;
	return t.differ ? DIFF_EXIT_DIFFER : LWTP_EXIT_OK;
}
