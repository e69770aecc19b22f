/* caserun: run behaviour cases through BPF_PROG_TEST_RUN.
 *
 *   caserun [-v] [-k] [-c LWTC] [-r LWTP] [-l LINK] [-n] CASE...
 *
 * A case (a .case file in tests/behaviour/) is a policy, packets in the text form of
 * pkt.h with the verdict and metadata expected for each, and the statistics
 * expected after all of them:
 *
 *   # Lines starting with '#' are comments (inside POLICY they are the
 *   # policy language's comments).
 *   NAME udp to port 53 is dropped         (optional; default: file name)
 *   POLICY                                 (policy text runs to the next
 *   policy guard {                          directive at column 0; lwtc
 *       count total;                        compiles it, and its line
 *       drop if udp.dport == 53;            numbers are the case file's)
 *   }
 *   SECTION guard                          (which program runs the packets
 *                                           that follow; default: the only one)
 *   PACKET ip4 udp dport 53 payload 10 => drop
 *   PACKET 3x ip6 tcp flags syn mark 7 => pass mark 0x2a cb[0] 1
 *   MAP total                              (entries after all packets,
 *       0 => packets=4 bytes=238            as mapdec.h prints them; a
 *                                           MAP with no lines: no entry)
 *
 * After '=>': pass, drop, or a number (the program's return value), then
 * optionally mark N, priority N, cb[I] N. Metadata not named must come out
 * as it went in. 'Nx' before a packet sends it N times with one expectation.
 * Maps are compared as sets of lines; entries whose values are all zero do
 * not count; maps not named are not checked.
 *
 * POLICY_FILE PATH instead of POLICY compiles a .lwtp file (relative to the
 * current directory: a shipped policy). OBJECT PATH runs a prebuilt object
 * instead: the tools' own tests use it. WILL_FAIL inverts the
 * outcome of the checks (not of errors in the case or the tools).
 *
 * BPF_PROG_TEST_RUN refuses IPv4 frames with less than 20 bytes from L3 and
 * IPv6 frames with less than 40 (ethertype decides): such packets are errors
 * in the case; test absent IP headers with another ethertype.
 *
 * How a case runs: through lwtp replay's code (runtime/replay_core.c,
 * runtime/pcap_read.c). The object is loaded as replay loads it (every
 * program BPF_PROG_TYPE_LWT_OUT, maps unpinned); the IP packets are written
 * to a capture (pcapout.c, link type -l, pcapng with -n), read back with
 * replay's reader, which must find each packet as it was built, and run
 * with replay_run(), the metadata of the case's packet going in; 'ether'
 * packets, which a route never carries and replay skips, run directly
 * through replay_run(). Statistics are checked with mapdec, and lwtp's own
 * decoder (runtime/decode.c) must read every map of a compiled policy the
 * same way. With -r LWTP, the packets that a capture can carry as the case
 * has them (no metadata in, pkttype host) are also replayed by the command,
 * 'LWTP replay --json --fragments OBJECT SECTION CAPTURE', one run per section, and its
 * verdicts, marks, priorities and cb words must be the expected ones.
 *
 * Exit: 0 passed, 1 failed, 2 error in the case or a tool (lwtc not found,
 * load failed, ...). Messages go to stdout (replay's own, "lwtp: ...", to
 * stderr).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "decode.h"         /* runtime/: lwtp's own map decoder */
#include "jsonp.h"
#include "mapdec.h"
#include "objload.h"
#include "pcap_read.h"      /* runtime/: lwtp replay's capture reader */
#include "pcapout.h"
#include "pkt.h"
#include "replay.h"         /* runtime/: lwtp replay's core */

#define MAX_LINE 4096

struct expect {
	int verdict;                /* program return value */
	bool has_mark, has_priority, has_cb[5];
	uint32_t mark, priority, cb[5];
};

struct packet {
	int line;
	const char *section;        /* the SECTION in force, or NULL */
	char *text;                 /* the spec, for messages */
	int times;
	struct pkt_spec spec;
	struct expect want;
};

struct map_expect {
	int line;
	char *name;
	char **entries;
	int n, cap;
};

struct tcase {
	const char *path;
	char *name;
	char *policy;               /* padded with newlines to keep line numbers */
	char *policy_file;          /* POLICY_FILE: compile this file instead */
	int policy_line;
	char *object;
	char *section;
	bool will_fail;
	struct packet *pkts;
	int npkts, cappkts;
	struct map_expect *maps;
	int nmaps, capmaps;
};

static int verbose;
static bool keep_tmp;
static const char *lwtc_path;
static const char *lwtp_path;           /* -r: the command too */
static const char *link_name = "ether"; /* -l */
static int link_dlt = 1;                /* DLT_EN10MB */
static bool link_ng;                    /* -n: pcapng */

/* ---- small helpers ------------------------------------------------------ */

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror("caserun");
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		perror("caserun");
		exit(2);
	}
	return d;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* Collapse runs of blanks into one space, trim the ends. */
static char *normalize(const char *s)
{
	char *out = xstrdup(s), *o = out;
	bool space = false;

	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = true;
			continue;
		}
		if (space && o != out)
			*o++ = ' ';
		space = false;
		*o++ = *s;
	}
	*o = 0;
	return out;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > 0xffffffffULL)
		return -EINVAL;
	*out = v;
	return 0;
}

/* ---- case file ---------------------------------------------------------- */

static const char *const directives[] = {
	"NAME", "POLICY_FILE", "POLICY", "OBJECT", "SECTION", "PACKET", "MAP", "WILL_FAIL", NULL,
};

