// SPDX-License-Identifier: GPL-2.0
/*
 * status.c - `zpoolctl status` (zswap, the zpoolx pools, swap devices,
 * zram swap; text, --raw table or --json), `zpoolctl status POOL` (that
 * pool's row of the pool table, like zramctl DEVICE) and `zpoolctl top`
 * (the same pools, redrawn every --interval seconds with a bar of each
 * pool's size against zswap's limit).
 *
 * The pool table alone is printed for scripts: with POOL, --raw or
 * --noheadings, and as util-linux-style JSON ({"pools": [{"id": 1, ...}]},
 * the selected columns) with --json and -o/--output-all or POOL.  --json
 * alone prints the whole status document, which tools parse (tests/vm).
 */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zpoolctl.h"

enum {
	PC_ID, PC_BACKEND, PC_TYPE, PC_NAME, PC_STATE, PC_CURRENT, PC_STORED,
	PC_OBJECTS, PC_PAGES, PC_POOLSIZE, PC_METADATA, PC_DATA, PC_RATIO,
	PC_UTIL, PC_WRITTEN, PC_REJECTS, PC_EVICTS, PC_EVICTFAIL, PC_RECLAIMED,
	PC_ALLOCFAIL, PC_WBTOTAL, PC_COMPACTED, PC_NCOLS
};

static const struct column pool_cols[PC_NCOLS] = {
	[PC_ID] = { "ID", ALIGN_RIGHT,
		    "pool id (/sys/kernel/zpoolx/pools/<id>)" },
	[PC_BACKEND] = { "BACKEND", ALIGN_LEFT, "zbud or zsmalloc" },
	[PC_TYPE] = { "TYPE", ALIGN_LEFT,
		      "zpool type: zpoolx_zbud or zpoolx_zsmalloc" },
	[PC_NAME] = { "NAME", ALIGN_LEFT,
		      "the creator's name (zswap1, zswap2, ...)" },
	[PC_STATE] = { "STATE", ALIGN_LEFT, "active or destroying" },
	[PC_CURRENT] = { "CURRENT", ALIGN_LEFT,
			 "yes for the pool zswap stores into" },
	[PC_STORED] = { "STORED", ALIGN_RIGHT,
			"zswap's stored pages (current pool only)" },
	[PC_OBJECTS] = { "OBJECTS", ALIGN_RIGHT, "live objects" },
	[PC_PAGES] = { "PAGES", ALIGN_RIGHT, "pages the pool holds" },
	[PC_POOLSIZE] = { "POOLSIZE", ALIGN_RIGHT,
			  "pool size: pages and metadata (zswap's view)" },
	[PC_METADATA] = { "METADATA", ALIGN_RIGHT,
			  "bytes outside the pages (part of POOLSIZE)" },
	[PC_DATA] = { "DATA", ALIGN_RIGHT, "stored (compressed) bytes" },
	[PC_RATIO] = { "RATIO", ALIGN_RIGHT,
		       "compression ratio: stored pages * page size / POOLSIZE" },
	[PC_UTIL] = { "UTIL", ALIGN_RIGHT, "DATA / POOLSIZE, in %" },
	[PC_WRITTEN] = { "WRITTEN", ALIGN_RIGHT,
			 "pages written back (evictions that succeeded)" },
	[PC_REJECTS] = { "REJECTS", ALIGN_RIGHT,
			 "zswap's rejects (current pool only; debugfs)" },
	[PC_EVICTS] = { "EVICTS", ALIGN_RIGHT, "evictions attempted" },
	[PC_EVICTFAIL] = { "EVICTFAIL", ALIGN_RIGHT, "evictions failed" },
	[PC_RECLAIMED] = { "RECLAIMED", ALIGN_RIGHT,
			   "pages freed by shrink and writeback" },
	[PC_ALLOCFAIL] = { "ALLOCFAIL", ALIGN_RIGHT, "failed allocations" },
	[PC_WBTOTAL] = { "WBTOTAL", ALIGN_RIGHT,
			 "pages freed through the writeback file" },
	[PC_COMPACTED] = { "COMPACTED", ALIGN_RIGHT,
			   "pages freed by compaction" },
};

