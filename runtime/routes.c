/* routes.c: find the routes that run BPF programs (encap bpf) by dumping
 * the nexthop objects and the routes of this network namespace over
 * rtnetlink, with libmnl.
 *
 * The nexthop objects are dumped first: a route through one (RTA_NH_ID)
 * reports the object's encap. With net.ipv4.nexthop_compat_mode on (the
 * default) the kernel also copies the object's gateway, device and encap
 * into the route; those are used only when the object is not found (it
 * appeared between the two dumps, or the kernel has no nexthop objects).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/lwtunnel.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "lwtp.h"
#include "json.h"
#include "routes.h"

#ifndef MNL_SOCKET_DUMP_SIZE	/* libmnl 1.0.5; Debian 12 has 1.0.4 */
#define MNL_SOCKET_DUMP_SIZE 32768
#endif
/* The kernel fills dump messages of up to 32 KiB; room for twice that, in
 * case one route needs more (a big multipath route). A message that still
 * does not fit fails the read with ENOSPC, never silently. */
#define RECV_SIZE (2 * MNL_SOCKET_DUMP_SIZE)

/* How often a dump the kernel marks interrupted (NLM_F_DUMP_INTR: the
 * routes changed while it ran) is read again before giving up. */
#define DUMP_TRIES 5

const char *const lwt_hook_names[LWT_HOOKS] = {
	[LWT_HOOK_IN] = "in",
	[LWT_HOOK_OUT] = "out",
	[LWT_HOOK_XMIT] = "xmit",
};

/* One way out: what a route, one nexthop of its RTA_MULTIPATH, or a
 * nexthop object says about its gateway, device and encap. */
struct hop {
	char via[INET6_ADDRSTRLEN];
	int ifindex;
	bool bpf;			/* has an encap bpf */
	char prog[LWT_HOOKS][LWT_PROG_NAME_MAX];
	__u32 headroom;
};

/* A nexthop object (RTM_NEWNEXTHOP): a single nexthop, or a group of them */
struct nh_obj {
	__u32 id;
	struct hop hop;
	__u32 *members;			/* a group's nexthop ids, else NULL */
	size_t nmembers;
};

struct reader {
	struct lwt_route *routes;
	size_t n, cap;
	struct nh_obj *nhs;		/* sorted by id once read */
	size_t nnh, nhcap;
	int err;			/* why a callback stopped the dump */
	const char *bad;		/* what the kernel sent malformed */
	int last_ifindex;		/* the last device named, and its name */
	char last_dev[IF_NAMESIZE];
};

/* The attributes of one kind that are read, and how long each must be. */
struct attr_set {
	const enum mnl_attr_data_type *types;	/* MNL_TYPE_UNSPEC: ignored */
	unsigned max;
	const struct nlattr **tb;		/* [max + 1], filled */
	const char *const *names;		/* for messages */
	struct reader *rd;
};

static const enum mnl_attr_data_type rta_types[RTA_MAX + 1] = {
	[RTA_DST] = MNL_TYPE_BINARY,
	[RTA_OIF] = MNL_TYPE_U32,
	[RTA_GATEWAY] = MNL_TYPE_BINARY,
	[RTA_PRIORITY] = MNL_TYPE_U32,
	[RTA_MULTIPATH] = MNL_TYPE_BINARY,
	[RTA_TABLE] = MNL_TYPE_U32,
	[RTA_VIA] = MNL_TYPE_BINARY,
	[RTA_ENCAP_TYPE] = MNL_TYPE_U16,
	[RTA_ENCAP] = MNL_TYPE_NESTED,
	[RTA_NH_ID] = MNL_TYPE_U32,
};

static const char *const rta_names[RTA_MAX + 1] = {
	[RTA_DST] = "RTA_DST",
	[RTA_OIF] = "RTA_OIF",
	[RTA_GATEWAY] = "RTA_GATEWAY",
	[RTA_PRIORITY] = "RTA_PRIORITY",
	[RTA_MULTIPATH] = "RTA_MULTIPATH",
	[RTA_TABLE] = "RTA_TABLE",
	[RTA_VIA] = "RTA_VIA",
	[RTA_ENCAP_TYPE] = "RTA_ENCAP_TYPE",
	[RTA_ENCAP] = "RTA_ENCAP",
	[RTA_NH_ID] = "RTA_NH_ID",
};

