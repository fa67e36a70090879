// SPDX-License-Identifier: GPL-2.0
/*
 * doctor.c - `zpoolctl doctor`: why zswap is not storing pages (in zpoolx),
 * and what to do.  Each check gives a finding: a problem (zswap cannot
 * store, or does not store into zpoolx), a warning (it stores, but loses
 * pages or memory), or a note.  Exit 0 without problems, 1 with.
 *
 * Checks, in order: zswap present; enabled; a swap device; zram swap
 * next to zswap; the zpoolx module loaded; zswap's zpool a zpoolx type the
 * module offers; a live pool of that type; the pool full now (zswap
 * rejects until it drains below accept_threshold_percent of the limit);
 * poor compression (reject_compress_poor); failed reclaim and
 * allocations; counters that cannot be seen (no debugfs); nothing stored
 * yet.
 *
 * zram and zswap, as Linux 6.1 does it (mm/page_io.c, mm/frontswap.c,
 * mm/zswap.c, mm/swapfile.c): swapon gives every swap device a frontswap
 * map, and swap_writepage() offers each page to frontswap (zswap) before
 * the device, whatever the device is; zswap excludes none.  Swap slots
 * come from the device of highest priority with room (round-robin among
 * equal ones), and zswap caches the page of whichever slot it got.  When
 * zswap writes back (pool full, or the writeback file), it decompresses
 * the page and writes it to its slot's device: on zram, that compresses it
 * again and keeps it in RAM.  swapon -p takes 0..32767 and the default
 * priorities are negative (-2, -3, ...), so a zram given a priority (as
 * zram-generator and zram-tools do) is used before any disk swap left at
 * its default.
 */
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zpoolctl.h"

enum sev { PROBLEM, WARNING, NOTE };
static const char *const sev_name[] = { "problem", "warning", "note" };

struct finding {
	enum sev sev;
	char id[32];
	char msg[1024];
	char fix[512];
};

struct report {
	struct finding f[32];
	size_t n;
};

