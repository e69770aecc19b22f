/* util.h: allocation that cannot fail (it exits with status 2 instead),
 * reading a whole file, and temporary files that a fatal signal removes. */
#ifndef LWTC_UTIL_H
#define LWTC_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* lwtc's byte order: -target bpf makes objects in it, and the tables of
 * constant-set searches are written as bytes in it (emit_search.c). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_LITTLE_ENDIAN 1
#define HOST_ORDER "little-endian"
#define HOST_ORDER_MACRO "LITTLE"       /* __ORDER_LITTLE_ENDIAN__ */
#else
#define HOST_LITTLE_ENDIAN 0
#define HOST_ORDER "big-endian"
#define HOST_ORDER_MACRO "BIG"
#endif

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* All that can be read from fd, NUL-terminated (*len without the NUL);
 * NULL with errno set when a read fails, EFBIG when there is more than
 * max bytes. */
char *read_fd(int fd, size_t max, size_t *len);

/* Leaving nothing behind when killed. When SIGINT, SIGTERM or SIGHUP
 * comes (one that lwtc was not started ignoring), lwtc stops the child
 * process group it waits for, removes the registered files and then the
 * registered directories, and dies of the signal.
 *
 * cleanup_hold() installs that handler and holds the signals back: make
 * and register a file, or remove and forget it, while they are held, so
 * that no signal comes between the two (a file that exists and is not
 * registered is left behind; one registered and not yet made may be
 * another's). cleanup_release() restores the mask that cleanup_hold()
 * saved, and a signal held back meanwhile comes then; cleanup_hold(NULL)
 * holds them again after a wait.
 * A registered path stays the caller's, and must live until it is
 * forgotten. */
void cleanup_hold(sigset_t *saved);
void cleanup_release(const sigset_t *saved);
void cleanup_add(const char *path, bool dir);
void cleanup_forget(const char *path);
/* The child that lwtc waits for, the leader of its own process group; 0:
 * none. Clear it before the child is reaped, so that a signal never goes
 * to a process that has taken over its number. */
void cleanup_child(pid_t pid);

#endif
