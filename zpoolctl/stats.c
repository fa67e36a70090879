// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - `zpoolctl stats POOL`: one pool's counters and, for zsmalloc,
 * the size-class table read from pools/<id>/classes/<size>/.  With --json
 * and -o/--output-all, the class table alone, util-linux style:
 * {"classes": [{"size": 32, ...}]}.
 */
#include <dirent.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "zpoolctl.h"



struct cls {
	uint64_t dirsize;
	struct num size, objs_per_zspage, pages_per_zspage, objs_allocated,
		objs_used, pages_used, zspages_full, zspages_almost_full,
		zspages_almost_empty, zspages_empty;
};

enum {
	CC_SIZE, CC_ZPAGES, CC_ZOBJS, CC_ALLOC, CC_USED, CC_PAGES, CC_FULL,
	CC_AFULL, CC_AEMPTY, CC_EMPTY, CC_UTIL, CC_WASTE, CC_NCOLS
};

static const struct column class_cols[CC_NCOLS] = {
	[CC_SIZE] = { "SIZE", ALIGN_RIGHT, "object size of the class, bytes" },
	[CC_ZPAGES] = { "ZSPG_PAGES", ALIGN_RIGHT, "pages per zspage" },
	[CC_ZOBJS] = { "ZSPG_OBJS", ALIGN_RIGHT, "objects per zspage" },
	[CC_ALLOC] = { "ALLOCATED", ALIGN_RIGHT, "object slots" },
	[CC_USED] = { "USED", ALIGN_RIGHT, "objects in use" },
	[CC_PAGES] = { "PAGES", ALIGN_RIGHT, "pages used" },
	[CC_FULL] = { "FULL", ALIGN_RIGHT, "full zspages" },
	[CC_AFULL] = { "ALMOST_FULL", ALIGN_RIGHT, "almost full zspages" },
	[CC_AEMPTY] = { "ALMOST_EMPTY", ALIGN_RIGHT, "almost empty zspages" },
	[CC_EMPTY] = { "EMPTY", ALIGN_RIGHT, "empty zspages" },
	[CC_UTIL] = { "UTIL", ALIGN_RIGHT,
		      "USED*SIZE / PAGES*page size, in %" },
	[CC_WASTE] = { "WASTE", ALIGN_RIGHT, "PAGES*page size - USED*SIZE" },
};

static const char class_defaults[] =
	"SIZE,ZSPG_PAGES,ZSPG_OBJS,ALLOCATED,USED,PAGES,FULL,ALMOST_FULL,ALMOST_EMPTY,EMPTY,UTIL";

void stats_columns_help(FILE *f)
{
	columns_help(f, class_cols, CC_NCOLS);
	fprintf(f, "  (default: %s)\n", class_defaults);
}

static int cmp_cls(const void *a, const void *b)
{
	uint64_t x = ((const struct cls *)a)->dirsize,
		 y = ((const struct cls *)b)->dirsize;

	return x < y ? -1 : x > y;
}

/* classes of pool id; returns count, -1 if the pool has no classes dir */
static long read_classes(unsigned long id, struct cls **out)
{
	char p[PATH_MAX + 256];
	struct cls *v = NULL, *nv;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	d = opendir(ZPATH(p, "/sys/kernel/zpoolx/pools/%lu/classes", id));
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		struct cls c;
		uint64_t sz;

		if (!parse_u64(de->d_name, &sz) || sz == 0 || sz > ZPAGE_SIZE)
			continue;
		memset(&c, 0, sizeof(c));
		c.dirsize = sz;
#define N(f) c.f = read_num(ZPATH(p, "/sys/kernel/zpoolx/pools/%lu/classes/%s/" #f, \
				  id, de->d_name))
		N(size);
		N(objs_per_zspage);
		N(pages_per_zspage);
		N(objs_allocated);
		N(objs_used);
		N(pages_used);
		N(zspages_full);
		N(zspages_almost_full);
		N(zspages_almost_empty);
		N(zspages_empty);
