// SPDX-License-Identifier: GPL-2.0
/*
 * zpoolx_bpf.c - libzpoolx_bpf: load, attach, read and detach the programs
 * of zpoolx.bpf.c through its bpftool skeleton.  API: zpoolx_bpf.h; map
 * layout: zpoolx_maps.h.
 *
 * Attaching is done program by program, so that what can be attached is
 * (zswap's functions are there without zpoolx; zpoolx's tracepoints exist
 * only while the module is loaded) and what is missing is named in the
 * error message.  The fentry/fexit pair of a zswap function is attached
 * both or neither, so that every counted call is also timed; where the
 * kernel cannot attach fentry at all (ENOTSUPP: arm64 before 6.4), its
 * kprobe/kretprobe twin is attached instead, both or neither too.
 */
#include <errno.h>
#include <linux/types.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "zpoolx_bpf.h"
#include "zpoolx_maps.h"
#include "zpoolx.skel.h"

_Static_assert(ZPX_NBUCKETS == ZPX_BPF_HIST_BUCKETS, "bucket count");
_Static_assert(ZPX_NHISTS == ZPX_BPF_NR_HISTS, "histogram count");
_Static_assert((int)ZH_OBJECT_SIZE == (int)ZPX_BPF_HIST_OBJECT_SIZE &&
	       (int)ZH_EVICT_NS == (int)ZPX_BPF_HIST_EVICT_NS &&
	       (int)ZH_ZSWAP_STORE_NS == (int)ZPX_BPF_HIST_ZSWAP_STORE_NS &&
	       (int)ZH_ZSWAP_LOAD_NS == (int)ZPX_BPF_HIST_ZSWAP_LOAD_NS,
	       "histogram ids");

#define NTARGETS 8
#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
/* pool_counters slots read per bpf_map_lookup_batch() call */
#define BATCH 32

/* What each ZPX_BPF_ATT_* bit attaches: one or two programs. */
struct target {
	const char *name;	/* tracepoint or kernel function */
	bool zswap;		/* fentry+fexit, else raw tracepoint */
};

static const struct target targets[NTARGETS] = {
	{ "zpoolx_alloc", false },
	{ "zpoolx_free", false },
	{ "zpoolx_evict", false },
	{ "zpoolx_reclaim", false },
	{ "zpoolx_compact", false },
	{ "zpoolx_migrate", false },
	{ "zswap_frontswap_store", true },
	{ "zswap_frontswap_load", true },
};

struct zpx_bpf {
	struct zpx_skel *skel;
	struct bpf_link *links[NTARGETS][2];
	uint32_t attached;
	uint32_t wanted;	/* bits the caller asked for and that loaded */
	char unloaded[256];	/* why zswap programs were not loaded */
	struct timespec t0;
	int ncpus;
	void *buf;		/* per-CPU value buffer for reads */
	size_t bufsize;
};

/* ---- libbpf's messages: to stderr when verbose, else the last kept ---- */

static bool verbose;
static char last_libbpf[256];

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list aq;
	size_t n;

	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	va_copy(aq, ap);
	if (level != LIBBPF_DEBUG) {
		vsnprintf(last_libbpf, sizeof(last_libbpf), fmt, aq);
		n = strlen(last_libbpf);
		while (n > 0 && (last_libbpf[n - 1] == '\n' ||
				 last_libbpf[n - 1] == ' '))
			last_libbpf[--n] = '\0';
	}
	va_end(aq);
	if (verbose)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* ---- errors ---- */

const char *zpx_bpf_strerror(int code)
{
	switch (code) {
	case ZPX_BPF_OK: return "ok";
	case ZPX_BPF_PARTIAL: return "partially attached";
	case ZPX_BPF_E_PERM: return "permission denied (needs root or CAP_BPF and CAP_PERFMON)";
	case ZPX_BPF_E_NOBTF: return "kernel without BTF (" VMLINUX_BTF " missing)";
	case ZPX_BPF_E_NOKERNEL: return "kernel without the needed BPF support";
	case ZPX_BPF_E_NOTARGET: return "nothing to attach to (zpoolx not loaded, zswap functions missing)";
	case ZPX_BPF_E_LOAD: return "BPF programs failed to load";
	case ZPX_BPF_E_NOMEM: return "out of memory";
	case ZPX_BPF_E_INVAL: return "invalid argument";
	case ZPX_BPF_E_READ: return "reading BPF maps failed";
	}
	return "unknown error";
}

