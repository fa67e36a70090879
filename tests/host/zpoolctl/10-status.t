# SPDX-License-Identifier: GPL-2.0
# 10-status.t - status: text, columns, --raw, --noheadings, --bytes,
# --json, and trees with parts missing or malformed.  Sourced by run.sh.

T=$(newtree)
# pool 1 (old zbud pool): fewer objects, so its ratio differs from pool 2's
w "$T/sys/kernel/zpoolx/pools/1/objects" 1500
BEFORE=$(snapshot "$T")

run --root "$T" status
expect 0 '^zswap: +enabled, compressor lz4, zpool zpoolx_zsmalloc, max_pool_percent 20, accept_threshold_percent 90$' &&
	grep -qE '^counters: stored_pages 3000, pool_total_size 3\.9M, written_back_pages 9' <<<"$OUT" &&
	grep -qE '^rejects: +reclaim_fail 0, alloc_fail 0, kmemcache_fail 0, compress_poor 2$' <<<"$OUT" &&
	grep -qE '^zpoolx: +version 0\.1\.0, backends zpoolx_zbud zpoolx_zsmalloc, parameters max_zspage_pages=4 movable=Y$' <<<"$OUT" &&
	grep -qE '^memory: +total 2G, available 1000M, swap used 10M of 1024M, pressure some 1\.50% full 0\.20% \(avg10\)$' <<<"$OUT" &&
	grep -qE '^ID BACKEND +STATE +STORED OBJECTS POOLSIZE METADATA DATA RATIO +UTIL WRITTEN REJECTS$' <<<"$OUT" &&
	grep -qE '^ +1 zbud +active +- +1500 +3\.9M +2K +3\.5M +1\.50 +90\.0% +9 +-$' <<<"$OUT" &&
	grep -qE '^ +2 zsmalloc +active +3000 +3000 +3\.9M +24K +3\.5M +3\.00 +90\.0% +9 +2$' <<<"$OUT" &&
	grep -qE '^SWAP +TYPE +SIZE USED PRIO$' <<<"$OUT" &&
	grep -qE '^/dev/vda +partition +1024M +10M +-2$' <<<"$OUT" && [ -z "$ERR" ]
tap $? "status: zswap, counters, zpoolx, memory, pool table (with METADATA), swap table"

run --root "$T"
OUT2=$OUT
run --root "$T" status
[ "$OUT" = "$OUT2" ] && [ "$RC" -eq 0 ]
tap $? "no command means status"

run --root "$T" --raw -o ID,BACKEND,STORED,RATIO,UTIL,REJECTS,CURRENT
expect 0 '^ID BACKEND STORED RATIO UTIL REJECTS CURRENT$' &&
	[ "$(field 1 2)" = zbud ] && [ "$(field 2 2)" = zsmalloc ] &&
	[ "$(field 1 3)" = "" ] && [ "$(field 2 3)" = 3000 ] &&
	[ "$(field 1 4)" = 1.50 ] && [ "$(field 2 4)" = 3.00 ] &&
	[ "$(field 2 5)" = 90.0% ] &&
	[ "$(field 1 6)" = "" ] && [ "$(field 2 6)" = 2 ] &&
	[ "$(field 1 7)" = no ] && [ "$(field 2 7)" = yes ]
tap $? "derived columns: zswap's stored pages and rejects only for the current pool, ratio, utilisation"

run --root "$T" --raw -o POOLSIZE,DATA,ID
expect 0 && [ "$(awk '$3 == 2 { print $1, $2 }' <<<"$OUT")" = "3.9M 3.5M" ]
tap $? "human sizes by default (3.9M)"

run --root "$T" --raw --bytes -o ID,POOLSIZE,DATA
expect 0 && [ "$(field 2 2)" = 4096000 ] && [ "$(field 2 3)" = 3686400 ]
tap $? "--bytes prints sizes in bytes"

run --root "$T" --raw --bytes -o ID,PAGES,METADATA,POOLSIZE
expect 0 '^ID PAGES METADATA POOLSIZE$' &&
	[ "$(field 1 2)" = 1000 ] && [ "$(field 1 3)" = 2048 ] && [ "$(field 1 4)" = 4098048 ] &&
	[ "$(field 2 2)" = 994 ] && [ "$(field 2 3)" = 24576 ] && [ "$(field 2 4)" = 4096000 ] &&
	[ "$(field 2 4)" = $(( $(field 2 2) * 4096 + $(field 2 3) )) ]
