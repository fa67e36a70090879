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
 *   that costs least per object is picked, its k pages and its record's
 *   kmalloc bucket counted (zsx_rec_cost()); ties go to the shorter chain.
 *   A size that cannot
 *   put more objects than pages in a zspage gets one page per object: with
 *   a top run of such sizes this is the huge class, whose objects take a
 *   page each (its size is PAGE_SIZE).  Neighbouring sizes with the same
 *   (pages, objects) geometry share one class, the one of the largest of
 *   them: it wastes nothing more, and fewer classes mean fewer partly filled
 *   zspages.  max_zspage_pages defaults to 16: with object sizes spread
 *   evenly over 1..PAGE_SIZE bytes, the pages of a fully compacted pool are
 *   98.9% object bytes with chains of up to 16 pages (192 classes), 97.3%
 *   with 8 (119 classes) and 93.3% with 4 (69 classes; the kernel's chain
 *   length), before the metadata (see "Metadata") is added; with the
 *   records' kmalloc buckets counted (as the module picks chains) a
 *   compacted 4 KiB pool costs 1.023 bytes per byte stored with 16, 1.041
 *   with 8 (tests/host/geometry).  Long chains cost nothing while a class
 *   fills, as a zspage gets its pages one at a time (below); what they
 *   cost is that a writeback or a compaction step moves a whole zspage's
 *   worth of objects.
 *
 * Page size
 *   Nothing here assumes 4 KiB pages.  The step scales with PAGE_SIZE rather
 *   than staying 16 bytes, for three reasons: a fixed 16-byte step would make
 *   4095 sizes and about as many classes with 64 KiB pages (each a sysfs
 *   directory and a partly filled zspage); rounding to a scaled step costs
 *   the same share of a page at every page size, 0.2% on average, as at
 *   4 KiB; and a size of m steps gets the same zspage shape (pages, objects)
 *   at every page size (as far as the records' buckets let it), so a 16 or
 *   64 KiB pool is about the 4 KiB pool scaled, with the same waste in per
 *   cent, at most 256 size steps and about 190 classes at
 *   max_zspage_pages=16 (120 at 8).  A zspage never holds more than 256
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
 *   A zspage is up to k order-0 pages seen as one run of k * PAGE_SIZE
 *   bytes; slot i of its class starts at byte i * size of the run, so an
 *   object may start in one page and end in the next.  Pages hold object
 *   bytes only: every piece of metadata lives in the zspage's record,
 *   struct zsx_zspage (kmalloc'ed, never moves), whose slot array holds,
 *   per slot, either the handle of the object in it or, tagged with bit 0,
 *   the index of the next free slot.
 *
 * Lazily populated zspages
 *   A zspage gets its pages one at a time, when a slot first needs one:
 *   the free list holds freed slots first (most recent first), then the
 *   slots never used, in order, so freed slots are reused before a page
 *   is added, the pages present are always the first ones of the run, and
 *   the next slot needs at most one more page.  malloc() gets that page
 *   (and a new record, when the class has no room) with the caller's gfp
 *   and the lock dropped, then looks again; compaction, under the lock,
 *   tries a page allocation that does not sleep.  So a class's partly
 *   filled zspage holds less than a page of free room, where a zspage
 *   allocated whole would hold half its chain on average.  A slot is
 *   usable when it lies wholly in the pages present (zspage cap); a
 *   class's objs_allocated counts the usable slots, pages_used the pages
 *   present.
 *
 * Handles
 *   A handle is the address of a struct zsx_handle, one 64-bit word from
 *   the module's kmem_cache "zpoolx_zs_handle", that says where the object
 *   starts now (the pfn of the page holding its first byte and the offset
 *   in that page) and how big it is.  The page leads to the zspage
 *   (->private), its place in the chain and the offset to the slot.
 *   Compaction moves an object and rewrites its word, migration replaces a
 *   page and rewrites the words of the objects that start in it
 *   (zsx_relocate()), both under the class's lock; neither changes the
 *   handle nor the size bits of its word, so handles stay valid while
 *   objects move, and free() and map() find the object's class from the
 *   size without a lock (an object never changes class), then take that
 *   class's lock to read where it is.
 *
 * Metadata (counted in metadata_bytes, and so in total_size and in what
 * zswap holds to max_pool_percent)
 *   Per object a handle (8 bytes, the size included) and a slot (8 on
 *   64-bit); per zspage a record of 64 bytes, 8 per page of the chain and
 *   the slots, rounded up to its kmalloc bucket; per pool the pool
 *   structure, the classes and a PAGE_SIZE buffer per possible CPU.
 *   Nothing per object is kept that can be derived: the zspage and slot
 *   come from the handle's page and offset, the class from the zspage.
 *
 * Mapping
 *   sleep_mapped is false: map() takes the pool's per-CPU area lock (a
 *   local_lock, so preemption stays off until unmap()), then, under its
 *   class's lock, reads the object's place and pins its zspage
 *   (zs->mapped).
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
 *   dropped when the pool is not movable; compaction's are GFP_NOWAIT).
 *   Fields used:
 *     ->private   the struct zsx_zspage the page belongs to (0 when not a
 *                 pool page any more); no PG_private.  Handles name the
 *                 page by its pfn, so migration rewrites them.
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
 * Fullness groups (per class, lists under the class's lock)
 *   empty (no object), almost_empty (up to 3/4 of the slots used),
 *   almost_full (more than 3/4 used but not all), full.  Allocation picks
 *   almost_full first, then almost_empty; compaction drains the sparsest
 *   zspages into the fullest.  A zspage that empties is freed at once, so
 *   the empty group only ever holds a zspage for an instant.  A zspage under
 *   eviction is off its group list and counted in no group.  (Fullness
 *   counts objects against the chain's slots, pages present or not.)
 *
 * LRU and eviction
 *   Each class keeps its zspages not under eviction on its own LRU list,
 *   under its lock: a zspage moves to its head, stamped with jiffies, when
 *   an object is allocated in it (a malloc touches nothing pool-wide).
 *   shrink() and the core's writeback (->evict_coldest) read the tail of
 *   every class's list, one class lock at a time, and take the one with
 *   the oldest stamp: the pool's least recently allocated-in zspage, to
 *   a jiffy.  That zspage comes off its LRU and its group list, marked
 *   ZSX_RECLAIMING: no allocation or compaction touches it then.  For each
 *   object still in it (read under the class's lock just before the call)
 *   the lock is dropped and zpoolx_evict() called; the slot in
 *   flight is zs->evicting, and a free() of it meanwhile only marks it dead
 *   (the evict callback may still map it: the bytes stay) and the reclaimer
 *   releases it after the callback.  Eviction stops at the first failure:
 *   the zspage then goes back to its group and the LRU head with its data
 *   intact; if it emptied, the reclaimer frees it, waiting for its page
 *   locks if need be, and returns the pages given back, which the core's
 *   loop counts in reclaimed_pages: a page counted there is free.
 *
 * Compaction
 *   Per class, while its usable free slots add up to a page: take the
 *   sparsest unpinned zspage (fewest objects, searched through its group
 *   lists) as source, move its objects one by one into the fullest other
 *   zspages (copy, then rewrite the handle record), and free it; stop at
 *   the first source that cannot be emptied.  Everything is done under
 *   the class's lock, dropped between sources.  Run from the pool's
 *   `compact` file, from ->compact, from the pool's shrinker under memory
 *   pressure (its count, the pages compaction could free, is the sum of
 *   what each class keeps up to date under its lock, read without the
 *   locks), and from the pool's
 *   compaction work as
 *   soon as a class's free slots have grown by ZSX_SLACK_COMPACT pages
 *   since it was last compacted (or since they were fewest); the
 *   pages given back are counted (compact: last=, total=).
 *
 * Movable pages (struct movable_operations, mm/migrate.c contract)
 *   The VM calls isolate, migrate and putback with the page locked
 *   (PG_lock), so the page, and therefore its zspage, cannot be given back
 *   meanwhile: freeing a zspage needs every page lock.  isolate refuses a
 *   dying zspage and counts pages_isolated.  migrate (both pages locked)
 *   refuses MIGRATE_SYNC_NO_COPY (the copy must be done under the class's
 *   lock), a pinned or dying zspage (-EAGAIN, counted in
 *   migrate_failures); otherwise, under the class's lock (the zspage, and
 *   so its class, is known from the locked page), it copies the page, puts
 *   the new page in
 *   the zspage, makes it movable and takes a reference on it, then clears
 *   the old page's movability and drops our reference (the VM frees it).
 *   putback counts pages_putback.  A zspage freed while one of its pages is
 *   isolated clears that page's movability under its lock and drops our
 *   reference; the VM notices (!PageMovable) and finishes the page itself.
 *   An unlinked zspage is marked ZSX_DYING.  When a page lock cannot be
 *   taken at once (free() and compaction run under spinlocks) it is put
 *   on pool->dying and freed by the pool's work item, which retries the
 *   locks where it may sleep; its pages are counted as given back only
 *   then.
 *
 * Locking
 *   class->lock (spinlock, one per class, on a cacheline of its own)
 *   guards the class (its lists and counts, its LRU), every zspage of it
 *   (record, slots) and the handle words of its objects; the contents of
 *   its pages are moved (compaction, migration) only under it.  No
 *   operation holds two class locks: an object, and so its handle, its
 *   zspage and its pages, belong to one class for life.
 *   pool->dying_lock (spinlock) guards pool->dying only.  The per-CPU
 *   area lock (local_lock) is held from map() to unmap().  The pool's
 *   counters are per-CPU (objects, stored and metadata bytes, in the
 *   core) or atomic and moved a page at a time (pages, migration and
 *   compaction counts); the shrinker's count is summed from the classes:
 *   a malloc or a free writes no cacheline that every CPU shares, but
 *   for a new page.  Order:
 *
 *     pool->zp.writeback_lock (core, mutex; sysfs writeback and compact)
 *       -> area lock (local_lock, map..unmap)
 *         -> creator's locks (zswap takes its tree lock while mapped and
 *            calls free() under it)
 *           -> class->lock (spinlock; one at a time)
 *             -> pool->dying_lock (spinlock)
 *             -> page locks (trylock_page only)
 *
 *   No lock of this file is held across evict(), which sleeps, nor across
 *   an allocation that may sleep; no lock of this file is taken from
 *   interrupt context (the zpool API is used from process context).  The
 *   shrinker and the compaction work take one class lock at a time (and
 *   page locks); the free work takes pool->dying_lock alone, then sleeps
 *   on page locks with no lock held.
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
#define ZSX_CHAIN_DEFAULT	16U

/* A free slot: the next free slot's index << 1, tagged with bit 0. */
#define ZSX_FREE_TAG		1UL

/*
 * A class whose free slots grew by this many pages since it was last
 * compacted (or since they were fewest) is compacted by the pool's
 * compaction work, without waiting for memory pressure.  In pages, not
 * zspages: two zspages of 16 pages left up to 32 pages of holes per class
 * after churn (the bench's files: 207 bytes of free slots per stored page,
 * against 106 in the kernel's pool).  A mark rather than a level: holes
 * spread over many zspages may leave nothing to free yet, and the class
 * is tried again once they have grown by as much again.
 */
#define ZSX_SLACK_COMPACT	2

/* Slot indexes (struct zsx_handle.idx) and class numbers fit. */
static_assert(ZSX_GEO_MAX_OBJS <= U16_MAX);
static_assert(ZSX_GEO_MAX_STEPS - 1 <= U8_MAX);
/* Byte offsets in a zspage fit an unsigned int, and a chain a u8. */
static_assert((u64)ZSX_CHAIN_LIMIT * PAGE_SIZE - 1 <= UINT_MAX);
static_assert(ZSX_CHAIN_LIMIT <= U8_MAX);
/* A zspage record's tail is one array of words: pages, then slots. */
static_assert(sizeof(struct page *) == sizeof(unsigned long));

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
		 "zsmalloc: longest zspage chain in pages, 1..16 (default 16), for pools created afterwards");
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
	ZSX_DYING,	/* empty and unlinked: its pages are being given back */
};

