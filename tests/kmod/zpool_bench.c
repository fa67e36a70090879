// SPDX-License-Identifier: GPL-2.0
/*
 * zpool_bench.c - zpool API microbenchmark: operations per second of
 * malloc + map + write + unmap + free, for several zpool types in the same
 * boot, on 1, 2, 4 ... CPUs at once.  Loaded only inside benchmark guests
 * (tests/vm/tests/bench-micro.sh), never on a host.
 *
 * Parameters
 *   types=A,B,...   zpool types to compare (default "zsmalloc,zpoolx_zsmalloc")
 *   cpus=N,M,...    how many CPUs store at once, a run for each (default
 *                   "1,2,4"; counts above the online CPUs are left out and
 *                   said so; at most 4 counts)
 *   ops=N           operations per thread and run (default 200000)
 *   live=N          objects each thread keeps live (default 4096)
 *   rounds=N        runs per type and CPU count; the median is reported
 *                   (default 5, at most 31); types alternate within a round, so slow
 *                   phases of the host hit every type alike
 *   dist=NAME       object sizes: "zswap" (default) or "uniform"
 *   max_size=N      sizes above N are stored as N bytes (default: a page;
 *                   zbud takes at most 3968 bytes with 4 KiB pages)
 *   seed=N          random seed (0: pick one; printed)
 *
 * One operation is what zswap does per store and invalidate: free a random
 * live object, malloc a new one with zswap's gfp flags (plus highmem and
 * movable when the pool supports movable pages, as zswap does), map it
 * write-only, copy the "compressed" bytes in, unmap.  Each thread owns its
 * @live objects; all threads share the pool, as zswap's CPUs do.  The
 * working set is filled before timing starts.
 *
 * Sizes ("zswap"): compressed 4 KiB anonymous pages are mostly under half
 * a page with a tail of poorly compressible ones, so the sizes are drawn
 * 30% from 32..511, 45% from 512..2047, 20% from 2048..3583 and 5% from
 * 3584..4096 bytes, uniform within each band.  "uniform" draws 32..4096.
 *
 * Results go to the kernel log, one line per type and CPU count (more CPUs
 * than the host has cores measure contention, not parallelism):
 *   zpool_bench: result type=T cpus=C ops_per_sec=N ns_per_op=N
 *                min_ops_per_sec=N max_ops_per_sec=N failed=N
 *   zpool_bench: done
 * init returns 0 after a complete run, else an error (nothing is left).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/zpool.h>

#include "zpool_api.h"

static char *types = "zsmalloc,zpoolx_zsmalloc";
module_param(types, charp, 0444);
MODULE_PARM_DESC(types, "comma-separated zpool types to compare");

static char *cpus = "1,2,4";
module_param(cpus, charp, 0444);
MODULE_PARM_DESC(cpus, "comma-separated CPU counts to run on");

static unsigned int ops = 200000;
module_param(ops, uint, 0444);
MODULE_PARM_DESC(ops, "operations per thread and run");

static unsigned int live = 4096;
module_param(live, uint, 0444);
MODULE_PARM_DESC(live, "live objects per thread");

static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "runs per type and CPU count (median reported)");

static char *dist = "zswap";
module_param(dist, charp, 0444);
MODULE_PARM_DESC(dist, "object size distribution: zswap or uniform");

static unsigned int max_size = PAGE_SIZE;
module_param(max_size, uint, 0444);
MODULE_PARM_DESC(max_size, "largest object size (sizes above are clamped)");

static unsigned int seed;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "random seed (0: pick one)");

#define ZB_MAX_TYPES	4
#define ZB_MAX_COUNTS	4
#define ZB_MAX_ROUNDS	31
#define ZB_MIN_SIZE	32
#define ZB_GFP		(__GFP_NORETRY | __GFP_NOWARN | __GFP_KSWAPD_RECLAIM)

struct zb_band {
	unsigned int percent, lo, hi;
};

static const struct zb_band zb_zswap[] = {
	{ 30, 32, 511 }, { 45, 512, 2047 }, { 20, 2048, 3583 },
	{ 5, 3584, 4096 },
};

static const struct zb_band zb_uniform[] = {
	{ 100, 32, 4096 },
};

static const struct zb_band *zb_bands;
static unsigned int zb_nbands;

/* One thread's share of a run. */
struct zb_thread {
	struct zpool *pool;
	gfp_t gfp;
	struct rnd_state rnd;
	unsigned long *handles;
	u8 *src;
	struct completion *go;
	atomic_t *ready;
	struct completion done;
	u64 ns;
	unsigned long failed;
	int err;
};

