/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zsx_geometry.h - the size classes of the zsmalloc backend (zsmalloc.c) as
 * pure integer arithmetic on the page shift: which class sizes exist, which
 * class a malloc of n bytes goes to, and how many pages and objects a
 * zspage of each class has.
 *
 * What this file owns
 *   Nothing at run time: no state, no locks, no kernel header.  zsmalloc.c
 *   includes it with PAGE_SHIFT; the host test tests/host/geometry/
 *   includes the same file and runs it for 4, 16 and 64 KiB pages (and
 *   others), so what is tested there is what the module computes.  Every
 *   function is static inline and uses only unsigned int and unsigned long
 *   arithmetic, with no product above 2^32 for pages up to 256 KiB.
 *
 * Size steps
 *   A page is split into 2^ZSX_GEO_CLASS_BITS (256) steps of equal size,
 *   16 bytes at least: 16 bytes with 4 KiB pages, 64 with 16 KiB, 256 with
 *   64 KiB.  Sizes are rounded up to a whole number of steps, and to
 *   ZSX_GEO_MIN_SIZE (32 bytes) at least; the largest step size is the page
 *   size.  So there are at most 256 step sizes whatever the page size (255
 *   with 4 KiB pages: 32, 48, ..., 4096), the rounding costs the same share
 *   of a page everywhere (half a step on average: 0.2% of a page), and a
 *   size that is m steps maps to the same zspage shape at every page size
 *   (see below).  A fixed 16-byte step would make 4095 steps with 64 KiB
 *   pages and about as many classes.
 *
 * Zspage shape of a size
 *   For a step size s, the chain length k in 1..chain_max that costs least
 *   per object is picked: k pages, plus what the zspage's record costs when
 *   the caller says (struct zsx_geo.rec_cost; the module's is the kmalloc
 *   bucket of the record, which jumps from 256 to 512 bytes and so on),
 *   for floor(k * page / s) objects, at most ZSX_GEO_MAX_OBJS; ties go to
 *   the shorter chain.  Without a record cost this is the chain that fills
 *   the largest share of its pages with objects.  A
 *   size that cannot fit more objects than pages in a zspage gets one page
 *   per object (the huge sizes; the page size itself is one).  A size of m
 *   steps puts floor(k * 256 / m) objects in k pages whatever the page
 *   size, so without a record cost the shape only depends on m: a 16 or
 *   64 KiB pool is the 4 KiB
 *   pool scaled, with the same waste in per cent and at most 256 objects
 *   per zspage (m = 1 or 2 fills one page with 256 or 128 objects; any
 *   other m reaches a full zspage, 256 objects, at k <= m, or cannot have
 *   k > m).  The per-zspage slot array therefore never needs more than 256
 *   entries, and an object index fits in 8 bits.
 *
 * Classes
 *   Neighbouring step sizes with the same (pages, objects) shape share one
 *   class, the one of the largest of them: it wastes nothing more, and
 *   fewer classes mean fewer partly filled zspages.  Classes are numbered
 *   from the largest size (class 0, the page size) down; there are at most
 *   ZSX_GEO_MAX_STEPS, so a class number fits in an unsigned char.
 */
#ifndef _ZSX_GEOMETRY_H
#define _ZSX_GEOMETRY_H

#define ZSX_GEO_CLASS_BITS	8	/* a page is 2^8 size steps */
#define ZSX_GEO_MIN_STEP_SHIFT	4	/* a step is 16 bytes at least */
#define ZSX_GEO_MIN_SIZE	32U	/* smallest class size in bytes */
#define ZSX_GEO_CHAIN_LIMIT	16U	/* longest zspage chain in pages */
/* Step sizes (and so classes) at most, at any page size. */
#define ZSX_GEO_MAX_STEPS	(1U << ZSX_GEO_CLASS_BITS)
/* Objects per zspage at most (see "Zspage shape of a size"). */
#define ZSX_GEO_MAX_OBJS	(1U << ZSX_GEO_CLASS_BITS)

/**
 * struct zsx_geo - the size steps of one pool
 * @page_shift:	log2 of the page size
 * @step_shift:	log2 of the step size
 * @first:	the smallest step size, in steps
 * @nr_steps:	step sizes: first << step_shift up to the page size
 * @chain_max:	longest zspage chain in pages, 1..ZSX_GEO_CHAIN_LIMIT
 * @rec_cost:	bytes a zspage of @pages pages and @objs objects costs
 *		beside its pages, or NULL (zsx_geo_init() sets NULL); at most
 *		a page
 */
