/* replay_core.c: private loading, compiling and running of one packet, for
 * lwtp replay and the behaviour tests (see replay.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "lwtp.h"
#include "replay.h"

#define LOG_SIZE (4u << 20)

/* ---- loading ------------------------------------------------------------------ */

bool replay_is_elf(const char *path)
{
	unsigned char magic[4];
	bool elf = false;
	FILE *f = fopen(path, "rb");

	if (f) {
		elf = fread(magic, 1, 4, f) == 4 && !memcmp(magic, "\177ELF", 4);
		fclose(f);
	}
	return elf;
}

struct bpf_program *replay_find_prog(struct bpf_object *obj, const char *section)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		if (!strcmp(bpf_program__section_name(prog), section))
			return prog;
	return NULL;
}

static void list_sections(struct bpf_object *obj, char *buf, size_t size)
{
	struct bpf_program *prog;
	size_t len = 0;

	buf[0] = 0;
	bpf_object__for_each_program(prog, obj) {
		int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
				 bpf_program__section_name(prog));

		if (n < 0 || (size_t)n >= size - len)
			break;
		len += n;
	}
	if (!len)
		snprintf(buf, size, "none");
}

/* During load: libbpf's warnings, but not its copy of the verifier log,
 * which replay_load() prints itself. */
static int load_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];

	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (strstr(buf, "BEGIN PROG LOAD LOG") || strstr(buf, "END PROG LOAD LOG"))
		return 0;
	return fprintf(stderr, "libbpf: %s", buf);
}

int replay_load(const char *path, const char *section, struct bpf_object **objp,
		struct bpf_program **progp)
{
	struct bpf_object *obj;
	struct bpf_program *prog, *want = NULL;
	struct bpf_map *map;
	libbpf_print_fn_t old;
	char sections[512];
	char **logs = NULL;
	int n = 0, i, err;

	*objp = NULL;
	if (progp)
		*progp = NULL;
	old = libbpf_set_print(load_print);
	obj = bpf_object__open_file(path, NULL);
	libbpf_set_print(old);
	if (!obj) {
		err = -errno;
		p_err("%s: cannot open BPF object: %s", path, strerror(-err));
		return err;
	}
	bpf_object__for_each_program(prog, obj)
		n++;
	if (section) {
		want = replay_find_prog(obj, section);
		if (!want) {
			list_sections(obj, sections, sizeof(sections));
			p_err("%s: no section '%s' (sections: %s)", path, section, sections);
			err = -ENOENT;
			goto fail;
		}
	} else if (!n) {
		p_err("%s: no programs in the object", path);
		err = -ENOENT;
		goto fail;
	}
	logs = calloc(n, sizeof(*logs));
	if (!logs) {
		err = -ENOMEM;
		p_err("out of memory");
		goto fail;
	}
	i = 0;
	bpf_object__for_each_program(prog, obj) {
		bpf_program__set_type(prog, BPF_PROG_TYPE_LWT_OUT);
		if (want && prog != want) {
			bpf_program__set_autoload(prog, false);
		} else {
			logs[i] = calloc(1, LOG_SIZE);
			if (logs[i])
				bpf_program__set_log_buf(prog, logs[i], LOG_SIZE);
		}
		i++;
	}
	/* private maps: never reuse or create a pin */
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);

	old = libbpf_set_print(load_print);
	err = bpf_object__load(obj);
	libbpf_set_print(old);
	if (err) {
		p_err("%s: load failed: %s%s", path, strerror(-err),
		      err == -EPERM ? " (replay needs root, or CAP_BPF and CAP_NET_ADMIN)" : "");
		i = 0;
		bpf_object__for_each_program(prog, obj) {
			if (logs[i] && logs[i][0])
				fprintf(stderr, "--- verifier log of section %s ---\n%s--- end of log ---\n",
					bpf_program__section_name(prog), logs[i]);
			i++;
		}
		goto fail;
	}
	*objp = obj;
	if (progp)
		*progp = want;
	goto out;
fail:
	bpf_object__close(obj);
out:
	for (i = 0; logs && i < n; i++)
		free(logs[i]);
	free(logs);
	return err;
}

