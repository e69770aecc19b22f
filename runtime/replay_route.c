/* replay_route.c: packets too long for BPF_PROG_TEST_RUN, run through a
 * route in a private network namespace (see replay_route.h).
 *
 * The device is a TUN device, not a veth pair or lo: what passes the program
 * is queued to the device's file descriptor, which is read after each
 * packet, so nothing is ever received by a stack that could answer (an
 * ICMP error would run through the program again), and a packet that passed
 * is seen to leave, whole. It has carrier while the descriptor is open, so
 * no route is "linkdown"; its IPv6 address generation is off before it goes
 * up, so it sends nothing of its own (no link-local address, no DAD, no
 * router solicitation), and outgoing multicast is not looped back.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/lwtunnel.h>
#include <linux/rtnetlink.h>

#include "lwtp.h"
#include "replay_route.h"

#define DEV_NAME "lwtp0"
#define PROG_NAME "lwtp-replay"
/* How long a packet that passed may take to come out of the device. */
#define LEAVE_TIMEOUT_MS 1000

struct replay_route {
	int tun;			/* lwtp0's queue, O_NONBLOCK */
	int sock4, sock6;		/* raw, header included */
	unsigned char *buf;		/* a packet read back */
};

/* ---- rtnetlink ---------------------------------------------------------------- */

struct nl {
	struct mnl_socket *sock;
	__u32 portid, seq;
	char buf[8192];			/* a request, or its ack */
	char msg[256];			/* the kernel's extended ack, if any */
};