static unsigned int zb_size(struct rnd_state *rnd)
{
	unsigned int p = prandom_u32_state(rnd) % 100, i;

	for (i = 0; i < zb_nbands - 1 && p >= zb_bands[i].percent; i++)
		p -= zb_bands[i].percent;
	return min(max_size, zb_bands[i].lo +
		   prandom_u32_state(rnd) %
		   (zb_bands[i].hi - zb_bands[i].lo + 1));
}

/* Malloc @size bytes, map, write, unmap; 0 or -errno. */
static int zb_store(struct zb_thread *t, unsigned int size,
		    unsigned long *handle)
{
	void *dst;
	int ret;

	ret = zpapi.malloc(t->pool, size, t->gfp, handle);
	if (ret)
		return ret;
	dst = zpapi.map_handle(t->pool, *handle, ZPOOL_MM_WO);
	memcpy(dst, t->src, size);
	zpapi.unmap_handle(t->pool, *handle);
	return 0;
}

static int zb_thread_fn(void *arg)
{
	struct zb_thread *t = arg;
	unsigned int i;
	u64 start;

	for (i = 0; i < live; i++) {
		t->err = zb_store(t, zb_size(&t->rnd), &t->handles[i]);
		if (t->err) {
			t->handles[i] = 0;
			break;
		}
	}
	atomic_inc(t->ready);
	wait_for_completion(t->go);

	start = ktime_get_ns();
	for (i = 0; i < ops && !t->err; i++) {
		unsigned int slot = prandom_u32_state(&t->rnd) % live;

		if (t->handles[slot])
			zpapi.free(t->pool, t->handles[slot]);
		t->handles[slot] = 0;
		if (zb_store(t, zb_size(&t->rnd), &t->handles[slot]))
			t->failed++;
	}
	t->ns = ktime_get_ns() - start;

	for (i = 0; i < live; i++)
		if (t->handles[i])
			zpapi.free(t->pool, t->handles[i]);
	complete(&t->done);
	return 0;
}

/* One run of @type on @nthreads CPUs; ops per second, or -errno. */
static long zb_run(const char *type, unsigned int nthreads, u32 run_seed,
		   unsigned long *failed)
{
	DECLARE_COMPLETION_ONSTACK(go);
	atomic_t ready = ATOMIC_INIT(0);
	struct zb_thread *th;
	struct zpool *pool;
	unsigned int i, n = 0, cpu;
	u64 slowest = 0;
	long ret = 0;
	gfp_t gfp;

	pool = zpapi.create_pool(type, "zpool_bench", ZB_GFP, NULL);
	if (!pool)
		return -ENODEV;
	gfp = ZB_GFP;
	if (zpapi.malloc_support_movable(pool))
		gfp |= __GFP_HIGHMEM | __GFP_MOVABLE;

	th = kcalloc(nthreads, sizeof(*th), GFP_KERNEL);
	if (!th) {
		ret = -ENOMEM;
		goto out_pool;
	}
	for (i = 0; i < nthreads; i++) {
		th[i].handles = vzalloc(array_size(live, sizeof(long)));
		th[i].src = kmalloc(PAGE_SIZE, GFP_KERNEL);
		if (!th[i].handles || !th[i].src) {
			ret = -ENOMEM;
			goto out_threads;
		}
		memset(th[i].src, 0x5a + i, PAGE_SIZE);
	}

	for_each_online_cpu(cpu) {
		struct zb_thread *t = &th[n];
		struct task_struct *task;

		if (n == nthreads)
			break;
		t->pool = pool;
		t->gfp = gfp;
		prandom_seed_state(&t->rnd, run_seed + n);
		t->go = &go;
		t->ready = &ready;
		init_completion(&t->done);
		task = kthread_create(zb_thread_fn, t, "zpool_bench/%u", cpu);
		if (IS_ERR(task)) {
			ret = PTR_ERR(task);
			break;
		}
		kthread_bind(task, cpu);
		wake_up_process(task);
		n++;
	}
	/* Time starts when every thread has its working set. */
	while (atomic_read(&ready) < n)
		schedule_timeout_uninterruptible(1);
	complete_all(&go);
	for (i = 0; i < n; i++) {
		wait_for_completion(&th[i].done);
		slowest = max(slowest, th[i].ns);
		*failed += th[i].failed;
		if (th[i].err && !ret)
			ret = th[i].err;
	}
	if (!ret && n == nthreads && slowest)
		ret = div64_u64((u64)ops * n * NSEC_PER_SEC, slowest);
	else if (!ret)
		ret = -EIO;

out_threads:
	for (i = 0; i < nthreads; i++) {
		vfree(th[i].handles);
		kfree(th[i].src);
	}
	kfree(th);
out_pool:
	zpapi.destroy_pool(pool);
	return ret;
}