static const char pool_defaults[] =
	"ID,BACKEND,STATE,STORED,OBJECTS,POOLSIZE,METADATA,DATA,RATIO,UTIL,WRITTEN,REJECTS";

void status_columns_help(FILE *f)
{
	columns_help(f, pool_cols, PC_NCOLS);
	fprintf(f, "  (default: %s)\n", pool_defaults);
}

static void set_num(struct table *t, char **row, int col, struct num n)
{
	if (n.has)
		table_set_u64(t, row, col, n.v);
}

static void set_size(struct table *t, char **row, int col, struct num n)
{
	if (n.has)
		table_set_size(t, row, col, n.v);
}

static void fill_pool_row(struct table *t, const struct pool *p)
{
	char **row = table_add_row(t);

	table_set_u64(t, row, PC_ID, p->id);
	if (p->backend[0])
		table_set(t, row, PC_BACKEND, "%s", p->backend);
	if (p->type[0])
		table_set(t, row, PC_TYPE, "%s", p->type);
	if (p->name[0])
		table_set(t, row, PC_NAME, "%s", p->name);
	if (p->state[0])
		table_set(t, row, PC_STATE, "%s", p->state);
	table_set_bool(t, row, PC_CURRENT, p->current);
	set_num(t, row, PC_STORED, p->stored_pages);
	set_num(t, row, PC_OBJECTS, p->objects);
	set_num(t, row, PC_PAGES, p->pages);
	set_size(t, row, PC_POOLSIZE, p->pool_bytes);
	set_size(t, row, PC_METADATA, p->metadata_bytes);
	set_size(t, row, PC_DATA, p->stored_bytes);
	if (p->ratio_has)
		table_set_double(t, row, PC_RATIO, 2, "", p->ratio);
	if (p->util_has)
		table_set_double(t, row, PC_UTIL, 1, "%", p->util * 100);
	set_num(t, row, PC_WRITTEN, p->evict_succeeded);
	set_num(t, row, PC_REJECTS, p->rejects);
	set_num(t, row, PC_EVICTS, p->evict_attempted);
	set_num(t, row, PC_EVICTFAIL, p->evict_failed);
	set_num(t, row, PC_RECLAIMED, p->reclaimed_pages);
	set_num(t, row, PC_ALLOCFAIL, p->alloc_failures);
	if (p->wb_has)
		table_set_u64(t, row, PC_WBTOTAL, p->wb_total);
	if (p->compact_has)
		table_set_u64(t, row, PC_COMPACTED, p->compact_total);
}

/* ---- text ---- */

static const char *numstr(char *b, size_t n, struct num v)
{
	if (v.has)
		snprintf(b, n, "%llu", (unsigned long long)v.v);
	else
		snprintf(b, n, "-");
	return b;
}

static const char *sizestr(char *b, size_t n, struct num v)
{
	if (v.has)
		fmt_size(b, n, v.v);
	else
		snprintf(b, n, "-");
	return b;
}

