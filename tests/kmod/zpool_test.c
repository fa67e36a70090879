// SPDX-License-Identifier: GPL-2.0
/*
 * zpool_test.c - drives the kernel's zpool API (mm/zpool.c) for one zpool
 * type and checks what a creator such as zswap relies on.  Loaded only
 * inside test guests (the guest scripts tests/vm/tests/<type>-kmod.sh),
 * never on a host.
 *
 * Parameters
 *   type=NAME        the zpool type to test (default zpoolx_zbud); works
 *                    for zpoolx_zbud, zpoolx_zsmalloc and, where their
 *                    semantics allow, the kernel's zbud, z3fold, zsmalloc
 *   seed=N           seed of every random choice (0: pick one; printed)
 *   objects=N        objects of the random-size test (default 1000)
 *   stress_secs=N    length of the concurrency test (default 5, 0 skips)
 *   stress_slots=N   objects each stress thread juggles (default 128)
 *   destroy_live=B   run the destroy-with-live-objects test (default 1)
 *   hold=B           keep two pools alive after the tests until rmmod
 *                    (default 0), for the guest script to check their
 *                    counters in /sys/kernel/zpoolx/pools/<id>/
 *
 * Every test runs from module_init.  Results go to the kernel log:
 *   zpool_test: ok N - DESCRIPTION
 *   zpool_test: not ok N - DESCRIPTION
 *   zpool_test: # DIAGNOSTIC
 *   zpool_test: expect pool=NAME COUNTER=VALUE ...   (with hold=1)
 *   zpool_test: done passed=P failed=F
 * and init returns 0 only if every test passed, else -EINVAL (insmod
 * fails; nothing is left behind).
 *
 * With hold=1 two pools stay alive after "done":
 *   zpool_test_stress  used by the concurrency test and emptied: every
 *                      counter of its sysfs directory must match the
 *                      "expect" line (pages, objects, stored_bytes 0;
 *                      evict and reclaim counters as this module saw them)
 *   zpool_test_live    HOLD_OBJECTS objects of known sizes, alive: its
 *                      counters must match its "expect" line; the script
 *                      may write its sysfs "writeback" file, which calls
 *                      this module's evict callback (content is checked
 *                      there and errors are counted)
 * rmmod zpool_test frees their objects, destroys both pools and prints
 *   zpool_test: exit errors=E
 *
 * Locking: zt_pools_lock (spinlock) guards the list of pools for the
 * evict callback's lookup.  struct zt_set.lock (mutex) guards the
 * records of one set's objects, and is taken by the evict callback, so
 * the test never holds it across zpool_shrink().  struct zt_stress.lock
 * (spinlock) guards the slots and the hash of live stress objects; it is
 * never held across a zpool call that may sleep (malloc, shrink).  The
 * zpool's own locks nest inside both (zpool_free() is called with them
 * held, as zswap calls it under its tree lock).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/zpool.h>

#include "zpool_api.h"

static char *type = "zpoolx_zbud";
module_param(type, charp, 0444);
MODULE_PARM_DESC(type, "zpool type to test");

static uint seed;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "random seed (0: pick one)");

static uint objects = 1000;
module_param(objects, uint, 0444);
MODULE_PARM_DESC(objects, "objects in the random-size test");

static uint stress_secs = 5;
module_param(stress_secs, uint, 0444);
MODULE_PARM_DESC(stress_secs, "seconds of the concurrency test (0: skip)");

static uint stress_slots = 128;
module_param(stress_slots, uint, 0444);
MODULE_PARM_DESC(stress_slots, "objects per stress thread");

static bool destroy_live = true;
module_param(destroy_live, bool, 0444);
MODULE_PARM_DESC(destroy_live, "test destroying a pool with live objects");

static bool hold;
module_param(hold, bool, 0444);
MODULE_PARM_DESC(hold, "keep two pools alive until rmmod for sysfs checks");

#define HOLD_OBJECTS	48
#define LEAK_OBJECTS	10
#define DRAIN_LIMIT	100000

/* zswap's gfp for zpapi.malloc() */
#define ZT_GFP_ZSWAP	(__GFP_NORETRY | __GFP_NOWARN | __GFP_KSWAPD_RECLAIM)

static int zt_num, zt_failed;
static size_t zt_max;
static struct rnd_state zt_rnd;

/* ---- reporting ---- */

static __printf(2, 3) void zt_report(bool pass, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	zt_num++;
	if (!pass)
		zt_failed++;
	pr_info("%s %d - %pV\n", pass ? "ok" : "not ok", zt_num, &vaf);
	va_end(args);
}

static void zt_skip(const char *desc, const char *why)
{
	zt_num++;
	pr_info("ok %d - %s # SKIP %s\n", zt_num, desc, why);
}

#define zt_diag(fmt, ...) pr_info("# " fmt "\n", ##__VA_ARGS__)

/* Is the type under test one of ours, with the stricter contract? */
static bool zt_ours(void)
{
	return !strncmp(type, "zpoolx_", 7);
}

static u32 zt_rand(void)
{
	return prandom_u32_state(&zt_rnd);
}

/* ---- object content: a stream of bytes determined by a seed ---- */

static u32 zt_step(u32 x)
{
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static u32 zt_start(u32 seed)
{
	return (seed ^ 0x9e3779b9) ?: 1;
}

static void zt_fill(u8 *dst, size_t len, u32 seed)
{
	u32 x = zt_start(seed);
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 3))
			x = zt_step(x);
		dst[i] = x >> ((i & 3) * 8);
	}
}

/* Returns -1 if @src holds the stream of @seed, else the first bad offset. */
static long zt_check(const u8 *src, size_t len, u32 seed)
{
	u32 x = zt_start(seed);
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 3))
			x = zt_step(x);
		if (src[i] != (u8)(x >> ((i & 3) * 8)))
			return i;
	}
	return -1;
}

static void zt_write(struct zpool *zp, unsigned long handle, size_t size,
		     u32 seed, enum zpool_mapmode mm)
{
	zt_fill(zpapi.map_handle(zp, handle, mm), size, seed);
	zpapi.unmap_handle(zp, handle);
}

static bool zt_verify(struct zpool *zp, unsigned long handle, size_t size,
		      u32 seed, enum zpool_mapmode mm)
{
	long bad = zt_check(zpapi.map_handle(zp, handle, mm), size, seed);

	zpapi.unmap_handle(zp, handle);
	return bad < 0;
}

/* ---- pools, and the evict callback they share ---- */

/**
 * struct zt_pool - a pool under test
 * @zpool:	the pool
 * @name:	its name, as given to zpapi.create_pool()
 * @evict:	what the evict callback does for this pool
 * @node:	entry in zt_pools
 * @evict_calls: evict callbacks received (zpoolx: evict_attempted)
 * @evict_ok:	those that returned 0 (zpoolx: evict_succeeded)
 * @evict_fail:	those that returned an error (zpoolx: evict_failed)
 * @reclaimed:	pages reported by zpool_shrink (zpoolx: reclaimed_pages)
 * @enomem:	zpapi.malloc() calls that returned -ENOMEM
 *		(zpoolx: alloc_failures)
 */
struct zt_pool {
	struct zpool *zpool;
	const char *name;
	unsigned int id;
	int (*evict)(struct zt_pool *tp, unsigned long handle);
	struct list_head node;
	atomic_long_t evict_calls;
	atomic_long_t evict_ok;
	atomic_long_t evict_fail;
	atomic_long_t reclaimed;
	atomic_long_t enomem;
};

static LIST_HEAD(zt_pools);
static DEFINE_SPINLOCK(zt_pools_lock);
static atomic_t zt_stray_evicts = ATOMIC_INIT(0);

static int zt_evict(struct zpool *zpool, unsigned long handle)
{
	struct zt_pool *tp, *found = NULL;
	int ret;

	/* zswap's evict sleeps: a backend must call it where it may. */
	might_sleep();
	spin_lock(&zt_pools_lock);
	list_for_each_entry(tp, &zt_pools, node) {
		if (tp->zpool == zpool) {
			found = tp;
			break;
		}
	}
	spin_unlock(&zt_pools_lock);
	/* A pool leaves zt_pools only after zpapi.destroy_pool(). */
	if (!found) {
		atomic_inc(&zt_stray_evicts);
		return -ENOENT;
	}
	atomic_long_inc(&found->evict_calls);
	ret = found->evict ? found->evict(found, handle) : -ENOENT;
	atomic_long_inc(ret ? &found->evict_fail : &found->evict_ok);
	return ret;
}

static const struct zpool_ops zt_ops = {
	.evict = zt_evict,
};

static unsigned int zt_pool_id(struct zt_pool *tp);

static bool zt_pool_open(struct zt_pool *tp, const char *name, bool evictable)
{
	tp->name = name;
	tp->zpool = zpapi.create_pool(type, name, GFP_KERNEL,
				      evictable ? &zt_ops : NULL);
	if (!tp->zpool)
		return false;
	tp->id = zt_pool_id(tp);
	spin_lock(&zt_pools_lock);
	list_add(&tp->node, &zt_pools);
	spin_unlock(&zt_pools_lock);
	return true;
}

