/* mapdump: print BPF maps the way tests and `lwtp stat` read them.
 *
 *   mapdump PIN...      e.g. mapdump /sys/fs/bpf/ip/globals/lwt_len_hist_map
 *
 * For each map: "MAP NAME" (the pin's file name), then one line per entry
 * whose value is not all zero, "KEY => VALUE" (see mapdec.h), sorted by key.
 * Exit: 0 ok, 1 a map could not be read, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "mapdec.h"

int main(int argc, char **argv)
{
	struct mapdec d;
	struct mapdec_entry *e;
	char buf[1024];
	size_t n, j;
	int i, fd, err, status = 0;
	const char *base;

	if (argc < 2 || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? stderr : stdout, "usage: mapdump PIN...\n");
		return argc < 2 ? 2 : 0;
	}
	for (i = 1; i < argc; i++) {
		fd = bpf_obj_get(argv[i]);
		if (fd < 0) {
			fprintf(stderr, "mapdump: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		err = mapdec__init_fd(&d, fd);
		if (!err)
			err = mapdec__read(&d, fd, &e, &n);
		if (err) {
			fprintf(stderr, "mapdump: %s: %s\n", argv[i], strerror(-err));
			close(fd);
			status = 1;
			continue;
		}
		base = strrchr(argv[i], '/');
		printf("MAP %s\n", base ? base + 1 : argv[i]);
		for (j = 0; j < n; j++) {
			if (mapdec__format_entry(&d, &e[j], buf, sizeof(buf)) < 0)
				snprintf(buf, sizeof(buf), "(entry too long to print)");
			printf("    %s\n", buf);
		}
		mapdec__free_entries(e, n);
		close(fd);
	}
	return status;
}
