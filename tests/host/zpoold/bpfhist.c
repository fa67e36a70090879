// SPDX-License-Identifier: GPL-2.0
/*
 * bpfhist.c - host test driver of zpoold's BPF families: fills a struct
 * zpx_bpf_stats with known numbers (no BPF is loaded) and prints what
 * zpoold would export for it (bpfstats_format), for 80-bpf.t to check with
 * promtool and by value.  Built by make -C daemon sanitize.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfstats.h"
#include "zpoolx_bpf.h"

int main(void)
{
	struct zpx_bpf_stats *st = calloc(1, sizeof(*st));
	struct zpx_bpf_hist *h;

	if (!st)
		return 1;
	st->attached = ZPX_BPF_ATT_ZPOOLX | ZPX_BPF_ATT_ZSWAP_STORE;
	h = &st->hist[ZPX_BPF_HIST_OBJECT_SIZE];
	h->buckets[1] = 2;		/* 1 byte */
	h->buckets[7] = 5;		/* 64..127 */
	h->buckets[12] = 3;		/* 2048..4095 */
	h->count = 10;
	h->sum = 2 + 5 * 100 + 3 * 3000;
	h = &st->hist[ZPX_BPF_HIST_ZSWAP_STORE_NS];
	h->buckets[11] = 6;		/* 1024..2047 ns */
	h->buckets[20] = 4;		/* 524288..1048575 ns */
	h->buckets[63] = 1;		/* >= 2^62 ns */
	h->count = 11;
	h->sum = 3000000000ULL;
	st->zswap.stores = 100;
	st->zswap.store_failures = 7;
	st->zswap.loads = 40;
	st->zswap.load_failures = 1;
	st->npools = 2;
	st->pools[0].pool_id = 3;
	st->pools[0].allocs = 1000;
	st->pools[0].evict_ns = 2500000000ULL;
	st->pools[1].pool_id = 4;
	st->pools[1].compactions = 2;
	bpfstats_format(st, stdout);
	free(st);
	return 0;
}
