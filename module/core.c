// SPDX-License-Identifier: GPL-2.0
/*
 * core.c - zpoolx module core: module init/exit, the backend registry and
 * the sysfs tree shared by all backends.
 *
 *   /sys/kernel/zpoolx/version            module version
 *   /sys/kernel/zpoolx/backends           zpool types this module offers
 *   /sys/kernel/zpoolx/pools/<id>/...     one directory per live pool
 *
 * Every file is described in README.md, "sysfs reference"; that table is
 * the contract the CLI and the daemon rely on.
 *
 * Locking (core only; each backend documents its own):
 *   pool->writeback_lock serialises writeback and compact requests from
 *   sysfs for one pool; it is taken before any backend lock, and is never
 *   taken from the zpool API paths.  Sysfs handlers run under kernfs's
 *   active reference, which zpoolx_pool_unpublish() drains, so a handler
 *   never sees a pool being torn down.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "zpoolx.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* The version comes from the build (Kbuild: scripts/version, one source). */
#ifndef ZPOOLX_VERSION
#error "ZPOOLX_VERSION is not defined: build through module/Kbuild"
#endif

/* The largest writeback request accepted at once, in pages (1 GiB). */
#define ZPOOLX_WRITEBACK_MAX (1U << 18)

/*
 * Reclaim gives up after this many units in a row kept objects (evict()
 * failed): the creator cannot write back now (swap full, or zswap busy
 * with the same entries), and retrying only rotates the LRU.  zswap's
 * evict fails with -EEXIST for an entry whose page is in the swap cache,
 * and swap readahead puts runs of neighbouring entries there, which were
 * stored together and so sit together at the cold end of the LRU: with 8,
 * a tmpfs workload read back under pressure saw a shrink fail now and
 * then (zswap's reject_reclaim_fail); 32 gets past such runs.
 */
#define ZPOOLX_MAX_MISSES 32

static struct zpoolx_backend *zpoolx_backends[] = {
	&zpoolx_zbud_backend,
	&zpoolx_zsmalloc_backend,
};

static struct kobject *zpoolx_kobj;
static struct kset *zpoolx_pools_kset;
static atomic_t zpoolx_next_id = ATOMIC_INIT(0);

static inline struct zpoolx_pool *to_pool(struct kobject *kobj)
{
	return container_of(kobj, struct zpoolx_pool, kobj);
}

/* ---- /sys/kernel/zpoolx/pools/<id>/ ---- */

static ssize_t backend_show(struct kobject *kobj, struct kobj_attribute *a,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", to_pool(kobj)->backend->name);
}
static struct kobj_attribute backend_attr = __ATTR_RO(backend);

static ssize_t type_show(struct kobject *kobj, struct kobj_attribute *a,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_pool(kobj)->backend->driver.type);
}
static struct kobj_attribute type_attr = __ATTR_RO(type);

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *a,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_pool(kobj)->name);
}
static struct kobj_attribute name_attr = __ATTR_RO(name);

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *a,
			  char *buf)
{
	int st = atomic_read(&to_pool(kobj)->state);

	return sysfs_emit(buf, "%s\n",
			  st == ZPOOLX_POOL_ACTIVE ? "active" : "destroying");
}
static struct kobj_attribute state_attr = __ATTR_RO(state);

static ssize_t evictable_show(struct kobject *kobj, struct kobj_attribute *a,
			      char *buf)
{
	return sysfs_emit(buf, "%d\n", zpoolx_pool_evictable(to_pool(kobj)));
}
static struct kobj_attribute evictable_attr = __ATTR_RO(evictable);

static ssize_t pool_bytes_show(struct kobject *kobj, struct kobj_attribute *a,
			       char *buf)
{
	return sysfs_emit(buf, "%llu\n", zpoolx_total_size(to_pool(kobj)));
}
static struct kobj_attribute pool_bytes_attr = __ATTR_RO(pool_bytes);

/* One read-only file per counter of struct zpoolx_pool. */
#define ZPOOLX_COUNTER_ATTR(field)					\
static ssize_t field##_show(struct kobject *kobj,			\
			    struct kobj_attribute *a, char *buf)	\
{									\
	return sysfs_emit(buf, "%lu\n",					\
			  atomic_long_read(&to_pool(kobj)->field));	\
}									\
static struct kobj_attribute field##_attr = __ATTR_RO(field)