static void add(struct report *r, enum sev sev, const char *id,
		const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void add(struct report *r, enum sev sev, const char *id,
		const char *fix, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (r->n >= sizeof(r->f) / sizeof(r->f[0]))
		return;
	f = &r->f[r->n++];
	f->sev = sev;
	snprintf(f->id, sizeof(f->id), "%s", id);
	snprintf(f->fix, sizeof(f->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

static bool is_zpoolx_type(const char *t)
{
	return !strncmp(t, "zpoolx_", 7);
}

/* "/dev/zram0 (priority 100), ..." of the zram swap devices, those used
 * first (before or with the disk swap) only if first */
static void zram_list(const struct zram_info *zi, bool first, char *buf,
		      size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < zi->n && len < size; i++) {
		int w;

		if (first && !zram_first(zi, &zi->dev[i]))
			continue;
		w = snprintf(buf + len, size - len, "%s%s (priority %ld)",
			     len ? ", " : "", zi->dev[i].name, zi->dev[i].prio);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* zram swap next to zswap: what the two do together */
static void diagnose_zram(const struct sysinfo *s, const struct zram_info *zi,
			  struct report *r)
{
	const struct zswap_info *z = &s->zswap;
	char list[256], first[256], fix[512];
	size_t i, nfirst = 0;
	long zmax = LONG_MIN;

	if (!zi->n)
		return;
	for (i = 0; i < zi->n; i++) {
		if (zram_first(zi, &zi->dev[i]))
			nfirst++;
		if (zi->dev[i].prio > zmax)
			zmax = zi->dev[i].prio;
	}
	zram_list(zi, false, list, sizeof(list));
	zram_list(zi, true, first, sizeof(first));
	if (z->enabled == 0) {
		add(r, NOTE, "zram-zswap-off",
		    !zi->ndisk ? "keep zswap off while zram is the only swap" :
		    nfirst ? "enable zswap only with the disk swap at a higher priority than zram's, so that zswap writes back to disk" :
		    NULL,
		    "zram swap is active (%s) and zswap is disabled: zram alone compresses swapped pages. Enabled, zswap would sit in front of zram too (it sees every swap device), and the pages it writes back to zram would be compressed a second time",
		    list);
		return;
	}
	if (!zi->ndisk) {
		snprintf(fix, sizeof(fix),
			 "use one of the two: keep zram and turn zswap off (zpoolctl disable), or keep zswap and swap to a disk partition or swap file instead (swapoff %s)",
			 zi->dev[0].name);
		add(r, WARNING, "zram-only", fix,
		    "the only swap is zram (%s) and zswap is %s: zswap sits in front of every swap device, zram included (Linux 6.1's swap_writepage() offers each page to zswap first), so pages are compressed into zswap's pool, and those it writes back (when its pool is full, or on zpoolctl writeback) are decompressed and compressed again by zram, into RAM: two compressed caches in RAM, compression work twice, and zswap's writeback frees little memory",
		    list, z->enabled == 1 ? "enabled" : "maybe enabled");
	} else if (nfirst) {
		if (zmax < 32767)
			snprintf(fix, sizeof(fix),
				 "let zswap write back to disk: swap on the disk at a higher priority than zram's (swapoff it, then swapon -p %ld DEVICE; swapon -p takes 0..32767, the default priorities are negative), or swapoff zram; or keep zram first and turn zswap off (zpoolctl disable)",
				 zmax < 0 ? 0 : zmax + 1);
		else
			snprintf(fix, sizeof(fix),
				 "let zswap write back to disk: swap on zram at a lower priority than the disk's (swapoff it, then swapon -p with a lower value), or swapoff zram; or keep zram first and turn zswap off (zpoolctl disable)");
		add(r, WARNING, "zram-before-disk", fix,
		    "zram swap %s is used before the disk swap (its highest priority is %ld) and zswap is %s: zswap sits in front of every swap device, zram included, so the pages it writes back go to zram, not to disk: decompressed and compressed again, they stay in RAM, and the disk swap is used only once zram is full",
		    first, zi->disk_prio_max,
		    z->enabled == 1 ? "enabled" : "maybe enabled");
	} else {
		add(r, NOTE, "zram-after-disk", NULL,
		    "zram swap (%s) comes after the disk swap (priority %ld): zswap writes back to disk; only once the disk swap is full do slots go to zram, whose pages zswap then caches too and writes back to zram, compressing them twice",
		    list, zi->disk_prio_max);
	}
}

static void diagnose(const struct sysinfo *s, const struct zram_info *zi,
		     struct report *r)
{
	const struct zswap_info *z = &s->zswap;
	const struct zpoolx_info *zx = &s->zx;
	struct num stored = zswap_stored_pages(s), bytes = zswap_pool_bytes(s);
	const struct pool *cur = NULL;
	char fix[256];
	size_t i;

	if (!z->present) {
		add(r, PROBLEM, "zswap-missing",
		    "use a kernel built with CONFIG_ZSWAP=y (Debian's 6.1 kernel has it)",
		    "zswap is not available: /sys/module/zswap/parameters is missing");
		return;
	}
	if (z->enabled == 0 && zi->n && !zi->ndisk)
		add(r, PROBLEM, "zswap-disabled",
		    "zram is the only swap: give zswap a disk swap first (a partition or swap file at a higher priority than zram), then zpoolctl enable; in front of zram alone zswap would compress pages twice",
		    "zswap is disabled");
	else if (z->enabled == 0)
		add(r, PROBLEM, "zswap-disabled", "zpoolctl enable",
		    "zswap is disabled");
	else if (z->enabled < 0)
		add(r, WARNING, "zswap-enabled-unknown",
		    "check /sys/module/zswap/parameters/enabled",
		    "cannot tell whether zswap is enabled");
	if (!s->swaps_present)
		add(r, WARNING, "swaps-unknown", NULL,
		    "cannot read /proc/swaps: whether a swap device exists is unknown");
	else if (!s->nswaps)
		add(r, PROBLEM, "no-swap",
		    "add one: mkswap DEVICE && swapon DEVICE (a swap file works too)",
		    "no swap device: zswap only catches pages on their way to swap, so without one it stores nothing");
	diagnose_zram(s, zi, r);

	if (!zx->loaded) {
		if (is_zpoolx_type(z->zpool))
			add(r, PROBLEM, "module-not-loaded",
			    "modprobe zpoolx, then zpoolctl set-backend zsmalloc (or zbud)",
			    "zswap's zpool is %s but the zpoolx module is not loaded",
			    z->zpool);
		else
			add(r, PROBLEM, "module-not-loaded",
			    "modprobe zpoolx && zpoolctl set-backend zsmalloc",
			    "the zpoolx module is not loaded; zswap uses the kernel's %s pool",
			    z->zpool[0] ? z->zpool : "default");
	} else if (!is_zpoolx_type(z->zpool)) {
		add(r, PROBLEM, "zpool-not-zpoolx",
		    "zpoolctl set-backend zsmalloc (or zbud)",
		    "zswap uses the kernel's %s pool, not zpoolx",
		    z->zpool[0] ? z->zpool : "unknown");
	} else {
		char b[sizeof(zx->backends) + 2], w[sizeof(z->zpool) + 2];

		snprintf(b, sizeof(b), " %s ", zx->backends);
		snprintf(w, sizeof(w), " %s ", z->zpool);
		if (!strstr(b, w)) {
			add(r, PROBLEM, "backend-missing",
			    "load a zpoolx module that offers it, or zpoolctl set-backend with one of its backends",
			    "zswap's zpool is %s but the loaded zpoolx module offers only: %s",
			    z->zpool, zx->backends[0] ? zx->backends : "nothing");
		} else {
			for (i = 0; i < zx->npools; i++)
				if (zx->pools[i].current)
					cur = &zx->pools[i];
			if (!cur) {
				snprintf(fix, sizeof(fix),
					 "zpoolctl set-backend %s again, and check dmesg for zswap or zpoolx errors",
					 z->zpool + 7);
				add(r, PROBLEM, "no-pool", fix,
				    "zswap's zpool is %s but no active %s pool created by zswap exists",
				    z->zpool, z->zpool);
			}
		}
	}

	/* the pool limit: zswap_is_full() and zswap_can_accept() in 6.1 */
	if (s->mem.mem_total_kb.has && z->max_pool_percent.has && bytes.has) {
		uint64_t total = s->mem.mem_total_kb.v * 1024 / ZPAGE_SIZE;
		uint64_t limit = total * z->max_pool_percent.v / 100;
		uint64_t pages = (bytes.v + ZPAGE_SIZE - 1) / ZPAGE_SIZE;
		uint64_t thr = z->accept_threshold_percent.has ?
			z->accept_threshold_percent.v : 90;
		uint64_t accept = total * thr / 100 * z->max_pool_percent.v / 100;
		bool hit = z->pool_limit_hit.has && z->pool_limit_hit.v > 0;

		if (pages > limit)
			add(r, PROBLEM, "pool-full",
			    "raise the limit (zpoolctl set-limit PERCENT), or write back cold pages (zpoolctl writeback POOL PAGES)",
			    "the pool is full: %llu pages, over the limit of %llu pages (max_pool_percent %llu); zswap rejects new pages",
			    (unsigned long long)pages,
			    (unsigned long long)limit,
			    (unsigned long long)z->max_pool_percent.v);
		else if (hit && pages >= accept)
			add(r, PROBLEM, "pool-full",
			    "write back cold pages (zpoolctl writeback POOL PAGES) or raise the limit (zpoolctl set-limit PERCENT)",
			    "the pool hit its limit %llu times and holds %llu pages, at or above the accept threshold of %llu pages (accept_threshold_percent %llu): zswap rejects new pages until it drains below it",
			    (unsigned long long)z->pool_limit_hit.v,
			    (unsigned long long)pages,
			    (unsigned long long)accept,
			    (unsigned long long)thr);
		else if (hit)
			add(r, NOTE, "pool-limit-hit",
			    "if it keeps happening: zpoolctl set-limit PERCENT",
			    "the pool reached its limit %llu times in the past; it is below it now",
			    (unsigned long long)z->pool_limit_hit.v);
	}

	if (z->debugfs && z->reject_compress_poor.has) {
		uint64_t poor = z->reject_compress_poor.v;
		uint64_t seen = poor + (stored.has ? stored.v : 0) +
				(z->written_back_pages.has ?
				 z->written_back_pages.v : 0);

		if (poor > 0 && poor * 4 >= seen)
			add(r, PROBLEM, "poor-compression",
			    "use zsmalloc, which takes objects up to a page (zpoolctl set-backend zsmalloc), or a stronger compressor (zpoolctl set-compressor zstd); zpoolctl advise measures your data",
			    "poor compression: %llu pages were rejected because they compressed too poorly for the pool, against %llu stored or written back",
			    (unsigned long long)poor,
			    (unsigned long long)(seen - poor));
		else if (poor > 0)
			add(r, NOTE, "some-poor-compression", NULL,
			    "%llu pages were rejected for compressing poorly (under a quarter of those seen)",
			    (unsigned long long)poor);
	}
	if (z->debugfs && z->reject_reclaim_fail.has &&
	    z->reject_reclaim_fail.v > 0)
		add(r, WARNING, "reclaim-fail",
		    is_zpoolx_type(z->zpool) ?
		    "write back ahead of the limit: zpoolctl writeback POOL PAGES (zpoold does it automatically)" :
		    "the kernel's own zsmalloc cannot write back in 6.1: zpoolctl set-backend zsmalloc",
		    "zswap could not make room in the full pool %llu times (reject_reclaim_fail); those pages went to disk",
		    (unsigned long long)z->reject_reclaim_fail.v);
	if (z->debugfs && z->reject_alloc_fail.has && z->reject_alloc_fail.v > 0)
		add(r, WARNING, "alloc-fail",
		    "memory is very tight: lower max_pool_percent or add RAM",
		    "the pool could not get memory %llu times (reject_alloc_fail)",
		    (unsigned long long)z->reject_alloc_fail.v);
	if (cur && cur->evict_failed.has && cur->evict_failed.v > 0)
		add(r, WARNING, "evict-fail", "check dmesg and the swap device",
		    "pool %lu: %llu evictions failed (the objects stayed in the pool)",
		    cur->id, (unsigned long long)cur->evict_failed.v);
	if (!z->debugfs)
		add(r, NOTE, "no-debugfs",
		    "mount -t debugfs none /sys/kernel/debug (where allowed)",
		    "debugfs is not mounted: reject counters are unknown, stored pages come from /proc/meminfo");
	if (stored.has && stored.v == 0) {
		if (s->psi.present)
			add(r, NOTE, "nothing-stored", NULL,
			    "nothing is stored yet: zswap stores pages only when the kernel swaps (memory pressure now: some %.2f%%)",
			    s->psi.some_avg10);
		else
			add(r, NOTE, "nothing-stored", NULL,
			    "nothing is stored yet: zswap stores pages only when the kernel swaps");
	}
}

int cmd_doctor(int argc, char **argv)
{
	struct sysinfo s;
	struct zram_info zi;
	struct report r;
	struct num stored;
	size_t i, problems = 0;

	(void)argc;
	(void)argv;
	memset(&r, 0, sizeof(r));
	read_sysinfo(&s);
	read_zram(&s, &zi);
	diagnose(&s, &zi, &r);
	stored = zswap_stored_pages(&s);
	for (i = 0; i < r.n; i++)
		if (r.f[i].sev == PROBLEM)
			problems++;
	if (opt.json) {
		struct json_object *o = json_object_new_object(),
				   *a = json_object_new_array();

		json_object_object_add(o, "healthy",
				       json_object_new_boolean(problems == 0));
		json_object_object_add(o, "problems",
				       json_object_new_uint64(problems));
		json_object_object_add(o, "stored_pages", json_num(stored));
		for (i = 0; i < r.n; i++) {
			struct json_object *f = json_object_new_object();

			json_object_object_add(f, "severity",
				json_object_new_string(sev_name[r.f[i].sev]));
			json_object_object_add(f, "check",
				json_object_new_string(r.f[i].id));
			json_object_object_add(f, "message",
				json_object_new_string(r.f[i].msg));
			json_object_object_add(f, "fix", r.f[i].fix[0] ?
				json_object_new_string(r.f[i].fix) : NULL);
			json_object_array_add(a, f);
		}
		json_object_object_add(o, "findings", a);
		json_print(o);
	} else {
		for (i = 0; i < r.n; i++) {
			printf("%-8s %s\n", sev_name[r.f[i].sev], r.f[i].msg);
			if (r.f[i].fix[0])
				printf("%-8s fix: %s\n", "", r.f[i].fix);
		}
		if (problems)
			printf("not healthy: %zu problem%s\n", problems,
			       problems == 1 ? "" : "s");
		else if (stored.has)
			printf("healthy: zswap can store pages into zpoolx (%llu stored now)\n",
			       (unsigned long long)stored.v);
		else
			printf("healthy: zswap can store pages into zpoolx\n");
	}
	free_sysinfo(&s);
	return problems ? EXIT_FAIL : EXIT_OK;
}
