/* clang.c: the last step: clang -O2 -g -target bpf on the generated C.
 *
 * The C goes to a temporary file; clang writes a temporary object that
 * output.c puts in place only when clang succeeds and the object is a BPF
 * object with a program for every policy. clang rejecting generated C is
 * a bug in lwtc, and says so. A fatal signal stops clang and removes every
 * temporary file (util.h).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "clang.h"
#include "output.h"
#include "util.h"

#ifndef LWTC_DEFAULT_CLANG
#define LWTC_DEFAULT_CLANG "clang"
#endif
#ifndef LWTC_MULTIARCH_INCLUDE
#define LWTC_MULTIARCH_INCLUDE "/usr/include/x86_64-linux-gnu"
#endif

/* -target bpf makes objects in the host's byte order (util.h) */
#if HOST_LITTLE_ENDIAN
#define HOST_ELFDATA ELFDATA2LSB
#else
#define HOST_ELFDATA ELFDATA2MSB
#endif

/* far beyond any object lwtc makes; it is read whole */
#define OBJECT_MAX (1u << 30)

extern char **environ;

/* ---- the object clang wrote ---------------------------------------------- */

/* An ELF object read whole, with its section count and the section names
 * resolved (ELF's escapes for more than 0xff00 sections included). */
struct object {
	const unsigned char *buf;
	size_t size;
	Elf64_Ehdr eh;
	size_t shnum;
	Elf64_Shdr names;
};

static void section_header(const struct object *o, size_t i, Elf64_Shdr *sh)
{
	memcpy(sh, o->buf + o->eh.e_shoff + i * sizeof(*sh), sizeof(*sh));
}

/* sh's name, or NULL when it is not within the section names */
static const char *section_name(const struct object *o, const Elf64_Shdr *sh)
{
	const char *names = (const char *)o->buf + o->names.sh_offset;

	if (sh->sh_name >= o->names.sh_size ||
	    !memchr(names + sh->sh_name, '\0', o->names.sh_size - sh->sh_name))
		return NULL;
	return names + sh->sh_name;
}

/* Whether the section headers and the section names lie within the file:
 * NULL, or what is wrong. */
static const char *read_sections(struct object *o)
{
	const Elf64_Ehdr *eh = &o->eh;
	size_t names_index = eh->e_shstrndx;
	Elf64_Shdr first;

	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff == 0 || eh->e_shoff > o->size ||
	    o->size - eh->e_shoff < sizeof(Elf64_Shdr))
		return "no section headers";
	section_header(o, 0, &first);
	o->shnum = eh->e_shnum ? eh->e_shnum : first.sh_size;
	if (names_index == SHN_XINDEX)
		names_index = first.sh_link;
	if (o->shnum > (o->size - eh->e_shoff) / sizeof(Elf64_Shdr) || names_index >= o->shnum)
		return "section headers beyond its end";
	section_header(o, names_index, &o->names);
	if (o->names.sh_offset > o->size || o->names.sh_size > o->size - o->names.sh_offset)
		return "section names beyond its end";
	return NULL;
}

/* What makes o no relocatable BPF object for this host: NULL, or what. */
static const char *object_kind(struct object *o)
{
	if (o->size == 0)
		return "an empty file";
	if (o->size < sizeof(Elf64_Ehdr) || memcmp(o->buf, ELFMAG, SELFMAG) != 0)
		return "not an ELF file";
	memcpy(&o->eh, o->buf, sizeof(o->eh));
	if (o->eh.e_ident[EI_CLASS] != ELFCLASS64)
		return "not a 64-bit ELF file";
	if (o->eh.e_ident[EI_DATA] != HOST_ELFDATA)
		return "not " HOST_ORDER ", as this host is";
	if (o->eh.e_machine != EM_BPF)
		return "an ELF file for another machine than BPF";
	if (o->eh.e_type != ET_REL)
		return "not a relocatable object";
	return read_sections(o);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of o's programs (sections of code, not empty), sorted. */
static const char **program_names(const struct object *o, size_t *n)
{
	const char **names = xcalloc(o->shnum, sizeof(*names));

	*n = 0;
	for (size_t i = 0; i < o->shnum; i++) {
		Elf64_Shdr sh;
		section_header(o, i, &sh);
		const char *name = section_name(o, &sh);
		if (name && sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_EXECINSTR) && sh.sh_size)
			names[(*n)++] = name;
	}
	qsort(names, *n, sizeof(*names), compare_names);
	return names;
}

/* A policy that has no program of its name in o, or two: NULL, or what
 * is wrong (free() it). Sorted names keep a file of many policies fast. */