/* The directive a line starts with (at column 0), or NULL. */
static const char *directive_of(const char *line, const char **rest)
{
	int i;

	for (i = 0; directives[i]; i++) {
		size_t n = strlen(directives[i]);

		if (strncmp(line, directives[i], n) == 0 &&
		    (line[n] == 0 || isspace((unsigned char)line[n]))) {
			*rest = line + n;
			return directives[i];
		}
	}
	return NULL;
}

static int case_error(const struct tcase *c, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%s:%d: ", c->path, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return -EINVAL;
}

static int parse_expect(struct tcase *c, int line, char *s, struct expect *w)
{
	char *words[64], *save, *t;
	int n = 0, i;

	memset(w, 0, sizeof(*w));
	for (t = strtok_r(s, " \t", &save); t && n < 64; t = strtok_r(NULL, " \t", &save))
		words[n++] = t;
	if (n == 0)
		return case_error(c, line, "nothing after '=>': expected pass, drop or a return value");
	if (strcmp(words[0], "pass") == 0) {
		w->verdict = BPF_OK;
	} else if (strcmp(words[0], "drop") == 0) {
		w->verdict = BPF_DROP;
	} else {
		uint32_t v;

		if (parse_u32(words[0], &v))
			return case_error(c, line, "'%s': expected pass, drop or a return value", words[0]);
		w->verdict = (int)v;
	}
	for (i = 1; i < n; i++) {
		const char *k = words[i], *v = i + 1 < n ? words[i + 1] : NULL;
		uint32_t *dst;
		int idx = -1;

		if (strcmp(k, "mark") == 0) {
			dst = &w->mark;
			w->has_mark = true;
		} else if (strcmp(k, "priority") == 0) {
			dst = &w->priority;
			w->has_priority = true;
		} else if ((strncmp(k, "cb[", 3) == 0 && k[3] >= '0' && k[3] <= '4' && k[4] == ']' && !k[5]) ||
			   (strncmp(k, "cb", 2) == 0 && k[2] >= '0' && k[2] <= '4' && !k[3])) {
			idx = k[2] == '[' ? k[3] - '0' : k[2] - '0';
			dst = &w->cb[idx];
			w->has_cb[idx] = true;
		} else {
			return case_error(c, line, "'%s': after the verdict, expected mark, priority or cb[N]", k);
		}
		if (parse_u32(v, dst))
			return case_error(c, line, "'%s' needs a number", k);
		i++;
	}
	return 0;
}

static int parse_packet(struct tcase *c, int line, const char *rest)
{
	char *text = xstrdup(rest), *arrow, *spec, err[256];
	struct packet *p;
	int times = 1;

	arrow = strstr(text, "=>");
	if (!arrow) {
		free(text);
		return case_error(c, line, "PACKET needs '=> VERDICT' (pass, drop, ...)");
	}
	*arrow = 0;
	spec = trim(text);
	if (isdigit((unsigned char)spec[0])) {
		char *end;
		long v = strtol(spec, &end, 10);

		if (*end == 'x' && (end[1] == ' ' || end[1] == '\t') && v > 0 && v <= 100000) {
			times = (int)v;
			spec = trim(end + 1);
		}
	}
	if (c->npkts == c->cappkts) {
		c->cappkts = c->cappkts ? c->cappkts * 2 : 16;
		c->pkts = xrealloc(c->pkts, c->cappkts * sizeof(*c->pkts));
	}
	p = &c->pkts[c->npkts];
	memset(p, 0, sizeof(*p));
	p->line = line;
	p->times = times;
	p->section = c->section;
	if (pkt_parse(spec, &p->spec, err, sizeof(err))) {
		free(text);
		return case_error(c, line, "%s", err);
	}
	if (parse_expect(c, line, arrow + 2, &p->want)) {
		free(text);
		return -EINVAL;
	}
	p->text = normalize(spec);
	free(text);
	c->npkts++;
	return 0;
}

static void policy_append(struct tcase *c, const char *line)
{
	size_t old = c->policy ? strlen(c->policy) : 0;

	c->policy = xrealloc(c->policy, old + strlen(line) + 2);
	strcpy(c->policy + old, line);
	strcat(c->policy + old, "\n");
}

