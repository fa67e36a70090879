// SPDX-License-Identifier: GPL-2.0
/*
 * zsmalloc.c - the zsmalloc backend of zpoolx, zpool type "zpoolx_zsmalloc".
 *
 * What this file owns
 *   The zpool driver "zpoolx_zsmalloc" (zpoolx_zsmalloc_backend), the two
 *   module tunables max_zspage_pages and movable, one struct zsx_pool per
 *   zpool_create_pool(), its size classes, its zspages and every page they
 *   hold, its handles, its per-CPU mapping areas, its shrinker, its deferred
 *   free work, the struct movable_operations of its pages, and these sysfs
 *   files under /sys/kernel/zpoolx/pools/<id>/: compact, pages_isolated,
 *   pages_migrated, pages_putback, migrate_failures, max_zspage_pages,
 *   movable and classes/<size>/{size, objs_per_zspage, pages_per_zspage,
 *   objs_allocated, objs_used, pages_used, zspages_full,
 *   zspages_almost_full, zspages_almost_empty, zspages_empty}; classes/ is
 *   filled by a work item right after the pool is created.  The counters
 *   of the embedded struct zpoolx_pool are kept exact here: pages (pages
 *   held from the page allocator, until each is really given back); the
 *   others move in the helpers of zpoolx.h and the core's reclaim loop.
 *
 * Size classes (computed in zsx_geometry.h, tested on the host for 4 to
 * 256 KiB pages by tests/host/geometry/)
 *   Requested sizes are rounded up to a whole number of steps, a step being
 *   PAGE_SIZE / 256 (16 bytes at least): 16 bytes with 4 KiB pages, 64 with
 *   16 KiB, 256 with 64 KiB; 32 bytes (or one step) at least, PAGE_SIZE at
 *   most.  For every such size the zspage length k (1..max_zspage_pages)
 *   with the smallest waste, that is the largest share of k pages filled by
 *   objects, is picked; ties go to the shorter chain.  A size that cannot
 *   put more objects than pages in a zspage gets one page per object: with
 *   a top run of such sizes this is the huge class, whose objects take a
 *   page each (its size is PAGE_SIZE).  Neighbouring sizes with the same
 *   (pages, objects) geometry share one class, the one of the largest of
 *   them: it wastes nothing more, and fewer classes mean fewer partly filled
 *   zspages.  max_zspage_pages defaults to 8: with sizes spread over
 *   32..PAGE_SIZE bytes, a fully compacted pool is about 97.4% objects with
 *   chains of up to 8 pages, 93.3% with 4 (the kernel's choice) and 98.9%
 *   with 16; beyond 8 the gain is small, while every zspage needs that many
 *   pages at once and a writeback or a compaction step moves that many
 *   pages' worth of objects.
 *
 * Page size
 *   Nothing here assumes 4 KiB pages.  The step scales with PAGE_SIZE rather
 *   than staying 16 bytes, for three reasons: a fixed 16-byte step would make
 *   4095 sizes and about as many classes with 64 KiB pages (each a sysfs
 *   directory and a partly filled zspage); rounding to a scaled step costs
 *   the same share of a page at every page size, 0.2% on average, as at
 *   4 KiB; and a size of m steps gets the same zspage shape (pages, objects)
 *   at every page size, so a 16 or 64 KiB pool is the 4 KiB pool scaled, with
 *   the same waste in per cent, at most 256 size steps and about 120 classes
 *   at max_zspage_pages=8 (119 at 4 KiB, where the geometry is exactly what
 *   it was with a fixed 16-byte step).  A zspage never holds more than 256
 *   objects at any page size, so struct zsx_handle's 16-bit slot index and
 *   the zspage's slot array (at most 2 KiB) do not grow with PAGE_SIZE; byte
 *   offsets in a zspage are unsigned int (16 pages of 256 KiB are
 *   4 MiB).  max_zspage_pages stays a count of pages: the waste of a chain
 *   depends on the object size relative to the page, not in bytes.  The pool
 *   structure keeps one byte per size step (the class number) and is about a
 *   kilobyte at any page size; it and the class array are allocated with
 *   GFP_KERNEL, not with the creator's gfp (zswap passes __GFP_NORETRY |
 *   __GFP_NOWARN | __GFP_KSWAPD_RECLAIM, which may fail even small
 *   allocations when memory is tight), kvzalloc() so that no high-order
 *   allocation is ever needed.  zswap creates pools from process context,
 *   where it allocates with GFP_KERNEL itself.
 *
 * zspage layout
 *   A zspage is k order-0 pages seen as one run of k * PAGE_SIZE bytes;
 *   slot i of its class starts at byte i * size of the run, so an object
 *   may start in one page and end in the next.  Pages hold object bytes
 *   only: every piece of metadata lives in struct zsx_zspage (kmalloc'ed,
 *   never moves), whose slot[] array holds, per slot, either the handle of
 *   the object in it or, tagged with bit 0, the index of the next free slot.
 *
 * Handles
 *   A handle is the address of a struct zsx_handle (kmalloc'ed, 16 bytes)
 *   that says where the object is now: its zspage and slot.  Compaction
 *   moves an object by rewriting that record under pool->lock, migration
 *   replaces a page of the zspage; neither changes the handle, so handles
 *   stay valid while objects move.
 *
 * Mapping
 *   sleep_mapped is false: map() takes the pool's per-CPU area lock (a
 *   local_lock, so preemption stays off until unmap()), then, under
 *   pool->lock, reads the object's place and pins its zspage (zs->mapped).
 *   A pinned zspage is never a compaction source and its pages are never
 *   migrated, so the place stays right until unmap().  An object within one
 *   lowmem page is returned in place; one that crosses a page boundary (or
 *   sits in a highmem page) is copied into the area's buffer unless the
 *   mode is ZPOOL_MM_WO, and copied back by unmap() unless it is
 *   ZPOOL_MM_RO.  Nothing waits for a pin: compaction skips, migration
 *   says -EAGAIN.  That is what lets zswap take its tree lock while a
 *   handle is mapped and call free() under that lock.
 *
 * struct page
 *   Pool pages come from alloc_page() with the caller's gfp (__GFP_MOVABLE
 *   dropped when the pool is not movable).  Fields used:
 *     ->private   the struct zsx_zspage the page belongs to (0 when not a
 *                 pool page any more); no PG_private
 *     ->mapping   set by __SetPageMovable() to our movable_operations when
 *                 the pool is movable, cleared by __ClearPageMovable()
 *                 before the page is given back
 *     PG_locked   taken with trylock_page() to set and clear movability
 *                 and before a page is given back, so that no isolate,
 *                 migrate or putback runs on it meanwhile
 *     _refcount   ours is the allocation's reference, dropped by put_page();
 *                 migration takes one on the new page
 *   ->lru is never used: after isolation the VM owns it.  PG_isolated is
 *   the VM's.
 *
 * Fullness groups (per class, lists under pool->lock)
 *   empty (no object), almost_empty (up to 3/4 of the slots used),
 *   almost_full (more than 3/4 used but not all), full.  Allocation picks
 *   almost_full first, then almost_empty; compaction drains the sparsest
 *   zspages into the fullest.  A zspage that empties is freed at once, so
 *   the empty group only ever holds a zspage for an instant.  A zspage under
 *   eviction is off its group list and counted in no group.
 *
 * LRU and eviction
 *   pool->lru holds every zspage not under eviction; a zspage moves to its
 *   head when an object is allocated in it.  shrink() and the core's
 *   writeback (->evict_coldest) take the tail zspage off the LRU and its group
 *   list and mark it ZSX_RECLAIMING: no allocation or compaction touches it
 *   then.  For each object still in it (read under pool->lock just before
 *   the call) the lock is dropped and zpoolx_evict() called; the handle in
 *   flight is zs->evicting, and a free() of it meanwhile only marks it dead
 *   (the evict callback may still map it: the bytes stay) and the reclaimer
 *   releases it after the callback.  Eviction stops at the first failure:
 *   the zspage then goes back to its group and the LRU head with its data
 *   intact; if it emptied, the reclaimer frees it and returns its pages,
 *   which the core's loop counts in reclaimed_pages.
 *
 * Compaction
 *   Per class, while its free slots add up to at least one zspage: take the
 *   sparsest unpinned zspage as source, move its objects one by one into the
 *   fullest other zspages (copy, then rewrite the handle record), and free
 *   it; stop at the first source that cannot be emptied.  Everything is done
 *   under pool->lock, dropped between sources.  Run from the pool's
 *   `compact` file, from ->compact, and from the pool's shrinker under
 *   memory pressure; the freed pages are counted (compact: last=, total=).
 *
 * Movable pages (struct movable_operations, mm/migrate.c contract)
 *   The VM calls isolate, migrate and putback with the page locked
 *   (PG_lock), so the page, and therefore its zspage, cannot be given back
 *   meanwhile: freeing a zspage needs every page lock.  isolate refuses a
 *   dying zspage and counts pages_isolated.  migrate (both pages locked)
 *   refuses MIGRATE_SYNC_NO_COPY (the copy must be done under pool->lock),
 *   a pinned or dying zspage (-EAGAIN, counted in migrate_failures);
 *   otherwise, under pool->lock, it copies the page, puts the new page in
 *   the zspage, makes it movable and takes a reference on it, then clears
 *   the old page's movability and drops our reference (the VM frees it).
 *   putback counts pages_putback.  A zspage freed while one of its pages is
 *   isolated clears that page's movability under its lock and drops our
 *   reference; the VM notices (!PageMovable) and finishes the page itself.
 *   When a page lock cannot be taken at once (free() runs under spinlocks)
 *   the zspage is marked ZSX_DYING, put on pool->dying and freed by the
 *   pool's work item, which retries the locks where it may sleep.
 *
 * Locking
 *   pool->lock (spinlock) guards the classes (lists, counts), every zspage's
 *   metadata, the handle records, the LRU and the dying list; page contents
 *   are moved (compaction, migration) only under it.  The per-CPU area lock
 *   (local_lock) is held from map() to unmap().  Order:
 *
 *     pool->zp.writeback_lock (core, mutex; sysfs writeback and compact)
 *       -> area lock (local_lock, map..unmap)
 *         -> creator's locks (zswap takes its tree lock while mapped and
 *            calls free() under it)
 *           -> pool->lock (spinlock)
 *             -> page locks (trylock_page only)
 *
 *   No lock of this file is held across evict(), which sleeps, nor across
 *   an allocation that may sleep; pool->lock is never taken from interrupt
 *   context (the zpool API is used from process context).  The shrinker and
 *   the free work take only pool->lock (and page locks, the work sleeping on
 *   them with no other lock held).
 *
 * Destroying a pool with live objects frees them all and says so with one
 * pr_warn() line giving their number.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/local_lock.h>
#include <linux/migrate.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "zpoolx.h"
#include "zsx_geometry.h"

#define ZSX_CHAIN_LIMIT		ZSX_GEO_CHAIN_LIMIT
#define ZSX_CHAIN_DEFAULT	8U

/* A free slot: the next free slot's index << 1, tagged with bit 0. */
#define ZSX_FREE_TAG		1UL