static void zt_pool_close(struct zt_pool *tp)
{
	if (!tp->zpool)
		return;
	zpapi.destroy_pool(tp->zpool);
	spin_lock(&zt_pools_lock);
	list_del(&tp->node);
	spin_unlock(&zt_pools_lock);
	tp->zpool = NULL;
}

static int zt_malloc(struct zt_pool *tp, size_t size, gfp_t gfp,
		     unsigned long *handle)
{
	int ret = zpapi.malloc(tp->zpool, size, gfp, handle);

	if (ret == -ENOMEM)
		atomic_long_inc(&tp->enomem);
	return ret;
}

static int zt_shrink(struct zt_pool *tp, unsigned int pages,
		     unsigned int *reclaimed)
{
	unsigned int r = 0;
	int ret;

	ret = zpapi.shrink(tp->zpool, pages, &r);
	atomic_long_add(r, &tp->reclaimed);
	*reclaimed = r;
	return ret;
}

static long zt_pool_num(unsigned int id, const char *file, const char *key);

/*
 * Pages the pool's compaction freed so far (compact's total=): a
 * zpoolx_zsmalloc pool compacts a class by itself once its free slots
 * add up to two pages, evictions included; 0 for other pools.
 */
static long zt_compacted(struct zt_pool *tp)
{
	long v = tp->id ? zt_pool_num(tp->id, "compact", "total=") : 0;

	return v > 0 ? v : 0;
}

/*
 * The bytes of the pool's pages: its total size less its metadata_bytes
 * (a zpoolx pool counts its metadata in its total size; the kernel's
 * pools count none), so that an empty pool is 0.
 */
static u64 zt_size(struct zt_pool *tp)
{
	u64 total = zpapi.get_total_size(tp->zpool);
	long meta = tp->id ? zt_pool_num(tp->id, "metadata_bytes", NULL) : 0;

	return meta > 0 && meta <= total ? total - meta : total;
}

/* The line the guest script compares with the pool's sysfs counters. */
static void zt_expect(struct zt_pool *tp, long objs, long bytes)
{
	pr_info("expect pool=%s pages=%llu objects=%ld stored_bytes=%ld alloc_failures=%ld evict_attempted=%ld evict_succeeded=%ld evict_failed=%ld reclaimed_pages=%ld\n",
		tp->name, zt_size(tp) >> PAGE_SHIFT, objs, bytes,
		atomic_long_read(&tp->enomem),
		atomic_long_read(&tp->evict_calls),
		atomic_long_read(&tp->evict_ok),
		atomic_long_read(&tp->evict_fail),
		atomic_long_read(&tp->reclaimed));
}

/* ---- the pool's sysfs directory, for backend controls and counters ---- */

#define ZT_POOLS_DIR	"/sys/kernel/zpoolx/pools"
#define ZT_MAX_POOL_ID	1000

/* Read up to @len - 1 bytes of @path into @buf; bytes read or -errno. */
static ssize_t zt_read_path(const char *path, char *buf, size_t len)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, len - 1, &pos);
	filp_close(f, NULL);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* Write @val to @path; 0 or -errno. */
static int zt_write_path(const char *path, const char *val)
{
	struct file *f = filp_open(path, O_WRONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, val, strlen(val), &pos);
	filp_close(f, NULL);
	return n < 0 ? n : 0;
}

/* The id of the live zpoolx pool called like @tp, 0 if none. */
static unsigned int zt_pool_id(struct zt_pool *tp)
{
	char path[80], name[64];
	unsigned int id, found = 0;

	if (!zt_ours())
		return 0;
	for (id = 1; id <= ZT_MAX_POOL_ID; id++) {
		snprintf(path, sizeof(path), ZT_POOLS_DIR "/%u/name", id);
		if (zt_read_path(path, name, sizeof(name)) <= 0)
			continue;
		if (!strcmp(strim(name), tp->name))
			found = id;
	}
	return found;
}

static void zt_pool_path(char *path, size_t len, unsigned int id,
			 const char *file)
{
	snprintf(path, len, ZT_POOLS_DIR "/%u/%s", id, file);
}

/* Does the pool's directory have @file? */
static bool zt_pool_has(unsigned int id, const char *file)
{
	char path[96], buf[64];

	zt_pool_path(path, sizeof(path), id, file);
	return id && zt_read_path(path, buf, sizeof(buf)) >= 0;
}

/* The number at the start of the pool's @file (after "@key=" if given). */
static long zt_pool_num(unsigned int id, const char *file, const char *key)
{
	char path[96], buf[128], *p = buf;
	long v;

	zt_pool_path(path, sizeof(path), id, file);
	if (zt_read_path(path, buf, sizeof(buf)) <= 0)
		return -1;
	if (key) {
		p = strstr(buf, key);
		if (!p)
			return -1;
		p += strlen(key);
	}
	p[strspn(p, "0123456789")] = 0;
	if (kstrtol(p, 10, &v))
		return -1;
	return v;
}

static int zt_pool_write(unsigned int id, const char *file, const char *val)
{
	char path[96];

	zt_pool_path(path, sizeof(path), id, file);
	return zt_write_path(path, val);
}

/* ---- sets of objects with their records, for single-threaded tests ---- */

enum zt_state {
	ZT_UNUSED,
	ZT_LIVE,
	ZT_FREED,
};

/**
 * struct zt_obj - what the test knows about one object
 * @handle:	its handle while live
 * @size:	the size given to malloc
 * @seed:	the seed of its content
 * @state:	enum zt_state
 * @refuse:	the evict callback refuses it with -EAGAIN
 * @partner:	with zt_set.free_partner, the object the evict callback
 *		frees before this one (-1: none)
 * @evicted:	successful evictions (must never exceed 1)
 * @refused:	evictions refused
 * @by_partner:	freed by the evict callback of its partner
 */
struct zt_obj {
	unsigned long handle;
	size_t size;
	u32 seed;
	u8 state;
	bool refuse;
	bool by_partner;
	int partner;
	unsigned int evicted;
	unsigned int refused;
};

/**
 * struct zt_set - a pool and the objects a test keeps in it
 * @tp:		the pool
 * @lock:	guards @objs and @bad against the evict callback
 * @objs:	the records
 * @n:		number of records
 * @free_partner: the evict callback frees the object's partner first
 * @bad:	errors seen by the evict callback
 */
struct zt_set {
	struct zt_pool tp;
	struct mutex lock;
	struct zt_obj *objs;
	unsigned int n;
	bool free_partner;
	unsigned int bad;
};

static struct zt_obj *zt_set_find(struct zt_set *set, unsigned long handle)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		if (set->objs[i].state == ZT_LIVE &&
		    set->objs[i].handle == handle)
			return &set->objs[i];
	return NULL;
}

static void zt_set_error(struct zt_set *set, const char *what,
			 const struct zt_obj *o)
{
	set->bad++;
	if (set->bad <= 5)
		zt_diag("%s: %s (object %ld, size %zu)", set->tp.name, what,
			o ? (long)(o - set->objs) : -1L, o ? o->size : 0);
}

static int zt_set_evict(struct zt_pool *tp, unsigned long handle)
{
	struct zt_set *set = container_of(tp, struct zt_set, tp);
	struct zt_obj *o, *p;
	int ret = 0;

	mutex_lock(&set->lock);
	o = zt_set_find(set, handle);
	if (!o) {
		zt_set_error(set, "evict of a handle that is not live", NULL);
		ret = -ENOENT;
		goto out;
	}
	if (!zt_verify(tp->zpool, handle, o->size, o->seed, ZPOOL_MM_RO))
		zt_set_error(set, "object corrupt at evict time", o);
	if (o->refuse) {
		o->refused++;
		ret = -EAGAIN;
		goto out;
	}
	if (set->free_partner && o->partner >= 0) {
		p = &set->objs[o->partner];
		if (p->state == ZT_LIVE) {
			zpapi.free(tp->zpool, p->handle);
			p->state = ZT_FREED;
			p->by_partner = true;
		}
	}
	zpapi.free(tp->zpool, handle);
	o->state = ZT_FREED;
	o->evicted++;
out:
	mutex_unlock(&set->lock);
	return ret;
}

static struct zt_set *zt_set_new(const char *name, unsigned int n,
				 bool evictable)
{
	struct zt_set *set;
	unsigned int i;

	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set)
		return NULL;
	set->objs = kvcalloc(n, sizeof(*set->objs), GFP_KERNEL);
	if (!set->objs) {
		kfree(set);
		return NULL;
	}
	for (i = 0; i < n; i++)
		set->objs[i].partner = -1;
	set->n = n;
	mutex_init(&set->lock);
	set->tp.evict = zt_set_evict;
	if (!zt_pool_open(&set->tp, name, evictable)) {
		kvfree(set->objs);
		kfree(set);
		return NULL;
	}
	return set;
}