static int extack_cb(const struct nlattr *attr, void *data)
{
	struct nl *nl = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(nl->msg, sizeof(nl->msg), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* Send nlh, built in nl->buf, and read its ack; the kernel's message, when
 * it gave one, is in nl->msg. */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e;
	struct nlmsghdr *ack;
	ssize_t len;
	size_t off;

	nl->msg[0] = 0;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	len = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
	if (len < 0)
		return -errno;
	ack = (struct nlmsghdr *)nl->buf;
	if (!mnl_nlmsg_ok(ack, (int)len) || ack->nlmsg_type != NLMSG_ERROR ||
	    ack->nlmsg_seq != nl->seq ||
	    mnl_nlmsg_get_payload_len(ack) < sizeof(*e))
		return -EBADMSG;
	e = mnl_nlmsg_get_payload(ack);
	if (e->error && (ack->nlmsg_flags & NLM_F_ACK_TLVS)) {
		off = sizeof(*e);
		if (!(ack->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (off < mnl_nlmsg_get_payload_len(ack))
			mnl_attr_parse(ack, off, extack_cb, nl);
	}
	return e->error;
}

static int nl_open(struct nl *nl)
{
	int one = 1;

	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock)
		return -errno;
	/* without it, errors are bare errnos; with it, they say why */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(nl->sock);
		return err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (__u32)time(NULL);
	return 0;
}

/* Log a failed request: "cannot WHAT: strerror (the kernel's message)". */
static int nl_fail(const struct nl *nl, int err, const char *what)
{
	p_err("replay through a private route: cannot %s: %s%s%s%s", what, strerror(-err),
	      nl->msg[0] ? " (" : "", nl->msg, nl->msg[0] ? ")" : "");
	return err;
}

static struct nlmsghdr *put_link(struct nl *nl, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

/* MTU 65535 and no IPv6 address generation, then up: in two requests, since
 * the kernel brings a device up before it reads the address generation
 * mode of the same request. */
static int set_up(struct nl *nl, int ifindex)
{
	struct nlmsghdr *nlh;
	struct nlattr *spec, *inet6;
	struct ifinfomsg *ifi;
	int err;

	nlh = put_link(nl, ifindex);
	mnl_attr_put_u32(nlh, IFLA_MTU, REPLAY_ROUTE_MAX_L3);
	spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	inet6 = mnl_attr_nest_start(nlh, AF_INET6);
	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(nlh, inet6);
	mnl_attr_nest_end(nlh, spec);
	err = nl_talk(nl, nlh);
	if (err)
		return nl_fail(nl, err, "set the MTU and address generation of " DEV_NAME);

	nlh = put_link(nl, ifindex);
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	err = nl_talk(nl, nlh);
	if (err)
		return nl_fail(nl, err, "bring " DEV_NAME " up");
	return 0;
}

struct route {
	int family;
	const char *dst;		/* address */
	unsigned char dst_len;
	unsigned char table;
	const char *text;		/* for messages */
};

/* The routes that run the program: every destination. IPv4 multicast
 * takes a route of its own, since the kernel runs no route's program
 * for multicast through a route shorter than /4. */
static const struct route prog_routes[] = {
	{ AF_INET, "0.0.0.0", 0, RT_TABLE_MAIN, "0.0.0.0/0" },
	{ AF_INET, "224.0.0.0", 4, RT_TABLE_MAIN, "224.0.0.0/4" },
	{ AF_INET6, "::", 0, RT_TABLE_MAIN, "::/0" },
};

/* The device's own IPv6 multicast route, in the local table: it would take
 * multicast past ::/0. */
static const struct route mcast6_route = { AF_INET6, "ff00::", 8, RT_TABLE_LOCAL, "ff00::/8" };

static struct nlmsghdr *put_route(struct nl *nl, __u16 type, const struct route *rt, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	unsigned char addr[16];
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = rt->family;
	rtm->rtm_dst_len = rt->dst_len;
	rtm->rtm_table = rt->table;
	/* a deletion matches any protocol: the kernel's route is proto kernel */
	rtm->rtm_protocol = type == RTM_NEWROUTE ? RTPROT_BOOT : RTPROT_UNSPEC;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = rt->family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	if (rt->dst_len) {
		inet_pton(rt->family, rt->dst, addr);
		mnl_attr_put(nlh, RTA_DST, rt->family == AF_INET ? 4 : 16, addr);
	}
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	return nlh;
}

static int add_route(struct nl *nl, const struct route *rt, int ifindex, int prog_fd,
		     const char *prog_name)
{
	struct nlmsghdr *nlh = put_route(nl, RTM_NEWROUTE, rt, ifindex);
	struct nlattr *encap, *out;
	char what[64];
	int err;

	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	mnl_attr_put_u16(nlh, RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_BPF);
	encap = mnl_attr_nest_start(nlh, RTA_ENCAP);
	out = mnl_attr_nest_start(nlh, LWT_BPF_OUT);
	mnl_attr_put_u32(nlh, LWT_BPF_PROG_FD, prog_fd);
	mnl_attr_put_strz(nlh, LWT_BPF_PROG_NAME, prog_name);
	mnl_attr_nest_end(nlh, out);
	mnl_attr_nest_end(nlh, encap);
	err = nl_talk(nl, nlh);
	if (err) {
		snprintf(what, sizeof(what), "add the route %s", rt->text);
		return nl_fail(nl, err, what);
	}
	return 0;
}

/* Remove the device's ff00::/8; none there is fine (the kernel adds it
 * when the device gets carrier and IPv6 is on). */
static int del_mcast6_route(struct nl *nl, int ifindex)
{
	int err = nl_talk(nl, put_route(nl, RTM_DELROUTE, &mcast6_route, ifindex));

	if (err && err != -ESRCH && err != -ENOENT)
		return nl_fail(nl, err, "remove the route ff00::/8 table local");
	return 0;
}

static int setup_routes(int ifindex, int prog_fd, const char *prog_name)
{
	struct nl *nl = calloc(1, sizeof(*nl));
	size_t i;
	int err;

	if (!nl) {
		p_err("out of memory");
		return -ENOMEM;
	}
	err = nl_open(nl);
	if (err) {
		p_err("replay through a private route: cannot open rtnetlink: %s", strerror(-err));
		goto out;
	}
	err = set_up(nl, ifindex) ?: del_mcast6_route(nl, ifindex);
	for (i = 0; !err && i < sizeof(prog_routes) / sizeof(prog_routes[0]); i++)
		err = add_route(nl, &prog_routes[i], ifindex, prog_fd, prog_name);
	mnl_socket_close(nl->sock);
out:
	free(nl);
	return err;
}

/* ---- the namespace ------------------------------------------------------------ */

static int open_tun(int *ifindex)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int fd, err;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		p_err("replay through a private route: cannot open /dev/net/tun: %s", strerror(-err));
		return err;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", DEV_NAME);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		p_err("replay through a private route: cannot make the TUN device %s: %s",
		      DEV_NAME, strerror(-err));
		close(fd);
		return err;
	}
	*ifindex = (int)if_nametoindex(DEV_NAME);
	if (!*ifindex) {
		err = -errno;
		p_err("replay through a private route: %s: %s", DEV_NAME, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

/* A raw socket that sends headers as they are. IPv6's may give any source
 * (IPV6_FREEBIND): the route lookup wants one, and lwtp0 has no address. */
static int raw_socket(int family)
{
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW), zero = 0, one = 1, err;
	bool v4 = family == AF_INET;

	if (fd < 0) {
		err = -errno;
		p_err("replay through a private route: cannot open a raw IPv%c socket: %s",
		      v4 ? '4' : '6', strerror(-err));
		return err;
	}
	/* no copy of multicast comes back in; broadcast may be sent */
	if ((v4 && (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0)) ||
	    (!v4 && (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
		     setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one)) < 0))) {
		err = -errno;
		p_err("replay through a private route: cannot set up a raw IPv%c socket: %s",
		      v4 ? '4' : '6', strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

/* In the new namespace: the device, its routes, the sockets. */
static int build(struct replay_route *r, int prog_fd, const char *prog_name)
{
	int ifindex = 0, err;

	r->tun = open_tun(&ifindex);
	if (r->tun < 0)
		return r->tun;
	err = setup_routes(ifindex, prog_fd, prog_name);
	if (err)
		return err;
	r->sock4 = raw_socket(AF_INET);
	if (r->sock4 < 0)
		return r->sock4;
	r->sock6 = raw_socket(AF_INET6);
	if (r->sock6 < 0)
		return r->sock6;
	return 0;
}

int replay_route_open(int prog_fd, const char *prog_name, struct replay_route **rp)
{
	struct replay_route *r;
	int home, err;

	*rp = NULL;
	r = calloc(1, sizeof(*r));
	if (r)
		r->buf = malloc(REPLAY_ROUTE_MAX_L3 + 1);
	if (!r || !r->buf) {
		p_err("out of memory");
		free(r);
		return -ENOMEM;
	}
	r->tun = r->sock4 = r->sock6 = -1;
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0) {
		err = -errno;
		p_err("replay through a private route: cannot open /proc/self/ns/net: %s",
		      strerror(-err));
		goto fail;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		err = -errno;
		p_err("replay through a private route: cannot make a network namespace: %s%s",
		      strerror(-err), err == -EPERM ? " (it needs root, or CAP_SYS_ADMIN)" : "");
		close(home);
		goto fail;
	}
	err = build(r, prog_fd, prog_name ? prog_name : PROG_NAME);
	/* back home whatever happened: the rest of lwtp runs there (it cannot
	 * fail for root with the namespace's own descriptor) */
	if (setns(home, CLONE_NEWNET) < 0 && !err) {
		err = -errno;
		p_err("replay through a private route: cannot return to lwtp's network "
		      "namespace: %s", strerror(-err));
	}
	close(home);
	if (err)
		goto fail;
	*rp = r;
	return 0;
fail:
	replay_route_close(r);
	return err;
}

void replay_route_close(struct replay_route *r)
{
	if (!r)
		return;
	if (r->sock4 >= 0)
		close(r->sock4);
	if (r->sock6 >= 0)
		close(r->sock6);
	if (r->tun >= 0)
		close(r->tun);
	free(r->buf);
	free(r);
}

/* ---- a packet ----------------------------------------------------------------- */

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Read what left the device after a packet of len bytes passed: it, and
 * nothing else. */
static int read_back(struct replay_route *r, __u32 len, char *why, size_t size)
{
	struct pollfd p = { .fd = r->tun, .events = POLLIN };
	struct timespec start;
	ssize_t n;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		n = read(r->tun, r->buf, REPLAY_ROUTE_MAX_L3 + 1);
		if (n >= 0)
			break;
		if (errno != EAGAIN && errno != EINTR) {
			snprintf(why, size, "reading the private device: %s", strerror(errno));
			return -errno;
		}
		left = LEAVE_TIMEOUT_MS - elapsed_ms(&start);
		if (left <= 0) {
			snprintf(why, size, "the packet passed the program but did not leave the "
				 "private route's device within %d ms", LEAVE_TIMEOUT_MS);
			return -ETIMEDOUT;
		}
		poll(&p, 1, (int)left);
	}
	if ((__u32)n != len) {
		snprintf(why, size, "the packet passed the program but left the private route's "
			 "device with %zd bytes, not %u", n, len);
		return -EPROTO;
	}
	return 0;
}

/* Where to send a packet, from its header; -EINVAL with why for a header
 * the route cannot carry. */
static int destination(__u16 ethertype, const unsigned char *l3, __u32 len,
		       struct sockaddr_storage *ss, socklen_t *sslen, char *why, size_t size)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ethertype == ETH_P_IP) {
		if (len < 20 || l3[0] >> 4 != 4) {
			snprintf(why, size, "not an IPv4 header");
			return -EINVAL;
		}
		/* the raw socket refuses these (EINVAL, which is also what a
		 * return value other than BPF_OK or BPF_DROP gives) */
		if ((l3[0] & 0xf) < 5 || (__u32)(l3[0] & 0xf) * 4 > len) {
			snprintf(why, size, "IPv4 header length %u in a packet of %u bytes: the "
				 "kernel sends no such packet", (l3[0] & 0xf) * 4, len);
			return -EINVAL;
		}
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, l3 + 16, 4);
		*sslen = sizeof(*sin);
		/* the kernel sends these without a route's program: the
		 * limited broadcast as a broadcast, 0.0.0.0 to the loopback
		 * device (tested: the program does not run) */
		if (sin->sin_addr.s_addr == htonl(INADDR_ANY) ||
		    sin->sin_addr.s_addr == htonl(INADDR_BROADCAST)) {
			snprintf(why, size, "destination %s: the kernel runs no route's program "
				 "for it", sin->sin_addr.s_addr ? "255.255.255.255" : "0.0.0.0");
			return -EINVAL;
		}
		return 0;
	}
	if (ethertype == ETH_P_IPV6) {
		if (len < 40 || l3[0] >> 4 != 6) {
			snprintf(why, size, "not an IPv6 header");
			return -EINVAL;
		}
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, l3 + 24, 16);
		*sslen = sizeof(*sin6);
		return 0;
	}
	snprintf(why, size, "not IP (ethertype 0x%04x)", ethertype);
	return -EINVAL;
}

