// SPDX-License-Identifier: GPL-2.0
/*
 * sysinfo.c - read what the kernel tells about zswap, zpoolx, swap and
 * memory (shared by zpoolctl and zpoold, lib/libzpoolx.h): the files listed in README.md, "sysfs reference", zswap's module
 * parameters and debugfs counters, /proc/meminfo, /proc/swaps and
 * /proc/pressure/memory.  Everything is optional: a missing file reads as
 * "unknown", never as zero.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "libzpoolx.h"

static void read_str(const char *path, char *buf, size_t size)
{
	int n = read_small(path, buf, size);

	if (n < 0) {
		if (n != -ENOENT && n != -EACCES)
			msg_warn("cannot read %s: %s", path, strerror(-n));
		buf[0] = '\0';
	}
	sanitize_text(buf, size);
}

void read_zswap(struct zswap_info *z)
{
	char p[PATH_MAX + 256], buf[64];
	int n;

	memset(z, 0, sizeof(*z));
	z->enabled = -1;
	z->present = is_dir(ZPATH(p, ZSWAP_PARAMS));
	if (z->present) {
		n = read_small(ZPATH(p, ZSWAP_PARAMS "/enabled"), buf,
			       sizeof(buf));
		if (n >= 0) {
			if (!strcmp(buf, "Y") || !strcmp(buf, "1"))
				z->enabled = 1;
			else if (!strcmp(buf, "N") || !strcmp(buf, "0"))
				z->enabled = 0;
			else {
				sanitize(buf);
				msg_warn("%s: unexpected content '%s' (expected Y or N)",
					 p, buf);
			}
		}
		read_str(ZPATH(p, ZSWAP_PARAMS "/compressor"), z->compressor,
			 sizeof(z->compressor));
		read_str(ZPATH(p, ZSWAP_PARAMS "/zpool"), z->zpool,
			 sizeof(z->zpool));
		z->max_pool_percent =
			read_num(ZPATH(p, ZSWAP_PARAMS "/max_pool_percent"));
		z->accept_threshold_percent = read_num(
			ZPATH(p, ZSWAP_PARAMS "/accept_threshold_percent"));
	}
	z->debugfs = is_dir(ZPATH(p, ZSWAP_DEBUG));
	if (!z->debugfs)
		return;
#define D(f) z->f = read_num(ZPATH(p, ZSWAP_DEBUG "/" #f))
	D(stored_pages);
	D(pool_total_size);
	D(written_back_pages);
	D(pool_limit_hit);
	D(reject_reclaim_fail);
	D(reject_alloc_fail);
	D(reject_kmemcache_fail);
	D(reject_compress_poor);
	D(duplicate_entry);
	D(same_filled_pages);
#undef D
}

void read_meminfo(struct meminfo *m)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "MemTotal", offsetof(struct meminfo, mem_total_kb) },
		{ "MemAvailable", offsetof(struct meminfo, mem_available_kb) },
		{ "SwapTotal", offsetof(struct meminfo, swap_total_kb) },
		{ "SwapFree", offsetof(struct meminfo, swap_free_kb) },
		{ "Zswap", offsetof(struct meminfo, zswap_kb) },
		{ "Zswapped", offsetof(struct meminfo, zswapped_kb) },
	};
	char p[PATH_MAX + 256], *text, *line, *save = NULL;
	size_t i;

	memset(m, 0, sizeof(*m));
	if (read_all(ZPATH(p, "/proc/meminfo"), &text, NULL, 1 << 20) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *v, *end;

		if (!colon)
			continue;
		*colon = '\0';
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			struct num *n;

			if (strcmp(line, keys[i].key))
				continue;
			n = (struct num *)((char *)m + keys[i].off);
			v = colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			end = v;
			while (*end >= '0' && *end <= '9')
				end++;
			if (strcmp(end, " kB") && *end) {
				msg_warn("%s: unexpected %s line", p, line);
				break;
			}
			*end = '\0';
			n->has = parse_u64(v, &n->v);
			if (!n->has)
				msg_warn("%s: unexpected %s line", p, line);
			break;
		}
	}
	free(text);
}

static bool parse_psi_line(const char *line, const char *kind, double v[3],
			   unsigned long long *total_out)
{
	char k[8];
	unsigned long long total;
	int n = 0;

	if (sscanf(line, "%7s avg10=%lf avg60=%lf avg300=%lf total=%llu%n", k,
		   &v[0], &v[1], &v[2], &total, &n) != 5 ||
	    strcmp(k, kind) || line[n] != '\0')
		return false;
	*total_out = total;
	return v[0] >= 0 && v[0] <= 100 && v[1] >= 0 && v[1] <= 100 &&
	       v[2] >= 0 && v[2] <= 100;
}

void read_psi(struct psi *ps)
{
	char p[PATH_MAX + 256], *text, *nl, *second = NULL;
	double v[3];
	unsigned long long total;

	memset(ps, 0, sizeof(*ps));
	if (read_all(ZPATH(p, "/proc/pressure/memory"), &text, NULL, 65536) < 0)
		return;
	nl = strchr(text, '\n');
	if (nl) {
		*nl = '\0';
		second = nl + 1;
		nl = strchr(second, '\n');
		if (nl)
			*nl = '\0';
	}
	if (!parse_psi_line(text, "some", v, &total)) {
		msg_warn("%s: unexpected content", p);
		free(text);
		return;
	}
	ps->present = true;
	ps->some_avg10 = v[0];
	ps->some_avg60 = v[1];
	ps->some_avg300 = v[2];
	ps->has_total = true;
	ps->some_total_us = total;
	if (second && parse_psi_line(second, "full", v, &total)) {
		ps->has_full = true;
		ps->full_avg10 = v[0];
		ps->full_avg60 = v[1];
		ps->full_avg300 = v[2];
		ps->full_total_us = total;
	}
	free(text);
}

void read_swaps(struct sysinfo *s)
{
	char p[PATH_MAX + 256], *text, *line, *save = NULL;
	size_t cap = 0;
	bool first = true;

	s->swaps = NULL;
	s->nswaps = 0;
	s->swaps_present = false;
	if (read_all(ZPATH(p, "/proc/swaps"), &text, NULL, 1 << 20) < 0)
		return;
	s->swaps_present = true;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct swapdev d;
		unsigned long long size, used;
		int n = 0;

		if (first) {	/* "Filename Type Size Used Priority" */
			first = false;
			if (!strncmp(line, "Filename", 8))
				continue;
		}
		memset(&d, 0, sizeof(d));
		if (sscanf(line, "%255s %31s %llu %llu %ld %n", d.name, d.type,
			   &size, &used, &d.prio, &n) != 5 || line[n] != '\0') {
			msg_warn("%s: unexpected line", p);
			continue;
		}
		sanitize_text(d.name, sizeof(d.name));
		sanitize_text(d.type, sizeof(d.type));
		d.size_kb = size;
		d.used_kb = used;
		if (s->nswaps == cap) {
			struct swapdev *nv;

			cap = cap ? cap * 2 : 4;
			nv = realloc(s->swaps, cap * sizeof(*nv));
			if (!nv)
				break;
			s->swaps = nv;
		}
		s->swaps[s->nswaps++] = d;
	}
	free(text);
}

