// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of module/zsx_geometry.h, the size classes of the zsmalloc
 * backend, with the very header the module includes: for pages of 4 KiB to
 * 256 KiB (16 and 64 KiB among them) and every chain limit 1..16 it checks
 * invariants, not tables:
 *
 *   - step sizes: at most ZSX_GEO_MAX_STEPS, multiples of the step, from
 *     max(32, step) up to the page size, the step 1/256 of the page;
 *   - every malloc size 1..page size goes to the smallest class >= it;
 *   - classes: at most ZSX_GEO_MAX_STEPS, numbered by decreasing size,
 *     class 0 the page size and huge (one object, one page); every step of
 *     a class has the class's shape, neighbouring classes differ;
 *   - shape: 1 <= pages <= chain limit, objects fit their pages, at most
 *     ZSX_GEO_MAX_OBJS objects (the module's u16 index and its 2 KiB slot
 *     array), the zspage span fits the module's 32-bit offsets, waste per
 *     zspage under one object, and no chain length in 1..limit wastes a
 *     smaller share (ties to the shorter), by brute force;
 *   - scale: a size of m steps has the same shape at every page size, so
 *     16 and 64 KiB pools are 4 KiB pools scaled (and the 4 KiB geometry is
 *     the plain least-waste search it always was);
 *   - density: with sizes spread evenly over 32..page size, a compacted
 *     pool with the default chain of 8 is at least 97% objects.
 *
 *   - with a record cost (the module's: the kmalloc bucket of a zspage
 *     record, modelled by rec_model()), every size gets the chain length
 *     that costs least per object, pages and record, and a compacted pool
 *     then costs no more, records included, than with the plain search.
 *
 * TAP on stdout.  Built with -Wall -Wextra -Werror and ASan/UBSan by run.sh.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "zsx_geometry.h"

/* The widths of the module's fields that hold these values. */
#define IDX_MAX		UINT16_MAX	/* struct zsx_handle.idx */
#define OFF_MAX		UINT32_MAX	/* zspage byte offsets (unsigned int) */
#define SLOT_BYTES	8		/* one unsigned long per slot (64-bit) */

static unsigned int nr_test;
static unsigned int nr_fail;

