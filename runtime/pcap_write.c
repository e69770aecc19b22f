/* pcap_write.c: captures of raw IP packets, for lwtp sample -w: pcapng by
 * pcapng_write.c for a .pcapng file, classic pcap by libpcap for the rest. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pcap/pcap.h>

#include "lwtp.h"
#include "pcap_write.h"
#include "pcapng_write.h"

struct pcapw {
	struct pcapng *ng;      /* a .pcapng file; or: */
	pcap_t *dead;           /* a handle without a device, to dump with */
	pcap_dumper_t *dump;
	const char *path;
};

/* The name ends in ".pcapng", in any case. */
static bool is_pcapng(const char *path)
{
	static const char suffix[] = ".pcapng";
	size_t len = strlen(path);

	return len >= sizeof(suffix) - 1 &&
	       !strcasecmp(path + len - (sizeof(suffix) - 1), suffix);
}

static int classic_open(struct pcapw *w, const char *path)
{
	w->dead = pcap_open_dead(DLT_RAW, 65535);
	if (!w->dead) {
		p_err("cannot set up a capture for '%s'", path);
		return -ENOMEM;
	}
	w->dump = pcap_dump_open(w->dead, path);
	if (!w->dump) {
		p_err("cannot write '%s': %s", path, pcap_geterr(w->dead));
		return -EIO;
	}
	return 0;
}

int pcapw_open(const char *path, const char *name, struct pcapw **wp)
{
	struct pcapw *w = calloc(1, sizeof(*w));
	int err;

	*wp = NULL;
	if (!w) {
		p_err("cannot write '%s': %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	w->path = path;
	if (is_pcapng(path))
		err = pcapng_open(path, name, &w->ng);
	else
		err = classic_open(w, path);
	if (err) {
		pcapw_close(w);
		return err;
	}
	*wp = w;
	return 0;
}

/* Classic pcap has microseconds, and no room for the verdict or the mark. */
static int classic_add(struct pcapw *w, const struct pcapw_packet *p)
{
	struct pcap_pkthdr h = {
		.ts = { .tv_sec = p->ts.tv_sec, .tv_usec = p->ts.tv_nsec / 1000 },
		.caplen = p->caplen,
		.len = p->len,
	};

	pcap_dump((u_char *)w->dump, &h, p->data);
	if (pcap_dump_flush(w->dump)) {
		p_err("cannot write '%s': %s", w->path, strerror(errno));
		return -EIO;
	}
	return 0;
}

int pcapw_add(struct pcapw *w, const struct pcapw_packet *p)
{
	return w->ng ? pcapng_add(w->ng, p) : classic_add(w, p);
}

int pcapw_close(struct pcapw *w)
{
	int err;

	if (!w)
		return 0;
	err = pcapng_close(w->ng);
	/* pcap_dump_close() says nothing; every packet was flushed and checked */
	if (w->dump)
		pcap_dump_close(w->dump);
	if (w->dead)
		pcap_close(w->dead);
	free(w);
	return err;
}
