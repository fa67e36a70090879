// SPDX-License-Identifier: GPL-2.0
/*
 * zpoolx.bpf.c - BPF programs that count what zpoolx and zswap do.
 *
 * Raw tracepoints on zpoolx's events (an out-of-tree module built against
 * headers has no BTF of its own, so its arguments are read as the u64
 * array of a raw tracepoint, in the order of module/trace.h; ints arrive
 * sign-extended):
 *   zpoolx_alloc(pool_id, size, slot_size, ret)
 *   zpoolx_free(pool_id, size)
 *   zpoolx_evict(pool_id, handle, ret, duration_ns)
 *   zpoolx_reclaim(pool_id, requested, reclaimed, ret)
 *   zpoolx_compact(pool_id, pages_freed)
 *   zpoolx_migrate(pool_id, op, ret)
 * fentry/fexit on 6.1 zswap's zswap_frontswap_store and
 * zswap_frontswap_load (CO-RE: typed from the kernel's BTF) for counts and
 * latency, or the same as kprobe/kretprobe where fentry cannot attach
 * (arm64 before 6.4).  Map layout: zpoolx_maps.h.
 *
 * Every counter is per CPU.  The raw tracepoint programs add with plain
 * adds: a tracepoint runs its probes with preemption disabled, and zpoolx's
 * events never fire in interrupt context, so nothing else touches this
 * CPU's copy meanwhile.  fentry/fexit programs run with only migration
 * disabled and may be preempted on a preemptible kernel: they add
 * atomically (their counters and histograms are theirs alone; so do
 * their kprobe twins).  Either
 * way no increment is lost: the tests compare the counts exactly with
 * the module's own.  The hot path (alloc, free) is two per-CPU array
 * lookups (a short helper each on 6.1, whose verifier inlines plain
 * arrays only), a tag check and five adds; zswap's store and load add a
 * task-local storage lookup each way.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "zpoolx_maps.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ZPX_POOL_SLOTS);
	__type(key, __u32);
	__type(value, struct zpx_pool_ctr);
} pool_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ZPX_NHISTS);
	__type(key, __u32);
	__type(value, struct zpx_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct zpx_zswap_ctr);
} zswap_ctr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct zpx_lost);
} lost SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct zpx_zswap_t0);
} zswap_t0 SEC(".maps");

/* plain add (raw tracepoints) and atomic add (fentry/fexit) */
#define ADD(p, n) ((p) += (n))
#define ATOMIC_ADD(p, n) __sync_fetch_and_add(&(p), (n))

/*
 * A raw tracepoint argument.  Read each one once, first thing, through a
 * volatile load: the verifier refuses a ctx access through a pointer that
 * clang computed from ctx (it likes to share ctx + 8 * n between branches).
 */
#define ARG(ctx, n) (*(volatile __u64 *)&(ctx)->args[n])

/* the number of significant bits of v: 0 for 0, 1 for 1, 2 for 2..3, ... */
static __always_inline __u32 bit_length(__u64 v)
{
	__u32 n = 0;

	if (v >> 32) { n += 32; v >>= 32; }
	if (v >> 16) { n += 16; v >>= 16; }
	if (v >> 8) { n += 8; v >>= 8; }
	if (v >> 4) { n += 4; v >>= 4; }
	if (v >> 2) { n += 2; v >>= 2; }
	if (v >> 1) { n += 1; v >>= 1; }
	return n + (__u32)v;
}

/* count v in histogram id; the sample count is the sum of the buckets */
static __always_inline void hist_add(__u32 id, __u64 v, const int atomic)
{
	struct zpx_hist *h = bpf_map_lookup_elem(&hists, &id);
	__u64 i = bit_length(v);

	if (!h)
		return;
	if (i > ZPX_NBUCKETS - 1)
		i = ZPX_NBUCKETS - 1;
	/* hide i's range from clang so that the mask stays and the verifier
	 * sees a bounded index (clang would check a copy of it otherwise) */
	asm volatile("" : "+r"(i));
	i &= ZPX_NBUCKETS - 1;
	if (atomic) {
		ATOMIC_ADD(h->b[i], 1);
		ATOMIC_ADD(h->sum, v);
	} else {
		ADD(h->b[i], 1);
		ADD(h->sum, v);
	}
}

