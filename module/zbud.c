// SPDX-License-Identifier: GPL-2.0
/*
 * zbud.c - the zbud backend of zpoolx, zpool type "zpoolx_zbud".
 *
 * What this file owns
 *   The zpool driver "zpoolx_zbud" (zpoolx_zbud_backend), one struct
 *   zbx_pool per zpool_create_pool(), every page such a pool takes from
 *   the page allocator, the pool's lists, and three extra files in the
 *   pool's sysfs directory: unbuddied_pages, buddied_pages and
 *   reclaiming_pages.  The counters of the embedded struct zpoolx_pool
 *   are kept exact here: pages (the rest move in the helpers of
 *   zpoolx.h and in the core's reclaim loop).
 *
 * Page layout
 *   Every pool page is split into 2^ZBX_CHUNK_ORDER chunks of
 *   ZBX_CHUNK_SIZE bytes (64 bytes with 4 KiB pages).  The first chunk
 *   holds the page's header, struct zbx_hdr; the other ZBX_DATA_CHUNKS
 *   chunks hold at most two objects, the "buddies":
 *
 *     +--------+-----------------+ - - - - - - +------------------+
 *     | header | first buddy ... |    room     | ... last buddy   |
 *     +--------+-----------------+ - - - - - - +------------------+
 *     0        ZBX_CHUNK_SIZE                  PAGE_SIZE - n chunks
 *
 *   The first buddy starts right after the header, the last buddy ends at
 *   the end of the page, so whatever is free is always one run of chunks
 *   in the middle, and when one buddy goes that run grows into its place.
 *   An object takes a whole number of chunks; the largest one takes every
 *   data chunk (ZBX_MAX_OBJ bytes, 4032 with 4 KiB pages) and then the
 *   page has no room for a buddy.
 *
 * Handles
 *   A handle is the kernel virtual address of the object's first byte.
 *   Objects start on a chunk boundary, so bit 0 is free and tells the
 *   slot: set for the last buddy (ZBX_TAG_LAST).  handle & PAGE_MASK is the
 *   header.  map() returns the address with the tag cleared: pool pages are
 *   lowmem, mapped linearly, so every map mode is the same and nothing is
 *   copied; unmap() does nothing and mapping never sleeps nor blocks.
 *
 * struct page
 *   None of its fields are used.  Pool pages are plain order-0 pages from
 *   alloc_page(), never compound, never movable (__GFP_MOVABLE is masked
 *   off: they cannot be migrated) and never highmem (__GFP_HIGHMEM is
 *   masked off, so page_address() is always valid); they go back with
 *   __free_page().  page->lru, ->private, ->mapping and the page flags stay
 *   the page allocator's.  All metadata lives in the header chunk.
 *
 * Lists (all under pool->lock)
 *   unbuddied[n]  pages with one buddy and n free chunks (1 <= n)
 *   buddied       pages that cannot take another object: two buddies, or
 *                 one buddy that fills every data chunk
 *   lru           every page except those under reclaim; a page moves to
 *                 the head when an object is allocated into it, so the
 *                 tail is the page whose newest object is the oldest
 *   A page under reclaim is on none of these lists.
 *
 * Locking
 *   pool->lock (spinlock) guards the lists, the three page counts behind
 *   the extra sysfs files, and the header of every page of the pool.  It
 *   is never held across the creator's evict(), the page allocator's
 *   allocation path, or anything else that may sleep, and nothing is taken
 *   inside it: it is always the innermost lock.  Order:
 *
 *     pool->writeback_lock (core, mutex; sysfs "writeback" only)
 *       -> creator's locks (zswap calls zpool_free() under its tree lock,
 *          and its evict() takes them too)
 *         -> pool->lock
 *
 *   The zpool API is never used from interrupt context (zswap calls it
 *   from process context), so plain spin_lock() is enough.
 *
 * Reclaim protocol (shrink, and the core's sysfs writeback)
 *   1. Under pool->lock, take the page at the LRU tail off the LRU and off
 *      its unbuddied/buddied list and mark it reclaiming.  From now on no
 *      malloc can place an object in it, and a free of one of its buddies
 *      only clears that buddy (chunks 0), without touching lists or the
 *      page: the reclaimer owns the page.
 *   2. For each buddy still allocated (checked under pool->lock, just
 *      before each call, so a buddy freed meanwhile, e.g. by the evict of
 *      the other buddy, is never evicted), drop the lock and call the
 *      creator's evict(handle), which normally writes the object back and
 *      calls zpool_free(handle).  Stop at the first evict that fails.
 *   3. Under pool->lock, clear the mark.  If both buddies are free now the
 *      reclaimer frees the page (exactly once: nobody else frees a page
 *      that is marked).  Otherwise what is left is intact: the page goes
 *      back to the list that matches its buddies and to the LRU head, so
 *      that the next attempt tries another page.
 *   zbx_evict_coldest() does this for one page; the core's
 *   zpoolx_reclaim() repeats it until enough pages are freed (see there
 *   for when it gives up and what it returns).
 *
 * Destroying a pool with live objects frees them all and says so with one
 * pr_warn() line giving their number.  zpool's contract is that the
 * creator neither shrinks nor frees into a pool that it is destroying;
 * the core's sysfs handlers are drained by zpoolx_pool_unpublish().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "zpoolx.h"

#define ZBX_CHUNK_ORDER		6
#define ZBX_CHUNK_SHIFT		(PAGE_SHIFT - ZBX_CHUNK_ORDER)
#define ZBX_CHUNK_SIZE		(1UL << ZBX_CHUNK_SHIFT)
#define ZBX_HDR_CHUNKS		1
#define ZBX_DATA_CHUNKS		((1U << ZBX_CHUNK_ORDER) - ZBX_HDR_CHUNKS)
#define ZBX_MAX_OBJ		((size_t)ZBX_DATA_CHUNKS << ZBX_CHUNK_SHIFT)
#define ZBX_TAG_LAST		1UL

enum zbx_slot {
	ZBX_FIRST,
	ZBX_LAST,
	ZBX_SLOTS,
};

/* Which pool list a page is on, besides the LRU. */
enum zbx_list {
	ZBX_LIST_NONE,
	ZBX_LIST_UNBUDDIED,
	ZBX_LIST_BUDDIED,
};

