// SPDX-License-Identifier: GPL-2.0
/*
 * advise.c - `zpoolctl advise`: sample pages from a file (--file) or from
 * a process's memory (--pid: /proc/PID/maps and /proc/PID/mem under
 * --root), compress each with lz4 (liblz4) and zstd (libzstd) the way
 * Linux 6.1's crypto API does, simulate how zswap would store the results
 * in a zbud and in a zsmalloc pool, and recommend a backend and a
 * compressor with the expected bytes per stored page.
 *
 * The model (Linux 6.1, 4 KiB pages), documented in zpoolctl.8:
 *  - a page whose 8-byte words are all equal is "same-filled": zswap keeps
 *    it without pool memory;
 *  - the compressor's output must fit in one page, else the page is
 *    rejected (it goes to the swap device);
 *  - zswap asks the pool for an 8-byte header plus the compressed data
 *    (zpoolx pools are evictable, so zswap stores the header);
 *  - zbud: 64-byte chunks, the first chunk of a page is its header, so 63
 *    chunks for at most two objects; objects over 4032 bytes (63 chunks)
 *    are refused (zpoolx's zbud; the kernel's refuses over 3968); a new
 *    object goes to the page with one buddy and the fewest free chunks
 *    that fit it, else to a new page (as module/zbud.c and mm/zbud.c do);
 *  - zsmalloc: size classes 32..4096 bytes in steps of 16, each object
 *    taking 8 more bytes for its handle; each class chains the number of
 *    pages (1..max_zspage_pages) that wastes least; classes with the same
 *    chain length and object count share zspages (as mm/zsmalloc.c does);
 *    the pool is taken as fully compacted.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <lz4.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "zpoolctl.h"

/* the model's page: 4 KiB, whatever the machine runs (cmd_advise says so) */
#define ADV_PAGE 4096u
#define ZSWAP_HDR 8		/* struct zswap_header: swp_entry_t */
#define ZSTD_LEVEL 3		/* crypto/zstd.c ZSTD_DEF_LEVEL */

#define ZBUD_CHUNK 64
#define ZBUD_NCHUNKS 63
#define ZBUD_MAX (ZBUD_NCHUNKS * ZBUD_CHUNK)	/* module/zbud.c ZBX_MAX_OBJ */

#define ZS_MIN 32
#define ZS_DELTA 16
#define ZS_HANDLE 8
#define ZS_NCLASSES ((ADV_PAGE - ZS_MIN) / ZS_DELTA + 1)

enum { C_LZ4, C_ZSTD, NCOMP };
static const char *const comp_name[NCOMP] = { "lz4", "zstd" };
enum { B_ZBUD, B_ZSMALLOC, NBACK };
static const char *const back_name[NBACK] = { "zbud", "zsmalloc" };

struct region {
	uint64_t start, pages;
};

struct source {
	int fd;
	uint64_t pages;			/* pages to choose from */
	struct region *regions;		/* --pid: the mappings sampled */
	size_t nregions;
	char desc[PATH_MAX + 64];
};

struct zbud_sim {
	uint64_t unbuddied[ZBUD_NCHUNKS + 1];	/* pages by free chunks */
	uint64_t pages, objects, rejected;
};

struct zs_sim {
	uint64_t count[ZS_NCLASSES];
	uint64_t objects, rejected;
};

struct comp_stats {
	uint64_t bytes, compressed, incompressible;
	double seconds;
	struct zbud_sim zbud;
	struct zs_sim zs;
};

struct result {
	uint64_t stored, objects, rejected, pool_bytes;
	double bytes_per_stored, cost_per_page;
};

/* ---- sources ---- */

static int open_failed(int err, const char *what, const char *path)
{
	int code = (err == EACCES || err == EPERM) ? EXIT_PERM :
		   (err == ENOENT || err == ENOTDIR) ? EXIT_USAGE : EXIT_FAIL;

	return fail(code, "advise: cannot read %s%s%s: %s", what,
		    what[0] ? " " : "", path, strerror(err));
}