static int case_parse(struct tcase *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[MAX_LINE];
	enum { NONE, IN_POLICY, IN_MAP } state = NONE;
	int lineno = 0, err = 0, i;
	const char *base;

	memset(c, 0, sizeof(*c));
	c->path = path;
	if (!f) {
		printf("%s: %s\n", path, strerror(errno));
		return -errno;
	}
	while (fgets(buf, sizeof(buf), f)) {
		const char *d, *rest;
		char *line;

		lineno++;
		buf[strcspn(buf, "\n")] = 0;
		d = directive_of(buf, &rest);
		if (!d) {
			if (state == IN_POLICY) {
				policy_append(c, buf);
				continue;
			}
			line = trim(buf);
			if (!*line || *line == '#')
				continue;
			if (state == IN_MAP) {
				struct map_expect *m = &c->maps[c->nmaps - 1];

				if (!strstr(line, "=>")) {
					err = case_error(c, lineno, "a map entry is 'KEY => VALUE'");
					break;
				}
				if (m->n == m->cap) {
					m->cap = m->cap ? m->cap * 2 : 8;
					m->entries = xrealloc(m->entries, m->cap * sizeof(char *));
				}
				m->entries[m->n++] = normalize(line);
				continue;
			}
			err = case_error(c, lineno, "expected a directive (%s)",
					 "NAME, POLICY, POLICY_FILE, OBJECT, SECTION, PACKET, MAP, WILL_FAIL");
			break;
		}
		state = NONE;
		line = trim((char *)rest);
		if (strcmp(d, "NAME") == 0) {
			free(c->name);
			c->name = xstrdup(line);
		} else if (strcmp(d, "POLICY_FILE") == 0) {
			if (c->policy || c->object || c->policy_file || !*line) {
				err = case_error(c, lineno, "one POLICY, POLICY_FILE PATH or OBJECT PATH per case");
				break;
			}
			c->policy_file = xstrdup(line);
		} else if (strcmp(d, "POLICY") == 0) {
			if (c->policy || c->object || c->policy_file) {
				err = case_error(c, lineno, "one POLICY or OBJECT per case");
				break;
			}
			c->policy_line = lineno;
			for (i = 1; i < lineno; i++)
				policy_append(c, "");
			policy_append(c, line);     /* line numbers stay the case's */
			state = IN_POLICY;
		} else if (strcmp(d, "OBJECT") == 0) {
			if (c->policy || c->object || c->policy_file || !*line) {
				err = case_error(c, lineno, "one POLICY or OBJECT PATH per case");
				break;
			}
			c->object = xstrdup(line);
		} else if (strcmp(d, "SECTION") == 0) {
			c->section = xstrdup(line);  /* packets keep the old one */
		} else if (strcmp(d, "WILL_FAIL") == 0) {
			c->will_fail = true;
		} else if (strcmp(d, "PACKET") == 0) {
			err = parse_packet(c, lineno, line);
			if (err)
				break;
		} else if (strcmp(d, "MAP") == 0) {
			struct map_expect *m;

			if (!*line || strchr(line, ' ')) {
				err = case_error(c, lineno, "MAP takes one map name");
				break;
			}
			if (c->nmaps == c->capmaps) {
				c->capmaps = c->capmaps ? c->capmaps * 2 : 4;
				c->maps = xrealloc(c->maps, c->capmaps * sizeof(*c->maps));
			}
			m = &c->maps[c->nmaps++];
			memset(m, 0, sizeof(*m));
			m->line = lineno;
			m->name = xstrdup(line);
			state = IN_MAP;
		}
	}
	fclose(f);
	if (err)
		return err;
	if (!c->policy && !c->object && !c->policy_file)
		return case_error(c, lineno, "no POLICY (or POLICY_FILE, OBJECT)");
	if (c->npkts == 0 && c->nmaps == 0)
		return case_error(c, lineno, "no PACKET and no MAP: nothing is checked");
	if (!c->name) {
		base = strrchr(path, '/');
		c->name = xstrdup(base ? base + 1 : path);
	}
	return 0;
}

/* ---- compiling ---------------------------------------------------------- */

static int run_lwtc(const struct tcase *c, const char *dir, char *obj, size_t objlen)
{
	char src[4096], errpath[4096], buf[4096];
	int fd, status;
	pid_t pid;
	FILE *f;
	size_t n;

	snprintf(obj, objlen, "%s/policy.o", dir);
	snprintf(errpath, sizeof(errpath), "%s/lwtc.stderr", dir);
	if (c->policy_file) {
		snprintf(src, sizeof(src), "%s", c->policy_file);
	} else {
		snprintf(src, sizeof(src), "%s/policy.lwtp", dir);
		f = fopen(src, "w");
		if (!f || fputs(c->policy, f) == EOF || fclose(f)) {
			printf("%s: cannot write %s: %s\n", c->path, src, strerror(errno));
			return -EIO;
		}
	}
	if (access(lwtc_path, X_OK)) {
		printf("%s: not runnable: %s (build it with 'make compiler')\n", lwtc_path, strerror(errno));
		return -ENOENT;
	}
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execl(lwtc_path, lwtc_path, src, "-o", obj, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", lwtc_path, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	printf(c->policy_file ? "lwtc failed (%s %d) on the policy:\n"
	       : "lwtc failed (%s %d) on the policy (line numbers are the case file's):\n",
	       WIFEXITED(status) ? "exit" : "signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	f = fopen(errpath, "r");
	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	if (f)
		fclose(f);
	return -EINVAL;
}

/* ---- running ------------------------------------------------------------ */

static struct bpf_program *find_prog(const struct tcase *c, struct bpf_object *obj,
				     const char *section)
{
	struct bpf_program *prog, *found = NULL;
	int n = 0;

	bpf_object__for_each_program(prog, obj) {
		n++;
		if (section && strcmp(bpf_program__section_name(prog), section) == 0)
			return prog;
		found = prog;
	}
	if (section) {
		printf("%s: no program in section '%s'; sections:", c->path, section);
	} else if (n != 1) {
		printf("%s: %d programs; say which with SECTION; sections:", c->path, n);
	} else {
		return found;
	}
	bpf_object__for_each_program(prog, obj)
		printf(" %s", bpf_program__section_name(prog));
	printf("\n");
	return NULL;
}

static const char *verdict_str(int v, char *buf, size_t len)
{
	if (v == BPF_OK)
		return "pass";
	if (v == BPF_DROP)
		return "drop";
	snprintf(buf, len, "return value %d", v);
	return buf;
}

/* A packet's frame (pkt_build) and what goes in with it. */
struct frame {
	uint8_t *data;
	int len;
	uint16_t ethertype;
	struct __sk_buff ctx;
};

static int build_frame(const struct tcase *c, const struct packet *p, struct frame *f)
{
	static uint8_t buf[PKT_MAX_FRAME];
	char err[256];

	memset(f, 0, sizeof(*f));
	f->len = pkt_build(&p->spec, buf, sizeof(buf), err, sizeof(err));
	if (f->len < 0)
		return case_error(c, p->line, "%s", err);
	f->data = xrealloc(NULL, f->len);
	memcpy(f->data, buf, f->len);
	f->ethertype = (uint16_t)(buf[12] << 8 | buf[13]);
	f->ctx.mark = p->spec.mark;
	f->ctx.priority = p->spec.priority;
	f->ctx.gso_segs = p->spec.gso_segs;
	f->ctx.gso_size = p->spec.gso_size;
	memcpy(f->ctx.cb, p->spec.cb, sizeof(f->ctx.cb));
	return 0;
}

/* What a packet's outcome differs in from what is expected: "" when
 * nothing. in and out are the metadata before and after. */
static void diff_outcome(const struct expect *w, __u32 retval, const struct __sk_buff *in,
			 const struct __sk_buff *out, char *diffs, size_t size)
{
	char b1[64], b2[64];
	size_t dl = 0;
	uint32_t want;
	int i;

	diffs[0] = 0;
#define DIFF(...) do { dl += snprintf(diffs + dl, dl < size ? size - dl : 0, __VA_ARGS__); \
			if (dl > size) dl = size; } while (0)
	if ((int)retval != w->verdict)
		DIFF(" verdict %s, expected %s;", verdict_str(retval, b1, sizeof(b1)),
		     verdict_str(w->verdict, b2, sizeof(b2)));
	want = w->has_mark ? w->mark : in->mark;
	if (out->mark != want)
		DIFF(" mark %#x, expected %#x%s;", out->mark, want, w->has_mark ? "" : " (unchanged)");
	want = w->has_priority ? w->priority : in->priority;
	if (out->priority != want)
		DIFF(" priority %u, expected %u%s;", out->priority, want,
		     w->has_priority ? "" : " (unchanged)");
	for (i = 0; i < 5; i++) {
		want = w->has_cb[i] ? w->cb[i] : in->cb[i];
		if (out->cb[i] != want)
			DIFF(" cb[%d] %u, expected %u%s;", i, out->cb[i], want,
			     w->has_cb[i] ? "" : " (unchanged)");
	}
#undef DIFF
	if (dl && dl < size && diffs[dl - 1] == ';')
		diffs[dl - 1] = 0;
}

