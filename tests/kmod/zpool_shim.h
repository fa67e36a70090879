/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zpool_shim.h - the zpool API for test modules.
 *
 * Kernel 6.1 exports only zpool_register_driver, zpool_unregister_driver
 * and zpool_has_pool from mm/zpool.c: zpool_create_pool(), zpool_malloc()
 * and the rest are for built-in users (zswap).  A test module therefore
 * calls the zpool_driver's methods itself, exactly as mm/zpool.c does:
 * each zshim_*() below is the driver call that the zpool_*() of the same
 * name makes, and the driver sees what it sees under zswap: a create() with
 * an opaque struct zpool pointer that it hands back to ops->evict().
 *
 * Finding a driver: mm/zpool.c keeps drivers on a static list.  The shim
 * registers a probe driver, which zpool_register_driver() adds at the head
 * of that list, so the probe's ->list.prev is the list head; it walks the
 * list from there, takes a reference on the owner module of the type it
 * wants (as zpool does), and unregisters the probe.  The walk is not under
 * zpool's drivers_lock (static): test guests load no zpool drivers while a
 * test module initialises, and a found driver is pinned by its module
 * reference.  This also reaches the kernel's own zbud, z3fold and zsmalloc,
 * so benchmarks compare them with zpoolx through the very same calls.
 */
#ifndef _ZPOOL_SHIM_H
#define _ZPOOL_SHIM_H

#include <linux/kmod.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/zpool.h>

struct zshim;
typedef int (*zshim_evict_t)(struct zshim *z, unsigned long handle);

struct zshim {
	struct zpool_driver *driver;
	void *pool;
	zshim_evict_t evict;
	void *priv;		/* for the test */
};

static struct zpool_driver zshim_probe = {
	.type = "zshim-probe-not-a-pool",
	.owner = THIS_MODULE,
};

static inline struct zpool_driver *zshim_find_driver(const char *type)
{
	struct zpool_driver *d, *found = NULL;
	struct list_head *head;

	zpool_register_driver(&zshim_probe);
	head = zshim_probe.list.prev;
	list_for_each_entry(d, head, list) {
		if (d == &zshim_probe || strcmp(d->type, type))
			continue;
		if (try_module_get(d->owner))
			found = d;
		break;
	}
	zpool_unregister_driver(&zshim_probe);
	return found;
}

static inline struct zpool_driver *zshim_get_driver(const char *type)
{
	struct zpool_driver *d = zshim_find_driver(type);

	if (!d) {
		request_module("zpool-%s", type);
		d = zshim_find_driver(type);
	}
	return d;
}

/* The evict callback the driver calls: back to the test's function. */
static inline int zshim_evict_trampoline(struct zpool *zpool, unsigned long handle)
{
	struct zshim *z = (struct zshim *)zpool;

	return z->evict(z, handle);
}

static const struct zpool_ops zshim_ops = {
	.evict = zshim_evict_trampoline,
};

/* zpool_create_pool(); @evict NULL makes a pool that cannot evict. */
static inline struct zshim *zshim_create(const char *type, const char *name,
				  gfp_t gfp, zshim_evict_t evict)
{
	struct zshim *z = kzalloc(sizeof(*z), gfp);

	if (!z)
		return NULL;
	z->driver = zshim_get_driver(type);
	if (!z->driver)
		goto free;
	z->evict = evict;
	z->pool = z->driver->create(name, gfp, evict ? &zshim_ops : NULL,
				    (struct zpool *)z);
	if (!z->pool)
		goto put;
	return z;
put:
	module_put(z->driver->owner);
free:
	kfree(z);
	return NULL;
}

static inline void zshim_destroy(struct zshim *z)
{
	z->driver->destroy(z->pool);
	module_put(z->driver->owner);
	kfree(z);
}

static inline int zshim_malloc(struct zshim *z, size_t size, gfp_t gfp,
			unsigned long *handle)
{
	return z->driver->malloc(z->pool, size, gfp, handle);
}

static inline void zshim_free(struct zshim *z, unsigned long handle)
{
	z->driver->free(z->pool, handle);
}

static inline int zshim_shrink(struct zshim *z, unsigned int pages,
			unsigned int *reclaimed)
{
	return z->driver->shrink ?
		z->driver->shrink(z->pool, pages, reclaimed) : -EINVAL;
}

static inline void *zshim_map(struct zshim *z, unsigned long handle,
		       enum zpool_mapmode mm)
{
	return z->driver->map(z->pool, handle, mm);
}

static inline void zshim_unmap(struct zshim *z, unsigned long handle)
{
	z->driver->unmap(z->pool, handle);
}

static inline u64 zshim_total_size(struct zshim *z)
{
	return z->driver->total_size(z->pool);
}

static inline bool zshim_can_sleep_mapped(struct zshim *z)
{
	return z->driver->sleep_mapped;
}

#endif /* _ZPOOL_SHIM_H */