/* Send with the raw socket of the family. An IPv6 packet's route is looked
 * up from its own source (IPV6_PKTINFO), or 2001:db8:: when that is ::, as
 * the kernel will not choose one. */
static ssize_t send_packet(struct replay_route *r, __u16 ethertype, const unsigned char *l3,
			   __u32 len, struct sockaddr_storage *ss, socklen_t sslen)
{
	union {
		struct cmsghdr cm;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} control = { 0 };
	struct iovec iov = { .iov_base = (void *)l3, .iov_len = len };
	struct msghdr msg = {
		.msg_name = ss, .msg_namelen = sslen, .msg_iov = &iov, .msg_iovlen = 1,
	};
	struct in6_pktinfo *pi;
	struct cmsghdr *cm;

	if (ethertype == ETH_P_IP)
		return sendmsg(r->sock4, &msg, 0);
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in6_pktinfo *)CMSG_DATA(cm);
	memcpy(&pi->ipi6_addr, l3 + 8, 16);
	if (IN6_IS_ADDR_UNSPECIFIED(&pi->ipi6_addr))
		inet_pton(AF_INET6, "2001:db8::", &pi->ipi6_addr);
	return sendmsg(r->sock6, &msg, 0);
}

int replay_route_run(struct replay_route *r, __u16 ethertype, const void *l3, __u32 len,
		     __u32 *retval, char *why, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	int err;

	why[0] = 0;
	err = destination(ethertype, l3, len, &ss, &sslen, why, size);
	if (err)
		return err;
	if (len > REPLAY_ROUTE_MAX_L3) {
		snprintf(why, size, "%u bytes from L3: longer than a route's device carries "
			 "(%d: its largest MTU, and the most a raw socket sends)",
			 len, REPLAY_ROUTE_MAX_L3);
		return -EMSGSIZE;
	}
	if (send_packet(r, ethertype, l3, len, &ss, sslen) < 0) {
		err = -errno;
		if (err == -EPERM) {
			*retval = BPF_DROP;
			return 0;
		}
		if (err == -EINVAL)
			snprintf(why, size, "sendto through the private route: %s (the program "
				 "returned neither BPF_OK nor BPF_DROP)", strerror(-err));
		else if (err == -EMSGSIZE)
			snprintf(why, size, "sendto through the private route: %s (%u bytes: more "
				 "than the device's MTU, %d)", strerror(-err), len,
				 REPLAY_ROUTE_MAX_L3);
		else
			snprintf(why, size, "sendto through the private route: %s", strerror(-err));
		return err;
	}
	err = read_back(r, len, why, size);
	if (err)
		return err;
	*retval = BPF_OK;
	return 0;
}