ZPOOLX_COUNTER_ATTR(pages);
ZPOOLX_COUNTER_ATTR(alloc_failures);
ZPOOLX_COUNTER_ATTR(evict_attempted);
ZPOOLX_COUNTER_ATTR(evict_succeeded);
ZPOOLX_COUNTER_ATTR(evict_failed);
ZPOOLX_COUNTER_ATTR(reclaimed_pages);

/* One read-only file per sum: zpoolx_<field>() of the pool. */
#define ZPOOLX_SUM_ATTR(field)						\
static ssize_t field##_show(struct kobject *kobj,			\
			    struct kobj_attribute *a, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n",				\
			  (u64)zpoolx_##field(to_pool(kobj)));		\
}									\
static struct kobj_attribute field##_attr = __ATTR_RO(field)

ZPOOLX_SUM_ATTR(metadata_bytes);
ZPOOLX_SUM_ATTR(objects);
ZPOOLX_SUM_ATTR(stored_bytes);

/* The sum of a per-CPU counter of @pool, at @off in struct zpoolx_pcpu. */
static unsigned long zpoolx_pcpu_sum(const struct zpoolx_pool *pool,
				     size_t off)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *(long *)((char *)per_cpu_ptr(pool->pcpu, cpu) + off);
	return sum > 0 ? sum : 0;
}

unsigned long zpoolx_objects(const struct zpoolx_pool *pool)
{
	return zpoolx_pcpu_sum(pool, offsetof(struct zpoolx_pcpu, objects));
}

unsigned long zpoolx_stored_bytes(const struct zpoolx_pool *pool)
{
	return zpoolx_pcpu_sum(pool,
			       offsetof(struct zpoolx_pcpu, stored_bytes));
}

static ssize_t writeback_show(struct kobject *kobj, struct kobj_attribute *a,
			      char *buf)
{
	struct zpoolx_pool *pool = to_pool(kobj);
	ssize_t ret;

	mutex_lock(&pool->writeback_lock);
	ret = sysfs_emit(buf, "requested=%u reclaimed=%u total=%lu\n",
			 pool->wb_requested, pool->wb_reclaimed,
			 pool->wb_total);
	mutex_unlock(&pool->writeback_lock);
	return ret;
}

/* ---- reclaim, shared by every backend ---- */

int zpoolx_reclaim(struct zpoolx_pool *pool, unsigned int pages,
		   unsigned int *reclaimed)
{
	unsigned int freed = 0, misses = 0;
	unsigned long max_misses;
	int ret = -EINVAL;

	if (!zpoolx_pool_evictable(pool) || !pages)
		goto out;
	/*
	 * Never more misses than the pool has pages: a zbud pool has one
	 * unit per page, so it never tries a page twice in one call; a
	 * zspage has several pages, so a small zsmalloc pool may see its
	 * zspages more than once, which only costs failed evict() calls.
	 */
	max_misses = min_t(unsigned long, ZPOOLX_MAX_MISSES,
			   atomic_long_read(&pool->pages));
	while (freed < pages && misses < max_misses) {
		ret = pool->backend->evict_coldest(pool);
		if (ret < 0)
			break;
		if (ret) {
			freed += ret;
			misses = 0;
		} else {
			misses++;
		}
		cond_resched();
	}
	ret = misses ? -EAGAIN : -EINVAL;
out:
	if (freed)
		atomic_long_add(freed, &pool->reclaimed_pages);
	if (reclaimed)
		*reclaimed = freed;
	ret = freed ? 0 : ret;
	trace_zpoolx_reclaim(pool->id, pages, freed, ret);
	return ret;
}

int zpoolx_shrink(void *p, unsigned int pages, unsigned int *reclaimed)
{
	return zpoolx_reclaim(p, pages, reclaimed);
}

/*
 * zpoolx_parse_uint - the number a sysfs write holds: an unsigned integer
 * in @base (kstrtouint's rules), with at most a trailing newline.  Refused
 * with -EINVAL: an empty write, blanks, a sign other than '+', anything
 * that is not a digit, and a NUL inside the write (kstrtouint stops at the
 * first NUL, so "1\0junk" would pass as 1); with -ERANGE: a value past
 * UINT_MAX.
 */
int zpoolx_parse_uint(const char *buf, size_t count, unsigned int base,
		      unsigned int *v)
{
	if (strnlen(buf, count) != count)
		return -EINVAL;
	return kstrtouint(buf, base, v);
}

