// SPDX-License-Identifier: GPL-2.0
/*
 * zpool_fault.c - fault injection against a zpool type, through the zpool
 * API only.  For every call under test (create, malloc), the n-th fault
 * injection point reached by this task is made to fail ("fail-nth", the
 * task-scoped mechanism of CONFIG_FAULT_INJECTION), for n = 1, 2, ...
 * until a call runs through all its injection points without reaching the
 * n-th.  The first EXHAUSTIVE_NTH points of a call each fail once; past
 * them n grows by a sixteenth at each step, so that a create with
 * thousands of allocations (a sysfs directory per size class) is covered
 * from start to end in a few hundred tries.
 *
 * The zpool API is reached through zpool_api.h (6.1 does not export it).
 *
 * Checked: every injected failure that the pool cannot absorb is reported
 * to the caller as an error (never a crash, never a half-made object); the
 * objects already stored are intact after each failure; once all is freed
 * the pool is back to the size it had when empty (its own metadata, no
 * pages).  The (empty) pool is kept until the module is
 * unloaded, so that the guest script can check its sysfs counters; kmemleak
 * runs after the unload.
 *
 * Needs the debugfs knobs of failslab and fail_page_alloc set so that the
 * allocations of the paths are eligible (ignore-gfp-wait=N, min-order=0,
 * verbose=0); tests/vm/tests/fault-injection.sh does that.
 *
 * With gfp_check=1 it runs one other test instead, with ignore-gfp-wait=Y
 * (only allocations that cannot reclaim directly are eligible): a pool
 * created with zswap's gfp (no direct reclaim) must make no such
 * allocation, as a create that used it could fail under memory pressure
 * where GFP_KERNEL would have reclaimed.
 *
 * Reports on the console: "zpool_fault: ok|not ok N - ..." and a final
 * "zpool_fault: done passed=P failed=F"; init fails if anything failed.
 */
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/zpool.h>

#include "zpool_api.h"

static char *type = "zpoolx_zbud";
module_param(type, charp, 0444);
MODULE_PARM_DESC(type, "zpool type to test");

static unsigned int objects = 48;
module_param(objects, uint, 0444);
MODULE_PARM_DESC(objects, "objects to allocate under fault injection");

static bool gfp_check;
module_param(gfp_check, bool, 0444);
MODULE_PARM_DESC(gfp_check, "only check that create allocates with direct reclaim (ignore-gfp-wait=Y)");

#define FAULT_GFP (__GFP_NORETRY | __GFP_NOWARN | __GFP_KSWAPD_RECLAIM)
#define EXHAUSTIVE_NTH 256
#define MAX_TRIES 1024

struct obj {
	unsigned long handle;
	size_t size;
	u32 seed;
};

static struct zpool *pool;
#ifdef CONFIG_FAULT_INJECTION

static unsigned int passed, failed;

#define check(cond, fmt, ...) do {					\
	if (cond) {							\
		passed++;						\
		pr_info("zpool_fault: ok %u - " fmt "\n",		\
			passed + failed, ##__VA_ARGS__);		\
	} else {							\
		failed++;						\
		pr_info("zpool_fault: not ok %u - " fmt "\n",		\
			passed + failed, ##__VA_ARGS__);		\
	}								\
} while (0)


static void fill(u8 *p, size_t size, u32 seed)
{
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = (u8)(seed + i * 31);
}

static bool intact(struct obj *o)
{
	u8 *p = zpapi.map_handle(pool, o->handle, ZPOOL_MM_RO);
	bool good = true;
	size_t i;

	for (i = 0; i < o->size && good; i++)
		good = p[i] == (u8)(o->seed + i * 31);
	zpapi.unmap_handle(pool, o->handle);
	return good;
}

static bool all_intact(struct obj *objs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!intact(&objs[i]))
			return false;
	return true;
}

/* The injection point to try after @nth. */
static unsigned int next_nth(unsigned int nth)
{
	return nth < EXHAUSTIVE_NTH ? nth + 1 : nth + nth / 16;
}

/* Make the n-th injection point this task reaches fail. */
static void arm(unsigned int nth)
{
	WRITE_ONCE(current->fail_nth, nth);
}

/* Disarm; returns how many points were still to go (0: it fired). */
static unsigned int disarm(void)
{
	unsigned int left = READ_ONCE(current->fail_nth);

	WRITE_ONCE(current->fail_nth, 0);
	return left;
}

static int evict_never(struct zpool *zpool, unsigned long handle)
{
	return -EBUSY;
}

static const struct zpool_ops fault_ops = {
	.evict = evict_never,
};

static void test_create(void)
{
	unsigned int nth, tries, left, errors = 0, absorbed = 0;
	struct zpool *p;

	for (nth = 1, tries = 0; tries < MAX_TRIES; nth = next_nth(nth), tries++) {
		cond_resched();
		arm(nth);
		p = zpapi.create_pool(type, "zpool_fault", GFP_KERNEL,
				      &fault_ops);
		left = disarm();
		if (!p) {
			errors++;
			continue;
		}
		if (left)
			break;	/* the n-th point was never reached */
		absorbed++;
		zpapi.destroy_pool(p);
	}
	if (tries == MAX_TRIES)
		p = NULL;	/* the last one was destroyed above */
	check(p, "create: %u injection points tried (of %u), %u reported as errors, %u absorbed",
	      tries, nth - 1, errors, absorbed);
	pool = p;
}

