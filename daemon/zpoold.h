/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zpoold.h - what every part of zpoold shares: its version and exit
 * codes; and the map of the parts.  Each part has its own header, which
 * says what it owns and who calls it:
 *
 *   zpoold.c    main: command line, the policy loop, the executor of
 *               decisions, the scrape cache, SIGHUP reload, systemd
 *               notification, detaching, --check-config and --replay.
 *               It builds every other part's state and passes it in
 *               (struct zpoold, struct shared, struct scrape: zpoold.c)
 *   config.h    config.c: struct zcfg, the key table, strict parsing
 *   policy.h    policy.c: the policy engine, a pure function of (config,
 *               state, snapshot, time) to decisions with reasons; its
 *               state between cycles (struct pstate) is the caller's
 *   metrics.h   metrics.c: the Prometheus text exposition of a snapshot,
 *               the daemon's counters (struct dstats) and a BPF handle
 *   bpfstats.h  bpfstats.c: the BPF statistics (bpf/zpoolx_bpf.h) behind
 *               an opaque handle, optional
 *   http.h      http.c: the libmicrohttpd endpoint (struct http), GET
 *               and HEAD /metrics and /healthz through callbacks and a
 *               context pointer (not built with WITH_HTTP=0, no HAVE_HTTP)
 *   textfile.h  textfile.c: the metrics written atomically to a file,
 *               for node_exporter's textfile collector (metrics.textfile)
 *   log.h       log.c: logging to the journal, syslog, the kernel log or
 *               stderr; the one process-wide state of zpoold
 *   promtext.h  the sample value format metrics.c and bpfstats.c share
 *
 * Who calls whom, with no circle: zpoold.c calls every part; metrics.c
 * calls bpfstats.c (a handle's families) and policy.c (action names);
 * http.c calls config.c (parse_listen), config.c calls textfile.c
 * (textfile_check); every part logs through log.c, which calls nobody.
 * Only zpoold.c holds state across calls; it passes each part the piece
 * it works on.
 *
 * The snapshot, a reading of /sys and /proc (struct sysinfo), comes from
 * lib/ (libzpoolx.h), shared with zpoolctl; every path carries the --root
 * prefix.  lib/ keeps two process-wide settings, made by main before any
 * thread starts: the root prefix (zx_set_root) and the warning hook
 * (zx_warn_hook, log.c's log_warn_once).
 */
#ifndef ZPOOLD_H
#define ZPOOLD_H

/* zpoolx's one version, given by the build (lib/c.mk, scripts/version) */
#ifndef ZPOOLX_VERSION
#error "ZPOOLX_VERSION is not defined: build through the Makefile (lib/c.mk)"
#endif
#define ZPOOLD_VERSION ZPOOLX_VERSION

/* Exit codes, documented in zpoold.8. */
enum {
	ZEXIT_OK = 0,
	ZEXIT_FAIL = 1,		/* runtime failure (cannot listen, ...) */
	ZEXIT_USAGE = 2,	/* bad command line or bad configuration */
};

#endif