tap $? "METADATA: metadata_bytes; POOLSIZE is pages * 4096 plus it"

run --root "$T" --raw -o +TYPE,NAME
expect 0 '^ID BACKEND STATE STORED OBJECTS POOLSIZE METADATA DATA RATIO UTIL WRITTEN REJECTS TYPE NAME$' &&
	[ "$(field 2 13)" = zpoolx_zsmalloc ] && [ "$(field 2 14)" = zswap ]
tap $? "-o +LIST adds columns to the defaults"

run --root "$T" --raw -o id,Backend
expect 0 '^ID BACKEND$'
tap $? "-o column names are case-insensitive"

run --root "$T" --raw --output-all
expect 0 '^ID BACKEND TYPE NAME STATE CURRENT STORED OBJECTS PAGES POOLSIZE METADATA DATA RATIO UTIL WRITTEN REJECTS EVICTS EVICTFAIL RECLAIMED ALLOCFAIL WBTOTAL COMPACTED$' &&
	[ "$(field 2 11)" = 24K ] &&
	[ "$(field 2 17)" = 10 ] && [ "$(field 2 18)" = 1 ] && [ "$(field 2 19)" = 5 ] &&
	[ "$(field 2 20)" = 0 ] && [ "$(field 2 21)" = 5 ] && [ "$(field 2 22)" = 10 ] &&
	[ "$(field 1 22)" = "" ]
tap $? "--output-all: every column, counters from the pool files"

run --root "$T" -o ID,FROB
expect_error 2 "-o: unknown column 'FROB'; valid columns: ID, BACKEND, TYPE, NAME, STATE, CURRENT, STORED, OBJECTS, PAGES, POOLSIZE, METADATA, DATA, RATIO, UTIL, WRITTEN, REJECTS, EVICTS, EVICTFAIL, RECLAIMED, ALLOCFAIL, WBTOTAL, COMPACTED$"
tap $? "-o with an unknown column: exit 2, lists the valid ones"

run --root "$T" -o ID,,STATE
expect_error 2 "-o: empty column name in 'ID,,STATE'"
tap $? "-o with an empty column name: exit 2"

run --root "$T" -o ''
expect_error 2 "-o: empty column name"
tap $? "-o with an empty list: exit 2"

run --root "$T" --noheadings -o ID,BACKEND
expect 0 && [ "$(printf '%s\n' "$OUT" | wc -l)" -eq 2 ] &&
	[ "$(sed -n 1p <<<"$OUT")" = "1 zbud" ] && [ "$(sed -n 2p <<<"$OUT")" = "2 zsmalloc" ]
tap $? "--noheadings: the pool rows only, aligned"

w "$T/sys/kernel/zpoolx/pools/1/name" 'my pool\x'
run --root "$T" --raw -o ID,NAME
expect 0 && [ "$(field 1 2)" = 'my\x20pool\x5cx' ]
tap $? "--raw escapes spaces and backslashes in cells"
w "$T/sys/kernel/zpoolx/pools/1/name" zswap

w "$T/sys/kernel/zpoolx/pools/1/name" "$(printf 'evil\033[2Jname')"
run --root "$T" -o ID,NAME
expect 0 && ! grep -q $'\033' <<<"$OUT" && grep -q 'evil?\[2Jname' <<<"$OUT"
tap $? "control characters from sysfs are shown as '?'"
w "$T/sys/kernel/zpoolx/pools/1/name" zswap
w "$T/sys/kernel/zpoolx/pools/1/objects" 1500

