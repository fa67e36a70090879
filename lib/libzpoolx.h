/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libzpoolx.h - what zpoolctl and zpoold share: paths under a --root
 * prefix, reading and writing small files, strict number parsing, and the
 * readers of everything the kernel tells about zswap, zpoolx, swap and
 * memory (README.md, "sysfs reference").
 *
 *   util.c      the root prefix, file reading and writing, numbers,
 *               human sizes, warnings
 *   sysinfo.c   zswap, zpoolx pools and size classes, /proc/meminfo,
 *               /proc/swaps, /proc/pressure/memory
 *
 * Every path either tool touches is built by zpath(), which puts the root
 * prefix (zx_set_root) in front; nothing else opens a /sys or /proc path.
 * Nothing here exits or prints except msg_warn(), which goes to the tool's
 * warning hook.
 */
#ifndef LIBZPOOLX_H
#define LIBZPOOLX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The page size of the machine the tools run on: 4 KiB on x86, 4, 16 or
 * 64 KiB on arm64 (Android 15+ devices run 16 KiB).  Counts in pages
 * (zswap's stored_pages, a pool's pages) convert to bytes with it.
 */
unsigned zx_page_size(void);
#define ZPAGE_SIZE zx_page_size()
#define WRITEBACK_MAX 262144u	/* README: writeback accepts 1..262144 */

#define ZSWAP_PARAMS "/sys/module/zswap/parameters"
#define ZSWAP_DEBUG "/sys/kernel/debug/zswap"
#define ZPOOLX_MOD "/sys/module/zpoolx"
#define ZPOOLX_SYS "/sys/kernel/zpoolx"

/* ---- util.c ---- */

/*
 * The prefix of every /sys and /proc path: "" (the default) or a directory
 * without a trailing '/'.  The string must stay valid.
 */
void zx_set_root(const char *root);
const char *zx_root(void);

/*
 * Warnings of the readers (unexpected file content).  By default they go to
 * stderr as "<zx_progname>: warning: <text>"; a tool may route them itself.
 */