/* Slot indexes (struct zsx_handle.idx) and class numbers fit. */
static_assert(ZSX_GEO_MAX_OBJS - 1 <= U16_MAX);
static_assert(ZSX_GEO_MAX_STEPS - 1 <= U8_MAX);
/* Byte offsets in a zspage fit an unsigned int. */
static_assert((u64)ZSX_CHAIN_LIMIT * PAGE_SIZE - 1 <= UINT_MAX);

static unsigned int zsx_chain_max = ZSX_CHAIN_DEFAULT;
static bool zsx_movable = true;

static int zsx_chain_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < 1 || v > ZSX_CHAIN_LIMIT) {
		pr_warn_ratelimited("max_zspage_pages: refused, accepted values are 1..%u\n",
				    ZSX_CHAIN_LIMIT);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static const struct kernel_param_ops zsx_chain_ops = {
	.set = zsx_chain_set,
	.get = param_get_uint,
};

module_param_cb(max_zspage_pages, &zsx_chain_ops, &zsx_chain_max, 0644);
MODULE_PARM_DESC(max_zspage_pages,
		 "zsmalloc: longest zspage chain in pages, 1..16 (default 8), for pools created afterwards");
/*
 * Module parameters get a C string (kernel/params.c): what follows a NUL
 * inside the write never reaches these functions, so "1\0junk" is "1".
 * Everything else is checked in full; param_set_bool would take any word
 * that starts with y, n, 1 or 0 ("18446744073709551616", "no way").
 */
static int zsx_movable_set(const char *val, const struct kernel_param *kp)
{
	static const char *const accepted[] = { "Y", "N", "y", "n", "1", "0" };
	int i;

	for (i = 0; i < ARRAY_SIZE(accepted); i++) {
		if (sysfs_streq(val, accepted[i])) {
			WRITE_ONCE(*(bool *)kp->arg, i % 2 == 0);
			return 0;
		}
	}
	pr_warn_ratelimited("movable: refused, accepted values are Y, N, y, n, 1, 0\n");
	return -EINVAL;
}

static const struct kernel_param_ops zsx_movable_ops = {
	.set = zsx_movable_set,
	.get = param_get_bool,
};

module_param_cb(movable, &zsx_movable_ops, &zsx_movable, 0644);
MODULE_PARM_DESC(movable,
		 "zsmalloc: pool pages can be migrated by the kernel's compaction (default Y), for pools created afterwards");

enum zsx_group {
	ZSX_EMPTY,
	ZSX_ALMOST_EMPTY,
	ZSX_ALMOST_FULL,
	ZSX_FULL,
	ZSX_NR_GROUPS,
};

enum zsx_state {
	ZSX_LISTED,	/* on its group list and the LRU */
	ZSX_RECLAIMING,	/* off every list, owned by a reclaimer */
	ZSX_DYING,	/* empty, on pool->dying, waiting for the free work */
};

struct zsx_pool;
struct zsx_class;
struct zsx_zspage;

/**
 * struct zsx_handle - what a handle points to
 * @zs:		the zspage holding the object
 * @size:	the size given to malloc
 * @idx:	the object's slot in @zs
 * @dead:	freed while its zspage's reclaimer was evicting it
 *
 * Guarded by pool->lock, except @size, which never changes.
 */
struct zsx_handle {
	struct zsx_zspage *zs;
	u32 size;
	u16 idx;
	u16 dead;
};

/**
 * struct zsx_zspage - metadata of one zspage
 * @node:	entry in its class's group list, or in pool->dying
 * @lru:	entry in pool->lru
 * @class:	its size class
 * @pool:	its pool
 * @mapped:	objects mapped now (pin; incremented under pool->lock)
 * @inuse:	slots holding an object
 * @free_head:	first free slot, class->objs if none
 * @group:	enum zsx_group, valid while on a group list
 * @on_group:	@node is on a group list
 * @state:	enum zsx_state
 * @evicting:	the handle its reclaimer is evicting now
 * @pages:	its pages, in order
 * @slot:	per slot, a struct zsx_handle *, or a free slot (ZSX_FREE_TAG)
 *
 * Guarded by pool->lock, except @mapped (atomic) and @pages, which may be
 * read without it while @mapped pins the zspage.
 */
struct zsx_zspage {
	struct list_head node;
	struct list_head lru;
	struct zsx_class *class;
	struct zsx_pool *pool;
	atomic_t mapped;
	unsigned int inuse;
	unsigned int free_head;
	u8 group;
	bool on_group;
	u8 state;
	struct zsx_handle *evicting;
	struct page *pages[ZSX_CHAIN_LIMIT];
	unsigned long slot[];
};

/**
 * struct zsx_class - one size class
 * @kobj:	/sys/kernel/zpoolx/pools/<id>/classes/<size>
 * @pool:	its pool
 * @size:	object size in bytes
 * @pages:	pages per zspage
 * @objs:	objects per zspage
 * @groups:	zspages by fullness group
 * @nr_group:	zspages on each group list
 * @nr_zspages:	zspages of the class, including those under eviction
 * @objs_used:	slots holding an object
 * @set:	the allocation holding this class
 * @in_sysfs:	@kobj was added
 *
 * Everything but @kobj, @pool and the geometry is guarded by pool->lock.
 */
struct zsx_class {
	struct kobject kobj;
	struct zsx_class_set *set;
	struct zsx_pool *pool;
	unsigned int size;
	unsigned int pages;
	unsigned int objs;
	struct list_head groups[ZSX_NR_GROUPS];
	unsigned long nr_group[ZSX_NR_GROUPS];
	unsigned long nr_zspages;
	unsigned long objs_used;
	bool in_sysfs;
};

/**
 * struct zsx_class_set - the classes of a pool, in one allocation
 * @refs:	class kobjects not yet released; the last release frees the set
 * @class:	the classes
 */
struct zsx_class_set {
	atomic_t refs;
	struct zsx_class class[];
};

/**
 * struct zsx_area - per-CPU state of one map() until its unmap()
 * @lock:	held from map() to unmap()
 * @buf:	PAGE_SIZE bytes for objects not mapped in place
 * @zs:		the pinned zspage
 * @off:	the object's offset in the zspage
 * @len:	its size
 * @mode:	the map mode
 * @copied:	the object was handed out in @buf
 */
struct zsx_area {
	local_lock_t lock;
	char *buf;
	struct zsx_zspage *zs;
	unsigned int off;
	unsigned int len;
	enum zpool_mapmode mode;
	bool copied;
};

/**
 * struct zsx_pool - one zpoolx_zsmalloc pool
 * @zp:		the part the core manages (sysfs directory, counters)
 * @lock:	see "Locking" above
 * @lru:	zspages not under eviction, most recently allocated in first
 * @dying:	empty zspages waiting for @free_work
 * @nr_zspages:	zspages of the pool, except dying ones
 * @free_work:	frees the zspages on @dying
 * @geo:	the size steps (zsx_geometry.h)
 * @step_class:	class number of each size step (@geo.nr_steps entries)
 * @nr_classes:	classes in @class_set
 * @class_set:	the classes, numbered from the largest size down
 * @chain_max:	max_zspage_pages when the pool was created
 * @movable:	movable when the pool was created
 * @area:	per-CPU mapping state
 * @classes_kobj: /sys/kernel/zpoolx/pools/<id>/classes
 * @sysfs_work:	adds @classes_kobj and the class directories
 * @shrinker:	compacts under memory pressure
 * @shrinker_on: @shrinker is registered
 * @isolated:	pages isolated by the VM
 * @migrated:	pages migrated
 * @putback:	isolated pages put back
 * @migrate_failures: migrate calls refused
 * @compact_last: pages freed by the last on-demand compaction
 * @compact_total: pages freed by every compaction, shrinker included
 */
struct zsx_pool {
	struct zpoolx_pool zp;
	spinlock_t lock;
	struct list_head lru;
	struct list_head dying;
	unsigned long nr_zspages;
	struct work_struct free_work;
	struct zsx_geo geo;
	u8 step_class[ZSX_GEO_MAX_STEPS];
	unsigned int nr_classes;
	struct zsx_class_set *class_set;
	unsigned int chain_max;
	bool movable;
	struct zsx_area __percpu *area;
	struct kobject *classes_kobj;
	struct work_struct sysfs_work;
	struct shrinker shrinker;
	bool shrinker_on;
	atomic_long_t isolated;
	atomic_long_t migrated;
	atomic_long_t putback;
	atomic_long_t migrate_failures;
	atomic_long_t compact_last;
	atomic_long_t compact_total;
};

static const struct movable_operations zsx_mops;

static inline struct zsx_pool *zsx_of(struct zpoolx_pool *zp)
{
	/* zpoolx_shrink() takes the pool create() returned as a zpoolx_pool */
	BUILD_BUG_ON(offsetof(struct zsx_pool, zp) != 0);
	return container_of(zp, struct zsx_pool, zp);
}

static inline struct zsx_handle *zsx_handle_of(unsigned long handle)
{
	return (struct zsx_handle *)handle;
}

/* Metadata allocations: never highmem, never movable. */
static inline gfp_t zsx_meta_gfp(gfp_t gfp)
{
	return gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE);
}

