// SPDX-License-Identifier: GPL-2.0
/*
 * bpfstats.c - the BPF statistics of bpf/libzpoolx_bpf.a (zpoolx_bpf.h) as
 * Prometheus families: the log2 histograms as Prometheus histograms
 * (cumulative _bucket{le=...}, _sum, _count; nanoseconds become seconds)
 * and the counters as _total.  Built without BPF (no bpf/ library, or
 * make NO_BPF=1), bpfstats_open() says so and zpoold goes on without.
 *
 * State: all of it in the handle (struct bpfstats), which its opener
 * owns and passes to every call; nothing is file-scope.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bpfstats.h"
#include "log.h"
#include "promtext.h"

#ifndef HAVE_BPF

struct bpfstats {
	int unused;
};

struct bpfstats *bpfstats_open(char *why, size_t whysize)
{
	snprintf(why, whysize,
		 "zpoold was built without BPF support (bpf/libzpoolx_bpf.a was not available)");
	return NULL;
}

void bpfstats_close(struct bpfstats *b)
{
	(void)b;
}

int bpfstats_write(struct bpfstats *b, FILE *f, char *why, size_t whysize)
{
	(void)b;
	(void)f;
	snprintf(why, whysize, "built without BPF support");
	return -1;
}

#else

#include "zpoolx_bpf.h"

struct bpfstats {
	struct zpx_bpf *b;
	struct zpx_bpf_stats *st;
	uint32_t want;		/* ZPX_BPF_ATT_ALL */
	time_t last_retry;
};

struct bpfstats *bpfstats_open(char *why, size_t whysize)
{
	struct zpx_bpf_error err;
	struct bpfstats *bs;
	int r;

	bs = calloc(1, sizeof(*bs));
	if (bs)
		bs->st = malloc(sizeof(*bs->st));
	if (!bs || !bs->st) {
		if (bs)
			free(bs);
		snprintf(why, whysize, "out of memory");
		return NULL;
	}
	memset(&err, 0, sizeof(err));
	/* kernels that charge BPF maps to RLIMIT_MEMLOCK (no memcg
	 * accounting): lift it, as root may; harmless elsewhere */
	{
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

		if (setrlimit(RLIMIT_MEMLOCK, &rl))
			zlog(LOG_LVL_DEBUG, "RLIMIT_MEMLOCK stays: %s",
			     strerror(errno));
	}
	r = zpx_bpf_open(&bs->b, 0, &err);
	if (r < 0) {
		snprintf(why, whysize, "%s: %s", zpx_bpf_strerror(r), err.msg);
		free(bs->st);
		free(bs);
		return NULL;
	}
	if (r == ZPX_BPF_PARTIAL)
		zlog(LOG_LVL_WARNING,
		     "BPF statistics partly attached (retried each scrape): %s",
		     err.msg);
	bs->want = ZPX_BPF_ATT_ALL;
	return bs;
}

void bpfstats_close(struct bpfstats *bs)
{
	if (!bs)
		return;
	zpx_bpf_destroy(bs->b);
	free(bs->st);
	free(bs);
}

static void hist(FILE *f, const struct zpx_bpf_hist *h, const char *name,
		 const char *help, bool ns)
{
	uint64_t cum = 0;
	unsigned i;

	fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (i = 0; i < ZPX_BPF_HIST_BUCKETS - 1; i++) {
		uint64_t hi = zpx_bpf_bucket_high(i);

		cum += h->buckets[i];
		if (ns)
			fprintf(f, "%s_bucket{le=\"%s\"} %llu\n", name,
				PROM_NUM((double)hi / 1e9),
				(unsigned long long)cum);
		else
			fprintf(f, "%s_bucket{le=\"%llu\"} %llu\n", name,
				(unsigned long long)hi,
				(unsigned long long)cum);
	}
	cum += h->buckets[ZPX_BPF_HIST_BUCKETS - 1];
	/* count is the sum of the buckets; keep +Inf and _count equal */
	fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name,
		(unsigned long long)cum);
	if (ns)
		fprintf(f, "%s_sum %s\n", name, PROM_NUM((double)h->sum / 1e9));
	else
		fprintf(f, "%s_sum %llu\n", name, (unsigned long long)h->sum);
	fprintf(f, "%s_count %llu\n", name, (unsigned long long)cum);
}

#define PC(field, name, help)                                                \
	do {                                                                 \
		fprintf(f, "# HELP %s %s\n# TYPE %s counter\n", name, help,  \
			name);                                               \
		for (i = 0; i < st->npools; i++)                             \
			fprintf(f, "%s{pool=\"%u\"} %llu\n", name,           \
				st->pools[i].pool_id,                        \
				(unsigned long long)st->pools[i].field);     \
	} while (0)