/*
 * zswap's gfp to create: with ignore-gfp-wait=Y, every allocation that
 * cannot reclaim directly is an injection point.  mm/zpool.c's
 * zpool_create_pool() makes one, its struct zpool with the caller's gfp,
 * before it calls the driver; the kernel's sysfs makes others, whose
 * failures it absorbs (kernfs falls back to its preloaded idr nodes).  So
 * each point past the first is failed in turn, and the pool must be made
 * every time: the driver's own allocations reclaim directly.
 */
static void test_create_gfp(void)
{
	unsigned int nth, left = 0, made = 0, refused = 0, first_refused = 0;
	struct zpool *p;

	for (nth = 2; nth < EXHAUSTIVE_NTH; nth++) {
		cond_resched();
		arm(nth);
		p = zpapi.create_pool(type, "zpool_fault", FAULT_GFP, &fault_ops);
		left = disarm();
		if (!p) {
			if (!refused++)
				first_refused = nth;
			continue;
		}
		zpapi.destroy_pool(p);
		if (left)
			break;	/* the n-th point was never reached */
		made++;
	}
	check(left && !refused,
	      "create with zswap's gfp: the pool made with each of %u failed allocations without direct reclaim (past zpool's own), %u refused (the first at point %u)%s",
	      made, refused, first_refused,
	      left ? "" : ", points left untried");
}

static void test_malloc(void)
{
	unsigned int i, nth, tries, left, points = 0, errors = 0, bad_err = 0;
	unsigned int damaged = 0, stuck = 0;
	struct obj *objs;
	u64 empty;
	int ret;

	/* an empty pool's size: its own metadata (struct, name), no pages */
	empty = zpapi.get_total_size(pool);
	objs = kcalloc(objects, sizeof(*objs), GFP_KERNEL);
	if (!objs) {
		check(false, "malloc: no memory for the test itself");
		return;
	}
	for (i = 0; i < objects; i++) {
		struct obj *o = &objs[i];

		o->size = 16 + get_random_u32_below(PAGE_SIZE / 2 - 16);
		o->seed = get_random_u32();
		for (nth = 1, tries = 0; tries < MAX_TRIES;
		     nth = next_nth(nth), tries++) {
			cond_resched();
			arm(nth);
			ret = zpapi.malloc(pool, o->size, FAULT_GFP,
					   &o->handle);
			left = disarm();
			if (ret) {
				points++;
				errors++;
				if (ret != -ENOMEM)
					bad_err++;
				if (!all_intact(objs, i))
					damaged++;
				continue;
			}
			if (!left)
				points++;	/* absorbed by the pool */
			break;
		}
		if (tries == MAX_TRIES) {
			stuck++;
			break;
		}
		fill(zpapi.map_handle(pool, o->handle, ZPOOL_MM_WO),
		     o->size, o->seed);
		zpapi.unmap_handle(pool, o->handle);
	}
	check(!stuck, "malloc: every call succeeds once no failure is injected");
	check(errors > 0,
	      "malloc: %u injected failures over %u objects, %u returned errors",
	      points, i, errors);
	check(!bad_err, "malloc: every failure is -ENOMEM (%u were not)",
	      bad_err);
	check(!damaged, "malloc: stored objects intact after each failure (%u damaged)",
	      damaged);
	check(all_intact(objs, i), "malloc: all %u objects intact at the end", i);
	while (i--)
		zpapi.free(pool, objs[i].handle);
	check(zpapi.get_total_size(pool) == empty,
	      "pool back to its empty size once all is freed (%llu bytes, %llu when made)",
	      zpapi.get_total_size(pool), empty);
	kfree(objs);
}

static int __init zpool_fault_init(void)
{
	int ret = zpool_api_resolve();

	if (ret) {
		pr_err("zpool_fault: cannot find the zpool API: %d\n", ret);
		return ret;
	}
	if (gfp_check) {
		test_create_gfp();
	} else {
		test_create();
		if (pool)
			test_malloc();
	}
	pr_info("zpool_fault: done passed=%u failed=%u\n", passed, failed);
	if (failed) {
		if (pool)
			zpapi.destroy_pool(pool);
		return -EINVAL;
	}
	return 0;
}

#else /* !CONFIG_FAULT_INJECTION */

static int __init zpool_fault_init(void)
{
	pr_info("zpool_fault: this kernel has no CONFIG_FAULT_INJECTION\n");
	return -EOPNOTSUPP;
}

#endif

static void __exit zpool_fault_exit(void)
{
	if (pool)
		zpapi.destroy_pool(pool);
}

module_init(zpool_fault_init);
module_exit(zpool_fault_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zpoolx test: fault injection through the zpool API");