static bool parse_kv(const char *s, const char *const keys[], uint64_t *vals,
		     int n)
{
	char buf[256], *tok, *save = NULL;
	int i = 0;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save), i++) {
		size_t kl;

		if (i >= n)
			return false;
		kl = strlen(keys[i]);
		if (strncmp(tok, keys[i], kl) || tok[kl] != '=' ||
		    !parse_u64(tok + kl + 1, &vals[i]))
			return false;
	}
	return i == n;
}

static void read_extra(unsigned long id, struct pool *pl);

int read_pool(unsigned long id, struct pool *pl)
{
	static const char *const wb_keys[] = { "requested", "reclaimed",
					       "total" };
	static const char *const c_keys[] = { "last", "total" };
	char p[PATH_MAX + 256], buf[256];
	uint64_t v[3];
	int n;

	memset(pl, 0, sizeof(*pl));
	pl->id = id;
	if (!is_dir(ZPATH(p, ZPOOLX_SYS "/pools/%lu", id)))
		return -ENOENT;
#define S(f) read_str(ZPATH(p, ZPOOLX_SYS "/pools/%lu/" #f, id), pl->f, \
		      sizeof(pl->f))
#define N(f) pl->f = read_num(ZPATH(p, ZPOOLX_SYS "/pools/%lu/" #f, id))
	S(backend);
	S(type);
	S(name);
	S(state);
	N(evictable);
	N(pages);
	N(pool_bytes);
	N(metadata_bytes);
	N(objects);
	N(stored_bytes);
	N(alloc_failures);
	N(evict_attempted);
	N(evict_succeeded);
	N(evict_failed);
	N(reclaimed_pages);