int replay_prog_map_ids(int fd, __u32 **ids, __u32 *n)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), nr;

	*ids = NULL;
	*n = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	nr = info.nr_map_ids;
	if (!nr)
		return 0;
	*ids = calloc(nr, sizeof(**ids));
	if (!*ids)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = nr;
	info.map_ids = (__u64)(unsigned long)*ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		free(*ids);
		*ids = NULL;
		return -errno;
	}
	*n = info.nr_map_ids < nr ? info.nr_map_ids : nr;
	return 0;
}

/* ---- compiling ------------------------------------------------------------------ */

static bool runnable(const char *path)
{
	return access(path, X_OK) == 0;
}

/* $LWTC, the lwtc next to this program, or lwtc in PATH. */
static int find_lwtc(char *buf, size_t size)
{
	const char *env = getenv("LWTC"), *path;
	char self[PATH_MAX], *slash, *dirs, *dir, *save;
	ssize_t len;

	if (env && *env) {
		snprintf(buf, size, "%s", env);
		if (runnable(buf))
			return 0;
		p_err("LWTC=%s: not runnable: %s", env, strerror(errno));
		return -ENOENT;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0) {
		self[len] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			if ((size_t)snprintf(buf, size, "%s/lwtc", self) < size && runnable(buf))
				return 0;
		}
	}
	path = getenv("PATH");
	dirs = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (!dirs)
		return -ENOMEM;
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if ((size_t)snprintf(buf, size, "%s/lwtc", *dir ? dir : ".") < size &&
		    runnable(buf)) {
			free(dirs);
			return 0;
		}
	}
	free(dirs);
	p_err("cannot find lwtc to compile the policy: not in $LWTC, next to lwtp, or in PATH");
	return -ENOENT;
}