static void print_zswap(const struct sysinfo *s)
{
	const struct zswap_info *z = &s->zswap;
	char a[32], b[32], c[32], d[32], e[32], f[32], zp[160];

	if (!z->present) {
		printf("zswap:    not available (no /sys/module/zswap/parameters)\n");
		return;
	}
	printf("zswap:    %s, compressor %s, zpool %s, max_pool_percent %s, accept_threshold_percent %s\n",
	       z->enabled == 1 ? "enabled" :
	       z->enabled == 0 ? "disabled" : "enabled state unknown",
	       z->compressor[0] ? z->compressor : "-",
	       zpool_shown(zp, sizeof(zp), z->zpool),
	       numstr(a, sizeof(a), z->max_pool_percent),
	       numstr(b, sizeof(b), z->accept_threshold_percent));
	if (z->debugfs) {
		printf("counters: stored_pages %s, pool_total_size %s, written_back_pages %s, pool_limit_hit %s, same_filled_pages %s, duplicate_entry %s\n",
		       numstr(a, sizeof(a), z->stored_pages),
		       sizestr(b, sizeof(b), z->pool_total_size),
		       numstr(c, sizeof(c), z->written_back_pages),
		       numstr(d, sizeof(d), z->pool_limit_hit),
		       numstr(e, sizeof(e), z->same_filled_pages),
		       numstr(f, sizeof(f), z->duplicate_entry));
		printf("rejects:  reclaim_fail %s, alloc_fail %s, kmemcache_fail %s, compress_poor %s\n",
		       numstr(a, sizeof(a), z->reject_reclaim_fail),
		       numstr(b, sizeof(b), z->reject_alloc_fail),
		       numstr(c, sizeof(c), z->reject_kmemcache_fail),
		       numstr(d, sizeof(d), z->reject_compress_poor));
	} else {
		printf("counters: stored_pages %s, pool_total_size %s (from /proc/meminfo); no debugfs, other counters unknown\n",
		       numstr(a, sizeof(a), zswap_stored_pages(s)),
		       sizestr(b, sizeof(b), zswap_pool_bytes(s)));
	}
}

static void print_zpoolx(const struct sysinfo *s)
{
	const struct zpoolx_info *zx = &s->zx;
	size_t i;

	if (!zx->loaded) {
		printf("zpoolx:   module not loaded\n");
		return;
	}
	printf("zpoolx:   version %s, backends %s",
	       zx->version[0] ? zx->version : "-",
	       zx->backends[0] ? zx->backends : "-");
	if (zx->nparams) {
		printf(", parameters");
		for (i = 0; i < zx->nparams; i++)
			printf(" %s=%s", zx->params[i].name,
			       zx->params[i].value[0] ? zx->params[i].value :
							"-");
	}
	putchar('\n');
}

static void print_memory(const struct sysinfo *s)
{
	const struct meminfo *m = &s->mem;
	char a[32], b[32], c[32], d[32];
	struct num used = { false, 0 }, tot = m->mem_total_kb,
		   av = m->mem_available_kb, st = m->swap_total_kb;

	if (m->swap_total_kb.has && m->swap_free_kb.has &&
	    m->swap_free_kb.v <= m->swap_total_kb.v) {
		used.has = true;
		used.v = (m->swap_total_kb.v - m->swap_free_kb.v) * 1024;
	}
	tot.v *= 1024;
	av.v *= 1024;
	st.v *= 1024;
	printf("memory:   total %s, available %s, swap used %s of %s",
	       sizestr(a, sizeof(a), tot), sizestr(b, sizeof(b), av),
	       sizestr(c, sizeof(c), used), sizestr(d, sizeof(d), st));
	if (s->psi.present) {
		printf(", pressure some %.2f%%", s->psi.some_avg10);
		if (s->psi.has_full)
			printf(" full %.2f%%", s->psi.full_avg10);
		printf(" (avg10)");
	}
	putchar('\n');
}

enum { SC_NAME, SC_TYPE, SC_SIZE, SC_USED, SC_PRIO, SC_NCOLS };
static const struct column swap_cols[SC_NCOLS] = {
	[SC_NAME] = { "SWAP", ALIGN_LEFT, NULL },
	[SC_TYPE] = { "TYPE", ALIGN_LEFT, NULL },
	[SC_SIZE] = { "SIZE", ALIGN_RIGHT, NULL },
	[SC_USED] = { "USED", ALIGN_RIGHT, NULL },
	[SC_PRIO] = { "PRIO", ALIGN_RIGHT, NULL },
};

static void print_swaps(const struct sysinfo *s)
{
	struct table t;
	char b[32];
	size_t i;

	if (!s->swaps_present) {
		printf("swap:     unknown (no /proc/swaps)\n");
		return;
	}
	if (!s->nswaps) {
		printf("swap:     no swap devices\n");
		return;
	}
	table_select(&t, swap_cols, SC_NCOLS, "SWAP,TYPE,SIZE,USED,PRIO", NULL);
	for (i = 0; i < s->nswaps; i++) {
		const struct swapdev *d = &s->swaps[i];
		char **row = table_add_row(&t);

		table_set(&t, row, SC_NAME, "%s", d->name);
		table_set(&t, row, SC_TYPE, "%s", d->type);
		fmt_size(b, sizeof(b), d->size_kb * 1024);
		table_set(&t, row, SC_SIZE, "%s", b);
		fmt_size(b, sizeof(b), d->used_kb * 1024);
		table_set(&t, row, SC_USED, "%s", b);
		table_set(&t, row, SC_PRIO, "%ld", d->prio);
	}
	table_print(&t, stdout, true, false);
	table_free(&t);
}