static const enum mnl_attr_data_type nha_types[NHA_MAX + 1] = {
	[NHA_ID] = MNL_TYPE_U32,
	[NHA_GROUP] = MNL_TYPE_BINARY,
	[NHA_OIF] = MNL_TYPE_U32,
	[NHA_GATEWAY] = MNL_TYPE_BINARY,
	[NHA_ENCAP_TYPE] = MNL_TYPE_U16,
	[NHA_ENCAP] = MNL_TYPE_NESTED,
};

static const char *const nha_names[NHA_MAX + 1] = {
	[NHA_ID] = "NHA_ID",
	[NHA_GROUP] = "NHA_GROUP",
	[NHA_OIF] = "NHA_OIF",
	[NHA_GATEWAY] = "NHA_GATEWAY",
	[NHA_ENCAP_TYPE] = "NHA_ENCAP_TYPE",
	[NHA_ENCAP] = "NHA_ENCAP",
};

static const enum mnl_attr_data_type lwt_bpf_types[LWT_BPF_MAX + 1] = {
	[LWT_BPF_IN] = MNL_TYPE_NESTED,
	[LWT_BPF_OUT] = MNL_TYPE_NESTED,
	[LWT_BPF_XMIT] = MNL_TYPE_NESTED,
	[LWT_BPF_XMIT_HEADROOM] = MNL_TYPE_U32,
};

static const char *const lwt_bpf_names[LWT_BPF_MAX + 1] = {
	[LWT_BPF_IN] = "LWT_BPF_IN",
	[LWT_BPF_OUT] = "LWT_BPF_OUT",
	[LWT_BPF_XMIT] = "LWT_BPF_XMIT",
	[LWT_BPF_XMIT_HEADROOM] = "LWT_BPF_XMIT_HEADROOM",
};

static const enum mnl_attr_data_type lwt_bpf_prog_types[LWT_BPF_PROG_MAX + 1] = {
	[LWT_BPF_PROG_NAME] = MNL_TYPE_NUL_STRING,
};

static const char *const lwt_bpf_prog_names[LWT_BPF_PROG_MAX + 1] = {
	[LWT_BPF_PROG_NAME] = "LWT_BPF_PROG_NAME",
};

/* The encap attribute that holds each hook's program */
static const int hook_attrs[LWT_HOOKS] = {
	[LWT_HOOK_IN] = LWT_BPF_IN,
	[LWT_HOOK_OUT] = LWT_BPF_OUT,
	[LWT_HOOK_XMIT] = LWT_BPF_XMIT,
};

static int malformed(struct reader *rd, const char *what)
{
	if (!rd->bad)
		rd->bad = what;
	return -EBADMSG;
}

/* mnl_attr_cb_t: keep the attributes of set (struct attr_set) that are
 * read, once each has the length its type wants. */
static int attr_keep(const struct nlattr *attr, void *data)
{
	struct attr_set *set = data;
	unsigned type = mnl_attr_get_type(attr);

	if (type > set->max || set->types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, set->types[type]) < 0) {
		set->rd->err = malformed(set->rd, set->names[type]);
		return MNL_CB_ERROR;
	}
	set->tb[type] = attr;
	return MNL_CB_OK;
}

#define ATTR_SET(t, n, table, reader) \
	{ .types = (t), .max = sizeof(t) / sizeof((t)[0]) - 1, .tb = (table), \
	  .names = (n), .rd = (reader) }

static int parse_nested(const struct nlattr *nest, struct attr_set *set)
{
	memset(set->tb, 0, (set->max + 1) * sizeof(set->tb[0]));
	if (mnl_attr_parse_nested(nest, attr_keep, set) < 0)
		return set->rd->err ?: malformed(set->rd, "nested attribute");
	return 0;
}

