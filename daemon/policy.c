// SPDX-License-Identifier: GPL-2.0
/*
 * policy.c - the policy engine: a snapshot of the machine (struct sysinfo
 * of lib/, as read from /sys and /proc, or from a recorded trace) and the
 * time go in, decisions with their reasons come out.  No I/O and no clock
 * here, so the host tests replay recorded traces (zpoold --replay).
 *
 * The rules, in the order they are taken each cycle:
 *
 * 1. limit: zswap's max_pool_percent is kept within [min_percent,
 *    max_percent].  It is raised by step_percent when memory pressure
 *    (PSI some avg10) is at or above raise_psi_some_avg10 while the pools
 *    fill at least high_watermark_percent of the limit and compress at
 *    least min_compression_ratio (a stored page costs less than it frees);
 *    it is lowered by step_percent when pressure is at or below
 *    lower_psi_some_avg10 and the pools would still sit under the low
 *    watermark of the lower limit.  Between the two pressure thresholds
 *    nothing moves, and after a move nothing moves for hold_s: that is the
 *    hysteresis.
 * 2. writeback: when zswap's pools hold more than high_watermark_percent
 *    of zswap's limit (max_pool_percent of MemTotal, after rule 1), the
 *    coldest objects are written back, down to low_watermark_percent, at
 *    most max_pages_per_cycle pages a cycle: from draining (non-current)
 *    pools first, oldest first, then from the pool zswap stores into.  So
 *    zswap never finds its pool full, never rejects new pages to disk while
 *    cold ones stay cached (6.1's LRU inversion).
 * 3. compaction: a pool with a compact file whose utilisation
 *    (stored_bytes / pool_bytes) is below below_utilisation_percent and
 *    which holds at least min_pool_bytes is compacted, at most once every
 *    min_interval_s.
 * 4. backend: "fixed" sets zswap's zpool to zpoolx_<fixed> when it is
 *    something else; "auto" moves zswap from zpoolx_zbud to
 *    zpoolx_zsmalloc when the current pool's mean object is at most
 *    zsmalloc_below_object_bytes (zsmalloc packs 3 or more per page where
 *    zbud packs 2), and back to zpoolx_zbud when it is at least
 *    zbud_above_object_bytes (one per page either way: zbud is cheaper),
 *    with at least min_objects objects seen and min_interval_s between
 *    switches.
 * 5. zswap: with zswap.enable, zswap is turned on whenever it is found off
 *    (Debian's 6.1 kernel boots with it off); without it, zswap's enabled
 *    parameter is the administrator's.  With rule 4's "fixed" this is how
 *    a packaged zpoold puts zswap on zpoolx at boot.
 */
#include <stdarg.h>
#include <string.h>

#include "policy.h"

static const char *const act_names[ACT_COUNT] = {
	[ACT_WRITEBACK] = "writeback",
	[ACT_COMPACT] = "compact",
	[ACT_SET_LIMIT] = "set_limit",
	[ACT_SET_BACKEND] = "set_backend",
	[ACT_ENABLE_ZSWAP] = "enable_zswap",
};

const char *action_name(int act)
{
	return act >= 0 && act < ACT_COUNT ? act_names[act] : "?";
}

static const char *const rsn_names[RSN_COUNT] = {
	[RSN_LIMIT_OUT_OF_BOUNDS] = "limit_out_of_bounds",
	[RSN_PRESSURE_RAISE] = "pressure_raise",
	[RSN_CALM_LOWER] = "calm_lower",
	[RSN_ABOVE_HIGH_WATERMARK] = "above_high_watermark",
	[RSN_LOW_UTILISATION] = "low_utilisation",
	[RSN_FIXED_BACKEND] = "fixed_backend",
	[RSN_SMALL_OBJECTS] = "small_objects",
	[RSN_LARGE_OBJECTS] = "large_objects",
	[RSN_ZSWAP_OFF] = "zswap_off",
};

