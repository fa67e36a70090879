// SPDX-License-Identifier: GPL-2.0
/*
 * zpoold.c - the daemon: command line, the policy loop, the executor of
 * decisions, the scrape cache, SIGHUP reload, systemd notification,
 * detaching, --check-config and --replay.
 *
 * State.  main() and run() build all of it and pass it in; nothing in
 * this file is file-scope but constant tables.
 *
 *   struct options  the command line (parse_args), read-only afterwards
 *   struct shared   what the policy loop and the HTTP threads share:
 *                   under its lock, the configuration in force, the
 *                   daemon's counters (struct dstats, metrics.h) and the
 *                   BPF handle (bpfstats.h); in atomics, what /healthz
 *                   and the scrape cache read without the lock (the end
 *                   of the last cycle, interval_ms)
 *   struct scrape   the context of the HTTP callbacks (render, health):
 *                   the cached exposition, under its own lock
 *   struct zpoold   the policy loop's, main thread only: the policy's
 *                   state between cycles (struct pstate, policy.h), the
 *                   HTTP server (struct http, http.h), the metrics file's
 *                   failure, the trace being recorded, the watchdog, the
 *                   parent waiting for the start-up result; and the two
 *                   above
 *
 * The process-wide state left is the logger's (log.h) and lib/'s root
 * prefix and warning hook, all set here before any thread starts.  There
 * are no signal handlers, and so no signal flags: SIGHUP, SIGTERM and
 * SIGINT are blocked in every thread and taken by the main loop with
 * sigtimedwait(); SIGPIPE is ignored.
 *
 * One policy cycle, cycle(), on the main thread: the configuration is
 * copied out of struct shared; a snapshot of /sys and /proc is read
 * (read_sysinfo, lib/) and the warnings it did not repeat are forgotten
 * (log_warn_cycle_end); with --record it is appended to the trace;
 * policy_decide() turns it into decisions with the loop's struct pstate;
 * execute() carries each out (one /sys write) and counts it in struct
 * shared; the systemd STATUS line; the cycle's counters and its end time;
 * then the metrics file (textfile_cycle: metrics_render of the same
 * snapshot under the lock, textfile_write).
 *
 * One scrape, on a libmicrohttpd connection thread: http.c's handle()
 * calls render() with struct scrape.  A text rendered less than
 * interval_ms ago is copied out of the cache; otherwise one scrape reads
 * a snapshot (no lock held), takes struct shared's lock and
 * metrics_render()s the snapshot, the counters and the BPF handle, and
 * caches the text, while other scrapes wait for it (single flight).
 * /healthz is health(): the atomics of struct shared, no lock.
 *
 * Nothing in /sys is written but by the executor, and only the four files
 * of a decision: a pool's writeback and compact files and zswap's
 * max_pool_percent and zpool parameters.
 *
 * Build profiles (daemon/Makefile): WITH_SYSTEMD=0 leaves out libsystemd
 * (no notification, no journal), WITH_HTTP=0 leaves out libmicrohttpd (no
 * endpoint, no scrape cache; the metrics go to metrics.textfile only).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bpfstats.h"
#include "config.h"
#include "libzpoolx.h"
#include "log.h"
#include "metrics.h"
#include "policy.h"
#include "textfile.h"
#include "zpoold.h"
#ifdef HAVE_HTTP
#include "http.h"
#endif

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#else
/* built without libsystemd: nobody to notify, no watchdog */
static int sd_notify(int unset, const char *state)
{
	(void)unset;
	(void)state;
	return 0;
}

static int __attribute__((format(printf, 2, 3)))
sd_notifyf(int unset, const char *fmt, ...)
{
	(void)unset;
	(void)fmt;
	return 0;
}

static int sd_watchdog_enabled(int unset, uint64_t *usec)
{
	(void)unset;
	*usec = 0;
	return 0;
}
#endif

#ifdef HAVE_SYSTEMD
#define WITH_SD 1
#else
#define WITH_SD 0
#endif
#ifdef HAVE_HTTP
#define WITH_HTTPD 1
#else
#define WITH_HTTPD 0
#endif

static const char *const log_targets[] = { "stderr", "journal", "syslog",
					   "kmsg", NULL };

/* ---- the daemon's state ---- */

/* the command line (parse_args), read-only afterwards */
struct options {
	const char *config;
	bool config_given;
	bool check_config;
	bool foreground;
	bool no_bpf;
	bool dry_run;
	const char *replay;
	const char *record;
	const char *metrics_file;	/* --metrics-file, over metrics.textfile */
	int log_target;			/* --log: enum log_target, -1 = auto */
	uint64_t cycles;	/* 0 = run until stopped */
	char root[2048];
	/* --config and --record made absolute (zpoold detaches into /) */
	char config_abs[PATH_MAX], record_abs[PATH_MAX];
};

/*
 * What the policy loop (main thread) and the HTTP threads share.  The main
 * thread writes it: a cycle's counters, a reload's configuration, the BPF
 * handle opened or closed; a scrape reads it while it renders.  Under
 * `lock`: cfg, dst and bpf (bpfstats_write is one caller at a time too).
 * The atomics are copies that /healthz and the scrape cache read without
 * the lock, so that they never wait for a render.
 */
struct shared {
	pthread_mutex_t lock;
	struct zcfg cfg;		/* the configuration in force */
	struct dstats dst;		/* the daemon's counters */
	struct bpfstats *bpf;		/* NULL: off or unavailable */
	_Atomic uint64_t last_cycle_ms;	/* monotonic end of the last cycle */
	_Atomic uint64_t interval_ms;	/* = cfg.interval_ms */
};

#ifdef HAVE_HTTP
/*
 * The HTTP callbacks' context: the exposition, rendered at most once per
 * interval_ms and cached; render() and health() below.  The cache is
 * under `lock` (never held while rendering); `rendering` says a scrape is
 * rendering for the others, who wait on `cv`.
 */
struct scrape {
	struct shared *sh;
	pthread_mutex_t lock;
	pthread_cond_t cv;
	char *text;		/* the cached exposition, or NULL */
	size_t len;
	uint64_t ms;		/* monotonic, when text was rendered */
	bool rendering;
};
#endif

/*
 * The running daemon: run() builds it on its stack and passes it down.
 * The main thread alone uses it but for sh and scrape, which the HTTP
 * threads reach through the context pointer of the callbacks; run() stops
 * the HTTP server (zpoold_stop) before it returns, whatever the path.
 */
