/* replay.h: run packets through a policy the way a route would, with
 * BPF_PROG_TEST_RUN, on a private copy of the object (no map is pinned).
 *
 * replay_core.c holds what `lwtp replay` and the behaviour tests
 * (tests/tools/caserun.c) share: loading, compiling, running one packet.
 * replay_desc.c describes a packet in one line; replay.c is the command.
 *
 * Functions return 0 or a negative errno and log (p_err) what went wrong,
 * unless said otherwise.
 */
#ifndef LWTP_REPLAY_H
#define LWTP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/types.h>

struct bpf_object;
struct bpf_program;
struct json;

/* ---- replay_core.c ------------------------------------------------------- */

/* Open path and load it as iproute2 would on a route, but privately: every
 * program is BPF_PROG_TYPE_LWT_OUT and every map's pin path is cleared. With
 * a section, only that program is loaded and *progp is set; an unknown
 * section is an error that lists the object's sections. On a verifier
 * failure the log is printed on stderr. */
int replay_load(const char *path, const char *section, struct bpf_object **objp,
		struct bpf_program **progp);

/* The program of a loaded object in section, or NULL (nothing logged). */
struct bpf_program *replay_find_prog(struct bpf_object *obj, const char *section);

/* Whether path is an ELF file (else: a policy to compile). */
bool replay_is_elf(const char *path);

/* Compile the policy src with lwtc into a new temporary directory
 * ($TMPDIR/lwtp-replay.XXXXXX); *objp (free it) is the object there;
 * replay_cleanup() removes the directory. lwtc is $LWTC, else the lwtc next
 * to the running lwtp, else lwtc in PATH. lwtc's diagnostics go to stderr
 * as it prints them. */
int replay_compile(const char *src, char **objp);
void replay_cleanup(const char *obj);

/* One packet, from L3 on, with the ethertype that says what it is. */
struct replay_in {
	__u16 ethertype;
	const void *l3;
	__u32 len;
	const struct __sk_buff *ctx;    /* metadata in; NULL: all zero */
	const unsigned char *eth_dst;   /* NULL: the loopback device's
					 * address, so skb->pkt_type is
					 * PACKET_HOST, as for packets a host
					 * sends */
	bool no_metadata;               /* with ctx NULL: the metadata out is
					 * not wanted (lwtp replay -q), only
					 * the verdict: replay_out's in and
					 * out stay zero */
};

struct replay_out {
	__u32 retval;                   /* BPF_OK, BPF_DROP, ... */
	struct __sk_buff in, out;       /* metadata before and after */
};

/* The longest L3 packet BPF_PROG_TEST_RUN takes (a page less the skb's
 * head and tail room, less the Ethernet header). */
#define REPLAY_MAX_L3 3698

/* Whether BPF_PROG_TEST_RUN can run a packet: 0, or -EINVAL with the
 * reason in why (IPv4 shorter than 20 bytes, IPv6 than 40, too long).
 * Nothing logged. */
int replay_check(__u16 ethertype, __u32 len, char *why, size_t size);

/* Run one packet. -EINVAL with why for packets replay_check() refuses;
 * other errors are BPF_PROG_TEST_RUN's, with why set too. Nothing logged. */
int replay_run(int prog_fd, const struct replay_in *in, struct replay_out *out,
	       char *why, size_t size);

/* The frame BPF_PROG_TEST_RUN takes for in: a 14-byte Ethernet header
 * (in->eth_dst, in->ethertype), then the packet. frame holds ETH_HLEN +
 * in->len bytes; returns that size. */
size_t replay_frame(unsigned char *frame, const struct replay_in *in);

/* Run a frame of replay_frame() with no metadata in or out: its verdict
 * in *retval. Errors as replay_run()'s (but for replay_check()'s, which
 * the caller makes). Nothing logged. Safe to call from several threads. */
int replay_run_frame(int prog_fd, const void *frame, size_t size, __u32 *retval, char *why,
		     size_t why_size);

/* The ids of the maps the program prog_fd uses (*ids: free it). */
int replay_prog_map_ids(int prog_fd, __u32 **ids, __u32 *n);

/* "pass", "drop", "redirect", or NULL for other return values. */
const char *replay_verdict_name(__u32 retval);

/* ---- replay_samples.c ------------------------------------------------------ */

struct replay_samples;

/* Get ready to read every sample ring (BPF_MAP_TYPE_RINGBUF) of obj. */
int replay_samples_open(struct bpf_object *obj, struct replay_samples **sp);
/* The rings written since the last call, as "NAME,NAME" ("" for none);
 * their records are consumed. */
void replay_samples_take(struct replay_samples *s, char *buf, size_t size);
void replay_samples_close(struct replay_samples *s);

/* ---- replay_desc.c ---------------------------------------------------------- */

/* What the headers of a packet say, for one line of output. */
struct replay_desc {
	int family;                     /* 4 or 6; 0: not a valid IP header */
	char src[48], dst[48];
	int proto;                      /* L4 protocol, -1 when unknown */
	bool fragment, later_fragment;
	__u32 frag_offset;              /* bytes */
	int ip4_optlen;                 /* bytes of IPv4 options */
	char exts[64];                  /* IPv6 extension headers: "hopopts,routing" */
	bool l4;                        /* the L4 header is complete */
	bool ports;                     /* TCP or UDP */
	__u16 sport, dport;
	__u8 tcp_flags;
	__u8 icmp_type, icmp_code;
	__u32 len, wirelen;             /* L3 bytes run, and on the wire */
};

void replay_describe(__u16 ethertype, const void *l3, __u32 len, __u32 wirelen,
		     struct replay_desc *d);
/* One line: "192.0.2.1.40000 > 198.51.100.7.53 udp len 38". */
void replay_desc_text(const struct replay_desc *d, char *buf, size_t size);
/* The same as members of the JSON object being written. */
void replay_desc_json(const struct replay_desc *d, struct json *j);

#endif
