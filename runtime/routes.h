/* routes.h: the routes of this network namespace that run BPF programs
 * (lightweight tunnel encap bpf), read through rtnetlink with libmnl.
 *
 * One entry per way out that runs a program: a plain route is one entry; a
 * multipath route (RTA_MULTIPATH) or a route through a nexthop group gives
 * one entry per nexthop that has an encap bpf, the others are left out. A
 * route through a nexthop object (ip route ... nhid N) reports the encap of
 * that object (ip nexthop add id N encap bpf ...).
 *
 * Functions return 0 or a negative errno and log what went wrong, unless
 * said otherwise.
 */
#ifndef LWTP_ROUTES_H
#define LWTP_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/types.h>

enum lwt_hook { LWT_HOOK_IN, LWT_HOOK_OUT, LWT_HOOK_XMIT, LWT_HOOKS };
extern const char *const lwt_hook_names[LWT_HOOKS];	/* "in", "out", "xmit" */

/* Room for a program name and its NUL: iproute2 makes names of at most 255
 * bytes; the kernel takes up to 256, and a name that long loses its last
 * byte here. */
#define LWT_PROG_NAME_MAX 256
/* The name of a program the kernel dumps without one (it takes none such) */
#define LWT_PROG_UNNAMED "(unnamed)"

struct lwt_route {
	int family;			/* AF_INET, AF_INET6 */
	__u32 table;			/* RT_TABLE_MAIN is 254 */
	/* "198.51.100.0/24", "2001:db8::/32", "default"; a host route
	 * without its /32 or /128, as ip route shows it */
	char dst[INET6_ADDRSTRLEN + 4];
	__u8 dst_len;			/* dst's prefix length, 0 for default */
	unsigned char dst_addr[16];	/* dst's address, network order (the
					 * first 4 bytes for AF_INET), zeros
					 * for default */
	__u32 metric;			/* RTA_PRIORITY, 0 when absent */
	/* gateway, "" when none; for an IPv4 route it can be an IPv6
	 * address (RTA_VIA, or an IPv6 nexthop object) */
	char via[INET6_ADDRSTRLEN];
	char dev[IF_NAMESIZE];		/* output device name, "" when none;
					 * "ifN" when index N has no name */
	int ifindex;			/* output device index, 0 when none */
	__u32 nh_id;			/* the route's nexthop object id
					 * (RTA_NH_ID; a group's for a group),
					 * 0 when none */
	/* 1-based place of this nexthop in a multipath route or in the
	 * nexthop group nh_id; 0 for a route with a single way out */
	unsigned hop;
	/* program name per hook, "" when none: what the loader gave the
	 * kernel, iproute2's "FILE.o:[SECTION]" (lwt_prog_name_split()) */
	char prog[LWT_HOOKS][LWT_PROG_NAME_MAX];
	/* LWT_BPF_XMIT_HEADROOM, 0 when none. Kernels up to 6.18 at least
	 * take it ('xmit ... headroom N') but do not dump it: 0 there. */
	__u32 headroom;
};

/* Read them, sorted by family, table, dst (address, then prefix length),
 * metric, then via (as an address), dev and hop. *routes is malloc'd
 * (free()), possibly NULL when *n is 0. Needs no privilege. A dump that the
 * kernel marks interrupted (the routes changed meanwhile) is read again, a
 * few times. */
int routes_read(struct lwt_route **routes, size_t *n);

/* "198.51.100.0/24 dev veth0 table 100": how the text output names a route,
 * in ip route's words and order: dst, "nhid N" when set, "via ADDR" when
 * set ("via inet6 ADDR" for an IPv6 gateway of an IPv4 route), "dev DEV"
 * when set, "table T" when not main ("local" and "default" by name), and
 * "metric M" when set. Cut to fit size. Returns buf. */
const char *route_describe(const struct lwt_route *r, char *buf, size_t size);

/* Split a program name "FILE.o:[SECTION]" into file (the basename part as
 * given) and section, at the last ":[", so that a file name holding ':' or
 * '[' splits right. iproute2 6.1 sends basename(OBJ):[SECTION] for
 * 'encap bpf out obj OBJ section SECTION', and basename(PIN):[*fsobj] for
 * 'encap bpf out pinned PIN'. false, and nothing logged, when the name is
 * not in that form (no ":[", no final ']', an empty file or section, or a
 * name iproute2 cut at 255 bytes) or a part does not fit its buffer. */
bool lwt_prog_name_split(const char *name, char *file, size_t fsize, char *section,
			 size_t ssize);

/* A route's family, dst, table, dev, via and metric as members of the JSON
 * object being written (lwtp show -j, lwtp stat -j). */
struct json;
void route_json_members(struct json *j, const struct lwt_route *r);

#endif