struct zpoold {
	const struct options *opt;
	struct shared sh;
#ifdef HAVE_HTTP
	struct scrape scrape;
	struct http *http;	/* NULL: metrics.enabled is false */
#endif
	struct pstate pst;	/* the policy's memory between cycles */
	FILE *record_f;		/* --record */
	bool textfile_failing;	/* the last write of the metrics file failed */
	char textfile_why[512];	/* and why */
	uint64_t start_ms;	/* monotonic: the time of --record's traces */
	int ready_fd;		/* the waiting parent, when detaching; else -1 */
	uint64_t wd_usec;	/* systemd's watchdog period; 0: none */
	uint64_t wd_last;	/* when WATCHDOG=1 was last sent */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static double unix_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zpoold [OPTIONS]\n"
		"The zpoolx tuning daemon: proactive writeback, zswap's limit, compaction\n"
		"and backend by policy, and Prometheus metrics.  See zpoold(8).\n"
		"Built with%s systemd, with%s the HTTP endpoint.\n"
		"\n"
		"  -c, --config FILE     configuration (default " ZPOOLD_DEFAULT_CONFIG ")\n"
		"  -t, --check-config    validate the configuration and exit\n"
		"  -f, --foreground      do not detach (implied under systemd)\n"
		"  -n, --dry-run         decide and log, write nothing\n"
		"      --no-bpf          no BPF statistics\n"
		"      --log TARGET      stderr, kmsg (/dev/kmsg), syslog%s (default:\n"
		"                        stderr, the journal under systemd; once detached\n"
		"                        the journal, syslog or kmsg, whichever exists)\n"
		"      --metrics-file FILE  write the metrics to FILE (*.prom) after each\n"
		"                        cycle, atomically (overrides metrics.textfile)\n"
		"      --root DIR        prefix for every /sys and /proc path (tests)\n"
		"      --replay TRACE    run the policy over a recorded trace and print\n"
		"                        its decisions (see zpoold(8), TRACES)\n"
		"      --record TRACE    append each cycle's snapshot to TRACE, in the\n"
		"                        format --replay reads\n"
		"      --cycles N        stop after N policy cycles (1..1000000; tests)\n"
		"  -h, --help            this help\n"
		"  -V, --version         version\n",
		WITH_SD ? "" : "out", WITH_HTTPD ? "" : "out",
		WITH_SD ? ", journal" : "");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "zpoold: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "; see zpoold --help\n");
	return ZEXIT_USAGE;
}

/*
 * zpoold detaches into / (chdir), so relative paths are made absolute
 * here, at start: realpath(3) of an existing file or directory; for
 * --record, which may not exist yet, realpath of its directory.  0, or -1
 * with errno.
 */
