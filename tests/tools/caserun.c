/* caserun: run behaviour cases through BPF_PROG_TEST_RUN.
 *
 *   caserun [-v] [-k] [-c LWTC] CASE...
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
 * Every program in the object is loaded as BPF_PROG_TYPE_LWT_OUT with its
 * maps unpinned (private). Exit: 0 passed, 1 failed, 2 error in the case or
 * a tool (lwtc not found, load failed, ...). Messages go to stdout.
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

#include "mapdec.h"
#include "objload.h"
#include "pkt.h"

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

/* Run one packet; print what differs. 1 when it matched, 0 when not, <0 error. */
static int run_packet(const struct tcase *c, int prog_fd, const struct packet *p, int iter)
{
	static uint8_t frame[PKT_MAX_FRAME];
	struct __sk_buff in, out;
	char err[256], b1[64], b2[64], diffs[1024] = "";
	size_t dl = 0;
	int len, i, ret;
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	len = pkt_build(&p->spec, frame, sizeof(frame), err, sizeof(err));
	if (len < 0) {
		case_error(c, p->line, "%s", err);
		return -EINVAL;
	}
	/* The kernel refuses these (and a route never sees them: the stack
	 * built the IP header): say so instead of reporting EINVAL. */
	if ((frame[12] == 0x08 && frame[13] == 0x00 && len - 14 < 20) ||
	    (frame[12] == 0x86 && frame[13] == 0xdd && len - 14 < 40)) {
		case_error(c, p->line, "BPF_PROG_TEST_RUN refuses IPv4 frames shorter than 20 bytes "
			   "and IPv6 frames shorter than 40 from L3 (this one has %d)", len - 14);
		return -EINVAL;
	}
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	in.mark = p->spec.mark;
	in.priority = p->spec.priority;
	in.gso_segs = p->spec.gso_segs;
	in.gso_size = p->spec.gso_size;
	memcpy(in.cb, p->spec.cb, sizeof(in.cb));
	opts.data_in = frame;
	opts.data_size_in = len;
	opts.ctx_in = &in;
	opts.ctx_size_in = sizeof(in);
	opts.ctx_out = &out;
	opts.ctx_size_out = sizeof(out);
	opts.repeat = 1;
	ret = bpf_prog_test_run_opts(prog_fd, &opts);
	if (ret) {
		ret = -errno;
		printf("%s:%d: BPF_PROG_TEST_RUN failed: %s (frame of %d bytes)\n",
		       c->path, p->line, strerror(-ret), len);
		return ret;
	}

#define DIFF(...) do { dl += snprintf(diffs + dl, dl < sizeof(diffs) ? sizeof(diffs) - dl : 0, __VA_ARGS__); \
			if (dl > sizeof(diffs)) dl = sizeof(diffs); } while (0)
	if ((int)opts.retval != p->want.verdict)
		DIFF(" verdict %s, expected %s;", verdict_str(opts.retval, b1, sizeof(b1)),
		     verdict_str(p->want.verdict, b2, sizeof(b2)));
	{
		uint32_t want = p->want.has_mark ? p->want.mark : in.mark;

		if (out.mark != want)
			DIFF(" mark %#x, expected %#x%s;", out.mark, want,
			     p->want.has_mark ? "" : " (unchanged)");
	}
	{
		uint32_t want = p->want.has_priority ? p->want.priority : in.priority;

		if (out.priority != want)
			DIFF(" priority %u, expected %u%s;", out.priority, want,
			     p->want.has_priority ? "" : " (unchanged)");
	}
	for (i = 0; i < 5; i++) {
		uint32_t want = p->want.has_cb[i] ? p->want.cb[i] : in.cb[i];

		if (out.cb[i] != want)
			DIFF(" cb[%d] %u, expected %u%s;", i, out.cb[i], want,
			     p->want.has_cb[i] ? "" : " (unchanged)");
	}
#undef DIFF
	if (verbose)
		printf("%s:%d: %s%s => %s mark %#x priority %u cb %u %u %u %u %u (skb->len %ld)\n",
		       c->path, p->line, iter ? "again: " : "", p->text,
		       verdict_str(opts.retval, b1, sizeof(b1)), out.mark, out.priority,
		       out.cb[0], out.cb[1], out.cb[2], out.cb[3], out.cb[4], pkt_l3_len(&p->spec));
	if (dl) {
		if (dl && diffs[dl - 1] == ';')
			diffs[dl - 1] = 0;
		printf("%s:%d: %s%s:%s\n", c->path, p->line,
		       iter ? "again: " : "", p->text, diffs);
		return 0;
	}
	return 1;
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
	struct bpf_program *prog;
	char tmpl[] = "/tmp/caserun.XXXXXX", objpath[4096];
	const char *objfile;
	char *dir = NULL;
	int ok = 1, r, i, t, status = 2;

	if (case_parse(&c, path)) {
		case_free(&c);
		return 2;
	}
	if (c.policy || c.policy_file) {
		dir = mkdtemp(tmpl);
		if (!dir) {
			printf("mkdtemp: %s\n", strerror(errno));
			return 2;
		}
		if (run_lwtc(&c, dir, objpath, sizeof(objpath)))
			goto out;
		objfile = objpath;
	} else {
		objfile = c.object;
	}
	if (objload(objfile, &obj, stdout))
		goto out;
	for (i = 0; i < c.npkts; i++) {
		prog = find_prog(&c, obj, c.pkts[i].section);
		if (!prog)
			goto out;
		for (t = 0; t < c.pkts[i].times; t++) {
			r = run_packet(&c, bpf_program__fd(prog), &c.pkts[i], t);
			if (r < 0)
				goto out;
			if (r == 0) {
				ok = 0;
				break;  /* one message per PACKET line */
			}
		}
	}
	r = check_maps(&c, obj);
	if (r < 0)
		goto out;
	ok &= r;
	if (c.will_fail) {
		if (ok)
			printf("%s: passed, but it is marked WILL_FAIL\n", path);
		else
			printf("%s: failed as expected (WILL_FAIL)\n", path);
		ok = !ok;
	}
	status = ok ? 0 : 1;
out:
	bpf_object__close(obj);
	if (dir) {
		if (keep_tmp)
			printf("%s: kept %s\n", path, dir);
		else
			rm_rf(dir);
	}
	case_free(&c);
	return status;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: caserun [-v] [-k] [-c LWTC] CASE...\n"
		"  -v       print every packet's outcome and every map\n"
		"  -k       keep the temporary directory (policy, object)\n"
		"  -c LWTC  the compiler (default: $LWTC, else build/lwtc)\n");
}

int main(int argc, char **argv)
{
	int opt, i, worst = 0, r;

	lwtc_path = getenv("LWTC");
	if (!lwtc_path || !*lwtc_path)
		lwtc_path = "build/lwtc";
	while ((opt = getopt(argc, argv, "vkc:h")) != -1) {
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