int bpfstats_write(struct bpfstats *bs, FILE *f, char *why, size_t whysize)
{
	struct zpx_bpf_stats *st = bs->st;
	struct zpx_bpf_error err;
	uint32_t att;

	memset(&err, 0, sizeof(err));
	att = zpx_bpf_attached(bs->b);
	/* zpoolx loaded after zpoold started: attach its tracepoints now */
	if ((att & bs->want) != bs->want &&
	    time(NULL) - bs->last_retry >= 30) {
		bs->last_retry = time(NULL);
		if (zpx_bpf_retry(bs->b, &err) < 0)
			zlog(LOG_LVL_DEBUG, "BPF retry: %s", err.msg);
	}
	if (zpx_bpf_read(bs->b, st, &err) < 0) {
		snprintf(why, whysize, "%s", err.msg);
		return -1;
	}
	bpfstats_format(st, f);
	return 0;
}

void bpfstats_format(const struct zpx_bpf_stats *st, FILE *f)
{
	unsigned i;

	fputs("# HELP zpoolx_bpf_attached 1 for each BPF attach point in use (zpoolx tracepoints, zswap store/load)\n"
	      "# TYPE zpoolx_bpf_attached gauge\n", f);
	for (i = 0; i < 8; i++)
		fprintf(f, "zpoolx_bpf_attached{point=\"%s\"} %d\n",
			zpx_bpf_attach_name(i), !!(st->attached & (1u << i)));
	hist(f, &st->hist[ZPX_BPF_HIST_OBJECT_SIZE],
	     "zpoolx_bpf_object_size_bytes",
	     "size of each object stored (successful malloc), all pools, since zpoold attached",
	     false);
	hist(f, &st->hist[ZPX_BPF_HIST_EVICT_NS],
	     "zpoolx_bpf_evict_duration_seconds",
	     "duration of each evict callback (writeback of one object), all pools",
	     true);
	hist(f, &st->hist[ZPX_BPF_HIST_ZSWAP_STORE_NS],
	     "zpoolx_bpf_zswap_store_duration_seconds",
	     "duration of each zswap store (zswap_frontswap_store), successful or not",
	     true);
	hist(f, &st->hist[ZPX_BPF_HIST_ZSWAP_LOAD_NS],
	     "zpoolx_bpf_zswap_load_duration_seconds",
	     "duration of each zswap load (zswap_frontswap_load)", true);
	fputs("# HELP zpoolx_bpf_zswap_stores_total zswap store calls, by result\n"
	      "# TYPE zpoolx_bpf_zswap_stores_total counter\n", f);
	fprintf(f, "zpoolx_bpf_zswap_stores_total{result=\"stored\"} %llu\n",
		(unsigned long long)(st->zswap.stores - st->zswap.store_failures));
	fprintf(f, "zpoolx_bpf_zswap_stores_total{result=\"rejected\"} %llu\n",
		(unsigned long long)st->zswap.store_failures);
	fputs("# HELP zpoolx_bpf_zswap_loads_total zswap load calls, by result\n"
	      "# TYPE zpoolx_bpf_zswap_loads_total counter\n", f);
	fprintf(f, "zpoolx_bpf_zswap_loads_total{result=\"found\"} %llu\n",
		(unsigned long long)(st->zswap.loads - st->zswap.load_failures));
	fprintf(f, "zpoolx_bpf_zswap_loads_total{result=\"not_found\"} %llu\n",
		(unsigned long long)st->zswap.load_failures);
	if (!st->npools)
		return;
	PC(allocs, "zpoolx_bpf_pool_allocs_total", "successful mallocs");
	PC(alloc_failures, "zpoolx_bpf_pool_alloc_failures_total",
	   "mallocs failed for lack of memory");
	PC(alloc_bytes, "zpoolx_bpf_pool_alloc_bytes_total",
	   "bytes asked for by successful mallocs");
	PC(frees, "zpoolx_bpf_pool_frees_total", "objects freed");
	PC(free_bytes, "zpoolx_bpf_pool_free_bytes_total",
	   "bytes of the objects freed");
	PC(evict_succeeded, "zpoolx_bpf_pool_evict_successes_total",
	   "evict callbacks that succeeded");
	PC(evict_failed, "zpoolx_bpf_pool_evict_failures_total",
	   "evict callbacks that failed");
	PC(reclaim_calls, "zpoolx_bpf_pool_reclaim_calls_total",
	   "shrink and writeback calls");
	PC(reclaimed_pages, "zpoolx_bpf_pool_reclaimed_pages_total",
	   "pages freed by shrink and writeback");
	PC(compactions, "zpoolx_bpf_pool_compactions_total",
	   "compaction runs (on demand and shrinker)");
	PC(migrated, "zpoolx_bpf_pool_migrated_pages_total",
	   "pages migrated by the kernel's compaction");
	fputs("# HELP zpoolx_bpf_pool_evict_seconds_total time spent in evict callbacks\n"
	      "# TYPE zpoolx_bpf_pool_evict_seconds_total counter\n", f);
	for (i = 0; i < st->npools; i++)
		fprintf(f, "zpoolx_bpf_pool_evict_seconds_total{pool=\"%u\"} %s\n",
			st->pools[i].pool_id,
			PROM_NUM((double)st->pools[i].evict_ns / 1e9));
}

#endif