#undef N
		if (!c.size.has) {
			c.size.has = true;
			c.size.v = sz;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[n++] = c;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_cls);
	*out = v;
	return (long)n;
}

static bool cls_util(const struct cls *c, double *u, uint64_t *waste)
{
	uint64_t cap, used;

	if (!c->pages_used.has || !c->objs_used.has || !c->size.has)
		return false;
	cap = c->pages_used.v * ZPAGE_SIZE;
	used = c->objs_used.v * c->size.v;
	*waste = cap > used ? cap - used : 0;
	*u = cap ? (double)used / (double)cap : 0;
	return cap != 0;
}

static void num_cell(struct table *t, char **row, int col, struct num n)
{
	if (n.has)
		table_set_u64(t, row, col, n.v);
}

static const char *nstr(char *b, size_t n, struct num v, bool size)
{
	if (!v.has)
		snprintf(b, n, "-");
	else if (size)
		fmt_size(b, n, v.v);
	else
		snprintf(b, n, "%llu", (unsigned long long)v.v);
	return b;
}

static void print_counters(const struct pool *p)
{
	char a[32], b[32], c[32], d[32], e[32];
	size_t i;

	printf("pool %lu: %s (%s), creator %s, %s%s\n", p->id,
	       p->backend[0] ? p->backend : "-", p->type[0] ? p->type : "-",
	       p->name[0] ? p->name : "-", p->state[0] ? p->state : "-",
	       p->current ? ", zswap stores into it" : "");
	/* pool_bytes is the pages and the metadata (zswap's view of it) */
	printf("  pages %s, pool %s (metadata %s), objects %s, stored %s",
	       nstr(a, sizeof(a), p->pages, false),
	       nstr(b, sizeof(b), p->pool_bytes, true),
	       p->metadata_bytes.has ?
	       nstr(e, sizeof(e), p->metadata_bytes, true) : "unknown",
	       nstr(c, sizeof(c), p->objects, false),
	       nstr(d, sizeof(d), p->stored_bytes, true));
	if (p->util_has)
		printf(", utilisation %.1f%%", p->util * 100);
	if (p->ratio_has)
		printf(", ratio %.2f", p->ratio);
	putchar('\n');
	printf("  alloc_failures %s, evict_attempted %s, evict_succeeded %s, evict_failed %s, reclaimed_pages %s\n",
	       nstr(a, sizeof(a), p->alloc_failures, false),
	       nstr(b, sizeof(b), p->evict_attempted, false),
	       nstr(c, sizeof(c), p->evict_succeeded, false),
	       nstr(d, sizeof(d), p->evict_failed, false),
	       nstr(e, sizeof(e), p->reclaimed_pages, false));
	if (p->wb_has)
		printf("  writeback: last request %llu pages, %llu freed, %llu freed in total\n",
		       (unsigned long long)p->wb_requested,
		       (unsigned long long)p->wb_reclaimed,
		       (unsigned long long)p->wb_total);
	if (p->compact_has)
		printf("  compact: last run freed %llu pages, %llu in total\n",
		       (unsigned long long)p->compact_last,
		       (unsigned long long)p->compact_total);
	for (i = 0; i < p->nextra; i++)
		printf("%s%s %s%s", i ? ", " : "  backend: ", p->extra[i].name,
		       p->extra[i].value, i + 1 == p->nextra ? "\n" : "");
}

