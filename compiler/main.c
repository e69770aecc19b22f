/* main.c: lwtc, the lwtp policy compiler.
 *
 *   source -> parse (lexer.l, parser.y) -> check -> warn -> resources
 *          -> emit (analyse.c decides what to write, emit.c writes it) -> clang
 *
 * Exit status: 0 success, 1 the policy has errors (or, with -Werror,
 * warnings), 2 usage or tool errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ast.h"
#include "check.h"
#include "clang.h"
#include "diag.h"
#include "emit.h"
#include "kernel.h"
#include "output.h"
#include "parse.h"
#include "parts.h"
#include "resources.h"
#include "util.h"
#include "warn.h"

#define EXIT_POLICY 1
#define EXIT_TOOL   2

#define MAX_INPUT (64u << 20)

struct options {
	const char *input;      /* path, or "-" */
	const char *output;     /* path, "-", or NULL for the default */
	bool emit_c;            /* -S */
	bool check_only;        /* --check */
	bool dump_ast;          /* --dump-ast */
	bool audit;             /* --audit: every policy in audit mode */
	bool verbose;
	bool no_warnings;       /* -w */
	bool werror;            /* -Werror */
	const char *clang;
	size_t max_errors;
};

static void usage(FILE *out)
{
	char floor[16];

	kernel_text(KERNEL_FLOOR, floor, sizeof(floor));
	fprintf(out,
"usage: lwtc [OPTIONS] FILE.lwtp\n"
"\n"
"Compile an lwtp policy file into a BPF object for 'ip route ... encap bpf out'.\n"
"Each policy in the file becomes one ELF section of the same name.\n"
"\n"
"  -o FILE          write the output to FILE ('-' for standard output);\n"
"                   default: FILE.lwtp's name with .o (or .c with -S)\n"
"  -S               write the generated C instead of an object\n"
"      --check      parse and check only; write nothing\n"
"      --audit      build every policy in audit mode: drop, limit, quota and\n"
"                   set count what they would do, and do not do it\n"
"      --target-kernel X.Y  the oldest kernel the object must load on\n"
"                   (default and oldest supported: %s); constructs that\n"
"                   need a newer one are errors\n"
"      --clang PATH the clang to run (default: $LWTC_CLANG, else clang)\n"
"      --max-errors N  stop after N errors (default %d)\n"
"  -w               do not report warnings\n"
"  -Werror, --Werror  make every warning an error (exit status 1)\n"
"  -v, --verbose    print the clang command and its warnings\n"
"  -h, --help       print this help and exit\n"
"  -V, --version    print the version and exit\n"
"\n"
"FILE '-' reads standard input; LWTC_AUDIT=1 in the environment is --audit.\n"
"Exit status: 0 success, 1 the policy has errors (or, with -Werror, warnings),\n"
"2 usage or tool errors.\n"
"See lwtc(1) and docs/language.md.\n",
		floor, DIAG_MAX_ERRORS);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "lwtc: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'lwtc --help'.\n");
	return EXIT_TOOL;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_CHECK = 256, OPT_CLANG, OPT_MAX_ERRORS, OPT_DUMP_AST, OPT_TARGET_KERNEL,
	       OPT_AUDIT, OPT_WERROR };
	static const struct option longopts[] = {
		{ "check",      no_argument,       NULL, OPT_CHECK },
		{ "audit",      no_argument,       NULL, OPT_AUDIT },
		{ "clang",      required_argument, NULL, OPT_CLANG },
		{ "max-errors", required_argument, NULL, OPT_MAX_ERRORS },
		{ "dump-ast",   no_argument,       NULL, OPT_DUMP_AST },
		{ "target-kernel", required_argument, NULL, OPT_TARGET_KERNEL },
		{ "Werror",     no_argument,       NULL, OPT_WERROR },
		{ "verbose",    no_argument,       NULL, 'v' },
		{ "help",       no_argument,       NULL, 'h' },
		{ "version",    no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:SvhVwW:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'S':
			o->emit_c = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'w':
			o->no_warnings = true;
			break;
		case 'W':       /* -Werror, as gcc spells it; no other -W */
			if (strcmp(optarg, "error"))
				return usage_error("unknown warning option '-W%s' (lwtc knows -Werror "
						   "and -w)", optarg);
			o->werror = true;
			break;
		case OPT_WERROR:
			o->werror = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("lwtc %s\n", LWTC_VERSION);
			exit(0);
		case OPT_CHECK:
			o->check_only = true;
			break;
		case OPT_AUDIT:
			o->audit = true;
			break;
		case OPT_CLANG:
			o->clang = optarg;
			break;
		case OPT_DUMP_AST:
			o->dump_ast = true;
			break;
		case OPT_TARGET_KERNEL: {
			unsigned v;
			int rc = kernel_parse(optarg, &v);
			if (rc == -1)
				return usage_error("--target-kernel wants a kernel version such as "
						   "6.1 or 6.12, not '%s'", optarg);
			if (rc == -2) {
				char floor[16];
				fprintf(stderr, "lwtc: --target-kernel %s: lwtc supports Linux %s and "
					"later (its programs are tested on 6.1, 6.12 and newer)\n",
					optarg, kernel_text(KERNEL_FLOOR, floor, sizeof(floor)));
				return EXIT_TOOL;
			}
			kernel_set_target(v);
			break;
		}
		case OPT_MAX_ERRORS: {
			char *end;
			errno = 0;
			unsigned long n = strtoul(optarg, &end, 10);
			if (errno || *end || n == 0 || n > 100000)
				return usage_error("--max-errors wants a number from 1 to 100000, not '%s'", optarg);
			o->max_errors = n;
			break;
		}
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage_error("%s", "no input file");
	if (optind + 1 < argc)
		return usage_error("one input file at a time; '%s' is extra", argv[optind + 1]);
	o->input = argv[optind];
	return 0;
}

/* Read all of path ("-" = stdin) into a NUL-terminated buffer. */
static char *read_input(const char *path, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	char *text;

	if (fd < 0) {
		fprintf(stderr, "lwtc: cannot open '%s': %s\n", path, strerror(errno));
		return NULL;
	}
	text = read_fd(fd, MAX_INPUT, len);
	if (!text && errno == EFBIG)
		fprintf(stderr, "lwtc: '%s' is larger than %u MiB\n", path, MAX_INPUT >> 20);
	else if (!text)
		fprintf(stderr, "lwtc: cannot read '%s': %s\n", path, strerror(errno));
	if (fd != STDIN_FILENO)
		close(fd);
	return text;
}

/* input.lwtp -> input.o (or .c), in the current directory. */
static char *default_output(const char *input, bool emit_c)
{
	const char *base = strrchr(input, '/');
	base = base ? base + 1 : input;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".lwtp") == 0)
		n -= 5;
	return xasprintf("%.*s.%s", (int)n, base, emit_c ? "c" : "o");
}