struct zsx_pool;
struct zsx_class;
struct zsx_zspage;

/**
 * struct zsx_handle - what a handle points to: one 64-bit word
 * @word:	where the object starts and its size, from the top bit down:
 *		the pfn of the page holding its first byte, its offset in
 *		that page in 16-byte units (object offsets are multiples of
 *		the size step, 16 bytes at least), and the size given to
 *		malloc less one (PAGE_SHIFT bits):
 *		pfn << ZSX_H_PFN_SHIFT | offset >> 4 << ZSX_H_OFF_SHIFT |
 *		(size - 1)
 *
 * Written under its class's lock; its size bits may be read without it.
 * Allocated from zsx_handle_cache, shared by every
 * pool (metadata: its object size, 8 bytes).  The page leads to the zspage
 * (page->private) and the slot: nothing that can be derived is kept, and
 * the size, which cannot, rides in the word's low bits rather than in a
 * per-slot array of the record.  A u64 on 32-bit kernels too, so that any
 * pfn fits there.
 */
struct zsx_handle {
	u64 word;
};

#define ZSX_H_SIZE_MASK		(BIT_ULL(PAGE_SHIFT) - 1)
#define ZSX_H_OFF_SHIFT		PAGE_SHIFT
#define ZSX_H_OFF_UNIT_SHIFT	4
#define ZSX_H_OFF_MASK		(BIT_ULL(PAGE_SHIFT - ZSX_H_OFF_UNIT_SHIFT) - 1)
#define ZSX_H_PFN_SHIFT		(2 * PAGE_SHIFT - ZSX_H_OFF_UNIT_SHIFT)
static_assert(ZSX_GEO_MIN_STEP_SHIFT >= ZSX_H_OFF_UNIT_SHIFT);
/* Every pfn fits above the offset and the size. */
#if defined(MAX_POSSIBLE_PHYSMEM_BITS)
#define ZSX_PHYS_BITS		MAX_POSSIBLE_PHYSMEM_BITS
#elif defined(MAX_PHYSMEM_BITS)
#define ZSX_PHYS_BITS		MAX_PHYSMEM_BITS
#else
#define ZSX_PHYS_BITS		BITS_PER_LONG
#endif
static_assert(ZSX_H_PFN_SHIFT + ZSX_PHYS_BITS - PAGE_SHIFT <= 64);