#undef S
#undef N
	n = read_small(ZPATH(p, ZPOOLX_SYS "/pools/%lu/writeback", id), buf,
		       sizeof(buf));
	if (n >= 0) {
		if (parse_kv(buf, wb_keys, v, 3)) {
			pl->wb_has = true;
			pl->wb_requested = v[0];
			pl->wb_reclaimed = v[1];
			pl->wb_total = v[2];
		} else {
			sanitize(buf);
			msg_warn("%s: unexpected content '%s' (expected requested=N reclaimed=M total=T)",
				 p, buf);
		}
	}
	ZPATH(p, ZPOOLX_SYS "/pools/%lu/compact", id);
	pl->compact_file = path_exists(p);
	n = pl->compact_file ? read_small(p, buf, sizeof(buf)) : -ENOENT;
	if (pl->compact_file) {
		if (n >= 0 && parse_kv(buf, c_keys, v, 2)) {
			pl->compact_has = true;
			pl->compact_last = v[0];
			pl->compact_total = v[1];
		} else if (n >= 0) {
			sanitize(buf);
			msg_warn("%s: unexpected content '%s' (expected last=N total=T)",
				 p, buf);
		}
	}
	read_extra(id, pl);
	return 0;
}

/* files every pool directory has (README), read into struct pool */
static const char *const common_files[] = {
	"backend", "type", "name", "state", "evictable", "pages", "pool_bytes",
	"metadata_bytes", "objects", "stored_bytes", "alloc_failures",
	"evict_attempted", "evict_succeeded", "evict_failed",
	"reclaimed_pages", "writeback", "compact", "uevent",
};

static int cmp_param(const void *a, const void *b);

/* the backend's own files (zbud: buddied_pages, ...), sorted by name */
static void read_extra(unsigned long id, struct pool *pl)
{
	char p[PATH_MAX + 256], f[PATH_MAX + 256];
	struct dirent *de;
	size_t i;
	DIR *d;

	d = opendir(ZPATH(p, ZPOOLX_SYS "/pools/%lu", id));
	if (!d)
		return;
	while ((de = readdir(d)) && pl->nextra < 16) {
		struct param *pa = &pl->extra[pl->nextra];

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(pa->name))
			continue;
		for (i = 0; i < sizeof(common_files) / sizeof(common_files[0]); i++)
			if (!strcmp(de->d_name, common_files[i]))
				break;
		if (i < sizeof(common_files) / sizeof(common_files[0]))
			continue;
		ZPATH(f, ZPOOLX_SYS "/pools/%lu/%s", id, de->d_name);
		if (is_dir(f) || read_small(f, pa->value, sizeof(pa->value)) < 0)
			continue;
		strcpy(pa->name, de->d_name);
		sanitize_text(pa->name, sizeof(pa->name));
		sanitize_text(pa->value, sizeof(pa->value));
		pl->nextra++;
	}
	closedir(d);
	qsort(pl->extra, pl->nextra, sizeof(pl->extra[0]), cmp_param);
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a,
		      y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static int cmp_param(const void *a, const void *b)
{
	return strcmp(((const struct param *)a)->name,
		      ((const struct param *)b)->name);
}