/*
 * Slot @c holds another pool than @id: a newer pool takes the slot over
 * (this CPU's copy starts again from zero; the loader reports, per slot,
 * the copies of the newest pool only); an older one is counted as lost.
 * Out of line: the hot path is the tag check in pool_ctr().
 */
static __noinline struct zpx_pool_ctr *pool_ctr_claim(struct zpx_pool_ctr *c,
						      __u64 id)
{
	__u32 zero = 0, i;
	struct zpx_lost *l;

	if (c->id > id) {
		l = bpf_map_lookup_elem(&lost, &zero);
		if (l)
			ADD(l->pool_events, 1);
		return 0;
	}
	for (i = 0; i < ZC_NR; i++)
		c->c[i] = 0;
	c->id = id;
	return c;
}

/* this CPU's counters of pool @pool_id (a u32, sign-extended or not) */
static __always_inline struct zpx_pool_ctr *pool_ctr(__u64 pool_id)
{
	__u32 id = (__u32)pool_id, slot = id & (ZPX_POOL_SLOTS - 1);
	struct zpx_pool_ctr *c = bpf_map_lookup_elem(&pool_counters, &slot);

	if (!c)
		return 0;
	if (c->id == id)
		return c;
	return pool_ctr_claim(c, id);
}

SEC("raw_tp/zpoolx_alloc")
int zpx_alloc(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = ARG(ctx, 0), size = ARG(ctx, 1), slot = ARG(ctx, 2);
	int ret = (int)ARG(ctx, 3);
	struct zpx_pool_ctr *c = pool_ctr(id);

	if (!c)
		return 0;
	if (ret == 0) {
		ADD(c->c[ZC_ALLOCS], 1);
		ADD(c->c[ZC_ALLOC_BYTES], size);
		ADD(c->c[ZC_ALLOC_SLOT_BYTES], slot);
		hist_add(ZH_OBJECT_SIZE, size, 0);
	} else if (ret == -12 /* -ENOMEM */) {
		ADD(c->c[ZC_ALLOC_FAILURES], 1);
	} else {
		ADD(c->c[ZC_ALLOC_REJECTS], 1);
	}
	return 0;
}

SEC("raw_tp/zpoolx_free")
int zpx_free(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = ARG(ctx, 0), size = ARG(ctx, 1);
	struct zpx_pool_ctr *c = pool_ctr(id);

	if (!c)
		return 0;
	ADD(c->c[ZC_FREES], 1);
	ADD(c->c[ZC_FREE_BYTES], size);
	return 0;
}

SEC("raw_tp/zpoolx_evict")
int zpx_evict(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = ARG(ctx, 0), ns = ARG(ctx, 3);
	int ret = (int)ARG(ctx, 2);
	struct zpx_pool_ctr *c = pool_ctr(id);

	if (!c)
		return 0;
	ADD(c->c[ZC_EVICT_ATTEMPTED], 1);
	if (ret == 0)
		ADD(c->c[ZC_EVICT_SUCCEEDED], 1);
	else
		ADD(c->c[ZC_EVICT_FAILED], 1);
	ADD(c->c[ZC_EVICT_NS], ns);
	hist_add(ZH_EVICT_NS, ns, 0);
	return 0;
}

SEC("raw_tp/zpoolx_reclaim")
int zpx_reclaim(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = ARG(ctx, 0), requested = (__u32)ARG(ctx, 1),
	      reclaimed = (__u32)ARG(ctx, 2);
	int ret = (int)ARG(ctx, 3);
	struct zpx_pool_ctr *c = pool_ctr(id);

	if (!c)
		return 0;
	ADD(c->c[ZC_RECLAIM_CALLS], 1);
	ADD(c->c[ZC_RECLAIM_REQUESTED], requested);
	ADD(c->c[ZC_RECLAIMED_PAGES], reclaimed);
	if (ret != 0)
		ADD(c->c[ZC_RECLAIM_ERRORS], 1);
	return 0;
}

SEC("raw_tp/zpoolx_compact")
int zpx_compact(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = ARG(ctx, 0), freed = ARG(ctx, 1);
	struct zpx_pool_ctr *c = pool_ctr(id);

	if (!c)
		return 0;
	ADD(c->c[ZC_COMPACTIONS], 1);
	ADD(c->c[ZC_COMPACT_PAGES_FREED], freed);
	return 0;
}

