/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zpool_api.h - the kernel's zpool API (mm/zpool.c) for test modules.
 * Call zpool_api_resolve() once from module_init, then zpapi.create_pool()
 * and the rest, exactly as zswap calls zpool_create_pool() and the rest.
 */
#ifndef _ZPOOL_API_H
#define _ZPOOL_API_H

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/string.h>
#include <linux/zpool.h>

/*
 * The zpool API.  Linux 6.1 exports only zpool_register_driver(),
 * zpool_unregister_driver() and zpool_has_pool(); the rest of mm/zpool.c
 * serves built-in zswap only.  To drive the kernel's own zpool code the
 * way zswap does, this module finds those functions by name with
 * kallsyms_lookup_name(), whose address it learns from a kprobe (it is
 * not exported either), and checks each against its prototype in
 * <linux/zpool.h> at build time and against kallsyms at run time.  A test
 * module's trick for test guests, never for production code.
 */
struct zpool_api {
	struct zpool *(*create_pool)(const char *type, const char *name,
				     gfp_t gfp, const struct zpool_ops *ops);
	void (*destroy_pool)(struct zpool *zpool);
	const char *(*get_type)(struct zpool *zpool);
	bool (*malloc_support_movable)(struct zpool *zpool);
	int (*malloc)(struct zpool *zpool, size_t size, gfp_t gfp,
		      unsigned long *handle);
	void (*free)(struct zpool *zpool, unsigned long handle);
	int (*shrink)(struct zpool *zpool, unsigned int pages,
		      unsigned int *reclaimed);
	void *(*map_handle)(struct zpool *zpool, unsigned long handle,
			    enum zpool_mapmode mm);
	void (*unmap_handle)(struct zpool *zpool, unsigned long handle);
	u64 (*get_total_size)(struct zpool *zpool);
	bool (*evictable)(struct zpool *zpool);
	bool (*can_sleep_mapped)(struct zpool *zpool);
};

static struct zpool_api zpapi;

static unsigned long (*zpapi_lookup_name)(const char *name);

/* The address of function @name, 0 if kallsyms does not agree. */
static inline unsigned long zpapi_symbol(const char *name)
{
	char where[KSYM_SYMBOL_LEN], want[KSYM_NAME_LEN + 8];
	unsigned long addr = zpapi_lookup_name(name);

	if (!addr)
		return 0;
	sprint_symbol(where, addr);
	snprintf(want, sizeof(want), "%s+0x0/", name);
	return strncmp(where, want, strlen(want)) ? 0 : addr;
}

#define ZPAPI_RESOLVE(field, sym) ({					\
	BUILD_BUG_ON(!__same_type(zpapi.field, &sym));			\
	zpapi.field = (typeof(zpapi.field))zpapi_symbol(#sym);		\
	zpapi.field ? 0 : -ENOENT;					\
})

static inline int zpool_api_resolve(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	char where[KSYM_SYMBOL_LEN];
	int ret;

	ret = register_kprobe(&kp);
	if (ret)
		return ret;
	zpapi_lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	sprint_symbol(where, (unsigned long)zpapi_lookup_name);
	if (strncmp(where, "kallsyms_lookup_name+0x0/", 25))
		return -ENOENT;

	return ZPAPI_RESOLVE(create_pool, zpool_create_pool) ?:
	       ZPAPI_RESOLVE(destroy_pool, zpool_destroy_pool) ?:
	       ZPAPI_RESOLVE(get_type, zpool_get_type) ?:
	       ZPAPI_RESOLVE(malloc_support_movable,
			  zpool_malloc_support_movable) ?:
	       ZPAPI_RESOLVE(malloc, zpool_malloc) ?:
	       ZPAPI_RESOLVE(free, zpool_free) ?:
	       ZPAPI_RESOLVE(shrink, zpool_shrink) ?:
	       ZPAPI_RESOLVE(map_handle, zpool_map_handle) ?:
	       ZPAPI_RESOLVE(unmap_handle, zpool_unmap_handle) ?:
	       ZPAPI_RESOLVE(get_total_size, zpool_get_total_size) ?:
	       ZPAPI_RESOLVE(evictable, zpool_evictable) ?:
	       ZPAPI_RESOLVE(can_sleep_mapped, zpool_can_sleep_mapped);
}

#endif /* _ZPOOL_API_H */
