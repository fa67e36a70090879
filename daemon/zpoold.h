/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zpoold.h - what the parts of zpoold share.
 *
 *   zpoold.c    command line, main loop, signals, SIGHUP reload, systemd
 *               notification, the executor of decisions, --replay
 *   config.c    /etc/zpoold/zpoold.json: the key table, strict parsing
 *   policy.c    the policy engine: a pure function of (config, state,
 *               snapshot, time) to decisions with reasons; no I/O
 *   metrics.c   the Prometheus text exposition of a snapshot, the daemon's
 *               counters and the BPF statistics
 *   http.c      the libmicrohttpd endpoint: GET and HEAD /metrics and
 *               /healthz, a thread per connection, request deadlines
 *               (not built with WITH_HTTP=0, no HAVE_HTTP)
 *   textfile.c  the metrics written atomically to a file, for
 *               node_exporter's textfile collector (metrics.textfile)
 *   log.c       logging to the journal, syslog, the kernel log or stderr
 *   bpfstats.c  the BPF statistics (bpf/zpoolx_bpf.h), optional
 *
 * Reading /sys and /proc goes through lib/ (libzpoolx.h), shared with
 * zpoolctl; every path carries the --root prefix.
 */
#ifndef ZPOOLD_H
#define ZPOOLD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libzpoolx.h"

/* zpoolx's one version, given by the build (lib/c.mk, scripts/version) */
#ifndef ZPOOLX_VERSION
#error "ZPOOLX_VERSION is not defined: build through the Makefile (lib/c.mk)"
#endif
#define ZPOOLD_VERSION ZPOOLX_VERSION
#define ZPOOLD_DEFAULT_CONFIG "/etc/zpoold/zpoold.json"

/* Exit codes, documented in zpoold.8. */
enum {
	ZEXIT_OK = 0,
	ZEXIT_FAIL = 1,		/* runtime failure (cannot listen, ...) */
	ZEXIT_USAGE = 2,	/* bad command line or bad configuration */
};

/* ---- log.c ---- */

enum { LOG_LVL_ERROR, LOG_LVL_WARNING, LOG_LVL_INFO, LOG_LVL_DEBUG };

enum log_target { LOG_TO_STDERR, LOG_TO_JOURNAL, LOG_TO_SYSLOG, LOG_TO_KMSG };
/* 0, or -errno: kmsg cannot be opened, journal not built in (-ENOTSUP) */
int log_init(enum log_target t);
enum log_target log_default_target(void);
void log_set_level(int level);
void zlog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* a decision: journal fields ZPOOLD_ACTION and ZPOOLD_POOL as well */
void zlog_decision(const char *action, unsigned long pool, const char *text);

/* ---- config.c ---- */

enum backend_policy { BACKEND_NONE, BACKEND_FIXED, BACKEND_AUTO };

struct zcfg {
	unsigned interval_ms;
	int log_level;
	bool dry_run;
	struct {
		bool enabled;
		char listen[128];
		unsigned max_connections;
		unsigned max_connections_per_address;
		unsigned timeout_s;
		unsigned request_deadline_s;
		unsigned max_request_bytes;
		bool classes;
		char textfile[512];	/* "" or an absolute *.prom path */
	} metrics;
	struct {
		bool enabled;
		unsigned high_watermark_percent;
		unsigned low_watermark_percent;
		unsigned max_pages_per_cycle;
	} writeback;
	struct {
		bool enabled;
		unsigned min_percent, max_percent, step_percent;
		double raise_psi_some_avg10, lower_psi_some_avg10;
		double min_compression_ratio;
		unsigned hold_s;
	} limit;
	struct {
		bool enabled;
		unsigned below_utilisation_percent;
		uint64_t min_pool_bytes;
		unsigned min_interval_s;
	} compaction;
	struct {
		bool enable;			/* keep zswap enabled */
	} zswap;
	struct {
		int policy;			/* enum backend_policy */
		char fixed[16];			/* "zbud" or "zsmalloc" */
		unsigned zsmalloc_below_object_bytes;
		unsigned zbud_above_object_bytes;
		uint64_t min_objects;
		unsigned min_interval_s;
	} backend;
	struct {
		bool enabled;
	} bpf;
};