int replay_compile(const char *src, char **objp)
{
	const char *tmp = getenv("TMPDIR");
	char lwtc[PATH_MAX], tmpl[PATH_MAX], *dir, *obj;
	int err, status;
	pid_t pid;

	*objp = NULL;
	if (access(src, R_OK)) {
		err = -errno;
		p_err("%s: %s", src, strerror(-err));
		return err;
	}
	err = find_lwtc(lwtc, sizeof(lwtc));
	if (err)
		return err;
	snprintf(tmpl, sizeof(tmpl), "%s/lwtp-replay.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	dir = mkdtemp(tmpl);
	if (!dir) {
		err = -errno;
		p_err("cannot create a temporary directory in %s: %s", tmp && *tmp ? tmp : "/tmp",
		      strerror(-err));
		return err;
	}
	if (asprintf(&obj, "%s/policy.o", dir) < 0) {
		rmdir(dir);
		return -ENOMEM;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		p_err("fork: %s", strerror(-err));
		goto fail;
	}
	if (pid == 0) {
		dup2(2, 1);     /* our stdout is for the results */
		execl(lwtc, lwtc, src, "-o", obj, (char *)NULL);
		fprintf(stderr, "lwtp: cannot run %s: %s\n", lwtc, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		err = -errno;
		p_err("waitpid: %s", strerror(-err));
		goto fail;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (WIFEXITED(status))
			p_err("%s failed on %s (exit %d)", lwtc, src, WEXITSTATUS(status));
		else
			p_err("%s failed on %s (signal %d)", lwtc, src, WTERMSIG(status));
		err = -EINVAL;
		goto fail;
	}
	*objp = obj;
	return 0;
fail:
	replay_cleanup(obj);
	free(obj);
	return err;
}

void replay_cleanup(const char *obj)
{
	char dir[PATH_MAX], path[PATH_MAX + 256], *slash;
	struct dirent *de;
	DIR *d;

	if (!obj)
		return;
	snprintf(dir, sizeof(dir), "%s", obj);
	slash = strrchr(dir, '/');
	if (!slash)
		return;
	*slash = 0;
	slash = strrchr(dir, '/');
	if (!slash || strncmp(slash + 1, "lwtp-replay.", 12))
		return;         /* not a directory of replay_compile()'s */
	d = opendir(dir);
	if (d) {
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* ---- running ------------------------------------------------------------------------ */

const char *replay_verdict_name(__u32 retval)
{
	switch (retval) {
	case BPF_OK: return "pass";
	case BPF_DROP: return "drop";
	case BPF_REDIRECT: return "redirect";
	default: return NULL;
	}
}

int replay_check(__u16 ethertype, __u32 len, char *why, size_t size)
{
	if (ethertype == ETH_P_IP && len < 20) {
		snprintf(why, size, "IPv4 packet of %u bytes, shorter than an IPv4 header "
			 "(BPF_PROG_TEST_RUN refuses it)", len);
		return -EINVAL;
	}
	if (ethertype == ETH_P_IPV6 && len < 40) {
		snprintf(why, size, "IPv6 packet of %u bytes, shorter than an IPv6 header "
			 "(BPF_PROG_TEST_RUN refuses it)", len);
		return -EINVAL;
	}
	if (len > REPLAY_MAX_L3) {
		snprintf(why, size, "packet of %u bytes, longer than the %u BPF_PROG_TEST_RUN "
			 "takes (a capture of GSO/TSO super-packets?)", len, REPLAY_MAX_L3);
		return -EINVAL;
	}
	return 0;
}

size_t replay_frame(unsigned char *frame, const struct replay_in *in)
{
	/* the kernel strips this header, and takes skb->protocol from it */
	if (in->eth_dst)
		memcpy(frame, in->eth_dst, 6);
	else
		memset(frame, 0, 6);
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", 6);
	frame[12] = in->ethertype >> 8;
	frame[13] = in->ethertype & 0xff;
	memcpy(frame + ETH_HLEN, in->l3, in->len);
	return ETH_HLEN + in->len;
}

/* BPF_PROG_TEST_RUN with topts; why says what failed. */
static int test_run(int prog_fd, struct bpf_test_run_opts *topts, char *why, size_t size)
{
	int err;

	if (!bpf_prog_test_run_opts(prog_fd, topts))
		return 0;
	err = -errno;
	snprintf(why, size, "BPF_PROG_TEST_RUN failed: %s (packet of %u bytes)", strerror(-err),
		 topts->data_size_in - ETH_HLEN);
	return err;
}

int replay_run_frame(int prog_fd, const void *frame, size_t size, __u32 *retval, char *why,
		     size_t why_size)
{
	/* Only the packet in, only the verdict out: without ctx_in and
	 * ctx_out the kernel neither allocates nor copies a struct __sk_buff
	 * either way (bpf_ctx_init(), bpf_ctx_finish()), about a tenth of a
	 * call's cost here (bench/replayfloor -c). The program sees the same
	 * skb: with no ctx_in, mark, priority, cb and the GSO fields start at
	 * 0, as a zero ctx_in sets them; the one field a zero ctx_in sets
	 * otherwise, wire_len, an LWT_OUT program cannot read (the verifier's
	 * lwt_is_valid_access()). No data_out either: the packet is not
	 * copied back. */
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .data_size_in = size,
		    .repeat = 1);
	int err = test_run(prog_fd, &topts, why, why_size);

	if (!err)
		*retval = topts.retval;
	return err;
}

int replay_run(int prog_fd, const struct replay_in *in, struct replay_out *out,
	       char *why, size_t size)
{
	static unsigned char frame[ETH_HLEN + REPLAY_MAX_L3];
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	int err;

	memset(out, 0, sizeof(*out));
	err = replay_check(in->ethertype, in->len, why, size);
	if (err)
		return err;
	topts.data_size_in = replay_frame(frame, in);
	if (in->no_metadata && !in->ctx)
		return replay_run_frame(prog_fd, frame, topts.data_size_in, &out->retval, why,
					size);
	if (in->ctx)
		out->in = *in->ctx;
	topts.data_in = frame;
	topts.ctx_in = &out->in;
	topts.ctx_size_in = sizeof(out->in);
	topts.ctx_out = &out->out;
	topts.ctx_size_out = sizeof(out->out);
	topts.repeat = 1;
	err = test_run(prog_fd, &topts, why, size);
	if (!err)
		out->retval = topts.retval;
	return err;
}
