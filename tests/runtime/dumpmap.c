/* dumpmap.c: print a pinned lwtp map's entries in the canonical text of
 * tests/tools/mapdec.h ("KEY => VALUE", one per line, sorted by key), with
 * lwtp's own decoder (runtime/decode_*.c, maps.c, elem.c, log.c): shows and
 * tests how other tools link it.
 *
 *   dumpmap DIR NAME
 */
#include <stdio.h>
#include <stdlib.h>

#include "decode.h"
#include "lwtp.h"
#include "maps.h"

int main(int argc, char **argv)
{
	struct lwtp_map m;
	struct entry *e;
	char line[1024];
	size_t n, i;

	if (argc != 3) {
		fprintf(stderr, "usage: dumpmap DIR NAME\n");
		return 2;
	}
	if (maps_open(argv[1], argv[2], &m))
		return 1;
	if (m.layout.kind == LWTP_NOT_OURS) {
		maps_err_not_ours(&m);
		return 1;
	}
	if (m.layout.kind == LWTP_SET || decode_read(&m.layout, m.fd, &e, &n))
		return 1;
	for (i = 0; i < n; i++) {
		if (decode_entry_text(&m.layout, &e[i], line, sizeof(line)) < 0)
			return 1;
		printf("%s\n", line);
	}
	decode_free(e, n);
	maps_close(&m);
	return 0;
}