void config_defaults(struct zcfg *c);
/*
 * Parse FILE into *c.  On error, *c is untouched and errs holds one line
 * per problem ("key.path: reason; accepted: ..."), NUL-separated lines
 * joined with '\n'.  Returns 0 or -1.
 */
int config_load(const char *file, struct zcfg *c, char *errs, size_t errsize);
/* parse a "HOST:PORT" listen address; 0 or -1 with a reason */
struct sockaddr_storage;
int parse_listen(const char *s, struct sockaddr_storage *ss, char *why,
		 size_t whysize);

/* ---- policy.c ---- */

enum action {
	ACT_WRITEBACK,		/* pool, value = pages */
	ACT_COMPACT,		/* pool */
	ACT_SET_LIMIT,		/* value = new max_pool_percent */
	ACT_SET_BACKEND,	/* target = zpool type */
	ACT_ENABLE_ZSWAP,	/* zswap's enabled parameter to Y */
	ACT_COUNT
};
const char *action_name(int act);

struct decision {
	int act;
	unsigned long pool;
	uint64_t value;
	char target[32];
	char reason[320];
};

#define POLICY_MAX_POOLS 64
struct pstate {
	bool limit_moved;
	uint64_t last_limit_move_ms;
	bool backend_switched;
	uint64_t last_backend_switch_ms;
	size_t ncompact;
	struct {
		unsigned long pool;
		uint64_t ms;
	} compact[POLICY_MAX_POOLS];
};

#define POLICY_MAX_DECISIONS (POLICY_MAX_POOLS + 4)
/*
 * The policy: decisions for the snapshot s at time now_ms (monotonic),
 * written to out[0..max), count returned.  Updates st (hysteresis timers)
 * as if the decisions were carried out.  No I/O, no clock.
 */
size_t policy_decide(const struct zcfg *cfg, struct pstate *st,
		     const struct sysinfo *s, uint64_t now_ms,
		     struct decision *out, size_t max);

/* ---- bpfstats.c ---- */

struct bpfstats;
/* NULL and a reason when BPF is unavailable or not built in */
struct bpfstats *bpfstats_open(char *why, size_t whysize);
void bpfstats_close(struct bpfstats *b);
/* write the BPF families to f; 0 or -1 (with reason in why) */
int bpfstats_write(struct bpfstats *b, FILE *f, char *why, size_t whysize);
#ifdef HAVE_BPF
struct zpx_bpf_stats;
/* the families of one reading (no I/O but f): for the host tests too */
void bpfstats_format(const struct zpx_bpf_stats *st, FILE *f);
#endif

/* ---- metrics.c ---- */

struct dstats {
	uint64_t decisions[ACT_COUNT];
	uint64_t failures[ACT_COUNT];
	uint64_t writeback_pages;	/* requested through writeback */
	uint64_t cycles;
	uint64_t renders;		/* HTTP renders (the cache missed) */
	uint64_t reloads_ok, reloads_failed;
	double last_cycle_unix;		/* seconds */
	double start_unix;
	bool dry_run;
	bool bpf_active;
};

/* a sample value: the shortest decimal that reads back as v */
const char *fmt_g(char *buf, double v);
#define G(v) fmt_g((char[32]){ 0 }, (v))

/* The exposition of everything into a malloc'ed string; NULL on ENOMEM. */
char *metrics_render(const struct sysinfo *s, const struct dstats *d,
		     bool classes, struct bpfstats *bpf, size_t *len);

/* ---- textfile.c ---- */

/*
 * Write data to path atomically: a temporary file in the same directory
 * (".NAME.XXXXXX", which the textfile collector does not read), mode 0644,
 * renamed over path.  0, or -1 and what failed in why.
 */
int textfile_write(const char *path, const char *data, size_t len,
		   char *why, size_t whysize);
/* NULL if s is acceptable as metrics.textfile, else what is accepted */
const char *textfile_check(const char *s);

/* ---- http.c ---- */

struct http;
typedef char *(*http_render_fn)(void *ctx, size_t *len);
typedef bool (*http_health_fn)(void *ctx, char *msg, size_t size);
/* start listening; NULL and a reason on failure */
struct http *http_start(const struct zcfg *c, http_render_fn render,
			http_health_fn health, void *ctx, char *why,
			size_t whysize);
void http_stop(struct http *h);

#endif
