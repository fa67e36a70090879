// SPDX-License-Identifier: GPL-2.0
/*
 * control.c - the commands that write: set-backend, set-compressor,
 * set-limit, set-accept-threshold, enable, disable, compact, writeback.
 *
 * Each one checks, in this order, and writes only when all have passed:
 *   1. its arguments (syntax and range)                  -> exit 2
 *   2. privilege (root; with --root, root or DIR's owner) -> exit 4
 *   3. that zswap / zpoolx / the file to write exist     -> exit 3
 *   4. its arguments against the system (pool ids, the backends the
 *      module offers, the compressors the kernel knows)  -> exit 2 or 3
 * then writes exactly one file per change.  A write the kernel refuses is
 * exit 1, or 4 for EACCES/EPERM.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "zpoolctl.h"

#define PARAMS "/sys/module/zswap/parameters"

static const struct {
	const char *arg, *type;
	bool zpoolx;
} backends[] = {
	{ "zbud", "zpoolx_zbud", true },
	{ "zsmalloc", "zpoolx_zsmalloc", true },
	/* zswap's zpool type names, as zpoolctl status prints them */
	{ "zpoolx_zbud", "zpoolx_zbud", true },
	{ "zpoolx_zsmalloc", "zpoolx_zsmalloc", true },
	{ "kernel:zbud", "zbud", false },
	{ "kernel:zsmalloc", "zsmalloc", false },
	{ "kernel:z3fold", "z3fold", false },
};
#define VALID_BACKENDS \
	"zbud, zsmalloc, zpoolx_zbud, zpoolx_zsmalloc (zpoolx), kernel:zbud, kernel:zsmalloc, kernel:z3fold"

static bool word_in(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') &&
		    (p[wl] == '\0' || p[wl] == ' '))
			return true;
		p += wl;
	}
	return false;
}

/* write a zswap parameter after the common checks */
static int set_param(const char *cmd, const char *file, const char *value,
		     const char *hint)
{
	struct zswap_info z;
	char p[PATH_MAX + 256], old[128], shown[ESCAPED_SIZE(sizeof(old))];
	int ret;

	ret = need_privilege(cmd);
	if (ret)
		return ret;
	read_zswap(&z);
	ret = need_zswap(&z);
	if (ret)
		return ret;
	ZPATH(p, PARAMS "/%s", file);
	if (!path_exists(p))
		return fail(EXIT_UNAVAIL,
			    "%s: this kernel's zswap has no %s parameter (%s is missing)",
			    cmd, file, p);
	if (read_small(p, old, sizeof(old)) < 0)
		strcpy(old, "?");
	escape_str(shown, sizeof(shown), old);
	ret = write_value(p, value);
	if (ret)
		return write_failed(-ret, cmd, p, hint);
	printf("zswap %s: %s -> %s\n", file, shown, value);
	return EXIT_OK;
}

int cmd_set_backend(int argc, char **argv)
{
	struct zswap_info z;
	struct zpoolx_info zx;
	char p[PATH_MAX + 256], old[128], shown[ESCAPED_SIZE(sizeof(old))];
	size_t i;
	int ret;

	(void)argc;
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(argv[0], backends[i].arg))
			break;
	if (i == sizeof(backends) / sizeof(backends[0]))
		return fail(EXIT_USAGE,
			    "set-backend: unknown backend '%.64s'; accepted: " VALID_BACKENDS,
			    argv[0]);
	ret = need_privilege("set-backend");
	if (ret)
		return ret;
	read_zswap(&z);
	ret = need_zswap(&z);
	if (ret)
		return ret;
	if (backends[i].zpoolx) {
		read_zpoolx(&zx);
		free(zx.pools);
		ret = need_zpoolx(&zx);
		if (ret)
			return ret;
		if (!word_in(zx.backends, backends[i].type))
			return fail(EXIT_UNAVAIL,
				    "set-backend: the loaded zpoolx module does not offer %s (it offers: %s)",
				    backends[i].type,
				    zx.backends[0] ? zx.backends : "nothing");
	}
	ZPATH(p, PARAMS "/zpool");
	if (!path_exists(p))
		return fail(EXIT_UNAVAIL, "set-backend: %s is missing", p);
	if (read_small(p, old, sizeof(old)) < 0)
		strcpy(old, "?");
	escape_str(shown, sizeof(shown), old);
	ret = write_value(p, backends[i].type);
	if (ret)
		return write_failed(-ret, "set-backend", p,
				    backends[i].zpoolx ? NULL :
				    "the kernel could not create that pool (is its module available?)");
	printf("zswap zpool: %s -> %s\n", shown, backends[i].type);
	return EXIT_OK;
}

/* Compression algorithms of Linux 6.1's crypto API that zswap can use and
 * that the kernel loads on demand (module crypto-NAME). */
static const char *const kernel_compressors[] = {
	"842", "deflate", "lz4", "lz4hc", "lzo", "lzo-rle", "zstd",
};
#define NKC (sizeof(kernel_compressors) / sizeof(kernel_compressors[0]))