struct zbx_pool;

/**
 * struct zbx_hdr - the header in the first chunk of every pool page
 * @fit:	entry in pool->unbuddied[room] or pool->buddied
 * @lru:	entry in pool->lru
 * @pool:	the owning pool, checked on free; NULL once the page is freed
 * @bytes:	per slot, the size given to malloc (0 when the slot is free)
 * @chunks:	per slot, the chunks the object takes (0 when free)
 * @list:	enum zbx_list, the list @fit is on
 * @reclaiming:	the page is off every list and owned by a reclaimer
 *
 * Every field is guarded by pool->lock.
 */
struct zbx_hdr {
	struct list_head fit;
	struct list_head lru;
	struct zbx_pool *pool;
	unsigned int bytes[ZBX_SLOTS];
	u8 chunks[ZBX_SLOTS];
	u8 list;
	bool reclaiming;
};

static_assert(sizeof(struct zbx_hdr) <= (ZBX_HDR_CHUNKS << ZBX_CHUNK_SHIFT));
static_assert(ZBX_DATA_CHUNKS <= U8_MAX);

/**
 * struct zbx_pool - one zpoolx_zbud pool
 * @zp:		the part the core manages (sysfs directory, counters)
 * @lock:	see "Locking" above
 * @unbuddied:	pages with one buddy, indexed by free chunks (index 0 unused)
 * @buddied:	pages with no room for another object
 * @lru:	pages not under reclaim, most recently allocated into first
 * @nr_unbuddied: pages on the unbuddied lists
 * @nr_buddied:	pages on the buddied list
 * @nr_reclaiming: pages under reclaim
 */
struct zbx_pool {
	struct zpoolx_pool zp;
	spinlock_t lock;
	struct list_head unbuddied[ZBX_DATA_CHUNKS];
	struct list_head buddied;
	struct list_head lru;
	unsigned long nr_unbuddied;
	unsigned long nr_buddied;
	unsigned long nr_reclaiming;
};

static inline struct zbx_pool *zbx_of(struct zpoolx_pool *zp)
{
	/* zpoolx_shrink() takes the pool create() returned as a zpoolx_pool */
	BUILD_BUG_ON(offsetof(struct zbx_pool, zp) != 0);
	return container_of(zp, struct zbx_pool, zp);
}

static inline unsigned int zbx_chunks_for(size_t size)
{
	return DIV_ROUND_UP(size, ZBX_CHUNK_SIZE);
}