static char *missing_program(const struct object *o, const struct clang_source *src)
{
	size_t n;
	const char **names = program_names(o, &n), **at;
	char *why = NULL;

	for (size_t i = 0; i < src->nsections && !why; i++) {
		at = bsearch(&src->sections[i], names, n, sizeof(*names), compare_names);
		if (!at)
			why = xasprintf("no program section '%s'", src->sections[i]);
		else if ((at > names && !strcmp(at[-1], *at)) ||
			 (at + 1 < names + n && !strcmp(at[1], *at)))
			why = xasprintf("more than one program section '%s'", src->sections[i]);
	}
	free(names);
	return why;
}

/* The first program of o with more than CLANG_MAX_INSNS instructions,
 * into *over: 1; none: 0. */
static int find_oversize(const struct object *o, struct clang_oversize *over)
{
	for (size_t i = 0; i < o->shnum; i++) {
		Elf64_Shdr sh;
		section_header(o, i, &sh);
		if (!(sh.sh_flags & SHF_EXECINSTR) || sh.sh_size / 8 <= CLANG_MAX_INSNS)
			continue;
		const char *name = section_name(o, &sh);
		over->section = xstrdup(name ? name : "?");
		over->insns = sh.sh_size / 8;
		return 1;
	}
	return 0;
}

/* Whether clang's object at obj may be put in place: 0; CLANG_OVERSIZE;
 * -EPROTO, printed, when it is no BPF object with src's programs (a
 * --clang that is no clang for BPF, a broken one): an exit status of 0
 * proves nothing. */
static int check_object(const char *clang, const char *obj, const struct clang_source *src,
			struct clang_oversize *over)
{
	struct object o = { 0 };
	int fd = open(obj, O_RDONLY | O_CLOEXEC), err = 0;
	char *buf = fd < 0 ? NULL : read_fd(fd, OBJECT_MAX, &o.size), *why = NULL;

	if (!buf)
		why = xasprintf("cannot read it: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	o.buf = (const unsigned char *)buf;
	if (!why) {
		const char *kind = object_kind(&o);
		why = kind ? xstrdup(kind) : missing_program(&o, src);
	}
	if (why) {
		fprintf(stderr, "lwtc: internal error: clang made no BPF object for %s (%s); "
			"clang was '%s'\n", src->name, why, clang);
		err = -EPROTO;
	} else if (find_oversize(&o, over)) {
		err = CLANG_OVERSIZE;
	}
	free(why);
	free(buf);
	return err;
}

/* ---- running clang --------------------------------------------------------- */

/* Split LWTC_CFLAGS on spaces into argv (no quoting). */
static size_t add_env_flags(char **argv, size_t n, size_t max, char **storage)
{
	const char *flags = getenv("LWTC_CFLAGS");
	if (!flags || !*flags)
		return n;
	*storage = xstrdup(flags);
	for (char *tok = strtok(*storage, " \t"); tok && n < max; tok = strtok(NULL, " \t"))
		argv[n++] = tok;
	return n;
}

/* Start argv with stdout and stderr on fd, stdin on /dev/null, and the
 * signal mask lwtc had, as the leader of a process group of its own: a
 * signal to lwtc's group (^C) reaches it only through lwtc, which stops
 * it, and whatever it started, before removing its own files (util.h).
 * 0 or an errno. */
static int spawn(char **argv, int fd, const sigset_t *mask, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fd, STDERR_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fd, STDOUT_FILENO);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, mask);
	rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Wait for the child, leaving it unreaped (a zombie keeps its number, so
 * the signal handler may still signal it), then reap it with the signals
 * held, once the handler no longer knows it. Its wait status. */