static int parse_payload(const void *payload, size_t len, struct attr_set *set)
{
	memset(set->tb, 0, (set->max + 1) * sizeof(set->tb[0]));
	if (mnl_attr_parse_payload(payload, len, attr_keep, set) < 0)
		return set->rd->err ?: malformed(set->rd, "attributes");
	return 0;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* An address attribute's payload as text; it must be as long as family's
 * addresses. */
static int format_addr(struct reader *rd, const char *what, int family, const void *addr,
		       size_t len, char *buf, size_t size)
{
	if (!addr_len(family) || len != addr_len(family) ||
	    !inet_ntop(family, addr, buf, size))
		return malformed(rd, what);
	return 0;
}

/* RTA_VIA: struct rtvia, a family and an address of that family */
static int format_via(struct reader *rd, const struct nlattr *attr, char *buf, size_t size)
{
	const struct rtvia *via = mnl_attr_get_payload(attr);
	size_t len = mnl_attr_get_payload_len(attr);

	if (len < sizeof(*via))
		return malformed(rd, "RTA_VIA");
	return format_addr(rd, "RTA_VIA", via->rtvia_family, via->rtvia_addr,
			   len - sizeof(*via), buf, size);
}

/* A string attribute (validated NUL-terminated) into buf, which is cut. */
static void copy_string(const struct nlattr *attr, char *buf, size_t size)
{
	snprintf(buf, size, "%s", mnl_attr_get_str(attr));
}

/* The nested LWT_BPF_* attributes of an encap bpf into hop. */
static int parse_bpf_encap(struct reader *rd, const struct nlattr *encap, struct hop *hop)
{
	const struct nlattr *tb[LWT_BPF_MAX + 1], *ptb[LWT_BPF_PROG_MAX + 1];
	struct attr_set set = ATTR_SET(lwt_bpf_types, lwt_bpf_names, tb, rd);
	struct attr_set pset = ATTR_SET(lwt_bpf_prog_types, lwt_bpf_prog_names, ptb, rd);
	int h, err;

	err = parse_nested(encap, &set);
	if (err)
		return err;
	for (h = 0; h < LWT_HOOKS; h++) {
		if (!tb[hook_attrs[h]])
			continue;
		err = parse_nested(tb[hook_attrs[h]], &pset);
		if (err)
			return err;
		/* the kernel takes no program without a name, but would
		 * dump one */
		if (ptb[LWT_BPF_PROG_NAME])
			copy_string(ptb[LWT_BPF_PROG_NAME], hop->prog[h], sizeof(hop->prog[h]));
		else
			snprintf(hop->prog[h], sizeof(hop->prog[h]), "%s", LWT_PROG_UNNAMED);
		hop->bpf = true;
	}
	if (tb[LWT_BPF_XMIT_HEADROOM])	/* not dumped by kernels up to 6.18 */
		hop->headroom = mnl_attr_get_u32(tb[LWT_BPF_XMIT_HEADROOM]);
	return 0;
}

/* RTA_ENCAP_TYPE and RTA_ENCAP, or NHA_ENCAP_TYPE and NHA_ENCAP: an encap
 * of another kind than bpf is no error, only not ours. */
static int parse_encap(struct reader *rd, const struct nlattr *type,
		       const struct nlattr *encap, struct hop *hop)
{
	if (!type || mnl_attr_get_u16(type) != LWTUNNEL_ENCAP_BPF)
		return 0;
	if (!encap)
		return malformed(rd, "encap bpf (no attributes)");
	return parse_bpf_encap(rd, encap, hop);
}

/* Gateway and encap attributes of a route, or of one nexthop in its
 * RTA_MULTIPATH (tb: RTA_*), into hop. */
static int parse_route_hop(struct reader *rd, int family, const struct nlattr **tb,
			   struct hop *hop)
{
	int err = 0;

	if (tb[RTA_GATEWAY])
		err = format_addr(rd, "RTA_GATEWAY", family, mnl_attr_get_payload(tb[RTA_GATEWAY]),
				  mnl_attr_get_payload_len(tb[RTA_GATEWAY]),
				  hop->via, sizeof(hop->via));
	else if (tb[RTA_VIA])
		err = format_via(rd, tb[RTA_VIA], hop->via, sizeof(hop->via));
	return err ?: parse_encap(rd, tb[RTA_ENCAP_TYPE], tb[RTA_ENCAP], hop);
}

static int grow(void **array, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*array, ncap * size);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = ncap;
	return 0;
}

/* The name of device ifindex, "ifN" when it has none (it went away); the
 * routes of a host mostly share a few devices. */
static void dev_name(struct reader *rd, int ifindex, char *dev)
{
	if (ifindex != rd->last_ifindex || !*rd->last_dev) {
		if (!if_indextoname(ifindex, rd->last_dev))
			snprintf(rd->last_dev, sizeof(rd->last_dev), "if%d", ifindex);
		rd->last_ifindex = ifindex;
	}
	memcpy(dev, rd->last_dev, IF_NAMESIZE);
}