void read_zpoolx(struct zpoolx_info *zx)
{
	char p[PATH_MAX + 256];
	unsigned long *ids = NULL;
	size_t nids = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;

	memset(zx, 0, sizeof(*zx));
	zx->loaded = is_dir(ZPATH(p, ZPOOLX_MOD));
	zx->sysfs = is_dir(ZPATH(p, ZPOOLX_SYS));
	d = opendir(ZPATH(p, ZPOOLX_MOD "/parameters"));
	if (d) {
		while ((de = readdir(d)) && zx->nparams < 32) {
			struct param *pa = &zx->params[zx->nparams];
			char f[PATH_MAX + 256];

			if (de->d_name[0] == '.' ||
			    strlen(de->d_name) >= sizeof(pa->name))
				continue;
			strcpy(pa->name, de->d_name);
			sanitize_text(pa->name, sizeof(pa->name));
			read_str(ZPATH(f, ZPOOLX_MOD "/parameters/%s",
				       de->d_name),
				 pa->value, sizeof(pa->value));
			zx->nparams++;
		}
		closedir(d);
		qsort(zx->params, zx->nparams, sizeof(zx->params[0]),
		      cmp_param);
	}
	if (!zx->sysfs)
		return;
	read_str(ZPATH(p, ZPOOLX_SYS "/version"), zx->version,
		 sizeof(zx->version));
	read_str(ZPATH(p, ZPOOLX_SYS "/backends"), zx->backends,
		 sizeof(zx->backends));
	d = opendir(ZPATH(p, ZPOOLX_SYS "/pools"));
	if (!d)
		return;
	while ((de = readdir(d))) {
		uint64_t id;

		if (!parse_u64(de->d_name, &id) || id == 0 || id > UINT_MAX)
			continue;
		if (nids == cap) {
			unsigned long *n;

			cap = cap ? cap * 2 : 8;
			n = realloc(ids, cap * sizeof(*n));
			if (!n)
				break;
			ids = n;
		}
		ids[nids++] = (unsigned long)id;
	}
	closedir(d);
	if (nids)
		qsort(ids, nids, sizeof(*ids), cmp_ulong);
	zx->pools = calloc(nids ? nids : 1, sizeof(*zx->pools));
	if (zx->pools)
		for (i = 0; i < nids; i++)
			if (read_pool(ids[i], &zx->pools[zx->npools]) == 0)
				zx->npools++;
	free(ids);
}

struct num zswap_stored_pages(const struct sysinfo *s)
{
	struct num n = s->zswap.stored_pages;

	if (!n.has && s->mem.zswapped_kb.has) {
		n.has = true;
		n.v = s->mem.zswapped_kb.v * 1024 / ZPAGE_SIZE;
	}
	return n;
}

struct num zswap_pool_bytes(const struct sysinfo *s)
{
	struct num n = s->zswap.pool_total_size;

	if (!n.has && s->mem.zswap_kb.has) {
		n.has = true;
		n.v = s->mem.zswap_kb.v * 1024;
	}
	return n;
}

/*
 * zswap names its pools "zswap" and a hex serial ("zswap1", "zswap2", ...:
 * zswap_pool_create() in 6.1).
 */
bool pool_made_by_zswap(const struct pool *p)
{
	if (strncmp(p->name, "zswap", 5))
		return false;
	return p->name[5 + strspn(p->name + 5, "0123456789abcdef")] == '\0';
}

