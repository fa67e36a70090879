/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zpoolx_maps.h - the layout of the BPF maps, shared by zpoolx.bpf.c (the
 * programs) and zpoolx_bpf.c (the loader).  Internal: users of the library
 * see struct zpx_bpf_stats of zpoolx_bpf.h instead.
 *
 * Include after vmlinux.h (BPF side) or <linux/types.h> (userspace).
 *
 * Maps (per-CPU where they count: each CPU counts into its own copy, the
 * loader sums):
 *   pool_counters  PERCPU_ARRAY  pool id % ZPX_POOL_SLOTS -> struct
 *                  zpx_pool_ctr, tagged with the pool's id.  An array, not
 *                  a hash: a per-CPU array lookup is an index check and
 *                  a this_cpu_ptr, where a hash adds a jhash and a bucket
 *                  walk on every malloc and free.  zpoolx's ids
 *                  only grow, so a slot is taken over by a newer pool
 *                  (ZPX_POOL_SLOTS ids later; the older one's counts are
 *                  dropped), and an older pool still storing in a slot a
 *                  newer one took is counted in lost.pool_events instead
 *                  of garbling the newer pool's counts.
 *   hists          PERCPU_ARRAY  enum zpx_bpf_hist_id -> struct zpx_hist
 *   zswap_ctr      PERCPU_ARRAY  0 -> struct zpx_zswap_ctr
 *   lost           PERCPU_ARRAY  0 -> struct zpx_lost
 *   zswap_t0       TASK_STORAGE  struct zpx_zswap_t0: when this task
 *                  entered zswap's store and load (ns), to time them (a
 *                  store may sleep and move CPU); task-local storage is a
 *                  pointer away from the task, where a hash keyed by thread
 *                  id costs an insert and a delete per call
 */
#ifndef ZPOOLX_MAPS_H
#define ZPOOLX_MAPS_H

#define ZPX_POOL_SLOTS 1024	/* pool_counters' slots: a power of 2 */
#define ZPX_NBUCKETS 64		/* = ZPX_BPF_HIST_BUCKETS */
#define ZPX_NHISTS 4		/* = ZPX_BPF_NR_HISTS */

enum zpx_ctr {
	ZC_ALLOCS,
	ZC_ALLOC_FAILURES,
	ZC_ALLOC_REJECTS,
	ZC_ALLOC_BYTES,
	ZC_ALLOC_SLOT_BYTES,
	ZC_FREES,
	ZC_FREE_BYTES,
	ZC_EVICT_ATTEMPTED,
	ZC_EVICT_SUCCEEDED,
	ZC_EVICT_FAILED,
	ZC_EVICT_NS,
	ZC_RECLAIM_CALLS,
	ZC_RECLAIM_REQUESTED,
	ZC_RECLAIMED_PAGES,
	ZC_RECLAIM_ERRORS,
	ZC_COMPACTIONS,
	ZC_COMPACT_PAGES_FREED,
	ZC_ISOLATED,
	ZC_ISOLATE_FAILED,
	ZC_MIGRATED,
	ZC_MIGRATE_FAILURES,
	ZC_PUTBACK,
	ZC_NR
};

struct zpx_pool_ctr {
	__u64 id;		/* the pool counted here; 0: none yet */
	__u64 c[ZC_NR];
};

struct zpx_lost {
	__u64 pool_events;	/* events of a pool whose slot a newer pool holds */
};

struct zpx_zswap_t0 {
	__u64 store;		/* 0: not in a store (or entered before attaching) */
	__u64 load;
};

enum zpx_hist_idx {
	ZH_OBJECT_SIZE,
	ZH_EVICT_NS,
	ZH_ZSWAP_STORE_NS,
	ZH_ZSWAP_LOAD_NS,
};

/* the sample count is the sum of b[] (one add less per sample) */
struct zpx_hist {
	__u64 sum;
	__u64 b[ZPX_NBUCKETS];
};

struct zpx_zswap_ctr {
	__u64 stores;
	__u64 store_failures;
	__u64 loads;
	__u64 load_failures;
};

/* zpoolx_migrate's op argument */
#define ZPX_MIGRATE_ISOLATE 0
#define ZPX_MIGRATE_MIGRATE 1
#define ZPX_MIGRATE_PUTBACK 2

#endif
