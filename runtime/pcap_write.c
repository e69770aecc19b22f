/* pcap_write.c: captures of raw IP packets, for lwtp sample -w. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "lwtp.h"
#include "pcap_write.h"

struct pcapw {
	pcap_t *dead;           /* a handle without a device, to dump with */
	pcap_dumper_t *dump;
	const char *path;
};

int pcapw_open(const char *path, struct pcapw **wp)
{
	struct pcapw *w = calloc(1, sizeof(*w));

	*wp = NULL;
	if (!w)
		return -ENOMEM;
	w->path = path;
	w->dead = pcap_open_dead(DLT_RAW, 65535);
	if (!w->dead) {
		p_err("cannot set up a capture for '%s'", path);
		free(w);
		return -ENOMEM;
	}
	w->dump = pcap_dump_open(w->dead, path);
	if (!w->dump) {
		p_err("cannot write '%s': %s", path, pcap_geterr(w->dead));
		pcapw_close(w);
		return -EIO;
	}
	*wp = w;
	return 0;
}

int pcapw_add(struct pcapw *w, const struct timeval *ts, const void *data, __u32 caplen,
	      __u32 len)
{
	struct pcap_pkthdr h = { .ts = *ts, .caplen = caplen, .len = len };

	pcap_dump((u_char *)w->dump, &h, data);
	/* each packet reaches the file as it comes: a reader may follow it */
	if (pcap_dump_flush(w->dump)) {
		p_err("cannot write '%s': %s", w->path, strerror(errno));
		return -EIO;
	}
	return 0;
}

void pcapw_close(struct pcapw *w)
{
	if (!w)
		return;
	if (w->dump)
		pcap_dump_close(w->dump);
	if (w->dead)
		pcap_close(w->dead);
	free(w);
}
