/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zpoolctl.h - what the parts of zpoolctl share.
 *
 *   zpoolctl.c   command line, dispatch, privilege check
 *   util.c       messages, sizes, privilege and availability checks
 *   table.c      column tables (-o, --noheadings, --raw, their JSON)
 *   status.c     status [POOL] and top
 *   control.c    set-*, enable, disable, compact, writeback
 *   stats.c      stats POOL
 *   doctor.c     doctor
 *   zram.c       zram swap devices (/proc/swaps, /sys/block/zramN)
 *   advise.c     advise (sampling, lz4/zstd, zbud/zsmalloc packing)
 *   bpf.c        bpf (BPF counters and histograms, bpf/libzpoolx_bpf.a)
 *
 * Paths under --root, reading and writing files, strict numbers and the
 * readers of zswap, zpoolx, /proc/swaps, /proc/meminfo and PSI are shared
 * with zpoold in lib/ (libzpoolx.h).  Every path zpoolctl touches is built
 * by zpath(), which puts the --root prefix in front; nothing else opens a
 * /sys or /proc path.
 */
#ifndef ZPOOLCTL_H
#define ZPOOLCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libzpoolx.h"

/* zpoolx's one version, given by the build (lib/c.mk, scripts/version) */
#ifndef ZPOOLX_VERSION
#error "ZPOOLX_VERSION is not defined: build through the Makefile (lib/c.mk)"
#endif
#define ZPOOLCTL_VERSION ZPOOLX_VERSION

/* Exit codes, documented in zpoolctl.8. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* operation failed; doctor: not healthy */
	EXIT_USAGE = 2,		/* usage error, bad value, no such pool */
	EXIT_UNAVAIL = 3,	/* zswap, zpoolx or the feature is missing */
	EXIT_PERM = 4,		/* not root, or permission denied */
};

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
	bool interval_given;	/* -i given (bpf: excludes --run) */
	const char *run;	/* bpf: shell command to count during */
};
extern struct options opt;

/* ---- zpoolctl.c: the command line ---- */

struct command;
struct cmdline {
	const struct command *cmd;
	const char *name;	/* the command's name */
	char **args;		/* its arguments */
	int nargs;
};
/*
 * Options into opt, the command and its arguments into *cl: -1 to go on
 * and run the command, else the exit code, its message printed (--help,
 * --version, a usage error).  Never exits; reads nothing but --root's
 * directory.  Parsing again in one process needs cmdline_reset() first.
 */
int parse_cmdline(int argc, char **argv, struct cmdline *cl);
void cmdline_reset(void);

/* ---- util.c ---- */

/*
 * Messages are one line on stderr, "zpoolctl: TEXT".  Every byte of TEXT
 * that could forge another line or confuse a terminal is escaped, so that
 * an argument or a sysfs value echoed in a message is shown as it is:
 * control characters as \n, \r, \t or \xNN, a backslash as \\, bytes
 * that are not valid UTF-8 (and UTF-8's C1 controls) as \xNN.
 */
void msg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* in escaped into out (at most size bytes with the NUL, never half an
 * escape); returns out */
char *escape_str(char *out, size_t size, const char *in);
#define ESCAPED_SIZE(len) (4 * (len) + 1)	/* room for any len bytes */
/* zx_warn_hook: "zpoolctl: warning: TEXT", escaped */
void warn_escaped(const char *text);
/* msg_err() and return code */
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* sizes: human (1.5M) or bytes with --bytes */
void fmt_size(char *buf, size_t size, uint64_t bytes);

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

/* what a cell is in JSON (its text is what the table prints) */
enum { CELL_STR, CELL_U64, CELL_DOUBLE, CELL_BOOL };
struct cell_val {
	int kind;
	int decimals;			/* CELL_DOUBLE: as printed */
	uint64_t u;			/* CELL_U64, CELL_BOOL */
	double d;			/* CELL_DOUBLE */
};