struct names {
	char v[64][64];
	size_t n;
};

static void names_add(struct names *ns, const char *s)
{
	size_t i;

	if (strlen(s) >= sizeof(ns->v[0]) || ns->n >= 64)
		return;
	for (i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], s))
			return;
	strcpy(ns->v[ns->n++], s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* names of compression algorithms registered now (/proc/crypto) */
static void crypto_names(struct names *ns)
{
	char p[PATH_MAX + 256], *text, *line, *save = NULL;
	char name[64] = "", type[32] = "";

	ns->n = 0;
	if (read_all(ZPATH(p, "/proc/crypto"), &text, NULL, 4 << 20) < 0)
		return;
	for (line = strtok_r(text, "\n", &save);; line = strtok_r(NULL, "\n", &save)) {
		char k[32], v[64];

		if (!line || !strncmp(line, "name", 4)) {
			/* a new block starts: commit the previous one */
			if (name[0] && (!strcmp(type, "compression") ||
					!strcmp(type, "scomp") ||
					!strcmp(type, "acomp")))
				names_add(ns, name);
			name[0] = type[0] = '\0';
		}
		if (!line)
			break;
		if (sscanf(line, "%31s : %63s", k, v) != 2)
			continue;
		if (!strcmp(k, "name"))
			strcpy(name, v);
		else if (!strcmp(k, "type") && strlen(v) < sizeof(type))
			strcpy(type, v);
	}
	free(text);
	qsort(ns->v, ns->n, sizeof(ns->v[0]), cmp_str);
}

static bool valid_alg_syntax(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 63)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return false;
	return true;
}

int cmd_set_compressor(int argc, char **argv)
{
	struct names ns;
	char known[1024] = "", loadable[256] = "";
	size_t i, kl = 0, ll = 0;
	bool ok = false;

	(void)argc;
	crypto_names(&ns);
	for (i = 0; i < ns.n; i++) {
		int w = snprintf(known + kl, sizeof(known) - kl, "%s%s",
				 kl ? ", " : "", ns.v[i]);
		if (w > 0 && (size_t)w < sizeof(known) - kl)
			kl += (size_t)w;
		if (!strcmp(ns.v[i], argv[0]))
			ok = true;
	}
	for (i = 0; i < NKC; i++) {
		int w = snprintf(loadable + ll, sizeof(loadable) - ll, "%s%s",
				 ll ? ", " : "", kernel_compressors[i]);
		if (w > 0 && (size_t)w < sizeof(loadable) - ll)
			ll += (size_t)w;
		if (!strcmp(kernel_compressors[i], argv[0]))
			ok = true;
	}
	if (!valid_alg_syntax(argv[0]) || !ok)
		return fail(EXIT_USAGE,
			    "set-compressor: unknown compressor '%.64s'; accepted: registered now (/proc/crypto): %s; loadable by the kernel: %s",
			    argv[0], kl ? known : "none", loadable);
	return set_param("set-compressor", "compressor", argv[0],
			 "the kernel could not load that compressor (is its module available?)");
}

/*
 * One zswap percentage parameter from a command's PERCENT argument, in
 * [min, 100], an optional '%' allowed; @what says what the value means.
 */
static int set_percent(const char *cmd, const char *param, const char *arg,
		       uint64_t min, const char *what)
{
	uint64_t v;
	char buf[16];

	if (!parse_arg_range(arg, min, 100, true, &v))
		return fail(EXIT_USAGE,
			    "%s: invalid PERCENT '%.32s': expected an integer %llu..100 (%s)",
			    cmd, arg, (unsigned long long)min, what);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return set_param(cmd, param, buf, NULL);
}

int cmd_set_limit(int argc, char **argv)
{
	(void)argc;
	return set_percent("set-limit", "max_pool_percent", argv[0], 1,
			   "the share of RAM zswap's pool may use");
}

int cmd_set_accept_threshold(int argc, char **argv)
{
	(void)argc;
	return set_percent("set-accept-threshold", "accept_threshold_percent",
			   argv[0], 0, "of the pool limit");
}

int cmd_enable(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return set_param("enable", "enabled", "Y",
			 "zswap refuses to enable when it has no pool: check dmesg");
}

int cmd_disable(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return set_param("disable", "enabled", "N", NULL);
}

/* ---- compact, writeback ---- */

static int compact_one(const struct pool *p)
{
	char path[PATH_MAX + 256];
	struct pool after;
	int ret;

	if (strcmp(p->state, "active"))
		return fail(EXIT_FAIL,
			    "compact: pool %lu is %s, not active: nothing done",
			    p->id, p->state[0] ? p->state : "in an unknown state");
	ZPATH(path, "/sys/kernel/zpoolx/pools/%lu/compact", p->id);
	ret = write_value(path, "1");
	if (ret)
		return write_failed(-ret, "compact", path, NULL);
	if (read_pool(p->id, &after) == 0 && after.compact_has)
		printf("pool %lu: compacted, %llu pages freed (%llu in total)\n",
		       p->id, (unsigned long long)after.compact_last,
		       (unsigned long long)after.compact_total);
	else
		printf("pool %lu: compaction requested (result unreadable)\n",
		       p->id);
	return EXIT_OK;
}

