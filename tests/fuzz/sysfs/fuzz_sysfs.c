// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_sysfs.c - libFuzzer harness of lib/'s readers of /sys and /proc
 * (lib/sysinfo.c, lib/util.c) and of what zpoold makes of a snapshot
 * (metrics_render, policy_decide).
 *
 * The input is a fake tree, one file after another:
 *
 *   =sys/module/zswap/parameters/zpool\n
 *   zpoolx_zsmalloc\n
 *   =proc/meminfo\n
 *   MemTotal: ...
 *
 * A line starting with '=' names a file (relative to the root; letters,
 * digits, '_', '-', '.' and '/' only, no "..", at most 64 files); the bytes
 * up to the next "\n=" are its content.  tests/fuzz/sysfs/mkseed turns a
 * directory (a real /sys and /proc snapshot, a --root tree) into one.
 * The tree is made in a fresh directory under $TMPDIR (or /dev/shm), the
 * readers run with it as the --root prefix, and it is removed again.
 *
 * Checked besides the sanitizers: every string the readers return is
 * NUL-terminated within its field, the derived ratio and utilisation are
 * finite, and the exposition has no line but comments and samples.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "metrics.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char base[PATH_MAX];
static char root[PATH_MAX + 32];
static unsigned long serial;

static void quiet(const char *text)
{
	(void)strlen(text);
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *f);

static void remove_base(void)
{
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	zx_warn_hook = quiet;
	log_init(LOG_TO_STDERR);
	log_set_level(LOG_LVL_ERROR);
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(base, sizeof(base), "%s/fuzz-sysfs.XXXXXX", tmp);
	if (!mkdtemp(base)) {
		perror("fuzz_sysfs: mkdtemp");
		abort();
	}
	atexit(remove_base);
	return 0;
}

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_sysfs: %s:%d: not %s\n",      \
				__FILE__, __LINE__, #cond);                 \
			abort();                                           \
		}                                                          \
	} while (0)
#define TERMINATED(field) CHECK(memchr((field), '\0', sizeof(field)))

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	remove(p);
	return 0;
}

static bool path_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > 200 || p[0] == '/' || p[n - 1] == '/')
		return false;
	for (i = 0; i < n; i++) {
		char c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.' || c == '/'))
			return false;
		if (c == '.' && i + 1 < n && p[i + 1] == '.')
			return false;
		if (c == '/' && i + 1 < n && p[i + 1] == '/')
			return false;
	}
	return true;
}