/* Generate the C text of a checked program into memory. */
static char *generate_c(const struct program *prog, size_t *len)
{
	char *text = NULL;
	FILE *mem = open_memstream(&text, len);
	if (!mem) {
		fprintf(stderr, "lwtc: cannot allocate the output buffer: %s\n", strerror(errno));
		return NULL;
	}
	int err = emit_program(mem, prog);
	if (fclose(mem) != 0 && !err)
		err = -errno;
	if (err) {
		fprintf(stderr, "lwtc: cannot generate C: %s\n", strerror(-err));
		free(text);
		return NULL;
	}
	return text;
}

static size_t policy_count(const struct program *prog)
{
	size_t n = 0;

	for (size_t i = 0; i < prog->nitems; i++)
		n += prog->items[i].kind == ITEM_POLICY;
	return n;
}

/* The policies' names, in file order: the programs the object must have. */
static const char **policy_names(const struct program *prog)
{
	const char **names = xcalloc(policy_count(prog), sizeof(*names));
	size_t n = 0;

	for (size_t i = 0; i < prog->nitems; i++)
		if (prog->items[i].kind == ITEM_POLICY)
			names[n++] = prog->items[i].u.policy->name;
	return names;
}

/* clang: a program too large to load is the policy's error, at its name.
 * The C is named as 'lwtc -S' would name it (stdin.c for standard input),
 * which is what messages about lwtc's own helper code then say. */
