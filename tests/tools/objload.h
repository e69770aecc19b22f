/* objload.h: open a BPF object as iproute2 would load it on a route, but
 * private: every program becomes BPF_PROG_TYPE_LWT_OUT and no map is pinned. */
#ifndef LWTP_OBJLOAD_H
#define LWTP_OBJLOAD_H

#include <stdio.h>

struct bpf_object;

/* Open and load path. On failure returns a negative errno and, when errout
 * is not NULL, writes what went wrong there, with each failing program's
 * verifier log. */
int objload(const char *path, struct bpf_object **objp, FILE *errout);

/* Send libbpf's own messages (warnings and errors only, or everything with
 * verbose) to stderr. */
void objload_quiet_libbpf(int verbose);

#endif
