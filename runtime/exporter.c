/* exporter.c: lwtp exporter --listen ADDR:PORT: serve the statistics of the
 * maps pinned in the pin directory at http://ADDR:PORT/metrics, in the
 * Prometheus text format, read afresh at every scrape. The HTTP server is
 * libmicrohttpd's, on a thread of its own; scrapes are served one at a time.
 *
 * The metrics are lwtp stat --prometheus's (prom.c), each series with a
 * label policy="P" first (P: the policies whose loaded programs count into
 * the map, comma-separated; "" when none does), and:
 *
 *   lwtp_statistic_created_seconds{statistic,policy}  when the map was
 *                                  pinned: a counter that goes back to 0
 *                                  was made again
 *   lwtp_up                        1 when the pin directory was read
 *   lwtp_scrape_errors             maps that could not be read this scrape
 *   lwtp_scrape_duration_seconds   how long the scrape took
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <microhttpd.h>

#include "lwtp.h"
#include "prom.h"
#include "stat_model.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- the address ------------------------------------------------------------ */

/* ADDR:PORT, [ADDR6]:PORT or :PORT (every address, IPv4 and IPv6). */
static int parse_listen(const char *text, struct sockaddr_storage *ss, bool *any)
{
	const char *colon = strrchr(text, ':');
	char host[INET6_ADDRSTRLEN + 2], *end;
	unsigned long port;
	size_t hlen;

	memset(ss, 0, sizeof(*ss));
	if (!colon || !colon[1])
		return -EINVAL;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port == 0 || port > 65535 || colon[1] < '0' || colon[1] > '9')
		return -EINVAL;
	hlen = colon - text;
	if (hlen >= 2 && text[0] == '[' && text[hlen - 1] == ']') {
		text++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, hlen);
	host[hlen] = 0;
	*any = !hlen;
	if (!hlen || inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (!hlen)
			s6->sin6_addr = in6addr_any;
		return 0;
	}
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		return 0;
	}
	return -EINVAL;
}

static uint16_t listen_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/* ---- one scrape ------------------------------------------------------------- */

/* The policies that count into the map of s, sorted, comma-separated: the
 * value of its series' label policy. */
#define POLICIES_SIZE 1024

static const char *policies_text(const struct snap *s, char policies[POLICIES_SIZE])
{
	const struct stat_where *w = s->where;
	size_t len = 0;

	policies[0] = 0;
	for (size_t k = 0; w && k < w->npolicies && len < POLICIES_SIZE; k++)
		len += snprintf(policies + len, POLICIES_SIZE - len, "%s%s", k ? "," : "",
				w->policies[k]);
	return policies;
}

static const char *snap_policies(const struct snap *s, void *policies)
{
	return policies_text(s, policies);
}

static double now_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put_created(FILE *f, const struct stat_model *sm)
{
	char policies[POLICIES_SIZE];

	fputs("# HELP lwtp_statistic_created_seconds When the statistic's map was pinned "
	      "(made), in seconds since the epoch.\n"
	      "# TYPE lwtp_statistic_created_seconds gauge\n", f);
	for (size_t i = 0; i < sm->n; i++) {
		const struct lwtp_map *m = sm->snaps[i].m;
		char path[PATH_MAX];
		struct stat st;

		if (!prom_name_ok(m->name) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", opts.pin_dir, m->name) >=
		    sizeof(path) || stat(path, &st))
			continue;
		fputs("lwtp_statistic_created_seconds{statistic=\"", f);
		prom_label_value(f, m->name);
		fputs("\",policy=\"", f);
		prom_label_value(f, policies_text(&sm->snaps[i], policies));
		fprintf(f, "\"} %lld.%03ld\n", (long long)st.st_ctim.tv_sec,
			st.st_ctim.tv_nsec / 1000000);
	}
}

static void put_gauge(FILE *f, const char *name, const char *help, double v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s %.9g\n", name, help, name, name, v);
}

/* The metrics of the maps pinned now, each series with the policies that
 * count into its map; the number of maps that could not be read or
 * exported, or a negative errno when the pin directory cannot be read. */