static const char *backend_of(const struct pool *p)
{
	return p->backend[0] ? p->backend : "unknown";
}

int cmd_compact(int argc, char **argv)
{
	struct zpoolx_info zx;
	unsigned long id = 0;
	char ids[256];
	size_t i, n = 0;
	int ret, worst = EXIT_OK;

	if (argc == 1) {
		ret = parse_pool_arg(argv[0], &id);
		if (ret)
			return ret;
	}
	ret = need_privilege("compact");
	if (ret)
		return ret;
	read_zpoolx(&zx);
	ret = need_zpoolx(&zx);
	if (ret)
		goto out;
	if (argc == 1) {
		struct pool *p = find_pool(&zx, id);

		pool_id_list(&zx, ids, sizeof(ids));
		if (!p)
			ret = fail(EXIT_USAGE, "compact: no pool %lu (pools: %s)",
				   id, ids);
		else if (!p->compact_file)
			ret = fail(EXIT_UNAVAIL,
				   "compact: pool %lu: compaction is not supported by the %s backend (the pool has no compact file)",
				   id, backend_of(p));
		else
			ret = compact_one(p);
		goto out;
	}
	if (!zx.npools) {
		ret = fail(EXIT_UNAVAIL, "compact: there are no zpoolx pools");
		goto out;
	}
	for (i = 0; i < zx.npools; i++)
		if (zx.pools[i].compact_file && !strcmp(zx.pools[i].state, "active"))
			n++;
	if (!n) {
		ret = fail(EXIT_UNAVAIL,
			   "compact: no active pool supports compaction (zbud pools do not compact; pools: %s)",
			   (pool_id_list(&zx, ids, sizeof(ids)), ids));
		goto out;
	}
	for (i = 0; i < zx.npools; i++) {
		const struct pool *p = &zx.pools[i];

		if (!p->compact_file) {
			printf("pool %lu: skipped, the %s backend does not compact\n",
			       p->id, backend_of(p));
			continue;
		}
		if (strcmp(p->state, "active")) {
			printf("pool %lu: skipped, %s\n", p->id,
			       p->state[0] ? p->state : "state unknown");
			continue;
		}
		ret = compact_one(p);
		if (ret > worst)
			worst = ret;
	}
	ret = worst;
out:
	free(zx.pools);
	return ret;
}

int cmd_writeback(int argc, char **argv)
{
	struct zpoolx_info zx;
	struct pool *p, after;
	char path[PATH_MAX + 256], ids[256], val[16];
	unsigned long id;
	uint64_t pages;
	int ret;

	(void)argc;
	ret = parse_pool_arg(argv[0], &id);
	if (ret)
		return ret;
	if (!parse_arg_range(argv[1], 1, WRITEBACK_MAX, false, &pages))
		return fail(EXIT_USAGE,
			    "writeback: invalid PAGES '%.32s': expected an integer 1..%u",
			    argv[1], WRITEBACK_MAX);
	ret = need_privilege("writeback");
	if (ret)
		return ret;
	read_zpoolx(&zx);
	ret = need_zpoolx(&zx);
	if (ret)
		goto out;
	p = find_pool(&zx, id);
	if (!p) {
		pool_id_list(&zx, ids, sizeof(ids));
		ret = fail(EXIT_USAGE, "writeback: no pool %lu (pools: %s)", id,
			   ids);
		goto out;
	}
	if (strcmp(p->state, "active")) {
		ret = fail(EXIT_FAIL,
			   "writeback: pool %lu is %s, not active: nothing done",
			   id, p->state[0] ? p->state : "in an unknown state");
		goto out;
	}
	if (p->evictable.has && p->evictable.v == 0) {
		ret = fail(EXIT_UNAVAIL,
			   "writeback: pool %lu cannot write back: its creator (%s) gave no evict callback",
			   id, p->name[0] ? p->name : "unknown");
		goto out;
	}
	ZPATH(path, "/sys/kernel/zpoolx/pools/%lu/writeback", id);
	if (!path_exists(path)) {
		ret = fail(EXIT_UNAVAIL, "writeback: %s is missing", path);
		goto out;
	}
	snprintf(val, sizeof(val), "%llu", (unsigned long long)pages);
	ret = write_value(path, val);
	if (ret) {
		ret = write_failed(-ret, "writeback", path, NULL);
		goto out;
	}
	if (read_pool(id, &after) == 0 && after.wb_has)
		printf("pool %lu: writeback of %llu pages asked, %llu pages freed (%llu in total)\n",
		       id, (unsigned long long)after.wb_requested,
		       (unsigned long long)after.wb_reclaimed,
		       (unsigned long long)after.wb_total);
	else
		printf("pool %lu: writeback of %llu pages asked (result unreadable)\n",
		       id, (unsigned long long)pages);
	ret = EXIT_OK;
out:
	free(zx.pools);
	return ret;
}
