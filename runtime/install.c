/* install.c: lwtp install OBJECT [DIR]: copy an object lwtc made to
 * DIR/NAME-ID.o (DIR is /var/lib/lwtp unless given), ID the object's id,
 * and print that path: the file to attach.
 *
 * Why: the kernel compares LWT programs by the name iproute2 gives them,
 * "FILE.o:[SECTION]", so 'ip route replace' with a changed object under the
 * same file name keeps the old program. A name that changes with the
 * object's content makes every replace take effect, and lets lwtp show
 * tell which object each route runs (the id is in the program's BTF).
 *
 * The copy is written to a temporary file in DIR and renamed into place: a
 * reader never sees half an object. An identical copy already there is
 * left alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inventory.h"
#include "lwtp.h"

#define DEFAULT_DIR "/var/lib/lwtp"
#define MAX_OBJECT  (256u << 20)        /* lwtc's largest objects are a few MB */

/* The whole regular file path, at most MAX_OBJECT bytes. */
static int read_file(const char *path, char **data, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
	} else if ((unsigned long long)st.st_size > MAX_OBJECT) {
		err = -EFBIG;
	}
	if (err) {
		close(fd);
		return err;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;       /* shrank meanwhile */
			break;
		}
		got += n;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*data = buf;
	*len = got;
	return 0;
}

static bool same_content(const char *path, const char *data, size_t len)
{
	char *old;
	size_t old_len;
	bool same;

	if (read_file(path, &old, &old_len))
		return false;
	same = old_len == len && !memcmp(old, data, len);
	free(old);
	return same;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= n;
	}
	return 0;
}

/* dest, atomically: a temporary file beside it, renamed over it. */
static int write_atomically(const char *dir, const char *dest, const char *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd, err;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.lwtp-install-XXXXXX", dir) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	err = write_all(fd, data, len);
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, dest))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* NAME of OBJECT: its file name without ".o" and without an id a former
 * install gave it. */
static void object_base(const char *path, char *buf, size_t size)
{
	char *copy = strdup(path), id[LWTP_OBJECT_ID_LEN + 1];
	const char *base = copy ? basename(copy) : path;
	size_t len = strlen(base);

	if (file_object_id(base, id))
		len -= LWTP_OBJECT_ID_LEN + 3;
	else if (len > 2 && !strcmp(base + len - 2, ".o"))
		len -= 2;
	snprintf(buf, size, "%.*s", (int)len, base);
	free(copy);
}

static int make_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	if (stat(dir, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int do_install(int argc, char **argv)
{
	char id[LWTP_OBJECT_ID_LEN + 1], base[NAME_MAX + 1], dest[PATH_MAX];
	const char *path, *dir;
	char *data;
	size_t len;
	int err;

	if (argc < 1 || argc > 2)
		return p_usage("install wants OBJECT [DIR]");
	path = argv[0];
	dir = argc > 1 ? argv[1] : DEFAULT_DIR;
	err = read_file(path, &data, &len);
	if (err) {
		p_err("cannot read %s: %s", path,
		      err == -EINVAL ? "not a regular file" : strerror(-err));
		return LWTP_EXIT_FAIL;
	}
	err = object_id_of_file(path, id);
	if (err) {
		if (err == -ENOENT)
			p_err("%s has no object id: not an object this lwtc made (recompile it)",
			      path);
		free(data);
		return LWTP_EXIT_FAIL;
	}
	object_base(path, base, sizeof(base));
	if (!*base || (size_t)snprintf(dest, sizeof(dest), "%s/%s-%s.o", dir, base, id) >=
	    sizeof(dest)) {
		p_err("cannot name the copy of %s in %s", path, dir);
		free(data);
		return LWTP_EXIT_FAIL;
	}
	err = make_dir(dir);
	if (err)
		p_err("cannot make the directory %s: %s", dir, strerror(-err));
	else if (!same_content(dest, data, len)) {
		err = write_atomically(dir, dest, data, len);
		if (err)
			p_err("cannot write %s: %s", dest, strerror(-err));
	}
	free(data);
	if (err)
		return LWTP_EXIT_FAIL;
	printf("%s\n", dest);
	return fflush(stdout) ? LWTP_EXIT_FAIL : LWTP_EXIT_OK;
}