static inline gfp_t zsx_page_gfp(const struct zsx_pool *pool, gfp_t gfp)
{
	return pool->movable ? gfp : gfp & ~__GFP_MOVABLE;
}

/* ---- size classes ---- */

/* Class number @nr (0..nr_classes - 1, largest size first) of @pool. */
static inline struct zsx_class *zsx_class_nr(const struct zsx_pool *pool,
					     unsigned int nr)
{
	return &pool->class_set->class[nr];
}

static void zsx_class_release(struct kobject *kobj)
{
	struct zsx_class_set *set = container_of(kobj, struct zsx_class,
						 kobj)->set;

	if (atomic_dec_and_test(&set->refs))
		kvfree(set);
}

static const struct kobj_type zsx_class_ktype;

/*
 * Build the classes, largest size first, merging neighbouring sizes of
 * equal geometry (zsx_geometry.h); all in one allocation (see struct
 * zsx_class_set).
 */
static int zsx_classes_build(struct zsx_pool *pool)
{
	struct zsx_geo_class shape;
	struct zsx_class *class;
	struct zsx_class_set *set;
	unsigned int n, i, lo;
	int g;

	zsx_geo_init(&pool->geo, PAGE_SHIFT, pool->chain_max);
	if (WARN_ON_ONCE(pool->geo.nr_steps > ZSX_GEO_MAX_STEPS))
		return -EINVAL;
	n = zsx_geo_build(&pool->geo, pool->step_class);
	set = kvzalloc(struct_size(set, class, n), GFP_KERNEL);
	if (!set)
		return -ENOMEM;
	atomic_set(&set->refs, n);
	pool->class_set = set;

	for (i = pool->geo.nr_steps; i > 0; i = lo) {
		lo = zsx_geo_class_at(&pool->geo, i - 1, &shape);
		class = &set->class[pool->step_class[i - 1]];
		kobject_init(&class->kobj, &zsx_class_ktype);
		class->set = set;
		class->pool = pool;
		class->size = shape.size;
		class->pages = shape.pages;
		class->objs = shape.objs;
		for (g = 0; g < ZSX_NR_GROUPS; g++)
			INIT_LIST_HEAD(&class->groups[g]);
	}
	pool->nr_classes = n;
	return 0;
}

/* ---- fullness groups ---- */

static enum zsx_group zsx_group_of(const struct zsx_zspage *zs)
{
	unsigned int objs = zs->class->objs;