run --root "$T" --json
expect 0 && jq -e '
	.zswap.available == true and .zswap.enabled == true and
	.zswap.compressor == "lz4" and .zswap.zpool == "zpoolx_zsmalloc" and
	.zswap.max_pool_percent == 20 and .zswap.accept_threshold_percent == 90 and
	.zswap.stored_pages == 3000 and .zswap.pool_total_size == 4096000 and
	.zswap.debugfs.reject_compress_poor == 2 and .zswap.debugfs.same_filled_pages == 40 and
	.zpoolx.loaded == true and .zpoolx.version == "0.1.0" and
	.zpoolx.backends == ["zpoolx_zbud", "zpoolx_zsmalloc"] and
	.zpoolx.parameters == {"max_zspage_pages": "4", "movable": "Y"} and
	(.zpoolx.pools | length) == 2 and
	.zpoolx.pools[0].id == 1 and .zpoolx.pools[0].current == false and
	.zpoolx.pools[0].stored_pages == null and
	.zpoolx.pools[0].compression_ratio == (1500 * 4096 / 4098048) and
	.zpoolx.pools[0].pages == 1000 and .zpoolx.pools[0].metadata_bytes == 2048 and
	.zpoolx.pools[0].pool_bytes == 4098048 and
	.zpoolx.pools[0].compact == null and
	.zpoolx.pools[1].pages == 994 and .zpoolx.pools[1].metadata_bytes == 24576 and
	.zpoolx.pools[1].pool_bytes == 4096000 and
	.zpoolx.pools[1].current == true and .zpoolx.pools[1].stored_pages == 3000 and
	.zpoolx.pools[1].compression_ratio == 3 and .zpoolx.pools[1].utilisation == 0.9 and
	.zpoolx.pools[1].rejects == 2 and .zpoolx.pools[1].evictable == true and
	.zpoolx.pools[1].writeback == {"requested": 8, "reclaimed": 5, "total": 5} and
	.zpoolx.pools[1].compact == {"last": 3, "total": 10} and
	.swap[0].name == "/dev/vda" and .swap[0].size_bytes == 1048572 * 1024 and
	.swap[0].used_bytes == 10240 * 1024 and .swap[0].priority == -2 and
	.memory.total_bytes == 2048000 * 1024 and .memory.pressure.some_avg10 == 1.5 and
	.memory.pressure.full_avg10 == 0.2' <<<"$OUT" >/dev/null
tap $? "--json: zswap, debugfs counters, zpoolx, pools (metadata_bytes), swap, memory"

w "$T/sys/kernel/zpoolx/pools/1/buddied_pages" 7
w "$T/sys/kernel/zpoolx/pools/1/unbuddied_pages" 3
run --root "$T" --json
expect 0 && jq -e '.zpoolx.pools[0].backend_files == {"buddied_pages": 7, "unbuddied_pages": 3} and
	.zpoolx.pools[1].backend_files == {}' <<<"$OUT" >/dev/null
tap $? "--json: a backend's own files in backend_files"
rm "$T/sys/kernel/zpoolx/pools/1/buddied_pages" "$T/sys/kernel/zpoolx/pools/1/unbuddied_pages"

[ "$BEFORE" = "$(snapshot "$T")" ]
tap $? "status reads only: the tree is unchanged"

# which pool is current follows zswap's zpool
T=$(newtree)
w "$T/sys/module/zswap/parameters/zpool" zpoolx_zbud
run --root "$T" --raw -o ID,CURRENT,STORED
expect 0 && [ "$(field 1 2)" = yes ] && [ "$(field 2 2)" = no ] && [ "$(field 1 3)" = 3000 ]
tap $? "the current pool is the one of zswap's zpool type"

mkpool "$T" 5 zbud
w "$T/sys/kernel/zpoolx/pools/5/state" destroying
mkpool "$T" 3 zbud
mkpool "$T" 4 zbud testmod
run --root "$T" --raw -o ID,CURRENT,STATE
expect 0 '^ID CURRENT STATE$' && [ "$(awk 'NR > 1 { print $1 }' <<<"$OUT" | tr '\n' ' ')" = "1 2 3 4 5 " ] &&
	[ "$(awk '$2 == "yes" { print $1 }' <<<"$OUT")" = 3 ]
tap $? "pools sorted by id; current = newest active zswap pool of that type"

w "$T/sys/kernel/zpoolx/pools/4/name" testmod
run --root "$T" --raw -o ID,RATIO
expect 0 && [ "$(field 4 2)" = "" ]
tap $? "no ratio for a pool whose creator is not zswap"