extern const char *zx_progname;
extern void (*zx_warn_hook)(const char *text);
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* root prefix + formatted path; aborts on overflow (a bug: --root is bounded) */
const char *zpath(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define ZPATH(buf, ...) zpath(buf, sizeof(buf), __VA_ARGS__)

bool path_exists(const char *path);
bool is_dir(const char *path);

/* Whole file, NUL-terminated; -errno on failure.  *out is malloc'ed. */
int read_all(const char *path, char **out, size_t *len, size_t max);
/* Small file (sysfs), trailing whitespace stripped; length or -errno */
int read_small(const char *path, char *buf, size_t size);
/* Write "value\n" to an existing file; -errno on failure. */
int write_value(const char *path, const char *value);

struct num {
	bool has;
	uint64_t v;
};
/* Strict decimal: digits only, no sign, no overflow. */
bool parse_u64(const char *s, uint64_t *out);
/* A decimal argument in [min, max]; an optional trailing '%' if pct. */
bool parse_arg_range(const char *s, uint64_t min, uint64_t max, bool pct,
		     uint64_t *out);
/* Read a number file; missing -> has=false silently, garbage -> warning. */
struct num read_num(const char *path);

/* 1.5M, 12K, 100B */
void fmt_human(char *buf, size_t size, uint64_t bytes);
/*
 * The length (1..4) of the valid UTF-8 sequence at s, or 0 where the bytes
 * are not one; with no_c1, the C1 controls (U+0080..U+009F) are not one.
 */
size_t zx_utf8_seq(const unsigned char *s, bool no_c1);
/* replace control characters and bytes that are not UTF-8 with '?' */
void sanitize(char *s);
/*
 * Text fit for any output (JSON, Prometheus labels, logs): control
 * characters become '?', every byte that is not part of a valid UTF-8
 * sequence becomes U+FFFD; the result is cut at a character boundary to
 * fit size bytes with its NUL.  For strings read from sysfs.
 */
void sanitize_text(char *s, size_t size);

/* ---- sysinfo.c ---- */

struct zswap_info {
	bool present;			/* /sys/module/zswap/parameters */
	int enabled;			/* -1 unknown, 0, 1 */
	char compressor[128], zpool[128];
	struct num max_pool_percent, accept_threshold_percent;
	bool debugfs;			/* /sys/kernel/debug/zswap */
	struct num stored_pages, pool_total_size, written_back_pages,
		pool_limit_hit, reject_reclaim_fail, reject_alloc_fail,
		reject_kmemcache_fail, reject_compress_poor, duplicate_entry,
		same_filled_pages;
};

struct meminfo {
	struct num mem_total_kb, mem_available_kb, swap_total_kb,
		swap_free_kb, zswap_kb, zswapped_kb;
};

struct psi {
	bool present;
	bool has_full;
	double some_avg10, some_avg60, some_avg300;
	double full_avg10, full_avg60, full_avg300;
	bool has_total;			/* some total= (and full's if has_full) */
	uint64_t some_total_us, full_total_us;
};

struct swapdev {
	char name[256];
	char type[32];
	uint64_t size_kb, used_kb;
	long prio;
};

struct param {
	char name[64];
	char value[128];
};

struct pool {
	unsigned long id;
	char backend[64], type[64], name[64], state[32];
	/*
	 * pool_bytes: what zswap counts (zpool's total_size): the pages in
	 * bytes plus metadata_bytes, the pool's memory outside its pages.
	 * A module older than metadata_bytes has no such file (unknown) and
	 * its pool_bytes is the pages alone.
	 */
	struct num evictable, pages, pool_bytes, metadata_bytes, objects,
		stored_bytes, alloc_failures, evict_attempted, evict_succeeded,
		evict_failed, reclaimed_pages;
	bool wb_has;
	uint64_t wb_requested, wb_reclaimed, wb_total;
	bool compact_file;		/* the backend offers compaction */
	bool compact_has;
	uint64_t compact_last, compact_total;
	bool current;			/* the pool zswap stores into */
	struct param extra[16];		/* the backend's own files */
	size_t nextra;
	/* derived */
	struct num stored_pages;	/* zswap's, current pool only */
	bool ratio_has, util_has;
	double ratio, util;
	struct num rejects;		/* zswap's reject_* sum, current only */
};

struct zpoolx_info {
	bool loaded;			/* /sys/module/zpoolx */
	bool sysfs;			/* /sys/kernel/zpoolx */
	char version[64];
	char backends[256];
	struct param params[32];
	size_t nparams;
	struct pool *pools;
	size_t npools;
};

struct sysinfo {
	struct zswap_info zswap;
	struct meminfo mem;
	struct psi psi;
	bool swaps_present;
	struct swapdev *swaps;
	size_t nswaps;
	struct zpoolx_info zx;
};

/* one zsmalloc size class: pools/<id>/classes/<size>/ */
struct zclass {
	unsigned size;
	struct num objs_per_zspage, pages_per_zspage, objs_allocated,
		objs_used, pages_used, zspages_full, zspages_almost_full,
		zspages_almost_empty, zspages_empty;
};

void read_zswap(struct zswap_info *z);
void read_meminfo(struct meminfo *m);
void read_psi(struct psi *p);
void read_swaps(struct sysinfo *s);
void read_zpoolx(struct zpoolx_info *zx);
int read_pool(unsigned long id, struct pool *p);
/* size classes of a pool, sorted by size; 0 or -errno; *out malloc'ed */
int read_pool_classes(unsigned long id, struct zclass **out, size_t *n);
void read_sysinfo(struct sysinfo *s);
void derive_pools(struct sysinfo *s);
void free_sysinfo(struct sysinfo *s);
/* zswap's stored pages: debugfs, else /proc/meminfo Zswapped */
struct num zswap_stored_pages(const struct sysinfo *s);
/* zswap's pool bytes: debugfs, else /proc/meminfo Zswap */
struct num zswap_pool_bytes(const struct sysinfo *s);
/* a pool zswap created ("zswap1", "zswap2", ...) */
bool pool_made_by_zswap(const struct pool *p);
/* "1 2 3" or "none" */
void pool_id_list(const struct zpoolx_info *zx, char *buf, size_t size);
struct pool *find_pool(const struct zpoolx_info *zx, unsigned long id);

#endif
