/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h - zpoolx's tracepoints, for tracefs and for the BPF programs of
 * bpf/ (which attach to them as raw tracepoints and read the arguments of
 * TP_PROTO in order, one u64 each; every argument is a scalar for that
 * reason).  core.c defines them (CREATE_TRACE_POINTS).  Disabled, each is
 * a static branch; the timing of evict() is taken only when it is enabled.
 *
 * Each event fires where the matching sysfs counter moves, so that a
 * program summing the events sees exactly the counters' deltas:
 *   zpoolx_alloc    objects, stored_bytes (ret 0), alloc_failures (-ENOMEM)
 *   zpoolx_free     objects, stored_bytes
 *   zpoolx_evict    evict_attempted, evict_succeeded (ret 0), evict_failed
 *   zpoolx_reclaim  reclaimed_pages (sum of @reclaimed)
 *   zpoolx_compact  compact_total (sum of @pages_freed)
 *   zpoolx_migrate  isolated (ISOLATE, ret 0), migrated (MIGRATE, ret 0),
 *                   migrate_failures (MIGRATE, ret != 0), putback (PUTBACK)
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM zpoolx

#if !defined(_ZPOOLX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ZPOOLX_TRACE_H

#include <linux/tracepoint.h>

/* @op of zpoolx_migrate */
#define ZPOOLX_MIGRATE_ISOLATE	0
#define ZPOOLX_MIGRATE_MIGRATE	1
#define ZPOOLX_MIGRATE_PUTBACK	2

/*
 * zpoolx_alloc - a malloc() of either backend ended
 * @slot_size: bytes the object occupies (the zsmalloc class size, or the
 *	zbud size rounded up to chunks); 0 when it failed
 * @ret: 0, or -ENOMEM (counted in alloc_failures), -EINVAL, -ENOSPC
 */
TRACE_EVENT(zpoolx_alloc,
	TP_PROTO(unsigned int pool_id, size_t size, unsigned int slot_size,
		 int ret),
	TP_ARGS(pool_id, size, slot_size, ret),
	TP_STRUCT__entry(
		__field(unsigned int, pool_id)
		__field(size_t, size)
		__field(unsigned int, slot_size)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->pool_id = pool_id;
		__entry->size = size;
		__entry->slot_size = slot_size;
		__entry->ret = ret;
	),
	TP_printk("pool=%u size=%zu slot=%u ret=%d", __entry->pool_id,
		  __entry->size, __entry->slot_size, __entry->ret)
);

/* zpoolx_free - a live object of @size bytes (its malloc size) was freed */
TRACE_EVENT(zpoolx_free,
	TP_PROTO(unsigned int pool_id, size_t size),
	TP_ARGS(pool_id, size),
	TP_STRUCT__entry(
		__field(unsigned int, pool_id)
		__field(size_t, size)
	),
	TP_fast_assign(
		__entry->pool_id = pool_id;
		__entry->size = size;
	),
	TP_printk("pool=%u size=%zu", __entry->pool_id, __entry->size)
);

/*
 * zpoolx_evict - the creator's evict() returned @ret for @handle after
 * @duration_ns nanoseconds (zswap's evict writes the page to swap)
 */
TRACE_EVENT(zpoolx_evict,
	TP_PROTO(unsigned int pool_id, unsigned long handle, int ret,
		 u64 duration_ns),
	TP_ARGS(pool_id, handle, ret, duration_ns),
	TP_STRUCT__entry(
		__field(unsigned int, pool_id)
		__field(unsigned long, handle)
		__field(int, ret)
		__field(u64, duration_ns)
	),
	TP_fast_assign(
		__entry->pool_id = pool_id;
		__entry->handle = handle;
		__entry->ret = ret;
		__entry->duration_ns = duration_ns;
	),
	TP_printk("pool=%u handle=0x%lx ret=%d ns=%llu", __entry->pool_id,
		  __entry->handle, __entry->ret, __entry->duration_ns)
);

/*
 * zpoolx_reclaim - a shrink, writeback or reclaim call that asked for
 * @requested pages freed @reclaimed and returned @ret
 */
TRACE_EVENT(zpoolx_reclaim,
	TP_PROTO(unsigned int pool_id, unsigned int requested,
		 unsigned int reclaimed, int ret),
	TP_ARGS(pool_id, requested, reclaimed, ret),
	TP_STRUCT__entry(
		__field(unsigned int, pool_id)
		__field(unsigned int, requested)
		__field(unsigned int, reclaimed)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->pool_id = pool_id;
		__entry->requested = requested;
		__entry->reclaimed = reclaimed;
		__entry->ret = ret;
	),
	TP_printk("pool=%u requested=%u reclaimed=%u ret=%d",
		  __entry->pool_id, __entry->requested, __entry->reclaimed,
		  __entry->ret)
);

/* zpoolx_compact - one compaction of the pool freed @pages_freed pages */
TRACE_EVENT(zpoolx_compact,
	TP_PROTO(unsigned int pool_id, unsigned long pages_freed),
	TP_ARGS(pool_id, pages_freed),
	TP_STRUCT__entry(
		__field(unsigned int, pool_id)
		__field(unsigned long, pages_freed)
	),
	TP_fast_assign(
		__entry->pool_id = pool_id;
		__entry->pages_freed = pages_freed;
	),
	TP_printk("pool=%u freed=%lu", __entry->pool_id,
		  __entry->pages_freed)
);

/* zpoolx_migrate - the VM isolated, migrated or put back a pool page */
TRACE_EVENT(zpoolx_migrate,
	TP_PROTO(unsigned int pool_id, unsigned int op, int ret),
	TP_ARGS(pool_id, op, ret),
	TP_STRUCT__entry(
		__field(unsigned int, pool_id)
		__field(unsigned int, op)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->pool_id = pool_id;
		__entry->op = op;
		__entry->ret = ret;
	),
	TP_printk("pool=%u op=%s ret=%d", __entry->pool_id,
		  __print_symbolic(__entry->op,
				   { ZPOOLX_MIGRATE_ISOLATE, "isolate" },
				   { ZPOOLX_MIGRATE_MIGRATE, "migrate" },
				   { ZPOOLX_MIGRATE_PUTBACK, "putback" }),
		  __entry->ret)
);

#endif /* _ZPOOLX_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