/* One TAP line; on failure the first message (printf format) says why. */
static void ok(int cond, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ok(int cond, const char *name, const char *fmt, ...)
{
	va_list ap;

	nr_test++;
	printf("%sok %u - %s\n", cond ? "" : "not ", nr_test, name);
	if (!cond) {
		nr_fail++;
		printf("#   ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
}

/* A failure message kept by a checker that runs many cases. */
struct verdict {
	int bad;
	char why[256];
};

static void fail(struct verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (v->bad++)
		return;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

struct classes {
	struct zsx_geo g;
	unsigned int n;
	unsigned char step_class[ZSX_GEO_MAX_STEPS];
	struct zsx_geo_class cls[ZSX_GEO_MAX_STEPS];
	unsigned int lo[ZSX_GEO_MAX_STEPS];	/* smallest step of each */
};

/*
 * A zspage record as zsmalloc.c lays it out on 64-bit (a 64-byte head, a
 * word per page and per slot) in the kmalloc bucket that holds it
 * (8..8192: powers of two, and 96 and 192).
 */
static unsigned int rec_model(unsigned int pages, unsigned int objs)
{
	unsigned int need = 64 + 8 * (pages + objs), b = 8;

	while (b < need) {
		if (b == 64 && need <= 96)
			return 96;
		if (b == 128 && need <= 192)
			return 192;
		b *= 2;
	}
	return b;
}

/* Build the classes the way zsmalloc.c's zsx_classes_build() does. */
static void build_rec(struct classes *c, unsigned int shift,
		      unsigned int chain,
		      unsigned int (*rec_cost)(unsigned int, unsigned int))
{
	unsigned int i, lo;
	struct zsx_geo_class k;

	memset(c, 0, sizeof(*c));
	zsx_geo_init(&c->g, shift, chain);
	c->g.rec_cost = rec_cost;
	if (c->g.nr_steps > ZSX_GEO_MAX_STEPS)
		return;	/* reported by the caller; nothing built */
	c->n = zsx_geo_build(&c->g, c->step_class);
	for (i = c->g.nr_steps; i > 0; i = lo) {
		lo = zsx_geo_class_at(&c->g, i - 1, &k);
		c->cls[c->step_class[i - 1]] = k;
		c->lo[c->step_class[i - 1]] = lo;
	}
}

static void build(struct classes *c, unsigned int shift, unsigned int chain)
{
	build_rec(c, shift, chain, NULL);
}

static const char *kib(unsigned int shift)
{
	static char buf[8][16];
	static unsigned int next;
	char *b = buf[next++ % 8];

	snprintf(b, sizeof(buf[0]), "%u KiB", 1U << (shift - 10));
	return b;
}

static void check_steps(unsigned int shift)
{
	struct zsx_geo g;
	struct verdict v = { 0 };
	unsigned long page = 1UL << shift, step;
	unsigned int i, s, prev = 0, idx;
	unsigned long n;
	char name[96];

	zsx_geo_init(&g, shift, 8);
	step = 1UL << g.step_shift;
	if (g.nr_steps > ZSX_GEO_MAX_STEPS)
		fail(&v, "%u steps > %u", g.nr_steps, ZSX_GEO_MAX_STEPS);
	if (step < 16 || (shift >= 12 && step != page >> ZSX_GEO_CLASS_BITS))
		fail(&v, "step %lu bytes", step);
	if (zsx_geo_step_size(&g, 0) !=
	    (ZSX_GEO_MIN_SIZE > step ? ZSX_GEO_MIN_SIZE : step))
		fail(&v, "smallest step size %u", zsx_geo_step_size(&g, 0));
	if (zsx_geo_step_size(&g, g.nr_steps - 1) != page)
		fail(&v, "largest step size %u", zsx_geo_step_size(&g, g.nr_steps - 1));
	for (i = 0; i < g.nr_steps && !v.bad; i++) {
		s = zsx_geo_step_size(&g, i);
		if (s <= prev || s % step)
			fail(&v, "step %u: size %u after %u", i, s, prev);
		prev = s;
	}
	snprintf(name, sizeof(name), "%s: %u step sizes of %lu bytes, %u..%lu",
		 kib(shift), g.nr_steps, step, zsx_geo_step_size(&g, 0), page);
	ok(!v.bad, name, "%s", v.why);

	memset(&v, 0, sizeof(v));
	for (n = 1; n <= page && !v.bad; n++) {
		idx = zsx_geo_step_of(&g, n);
		if (idx >= g.nr_steps) {
			fail(&v, "size %lu: step %u of %u", n, idx, g.nr_steps);
			break;
		}
		if (zsx_geo_step_size(&g, idx) < n)
			fail(&v, "size %lu: step size %u", n,
			     zsx_geo_step_size(&g, idx));
		if (idx && zsx_geo_step_size(&g, idx - 1) >= n)
			fail(&v, "size %lu: step %u, but %u fits", n, idx,
			     zsx_geo_step_size(&g, idx - 1));
	}
	snprintf(name, sizeof(name),
		 "%s: every size 1..%lu goes to the smallest step size >= it",
		 kib(shift), page);
	ok(!v.bad, name, "%s", v.why);
}

/* Is @a a smaller share of waste than @b (pages and used bytes)? */
static int less_waste(unsigned long a_pages, unsigned long a_used,
		      unsigned long b_pages, unsigned long b_used)
{
	/* used/pages larger means waste/pages smaller */
	return (uint64_t)a_used * b_pages > (uint64_t)b_used * a_pages;
}

/* Check the classes of one page size and chain limit; returns its verdict. */
static void check_classes(const struct classes *c, struct verdict *v)
{
	const struct zsx_geo *g = &c->g;
	unsigned long page = 1UL << g->page_shift, span, waste, used;
	unsigned int i, k, n, idx, cl, pages, objs, top;
	const struct zsx_geo_class *x;

	if (g->nr_steps > ZSX_GEO_MAX_STEPS) {
		fail(v, "%u steps", g->nr_steps);
		return;
	}
	if (c->n < 1 || c->n > ZSX_GEO_MAX_STEPS || c->n - 1 > UCHAR_MAX)
		fail(v, "%u classes", c->n);
	/* The map: class numbers fall as steps grow, none skipped. */
	if (c->step_class[g->nr_steps - 1] != 0)
		fail(v, "largest step in class %u", c->step_class[g->nr_steps - 1]);
	if (c->step_class[0] != c->n - 1)
		fail(v, "smallest step in class %u of %u", c->step_class[0], c->n);
	for (i = 1; i < g->nr_steps; i++) {
		if (c->step_class[i - 1] != c->step_class[i] &&
		    c->step_class[i - 1] != c->step_class[i] + 1)
			fail(v, "steps %u, %u: classes %u, %u", i - 1, i,
			     c->step_class[i - 1], c->step_class[i]);
	}
	/* Class 0: the page size, huge. */
	x = &c->cls[0];
	if (x->size != page || x->pages != 1 || x->objs != 1)
		fail(v, "class 0: %u bytes, %u pages, %u objects", x->size,
		     x->pages, x->objs);

	for (cl = 0; cl < c->n; cl++) {
		x = &c->cls[cl];
		if (cl && x->size >= c->cls[cl - 1].size)
			fail(v, "class %u: %u bytes after %u", cl, x->size,
			     c->cls[cl - 1].size);
		if (x->pages < 1 || x->pages > g->chain_max)
			fail(v, "class %u bytes: %u pages (limit %u)", x->size,
			     x->pages, g->chain_max);
		if (x->objs < 1 || x->objs > ZSX_GEO_MAX_OBJS ||
		    x->objs - 1 > IDX_MAX)
			fail(v, "class %u bytes: %u objects", x->size, x->objs);
		if ((unsigned long)x->objs * SLOT_BYTES > 2048)
			fail(v, "class %u bytes: slot array of %lu bytes",
			     x->size, (unsigned long)x->objs * SLOT_BYTES);
		span = x->pages * page;
		used = (unsigned long)x->objs * x->size;
		if (span - 1 > OFF_MAX || used > span)
			fail(v, "class %u bytes: %u x %u in %u pages", x->size,
			     x->objs, x->size, x->pages);
		if (x->objs == 1 && x->pages != 1)
			fail(v, "class %u bytes: one object in %u pages",
			     x->size, x->pages);
		waste = span - used;
		if (x->objs > 1 && waste >= x->size)
			fail(v, "class %u bytes: %lu bytes wasted per zspage",
			     x->size, waste);
		if (x->objs > 1 && x->objs <= x->pages)
			fail(v, "class %u bytes: %u objects in %u pages",
			     x->size, x->objs, x->pages);
		/*
		 * No chain length wastes a smaller share (the shorter wins a
		 * tie); objects as many as fit, uncapped.  A huge class is
		 * one where no length puts more objects than pages.
		 */
		for (k = 1; k <= g->chain_max; k++) {
			n = (unsigned int)(k * page / x->size);
			if (x->objs == 1) {
				if (n > k)
					fail(v, "class %u bytes is huge, but %u pages hold %u",
					     x->size, k, n);
				continue;
			}
			if (less_waste(k, (unsigned long)n * x->size, x->pages,
				       used) ||
			    (k < x->pages &&
			     !less_waste(x->pages, used, k,
					 (unsigned long)n * x->size)))
				fail(v, "class %u bytes: %u pages (%u objects) beat %u pages (%u)",
				     x->size, k, n, x->pages, x->objs);
		}
		/* Every step of the class has its shape; the next does not. */
		for (i = c->lo[cl], top = i;
		     i < g->nr_steps && c->step_class[i] == cl; i++) {
			zsx_geo_fit(g, zsx_geo_step_size(g, i), &pages, &objs);
			if (pages != x->pages || objs != x->objs)
				fail(v, "step %u bytes: %u/%u in class %u bytes (%u/%u)",
				     zsx_geo_step_size(g, i), pages, objs,
				     x->size, x->pages, x->objs);
			top = i;
		}
		if (zsx_geo_step_size(g, top) != x->size)
			fail(v, "class %u bytes ends at step %u bytes", x->size,
			     zsx_geo_step_size(g, top));
		if (c->lo[cl]) {
			zsx_geo_fit(g, zsx_geo_step_size(g, c->lo[cl] - 1),
				    &pages, &objs);
			if (pages == x->pages && objs == x->objs)
				fail(v, "class %u bytes: step below has the same shape",
				     x->size);
		}
	}
	/* Every malloc size: the smallest class that holds it. */
	for (n = 1; n <= page; n++) {
		idx = zsx_geo_step_of(g, n);
		cl = c->step_class[idx];
		if (c->cls[cl].size < n ||
		    (cl + 1 < c->n && c->cls[cl + 1].size >= n)) {
			fail(v, "size %u: class %u bytes", n, c->cls[cl].size);
			break;
		}
	}
}

/*
 * Objects' share of a compacted pool when every size 32..page size is as
 * frequent: bytes asked for over bytes of zspage they occupy.
 */
static double density(const struct classes *c)
{
	unsigned long page = 1UL << c->g.page_shift, n;
	const struct zsx_geo_class *x;
	double asked = 0, held = 0;

	if (c->g.nr_steps > ZSX_GEO_MAX_STEPS || !c->n)
		return 0;	/* nothing was built */
	for (n = 32; n <= page; n++) {
		x = &c->cls[c->step_class[zsx_geo_step_of(&c->g, n)]];
		asked += n;
		held += (double)x->pages * page / x->objs;
	}
	return asked / held;
}

/*
 * What a compacted pool costs, records (rec_model()) included, per byte
 * asked, every size 32..page size as frequent.
 */
static double full_cost(const struct classes *c)
{
	unsigned long page = 1UL << c->g.page_shift, n;
	const struct zsx_geo_class *x;
	double asked = 0, held = 0;

	for (n = 32; n <= page; n++) {
		x = &c->cls[c->step_class[zsx_geo_step_of(&c->g, n)]];
		asked += n;
		held += ((double)x->pages * page + rec_model(x->pages, x->objs)) /
			x->objs;
	}
	return held / asked;
}

/*
 * With the record cost: each class's shape costs least per object of every
 * chain length (a brute-force search, ties to the shorter chain), and the
 * pool costs no more than with the plain search.
 */
static void check_rec_cost(unsigned int shift, unsigned int chain)
{
	static struct classes plain, rec;
	unsigned long page = 1UL << shift, cost, best;
	unsigned int i, k, n, bk, bn;
	struct verdict v = { 0 };
	double cp, cr;
	char name[200];

	build(&plain, shift, chain);
	build_rec(&rec, shift, chain, rec_model);
	for (i = 0; i < rec.n && !v.bad; i++) {
		const struct zsx_geo_class *x = &rec.cls[i];

		if (x->pages == 1 && x->objs == 1)
			continue;	/* a page per object: no record shape */
		bk = 0;
		bn = 0;
		best = 0;
		for (k = 1; k <= chain; k++) {
			n = k * page / x->size;
			if (n > ZSX_GEO_MAX_OBJS)
				n = ZSX_GEO_MAX_OBJS;
			if (!n)
				continue;
			cost = k * page + rec_model(k, n);
			if (!bn || cost * bn < best * n) {
				best = cost;
				bk = k;
				bn = n;
			}
		}
		if (bk != x->pages || bn != x->objs)
			fail(&v, "%u bytes: %u pages, %u objects; cheapest %u, %u",
			     x->size, x->pages, x->objs, bk, bn);
	}
	cp = full_cost(&plain);
	cr = full_cost(&rec);
	snprintf(name, sizeof(name),
		 "%s, chain limit %u, record cost: every class at its cheapest chain; a compacted pool costs %.4f bytes per byte asked (%.4f without it), %u classes (%u)",
		 kib(shift), chain, cr, cp, rec.n, plain.n);
	ok(!v.bad && cr <= cp, name, "%s%s", v.why,
	   cr <= cp ? "" : " dearer than the plain search");
}

int main(void)
{
	static const unsigned int shifts[] = { 12, 13, 14, 15, 16, 17, 18 };
	static struct classes c, base;
	struct verdict v;
	unsigned int s, chain, i, m, pages, objs, most_classes, most_objs;
	double d, d4 = 0;
	char name[160];

	ok(ZSX_GEO_CHAIN_LIMIT == 16, "chain limit is 16 pages", "%u",
	   ZSX_GEO_CHAIN_LIMIT);
	zsx_geo_init(&c.g, 12, 0);
	ok(c.g.chain_max == 1, "chain limit 0 is clamped to 1", "%u", c.g.chain_max);
	zsx_geo_init(&c.g, 12, 99);
	ok(c.g.chain_max == ZSX_GEO_CHAIN_LIMIT, "chain limit 99 is clamped to 16",
	   "%u", c.g.chain_max);

	for (s = 0; s < sizeof(shifts) / sizeof(shifts[0]); s++) {
		check_steps(shifts[s]);

		memset(&v, 0, sizeof(v));
		most_classes = 0;
		most_objs = 0;
		for (chain = 1; chain <= ZSX_GEO_CHAIN_LIMIT; chain++) {
			build(&c, shifts[s], chain);
			check_classes(&c, &v);
			if (v.bad) {
				printf("#   (chain limit %u)\n", chain);
				break;
			}
			if (c.n > most_classes)
				most_classes = c.n;
			for (i = 0; i < c.n; i++)
				if (c.cls[i].objs > most_objs)
					most_objs = c.cls[i].objs;
		}
		snprintf(name, sizeof(name),
			 "%s, chain limits 1..16: classes, shapes, least waste, every size in the smallest class (at most %u classes, %u objects per zspage)",
			 kib(shifts[s]), most_classes, most_objs);
		ok(!v.bad, name, "%s", v.why);

		/* Scale: m steps have the 4 KiB shape of m steps. */
		memset(&v, 0, sizeof(v));
		for (chain = 1; chain <= ZSX_GEO_CHAIN_LIMIT && !v.bad; chain++) {
			zsx_geo_init(&base.g, 12, chain);
			zsx_geo_init(&c.g, shifts[s], chain);
			for (m = 2; m <= 256; m++) {
				unsigned int pb, ob;

				zsx_geo_fit(&base.g, m << base.g.step_shift, &pb, &ob);
				zsx_geo_fit(&c.g, m << c.g.step_shift, &pages, &objs);
				if (pb != pages || ob != objs) {
					fail(&v, "chain %u, %u steps: %u/%u, at 4 KiB %u/%u",
					     chain, m, pages, objs, pb, ob);
					break;
				}
			}
		}
		snprintf(name, sizeof(name),
			 "%s: a size of m steps has the 4 KiB shape of m steps, chain limits 1..16",
			 kib(shifts[s]));
		ok(!v.bad, name, "%s", v.why);

		for (chain = 4; chain <= 16; chain *= 2) {
			build(&c, shifts[s], chain);
			d = density(&c);
			if (shifts[s] == 12 && chain == 8)
				d4 = d;
			snprintf(name, sizeof(name),
				 "%s, chain limit %u: %u classes, a compacted pool of sizes 32..%lu is %.2f%% objects",
				 kib(shifts[s]), chain, c.n, 1UL << shifts[s],
				 100 * d);
			ok(c.n <= ZSX_GEO_MAX_STEPS &&
			   (chain < 8 || d >= 0.97) &&
			   (shifts[s] == 12 || chain != 8 || d >= d4 - 0.001),
			   name, "density %.4f (4 KiB: %.4f)", d, d4);
		}
	}
	for (s = 0; s < sizeof(shifts) / sizeof(shifts[0]); s += 2)
		for (chain = 8; chain <= 16; chain *= 2)
			check_rec_cost(shifts[s], chain);
	printf("1..%u\n", nr_test);
	return nr_fail ? 1 : 0;
}