/**
 * struct zsx_zspage - metadata of one zspage (its record)
 * @node:	entry in its class's group list, or in pool->dying
 * @lru:	entry in class->lru
 * @class:	its size class (and through it, its pool)
 * @mapped:	objects mapped now (pin; incremented under class->lock)
 * @stamp:	jiffies when an object was last allocated in it (the LRU's
 *		order across classes, see "LRU and eviction")
 * @inuse:	slots holding an object
 * @free_head:	first free slot, class->objs if none
 * @cap:	usable slots: those lying wholly in the pages present
 * @evicting:	the slot its reclaimer is evicting now (while ZSX_RECLAIMING)
 * @nr_pages:	pages present, @pages[0..@nr_pages - 1]
 * @group:	enum zsx_group, valid while on a group list
 * @on_group:	@node is on a group list
 * @state:	enum zsx_state
 * @evict_dead:	the object in slot @evicting was freed during its eviction
 * @pages:	class->pages page pointers, of which the first @nr_pages are
 *		present, followed by class->objs slots (zsx_slots()): per
 *		slot, a struct zsx_handle *, or a free slot (ZSX_FREE_TAG)
 *
 * Guarded by class->lock, except @mapped (atomic) and the pages of a mapped
 * object, which may be read without it while @mapped pins the zspage.
 * The record is kmalloc()ed at class->rec_size bytes (metadata:
 * class->rec_bytes, the kmalloc bucket).
 */
struct zsx_zspage {
	struct list_head node;
	struct list_head lru;
	struct zsx_class *class;
	atomic_t mapped;
	u32 stamp;
	u16 inuse;
	u16 free_head;
	u16 cap;
	u16 evicting;
	u8 nr_pages;
	u8 group;
	bool on_group;
	u8 state;
	bool evict_dead;
	struct page *pages[];
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
 * @nr_slots:	usable slots of those zspages (the sum of their @cap)
 * @nr_pages:	pages present in those zspages
 * @objs_used:	slots holding an object
 * @lock:	guards the class, its zspages and its objects' handles, on
 *		a cacheline of its own with the fields the hot paths touch
 * @lru:	the class's zspages not under eviction, most recently
 *		allocated in first
 * @slack_pages: zsx_class_slack(), as last counted: the class's part of
 *		the shrinker's count (written under @lock, read without it)
 * @compact_at:	slack at which the compaction work is to compact the class
 *		(ZSX_SLACK_COMPACT above the slack it was left with, or
 *		above the least it had since)
 * @rec_size:	bytes of a zspage record
 * @rec_bytes:	what one costs: its kmalloc bucket
 * @set:	the allocation holding this class
 * @compact_queued: the pool's compaction work is to compact this class
 * @in_sysfs:	@kobj was added
 *
 * Everything but @kobj, @pool and the geometry is guarded by @lock.
 */
struct zsx_class {
	struct kobject kobj;
	struct zsx_class_set *set;
	struct zsx_pool *pool;
	unsigned int size;
	unsigned int pages;
	unsigned int objs;
	spinlock_t lock ____cacheline_aligned_in_smp;
	struct list_head lru;
	struct list_head groups[ZSX_NR_GROUPS];
	unsigned long nr_group[ZSX_NR_GROUPS];
	unsigned long nr_zspages;
	unsigned long nr_slots;
	unsigned long nr_pages;
	unsigned long objs_used;
	unsigned long slack_pages;
	unsigned long compact_at;
	unsigned int rec_size;
	unsigned int rec_bytes;
	bool compact_queued;
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
 * @dying_lock:	guards @dying (see "Locking" above)
 * @dying:	empty zspages waiting for @free_work
 * @free_work:	frees the zspages on @dying
 * @compact_work: compacts the classes marked compact_queued
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
	spinlock_t dying_lock;
	struct list_head dying;
	struct work_struct free_work;
	struct work_struct compact_work;
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

/* ---- handles ---- */

static struct kmem_cache *zsx_handle_cache;

static int zsx_backend_init(void)
{
	zsx_handle_cache = kmem_cache_create("zpoolx_zs_handle",
					     sizeof(struct zsx_handle), 0, 0,
					     NULL);
	return zsx_handle_cache ? 0 : -ENOMEM;
}

static void zsx_backend_exit(void)
{
	kmem_cache_destroy(zsx_handle_cache);
}

/*
 * Handles are counted in metadata_bytes as live objects times their
 * object size (struct zpoolx_pool.object_meta), not one by one here.
 */
static struct zsx_handle *zsx_handle_alloc(gfp_t gfp)
{
	struct zsx_handle *h;

	h = kmem_cache_alloc(zsx_handle_cache, zsx_meta_gfp(gfp));
	if (!h)
		return NULL;
	h->word = 0;
	return h;
}

static void zsx_handle_free(struct zsx_handle *h)
{
	kmem_cache_free(zsx_handle_cache, h);
}

/* ---- size classes ---- */

/* Class number @nr (0..nr_classes - 1, largest size first) of @pool. */
static inline struct zsx_class *zsx_class_nr(const struct zsx_pool *pool,
					     unsigned int nr)
{
	return &pool->class_set->class[nr];
}

/* The class of an object of @size bytes (1..PAGE_SIZE). */
static inline struct zsx_class *zsx_class_of(const struct zsx_pool *pool,
					     unsigned int size)
{
	return zsx_class_nr(pool,
			    pool->step_class[zsx_geo_step_of(&pool->geo, size)]);
}

static void zsx_class_release(struct kobject *kobj)
{
	struct zsx_class_set *set = container_of(kobj, struct zsx_class,
						 kobj)->set;

	if (atomic_dec_and_test(&set->refs))
		kvfree(set);
}

static const struct kobj_type zsx_class_ktype;

/* Bytes of the record of a zspage of @pages pages and @objs slots. */
static unsigned int zsx_rec_size(unsigned int pages, unsigned int objs)
{
	return struct_size_t(struct zsx_zspage, pages, pages + objs);
}

/*
 * What such a record costs: its kmalloc bucket.  The geometry picks each
 * class's chain length with it (struct zsx_geo.rec_cost), so that a chain
 * whose record would just spill into the next bucket loses to one that
 * costs less per object, pages and record together.
 */
static unsigned int zsx_rec_cost(unsigned int pages, unsigned int objs)
{
	return kmalloc_size_roundup(zsx_rec_size(pages, objs));
}

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
	pool->geo.rec_cost = zsx_rec_cost;
	if (WARN_ON_ONCE(pool->geo.nr_steps > ZSX_GEO_MAX_STEPS))
		return -EINVAL;
	n = zsx_geo_build(&pool->geo, pool->step_class);
	set = kvzalloc(struct_size(set, class, n), GFP_KERNEL);
	if (!set)
		return -ENOMEM;
	zpoolx_count_meta(&pool->zp,
			  kmalloc_size_roundup(struct_size(set, class, n)));
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
		class->rec_size = zsx_rec_size(shape.pages, shape.objs);
		class->rec_bytes = zsx_rec_cost(shape.pages, shape.objs);
		class->compact_at = ZSX_SLACK_COMPACT;
		spin_lock_init(&class->lock);
		INIT_LIST_HEAD(&class->lru);
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