/* Allocate object @i with random content; 0 or zpool_malloc's error. */
static int zt_set_alloc(struct zt_set *set, unsigned int i, size_t size,
			gfp_t gfp)
{
	struct zt_obj *o = &set->objs[i];
	unsigned long handle;
	int ret;

	ret = zt_malloc(&set->tp, size, gfp, &handle);
	if (ret)
		return ret;
	mutex_lock(&set->lock);
	if (zt_set_find(set, handle))
		zt_set_error(set, "malloc returned a live handle", o);
	*o = (struct zt_obj){
		.handle = handle,
		.size = size,
		.seed = zt_rand(),
		.state = ZT_LIVE,
		.partner = o->partner,
	};
	zt_write(set->tp.zpool, handle, size, o->seed, ZPOOL_MM_WO);
	mutex_unlock(&set->lock);
	return 0;
}

static void zt_set_free(struct zt_set *set, unsigned int i)
{
	struct zt_obj *o = &set->objs[i];

	mutex_lock(&set->lock);
	if (o->state == ZT_LIVE) {
		zpapi.free(set->tp.zpool, o->handle);
		o->state = ZT_FREED;
	}
	mutex_unlock(&set->lock);
}

static void zt_set_free_all(struct zt_set *set)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		zt_set_free(set, i);
}

/* Live objects whose content is wrong. */
static unsigned int zt_set_verify(struct zt_set *set, enum zpool_mapmode mm)
{
	unsigned int i, bad = 0;
	struct zt_obj *o;

	mutex_lock(&set->lock);
	for (i = 0; i < set->n; i++) {
		o = &set->objs[i];
		if (o->state == ZT_LIVE &&
		    !zt_verify(set->tp.zpool, o->handle, o->size, o->seed, mm)) {
			if (!bad)
				zt_diag("%s: object %u (size %zu) corrupt",
					set->tp.name, i, o->size);
			bad++;
		}
	}
	mutex_unlock(&set->lock);
	return bad;
}

static unsigned int zt_set_count(struct zt_set *set, enum zt_state state)
{
	unsigned int i, n = 0;

	mutex_lock(&set->lock);
	for (i = 0; i < set->n; i++)
		n += set->objs[i].state == state;
	mutex_unlock(&set->lock);
	return n;
}

static void zt_set_destroy(struct zt_set *set)
{
	if (!set)
		return;
	zt_set_free_all(set);
	zt_pool_close(&set->tp);
	kvfree(set->objs);
	kfree(set);
}

/* A random size in [lo, hi], both at least 1. */
static size_t zt_size_between(size_t lo, size_t hi)
{
	return lo + zt_rand() % (hi - lo + 1);
}

/* Fill objects [0, n) with random sizes in [lo, hi]; returns failures. */
static unsigned int zt_set_fill(struct zt_set *set, unsigned int n,
				size_t lo, size_t hi)
{
	unsigned int i, fails = 0;

	for (i = 0; i < n; i++)
		if (zt_set_alloc(set, i, zt_size_between(lo, hi), GFP_KERNEL))
			fails++;
	return fails;
}

/* ---- draining a pool with zpool_shrink ---- */

struct zt_drain {
	unsigned long reclaimed;
	unsigned long calls;
	unsigned long bad_ret;
	int last_ret;
	unsigned int last_reclaimed;
};

/*
 * Shrink @per_call pages at a time until the pool is empty or
 * @max_fails calls in a row reclaimed nothing.
 */
static void zt_drain(struct zt_pool *tp, unsigned int per_call,
		     unsigned int max_fails, struct zt_drain *d)
{
	unsigned int fails = 0, r;
	int ret;

	memset(d, 0, sizeof(*d));
	while (zt_size(tp) && fails < max_fails && d->calls < DRAIN_LIMIT) {
		ret = zt_shrink(tp, per_call, &r);
		d->calls++;
		d->reclaimed += r;
		d->last_ret = ret;
		d->last_reclaimed = r;
		if ((ret == 0) != (r > 0))
			d->bad_ret++;
		fails = r ? 0 : fails + 1;
		cond_resched();
	}
}

static void zt_check_returns(const struct zt_drain *d, const char *test)
{
	if (zt_ours())
		zt_report(!d->bad_ret,
			  "%s: shrink returned 0 exactly when it reclaimed pages (%lu calls)",
			  test, d->calls);
	else if (d->bad_ret)
		zt_diag("%s: %lu shrink calls returned 0 without reclaiming or an error after reclaiming",
			test, d->bad_ret);
}

/* ---- the tests ---- */

static bool zt_fits(struct zpool *zp, size_t size)
{
	unsigned long handle;

	if (zpapi.malloc(zp, size, GFP_KERNEL | __GFP_NOWARN, &handle))
		return false;
	zpapi.free(zp, handle);
	return true;
}

static void test_sizes(struct zt_set *set)
{
	struct zpool *zp = set->tp.zpool;
	size_t lo = 0, hi = 2 * PAGE_SIZE;
	static const size_t huge[] = { 2 * PAGE_SIZE, 1UL << 30, SIZE_MAX };
	unsigned long handle;
	bool refused = true;
	unsigned int i;
	int ret;

	ret = zpapi.malloc(zp, 0, GFP_KERNEL, &handle);
	if (!ret)
		zpapi.free(zp, handle);
	zt_report(ret != 0, "malloc of size 0 is refused (%d)", ret);

	/* The largest accepted size: lo fits (or is 0), hi does not. */
	if (zt_fits(zp, hi))
		lo = hi;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (zt_fits(zp, mid))
			lo = mid;
		else
			hi = mid;
	}
	zt_max = lo;
	zt_report(zt_max >= 1 && zt_max <= PAGE_SIZE,
		  "largest object accepted is %zu bytes (1..%lu)", zt_max,
		  PAGE_SIZE);
	if (!zt_max)
		zt_max = 1;

	ret = zpapi.malloc(zp, zt_max + 1, GFP_KERNEL | __GFP_NOWARN, &handle);
	if (!ret)
		zpapi.free(zp, handle);
	if (zt_ours())
		zt_report(ret == -ENOSPC,
			  "malloc of max + 1 = %zu bytes fails with -ENOSPC (%d)",
			  zt_max + 1, ret);
	else
		zt_report(ret != 0, "malloc of max + 1 = %zu bytes fails (%d)",
			  zt_max + 1, ret);

	for (i = 0; i < ARRAY_SIZE(huge); i++) {
		ret = zpapi.malloc(zp, huge[i], GFP_KERNEL | __GFP_NOWARN,
				   &handle);
		if (!ret) {
			zpapi.free(zp, handle);
			refused = false;
			zt_diag("malloc of %zu bytes succeeded", huge[i]);
		}
	}
	zt_report(refused, "malloc of 2 pages, 1 GiB and SIZE_MAX bytes fails");
	zt_report(zt_size(&set->tp) == 0, "total size is 0 after the size probes");
}

static void test_random(struct zt_set *set)
{
	unsigned int i, n = set->n, fails, dup;
	u64 bytes = 0, total;

	fails = zt_set_fill(set, n, 1, zt_max);
	dup = set->bad;
	zt_report(!fails && !dup,
		  "%u objects of random sizes 1..%zu allocated, no handle twice (%u failed)",
		  n, zt_max, fails);
	for (i = 0; i < n; i++)
		if (set->objs[i].state == ZT_LIVE)
			bytes += set->objs[i].size;
	total = zt_size(&set->tp);
	zt_diag("random: %llu bytes in objects, pool total size %llu",
		bytes, total);
	zt_report(total >= bytes && total > 0,
		  "pool total size %llu >= the %llu bytes stored", total, bytes);
	if (set->tp.id) {
		u64 all = zpapi.get_total_size(set->tp.zpool);
		long pages = zt_pool_num(set->tp.id, "pages", NULL);
		long meta = zt_pool_num(set->tp.id, "metadata_bytes", NULL);
		long pbytes = zt_pool_num(set->tp.id, "pool_bytes", NULL);

		zt_diag("random: %ld pages, %ld bytes of metadata (%ld per object)",
			pages, meta, meta / (long)n);
		zt_report(pages > 0 && meta > 0 &&
			  all == ((u64)pages << PAGE_SHIFT) + meta &&
			  pbytes == all,
			  "total size %llu and pool_bytes %ld are the %ld pages plus metadata_bytes %ld",
			  all, pbytes, pages, meta);
	}
	zt_report(!zt_set_verify(set, ZPOOL_MM_RO),
		  "every random object reads back intact");

	/* Free a random half, verify the rest, refill, verify all. */
	for (i = 0; i < n; i++)
		if (zt_rand() & 1)
			zt_set_free(set, i);
	zt_report(!zt_set_verify(set, ZPOOL_MM_RO),
		  "after freeing a random half, the other objects are intact");
	fails = 0;
	for (i = 0; i < n; i++)
		if (set->objs[i].state != ZT_LIVE &&
		    zt_set_alloc(set, i, zt_size_between(1, zt_max),
				 GFP_KERNEL))
			fails++;
	zt_report(!fails && set->bad == dup &&
		  !zt_set_verify(set, ZPOOL_MM_RW),
		  "after refilling the freed half, every object is intact");
	zt_set_free_all(set);
	zt_report(zt_size(&set->tp) == 0,
		  "total size is 0 after freeing every object");
}