static int abs_path(const char *in, char *out, bool may_be_new)
{
	char dir[PATH_MAX];
	const char *slash, *base;
	size_t dl;

	if (realpath(in, out))
		return 0;
	if (!may_be_new || errno != ENOENT)
		return -1;
	slash = strrchr(in, '/');
	base = slash ? slash + 1 : in;
	dl = slash ? (size_t)(slash - in) : 0;
	if (!*base || dl >= sizeof(dir)) {
		errno = EINVAL;
		return -1;
	}
	if (slash && dl == 0)
		snprintf(dir, sizeof(dir), "/");
	else if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)dl, in);
	else
		snprintf(dir, sizeof(dir), ".");
	if (!realpath(dir, out))
		return -1;
	if (strlen(out) + 1 + strlen(base) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (strcmp(out, "/"))
		strcat(out, "/");
	strcat(out, base);
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-bpf", no_argument, NULL, 'B' },
		{ "root", required_argument, NULL, 'R' },
		{ "replay", required_argument, NULL, 'P' },
		{ "record", required_argument, NULL, 'O' },
		{ "cycles", required_argument, NULL, 'C' },
		{ "log", required_argument, NULL, 'L' },
		{ "metrics-file", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char root_abs[PATH_MAX];
	const char *bad;
	size_t n;
	int c, i;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:tfnhV", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (!optarg[0])
				return usage_error("--config: %sexpected a file name",
						   "");
			o->config = optarg;
			o->config_given = true;
			break;
		case 't':
			o->check_config = true;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'B':
			o->no_bpf = true;
			break;
		case 'R':
			n = strlen(optarg);
			if (n == 0 || n >= sizeof(o->root))
				return usage_error("--root: %sexpected a directory path of 1..2047 characters",
						   "");
			if (!is_dir(optarg))
				return usage_error("--root: '%.200s' is not a directory",
						   optarg);
			memcpy(o->root, optarg, n + 1);
			while (n > 0 && o->root[n - 1] == '/')
				o->root[--n] = '\0';
			break;
		case 'P':
			o->replay = optarg;
			break;
		case 'O':
			if (!optarg[0])
				return usage_error("--record: %sexpected a file name",
						   "");
			o->record = optarg;
			break;
		case 'C':
			if (!parse_arg_range(optarg, 1, 1000000, false,
					     &o->cycles))
				return usage_error("--cycles: invalid value '%.32s': expected an integer 1..1000000",
						   optarg);
			break;
		case 'L':
			for (i = 0; log_targets[i]; i++)
				if (!strcmp(optarg, log_targets[i]))
					break;
			if (!log_targets[i])
				return usage_error(WITH_SD ?
					"--log: unknown target '%.32s': expected stderr, kmsg, syslog or journal" :
					"--log: unknown target '%.32s': expected stderr, kmsg or syslog",
					optarg);
			if (i == LOG_TO_JOURNAL && !WITH_SD)
				return usage_error("--log: %sjournal: this zpoold is built without systemd (WITH_SYSTEMD=0); expected stderr, kmsg or syslog",
						   "");
			o->log_target = i;
			break;
		case 'M':
			bad = textfile_check(optarg);
			if (bad || !optarg[0]) {
				fprintf(stderr, "zpoold: --metrics-file: '%.200s' is not accepted: %s; see zpoold --help\n",
					optarg,
					bad ? bad : "expected an absolute path ending in .prom");
				return ZEXIT_USAGE;
			}
			o->metrics_file = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(ZEXIT_OK);
		case 'V':
			printf("zpoold %s\n", ZPOOLD_VERSION);
			exit(ZEXIT_OK);
		case ':':
			return usage_error("%s needs an argument",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option '%.64s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%.64s': zpoold takes options only",
				   argv[optind]);
	if (o->config_given) {
		if (abs_path(o->config, o->config_abs, false)) {
			fprintf(stderr, "zpoold: %s: cannot read the file: %s\n",
				o->config, strerror(errno));
			return ZEXIT_USAGE;
		}
		o->config = o->config_abs;
	}
	if (o->root[0]) {
		if (abs_path(o->root, root_abs, false) ||
		    strlen(root_abs) >= sizeof(o->root)) {
			fprintf(stderr, "zpoold: --root: cannot resolve '%.200s': %s; see zpoold --help\n",
				o->root, errno ? strerror(errno) : "too long");
			return ZEXIT_USAGE;
		}
		/* "/" is no prefix at all */
		if (!strcmp(root_abs, "/"))
			root_abs[0] = '\0';
		memcpy(o->root, root_abs, strlen(root_abs) + 1);
	}
	if (o->record) {
		if (abs_path(o->record, o->record_abs, true)) {
			fprintf(stderr, "zpoold: --record: cannot open %s: %s; see zpoold --help\n",
				o->record, strerror(errno));
			return ZEXIT_USAGE;
		}
		o->record = o->record_abs;
	}
	return 0;
}

/* config errors, one line each, prefixed with the file */
static void report_config_errors(const char *file, const char *errs,
				 bool to_log, const char *prefix)
{
	const char *line = errs, *nl;

	while (*line) {
		nl = strchr(line, '\n');
		if (to_log)
			zlog(LOG_LVL_ERROR, "%s%s: %.*s", prefix, file,
			     (int)(nl ? nl - line : (long)strlen(line)), line);
		else
			fprintf(stderr, "zpoold: %s%s: %.*s\n", prefix, file,
				(int)(nl ? nl - line : (long)strlen(line)),
				line);
		if (!nl)
			break;
		line = nl + 1;
	}
}

/* the configuration at start: the default file may be absent */
static int load_initial(const struct options *o, struct zcfg *c)
{
	char errs[8192];

	config_defaults(c);
	if (!o->config_given && !o->check_config &&
	    !path_exists(o->config)) {
		zlog(LOG_LVL_INFO, "%s does not exist: built-in defaults",
		     o->config);
		return 0;
	}
	if (config_load(o->config, c, errs, sizeof(errs))) {
		report_config_errors(o->config, errs, false, "");
		return -1;
	}
	return 0;
}

/* ---- the executor ---- */

/* carry out d (unless dry): one write to /sys, counted in sh */
static void execute(struct shared *sh, const struct decision *d, bool dry)
{
	char p[PATH_MAX + 256], v[64], text[512];
	const char *what = action_name(d->act);
	int r;

	switch (d->act) {
	case ACT_WRITEBACK:
		ZPATH(p, ZPOOLX_SYS "/pools/%lu/writeback", d->pool);
		snprintf(v, sizeof(v), "%llu", (unsigned long long)d->value);
		break;
	case ACT_COMPACT:
		ZPATH(p, ZPOOLX_SYS "/pools/%lu/compact", d->pool);
		snprintf(v, sizeof(v), "1");
		break;
	case ACT_SET_LIMIT:
		ZPATH(p, ZSWAP_PARAMS "/max_pool_percent");
		snprintf(v, sizeof(v), "%llu", (unsigned long long)d->value);
		break;
	case ACT_SET_BACKEND:
		ZPATH(p, ZSWAP_PARAMS "/zpool");
		snprintf(v, sizeof(v), "%s", d->target);
		break;
	case ACT_ENABLE_ZSWAP:
		ZPATH(p, ZSWAP_PARAMS "/enabled");
		snprintf(v, sizeof(v), "Y");
		break;
	default:
		return;
	}
	snprintf(text, sizeof(text), "%s%s: %s", dry ? "dry-run, not done: " : "",
		 what, d->text);
	zlog_decision(what, d->pool, text);
	pthread_mutex_lock(&sh->lock);
	if (reason_valid(d->act, d->reason))
		sh->dst.decisions[d->act][d->reason]++;
	if (d->act == ACT_WRITEBACK)
		sh->dst.writeback_pages += d->value;
	pthread_mutex_unlock(&sh->lock);
	if (dry)
		return;
	r = write_value(p, v);
	if (r < 0) {
		zlog(LOG_LVL_WARNING, "%s: writing %s to %s failed: %s", what,
		     v, p, strerror(-r));
		pthread_mutex_lock(&sh->lock);
		sh->dst.failures[d->act]++;
		pthread_mutex_unlock(&sh->lock);
	}
}

/* systemd STATUS=: the pools against zswap's limit, the cycle's decisions */
static void status_line(const struct sysinfo *s, size_t ndec, bool dry)
{
	char a[32], b[32];
	uint64_t total = 0, limit = 0;
	size_t i;

	for (i = 0; i < s->zx.npools; i++)
		if (s->zx.pools[i].pool_bytes.has)
			total += s->zx.pools[i].pool_bytes.v;
	if (s->mem.mem_total_kb.has && s->zswap.max_pool_percent.has)
		limit = s->mem.mem_total_kb.v * 1024 / 100 *
			s->zswap.max_pool_percent.v;
	fmt_human(a, sizeof(a), total);
	fmt_human(b, sizeof(b), limit);
	sd_notifyf(0, "STATUS=%zu zpoolx pools, %s of zswap's %s limit; %zu decisions last cycle%s",
		   s->zx.npools, a, b, ndec,
		   dry ? " (dry run)" : "");
}

/* one snapshot as a trace line (zpoold(8), TRACES), appended to f */
static void record(FILE *f, const struct sysinfo *s, double t)
{
	json_object *o = json_object_new_object(), *pools, *po;
	size_t i;

	if (!o)
		return;
#define ADDN(obj, key, n)                                                \
	if ((n).has)                                                     \
		json_object_object_add(obj, key, json_object_new_int64(  \
							 (int64_t)(n).v))
	json_object_object_add(o, "t", json_object_new_double(t));
	if (s->psi.present)
		json_object_object_add(o, "psi_some_avg10",
				       json_object_new_double(s->psi.some_avg10));
	ADDN(o, "mem_total_kb", s->mem.mem_total_kb);
	ADDN(o, "mem_available_kb", s->mem.mem_available_kb);
	ADDN(o, "swap_total_kb", s->mem.swap_total_kb);
	ADDN(o, "swap_free_kb", s->mem.swap_free_kb);
	ADDN(o, "max_pool_percent", s->zswap.max_pool_percent);
	if (s->zswap.zpool[0])
		json_object_object_add(o, "zpool",
				       json_object_new_string(s->zswap.zpool));
	ADDN(o, "stored_pages", s->zswap.stored_pages);
	ADDN(o, "pool_total_size", s->zswap.pool_total_size);
	ADDN(o, "reject_reclaim_fail", s->zswap.reject_reclaim_fail);
	pools = json_object_new_array();
	for (i = 0; pools && i < s->zx.npools; i++) {
		const struct pool *p = &s->zx.pools[i];

		po = json_object_new_object();
		if (!po)
			break;
		json_object_object_add(po, "id", json_object_new_int64((int64_t)p->id));
		json_object_object_add(po, "backend", json_object_new_string(p->backend));
		json_object_object_add(po, "name", json_object_new_string(p->name));
		json_object_object_add(po, "state", json_object_new_string(p->state));
		ADDN(po, "evictable", p->evictable);
		ADDN(po, "pages", p->pages);
		ADDN(po, "metadata_bytes", p->metadata_bytes);
		ADDN(po, "objects", p->objects);
		ADDN(po, "stored_bytes", p->stored_bytes);
		json_object_object_add(po, "writeback", json_object_new_boolean(p->wb_has));
		json_object_object_add(po, "compact", json_object_new_boolean(p->compact_file));
		json_object_array_add(pools, po);
	}
#undef ADDN
	if (pools)
		json_object_object_add(o, "pools", pools);
	fprintf(f, "%s\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(f);
	json_object_put(o);
}

/* ---- the metrics file (metrics.textfile, --metrics-file) ---- */

static const char *textfile_of(const struct options *o, const struct zcfg *c)
{
	return o->metrics_file ? o->metrics_file : c->metrics.textfile;
}

/* render s (and sh's counters and BPF handle) into path; 0 or -1 with why */
static int textfile_put(struct shared *sh, const char *path,
			const struct sysinfo *s, bool classes, char *why,
			size_t whysize)
{
	char *text;
	size_t len;
	int r;

	pthread_mutex_lock(&sh->lock);
	sh->dst.bpf_active = sh->bpf != NULL;
	text = metrics_render(s, &sh->dst, classes, sh->bpf, &len);
	pthread_mutex_unlock(&sh->lock);
	if (!text) {
		snprintf(why, whysize, "cannot write %s: out of memory", path);
		return -1;
	}
	r = textfile_write(path, text, len, why, whysize);
	free(text);
	return r;
}

/*
 * After a cycle: a failure is logged when it starts or changes, and the
 * recovery once; the daemon goes on and tries again next cycle.
 */
static int textfile_cycle(struct zpoold *z, const struct zcfg *c,
			  const struct sysinfo *s)
{
	const char *path = textfile_of(z->opt, c);
	char why[sizeof(z->textfile_why)];

	if (!path[0])
		return 0;
	if (textfile_put(&z->sh, path, s, c->metrics.classes, why,
			 sizeof(why))) {
		if (!z->textfile_failing || strcmp(why, z->textfile_why))
			zlog(LOG_LVL_ERROR, "metrics file: %s (tried again every cycle)",
			     why);
		z->textfile_failing = true;
		snprintf(z->textfile_why, sizeof(z->textfile_why), "%s", why);
		return -1;
	}
	if (z->textfile_failing)
		zlog(LOG_LVL_INFO, "metrics file: %s written again", path);
	z->textfile_failing = false;
	return 0;
}

/* ---- the policy loop ---- */

/* one cycle; -1 if the metrics file could not be written */
static int cycle(struct zpoold *z)
{
	struct decision d[POLICY_MAX_DECISIONS];
	struct shared *sh = &z->sh;
	struct sysinfo s;
	struct zcfg c;
	size_t n, i;
	bool dry;
	int r;

	pthread_mutex_lock(&sh->lock);
	c = sh->cfg;
	pthread_mutex_unlock(&sh->lock);
	dry = c.dry_run || z->opt->dry_run;
	read_sysinfo(&s);
	log_warn_cycle_end(false);
	if (z->record_f)
		record(z->record_f, &s,
		       (double)(mono_ms() - z->start_ms) / 1000);
	n = policy_decide(&c, &z->pst, &s, mono_ms(), d, POLICY_MAX_DECISIONS);
	for (i = 0; i < n; i++)
		execute(sh, &d[i], dry);
	status_line(&s, n, dry);
	pthread_mutex_lock(&sh->lock);
	sh->dst.cycles++;
	sh->dst.last_cycle_unix = unix_now();
	sh->dst.dry_run = dry;
	atomic_store(&sh->last_cycle_ms, mono_ms());
	pthread_mutex_unlock(&sh->lock);
	/* the snapshot the policy decided on, with this cycle's counters */
	r = textfile_cycle(z, &c, &s);
	free_sysinfo(&s);
	return r;
}

#ifdef HAVE_HTTP
/*
 * ---- the HTTP callbacks (libmicrohttpd's connection threads) ----
 *
 * The exposition is rendered at most once per interval_ms and the text
 * cached: a scrape of a fresh cache gets a copy of it; scrapes of a stale
 * one wait for one render (single flight: the first renders, the others
 * wait on the cache's cv), not one each.  /sys is read outside struct
 * shared's lock, which is held only while the counters are formatted.
 * health() takes no lock.
 */
static void scrape_init(struct scrape *sc, struct shared *sh)
{
	memset(sc, 0, sizeof(*sc));
	sc->sh = sh;
	pthread_mutex_init(&sc->lock, NULL);
	pthread_cond_init(&sc->cv, NULL);
}

/* a copy of the cached text; under sc->lock */
static char *cache_copy(const struct scrape *sc, size_t *len)
{
	char *t = malloc(sc->len + 1);

	if (!t)
		return NULL;
	memcpy(t, sc->text, sc->len + 1);
	*len = sc->len;
	return t;
}

/* http_render_fn: ctx is the struct scrape */
static char *render(void *ctx, size_t *len)
{
	struct scrape *sc = ctx;
	struct shared *sh = sc->sh;
	struct sysinfo s;
	char *text;
	size_t n = 0;

	pthread_mutex_lock(&sc->lock);
	for (;;) {
		if (sc->text &&
		    mono_ms() - sc->ms < atomic_load(&sh->interval_ms)) {
			text = cache_copy(sc, len);
			pthread_mutex_unlock(&sc->lock);
			return text;
		}
		if (!sc->rendering)
			break;
		pthread_cond_wait(&sc->cv, &sc->lock);
	}
	sc->rendering = true;
	pthread_mutex_unlock(&sc->lock);

	read_sysinfo(&s);
	pthread_mutex_lock(&sh->lock);
	sh->dst.bpf_active = sh->bpf != NULL;
	sh->dst.renders++;
	text = metrics_render(&s, &sh->dst, sh->cfg.metrics.classes, sh->bpf,
			      &n);
	pthread_mutex_unlock(&sh->lock);
	free_sysinfo(&s);

	pthread_mutex_lock(&sc->lock);
	sc->rendering = false;
	if (text) {
		free(sc->text);
		sc->text = text;
		sc->len = n;
		sc->ms = mono_ms();
		text = cache_copy(sc, len);
	}
	pthread_cond_broadcast(&sc->cv);
	pthread_mutex_unlock(&sc->lock);
	return text;
}

/* the next scrape renders (after a reload; at exit) */
static void cache_drop(struct scrape *sc)
{
	pthread_mutex_lock(&sc->lock);
	free(sc->text);
	sc->text = NULL;
	sc->len = 0;
	pthread_mutex_unlock(&sc->lock);
}

/* http_health_fn: ctx is the struct scrape */
static bool health(void *ctx, char *msg, size_t size)
{
	const struct scrape *sc = ctx;
	uint64_t now = mono_ms(), last, max, interval;

	last = atomic_load(&sc->sh->last_cycle_ms);
	interval = atomic_load(&sc->sh->interval_ms);
	max = 3 * interval + 2000;
	if (last && now - last <= max)
		return true;
	snprintf(msg, size,
		 "unhealthy: no policy cycle for %llu ms (expected every %llu ms)\n",
		 (unsigned long long)(last ? now - last : now),
		 (unsigned long long)interval);
	return false;
}

#endif /* HAVE_HTTP */

/* ---- BPF, HTTP, the metrics file and reload ---- */

/* open or close sh's BPF handle as c and --no-bpf say */
static void bpf_update(struct shared *sh, const struct options *o,
		       const struct zcfg *c)
{
	char why[768];
	bool want = c->bpf.enabled && !o->no_bpf;
	struct bpfstats *b;

	if (want == (sh->bpf != NULL))
		return;
	if (!want) {
		pthread_mutex_lock(&sh->lock);
		b = sh->bpf;
		sh->bpf = NULL;
		pthread_mutex_unlock(&sh->lock);
		bpfstats_close(b);
		zlog(LOG_LVL_INFO, "BPF statistics detached (bpf.enabled is false)");
		return;
	}
	b = bpfstats_open(why, sizeof(why));
	if (!b) {
		/* said once per attempt: at start and at a reload that asks */
		zlog(LOG_LVL_WARNING,
		     "BPF statistics unavailable, going on without the zpoolx_bpf_* metrics: %s",
		     why);
		return;
	}
	pthread_mutex_lock(&sh->lock);
	sh->bpf = b;
	pthread_mutex_unlock(&sh->lock);
	zlog(LOG_LVL_INFO, "BPF statistics attached");
}

#ifdef HAVE_HTTP
static bool http_same(const struct zcfg *a, const struct zcfg *b)
{
	return a->metrics.enabled == b->metrics.enabled &&
	       !strcmp(a->metrics.listen, b->metrics.listen) &&
	       a->metrics.max_connections == b->metrics.max_connections &&
	       a->metrics.max_connections_per_address ==
		       b->metrics.max_connections_per_address &&
	       a->metrics.timeout_s == b->metrics.timeout_s &&
	       a->metrics.request_deadline_s == b->metrics.request_deadline_s &&
	       a->metrics.max_request_bytes == b->metrics.max_request_bytes;
}

/* start z's HTTP server as c says, serving z's scrape */
static struct http *http_start_for(struct zpoold *z, const struct zcfg *c,
				   char *why, size_t whysize)
{
	return http_start(c, render, health, &z->scrape, why, whysize);
}

/* the endpoint for the new config; on failure the old one stays: -1 */
static int http_update(struct zpoold *z, const struct zcfg *old,
		       const struct zcfg *c)
{
	char why[512];
	struct http *h;

	if (old && http_same(old, c) && (z->http != NULL) == c->metrics.enabled)
		return 0;
	if (!c->metrics.enabled) {
		http_stop(z->http);
		z->http = NULL;
		return 0;
	}
	if (old && z->http && !strcmp(old->metrics.listen, c->metrics.listen)) {
		/* same address: the old socket must go first */
		http_stop(z->http);
		z->http = http_start_for(z, c, why, sizeof(why));
		if (z->http)
			return 0;
		zlog(LOG_LVL_ERROR, "%s", why);
		z->http = http_start_for(z, old, why, sizeof(why));
		if (!z->http)
			zlog(LOG_LVL_ERROR, "the previous endpoint could not be restored: %s",
			     why);
		return -1;
	}
	h = http_start_for(z, c, why, sizeof(why));
	if (!h) {
		zlog(LOG_LVL_ERROR, "%s", why);
		return -1;
	}
	http_stop(z->http);
	z->http = h;
	zlog(LOG_LVL_INFO, "metrics on http://%s/metrics", c->metrics.listen);
	return 0;
}
#else
static int http_update(struct zpoold *z, const struct zcfg *old,
		       const struct zcfg *c)
{
	(void)z;
	(void)old;
	(void)c;
	return 0;	/* metrics.enabled is refused by config.c */
}
#endif

/*
 * A reload that moves the metrics file: the new file is written first (a
 * failure refuses the reload, like an address that cannot be bound); once
 * the reload is done (textfile_drop(old, new)) the old one, no longer
 * zpoold's, is removed so that the collector does not go on exporting it;
 * if the reload fails after all, textfile_drop(new, old) removes the new.
 * 0 or -1.
 */
static int textfile_update(struct zpoold *z, const struct zcfg *old,
			   const struct zcfg *c)
{
	const char *from = textfile_of(z->opt, old), *to = textfile_of(z->opt, c);
	char why[sizeof(z->textfile_why)];
	struct sysinfo s;
	int r;

	if (!strcmp(from, to) || !to[0])
		return 0;
	read_sysinfo(&s);
	r = textfile_put(&z->sh, to, &s, c->metrics.classes, why, sizeof(why));
	free_sysinfo(&s);
	if (r) {
		zlog(LOG_LVL_ERROR, "metrics file: %s", why);
		return -1;
	}
	return 0;
}

static void textfile_drop(const struct options *o, const struct zcfg *gone,
			  const struct zcfg *kept)
{
	const char *path = textfile_of(o, gone);

	if (!path[0] || !strcmp(path, textfile_of(o, kept)))
		return;
	if (unlink(path) < 0 && errno != ENOENT)
		zlog(LOG_LVL_WARNING, "metrics file: cannot remove %s: %s",
		     path, strerror(errno));
}

/* a reload refused: counted, and systemd told that zpoold runs on */
static void reload_refused(struct shared *sh)
{
	pthread_mutex_lock(&sh->lock);
	sh->dst.reloads_failed++;
	pthread_mutex_unlock(&sh->lock);
	sd_notify(0, "READY=1");
}

static void reload_config(struct zpoold *z)
{
	const struct options *o = z->opt;
	struct shared *sh = &z->sh;
	char errs[8192];
	struct zcfg c, old;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)mono_ms() * 1000);
	if (config_load(o->config, &c, errs, sizeof(errs))) {
		report_config_errors(o->config, errs, true,
				     "reload refused, the running configuration stays: ");
		reload_refused(sh);
		return;
	}
	old = sh->cfg;		/* only this thread writes it: no lock to read */
	if (textfile_update(z, &old, &c)) {
		zlog(LOG_LVL_ERROR,
		     "reload refused, the running configuration stays: %s: the metrics file could not move to %s",
		     o->config, textfile_of(o, &c));
		reload_refused(sh);
		return;
	}
	if (http_update(z, &old, &c)) {
		textfile_drop(o, &c, &old);
		zlog(LOG_LVL_ERROR,
		     "reload refused, the running configuration stays: %s: the metrics endpoint could not move to %s",
		     o->config, c.metrics.listen);
		reload_refused(sh);
		return;
	}
	pthread_mutex_lock(&sh->lock);
	sh->cfg = c;
	atomic_store(&sh->interval_ms, c.interval_ms);
	sh->dst.reloads_ok++;
	pthread_mutex_unlock(&sh->lock);
	textfile_drop(o, &old, &c);
	if (strcmp(textfile_of(o, &old), textfile_of(o, &c))) {
		z->textfile_failing = false;
		if (textfile_of(o, &c)[0])
			zlog(LOG_LVL_INFO, "metrics written to %s after each cycle",
			     textfile_of(o, &c));
	}
	log_set_level(c.log_level);
	bpf_update(sh, o, &c);
	zlog(LOG_LVL_INFO, "configuration reloaded from %s", o->config);
	sd_notify(0, "READY=1");
}