	if (!zs->inuse)
		return ZSX_EMPTY;
	if (zs->inuse == objs)
		return ZSX_FULL;
	if (zs->inuse * 4 > objs * 3)
		return ZSX_ALMOST_FULL;
	return ZSX_ALMOST_EMPTY;
}

static void zsx_group_add(struct zsx_zspage *zs)
{
	struct zsx_class *class = zs->class;
	enum zsx_group g = zsx_group_of(zs);

	lockdep_assert_held(&zs->pool->lock);
	list_add(&zs->node, &class->groups[g]);
	class->nr_group[g]++;
	zs->group = g;
	zs->on_group = true;
}

static void zsx_group_del(struct zsx_zspage *zs)
{
	lockdep_assert_held(&zs->pool->lock);
	if (!zs->on_group)
		return;
	list_del_init(&zs->node);
	zs->class->nr_group[zs->group]--;
	zs->on_group = false;
}

/* ---- slots ---- */

static inline struct zsx_handle *zsx_slot_handle(const struct zsx_zspage *zs,
						 unsigned int idx)
{
	unsigned long v = zs->slot[idx];

	return (v & ZSX_FREE_TAG) ? NULL : (struct zsx_handle *)v;
}

/* Put @h in the first free slot of @zs, which has one. */
static void zsx_slot_take(struct zsx_zspage *zs, struct zsx_handle *h)
{
	unsigned int idx = zs->free_head;

	zs->free_head = zs->slot[idx] >> 1;
	zs->slot[idx] = (unsigned long)h;
	zs->inuse++;
	zs->class->objs_used++;
	h->zs = zs;
	h->idx = idx;
}

static void zsx_slot_release(struct zsx_zspage *zs, unsigned int idx)
{
	zs->slot[idx] = ((unsigned long)zs->free_head << 1) | ZSX_FREE_TAG;
	zs->free_head = idx;
	zs->inuse--;
	zs->class->objs_used--;
}

static inline unsigned int zsx_offset(const struct zsx_zspage *zs,
				      unsigned int idx)
{
	return idx * zs->class->size;
}

/* Copy @len bytes at @off of @zs's run into @buf. */
static void zsx_read(const struct zsx_zspage *zs, unsigned int off, char *buf,
		     unsigned int len)
{
	unsigned int in, n;

	while (len) {
		in = offset_in_page(off);
		n = min_t(unsigned int, len, PAGE_SIZE - in);
		memcpy_from_page(buf, zs->pages[off >> PAGE_SHIFT], in, n);
		buf += n;
		off += n;
		len -= n;
	}
}

/* Copy @len bytes of @buf to @off of @zs's run. */
static void zsx_write(const struct zsx_zspage *zs, unsigned int off,
		      const char *buf, unsigned int len)
{
	unsigned int in, n;

	while (len) {
		in = offset_in_page(off);
		n = min_t(unsigned int, len, PAGE_SIZE - in);
		memcpy_to_page(zs->pages[off >> PAGE_SHIFT], in, buf, n);
		buf += n;
		off += n;
		len -= n;
	}
}

/* Copy @len bytes from @soff of @src's run to @doff of @dst's run. */
static void zsx_copy(const struct zsx_zspage *dst, unsigned int doff,
		     const struct zsx_zspage *src, unsigned int soff,
		     unsigned int len)
{
	unsigned int sin, din, n;
	char *s, *d;

	while (len) {
		sin = offset_in_page(soff);
		din = offset_in_page(doff);
		n = min3(len, (unsigned int)PAGE_SIZE - sin,
			 (unsigned int)PAGE_SIZE - din);
		s = kmap_local_page(src->pages[soff >> PAGE_SHIFT]);
		d = kmap_local_page(dst->pages[doff >> PAGE_SHIFT]);
		memcpy(d + din, s + sin, n);
		kunmap_local(d);
		kunmap_local(s);
		soff += n;
		doff += n;
		len -= n;
	}
}

/* ---- zspages ---- */

static struct zsx_zspage *zsx_zspage_new(struct zsx_pool *pool,
					 struct zsx_class *class, gfp_t gfp)
{
	struct zsx_zspage *zs;
	struct page *page;
	unsigned int i;

	zs = kzalloc(struct_size(zs, slot, class->objs), zsx_meta_gfp(gfp));
	if (!zs)
		return NULL;
	INIT_LIST_HEAD(&zs->node);
	INIT_LIST_HEAD(&zs->lru);
	zs->class = class;
	zs->pool = pool;
	atomic_set(&zs->mapped, 0);
	zs->state = ZSX_LISTED;
	for (i = 0; i < class->objs; i++)
		zs->slot[i] = ((unsigned long)(i + 1) << 1) | ZSX_FREE_TAG;
	zs->free_head = 0;

	for (i = 0; i < class->pages; i++) {
		page = alloc_page(zsx_page_gfp(pool, gfp));
		if (!page) {
			while (i--) {
				set_page_private(zs->pages[i], 0);
				__free_page(zs->pages[i]);
			}
			kfree(zs);
			return NULL;
		}
		set_page_private(page, (unsigned long)zs);
		zs->pages[i] = page;
	}
	/*
	 * Nobody else locks a page that is not movable yet, so the trylock
	 * works; if it ever did not, that page just stays unmovable.
	 */
	if (pool->movable) {
		for (i = 0; i < class->pages; i++) {
			page = zs->pages[i];
			if (trylock_page(page)) {
				__SetPageMovable(page, &zsx_mops);
				unlock_page(page);
			}
		}
	}
	atomic_long_add(class->pages, &pool->zp.pages);
	return zs;
}

/* Count a new zspage in its class and the pool; under pool->lock. */
static void zsx_zspage_link(struct zsx_pool *pool, struct zsx_zspage *zs)
{
	lockdep_assert_held(&pool->lock);
	zs->class->nr_zspages++;
	pool->nr_zspages++;
}

/* An empty zspage leaves its class and the pool; under pool->lock. */
static void zsx_zspage_unlink(struct zsx_pool *pool, struct zsx_zspage *zs)
{
	lockdep_assert_held(&pool->lock);
	zsx_group_del(zs);
	list_del_init(&zs->lru);
	zs->class->nr_zspages--;
	pool->nr_zspages--;
}

/*
 * Give back the pages of an unlinked empty zspage whose pages are all
 * locked by us, and its metadata.
 */
static void zsx_zspage_release(struct zsx_pool *pool, struct zsx_zspage *zs)
{
	unsigned int i, n = zs->class->pages;
	struct page *page;

	for (i = 0; i < n; i++) {
		page = zs->pages[i];
		if (PageMovable(page))
			__ClearPageMovable(page);
		set_page_private(page, 0);
		unlock_page(page);
		put_page(page);
	}
	kfree(zs);
	atomic_long_sub(n, &pool->zp.pages);
}

/* Lock every page of @zs without sleeping; all or none. */
static bool zsx_zspage_trylock(struct zsx_zspage *zs)
{
	unsigned int i, n = zs->class->pages;

	for (i = 0; i < n; i++) {
		if (!trylock_page(zs->pages[i])) {
			while (i--)
				unlock_page(zs->pages[i]);
			return false;
		}
	}
	return true;
}

/*
 * Free an unlinked empty zspage, under pool->lock: now if every page lock
 * can be had, else through the free work.
 */
static void zsx_zspage_dispose(struct zsx_pool *pool, struct zsx_zspage *zs)
{
	lockdep_assert_held(&pool->lock);
	if (zsx_zspage_trylock(zs)) {
		zsx_zspage_release(pool, zs);
		return;
	}
	zs->state = ZSX_DYING;
	list_add_tail(&zs->node, &pool->dying);
	schedule_work(&pool->free_work);
}