static int compile(const struct options *o, const struct program *prog,
		   const char *output, const char *c_text, size_t clen, unsigned parts)
{
	struct clang_oversize over = { 0 };
	char *c_name = strcmp(o->input, "-") ? default_output(o->input, true) : xstrdup("stdin.c");
	const char **names = policy_names(prog);
	struct clang_source src = {
		.name = c_name, .text = c_text, .len = clen,
		.sections = names, .nsections = policy_count(prog), .parts = parts,
	};
	int rc = clang_compile(o->clang, output, &src, o->verbose, &over);

	free(c_name);
	free(names);

	if (rc == 0)
		return 0;
	if (rc != CLANG_OVERSIZE)
		return EXIT_TOOL;
	const struct policy *p = NULL;
	for (size_t i = 0; i < prog->nitems && !p; i++)
		if (prog->items[i].kind == ITEM_POLICY && prog->items[i].u.policy->name &&
		    !strcmp(prog->items[i].u.policy->name, over.section))
			p = prog->items[i].u.policy;
	if (p)
		diag_error(&p->name_loc, "policy '%s' compiles to %zu BPF instructions, more than "
			   "the %d whose jumps the kernel can still rewrite: split it into "
			   "several policies",
			   over.section, over.insns, CLANG_MAX_INSNS);
	else
		diag_error_noloc("section '%s' compiles to %zu BPF instructions, more than "
				 "the %d whose jumps the kernel can still rewrite", over.section, over.insns,
				 CLANG_MAX_INSNS);
	diag_flush(stderr);
	free(over.section);
	return EXIT_POLICY;
}

/* --audit: every policy of the file in audit mode, as if each were
 * written 'audit policy NAME'; messages point at its name. */
static void audit_all(struct program *prog)
{
	for (size_t i = 0; i < prog->nitems; i++) {
		struct policy *p = prog->items[i].kind == ITEM_POLICY ? prog->items[i].u.policy : NULL;
		if (p && !p->audit) {
			p->audit = true;
			p->audit_loc = p->name_loc;
		}
	}
}

static int run(const struct options *o)
{
	const char *display = strcmp(o->input, "-") ? o->input : "<stdin>";
	size_t len;
	char *text = read_input(o->input, &len);
	if (!text)
		return EXIT_TOOL;

	struct program prog = { 0 };
	int status = 0;
	diag_set_source(display, text, len);
	if (o->max_errors)
		diag_set_max_errors(o->max_errors);
	/* -w wins over -Werror, as in gcc: no warning, so none to fail on */
	diag_set_warnings(o->no_warnings ? DIAG_WARNINGS_OFF
			  : o->werror ? DIAG_WARNINGS_ERROR : DIAG_WARNINGS_ON);

	int parsed = parse_program(display, text, len, &prog);
	if (o->audit)
		audit_all(&prog);
	if (parsed != 0 ||
	    check_program(&prog) != 0 ||
	    warn_program(&prog) != 0 ||
	    resources_collect(&prog) != 0)
		status = EXIT_POLICY;
	if (o->werror && diag_warning_count() > 0)
		status = EXIT_POLICY;
	diag_flush(stderr);
	if (status == 0 && o->dump_ast)
		ast_dump(stdout, &prog);
	if (status != 0 || o->check_only || o->dump_ast)
		goto out;

	size_t clen;
	unsigned parts = parts_plan(&prog);
	char *c_text = generate_c(&prog, &clen);
	if (!c_text) {
		status = EXIT_TOOL;
		goto out;
	}
	char *output = o->output ? xstrdup(o->output)
		     : (!strcmp(o->input, "-") && o->emit_c) ? xstrdup("-")
		     : default_output(o->input, o->emit_c);
	if (output_check(output, o->input))
		status = EXIT_TOOL;
	else if (o->emit_c)
		status = output_write(output, c_text, clen) ? EXIT_TOOL : 0;
	else
		status = compile(o, &prog, output, c_text, clen, parts);
	free(output);
	free(c_text);
out:
	resources_free(&prog);
	ast_program_free(&prog);
	free(text);
	return status;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	/* LWTC_AUDIT=1: as --audit (lwtp diff builds its audit copies so,
	 * through the compile step it shares with lwtp replay) */
	const char *audit = getenv("LWTC_AUDIT");
	int rc = parse_args(argc, argv, &o);

	if (audit && !strcmp(audit, "1"))
		o.audit = true;
	if (rc)
		return rc;
	if (!strcmp(o.input, "-") && !o.output && !o.emit_c && !o.check_only && !o.dump_ast)
		return usage_error("%s", "reading standard input: give -o FILE for the object");
	if (o.output && !strcmp(o.output, "-") && !o.emit_c && isatty(STDOUT_FILENO))
		return usage_error("%s", "not writing a binary object to a terminal");
	return run(&o);
}