/* Add the route base leaves by hop, when hop runs a program. */
static int add_route(struct reader *rd, const struct lwt_route *base, const struct hop *hop,
		     unsigned place)
{
	struct lwt_route *r;
	int err;

	if (!hop->bpf)
		return 0;
	err = grow((void **)&rd->routes, &rd->cap, rd->n + 1, sizeof(*rd->routes));
	if (err)
		return err;
	r = &rd->routes[rd->n++];
	*r = *base;
	r->hop = place;
	snprintf(r->via, sizeof(r->via), "%s", hop->via);
	r->ifindex = hop->ifindex;
	if (hop->ifindex)
		dev_name(rd, hop->ifindex, r->dev);
	memcpy(r->prog, hop->prog, sizeof(r->prog));
	r->headroom = hop->headroom;
	return 0;
}

/* Each nexthop of an RTA_MULTIPATH: struct rtnexthop, then its attributes */
static int add_multipath(struct reader *rd, const struct lwt_route *base,
			 const struct nlattr *mp)
{
	const struct rtnexthop *nh = mnl_attr_get_payload(mp);
	int len = mnl_attr_get_payload_len(mp);
	const struct nlattr *tb[RTA_MAX + 1];
	struct attr_set set = ATTR_SET(rta_types, rta_names, tb, rd);
	unsigned place = 0;
	struct hop hop;
	int err;

	while (len > 0) {
		if (len < (int)sizeof(*nh) || !RTNH_OK(nh, len))
			return malformed(rd, "RTA_MULTIPATH");
		err = parse_payload(RTNH_DATA(nh), nh->rtnh_len - RTNH_LENGTH(0), &set);
		if (err)
			return err;
		memset(&hop, 0, sizeof(hop));
		hop.ifindex = nh->rtnh_ifindex;
		err = parse_route_hop(rd, base->family, tb, &hop) ?:
		      add_route(rd, base, &hop, ++place);
		if (err)
			return err;
		len -= RTNH_ALIGN(nh->rtnh_len);
		nh = RTNH_NEXT(nh);
	}
	return 0;
}

static int cmp_nh_id(const void *a, const void *b)
{
	__u32 x = ((const struct nh_obj *)a)->id, y = ((const struct nh_obj *)b)->id;

	return x < y ? -1 : x > y;
}

static const struct nh_obj *find_nh(const struct reader *rd, __u32 id)
{
	struct nh_obj key = { .id = id };

	if (!rd->nnh)
		return NULL;
	return bsearch(&key, rd->nhs, rd->nnh, sizeof(*rd->nhs), cmp_nh_id);
}

/* A route through the nexthop object nh: its own way out, or each of its
 * group's (a group holds single nexthops only). */
static int add_nexthop_route(struct reader *rd, const struct lwt_route *base,
			     const struct nh_obj *nh)
{
	const struct nh_obj *member;
	size_t i;
	int err;

	if (!nh->members)
		return add_route(rd, base, &nh->hop, 0);
	for (i = 0; i < nh->nmembers; i++) {
		member = find_nh(rd, nh->members[i]);
		if (!member)	/* removed meanwhile */
			continue;
		err = add_route(rd, base, &member->hop, i + 1);
		if (err)
			return err;
	}
	return 0;
}

/* rtm and its attributes (tb) as far as all the route's ways out share:
 * family, table, destination, metric, nexthop object. */
static int route_base(struct reader *rd, const struct rtmsg *rtm, const struct nlattr **tb,
		      struct lwt_route *base)
{
	size_t alen = addr_len(rtm->rtm_family);
	char addr[INET6_ADDRSTRLEN];

	memset(base, 0, sizeof(*base));
	base->family = rtm->rtm_family;
	base->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	base->metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	base->nh_id = tb[RTA_NH_ID] ? mnl_attr_get_u32(tb[RTA_NH_ID]) : 0;
	base->dst_len = rtm->rtm_dst_len;
	if (rtm->rtm_dst_len > alen * 8)
		return malformed(rd, "rtm_dst_len");
	if (tb[RTA_DST]) {
		if (mnl_attr_get_payload_len(tb[RTA_DST]) != alen)
			return malformed(rd, "RTA_DST");
		memcpy(base->dst_addr, mnl_attr_get_payload(tb[RTA_DST]), alen);
	}
	if (!rtm->rtm_dst_len) {
		snprintf(base->dst, sizeof(base->dst), "default");
		return 0;
	}
	inet_ntop(rtm->rtm_family, base->dst_addr, addr, sizeof(addr));
	if (rtm->rtm_dst_len == alen * 8)
		snprintf(base->dst, sizeof(base->dst), "%s", addr);
	else
		snprintf(base->dst, sizeof(base->dst), "%s/%u", addr, rtm->rtm_dst_len);
	return 0;
}

