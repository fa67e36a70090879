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
#include <ctype.h>
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

/*
 * zswap's zpool as status and top show it: the argument set-backend takes
 * to write it.  zpoolx's types as they are; the kernel's own pools as
 * kernel:NAME, since a bare zbud or zsmalloc means zpoolx's here.
 */
const char *zpool_shown(char *buf, size_t size, const char *zpool)
{
	size_t i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!backends[i].zpoolx && !strcmp(zpool, backends[i].type)) {
			snprintf(buf, size, "%s", backends[i].arg);
			return buf;
		}
	snprintf(buf, size, "%s", zpool[0] ? zpool : "-");
	return buf;
}

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

/* the common checks before writing a zswap parameter: privilege, zswap,
 * the file; 0 or the exit code (message printed) */
static int param_check(const char *cmd, const char *file)
{
	struct zswap_info z;
	char p[PATH_MAX + 256];
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
	return 0;
}

/* write it (after param_check) and say what changed, then NOTE if any */
static int param_write(const char *cmd, const char *file, const char *value,
		       const char *hint, const char *note)
{
	char p[PATH_MAX + 256], old[128], shown[ESCAPED_SIZE(sizeof(old))];
	int ret;

	ZPATH(p, PARAMS "/%s", file);
	if (read_small(p, old, sizeof(old)) < 0)
		strcpy(old, "?");
	escape_str(shown, sizeof(shown), old);
	ret = write_value(p, value);
	if (ret)
		return write_failed(-ret, cmd, p, hint);
	printf("zswap %s: %s -> %s%s\n", file, shown, value, note ? note : "");
	return EXIT_OK;
}

/* write a zswap parameter after the common checks */
static int set_param(const char *cmd, const char *file, const char *value,
		     const char *hint)
{
	int ret = param_check(cmd, file);

	return ret ? ret : param_write(cmd, file, value, hint, NULL);
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
	if (i == sizeof(backends) / sizeof(backends[0])) {
		/* the kernel's z3fold: its zswap name is not ours to take */
		if (!strcmp(argv[0], "z3fold"))
			return fail(EXIT_USAGE,
				    "set-backend: unknown backend 'z3fold'; accepted: " VALID_BACKENDS " (the kernel's z3fold is kernel:z3fold)");
		return fail(EXIT_USAGE,
			    "set-backend: unknown backend '%.64s'; accepted: " VALID_BACKENDS,
			    argv[0]);
	}
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

/*
 * A size as util-linux takes it (zramctl --size): digits, an optional
 * fraction, and a unit: K, M, G or T (either case) alone or with iB is
 * KiB-based (400M = 400 MiB), with B alone powers of 1000 (400MB).  A
 * number without a unit is not a size (set-limit takes it as a percent).
 * 0 with *bytes (a fraction of a byte rounded up), -EINVAL not a size,
 * -ERANGE past 2^64-1.
 */
static int parse_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	char ip[24], fp[8];
	const char *u, *dot, *end;
	uint64_t whole, frac = 0, mult = 1, base = 1024, div = 1;
	size_t il, fl = 0, k;
	const char *x;

	end = s + strspn(s, "0123456789");
	dot = *end == '.' ? end : NULL;
	u = dot ? dot + 1 + strspn(dot + 1, "0123456789") : end;
	il = (size_t)(end - s);
	if (dot)
		fl = (size_t)(u - dot - 1);
	if (il == 0 || (dot && (fl == 0 || fl >= sizeof(fp))))
		return -EINVAL;
	x = *u ? strchr(units, toupper((unsigned char)*u)) : NULL;
	if (!x)
		return -EINVAL;
	if (!strcmp(u + 1, "") || !strcmp(u + 1, "iB") || !strcmp(u + 1, "ib"))
		base = 1024;
	else if (!strcmp(u + 1, "B") || !strcmp(u + 1, "b"))
		base = 1000;
	else
		return -EINVAL;
	for (k = 0; k <= (size_t)(x - units); k++)
		mult *= base;
	if (il >= sizeof(ip))
		return -ERANGE;		/* 24 digits and more */
	memcpy(ip, s, il);
	ip[il] = '\0';
	if (!parse_u64(ip, &whole))
		return -ERANGE;		/* digits only: too many of them */
	if (fl) {
		memcpy(fp, dot + 1, fl);
		fp[fl] = '\0';
		if (!parse_u64(fp, &frac))
			return -EINVAL;
		for (k = 0; k < fl; k++)
			div *= 10;
	}
	if (__builtin_mul_overflow(whole, mult, bytes))
		return -ERANGE;
	/* frac < 10^7 and mult <= 2^40: no overflow; rounded up */
	if (__builtin_add_overflow(*bytes, (frac * mult + div - 1) / div, bytes))
		return -ERANGE;
	return 0;
}

/*
 * A size with three significant digits (1.95G, 1.02G, 954M, 20M): the
 * limit set-limit prints is to be compared with the size asked for, which
 * fmt_human's one decimal of a large unit would hide.
 */