/* a reload, taken or refused, changes what /metrics says: render afresh */
static void reload(struct zpoold *z)
{
	reload_config(z);
#ifdef HAVE_HTTP
	cache_drop(&z->scrape);
#endif
}

/* ---- detaching, when not under systemd and not --foreground ---- */

/* fork; the parent waits for tell_parent's code and exits with it */
static int detach(struct zpoold *z)
{
	int pfd[2], null;
	char st = 1;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		/* the parent exits with the child's start-up result */
		close(pfd[1]);
		if (read(pfd[0], &st, 1) != 1)
			st = ZEXIT_FAIL;
		_exit(st);
	}
	close(pfd[0]);
	z->ready_fd = pfd[1];
	setsid();
	if (chdir("/") < 0)
		return -errno;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (z->opt->log_target != LOG_TO_STDERR)
			dup2(null, 2);
		if (null > 2)
			close(null);
	}
	return 0;
}

static void tell_parent(struct zpoold *z, char code)
{
	if (z->ready_fd < 0)
		return;
	if (write(z->ready_fd, &code, 1) != 1) {
		/* the parent is gone; nothing to tell */
	}
	close(z->ready_fd);
	z->ready_fd = -1;
}

/* ---- --replay ---- */

static bool jnum(json_object *o, const char *key, struct num *n, int line,
		 const char *file)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return true;
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0) {
		fprintf(stderr, "zpoold: %s:%d: %s: expected an integer >= 0\n",
			file, line, key);
		return false;
	}
	n->has = true;
	n->v = (uint64_t)json_object_get_int64(v);
	return true;
}