/*
 * zram swap: a line per device, and what zswap in front of it means
 * (doctor explains it in full)
 */
static void print_zram(const struct sysinfo *s, const struct zram_info *zi)
{
	size_t i;

	for (i = 0; i < zi->n; i++) {
		const struct zram_dev *d = &zi->dev[i];
		char a[32], b[32], c[32], m[32], ratio[32] = "";

		if (d->orig_bytes.has && d->compr_bytes.has &&
		    d->compr_bytes.v)
			snprintf(ratio, sizeof(ratio), " (ratio %.2f)",
				 (double)d->orig_bytes.v /
				 (double)d->compr_bytes.v);
		printf("zram:     %s is swap, priority %ld, disksize %s, algorithm %s, %s stored in %s%s, memory used %s\n",
		       d->name, d->prio, sizestr(a, sizeof(a), d->disksize),
		       d->algorithm[0] ? d->algorithm : "-",
		       sizestr(b, sizeof(b), d->orig_bytes),
		       sizestr(c, sizeof(c), d->compr_bytes), ratio,
		       sizestr(m, sizeof(m), d->mem_used));
	}
	if (!zi->n || !s->zswap.present || s->zswap.enabled == 0)
		return;
	if (!zi->ndisk)
		printf("zram:     zswap is %s in front of zram, the only swap: pages are compressed by zswap and again by zram when zswap writes them back, and never leave RAM; see zpoolctl doctor\n",
		       s->zswap.enabled == 1 ? "enabled" : "maybe enabled");
	else
		for (i = 0; i < zi->n; i++)
			if (zram_first(zi, &zi->dev[i])) {
				printf("zram:     zswap is %s in front of zram, which is used before the disk swap: zswap writes back to zram, not to disk; see zpoolctl doctor\n",
				       s->zswap.enabled == 1 ? "enabled" :
				       "maybe enabled");
				break;
			}
}

/* ---- JSON ---- */

