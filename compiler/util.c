/* util.c: allocation that cannot fail, reading a whole file, and cleaning
 * up when killed (util.h). Running out of memory is a tool error (exit
 * status 2), never a crash. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void out_of_memory(void)
{
	fputs("lwtc: out of memory\n", stderr);
	exit(2);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* ---- reading a whole file ------------------------------------------------ */

/* The first buffer: a regular file's size and one byte more, so that its
 * end is seen without growing; else 64 KiB. Never more than max + 1. */
static size_t first_capacity(int fd, size_t max)
{
	struct stat st;
	size_t cap = 1 << 16;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size < max)
		cap = (size_t)st.st_size + 1;
	return cap < max ? cap : max + 1;
}

char *read_fd(int fd, size_t max, size_t *len)
{
	size_t cap = first_capacity(fd, max), n = 0;
	char *buf = xmalloc(cap + 1);
	ssize_t got;
	int err = 0;

	while ((got = read(fd, buf + n, cap - n)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		n += (size_t)got;
		if (n > max) {
			err = EFBIG;
			break;
		}
		if (n == cap) {
			cap = cap > max / 2 ? max + 1 : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
	}
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* ---- cleaning up when killed ----------------------------------------------- */

#define CLEANUP_MAX 32      /* the C, its directory, a file a part (parts.c) */

/* Read by the signal handler: a slot's path is set before the count
 * covers it, and cleared, never moved, when forgotten. */
static struct {
	const char *volatile path;
	volatile sig_atomic_t dir;
} cleanup_files[CLEANUP_MAX];
static volatile sig_atomic_t cleanup_n;
static volatile pid_t cleanup_pid;

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void fatal_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaddset(set, fatal_signals[i]);
}

/* Stop the child's process group with the same signal and wait for it:
 * clang removes its own temporary files on SIGINT, SIGTERM and SIGHUP
 * (SIGKILL would leave them beside the object), and a child that lives on
 * could write the object after lwtc has removed it. One that is still
 * there after 5 s gets SIGKILL. Async-signal-safe calls only. */
static void stop_child(pid_t pid, int sig)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	kill(-pid, sig);
	for (int i = 0; i < 500; i++) {
		pid_t got = waitpid(pid, NULL, WNOHANG);
		if (got == pid || (got < 0 && errno != EINTR))
			return;
		nanosleep(&tick, NULL);
	}
	kill(-pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Files first, then the directories that held them; then die of sig, as
 * the caller expects of a killed process (its exit status says so). */
static void on_fatal_signal(int sig)
{
	pid_t pid = cleanup_pid;
	int n = cleanup_n;

	if (pid > 0)
		stop_child(pid, sig);
	for (int i = 0; i < n; i++)
		if (cleanup_files[i].path && !cleanup_files[i].dir)
			unlink(cleanup_files[i].path);
	for (int i = n; i-- > 0;)
		if (cleanup_files[i].path && cleanup_files[i].dir)
			rmdir(cleanup_files[i].path);
	/* sig is blocked in its handler: it comes again, with its default
	 * action, when the handler returns */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Once, with the signals held: one that lwtc was started ignoring (nohup,
 * a background job of a shell) stays ignored, as it does for clang. */
static void install_handlers(void)
{
	static bool installed;
	struct sigaction sa = { .sa_handler = on_fatal_signal }, old;

	if (installed)
		return;
	installed = true;
	fatal_set(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		if (sigaction(fatal_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(fatal_signals[i], &sa, NULL);
}

void cleanup_hold(sigset_t *saved)
{
	sigset_t set;

	fatal_set(&set);
	sigprocmask(SIG_BLOCK, &set, saved);
	install_handlers();
}

void cleanup_release(const sigset_t *saved)
{
	sigprocmask(SIG_SETMASK, saved, NULL);
}

void cleanup_add(const char *path, bool dir)
{
	if (cleanup_n == CLEANUP_MAX) {
		fputs("lwtc: internal error: too many temporary files\n", stderr);
		exit(2);
	}
	cleanup_files[cleanup_n].dir = dir;
	cleanup_files[cleanup_n].path = path;
	cleanup_n = cleanup_n + 1;
}

void cleanup_forget(const char *path)
{
	for (int i = 0; i < cleanup_n; i++)
		if (cleanup_files[i].path == path)
			cleanup_files[i].path = NULL;
	while (cleanup_n > 0 && !cleanup_files[cleanup_n - 1].path)
		cleanup_n = cleanup_n - 1;
}

void cleanup_child(pid_t pid)
{
	cleanup_pid = pid;
}