static bool jstr(json_object *o, const char *key, char *buf, size_t size,
		 int line, const char *file)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return true;
	if (!json_object_is_type(v, json_type_string) ||
	    strlen(json_object_get_string(v)) >= size) {
		fprintf(stderr, "zpoold: %s:%d: %s: expected a string of at most %zu characters\n",
			file, line, key, size - 1);
		return false;
	}
	snprintf(buf, size, "%s", json_object_get_string(v));
	return true;
}

static const char *const snapshot_keys[] = {
	"t", "psi_some_avg10", "mem_total_kb", "mem_available_kb",
	"swap_total_kb", "swap_free_kb", "max_pool_percent", "zpool",
	"backends", "stored_pages", "pool_total_size", "reject_reclaim_fail",
	"pools", NULL,
};
static const char *const pool_keys[] = {
	"id", "backend", "type", "name", "state", "evictable", "pages",
	"metadata_bytes", "objects", "stored_bytes", "writeback", "compact",
	NULL,
};

static bool known(const char *const *keys, const char *k)
{
	for (; *keys; keys++)
		if (!strcmp(*keys, k))
			return true;
	return false;
}

/* one trace line into s; false with a message on bad input */
static bool snapshot_from_json(json_object *o, struct sysinfo *s, double *t,
			       int line, const char *file)
{
	json_object *v, *pools;
	size_t i, n;

	memset(s, 0, sizeof(*s));
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (!known(snapshot_keys, key)) {
			fprintf(stderr, "zpoold: %s:%d: unknown key \"%s\"\n",
				file, line, key);
			return false;
		}
	}
	if (!json_object_object_get_ex(o, "t", &v) ||
	    (!json_object_is_type(v, json_type_int) &&
	     !json_object_is_type(v, json_type_double)) ||
	    json_object_get_double(v) < 0) {
		fprintf(stderr, "zpoold: %s:%d: t: expected the time in seconds, a number >= 0\n",
			file, line);
		return false;
	}
	*t = json_object_get_double(v);
	if (json_object_object_get_ex(o, "psi_some_avg10", &v)) {
		if ((!json_object_is_type(v, json_type_int) &&
		     !json_object_is_type(v, json_type_double)) ||
		    json_object_get_double(v) < 0 ||
		    json_object_get_double(v) > 100) {
			fprintf(stderr, "zpoold: %s:%d: psi_some_avg10: expected a number 0..100\n",
				file, line);
			return false;
		}
		s->psi.present = true;
		s->psi.some_avg10 = json_object_get_double(v);
	}
	s->zswap.present = true;
	s->zswap.enabled = 1;
	s->zx.loaded = s->zx.sysfs = true;
	snprintf(s->zx.backends, sizeof(s->zx.backends),
		 "zpoolx_zbud zpoolx_zsmalloc");
	if (!jnum(o, "mem_total_kb", &s->mem.mem_total_kb, line, file) ||
	    !jnum(o, "mem_available_kb", &s->mem.mem_available_kb, line, file) ||
	    !jnum(o, "swap_total_kb", &s->mem.swap_total_kb, line, file) ||
	    !jnum(o, "swap_free_kb", &s->mem.swap_free_kb, line, file) ||
	    !jnum(o, "max_pool_percent", &s->zswap.max_pool_percent, line,
		  file) ||
	    !jstr(o, "zpool", s->zswap.zpool, sizeof(s->zswap.zpool), line,
		  file) ||
	    !jstr(o, "backends", s->zx.backends, sizeof(s->zx.backends), line,
		  file) ||
	    !jnum(o, "stored_pages", &s->zswap.stored_pages, line, file) ||
	    !jnum(o, "pool_total_size", &s->zswap.pool_total_size, line,
		  file) ||
	    !jnum(o, "reject_reclaim_fail", &s->zswap.reject_reclaim_fail,
		  line, file))
		return false;
	s->zswap.debugfs = s->zswap.stored_pages.has;
	if (!json_object_object_get_ex(o, "pools", &pools))
		return true;
	if (!json_object_is_type(pools, json_type_array) ||
	    json_object_array_length(pools) > POLICY_MAX_POOLS) {
		fprintf(stderr, "zpoold: %s:%d: pools: expected an array of at most %d objects\n",
			file, line, POLICY_MAX_POOLS);
		return false;
	}
	n = json_object_array_length(pools);
	s->zx.pools = calloc(n ? n : 1, sizeof(*s->zx.pools));
	if (!s->zx.pools)
		return false;
	for (i = 0; i < n; i++) {
		json_object *po = json_object_array_get_idx(pools, i);
		struct pool *p = &s->zx.pools[i];
		struct num id = { false, 0 };
		json_object *b;

		if (!json_object_is_type(po, json_type_object)) {
			fprintf(stderr, "zpoold: %s:%d: pools[%zu]: expected an object\n",
				file, line, i);
			return false;
		}
		json_object_object_foreach(po, pk, pv) {
			(void)pv;
			if (!known(pool_keys, pk)) {
				fprintf(stderr, "zpoold: %s:%d: pools[%zu]: unknown key \"%s\"\n",
					file, line, i, pk);
				return false;
			}
		}
		if (!jnum(po, "id", &id, line, file) || !id.has || !id.v) {
			fprintf(stderr, "zpoold: %s:%d: pools[%zu].id: expected a pool id >= 1\n",
				file, line, i);
			return false;
		}
		p->id = (unsigned long)id.v;
		snprintf(p->state, sizeof(p->state), "active");
		snprintf(p->name, sizeof(p->name), "zswap%lu", p->id);
		if (!jstr(po, "backend", p->backend, sizeof(p->backend), line,
			  file) ||
		    !jstr(po, "type", p->type, sizeof(p->type), line, file) ||
		    !jstr(po, "name", p->name, sizeof(p->name), line, file) ||
		    !jstr(po, "state", p->state, sizeof(p->state), line,
			  file) ||
		    !jnum(po, "evictable", &p->evictable, line, file) ||
		    !jnum(po, "pages", &p->pages, line, file) ||
		    !jnum(po, "metadata_bytes", &p->metadata_bytes, line,
			  file) ||
		    !jnum(po, "objects", &p->objects, line, file) ||
		    !jnum(po, "stored_bytes", &p->stored_bytes, line, file))
			return false;
		if (!p->type[0])
			snprintf(p->type, sizeof(p->type), "zpoolx_%.48s",
				 p->backend);
		if (!p->evictable.has) {
			p->evictable.has = true;
			p->evictable.v = 1;
		}
		/*
		 * pool_bytes as the module gives it: the pages in bytes plus
		 * metadata_bytes (a trace of an older module has none)
		 */
		if (p->pages.has) {
			p->pool_bytes.has = true;
			p->pool_bytes.v = p->pages.v * ZPAGE_SIZE;
			if (p->metadata_bytes.has)
				p->pool_bytes.v += p->metadata_bytes.v;
		}
		p->wb_has = true;
		if (json_object_object_get_ex(po, "writeback", &b))
			p->wb_has = json_object_get_boolean(b);
		p->compact_file = !strcmp(p->backend, "zsmalloc");
		if (json_object_object_get_ex(po, "compact", &b))
			p->compact_file = json_object_get_boolean(b);
		s->zx.npools++;
	}
	derive_pools(s);
	return true;
}