int cmd_stats(int argc, char **argv)
{
	struct sysinfo s;
	struct table t;
	struct pool *p;
	struct cls *cl = NULL;
	char ids[256], b[32];
	unsigned long id;
	long n, i;
	int ret;

	(void)argc;
	ret = parse_pool_arg(argv[0], &id);
	if (ret)
		return ret;
	ret = table_select(&t, class_cols, CC_NCOLS, class_defaults,
			   opt.columns);
	if (ret)
		return ret;
	read_sysinfo(&s);
	ret = need_zpoolx(&s.zx);
	if (ret)
		goto out;
	p = find_pool(&s.zx, id);
	if (!p) {
		pool_id_list(&s.zx, ids, sizeof(ids));
		ret = fail(EXIT_USAGE, "stats: no pool %lu (pools: %s)", id, ids);
		goto out;
	}
	n = read_classes(id, &cl);
	if (opt.json && !opt.columns) {
		struct json_object *o = json_object_new_object(), *a = NULL;

		json_object_object_add(o, "pool", pool_json(p));
		if (n >= 0) {
			a = json_object_new_array();
			for (i = 0; i < n; i++) {
				struct json_object *c = json_object_new_object();
				double u;
				uint64_t w;
#define J(f) json_object_object_add(c, #f, json_num(cl[i].f))
				J(size);
				J(objs_per_zspage);
				J(pages_per_zspage);
				J(objs_allocated);
				J(objs_used);
				J(pages_used);
				J(zspages_full);
				J(zspages_almost_full);
				J(zspages_almost_empty);
				J(zspages_empty);
#undef J
				if (cls_util(&cl[i], &u, &w)) {
					json_object_object_add(c, "utilisation",
						json_object_new_double(u));
					json_object_object_add(c, "waste_bytes",
						json_object_new_uint64(w));
				} else {
					json_object_object_add(c, "utilisation", NULL);
					json_object_object_add(c, "waste_bytes", NULL);
				}
				json_object_array_add(a, c);
			}
		}
		json_object_object_add(o, "classes", a);
		json_print(o);
		ret = EXIT_OK;
		goto out;
	}
	for (i = 0; i < n; i++) {
		char **row = table_add_row(&t);
		double u;
		uint64_t w;

		num_cell(&t, row, CC_SIZE, cl[i].size);
		num_cell(&t, row, CC_ZPAGES, cl[i].pages_per_zspage);
		num_cell(&t, row, CC_ZOBJS, cl[i].objs_per_zspage);
		num_cell(&t, row, CC_ALLOC, cl[i].objs_allocated);
		num_cell(&t, row, CC_USED, cl[i].objs_used);
		num_cell(&t, row, CC_PAGES, cl[i].pages_used);
		num_cell(&t, row, CC_FULL, cl[i].zspages_full);
		num_cell(&t, row, CC_AFULL, cl[i].zspages_almost_full);
		num_cell(&t, row, CC_AEMPTY, cl[i].zspages_almost_empty);
		num_cell(&t, row, CC_EMPTY, cl[i].zspages_empty);
		if (cls_util(&cl[i], &u, &w)) {
			table_set_double(&t, row, CC_UTIL, 1, "%", u * 100);
			table_set_size(&t, row, CC_WASTE, w);
		}
	}
	if (opt.json) {
		/* -o: the class table, util-linux style */
		json_print(table_json(&t, "classes"));
		ret = EXIT_OK;
		goto out;
	}
	if (opt.raw || opt.noheadings) {
		table_print(&t, stdout, !opt.noheadings, opt.raw);
		ret = EXIT_OK;
		goto out;
	}
	print_counters(p);
	putchar('\n');
	if (n < 0) {
		printf("no size classes: the %s backend %s\n",
		       p->backend[0] ? p->backend : "unknown",
		       !strcmp(p->backend, "zbud") ?
		       "stores two objects per page in 64-byte chunks" :
		       "does not publish any");
	} else if (n == 0) {
		printf("no size class holds objects\n");
	} else {
		uint64_t pages = 0, used = 0, waste = 0, w;
		double u;

		table_print(&t, stdout, true, false);
		for (i = 0; i < n; i++) {
			if (cl[i].pages_used.has)
				pages += cl[i].pages_used.v;
			if (cl[i].objs_used.has)
				used += cl[i].objs_used.v;
			if (cls_util(&cl[i], &u, &w))
				waste += w;
		}
		fmt_size(b, sizeof(b), waste);
		printf("\n%ld classes, %llu pages, %llu objects, %s wasted\n",
		       n, (unsigned long long)pages, (unsigned long long)used,
		       b);
	}
	ret = EXIT_OK;
out:
	free(cl);
	table_free(&t);
	free_sysinfo(&s);
	return ret;
}