/* Run one packet through replay's core; print what differs. 1 when it
 * matched, 0 when not, <0 error. */
static int run_packet(const struct tcase *c, int prog_fd, const struct packet *p, int iter,
		      const struct frame *f, const struct replay_in *in)
{
	struct replay_out o;
	char why[256], b1[64], diffs[1024];
	int ret;

	ret = replay_run(prog_fd, in, &o, why, sizeof(why));
	if (ret) {
		case_error(c, p->line, "%s", why);
		return ret;
	}
	diff_outcome(&p->want, o.retval, &o.in, &o.out, diffs, sizeof(diffs));
	if (verbose)
		printf("%s:%d: %s%s => %s mark %#x priority %u cb %u %u %u %u %u (skb->len %d)\n",
		       c->path, p->line, iter ? "again: " : "", p->text,
		       verdict_str(o.retval, b1, sizeof(b1)), o.out.mark, o.out.priority,
		       o.out.cb[0], o.out.cb[1], o.out.cb[2], o.out.cb[3], o.out.cb[4], f->len - 14);
	if (diffs[0]) {
		printf("%s:%d: %s%s:%s\n", c->path, p->line, iter ? "again: " : "", p->text, diffs);
		return 0;
	}
	return 1;
}

/* Whether a packet travels through the capture: IP packets do; 'ether'
 * ones (not IP, or not a valid IP header) run directly. */
static bool in_capture(const struct packet *p)
{
	return p->spec.family != 0;
}

/* Write the IP packets, each as many times as it runs, in order. */
static int write_capture(const struct tcase *c, const struct frame *frames, const char *path,
			 bool (*want)(const struct packet *, const struct frame *))
{
	struct pcapout *out;
	char err[256];
	int i, t;

	if (pcapout_open(path, link_dlt, 0, link_ng, &out, err, sizeof(err))) {
		printf("%s: %s\n", c->path, err);
		return -EIO;
	}
	for (i = 0; i < c->npkts; i++) {
		if (!want(&c->pkts[i], &frames[i]))
			continue;
		for (t = 0; t < c->pkts[i].times; t++) {
			if (pcapout_write(out, frames[i].data, frames[i].len, err, sizeof(err))) {
				printf("%s:%d: writing the capture (%s): %s\n", c->path,
				       c->pkts[i].line, link_name, err);
				pcapout_close(out);
				return -EIO;
			}
		}
	}
	if (pcapout_close(out)) {
		printf("%s: cannot write %s\n", c->path, path);
		return -EIO;
	}
	return 0;
}

static bool want_ip(const struct packet *p, const struct frame *f)
{
	return in_capture(p);
}

/* The next packet of the capture must be this frame's IP packet, as
 * replay's reader finds it behind the link layer. */