/*
 * Writing N evicts up to N pages' worth of the coldest objects now, through
 * the backend's reclaim path (the one shrink uses).  Accepted: an integer
 * 1..ZPOOLX_WRITEBACK_MAX (zpoolx_parse_uint(), any base).  Refused with
 * nothing changed: anything else (-EINVAL, -ERANGE), a pool whose creator cannot evict (-EOPNOTSUPP), a
 * pool being destroyed (-EBUSY).  Evicting fewer pages than asked, even
 * none, is not an error: read the file to see what was done.
 */
static ssize_t writeback_store(struct kobject *kobj, struct kobj_attribute *a,
			       const char *buf, size_t count)
{
	struct zpoolx_pool *pool = to_pool(kobj);
	unsigned int pages, reclaimed = 0;
	int ret;

	ret = zpoolx_parse_uint(buf, count, 0, &pages);
	if (ret)
		return ret;
	if (pages == 0)
		return -EINVAL;
	if (pages > ZPOOLX_WRITEBACK_MAX)
		return -ERANGE;
	if (!zpoolx_pool_evictable(pool))
		return -EOPNOTSUPP;
	if (atomic_read(&pool->state) != ZPOOLX_POOL_ACTIVE)
		return -EBUSY;

	mutex_lock(&pool->writeback_lock);
	zpoolx_reclaim(pool, pages, &reclaimed);
	pool->wb_requested = pages;
	pool->wb_reclaimed = reclaimed;
	pool->wb_total += reclaimed;
	mutex_unlock(&pool->writeback_lock);
	return count;
}
static struct kobj_attribute writeback_attr = __ATTR_RW(writeback);

static struct attribute *zpoolx_pool_attrs[] = {
	&backend_attr.attr,
	&type_attr.attr,
	&name_attr.attr,
	&state_attr.attr,
	&evictable_attr.attr,
	&pages_attr.attr,
	&pool_bytes_attr.attr,
	&metadata_bytes_attr.attr,
	&objects_attr.attr,
	&stored_bytes_attr.attr,
	&alloc_failures_attr.attr,
	&evict_attempted_attr.attr,
	&evict_succeeded_attr.attr,
	&evict_failed_attr.attr,
	&reclaimed_pages_attr.attr,
	&writeback_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(zpoolx_pool);

static void zpoolx_pool_release(struct kobject *kobj)
{
	struct zpoolx_pool *pool = to_pool(kobj);

	kfree(pool->name);
	free_percpu(pool->pcpu);
	pool->backend->free(pool);
}

static struct kobj_type zpoolx_pool_ktype = {
	.release = zpoolx_pool_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = zpoolx_pool_groups,
};

/**
 * zpoolx_pool_init - set up the common part of a new pool
 * @pool:	the common part, embedded in the backend's pool
 * @backend:	the backend creating it
 * @name:	the creator's name (copied)
 * @ops:	the creator's callbacks, may be NULL
 * @zpool:	the zpool handle to pass back to ops->evict
 *
 * From here on the pool is freed by zpoolx_pool_put(), never directly:
 * on failure too, the caller puts the pool, which calls backend->free.
 */
int zpoolx_pool_init(struct zpoolx_pool *pool,
		     const struct zpoolx_backend *backend, const char *name,
		     const struct zpool_ops *ops, struct zpool *zpool)
{
	pool->backend = backend;
	pool->zpool = zpool;
	pool->ops = ops;
	pool->id = atomic_inc_return(&zpoolx_next_id);
	atomic_set(&pool->state, ZPOOLX_POOL_ACTIVE);
	mutex_init(&pool->writeback_lock);
	kobject_init(&pool->kobj, &zpoolx_pool_ktype);
	pool->kobj.kset = zpoolx_pools_kset;
	pool->name = kstrdup(name ? name : "", GFP_KERNEL);
	if (!pool->name)
		return -ENOMEM;
	zpoolx_count_meta(pool, kmalloc_size_roundup(strlen(pool->name) + 1));
	pool->pcpu = alloc_percpu(struct zpoolx_pcpu);
	if (!pool->pcpu)
		return -ENOMEM;
	zpoolx_count_meta(pool, sizeof(struct zpoolx_pcpu) *
				num_possible_cpus());
	return 0;
}

/* Make the pool visible as /sys/kernel/zpoolx/pools/<id>. */
int zpoolx_pool_publish(struct zpoolx_pool *pool)
{
	int ret;

	ret = kobject_add(&pool->kobj, NULL, "%u", pool->id);
	if (ret)
		return ret;
	if (pool->backend->pool_groups) {
		ret = sysfs_create_groups(&pool->kobj,
					  pool->backend->pool_groups);
		if (ret) {
			kobject_del(&pool->kobj);
			return ret;
		}
	}
	kobject_uevent(&pool->kobj, KOBJ_ADD);
	return 0;
}

/*
 * Remove the pool's directory.  Returns after every running sysfs handler
 * of the pool has finished, so the backend may tear down afterwards.
 */
void zpoolx_pool_unpublish(struct zpoolx_pool *pool)
{
	atomic_set(&pool->state, ZPOOLX_POOL_DESTROYING);
	if (!pool->kobj.state_in_sysfs)
		return;
	if (pool->backend->pool_groups)
		sysfs_remove_groups(&pool->kobj, pool->backend->pool_groups);
	kobject_del(&pool->kobj);
}

void zpoolx_pool_put(struct zpoolx_pool *pool)
{
	kobject_put(&pool->kobj);
}

/* ---- /sys/kernel/zpoolx/ ---- */

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *a,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", ZPOOLX_VERSION);
}
static struct kobj_attribute version_attr = __ATTR_RO(version);