/* --replay FILE: the policy with c over a recorded trace, printed */
static int replay(const char *file, const struct zcfg *c)
{
	uint64_t counts[ACT_COUNT] = { 0 }, wb_pages = 0, sim_percent = 0;
	char sim_zpool[128] = "";
	struct decision d[POLICY_MAX_DECISIONS];
	struct pstate st;
	char *text, *line, *save = NULL;
	int r, lineno = 0, snapshots = 0;
	size_t n, i;

	memset(&st, 0, sizeof(st));
	r = read_all(file, &text, NULL, 16 << 20);
	if (r < 0) {
		fprintf(stderr, "zpoold: %s: cannot read the trace: %s\n",
			file, strerror(-r));
		return ZEXIT_USAGE;
	}
	for (line = text; line && *line; line = save) {
		struct json_tokener *tok;
		json_object *o;
		struct sysinfo s;
		double t;
		char *nl = strchr(line, '\n');

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		line += strspn(line, " \t\r");
		if (!*line || *line == '#')
			continue;
		tok = json_tokener_new();
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		o = json_tokener_parse_ex(tok, line, (int)strlen(line));
		if (!o || !json_object_is_type(o, json_type_object) ||
		    json_tokener_get_parse_end(tok) != strlen(line)) {
			fprintf(stderr, "zpoold: %s:%d: expected one JSON object a line (see zpoold(8), TRACES)\n",
				file, lineno);
			json_object_put(o);
			json_tokener_free(tok);
			free(text);
			return ZEXIT_USAGE;
		}
		json_tokener_free(tok);
		if (!snapshot_from_json(o, &s, &t, lineno, file)) {
			json_object_put(o);
			free_sysinfo(&s);
			free(text);
			return ZEXIT_USAGE;
		}
		json_object_put(o);
		/* what the policy set earlier stands in for the recording */
		if (sim_percent)
			s.zswap.max_pool_percent.v = sim_percent;
		if (sim_zpool[0]) {
			snprintf(s.zswap.zpool, sizeof(s.zswap.zpool), "%s",
				 sim_zpool);
			derive_pools(&s);
		}
		snapshots++;
		n = policy_decide(c, &st, &s, (uint64_t)(t * 1000), d,
				  POLICY_MAX_DECISIONS);
		for (i = 0; i < n; i++) {
			counts[d[i].act]++;
			switch (d[i].act) {
			case ACT_WRITEBACK:
				wb_pages += d[i].value;
				printf("t=%g writeback pool=%lu pages=%llu: %s\n",
				       t, d[i].pool,
				       (unsigned long long)d[i].value,
				       d[i].text);
				break;
			case ACT_COMPACT:
				printf("t=%g compact pool=%lu: %s\n", t,
				       d[i].pool, d[i].text);
				break;
			case ACT_SET_LIMIT:
				sim_percent = d[i].value;
				printf("t=%g set_limit max_pool_percent=%llu: %s\n",
				       t, (unsigned long long)d[i].value,
				       d[i].text);
				break;
			case ACT_SET_BACKEND:
				snprintf(sim_zpool, sizeof(sim_zpool), "%s",
					 d[i].target);
				printf("t=%g set_backend zpool=%s: %s\n", t,
				       d[i].target, d[i].text);
				break;
			case ACT_ENABLE_ZSWAP:
				printf("t=%g enable_zswap: %s\n", t,
				       d[i].text);
				break;
			}
		}
		free_sysinfo(&s);
	}
	free(text);
	printf("summary: snapshots=%d writeback=%llu writeback_pages=%llu compact=%llu set_limit=%llu set_backend=%llu\n",
	       snapshots, (unsigned long long)counts[ACT_WRITEBACK],
	       (unsigned long long)wb_pages,
	       (unsigned long long)counts[ACT_COMPACT],
	       (unsigned long long)counts[ACT_SET_LIMIT],
	       (unsigned long long)counts[ACT_SET_BACKEND]);
	return ZEXIT_OK;
}