static int open_file(struct source *src)
{
	struct stat st;
	off_t size;

	src->fd = open(opt.file, O_RDONLY | O_CLOEXEC);
	if (src->fd < 0)
		return open_failed(errno, "--file", opt.file);
	if (fstat(src->fd, &st) < 0)
		return open_failed(errno, "--file", opt.file);
	if (S_ISREG(st.st_mode)) {
		size = st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		size = lseek(src->fd, 0, SEEK_END);
		if (size < 0)
			return open_failed(errno, "--file", opt.file);
	} else {
		return fail(EXIT_USAGE,
			    "advise: --file %s is not a regular file or block device",
			    opt.file);
	}
	src->pages = (uint64_t)size / ADV_PAGE;
	if (!src->pages)
		return fail(EXIT_USAGE,
			    "advise: --file %s is smaller than one page (%u bytes)",
			    opt.file, ADV_PAGE);
	/* printed on stdout: the path escaped as in messages */
	strcpy(src->desc, "file ");
	escape_str(src->desc + 5, sizeof(src->desc) - 5, opt.file);
	return 0;
}

/*
 * The memory zswap could hold: writable private mappings (anonymous, heap,
 * stack, written data of files) and writable shared memory (tmpfs, memfd).
 * Not: the kernel's [vvar]/[vdso]/[vsyscall], device mappings.
 */
static bool swappable(const char *perms, const char *path)
{
	if (perms[0] != 'r' || perms[1] != 'w')
		return false;
	if (!strcmp(path, "[vvar]") || !strcmp(path, "[vdso]") ||
	    !strcmp(path, "[vsyscall]"))
		return false;
	if (perms[3] == 'p')
		return strncmp(path, "/dev/", 5) != 0 ||
		       !strcmp(path, "/dev/zero");
	return !strncmp(path, "/dev/shm/", 9) || !strncmp(path, "/memfd:", 7) ||
	       !strncmp(path, "/SYSV", 5);
}

static int open_pid(struct source *src)
{
	char p[PATH_MAX + 256], *text, *line, *save = NULL;
	size_t cap = 0;
	int ret;

	if (!is_dir(ZPATH(p, "/proc/%ld", opt.pid)))
		return fail(EXIT_USAGE, "advise: no process %ld (%s is missing)",
			    opt.pid, p);
	ret = read_all(ZPATH(p, "/proc/%ld/maps", opt.pid), &text, NULL,
		       64 << 20);
	if (ret < 0)
		return open_failed(-ret, "", p);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end, off, ino;
		char perms[8], dev[16];
		int n = 0;
		const char *path;

		if (sscanf(line, "%llx-%llx %7s %llx %15s %llu%n", &start, &end,
			   perms, &off, dev, &ino, &n) != 6 ||
		    strlen(perms) != 4 || end <= start ||
		    start % ADV_PAGE || end % ADV_PAGE) {
			msg_warn("%s: skipping an unexpected line", p);
			continue;
		}
		if (end > (1ULL << 63))	/* [vsyscall]: kernel addresses */
			continue;
		path = line + n;
		while (*path == ' ' || *path == '\t')
			path++;
		if (!swappable(perms, path))
			continue;
		if (src->nregions == cap) {
			struct region *r;

			cap = cap ? cap * 2 : 16;
			r = realloc(src->regions, cap * sizeof(*r));
			if (!r)
				break;
			src->regions = r;
		}
		src->regions[src->nregions].start = start;
		src->regions[src->nregions].pages = (end - start) / ADV_PAGE;
		src->pages += (end - start) / ADV_PAGE;
		src->nregions++;
	}
	free(text);
	if (!src->pages)
		return fail(EXIT_FAIL,
			    "advise: process %ld has no writable private or shared memory to sample",
			    opt.pid);
	src->fd = open(ZPATH(p, "/proc/%ld/mem", opt.pid), O_RDONLY | O_CLOEXEC);
	if (src->fd < 0)
		return open_failed(errno, "", p);
	snprintf(src->desc, sizeof(src->desc),
		 "process %ld (%zu mappings)", opt.pid, src->nregions);
	return 0;
}

