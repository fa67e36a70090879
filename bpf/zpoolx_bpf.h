/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zpoolx_bpf.h - the BPF statistics of zpoolx, as a C library
 * (bpf/libzpoolx_bpf.a), shared by zpoolctl and zpoold.
 *
 * The library loads the CO-RE programs of bpf/zpoolx.bpf.c and attaches
 * them to:
 *   - zpoolx's six tracepoints (raw tracepoints zpoolx_alloc, zpoolx_free,
 *     zpoolx_evict, zpoolx_reclaim, zpoolx_compact, zpoolx_migrate): they
 *     exist only while the zpoolx module is loaded;
 *   - zswap's store and load entry points of Linux 6.1
 *     (fentry/fexit on zswap_frontswap_store and zswap_frontswap_load).
 * Counting starts at zero when the programs attach: every number in
 * struct zpx_bpf_stats is "since attach".  Reading never resets anything.
 *
 * Link: libzpoolx_bpf.a $(pkg-config --libs libbpf) (libbpf, libelf, zlib).
 * Needs: root or CAP_BPF + CAP_PERFMON, a kernel with BPF and BTF
 * (/sys/kernel/btf/vmlinux).  While attached to zpoolx's tracepoints the
 * kernel holds a reference on the zpoolx module: `rmmod zpoolx` is refused
 * until zpx_bpf_destroy().
 *
 * Not thread-safe: one thread uses one struct zpx_bpf at a time.
 *
 * Typical use:
 *
 *	struct zpx_bpf *b;
 *	struct zpx_bpf_error err;
 *	struct zpx_bpf_stats *st = malloc(sizeof(*st));
 *	int r = zpx_bpf_open(&b, 0, &err);
 *	if (r < 0) { fprintf(stderr, "no BPF statistics: %s\n", err.msg); ... go on without }
 *	if (r == ZPX_BPF_PARTIAL) fprintf(stderr, "partial: %s\n", err.msg);
 *	...
 *	zpx_bpf_read(b, st, &err);
 *	...
 *	zpx_bpf_destroy(b);
 */
#ifndef ZPOOLX_BPF_H
#define ZPOOLX_BPF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZPX_BPF_API_VERSION 1

/* ---- status codes ---- */

/*
 * zpx_bpf_open() and zpx_bpf_retry() return ZPX_BPF_OK, ZPX_BPF_PARTIAL or
 * one of the negative codes; the other calls ZPX_BPF_OK or a negative code.
 * zpx_bpf_strerror() names each.  Whenever a code other than ZPX_BPF_OK is
 * returned, err->msg (if err is not NULL) says what is missing and why, in
 * one line without a trailing newline.
 */
enum zpx_bpf_status {
	ZPX_BPF_OK = 0,
	ZPX_BPF_PARTIAL = 1,	  /* attached, but not everything: see
				     zpx_bpf_attached() and err->msg (typically
				     zpoolx not loaded: zswap only) */
	ZPX_BPF_E_PERM = -1,	  /* not root / no CAP_BPF (EPERM, EACCES) */
	ZPX_BPF_E_NOBTF = -2,	  /* no /sys/kernel/btf/vmlinux */
	ZPX_BPF_E_NOKERNEL = -3,  /* kernel without BPF (ENOSYS), or too old */
	ZPX_BPF_E_NOTARGET = -4,  /* neither zpoolx's tracepoints nor zswap's
				     functions could be attached */
	ZPX_BPF_E_LOAD = -5,	  /* the programs failed to load (verifier,
				     libbpf): a bug or an unexpected kernel */
	ZPX_BPF_E_NOMEM = -6,
	ZPX_BPF_E_INVAL = -7,	  /* bad argument to the library */
	ZPX_BPF_E_READ = -8,	  /* reading a map failed */
};

struct zpx_bpf_error {
	int code;		/* enum zpx_bpf_status */
	int sys_errno;		/* the errno behind it, 0 if none */
	char msg[512];		/* one line, NUL-terminated */
};

const char *zpx_bpf_strerror(int code);

/* ---- what is attached (bit mask) ---- */