static void test_map_modes(struct zt_set *set)
{
	struct zpool *zp = set->tp.zpool;
	size_t sizes[16] = { 1, 2, 17, 64, 100, 511, 1000 };
	unsigned int i, n = ARRAY_SIZE(sizes), bad = 0, fails = 0;
	struct zt_obj *o;
	u8 *p;

	sizes[7] = zt_max / 2;
	sizes[8] = zt_max - 1 ?: 1;
	sizes[9] = zt_max;
	for (i = 10; i < n; i++)
		sizes[i] = zt_size_between(1, zt_max);
	for (i = 0; i < n; i++) {
		sizes[i] = clamp_t(size_t, sizes[i], 1, zt_max);
		if (zt_set_alloc(set, i, sizes[i], GFP_KERNEL))
			fails++;
	}
	/* zt_set_alloc wrote each one through a WO mapping. */
	for (i = 0; i < n; i++) {
		o = &set->objs[i];
		if (o->state != ZT_LIVE)
			continue;
		/* RO reads what WO wrote. */
		if (!zt_verify(zp, o->handle, o->size, o->seed, ZPOOL_MM_RO))
			bad++;
		/* RW reads it too, and what it writes stays. */
		p = zpapi.map_handle(zp, o->handle, ZPOOL_MM_RW);
		if (zt_check(p, o->size, o->seed) >= 0)
			bad++;
		o->seed = zt_rand();
		zt_fill(p, o->size, o->seed);
		zpapi.unmap_handle(zp, o->handle);
		if (!zt_verify(zp, o->handle, o->size, o->seed, ZPOOL_MM_RO))
			bad++;
		/* WO again, then RW reads it back. */
		o->seed = zt_rand();
		zt_write(zp, o->handle, o->size, o->seed, ZPOOL_MM_WO);
		if (!zt_verify(zp, o->handle, o->size, o->seed, ZPOOL_MM_RW))
			bad++;
	}
	/* Nothing written through one mapping spilled into another object. */
	bad += zt_set_verify(set, ZPOOL_MM_RO);
	zt_report(!fails && !bad,
		  "map modes WO, RO, RW round-trip on %u objects of 1..%zu bytes (%u bad)",
		  n, zt_max, bad);
	zt_set_free_all(set);
	zt_report(zt_size(&set->tp) == 0, "total size is 0 after the map test");
}

static void test_gfp(struct zt_set *set)
{
	static DEFINE_SPINLOCK(held);
	struct zt_pool *tp = &set->tp;
	unsigned int i, ok = 0, nomem = 0, other = 0, bad = 0;
	unsigned long handle;
	u32 sd;
	int ret;

	for (i = 0; i < 256; i++) {
		size_t size = zt_size_between(1, zt_max);

		ret = zt_malloc(tp, size, GFP_NOWAIT | __GFP_NOWARN, &handle);
		if (ret == -ENOMEM) {
			nomem++;
			continue;
		}
		if (ret) {
			other++;
			continue;
		}
		ok++;
		sd = zt_rand();
		zt_write(tp->zpool, handle, size, sd, ZPOOL_MM_WO);
		if (!zt_verify(tp->zpool, handle, size, sd, ZPOOL_MM_RO))
			bad++;
		zpapi.free(tp->zpool, handle);
	}
	zt_report(!other && !bad,
		  "GFP_NOWAIT: %u allocations worked, %u failed with -ENOMEM, %u otherwise",
		  ok, nomem, other);

	/* Under a spinlock: an allocator that sleeps here is caught by
	 * might_sleep() on the debug kernel.
	 */
	ok = nomem = other = 0;
	for (i = 0; i < 64; i++) {
		size_t size = zt_size_between(1, zt_max);

		spin_lock(&held);
		ret = zt_malloc(tp, size, GFP_ATOMIC | __GFP_NOWARN, &handle);
		spin_unlock(&held);
		if (ret == -ENOMEM) {
			nomem++;
		} else if (ret) {
			other++;
		} else {
			ok++;
			sd = zt_rand();
			zt_write(tp->zpool, handle, size, sd, ZPOOL_MM_WO);
			if (!zt_verify(tp->zpool, handle, size, sd,
				       ZPOOL_MM_RO))
				bad++;
			spin_lock(&held);
			zpapi.free(tp->zpool, handle);
			spin_unlock(&held);
		}
	}
	zt_report(!other && !bad,
		  "GFP_ATOMIC under a spinlock: %u worked, %u -ENOMEM, %u otherwise",
		  ok, nomem, other);

	ok = nomem = other = 0;
	for (i = 0; i < 64; i++) {
		size_t size = zt_size_between(1, zt_max);

		ret = zt_malloc(tp, size, ZT_GFP_ZSWAP, &handle);
		if (ret == -ENOMEM) {
			nomem++;
		} else if (ret) {
			other++;
		} else {
			ok++;
			zpapi.free(tp->zpool, handle);
		}
	}
	zt_report(!other, "zswap's gfp: %u worked, %u -ENOMEM, %u otherwise",
		  ok, nomem, other);
	zt_report(zt_size(tp) == 0, "total size is 0 after the gfp test");
}

/*
 * Objects of a size that does not divide the page, enough of them to fill
 * several multi-page zspages (zsmalloc) or pages (zbud): some of them cross
 * a page boundary.  Each goes through every map mode, and no write spills
 * into a neighbour.
 */
static void test_cross(struct zt_set *set)
{
	static const size_t sizes[] = {
		48, 112, 208, 400, 1000, 1360, 2448, 3000, 3264, 3600,
	};
	struct zpool *zp = set->tp.zpool;
	unsigned int s, i, n, bad = 0, fails = 0, total = 0;
	struct zt_obj *o;
	size_t size;
	u8 *p;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		size = min(sizes[s], zt_max);
		n = min_t(size_t, set->n, 2 * 16 * PAGE_SIZE / size + 1);
		for (i = 0; i < n; i++)
			if (zt_set_alloc(set, i, size, GFP_KERNEL))
				fails++;
		for (i = 0; i < n; i++) {
			o = &set->objs[i];
			if (o->state != ZT_LIVE)
				continue;
			total++;
			if (!zt_verify(zp, o->handle, o->size, o->seed,
				       ZPOOL_MM_RO))
				bad++;
			p = zpapi.map_handle(zp, o->handle, ZPOOL_MM_RW);
			if (zt_check(p, o->size, o->seed) >= 0)
				bad++;
			o->seed = zt_rand();
			zt_fill(p, o->size, o->seed);
			zpapi.unmap_handle(zp, o->handle);
			if (!zt_verify(zp, o->handle, o->size, o->seed,
				       ZPOOL_MM_RW))
				bad++;
			o->seed = zt_rand();
			zt_write(zp, o->handle, o->size, o->seed, ZPOOL_MM_WO);
		}
		bad += zt_set_verify(set, ZPOOL_MM_RO);
		zt_set_free_all(set);
	}
	zt_report(!fails && !bad,
		  "page-crossing sizes: %u objects of %u sizes round-trip through WO, RO, RW (%u bad, %u failed)",
		  total, (unsigned int)ARRAY_SIZE(sizes), bad, fails);
	zt_report(zt_size(&set->tp) == 0,
		  "total size is 0 after the page-crossing test");
}

/*
 * zpoolx_zsmalloc: a zspage gets its pages as its slots first need them.
 * One object of 1200 bytes (a class of 10-page zspages at the default
 * max_zspage_pages) takes one page; sixteen take the pages they fill
 * (their class size is at most 1/32 above 1200), not two whole chains;
 * freed slots are reused before a page is added.
 */
