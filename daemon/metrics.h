/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics.h - the Prometheus text exposition (metrics.c): one function
 * from what it renders, all passed in, to the text.
 *
 * Owns: nothing.  What it renders belongs to its caller: the snapshot
 * (struct sysinfo of lib/, read by the caller), the daemon's counters
 * (struct dstats below, held by zpoold.c's struct shared), the BPF handle
 * (bpfstats.h) and the one configuration key it needs (metrics.classes).
 *
 * Called by: zpoold.c, from the policy loop (the metrics file after each
 * cycle) and from a scrape (the HTTP render callback), each time under
 * struct shared's lock, which keeps the counters and the BPF handle
 * still; the sysfs fuzz harness (tests/fuzz/sysfs).
 */
#ifndef ZPOOLD_METRICS_H
#define ZPOOLD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfstats.h"
#include "libzpoolx.h"
#include "policy.h"

/* the daemon's counters: the zpoolx_daemon_* families */
struct dstats {
	uint64_t decisions[ACT_COUNT][RSN_COUNT];	/* by action, reason */
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

/*
 * The exposition of the snapshot s, the counters d, the size classes of
 * s's pools if classes (read from /sys here: the one reading metrics.c
 * does itself) and bpf's families if bpf is not NULL, into a malloc'ed
 * string of *len bytes; NULL on ENOMEM.
 */
char *metrics_render(const struct sysinfo *s, const struct dstats *d,
		     bool classes, struct bpfstats *bpf, size_t *len);

#endif
