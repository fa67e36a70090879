// SPDX-License-Identifier: GPL-2.0
/*
 * switcher - flip zswap's zpool under load and watch the pools, for
 * tests/vm/tests/switch-load.sh.  Locked in memory (mlockall), so that the
 * thrashing it runs in cannot slow its clock: a shell loop there took 19 s
 * a turn instead of 3.
 *
 * Usage: switcher -d SECONDS -i MS -o REPORT TYPE...
 *   writes the next TYPE to /sys/module/zswap/parameters/zpool every MS
 *   milliseconds for SECONDS, then only watches; samples the pools every
 *   200 ms throughout; on SIGTERM or SIGINT it samples once more, writes
 *   REPORT (below) and exits 0.
 *
 * Sampling: zswap's pool_limit_hit, every /sys/kernel/zpoolx/pools/<id>
 * (first and last limit-hit count seen while it was alive, its name and
 * type, and its eviction counters, which must never go down) and the
 * kernel's zsmalloc pools (the directories of /sys/kernel/debug/zsmalloc
 * where CONFIG_ZSMALLOC_STAT is set, else one per reference on the
 * zsmalloc module).
 *
 * REPORT, shell-sourceable:
 *   FLIPS=N FLIP_FAIL=N FLIP_SLOWEST_MS=N MONO_BAD=N SAMPLES=N POOLS_SEEN=N
 *   pool_ID="NAME TYPE HIT0 HIT1"       one per zpoolx pool seen
 *   kzs_NAME="HIT0 HIT1"                one per kernel zsmalloc pool seen
 * and on stderr a line per refused flip and per counter that went down.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define ZPOOL_PARAM "/sys/module/zswap/parameters/zpool"
#define LIMIT_HIT "/sys/kernel/debug/zswap/pool_limit_hit"
#define POOLS "/sys/kernel/zpoolx/pools"
#define KZS_DEBUGFS "/sys/kernel/debug/zsmalloc"
#define KZS_REFCNT "/sys/module/zsmalloc/refcnt"
#define MAX_POOLS 4096
#define NAME_LEN 64

static const char *const mono[] = {
	"evict_attempted", "evict_succeeded", "evict_failed",
	"reclaimed_pages", "alloc_failures",
};
#define NMONO (sizeof(mono) / sizeof(mono[0]))

struct seen {
	int used;
	unsigned long id;
	char name[NAME_LEN], type[NAME_LEN];
	unsigned long long hit0, hit1, counters[NMONO];
};

static struct seen pools[MAX_POOLS], kzs[MAX_POOLS];
static unsigned long flips, flip_fail, slowest_ms, mono_bad, samples, seen;
static volatile sig_atomic_t stop;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The first line of @path into @buf, newline dropped; -1 if unreadable. */
static int rd(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int rdu(const char *path, unsigned long long *v)
{
	char buf[64], *end;

	if (rd(path, buf, sizeof(buf)))
		return -1;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return (errno || end == buf) ? -1 : 0;
}

static struct seen *slot(struct seen *tab, const char *key, unsigned long id)
{
	int i;

	for (i = 0; i < MAX_POOLS && tab[i].used; i++)
		if (key ? !strcmp(tab[i].name, key) : tab[i].id == id)
			return &tab[i];
	return i < MAX_POOLS ? &tab[i] : NULL;
}

static void note_kzs(const char *name, unsigned long long hit)
{
	struct seen *s = slot(kzs, name, 0);

	if (!s)
		return;
	if (!s->used) {
		s->used = 1;
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->hit0 = hit;
	}
	s->hit1 = hit;
}

static void sample(void)
{
	unsigned long long hit = 0, v[NMONO], n, i;
	char path[512], name[NAME_LEN];
	struct dirent *e;
	struct seen *s;
	unsigned long id;
	size_t k;
	DIR *d;

	samples++;
	rdu(LIMIT_HIT, &hit);
	d = opendir(POOLS);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		id = strtoul(e->d_name, NULL, 10);
		for (k = 0; k < NMONO; k++) {
			snprintf(path, sizeof(path), POOLS "/%s/%s", e->d_name, mono[k]);
			if (rdu(path, &v[k]))
				break;
		}
		if (k < NMONO)
			continue; /* destroyed meanwhile */
		s = slot(pools, NULL, id);
		if (!s)
			continue;
		if (!s->used) {
			s->used = 1;
			s->id = id;
			s->hit0 = hit;
			snprintf(path, sizeof(path), POOLS "/%s/name", e->d_name);
			rd(path, s->name, sizeof(s->name));
			snprintf(path, sizeof(path), POOLS "/%s/type", e->d_name);
			rd(path, s->type, sizeof(s->type));
			seen++;
		} else {
			for (k = 0; k < NMONO; k++) {
				if (v[k] < s->counters[k]) {
					fprintf(stderr, "switcher: pool %lu: %s went down from %llu to %llu\n",
						id, mono[k], s->counters[k], v[k]);
					mono_bad++;
				}
			}
		}
		memcpy(s->counters, v, sizeof(v));
		s->hit1 = hit;
	}
	if (d)
		closedir(d);
	d = opendir(KZS_DEBUGFS);
	if (d) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				note_kzs(e->d_name, hit);
		closedir(d);
	} else if (!rdu(KZS_REFCNT, &n)) {
		for (i = 1; i <= n; i++) {
			snprintf(name, sizeof(name), "zsmalloc_pool_%llu", i);
			note_kzs(name, hit);
		}
	}
}

