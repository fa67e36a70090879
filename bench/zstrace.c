// SPDX-License-Identifier: GPL-2.0
/*
 * zstrace - count the compressed bytes in the kernel's zsmalloc pools
 * (bench-density, in the guest only).
 *
 * Usage: zstrace attach PIN    attach, pin the counters at PIN and the
 *                              class sums at PIN_classes, print "attached",
 *                              stay until SIGINT/SIGTERM (then unpin)
 *        zstrace read PIN      print the counters summed over the CPUs,
 *                              then the class sums of the last pool seen
 *                              (zstrace.bpf.c walks it now), as NAME=VALUE
 * Exit: 0, or 1 with a message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "zstrace.skel.h"

static const char *const names[] = {
	"alloc_bytes", "allocs", "free_bytes", "frees", "failed",
	"untracked", "unknown_frees",
};
#define NR (sizeof(names) / sizeof(names[0]))

/* zstrace.bpf.c's class walk: its trigger and its sums, in order */
#define ZST_MAGIC 0x7a737472
static const char *const class_names[] = {
	"walked", "classes", "class_used_bytes", "class_slot_bytes",
	"class_pages", "class_objs_used", "class_objs_allocated", "pool_pages",
};
#define CNR (sizeof(class_names) / sizeof(class_names[0]))

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int do_read(const char *pin)
{
	int fd = bpf_obj_get(pin), ncpu = libbpf_num_possible_cpus(), c;
	unsigned int k;

	if (fd < 0 || ncpu <= 0) {
		fprintf(stderr, "zstrace: %s: %s\n", pin, strerror(errno));
		return 1;
	}
	{
		unsigned long long v[ncpu], sum;

		for (k = 0; k < NR; k++) {
			if (bpf_map_lookup_elem(fd, &k, v)) {
				fprintf(stderr, "zstrace: read %s: %s\n", names[k], strerror(errno));
				return 1;
			}
			for (sum = 0, c = 0; c < ncpu; c++)
				sum += v[c];
			printf("%s=%llu\n", names[k], sum);
		}
	}
	{
		char cpin[4096];
		unsigned long long cv[CNR];
		int cfd;

		k = 0;
		snprintf(cpin, sizeof(cpin), "%s_classes", pin);
		cfd = bpf_obj_get(cpin);
		if (cfd < 0) {
			fprintf(stderr, "zstrace: %s: %s\n", cpin, strerror(errno));
			return 1;
		}
		syscall(SYS_getpgid, (long)ZST_MAGIC);	/* the walk runs now */
		if (bpf_map_lookup_elem(cfd, &k, cv)) {
			fprintf(stderr, "zstrace: read %s: %s\n", cpin, strerror(errno));
			return 1;
		}
		for (k = 0; k < CNR; k++)
			printf("%s=%llu\n", class_names[k], cv[k]);
	}
	return 0;
}

static int do_attach(const char *pin)
{
	struct zstrace_bpf *s = zstrace_bpf__open_and_load();
	int err;

	if (!s) {
		fprintf(stderr, "zstrace: load: %s\n", strerror(errno));
		return 1;
	}
	err = zstrace_bpf__attach(s);
	if (err) {
		fprintf(stderr, "zstrace: attach (is zsmalloc loaded?): %s\n", strerror(-err));
		zstrace_bpf__destroy(s);
		return 1;
	}
	err = bpf_map__pin(s->maps.counters, pin);
	if (!err) {
		char cpin[4096];

		snprintf(cpin, sizeof(cpin), "%s_classes", pin);
		err = bpf_map__pin(s->maps.classes, cpin);
		if (err)
			bpf_map__unpin(s->maps.counters, pin);
	}
	if (err) {
		fprintf(stderr, "zstrace: pin %s: %s\n", pin, strerror(-err));
		zstrace_bpf__destroy(s);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		pause();
	bpf_map__unpin(s->maps.counters, pin);
	{
		char cpin[4096];

		snprintf(cpin, sizeof(cpin), "%s_classes", pin);
		bpf_map__unpin(s->maps.classes, cpin);
	}
	zstrace_bpf__destroy(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "attach"))
		return do_attach(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "read"))
		return do_read(argv[2]);
	fprintf(stderr, "usage: zstrace attach PIN | zstrace read PIN\n");
	return 2;
}