static int put_maps(FILE *f)
{
	struct stat_places places = { 0 };
	struct stat_model sm;
	char policies[POLICIES_SIZE];
	int err, errors;

	err = stat_model_scrape(&sm, opts.pin_dir);
	if (err)
		return err;
	errors = sm.errors;
	/* after the maps: the programs that use them are loaded by then */
	stat_places_read(&places, opts.pin_dir);
	if (stat_where_find(&places, sm.snaps, sm.n))
		errors++;
	if (prom_print_policies(f, sm.snaps, sm.n, snap_policies, policies) != 0)
		errors++;       /* a map whose name makes no metric */
	put_created(f, &sm);
	stat_places_free(&places);
	stat_model_free(&sm);
	return errors;
}

/* The whole /metrics page; NULL when out of memory. */
static char *scrape(size_t *len)
{
	double start = now_seconds(CLOCK_MONOTONIC);
	char *page = NULL;
	int errors;
	FILE *f;

	f = open_memstream(&page, len);
	if (!f)
		return NULL;
	errors = put_maps(f);
	put_gauge(f, "lwtp_up", "1 when the pin directory could be read.", errors < 0 ? 0 : 1);
	put_gauge(f, "lwtp_scrape_errors", "Pinned maps that could not be read or "
		  "exported in this scrape (lwtp logs why).", errors < 0 ? 1 : errors);
	put_gauge(f, "lwtp_scrape_duration_seconds", "How long this scrape took.",
		  now_seconds(CLOCK_MONOTONIC) - start);
	if (fclose(f)) {
		free(page);
		return NULL;
	}
	return page;
}

/* ---- HTTP ---------------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
			     char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	static const char index_page[] =
		"lwtp exporter: the statistics of lwtp policies are at /metrics\n";
	static const char not_allowed[] = "only GET and HEAD\n";
	char *page;
	size_t len;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", (char *)not_allowed,
			     sizeof(not_allowed) - 1, MHD_RESPMEM_PERSISTENT);
	if (*upload_size)
		return MHD_NO;          /* a GET with a body */
	if (strcmp(url, "/metrics"))
		return reply(conn, strcmp(url, "/") ? MHD_HTTP_NOT_FOUND : MHD_HTTP_OK,
			     "text/plain", (char *)index_page, sizeof(index_page) - 1,
			     MHD_RESPMEM_PERSISTENT);
	page = scrape(&len);
	if (!page)
		return MHD_NO;
	return reply(conn, MHD_HTTP_OK, CONTENT_TYPE, page, len, MHD_RESPMEM_MUST_FREE);
}

/* ---- the command ------------------------------------------------------------------ */

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = 0;
	p_err("exporter: %s", buf);
}

int do_exporter(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	sigset_t stop;
	bool any;
	int sig;

	if (argc > 0)
		return p_usage("exporter takes no arguments, not '%s'", argv[0]);
	if (!opts.listen)
		return p_usage("exporter wants --listen ADDR:PORT (:9469 for every address)");
	if (parse_listen(opts.listen, &ss, &any))
		return p_usage("--listen wants ADDR:PORT, [ADDR6]:PORT or :PORT, not '%s'",
			       opts.listen);
	if (ss.ss_family == AF_INET6)
		flags |= any ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;

	/* the server's thread inherits this: SIGINT and SIGTERM come to sigwait */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(flags, listen_port(&ss), NULL, NULL, handle, NULL,
			     MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_CONNECTION_TIMEOUT, 30u,
			     MHD_OPTION_CONNECTION_LIMIT, 64u,
			     MHD_OPTION_END);
	if (!d) {
		p_err("exporter: cannot listen on %s", opts.listen);
		return LWTP_EXIT_FAIL;
	}
	fprintf(stderr, "lwtp: exporter: serving http://%s/metrics, maps pinned in %s\n",
		opts.listen, opts.pin_dir);
	while (sigwait(&stop, &sig) == 0 && sig != SIGINT && sig != SIGTERM)
		;
	MHD_stop_daemon(d);
	return LWTP_EXIT_OK;
}