enum zpx_bpf_attach_bit {
	ZPX_BPF_ATT_ALLOC = 1u << 0,	/* raw_tp zpoolx_alloc */
	ZPX_BPF_ATT_FREE = 1u << 1,	/* raw_tp zpoolx_free */
	ZPX_BPF_ATT_EVICT = 1u << 2,	/* raw_tp zpoolx_evict */
	ZPX_BPF_ATT_RECLAIM = 1u << 3,	/* raw_tp zpoolx_reclaim */
	ZPX_BPF_ATT_COMPACT = 1u << 4,	/* raw_tp zpoolx_compact */
	ZPX_BPF_ATT_MIGRATE = 1u << 5,	/* raw_tp zpoolx_migrate */
	ZPX_BPF_ATT_ZSWAP_STORE = 1u << 6, /* fentry+fexit zswap_frontswap_store */
	ZPX_BPF_ATT_ZSWAP_LOAD = 1u << 7,  /* fentry+fexit zswap_frontswap_load */
};
#define ZPX_BPF_ATT_ZPOOLX 0x3fu	/* the six tracepoints */
#define ZPX_BPF_ATT_ZSWAP 0xc0u		/* zswap store and load */
#define ZPX_BPF_ATT_ALL 0xffu

/* ---- the statistics ---- */

/* Counters of one pool (key: the pool id of /sys/kernel/zpoolx/pools/<id>). */
struct zpx_bpf_pool {
	uint32_t pool_id;
	uint32_t pad_;
	/* zpoolx_alloc */
	uint64_t allocs;		/* successful mallocs */
	uint64_t alloc_failures;	/* failed with -ENOMEM (sysfs alloc_failures) */
	uint64_t alloc_rejects;		/* failed otherwise (-EINVAL, -ENOSPC: bad size) */
	uint64_t alloc_bytes;		/* bytes asked for by successful mallocs */
	uint64_t alloc_slot_bytes;	/* bytes of the slots they got (slot_size) */
	/* zpoolx_free */
	uint64_t frees;			/* live objects freed */
	uint64_t free_bytes;		/* their malloc sizes, bytes */
	/* derived: allocs - frees and alloc_bytes - free_bytes, i.e. the
	 * change since attach of sysfs `objects` and `stored_bytes` (may be
	 * negative: objects stored before attach and freed since) */
	int64_t objects_delta;
	int64_t stored_bytes_delta;	/* bytes */
	/* zpoolx_evict: sysfs evict_attempted/succeeded/failed */
	uint64_t evict_attempted;
	uint64_t evict_succeeded;
	uint64_t evict_failed;
	uint64_t evict_ns;		/* total time in evict callbacks, ns */
	/* zpoolx_reclaim */
	uint64_t reclaim_calls;		/* shrink / writeback calls */
	uint64_t reclaim_requested;	/* pages asked for, summed */
	uint64_t reclaimed_pages;	/* pages freed (sysfs reclaimed_pages) */
	uint64_t reclaim_errors;	/* calls that returned an error */
	/* zpoolx_compact */
	uint64_t compactions;		/* compaction runs (on demand + shrinker) */
	uint64_t compact_pages_freed;	/* pages freed (sysfs compact "total") */
	/* zpoolx_migrate (zsmalloc movable pages) */
	uint64_t isolated;		/* isolate ok (sysfs pages_isolated) */
	uint64_t isolate_failed;	/* isolate refused */
	uint64_t migrated;		/* migrate ok (sysfs pages_migrated) */
	uint64_t migrate_failures;	/* migrate refused (sysfs migrate_failures) */
	uint64_t putback;		/* putback (sysfs pages_putback) */
};

/*
 * log2 histograms.  ZPX_BPF_HIST_BUCKETS buckets; a value v goes to bucket
 * i = min(bit length of v, 63):
 *	bucket 0:		v == 0
 *	bucket i (1..62):	2^(i-1) <= v <= 2^i - 1
 *	bucket 63:		v >= 2^62
 * zpx_bpf_bucket_low(i) and zpx_bpf_bucket_high(i) give the bounds
 * (inclusive; high(63) = UINT64_MAX).  For Prometheus, bucket i is
 * le="high(i)" (cumulative over 0..i).
 */
#define ZPX_BPF_HIST_BUCKETS 64

enum zpx_bpf_hist_id {
	ZPX_BPF_HIST_OBJECT_SIZE = 0,	/* bytes: malloc size of each
					   successful zpoolx_alloc, all pools */
	ZPX_BPF_HIST_EVICT_NS,		/* ns: duration of each evict
					   callback (zpoolx_evict), all pools */
	ZPX_BPF_HIST_ZSWAP_STORE_NS,	/* ns: each zswap_frontswap_store call,
					   successful or not */
	ZPX_BPF_HIST_ZSWAP_LOAD_NS,	/* ns: each zswap_frontswap_load call */
	ZPX_BPF_NR_HISTS
};

