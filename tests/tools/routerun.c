/* routerun: run packets of any size through a policy on a private route
 * (runtime/replay_route.c), and print the verdicts and the maps.
 *
 *   routerun [-t] OBJECT SECTION PACKET...
 *
 * OBJECT's SECTION is loaded privately, as lwtp replay loads it
 * (replay_load()); each PACKET, in the text form of pkt.h ("ip4 udp dst
 * 198.51.100.7 len 60000": up to 65535 bytes from L3), is sent through
 * replay_route_run(). With -t, the packets BPF_PROG_TEST_RUN takes (at most
 * REPLAY_MAX_L3 bytes) run through replay_run() instead, into the same maps.
 * One line a packet:
 *
 *   1 drop len 60000 route
 *   2 pass len 100 test
 *
 * then each of the section's maps, as mapdump prints them ("MAP name", an
 * entry a line). Exit: 0, 1 when a packet or the object failed (why on
 * stderr), 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "mapdec.h"
#include "pkt.h"
#include "replay.h"
#include "replay_route.h"

#define FRAME_MAX (ETH_HLEN + REPLAY_ROUTE_MAX_L3)

static void usage(FILE *f)
{
	fprintf(f, "usage: routerun [-t] OBJECT SECTION PACKET...\n");
}

/* Run one packet text; prints its line. 0, or -1 after a message. */
static int run_one(int n, const char *text, int prog_fd, struct replay_route *route,
		   int test_small, unsigned char *frame)
{
	struct pkt_spec spec;
	struct replay_in in = { 0 };
	struct replay_out out;
	char why[256];
	__u32 retval = 0;
	const char *verdict, *path;
	int len, err;

	if (pkt_parse(text, &spec, why, sizeof(why)) < 0 ||
	    (len = pkt_build(&spec, frame, FRAME_MAX, why, sizeof(why))) < 0) {
		fprintf(stderr, "routerun: packet %d (%s): %s\n", n, text, why);
		return -1;
	}
	in.ethertype = spec.family == 6 ? ETH_P_IPV6 : spec.family == 4 ? ETH_P_IP : spec.ethertype;
	in.l3 = frame + ETH_HLEN;
	in.len = (__u32)len - ETH_HLEN;
	if (test_small && in.len <= REPLAY_MAX_L3) {
		path = "test";
		err = replay_run(prog_fd, &in, &out, why, sizeof(why));
		retval = out.retval;
	} else {
		path = "route";
		err = replay_route_run(route, in.ethertype, in.l3, in.len, &retval, why, sizeof(why));
	}
	if (err) {
		fprintf(stderr, "routerun: packet %d (%s): %s: %s\n", n, text, strerror(-err), why);
		printf("%d error len %u %s\n", n, in.len, path);
		return -1;
	}
	verdict = replay_verdict_name(retval);
	if (verdict)
		printf("%d %s len %u %s\n", n, verdict, in.len, path);
	else
		printf("%d ret %u len %u %s\n", n, retval, in.len, path);
	return 0;
}

/* The maps the section uses, as mapdump prints them. */
static int print_maps(struct bpf_object *obj)
{
	struct bpf_map *map;
	struct mapdec d;
	struct mapdec_entry *e;
	char buf[1024];
	size_t n, j;
	int err, status = 0;

	bpf_object__for_each_map(map, obj) {
		if (strchr(bpf_map__name(map), '.') || bpf_map__fd(map) < 0)
			continue;	/* .rodata, .bss; maps of other sections */
		err = mapdec__init_fd(&d, bpf_map__fd(map));
		if (!err)
			err = mapdec__read(&d, bpf_map__fd(map), &e, &n);
		if (err) {
			fprintf(stderr, "routerun: map %s: %s\n", bpf_map__name(map), strerror(-err));
			status = -1;
			continue;
		}
		printf("MAP %s\n", bpf_map__name(map));
		for (j = 0; j < n; j++) {
			if (mapdec__format_entry(&d, &e[j], buf, sizeof(buf)) < 0)
				snprintf(buf, sizeof(buf), "(entry too long to print)");
			printf("    %s\n", buf);
		}
		mapdec__free_entries(e, n);
	}
	return status;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct replay_route *route = NULL;
	unsigned char *frame = NULL;
	int test_small = 0, status = 1, i;

	if (argc == 2 && !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "-t")) {
		test_small = 1;
		argv++;
		argc--;
	}
	if (argc < 4 || argv[1][0] == '-') {
		usage(stderr);
		return 2;
	}
	frame = malloc(FRAME_MAX);
	if (!frame) {
		fprintf(stderr, "routerun: out of memory\n");
		return 1;
	}
	if (replay_load(argv[1], argv[2], &obj, &prog) < 0 ||
	    replay_route_open(bpf_program__fd(prog), argv[2], &route) < 0)
		goto out;
	status = 0;
	for (i = 3; i < argc; i++)
		if (run_one(i - 2, argv[i], bpf_program__fd(prog), route, test_small, frame) < 0)
			status = 1;
	if (print_maps(obj) < 0)
		status = 1;
out:
	replay_route_close(route);
	bpf_object__close(obj);
	free(frame);
	return status;
}