static inline unsigned int zbx_room(const struct zbx_hdr *h)
{
	return ZBX_DATA_CHUNKS - h->chunks[ZBX_FIRST] - h->chunks[ZBX_LAST];
}

static inline bool zbx_is_empty(const struct zbx_hdr *h)
{
	return !h->chunks[ZBX_FIRST] && !h->chunks[ZBX_LAST];
}

static inline unsigned long zbx_handle(const struct zbx_hdr *h,
				       enum zbx_slot slot)
{
	unsigned long base = (unsigned long)h;

	if (slot == ZBX_FIRST)
		return base + (ZBX_HDR_CHUNKS << ZBX_CHUNK_SHIFT);
	return (base + PAGE_SIZE -
		((unsigned long)h->chunks[ZBX_LAST] << ZBX_CHUNK_SHIFT)) |
	       ZBX_TAG_LAST;
}

static inline struct zbx_hdr *zbx_hdr_of(unsigned long handle)
{
	return (struct zbx_hdr *)(handle & PAGE_MASK);
}

static inline enum zbx_slot zbx_slot_of(unsigned long handle)
{
	return (handle & ZBX_TAG_LAST) ? ZBX_LAST : ZBX_FIRST;
}

/* Put a page holding at least one object on the list matching its room. */
static void zbx_file(struct zbx_pool *pool, struct zbx_hdr *h)
{
	unsigned int room = zbx_room(h);

	lockdep_assert_held(&pool->lock);
	if (!room || (h->chunks[ZBX_FIRST] && h->chunks[ZBX_LAST])) {
		list_add(&h->fit, &pool->buddied);
		h->list = ZBX_LIST_BUDDIED;
		pool->nr_buddied++;
	} else {
		list_add(&h->fit, &pool->unbuddied[room]);
		h->list = ZBX_LIST_UNBUDDIED;
		pool->nr_unbuddied++;
	}
}

static void zbx_unfile(struct zbx_pool *pool, struct zbx_hdr *h)
{
	lockdep_assert_held(&pool->lock);
	if (h->list == ZBX_LIST_BUDDIED)
		pool->nr_buddied--;
	else if (h->list == ZBX_LIST_UNBUDDIED)
		pool->nr_unbuddied--;
	list_del_init(&h->fit);
	h->list = ZBX_LIST_NONE;
}

/* The fullest page with one buddy and at least @need free chunks. */
static struct zbx_hdr *zbx_take_fit(struct zbx_pool *pool, unsigned int need)
{
	struct zbx_hdr *h;
	unsigned int room;

	for (room = need; room < ZBX_DATA_CHUNKS; room++) {
		h = list_first_entry_or_null(&pool->unbuddied[room],
					     struct zbx_hdr, fit);
		if (h) {
			zbx_unfile(pool, h);
			return h;
		}
	}
	return NULL;
}

static struct zbx_hdr *zbx_new_page(struct zbx_pool *pool, gfp_t gfp)
{
	struct page *page;
	struct zbx_hdr *h;

	page = alloc_page(gfp & ~(__GFP_HIGHMEM | __GFP_MOVABLE));
	if (!page)
		return NULL;
	h = page_address(page);
	memset(h, 0, sizeof(*h));
	INIT_LIST_HEAD(&h->fit);
	INIT_LIST_HEAD(&h->lru);
	h->pool = pool;
	atomic_long_inc(&pool->zp.pages);
	return h;
}

/* Give an empty page, on no list, back to the page allocator. */
static void zbx_drop_page(struct zbx_pool *pool, struct zbx_hdr *h)
{
	h->pool = NULL;
	__free_page(virt_to_page(h));
	atomic_long_dec(&pool->zp.pages);
}

/* ---- zpool driver ---- */

