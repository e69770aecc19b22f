/* mapfill: fill a pinned lwtp counter map keyed by ip.dst with N keys, for
 * bench/stat.sh: IPv4 destinations 10.0.0.0 on (as ::ffff:a.b.c.d), each
 * with a per-CPU value of (CPU + 1) packets and 100 bytes, written with
 * BPF_MAP_UPDATE_BATCH.
 *
 *   mapfill PIN N
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lwtp_contract.h"

#define FILL_BATCH 8192

/* Key i: ::ffff:10.x.y.z, the i-th address from 10.0.0.0. */
static void fill_key(lwtp_ip_t *key, unsigned i)
{
	unsigned char *b = (unsigned char *)key;

	memset(b, 0, sizeof(*key));
	b[10] = b[11] = 0xff;
	b[12] = 10;
	b[13] = i >> 16;
	b[14] = i >> 8;
	b[15] = i;
}

int main(int argc, char **argv)
{
	int fd, ncpus = libbpf_num_possible_cpus(), cpu;
	unsigned n, i, k, count;
	lwtp_ip_t *keys;
	struct lwtp_counter *vals;

	if (argc != 3 || ncpus < 1) {
		fprintf(stderr, "usage: mapfill PIN N\n");
		return 2;
	}
	fd = bpf_obj_get(argv[1]);
	n = strtoul(argv[2], NULL, 10);
	if (fd < 0 || n > (1u << 24)) {
		fprintf(stderr, "mapfill: %s: %s\n", argv[1], fd < 0 ? strerror(errno) : "N too big");
		return 1;
	}
	keys = calloc(FILL_BATCH, sizeof(*keys));
	vals = calloc((size_t)FILL_BATCH * ncpus, sizeof(*vals));
	if (!keys || !vals)
		return 1;
	for (i = 0; i < n; i += count) {
		count = n - i < FILL_BATCH ? n - i : FILL_BATCH;
		for (k = 0; k < count; k++) {
			fill_key(&keys[k], i + k);
			for (cpu = 0; cpu < ncpus; cpu++) {
				vals[(size_t)k * ncpus + cpu].packets = cpu + 1;
				vals[(size_t)k * ncpus + cpu].bytes = 100;
			}
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
			fprintf(stderr, "mapfill: %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
	}
	return 0;
}