static ssize_t backends_show(struct kobject *kobj, struct kobj_attribute *a,
			     char *buf)
{
	int i, len = 0;

	for (i = 0; i < ARRAY_SIZE(zpoolx_backends); i++)
		len += sysfs_emit_at(buf, len, "%s%s", i ? " " : "",
				     zpoolx_backends[i]->driver.type);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static struct kobj_attribute backends_attr = __ATTR_RO(backends);

static struct attribute *zpoolx_root_attrs[] = {
	&version_attr.attr,
	&backends_attr.attr,
	NULL,
};

static const struct attribute_group zpoolx_root_group = {
	.attrs = zpoolx_root_attrs,
};

static int __init zpoolx_init(void)
{
	int i, ret;

	zpoolx_kobj = kobject_create_and_add("zpoolx", kernel_kobj);
	if (!zpoolx_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(zpoolx_kobj, &zpoolx_root_group);
	if (ret)
		goto put_root;
	zpoolx_pools_kset = kset_create_and_add("pools", NULL, zpoolx_kobj);
	if (!zpoolx_pools_kset) {
		ret = -ENOMEM;
		goto put_root;
	}
	for (i = 0; i < ARRAY_SIZE(zpoolx_backends); i++) {
		if (zpoolx_backends[i]->init) {
			ret = zpoolx_backends[i]->init();
			if (ret)
				goto exit_backends;
		}
	}
	/* Last: once registered, zswap may create pools at once. */
	for (i = 0; i < ARRAY_SIZE(zpoolx_backends); i++)
		zpool_register_driver(&zpoolx_backends[i]->driver);
	pr_info("version %s loaded\n", ZPOOLX_VERSION);
	return 0;

exit_backends:
	while (i--)
		if (zpoolx_backends[i]->exit)
			zpoolx_backends[i]->exit();
	kset_unregister(zpoolx_pools_kset);
put_root:
	kobject_put(zpoolx_kobj);
	return ret;
}

static void __exit zpoolx_exit(void)
{
	int i;

	/*
	 * Every pool holds a reference on this module (zpool_create_pool
	 * takes one on driver.owner), so no pool is alive here and
	 * unregistering cannot fail.
	 */
	for (i = 0; i < ARRAY_SIZE(zpoolx_backends); i++)
		WARN_ON(zpool_unregister_driver(&zpoolx_backends[i]->driver));
	for (i = 0; i < ARRAY_SIZE(zpoolx_backends); i++)
		if (zpoolx_backends[i]->exit)
			zpoolx_backends[i]->exit();
	kset_unregister(zpoolx_pools_kset);
	kobject_put(zpoolx_kobj);
	pr_info("unloaded\n");
}

module_init(zpoolx_init);
module_exit(zpoolx_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The zpoolx developers");
MODULE_DESCRIPTION("zbud and zsmalloc zpool backends with LRU writeback");
MODULE_VERSION(ZPOOLX_VERSION);