static int zb_cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static int __init zpool_bench_init(void)
{
	char *names[ZB_MAX_TYPES], *list, *clist = NULL, *p, *tok;
	unsigned int ntypes = 0, ncounts = 0, i, r, c, n, count[ZB_MAX_COUNTS];
	unsigned long failed[ZB_MAX_TYPES][ZB_MAX_COUNTS] = {};
	long (*res)[ZB_MAX_COUNTS][ZB_MAX_TYPES];
	int ret;

	if (!strcmp(dist, "zswap")) {
		zb_bands = zb_zswap;
		zb_nbands = ARRAY_SIZE(zb_zswap);
	} else if (!strcmp(dist, "uniform")) {
		zb_bands = zb_uniform;
		zb_nbands = ARRAY_SIZE(zb_uniform);
	} else {
		pr_err("dist=%s: accepted are zswap and uniform\n", dist);
		return -EINVAL;
	}
	if (!ops || !live || !rounds || rounds > ZB_MAX_ROUNDS ||
	    max_size < ZB_MIN_SIZE || max_size > PAGE_SIZE) {
		pr_err("ops and live must be > 0, rounds 1..%d, max_size %d..%lu\n",
		       ZB_MAX_ROUNDS, ZB_MIN_SIZE, PAGE_SIZE);
		return -EINVAL;
	}
	ret = zpool_api_resolve();
	if (ret) {
		pr_err("cannot find the kernel's zpool API (%d)\n", ret);
		return ret;
	}
	if (!seed)
		seed = get_random_u32() ?: 1;

	list = kstrdup(types, GFP_KERNEL);
	res = kcalloc(rounds, sizeof(*res), GFP_KERNEL);
	if (!list || !res) {
		ret = -ENOMEM;
		goto out;
	}
	p = list;
	while ((tok = strsep(&p, ",")) != NULL) {
		if (!*tok)
			continue;
		if (ntypes == ZB_MAX_TYPES || !zpool_has_pool(tok)) {
			pr_err("types=%s: %s is not a loaded zpool type, or more than %d types\n",
			       types, tok, ZB_MAX_TYPES);
			ret = -EINVAL;
			goto out;
		}
		names[ntypes++] = tok;
	}
	if (!ntypes) {
		pr_err("types is empty\n");
		ret = -EINVAL;
		goto out;
	}

	clist = kstrdup(cpus, GFP_KERNEL);
	if (!clist) {
		ret = -ENOMEM;
		goto out;
	}
	p = clist;
	while ((tok = strsep(&p, ",")) != NULL) {
		if (!*tok)
			continue;
		if (kstrtouint(tok, 10, &n) || !n || ncounts == ZB_MAX_COUNTS) {
			pr_err("cpus=%s: expected up to %d counts of 1 or more CPUs\n",
			       cpus, ZB_MAX_COUNTS);
			ret = -EINVAL;
			goto out;
		}
		if (n > num_online_cpus()) {
			pr_info("# cpus=%u left out: %u CPUs online\n", n,
				num_online_cpus());
			continue;
		}
		count[ncounts++] = n;
	}
	if (!ncounts) {
		pr_err("cpus=%s: no count of online CPUs\n", cpus);
		ret = -EINVAL;
		goto out;
	}

	pr_info("# types=%s ops=%u live=%u rounds=%u dist=%s max_size=%u seed=%u cpus=%s online=%u\n",
		types, ops, live, rounds, dist, max_size, seed, cpus,
		num_online_cpus());
	for (r = 0; r < rounds; r++) {
		for (c = 0; c < ncounts; c++) {
			for (i = 0; i < ntypes; i++) {
				long v = zb_run(names[i], count[c], seed + r,
						&failed[i][c]);

				if (v < 0) {
					pr_err("%s on %u CPUs failed: %ld\n",
					       names[i], count[c], v);
					ret = v;
					goto out;
				}
				res[r][c][i] = v;
				cond_resched();
			}
		}
	}

	for (c = 0; c < ncounts; c++) {
		for (i = 0; i < ntypes; i++) {
			long v[ZB_MAX_ROUNDS], med;

			for (r = 0; r < rounds; r++)
				v[r] = res[r][c][i];
			sort(v, rounds, sizeof(long), zb_cmp_long, NULL);
			med = v[rounds / 2];
			pr_info("result type=%s cpus=%u ops_per_sec=%ld ns_per_op=%lld min_ops_per_sec=%ld max_ops_per_sec=%ld failed=%lu\n",
				names[i], count[c], med,
				med ? div64_s64((s64)NSEC_PER_SEC, med) : 0LL,
				v[0], v[rounds - 1], failed[i][c]);
		}
	}
	pr_info("done\n");
	ret = 0;
out:
	kfree(res);
	kfree(clist);
	kfree(list);
	return ret;
}

static void __exit zpool_bench_exit(void)
{
}

module_init(zpool_bench_init);
module_exit(zpool_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zpool API microbenchmark (test guests only)");
