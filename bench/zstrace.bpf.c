// SPDX-License-Identifier: GPL-2.0
/*
 * zstrace.bpf.c - the compressed bytes the kernel's zsmalloc holds, which
 * it does not export: zs_malloc's size argument kept by the handle it
 * returns, given back when zs_free frees that handle.  Counters are
 * per-CPU (exact under concurrency); the handle map is preallocated so
 * that the guest loses the same memory to it whichever pool it runs.
 *
 * Debian's 6.1 kernel is built without CONFIG_ZSMALLOC_STAT, so the pool's
 * per-class counts (which zsmalloc keeps anyway, for compaction) have no
 * debugfs file: on request (getpgid(ZST_MAGIC) from the reader) the
 * program walks the last pool zs_malloc/zs_free saw and sums them.  The
 * two structures are zsmalloc.c's own; CO-RE finds their layout in the
 * zsmalloc module's BTF.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define ZST_MAX_OBJECTS 131072
#define ZST_MAGIC 0x7a737472	/* "zstr" */
#define ZST_CLASSES 255		/* ZS_SIZE_CLASSES with 4 KiB pages */
#define ZST_OBJ_ALLOCATED 4	/* enum class_stat_type */
#define ZST_OBJ_USED 5

struct zs_size_stat {
	unsigned long objs[6];
} __attribute__((preserve_access_index));

struct size_class {
	int size;
	int objs_per_zspage;
	int pages_per_zspage;
	unsigned int index;
	struct zs_size_stat stats;
} __attribute__((preserve_access_index));

struct zs_pool {
	struct size_class *size_class[ZST_CLASSES];
	atomic_long_t pages_allocated;
} __attribute__((preserve_access_index));

/* what the class walk sums, in this order (zstrace.c names them) */
enum { ZSC_DONE, ZSC_CLASSES, ZSC_USED_BYTES, ZSC_SLOT_BYTES, ZSC_PAGES,
       ZSC_OBJS_USED, ZSC_OBJS_ALLOCATED, ZSC_POOL_PAGES, ZSC_NR };

struct zsc_sums {
	u64 v[ZSC_NR];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);	/* the last struct zs_pool * seen */
} last_pool SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct zsc_sums);
} classes SEC(".maps");

enum { ZST_ALLOC_BYTES, ZST_ALLOCS, ZST_FREE_BYTES, ZST_FREES, ZST_FAILED,
       ZST_UNTRACKED, ZST_UNKNOWN_FREES, ZST_NR };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ZST_MAX_OBJECTS);
	__type(key, u64);	/* handle */
	__type(value, u64);	/* size asked of zs_malloc */
} sizes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);	/* pid_tgid inside zs_malloc */
	__type(value, u64);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ZST_NR);
	__type(key, u32);
	__type(value, u64);
} counters SEC(".maps");

static __always_inline void add(u32 k, u64 v)
{
	u64 *c = bpf_map_lookup_elem(&counters, &k);

	if (c)
		*c += v;
}

static __always_inline void seen_pool(void *pool)
{
	u32 z = 0;
	u64 p = (u64)pool;

	bpf_map_update_elem(&last_pool, &z, &p, BPF_ANY);
}

SEC("kprobe/zs_malloc")
int BPF_KPROBE(zst_malloc, void *pool, u64 size)
{
	u64 id = bpf_get_current_pid_tgid();

	seen_pool(pool);
	bpf_map_update_elem(&inflight, &id, &size, BPF_ANY);
	return 0;
}

SEC("kretprobe/zs_malloc")
int BPF_KRETPROBE(zst_malloc_ret, unsigned long handle)
{
	u64 id = bpf_get_current_pid_tgid(), *size, h = handle, s;

	size = bpf_map_lookup_elem(&inflight, &id);
	if (!size)
		return 0;
	s = *size;
	bpf_map_delete_elem(&inflight, &id);
	if (handle >= (unsigned long)-4095) {	/* ERR_PTR */
		add(ZST_FAILED, 1);
		return 0;
	}
	if (bpf_map_update_elem(&sizes, &h, &s, BPF_NOEXIST)) {
		add(ZST_UNTRACKED, 1);
		return 0;
	}
	add(ZST_ALLOC_BYTES, s);
	add(ZST_ALLOCS, 1);
	return 0;
}

SEC("kprobe/zs_free")
int BPF_KPROBE(zst_free, void *pool, unsigned long handle)
{
	u64 h = handle, *size;

	seen_pool(pool);
	size = bpf_map_lookup_elem(&sizes, &h);
	if (!size) {
		add(ZST_UNKNOWN_FREES, 1);
		return 0;
	}
	add(ZST_FREE_BYTES, *size);
	add(ZST_FREES, 1);
	bpf_map_delete_elem(&sizes, &h);
	return 0;
}

SEC("tp/syscalls/sys_enter_getpgid")
int zst_walk(struct trace_event_raw_sys_enter *ctx)
{
	u32 z = 0, i;
	u64 *pp = bpf_map_lookup_elem(&last_pool, &z);
	struct zsc_sums *r = bpf_map_lookup_elem(&classes, &z);
	struct zs_pool *pool;
	struct size_class *c;
	long pages;

	if (ctx->args[0] != ZST_MAGIC || !pp || !r)
		return 0;
	__builtin_memset(r->v, 0, sizeof(r->v));
	pool = (struct zs_pool *)*pp;
	if (!pool)
		return 0;
	for (i = 0; i < ZST_CLASSES; i++) {
		int size = 0, per = 0, ppz = 0;
		unsigned int idx = 0;
		unsigned long alloc = 0, used = 0;

		if (bpf_core_read(&c, sizeof(c), &pool->size_class[i]) || !c)
			continue;
		bpf_core_read(&idx, sizeof(idx), &c->index);
		if (idx != i)	/* merged into a bigger class: counted there */
			continue;
		bpf_core_read(&size, sizeof(size), &c->size);
		bpf_core_read(&per, sizeof(per), &c->objs_per_zspage);
		bpf_core_read(&ppz, sizeof(ppz), &c->pages_per_zspage);
		bpf_core_read(&alloc, sizeof(alloc), &c->stats.objs[ZST_OBJ_ALLOCATED]);
		bpf_core_read(&used, sizeof(used), &c->stats.objs[ZST_OBJ_USED]);
		r->v[ZSC_CLASSES]++;
		r->v[ZSC_USED_BYTES] += (u64)used * size;
		r->v[ZSC_SLOT_BYTES] += (u64)alloc * size;
		if (per > 0)
			r->v[ZSC_PAGES] += alloc / per * ppz;
		r->v[ZSC_OBJS_USED] += used;
		r->v[ZSC_OBJS_ALLOCATED] += alloc;
	}
	if (!bpf_core_read(&pages, sizeof(pages), &pool->pages_allocated.counter))
		r->v[ZSC_POOL_PAGES] = pages;
	r->v[ZSC_DONE] = 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
