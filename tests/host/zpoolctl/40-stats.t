# SPDX-License-Identifier: GPL-2.0
# 40-stats.t - stats POOL: counters, the zsmalloc class table, zbud's own
# files, -o/--raw/--noheadings/--bytes/--json, refusals.  Sourced by run.sh.

PD=sys/kernel/zpoolx/pools
T=$(newtree)
# a class whose directory sorts before 208 as text but after as a number
mkclass "$T/$PD/2" 32 128 1 256 128 2 0 0 1 1
BEFORE=$(snapshot "$T")

run --root "$T" stats 2
expect 0 '^pool 2: zsmalloc \(zpoolx_zsmalloc\), creator zswap, active, zswap stores into it$' &&
	grep -qE '^  pages 994, pool 3\.9M \(metadata 24K\), objects 3000, stored 3\.5M, utilisation 90\.0%, ratio 3\.00$' <<<"$OUT" &&
	grep -qE '^  alloc_failures 0, evict_attempted 10, evict_succeeded 9, evict_failed 1, reclaimed_pages 5$' <<<"$OUT" &&
	grep -qE '^  writeback: last request 8 pages, 5 freed, 5 freed in total$' <<<"$OUT" &&
	grep -qE '^  compact: last run freed 3 pages, 10 in total$' <<<"$OUT" &&
	grep -qE '^SIZE ZSPG_PAGES ZSPG_OBJS ALLOCATED USED PAGES FULL ALMOST_FULL ALMOST_EMPTY EMPTY +UTIL$' <<<"$OUT" &&
	grep -qE '^4 classes, 220 pages, 964 objects, ' <<<"$OUT" && [ -z "$ERR" ]
tap $? "stats on a zsmalloc pool: counters (pool size with its metadata), class table, totals"

[ "$(awk '/^SIZE/ { t = 1; next } t && NF == 11 { print $1 }' <<<"$OUT" | tr '\n' ' ')" = "32 208 1024 4096 " ]
tap $? "classes sorted by size as numbers"

[ "$(awk '$1 == 208 { print $11 }' <<<"$OUT")" = 22.9% ] && [ "$(awk '$1 == 1024 { print $11 }' <<<"$OUT")" = 98.8% ]
tap $? "class utilisation: USED*SIZE / PAGES*4096"

run --root "$T" stats 2 --raw -o SIZE,WASTE
expect 0 '^SIZE WASTE$' && grep -qx '1024 10K' <<<"$OUT" && grep -qx '4096 0B' <<<"$OUT"
tap $? "stats -o SIZE,WASTE --raw: waste as a human size"

run --root "$T" stats 2 --raw --noheadings --bytes -o size,waste,used
expect 0 && [ "$(printf '%s\n' "$OUT" | wc -l)" -eq 4 ] && grep -qx '1024 10240 790' <<<"$OUT" &&
	! grep -q SIZE <<<"$OUT"
tap $? "stats --raw --noheadings --bytes: rows only, sizes in bytes"

run --root "$T" stats 2 -o +WASTE
expect 0 'UTIL +WASTE$'
tap $? "stats -o +WASTE adds to the default class columns"

run --root "$T" stats 2 -o SIZE,ZSPAGES
expect_error 2 "-o: unknown column 'ZSPAGES'; valid columns: SIZE, ZSPG_PAGES, ZSPG_OBJS, ALLOCATED, USED, PAGES, FULL, ALMOST_FULL, ALMOST_EMPTY, EMPTY, UTIL, WASTE$"
tap $? "stats -o with an unknown column: exit 2, lists the class columns"

run --root "$T" stats 2 --json
expect 0 && jq -e '.pool.id == 2 and .pool.backend == "zsmalloc" and .pool.current == true and
	.pool.pages == 994 and .pool.metadata_bytes == 24576 and .pool.pool_bytes == 4096000 and
	(.classes | length) == 4 and (.classes | map(.size)) == [32, 208, 1024, 4096] and
	.classes[2] == {"size": 1024, "objs_per_zspage": 4, "pages_per_zspage": 1,
		"objs_allocated": 800, "objs_used": 790, "pages_used": 200, "zspages_full": 190,
		"zspages_almost_full": 5, "zspages_almost_empty": 3, "zspages_empty": 2,
		"utilisation": (790 * 1024 / (200 * 4096)), "waste_bytes": 10240}' <<<"$OUT" >/dev/null
