/* objload.c: private loading of LWT_OUT objects (see objload.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "objload.h"

#define LOG_SIZE (4u << 20)

static int libbpf_verbose;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !libbpf_verbose)
		return 0;
	if (level == LIBBPF_INFO && libbpf_verbose < 1)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void objload_quiet_libbpf(int verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(print_fn);
}

static FILE *load_errout;

/* During load: libbpf's warnings go to errout, but not its copy of the
 * verifier log, which objload() prints itself. */
static int load_print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];

	if (level != LIBBPF_WARN || !load_errout)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (strstr(buf, "BEGIN PROG LOAD LOG"))
		return 0;
	return fputs(buf, load_errout);
}

int objload(const char *path, struct bpf_object **objp, FILE *errout)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	char **logs = NULL;
	int n = 0, i, err;
	libbpf_print_fn_t old;

	*objp = NULL;
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		err = -errno;
		if (errout)
			fprintf(errout, "%s: cannot open BPF object: %s\n", path, strerror(-err));
		return err;
	}
	bpf_object__for_each_program(prog, obj)
		n++;
	if (n == 0) {
		if (errout)
			fprintf(errout, "%s: no programs in the object\n", path);
		bpf_object__close(obj);
		return -ENOENT;
	}
	logs = calloc(n, sizeof(*logs));
	if (!logs) {
		bpf_object__close(obj);
		return -ENOMEM;
	}
	i = 0;
	bpf_object__for_each_program(prog, obj) {
		bpf_program__set_type(prog, BPF_PROG_TYPE_LWT_OUT);
		logs[i] = calloc(1, LOG_SIZE);
		if (logs[i])
			bpf_program__set_log_buf(prog, logs[i], LOG_SIZE);
		i++;
	}
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);

	/* libbpf would print the verifier log too; we print it ourselves */
	load_errout = errout;
	old = libbpf_set_print(load_print_fn);
	err = bpf_object__load(obj);
	libbpf_set_print(old);
	if (err) {
		if (errout) {
			fprintf(errout, "%s: load failed: %s\n", path, strerror(-err));
			i = 0;
			bpf_object__for_each_program(prog, obj) {
				if (logs[i] && logs[i][0])
					fprintf(errout, "--- verifier log of '%s' (section %s) ---\n%s--- end of log ---\n",
						bpf_program__name(prog), bpf_program__section_name(prog), logs[i]);
				i++;
			}
		}
		bpf_object__close(obj);
	} else {
		*objp = obj;
	}
	for (i = 0; i < n; i++)
		free(logs[i]);
	free(logs);
	return err;
}