struct zsx_geo {
	unsigned int page_shift;
	unsigned int step_shift;
	unsigned int first;
	unsigned int nr_steps;
	unsigned int chain_max;
	unsigned int (*rec_cost)(unsigned int pages, unsigned int objs);
};

/**
 * struct zsx_geo_class - the shape of one size class
 * @size:	object size in bytes (a step size)
 * @pages:	pages per zspage
 * @objs:	objects per zspage
 */
struct zsx_geo_class {
	unsigned int size;
	unsigned int pages;
	unsigned int objs;
};

/*
 * Set up @g for pages of 2^@page_shift bytes (12..18) and chains of at
 * most @chain_max pages (1..ZSX_GEO_CHAIN_LIMIT, clamped).
 */
static inline void zsx_geo_init(struct zsx_geo *g, unsigned int page_shift,
				unsigned int chain_max)
{
	unsigned int shift = ZSX_GEO_MIN_STEP_SHIFT;

	if (page_shift > ZSX_GEO_CLASS_BITS + shift)
		shift = page_shift - ZSX_GEO_CLASS_BITS;
	g->page_shift = page_shift;
	g->step_shift = shift;
	g->first = ZSX_GEO_MIN_SIZE >> shift;
	if (!g->first)
		g->first = 1;
	g->nr_steps = (1U << (page_shift - shift)) - g->first + 1;
	if (chain_max < 1)
		chain_max = 1;
	if (chain_max > ZSX_GEO_CHAIN_LIMIT)
		chain_max = ZSX_GEO_CHAIN_LIMIT;
	g->chain_max = chain_max;
	g->rec_cost = NULL;
}

/* The size in bytes of step @i (0..nr_steps - 1). */
static inline unsigned int zsx_geo_step_size(const struct zsx_geo *g,
					     unsigned int i)
{
	return (g->first + i) << g->step_shift;
}

/* The step a malloc of @size bytes (1..page size) goes to. */
static inline unsigned int zsx_geo_step_of(const struct zsx_geo *g,
					   unsigned long size)
{
	unsigned long steps = (size + (1UL << g->step_shift) - 1) >>
			      g->step_shift;

	return steps <= g->first ? 0 : steps - g->first;
}

/*
 * The zspage shape that costs least per object for objects of @size bytes.
 * Costs are at most 16 pages of 256 KiB and a page of record, 2^22 + 2^18
 * bytes, times at most 256 objects: below 2^32.
 */
static inline void zsx_geo_fit(const struct zsx_geo *g, unsigned int size,
			       unsigned int *pages, unsigned int *objs)
{
	unsigned long page = 1UL << g->page_shift, cost, best_cost = 0;
	unsigned int k, n, best_k = 1, best_n = 0;

	for (k = 1; k <= g->chain_max; k++) {
		n = k * page / size;
		if (n > ZSX_GEO_MAX_OBJS)
			n = ZSX_GEO_MAX_OBJS;
		if (!n)
			continue;
		cost = k * page + (g->rec_cost ? g->rec_cost(k, n) : 0);
		/* cost / n < best_cost / best_n, in integers */
		if (!best_n || cost * best_n < best_cost * n) {
			best_cost = cost;
			best_k = k;
			best_n = n;
		}
	}
	if (best_n <= best_k) {
		/* No better than a page per object: take exactly that. */
		best_k = 1;
		best_n = 1;
	}
	*pages = best_k;
	*objs = best_n;
}

/*
 * The class of step @top, the largest step of its class: its shape in *@c;
 * returns the smallest step of the class.
 */
static inline unsigned int zsx_geo_class_at(const struct zsx_geo *g,
					    unsigned int top,
					    struct zsx_geo_class *c)
{
	unsigned int lo = top, pages, objs;

	c->size = zsx_geo_step_size(g, top);
	zsx_geo_fit(g, c->size, &c->pages, &c->objs);
	while (lo > 0) {
		zsx_geo_fit(g, zsx_geo_step_size(g, lo - 1), &pages, &objs);
		if (pages != c->pages || objs != c->objs)
			break;
		lo--;
	}
	return lo;
}

/*
 * Number the classes from the largest down: @step_class[i] (nr_steps
 * entries) gets the class of step i.  Returns the number of classes.
 */
static inline unsigned int zsx_geo_build(const struct zsx_geo *g,
					 unsigned char *step_class)
{
	struct zsx_geo_class c;
	unsigned int i = g->nr_steps, lo, n = 0;

	while (i > 0) {
		lo = zsx_geo_class_at(g, i - 1, &c);
		while (i > lo)
			step_class[--i] = n;
		n++;
	}
	return n;
}

#endif /* _ZSX_GEOMETRY_H */
