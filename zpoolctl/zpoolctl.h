/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zpoolctl.h - what the parts of zpoolctl share.
 *
 *   zpoolctl.c   command line, dispatch, privilege check
 *   util.c       paths under --root, reading and writing files, numbers,
 *                human sizes, messages
 *   table.c      column tables (-o, --noheadings, --raw)
 *   sysinfo.c    reading zswap, zpoolx, /proc/swaps, /proc/meminfo, PSI
 *   status.c     status and top
 *   control.c    set-*, enable, disable, compact, writeback
 *   stats.c      stats POOL
 *   doctor.c     doctor
 *   advise.c     advise (sampling, lz4/zstd, zbud/zsmalloc packing)
 *
 * Every path zpoolctl touches is built by zpath(), which puts the --root
 * prefix in front; nothing else opens a /sys or /proc path.
 */
#ifndef ZPOOLCTL_H
#define ZPOOLCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ZPOOLCTL_VERSION "0.1.0"

/* Exit codes, documented in zpoolctl.8. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* operation failed; doctor: not healthy */
	EXIT_USAGE = 2,		/* usage error, bad value, no such pool */
	EXIT_UNAVAIL = 3,	/* zswap, zpoolx or the feature is missing */
	EXIT_PERM = 4,		/* not root, or permission denied */
};

#define ZPAGE_SIZE 4096u	/* page size of the 6.1 targets (4 KiB) */
#define WRITEBACK_MAX 262144u	/* README: writeback accepts 1..262144 */

/* ---- options ---- */

struct options {
	const char *root;	/* "" or a directory without trailing '/' */
	bool root_given;
	const char *columns;	/* -o argument or NULL */
	bool noheadings, raw, bytes, json;
	long interval_ms;	/* top */
	long iterations;	/* top: 0 = until interrupted */
	const char *file;	/* advise */
	long pid;		/* advise: 0 = none */
	long samples;		/* advise */
};
extern struct options opt;

/* ---- util.c ---- */

void msg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* msg_err() and return code */
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --root prefix + formatted path; exits the process on overflow (a bug) */
const char *zpath(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define ZPATH(buf, ...) zpath(buf, sizeof(buf), __VA_ARGS__)

bool path_exists(const char *path);
bool is_dir(const char *path);

/* Whole file, NUL-terminated; -errno on failure.  *out is malloc'ed. */
int read_all(const char *path, char **out, size_t *len, size_t max);
/* Small file (sysfs), trailing whitespace stripped; -errno on failure */
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

/* sizes: human (1.5M) or bytes with --bytes */
void fmt_size(char *buf, size_t size, uint64_t bytes);
void fmt_human(char *buf, size_t size, uint64_t bytes);
/* replace control characters with '?' */
void sanitize(char *s);

/* Writing commands: root, or with --root the owner of DIR. */
int need_privilege(const char *what);
/* map a write errno to an exit code and print one line */
int write_failed(int err, const char *what, const char *path, const char *hint);

/* ---- table.c ---- */

enum { ALIGN_LEFT, ALIGN_RIGHT };

struct column {
	const char *name;
	int align;
	const char *help;
};

struct table {
	const struct column *cols;	/* all columns of this kind */
	size_t ncols;
	int sel[64];			/* selected column indexes */
	size_t nsel;
	char **cells;			/* nrows * ncols */
	size_t nrows, cap;
};

/* Select columns from a -o spec ("A,B" or "+A,B"); 0 or EXIT_USAGE. */
int table_select(struct table *t, const struct column *cols, size_t ncols,
		 const char *defaults, const char *spec);
/* add a row; returns a pointer to its ncols cell slots (NULL = "-") */
char **table_add_row(struct table *t);
void table_set(struct table *t, char **row, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void table_print(const struct table *t, FILE *f, bool headings, bool raw);
void table_free(struct table *t);
/* "A, B, C" for error messages */
void columns_list(const struct column *cols, size_t n, char *buf, size_t size);

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
	struct num evictable, pages, pool_bytes, objects, stored_bytes,
		alloc_failures, evict_attempted, evict_succeeded, evict_failed,
		reclaimed_pages;
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

void read_zswap(struct zswap_info *z);
void read_meminfo(struct meminfo *m);
void read_psi(struct psi *p);
void read_swaps(struct sysinfo *s);
void read_zpoolx(struct zpoolx_info *zx);
int read_pool(unsigned long id, struct pool *p);
void read_sysinfo(struct sysinfo *s);
void derive_pools(struct sysinfo *s);
void free_sysinfo(struct sysinfo *s);
/* zswap's stored pages: debugfs, else /proc/meminfo Zswapped */
struct num zswap_stored_pages(const struct sysinfo *s);
/* zswap's pool bytes: debugfs, else /proc/meminfo Zswap */
struct num zswap_pool_bytes(const struct sysinfo *s);
/* pool id argument: 0 or exit code (message printed) */
int parse_pool_arg(const char *arg, unsigned long *id);
/* module loaded and /sys/kernel/zpoolx present, else message + EXIT_UNAVAIL */
int need_zpoolx(const struct zpoolx_info *zx);
int need_zswap(const struct zswap_info *z);
/* "1 2 3" or "none" */
void pool_id_list(const struct zpoolx_info *zx, char *buf, size_t size);
struct pool *find_pool(const struct zpoolx_info *zx, unsigned long id);

/* ---- commands ---- */

int cmd_status(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_set_backend(int argc, char **argv);
int cmd_set_compressor(int argc, char **argv);
int cmd_set_limit(int argc, char **argv);
int cmd_set_accept_threshold(int argc, char **argv);
int cmd_enable(int argc, char **argv);
int cmd_disable(int argc, char **argv);
int cmd_compact(int argc, char **argv);
int cmd_writeback(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_advise(int argc, char **argv);

/* print JSON (json-c object) to stdout and release it */
struct json_object;
void json_print(struct json_object *o);
struct json_object *json_num(struct num n);
struct json_object *pool_json(const struct pool *p);

#endif
