/* clang.c: the last step: clang -O2 -g -target bpf on the generated C.
 *
 * The C goes to a temporary file; clang writes a temporary object that
 * output.c puts in place only when clang succeeds. clang rejecting
 * generated C is a bug in lwtc, and says so.
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

#include "clang.h"
#include "output.h"
#include "util.h"

#ifndef LWTC_DEFAULT_CLANG
#define LWTC_DEFAULT_CLANG "clang"
#endif
#ifndef LWTC_MULTIARCH_INCLUDE
#define LWTC_MULTIARCH_INCLUDE "/usr/include/x86_64-linux-gnu"
#endif

extern char **environ;

/* The first program section of the ELF object at path with more than
 * CLANG_MAX_INSNS instructions, into *over: 1; none: 0; an object that
 * cannot be read or is not ELF64: 0, for the kernel to judge. */
static int find_oversize(const char *path, struct clang_oversize *over)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;
	int found = 0;

	if (!f)
		return 0;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < (long)sizeof(Elf64_Ehdr) ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	buf = xmalloc((size_t)size);
	if (fread(buf, 1, (size_t)size, f) != (size_t)size)
		goto out;

	Elf64_Ehdr eh;
	memcpy(&eh, buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shstrndx >= eh.e_shnum ||
	    eh.e_shoff > (uint64_t)size ||
	    (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr) > (uint64_t)size - eh.e_shoff)
		goto out;
	Elf64_Shdr strs;
	memcpy(&strs, buf + eh.e_shoff + (size_t)eh.e_shstrndx * sizeof(Elf64_Shdr), sizeof(strs));
	if (strs.sh_offset > (uint64_t)size || strs.sh_size > (uint64_t)size - strs.sh_offset)
		goto out;
	for (size_t i = 0; i < eh.e_shnum && !found; i++) {
		Elf64_Shdr sh;
		memcpy(&sh, buf + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof(sh));
		if (!(sh.sh_flags & SHF_EXECINSTR) || sh.sh_size / 8 <= CLANG_MAX_INSNS)
			continue;
		const char *name = "?";
		if (sh.sh_name < strs.sh_size &&
		    memchr(buf + strs.sh_offset + sh.sh_name, '\0', strs.sh_size - sh.sh_name))
			name = (const char *)buf + strs.sh_offset + sh.sh_name;
		over->section = xstrdup(name);
		over->insns = sh.sh_size / 8;
		found = 1;
	}
out:
	free(buf);
	fclose(f);
	return found;
}

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

/* Run argv with stderr captured into a temporary file; return the exit
 * status (or -errno when it could not start) and the captured text. */
static int run_captured(char **argv, char **captured)
{
	char *errpath = xasprintf("%s/lwtc-clang-XXXXXX", output_tmpdir());
	int errfd = mkstemp(errpath);
	if (errfd >= 0)
		unlink(errpath);
	free(errpath);
	if (errfd < 0)
		return -errno;

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, errfd, STDERR_FILENO);
	posix_spawn_file_actions_adddup2(&fa, errfd, STDOUT_FILENO);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		close(errfd);
		return -rc;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
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

/* The generated C, written as dir/c_name in a new private directory: clang
 * records the file's name and reads its lines into the BTF line info while
 * it exists, and the kernel prints the base name and the line's text. */
static char *write_temp_c(const char *c_name, const char *text, size_t len, char **dir)
{
	char *tmpl = xasprintf("%s/lwtc-XXXXXX", output_tmpdir());
	char *c_path;
	int fd, err;

	if (!mkdtemp(tmpl)) {
		fprintf(stderr, "lwtc: cannot create a temporary directory in '%s': %s\n",
			output_tmpdir(), strerror(errno));
		free(tmpl);
		return NULL;
	}
	c_path = xasprintf("%s/%s", tmpl, c_name);
	fd = open(c_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	err = fd < 0 ? -errno : output_write_all(fd, text, len);
	if (fd >= 0 && close(fd) < 0 && !err)
		err = -errno;
	if (err) {
		fprintf(stderr, "lwtc: cannot write '%s': %s\n", c_path, strerror(-err));
		unlink(c_path);
		rmdir(tmpl);
		free(c_path);
		free(tmpl);
		return NULL;
	}
	*dir = tmpl;
	return c_path;
}

int clang_compile(const char *clang_path, const char *path, const char *c_name,
		  const char *text, size_t len, bool verbose, struct clang_oversize *over)
{
	const char *clang = clang_path ? clang_path : getenv("LWTC_CLANG");
	if (!clang || !*clang)
		clang = LWTC_DEFAULT_CLANG;

	char *c_dir = NULL;
	char *c_path = write_temp_c(c_name, text, len, &c_dir);
	int err = 0;
	if (!c_path)
		return -EIO;

	char *obj = output_temp(path);
	if (!obj) {
		err = -EIO;
		goto out_c;
	}

	char *argv[64], *flag_storage = NULL;
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
	n = add_env_flags(argv, n, 56, &flag_storage);
	argv[n++] = "-c";
	argv[n++] = c_path;
	argv[n++] = "-o";
	argv[n++] = obj;
	argv[n] = NULL;
	if (verbose) {
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
		fputc('\n', stderr);
	}

	char *captured = NULL;
	int rc = run_captured(argv, &captured);
	if (rc < 0) {
		fprintf(stderr, "lwtc: cannot run '%s': %s; install clang or set LWTC_CLANG\n",
			clang, strerror(-rc));
		err = rc;
	} else if (rc != 0) {
		fprintf(stderr, "%s", captured ? captured : "");
		fprintf(stderr, "lwtc: internal error: clang rejected the generated C (exit %d); "
			"this is a bug in lwtc: please report it with the policy\n", rc);
		err = -1;
	} else {
		if (verbose && captured)
			fprintf(stderr, "%s", captured);
		if (find_oversize(obj, over))
			err = CLANG_OVERSIZE;
		else
			err = output_commit(obj, path);     /* removes obj */
	}
	free(captured);
	free(flag_storage);
	if (err)
		unlink(obj);
out_c:
	free(obj);
	if (!getenv("LWTC_KEEP_C")) {
		unlink(c_path);
		rmdir(c_dir);
	} else {
		fprintf(stderr, "lwtc: generated C kept in %s\n", c_path);
	}
	free(c_path);
	free(c_dir);
	return err;
}