static int zbx_malloc(void *p, size_t size, gfp_t gfp, unsigned long *handle)
{
	struct zbx_pool *pool = p;
	enum zbx_slot slot = ZBX_FIRST;
	unsigned int need;
	struct zbx_hdr *h;

	if (!size)
		return zpoolx_alloc_done(&pool->zp, size, 0, -EINVAL);
	if (size > ZBX_MAX_OBJ)
		return zpoolx_alloc_done(&pool->zp, size, 0, -ENOSPC);
	need = zbx_chunks_for(size);
	might_alloc(gfp);

	spin_lock(&pool->lock);
	h = zbx_take_fit(pool, need);
	if (h) {
		if (h->chunks[ZBX_FIRST])
			slot = ZBX_LAST;
	} else {
		/* Allocate with the caller's gfp, which may sleep: unlocked. */
		spin_unlock(&pool->lock);
		h = zbx_new_page(pool, gfp);
		if (!h)
			return zpoolx_alloc_done(&pool->zp, size, 0, -ENOMEM);
		spin_lock(&pool->lock);
	}
	h->chunks[slot] = need;
	h->bytes[slot] = size;
	zbx_file(pool, h);
	list_move(&h->lru, &pool->lru);
	*handle = zbx_handle(h, slot);
	spin_unlock(&pool->lock);

	return zpoolx_alloc_done(&pool->zp, size, need * ZBX_CHUNK_SIZE, 0);
}

static void zbx_free(void *p, unsigned long handle)
{
	struct zbx_pool *pool = p;
	struct zbx_hdr *h = zbx_hdr_of(handle);
	enum zbx_slot slot = zbx_slot_of(handle);
	bool drop = false;
	unsigned int bytes;

	spin_lock(&pool->lock);
	if (unlikely(h->pool != pool || !h->chunks[slot] ||
		     zbx_handle(h, slot) != handle)) {
		spin_unlock(&pool->lock);
		pr_err_ratelimited("pool %u: free of a handle that is not allocated, ignored\n",
				   pool->zp.id);
		return;
	}
	bytes = h->bytes[slot];
	h->chunks[slot] = 0;
	h->bytes[slot] = 0;
	/* A page under reclaim is the reclaimer's to file or free. */
	if (!h->reclaiming) {
		zbx_unfile(pool, h);
		if (zbx_is_empty(h)) {
			list_del_init(&h->lru);
			drop = true;
		} else {
			zbx_file(pool, h);
		}
	}
	spin_unlock(&pool->lock);

	if (drop)
		zbx_drop_page(pool, h);
	zpoolx_count_free(&pool->zp, bytes);
}

/*
 * Evict the objects of the coldest page (see "Reclaim protocol").
 * Returns 1 if the page was freed, 0 if objects are left and the page went
 * back, -ENOENT if the LRU is empty.
 */
static int zbx_evict_coldest(struct zpoolx_pool *zp)
{
	struct zbx_pool *pool = zbx_of(zp);
	enum zbx_slot slot;
	struct zbx_hdr *h;
	bool drop;
	int err = 0;

	spin_lock(&pool->lock);
	if (list_empty(&pool->lru)) {
		spin_unlock(&pool->lock);
		return -ENOENT;
	}
	h = list_last_entry(&pool->lru, struct zbx_hdr, lru);
	list_del_init(&h->lru);
	zbx_unfile(pool, h);
	h->reclaiming = true;
	pool->nr_reclaiming++;

	for (slot = ZBX_FIRST; slot < ZBX_SLOTS && !err; slot++) {
		unsigned long handle;

		if (!h->chunks[slot])
			continue;
		handle = zbx_handle(h, slot);
		spin_unlock(&pool->lock);
		err = zpoolx_evict(&pool->zp, handle);
		spin_lock(&pool->lock);
	}

	h->reclaiming = false;
	pool->nr_reclaiming--;
	drop = zbx_is_empty(h);
	if (!drop) {
		zbx_file(pool, h);
		list_add(&h->lru, &pool->lru);
	}
	spin_unlock(&pool->lock);

	if (!drop)
		return 0;
	zbx_drop_page(pool, h);
	return 1;
}

static void *zbx_map(void *p, unsigned long handle, enum zpool_mapmode mm)
{
	return (void *)(handle & ~ZBX_TAG_LAST);
}

static void zbx_unmap(void *p, unsigned long handle)
{
}

static u64 zbx_total_size(void *p)
{
	struct zbx_pool *pool = p;

	return zpoolx_total_size(&pool->zp);
}

