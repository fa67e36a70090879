/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zpoolx.h - what the core (core.c) offers the backends, and what each
 * backend (zbud.c, zsmalloc.c) offers the core.
 *
 * The core owns: module init/exit, the module parameters, the sysfs tree
 * /sys/kernel/zpoolx/, the pool ids, the per-pool directory
 * /sys/kernel/zpoolx/pools/<id>/ with the files common to all backends
 * (see README.md, "sysfs reference"), and the generic `writeback` control.
 *
 * A backend owns: its zpool_driver (type "zpoolx_<backend>"), its pool
 * structure, which embeds a struct zpoolx_pool, its pages and locks, and
 * any extra sysfs files it lists in ->pool_groups.  A backend never reads
 * another backend's file.
 *
 * Life of a pool, as the backend drives it:
 *   create():  allocate the backend pool, zpoolx_pool_init(), set up,
 *              zpoolx_pool_publish()  (now visible in sysfs)
 *   destroy(): zpoolx_pool_unpublish() (waits for running sysfs handlers,
 *              so zpoolx_reclaim() and ->compact can no longer be entered
 *              from sysfs), tear down, zpoolx_pool_put()  (the last put
 *              calls ->free)
 *
 * Counters: each backend keeps the zpoolx_pool counters up to date with
 * the helpers below, read without locks by sysfs.  The two that every
 * malloc() and free() move (objects, stored_bytes) are per CPU, summed
 * over the possible CPUs when read (zpoolx_objects(),
 * zpoolx_stored_bytes()), so that CPUs storing at once share no counter's
 * cacheline; the others are atomics, moved a page, a record or a failure
 * at a time.  What a pool costs is its pages plus its metadata_bytes,
 * everything it allocates outside its pages (pool structure, classes,
 * buffers, per-unit records, handles), counted as allocated: a kmalloc()
 * by the size of the bucket it comes from (kmalloc_size_roundup()), a
 * kmem_cache object by the cache's object size.  What a backend allocates
 * per live object (zsmalloc's handle) is not counted one by one but as
 * objects x object_meta (zpoolx_metadata_bytes()); the rest is the
 * metadata atomic.  zpoolx_total_size() is that sum: the pool's
 * zpool total_size, which zswap holds to max_pool_percent, and its
 * pool_bytes file.
 * The same helpers fire the tracepoints of trace.h, so that an event and
 * its counter always move together.
 *
 * Reclaim (shrink, the writeback file, the daemon's proactive writeback)
 * is the core's loop, zpoolx_reclaim(), around the backend's
 * ->evict_coldest(), which evicts the objects of one unit (a zbud page, a
 * zspage) from the cold end of its LRU.
 */
#ifndef _ZPOOLX_H
#define _ZPOOLX_H

#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/timekeeping.h>
#include <linux/zpool.h>

#include "trace.h"

struct zpoolx_pool;

/**
 * struct zpoolx_backend - one allocator that zpoolx offers through zpool
 * @name:	short name, "zbud" or "zsmalloc"; the zpool type is
 *		"zpoolx_" @name and is set in @driver.type
 * @driver:	the zpool driver registered at module load
 * @evict_coldest: take the unit (page or zspage) at the cold end of the
 *		LRU and evict its objects through zpoolx_evict(), stopping
 *		at the first failure.  Returns the pages freed (the unit
 *		emptied and was freed), 0 (objects are left; the unit went
 *		back to the warm end of the LRU), or -ENOENT (the LRU is
 *		empty).  Called by zpoolx_reclaim() only; may sleep.
 * @compact:	optional: move objects out of sparse pages and free them;
 *		returns the number of pages freed.  May sleep.
 * @init:	optional: set up what every pool of the backend shares, at
 *		module load, before the driver is registered
 * @exit:	optional: undo @init, at module unload (no pool is alive)
 * @pool_groups: optional NULL-terminated extra attribute groups for the
 *		pool directory.
 * @free:	free the backend pool memory; called on the last put.
 */
struct zpoolx_backend {
	const char *name;
	struct zpool_driver driver;
	int (*evict_coldest)(struct zpoolx_pool *pool);
	unsigned long (*compact)(struct zpoolx_pool *pool);
	int (*init)(void);
	void (*exit)(void);
	const struct attribute_group **pool_groups;
	void (*free)(struct zpoolx_pool *pool);
};

enum zpoolx_pool_state {
	ZPOOLX_POOL_ACTIVE,
	ZPOOLX_POOL_DESTROYING,
};

/**
 * struct zpoolx_pcpu - the counters of struct zpoolx_pool that every
 * malloc() and free() moves, one copy per CPU (a copy may go negative:
 * only the sum means anything)
 * @objects:	live objects
 * @stored_bytes: sum of the sizes asked for by malloc() of live objects
 */
struct zpoolx_pcpu {
	long objects;
	long stored_bytes;
};

/**
 * struct zpoolx_pool - the part of every pool that the core manages
 * @kobj:	/sys/kernel/zpoolx/pools/<id>
 * @id:		unique for the life of the module, never reused
 * @backend:	the backend that made it
 * @name:	the creator's name (zswap passes "zswap1", "zswap2", ...)
 * @zpool:	the zpool handle given to create(), passed back to evict()
 * @ops:	the creator's callbacks; NULL or ->evict NULL means objects
 *		cannot be evicted
 * @state:	enum zpoolx_pool_state
 * @pages:	pages the backend holds from the page allocator
 * @metadata_bytes: bytes the pool holds outside its pages (see above),
 *		except what it holds per live object
 * @object_meta: bytes of metadata the backend holds per live object (set
 *		after zpoolx_pool_init(), before the first malloc())
 * @pcpu:	objects and stored_bytes, per CPU (struct zpoolx_pcpu)
 * @alloc_failures: malloc() calls that failed for lack of memory
 * @evict_attempted: evict() calls made by shrink, writeback or reclaim
 * @evict_succeeded: those that returned 0
 * @evict_failed: those that returned an error (the object stays)
 * @reclaimed_pages: pages freed by shrink and writeback
 * @writeback_lock: serialises writes to the writeback file and guards
 *		@wb_requested and @wb_reclaimed
 * @wb_requested: pages asked for by the last writeback write
 * @wb_reclaimed: pages freed by the last writeback write
 * @wb_total:	pages freed by writeback writes since creation
 */
struct zpoolx_pool {
	struct kobject kobj;
	unsigned int id;
	const struct zpoolx_backend *backend;
	const char *name;
	struct zpool *zpool;
	const struct zpool_ops *ops;
	atomic_t state;

	atomic_long_t pages;
	atomic_long_t metadata_bytes;
	unsigned int object_meta;
	struct zpoolx_pcpu __percpu *pcpu;
	atomic_long_t alloc_failures;
	atomic_long_t evict_attempted;
	atomic_long_t evict_succeeded;
	atomic_long_t evict_failed;
	atomic_long_t reclaimed_pages;

	struct mutex writeback_lock;
	unsigned int wb_requested;
	unsigned int wb_reclaimed;
	unsigned long wb_total;
};

int zpoolx_pool_init(struct zpoolx_pool *pool,
		     const struct zpoolx_backend *backend, const char *name,
		     const struct zpool_ops *ops, struct zpool *zpool);
int zpoolx_pool_publish(struct zpoolx_pool *pool);
void zpoolx_pool_unpublish(struct zpoolx_pool *pool);
void zpoolx_pool_put(struct zpoolx_pool *pool);

/*
 * zpoolx_reclaim - evict up to @pages pages' worth of the coldest objects
 * through the creator's evict(): the path of shrink and of the writeback
 * file.  Returns 0 if at least one page was freed, -EINVAL if the pool
 * cannot evict, @pages is 0 or the LRU is empty, -EAGAIN if units kept
 * objects (evict() failed); *@reclaimed (may be NULL) gets the pages
 * freed.  May sleep.
 */
int zpoolx_reclaim(struct zpoolx_pool *pool, unsigned int pages,
		   unsigned int *reclaimed);

/*
 * zpoolx_shrink - zpool_driver.shrink of every backend.  @p is the pool
 * create() returned, whose first member must be its struct zpoolx_pool
 * (each backend checks that at build time).
 */
int zpoolx_shrink(void *p, unsigned int pages, unsigned int *reclaimed);

/*
 * The per-CPU counters summed (core.c); never below 0, which a sum read
 * while CPUs count could otherwise be for a moment.
 */
unsigned long zpoolx_objects(const struct zpoolx_pool *pool);
unsigned long zpoolx_stored_bytes(const struct zpoolx_pool *pool);

/* the unsigned integer of a sysfs write, strictly (core.c) */
int zpoolx_parse_uint(const char *buf, size_t count, unsigned int base,
		      unsigned int *v);

static inline bool zpoolx_pool_evictable(const struct zpoolx_pool *pool)
{
	return pool->ops && pool->ops->evict;
}

/*
 * zpoolx_evict - call the creator's evict() for @handle and count it.
 * The caller must hold no spinlock: zswap's evict writes the page back
 * to the swap device and sleeps.
 */
static inline int zpoolx_evict(struct zpoolx_pool *pool, unsigned long handle)
{
	u64 start = 0;
	int ret;

	if (trace_zpoolx_evict_enabled())
		start = ktime_get_ns();
	atomic_long_inc(&pool->evict_attempted);
	ret = pool->ops->evict(pool->zpool, handle);
	if (ret)
		atomic_long_inc(&pool->evict_failed);
	else
		atomic_long_inc(&pool->evict_succeeded);
	trace_zpoolx_evict(pool->id, handle, ret,
			   start ? ktime_get_ns() - start : 0);
	return ret;
}

/*
 * zpoolx_alloc_done - end of a backend's malloc(): count and trace it.
 * @slot_size is what the object occupies, 0 if @ret is an error.
 * Returns @ret.
 */
static inline int zpoolx_alloc_done(struct zpoolx_pool *pool, size_t size,
				    unsigned int slot_size, int ret)
{
	if (!ret) {
		this_cpu_inc(pool->pcpu->objects);
		this_cpu_add(pool->pcpu->stored_bytes, size);
	} else if (ret == -ENOMEM) {
		atomic_long_inc(&pool->alloc_failures);
	}
	trace_zpoolx_alloc(pool->id, size, slot_size, ret);
	return ret;
}

/* A live object of @size bytes (its malloc size) was freed. */
static inline void zpoolx_count_free(struct zpoolx_pool *pool, size_t size)
{
	this_cpu_dec(pool->pcpu->objects);
	this_cpu_sub(pool->pcpu->stored_bytes, size);
	trace_zpoolx_free(pool->id, size);
}

/* @bytes of metadata allocated (> 0) or freed (< 0) by @pool. */
static inline void zpoolx_count_meta(struct zpoolx_pool *pool, long bytes)
{
	atomic_long_add(bytes, &pool->metadata_bytes);
}

/* The metadata of @pool: its metadata_bytes file. */
static inline u64 zpoolx_metadata_bytes(const struct zpoolx_pool *pool)
{
	return atomic_long_read(&pool->metadata_bytes) +
	       (u64)zpoolx_objects(pool) * pool->object_meta;
}

/* What @pool costs in all: its pages and its metadata. */
static inline u64 zpoolx_total_size(const struct zpoolx_pool *pool)
{
	return ((u64)atomic_long_read(&pool->pages) << PAGE_SHIFT) +
	       zpoolx_metadata_bytes(pool);
}

/* The backends, each defined in its own file. */
extern struct zpoolx_backend zpoolx_zbud_backend;
extern struct zpoolx_backend zpoolx_zsmalloc_backend;

#endif /* _ZPOOLX_H */