static void jadd(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *jstr(const char *s)
{
	return s[0] ? json_object_new_string(s) : NULL;
}

static struct json_object *jdouble(bool has, double v)
{
	return has ? json_object_new_double(v) : NULL;
}

struct json_object *pool_json(const struct pool *p)
{
	struct json_object *o = json_object_new_object(), *w;
	size_t i;

	jadd(o, "id", json_object_new_uint64(p->id));
	jadd(o, "backend", jstr(p->backend));
	jadd(o, "type", jstr(p->type));
	jadd(o, "name", jstr(p->name));
	jadd(o, "state", jstr(p->state));
	jadd(o, "current", json_object_new_boolean(p->current));
	jadd(o, "evictable",
	     p->evictable.has ? json_object_new_boolean(p->evictable.v != 0) :
				NULL);
	jadd(o, "stored_pages", json_num(p->stored_pages));
	jadd(o, "objects", json_num(p->objects));
	jadd(o, "pages", json_num(p->pages));
	jadd(o, "pool_bytes", json_num(p->pool_bytes));
	jadd(o, "metadata_bytes", json_num(p->metadata_bytes));
	jadd(o, "stored_bytes", json_num(p->stored_bytes));
	jadd(o, "compression_ratio", jdouble(p->ratio_has, p->ratio));
	jadd(o, "utilisation", jdouble(p->util_has, p->util));
	jadd(o, "rejects", json_num(p->rejects));
	jadd(o, "alloc_failures", json_num(p->alloc_failures));
	jadd(o, "evict_attempted", json_num(p->evict_attempted));
	jadd(o, "evict_succeeded", json_num(p->evict_succeeded));
	jadd(o, "evict_failed", json_num(p->evict_failed));
	jadd(o, "reclaimed_pages", json_num(p->reclaimed_pages));
	w = NULL;
	if (p->wb_has) {
		w = json_object_new_object();
		jadd(w, "requested", json_object_new_uint64(p->wb_requested));
		jadd(w, "reclaimed", json_object_new_uint64(p->wb_reclaimed));
		jadd(w, "total", json_object_new_uint64(p->wb_total));
	}
	jadd(o, "writeback", w);
	w = NULL;
	if (p->compact_has) {
		w = json_object_new_object();
		jadd(w, "last", json_object_new_uint64(p->compact_last));
		jadd(w, "total", json_object_new_uint64(p->compact_total));
	}
	jadd(o, "compact", w);
	w = json_object_new_object();
	for (i = 0; i < p->nextra; i++) {
		uint64_t v;

		jadd(w, p->extra[i].name, parse_u64(p->extra[i].value, &v) ?
		     json_object_new_uint64(v) :
		     json_object_new_string(p->extra[i].value));
	}
	jadd(o, "backend_files", w);
	return o;
}

static struct json_object *kb_bytes(struct num n)
{
	if (n.has)
		n.v *= 1024;
	return json_num(n);
}

static struct json_object *zram_json(const struct zram_info *zi)
{
	struct json_object *a, *o;
	size_t i;

	if (!zi->known)
		return NULL;
	a = json_object_new_array();
	for (i = 0; i < zi->n; i++) {
		const struct zram_dev *d = &zi->dev[i];
		bool ratio = d->orig_bytes.has && d->compr_bytes.has &&
			     d->compr_bytes.v;

		o = json_object_new_object();
		jadd(o, "name", json_object_new_string(d->name));
		jadd(o, "priority", json_object_new_int64(d->prio));
		jadd(o, "used_first", json_object_new_boolean(zram_first(zi, d)));
		jadd(o, "swap_size_bytes",
		     json_object_new_uint64(d->swap_size_kb * 1024));
		jadd(o, "swap_used_bytes",
		     json_object_new_uint64(d->swap_used_kb * 1024));
		jadd(o, "disksize_bytes", json_num(d->disksize));
		jadd(o, "comp_algorithm", jstr(d->algorithm));
		jadd(o, "orig_data_bytes", json_num(d->orig_bytes));
		jadd(o, "compr_data_bytes", json_num(d->compr_bytes));
		jadd(o, "mem_used_bytes", json_num(d->mem_used));
		jadd(o, "same_pages", json_num(d->same_pages));
		jadd(o, "compression_ratio",
		     jdouble(ratio, ratio ? (double)d->orig_bytes.v /
					    (double)d->compr_bytes.v : 0));
		json_object_array_add(a, o);
	}
	return a;
}

static void status_json(const struct sysinfo *s, const struct zram_info *zi)
{
	const struct zswap_info *z = &s->zswap;
	struct json_object *root = json_object_new_object(), *o, *c, *a;
	size_t i;

	o = json_object_new_object();
	jadd(o, "available", json_object_new_boolean(z->present));
	if (z->present) {
		jadd(o, "enabled", z->enabled < 0 ? NULL :
			 json_object_new_boolean(z->enabled));
		jadd(o, "compressor", jstr(z->compressor));
		jadd(o, "zpool", jstr(z->zpool));
		jadd(o, "max_pool_percent", json_num(z->max_pool_percent));
		jadd(o, "accept_threshold_percent",
		     json_num(z->accept_threshold_percent));
	}
	jadd(o, "stored_pages", json_num(zswap_stored_pages(s)));
	jadd(o, "pool_total_size", json_num(zswap_pool_bytes(s)));
	c = NULL;
	if (z->debugfs) {
		c = json_object_new_object();
#define C(f) jadd(c, #f, json_num(z->f))
		C(stored_pages);
		C(pool_total_size);
		C(written_back_pages);
		C(pool_limit_hit);
		C(reject_reclaim_fail);
		C(reject_alloc_fail);
		C(reject_kmemcache_fail);
		C(reject_compress_poor);
		C(duplicate_entry);
		C(same_filled_pages);
#undef C
	}
	jadd(o, "debugfs", c);
	jadd(root, "zswap", o);

	o = json_object_new_object();
	jadd(o, "loaded", json_object_new_boolean(s->zx.loaded));
	jadd(o, "version", jstr(s->zx.version));
	a = json_object_new_array();
	if (s->zx.backends[0]) {
		char buf[sizeof(s->zx.backends)], *tok, *save = NULL;

		strcpy(buf, s->zx.backends);
		for (tok = strtok_r(buf, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save))
			json_object_array_add(a, json_object_new_string(tok));
	}
	jadd(o, "backends", a);
	c = json_object_new_object();
	for (i = 0; i < s->zx.nparams; i++)
		jadd(c, s->zx.params[i].name,
		     json_object_new_string(s->zx.params[i].value));
	jadd(o, "parameters", c);
	a = json_object_new_array();
	for (i = 0; i < s->zx.npools; i++)
		json_object_array_add(a, pool_json(&s->zx.pools[i]));
	jadd(o, "pools", a);
	jadd(root, "zpoolx", o);

	a = NULL;
	if (s->swaps_present) {
		a = json_object_new_array();
		for (i = 0; i < s->nswaps; i++) {
			const struct swapdev *d = &s->swaps[i];

			o = json_object_new_object();
			jadd(o, "name", json_object_new_string(d->name));
			jadd(o, "type", json_object_new_string(d->type));
			jadd(o, "size_bytes",
			     json_object_new_uint64(d->size_kb * 1024));
			jadd(o, "used_bytes",
			     json_object_new_uint64(d->used_kb * 1024));
			jadd(o, "priority", json_object_new_int64(d->prio));
			json_object_array_add(a, o);
		}
	}
	jadd(root, "swap", a);
	jadd(root, "zram", zram_json(zi));

	o = json_object_new_object();
	jadd(o, "total_bytes", kb_bytes(s->mem.mem_total_kb));
	jadd(o, "available_bytes", kb_bytes(s->mem.mem_available_kb));
	jadd(o, "swap_total_bytes", kb_bytes(s->mem.swap_total_kb));
	jadd(o, "swap_free_bytes", kb_bytes(s->mem.swap_free_kb));
	c = NULL;
	if (s->psi.present) {
		c = json_object_new_object();
		jadd(c, "some_avg10", json_object_new_double(s->psi.some_avg10));
		jadd(c, "some_avg60", json_object_new_double(s->psi.some_avg60));
		jadd(c, "some_avg300",
		     json_object_new_double(s->psi.some_avg300));
		if (s->psi.has_full) {
			jadd(c, "full_avg10",
			     json_object_new_double(s->psi.full_avg10));
			jadd(c, "full_avg60",
			     json_object_new_double(s->psi.full_avg60));
			jadd(c, "full_avg300",
			     json_object_new_double(s->psi.full_avg300));
		}
	}
	jadd(o, "pressure", c);
	jadd(root, "memory", o);
	json_print(root);
}

/*
 * POOL: an id (digits, as in /sys/kernel/zpoolx/pools/<id>) or a pool's
 * name (NAME column) if that names exactly one pool.  0 or the exit code,
 * the message printed.
 */
static int find_pool_arg(const struct zpoolx_info *zx, const char *arg,
			 const struct pool **out)
{
	char list[512];
	size_t i, len = 0, n = 0;
	unsigned long id;
	int ret;

	list[0] = '\0';
	for (i = 0; i < zx->npools && len < sizeof(list); i++) {
		int w = snprintf(list + len, sizeof(list) - len, "%s%lu %s",
				 i ? ", " : "", zx->pools[i].id,
				 zx->pools[i].name[0] ? zx->pools[i].name : "-");
		if (w < 0)
			break;
		len += (size_t)w;
	}
	if (!zx->npools)
		snprintf(list, sizeof(list), "none");
	*out = NULL;
	if (arg[0] >= '0' && arg[0] <= '9') {
		ret = parse_pool_arg(arg, &id);
		if (ret)
			return ret;
		*out = find_pool(zx, id);
		if (!*out)
			return fail(EXIT_USAGE, "status: no pool %lu (pools by id and name: %s)",
				    id, list);
		return 0;
	}
	for (i = 0; i < zx->npools; i++)
		if (!strcmp(zx->pools[i].name, arg)) {
			n++;
			*out = &zx->pools[i];
		}
	if (n == 1)
		return 0;
	*out = NULL;
	if (n > 1)
		return fail(EXIT_USAGE,
			    "status: %zu pools are named '%.64s': give the id of one (pools by id and name: %s)",
			    n, arg, list);
	return fail(EXIT_USAGE,
		    "status: no pool '%.64s': POOL is a pool id or a pool's name (pools by id and name: %s)",
		    arg, list);
}

int cmd_status(int argc, char **argv)
{
	struct sysinfo s;
	struct zram_info zi;
	struct table t;
	const struct pool *one = NULL;
	size_t i;
	int ret;

	ret = table_select(&t, pool_cols, PC_NCOLS, pool_defaults, opt.columns);
	if (ret)
		return ret;
	read_sysinfo(&s);
	if (argc == 1) {
		ret = need_zpoolx(&s.zx);
		if (!ret)
			ret = find_pool_arg(&s.zx, argv[0], &one);
		if (ret)
			goto out;
		fill_pool_row(&t, one);
	} else {
		for (i = 0; i < s.zx.npools; i++)
			fill_pool_row(&t, &s.zx.pools[i]);
	}
	if (opt.json && (one || opt.columns)) {
		/* the table, util-linux style */
		json_print(table_json(&t, "pools"));
	} else if (opt.json) {
		read_zram(&s, &zi);
		status_json(&s, &zi);
	} else if (one || opt.raw || opt.noheadings) {
		/* for scripts: the pool table alone */
		table_print(&t, stdout, !opt.noheadings, opt.raw);
	} else {
		read_zram(&s, &zi);
		print_zswap(&s);
		print_zpoolx(&s);
		print_memory(&s);
		putchar('\n');
		if (s.zx.npools)
			table_print(&t, stdout, true, false);
		else if (s.zx.loaded)
			printf("no zpoolx pools\n");
		else
			printf("no zpoolx pools (module not loaded)\n");
		putchar('\n');
		print_swaps(&s);
		print_zram(&s, &zi);
	}
	ret = EXIT_OK;
out:
	table_free(&t);
	free_sysinfo(&s);
	return ret;
}

/* ---- top ---- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

#define BAR_WIDTH 30

struct prev {
	unsigned long id;
	uint64_t written;
};

static void top_frame(const struct sysinfo *s, const struct prev *prev,
		      size_t nprev, double dt, long frame)
{
	const struct zswap_info *z = &s->zswap;
	uint64_t limit = 0, scale = 0;
	char a[32], b[32], c[32], zp[160];
	size_t i, k;

	if (s->mem.mem_total_kb.has && z->max_pool_percent.has)
		limit = s->mem.mem_total_kb.v * 1024 / 100 *
			z->max_pool_percent.v;
	scale = limit;
	if (!scale)	/* no limit known: bars relative to the largest pool */
		for (i = 0; i < s->zx.npools; i++)
			if (s->zx.pools[i].pool_bytes.has &&
			    s->zx.pools[i].pool_bytes.v > scale)
				scale = s->zx.pools[i].pool_bytes.v;
	printf("zpoolctl top  frame %ld  every %ld.%03lds\n", frame,
	       opt.interval_ms / 1000, opt.interval_ms % 1000);
	if (z->present)
		printf("zswap %s  %s  %s  limit %s  stored %s pages  pool %s\n",
		       z->enabled == 1 ? "enabled" :
		       z->enabled == 0 ? "disabled" : "?",
		       z->compressor[0] ? z->compressor : "-",
		       zpool_shown(zp, sizeof(zp), z->zpool),
		       limit ? (fmt_size(a, sizeof(a), limit), a) : "-",
		       numstr(b, sizeof(b), zswap_stored_pages(s)),
		       sizestr(c, sizeof(c), zswap_pool_bytes(s)));
	else
		printf("zswap not available\n");
	if (!s->zx.loaded) {
		printf("zpoolx module not loaded\n");
		return;
	}
	if (!s->zx.npools) {
		printf("no zpoolx pools\n");
		return;
	}
	printf("%4s %-9s %-10s %9s  %-*s %6s %9s %6s %6s %8s\n", "ID",
	       "BACKEND", "STATE", "POOLSIZE", BAR_WIDTH + 2,
	       limit ? "OF LIMIT" : "OF LARGEST", "%", "OBJECTS", "RATIO",
	       "UTIL", "WB/s");
	for (i = 0; i < s->zx.npools; i++) {
		const struct pool *p = &s->zx.pools[i];
		char bar[BAR_WIDTH + 3], ratio[16] = "-", util[16] = "-",
			rate[32] = "-", pct[16] = "-";
		unsigned fill = 0;

		if (p->pool_bytes.has && scale) {
			double f = (double)p->pool_bytes.v / (double)scale;

			if (f < 10)
				snprintf(pct, sizeof(pct), "%.1f", f * 100);
			else
				snprintf(pct, sizeof(pct), ">999");
			if (f > 1)
				f = 1;
			fill = (unsigned)(f * BAR_WIDTH + 0.5);
		}
		bar[0] = '[';
		for (k = 0; k < BAR_WIDTH; k++)
			bar[k + 1] = k < fill ? '#' : '.';
		bar[BAR_WIDTH + 1] = ']';
		bar[BAR_WIDTH + 2] = '\0';
		if (p->ratio_has)
			snprintf(ratio, sizeof(ratio), "%.2f", p->ratio);
		if (p->util_has)
			snprintf(util, sizeof(util), "%.1f%%", p->util * 100);
		for (k = 0; k < nprev && dt > 0; k++)
			if (prev[k].id == p->id && p->evict_succeeded.has &&
			    p->evict_succeeded.v >= prev[k].written)
				snprintf(rate, sizeof(rate), "%.1f",
					 (double)(p->evict_succeeded.v -
						  prev[k].written) / dt);
		printf("%4lu %-9s %-10s %9s  %s %6s %9s %6s %6s %8s\n", p->id,
		       p->backend[0] ? p->backend : "-",
		       (p->state[0] ? p->state : "-"),
		       sizestr(a, sizeof(a), p->pool_bytes), bar, pct,
		       numstr(b, sizeof(b), p->objects), ratio, util, rate);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_top(int argc, char **argv)
{
	struct sigaction sa;
	struct prev *prev = NULL;
	size_t nprev = 0, i;
	bool tty = isatty(STDOUT_FILENO);
	double last = 0;
	long frame;

	(void)argc;
	(void)argv;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: wake nanosleep */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (frame = 1; !stop; frame++) {
		struct sysinfo s;
		struct timespec ts;
		double t;

		read_sysinfo(&s);
		t = now_s();
		if (tty)
			fputs("\033[H\033[2J", stdout);
		else if (frame > 1)
			putchar('\n');
		top_frame(&s, prev, nprev, frame > 1 ? t - last : 0, frame);
		fflush(stdout);
		last = t;
		free(prev);
		nprev = 0;
		prev = calloc(s.zx.npools ? s.zx.npools : 1, sizeof(*prev));
		if (prev)
			for (i = 0; i < s.zx.npools; i++)
				if (s.zx.pools[i].evict_succeeded.has) {
					prev[nprev].id = s.zx.pools[i].id;
					prev[nprev].written =
						s.zx.pools[i].evict_succeeded.v;
					nprev++;
				}
		free_sysinfo(&s);
		if (ferror(stdout))
			break;
		if (opt.iterations && frame >= opt.iterations)
			break;
		ts.tv_sec = opt.interval_ms / 1000;
		ts.tv_nsec = (opt.interval_ms % 1000) * 1000000L;
		while (!stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	free(prev);
	return EXIT_OK;
}
