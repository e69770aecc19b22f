/* output.c: writing lwtc's output (output.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "util.h"

const char *output_tmpdir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir && *dir ? dir : "/tmp";
}

int output_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *display(const char *path)
{
	return strcmp(path, "-") ? path : "standard output";
}

static int report(const char *path, int err)
{
	fprintf(stderr, "lwtc: cannot write '%s': %s\n", display(path), strerror(-err));
	return err;
}

/* Written through rather than replaced: standard output, a character
 * device, a FIFO or a socket, and a symbolic link (a rename would replace
 * the link, not what it points at: /dev/stdout is one). */
static bool written_through(const char *path)
{
	struct stat st;

	if (!strcmp(path, "-"))
		return true;
	if (lstat(path, &st) < 0)
		return false;
	if (S_ISLNK(st.st_mode))
		return true;
	return S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

/* The mode of a new file: 0666 less the umask, as open(2) would make it. */
static mode_t new_file_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

int output_check(const char *path, const char *input)
{
	struct stat out, in;
	int have_in;

	if (!strcmp(path, "-") || stat(path, &out) < 0)
		return 0;
	if (S_ISDIR(out.st_mode)) {
		fprintf(stderr, "lwtc: cannot write '%s': it is a directory\n", path);
		return -EISDIR;
	}
	if (S_ISBLK(out.st_mode)) {
		fprintf(stderr, "lwtc: will not write to '%s': it is a block device\n", path);
		return -EPERM;
	}
	have_in = strcmp(input, "-") ? stat(input, &in) : fstat(STDIN_FILENO, &in);
	if (have_in == 0 && S_ISREG(out.st_mode) && out.st_dev == in.st_dev &&
	    out.st_ino == in.st_ino) {
		fprintf(stderr, "lwtc: will not write over the input: '%s' is '%s'\n", path,
			strcmp(input, "-") ? input : "standard input");
		return -EEXIST;
	}
	return 0;
}

/* Open what is written through: standard output, or path as it is
 * (O_TRUNC empties a file a link points at, O_CREAT makes the one a
 * dangling link names, 0666 less the umask; devices and FIFOs ignore both). */
static int open_through(const char *path)
{
	int fd;

	fd = strcmp(path, "-") ? open(path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0666)
			       : dup(STDOUT_FILENO);
	return fd < 0 ? -errno : fd;
}

char *output_temp(const char *path)
{
	sigset_t saved;
	char *temp;
	int fd;

	if (written_through(path)) {
		temp = xasprintf("%s/lwtc-out-XXXXXX", output_tmpdir());
	} else {
		char *copy = xstrdup(path), *base = xstrdup(path);
		temp = xasprintf("%s/.%s.XXXXXX", dirname(copy), basename(base));
		free(copy);
		free(base);
	}
	cleanup_hold(&saved);
	fd = mkstemp(temp);
	if (fd >= 0)
		cleanup_add(temp, false);
	cleanup_release(&saved);
	if (fd < 0) {
		report(path, -errno);
		free(temp);
		return NULL;
	}
	close(fd);
	return temp;
}

void output_discard(const char *temp)
{
	sigset_t saved;

	cleanup_hold(&saved);
	unlink(temp);
	cleanup_forget(temp);
	cleanup_release(&saved);
}

/* Copy the file at temp to the fd. */
static int copy_file(const char *temp, int out)
{
	char buf[65536];
	ssize_t n;
	int in = open(temp, O_RDONLY | O_CLOEXEC), err = 0;

	if (in < 0)
		return -errno;
	while (!err && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		err = output_write_all(out, buf, (size_t)n);
	}
	close(in);
	return err;
}

int output_commit(const char *temp, const char *path)
{
	int err = 0, fd;

	if (written_through(path)) {
		fd = open_through(path);
		err = fd < 0 ? fd : copy_file(temp, fd);
		if (fd >= 0 && close(fd) < 0 && !err)
			err = -errno;
	} else if (chmod(temp, new_file_mode()) < 0 || rename(temp, path) < 0) {
		err = -errno;
	}
	output_discard(temp);
	return err ? report(path, err) : 0;
}

int output_write(const char *path, const void *data, size_t len)
{
	char *temp;
	int err, fd;

	if (written_through(path)) {
		fd = open_through(path);
		err = fd < 0 ? fd : output_write_all(fd, data, len);
		if (fd >= 0 && close(fd) < 0 && !err)
			err = -errno;
		return err ? report(path, err) : 0;
	}
	temp = output_temp(path);
	if (!temp)
		return -EIO;
	fd = open(temp, O_WRONLY | O_TRUNC | O_CLOEXEC);
	err = fd < 0 ? -errno : output_write_all(fd, data, len);
	if (fd >= 0 && close(fd) < 0 && !err)
		err = -errno;
	if (err) {
		output_discard(temp);
		free(temp);
		return report(path, err);
	}
	err = output_commit(temp, path);
	free(temp);
	return err;
}