/* the action each reason leads to: the valid (action, reason) pairs */
static const int rsn_action[RSN_COUNT] = {
	[RSN_LIMIT_OUT_OF_BOUNDS] = ACT_SET_LIMIT,
	[RSN_PRESSURE_RAISE] = ACT_SET_LIMIT,
	[RSN_CALM_LOWER] = ACT_SET_LIMIT,
	[RSN_ABOVE_HIGH_WATERMARK] = ACT_WRITEBACK,
	[RSN_LOW_UTILISATION] = ACT_COMPACT,
	[RSN_FIXED_BACKEND] = ACT_SET_BACKEND,
	[RSN_SMALL_OBJECTS] = ACT_SET_BACKEND,
	[RSN_LARGE_OBJECTS] = ACT_SET_BACKEND,
	[RSN_ZSWAP_OFF] = ACT_ENABLE_ZSWAP,
};

const char *reason_name(int rsn)
{
	return rsn >= 0 && rsn < RSN_COUNT ? rsn_names[rsn] : "?";
}

bool reason_valid(int act, int rsn)
{
	return act >= 0 && act < ACT_COUNT && rsn >= 0 && rsn < RSN_COUNT &&
	       rsn_action[rsn] == act;
}

struct out {
	struct decision *d;
	size_t n, max;
};