/* ROOT/rel with its directories; content written; errors ignored */
static void make_file(const char *rel, size_t rl, const uint8_t *c, size_t cl)
{
	char p[PATH_MAX + 300];
	size_t i, rlen = strlen(root);
	int fd;

	memcpy(p, root, rlen);
	p[rlen] = '/';
	memcpy(p + rlen + 1, rel, rl);
	p[rlen + 1 + rl] = '\0';
	for (i = rlen + 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		mkdir(p, 0755);
		p[i] = '/';
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (cl && write(fd, c, cl) < 0) {
		/* a short tree is still a tree */
	}
	close(fd);
}

static void build_tree(const uint8_t *d, size_t size)
{
	size_t i = 0, nfiles = 0;

	while (i < size && nfiles < 64) {
		const uint8_t *name, *nl, *end;
		size_t nl_len;

		if (d[i] != '=') {	/* skip to the next "\n=" */
			const uint8_t *n = memmem(d + i, size - i, "\n=", 2);

			if (!n)
				return;
			i = (size_t)(n - d) + 1;
			continue;
		}
		name = d + i + 1;
		nl = memchr(name, '\n', size - i - 1);
		if (!nl)
			nl = d + size;
		nl_len = (size_t)(nl - name);
		end = nl < d + size ?
			      memmem(nl + 1, (size_t)(d + size - nl - 1), "\n=", 2) :
			      NULL;
		if (end)
			end++;		/* the content keeps its last newline */
		else
			end = d + size;
		if (path_ok((const char *)name, nl_len)) {
			const uint8_t *c = nl < d + size ? nl + 1 : nl;

			make_file((const char *)name, nl_len, c,
				  end > c ? (size_t)(end - c) : 0);
			nfiles++;
		}
		i = (size_t)(end - d);
	}
}

static void check_sysinfo(const struct sysinfo *s)
{
	size_t i, j;

	TERMINATED(s->zswap.compressor);
	TERMINATED(s->zswap.zpool);
	TERMINATED(s->zx.version);
	TERMINATED(s->zx.backends);
	CHECK(s->zx.nparams <= sizeof(s->zx.params) / sizeof(s->zx.params[0]));
	for (i = 0; i < s->zx.nparams; i++) {
		TERMINATED(s->zx.params[i].name);
		TERMINATED(s->zx.params[i].value);
	}
	CHECK(!s->nswaps || s->swaps);
	for (i = 0; i < s->nswaps; i++) {
		TERMINATED(s->swaps[i].name);
		TERMINATED(s->swaps[i].type);
	}
	CHECK(!s->zx.npools || s->zx.pools);
	for (i = 0; i < s->zx.npools; i++) {
		const struct pool *p = &s->zx.pools[i];

		TERMINATED(p->backend);
		TERMINATED(p->type);
		TERMINATED(p->name);
		TERMINATED(p->state);
		CHECK(p->nextra <= sizeof(p->extra) / sizeof(p->extra[0]));
		for (j = 0; j < p->nextra; j++) {
			TERMINATED(p->extra[j].name);
			TERMINATED(p->extra[j].value);
		}
		if (p->ratio_has)
			CHECK(isfinite(p->ratio) && p->ratio >= 0);
		if (p->util_has)
			CHECK(isfinite(p->util) && p->util >= 0);
	}
	if (s->psi.present)
		CHECK(isfinite(s->psi.some_avg10) && isfinite(s->psi.full_avg10));
}

/* the Prometheus text format: comments, samples "name{...} value", blanks */
static void check_exposition(const char *text, size_t len)
{
	const char *p = text, *e = text + len;

	CHECK(strlen(text) == len);
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));

		CHECK(nl);	/* every line ends with a newline */
		CHECK(nl == p || p[0] == '#' ||
		      (p[0] >= 'a' && p[0] <= 'z') || p[0] == '_');
		p = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sysinfo s;
	struct zcfg cfg;
	struct pstate st;
	struct decision dec[POLICY_MAX_DECISIONS];
	struct dstats ds;
	char ids[256];
	size_t i, n, len;
	char *text;

	snprintf(root, sizeof(root), "%s/%lu", base, serial++);
	if (mkdir(root, 0755)) {
		perror("fuzz_sysfs: mkdir");
		abort();
	}
	build_tree(data, size);
	zx_set_root(root);

	memset(&s, 0, sizeof(s));
	read_sysinfo(&s);	/* derive_pools() included */
	check_sysinfo(&s);
	(void)zswap_stored_pages(&s);
	(void)zswap_pool_bytes(&s);
	pool_id_list(&s.zx, ids, sizeof(ids));
	TERMINATED(ids);
	for (i = 0; i < s.zx.npools; i++) {
		struct zclass *cls = NULL;
		struct pool again;
		size_t nc = 0, k;

		(void)pool_made_by_zswap(&s.zx.pools[i]);
		CHECK(find_pool(&s.zx, s.zx.pools[i].id) != NULL);
		if (read_pool_classes(s.zx.pools[i].id, &cls, &nc) == 0) {
			for (k = 1; k < nc; k++)
				CHECK(cls[k - 1].size <= cls[k].size);
			free(cls);
		}
		(void)read_pool(s.zx.pools[i].id, &again);
	}

	/* what zpoold makes of it: the exposition and the decisions */
	memset(&ds, 0, sizeof(ds));
	text = metrics_render(&s, &ds, true, NULL, &len);
	if (text) {
		check_exposition(text, len);
		free(text);
	}
	config_defaults(&cfg);
	cfg.limit.enabled = true;
	cfg.backend.policy = BACKEND_AUTO;
	memset(&st, 0, sizeof(st));
	n = policy_decide(&cfg, &st, &s, 1000000, dec, POLICY_MAX_DECISIONS);
	CHECK(n <= POLICY_MAX_DECISIONS);
	for (i = 0; i < n; i++) {
		CHECK(dec[i].act >= 0 && dec[i].act < ACT_COUNT);
		CHECK(reason_valid(dec[i].act, dec[i].reason));
		TERMINATED(dec[i].text);
		TERMINATED(dec[i].target);
	}
	free_sysinfo(&s);

	zx_set_root("");
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