static int set_err(struct zpx_bpf_error *err, int code, int sys_errno,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int set_err(struct zpx_bpf_error *err, int code, int sys_errno,
		   const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->sys_errno = sys_errno;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

static void clear_err(struct zpx_bpf_error *err)
{
	if (err) {
		err->code = ZPX_BPF_OK;
		err->sys_errno = 0;
		err->msg[0] = '\0';
	}
}

/* a libbpf/syscall errno while loading -> status code */
static int load_code(int e)
{
	switch (e) {
	case EPERM:
		return ZPX_BPF_E_PERM;
	case EACCES:
	case EINVAL:
		/*
		 * The verifier's or the kernel's refusal, unless we are not
		 * root: then EACCES is the verifier refusing an unprivileged
		 * program, and EINVAL comes where unprivileged bpf() is
		 * allowed (the debug kernel): the BTF load is refused, libbpf
		 * makes the maps without it, and the task storage map, which
		 * needs BTF, is refused with EINVAL before its capability
		 * check.
		 */
		return geteuid() == 0 ? ZPX_BPF_E_LOAD : ZPX_BPF_E_PERM;
	case ENOSYS:
	case EOPNOTSUPP:
	case 524: /* ENOTSUPP (kernel-internal): no trampolines */
		return ZPX_BPF_E_NOKERNEL;
	case ENOMEM:
		return ZPX_BPF_E_NOMEM;
	}
	return ZPX_BPF_E_LOAD;
}

/* ---- helpers of the API ---- */

uint64_t zpx_bpf_bucket_low(unsigned int i)
{
	if (i == 0 || i >= ZPX_BPF_HIST_BUCKETS)
		return 0;
	return 1ULL << (i - 1);
}

uint64_t zpx_bpf_bucket_high(unsigned int i)
{
	if (i >= ZPX_BPF_HIST_BUCKETS - 1)
		return UINT64_MAX;
	return (1ULL << i) - 1;
}

const char *zpx_bpf_hist_name(unsigned int id)
{
	static const char *const names[ZPX_BPF_NR_HISTS] = {
		"object_size", "evict_latency", "zswap_store_latency",
		"zswap_load_latency",
	};

	return id < ZPX_BPF_NR_HISTS ? names[id] : "?";
}

const char *zpx_bpf_hist_unit(unsigned int id)
{
	if (id >= ZPX_BPF_NR_HISTS)
		return "?";
	return id == ZPX_BPF_HIST_OBJECT_SIZE ? "bytes" : "ns";
}

const char *zpx_bpf_attach_name(unsigned int bit_index)
{
	return bit_index < NTARGETS ? targets[bit_index].name : "?";
}

uint32_t zpx_bpf_attached(const struct zpx_bpf *b)
{
	return b ? b->attached : 0;
}

/* ---- programs ---- */

/* the program(s) of target i: [0] raw_tp or fentry, [1] fexit or NULL */
static void target_progs(struct zpx_skel *s, unsigned int i,
			 struct bpf_program *p[2])
{
	struct bpf_program *all[NTARGETS][2] = {
		{ s->progs.zpx_alloc, NULL },
		{ s->progs.zpx_free, NULL },
		{ s->progs.zpx_evict, NULL },
		{ s->progs.zpx_reclaim, NULL },
		{ s->progs.zpx_compact, NULL },
		{ s->progs.zpx_migrate, NULL },
		{ s->progs.zpx_zswap_store_in, s->progs.zpx_zswap_store_out },
		{ s->progs.zpx_zswap_load_in, s->progs.zpx_zswap_load_out },
	};

	p[0] = all[i][0];
	p[1] = all[i][1];
}

/* the kprobe+kretprobe twin of zswap target i (NULLs for the others) */
static void target_kprobes(struct zpx_skel *s, unsigned int i,
			   struct bpf_program *p[2])
{
	p[0] = NULL;
	p[1] = NULL;
	if (targets[i].zswap && !strcmp(targets[i].name, "zswap_frontswap_store")) {
		p[0] = s->progs.zpx_zswap_store_kin;
		p[1] = s->progs.zpx_zswap_store_kout;
	} else if (targets[i].zswap) {
		p[0] = s->progs.zpx_zswap_load_kin;
		p[1] = s->progs.zpx_zswap_load_kout;
	}
}

/* kernel's ENOTSUPP (not in userspace errno.h): fentry without trampolines */
#define ZPX_ENOTSUPP 524

/* attach the kprobe twin of zswap target i; 0 or an errno */
static int attach_kprobes(struct zpx_bpf *b, unsigned int i,
			  struct bpf_link **l0, struct bpf_link **l1)
{
	struct bpf_program *k[2];

	target_kprobes(b->skel, i, k);
	*l0 = bpf_program__attach_kprobe(k[0], false, targets[i].name);
	if (!*l0)
		return errno;
	*l1 = bpf_program__attach_kprobe(k[1], true, targets[i].name);
	if (!*l1) {
		int e = errno;

		bpf_link__destroy(*l0);
		*l0 = NULL;
		return e;
	}
	return 0;
}

/*
 * Open and load the skeleton with the zswap programs of @zswap_mask only
 * (fentry needs its target in the kernel's BTF at load time).
 */
static int load(struct zpx_bpf *b, uint32_t zswap_mask, int *sys_errno)
{
	struct bpf_program *p[2];
	unsigned int i;
	int r;

	b->skel = zpx_skel__open();
	if (!b->skel) {
		*sys_errno = errno;
		return -1;
	}
	for (i = 0; i < NTARGETS; i++) {
		bool on = targets[i].zswap ? (zswap_mask & (1u << i)) != 0 :
					     (b->wanted & (1u << i)) != 0;

		target_progs(b->skel, i, p);
		bpf_program__set_autoload(p[0], on);
		if (p[1])
			bpf_program__set_autoload(p[1], on);
		target_kprobes(b->skel, i, p);
		if (p[0]) {
			bpf_program__set_autoload(p[0], on);
			bpf_program__set_autoload(p[1], on);
		}
	}
	/* the zswap programs' task storage: not made when they stay out */
	bpf_map__set_autocreate(b->skel->maps.zswap_t0,
				(zswap_mask & ZPX_BPF_ATT_ZSWAP) != 0);
	r = zpx_skel__load(b->skel);
	if (r) {
		*sys_errno = -r;
		zpx_skel__destroy(b->skel);
		b->skel = NULL;
		return -1;
	}
	return 0;
}

/* the zswap functions that are in the kernel's BTF (ZPX_BPF_ATT_* bits) */
static uint32_t zswap_in_btf(void)
{
	struct btf *vm = btf__load_vmlinux_btf();
	uint32_t mask = 0;
	unsigned int i;

	if (!vm)
		return 0;
	for (i = 0; i < NTARGETS; i++)
		if (targets[i].zswap &&
		    btf__find_by_name_kind(vm, targets[i].name, BTF_KIND_FUNC) > 0)
			mask |= 1u << i;
	btf__free(vm);
	return mask;
}

/* attach what is wanted and not attached yet; fills @missing */
static void attach_missing(struct zpx_bpf *b, char *missing, size_t size,
			   int *first_errno)
{
	size_t len = strlen(missing);
	struct bpf_program *p[2];
	unsigned int i;

	for (i = 0; i < NTARGETS; i++) {
		uint32_t bit = 1u << i;
		struct bpf_link *l0, *l1 = NULL;
		int e = 0;

		if (!(b->wanted & bit) || (b->attached & bit))
			continue;
		target_progs(b->skel, i, p);
		if (targets[i].zswap) {
			l0 = bpf_program__attach_trace(p[0]);
			if (!l0)
				e = errno;
			else {
				l1 = bpf_program__attach_trace(p[1]);
				if (!l1) {
					e = errno;
					bpf_link__destroy(l0);
					l0 = NULL;
				}
			}
			if (!l0 && (e == ZPX_ENOTSUPP || e == EOPNOTSUPP))
				e = attach_kprobes(b, i, &l0, &l1);
		} else {
			l0 = bpf_program__attach_raw_tracepoint(p[0],
								targets[i].name);
			if (!l0)
				e = errno;
		}
		if (l0) {
			b->links[i][0] = l0;
			b->links[i][1] = l1;
			b->attached |= bit;
			continue;
		}
		if (!*first_errno)
			*first_errno = e;
		if (len < size) {
			int w = snprintf(missing + len, size - len, "%s%s (%s)",
					 len ? ", " : "", targets[i].name,
					 e == ENOENT && !targets[i].zswap ?
					 "no such tracepoint: zpoolx not loaded?" :
					 strerror(e));
			if (w > 0)
				len += (size_t)w;
		}
	}
}

static int report(struct zpx_bpf *b, struct zpx_bpf_error *err,
		  const char *missing, int first_errno)
{
	char msg[600];

	if (!missing[0] && !b->unloaded[0])
		return ZPX_BPF_OK;
	snprintf(msg, sizeof(msg), "%s%s%s%s",
		 missing[0] ? "not attached: " : "", missing,
		 missing[0] && b->unloaded[0] ? "; " : "", b->unloaded);
	if (!b->attached)
		return set_err(err, first_errno == EPERM || first_errno == EACCES ?
			       ZPX_BPF_E_PERM : ZPX_BPF_E_NOTARGET,
			       first_errno, "%.500s", msg);
	return set_err(err, ZPX_BPF_PARTIAL, first_errno, "%.500s", msg);
}

int zpx_bpf_open(struct zpx_bpf **out, unsigned int flags,
		 struct zpx_bpf_error *err)
{
	const unsigned int known = ZPX_BPF_NO_ZSWAP | ZPX_BPF_NO_ZPOOLX |
				   ZPX_BPF_VERBOSE;
	struct zpx_bpf *b;
	uint32_t zswap_mask = 0;
	char missing[400] = "";
	int e = 0, r;

	clear_err(err);
	if (!out)
		return set_err(err, ZPX_BPF_E_INVAL, EINVAL, "zpx_bpf_open: out is NULL");
	*out = NULL;
	if (flags & ~known)
		return set_err(err, ZPX_BPF_E_INVAL, EINVAL,
			       "zpx_bpf_open: unknown flags 0x%x (accepted: NO_ZSWAP, NO_ZPOOLX, VERBOSE)",
			       flags & ~known);
	if ((flags & ZPX_BPF_NO_ZSWAP) && (flags & ZPX_BPF_NO_ZPOOLX))
		return set_err(err, ZPX_BPF_E_INVAL, EINVAL,
			       "zpx_bpf_open: NO_ZSWAP and NO_ZPOOLX together leave nothing to attach");
	verbose = (flags & ZPX_BPF_VERBOSE) ||
		  (getenv("ZPOOLX_BPF_VERBOSE") && *getenv("ZPOOLX_BPF_VERBOSE"));
	libbpf_set_print(print_fn);

	if (access(VMLINUX_BTF, F_OK) != 0)
		return set_err(err, ZPX_BPF_E_NOBTF, errno,
			       "%s: %s: the kernel has no BTF (CONFIG_DEBUG_INFO_BTF), which the CO-RE programs need",
			       VMLINUX_BTF, strerror(errno));
	if (access(VMLINUX_BTF, R_OK) != 0)
		return set_err(err, ZPX_BPF_E_PERM, errno,
			       "%s: %s: BPF statistics need root (or CAP_BPF and CAP_PERFMON)",
			       VMLINUX_BTF, strerror(errno));

	b = calloc(1, sizeof(*b));
	if (!b)
		return set_err(err, ZPX_BPF_E_NOMEM, ENOMEM, "out of memory");
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus <= 0) {
		r = -b->ncpus;
		free(b);
		return set_err(err, ZPX_BPF_E_NOKERNEL, r,
			       "cannot count the possible CPUs: %s", strerror(r));
	}
	/* the largest read: a batch of pool slots, or one histogram */
	b->bufsize = (size_t)b->ncpus * BATCH * sizeof(struct zpx_pool_ctr);
	if (b->bufsize < (size_t)b->ncpus * sizeof(struct zpx_hist))
		b->bufsize = (size_t)b->ncpus * sizeof(struct zpx_hist);
	b->buf = calloc(1, b->bufsize);
	if (!b->buf) {
		free(b);
		return set_err(err, ZPX_BPF_E_NOMEM, ENOMEM, "out of memory");
	}

	if (!(flags & ZPX_BPF_NO_ZPOOLX))
		b->wanted |= ZPX_BPF_ATT_ZPOOLX;
	if (!(flags & ZPX_BPF_NO_ZSWAP)) {
		zswap_mask = zswap_in_btf();
		if ((zswap_mask & ZPX_BPF_ATT_ZSWAP) != ZPX_BPF_ATT_ZSWAP)
			snprintf(b->unloaded, sizeof(b->unloaded),
				 "zswap_frontswap_store/load not in the kernel's BTF (not a 6.1-era zswap?): no zswap statistics");
	}

	last_libbpf[0] = '\0';
	r = load(b, zswap_mask, &e);
	if (r && zswap_mask && load_code(e) != ZPX_BPF_E_PERM) {
		/* fentry may be what the kernel lacks: go on without zswap */
		snprintf(b->unloaded, sizeof(b->unloaded),
			 "zswap programs failed to load (%s%s%.150s): no zswap statistics",
			 strerror(e), last_libbpf[0] ? ": " : "", last_libbpf);
		zswap_mask = 0;
		last_libbpf[0] = '\0';
		r = load(b, 0, &e);
	}
	if (r) {
		int code = load_code(e);

		free(b->buf);
		free(b);
		if (code == ZPX_BPF_E_PERM)
			return set_err(err, code, e,
				       "loading BPF programs: %s: needs root (or CAP_BPF and CAP_PERFMON)",
				       strerror(e));
		return set_err(err, code, e, "loading BPF programs: %s%s%.300s",
			       strerror(e), last_libbpf[0] ? ": " : "",
			       last_libbpf);
	}
	b->wanted |= zswap_mask;
	if (!b->wanted) {
		set_err(err, ZPX_BPF_E_NOTARGET, 0, "nothing to attach: %.400s",
			b->unloaded);
		zpx_bpf_destroy(b);
		return ZPX_BPF_E_NOTARGET;
	}

	attach_missing(b, missing, sizeof(missing), &e);
	clock_gettime(CLOCK_MONOTONIC, &b->t0);
	r = report(b, err, missing, e);
	if (r < 0) {
		zpx_bpf_destroy(b);
		return r;
	}
	*out = b;
	return r;
}

int zpx_bpf_retry(struct zpx_bpf *b, struct zpx_bpf_error *err)
{
	char missing[400] = "";
	int e = 0, r;

	clear_err(err);
	if (!b)
		return set_err(err, ZPX_BPF_E_INVAL, EINVAL, "zpx_bpf_retry: NULL handle");
	attach_missing(b, missing, sizeof(missing), &e);
	r = report(b, err, missing, e);
	return r;
}

/* ---- reading ---- */

/* Sum the first @nwords u64 of every CPU's copy of @map's element @key (a
 * @value_size value) into @sum; ZPX_BPF_OK, or ZPX_BPF_E_READ in @err. */
static int lookup_sum(struct zpx_bpf *b, const struct bpf_map *map,
		      uint32_t key, size_t value_size, uint64_t *sum,
		      size_t nwords, struct zpx_bpf_error *err)
{
	const uint64_t *v = b->buf;
	size_t stride = (value_size + 7) / 8, i;
	int cpu, e = 0;

	if ((size_t)b->ncpus * stride * 8 > b->bufsize)
		e = EINVAL;
	else if (bpf_map_lookup_elem(bpf_map__fd(map), &key, b->buf))
		e = errno;
	if (e)
		return set_err(err, ZPX_BPF_E_READ, e, "reading map %s: %s",
			       bpf_map__name(map), strerror(e));
	memset(sum, 0, nwords * sizeof(*sum));
	for (cpu = 0; cpu < b->ncpus; cpu++)
		for (i = 0; i < nwords; i++)
			sum[i] += v[(size_t)cpu * stride + i];
	return ZPX_BPF_OK;
}

static int cmp_pool(const void *a, const void *c)
{
	const struct zpx_bpf_pool *x = a, *y = c;

	return x->pool_id < y->pool_id ? -1 : x->pool_id > y->pool_id;
}

static void fill_pool(struct zpx_bpf_pool *p, uint32_t id, const uint64_t *c)
{
	memset(p, 0, sizeof(*p));
	p->pool_id = id;
	p->allocs = c[ZC_ALLOCS];
	p->alloc_failures = c[ZC_ALLOC_FAILURES];
	p->alloc_rejects = c[ZC_ALLOC_REJECTS];
	p->alloc_bytes = c[ZC_ALLOC_BYTES];
	p->alloc_slot_bytes = c[ZC_ALLOC_SLOT_BYTES];
	p->frees = c[ZC_FREES];
	p->free_bytes = c[ZC_FREE_BYTES];
	p->objects_delta = (int64_t)(c[ZC_ALLOCS] - c[ZC_FREES]);
	p->stored_bytes_delta = (int64_t)(c[ZC_ALLOC_BYTES] - c[ZC_FREE_BYTES]);
	p->evict_attempted = c[ZC_EVICT_ATTEMPTED];
	p->evict_succeeded = c[ZC_EVICT_SUCCEEDED];
	p->evict_failed = c[ZC_EVICT_FAILED];
	p->evict_ns = c[ZC_EVICT_NS];
	p->reclaim_calls = c[ZC_RECLAIM_CALLS];
	p->reclaim_requested = c[ZC_RECLAIM_REQUESTED];
	p->reclaimed_pages = c[ZC_RECLAIMED_PAGES];
	p->reclaim_errors = c[ZC_RECLAIM_ERRORS];
	p->compactions = c[ZC_COMPACTIONS];
	p->compact_pages_freed = c[ZC_COMPACT_PAGES_FREED];
	p->isolated = c[ZC_ISOLATED];
	p->isolate_failed = c[ZC_ISOLATE_FAILED];
	p->migrated = c[ZC_MIGRATED];
	p->migrate_failures = c[ZC_MIGRATE_FAILURES];
	p->putback = c[ZC_PUTBACK];
}

int zpx_bpf_read(struct zpx_bpf *b, struct zpx_bpf_stats *st,
		 struct zpx_bpf_error *err)
{
	struct zpx_bpf_pool *all = NULL, *tmp;
	size_t n = 0, cap = 0, i;
	uint64_t c[ZC_NR], z[4];
	struct timespec now;
	uint32_t key, next, *prev = NULL;
	int fd, r;

	clear_err(err);
	if (!b || !st)
		return set_err(err, ZPX_BPF_E_INVAL, EINVAL, "zpx_bpf_read: NULL argument");
	memset(st, 0, sizeof(*st));
	st->attached = b->attached;
	clock_gettime(CLOCK_MONOTONIC, &now);
	st->elapsed_ns = (uint64_t)(now.tv_sec - b->t0.tv_sec) * 1000000000ULL +
			 (uint64_t)now.tv_nsec - (uint64_t)b->t0.tv_nsec;

	/* pool_counters: per slot, the CPU copies of the newest pool there */
	fd = bpf_map__fd(b->skel->maps.pool_counters);
	for (;;) {
		__u32 keys[BATCH], count = BATCH, j;
		const uint64_t *v = b->buf;
		size_t stride = sizeof(struct zpx_pool_ctr) / 8;
		int last;

		r = bpf_map_lookup_batch(fd, prev, &next, keys, b->buf, &count, NULL);
		last = r < 0 && errno == ENOENT;
		if (r < 0 && !last) {
			r = errno;
			free(all);
			return set_err(err, ZPX_BPF_E_READ, r,
				       "reading map pool_counters: %s", strerror(r));
		}
		for (j = 0; j < count; j++) {
			const uint64_t *slot = v + (size_t)j * b->ncpus * stride;
			uint64_t id = 0;
			int cpu;
			size_t w;

			for (cpu = 0; cpu < b->ncpus; cpu++)
				if (slot[(size_t)cpu * stride] > id)
					id = slot[(size_t)cpu * stride];
			if (!id)
				continue;	/* no pool here yet */
			memset(c, 0, sizeof(c));
			for (cpu = 0; cpu < b->ncpus; cpu++) {
				const uint64_t *cc = slot + (size_t)cpu * stride;

				if (cc[0] != id)
					continue;	/* an older pool's */
				for (w = 0; w < ZC_NR; w++)
					c[w] += cc[1 + w];
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				tmp = realloc(all, cap * sizeof(*all));
				if (!tmp) {
					free(all);
					return set_err(err, ZPX_BPF_E_NOMEM, ENOMEM, "out of memory");
				}
				all = tmp;
			}
			fill_pool(&all[n++], (uint32_t)id, c);
		}
		if (last || !count)
			break;
		key = next;
		prev = &key;
	}
	if (n) {
		qsort(all, n, sizeof(*all), cmp_pool);
		if (n > ZPX_BPF_MAX_POOLS) {
			st->pools_dropped = (uint32_t)(n - ZPX_BPF_MAX_POOLS);
			memcpy(st->pools, all + st->pools_dropped,
			       ZPX_BPF_MAX_POOLS * sizeof(*all));
			st->npools = ZPX_BPF_MAX_POOLS;
		} else {
			memcpy(st->pools, all, n * sizeof(*all));
			st->npools = (uint32_t)n;
		}
	}
	free(all);

	for (i = 0; i < ZPX_BPF_NR_HISTS; i++) {
		uint64_t h[1 + ZPX_NBUCKETS];
		size_t j;

		r = lookup_sum(b, b->skel->maps.hists, (uint32_t)i,
			       sizeof(struct zpx_hist), h, 1 + ZPX_NBUCKETS, err);
		if (r)
			return r;
		st->hist[i].sum = h[0];
		memcpy(st->hist[i].buckets, h + 1, sizeof(st->hist[i].buckets));
		for (j = 0; j < ZPX_BPF_HIST_BUCKETS; j++)
			st->hist[i].count += st->hist[i].buckets[j];
	}

	r = lookup_sum(b, b->skel->maps.zswap_ctr, 0,
		       sizeof(struct zpx_zswap_ctr), z, 4, err);
	if (r)
		return r;
	st->zswap.stores = z[0];
	st->zswap.store_failures = z[1];
	st->zswap.loads = z[2];
	st->zswap.load_failures = z[3];

	r = lookup_sum(b, b->skel->maps.lost, 0, sizeof(struct zpx_lost), z, 1,
		       err);
	if (r)
		return r;
	st->pool_events_lost = z[0];
	return ZPX_BPF_OK;
}

void zpx_bpf_destroy(struct zpx_bpf *b)
{
	unsigned int i;

	if (!b)
		return;
	for (i = 0; i < NTARGETS; i++) {
		bpf_link__destroy(b->links[i][1]);
		bpf_link__destroy(b->links[i][0]);
	}
	zpx_skel__destroy(b->skel);
	free(b->buf);
	free(b);
}