/* One RTM_NEWROUTE: the entries of its ways out that run a program. */
static int add_route_msg(struct reader *rd, const struct nlmsghdr *nlh)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = {};
	struct attr_set set = ATTR_SET(rta_types, rta_names, tb, rd);
	const struct nh_obj *nh;
	struct lwt_route base;
	struct hop hop;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return malformed(rd, "route message");
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_flags & RTM_F_CLONED)
		return 0;
	if (mnl_attr_parse(nlh, sizeof(*rtm), attr_keep, &set) < 0)
		return rd->err ?: malformed(rd, "route attributes");
	err = route_base(rd, rtm, tb, &base);
	if (err)
		return err;
	nh = base.nh_id ? find_nh(rd, base.nh_id) : NULL;
	if (nh)
		return add_nexthop_route(rd, &base, nh);
	if (tb[RTA_MULTIPATH])
		return add_multipath(rd, &base, tb[RTA_MULTIPATH]);
	memset(&hop, 0, sizeof(hop));
	hop.ifindex = tb[RTA_OIF] ? (int)mnl_attr_get_u32(tb[RTA_OIF]) : 0;
	return parse_route_hop(rd, rtm->rtm_family, tb, &hop) ?: add_route(rd, &base, &hop, 0);
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reader *rd = data;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	rd->err = add_route_msg(rd, nlh);
	return rd->err ? MNL_CB_ERROR : MNL_CB_OK;
}

/* NHA_GROUP: an array of struct nexthop_grp; keep the ids. */
static int parse_nh_group(struct reader *rd, const struct nlattr *attr, struct nh_obj *nh)
{
	const struct nexthop_grp *grp = mnl_attr_get_payload(attr);
	size_t len = mnl_attr_get_payload_len(attr), i;

	if (!len || len % sizeof(*grp))
		return malformed(rd, "NHA_GROUP");
	nh->nmembers = len / sizeof(*grp);
	nh->members = calloc(nh->nmembers, sizeof(*nh->members));
	if (!nh->members)
		return -ENOMEM;
	for (i = 0; i < nh->nmembers; i++)
		nh->members[i] = grp[i].id;
	return 0;
}

/* One RTM_NEWNEXTHOP into nh. */
static int parse_nh_msg(struct reader *rd, const struct nlmsghdr *nlh, struct nh_obj *nh)
{
	const struct nhmsg *nhm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NHA_MAX + 1] = {};
	struct attr_set set = ATTR_SET(nha_types, nha_names, tb, rd);
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*nhm))
		return malformed(rd, "nexthop message");
	if (mnl_attr_parse(nlh, sizeof(*nhm), attr_keep, &set) < 0)
		return rd->err ?: malformed(rd, "nexthop attributes");
	if (!tb[NHA_ID])
		return malformed(rd, "NHA_ID");
	nh->id = mnl_attr_get_u32(tb[NHA_ID]);
	if (tb[NHA_GROUP])
		return parse_nh_group(rd, tb[NHA_GROUP], nh);
	nh->hop.ifindex = tb[NHA_OIF] ? (int)mnl_attr_get_u32(tb[NHA_OIF]) : 0;
	if (tb[NHA_GATEWAY])
		err = format_addr(rd, "NHA_GATEWAY", nhm->nh_family,
				  mnl_attr_get_payload(tb[NHA_GATEWAY]),
				  mnl_attr_get_payload_len(tb[NHA_GATEWAY]),
				  nh->hop.via, sizeof(nh->hop.via));
	return err ?: parse_encap(rd, tb[NHA_ENCAP_TYPE], tb[NHA_ENCAP], &nh->hop);
}

static int nexthop_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reader *rd = data;
	struct nh_obj *nh;

	if (nlh->nlmsg_type != RTM_NEWNEXTHOP)
		return MNL_CB_OK;
	rd->err = grow((void **)&rd->nhs, &rd->nhcap, rd->nnh + 1, sizeof(*rd->nhs));
	if (rd->err)
		return MNL_CB_ERROR;
	nh = &rd->nhs[rd->nnh];
	memset(nh, 0, sizeof(*nh));
	rd->err = parse_nh_msg(rd, nlh, nh);
	if (rd->err) {
		free(nh->members);
		return MNL_CB_ERROR;
	}
	rd->nnh++;
	return MNL_CB_OK;
}