	lockdep_assert_held(&zs->class->lock);
	list_add(&zs->node, &class->groups[g]);
	class->nr_group[g]++;
	zs->group = g;
	zs->on_group = true;
}

static void zsx_group_del(struct zsx_zspage *zs)
{
	lockdep_assert_held(&zs->class->lock);
	if (!zs->on_group)
		return;
	list_del_init(&zs->node);
	zs->class->nr_group[zs->group]--;
	zs->on_group = false;
}

/* ---- slack: what compaction could free ---- */

/* Free usable slots of @class's zspages, in whole pages of slot bytes. */
static inline unsigned long zsx_class_slack(const struct zsx_class *class)
{
	return ((class->nr_slots - class->objs_used) * class->size) >>
	       PAGE_SHIFT;
}

/*
 * After the counts of @class changed: bring class->slack_pages (its part
 * of the shrinker's count, read without the lock) up to date, and have the
 * compaction work compact the class when its slack reaches its mark,
 * class->compact_at.  Only on the way up: a class that compaction could
 * not bring below it is not queued again by every free; the mark follows
 * the slack down, so it is ZSX_SLACK_COMPACT pages above the least slack
 * since the last compaction.  The shrinker still sees every page of slack.
 * Under class->lock.
 */
static void zsx_class_counted(struct zsx_class *class)
{
	struct zsx_pool *pool = class->pool;
	unsigned long slack = zsx_class_slack(class);
	unsigned long was = class->slack_pages;

	lockdep_assert_held(&class->lock);
	if (slack == was)
		return;
	WRITE_ONCE(class->slack_pages, slack);
	if (slack + ZSX_SLACK_COMPACT < class->compact_at)
		class->compact_at = slack + ZSX_SLACK_COMPACT;
	if (slack >= class->compact_at && was < class->compact_at &&
	    !class->compact_queued &&
	    atomic_read(&pool->zp.state) == ZPOOLX_POOL_ACTIVE) {
		class->compact_queued = true;
		schedule_work(&pool->compact_work);
	}
}

/* ---- slots ---- */

static inline unsigned long *zsx_slots(const struct zsx_zspage *zs)
{
	return (unsigned long *)&zs->pages[zs->class->pages];
}

/*
 * The size given to malloc for the object of @h.  Set by malloc and never
 * changed while the object lives (moves rewrite the word but keep its
 * size bits), so it may be read without the class lock, and with it the
 * object's class: an object never changes class.
 */
static inline unsigned int zsx_obj_size(const struct zsx_handle *h)
{
	return (READ_ONCE(h->word) & ZSX_H_SIZE_MASK) + 1;
}

static inline struct zsx_handle *zsx_slot_handle(const struct zsx_zspage *zs,
						 unsigned int idx)
{
	unsigned long v = zsx_slots(zs)[idx];

	return (v & ZSX_FREE_TAG) ? NULL : (struct zsx_handle *)v;
}

/*
 * Pages from the zspage's first that slot @idx of @class needs.  The free
 * list holds the slots freed since, most recent first, then the slots never
 * used, in order; so the first free slot lies in the pages present or, if
 * it was never used, needs at most one more page (an object is at most a
 * page): the pages present are always the first ones.
 */
static inline unsigned int zsx_pages_for(const struct zsx_class *class,
					 unsigned int idx)
{
	return DIV_ROUND_UP((idx + 1) * class->size, PAGE_SIZE);
}

static inline unsigned int zsx_offset(const struct zsx_zspage *zs,
				      unsigned int idx)
{
	return idx * zs->class->size;
}

/*
 * Point @h at slot @idx of @zs, whose first page is present; the size in
 * @h stays.
 */
static inline void zsx_set_loc(struct zsx_handle *h,
			       const struct zsx_zspage *zs, unsigned int idx)
{
	unsigned int off = zsx_offset(zs, idx);

	WRITE_ONCE(h->word,
		   (u64)page_to_pfn(zs->pages[off >> PAGE_SHIFT]) <<
			ZSX_H_PFN_SHIFT |
		   (u64)(offset_in_page(off) >> ZSX_H_OFF_UNIT_SHIFT) <<
			ZSX_H_OFF_SHIFT |
		   (h->word & ZSX_H_SIZE_MASK));
}

/*
 * The zspage and slot @h points to; under @class->lock, @class being the
 * one of @h's size (zsx_class_of()).  NULL if @h does not point into a
 * zspage of @class (a handle freed already, or never allocated: best
 * effort, for the error message of free()).
 */
static struct zsx_zspage *zsx_locate(struct zsx_class *class,
				     const struct zsx_handle *h,
				     unsigned int *idx)
{
	unsigned long pfn = h->word >> ZSX_H_PFN_SHIFT;
	unsigned int in, i;
	struct zsx_zspage *zs;
	struct page *page;

	if (unlikely(!pfn_valid(pfn)))
		return NULL;
	page = pfn_to_page(pfn);
	zs = (struct zsx_zspage *)page_private(page);
	if (unlikely(!zs || zs->class != class))
		return NULL;
	for (i = 0; i < zs->nr_pages && zs->pages[i] != page; i++)
		;
	if (unlikely(i == zs->nr_pages))
		return NULL;
	in = ((h->word >> ZSX_H_OFF_SHIFT) & ZSX_H_OFF_MASK) <<
	     ZSX_H_OFF_UNIT_SHIFT;
	*idx = (i * PAGE_SIZE + in) / zs->class->size;
	if (unlikely(*idx >= zs->class->objs || zsx_slot_handle(zs, *idx) != h))
		return NULL;
	return zs;
}

/*
 * Put @h, an object of @size bytes, in the first free slot of @zs, which
 * has one, usable; returns the slot.
 */
static unsigned int zsx_slot_take(struct zsx_zspage *zs, struct zsx_handle *h,
				  unsigned int size)
{
	unsigned long *slot = zsx_slots(zs);
	unsigned int idx = zs->free_head;

	WARN_ON_ONCE(idx >= zs->cap);
	zs->free_head = slot[idx] >> 1;
	slot[idx] = (unsigned long)h;
	WRITE_ONCE(h->word, size - 1);
	zs->inuse++;
	zs->class->objs_used++;
	zsx_set_loc(h, zs, idx);
	zsx_class_counted(zs->class);
	return idx;
}

static void zsx_slot_release(struct zsx_zspage *zs, unsigned int idx)
{
	unsigned long *slot = zsx_slots(zs);

	slot[idx] = ((unsigned long)zs->free_head << 1) | ZSX_FREE_TAG;
	zs->free_head = idx;
	zs->inuse--;
	zs->class->objs_used--;
	zsx_class_counted(zs->class);
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

/*
 * A new zspage record of @class: no page yet, every slot free, not linked.
 * The pages come one by one, as slots first need them (zsx_page_add()).
 */
static struct zsx_zspage *zsx_zspage_new(struct zsx_pool *pool,
					 struct zsx_class *class, gfp_t gfp)
{
	struct zsx_zspage *zs;
	unsigned long *slot;
	unsigned int i;

	zs = kmalloc(class->rec_size, zsx_meta_gfp(gfp) | __GFP_ZERO);
	if (!zs)
		return NULL;
	zpoolx_count_meta(&pool->zp, class->rec_bytes);
	INIT_LIST_HEAD(&zs->node);
	INIT_LIST_HEAD(&zs->lru);
	zs->class = class;
	atomic_set(&zs->mapped, 0);
	zs->state = ZSX_LISTED;
	slot = zsx_slots(zs);
	for (i = 0; i < class->objs; i++)
		slot[i] = ((unsigned long)(i + 1) << 1) | ZSX_FREE_TAG;
	zs->free_head = 0;
	return zs;
}

/* Free a zspage record that never had a page. */
static void zsx_zspage_drop(struct zsx_pool *pool, struct zsx_zspage *zs)
{
	zpoolx_count_meta(&pool->zp, -(long)zs->class->rec_bytes);
	kfree(zs);
}

/* A page for a zspage of @pool. */
static inline struct page *zsx_page_alloc(struct zsx_pool *pool, gfp_t gfp)
{
	return alloc_page(zsx_page_gfp(pool, gfp));
}

/*
 * Add @page, fresh from the page allocator, as the next page of @zs, which
 * is linked; under class->lock.
 */
static void zsx_page_add(struct zsx_zspage *zs, struct page *page)
{
	struct zsx_class *class = zs->class;
	struct zsx_pool *pool = class->pool;
	unsigned int cap;

	lockdep_assert_held(&class->lock);
	set_page_private(page, (unsigned long)zs);
	zs->pages[zs->nr_pages++] = page;
	cap = min_t(unsigned int, class->objs,
		    zs->nr_pages * PAGE_SIZE / class->size);
	class->nr_slots += cap - zs->cap;
	zs->cap = cap;
	class->nr_pages++;
	atomic_long_inc(&pool->zp.pages);
	/*
	 * Nobody else knows the page yet: the lock is ours.  It becomes
	 * movable last, with @zs already right for isolate and migrate.
	 */
	if (pool->movable && !WARN_ON_ONCE(!trylock_page(page))) {
		__SetPageMovable(page, &zsx_mops);
		unlock_page(page);
	}
	zsx_class_counted(class);
}

/* Count a new zspage in its class; under class->lock. */
static void zsx_zspage_link(struct zsx_zspage *zs)
{
	lockdep_assert_held(&zs->class->lock);
	zs->class->nr_zspages++;
}

/*
 * An empty zspage leaves its class and the pool, off every list, and is
 * marked dying: isolate and migrate refuse it from now on.  Under
 * class->lock.
 */
static void zsx_zspage_unlink(struct zsx_zspage *zs)
{
	struct zsx_class *class = zs->class;

	lockdep_assert_held(&class->lock);
	zsx_group_del(zs);
	list_del_init(&zs->lru);
	zs->state = ZSX_DYING;
	class->nr_zspages--;
	class->nr_slots -= zs->cap;
	class->nr_pages -= zs->nr_pages;
	zsx_class_counted(class);
}

/*
 * Give back the pages of an unlinked empty zspage whose pages are all
 * locked by us, and its record.  Returns the pages given back.
 */
static unsigned int zsx_zspage_release(struct zsx_pool *pool,
				       struct zsx_zspage *zs)
{
	unsigned int i, n = zs->nr_pages;
	struct page *page;

	for (i = 0; i < n; i++) {
		page = zs->pages[i];
		if (PageMovable(page))
			__ClearPageMovable(page);
		set_page_private(page, 0);
		unlock_page(page);
		put_page(page);
	}
	zsx_zspage_drop(pool, zs);
	atomic_long_sub(n, &pool->zp.pages);
	return n;
}

/* Lock every page of @zs without sleeping; all or none. */
static bool zsx_zspage_trylock(struct zsx_zspage *zs)
{
	unsigned int i, n = zs->nr_pages;

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
 * Free an unlinked empty zspage, under class->lock: now if every page lock
 * can be had, else through the free work.  Returns the pages given back
 * now (0 if that was left to the work).
 */
static unsigned int zsx_zspage_dispose(struct zsx_pool *pool,
				       struct zsx_zspage *zs)
{
	lockdep_assert_held(&zs->class->lock);
	if (zsx_zspage_trylock(zs))
		return zsx_zspage_release(pool, zs);
	spin_lock(&pool->dying_lock);
	list_add_tail(&zs->node, &pool->dying);
	spin_unlock(&pool->dying_lock);
	schedule_work(&pool->free_work);
	return 0;
}

/*
 * Free an unlinked empty zspage where we may sleep, with no lock held;
 * returns the pages given back.  A page lock is held only by the VM, for
 * the time of one isolate, migrate or putback call, each of which returns
 * at once for a dying zspage.
 */
static unsigned int zsx_zspage_dispose_sync(struct zsx_pool *pool,
					    struct zsx_zspage *zs)
{
	while (!zsx_zspage_trylock(zs))
		schedule_timeout_uninterruptible(1);
	return zsx_zspage_release(pool, zs);
}

static void zsx_free_work(struct work_struct *work)
{
	struct zsx_pool *pool = container_of(work, struct zsx_pool, free_work);
	struct zsx_zspage *zs, *next;
	LIST_HEAD(list);

	spin_lock(&pool->dying_lock);
	list_splice_init(&pool->dying, &list);
	spin_unlock(&pool->dying_lock);

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

/*
 * What malloc() gets ready unlocked for a zspage it finds under the lock:
 * a new zspage record and a page (the first free slot needs one page at
 * most, see zsx_pages_for()).
 */
struct zsx_stock {
	struct zsx_zspage *fresh;
	struct page *page;
};

/*
 * The zspage of @class the next object goes to, off its group list, with
 * the page its first free slot needs; under class->lock.  NULL if that
 * takes what @st does not hold: *@want_fresh says whether a new zspage is
 * wanted.  Allocation picks the fullest groups first, so a zspage is
 * filled, and its pages added, before another one is begun.
 */
static struct zsx_zspage *zsx_room(struct zsx_class *class,
				   struct zsx_stock *st, bool *want_fresh)
{
	static const enum zsx_group order[] = {
		ZSX_ALMOST_FULL, ZSX_ALMOST_EMPTY, ZSX_EMPTY,
	};
	struct zsx_zspage *zs;
	unsigned int need;

	zs = zsx_take_first(class, order, ARRAY_SIZE(order));
	*want_fresh = !zs;
	if (!zs) {
		if (!st->fresh || !st->page)
			return NULL;
		zs = st->fresh;
		st->fresh = NULL;
		zsx_zspage_link(zs);
	}
	need = zsx_pages_for(class, zs->free_head);
	if (need > zs->nr_pages) {
		if (!st->page) {
			zsx_group_add(zs);
			return NULL;
		}
		zsx_page_add(zs, st->page);
		st->page = NULL;
	}
	return zs;
}

static int zsx_malloc(void *p, size_t size, gfp_t gfp, unsigned long *handle)
{
	struct zsx_pool *pool = p;
	struct zsx_stock st = { };
	struct zsx_class *class;
	struct zsx_zspage *zs;
	struct zsx_handle *h;
	bool want_fresh;
	int ret = 0;

	if (!size)
		return zpoolx_alloc_done(&pool->zp, size, 0, -EINVAL);
	if (size > PAGE_SIZE)
		return zpoolx_alloc_done(&pool->zp, size, 0, -ENOSPC);
	might_alloc(gfp);
	class = zsx_class_of(pool, size);

	h = zsx_handle_alloc(gfp);
	if (!h)
		return zpoolx_alloc_done(&pool->zp, size, 0, -ENOMEM);

	spin_lock(&class->lock);
	while (!(zs = zsx_room(class, &st, &want_fresh))) {
		/* Allocate with the caller's gfp, which may sleep: unlocked. */
		spin_unlock(&class->lock);
		if (want_fresh && !st.fresh)
			st.fresh = zsx_zspage_new(pool, class, gfp);
		if (!st.page)
			st.page = zsx_page_alloc(pool, gfp);
		if ((want_fresh && !st.fresh) || !st.page) {
			ret = -ENOMEM;
			goto out;
		}
		spin_lock(&class->lock);
	}
	zsx_slot_take(zs, h, size);
	zsx_group_add(zs);
	zs->stamp = (u32)jiffies;
	list_move(&zs->lru, &class->lru);
	spin_unlock(&class->lock);
	*handle = (unsigned long)h;
out:
	/* What another malloc() made unneeded meanwhile. */
	if (st.page)
		__free_page(st.page);
	if (st.fresh)
		zsx_zspage_drop(pool, st.fresh);
	if (ret) {
		zsx_handle_free(h);
		return zpoolx_alloc_done(&pool->zp, size, 0, ret);
	}
	return zpoolx_alloc_done(&pool->zp, size, class->size, 0);
}

static void zsx_free(void *p, unsigned long handle)
{
	struct zsx_pool *pool = p;
	struct zsx_handle *h = zsx_handle_of(handle);
	size_t size = zsx_obj_size(h);
	struct zsx_class *class = zsx_class_of(pool, size);
	struct zsx_zspage *zs;
	bool release = true;
	unsigned int idx;

	spin_lock(&class->lock);
	zs = zsx_locate(class, h, &idx);
	if (unlikely(!zs || (zs->state == ZSX_RECLAIMING &&
			     zs->evicting == idx && zs->evict_dead))) {
		spin_unlock(&class->lock);
		pr_err_ratelimited("pool %u: free of a handle that is not allocated, ignored\n",
				   pool->zp.id);
		return;
	}
	if (zs->state == ZSX_RECLAIMING) {
		/* The reclaimer owns the zspage and releases what it evicts. */
		if (zs->evicting == idx) {
			zs->evict_dead = true;
			release = false;
		} else {
			zsx_slot_release(zs, idx);
		}
	} else {
		zsx_group_del(zs);
		zsx_slot_release(zs, idx);
		if (zs->inuse) {
			zsx_group_add(zs);
		} else {
			zsx_zspage_unlink(zs);
			zsx_zspage_dispose(pool, zs);
		}
	}
	spin_unlock(&class->lock);

	if (release)
		zsx_handle_free(h);
	zpoolx_count_free(&pool->zp, size);
}

static void *zsx_map(void *p, unsigned long handle, enum zpool_mapmode mm)
{
	struct zsx_pool *pool = p;
	struct zsx_handle *h = zsx_handle_of(handle);
	unsigned int len = zsx_obj_size(h), off, in, idx;
	struct zsx_class *class = zsx_class_of(pool, len);
	struct zsx_area *area;
	struct zsx_zspage *zs;
	struct page *page;

	local_lock(&pool->area->lock);
	area = this_cpu_ptr(pool->area);

	spin_lock(&class->lock);
	zs = zsx_locate(class, h, &idx);
	if (WARN_ON_ONCE(!zs)) {
		spin_unlock(&class->lock);
		local_unlock(&pool->area->lock);
		return NULL;
	}
	atomic_inc(&zs->mapped);
	off = zsx_offset(zs, idx);
	spin_unlock(&class->lock);

	area->zs = zs;
	area->off = off;
	area->len = len;
	area->mode = mm;
	in = offset_in_page(off);
	page = zs->pages[off >> PAGE_SHIFT];
	if (in + len <= PAGE_SIZE && !PageHighMem(page)) {
		area->copied = false;
		return page_address(page) + in;
	}
	area->copied = true;
	if (mm != ZPOOL_MM_WO)
		zsx_read(zs, off, area->buf, len);
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

/* Is @zs pinned by a mapping?  Under class->lock. */
static inline bool zsx_pinned(struct zsx_zspage *zs)
{
	return atomic_read_acquire(&zs->mapped) != 0;
}

static u64 zsx_total_size(void *p)
{
	struct zsx_pool *pool = p;

	return zpoolx_total_size(&pool->zp);
}

/* ---- eviction ---- */

/*
 * Evict the objects of the coldest zspage (see "LRU and eviction").
 * Returns the pages given back (0: objects are left, the zspage went
 * back), -ENOENT if the LRU is empty.  An emptied zspage is freed here,
 * waiting for its page locks if the VM holds one: the pages returned are
 * really back in the page allocator.
 */
/*
 * The class whose coldest zspage was allocated in longest ago; NULL if no
 * class has a zspage on its LRU.  Each class is locked in turn to read its
 * tail: eviction runs a few times per zspage of writeback, and the hot
 * paths pay nothing for it.
 */
static struct zsx_class *zsx_coldest_class(struct zsx_pool *pool)
{
	struct zsx_class *class, *best = NULL;
	struct zsx_zspage *zs;
	u32 best_stamp = 0;
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++) {
		class = zsx_class_nr(pool, i);
		spin_lock(&class->lock);
		zs = list_empty(&class->lru) ? NULL :
		     list_last_entry(&class->lru, struct zsx_zspage, lru);
		if (zs && (!best || (s32)(zs->stamp - best_stamp) < 0)) {
			best = class;
			best_stamp = zs->stamp;
		}
		spin_unlock(&class->lock);
	}
	return best;
}

static int zsx_evict_coldest(struct zpoolx_pool *zp)
{
	struct zsx_pool *pool = zsx_of(zp);
	struct zsx_class *class;
	struct zsx_zspage *zs;
	struct zsx_handle *h;
	unsigned int idx;
	int err = 0;

	class = zsx_coldest_class(pool);
	if (!class)
		return -ENOENT;
	spin_lock(&class->lock);
	if (list_empty(&class->lru)) {
		/* Emptied meanwhile: the core's loop asks again. */
		spin_unlock(&class->lock);
		return 0;
	}
	zs = list_last_entry(&class->lru, struct zsx_zspage, lru);
	list_del_init(&zs->lru);
	zsx_group_del(zs);
	zs->state = ZSX_RECLAIMING;

	for (idx = 0; idx < class->objs && !err && zs->inuse; idx++) {
		h = zsx_slot_handle(zs, idx);
		if (!h)
			continue;
		zs->evicting = idx;
		zs->evict_dead = false;
		spin_unlock(&class->lock);
		err = zpoolx_evict(&pool->zp, (unsigned long)h);
		spin_lock(&class->lock);
		if (zs->evict_dead) {
			zsx_slot_release(zs, idx);
			zsx_handle_free(h);
		}
		zs->evict_dead = false;
	}

	if (zs->inuse) {
		zs->state = ZSX_LISTED;
		zsx_group_add(zs);
		zs->stamp = (u32)jiffies;
		list_add(&zs->lru, &class->lru);
		spin_unlock(&class->lock);
		return 0;
	}
	zsx_zspage_unlink(zs);
	spin_unlock(&class->lock);
	return zsx_zspage_dispose_sync(pool, zs);
}

/* ---- compaction ---- */

/*
 * The sparsest zspage of @class that is neither full nor pinned, off its
 * list.  The almost_empty group holds the sparser ones: the fullest
 * group is searched only if it has none.
 */
static struct zsx_zspage *zsx_pick_source(struct zsx_class *class)
{
	static const enum zsx_group order[] = {
		ZSX_ALMOST_EMPTY, ZSX_ALMOST_FULL,
	};
	struct zsx_zspage *zs, *best = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(order) && !best; i++) {
		list_for_each_entry(zs, &class->groups[order[i]], node) {
			if (zsx_pinned(zs))
				continue;
			if (!best || zs->inuse < best->inuse)
				best = zs;
			if (best->inuse == 1)
				break;
		}
	}
	if (best)
		zsx_group_del(best);
	return best;
}

/* The fullest zspage of @class with a free slot, off its list. */
static struct zsx_zspage *zsx_pick_dest(struct zsx_class *class)
{
	static const enum zsx_group order[] = {
		ZSX_ALMOST_FULL, ZSX_ALMOST_EMPTY,
	};
	struct zsx_zspage *zs, *best = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(order) && !best; i++)
		list_for_each_entry(zs, &class->groups[order[i]], node)
			if (!best || zs->inuse > best->inuse)
				best = zs;
	if (best)
		zsx_group_del(best);
	return best;
}

/*
 * Move objects from @src to @dst until @src is empty or @dst full; under
 * class->lock.  A page @dst's next slot needs is allocated without
 * sleeping; returns false if that failed (@dst can take nothing more now).
 */
static bool zsx_move_objects(struct zsx_zspage *dst, struct zsx_zspage *src)
{
	struct zsx_pool *pool = src->class->pool;
	unsigned int idx, objs = src->class->objs, size, to;
	struct zsx_handle *h;
	struct page *page;

	for (idx = 0; idx < objs && src->inuse && dst->inuse < objs; idx++) {
		h = zsx_slot_handle(src, idx);
		if (!h)
			continue;
		if (zsx_pages_for(dst->class, dst->free_head) > dst->nr_pages) {
			page = zsx_page_alloc(pool, GFP_NOWAIT | __GFP_NOWARN |
					      __GFP_HIGHMEM | __GFP_MOVABLE);
			if (!page)
				return false;
			zsx_page_add(dst, page);
		}
		size = zsx_obj_size(h);
		to = zsx_slot_take(dst, h, size);
		zsx_copy(dst, zsx_offset(dst, to), src, zsx_offset(src, idx),
			 size);
		zsx_slot_release(src, idx);
	}
	return true;
}

/*
 * Compact @class: while its free slots add up to a page, move the objects
 * of the sparsest zspage into the fullest ones and free it if it empties;
 * stop at the first that does not (its holes are then fewer, and it is
 * the first source next time).  Returns the pages
 * given back, which are counted in compact_total as they go (under the
 * lock, with the pool's pages), so that the two always agree.
 */
static unsigned long zsx_compact_class(struct zsx_pool *pool,
				       struct zsx_class *class)
{
	struct zsx_zspage *src, *dst;
	unsigned long freed = 0;
	unsigned int n;
	bool more = true;

	spin_lock(&class->lock);
	while (more && zsx_class_slack(class) >= 1) {
		src = zsx_pick_source(class);
		if (!src)
			break;
		while (src->inuse && more) {
			dst = zsx_pick_dest(class);
			if (!dst)
				break;
			more = zsx_move_objects(dst, src);
			zsx_group_add(dst);
		}
		if (src->inuse) {
			zsx_group_add(src);
			break;
		}
		zsx_zspage_unlink(src);
		n = zsx_zspage_dispose(pool, src);
		atomic_long_add(n, &pool->compact_total);
		freed += n;
		if (need_resched() || spin_needbreak(&class->lock)) {
			spin_unlock(&class->lock);
			cond_resched();
			spin_lock(&class->lock);
		}
	}
	class->compact_queued = false;
	class->compact_at = zsx_class_slack(class) + ZSX_SLACK_COMPACT;
	spin_unlock(&class->lock);
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
	trace_zpoolx_compact(pool->zp.id, freed);
	return freed;
}

/* The pool's compaction work: the classes whose slack called for it. */
static void zsx_compact_work(struct work_struct *work)
{
	struct zsx_pool *pool = container_of(work, struct zsx_pool,
					     compact_work);
	struct zsx_class *class;
	unsigned long freed = 0;
	unsigned int i;
	bool queued;

	for (i = 0; i < pool->nr_classes; i++) {
		class = zsx_class_nr(pool, i);
		spin_lock(&class->lock);
		queued = class->compact_queued;
		spin_unlock(&class->lock);
		if (queued) {
			freed += zsx_compact_class(pool, class);
			cond_resched();
		}
	}
	if (freed)
		trace_zpoolx_compact(pool->zp.id, freed);
}

/* The backend's ->compact: on demand; may sleep. */
static unsigned long zsx_compact(struct zpoolx_pool *zp)
{
	struct zsx_pool *pool = zsx_of(zp);
	unsigned long freed = zsx_compact_all(pool);

	atomic_long_set(&pool->compact_last, freed);
	return freed;
}

/*
 * The shrinker's count: the classes' slack, each kept up to date by
 * zsx_class_counted() and read here without a lock (a count may lag an
 * operation behind; nothing on the hot paths writes a pool-wide count).
 */
static unsigned long zsx_shrink_count(struct shrinker *s,
				      struct shrink_control *sc)
{
	struct zsx_pool *pool = container_of(s, struct zsx_pool, shrinker);
	unsigned long pages = 0;
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++)
		pages += READ_ONCE(zsx_class_nr(pool, i)->slack_pages);
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
	struct zsx_class *class = zs->class;
	struct zsx_pool *pool = class->pool;
	bool ok;

	spin_lock(&class->lock);
	ok = zs->state != ZSX_DYING;
	spin_unlock(&class->lock);
	if (ok)
		atomic_long_inc(&pool->isolated);
	trace_zpoolx_migrate(pool->zp.id, ZPOOLX_MIGRATE_ISOLATE,
			     ok ? 0 : -EBUSY);
	return ok;
}

/*
 * Page @i of @zs was replaced: point the handles of the objects that
 * start in it at the new page.  Under class->lock.
 */
static void zsx_relocate(struct zsx_zspage *zs, unsigned int i)
{
	unsigned int size = zs->class->size;
	unsigned int idx = DIV_ROUND_UP(i * PAGE_SIZE, size);
	unsigned int end = min(DIV_ROUND_UP((i + 1) * PAGE_SIZE, size),
			       zs->class->objs);
	struct zsx_handle *h;

	for (; idx < end; idx++) {
		h = zsx_slot_handle(zs, idx);
		if (h)
			zsx_set_loc(h, zs, idx);
	}
}

static int zsx_migrate(struct page *dst, struct page *src,
		       enum migrate_mode mode)
{
	struct zsx_zspage *zs = zsx_zspage_of(src);
	struct zsx_class *class = zs->class;
	struct zsx_pool *pool = class->pool;
	unsigned int i;
	int ret;

