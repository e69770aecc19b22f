/* main.c: lwtp, the runtime companion of lwtc. Parses the options and hands
 * the rest of the command line to the object's subcommand, as ip and bpftool
 * do: lwtp stat ..., lwtp set add ...
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#include "diff.h"
#include "lwtp.h"

#ifndef LWTP_VERSION
#define LWTP_VERSION "0.0.0"
#endif

static void usage(FILE *f)
{
	fprintf(f,
"Usage: lwtp [OPTIONS] COMMAND [ARGUMENT...]\n"
"       lwtp stat [NAME...]      show the statistics of lwtp policies\n"
"       lwtp set add NAME ELEMENT...\n"
"       lwtp set del NAME ELEMENT...\n"
"       lwtp set list [NAME]     change or show a runtime set (all of them)\n"
"       lwtp map add NAME KEY VALUE...\n"
"       lwtp map del NAME KEY...\n"
"       lwtp map list [NAME]     change or show a runtime map (all of them)\n"
"       lwtp replay OBJECT|POLICY SECTION CAPTURE [EXPRESSION...]\n"
"       lwtp diff OLD[:SECTION] NEW[:SECTION] CAPTURE [EXPRESSION...]\n"
"                                run a capture through a policy, or through two\n"
"                                and list the packets they treat differently\n"
"                                (EXPRESSION: a filter in tcpdump's language)\n"
"       lwtp sample NAME [-w FILE] [-c COUNT] [-t SEC]\n"
"                                show or capture the packets a policy samples\n"
"       lwtp show                the routes that run LWT programs, their programs,\n"
"                                maps and pins, and what is wrong with them\n"
"       lwtp check OBJECT [SECTION]\n"
"                                what attaching OBJECT would do to the pins and\n"
"                                whether a route runs it\n"
"       lwtp install OBJECT [DIR]\n"
"                                copy OBJECT to DIR/NAME-ID.o (/var/lib/lwtp):\n"
"                                the file to attach, new with every change\n"
"       lwtp exporter --listen ADDR:PORT\n"
"                                serve the statistics to Prometheus over HTTP\n"
"       lwtp help                this text\n"
"\n"
"Options:\n"
"  -d, --pin-dir DIR    where the maps are pinned (default %s)\n"
"  -j, --json           print JSON (stat, set list, map list, sample, show)\n"
"      --prometheus     print the Prometheus text format (stat)\n"
"  -o, --output FILE    write the Prometheus text to FILE, atomically, for\n"
"                       node_exporter's textfile collector (stat --prometheus)\n"
"      --listen ADDR:PORT  where the exporter serves /metrics (:9469: every\n"
"                       address, port 9469; [::1]:9469; 127.0.0.1:9469)\n"
"  -i, --interval SEC   print per-second rates every SEC seconds (stat)\n"
"  -c, --count COUNT    stop after COUNT intervals (stat -i) or samples (sample)\n"
"  -w, --write FILE     write the samples to FILE as a pcap capture (pcapng,\n"
"                       with verdicts and marks, when FILE ends in .pcapng;\n"
"                       - for standard output) (sample)\n"
"  -t, --duration SEC   stop after SEC seconds (sample)\n"
"      --top N          show only the N busiest keys of each map (stat)\n"
"      --reset          after printing: zero counters, renew quotas, refill\n"
"                       limits (stat)\n"
"  -q, --quiet          print the totals only (replay), no totals (sample)\n"
"      --route PREFIX   replay only packets to PREFIX (repeatable) (replay, diff)\n"
"      --fragments      replay fragments as captured, not reassembled (replay,\n"
"                       diff)\n"
"  -h, --help           print this help\n"
"  -V, --version        print the version\n"
"\n"
"Elements of a set: addresses and prefixes (198.51.100.7, 2001:db8::/32),\n"
"ports, protocols (tcp, udp, 17) or integers, as the set's type says; so are\n"
"the keys of a map, whose values are integers (-> mark) or drop and pass\n"
"(-> verdict).\n"
"See lwtp(1).\n", LWTP_DEFAULT_PIN_DIR);
}

static int do_help(int argc, char **argv)
{
	usage(stdout);
	return LWTP_EXIT_OK;
}

/* What stat's options want of each other, in the order they are checked */
static const struct opt_rule stat_rules[] = {
	{ OPT_INTERVAL, 0, OPT_PROMETHEUS, "stat: -i and --prometheus do not go together "
	  "(Prometheus computes rates itself)" },
	{ OPT_INTERVAL, 0, OPT_RESET, "stat: -i and --reset do not go together" },
	{ OPT_COUNT, OPT_INTERVAL, 0, "stat: -c counts intervals, and wants -i" },
	{ OPT_OUTPUT, OPT_PROMETHEUS, 0, "stat: -o writes the Prometheus text, and wants "
	  "--prometheus" },
	{ 0, 0, 0, NULL },
};

