// SPDX-License-Identifier: GPL-2.0
/*
 * memhog - fill anonymous memory past RAM with pages of known content and
 * tunable compressibility, then read every page back and verify it.
 *
 * Usage: memhog [-n] [-r BYTES] [-c CMD] [-w CMD] MiB
 *   -n        fill only, no verification (a hog that only has to put pages
 *             into the pools: a debug kernel's swap-in is slow)
 *   -r BYTES  incompressible bytes at the start of each page (default 1024);
 *             the rest of the page is a short repeating pattern
 *   -c CMD    run CMD (with bash -c) between filling and verifying
 *   -w CMD    churn: after -c's CMD, verify every page and rewrite it with
 *             new content of the same kind (a second generation), run this
 *             CMD, then verify the second generation (bench-density)
 * Exit: 0 if every page verified (with -n: once filled), 1 on a mismatch,
 * 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * The content of page @idx of generation @gen: a function of both only.
 * Generation 0 is what memhog always wrote; a later one has other random
 * bytes and another pattern, compressing about as well.
 */
static void make_page(uint8_t *p, uint64_t idx, unsigned int rnd, unsigned int gen)
{
	uint64_t s = idx ^ ((uint64_t)gen << 48), v;
	unsigned int i;

	for (i = 0; i + 8 <= rnd; i += 8) {
		v = splitmix(&s);
		memcpy(p + i, &v, 8);
	}
	for (; i < PAGE; i++)
		p[i] = (uint8_t)(idx * 7 + gen * 29 + (i % (61 - gen % 8)));
}

/* Run @cmd with bash -c; returns its exit status, or -1. */
static int run(const char *cmd)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execlp("bash", "bash", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static unsigned long parse(const char *what, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v > max) {
		fprintf(stderr, "memhog: bad %s '%s' (accepted: 0..%lu)\n", what, s, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned int rnd = 1024;
	const char *cmd = NULL, *churn = NULL;
	unsigned int gen = 0;
	int verify = 1;
	uint8_t ref[PAGE];
	size_t mib, npages, i, bad = 0;
	uint8_t *mem;
	double t0, t1, t2;
	int opt;

	while ((opt = getopt(argc, argv, "nr:c:w:")) != -1) {
		switch (opt) {
		case 'n':
			verify = 0;
			break;
		case 'r':
			rnd = parse("-r", optarg, PAGE);
			break;
		case 'c':
			cmd = optarg;
			break;
		case 'w':
			churn = optarg;
			break;
		default:
			fprintf(stderr, "usage: memhog [-n] [-r BYTES] [-c CMD] [-w CMD] MiB\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: memhog [-n] [-r BYTES] [-c CMD] [-w CMD] MiB\n");
		return 2;
	}
	mib = parse("MiB", argv[optind], 1UL << 20);
	npages = mib * (1024 * 1024 / PAGE);
	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		perror("memhog: mmap");
		return 1;
	}
	t0 = now();
	for (i = 0; i < npages; i++)
		make_page(mem + i * PAGE, i, rnd, 0);
	t1 = now();
	fprintf(stderr, "memhog: filled %zu MiB (%zu pages, %u random bytes/page) in %.1fs\n",
		mib, npages, rnd, t1 - t0);
	if (cmd && run(cmd) != 0)
		fprintf(stderr, "memhog: '%s' failed\n", cmd);
	if (!verify) {
		printf("memhog: pages=%zu filled\n", npages);
		return 0;
	}
	if (churn) {
		/* every page checked, then replaced: its swap entry is freed */
		t1 = now();
		for (i = 0; i < npages; i++) {
			make_page(ref, i, rnd, 0);
			if (memcmp(ref, mem + i * PAGE, PAGE)) {
				if (bad < 5)
					fprintf(stderr, "memhog: page %zu differs\n", i);
				bad++;
			}
			make_page(mem + i * PAGE, i, rnd, 1);
		}
		t2 = now();
		fprintf(stderr, "memhog: verified and rewrote %zu pages in %.1fs: %zu bad\n",
			npages, t2 - t1, bad);
		gen = 1;
		if (run(churn) != 0)
			fprintf(stderr, "memhog: '%s' failed\n", churn);
	}
	t1 = now();
	for (i = 0; i < npages; i++) {
		make_page(ref, i, rnd, gen);
		if (memcmp(ref, mem + i * PAGE, PAGE)) {
			if (bad < 5)
				fprintf(stderr, "memhog: page %zu differs\n", i);
			bad++;
		}
	}
	t2 = now();
	fprintf(stderr, "memhog: verified %zu pages in %.1fs: %zu bad\n", npages, t2 - t1, bad);
	printf("memhog: pages=%zu bad=%zu\n", npages, bad);
	return bad ? 1 : 0;
}