static int read_back(const struct tcase *c, struct pcapr *r, const struct packet *p,
		     const struct frame *f, struct pcapr_pkt *rec)
{
	int ret = pcapr_next(r, rec);

	if (ret <= 0) {
		case_error(c, p->line, "lwtp replay's reader found no packet %s", ret ? "(error)" : "(end of capture)");
		return -EIO;
	}
	if (rec->skip[0]) {
		case_error(c, p->line, "lwtp replay's reader skips this packet (%s): %s", link_name,
			   rec->skip);
		return -EIO;
	}
	if (rec->ethertype != f->ethertype || rec->l3_caplen != (__u32)f->len - 14 ||
	    memcmp(rec->l3, f->data + 14, f->len - 14)) {
		case_error(c, p->line, "lwtp replay's reader (%s) gives back another packet: "
			   "ethertype 0x%04x, %u bytes; sent 0x%04x, %d bytes", link_name,
			   rec->ethertype, rec->l3_caplen, f->ethertype, f->len - 14);
		return -EIO;
	}
	return 0;
}

/* Every packet, in order: IP packets through a capture and replay's
 * reader, all through replay_run(). 1 all matched, 0 not, <0 error. */
static int run_packets(const struct tcase *c, struct bpf_object *obj, const struct frame *frames,
		       const char *dir)
{
	char path[4200];
	struct pcapr *r = NULL;
	struct pcapr_pkt rec;
	struct bpf_program *prog;
	struct replay_in in;
	int ok = 1, i, t, ret = 0;

	snprintf(path, sizeof(path), "%s/packets.pcap", dir);
	if (write_capture(c, frames, path, want_ip))
		return -EIO;
	if (pcapr_open(path, &r))
		return -EIO;
	for (i = 0; i < c->npkts; i++) {
		const struct packet *p = &c->pkts[i];
		const struct frame *f = &frames[i];
		bool failed = false;

		prog = find_prog(c, obj, p->section);
		if (!prog) {
			ret = -ENOENT;
			goto out;
		}
		for (t = 0; t < p->times; t++) {
			memset(&in, 0, sizeof(in));
			in.ctx = &f->ctx;
			in.eth_dst = f->data;   /* pkttype: the destination address */
			if (in_capture(p)) {
				ret = read_back(c, r, p, f, &rec);
				if (ret)
					goto out;
				in.ethertype = rec.ethertype;
				in.l3 = rec.l3;
				in.len = rec.l3_caplen;
			} else {
				in.ethertype = f->ethertype;
				in.l3 = f->data + 14;
				in.len = f->len - 14;
			}
			if (failed)
				continue;       /* one message per PACKET line */
			ret = run_packet(c, bpf_program__fd(prog), p, t, f, &in);
			if (ret < 0)
				goto out;
			if (ret == 0) {
				ok = 0;
				failed = true;
			}
		}
	}
	ret = ok;
out:
	pcapr_close(r);
	return ret;
}

/* ---- the lwtp replay command ----------------------------------------------- */

/* Packets the command can replay as the case has them: metadata as a
 * capture leaves it (none), and an ethertype the link type carries. */
static const char *cli_section;

static const char *section_of(const struct tcase *c, const struct packet *p,
			      struct bpf_object *obj)
{
	struct bpf_program *prog = find_prog(c, obj, p->section);

	return prog ? bpf_program__section_name(prog) : NULL;
}

static bool plain_metadata(const struct pkt_spec *s)
{
	int i;

	for (i = 0; i < 5; i++)
		if (s->cb[i])
			return false;
	return !s->mark && !s->priority && !s->gso_segs && !s->gso_size &&
	       s->pkt_type == PACKET_HOST;
}

static struct bpf_object *cli_obj;
static const struct tcase *cli_case;

static bool want_cli(const struct packet *p, const struct frame *f)
{
	const char *s = section_of(cli_case, p, cli_obj);

	/* raw IP link types take the family from the version nibble, so
	 * only link types with an ethertype carry 'ether' packets as they are */
	return s && !strcmp(s, cli_section) && plain_metadata(&p->spec) &&
	       (p->spec.family || pcapout_carries(link_dlt, ETH_P_ARP));
}

/* Run argv with stdout to out and stderr to errpath; the exit status, or
 * -1 when it did not exit. */
static int run_to(char *const argv[], const char *out, const char *errpath)
{
	int status, fd;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 1);
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 2);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return xstrdup("");
	do {
		if (len + 4096 + 1 > cap)
			buf = xrealloc(buf, cap = cap * 2 + 8192);
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = 0;
	return buf;
}

static __u32 json_u32(const struct jnode *obj, const char *key)
{
	const struct jnode *n = jget(obj, key);

	return n && n->type == J_NUM && n->is_uint ? (__u32)n->u : 0;
}

/* Compare one packet of the command's JSON with the case. */
static int cli_compare(const struct tcase *c, const struct packet *p, const struct frame *f,
		       const struct jnode *jp, int iter)
{
	const struct jnode *v = jget(jp, "verdict"), *cb = jget(jp, "cb");
	struct __sk_buff in = {}, out = {};
	char diffs[1024];
	bool ip = f->ethertype == 0x0800 || f->ethertype == 0x86dd;
	int i;

	if (!v || v->type != J_STR) {
		printf("%s:%d: lwtp replay: packet without a verdict\n", c->path, p->line);
		return 0;
	}
	if (!ip || !strcmp(v->s, "skip")) {
		if (!ip && !strcmp(v->s, "skip"))
			return 1;
		printf("%s:%d: %s%s: lwtp replay says '%s'%s%s, expected %s\n", c->path, p->line,
		       iter ? "again: " : "", p->text, v->s,
		       jget(jp, "reason") ? ": " : "",
		       jget(jp, "reason") ? jget(jp, "reason")->s : "",
		       ip ? "a verdict" : "skip (not IP)");
		return 0;
	}
	out.mark = json_u32(jp, "mark");
	out.priority = json_u32(jp, "priority");
	for (i = 0; cb && cb->type == J_ARR && i < 5 && i < cb->n; i++)
		out.cb[i] = cb->kids[i]->is_uint ? (__u32)cb->kids[i]->u : 0;
	diff_outcome(&p->want, json_u32(jp, "retval"), &in, &out, diffs, sizeof(diffs));
	if (diffs[0]) {
		printf("%s:%d: %s%s: lwtp replay:%s\n", c->path, p->line, iter ? "again: " : "",
		       p->text, diffs);
		return 0;
	}
	return 1;
}