/* ---- the daemon's life ---- */

/* WATCHDOG=1 at most every WatchdogSec/4, at least every WatchdogSec/2 */
static void watchdog(struct zpoold *z)
{
	uint64_t now = mono_ms();

	if (!z->wd_usec || (z->wd_last && now - z->wd_last < z->wd_usec / 4000))
		return;
	z->wd_last = now;
	sd_notify(0, "WATCHDOG=1");
}

/* --log TARGET, or where messages go by default; 0 or -1 (said) */
static int log_start(const struct options *o, bool detached)
{
	enum log_target t;
	int r;

	if (o->log_target >= 0)
		t = (enum log_target)o->log_target;
	else if (!detached)
		t = log_default_target();
	else if (WITH_SD && access("/run/systemd/journal/socket", F_OK) == 0)
		t = LOG_TO_JOURNAL;
	else if (access("/dev/log", F_OK) == 0)
		t = LOG_TO_SYSLOG;
	else
		t = LOG_TO_KMSG;
	r = log_init(t);
	if (r < 0 && t == LOG_TO_KMSG) {
		char p[PATH_MAX];

		ZPATH(p, "/dev/kmsg");
		if (o->log_target >= 0) {
			fprintf(stderr, "zpoold: --log kmsg: cannot open %s for writing: %s\n",
				p, strerror(-r));
			return -1;
		}
		log_init(LOG_TO_SYSLOG);	/* syslog(3) drops what it cannot send */
	}
	return 0;
}