static void *zbx_create(const char *name, gfp_t gfp,
			const struct zpool_ops *ops, struct zpool *zpool)
{
	struct zbx_pool *pool;
	unsigned int i;

	/*
	 * Not @gfp: zswap passes __GFP_NORETRY | __GFP_NOWARN |
	 * __GFP_KSWAPD_RECLAIM, meant for its pages; it creates pools from
	 * process context, where it allocates with GFP_KERNEL itself.
	 */
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return NULL;
	zpoolx_count_meta(&pool->zp, kmalloc_size_roundup(sizeof(*pool)));
	spin_lock_init(&pool->lock);
	for (i = 0; i < ZBX_DATA_CHUNKS; i++)
		INIT_LIST_HEAD(&pool->unbuddied[i]);
	INIT_LIST_HEAD(&pool->buddied);
	INIT_LIST_HEAD(&pool->lru);

	/* From zpoolx_pool_init() on, the last put frees the pool. */
	if (zpoolx_pool_init(&pool->zp, &zpoolx_zbud_backend, name, ops,
			     zpool) ||
	    zpoolx_pool_publish(&pool->zp)) {
		zpoolx_pool_put(&pool->zp);
		return NULL;
	}
	return pool;
}

static void zbx_destroy(void *p)
{
	struct zbx_pool *pool = p;
	struct zbx_hdr *h, *next;
	unsigned long bytes;
	LIST_HEAD(doomed);
	long live;

	zpoolx_pool_unpublish(&pool->zp);

	spin_lock(&pool->lock);
	list_splice_init(&pool->lru, &doomed);
	list_for_each_entry(h, &doomed, lru)
		zbx_unfile(pool, h);
	spin_unlock(&pool->lock);

	live = zpoolx_objects(&pool->zp);
	bytes = zpoolx_stored_bytes(&pool->zp);
	if (live)
		pr_warn("pool %u (%s): destroyed with %ld live objects (%lu bytes), freeing them\n",
			pool->zp.id, pool->zp.name, live, bytes);

	list_for_each_entry_safe(h, next, &doomed, lru) {
		enum zbx_slot slot;

		for (slot = ZBX_FIRST; slot < ZBX_SLOTS; slot++)
			if (h->chunks[slot])
				zpoolx_count_free(&pool->zp, h->bytes[slot]);
		list_del(&h->lru);
		zbx_drop_page(pool, h);
	}
	zpoolx_pool_put(&pool->zp);
}

static void zbx_free_pool(struct zpoolx_pool *zp)
{
	kfree(zbx_of(zp));
}

/* ---- extra files in /sys/kernel/zpoolx/pools/<id>/ ---- */

static inline struct zbx_pool *zbx_of_kobj(struct kobject *kobj)
{
	return zbx_of(container_of(kobj, struct zpoolx_pool, kobj));
}

#define ZBX_COUNT_ATTR(file, member)					\
static ssize_t file##_show(struct kobject *kobj,			\
			   struct kobj_attribute *a, char *buf)		\
{									\
	struct zbx_pool *pool = zbx_of_kobj(kobj);			\
	unsigned long val;						\
									\
	spin_lock(&pool->lock);						\
	val = pool->member;						\
	spin_unlock(&pool->lock);					\
	return sysfs_emit(buf, "%lu\n", val);				\
}									\
static struct kobj_attribute file##_attr = __ATTR_RO(file)

ZBX_COUNT_ATTR(unbuddied_pages, nr_unbuddied);
ZBX_COUNT_ATTR(buddied_pages, nr_buddied);
ZBX_COUNT_ATTR(reclaiming_pages, nr_reclaiming);

static struct attribute *zbx_attrs[] = {
	&unbuddied_pages_attr.attr,
	&buddied_pages_attr.attr,
	&reclaiming_pages_attr.attr,
	NULL,
};

static const struct attribute_group zbx_group = {
	.attrs = zbx_attrs,
};

static const struct attribute_group *zbx_groups[] = {
	&zbx_group,
	NULL,
};

struct zpoolx_backend zpoolx_zbud_backend = {
	.name = "zbud",
	.driver = {
		.type = "zpoolx_zbud",
		.owner = THIS_MODULE,
		.create = zbx_create,
		.destroy = zbx_destroy,
		.malloc_support_movable = false,
		.malloc = zbx_malloc,
		.free = zbx_free,
		.shrink = zpoolx_shrink,
		.sleep_mapped = true,
		.map = zbx_map,
		.unmap = zbx_unmap,
		.total_size = zbx_total_size,
	},
	.evict_coldest = zbx_evict_coldest,
	.pool_groups = zbx_groups,
	.free = zbx_free_pool,
};

MODULE_ALIAS("zpool-zpoolx_zbud");
