/* replay_route.h: run packets that BPF_PROG_TEST_RUN cannot take (longer
 * than REPLAY_MAX_L3 from L3: whole datagrams before fragmentation, GSO/TSO
 * super-packets of up to 64 KiB) through a real route that runs the
 * program, in a private network namespace.
 *
 * replay_route_open() makes a network namespace of its own (never named in
 * /run/netns), with one TUN device (lwtp0, MTU 65535, no IPv6 address) and
 * routes 0.0.0.0/0, 224.0.0.0/4 and ::/0 through it that run the program as
 * `ip route ... encap bpf out` would (LWT out); the namespace's own ff00::/8
 * route is removed so that IPv6 multicast takes ::/0 too. It keeps two raw
 * sockets and the device's queue open there and returns to the caller's
 * namespace: nothing else of lwtp (BPF_PROG_TEST_RUN, pins) changes, and
 * the namespace, device and routes go away with replay_route_close(), or
 * when the process ends. Packets never reach the host's network.
 *
 * The program is the one given, so its maps are those the test-run path
 * counts into: the statistics of both paths add up.
 *
 * What differs from a packet run with replay_run():
 * - the packet is sent by a raw socket (IP_HDRINCL, IPV6_HDRINCL), and the
 *   kernel rewrites some of an IPv4 header before the program sees it: the
 *   total length (to len), the checksum, the source when 0, and the id when
 *   0 on a packet without DF (a random one). IPv6 headers go as they are.
 * - metadata: the program starts with what a host's own packet has
 *   (skb.mark 0, skb.priority 0, skb.cb zero, skb.pkt_type host); what it
 *   sets (skb.mark, skb.priority, skb.cb) is not seen afterwards: only its
 *   verdict is. skb.ifindex is lwtp0's, not the loopback device's.
 * - the program's return value is seen only as BPF_OK (the packet left by
 *   the device) or BPF_DROP (sendto failed with EPERM); any other value
 *   makes the kernel drop the packet with EINVAL, an error here.
 *
 * Functions return 0 or a negative errno. replay_route_open() logs (p_err)
 * what went wrong; replay_route_run() logs nothing and says why in why.
 */
#ifndef LWTP_REPLAY_ROUTE_H
#define LWTP_REPLAY_ROUTE_H

#include <stddef.h>
#include <linux/types.h>

struct replay_route;

/* The longest packet the private route carries, from L3: the device's MTU,
 * which is also the most a raw socket sends. */
#define REPLAY_ROUTE_MAX_L3 65535

/* Make the private namespace, device and routes running prog_fd (an
 * BPF_PROG_TYPE_LWT_OUT program), named prog_name in the routes (NULL:
 * "lwtp-replay"). Needs CAP_SYS_ADMIN (unshare) and CAP_NET_ADMIN. */
int replay_route_open(int prog_fd, const char *prog_name, struct replay_route **rp);

/* Send one IPv4 (ethertype ETH_P_IP) or IPv6 (ETH_P_IPV6) packet, from L3,
 * through the route: *retval is BPF_OK when it passed the program and left
 * by the device, BPF_DROP when the program dropped it. Errors, with why:
 * -EINVAL (not an IPv4/IPv6 header of that ethertype, shorter than its
 * fixed header, an IPv4 header length under 20 or over len, which a raw
 * socket refuses, or a destination the kernel does not route through a
 * route's program: IPv4 0.0.0.0 and 255.255.255.255), -EMSGSIZE
 * (longer than REPLAY_ROUTE_MAX_L3), and what the kernel says otherwise
 * (sendto's errno; -ETIMEDOUT when a packet that passed never left). */
int replay_route_run(struct replay_route *r, __u16 ethertype, const void *l3, __u32 len,
		     __u32 *retval, char *why, size_t size);

/* Close the sockets and the device's queue: the namespace goes with them.
 * NULL is fine. */
void replay_route_close(struct replay_route *r);

#endif