static void test_lazy(struct zt_set *set)
{
	const size_t size = 1200;
	unsigned int i, n = min(16U, set->n), fails = 0;
	u64 size0 = zt_size(&set->tp), one, all, again;
	/* objects may cross pages, except in one-page zspages */
	u64 most = max(DIV_ROUND_UP(n * (size + size / 32), PAGE_SIZE),
		       DIV_ROUND_UP(n, PAGE_SIZE / (size + size / 32)));

	if (strcmp(type, "zpoolx_zsmalloc")) {
		zt_skip("lazily populated zspages", "not zpoolx_zsmalloc");
		return;
	}
	if (zt_set_alloc(set, 0, size, GFP_KERNEL))
		fails++;
	one = (zt_size(&set->tp) - size0) >> PAGE_SHIFT;
	for (i = 1; i < n; i++)
		if (zt_set_alloc(set, i, size, GFP_KERNEL))
			fails++;
	all = (zt_size(&set->tp) - size0) >> PAGE_SHIFT;
	for (i = 0; i < n; i += 2)
		zt_set_free(set, i);
	for (i = 0; i < n; i += 2)
		if (zt_set_alloc(set, i, size, GFP_KERNEL))
			fails++;
	again = (zt_size(&set->tp) - size0) >> PAGE_SHIFT;
	zt_report(!fails && one == 1 && all <= most && again == all,
		  "lazy zspages: 1 object of %zu bytes takes %llu page, %u take %llu (at most %llu), %u freed and allocated again %llu (%u failed)",
		  size, one, n, all, most, n / 2, again, fails);
	zt_report(!zt_set_verify(set, ZPOOL_MM_RO),
		  "lazy zspages: every object reads back intact");
	zt_set_free_all(set);
	zt_report(zt_size(&set->tp) == 0,
		  "total size is 0 after the lazy-zspage test");
}

/* zpoolx_zsmalloc: objects too big for a shared zspage take a page each. */
static void test_huge(struct zt_set *set)
{
	static const size_t sizes[] = { PAGE_SIZE, PAGE_SIZE - 16,
					PAGE_SIZE - 200, PAGE_SIZE - 300 };
	unsigned int i, n = 4 * ARRAY_SIZE(sizes), fails = 0;
	u64 size0 = zt_size(&set->tp), grown;

	if (strcmp(type, "zpoolx_zsmalloc")) {
		zt_skip("huge class: one page per object", "not zpoolx_zsmalloc");
		return;
	}
	for (i = 0; i < n; i++)
		if (zt_set_alloc(set, i, sizes[i % ARRAY_SIZE(sizes)],
				 GFP_KERNEL | __GFP_HIGHMEM))
			fails++;
	grown = zt_size(&set->tp) - size0;
	zt_report(!fails && grown == (u64)n << PAGE_SHIFT,
		  "huge class: %u objects of %lu..%lu bytes take %llu pages (%u failed)",
		  n, PAGE_SIZE - 300, PAGE_SIZE, grown >> PAGE_SHIFT, fails);
	zt_report(!zt_set_verify(set, ZPOOL_MM_RO) &&
		  !zt_set_verify(set, ZPOOL_MM_RW),
		  "huge class: every object reads back intact");
	zt_set_free_all(set);
	zt_report(zt_size(&set->tp) == 0,
		  "total size is 0 after the huge-class test");
}

/*
 * Pool compaction while objects are live: free a random half, compact
 * through the pool's sysfs "compact" file, check every object left, then
 * refill and check again.
 */
static void test_compaction(void)
{
	const char *t = "compaction";
	unsigned int i, n = 3000, id, fails, bad;
	long last, total0, total1;
	struct zt_set *set;
	u64 size0, size1;
	int ret;

	set = zt_set_new("zpool_test_compact", n, false);
	if (!set) {
		zt_report(false, "%s: create pool", t);
		return;
	}
	id = zt_pool_id(&set->tp);
	if (!zt_pool_has(id, "compact")) {
		zt_skip("compaction with live objects", "the pool has no compact file");
		zt_set_destroy(set);
		return;
	}
	fails = zt_set_fill(set, n, 1, zt_max);
	for (i = 0; i < n; i++)
		if (zt_rand() & 1)
			zt_set_free(set, i);
	size0 = zt_size(&set->tp);
	total0 = zt_pool_num(id, "compact", "total=");
	ret = zt_pool_write(id, "compact", "1");
	size1 = zt_size(&set->tp);
	last = zt_pool_num(id, "compact", "last=");
	total1 = zt_pool_num(id, "compact", "total=");
	zt_diag("%s: %u live objects, pool %llu -> %llu pages, compact last=%ld total %ld -> %ld",
		t, zt_set_count(set, ZT_LIVE), size0 >> PAGE_SHIFT,
		size1 >> PAGE_SHIFT, last, total0, total1);
	zt_report(!fails && !ret && last > 0 && size1 < size0 &&
		  total1 - total0 >= last,
		  "%s: writing 1 to compact freed %ld pages of a half-empty pool (%d)",
		  t, last, ret);
	bad = zt_set_verify(set, ZPOOL_MM_RO);
	bad += zt_set_verify(set, ZPOOL_MM_RW);
	zt_report(!bad, "%s: every object left is intact after compaction (%u bad)",
		  t, bad);
	zt_report(zt_pool_write(id, "compact", "0") == -EINVAL &&
		  zt_pool_write(id, "compact", "2") == -EINVAL &&
		  zt_pool_write(id, "compact", "yes") == -EINVAL,
		  "%s: writing 0, 2 or yes to compact is refused with -EINVAL", t);
	fails = 0;
	for (i = 0; i < n; i++)
		if (set->objs[i].state != ZT_LIVE &&
		    zt_set_alloc(set, i, zt_size_between(1, zt_max), GFP_KERNEL))
			fails++;
	ret = zt_pool_write(id, "compact", "1");
	zt_report(!fails && !ret && !zt_set_verify(set, ZPOOL_MM_RO),
		  "%s: refilled and compacted again, every object intact", t);
	zt_set_destroy(set);
}

/*
 * Page migration by the kernel's compaction (/proc/sys/vm/compact_memory)
 * while objects are live; every object is checked afterwards.
 */
static void test_migration(void)
{
	const char *t = "migration";
	unsigned int i, n = 4000, id, fails, bad, round;
	long migrated = 0, isolated, failures, putback, movable;
	struct zt_set *set;
	int ret = 0;

	set = zt_set_new("zpool_test_migrate", n, false);
	if (!set) {
		zt_report(false, "%s: create pool", t);
		return;
	}
	id = zt_pool_id(&set->tp);
	if (!zt_pool_has(id, "pages_migrated")) {
		zt_skip("page migration with live objects", "the pool has no pages_migrated file");
		zt_set_destroy(set);
		return;
	}
	movable = zt_pool_num(id, "movable", NULL);
	fails = 0;
	for (i = 0; i < n; i++)
		if (zt_set_alloc(set, i, zt_size_between(1, zt_max),
				 GFP_KERNEL | __GFP_HIGHMEM | __GFP_MOVABLE))
			fails++;
	/* Free a third, so that the pages hold holes too. */
	for (i = 0; i < n; i++)
		if (!(zt_rand() % 3))
			zt_set_free(set, i);
	for (round = 0; round < 4 && !ret;) {
		ret = zt_write_path("/proc/sys/vm/compact_memory", "1");
		round++;
		migrated = zt_pool_num(id, "pages_migrated", NULL);
		if (movable == 1 && migrated > 0)
			break;
	}
	isolated = zt_pool_num(id, "pages_isolated", NULL);
	failures = zt_pool_num(id, "migrate_failures", NULL);
	putback = zt_pool_num(id, "pages_putback", NULL);
	zt_diag("%s: movable=%ld pages=%llu isolated=%ld migrated=%ld failures=%ld putback=%ld after %u compact_memory writes",
		t, movable, zt_size(&set->tp) >> PAGE_SHIFT, isolated,
		migrated, failures, putback, round);
	/* kcompactd may hold a page isolated now: at most, not exactly. */
	zt_report(!fails && !ret && migrated >= 0 && putback >= 0 &&
		  migrated + putback <= isolated,
		  "%s: compact_memory ran; pages migrated and put back (%ld + %ld) within those isolated (%ld)",
		  t, migrated, putback, isolated);
	if (movable != 1)
		zt_report(migrated == 0 && isolated == 0,
			  "%s: pool not movable: compact_memory moved none of its pages",
			  t);
	else if (migrated > 0)
		zt_report(true, "%s: compact_memory migrated %ld pool pages",
			  t, migrated);
	else
		zt_skip("migration: compact_memory migrated pool pages",
			"the kernel's compaction did not reach them in this boot");
	bad = zt_set_verify(set, ZPOOL_MM_RO);
	bad += zt_set_verify(set, ZPOOL_MM_RW);
	zt_report(!bad, "%s: every object is intact after migration (%u bad)",
		  t, bad);
	zt_set_destroy(set);
}

