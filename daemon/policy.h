/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy.h - the policy engine (policy.c): a pure function of (config,
 * state, snapshot, time) to decisions with reasons; no I/O, no clock.
 *
 * Owns: nothing itself.  Its state between cycles, struct pstate (the
 * hysteresis timers: when the limit last moved, the backend last
 * switched, each pool was last compacted), is held by the caller and
 * passed in each time: the policy loop's in zpoold.c (struct zpoold, main
 * thread only), --replay's own, the sysfs fuzz harness's.
 *
 * Called by: zpoold.c (each policy cycle, --replay), metrics.c
 * (action_name, reason_name and reason_valid, for the decision counters'
 * labels), the sysfs fuzz harness (tests/fuzz/sysfs).
 */
#ifndef ZPOOLD_POLICY_H
#define ZPOOLD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "libzpoolx.h"

enum action {
	ACT_WRITEBACK,		/* pool, value = pages */
	ACT_COMPACT,		/* pool */
	ACT_SET_LIMIT,		/* value = new max_pool_percent */
	ACT_SET_BACKEND,	/* target = zpool type */
	ACT_ENABLE_ZSWAP,	/* zswap's enabled parameter to Y */
	ACT_COUNT
};
const char *action_name(int act);

/*
 * Why a decision was taken: one per rule and cause, a bounded label of
 * zpoolx_daemon_decisions_total.  The names are stable (dashboards and
 * alerts use them); the free text of struct decision says the numbers.
 */
enum reason {
	RSN_LIMIT_OUT_OF_BOUNDS,	/* set_limit: outside min..max_percent */
	RSN_PRESSURE_RAISE,	/* set_limit: PSI high, pools full */
	RSN_CALM_LOWER,		/* set_limit: PSI low, pools fit lower */
	RSN_ABOVE_HIGH_WATERMARK,	/* writeback */
	RSN_LOW_UTILISATION,	/* compact */
	RSN_FIXED_BACKEND,	/* set_backend: backend.policy "fixed" */
	RSN_SMALL_OBJECTS,	/* set_backend: auto, zbud -> zsmalloc */
	RSN_LARGE_OBJECTS,	/* set_backend: auto, zsmalloc -> zbud */
	RSN_ZSWAP_OFF,		/* enable_zswap */
	RSN_COUNT
};
const char *reason_name(int rsn);
/* whether the policy can take action act for reason rsn */
bool reason_valid(int act, int rsn);

struct decision {
	int act;
	int reason;		/* enum reason */
	unsigned long pool;
	uint64_t value;
	char target[32];
	char text[320];		/* the reason with its numbers, for the log */
};

/* the policy's memory between cycles; all zero at start */
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

#endif