/* NLMSG_ERROR: an acknowledgement (error 0) or the request's failure */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct reader *rd = data;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		rd->err = malformed(rd, "NLMSG_ERROR");
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	rd->err = e->error < 0 ? e->error : -e->error;
	return MNL_CB_ERROR;
}

/* NLMSG_DONE: the end of the dump; it carries an error when the dump
 * failed part way (libmnl 1.0.4 does not look). */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reader *rd = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		if (err < 0) {
			rd->err = err;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

/* not const: libmnl 1.0.4's mnl_cb_run2() takes a plain pointer */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
};

static int send_dump_request(struct mnl_socket *nl, __u16 type, size_t hdrlen, __u32 seq,
			     char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	mnl_nlmsg_put_extra_header(nlh, hdrlen);	/* zeroed: AF_UNSPEC, all */
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

/* Run one dump of type (whose request header is hdrlen bytes) on a socket
 * of its own, with cb for each message. -EINTR: the kernel marked it
 * interrupted (libmnl checks NLM_F_DUMP_INTR and the sequence number and
 * port id of each message). */
static int dump_once(__u16 type, size_t hdrlen, mnl_cb_t cb, struct reader *rd, char *buf)
{
	struct mnl_socket *nl;
	__u32 seq, portid;
	ssize_t len;
	int err, ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	seq = (__u32)time(NULL);
	err = send_dump_request(nl, type, hdrlen, seq, buf);
	if (err)
		goto out;
	do {
		len = mnl_socket_recvfrom(nl, buf, RECV_SIZE);
		if (len <= 0) {
			err = len < 0 ? -errno : -ENODATA;
			goto out;
		}
		rd->err = 0;
		ret = mnl_cb_run2(buf, len, seq, portid, cb, rd, ctl_cbs, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		err = rd->err ?: -errno;
out:
	mnl_socket_close(nl);
	return err;
}

/* Dump type again while the kernel says the dump was interrupted; reset
 * empties what an attempt gathered. Logs once, but not a nexthop dump that
 * the kernel does not know (-EOPNOTSUPP). */
static int dump(__u16 type, size_t hdrlen, mnl_cb_t cb, void (*reset)(struct reader *),
		struct reader *rd, const char *what)
{
	char *buf = malloc(RECV_SIZE);
	int err = -EINTR, tries;

	if (!buf) {
		p_err("cannot read the %s: %s", what, strerror(ENOMEM));
		return -ENOMEM;
	}
	for (tries = 0; tries < DUMP_TRIES && err == -EINTR; tries++) {
		reset(rd);
		rd->bad = NULL;
		err = dump_once(type, hdrlen, cb, rd, buf);
	}
	free(buf);
	if (err == -EINTR) {
		p_err("cannot read the %s: they kept changing while read (%d tries)", what,
		      DUMP_TRIES);
		return -EAGAIN;
	}
	if (err == -EBADMSG && rd->bad)
		p_err("cannot read the %s: the kernel sent a malformed %s", what, rd->bad);
	else if (err == -ENOSPC)
		p_err("cannot read the %s: a message was larger than %d bytes", what, RECV_SIZE);
	else if (err && (type != RTM_GETNEXTHOP || err != -EOPNOTSUPP))
		p_err("cannot read the %s: %s", what, strerror(-err));
	return err;
}

static void reset_routes(struct reader *rd)
{
	rd->n = 0;
}

static void reset_nexthops(struct reader *rd)
{
	size_t i;

	for (i = 0; i < rd->nnh; i++)
		free(rd->nhs[i].members);
	rd->nnh = 0;
}

/* The nexthop objects, sorted by id; none where the kernel has none
 * (before 5.3: RTM_GETNEXTHOP is EOPNOTSUPP). */
static int read_nexthops(struct reader *rd)
{
	int err;

	err = dump(RTM_GETNEXTHOP, sizeof(struct nhmsg), nexthop_cb, reset_nexthops, rd,
		   "nexthop objects");
	if (err == -EOPNOTSUPP) {
		reset_nexthops(rd);
		return 0;
	}
	if (err)
		return err;
	if (rd->nnh)
		qsort(rd->nhs, rd->nnh, sizeof(*rd->nhs), cmp_nh_id);
	return 0;
}

/* A gateway as a sort key: family, then address; "" first. */
static void via_key(const char *via, unsigned char key[17])
{
	memset(key, 0, 17);
	if (!*via)
		return;
	key[0] = strchr(via, ':') ? AF_INET6 : AF_INET;
	inet_pton(key[0], via, key + 1);
}

#define CMP(a, b) do { if ((a) != (b)) return (a) < (b) ? -1 : 1; } while (0)

static int cmp_routes(const void *pa, const void *pb)
{
	const struct lwt_route *a = pa, *b = pb;
	unsigned char va[17], vb[17];
	int c;

	CMP(a->family, b->family);
	CMP(a->table, b->table);
	c = memcmp(a->dst_addr, b->dst_addr, sizeof(a->dst_addr));
	if (c)
		return c;
	CMP(a->dst_len, b->dst_len);
	CMP(a->metric, b->metric);
	via_key(a->via, va);
	via_key(b->via, vb);
	c = memcmp(va, vb, sizeof(va));
	if (c)
		return c;
	c = strcmp(a->dev, b->dev);
	if (c)
		return c;
	CMP(a->hop, b->hop);
	CMP(a->nh_id, b->nh_id);
	return 0;
}

int routes_read(struct lwt_route **routes, size_t *n)
{
	struct reader rd = {};
	int err;

	*routes = NULL;
	*n = 0;
	err = read_nexthops(&rd);
	if (!err)
		err = dump(RTM_GETROUTE, sizeof(struct rtmsg), route_cb, reset_routes, &rd,
			   "routes");
	reset_nexthops(&rd);
	free(rd.nhs);
	if (err) {
		free(rd.routes);
		return err;
	}
	if (rd.n)
		qsort(rd.routes, rd.n, sizeof(*rd.routes), cmp_routes);
	else {
		free(rd.routes);
		rd.routes = NULL;
	}
	*routes = rd.routes;
	*n = rd.n;
	return 0;
}

/* Append to buf, cut to size; *len counts what would have been written. */
static void __attribute__((format(printf, 4, 5)))
append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf + (*len < size ? *len : size - 1),
			*len < size ? size - *len : 1, fmt, ap);
	va_end(ap);
	if (ret > 0)
		*len += ret;
}

const char *route_describe(const struct lwt_route *r, char *buf, size_t size)
{
	size_t len = 0;

	if (!size)
		return buf;
	buf[0] = 0;
	append(buf, size, &len, "%s", r->dst);
	if (r->nh_id)
		append(buf, size, &len, " nhid %u", r->nh_id);
	if (*r->via)
		append(buf, size, &len, " via %s%s",
		       r->family == AF_INET && strchr(r->via, ':') ? "inet6 " : "", r->via);
	if (*r->dev)
		append(buf, size, &len, " dev %s", r->dev);
	if (r->table == RT_TABLE_LOCAL)
		append(buf, size, &len, " table local");
	else if (r->table == RT_TABLE_DEFAULT)
		append(buf, size, &len, " table default");
	else if (r->table != RT_TABLE_MAIN)
		append(buf, size, &len, " table %u", r->table);
	if (r->metric)
		append(buf, size, &len, " metric %u", r->metric);
	return buf;
}

bool lwt_prog_name_split(const char *name, char *file, size_t fsize, char *section,
			 size_t ssize)
{
	const char *sep = NULL, *p;
	size_t nlen = strlen(name), flen, slen;

	for (p = strstr(name, ":["); p; p = strstr(p + 1, ":["))
		sep = p;
	if (!sep || name[nlen - 1] != ']')
		return false;
	flen = sep - name;
	slen = nlen - flen - 3;		/* without ":[" and "]" */
	if (!flen || !slen || flen >= fsize || slen >= ssize)
		return false;
	memcpy(file, name, flen);
	file[flen] = 0;
	memcpy(section, sep + 2, slen);
	section[slen] = 0;
	return true;
}

void route_json_members(struct json *j, const struct lwt_route *r)
{
	json_member_string(j, "family", r->family == AF_INET6 ? "inet6" : "inet");
	json_member_string(j, "dst", r->dst);
	json_member_uint(j, "table", r->table);
	json_member_string(j, "dev", r->dev);
	json_member_string(j, "via", r->via);
	json_member_uint(j, "metric", r->metric);
}