/* The commands, and the options each takes (lwtp(1), OPTIONS) */
static const struct cmd commands[] = {
	{ "stat", do_stat, OPT_JSON | OPT_PROMETHEUS | OPT_INTERVAL | OPT_COUNT | OPT_TOP |
			   OPT_RESET | OPT_OUTPUT, stat_rules },
	{ "set", do_set, OPT_NESTED, NULL },
	{ "map", do_map, OPT_NESTED, NULL },
	{ "replay", do_replay, OPT_JSON | OPT_QUIET | OPT_ROUTE | OPT_FRAGMENTS, NULL },
	{ "sample", do_sample, OPT_JSON | OPT_COUNT | OPT_WRITE | OPT_DURATION | OPT_QUIET, NULL },
	{ "diff", do_diff, OPT_JSON | OPT_ROUTE | OPT_FRAGMENTS, NULL },
	{ "show", do_show, OPT_JSON, NULL },
	{ "check", do_check, 0, NULL },
	{ "install", do_install, 0, NULL },
	{ "exporter", do_exporter, OPT_LISTEN, NULL },
	{ "help", do_help, 0, NULL },
	{ NULL, NULL, 0, NULL },
};

/* A decimal count: 1..max. */
static int parse_count(const char *opt, const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	p_usage("%s wants a number from 1 to %lu, not '%s'", opt, max, s);
	return -EINVAL;
}

enum { LONG_PROMETHEUS = 256, LONG_TOP, LONG_RESET, LONG_LISTEN, LONG_ROUTE, LONG_FRAGMENTS };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pin-dir",    required_argument, NULL, 'd' },
		{ "json",       no_argument,       NULL, 'j' },
		{ "prometheus", no_argument,       NULL, LONG_PROMETHEUS },
		{ "interval",   required_argument, NULL, 'i' },
		{ "count",      required_argument, NULL, 'c' },
		{ "top",        required_argument, NULL, LONG_TOP },
		{ "reset",      no_argument,       NULL, LONG_RESET },
		{ "quiet",      no_argument,       NULL, 'q' },
		{ "write",      required_argument, NULL, 'w' },
		{ "duration",   required_argument, NULL, 't' },
		{ "output",     required_argument, NULL, 'o' },
		{ "listen",     required_argument, NULL, LONG_LISTEN },
		{ "route",      required_argument, NULL, LONG_ROUTE },
		{ "fragments",  no_argument,       NULL, LONG_FRAGMENTS },
		{ "help",       no_argument,       NULL, 'h' },
		{ "version",    no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:ji:c:qw:t:o:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!*optarg)
				return p_usage("--pin-dir wants a directory");
			opts.pin_dir = optarg;
			break;
		case 'j':
			opts.json = true;
			break;
		case LONG_PROMETHEUS:
			opts.prometheus = true;
			break;
		case 'i':
			if (parse_count("-i", optarg, 86400, &v))
				return LWTP_EXIT_USAGE;
			opts.interval = v;
			break;
		case 'c':
			if (parse_count("-c", optarg, ULONG_MAX, &opts.count))
				return LWTP_EXIT_USAGE;
			opts.count_set = true;
			break;
		case LONG_TOP:
			if (parse_count("--top", optarg, ULONG_MAX, &opts.top))
				return LWTP_EXIT_USAGE;
			break;
		case LONG_RESET:
			opts.reset = true;
			break;
		case 'q':
			opts.quiet = true;
			break;
		case 'w':
			if (!*optarg)
				return p_usage("-w wants a file name, or - for standard output");
			opts.write = optarg;
			break;
		case 'o':
			if (!*optarg)
				return p_usage("-o wants a file name");
			opts.output = optarg;
			break;
		case LONG_LISTEN:
			opts.listen = optarg;
			break;
		case LONG_ROUTE: {
			const char **grown = realloc(opts.routes,
						     (opts.nroutes + 1) * sizeof(*opts.routes));

			if (!grown)
				return p_usage("out of memory");
			opts.routes = grown;
			opts.routes[opts.nroutes++] = optarg;
			break;
		}
		case LONG_FRAGMENTS:
			opts.fragments = true;
			break;
		case 't':
			if (parse_count("-t", optarg, 31536000, &v))
				return LWTP_EXIT_USAGE;
			opts.duration = v;
			break;
		case 'h':
			usage(stdout);
			return LWTP_EXIT_OK;
		case 'V':
			printf("lwtp %s (libbpf %u.%u)\n", LWTP_VERSION,
			       libbpf_major_version(), libbpf_minor_version());
			return LWTP_EXIT_OK;
		case ':':
			return p_usage("option '%s' wants an argument", argv[optind - 1]);
		default:
			return p_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (opts.json && opts.prometheus)
		return p_usage("--json and --prometheus do not go together");
	if (optind >= argc) {
		usage(stderr);
		return LWTP_EXIT_USAGE;
	}
	return cmd_select(commands, "command", "", argc - optind, argv + optind);
}