struct table {
	const struct column *cols;	/* all columns of this kind */
	size_t ncols;
	int sel[64];			/* selected column indexes */
	size_t nsel;
	char **cells;			/* nrows * ncols; NULL = unknown */
	struct cell_val *vals;		/* nrows * ncols, for JSON */
	size_t nrows, cap;
};

/* Select columns from a -o spec ("A,B" or "+A,B"); 0 or EXIT_USAGE. */
int table_select(struct table *t, const struct column *cols, size_t ncols,
		 const char *defaults, const char *spec);
/*
 * add a row; returns a pointer to its ncols cell slots (NULL = unknown:
 * "-" in a table, an empty field with --raw, null in JSON), valid until
 * the next row is added
 */
char **table_add_row(struct table *t);
/* a cell: text (a JSON string) */
void table_set(struct table *t, char **row, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* a count; a size (fmt_size: 1.5M, or bytes with --bytes; JSON bytes);
 * a number printed with DECIMALS decimals and SUFFIX ("%": JSON without
 * it); yes or no (JSON true or false) */
void table_set_u64(struct table *t, char **row, int col, uint64_t v);
void table_set_size(struct table *t, char **row, int col, uint64_t bytes);
void table_set_double(struct table *t, char **row, int col, int decimals,
		      const char *suffix, double v);
void table_set_bool(struct table *t, char **row, int col, bool v);
void table_print(const struct table *t, FILE *f, bool headings, bool raw);
/* {"KEY": [{"column": value, ...}, ...]}: the selected columns, keys in
 * lower case, as util-linux's --json */
struct json_object;
struct json_object *table_json(const struct table *t, const char *key);
void table_free(struct table *t);
/* "A, B, C" for error messages */
void columns_list(const struct column *cols, size_t n, char *buf, size_t size);
/* "  NAME  help" lines, names aligned, for --help */
void columns_help(FILE *f, const struct column *cols, size_t n);

/* ---- util.c: pool arguments and availability ---- */

/* pool id argument: 0 or exit code (message printed) */
int parse_pool_arg(const char *arg, unsigned long *id);
/* module loaded and /sys/kernel/zpoolx present, else message + EXIT_UNAVAIL */
int need_zpoolx(const struct zpoolx_info *zx);
int need_zswap(const struct zswap_info *z);

/* ---- zram.c: zram swap, which zswap sits in front of ---- */

struct zram_dev {
	char name[32];			/* /dev/zramN, as in /proc/swaps */
	unsigned long num;		/* N */
	long prio;			/* swap priority */
	uint64_t swap_size_kb, swap_used_kb;	/* /proc/swaps */
	/* /sys/block/zramN: disksize, comp_algorithm ([selected]),
	 * mm_stat's orig_data_size, compr_data_size, mem_used_total,
	 * same_pages */
	struct num disksize, orig_bytes, compr_bytes, mem_used, same_pages;
	char algorithm[64];
};

struct zram_info {
	bool known;			/* /proc/swaps was read */
	struct zram_dev dev[32];	/* zram devices swapped on */
	size_t n;
	size_t ndisk;			/* other swap devices */
	long disk_prio_max;		/* their highest priority */
};
/* from s's swap devices (read_swaps) and /sys/block/zramN */
void read_zram(const struct sysinfo *s, struct zram_info *zi);
/* a zram device used before (or together with) every other swap device */
bool zram_first(const struct zram_info *zi, const struct zram_dev *d);

/* ---- commands, and the column lists for --help ---- */

void status_columns_help(FILE *f);
void stats_columns_help(FILE *f);
/* zswap's zpool as zpoolctl shows it (and set-backend takes it back):
 * zpoolx_zbud, zpoolx_zsmalloc, kernel:zsmalloc, ... */
const char *zpool_shown(char *buf, size_t size, const char *zpool);

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
int cmd_bpf(int argc, char **argv);		/* bpf.c */

/* print JSON (json-c object) to stdout and release it */
struct json_object;
void json_print(struct json_object *o);
struct json_object *json_num(struct num n);
struct json_object *pool_json(const struct pool *p);

#endif