SEC("raw_tp/zpoolx_migrate")
int zpx_migrate(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = ARG(ctx, 0);
	__u32 op = (__u32)ARG(ctx, 1);
	int ret = (int)ARG(ctx, 2);
	struct zpx_pool_ctr *c = pool_ctr(id);

	if (!c)
		return 0;
	switch (op) {
	case ZPX_MIGRATE_ISOLATE:
		if (ret == 0)
			ADD(c->c[ZC_ISOLATED], 1);
		else
			ADD(c->c[ZC_ISOLATE_FAILED], 1);
		break;
	case ZPX_MIGRATE_MIGRATE:
		if (ret == 0)
			ADD(c->c[ZC_MIGRATED], 1);
		else
			ADD(c->c[ZC_MIGRATE_FAILURES], 1);
		break;
	case ZPX_MIGRATE_PUTBACK:
		ADD(c->c[ZC_PUTBACK], 1);
		break;
	}
	return 0;
}

/* ---- zswap (6.1: frontswap ops) ---- */

/* where this task keeps its zswap entry times (NULL: none, or busy) */
static __always_inline struct zpx_zswap_t0 *t0_of_task(int create)
{
	return bpf_task_storage_get(&zswap_t0, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

static __always_inline void start(int store)
{
	struct zpx_zswap_t0 *t = t0_of_task(1);

	if (!t)
		return;
	if (store)
		t->store = bpf_ktime_get_ns();
	else
		t->load = bpf_ktime_get_ns();
}

static __always_inline void finish(__u32 hist, int ret, int store)
{
	struct zpx_zswap_t0 *t = t0_of_task(0);
	__u32 zero = 0;
	struct zpx_zswap_ctr *z = bpf_map_lookup_elem(&zswap_ctr, &zero);
	__u64 t0;

	if (z) {
		if (store) {
			ATOMIC_ADD(z->stores, 1);
			if (ret)
				ATOMIC_ADD(z->store_failures, 1);
		} else {
			ATOMIC_ADD(z->loads, 1);
			if (ret)
				ATOMIC_ADD(z->load_failures, 1);
		}
	}
	if (!t)
		return;	/* entered before we attached, or no storage */
	t0 = store ? t->store : t->load;
	if (!t0)
		return;
	hist_add(hist, bpf_ktime_get_ns() - t0, 1);
	if (store)
		t->store = 0;
	else
		t->load = 0;
}

SEC("fentry/zswap_frontswap_store")
int BPF_PROG(zpx_zswap_store_in, unsigned int type, unsigned long offset,
	     struct page *page)
{
	start(1);
	return 0;
}

SEC("fexit/zswap_frontswap_store")
int BPF_PROG(zpx_zswap_store_out, unsigned int type, unsigned long offset,
	     struct page *page, int ret)
{
	finish(ZH_ZSWAP_STORE_NS, ret, 1);
	return 0;
}

SEC("fentry/zswap_frontswap_load")
int BPF_PROG(zpx_zswap_load_in, unsigned int type, unsigned long offset,
	     struct page *page)
{
	start(0);
	return 0;
}

SEC("fexit/zswap_frontswap_load")
int BPF_PROG(zpx_zswap_load_out, unsigned int type, unsigned long offset,
	     struct page *page, int ret)
{
	finish(ZH_ZSWAP_LOAD_NS, ret, 0);
	return 0;
}

/*
 * The kprobe/kretprobe twins of the four above, attached instead of them
 * where a BPF trampoline cannot attach to a kernel function: arm64 has the
 * ftrace direct calls fentry needs only from 6.4, so on 6.1 it fails with
 * ENOTSUPP there.  The library falls back to these (zpoolx_bpf.c).
 */
SEC("kprobe/zswap_frontswap_store")
int BPF_KPROBE(zpx_zswap_store_kin)
{
	start(1);
	return 0;
}

SEC("kretprobe/zswap_frontswap_store")
int BPF_KRETPROBE(zpx_zswap_store_kout, int ret)
{
	finish(ZH_ZSWAP_STORE_NS, ret, 1);
	return 0;
}

SEC("kprobe/zswap_frontswap_load")
int BPF_KPROBE(zpx_zswap_load_kin)
{
	start(0);
	return 0;
}

SEC("kretprobe/zswap_frontswap_load")
int BPF_KRETPROBE(zpx_zswap_load_kout, int ret)
{
	finish(ZH_ZSWAP_LOAD_NS, ret, 0);
	return 0;
}