static uint64_t page_offset(const struct source *src, uint64_t idx)
{
	size_t i;

	if (!src->regions)
		return idx * ADV_PAGE;
	for (i = 0; i < src->nregions; i++) {
		if (idx < src->regions[i].pages)
			return src->regions[i].start + idx * ADV_PAGE;
		idx -= src->regions[i].pages;
	}
	return 0;	/* not reached: idx < src->pages */
}

/* ---- simulation ---- */

static bool same_filled(const unsigned char *page)
{
	uint64_t first, w;
	size_t i;

	memcpy(&first, page, sizeof(first));
	for (i = sizeof(w); i < ADV_PAGE; i += sizeof(w)) {
		memcpy(&w, page + i, sizeof(w));
		if (w != first)
			return false;
	}
	return true;
}

static void zbud_add(struct zbud_sim *z, size_t size)
{
	unsigned chunks, i;

	if (size > ZBUD_MAX) {
		z->rejected++;
		return;
	}
	chunks = (unsigned)((size + ZBUD_CHUNK - 1) / ZBUD_CHUNK);
	z->objects++;
	for (i = chunks; i <= ZBUD_NCHUNKS; i++) {
		if (z->unbuddied[i]) {	/* second buddy: the page is full */
			z->unbuddied[i]--;
			return;
		}
	}
	z->pages++;
	z->unbuddied[ZBUD_NCHUNKS - chunks]++;
}

static void zs_add(struct zs_sim *z, size_t size)
{
	size_t idx;

	if (size > ADV_PAGE) {
		z->rejected++;
		return;
	}
	size += ZS_HANDLE;
	idx = size <= ZS_MIN ? 0 : (size - ZS_MIN + ZS_DELTA - 1) / ZS_DELTA;
	if (idx >= ZS_NCLASSES)
		idx = ZS_NCLASSES - 1;
	z->count[idx]++;
	z->objects++;
}

static unsigned zs_pages_per_zspage(unsigned class_size, unsigned max)
{
	unsigned i, best = 1, best_used = 0;

	for (i = 1; i <= max; i++) {
		unsigned zsize = i * ADV_PAGE;
		unsigned used = (zsize - zsize % class_size) * 100 / zsize;

		if (used > best_used) {
			best_used = used;
			best = i;
		}
	}
	return best;
}

/*
 * Pages of a large, fully compacted pool with these objects: each class's
 * objects fill its zspages (a partly filled last zspage per class, which a
 * sample of a few hundred pages would make look huge, is not counted).
 */
static double zs_pool_pages(const struct zs_sim *z, unsigned max)
{
	uint64_t pending = 0;
	unsigned prev_ppz = 0, prev_opz = 0;
	double pages = 0;
	int i;

	/* from the largest class down, merging like zs_create_pool() */
	for (i = ZS_NCLASSES - 1; i >= 0; i--) {
		unsigned size = ZS_MIN + (unsigned)i * ZS_DELTA;
		unsigned ppz, opz;

		if (size > ADV_PAGE)
			size = ADV_PAGE;
		ppz = zs_pages_per_zspage(size, max);
		opz = ppz * ADV_PAGE / size;
		if (prev_ppz && (ppz != prev_ppz || opz != prev_opz)) {
			pages += (double)pending / prev_opz * prev_ppz;
			pending = 0;
		}
		/* classes that merge with the one above share its zspages */
		pending += z->count[i];
		prev_ppz = ppz;
		prev_opz = opz;
	}
	pages += (double)pending / prev_opz * prev_ppz;
	return pages;
}