static void flip(const char *type)
{
	char back[NAME_LEN];
	double t0 = now();
	unsigned long ms;
	ssize_t n;
	int fd;

	fd = open(ZPOOL_PARAM, O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "switcher: %s: %s\n", ZPOOL_PARAM, strerror(errno));
		flip_fail++;
		return;
	}
	n = write(fd, type, strlen(type));
	if (n < 0)
		fprintf(stderr, "switcher: switch to %s refused: %s\n", type, strerror(errno));
	close(fd);
	ms = (unsigned long)((now() - t0) * 1000);
	if (ms > slowest_ms)
		slowest_ms = ms;
	if (n < 0 || rd(ZPOOL_PARAM, back, sizeof(back)) || strcmp(back, type)) {
		if (n >= 0)
			fprintf(stderr, "switcher: switched to %s, zswap says %s\n", type, back);
		flip_fail++;
		return;
	}
	flips++;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void report(const char *path)
{
	FILE *f = fopen(path, "w");
	int i;

	if (!f) {
		fprintf(stderr, "switcher: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fprintf(f, "FLIPS=%lu FLIP_FAIL=%lu FLIP_SLOWEST_MS=%lu MONO_BAD=%lu SAMPLES=%lu POOLS_SEEN=%lu\n",
		flips, flip_fail, slowest_ms, mono_bad, samples, seen);
	for (i = 0; i < MAX_POOLS && pools[i].used; i++)
		fprintf(f, "pool_%lu=\"%s %s %llu %llu\"\n", pools[i].id,
			pools[i].name, pools[i].type, pools[i].hit0, pools[i].hit1);
	for (i = 0; i < MAX_POOLS && kzs[i].used; i++) {
		char key[NAME_LEN];
		size_t k;

		snprintf(key, sizeof(key), "%s", kzs[i].name);
		for (k = 0; key[k]; k++)
			if (!((key[k] >= 'a' && key[k] <= 'z') || (key[k] >= 'A' && key[k] <= 'Z') ||
			      (key[k] >= '0' && key[k] <= '9')))
				key[k] = '_';
		fprintf(f, "kzs_%s=\"%llu %llu\"\n", key, kzs[i].hit0, kzs[i].hit1);
	}
	fclose(f);
}

static void usage(void)
{
	fprintf(stderr, "usage: switcher -d SECONDS -i MS -o REPORT TYPE...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long secs = 0, ms = 0;
	const char *out = NULL;
	double start, next_flip, next_sample, t;
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long i = 0;
	int c;

	while ((c = getopt(argc, argv, "d:i:o:")) != -1) {
		switch (c) {
		case 'd': secs = strtoul(optarg, NULL, 10); break;
		case 'i': ms = strtoul(optarg, NULL, 10); break;
		case 'o': out = optarg; break;
		default: usage();
		}
	}
	if (!secs || !ms || !out || optind >= argc)
		usage();
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		fprintf(stderr, "switcher: mlockall: %s (going on unlocked)\n", strerror(errno));
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	start = now();
	next_flip = start;
	next_sample = start;
	while (!stop) {
		t = now();
		if (t - start < secs && t >= next_flip) {
			flip(argv[optind + i % (unsigned long)(argc - optind)]);
			i++;
			next_flip += ms / 1000.0;
			if (next_flip < now())
				next_flip = now() + ms / 1000.0;
			sample();
		}
		if (t >= next_sample) {
			sample();
			next_sample = t + 0.2;
		}
		nanosleep(&nap, NULL);
	}
	sample();
	report(out);
	return 0;
}
