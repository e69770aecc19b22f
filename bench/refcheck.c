/* refcheck: whether a hand-written reference does what lwtc's program does,
 * on the benchmark's packets, so that comparing their speed means something.
 *
 *   refcheck [-x FIELD]... [-p PACKET]... GENERATED REFERENCE
 *
 * Both are OBJ:SECTION, loaded privately (fresh, unpinned maps). Every
 * PACKET (pkt.h text form; default "ip4 udp payload 100") runs once
 * through each, in order; their verdicts and the metadata they leave (mark,
 * priority, cb) must be equal, and so must, at the end, every map of either
 * object, by name, as tests/tools/mapdec.h prints it (per-CPU values
 * summed). Not compared: lwtc's lwtp_full_* maps (the references do not
 * count refused keys), rings, maps without entries, and the value fields
 * named with -x (times, random choices). Prints one line when they agree,
 * the differences otherwise.
 * Exit: 0 equal, 1 different or failure, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "benchprog.h"
#include "mapdec.h"
#include "objload.h"

#define MAX_PACKETS 16
#define MAX_EXCLUDED 8
#define MAX_TEXT (1 << 20)

struct options {
	const char *packets[MAX_PACKETS];
	int npackets;
	const char *excluded[MAX_EXCLUDED];
	int nexcluded;
};

static int is_excluded(const struct options *o, const char *field)
{
	int i;

	for (i = 0; i < o->nexcluded; i++)
		if (!strcmp(o->excluded[i], field))
			return 1;
	return 0;
}

static int compared(const struct bpf_map *map)
{
	return !bpf_map__is_internal(map) && bpf_map__type(map) != BPF_MAP_TYPE_RINGBUF &&
	       strncmp(bpf_map__name(map), "lwtp_full_", 10) != 0;
}

/* The map's entries as text, one a line, the excluded fields zeroed */
static int map_text(const struct bpf_map *map, const struct options *o, char *text, size_t size)
{
	struct mapdec_entry *e;
	struct mapdec d;
	size_t n, i, len = 0;
	int f, err, fd = bpf_map__fd(map);

	text[0] = 0;
	err = mapdec__init_fd(&d, fd);
	if (!err)
		err = mapdec__read(&d, fd, &e, &n);
	if (err)
		return err;
	for (i = 0; i < n && !err; i++) {
		for (f = 0; f < d.value.nfields; f++)
			if (is_excluded(o, d.value.fields[f].name))
				e[i].vals[f] = 0;
		err = mapdec__format_entry(&d, &e[i], text + len, size - len - 1);
		if (err >= 0) {
			len += err;
			text[len++] = '\n';
			text[len] = 0;
			err = 0;
		}
	}
	mapdec__free_entries(e, n);
	return err;
}

/* Compare the map of this name in both objects: 1 when equal */
static int same_map(const char *name, struct bpf_object *gen, struct bpf_object *ref,
		    const struct options *o)
{
	static char gtext[MAX_TEXT], rtext[MAX_TEXT];
	struct bpf_map *gm = bpf_object__find_map_by_name(gen, name);
	struct bpf_map *rm = bpf_object__find_map_by_name(ref, name);
	int err;

	if (!gm || !rm) {
		printf("map %s: only in the %s\n", name, gm ? "generated program" : "reference");
		return 0;
	}
	err = map_text(gm, o, gtext, sizeof(gtext));
	if (!err)
		err = map_text(rm, o, rtext, sizeof(rtext));
	if (err) {
		printf("map %s: cannot read: %s\n", name, strerror(-err));
		return 0;
	}
	if (!strcmp(gtext, rtext))
		return 1;
	printf("map %s differs:\n--- generated\n%s--- reference\n%s", name, gtext, rtext);
	return 0;
}

/* Every compared map of either object: the number of differences */
static int diff_maps(struct bpf_object *gen, struct bpf_object *ref, const struct options *o,
		     int *nmaps)
{
	struct bpf_map *map;
	int diffs = 0;

	*nmaps = 0;
	bpf_object__for_each_map(map, gen) {
		if (!compared(map))
			continue;
		diffs += !same_map(bpf_map__name(map), gen, ref, o);
		++*nmaps;
	}
	bpf_object__for_each_map(map, ref)
		if (compared(map) && !bpf_object__find_map_by_name(gen, bpf_map__name(map)))
			diffs += !same_map(bpf_map__name(map), gen, ref, o);
	return diffs;
}

/* Run the packet through both: the number of differences, -1 on failure */
static int diff_packet(const char *text, const struct bench_prog *gen,
		       const struct bench_prog *ref)
{
	struct __sk_buff gout, rout;
	static struct bench_packet pkt;
	uint32_t gret, rret;
	char b1[16], b2[16];

	if (bench_packet_build(&pkt, text) || bench_run(gen, &pkt, 1, &gret, &gout) ||
	    bench_run(ref, &pkt, 1, &rret, &rout))
		return -1;
	if (gret == rret && gout.mark == rout.mark && gout.priority == rout.priority &&
	    !memcmp(gout.cb, rout.cb, sizeof(gout.cb)))
		return 0;
	printf("packet '%s': generated %s mark %#x priority %u, reference %s mark %#x priority %u"
	       " (or cb[] differs)\n", text, bench_verdict(gret, b1, sizeof(b1)), gout.mark,
	       gout.priority, bench_verdict(rret, b2, sizeof(b2)), rout.mark, rout.priority);
	return 1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	int opt;

	memset(o, 0, sizeof(*o));
	while ((opt = getopt(argc, argv, "x:p:h")) != -1) {
		if (opt == 'p' && o->npackets < MAX_PACKETS)
			o->packets[o->npackets++] = optarg;
		else if (opt == 'x' && o->nexcluded < MAX_EXCLUDED)
			o->excluded[o->nexcluded++] = optarg;
		else
			return -1;
	}
	if (!o->npackets)
		o->packets[o->npackets++] = "ip4 udp payload 100";
	return argc - optind == 2 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct bench_prog gen, ref;
	struct options o;
	int i, d, diffs = 0, nmaps;

	if (parse_options(argc, argv, &o)) {
		fprintf(stderr, "usage: refcheck [-x FIELD]... [-p PACKET]... GENERATED REFERENCE\n");
		return 2;
	}
	objload_quiet_libbpf(0);
	if (bench_prog_open(&gen, argv[optind]))
		return 1;
	if (bench_prog_open(&ref, argv[optind + 1])) {
		bench_prog_close(&gen);
		return 1;
	}
	for (i = 0; i < o.npackets && diffs >= 0; i++) {
		d = diff_packet(o.packets[i], &gen, &ref);
		diffs = d < 0 ? -1 : diffs + d;
	}
	if (diffs >= 0)
		diffs += diff_maps(gen.obj, ref.obj, &o, &nmaps);
	if (diffs == 0)
		printf("%s and %s agree: %d packets (verdicts, metadata), %d maps\n",
		       gen.arg, ref.arg, o.npackets, nmaps);
	bench_prog_close(&gen);
	bench_prog_close(&ref);
	return diffs != 0;
}