static unsigned zs_max_pages(bool *from_module)
{
	char p[PATH_MAX + 256];
	struct num n;

	*from_module = false;
	ZPATH(p, "/sys/module/zpoolx/parameters/max_zspage_pages");
	if (!path_exists(p))
		return 4;
	n = read_num(p);
	if (!n.has || n.v < 1 || n.v > 16) {
		msg_warn("%s: expected 1..16; simulating zsmalloc with 4", p);
		return 4;
	}
	*from_module = true;
	return (unsigned)n.v;
}

static double elapsed(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void result_of(struct result *r, uint64_t sampled, uint64_t same,
		      uint64_t objects, uint64_t rejected, double pool_pages)
{
	double bytes = pool_pages * ADV_PAGE;

	r->objects = objects;
	r->stored = objects + same;
	r->rejected = rejected;
	r->pool_bytes = (uint64_t)(bytes + 0.5);
	r->bytes_per_stored = r->stored ? bytes / (double)r->stored : 0;
	r->cost_per_page = sampled ?
		(bytes + (double)rejected * ADV_PAGE) / (double)sampled : 0;
}

int cmd_advise(int argc, char **argv)
{
	struct source src = { .fd = -1 };
	struct comp_stats cs[NCOMP];
	struct result res[NBACK][NCOMP];
	unsigned char *page = NULL, *out = NULL;
	uint64_t n, i, sampled = 0, unreadable = 0, same = 0;
	ZSTD_CCtx *zc = NULL;
	unsigned maxz;
	bool maxz_mod;
	int ret, c, b, best_b[NCOMP], rc, rb;
	bool none;

	(void)argc;
	(void)argv;
	memset(cs, 0, sizeof(cs));
	if (!opt.file && !opt.pid)
		return fail(EXIT_USAGE,
			    "advise: give --file PATH or --pid PID to sample");
	if (zx_page_size() != ADV_PAGE)
		fprintf(stderr,
			"zpoolctl: advise: this machine has %u-byte pages; the model is Linux 6.1's pools on 4096-byte pages, so take its figures as relative, not absolute\n",
			zx_page_size());
	ret = opt.file ? open_file(&src) : open_pid(&src);
	if (ret)
		goto out;
	maxz = zs_max_pages(&maxz_mod);
	page = malloc(ADV_PAGE);
	out = malloc(ADV_PAGE);
	zc = ZSTD_createCCtx();
	if (!page || !out || !zc) {
		ret = fail(EXIT_FAIL, "advise: out of memory");
		goto out;
	}
	n = (uint64_t)opt.samples < src.pages ? (uint64_t)opt.samples : src.pages;
	for (i = 0; i < n; i++) {
		/* i * pages / n, evenly spread, without overflowing */
		uint64_t idx = i * (src.pages / n) + i * (src.pages % n) / n;
		uint64_t off = page_offset(&src, idx);
		ssize_t r = pread(src.fd, page, ADV_PAGE, (off_t)off);

		if (r != (ssize_t)ADV_PAGE) {
			unreadable++;
			continue;
		}
		sampled++;
		if (same_filled(page)) {
			same++;
			continue;
		}
		for (c = 0; c < NCOMP; c++) {
			struct timespec t0;
			size_t len = 0;
			bool ok;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (c == C_LZ4) {
				int l = LZ4_compress_default((const char *)page,
							     (char *)out,
							     ADV_PAGE,
							     ADV_PAGE);
				ok = l > 0;
				len = ok ? (size_t)l : 0;
			} else {
				size_t l = ZSTD_compressCCtx(zc, out, ADV_PAGE,
							     page, ADV_PAGE,
							     ZSTD_LEVEL);
				ok = !ZSTD_isError(l);
				len = ok ? l : 0;
			}
			cs[c].seconds += elapsed(&t0);
			cs[c].bytes += ADV_PAGE;
			if (!ok) {	/* does not fit in a page */
				cs[c].incompressible++;
				cs[c].zbud.rejected++;
				cs[c].zs.rejected++;
				continue;
			}
			cs[c].compressed += len;
			zbud_add(&cs[c].zbud, ZSWAP_HDR + len);
			zs_add(&cs[c].zs, ZSWAP_HDR + len);
		}
	}
	if (!sampled) {
		ret = fail(EXIT_FAIL,
			   "advise: none of the %llu pages tried from %s could be read",
			   (unsigned long long)n, src.desc);
		goto out;
	}
	for (c = 0; c < NCOMP; c++) {
		result_of(&res[B_ZBUD][c], sampled, same, cs[c].zbud.objects,
			  cs[c].zbud.rejected, (double)cs[c].zbud.pages);
		result_of(&res[B_ZSMALLOC][c], sampled, same, cs[c].zs.objects,
			  cs[c].zs.rejected, zs_pool_pages(&cs[c].zs, maxz));
		/* ties go to zsmalloc: its pool can compact */
		best_b[c] = res[B_ZBUD][c].cost_per_page <
			    res[B_ZSMALLOC][c].cost_per_page ?
			    B_ZBUD : B_ZSMALLOC;
	}
	/* zstd costs several times lz4's CPU: only for a 10% gain */
	rc = res[best_b[C_ZSTD]][C_ZSTD].cost_per_page <
	     0.9 * res[best_b[C_LZ4]][C_LZ4].cost_per_page ? C_ZSTD : C_LZ4;
	rb = best_b[rc];
	/* nothing would be stored: no recommendation */
	none = res[rb][rc].stored == 0;

	if (opt.json) {
		struct json_object *o = json_object_new_object(), *s, *a, *e;

		s = json_object_new_object();
		json_object_object_add(s, "kind", json_object_new_string(
					       opt.file ? "file" : "pid"));
		if (opt.file)
			json_object_object_add(s, "path",
					       json_object_new_string(opt.file));
		else
			json_object_object_add(s, "pid",
					       json_object_new_int64(opt.pid));
		json_object_object_add(s, "pages",
				       json_object_new_uint64(src.pages));
		json_object_object_add(o, "source", s);
		json_object_object_add(o, "sampled", json_object_new_uint64(sampled));
		json_object_object_add(o, "unreadable",
				       json_object_new_uint64(unreadable));
		json_object_object_add(o, "same_filled",
				       json_object_new_uint64(same));
		s = json_object_new_object();
		for (c = 0; c < NCOMP; c++) {
			uint64_t ok = sampled - same - cs[c].incompressible;

			e = json_object_new_object();
			json_object_object_add(e, "average_bytes", ok ?
				json_object_new_double((double)cs[c].compressed / (double)ok) :
				NULL);
			json_object_object_add(e, "incompressible",
				json_object_new_uint64(cs[c].incompressible));
			json_object_object_add(e, "mb_per_s", cs[c].seconds > 0 ?
				json_object_new_double((double)cs[c].bytes / 1e6 / cs[c].seconds) :
				NULL);
			json_object_object_add(s, comp_name[c], e);
		}
		json_object_object_add(o, "compressors", s);
		a = json_object_new_array();
		for (b = 0; b < NBACK; b++)
			for (c = 0; c < NCOMP; c++) {
				const struct result *r = &res[b][c];

				e = json_object_new_object();
				json_object_object_add(e, "backend",
					json_object_new_string(back_name[b]));
				json_object_object_add(e, "compressor",
					json_object_new_string(comp_name[c]));
				json_object_object_add(e, "stored_pages",
					json_object_new_uint64(r->stored));
				json_object_object_add(e, "pool_objects",
					json_object_new_uint64(r->objects));
				json_object_object_add(e, "rejected",
					json_object_new_uint64(r->rejected));
				json_object_object_add(e, "pool_bytes",
					json_object_new_uint64(r->pool_bytes));
				json_object_object_add(e, "bytes_per_stored_page",
					json_object_new_double(r->bytes_per_stored));
				json_object_object_add(e, "cost_per_page",
					json_object_new_double(r->cost_per_page));
				json_object_array_add(a, e);
			}
		json_object_object_add(o, "simulations", a);
		json_object_object_add(o, "zsmalloc_max_zspage_pages",
				       json_object_new_int(maxz));
		e = NULL;
		if (!none) {
			e = json_object_new_object();
			json_object_object_add(e, "backend",
				json_object_new_string(back_name[rb]));
			json_object_object_add(e, "compressor",
				json_object_new_string(comp_name[rc]));
			json_object_object_add(e, "bytes_per_stored_page",
				json_object_new_double(res[rb][rc].bytes_per_stored));
		}
		json_object_object_add(o, "recommendation", e);
		json_print(o);
		ret = EXIT_OK;
		goto out;
	}

	printf("sampled %llu of %llu pages of %s",
	       (unsigned long long)sampled, (unsigned long long)src.pages,
	       src.desc);
	if (unreadable)
		printf(" (%llu unreadable)", (unsigned long long)unreadable);
	printf("\nsame-filled: %llu (%.1f%%), kept by zswap without pool memory\n\n",
	       (unsigned long long)same, 100.0 * (double)same / (double)sampled);
	printf("%-10s %9s %14s %10s\n", "COMPRESSOR", "AVG_BYTES",
	       "INCOMPRESSIBLE", "MB/S");
	for (c = 0; c < NCOMP; c++) {
		uint64_t ok = sampled - same - cs[c].incompressible;
		char avg[32] = "-", spd[32] = "-";

		if (ok)
			snprintf(avg, sizeof(avg), "%.0f",
				 (double)cs[c].compressed / (double)ok);
		if (cs[c].seconds > 0)
			snprintf(spd, sizeof(spd), "%.0f",
				 (double)cs[c].bytes / 1e6 / cs[c].seconds);
		printf("%-10s %9s %14llu %10s\n", comp_name[c], avg,
		       (unsigned long long)cs[c].incompressible, spd);
	}
	printf("\n%-9s %-10s %7s %8s %10s %18s %9s\n", "BACKEND", "COMPRESSOR",
	       "STORED", "REJECTED", "POOL", "BYTES/STORED_PAGE",
	       "COST/PAGE");
	for (b = 0; b < NBACK; b++)
		for (c = 0; c < NCOMP; c++) {
			const struct result *r = &res[b][c];
			char pb[32];

			fmt_size(pb, sizeof(pb), r->pool_bytes);
			printf("%-9s %-10s %7llu %8llu %10s %18.0f %9.0f\n",
			       back_name[b], comp_name[c],
			       (unsigned long long)r->stored,
			       (unsigned long long)r->rejected, pb,
			       r->bytes_per_stored, r->cost_per_page);
		}
	if (none) {
		printf("\nrecommendation: none: no sampled page would be stored, they do not compress into a page\n");
	} else {
		printf("\nrecommendation: %s with %s, about %.0f bytes per stored page\n",
		       back_name[rb], comp_name[rc],
		       res[rb][rc].bytes_per_stored);
		printf("  zpoolctl set-backend %s && zpoolctl set-compressor %s\n",
		       back_name[rb], comp_name[rc]);
	}
	printf("(zsmalloc simulated with chains of up to %u pages%s; COST/PAGE counts a rejected page as %u bytes)\n",
	       maxz, maxz_mod ? ", zpoolx's max_zspage_pages" :
				", the 6.1 kernel's value",
	       ADV_PAGE);
	ret = EXIT_OK;
out:
	ZSTD_freeCCtx(zc);
	free(page);
	free(out);
	free(src.regions);
	if (src.fd >= 0)
		close(src.fd);
	return ret;
}