void derive_pools(struct sysinfo *s)
{
	struct zswap_info *z = &s->zswap;
	struct pool *cur = NULL;
	size_t i;

	/*
	 * zswap stores into its newest pool; older ones only drain.  So the
	 * current pool is the newest active pool zswap created whose type is
	 * zswap's zpool parameter.
	 */
	for (i = 0; i < s->zx.npools; i++) {
		struct pool *p = &s->zx.pools[i];

		if (z->present && z->zpool[0] && !strcmp(p->type, z->zpool) &&
		    pool_made_by_zswap(p) && !strcmp(p->state, "active"))
			cur = p;
	}
	for (i = 0; i < s->zx.npools; i++) {
		struct pool *p = &s->zx.pools[i];
		bool have_bytes = p->pool_bytes.has && p->pool_bytes.v > 0;

		p->current = p == cur;
		if (p->current) {
			p->stored_pages = zswap_stored_pages(s);
			if (z->debugfs && z->reject_reclaim_fail.has &&
			    z->reject_alloc_fail.has &&
			    z->reject_kmemcache_fail.has &&
			    z->reject_compress_poor.has) {
				p->rejects.has = true;
				p->rejects.v = z->reject_reclaim_fail.v +
					       z->reject_alloc_fail.v +
					       z->reject_kmemcache_fail.v +
					       z->reject_compress_poor.v;
			}
		}
		/*
		 * Compression ratio (README): zswap's stored pages times the
		 * page size over the pool bytes, for the pool zswap stores
		 * into; for an older zswap pool that is draining, its objects
		 * times the page size (each zswap object is one page).
		 */
		if (have_bytes && p->current && p->stored_pages.has) {
			p->ratio_has = true;
			p->ratio = (double)p->stored_pages.v * ZPAGE_SIZE /
				   (double)p->pool_bytes.v;
		} else if (have_bytes && pool_made_by_zswap(p) &&
			   p->objects.has) {
			p->ratio_has = true;
			p->ratio = (double)p->objects.v * ZPAGE_SIZE /
				   (double)p->pool_bytes.v;
		}
		/*
		 * Utilisation: stored bytes over pool_bytes, which with a
		 * module that has metadata_bytes includes the metadata (all
		 * the memory the pool costs); with an older one, pages only.
		 */
		if (have_bytes && p->stored_bytes.has) {
			p->util_has = true;
			p->util = (double)p->stored_bytes.v /
				  (double)p->pool_bytes.v;
		}
	}
}

void read_sysinfo(struct sysinfo *s)
{
	memset(s, 0, sizeof(*s));
	read_zswap(&s->zswap);
	read_meminfo(&s->mem);
	read_psi(&s->psi);
	read_swaps(s);
	read_zpoolx(&s->zx);
	derive_pools(s);
}

void free_sysinfo(struct sysinfo *s)
{
	free(s->swaps);
	free(s->zx.pools);
	s->swaps = NULL;
	s->zx.pools = NULL;
}

void pool_id_list(const struct zpoolx_info *zx, char *buf, size_t size)
{
	size_t i, len = 0;

	snprintf(buf, size, "none");
	for (i = 0; i < zx->npools && len < size; i++) {
		int w = snprintf(buf + len, size - len, "%s%lu", i ? " " : "",
				 zx->pools[i].id);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

struct pool *find_pool(const struct zpoolx_info *zx, unsigned long id)
{
	size_t i;

	for (i = 0; i < zx->npools; i++)
		if (zx->pools[i].id == id)
			return &zx->pools[i];
	return NULL;
}

static int cmp_class(const void *a, const void *b)
{
	unsigned x = ((const struct zclass *)a)->size,
		 y = ((const struct zclass *)b)->size;

	return x < y ? -1 : x > y;
}

int read_pool_classes(unsigned long id, struct zclass **out, size_t *n)
{
	char p[PATH_MAX + 256];
	struct zclass *v = NULL, *nv;
	size_t cap = 0, cnt = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n = 0;
	d = opendir(ZPATH(p, ZPOOLX_SYS "/pools/%lu/classes", id));
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct zclass c;
		uint64_t size;

		if (!parse_u64(de->d_name, &size) || size == 0 ||
		    size > ZPAGE_SIZE)
			continue;
		memset(&c, 0, sizeof(c));
		c.size = (unsigned)size;
#define C(f) c.f = read_num(ZPATH(p, ZPOOLX_SYS "/pools/%lu/classes/%u/" #f, \
				  id, c.size))
		C(objs_per_zspage);
		C(pages_per_zspage);
		C(objs_allocated);
		C(objs_used);
		C(pages_used);
		C(zspages_full);
		C(zspages_almost_full);
		C(zspages_almost_empty);
		C(zspages_empty);
#undef C
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*nv));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[cnt++] = c;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_class);
	*out = v;
	*n = cnt;
	return 0;
}