struct zpx_bpf_hist {
	uint64_t count;			/* samples (= sum of buckets) */
	uint64_t sum;			/* sum of the values (bytes or ns) */
	uint64_t buckets[ZPX_BPF_HIST_BUCKETS];
};

/* zswap, all pools (6.1 zswap's front end; not keyed by pool) */
struct zpx_bpf_zswap {
	uint64_t stores;		/* zswap_frontswap_store calls */
	uint64_t store_failures;	/* of those, returned != 0 (rejected:
					   pool full, poor compression, ...) */
	uint64_t loads;			/* zswap_frontswap_load calls */
	uint64_t load_failures;		/* of those, returned != 0 (not found) */
};

#define ZPX_BPF_MAX_POOLS 64

/* Everything, in one struct (about 12 KiB: allocate it, or make it static). */
struct zpx_bpf_stats {
	uint32_t attached;		/* ZPX_BPF_ATT_* mask at read time */
	uint32_t npools;		/* valid entries of pools[], by id ascending */
	uint32_t pools_dropped;		/* pools beyond ZPX_BPF_MAX_POOLS (the
					   lowest ids are dropped) */
	uint32_t pad_;
	uint64_t elapsed_ns;		/* CLOCK_MONOTONIC since zpx_bpf_open attached */
	uint64_t pool_events_lost;	/* events not counted: their pool's slot
					   (id % 1024) held a newer pool, i.e.
					   1024 or more pools were created
					   while this one lived */
	struct zpx_bpf_pool pools[ZPX_BPF_MAX_POOLS];
	struct zpx_bpf_zswap zswap;
	struct zpx_bpf_hist hist[ZPX_BPF_NR_HISTS];
};

/* ---- calls ---- */

struct zpx_bpf;

enum zpx_bpf_open_flags {
	ZPX_BPF_NO_ZSWAP = 1u << 0,	/* do not attach to zswap */
	ZPX_BPF_NO_ZPOOLX = 1u << 1,	/* do not attach to zpoolx */
	ZPX_BPF_VERBOSE = 1u << 2,	/* libbpf's messages to stderr (also
					   when ZPOOLX_BPF_VERBOSE is set and
					   not empty in the environment) */
};

/*
 * Load and attach.  Returns ZPX_BPF_OK (all attached), ZPX_BPF_PARTIAL
 * (some attached, *out usable, err says what is missing) or a negative
 * code (*out = NULL, nothing left behind).  err may be NULL.
 */
int zpx_bpf_open(struct zpx_bpf **out, unsigned int flags,
		 struct zpx_bpf_error *err);

/* ZPX_BPF_ATT_* mask of what is attached now */
uint32_t zpx_bpf_attached(const struct zpx_bpf *b);

/*
 * Try again to attach what is missing (e.g. zpoolx was loaded after
 * zpx_bpf_open): ZPX_BPF_OK, ZPX_BPF_PARTIAL or a negative code; what was
 * attached stays attached either way.  Counters already collected are kept.
 */
int zpx_bpf_retry(struct zpx_bpf *b, struct zpx_bpf_error *err);

/* Sum the per-CPU maps into *st (overwritten entirely). */
int zpx_bpf_read(struct zpx_bpf *b, struct zpx_bpf_stats *st,
		 struct zpx_bpf_error *err);

/* Detach and unload everything, free b.  NULL is accepted. */
void zpx_bpf_destroy(struct zpx_bpf *b);

/* ---- helpers ---- */

uint64_t zpx_bpf_bucket_low(unsigned int i);
uint64_t zpx_bpf_bucket_high(unsigned int i);
/* "object_size", "evict_latency", "zswap_store_latency", "zswap_load_latency" */
const char *zpx_bpf_hist_name(unsigned int id);
/* "bytes" or "ns" */
const char *zpx_bpf_hist_unit(unsigned int id);
/* "zpoolx_alloc", ..., "zswap_frontswap_store", "zswap_frontswap_load" */
const char *zpx_bpf_attach_name(unsigned int bit_index);

#ifdef __cplusplus
}
#endif
#endif