/* Free an unlinked empty zspage where we may sleep, with no lock held. */
static void zsx_zspage_dispose_sync(struct zsx_pool *pool,
				    struct zsx_zspage *zs)
{
	while (!zsx_zspage_trylock(zs))
		schedule_timeout_uninterruptible(1);
	zsx_zspage_release(pool, zs);
}

static void zsx_free_work(struct work_struct *work)
{
	struct zsx_pool *pool = container_of(work, struct zsx_pool, free_work);
	struct zsx_zspage *zs, *next;
	LIST_HEAD(list);

	spin_lock(&pool->lock);
	list_splice_init(&pool->dying, &list);
	spin_unlock(&pool->lock);

	list_for_each_entry_safe(zs, next, &list, node) {
		list_del_init(&zs->node);
		zsx_zspage_dispose_sync(pool, zs);
	}
}

/* ---- zpool driver ---- */

/*
 * The first zspage of the first non-empty group among @groups (in that
 * order) of @class, taken off its group list; NULL if all are empty.
 */
static struct zsx_zspage *zsx_take_first(struct zsx_class *class,
					 const enum zsx_group *groups,
					 unsigned int n)
{
	struct zsx_zspage *zs;
	unsigned int i;

	for (i = 0; i < n; i++) {
		zs = list_first_entry_or_null(&class->groups[groups[i]],
					      struct zsx_zspage, node);
		if (zs) {
			zsx_group_del(zs);
			return zs;
		}
	}
	return NULL;
}

/* The zspage of @class an object should go to; off its group list. */
static struct zsx_zspage *zsx_find_room(struct zsx_class *class)
{
	static const enum zsx_group order[] = {
		ZSX_ALMOST_FULL, ZSX_ALMOST_EMPTY, ZSX_EMPTY,
	};

	return zsx_take_first(class, order, ARRAY_SIZE(order));
}

static int zsx_malloc(void *p, size_t size, gfp_t gfp, unsigned long *handle)
{
	struct zsx_pool *pool = p;
	struct zsx_class *class;
	struct zsx_zspage *zs;
	struct zsx_handle *h;

	if (!size)
		return zpoolx_alloc_done(&pool->zp, size, 0, -EINVAL);
	if (size > PAGE_SIZE)
		return zpoolx_alloc_done(&pool->zp, size, 0, -ENOSPC);
	might_alloc(gfp);
	class = zsx_class_nr(pool,
			     pool->step_class[zsx_geo_step_of(&pool->geo, size)]);

	h = kmalloc(sizeof(*h), zsx_meta_gfp(gfp));
	if (!h)
		goto nomem;
	h->size = size;
	h->dead = 0;

	spin_lock(&pool->lock);
	zs = zsx_find_room(class);
	if (!zs) {
		/* Allocate with the caller's gfp, which may sleep: unlocked. */
		spin_unlock(&pool->lock);
		zs = zsx_zspage_new(pool, class, gfp);
		if (!zs) {
			kfree(h);
			goto nomem;
		}
		spin_lock(&pool->lock);
		zsx_zspage_link(pool, zs);
	}
	zsx_slot_take(zs, h);
	zsx_group_add(zs);
	list_move(&zs->lru, &pool->lru);
	spin_unlock(&pool->lock);

	*handle = (unsigned long)h;
	return zpoolx_alloc_done(&pool->zp, size, class->size, 0);

nomem:
	return zpoolx_alloc_done(&pool->zp, size, 0, -ENOMEM);
}

static void zsx_free(void *p, unsigned long handle)
{
	struct zsx_pool *pool = p;
	struct zsx_handle *h = zsx_handle_of(handle);
	struct zsx_zspage *zs;
	bool release = true;
	size_t size;

	spin_lock(&pool->lock);
	zs = h->zs;
	if (unlikely(h->dead || zs->pool != pool ||
		     zsx_slot_handle(zs, h->idx) != h)) {
		spin_unlock(&pool->lock);
		pr_err_ratelimited("pool %u: free of a handle that is not allocated, ignored\n",
				   pool->zp.id);
		return;
	}
	size = h->size;
	if (zs->state == ZSX_RECLAIMING) {
		/* The reclaimer owns the zspage and releases what it evicts. */
		if (zs->evicting == h) {
			h->dead = 1;
			release = false;
		} else {
			zsx_slot_release(zs, h->idx);
		}
	} else {
		zsx_group_del(zs);
		zsx_slot_release(zs, h->idx);
		if (zs->inuse) {
			zsx_group_add(zs);
		} else {
			zsx_zspage_unlink(pool, zs);
			zsx_zspage_dispose(pool, zs);
		}
	}
	spin_unlock(&pool->lock);

	if (release)
		kfree(h);
	zpoolx_count_free(&pool->zp, size);
}

static void *zsx_map(void *p, unsigned long handle, enum zpool_mapmode mm)
{
	struct zsx_pool *pool = p;
	struct zsx_handle *h = zsx_handle_of(handle);
	struct zsx_area *area;
	struct zsx_zspage *zs;
	struct page *page;
	unsigned int off, in;

	local_lock(&pool->area->lock);
	area = this_cpu_ptr(pool->area);

	spin_lock(&pool->lock);
	zs = h->zs;
	atomic_inc(&zs->mapped);
	off = zsx_offset(zs, h->idx);
	spin_unlock(&pool->lock);

	area->zs = zs;
	area->off = off;
	area->len = h->size;
	area->mode = mm;
	in = offset_in_page(off);
	page = zs->pages[off >> PAGE_SHIFT];
	if (in + h->size <= PAGE_SIZE && !PageHighMem(page)) {
		area->copied = false;
		return page_address(page) + in;
	}
	area->copied = true;
	if (mm != ZPOOL_MM_WO)
		zsx_read(zs, off, area->buf, h->size);
	return area->buf;
}

static void zsx_unmap(void *p, unsigned long handle)
{
	struct zsx_pool *pool = p;
	struct zsx_area *area = this_cpu_ptr(pool->area);
	struct zsx_zspage *zs = area->zs;

	if (area->copied && area->mode != ZPOOL_MM_RO)
		zsx_write(zs, area->off, area->buf, area->len);
	area->zs = NULL;
	/* Our writes are done before a mover can see the pin go. */
	smp_mb__before_atomic();
	atomic_dec(&zs->mapped);
	local_unlock(&pool->area->lock);
}

/* Is @zs pinned by a mapping?  Under pool->lock. */
static inline bool zsx_pinned(struct zsx_zspage *zs)
{
	return atomic_read_acquire(&zs->mapped) != 0;
}

static u64 zsx_total_size(void *p)
{
	struct zsx_pool *pool = p;

	return (u64)atomic_long_read(&pool->zp.pages) << PAGE_SHIFT;
}

/* ---- eviction ---- */

/*
 * Evict the objects of the coldest zspage (see "LRU and eviction").
 * Returns the pages freed (0: objects are left, the zspage went back),
 * -ENOENT if the LRU is empty.
 */