static void fmt_sig3(char *buf, size_t size, uint64_t bytes)
{
	static const char units[] = "BKMGTPE";
	double v = (double)bytes;
	size_t u = 0;
	int prec;
	char *e;

	while (v >= 1024 && u + 1 < sizeof(units) - 1) {
		v /= 1024;
		u++;
	}
	prec = u == 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
	snprintf(buf, size, "%.*f", prec, v);
	e = buf + strlen(buf);
	if (strchr(buf, '.')) {		/* 1.50 -> 1.5, 2.00 -> 2 */
		while (e[-1] == '0')
			*--e = '\0';
		if (e[-1] == '.')
			*--e = '\0';
	}
	snprintf(e, size - (size_t)(e - buf), "%c", units[u]);
}

#define LIMIT_ACCEPTED \
	"expected PERCENT, an integer 1..100 (optionally with %), or SIZE, a number with a unit up to MemTotal: K, M, G, T (KiB-based: 400M is 400 MiB; also KiB, MiB, GiB, TiB; KB, MB, GB, TB are powers of 1000), 1.5G"

/*
 * set-limit SIZE: the smallest whole percent of MemTotal that holds SIZE
 * (zswap's limit is max_pool_percent of the RAM: zswap_is_full() in 6.1,
 * totalram_pages() * max_pool_percent / 100 pages).
 */
static int set_limit_size(const char *arg, uint64_t bytes)
{
	struct meminfo m;
	uint64_t total, x, pct, tenths, pages, limit;
	char val[16], note[256], a[32], b[32], c[32];
	int ret;

	ret = param_check("set-limit", "max_pool_percent");
	if (ret)
		return ret;
	read_meminfo(&m);
	if (!m.mem_total_kb.has)
		return fail(EXIT_FAIL,
			    "set-limit: cannot convert SIZE '%.32s' into a percent: MemTotal is unknown (no MemTotal line in /proc/meminfo); give a PERCENT",
			    arg);
	if (m.mem_total_kb.v == 0 ||
	    __builtin_mul_overflow(m.mem_total_kb.v, (uint64_t)1024 * 1000, &x))
		return fail(EXIT_FAIL,
			    "set-limit: cannot convert SIZE '%.32s' into a percent: MemTotal %llu kB in /proc/meminfo is not plausible; give a PERCENT",
			    arg, (unsigned long long)m.mem_total_kb.v);
	total = m.mem_total_kb.v * 1024;
	fmt_sig3(a, sizeof(a), bytes);
	fmt_sig3(b, sizeof(b), total);
	if (bytes > total)
		return fail(EXIT_USAGE,
			    "set-limit: invalid SIZE '%.32s': %llu bytes, more than MemTotal (%llu bytes, %s); zswap's limit is a share of RAM, at most 100%%",
			    arg, (unsigned long long)bytes,
			    (unsigned long long)total, b);
	/* bytes <= total and total * 1000 fits: no overflow */
	pct = (bytes * 100 + total - 1) / total;	/* rounded up */
	tenths = (bytes * 1000 + total / 2) / total;	/* nearest */
	pages = total / ZPAGE_SIZE;
	limit = pages * pct / 100 * ZPAGE_SIZE;
	fmt_sig3(c, sizeof(c), limit);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)pct);
	if (bytes * 100 == pct * total)
		snprintf(note, sizeof(note),
			 " (%s is %llu%% of MemTotal %s; zswap's limit is now %s)",
			 a, (unsigned long long)pct, b, c);
	else if (tenths == 0)
		snprintf(note, sizeof(note),
			 " (%s is under 0.1%% of MemTotal %s, rounded up to a whole percent; zswap's limit is now %s)",
			 a, b, c);
	else
		snprintf(note, sizeof(note),
			 " (%s is %llu.%llu%% of MemTotal %s, rounded up to a whole percent; zswap's limit is now %s)",
			 a, (unsigned long long)(tenths / 10),
			 (unsigned long long)(tenths % 10), b, c);
	return param_write("set-limit", "max_pool_percent", val, NULL, note);
}

int cmd_set_limit(int argc, char **argv)
{
	const char *arg = argv[0];
	size_t digits = strspn(arg, "0123456789");
	uint64_t v;
	int ret;

	(void)argc;
	if (digits && (!arg[digits] ||
		       (arg[digits] == '%' && !arg[digits + 1]))) {
		/* a percent, as before sizes were taken */
		if (!parse_arg_range(arg, 1, 100, true, &v))
			return fail(EXIT_USAGE,
				    "set-limit: invalid PERCENT '%.32s': expected an integer 1..100 (the share of RAM zswap's pool may use), or a SIZE such as 400M",
				    arg);
		return set_percent("set-limit", "max_pool_percent", arg, 1,
				   "the share of RAM zswap's pool may use");
	}
	ret = parse_size(arg, &v);
	if (ret == -ERANGE)
		return fail(EXIT_USAGE,
			    "set-limit: invalid SIZE '%.32s': too large; %s",
			    arg, LIMIT_ACCEPTED);
	if (ret)
		return fail(EXIT_USAGE, "set-limit: invalid value '%.32s': %s",
			    arg, LIMIT_ACCEPTED);
	if (v == 0)
		return fail(EXIT_USAGE,
			    "set-limit: invalid SIZE '%.32s': a limit of 0 bytes; zswap's limit is at least 1%% of MemTotal",
			    arg);
	return set_limit_size(arg, v);
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