static int wait_child(pid_t pid)
{
	siginfo_t info;
	sigset_t saved;
	int status = 0;

	while (waitid(P_PID, pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	cleanup_hold(&saved);
	cleanup_child(0);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	cleanup_release(&saved);
	return status;
}

/* Run argv with stdout and stderr captured into a temporary file, removed
 * as soon as it is made (with the signals held: no signal finds it);
 * return the exit status (or -errno when it could not start) and the
 * captured text. */
static int run_captured(char **argv, char **captured)
{
	char *errpath = xasprintf("%s/lwtc-clang-XXXXXX", output_tmpdir());
	sigset_t saved;
	pid_t pid;
	int errfd, rc, status;

	cleanup_hold(&saved);
	errfd = mkstemp(errpath);
	rc = errfd < 0 ? errno : 0;
	if (errfd >= 0) {
		unlink(errpath);
		rc = spawn(argv, errfd, &saved, &pid);
		if (rc == 0)
			cleanup_child(pid);
	}
	cleanup_release(&saved);
	free(errpath);
	if (rc != 0) {
		if (errfd >= 0)
			close(errfd);
		return -rc;
	}
	status = wait_child(pid);
	off_t size = lseek(errfd, 0, SEEK_END);
	if (size > 0) {
		*captured = xmalloc((size_t)size + 1);
		ssize_t got = pread(errfd, *captured, (size_t)size, 0);
		(*captured)[got > 0 ? got : 0] = '\0';
	}
	close(errfd);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* clang's arguments, up to the input: "clang -O2 -g -target bpf ..." in
 * argv (room for 64), LWTC_CFLAGS split into *storage. How many. */
static size_t clang_args(const char *clang, char **argv, char **storage)
{
	size_t n = 0;

	argv[n++] = (char *)clang;
	argv[n++] = "-O2";
	argv[n++] = "-g";
	argv[n++] = "-target";
	argv[n++] = "bpf";
	argv[n++] = "-I" LWTC_MULTIARCH_INCLUDE;
	/* the checker bounds nesting ('if' 64 deep, expressions 200), but
	 * the C nests deeper than the policy: more than clang's default 256 */
	argv[n++] = "-fbracket-depth=1024";
	return add_env_flags(argv, n, 52, storage);
}

static void print_argv(char **argv)
{
	for (size_t i = 0; argv[i]; i++)
		fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
	fputc('\n', stderr);
}

/* What argv (clang, or the shell that runs the parts' clangs) did: 0, or
 * -errno/-1 with the error printed. */
static int clang_result(const char *clang, char **argv, bool verbose)
{
	char *captured = NULL;
	int rc = run_captured(argv, &captured), err = 0;

	if (rc < 0 || rc == 127) {      /* 127: the parts' shell found no clang */
		fprintf(stderr, "lwtc: cannot run '%s': %s; install clang or set LWTC_CLANG\n",
			clang, strerror(rc < 0 ? -rc : ENOENT));
		err = rc < 0 ? rc : -ENOENT;
	} else if (rc != 0) {
		fprintf(stderr, "%s", captured ? captured : "");
		fprintf(stderr, "lwtc: internal error: clang rejected the generated C (exit %d); "
			"this is a bug in lwtc: please report it with the policy\n", rc);
		err = -1;
	} else if (verbose && captured) {
		fprintf(stderr, "%s", captured);
	}
	free(captured);
	return err;
}

/* clang -c c_path -o obj: 0, or -errno/-1 with the error printed. */
static int run_clang(const char *clang, const char *c_path, const char *obj, bool verbose)
{
	char *argv[64], *flag_storage = NULL;
	size_t n = clang_args(clang, argv, &flag_storage);
	int err;

	argv[n++] = "-c";
	argv[n++] = (char *)c_path;
	argv[n++] = "-o";
	argv[n++] = (char *)obj;
	argv[n] = NULL;
	if (verbose)
		print_argv(argv);
	err = clang_result(clang, argv, verbose);
	free(flag_storage);
	return err;
}

/* The parts' clangs, all at once: one shell, the leader of their process
 * group (a signal stops them all, as it stops one clang), that starts
 * "clang ARGS -DLWTP_PART=K -c C -o DIR/partK.o" for K = 1..parts and
 * fails when one of them fails. */
static int run_clang_parts(const char *clang, const char *c_path, const char *dir,
			   unsigned parts, bool verbose)
{
	static const char script[] =
		"n=$1; c=$2; d=$3; shift 3; pids=; k=1\n"
		/* stopped by lwtc (its whole group), leave only once every
		 * clang has gone, with its temporary files */
		"trap 'wait; exit 1' TERM INT HUP\n"
		"command -v \"$1\" > /dev/null || exit 127\n"
		"while [ $k -le $n ]; do\n"
		"\t\"$@\" -DLWTP_PART=$k -c \"$c\" -o \"$d/part$k.o\" & pids=\"$pids $!\"\n"
		"\tk=$((k + 1))\ndone\n"
		"st=0\nfor p in $pids; do wait $p || st=1; done\nexit $st\n";
	char *argv[72], *flag_storage = NULL, nparts[16];
	size_t n = 0;
	int err;

	snprintf(nparts, sizeof(nparts), "%u", parts);
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = (char *)script;
	argv[n++] = "lwtc-parts";
	argv[n++] = nparts;
	argv[n++] = (char *)c_path;
	argv[n++] = (char *)dir;
	n += clang_args(clang, argv + n, &flag_storage);
	argv[n] = NULL;
	if (verbose) {
		fprintf(stderr, "lwtc: %u parts, at once, each: ", parts);
		print_argv(argv + 7);
	}
	err = clang_result(clang, argv, verbose);
	free(flag_storage);
	return err;
}

/* Link the parts' objects into obj with libbpf's linker: the maps the
 * parts declare extern become part 1's. 0, or -1 with the error printed. */
static int link_parts(char **paths, unsigned parts, const char *obj)
{
	struct bpf_linker *linker = bpf_linker__new(obj, NULL);
	int err = linker ? 0 : -errno;

	for (unsigned k = 0; k < parts && !err; k++)
		err = bpf_linker__add_file(linker, paths[k], NULL);
	if (!err)
		err = bpf_linker__finalize(linker);
	bpf_linker__free(linker);
	if (err)
		fprintf(stderr, "lwtc: internal error: libbpf cannot link the %u parts of the "
			"object: %s\n", parts, strerror(err < 0 ? -err : err));
	return err ? -1 : 0;
}

/* The parts' objects, dir/part1.o .. partN.o (what run_clang_parts()
 * writes), registered for a fatal signal to remove. */
static char **parts_track(const char *dir, unsigned parts)
{
	char **paths = xcalloc(parts, sizeof(*paths));
	sigset_t saved;

	for (unsigned k = 0; k < parts; k++)
		paths[k] = xasprintf("%s/part%u.o", dir, k + 1);
	cleanup_hold(&saved);
	for (unsigned k = 0; k < parts; k++)
		cleanup_add(paths[k], false);
	cleanup_release(&saved);
	return paths;
}

/* Remove the parts' objects, forget and free them. */
static void parts_remove(char **paths, unsigned parts)
{
	sigset_t saved;

	cleanup_hold(&saved);
	for (unsigned k = 0; k < parts; k++) {
		unlink(paths[k]);
		cleanup_forget(paths[k]);
	}
	cleanup_release(&saved);
	for (unsigned k = 0; k < parts; k++)
		free(paths[k]);
	free(paths);
}

/* ---- the temporary C --------------------------------------------------------- */

/* Remove what write_temp_c() made, and free the names; keep: print where
 * the C is instead. */
static void remove_temp_c(char *dir, char *c_path, bool keep)
{
	sigset_t saved;

	if (keep) {
		fprintf(stderr, "lwtc: generated C kept in %s\n", c_path);
	} else {
		cleanup_hold(&saved);
		unlink(c_path);
		rmdir(dir);
		cleanup_forget(c_path);
		cleanup_forget(dir);
		cleanup_release(&saved);
	}
	free(c_path);
	free(dir);
}

/* The generated C, written as dir/c_name in a new private directory: clang
 * records the file's name and reads its lines into the BTF line info while
 * it exists, and the kernel prints the base name and the line's text. Both
 * are registered for a fatal signal to remove, unless they are to be kept
 * (LWTC_KEEP_C keeps them even then). */
static char *write_temp_c(const char *c_name, const char *text, size_t len, bool keep,
			  char **dir)
{
	char *tmpl = xasprintf("%s/lwtc-XXXXXX", output_tmpdir()), *c_path;
	sigset_t saved;
	int fd, err;

	cleanup_hold(&saved);
	if (!mkdtemp(tmpl)) {
		err = errno;
		cleanup_release(&saved);
		fprintf(stderr, "lwtc: cannot create a temporary directory in '%s': %s\n",
			output_tmpdir(), strerror(err));
		free(tmpl);
		return NULL;
	}
	if (!keep)
		cleanup_add(tmpl, true);
	c_path = xasprintf("%s/%s", tmpl, c_name);
	fd = open(c_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	err = fd < 0 ? -errno : 0;
	if (fd >= 0 && !keep)
		cleanup_add(c_path, false);
	cleanup_release(&saved);

	if (!err)
		err = output_write_all(fd, text, len);
	if (fd >= 0 && close(fd) < 0 && !err)
		err = -errno;
	if (err) {
		fprintf(stderr, "lwtc: cannot write '%s': %s\n", c_path, strerror(-err));
		remove_temp_c(tmpl, c_path, false);
		return NULL;
	}
	*dir = tmpl;
	return c_path;
}

int clang_compile(const char *clang_path, const char *path, const struct clang_source *src,
		  bool verbose, struct clang_oversize *over)
{
	const char *clang = clang_path ? clang_path : getenv("LWTC_CLANG");
	bool keep = getenv("LWTC_KEEP_C") != NULL;
	char *c_dir = NULL, *c_path, *obj;
	int err = -EIO;

	if (!clang || !*clang)
		clang = LWTC_DEFAULT_CLANG;
	c_path = write_temp_c(src->name, src->text, src->len, keep, &c_dir);
	if (!c_path)
		return -EIO;
	obj = output_temp(path);
	if (obj) {
		if (src->parts > 1) {
			char **parts = parts_track(c_dir, src->parts);

			err = run_clang_parts(clang, c_path, c_dir, src->parts, verbose);
			if (!err)
				err = link_parts(parts, src->parts, obj);
			parts_remove(parts, src->parts);
		} else {
			err = run_clang(clang, c_path, obj, verbose);
		}
		if (!err)
			err = check_object(clang, obj, src, over);
		if (!err)
			err = output_commit(obj, path);     /* removes obj */
		else
			output_discard(obj);
		free(obj);
	}
	remove_temp_c(c_dir, c_path, keep);
	return err;
}