static int zsx_evict_coldest(struct zpoolx_pool *zp)
{
	struct zsx_pool *pool = zsx_of(zp);
	struct zsx_zspage *zs;
	struct zsx_handle *h;
	unsigned int idx, pages;
	int err = 0;

	spin_lock(&pool->lock);
	if (list_empty(&pool->lru)) {
		spin_unlock(&pool->lock);
		return -ENOENT;
	}
	zs = list_last_entry(&pool->lru, struct zsx_zspage, lru);
	list_del_init(&zs->lru);
	zsx_group_del(zs);
	zs->state = ZSX_RECLAIMING;

	for (idx = 0; idx < zs->class->objs && !err && zs->inuse; idx++) {
		h = zsx_slot_handle(zs, idx);
		if (!h)
			continue;
		zs->evicting = h;
		spin_unlock(&pool->lock);
		err = zpoolx_evict(&pool->zp, (unsigned long)h);
		spin_lock(&pool->lock);
		zs->evicting = NULL;
		if (h->dead) {
			zsx_slot_release(zs, h->idx);
			kfree(h);
		}
	}

	zs->state = ZSX_LISTED;
	pages = zs->class->pages;
	if (zs->inuse) {
		zsx_group_add(zs);
		list_add(&zs->lru, &pool->lru);
		spin_unlock(&pool->lock);
		return 0;
	}
	zsx_zspage_unlink(pool, zs);
	zsx_zspage_dispose(pool, zs);
	spin_unlock(&pool->lock);
	return pages;
}

/* ---- compaction ---- */

/* Free slots of @class's zspages, in whole zspages. */
static unsigned long zsx_class_slack(const struct zsx_class *class)
{
	return (class->nr_zspages * class->objs - class->objs_used) /
	       class->objs;
}

/* The sparsest unpinned zspage of @class that is not full, off its list. */
static struct zsx_zspage *zsx_pick_source(struct zsx_class *class)
{
	static const enum zsx_group order[] = {
		ZSX_ALMOST_EMPTY, ZSX_ALMOST_FULL,
	};
	struct zsx_zspage *zs;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		list_for_each_entry_reverse(zs, &class->groups[order[i]], node) {
			if (!zsx_pinned(zs)) {
				zsx_group_del(zs);
				return zs;
			}
		}
	}
	return NULL;
}

/* The fullest zspage of @class with a free slot, off its list. */
static struct zsx_zspage *zsx_pick_dest(struct zsx_class *class)
{
	static const enum zsx_group order[] = {
		ZSX_ALMOST_FULL, ZSX_ALMOST_EMPTY,
	};

	return zsx_take_first(class, order, ARRAY_SIZE(order));
}

/* Move objects from @src to @dst until one is empty or the other full. */
static void zsx_move_objects(struct zsx_zspage *dst, struct zsx_zspage *src)
{
	unsigned int idx, objs = src->class->objs, soff;
	struct zsx_handle *h;

	for (idx = 0; idx < objs && src->inuse && dst->inuse < objs; idx++) {
		h = zsx_slot_handle(src, idx);
		if (!h)
			continue;
		soff = zsx_offset(src, idx);
		zsx_slot_take(dst, h);
		zsx_copy(dst, zsx_offset(dst, h->idx), src, soff, h->size);
		zsx_slot_release(src, idx);
	}
}

static unsigned long zsx_compact_class(struct zsx_pool *pool,
				       struct zsx_class *class)
{
	struct zsx_zspage *src, *dst;
	unsigned long freed = 0;

	spin_lock(&pool->lock);
	while (zsx_class_slack(class) >= 1) {
		src = zsx_pick_source(class);
		if (!src)
			break;
		while (src->inuse) {
			dst = zsx_pick_dest(class);
			if (!dst)
				break;
			zsx_move_objects(dst, src);
			zsx_group_add(dst);
		}
		if (src->inuse) {
			zsx_group_add(src);
			break;
		}
		zsx_zspage_unlink(pool, src);
		zsx_zspage_dispose(pool, src);
		freed += class->pages;
		if (need_resched() || spin_needbreak(&pool->lock)) {
			spin_unlock(&pool->lock);
			cond_resched();
			spin_lock(&pool->lock);
		}
	}
	spin_unlock(&pool->lock);
	return freed;
}

static unsigned long zsx_compact_all(struct zsx_pool *pool)
{
	unsigned long freed = 0;
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++) {
		freed += zsx_compact_class(pool, zsx_class_nr(pool, i));
		cond_resched();
	}
	atomic_long_add(freed, &pool->compact_total);
	trace_zpoolx_compact(pool->zp.id, freed);
	return freed;
}

/* The backend's ->compact: on demand; may sleep. */
static unsigned long zsx_compact(struct zpoolx_pool *zp)
{
	struct zsx_pool *pool = zsx_of(zp);
	unsigned long freed = zsx_compact_all(pool);

	atomic_long_set(&pool->compact_last, freed);
	return freed;
}

static unsigned long zsx_shrink_count(struct shrinker *s,
				      struct shrink_control *sc)
{
	struct zsx_pool *pool = container_of(s, struct zsx_pool, shrinker);
	unsigned long pages = 0;
	unsigned int i;

	spin_lock(&pool->lock);
	for (i = 0; i < pool->nr_classes; i++)
		pages += zsx_class_slack(zsx_class_nr(pool, i)) *
			 zsx_class_nr(pool, i)->pages;
	spin_unlock(&pool->lock);
	return pages ?: SHRINK_EMPTY;
}

static unsigned long zsx_shrink_scan(struct shrinker *s,
				     struct shrink_control *sc)
{
	struct zsx_pool *pool = container_of(s, struct zsx_pool, shrinker);
	unsigned long freed = zsx_compact_all(pool);

	return freed ?: SHRINK_STOP;
}

/* ---- movable pages ---- */

static inline struct zsx_zspage *zsx_zspage_of(struct page *page)
{
	return (struct zsx_zspage *)page_private(page);
}

static bool zsx_isolate(struct page *page, isolate_mode_t mode)
{
	struct zsx_zspage *zs = zsx_zspage_of(page);
	struct zsx_pool *pool = zs->pool;
	bool ok;

	spin_lock(&pool->lock);
	ok = zs->state != ZSX_DYING;
	spin_unlock(&pool->lock);
	if (ok)
		atomic_long_inc(&pool->isolated);
	trace_zpoolx_migrate(pool->zp.id, ZPOOLX_MIGRATE_ISOLATE,
			     ok ? 0 : -EBUSY);
	return ok;
}

static int zsx_migrate(struct page *dst, struct page *src,
		       enum migrate_mode mode)
{
	struct zsx_zspage *zs = zsx_zspage_of(src);
	struct zsx_pool *pool = zs->pool;
	unsigned int i;
	int ret;

	/* The copy must be made under pool->lock, here. */
	if (mode == MIGRATE_SYNC_NO_COPY)
		goto fail_nolock;

	spin_lock(&pool->lock);
	if (zs->state == ZSX_DYING || zsx_pinned(zs))
		goto fail;
	for (i = 0; i < zs->class->pages && zs->pages[i] != src; i++)
		;
	if (WARN_ON_ONCE(i == zs->class->pages))
		goto fail;
	copy_highpage(dst, src);
	set_page_private(dst, (unsigned long)zs);
	__SetPageMovable(dst, &zsx_mops);
	get_page(dst);
	zs->pages[i] = dst;
	spin_unlock(&pool->lock);

	__ClearPageMovable(src);
	set_page_private(src, 0);
	put_page(src);
	atomic_long_inc(&pool->migrated);
	trace_zpoolx_migrate(pool->zp.id, ZPOOLX_MIGRATE_MIGRATE, 0);
	return MIGRATEPAGE_SUCCESS;

fail:
	spin_unlock(&pool->lock);
fail_nolock:
	ret = mode == MIGRATE_SYNC_NO_COPY ? -EINVAL : -EAGAIN;
	atomic_long_inc(&pool->migrate_failures);
	trace_zpoolx_migrate(pool->zp.id, ZPOOLX_MIGRATE_MIGRATE, ret);
	return ret;
}

