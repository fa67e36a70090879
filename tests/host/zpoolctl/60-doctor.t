# SPDX-License-Identifier: GPL-2.0
# 60-doctor.t - doctor: a healthy system, then each reason zswap does not
# store (into zpoolx), its advice and the exit code.  Sourced by run.sh.

P=sys/module/zswap/parameters
D=sys/kernel/debug/zswap
PD=sys/kernel/zpoolx/pools

# diag DESC RC CHECK [STDOUT-RE]: doctor on $T exits RC and its JSON has a
# finding CHECK (or, with CHECK "-", no problem), the text matching RE
diag() {
	local desc=$1 rc=$2 check=$3 re=${4-}
	run --root "$T" doctor --json
	if [ "$check" = - ]; then
		expect "$rc" && jq -e '.healthy == true and ([.findings[] | select(.severity == "problem")] | length) == 0' <<<"$OUT" >/dev/null
	else
		expect "$rc" && jq -e --arg c "$check" 'any(.findings[]; .check == $c)' <<<"$OUT" >/dev/null
	fi || { tap 1 "$desc"; return; }
	run --root "$T" doctor
	expect "$rc" "$re"
	tap $? "$desc"
}

T=$(newtree)
BEFORE=$(snapshot "$T")
run --root "$T" doctor
expect 0 '^healthy: zswap can store pages into zpoolx \(3000 stored now\)$' && [ -z "$ERR" ]
tap $? "doctor on a healthy system: exit 0"
run --root "$T" doctor --json
expect 0 && jq -e '.healthy == true and .problems == 0 and .stored_pages == 3000 and
	any(.findings[]; .check == "evict-fail" and .severity == "warning")' <<<"$OUT" >/dev/null
tap $? "doctor --json on a healthy system: healthy, warnings listed"
[ "$BEFORE" = "$(snapshot "$T")" ]
tap $? "doctor reads only: the tree is unchanged"

T=$(newtree); w "$T/$P/enabled" N
diag "zswap disabled: a problem, fix 'zpoolctl enable', exit 1" 1 zswap-disabled \
	'^problem +zswap is disabled$'
grep -q '^ *fix: zpoolctl enable$' <<<"$OUT" && grep -q '^not healthy: 1 problem$' <<<"$OUT"
tap $? "doctor text: the fix under the problem, then the verdict"

T=$(newtree); head -1 "$T/proc/swaps" >"$T/proc/swaps.1"; mv "$T/proc/swaps.1" "$T/proc/swaps"
diag "no swap device: a problem, exit 1" 1 no-swap 'no swap device: zswap only catches pages on their way to swap'

T=$(newtree); rm "$T/proc/swaps"
diag "/proc/swaps unreadable: a warning only" 0 swaps-unknown 'cannot read /proc/swaps'

T=$(newtree); rm -r "$T/sys/module/zpoolx" "$T/sys/kernel/zpoolx"
diag "zpool is zpoolx_zsmalloc but the module is not loaded: a problem" 1 module-not-loaded \
	"zswap's zpool is zpoolx_zsmalloc but the zpoolx module is not loaded"

T=$(newtree); rm -r "$T/sys/module/zpoolx" "$T/sys/kernel/zpoolx"; w "$T/$P/zpool" zbud
diag "module not loaded, zswap on the kernel's zbud: a problem, says modprobe" 1 module-not-loaded \
	"the zpoolx module is not loaded; zswap uses the kernel's zbud pool"
grep -q 'fix: modprobe zpoolx && zpoolctl set-backend zsmalloc' <<<"$OUT"
tap $? "doctor: the fix for a module not loaded"

T=$(newtree); w "$T/$P/zpool" z3fold
diag "module loaded but zswap uses the kernel's z3fold: a problem" 1 zpool-not-zpoolx \
	"zswap uses the kernel's z3fold pool, not zpoolx"

T=$(newtree); w "$T/sys/kernel/zpoolx/backends" zpoolx_zbud
diag "zpool zpoolx_zsmalloc but the module offers only zbud: a problem" 1 backend-missing \
	"the loaded zpoolx module offers only: zpoolx_zbud"