static void test_shrink(void)
{
	const char *t = "shrink";
	struct zt_drain d;
	struct zt_set *set;
	unsigned int i, r, once = 0, n = 256;
	long compacted;
	u64 size0;
	int ret;

	set = zt_set_new("zpool_test_shrink", n, true);
	if (!set) {
		zt_report(false, "%s: create pool", t);
		return;
	}
	ret = zt_shrink(&set->tp, 1, &r);
	zt_report(ret != 0 && r == 0,
		  "%s: shrink of an empty pool fails and reclaims nothing (%d, %u)",
		  t, ret, r);

	zt_report(!zt_set_fill(set, n, 1, zt_max), "%s: %u objects allocated",
		  t, n);
	size0 = zt_size(&set->tp);
	compacted = zt_compacted(&set->tp);
	zt_drain(&set->tp, 4, 4, &d);
	compacted = zt_compacted(&set->tp) - compacted;
	zt_report(zt_size(&set->tp) == 0,
		  "%s: the pool drained to 0 bytes in %lu calls (last ret %d)",
		  t, d.calls, d.last_ret);
	for (i = 0; i < n; i++)
		once += set->objs[i].state == ZT_FREED &&
			set->objs[i].evicted == 1;
	zt_report(once == n && !set->bad,
		  "%s: every object evicted exactly once, intact at evict time (%u of %u, %u errors)",
		  t, once, n, set->bad);
	zt_report((d.reclaimed + compacted) << PAGE_SHIFT == size0,
		  "%s: reclaimed pages (%lu) and those compacted meanwhile (%ld) add up to the pool's size (%llu bytes)",
		  t, d.reclaimed, compacted, size0);
	zt_check_returns(&d, t);
	zt_set_destroy(set);
}

static void test_evict_failure(void)
{
	const char *t = "evict failure";
	unsigned int i, n = 96, bad = 0, refused = 0, live;
	unsigned long reclaimed;
	struct zt_drain d;
	struct zt_set *set;
	struct zt_obj *o;
	long compacted;
	u64 size0;

	set = zt_set_new("zpool_test_evfail", n, true);
	if (!set) {
		zt_report(false, "%s: create pool", t);
		return;
	}
	zt_report(!zt_set_fill(set, n, 1, zt_max), "%s: %u objects allocated",
		  t, n);
	size0 = zt_size(&set->tp);
	compacted = zt_compacted(&set->tp);
	for (i = 0; i < n; i += 3)
		set->objs[i].refuse = true;

	/* Phase 1: every third object refuses to go. */
	zt_drain(&set->tp, 1, 3, &d);
	reclaimed = d.reclaimed;
	for (i = 0; i < n; i++) {
		o = &set->objs[i];
		if (o->refuse) {
			if (o->state != ZT_LIVE || o->evicted)
				bad++;
			refused += o->refused;
		} else if (o->state == ZT_FREED && o->evicted != 1) {
			bad++;
		}
	}
	live = zt_set_count(set, ZT_LIVE);
	zt_report(!bad && refused > 0 && !set->bad,
		  "%s: refused objects stay, the others were evicted at most once (%u refusals, %u live)",
		  t, refused, live);
	zt_report(!zt_set_verify(set, ZPOOL_MM_RO),
		  "%s: every object left is intact after failed evictions", t);
	zt_report(zt_size(&set->tp) > 0 && d.last_ret != 0 &&
		  d.last_reclaimed == 0,
		  "%s: with only refused objects left, shrink fails (%d) and reclaims nothing",
		  t, d.last_ret);
	zt_check_returns(&d, t);

	/* Phase 2: the same pages can be reclaimed once evict agrees. */
	mutex_lock(&set->lock);
	for (i = 0; i < n; i++)
		set->objs[i].refuse = false;
	mutex_unlock(&set->lock);
	zt_drain(&set->tp, 1, 3, &d);
	reclaimed += d.reclaimed;
	bad = 0;
	for (i = 0; i < n; i++)
		if (set->objs[i].state != ZT_FREED ||
		    set->objs[i].evicted != 1)
			bad++;
	zt_report(!bad && !set->bad && zt_size(&set->tp) == 0,
		  "%s: once evict agrees, later shrinks evict every object left exactly once (%u wrong)",
		  t, bad);
	compacted = zt_compacted(&set->tp) - compacted;
	zt_report((reclaimed + compacted) << PAGE_SHIFT == size0,
		  "%s: reclaimed pages (%lu) and those compacted meanwhile (%ld) add up to the pool's size (%llu bytes)",
		  t, reclaimed, compacted, size0);
	zt_set_destroy(set);
}

/*
 * The evict callback of one object frees the other object of its pair
 * first (with zbud: the other buddy of the page under reclaim), the way
 * a concurrent zswap invalidation would.  That object must never be
 * evicted afterwards, nor freed twice, nor lost.
 */
static void test_free_during_reclaim(void)
{
	const char *t = "free during reclaim";
	unsigned int i, n = 128, bad = 0, fails = 0;
	size_t lo, hi;
	struct zt_drain d;
	struct zt_set *set;
	struct zt_obj *a, *b;
	u64 size0;

	set = zt_set_new("zpool_test_race", n, true);
	if (!set) {
		zt_report(false, "%s: create pool", t);
		return;
	}
	/* Two objects that fit in one zbud page together. */
	lo = max_t(size_t, zt_max / 4, 1);
	hi = zt_max / 2 > 64 ? zt_max / 2 - 64 : 1;
	hi = max(hi, lo);
	for (i = 0; i < n; i++) {
		set->objs[i].partner = i ^ 1;
		if (zt_set_alloc(set, i, zt_size_between(lo, hi), GFP_KERNEL))
			fails++;
	}
	zt_report(!fails, "%s: %u pairs of %zu..%zu bytes allocated", t,
		  n / 2, lo, hi);
	size0 = zt_size(&set->tp);
	set->free_partner = true;
	zt_drain(&set->tp, 2, 4, &d);
	for (i = 0; i < n; i += 2) {
		a = &set->objs[i];
		b = &set->objs[i + 1];
		if (a->state != ZT_FREED || b->state != ZT_FREED ||
		    a->evicted + b->evicted != 1 ||
		    a->by_partner + b->by_partner != 1)
			bad++;
	}
	zt_report(zt_size(&set->tp) == 0,
		  "%s: the pool drained to 0 bytes in %lu calls", t, d.calls);
	zt_report(!bad && !set->bad,
		  "%s: no freed handle was evicted, every object freed once (%u pairs wrong, %u errors)",
		  t, bad, set->bad);
	/*
	 * In a zbud pool both objects of a pair share a page, so every page
	 * is freed by reclaim; elsewhere a partner's free may free a page.
	 */
	if (strstr(type, "zbud"))
		zt_report(d.reclaimed << PAGE_SHIFT == size0,
			  "%s: reclaimed pages (%lu) add up to the pool's size (%llu bytes)",
			  t, d.reclaimed, size0);
	else
		zt_report(d.reclaimed << PAGE_SHIFT <= size0,
			  "%s: reclaimed pages (%lu) within the pool's size (%llu bytes)",
			  t, d.reclaimed, size0);
	zt_check_returns(&d, t);
	zt_set_destroy(set);
}

/* ---- concurrency: a thread per online CPU, and a shrinking thread ---- */

enum zt_slot_state {
	ZS_FREE,	/* no object */
	ZS_LIVE,	/* object published in the hash, evictable */
	ZS_BUSY,	/* its worker is using it; not in the hash */
	ZS_EVICTING,	/* the evict callback is using it; not in the hash */
};

struct zt_slot {
	struct hlist_node node;
	unsigned long handle;
	size_t size;
	u32 seed;
	u8 state;
};

struct zt_worker {
	struct task_struct *task;
	unsigned int first;
	u32 seed;
};

/**
 * struct zt_stress - the concurrency test
 * @tp:		its pool, zpool_test_stress
 * @lock:	guards @slots[].state and @live
 * @live:	the ZS_LIVE slots by handle, for the evict callback
 * @slots:	stress_slots per worker, worker i owns [i * per, (i + 1) * per)
 */
struct zt_stress {
	struct zt_pool tp;
	spinlock_t lock;
	DECLARE_HASHTABLE(live, 10);
	struct zt_slot *slots;
	unsigned int nslots;
	unsigned int per;
	struct zt_worker *workers;
	unsigned int nworkers;
	struct task_struct *shrinker;
	struct task_struct *compactor;
	unsigned int id;
	atomic_long_t ops, allocs, frees, rewrites, nomem;
	atomic_long_t evicted, refused, unknown, shrinks;
	atomic_long_t compactions, migrations;
	long migrated0, isolated0;
	atomic_t errors;
};

static struct zt_stress *zt_st;

static void zt_stress_error(struct zt_stress *st, const char *what,
			    const struct zt_slot *s)
{
	if (atomic_inc_return(&st->errors) <= 5)
		zt_diag("stress: %s (slot %ld, size %zu)", what,
			(long)(s - st->slots), s->size);
}

static struct zt_slot *zt_stress_find(struct zt_stress *st,
				      unsigned long handle)
{
	struct zt_slot *s;

	hash_for_each_possible(st->live, s, node, handle)
		if (s->handle == handle)
			return s;
	return NULL;
}

/* Make a ZS_BUSY slot with a fresh object ZS_LIVE. */
static void zt_stress_publish(struct zt_stress *st, struct zt_slot *s)
{
	spin_lock(&st->lock);
	if (zt_stress_find(st, s->handle))
		zt_stress_error(st, "malloc returned a live handle", s);
	s->state = ZS_LIVE;
	hash_add(st->live, &s->node, s->handle);
	spin_unlock(&st->lock);
}