static void zsx_putback(struct page *page)
{
	struct zsx_zspage *zs = zsx_zspage_of(page);

	atomic_long_inc(&zs->pool->putback);
	trace_zpoolx_migrate(zs->pool->zp.id, ZPOOLX_MIGRATE_PUTBACK, 0);
}

static const struct movable_operations zsx_mops = {
	.isolate_page = zsx_isolate,
	.migrate_page = zsx_migrate,
	.putback_page = zsx_putback,
};

/* ---- sysfs: per-class directories ---- */

static inline struct zsx_class *zsx_class_of_kobj(struct kobject *kobj)
{
	return container_of(kobj, struct zsx_class, kobj);
}

enum zsx_class_stat {
	ZSX_STAT_SIZE,
	ZSX_STAT_OBJS_PER_ZSPAGE,
	ZSX_STAT_PAGES_PER_ZSPAGE,
	ZSX_STAT_OBJS_ALLOCATED,
	ZSX_STAT_OBJS_USED,
	ZSX_STAT_PAGES_USED,
	ZSX_STAT_FULL,
	ZSX_STAT_ALMOST_FULL,
	ZSX_STAT_ALMOST_EMPTY,
	ZSX_STAT_EMPTY,
};

static unsigned long zsx_class_stat(struct zsx_class *class,
				    enum zsx_class_stat stat)
{
	switch (stat) {
	case ZSX_STAT_SIZE:
		return class->size;
	case ZSX_STAT_OBJS_PER_ZSPAGE:
		return class->objs;
	case ZSX_STAT_PAGES_PER_ZSPAGE:
		return class->pages;
	case ZSX_STAT_OBJS_ALLOCATED:
		return class->nr_zspages * class->objs;
	case ZSX_STAT_OBJS_USED:
		return class->objs_used;
	case ZSX_STAT_PAGES_USED:
		return class->nr_zspages * class->pages;
	case ZSX_STAT_FULL:
		return class->nr_group[ZSX_FULL];
	case ZSX_STAT_ALMOST_FULL:
		return class->nr_group[ZSX_ALMOST_FULL];
	case ZSX_STAT_ALMOST_EMPTY:
		return class->nr_group[ZSX_ALMOST_EMPTY];
	case ZSX_STAT_EMPTY:
		return class->nr_group[ZSX_EMPTY];
	}
	return 0;
}

#define ZSX_CLASS_ATTR(file, stat)					\
static ssize_t file##_show(struct kobject *kobj,			\
			   struct kobj_attribute *a, char *buf)		\
{									\
	struct zsx_class *class = zsx_class_of_kobj(kobj);		\
	unsigned long val;						\
									\
	spin_lock(&class->pool->lock);					\
	val = zsx_class_stat(class, stat);				\
	spin_unlock(&class->pool->lock);				\
	return sysfs_emit(buf, "%lu\n", val);				\
}									\
static struct kobj_attribute zsx_##file##_attr = __ATTR_RO(file)

ZSX_CLASS_ATTR(size, ZSX_STAT_SIZE);
ZSX_CLASS_ATTR(objs_per_zspage, ZSX_STAT_OBJS_PER_ZSPAGE);
ZSX_CLASS_ATTR(pages_per_zspage, ZSX_STAT_PAGES_PER_ZSPAGE);
ZSX_CLASS_ATTR(objs_allocated, ZSX_STAT_OBJS_ALLOCATED);
ZSX_CLASS_ATTR(objs_used, ZSX_STAT_OBJS_USED);
ZSX_CLASS_ATTR(pages_used, ZSX_STAT_PAGES_USED);
ZSX_CLASS_ATTR(zspages_full, ZSX_STAT_FULL);
ZSX_CLASS_ATTR(zspages_almost_full, ZSX_STAT_ALMOST_FULL);
ZSX_CLASS_ATTR(zspages_almost_empty, ZSX_STAT_ALMOST_EMPTY);
ZSX_CLASS_ATTR(zspages_empty, ZSX_STAT_EMPTY);

static struct attribute *zsx_class_attrs[] = {
	&zsx_size_attr.attr,
	&zsx_objs_per_zspage_attr.attr,
	&zsx_pages_per_zspage_attr.attr,
	&zsx_objs_allocated_attr.attr,
	&zsx_objs_used_attr.attr,
	&zsx_pages_used_attr.attr,
	&zsx_zspages_full_attr.attr,
	&zsx_zspages_almost_full_attr.attr,
	&zsx_zspages_almost_empty_attr.attr,
	&zsx_zspages_empty_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(zsx_class);

static const struct kobj_type zsx_class_ktype = {
	.release = zsx_class_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = zsx_class_groups,
};

static int zsx_classes_publish(struct zsx_pool *pool)
{
	struct zsx_class *class;
	unsigned int i;
	int ret;

	pool->classes_kobj = kobject_create_and_add("classes", &pool->zp.kobj);
	if (!pool->classes_kobj)
		return -ENOMEM;
	for (i = 0; i < pool->nr_classes; i++) {
		class = zsx_class_nr(pool, i);
		ret = kobject_add(&class->kobj, pool->classes_kobj, "%u",
				  class->size);
		if (ret)
			return ret;
		class->in_sysfs = true;
	}
	return 0;
}

/*
 * The class directories are added from a work item, just after the pool
 * is created: a pool has a hundred classes or more, each a directory of ten
 * files, and that many allocations do not belong in the creator's path (it
 * may be reclaiming memory).  If one fails, the pool works on without it.
 */
static void zsx_sysfs_work(struct work_struct *work)
{
	struct zsx_pool *pool = container_of(work, struct zsx_pool,
					     sysfs_work);
	int ret = zsx_classes_publish(pool);

	if (ret)
		pr_warn("pool %u: classes/ directory incomplete (%d)\n",
			pool->zp.id, ret);
}

/* Remove classes/ and its directories; waits for their sysfs handlers. */
static void zsx_classes_unpublish(struct zsx_pool *pool)
{
	struct zsx_class *class;
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++) {
		class = zsx_class_nr(pool, i);
		if (class->in_sysfs) {
			kobject_del(&class->kobj);
			class->in_sysfs = false;
		}
	}
	if (pool->classes_kobj) {
		kobject_put(pool->classes_kobj);
		pool->classes_kobj = NULL;
	}
}

/* ---- sysfs: extra files in /sys/kernel/zpoolx/pools/<id>/ ---- */

static inline struct zsx_pool *zsx_of_kobj(struct kobject *kobj)
{
	return zsx_of(container_of(kobj, struct zpoolx_pool, kobj));
}

#define ZSX_POOL_COUNTER(file, member)					\
static ssize_t file##_show(struct kobject *kobj,			\
			   struct kobj_attribute *a, char *buf)		\
{									\
	return sysfs_emit(buf, "%lu\n",					\
			  atomic_long_read(&zsx_of_kobj(kobj)->member)); \
}									\
static struct kobj_attribute zsx_##file##_attr = __ATTR_RO(file)

ZSX_POOL_COUNTER(pages_isolated, isolated);
ZSX_POOL_COUNTER(pages_migrated, migrated);
ZSX_POOL_COUNTER(pages_putback, putback);
ZSX_POOL_COUNTER(migrate_failures, migrate_failures);

static ssize_t max_zspage_pages_show(struct kobject *kobj,
				     struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", zsx_of_kobj(kobj)->chain_max);
}
static struct kobj_attribute zsx_max_zspage_pages_attr =
	__ATTR_RO(max_zspage_pages);