# without debugfs: stored pages and pool size from /proc/meminfo
T=$(newtree)
rm -r "$T/sys/kernel/debug"
run --root "$T" status
expect 0 '^counters: stored_pages 3000, pool_total_size 3\.9M \(from /proc/meminfo\); no debugfs' &&
	! grep -q '^rejects:' <<<"$OUT" && [ -z "$ERR" ]
tap $? "no debugfs: stored pages and pool size from /proc/meminfo"

run --root "$T" --raw -o ID,STORED,REJECTS
expect 0 && [ "$(field 2 2)" = 3000 ] && [ "$(field 2 3)" = "" ]
tap $? "no debugfs: STORED from Zswapped, REJECTS unknown (an empty --raw field)"

run --root "$T" --json
expect 0 && jq -e '.zswap.debugfs == null and .zswap.stored_pages == 3000 and
	.zswap.pool_total_size == 4000 * 1024 and .zpoolx.pools[1].rejects == null' <<<"$OUT" >/dev/null
tap $? "no debugfs: --json has debugfs null, stored pages from meminfo"

# a module older than metadata_bytes: no such file, pool_bytes = pages only
T=$(newtree)
oldmodule "$T"
run --root "$T" --raw --bytes -o ID,PAGES,METADATA,POOLSIZE,UTIL
expect 0 '^ID PAGES METADATA POOLSIZE UTIL$' && [ -z "$ERR" ] &&
	[ "$(field 1 3)" = "" ] && [ "$(field 1 4)" = 4096000 ] &&
	[ "$(field 2 3)" = "" ] && [ "$(field 2 4)" = 4071424 ] && [ "$(field 2 5)" = 90.5% ]
tap $? "a module without metadata_bytes: METADATA unknown (an empty --raw field), POOLSIZE the pages, no warning"

run --root "$T" status
expect 0 '^ID BACKEND +STATE +STORED OBJECTS POOLSIZE METADATA DATA' && [ -z "$ERR" ] &&
	grep -qE '^ +2 zsmalloc +active +3000 +3000 +3\.9M +- +3\.5M ' <<<"$OUT"
tap $? "a module without metadata_bytes: status exits 0, METADATA shown as -"

run --root "$T" --json
expect 0 && [ -z "$ERR" ] && jq -e '
	all(.zpoolx.pools[]; has("metadata_bytes") and .metadata_bytes == null) and
	.zpoolx.pools[1].pool_bytes == 4071424 and .zpoolx.pools[1].backend_files == {}' <<<"$OUT" >/dev/null
tap $? "a module without metadata_bytes: --json metadata_bytes null, not 0"

T=$(newtree)
w "$T/sys/kernel/zpoolx/pools/2/metadata_bytes" 24K
run --root "$T" --raw -o ID,METADATA,POOLSIZE
expect 0 && [ "$(field 2 2)" = "" ] && [ "$(field 2 3)" = 3.9M ] &&
	grep -q "warning: .*/pools/2/metadata_bytes: unexpected content '24K' (expected a number)" <<<"$ERR"
tap $? "a malformed metadata_bytes: a warning, METADATA unknown"

# module not loaded
T=$(newtree)
rm -r "$T/sys/module/zpoolx" "$T/sys/kernel/zpoolx"
run --root "$T" status
expect 0 '^zpoolx: +module not loaded$' && grep -q '^no zpoolx pools (module not loaded)$' <<<"$OUT" && [ -z "$ERR" ]
tap $? "module not loaded: status says so, exit 0"

run --root "$T" --json
expect 0 && jq -e '.zpoolx.loaded == false and .zpoolx.pools == [] and .zpoolx.version == null' <<<"$OUT" >/dev/null
tap $? "module not loaded: --json loaded false, no pools"

