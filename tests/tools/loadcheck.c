/* loadcheck: load BPF objects as LWT_OUT programs, privately, to see that the
 * verifier accepts them.
 *
 *   loadcheck [-v] OBJ...
 *
 * Every program's type is set to BPF_PROG_TYPE_LWT_OUT and every map is
 * unpinned, so nothing outside this process is touched. On failure the
 * verifier log is printed and the exit status is 1. With -v, one line per
 * program: section, instructions, instructions the verifier processed
 * (verified_insns) and JIT-ed size.
 * Exit: 0 all loaded, 1 some failed, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "objload.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: loadcheck [-v] OBJ...\n");
}

static void report(const char *path, struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		memset(&info, 0, sizeof(info));
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			printf("%s: %s: no info: %s\n", path, bpf_program__section_name(prog),
			       strerror(errno));
			continue;
		}
		printf("%s: section %s: insns %zu", path, bpf_program__section_name(prog),
		       bpf_program__insn_cnt(prog));
		if (len >= offsetof(struct bpf_prog_info, verified_insns) + sizeof(info.verified_insns))
			printf(" verified_insns %u", info.verified_insns);
		else
			printf(" verified_insns ?");
		printf(" jited_bytes %u\n", info.jited_prog_len);
	}
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	int verbose = 0, failed = 0, c, i;

	while ((c = getopt(argc, argv, "vh")) != -1) {
		switch (c) {
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	objload_quiet_libbpf(verbose > 1);
	for (i = optind; i < argc; i++) {
		if (objload(argv[i], &obj, stderr)) {
			failed = 1;
			continue;
		}
		if (verbose)
			report(argv[i], obj);
		bpf_object__close(obj);
	}
	return failed;
}