tap $? "stats --json: the pool and every class"

w "$T/$PD/1/buddied_pages" 7
w "$T/$PD/1/unbuddied_pages" 3
w "$T/$PD/1/reclaiming_pages" 0
run --root "$T" stats 1
expect 0 '^pool 1: zbud \(zpoolx_zbud\), creator zswap, active$' &&
	grep -qx '  pages 1000, pool 3.9M (metadata 2K), objects 3000, stored 3.5M, utilisation 90.0%, ratio 3.00' <<<"$OUT" &&
	grep -qx '  backend: buddied_pages 7, reclaiming_pages 0, unbuddied_pages 3' <<<"$OUT" &&
	grep -qx 'no size classes: the zbud backend stores two objects per page in 64-byte chunks' <<<"$OUT" &&
	! grep -q '^  compact:' <<<"$OUT"
tap $? "stats on a zbud pool: its counters and its own files, no classes"

run --root "$T" stats 1 --json
expect 0 && jq -e '.classes == null and .pool.backend == "zbud" and .pool.backend_files.buddied_pages == 7' <<<"$OUT" >/dev/null
tap $? "stats --json on a zbud pool: classes null"
rm "$T/$PD/1/buddied_pages" "$T/$PD/1/unbuddied_pages" "$T/$PD/1/reclaiming_pages"

[ "$BEFORE" = "$(snapshot "$T")" ]
tap $? "stats reads only: the tree is unchanged"

run --root "$T" stats 2 --bytes
expect 0 '^  pages 994, pool 4096000 \(metadata 24576\), objects 3000, stored 3686400, '
tap $? "stats --bytes: pool and metadata in bytes"

T=$(newtree)
oldmodule "$T"
run --root "$T" stats 2
expect 0 '^  pages 994, pool 3\.9M \(metadata unknown\), objects 3000, stored 3\.5M, utilisation 90\.5%, ratio 3\.02$' && [ -z "$ERR" ]
tap $? "stats on a module without metadata_bytes: metadata unknown, no warning"
run --root "$T" stats 2 --json
expect 0 && jq -e '.pool | has("metadata_bytes") and .metadata_bytes == null and .pool_bytes == 4071424' <<<"$OUT" >/dev/null
tap $? "stats --json on a module without metadata_bytes: metadata_bytes null"

T=$(newtree)
rm -r "$T/$PD/2/classes"/*
run --root "$T" stats 2
expect 0 '^no size class holds objects$'
tap $? "stats on a zsmalloc pool with an empty classes directory"

T=$(newtree)
w "$T/$PD/2/classes/1024/objs_used" lots
mkdir -p "$T/$PD/2/classes/notasize" "$T/$PD/2/classes/8192"
run --root "$T" stats 2 --raw -o SIZE,USED,UTIL
expect 0 && grep -qx '1024  ' <<<"$OUT" && ! grep -qE '^(notasize|8192) ' <<<"$OUT" &&
	grep -q "warning: .*classes/1024/objs_used: unexpected content 'lots'" <<<"$ERR"
tap $? "stats: a malformed class file is a warning and unknown (--raw: empty fields), odd directories are ignored"

T=$(newtree)
run --root "$T" stats 5
expect_error 2 "stats: no pool 5 \\(pools: 1 2\\)$"
tap $? "stats on a pool that does not exist: exit 2, lists the pools"
rm -r "$T/$PD"/*
run --root "$T" stats 5
expect_error 2 "stats: no pool 5 \\(pools: none\\)$"
tap $? "stats when there are no pools: exit 2, says none"
run --root "$T" stats abc
expect_error 2 "invalid pool 'abc': a pool id is a number 1..4294967295"
tap $? "stats with a bad pool id: exit 2, says the range"
run --root "$T" stats
expect_error 2 "stats: missing argument: usage: zpoolctl stats POOL$"
tap $? "stats without POOL: exit 2"

T=$(newtree)
rm -r "$T/sys/module/zpoolx" "$T/sys/kernel/zpoolx"
run --root "$T" stats 2
expect_error 3 "the zpoolx module is not loaded"
tap $? "stats without the module: exit 3"