# module loaded, no pools
T=$(newtree)
rm -r "$T/sys/kernel/zpoolx/pools"/*
run --root "$T" status
expect 0 '^no zpoolx pools$'
tap $? "no pools: status says so"

# no zswap
T=$(newtree)
rm -r "$T/sys/module/zswap" "$T/sys/kernel/debug"
run --root "$T" status
expect 0 '^zswap: +not available' && [ -z "$ERR" ]
tap $? "no zswap: status says not available, exit 0"

run --root "$T" --json
expect 0 && jq -e '.zswap.available == false and .zswap.enabled == null' <<<"$OUT" >/dev/null
tap $? "no zswap: --json available false"

# an empty tree
E=$(mktemp -d "$WORK/empty.XXXXXX")
run --root "$E" status
expect 0 '^zswap: +not available' && grep -qE '^swap: +unknown' <<<"$OUT" &&
	grep -qE '^memory: +total -, available -' <<<"$OUT" && [ -z "$ERR" ]
tap $? "an empty tree: everything unknown, exit 0"

run --root "$E" --json
expect 0 && jq -e '.swap == null and .memory.total_bytes == null and .memory.pressure == null' <<<"$OUT" >/dev/null
tap $? "an empty tree: --json nulls"

# no swap devices
T=$(newtree)
head -1 "$T/proc/swaps" >"$T/proc/swaps.new" && mv "$T/proc/swaps.new" "$T/proc/swaps"
run --root "$T" status
expect 0 '^swap: +no swap devices$'
tap $? "no swap devices: status says so"

run --root "$T" --json
expect 0 && jq -e '.swap == []' <<<"$OUT" >/dev/null
tap $? "no swap devices: --json swap is []"

# malformed files: a warning naming the file, the value unknown
T=$(newtree)
w "$T/sys/kernel/zpoolx/pools/2/objects" 12abc
w "$T/sys/module/zswap/parameters/enabled" maybe
w "$T/sys/kernel/zpoolx/pools/2/writeback" "requested=x"
run --root "$T" --raw -o ID,OBJECTS
expect 0 && [ "$(field 2 2)" = "" ] &&
	grep -q "warning: .*/pools/2/objects: unexpected content '12abc' (expected a number)" <<<"$ERR" &&
	grep -q "warning: .*/parameters/enabled: unexpected content 'maybe' (expected Y or N)" <<<"$ERR" &&
	grep -q "warning: .*/pools/2/writeback: unexpected content 'requested=x'" <<<"$ERR"
tap $? "malformed files: one warning each, the value unknown (an empty --raw field)"

T=$(newtree)
printf 'some avg10=x\n' >"$T/proc/pressure/memory"
printf 'MemTotal: lots kB\n' >"$T/proc/meminfo"
printf 'Filename Type Size Used Priority\n/dev/vdb partition x 0 -2\n' >"$T/proc/swaps"
run --root "$T" status
expect 0 '^memory: +total -' && grep -q 'warning: .*/proc/pressure/memory: unexpected content' <<<"$ERR" &&
	grep -q 'warning: .*/proc/meminfo: unexpected MemTotal line' <<<"$ERR" &&
	grep -q 'warning: .*/proc/swaps: unexpected line' <<<"$ERR"
tap $? "malformed /proc files: warnings, values unknown"

T=$(newtree)
printf '\000\001\002' >"$T/sys/kernel/zpoolx/pools/2/pages"
run --root "$T" --raw -o ID,PAGES
expect 0 && [ "$(field 2 2)" = "" ] && grep -q 'warning: cannot read .*/pools/2/pages' <<<"$ERR"
tap $? "binary content in a sysfs file: a warning, value unknown"

# limits
T=$(newtree)
w "$T/sys/kernel/zpoolx/pools/2/pool_bytes" 18446744073709551615
w "$T/sys/kernel/zpoolx/pools/1/pool_bytes" 18446744073709551616
run --root "$T" --raw -o ID,POOLSIZE
expect 0 && [ "$(field 2 2)" = 16E ] && [ "$(field 1 2)" = "" ] &&
	grep -q "pools/1/pool_bytes: unexpected content '18446744073709551616' (expected a number)" <<<"$ERR"
tap $? "the largest 64-bit size prints as 16E; one more is malformed"

run --root "$T" -o "$(printf 'ID,%.0s' {1..64})ID"
expect_error 2 "-o: more than 64 columns"
tap $? "-o with more than 64 columns: exit 2"

run --root "$(printf '/%.0s' {1..2048})" status
expect_error 2 "--root: expected a directory path of 1..2047 characters"
tap $? "--root longer than 2047 characters: exit 2"