static ssize_t movable_show(struct kobject *kobj, struct kobj_attribute *a,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", zsx_of_kobj(kobj)->movable);
}
static struct kobj_attribute zsx_movable_attr = __ATTR_RO(movable);

static ssize_t compact_show(struct kobject *kobj, struct kobj_attribute *a,
			    char *buf)
{
	struct zsx_pool *pool = zsx_of_kobj(kobj);

	return sysfs_emit(buf, "last=%lu total=%lu\n",
			  atomic_long_read(&pool->compact_last),
			  atomic_long_read(&pool->compact_total));
}

/*
 * Writing 1 compacts the pool now.  Refused with nothing changed: anything
 * else (-EINVAL, -ERANGE; zpoolx_parse_uint()), a pool being destroyed
 * (-EBUSY).
 */
static ssize_t compact_store(struct kobject *kobj, struct kobj_attribute *a,
			     const char *buf, size_t count)
{
	struct zsx_pool *pool = zsx_of_kobj(kobj);
	unsigned int v;
	int ret;

	ret = zpoolx_parse_uint(buf, count, 10, &v);
	if (ret)
		return ret;
	if (v != 1)
		return -EINVAL;
	if (atomic_read(&pool->zp.state) != ZPOOLX_POOL_ACTIVE)
		return -EBUSY;
	mutex_lock(&pool->zp.writeback_lock);
	zsx_compact(&pool->zp);
	mutex_unlock(&pool->zp.writeback_lock);
	return count;
}
static struct kobj_attribute zsx_compact_attr = __ATTR_RW(compact);

static struct attribute *zsx_pool_attrs[] = {
	&zsx_compact_attr.attr,
	&zsx_pages_isolated_attr.attr,
	&zsx_pages_migrated_attr.attr,
	&zsx_pages_putback_attr.attr,
	&zsx_migrate_failures_attr.attr,
	&zsx_max_zspage_pages_attr.attr,
	&zsx_movable_attr.attr,
	NULL,
};

static const struct attribute_group zsx_pool_group = {
	.attrs = zsx_pool_attrs,
};

static const struct attribute_group *zsx_pool_groups[] = {
	&zsx_pool_group,
	NULL,
};

/* ---- pool life ---- */

static int zsx_area_alloc(struct zsx_pool *pool)
{
	struct zsx_area *area;
	unsigned int cpu;

	pool->area = alloc_percpu(struct zsx_area);
	if (!pool->area)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		area = per_cpu_ptr(pool->area, cpu);
		local_lock_init(&area->lock);
		area->buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
		if (!area->buf)
			return -ENOMEM;
	}
	return 0;
}

static void zsx_area_free(struct zsx_pool *pool)
{
	unsigned int cpu;

	if (!pool->area)
		return;
	for_each_possible_cpu(cpu)
		kfree(per_cpu_ptr(pool->area, cpu)->buf);
	free_percpu(pool->area);
	pool->area = NULL;
}

static void zsx_destroy(void *p);

static void *zsx_create(const char *name, gfp_t gfp,
			const struct zpool_ops *ops, struct zpool *zpool)
{
	struct zsx_pool *pool;

	/* Not @gfp: see "Page size" above. */
	pool = kvzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return NULL;
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->lru);
	INIT_LIST_HEAD(&pool->dying);
	INIT_WORK(&pool->free_work, zsx_free_work);
	INIT_WORK(&pool->sysfs_work, zsx_sysfs_work);
	pool->chain_max = READ_ONCE(zsx_chain_max);
	pool->movable = READ_ONCE(zsx_movable);

	/* From zpoolx_pool_init() on, the last put frees the pool. */
	if (zpoolx_pool_init(&pool->zp, &zpoolx_zsmalloc_backend, name, ops,
			     zpool) ||
	    zsx_area_alloc(pool) || zsx_classes_build(pool) ||
	    zpoolx_pool_publish(&pool->zp)) {
		zpoolx_pool_put(&pool->zp);
		return NULL;
	}
	pool->shrinker.count_objects = zsx_shrink_count;
	pool->shrinker.scan_objects = zsx_shrink_scan;
	pool->shrinker.seeks = DEFAULT_SEEKS;
	if (register_shrinker(&pool->shrinker, "zpoolx-zsmalloc-%u",
			      pool->zp.id))
		goto destroy;
	pool->shrinker_on = true;
	schedule_work(&pool->sysfs_work);
	return pool;

destroy:
	zsx_destroy(pool);
	return NULL;
}

static void zsx_destroy(void *p)
{
	struct zsx_pool *pool = p;
	struct zsx_zspage *zs, *next;
	struct zsx_handle *h;
	unsigned long bytes;
	unsigned int idx;
	LIST_HEAD(doomed);
	long live;

	if (pool->shrinker_on) {
		unregister_shrinker(&pool->shrinker);
		pool->shrinker_on = false;
	}
	cancel_work_sync(&pool->sysfs_work);
	zsx_classes_unpublish(pool);
	zpoolx_pool_unpublish(&pool->zp);
	cancel_work_sync(&pool->free_work);
	zsx_free_work(&pool->free_work);

	live = atomic_long_read(&pool->zp.objects);
	bytes = atomic_long_read(&pool->zp.stored_bytes);
	if (live)
		pr_warn("pool %u (%s): destroyed with %ld live objects (%lu bytes), freeing them\n",
			pool->zp.id, pool->zp.name, live, bytes);

	spin_lock(&pool->lock);
	list_splice_init(&pool->lru, &doomed);
	list_for_each_entry(zs, &doomed, lru) {
		zsx_group_del(zs);
		zs->class->nr_zspages--;
		pool->nr_zspages--;
		/* From now on migrate refuses it: its pages stay put. */
		zs->state = ZSX_DYING;
	}
	spin_unlock(&pool->lock);

	/* Nobody else can reach these zspages but the VM, page locked. */
	list_for_each_entry_safe(zs, next, &doomed, lru) {
		list_del_init(&zs->lru);
		for (idx = 0; idx < zs->class->objs; idx++) {
			h = zsx_slot_handle(zs, idx);
			if (!h)
				continue;
			zpoolx_count_free(&pool->zp, h->size);
			spin_lock(&pool->lock);
			zsx_slot_release(zs, idx);
			spin_unlock(&pool->lock);
			kfree(h);
		}
		zsx_zspage_dispose_sync(pool, zs);
		cond_resched();
	}
	zpoolx_pool_put(&pool->zp);
}

static void zsx_free_pool(struct zpoolx_pool *zp)
{
	struct zsx_pool *pool = zsx_of(zp);
	unsigned int i;

	/* The last put frees the class set: nothing reads it after that. */
	for (i = 0; i < pool->nr_classes; i++)
		kobject_put(&zsx_class_nr(pool, i)->kobj);
	zsx_area_free(pool);
	kvfree(pool);
}

struct zpoolx_backend zpoolx_zsmalloc_backend = {
	.name = "zsmalloc",
	.driver = {
		.type = "zpoolx_zsmalloc",
		.owner = THIS_MODULE,
		.create = zsx_create,
		.destroy = zsx_destroy,
		.malloc_support_movable = true,
		.malloc = zsx_malloc,
		.free = zsx_free,
		.shrink = zpoolx_shrink,
		.sleep_mapped = false,
		.map = zsx_map,
		.unmap = zsx_unmap,
		.total_size = zsx_total_size,
	},
	.evict_coldest = zsx_evict_coldest,
	.compact = zsx_compact,
	.pool_groups = zsx_pool_groups,
	.free = zsx_free_pool,
};

MODULE_ALIAS("zpool-zpoolx_zsmalloc");