/* z before anything runs: the configuration cfg in force, nothing started */
static void zpoold_init(struct zpoold *z, const struct options *o,
			const struct zcfg *cfg)
{
	memset(z, 0, sizeof(*z));
	z->opt = o;
	pthread_mutex_init(&z->sh.lock, NULL);
	z->sh.cfg = *cfg;
	atomic_init(&z->sh.last_cycle_ms, 0);
	atomic_init(&z->sh.interval_ms, cfg->interval_ms);
#ifdef HAVE_HTTP
	scrape_init(&z->scrape, &z->sh);
#endif
	z->ready_fd = -1;
}

/* at exit: the HTTP server first (no scrape runs after), the BPF handle,
 * the trace, the warnings said */
static void zpoold_stop(struct zpoold *z)
{
#ifdef HAVE_HTTP
	http_stop(z->http);
	z->http = NULL;
	cache_drop(&z->scrape);
#endif
	bpfstats_close(z->sh.bpf);
	z->sh.bpf = NULL;
	if (z->record_f)
		fclose(z->record_f);
	z->record_f = NULL;
	log_warn_cycle_end(true);
}

/*
 * The policy loop: a cycle every interval_ms, signals taken in between
 * (set: SIGHUP reloads, SIGTERM and SIGINT stop), until stopped or
 * --cycles are done.
 */
static void loop(struct zpoold *z, const sigset_t *set)
{
	uint64_t wait_ms, t0;
	struct timespec ts;
	siginfo_t si;
	int sig;

	for (;;) {
		if (z->opt->cycles && z->sh.dst.cycles >= z->opt->cycles)
			return;
		t0 = mono_ms();
		for (;;) {
			uint64_t now = mono_ms(), interval;

			pthread_mutex_lock(&z->sh.lock);
			interval = z->sh.cfg.interval_ms;
			pthread_mutex_unlock(&z->sh.lock);
			if (now - t0 >= interval)
				break;
			wait_ms = interval - (now - t0);
			if (z->wd_usec && wait_ms > z->wd_usec / 2000)
				wait_ms = z->wd_usec / 2000;
			ts.tv_sec = (time_t)(wait_ms / 1000);
			ts.tv_nsec = (long)(wait_ms % 1000) * 1000000;
			sig = sigtimedwait(set, &si, &ts);
			watchdog(z);
			if (sig == SIGHUP) {
				zlog(LOG_LVL_INFO, "SIGHUP: reloading %s",
				     z->opt->config);
				reload(z);
			} else if (sig == SIGTERM || sig == SIGINT) {
				zlog(LOG_LVL_INFO, "%s: stopping",
				     sig == SIGTERM ? "SIGTERM" : "SIGINT");
				return;
			}
		}
		cycle(z);
		watchdog(z);
	}
}

/*
 * The daemon, with the configuration cfg: detach (unless --foreground or
 * under systemd), build struct zpoold, start the HTTP server and the BPF
 * statistics, the first cycle, READY, the loop; an exit code.
 */
static int run(const struct options *o, const struct zcfg *cfg)
{
	bool systemd = WITH_SD && getenv("NOTIFY_SOCKET") != NULL;
	struct zpoold z;
	sigset_t set;
	char why[512];
	int r;

	log_set_level(cfg->log_level);

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	zpoold_init(&z, o, cfg);
	if (!o->foreground && !systemd) {
		r = detach(&z);
		if (r < 0) {
			fprintf(stderr, "zpoold: cannot detach: %s\n",
				strerror(-r));
			return ZEXIT_FAIL;
		}
		if (log_start(o, true)) {
			tell_parent(&z, ZEXIT_FAIL);
			return ZEXIT_FAIL;
		}
	}
	zx_warn_hook = log_warn_once;
	z.sh.dst.start_unix = unix_now();
	z.start_ms = mono_ms();
	if (o->record) {
		z.record_f = fopen(o->record, "ae");
		if (!z.record_f) {
			zlog(LOG_LVL_ERROR, "--record: cannot open %s: %s",
			     o->record, strerror(errno));
			tell_parent(&z, ZEXIT_USAGE);
			return ZEXIT_USAGE;
		}
	}
	z.sh.dst.dry_run = cfg->dry_run || o->dry_run;
#ifdef HAVE_HTTP
	if (cfg->metrics.enabled) {
		z.http = http_start_for(&z, cfg, why, sizeof(why));
		if (!z.http) {
			zlog(LOG_LVL_ERROR, "%s", why);
			tell_parent(&z, ZEXIT_FAIL);
			zpoold_stop(&z);
			return ZEXIT_FAIL;
		}
	}
#else
	(void)why;
#endif
	if (o->no_bpf)
		zlog(LOG_LVL_INFO, "BPF statistics off (--no-bpf)");
	else if (!cfg->bpf.enabled)
		zlog(LOG_LVL_INFO, "BPF statistics off (bpf.enabled is false)");
	else
		bpf_update(&z.sh, o, cfg);
	zlog(LOG_LVL_INFO,
	     "zpoold %s started: config %s, root %s, metrics %s%s%s%s, policy every %u ms%s",
	     ZPOOLD_VERSION, o->config, o->root[0] ? o->root : "/",
	     cfg->metrics.enabled ? "on http://" : "",
	     cfg->metrics.enabled ? cfg->metrics.listen : "",
	     textfile_of(o, cfg)[0] ?
		     (cfg->metrics.enabled ? " and in " : "in ") :
		     (cfg->metrics.enabled ? "" : "off"),
	     textfile_of(o, cfg), cfg->interval_ms,
	     z.sh.dst.dry_run ? ", dry run: nothing is written" : "");
	if (sd_watchdog_enabled(0, &z.wd_usec) <= 0)
		z.wd_usec = 0;
	if (cycle(&z)) {
		/* as for an address that cannot be bound: fail at start */
		zlog(LOG_LVL_ERROR, "cannot start: the metrics file %s cannot be written",
		     textfile_of(o, cfg));
		tell_parent(&z, ZEXIT_FAIL);
		zpoold_stop(&z);
		return ZEXIT_FAIL;
	}
	sd_notify(0, "READY=1");
	tell_parent(&z, ZEXIT_OK);

	loop(&z, &set);

	sd_notify(0, "STOPPING=1");
	zpoold_stop(&z);
	return ZEXIT_OK;
}

int main(int argc, char **argv)
{
	struct options opt = { .config = ZPOOLD_DEFAULT_CONFIG,
			       .log_target = -1 };
	struct zcfg cfg;
	int r;

	zx_progname = "zpoold";
	r = parse_args(argc, argv, &opt);
	if (r)
		return r;
	zx_set_root(opt.root);
	if (log_start(&opt, false))
		return ZEXIT_FAIL;
	if (load_initial(&opt, &cfg))
		return ZEXIT_USAGE;
	if (opt.check_config) {
		printf("%s: the configuration is valid\n", opt.config);
		return ZEXIT_OK;
	}
	if (opt.replay)
		return replay(opt.replay, &cfg);
	return run(&opt, &cfg);
}