/* Run the packets of one section through `lwtp replay --json`. */
static int cli_section_run(const struct tcase *c, const struct frame *frames, const char *dir,
			   const char *objfile, int idx)
{
	char pcap[4200], out[4200], err[4200], jerr[256], *text;
	const struct jnode *pkts, *totals;
	struct jnode *doc;
	int i, t, k = 0, n = 0, rc, ok = 1;

	for (i = 0; i < c->npkts; i++)
		if (want_cli(&c->pkts[i], &frames[i]))
			n += c->pkts[i].times;
	if (!n)
		return 1;
	snprintf(pcap, sizeof(pcap), "%s/cli%d.pcap", dir, idx);
	snprintf(out, sizeof(out), "%s/cli%d.json", dir, idx);
	snprintf(err, sizeof(err), "%s/cli%d.stderr", dir, idx);
	if (write_capture(c, frames, pcap, want_cli))
		return -EIO;
	{
		char *argv[] = { (char *)lwtp_path, "replay", "--json",
				 /* a case's packets are what the route saw, fragments included */
				 "--fragments", (char *)objfile, (char *)cli_section, pcap, NULL };

		rc = run_to(argv, out, err);
	}
	if (rc != 0) {
		text = slurp(err);
		printf("%s: %s replay --json %s %s %s: %s %d\n%s", c->path, lwtp_path, objfile,
		       cli_section, pcap, rc < 0 ? "did not exit" : "exit", rc, text);
		free(text);
		return -EIO;
	}
	text = slurp(out);
	doc = jparse(text, jerr, sizeof(jerr));
	free(text);
	if (!doc) {
		printf("%s: lwtp replay --json printed invalid JSON (%s): %s\n", c->path, out, jerr);
		return -EIO;
	}
	pkts = jget(doc, "packets");
	totals = jget(doc, "totals");
	if (!pkts || pkts->type != J_ARR || pkts->n != n || json_u32(totals, "packets") != (__u32)n) {
		printf("%s: lwtp replay --json: expected %d packets in 'packets' and 'totals'\n",
		       c->path, n);
		jfree(doc);
		return 0;
	}
	for (i = 0; i < c->npkts; i++) {
		if (!want_cli(&c->pkts[i], &frames[i]))
			continue;
		for (t = 0; t < c->pkts[i].times; t++, k++) {
			if (json_u32(pkts->kids[k], "number") != (__u32)k + 1) {
				printf("%s: lwtp replay --json: packet %d is numbered %u\n", c->path,
				       k + 1, json_u32(pkts->kids[k], "number"));
				ok = 0;
			}
			if (!cli_compare(c, &c->pkts[i], &frames[i], pkts->kids[k], t)) {
				ok = 0;
				k += c->pkts[i].times - t;
				break;
			}
		}
	}
	jfree(doc);
	return ok;
}

/* The packets that need nothing a capture cannot carry, section by section,
 * through the command. 1 matched, 0 not, <0 error. */