T=$(newtree); rm -r "$T/$PD/2"
diag "no live pool of zswap's zpool type: a problem" 1 no-pool \
	"no active zpoolx_zsmalloc pool created by zswap exists"
grep -q 'fix: zpoolctl set-backend zsmalloc again' <<<"$OUT"
tap $? "doctor: the fix for a missing pool names the backend"

# limit: MemTotal 2048000 kB = 512000 pages, 20% = 102400 pages
T=$(newtree); w "$T/$D/pool_total_size" $((102401 * 4096))
diag "pool over its limit: a problem" 1 pool-full \
	'the pool is full: 102401 pages, over the limit of 102400 pages \(max_pool_percent 20\)'

T=$(newtree); w "$T/$D/pool_total_size" $((95000 * 4096)); w "$T/$D/pool_limit_hit" 5
diag "pool hit its limit and is above the accept threshold: a problem" 1 pool-full \
	'hit its limit 5 times and holds 95000 pages, at or above the accept threshold of 92160 pages'

T=$(newtree); w "$T/$D/pool_limit_hit" 5
diag "pool hit its limit in the past but drained: a note, healthy" 0 pool-limit-hit \
	'^note +the pool reached its limit 5 times in the past'

T=$(newtree); rm -r "$T/sys/kernel/debug"; sed -i 's/^Zswap: .*/Zswap:  500000 kB/' "$T/proc/meminfo"
diag "pool over its limit seen through /proc/meminfo (no debugfs)" 1 pool-full 'the pool is full: 125000 pages'

T=$(newtree); w "$T/$D/reject_compress_poor" 5000
diag "poor compression: a problem, advice names zsmalloc and zstd" 1 poor-compression \
	'poor compression: 5000 pages were rejected'
grep -q 'zpoolctl set-backend zsmalloc' <<<"$OUT" && grep -q 'zpoolctl set-compressor zstd' <<<"$OUT"
tap $? "doctor: the fix for poor compression"

T=$(newtree); w "$T/$D/reject_reclaim_fail" 12
diag "failed reclaim: a warning, healthy" 0 reclaim-fail \
	"zswap could not make room in the full pool 12 times"

T=$(newtree); w "$T/$D/reject_reclaim_fail" 12; w "$T/$P/zpool" zsmalloc
run --root "$T" doctor
grep -q "the kernel's own zsmalloc cannot write back in 6.1" <<<"$OUT"
tap $? "doctor: failed reclaim on the kernel's zsmalloc points to zpoolx"

T=$(newtree); w "$T/$D/reject_alloc_fail" 3
diag "failed allocations: a warning" 0 alloc-fail "the pool could not get memory 3 times"

T=$(newtree); rm -r "$T/sys/kernel/debug"
diag "no debugfs: a note, still healthy" 0 no-debugfs "debugfs is not mounted"

T=$(newtree); w "$T/$D/stored_pages" 0
diag "nothing stored yet: a note with the memory pressure" 0 nothing-stored \
	'nothing is stored yet: zswap stores pages only when the kernel swaps \(memory pressure now: some 1.50%\)'

T=$(newtree); rm -r "$T/sys/module/zswap"
diag "no zswap: a problem" 1 zswap-missing "zswap is not available"

T=$(newtree); w "$T/$P/enabled" N; head -1 "$T/proc/swaps" >"$T/proc/swaps.1"; mv "$T/proc/swaps.1" "$T/proc/swaps"
w "$T/$P/zpool" zbud
run --root "$T" doctor --json
expect 1 && jq -e '.healthy == false and .problems == 3 and
	([.findings[] | select(.severity == "problem") | .check] == ["zswap-disabled", "no-swap", "zpool-not-zpoolx"])' <<<"$OUT" >/dev/null
tap $? "doctor lists every problem, in order"

E=$(mktemp -d "$WORK/empty.XXXXXX")
run --root "$E" doctor
expect 1 'zswap is not available' && [ -z "$ERR" ]
tap $? "doctor on an empty tree: exit 1, no crash"

run --root "$T" doctor now
expect_error 2 "doctor: takes no arguments"
tap $? "doctor with an argument: exit 2"