static void zt_stress_unbusy(struct zt_stress *st, struct zt_slot *s)
{
	spin_lock(&st->lock);
	s->state = ZS_FREE;
	s->handle = 0;
	spin_unlock(&st->lock);
}

static int zt_stress_evict(struct zt_pool *tp, unsigned long handle)
{
	struct zt_stress *st = container_of(tp, struct zt_stress, tp);
	struct zt_slot *s;

	spin_lock(&st->lock);
	s = zt_stress_find(st, handle);
	if (!s) {
		/* Being allocated, used or freed by its worker right now. */
		spin_unlock(&st->lock);
		atomic_long_inc(&st->unknown);
		return -ENOENT;
	}
	hash_del(&s->node);
	s->state = ZS_EVICTING;
	spin_unlock(&st->lock);

	if (!zt_verify(tp->zpool, handle, s->size, s->seed, ZPOOL_MM_RO))
		zt_stress_error(st, "object corrupt at evict time", s);
	if (!(get_random_u32() % 16)) {
		atomic_long_inc(&st->refused);
		zt_stress_publish(st, s);
		return -EAGAIN;
	}
	zpapi.free(tp->zpool, handle);
	atomic_long_inc(&st->evicted);
	zt_stress_unbusy(st, s);
	return 0;
}

static gfp_t zt_stress_gfp(struct rnd_state *rnd)
{
	switch (prandom_u32_state(rnd) % 8) {
	case 0:
		return GFP_NOWAIT | __GFP_NOWARN;
	case 1:
		return ZT_GFP_ZSWAP;
	default:
		return GFP_KERNEL | __GFP_NOWARN;
	}
}

static enum zpool_mapmode zt_mode(struct rnd_state *rnd, bool write)
{
	if (prandom_u32_state(rnd) & 1)
		return ZPOOL_MM_RW;
	return write ? ZPOOL_MM_WO : ZPOOL_MM_RO;
}

/* A ZS_BUSY empty slot gets an object. */
static void zt_stress_fill(struct zt_stress *st, struct zt_slot *s,
			   struct rnd_state *rnd)
{
	size_t size = 1 + prandom_u32_state(rnd) % zt_max;
	unsigned long handle;
	int ret;

	ret = zt_malloc(&st->tp, size, zt_stress_gfp(rnd), &handle);
	if (ret) {
		if (ret == -ENOMEM)
			atomic_long_inc(&st->nomem);
		else
			zt_stress_error(st, "malloc failed, not -ENOMEM", s);
		zt_stress_unbusy(st, s);
		return;
	}
	s->handle = handle;
	s->size = size;
	s->seed = prandom_u32_state(rnd);
	zt_write(st->tp.zpool, handle, size, s->seed, zt_mode(rnd, true));
	if (!zt_verify(st->tp.zpool, handle, size, s->seed,
		       zt_mode(rnd, false)))
		zt_stress_error(st, "object corrupt right after writing", s);
	atomic_long_inc(&st->allocs);
	zt_stress_publish(st, s);
}

/* A ZS_BUSY slot with an object: check it, then rewrite or free it. */
static void zt_stress_use(struct zt_stress *st, struct zt_slot *s,
			  struct rnd_state *rnd)
{
	struct zpool *zp = st->tp.zpool;

	if (!zt_verify(zp, s->handle, s->size, s->seed, zt_mode(rnd, false)))
		zt_stress_error(st, "object corrupt", s);
	if (prandom_u32_state(rnd) & 1) {
		zpapi.free(zp, s->handle);
		atomic_long_inc(&st->frees);
		zt_stress_unbusy(st, s);
		return;
	}
	s->seed = prandom_u32_state(rnd);
	zt_write(zp, s->handle, s->size, s->seed, zt_mode(rnd, true));
	atomic_long_inc(&st->rewrites);
	zt_stress_publish(st, s);
}

static void zt_stress_step(struct zt_stress *st, struct zt_slot *s,
			   struct rnd_state *rnd)
{
	spin_lock(&st->lock);
	switch (s->state) {
	case ZS_FREE:
		s->state = ZS_BUSY;
		spin_unlock(&st->lock);
		zt_stress_fill(st, s, rnd);
		break;
	case ZS_LIVE:
		hash_del(&s->node);
		s->state = ZS_BUSY;
		spin_unlock(&st->lock);
		zt_stress_use(st, s, rnd);
		break;
	case ZS_EVICTING:
		spin_unlock(&st->lock);
		break;
	default:
		spin_unlock(&st->lock);
		zt_stress_error(st, "a worker's own slot was busy", s);
		break;
	}
}

static int zt_stress_worker(void *data)
{
	struct zt_worker *w = data;
	struct zt_stress *st = zt_st;
	struct rnd_state rnd;
	unsigned int i;

	prandom_seed_state(&rnd, w->seed);
	while (!kthread_should_stop()) {
		i = w->first + prandom_u32_state(&rnd) % st->per;
		zt_stress_step(st, &st->slots[i], &rnd);
		atomic_long_inc(&st->ops);
		cond_resched();
	}
	return 0;
}

static int zt_stress_shrinker(void *data)
{
	struct zt_stress *st = data;
	unsigned int r;

	while (!kthread_should_stop()) {
		zt_shrink(&st->tp, 1 + get_random_u32() % 4, &r);
		atomic_long_inc(&st->shrinks);
		usleep_range(500, 2000);
	}
	return 0;
}

/*
 * For pools with a compact file: compact the pool every few milliseconds,
 * and now and then have the kernel compact memory (page migration), while
 * the workers and the shrinker run.
 */
static int zt_stress_compactor(void *data)
{
	struct zt_stress *st = data;
	unsigned int i = 0;

	while (!kthread_should_stop()) {
		if (!zt_pool_write(st->id, "compact", "1"))
			atomic_long_inc(&st->compactions);
		/* from the first round on: the debug kernel makes few rounds */
		if (!(i++ % 16) &&
		    !zt_write_path("/proc/sys/vm/compact_memory", "1"))
			atomic_long_inc(&st->migrations);
		usleep_range(1000, 3000);
	}
	return 0;
}

static void zt_stress_free(struct zt_stress *st)
{
	kvfree(st->slots);
	kfree(st->workers);
	kfree(st);
}

/* Check and free what is left, once no thread runs. */
static void zt_stress_cleanup(struct zt_stress *st)
{
	struct zt_slot *s;
	unsigned int i;

	for (i = 0; i < st->nslots; i++) {
		s = &st->slots[i];
		if (s->state == ZS_FREE)
			continue;
		if (s->state != ZS_LIVE) {
			zt_stress_error(st, "slot left busy", s);
			continue;
		}
		if (!zt_verify(st->tp.zpool, s->handle, s->size, s->seed,
			       ZPOOL_MM_RO))
			zt_stress_error(st, "object corrupt at the end", s);
		hash_del(&s->node);
		zpapi.free(st->tp.zpool, s->handle);
		s->state = ZS_FREE;
	}
}