static struct decision *add(struct out *o, int act, int rsn,
			    unsigned long pool, uint64_t value,
			    const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static struct decision *add(struct out *o, int act, int rsn,
			    unsigned long pool, uint64_t value,
			    const char *fmt, ...)
{
	struct decision *d;
	va_list ap;

	if (o->n >= o->max)
		return NULL;
	d = &o->d[o->n++];
	memset(d, 0, sizeof(*d));
	d->act = act;
	d->reason = rsn;
	d->pool = pool;
	d->value = value;
	va_start(ap, fmt);
	vsnprintf(d->text, sizeof(d->text), fmt, ap);
	va_end(ap);
	return d;
}

static bool elapsed(bool had, uint64_t then, uint64_t now, unsigned secs)
{
	return !had || now < then || now - then >= (uint64_t)secs * 1000;
}

/* zswap pools: zpoolx pools zswap made, and zswap's own total if larger */
static uint64_t zswap_total_bytes(const struct sysinfo *s)
{
	uint64_t sum = 0;
	struct num z;
	size_t i;

	for (i = 0; i < s->zx.npools; i++) {
		const struct pool *p = &s->zx.pools[i];

		if (pool_made_by_zswap(p) && p->pool_bytes.has)
			sum += p->pool_bytes.v;
	}
	z = zswap_pool_bytes(s);
	if (z.has && z.v > sum)
		sum = z.v;
	return sum;
}

static const struct pool *current_pool(const struct sysinfo *s)
{
	size_t i;

	for (i = 0; i < s->zx.npools; i++)
		if (s->zx.pools[i].current)
			return &s->zx.pools[i];
	return NULL;
}

/* compression ratio of zswap: stored pages * 4096 / pool bytes */
static bool zswap_ratio(const struct sysinfo *s, uint64_t total, double *r)
{
	struct num sp = zswap_stored_pages(s);

	if (!sp.has || total == 0)
		return false;
	*r = (double)sp.v * ZPAGE_SIZE / (double)total;
	return true;
}

static uint64_t pct_of(uint64_t v, uint64_t pct)
{
	return v / 100 * pct + v % 100 * pct / 100;
}

static void decide_limit(const struct zcfg *cfg, struct pstate *st,
			 const struct sysinfo *s, uint64_t now,
			 struct out *o, uint64_t *percent)
{
	uint64_t cur = *percent, mem = s->mem.mem_total_kb.v * 1024, total,
		 limit, want;
	char a[32], b[32];
	double ratio = 0, psi;
	bool have_ratio;

	if (!cfg->limit.enabled || !s->zswap.max_pool_percent.has ||
	    !s->mem.mem_total_kb.has)
		return;
	if (cur < cfg->limit.min_percent || cur > cfg->limit.max_percent) {
		want = cur < cfg->limit.min_percent ? cfg->limit.min_percent :
						      cfg->limit.max_percent;
		add(o, ACT_SET_LIMIT, RSN_LIMIT_OUT_OF_BOUNDS, 0, want,
		    "max_pool_percent %llu is outside the configured bounds %u..%u: set it to %llu",
		    (unsigned long long)cur, cfg->limit.min_percent,
		    cfg->limit.max_percent, (unsigned long long)want);
		st->limit_moved = true;
		st->last_limit_move_ms = now;
		*percent = want;
		return;
	}
	if (!s->psi.present)
		return;
	if (!elapsed(st->limit_moved, st->last_limit_move_ms, now,
		     cfg->limit.hold_s))
		return;
	psi = s->psi.some_avg10;
	total = zswap_total_bytes(s);
	limit = pct_of(mem, cur);
	have_ratio = zswap_ratio(s, total, &ratio);
	if (psi >= cfg->limit.raise_psi_some_avg10 &&
	    cur < cfg->limit.max_percent &&
	    total >= pct_of(limit, cfg->writeback.high_watermark_percent) &&
	    (!have_ratio || ratio >= cfg->limit.min_compression_ratio)) {
		want = cur + cfg->limit.step_percent;
		if (want > cfg->limit.max_percent)
			want = cfg->limit.max_percent;
		fmt_human(a, sizeof(a), total);
		fmt_human(b, sizeof(b), limit);
		if (have_ratio)
			add(o, ACT_SET_LIMIT, RSN_PRESSURE_RAISE, 0, want,
			    "memory pressure some avg10 %.2f%% >= %g%% with the pools at %s of their %s limit (>= %u%%) compressing %.2f:1 (>= %g): raise max_pool_percent %llu -> %llu",
			    psi, cfg->limit.raise_psi_some_avg10, a, b,
			    cfg->writeback.high_watermark_percent, ratio,
			    cfg->limit.min_compression_ratio,
			    (unsigned long long)cur, (unsigned long long)want);
		else
			add(o, ACT_SET_LIMIT, RSN_PRESSURE_RAISE, 0, want,
			    "memory pressure some avg10 %.2f%% >= %g%% with the pools at %s of their %s limit (>= %u%%), compression ratio unknown: raise max_pool_percent %llu -> %llu",
			    psi, cfg->limit.raise_psi_some_avg10, a, b,
			    cfg->writeback.high_watermark_percent,
			    (unsigned long long)cur, (unsigned long long)want);
	} else if (psi <= cfg->limit.lower_psi_some_avg10 &&
		   cur > cfg->limit.min_percent) {
		uint64_t lower_limit;

		want = cur >= cfg->limit.min_percent + cfg->limit.step_percent ?
			       cur - cfg->limit.step_percent :
			       cfg->limit.min_percent;
		lower_limit = pct_of(mem, want);
		if (total >= pct_of(lower_limit,
				    cfg->writeback.low_watermark_percent))
			return;
		fmt_human(a, sizeof(a), total);
		fmt_human(b, sizeof(b), lower_limit);
		add(o, ACT_SET_LIMIT, RSN_CALM_LOWER, 0, want,
		    "memory pressure some avg10 %.2f%% <= %g%% and the pools (%s) fit under %u%% of the lower limit %s: lower max_pool_percent %llu -> %llu",
		    psi, cfg->limit.lower_psi_some_avg10, a,
		    cfg->writeback.low_watermark_percent, b,
		    (unsigned long long)cur, (unsigned long long)want);
	} else {
		return;
	}
	st->limit_moved = true;
	st->last_limit_move_ms = now;
	*percent = want;
}

static bool can_writeback(const struct pool *p)
{
	return p->wb_has && p->evictable.has && p->evictable.v == 1 &&
	       !strcmp(p->state, "active") && p->pages.has && p->pages.v > 0;
}

static void decide_writeback(const struct zcfg *cfg, const struct sysinfo *s,
			     uint64_t percent, struct out *o)
{
	uint64_t mem = s->mem.mem_total_kb.v * 1024, limit, high, low, total,
		 pages, take;
	char t[32], h[32], l[32], lim[32];
	int pass;
	size_t i;

	if (!cfg->writeback.enabled || !s->mem.mem_total_kb.has || !percent)
		return;
	limit = pct_of(mem, percent);
	high = pct_of(limit, cfg->writeback.high_watermark_percent);
	low = pct_of(limit, cfg->writeback.low_watermark_percent);
	total = zswap_total_bytes(s);
	if (total <= high)
		return;
	pages = (total - low + ZPAGE_SIZE - 1) / ZPAGE_SIZE;
	if (pages > cfg->writeback.max_pages_per_cycle)
		pages = cfg->writeback.max_pages_per_cycle;
	fmt_human(t, sizeof(t), total);
	fmt_human(h, sizeof(h), high);
	fmt_human(l, sizeof(l), low);
	fmt_human(lim, sizeof(lim), limit);
	/* pass 0: draining pools, oldest first; pass 1: the current pool */
	for (pass = 0; pass < 2 && pages; pass++) {
		for (i = 0; i < s->zx.npools && pages; i++) {
			const struct pool *p = &s->zx.pools[i];

			if (p->current != (pass == 1) || !can_writeback(p) ||
			    !pool_made_by_zswap(p))
				continue;
			take = pages < p->pages.v ? pages : p->pages.v;
			if (take > WRITEBACK_MAX)
				take = WRITEBACK_MAX;
			add(o, ACT_WRITEBACK, RSN_ABOVE_HIGH_WATERMARK, p->id,
			    take,
			    "zswap pools hold %s > high watermark %s (%u%% of the limit %s = %llu%% of MemTotal): write back %llu pages from %s pool %lu towards the low watermark %s (%u%%)",
			    t, h, cfg->writeback.high_watermark_percent, lim,
			    (unsigned long long)percent,
			    (unsigned long long)take,
			    p->current ? "the current" : "the draining",
			    p->id, l, cfg->writeback.low_watermark_percent);
			pages -= take;
		}
	}
}

static uint64_t *compact_slot(struct pstate *st, unsigned long pool,
			      bool *had)
{
	size_t i;

	for (i = 0; i < st->ncompact; i++)
		if (st->compact[i].pool == pool) {
			*had = true;
			return &st->compact[i].ms;
		}
	*had = false;
	if (st->ncompact < POLICY_MAX_POOLS) {
		st->compact[st->ncompact].pool = pool;
		st->compact[st->ncompact].ms = 0;
		return &st->compact[st->ncompact++].ms;
	}
	return NULL;
}

/* forget pools that are gone, so that the table never fills up */
static void compact_gc(struct pstate *st, const struct sysinfo *s)
{
	size_t i, j = 0;

	for (i = 0; i < st->ncompact; i++)
		if (find_pool(&s->zx, st->compact[i].pool))
			st->compact[j++] = st->compact[i];
	st->ncompact = j;
}

static void decide_compaction(const struct zcfg *cfg, struct pstate *st,
			      const struct sysinfo *s, uint64_t now,
			      struct out *o)
{
	char b[32];
	size_t i;

	compact_gc(st, s);
	if (!cfg->compaction.enabled)
		return;
	for (i = 0; i < s->zx.npools; i++) {
		const struct pool *p = &s->zx.pools[i];
		uint64_t *last;
		bool had;

		if (!p->compact_file || !p->util_has ||
		    strcmp(p->state, "active") || !p->pool_bytes.has ||
		    p->pool_bytes.v < cfg->compaction.min_pool_bytes ||
		    p->pool_bytes.v == 0 ||
		    p->util * 100 >= cfg->compaction.below_utilisation_percent)
			continue;
		last = compact_slot(st, p->id, &had);
		if (!last || !elapsed(had && *last, *last, now,
				      cfg->compaction.min_interval_s))
			continue;
		fmt_human(b, sizeof(b), p->pool_bytes.v);
		if (!add(o, ACT_COMPACT, RSN_LOW_UTILISATION, p->id, 1,
			 "pool %lu (%s) is %.1f%% utilised (stored_bytes / pool_bytes) < %u%% in %s: compact",
			 p->id, p->backend, p->util * 100,
			 cfg->compaction.below_utilisation_percent, b))
			return;
		*last = now ? now : 1;
	}
}

static bool offered(const struct sysinfo *s, const char *type)
{
	const char *b = s->zx.backends;
	size_t n = strlen(type);

	while ((b = strstr(b, type))) {
		if ((b == s->zx.backends || b[-1] == ' ') &&
		    (b[n] == '\0' || b[n] == ' '))
			return true;
		b += n;
	}
	return false;
}

static void decide_backend(const struct zcfg *cfg, struct pstate *st,
			   const struct sysinfo *s, uint64_t now,
			   struct out *o)
{
	const struct pool *cur;
	char want[32];
	struct decision *d;
	uint64_t mean;

	if (cfg->backend.policy == BACKEND_NONE || !s->zswap.present ||
	    !s->zswap.zpool[0] || !s->zx.sysfs)
		return;
	if (!elapsed(st->backend_switched, st->last_backend_switch_ms, now,
		     cfg->backend.min_interval_s))
		return;
	if (cfg->backend.policy == BACKEND_FIXED) {
		snprintf(want, sizeof(want), "zpoolx_%s", cfg->backend.fixed);
		if (!strcmp(s->zswap.zpool, want) || !offered(s, want))
			return;
		d = add(o, ACT_SET_BACKEND, RSN_FIXED_BACKEND, 0, 0,
			"backend.policy is \"fixed\" on %s and zswap uses %s: switch zswap to %s",
			cfg->backend.fixed, s->zswap.zpool, want);
	} else {
		cur = current_pool(s);
		if (!cur || !cur->objects.has || !cur->stored_bytes.has ||
		    cur->objects.v < cfg->backend.min_objects ||
		    cur->objects.v == 0)
			return;
		mean = cur->stored_bytes.v / cur->objects.v;
		if (!strcmp(cur->backend, "zbud") &&
		    mean <= cfg->backend.zsmalloc_below_object_bytes &&
		    offered(s, "zpoolx_zsmalloc")) {
			snprintf(want, sizeof(want), "zpoolx_zsmalloc");
			d = add(o, ACT_SET_BACKEND, RSN_SMALL_OBJECTS, cur->id,
				0,
				"pool %lu (zbud) holds %llu objects of %llu bytes on average <= %u: zsmalloc packs 3 or more a page where zbud packs 2: switch zswap to zpoolx_zsmalloc",
				cur->id, (unsigned long long)cur->objects.v,
				(unsigned long long)mean,
				cfg->backend.zsmalloc_below_object_bytes);
		} else if (!strcmp(cur->backend, "zsmalloc") &&
			   mean >= cfg->backend.zbud_above_object_bytes &&
			   offered(s, "zpoolx_zbud")) {
			snprintf(want, sizeof(want), "zpoolx_zbud");
			d = add(o, ACT_SET_BACKEND, RSN_LARGE_OBJECTS, cur->id,
				0,
				"pool %lu (zsmalloc) holds %llu objects of %llu bytes on average >= %u: about one a page either way and zbud is cheaper: switch zswap to zpoolx_zbud",
				cur->id, (unsigned long long)cur->objects.v,
				(unsigned long long)mean,
				cfg->backend.zbud_above_object_bytes);
		} else {
			return;
		}
	}
	if (!d)
		return;
	snprintf(d->target, sizeof(d->target), "%s", want);
	st->backend_switched = true;
	st->last_backend_switch_ms = now;
}

static void decide_zswap(const struct zcfg *cfg, const struct sysinfo *s,
			 struct out *o)
{
	if (!cfg->zswap.enable || !s->zswap.present || s->zswap.enabled != 0)
		return;
	add(o, ACT_ENABLE_ZSWAP, RSN_ZSWAP_OFF, 0, 0,
	    "zswap.enable is true and zswap is off: turn zswap on");
}

size_t policy_decide(const struct zcfg *cfg, struct pstate *st,
		     const struct sysinfo *s, uint64_t now_ms,
		     struct decision *out, size_t max)
{
	struct out o = { out, 0, max };
	uint64_t percent = s->zswap.max_pool_percent.has ?
				   s->zswap.max_pool_percent.v : 0;

	decide_limit(cfg, st, s, now_ms, &o, &percent);
	decide_writeback(cfg, s, percent, &o);
	decide_compaction(cfg, st, s, now_ms, &o);
	decide_backend(cfg, st, s, now_ms, &o);
	decide_zswap(cfg, s, &o);
	return o.n;
}