static int cli_check(const struct tcase *c, struct bpf_object *obj, const struct frame *frames,
		     const char *dir, const char *objfile)
{
	const char **done = xrealloc(NULL, (c->npkts + 1) * sizeof(char *));
	int i, j, nd = 0, ok = 1, r;

	if (access(lwtp_path, X_OK)) {
		printf("%s: not runnable: %s (build it with 'make runtime')\n", lwtp_path,
		       strerror(errno));
		free(done);
		return -ENOENT;
	}
	cli_obj = obj;
	cli_case = c;
	for (i = 0; i < c->npkts; i++) {
		const char *s = section_of(c, &c->pkts[i], obj);

		if (!s) {
			free(done);
			return -ENOENT;
		}
		for (j = 0; j < nd && strcmp(done[j], s); j++)
			;
		if (j < nd)
			continue;
		done[nd++] = s;
		cli_section = s;
		r = cli_section_run(c, frames, dir, objfile, nd);
		if (r < 0) {
			free(done);
			return r;
		}
		ok &= r;
	}
	free(done);
	return ok;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The map's entries as canonical lines. */
static int map_lines(struct bpf_object *obj, struct bpf_map *map, char ***linesp, int *np)
{
	struct mapdec d;
	struct mapdec_entry *e;
	size_t n, i;
	char buf[1024], **lines;
	int err;

	err = mapdec__init(&d, bpf_map__name(map), bpf_object__btf(obj), bpf_map__type(map),
			   bpf_map__btf_key_type_id(map), bpf_map__btf_value_type_id(map),
			   bpf_map__key_size(map), bpf_map__value_size(map));
	if (err) {
		printf("map %s: cannot decode its types: %s\n", bpf_map__name(map), strerror(-err));
		return err;
	}
	err = mapdec__read(&d, bpf_map__fd(map), &e, &n);
	if (err) {
		printf("map %s: cannot read: %s\n", bpf_map__name(map), strerror(-err));
		return err;
	}
	lines = xrealloc(NULL, (n + 1) * sizeof(char *));
	for (i = 0; i < n; i++) {
		if (mapdec__format_entry(&d, &e[i], buf, sizeof(buf)) < 0)
			snprintf(buf, sizeof(buf), "(entry too long to print)");
		lines[i] = xstrdup(buf);
	}
	mapdec__free_entries(e, n);
	*linesp = lines;
	*np = (int)n;
	return 0;
}

static bool is_internal(struct bpf_map *map)
{
	const char *name = bpf_map__name(map);

	return strchr(name, '.') != NULL;   /* .rodata, .bss, x.rodata, ... */
}

/* 1 matched, 0 not, <0 error. */
static int check_maps(const struct tcase *c, struct bpf_object *obj)
{
	struct bpf_map *map;
	int ok = 1, m, i, j, n, err;
	char **got;

	if (verbose) {
		bpf_object__for_each_map(map, obj) {
			if (is_internal(map))
				continue;
			if (map_lines(obj, map, &got, &n))
				continue;
			printf("MAP %s\n", bpf_map__name(map));
			for (i = 0; i < n; i++) {
				printf("    %s\n", got[i]);
				free(got[i]);
			}
			free(got);
		}
	}
	for (m = 0; m < c->nmaps; m++) {
		const struct map_expect *me = &c->maps[m];
		char **want;
		bool same;

		map = bpf_object__find_map_by_name(obj, me->name);
		if (!map || is_internal(map)) {
			printf("%s:%d: no map named '%s' in the object; maps:", c->path, me->line, me->name);
			bpf_object__for_each_map(map, obj)
				if (!is_internal(map))
					printf(" %s", bpf_map__name(map));
			printf("\n");
			ok = 0;
			continue;
		}
		err = map_lines(obj, map, &got, &n);
		if (err)
			return err;
		want = xrealloc(NULL, (me->n + 1) * sizeof(char *));
		memcpy(want, me->entries, me->n * sizeof(char *));
		qsort(want, me->n, sizeof(char *), cmp_str);
		qsort(got, n, sizeof(char *), cmp_str);
		same = n == me->n;
		for (i = 0; same && i < n; i++)
			same = strcmp(got[i], want[i]) == 0;
		if (!same) {
			ok = 0;
			printf("%s:%d: map %s differs:\n", c->path, me->line, me->name);
			/* a merge of the two sorted lists */
			for (i = 0, j = 0; i < me->n || j < n;) {
				int k = i >= me->n ? 1 : j >= n ? -1 : strcmp(want[i], got[j]);

				if (k == 0) {
					printf("      %s\n", want[i]);
					i++, j++;
				} else if (k < 0) {
					printf("    - %s   (expected, missing)\n", want[i++]);
				} else {
					printf("    + %s   (not expected)\n", got[j++]);
				}
			}
		}
		for (i = 0; i < n; i++)
			free(got[i]);
		free(got);
		free(want);
	}
	return ok;
}

/* Limits and quotas (struct lwtp_limit_state, lwtp_quota_state): not
 * compared until runtime/decode.c reads them (issue 5, runtime side). */
static bool is_budget(struct bpf_object *obj, struct bpf_map *map)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;
	const char *name;

	if (!btf || !bpf_map__btf_value_type_id(map))
		return false;
	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	return name && (!strcmp(name, "lwtp_limit_state") || !strcmp(name, "lwtp_quota_state"));
}

/* lwtp's own decoder (runtime/decode.c, what lwtp stat and lwtp replay
 * print with) must read every statistic of a compiled policy as mapdec
 * does. 1 agreed, 0 not, <0 error. */
static int decoders_agree(const struct tcase *c, struct bpf_object *obj)
{
	struct bpf_map *map;
	struct bpf_map_info info;
	struct layout l;
	struct entry *e;
	size_t ne, k;
	char **want, **got, buf[1024];
	int ok = 1, n, i, r;
	__u32 len;

	bpf_object__for_each_map(map, obj) {
		/* lwtc's own maps (lwtp_*: no statistic may be named so) */
		if (is_internal(map) || !strncmp(bpf_map__name(map), "lwtp_", 5) ||
		    is_budget(obj, map))
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len))
			return -errno;
		r = decode_layout(bpf_map__name(map), bpf_object__btf(obj), &info, &l);
		if (r <= 0) {
			printf("%s: map %s: lwtp's decoder (runtime/decode.c) %s\n", c->path,
			       bpf_map__name(map), r ? "rejects it (above)" : "does not see an lwtp map");
			ok = 0;
			continue;
		}
		if (l.kind == LWTP_SET)
			continue;
		r = map_lines(obj, map, &want, &n);
		if (r)
			return r;
		r = decode_read(&l, bpf_map__fd(map), &e, &ne);
		if (r) {
			printf("%s: map %s: lwtp's decoder cannot read it: %s\n", c->path,
			       bpf_map__name(map), strerror(-r));
			return r;
		}
		got = xrealloc(NULL, (ne + 1) * sizeof(char *));
		for (k = 0; k < ne; k++) {
			if (decode_entry_text(&l, &e[k], buf, sizeof(buf)) < 0)
				snprintf(buf, sizeof(buf), "(entry too long to print)");
			got[k] = normalize(buf);
		}
		decode_free(e, ne);
		qsort(want, n, sizeof(char *), cmp_str);
		qsort(got, ne, sizeof(char *), cmp_str);
		r = (size_t)n == ne;
		for (i = 0; r && i < n; i++)
			r = !strcmp(want[i], got[i]);
		if (!r) {
			ok = 0;
			printf("%s: map %s: lwtp's decoder (runtime/decode.c) reads it otherwise than mapdec:\n",
			       c->path, bpf_map__name(map));
			for (i = 0; i < n; i++)
				printf("    mapdec: %s\n", want[i]);
			for (k = 0; k < ne; k++)
				printf("    decode: %s\n", got[k]);
		}
		for (i = 0; i < n; i++)
			free(want[i]);
		for (k = 0; k < ne; k++)
			free(got[k]);
		free(want);
		free(got);
	}
	return ok;
}

