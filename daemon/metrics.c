// SPDX-License-Identifier: GPL-2.0
/*
 * metrics.c - the Prometheus text exposition (format 0.0.4) of a snapshot.
 *
 * Conventions (DESIGN.md): every name starts with zpoolx_, is in base
 * units (_bytes, _seconds, ratios 0..1 instead of percentages) and
 * counters end in _total; each family has HELP and TYPE and its samples
 * are contiguous.  A value the kernel does not offer (no debugfs, no PSI,
 * a file missing) is left out, never written as 0.  The list of families
 * is in zpoold.8, METRICS.
 *
 * No state: metrics_render() writes what it is given (metrics.h), and
 * reads only the size classes of the snapshot's pools from /sys itself.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "promtext.h"
#include "zpoold.h"

static void fam(FILE *f, const char *name, const char *type,
		const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* a label value: \, " and newline escaped */
static void lv(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

static void num1(FILE *f, const char *name, const char *type,
		 const char *help, struct num n, double scale)
{
	if (!n.has)
		return;
	fam(f, name, type, help);
	if (scale == 1)
		fprintf(f, "%s %llu\n", name, (unsigned long long)n.v);
	else
		fprintf(f, "%s %s\n", name, PROM_NUM((double)n.v * scale));
}

static void zswap_families(FILE *f, const struct sysinfo *s)
{
	const struct zswap_info *z = &s->zswap;
	struct num n;

	if (!z->present)
		return;
	if (z->enabled >= 0) {
		fam(f, "zpoolx_zswap_enabled", "gauge",
		    "1 if zswap is enabled (/sys/module/zswap/parameters/enabled)");
		fprintf(f, "zpoolx_zswap_enabled %d\n", z->enabled);
	}
	fam(f, "zpoolx_zswap_info", "gauge",
	    "zswap's compressor and zpool type, as labels; always 1");
	fputs("zpoolx_zswap_info{compressor=\"", f);
	lv(f, z->compressor);
	fputs("\",zpool=\"", f);
	lv(f, z->zpool);
	fputs("\"} 1\n", f);
	if (z->max_pool_percent.has) {
		fam(f, "zpoolx_zswap_max_pool_ratio", "gauge",
		    "zswap's max_pool_percent as a ratio of MemTotal");
		fprintf(f, "zpoolx_zswap_max_pool_ratio %s\n",
			PROM_NUM((double)z->max_pool_percent.v / 100));
		if (s->mem.mem_total_kb.has) {
			fam(f, "zpoolx_zswap_limit_bytes", "gauge",
			    "zswap's pool limit: max_pool_percent of MemTotal, in bytes");
			fprintf(f, "zpoolx_zswap_limit_bytes %llu\n",
				(unsigned long long)(s->mem.mem_total_kb.v *
						     1024 / 100 *
						     z->max_pool_percent.v));
		}
	}
	if (z->accept_threshold_percent.has) {
		fam(f, "zpoolx_zswap_accept_threshold_ratio", "gauge",
		    "zswap's accept_threshold_percent as a ratio of its limit");
		fprintf(f, "zpoolx_zswap_accept_threshold_ratio %s\n",
			PROM_NUM((double)z->accept_threshold_percent.v / 100));
	}
	num1(f, "zpoolx_zswap_stored_pages", "gauge",
	     "pages stored in zswap (debugfs stored_pages, else /proc/meminfo Zswapped)",
	     zswap_stored_pages(s), 1);
	n = zswap_pool_bytes(s);
	num1(f, "zpoolx_zswap_pool_bytes", "gauge",
	     "bytes of all zswap pools (debugfs pool_total_size, else /proc/meminfo Zswap)",
	     n, 1);
	if (!z->debugfs)
		return;
	num1(f, "zpoolx_zswap_written_back_pages_total", "counter",
	     "pages zswap wrote back to the swap device (debugfs written_back_pages)",
	     z->written_back_pages, 1);
	num1(f, "zpoolx_zswap_pool_limit_hit_total", "counter",
	     "stores that found the pool at its limit (debugfs pool_limit_hit)",
	     z->pool_limit_hit, 1);
	if (z->reject_reclaim_fail.has || z->reject_alloc_fail.has ||
	    z->reject_kmemcache_fail.has || z->reject_compress_poor.has) {
		fam(f, "zpoolx_zswap_rejected_stores_total", "counter",
		    "stores zswap rejected, by reason (debugfs reject_*): those pages went to the swap device");
#define R(field, reason)                                                      \
	if (z->field.has)                                                     \
		fprintf(f, "zpoolx_zswap_rejected_stores_total{reason=\"" reason \
			   "\"} %llu\n",                                      \
			(unsigned long long)z->field.v)
		R(reject_reclaim_fail, "reclaim_fail");
		R(reject_alloc_fail, "alloc_fail");
		R(reject_kmemcache_fail, "kmemcache_fail");
		R(reject_compress_poor, "compress_poor");
#undef R
	}
	num1(f, "zpoolx_zswap_duplicate_entries_total", "counter",
	     "stores of a page zswap already held (debugfs duplicate_entry)",
	     z->duplicate_entry, 1);
	num1(f, "zpoolx_zswap_same_filled_pages", "gauge",
	     "stored pages filled with one repeated word, kept without the pool (debugfs same_filled_pages)",
	     z->same_filled_pages, 1);
}

static void memory_families(FILE *f, const struct sysinfo *s)
{
	const struct meminfo *m = &s->mem;
	const struct psi *p = &s->psi;
	static const char *const win[3] = { "10s", "60s", "300s" };
	int i;

	num1(f, "zpoolx_memory_total_bytes", "gauge", "/proc/meminfo MemTotal",
	     m->mem_total_kb, 1024);
	num1(f, "zpoolx_memory_available_bytes", "gauge",
	     "/proc/meminfo MemAvailable", m->mem_available_kb, 1024);
	num1(f, "zpoolx_swap_total_bytes", "gauge", "/proc/meminfo SwapTotal",
	     m->swap_total_kb, 1024);
	num1(f, "zpoolx_swap_free_bytes", "gauge", "/proc/meminfo SwapFree",
	     m->swap_free_kb, 1024);
	if (!p->present)
		return;
	fam(f, "zpoolx_memory_pressure_ratio", "gauge",
	    "memory pressure stall averages of /proc/pressure/memory as ratios (avg10 = 0.05 is 5%)");
	for (i = 0; i < 3; i++)
		fprintf(f,
			"zpoolx_memory_pressure_ratio{kind=\"some\",window=\"%s\"} %s\n",
			win[i],
			PROM_NUM((i == 0   ? p->some_avg10 :
				  i == 1 ? p->some_avg60 :
					   p->some_avg300) / 100));
	if (p->has_full)
		for (i = 0; i < 3; i++)
			fprintf(f,
				"zpoolx_memory_pressure_ratio{kind=\"full\",window=\"%s\"} %s\n",
				win[i],
				PROM_NUM((i == 0   ? p->full_avg10 :
					  i == 1 ? p->full_avg60 :
						   p->full_avg300) / 100));
	if (p->has_total) {
		fam(f, "zpoolx_memory_pressure_stalled_seconds_total", "counter",
		    "time tasks stalled on memory (/proc/pressure/memory total)");
		fprintf(f,
			"zpoolx_memory_pressure_stalled_seconds_total{kind=\"some\"} %s\n",
			PROM_NUM((double)p->some_total_us / 1e6));
		if (p->has_full)
			fprintf(f,
				"zpoolx_memory_pressure_stalled_seconds_total{kind=\"full\"} %s\n",
				PROM_NUM((double)p->full_total_us / 1e6));
	}
}

/* one family over all pools; get() says whether the pool has a value */
typedef bool (*pool_get)(const struct pool *p, double *v);

static void pool_family(FILE *f, const struct zpoolx_info *zx,
			const char *name, const char *type, const char *help,
			pool_get get)
{
	bool any = false;
	size_t i;
	double v;

	for (i = 0; i < zx->npools; i++) {
		if (!get(&zx->pools[i], &v))
			continue;
		if (!any)
			fam(f, name, type, help);
		any = true;
		fprintf(f, "%s{pool=\"%lu\"} %s\n", name, zx->pools[i].id,
			PROM_NUM(v));
	}
}

#define NUMGET(fn, field)                                               \
	static bool fn(const struct pool *p, double *v)                 \
	{                                                               \
		*v = (double)p->field.v;                                \
		return p->field.has;                                    \
	}
NUMGET(g_pages, pages)
NUMGET(g_pool_bytes, pool_bytes)
NUMGET(g_metadata_bytes, metadata_bytes)
NUMGET(g_objects, objects)
NUMGET(g_stored_bytes, stored_bytes)
NUMGET(g_alloc_failures, alloc_failures)
NUMGET(g_evict_attempted, evict_attempted)
NUMGET(g_evict_succeeded, evict_succeeded)
NUMGET(g_evict_failed, evict_failed)
NUMGET(g_reclaimed, reclaimed_pages)
#undef NUMGET

static bool g_current(const struct pool *p, double *v)
{
	*v = p->current;
	return true;
}

static bool g_wb_total(const struct pool *p, double *v)
{
	*v = (double)p->wb_total;
	return p->wb_has;
}

static bool g_compact_total(const struct pool *p, double *v)
{
	*v = (double)p->compact_total;
	return p->compact_has;
}

static bool g_util(const struct pool *p, double *v)
{
	*v = p->util;
	return p->util_has;
}

static bool g_ratio(const struct pool *p, double *v)
{
	*v = p->ratio;
	return p->ratio_has;
}

/* the backend's own files (README: zbud and zsmalloc sections) */
static const struct extra_metric {
	const char *file, *name, *type, *help;
} extras[] = {
	{ "unbuddied_pages", "zpoolx_pool_unbuddied_pages", "gauge",
	  "zbud pages holding one object with room for another" },
	{ "buddied_pages", "zpoolx_pool_buddied_pages", "gauge",
	  "zbud pages with no room left" },
	{ "reclaiming_pages", "zpoolx_pool_reclaiming_pages", "gauge",
	  "zbud pages being evicted right now" },
	{ "pages_isolated", "zpoolx_pool_isolated_pages_total", "counter",
	  "zsmalloc pool pages the kernel's compaction isolated for migration" },
	{ "pages_migrated", "zpoolx_pool_migrated_pages_total", "counter",
	  "zsmalloc pool pages migrated to a new page" },
	{ "pages_putback", "zpoolx_pool_putback_pages_total", "counter",
	  "isolated zsmalloc pages given back without migration" },
	{ "migrate_failures", "zpoolx_pool_migrate_failures_total", "counter",
	  "migrate calls the zsmalloc backend refused" },
	{ "max_zspage_pages", "zpoolx_pool_max_zspage_pages", "gauge",
	  "longest zspage chain in pages of this zsmalloc pool" },
	{ "movable", "zpoolx_pool_movable", "gauge",
	  "1 if this zsmalloc pool's pages are movable" },
};

static bool extra_value(const struct pool *p, const char *file, uint64_t *v)
{
	size_t i;

	for (i = 0; i < p->nextra; i++)
		if (!strcmp(p->extra[i].name, file))
			return parse_u64(p->extra[i].value, v);
	return false;
}

static void class_families(FILE *f, const struct zpoolx_info *zx)
{
	static const struct {
		const char *name, *type, *help;
		size_t off;
	} cf[] = {
#define C(n, field, h) { n, "gauge", h, offsetof(struct zclass, field) }
		C("zpoolx_class_objects_per_zspage", objs_per_zspage,
		  "objects one zspage of the size class holds"),
		C("zpoolx_class_pages_per_zspage", pages_per_zspage,
		  "pages chained in one zspage of the size class"),
		C("zpoolx_class_allocated_objects", objs_allocated,
		  "object slots in the size class's zspages"),
		C("zpoolx_class_used_objects", objs_used,
		  "slots of the size class holding a live object"),
		C("zpoolx_class_pages", pages_used,
		  "pages of the size class's zspages"),
#undef C
	};
	static const struct {
		const char *label;
		size_t off;
	} fullness[] = {
		{ "full", offsetof(struct zclass, zspages_full) },
		{ "almost_full", offsetof(struct zclass, zspages_almost_full) },
		{ "almost_empty", offsetof(struct zclass, zspages_almost_empty) },
		{ "empty", offsetof(struct zclass, zspages_empty) },
	};
	struct zclass **cls;
	size_t *ncls, i, j, k;
	bool any;

	if (!zx->npools)
		return;
	cls = calloc(zx->npools, sizeof(*cls));
	ncls = calloc(zx->npools, sizeof(*ncls));
	if (!cls || !ncls)
		goto out;
	for (i = 0; i < zx->npools; i++)
		if (read_pool_classes(zx->pools[i].id, &cls[i], &ncls[i]) < 0)
			ncls[i] = 0;
	for (k = 0; k < sizeof(cf) / sizeof(cf[0]); k++) {
		any = false;
		for (i = 0; i < zx->npools; i++)
			for (j = 0; j < ncls[i]; j++) {
				const struct num *n = (const struct num *)
					((const char *)&cls[i][j] + cf[k].off);

				if (!n->has)
					continue;
				if (!any)
					fam(f, cf[k].name, cf[k].type, cf[k].help);
				any = true;
				fprintf(f, "%s{pool=\"%lu\",size=\"%u\"} %llu\n",
					cf[k].name, zx->pools[i].id,
					cls[i][j].size,
					(unsigned long long)n->v);
			}
	}
	any = false;
	for (i = 0; i < zx->npools; i++)
		for (j = 0; j < ncls[i]; j++)
			for (k = 0; k < 4; k++) {
				const struct num *n = (const struct num *)
					((const char *)&cls[i][j] + fullness[k].off);

				if (!n->has)
					continue;
				if (!any)
					fam(f, "zpoolx_class_zspages", "gauge",
					    "zspages of the size class by fullness (full, almost_full > 3/4, almost_empty, empty)");
				any = true;
				fprintf(f,
					"zpoolx_class_zspages{pool=\"%lu\",size=\"%u\",fullness=\"%s\"} %llu\n",
					zx->pools[i].id, cls[i][j].size,
					fullness[k].label,
					(unsigned long long)n->v);
			}
out:
	if (cls)
		for (i = 0; i < zx->npools; i++)
			free(cls[i]);
	free(cls);
	free(ncls);
}

static void pool_families(FILE *f, const struct sysinfo *s, bool classes)
{
	const struct zpoolx_info *zx = &s->zx;
	size_t i, k;
	uint64_t v;
	bool any;

	fam(f, "zpoolx_module_loaded", "gauge",
	    "1 if the zpoolx module is loaded (/sys/module/zpoolx)");
	fprintf(f, "zpoolx_module_loaded %d\n", zx->loaded && zx->sysfs);
	if (!zx->npools)
		return;
	fam(f, "zpoolx_pool_info", "gauge",
	    "a zpoolx pool: backend, zpool type, creator's name and state as labels; always 1");
	for (i = 0; i < zx->npools; i++) {
		const struct pool *p = &zx->pools[i];

		fprintf(f, "zpoolx_pool_info{pool=\"%lu\",backend=\"", p->id);
		lv(f, p->backend);
		fputs("\",type=\"", f);
		lv(f, p->type);
		fputs("\",name=\"", f);
		lv(f, p->name);
		fputs("\",state=\"", f);
		lv(f, p->state);
		fputs("\"} 1\n", f);
	}
	pool_family(f, zx, "zpoolx_pool_current", "gauge",
		    "1 for the pool zswap stores into, 0 for pools that drain or belong to others",
		    g_current);
	pool_family(f, zx, "zpoolx_pool_pages", "gauge",
		    "pages the pool holds from the page allocator", g_pages);
	pool_family(f, zx, "zpoolx_pool_bytes", "gauge",
		    "the pool's pages in bytes plus its metadata_bytes (zpool's total_size: what zswap counts against its limit)",
		    g_pool_bytes);
	pool_family(f, zx, "zpoolx_pool_metadata_bytes", "gauge",
		    "bytes the pool holds outside its pages (pool structure, classes, per-CPU buffers, zspage records, handles), included in zpoolx_pool_bytes",
		    g_metadata_bytes);
	pool_family(f, zx, "zpoolx_pool_objects", "gauge",
		    "live objects in the pool", g_objects);
	pool_family(f, zx, "zpoolx_pool_stored_bytes", "gauge",
		    "sum of the sizes of the live objects", g_stored_bytes);
	pool_family(f, zx, "zpoolx_pool_utilisation_ratio", "gauge",
		    "stored_bytes / pool_bytes (the pages and the metadata)",
		    g_util);
	pool_family(f, zx, "zpoolx_pool_compression_ratio", "gauge",
		    "uncompressed bytes stored per pool byte (zswap's stored pages * 4096 / pool_bytes)",
		    g_ratio);
	pool_family(f, zx, "zpoolx_pool_alloc_failures_total", "counter",
		    "malloc calls that failed for lack of memory",
		    g_alloc_failures);
	pool_family(f, zx, "zpoolx_pool_evict_attempts_total", "counter",
		    "evict callbacks made (shrink, writeback)",
		    g_evict_attempted);
	pool_family(f, zx, "zpoolx_pool_evict_successes_total", "counter",
		    "evict callbacks that wrote the object back and freed it",
		    g_evict_succeeded);
	pool_family(f, zx, "zpoolx_pool_evict_failures_total", "counter",
		    "evict callbacks that failed (the object stays, intact)",
		    g_evict_failed);
	pool_family(f, zx, "zpoolx_pool_reclaimed_pages_total", "counter",
		    "pages freed by shrink and writeback", g_reclaimed);
	pool_family(f, zx, "zpoolx_pool_writeback_pages_total", "counter",
		    "pages freed through the pool's writeback file", g_wb_total);
	pool_family(f, zx, "zpoolx_pool_compacted_pages_total", "counter",
		    "pages freed by compaction (on demand and shrinker)",
		    g_compact_total);
	for (k = 0; k < sizeof(extras) / sizeof(extras[0]); k++) {
		any = false;
		for (i = 0; i < zx->npools; i++) {
			if (!extra_value(&zx->pools[i], extras[k].file, &v))
				continue;
			if (!any)
				fam(f, extras[k].name, extras[k].type,
				    extras[k].help);
			any = true;
			fprintf(f, "%s{pool=\"%lu\"} %llu\n", extras[k].name,
				zx->pools[i].id, (unsigned long long)v);
		}
	}
	if (classes)
		class_families(f, zx);
}

static void daemon_families(FILE *f, const struct dstats *d)
{
	int a, r;

	fam(f, "zpoolx_daemon_build_info", "gauge",
	    "zpoold's version as a label; always 1");
	fprintf(f, "zpoolx_daemon_build_info{version=\"%s\"} 1\n",
		ZPOOLD_VERSION);
	fam(f, "zpoolx_daemon_start_time_seconds", "gauge",
	    "when zpoold started, seconds since the epoch");
	fprintf(f, "zpoolx_daemon_start_time_seconds %.3f\n", d->start_unix);
	fam(f, "zpoolx_daemon_last_cycle_timestamp_seconds", "gauge",
	    "end of the last policy cycle, seconds since the epoch");
	fprintf(f, "zpoolx_daemon_last_cycle_timestamp_seconds %.3f\n",
		d->last_cycle_unix);
	fam(f, "zpoolx_daemon_policy_cycles_total", "counter",
	    "policy cycles run");
	fprintf(f, "zpoolx_daemon_policy_cycles_total %llu\n",
		(unsigned long long)d->cycles);
	fam(f, "zpoolx_daemon_metrics_renders_total", "counter",
	    "renders of this exposition for HTTP scrapes; scrapes within interval_ms of a render are served the cached text");
	fprintf(f, "zpoolx_daemon_metrics_renders_total %llu\n",
		(unsigned long long)d->renders);
	fam(f, "zpoolx_daemon_decisions_total", "counter",
	    "decisions taken by the policy, by action and reason (in --dry-run decided, not carried out); the log has each one with its numbers");
	for (a = 0; a < ACT_COUNT; a++)
		for (r = 0; r < RSN_COUNT; r++)
			if (reason_valid(a, r))
				fprintf(f,
					"zpoolx_daemon_decisions_total{action=\"%s\",reason=\"%s\"} %llu\n",
					action_name(a), reason_name(r),
					(unsigned long long)d->decisions[a][r]);
	fam(f, "zpoolx_daemon_failed_actions_total", "counter",
	    "decisions whose write to sysfs failed, by action");
	for (a = 0; a < ACT_COUNT; a++)
		fprintf(f,
			"zpoolx_daemon_failed_actions_total{action=\"%s\"} %llu\n",
			action_name(a), (unsigned long long)d->failures[a]);
	fam(f, "zpoolx_daemon_writeback_requested_pages_total", "counter",
	    "pages requested through the pools' writeback files");
	fprintf(f, "zpoolx_daemon_writeback_requested_pages_total %llu\n",
		(unsigned long long)d->writeback_pages);
	fam(f, "zpoolx_daemon_config_reloads_total", "counter",
	    "SIGHUP reloads of the configuration, by result");
	fprintf(f, "zpoolx_daemon_config_reloads_total{result=\"ok\"} %llu\n",
		(unsigned long long)d->reloads_ok);
	fprintf(f,
		"zpoolx_daemon_config_reloads_total{result=\"error\"} %llu\n",
		(unsigned long long)d->reloads_failed);
	fam(f, "zpoolx_daemon_dry_run", "gauge",
	    "1 if zpoold decides without writing (--dry-run or dry_run)");
	fprintf(f, "zpoolx_daemon_dry_run %d\n", d->dry_run);
	fam(f, "zpoolx_daemon_bpf_active", "gauge",
	    "1 if the BPF statistics are attached");
	fprintf(f, "zpoolx_daemon_bpf_active %d\n", d->bpf_active);
}

char *metrics_render(const struct sysinfo *s, const struct dstats *d,
		     bool classes, struct bpfstats *bpf, size_t *len)
{
	char *buf = NULL, why[256];
	size_t n = 0;
	FILE *f;

	f = open_memstream(&buf, &n);
	if (!f)
		return NULL;
	zswap_families(f, s);
	memory_families(f, s);
	pool_families(f, s, classes);
	daemon_families(f, d);
	if (bpf && bpfstats_write(bpf, f, why, sizeof(why)) < 0)
		zlog(LOG_LVL_DEBUG, "BPF statistics not exported: %s", why);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}