	/* The copy must be made under class->lock, here. */
	if (mode == MIGRATE_SYNC_NO_COPY)
		goto fail_nolock;

	spin_lock(&class->lock);
	if (zs->state == ZSX_DYING || zsx_pinned(zs))
		goto fail;
	for (i = 0; i < zs->nr_pages && zs->pages[i] != src; i++)
		;
	if (WARN_ON_ONCE(i == zs->nr_pages))
		goto fail;
	copy_highpage(dst, src);
	set_page_private(dst, (unsigned long)zs);
	__SetPageMovable(dst, &zsx_mops);
	get_page(dst);
	zs->pages[i] = dst;
	zsx_relocate(zs, i);
	spin_unlock(&class->lock);

	__ClearPageMovable(src);
	set_page_private(src, 0);
	put_page(src);
	atomic_long_inc(&pool->migrated);
	trace_zpoolx_migrate(pool->zp.id, ZPOOLX_MIGRATE_MIGRATE, 0);
	return MIGRATEPAGE_SUCCESS;

fail:
	spin_unlock(&class->lock);
fail_nolock:
	ret = mode == MIGRATE_SYNC_NO_COPY ? -EINVAL : -EAGAIN;
	atomic_long_inc(&pool->migrate_failures);
	trace_zpoolx_migrate(pool->zp.id, ZPOOLX_MIGRATE_MIGRATE, ret);
	return ret;
}

static void zsx_putback(struct page *page)
{
	struct zsx_zspage *zs = zsx_zspage_of(page);
	struct zsx_pool *pool = zs->class->pool;

	atomic_long_inc(&pool->putback);
	trace_zpoolx_migrate(pool->zp.id, ZPOOLX_MIGRATE_PUTBACK, 0);
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
		return class->nr_slots;
	case ZSX_STAT_OBJS_USED:
		return class->objs_used;
	case ZSX_STAT_PAGES_USED:
		return class->nr_pages;
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
	spin_lock(&class->lock);					\
	val = zsx_class_stat(class, stat);				\
	spin_unlock(&class->lock);					\
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
		zpoolx_count_meta(&pool->zp, sizeof(*area) +
				  kmalloc_size_roundup(PAGE_SIZE));
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
	spin_lock_init(&pool->dying_lock);
	INIT_LIST_HEAD(&pool->dying);
	INIT_WORK(&pool->free_work, zsx_free_work);
	INIT_WORK(&pool->compact_work, zsx_compact_work);
	INIT_WORK(&pool->sysfs_work, zsx_sysfs_work);
	zpoolx_count_meta(&pool->zp, kmalloc_size_roundup(sizeof(*pool)));
	/* Handles are metadata, counted per live object by the core. */
	pool->zp.object_meta = kmem_cache_size(zsx_handle_cache);
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
	struct zsx_class *class;
	struct zsx_handle *h;
	unsigned long bytes;
	unsigned int idx, i;
	LIST_HEAD(doomed);
	long live;

	if (pool->shrinker_on) {
		unregister_shrinker(&pool->shrinker);
		pool->shrinker_on = false;
	}
	cancel_work_sync(&pool->sysfs_work);
	/* The pool is no longer active: nothing queues compact_work again. */
	zsx_classes_unpublish(pool);
	zpoolx_pool_unpublish(&pool->zp);
	cancel_work_sync(&pool->compact_work);
	cancel_work_sync(&pool->free_work);
	zsx_free_work(&pool->free_work);

	live = zpoolx_objects(&pool->zp);
	bytes = zpoolx_stored_bytes(&pool->zp);
	if (live)
		pr_warn("pool %u (%s): destroyed with %ld live objects (%lu bytes), freeing them\n",
			pool->zp.id, pool->zp.name, live, bytes);

	/*
	 * Unlinked (and so dying: migrate refuses them, their pages stay put),
	 * the zspages can be reached by nobody else but the VM, page locked.
	 */
	for (i = 0; i < pool->nr_classes; i++) {
		class = zsx_class_nr(pool, i);
		spin_lock(&class->lock);
		while ((zs = list_first_entry_or_null(&class->lru,
						      struct zsx_zspage,
						      lru))) {
			zsx_zspage_unlink(zs);
			list_add_tail(&zs->node, &doomed);
		}
		spin_unlock(&class->lock);
	}

	list_for_each_entry_safe(zs, next, &doomed, node) {
		list_del_init(&zs->node);
		for (idx = 0; idx < zs->class->objs; idx++) {
			h = zsx_slot_handle(zs, idx);
			if (!h)
				continue;
			zpoolx_count_free(&pool->zp, zsx_obj_size(h));
			spin_lock(&zs->class->lock);
			zsx_slot_release(zs, idx);
			spin_unlock(&zs->class->lock);
			zsx_handle_free(h);
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
	.init = zsx_backend_init,
	.exit = zsx_backend_exit,
	.pool_groups = zsx_pool_groups,
	.free = zsx_free_pool,
};

MODULE_ALIAS("zpool-zpoolx_zsmalloc");