static void case_free(struct tcase *c)
{
	int i, j;

	for (i = 0; i < c->npkts; i++)
		free(c->pkts[i].text);
	free(c->pkts);
	for (i = 0; i < c->nmaps; i++) {
		for (j = 0; j < c->maps[i].n; j++)
			free(c->maps[i].entries[j]);
		free(c->maps[i].entries);
		free(c->maps[i].name);
	}
	free(c->maps);
	free(c->name);
	free(c->policy);
	free(c->policy_file);
	free(c->object);
	/* SECTION strings are shared by packets and few: left to exit */
}

static int rm_rf(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* 0 passed, 1 failed, 2 error. */
static int run_case(const char *path)
{
	struct tcase c;
	struct bpf_object *obj = NULL;
	struct frame *frames = NULL;
	char tmpl[] = "/tmp/caserun.XXXXXX", objpath[4096];
	const char *objfile;
	char *dir = NULL;
	int ok = 1, r, i, status = 2;

	if (case_parse(&c, path)) {
		case_free(&c);
		return 2;
	}
	dir = mkdtemp(tmpl);
	if (!dir) {
		printf("mkdtemp: %s\n", strerror(errno));
		case_free(&c);
		return 2;
	}
	if (c.policy || c.policy_file) {
		if (run_lwtc(&c, dir, objpath, sizeof(objpath)))
			goto out;
		objfile = objpath;
	} else {
		objfile = c.object;
	}
	if (replay_load(objfile, NULL, &obj, NULL))
		goto out;
	frames = calloc(c.npkts + 1, sizeof(*frames));
	if (!frames)
		goto out;
	for (i = 0; i < c.npkts; i++)
		if (build_frame(&c, &c.pkts[i], &frames[i]))
			goto out;
	r = run_packets(&c, obj, frames, dir);
	if (r < 0)
		goto out;
	ok &= r;
	r = check_maps(&c, obj);
	if (r < 0)
		goto out;
	ok &= r;
	if (!c.object) {
		r = decoders_agree(&c, obj);
		if (r < 0)
			goto out;
		ok &= r;
	}
	/* the command too, on what a capture can carry */
	if (lwtp_path && ok && !c.will_fail) {
		r = cli_check(&c, obj, frames, dir, objfile);
		if (r < 0)
			goto out;
		ok &= r;
	}
	if (c.will_fail) {
		if (ok)
			printf("%s: passed, but it is marked WILL_FAIL\n", path);
		else
			printf("%s: failed as expected (WILL_FAIL)\n", path);
		ok = !ok;
	}
	status = ok ? 0 : 1;
	if (!ok)
		printf("%s: the packets went through %s captures (caserun -l %s%s)\n", path,
		       link_ng ? "pcapng" : "pcap", link_name, link_ng ? " -n" : "");
out:
	bpf_object__close(obj);
	for (i = 0; frames && i < c.npkts; i++)
		free(frames[i].data);
	free(frames);
	if (keep_tmp)
		printf("%s: kept %s\n", path, dir);
	else
		rm_rf(dir);
	case_free(&c);
	return status;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: caserun [-v] [-k] [-c LWTC] [-r LWTP] [-l LINK] [-n] CASE...\n"
		"  -v       print every packet's outcome and every map\n"
		"  -k       keep the temporary directory (policy, object, captures)\n"
		"  -c LWTC  the compiler (default: $LWTC, else build/lwtc)\n"
		"  -r LWTP  also run the packets through 'LWTP replay --json'\n"
		"  -l LINK  the link type of the captures: ether (default), vlan, qinq,\n"
		"           sll, sll2, raw, null (pcapout.h)\n"
		"  -n       write the captures as pcapng\n");
}

int main(int argc, char **argv)
{
	int opt, i, worst = 0, r;

	lwtc_path = getenv("LWTC");
	if (!lwtc_path || !*lwtc_path)
		lwtc_path = "build/lwtc";
	while ((opt = getopt(argc, argv, "vkc:r:l:nh")) != -1) {
		switch (opt) {
		case 'v':
			verbose++;
			break;
		case 'k':
			keep_tmp = true;
			break;
		case 'c':
			lwtc_path = optarg;
			break;
		case 'r':
			lwtp_path = optarg;
			break;
		case 'l':
			link_name = optarg;
			link_dlt = pcapout_link(optarg);
			if (link_dlt == -1 || link_dlt == pcapout_link("ip4") ||
			    link_dlt == pcapout_link("ip6")) {
				fprintf(stderr, "caserun: -l %s: not one of ether vlan qinq sll sll2 raw null\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			link_ng = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	objload_quiet_libbpf(verbose > 1);
	for (i = optind; i < argc; i++) {
		r = run_case(argv[i]);
		if (r > worst)
			worst = r;
	}
	return worst;
}