static void test_stress(void)
{
	const char *t = "stress";
	struct zt_stress *st;
	unsigned int cpu, i;
	bool evictable;

	if (!stress_secs || !stress_slots) {
		zt_skip("stress", "stress_secs=0");
		return;
	}
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		goto nomem;
	st->workers = kcalloc(num_online_cpus(), sizeof(*st->workers),
			      GFP_KERNEL);
	st->per = stress_slots;
	st->nslots = num_online_cpus() * st->per;
	st->slots = kvcalloc(st->nslots, sizeof(*st->slots), GFP_KERNEL);
	if (!st->workers || !st->slots)
		goto nomem;
	spin_lock_init(&st->lock);
	hash_init(st->live);
	st->tp.evict = zt_stress_evict;
	if (!zt_pool_open(&st->tp, "zpool_test_stress", true)) {
		zt_report(false, "%s: create pool", t);
		zt_stress_free(st);
		return;
	}
	zt_st = st;
	evictable = zpapi.evictable(st->tp.zpool);
	st->id = zt_pool_id(&st->tp);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct zt_worker *w = &st->workers[st->nworkers];
		struct task_struct *task;

		if (st->nworkers * st->per >= st->nslots)
			break;
		w->first = st->nworkers * st->per;
		w->seed = zt_rand();
		task = kthread_create(zt_stress_worker, w, "zpool_test/%u",
				      cpu);
		if (IS_ERR(task))
			break;
		kthread_bind(task, cpu);
		w->task = task;
		st->nworkers++;
	}
	cpus_read_unlock();
	for (i = 0; i < st->nworkers; i++)
		wake_up_process(st->workers[i].task);
	if (evictable) {
		st->shrinker = kthread_run(zt_stress_shrinker, st,
					   "zpool_test_shrink");
		if (IS_ERR(st->shrinker))
			st->shrinker = NULL;
	}
	if (zt_pool_has(st->id, "compact")) {
		st->migrated0 = zt_pool_num(st->id, "pages_migrated", NULL);
		st->isolated0 = zt_pool_num(st->id, "pages_isolated", NULL);
		st->compactor = kthread_run(zt_stress_compactor, st,
					    "zpool_test_compact");
		if (IS_ERR(st->compactor))
			st->compactor = NULL;
	}

	msleep(stress_secs * 1000);

	if (st->compactor)
		kthread_stop(st->compactor);
	if (st->shrinker)
		kthread_stop(st->shrinker);
	for (i = 0; i < st->nworkers; i++)
		kthread_stop(st->workers[i].task);
	zt_stress_cleanup(st);

	zt_diag("stress: %u workers, %ld ops: %ld allocs (%ld -ENOMEM), %ld frees, %ld rewrites",
		st->nworkers, atomic_long_read(&st->ops),
		atomic_long_read(&st->allocs), atomic_long_read(&st->nomem),
		atomic_long_read(&st->frees), atomic_long_read(&st->rewrites));
	zt_diag("stress: %ld shrinks reclaimed %ld pages; evict callbacks: %ld evicted, %ld refused, %ld for objects in use",
		atomic_long_read(&st->shrinks),
		atomic_long_read(&st->tp.reclaimed),
		atomic_long_read(&st->evicted), atomic_long_read(&st->refused),
		atomic_long_read(&st->unknown));
	zt_report(st->nworkers == num_online_cpus() &&
		  atomic_long_read(&st->allocs) > 0 &&
		  !atomic_read(&st->errors),
		  "%s: %u threads (one per online CPU) for %us, no corruption, no error (%d)",
		  t, st->nworkers, stress_secs, atomic_read(&st->errors));
	if (evictable)
		zt_report(st->shrinker && atomic_long_read(&st->shrinks) > 0 &&
			  atomic_long_read(&st->evicted) > 0,
			  "%s: shrink ran %ld times and evicted %ld objects meanwhile",
			  t, atomic_long_read(&st->shrinks),
			  atomic_long_read(&st->evicted));
	else
		zt_skip("stress: shrink while the workers run",
			"pool not evictable");
	if (st->compactor) {
		long migrated = zt_pool_num(st->id, "pages_migrated", NULL) -
				st->migrated0;
		long isolated = zt_pool_num(st->id, "pages_isolated", NULL) -
				st->isolated0;

		zt_report(atomic_long_read(&st->compactions) > 0,
			  "%s: the pool was compacted %ld times and memory %ld times meanwhile",
			  t, atomic_long_read(&st->compactions),
			  atomic_long_read(&st->migrations));
		/*
		 * Where compaction never isolated a pool page (seen on the
		 * arm64 guest, whose compact_memory leaves these pages alone)
		 * there is nothing to migrate; else some must have moved.
		 */
		if (zt_pool_num(st->id, "movable", NULL) == 1 && !isolated)
			zt_skip("stress: pool pages migrated meanwhile",
				"the kernel's compaction isolated none of them");
		else if (zt_pool_num(st->id, "movable", NULL) == 1)
			zt_report(atomic_long_read(&st->migrations) > 0 &&
				  migrated > 0,
				  "%s: the kernel's compaction migrated %ld of the %ld pool pages it isolated meanwhile",
				  t, migrated, isolated);
		else
			zt_report(migrated == 0,
				  "%s: pool not movable: none of its pages migrated", t);
	}
	zt_report(zt_size(&st->tp) == 0,
		  "%s: total size is 0 after freeing everything", t);
	if (hold) {
		zt_expect(&st->tp, 0, 0);
		return;
	}
	zt_pool_close(&st->tp);
	zt_st = NULL;
	zt_stress_free(st);
	return;

nomem:
	zt_report(false, "%s: allocate the test's memory", t);
	if (st)
		zt_stress_free(st);
}

static void test_destroy_live(void)
{
	struct zt_pool *tp;
	unsigned long handle;
	unsigned int i, n = 0;

	if (!destroy_live) {
		zt_skip("destroy a pool with live objects", "destroy_live=0");
		return;
	}
	tp = kzalloc(sizeof(*tp), GFP_KERNEL);
	if (!tp || !zt_pool_open(tp, "zpool_test_leak", false)) {
		zt_report(false, "destroy live: create pool");
		kfree(tp);
		return;
	}
	for (i = 0; i < LEAK_OBJECTS; i++)
		n += !zt_malloc(tp, 1 + zt_rand() % zt_max, GFP_KERNEL,
				&handle);
	zt_diag("destroying pool zpool_test_leak with %u live objects", n);
	zt_pool_close(tp);
	kfree(tp);
	zt_report(n == LEAK_OBJECTS,
		  "destroy of a pool with %u live objects returned", n);
}

static struct zt_set *zt_live;

static void test_hold(void)
{
	unsigned int i, fails;
	long bytes = 0;

	if (!hold)
		return;
	zt_live = zt_set_new("zpool_test_live", HOLD_OBJECTS, true);
	if (!zt_live) {
		zt_report(false, "hold: create pool zpool_test_live");
		return;
	}
	fails = zt_set_fill(zt_live, HOLD_OBJECTS, 1, zt_max);
	for (i = 0; i < HOLD_OBJECTS; i++)
		if (zt_live->objs[i].state == ZT_LIVE)
			bytes += zt_live->objs[i].size;
	zt_report(!fails && !zt_set_verify(zt_live, ZPOOL_MM_RO),
		  "hold: pool zpool_test_live keeps %u objects, %ld bytes",
		  HOLD_OBJECTS - fails, bytes);
	zt_expect(&zt_live->tp, HOLD_OBJECTS - fails, bytes);
}

/* Free the pools kept for hold=1; returns the errors their evicts saw. */
static unsigned int zt_release_held(void)
{
	unsigned int errors = 0;

	if (zt_live) {
		errors += zt_live->bad;
		errors += zt_set_verify(zt_live, ZPOOL_MM_RO);
		zt_diag("exit: zpool_test_live: %ld evict callbacks, %u live objects left",
			atomic_long_read(&zt_live->tp.evict_calls),
			zt_set_count(zt_live, ZT_LIVE));
		zt_set_destroy(zt_live);
		zt_live = NULL;
	}
	if (zt_st) {
		zt_pool_close(&zt_st->tp);
		zt_stress_free(zt_st);
		zt_st = NULL;
	}
	return errors;
}

static void zt_run(void)
{
	struct zt_set *set;

	zt_report(zpool_has_pool(type), "zpool_has_pool(\"%s\")", type);
	set = zt_set_new("zpool_test_basic", max(objects, 16U), false);
	zt_report(!!set, "create a pool of type %s", type);
	if (!set)
		return;
	zt_report(!strcmp(zpapi.get_type(set->tp.zpool), type),
		  "zpool_get_type() is \"%s\"", type);
	zt_report(!zpapi.evictable(set->tp.zpool),
		  "a pool without ops is not evictable");
	zt_diag("malloc_support_movable=%d can_sleep_mapped=%d",
		zpapi.malloc_support_movable(set->tp.zpool),
		zpapi.can_sleep_mapped(set->tp.zpool));

	test_sizes(set);
	test_random(set);
	test_map_modes(set);
	test_gfp(set);
	test_cross(set);
	test_huge(set);
	test_lazy(set);
	zt_set_destroy(set);
	test_compaction();
	test_migration();

	set = zt_set_new("zpool_test_evictable", 1, true);
	if (!set) {
		zt_report(false, "create a pool with evict ops");
		return;
	}
	if (!zpapi.evictable(set->tp.zpool)) {
		zt_set_destroy(set);
		zt_skip("shrink tests", "the type cannot evict");
	} else {
		zt_set_destroy(set);
		test_shrink();
		test_evict_failure();
		test_free_during_reclaim();
	}
	test_stress();
	test_destroy_live();
	test_hold();
	zt_report(!atomic_read(&zt_stray_evicts),
		  "no evict callback for a pool that is not under test (%d)",
		  atomic_read(&zt_stray_evicts));
}

static int __init zpool_test_init(void)
{
	int ret;

	if (!seed)
		seed = get_random_u32() ?: 1;
	prandom_seed_state(&zt_rnd, seed);
	zt_diag("type=%s seed=%u objects=%u stress_secs=%u stress_slots=%u hold=%d destroy_live=%d cpus=%u",
		type, seed, objects, stress_secs, stress_slots, hold,
		destroy_live, num_online_cpus());

	ret = zpool_api_resolve();
	zt_report(!ret, "find the kernel's zpool API (%d)", ret);
	if (!ret)
		zt_run();

	pr_info("done passed=%d failed=%d\n", zt_num - zt_failed, zt_failed);
	if (zt_failed) {
		zt_release_held();
		return -EINVAL;
	}
	return 0;
}

static void __exit zpool_test_exit(void)
{
	unsigned int errors = zt_release_held();

	pr_info("exit errors=%u\n", errors);
}

module_init(zpool_test_init);
module_exit(zpool_test_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The zpoolx developers");
MODULE_DESCRIPTION("zpool API test for a zpool type; test guests only");
