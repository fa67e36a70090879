# SPDX-License-Identifier: GPL-2.0
# 30-compact-writeback.t - compact [POOL] and writeback POOL PAGES: what
# they write, what they report (against a FIFO that answers like the
# kernel's sysfs file), every refusal.  Sourced by run.sh.

PD=sys/kernel/zpoolx/pools

refuse() {
	local t=$1 rc=$2 re=$3 desc=$4; shift 4
	refused_on "$t" "$@" && expect_error "$rc" "$re"
	tap $? "$desc"
}

# ---- compact ----
T=$(newtree)
fake_kernel "$T/$PD/2/compact" "last=3 total=10" "last=4 total=14"
run_to 60 --root "$T" compact 2
fake_kernel_wait && expect 0 '^pool 2: compacted, 4 pages freed \(14 in total\)$' &&
	[ "$(cat "$T/$PD/2/compact.req")" = 1 ] && [ -z "$ERR" ]
tap $? "compact 2 writes 1 to the pool's compact file and reports what the kernel freed"

T=$(newtree)
before=$(cat "$T/$PD/1/writeback")
run --root "$T" compact 2
expect 0 '^pool 2: compaction requested \(result unreadable\)$' &&
	[ "$(cat "$T/$PD/2/compact")" = 1 ] && [ "$(cat "$T/$PD/1/writeback")" = "$before" ]
tap $? "compact 2: writes 1 only to pool 2's compact file"

T=$(newtree)
mkpool "$T" 3 zsmalloc
fake_kernel "$T/$PD/3/compact" "last=0 total=0" "last=2 total=2"
run_to 60 --root "$T" compact
fake_kernel_wait && expect 0 '^pool 1: skipped, the zbud backend does not compact$' &&
	grep -q '^pool 2: compaction requested' <<<"$OUT" &&
	grep -q '^pool 3: compacted, 2 pages freed (2 in total)$' <<<"$OUT" &&
	[ "$(cat "$T/$PD/2/compact")" = 1 ] && [ "$(cat "$T/$PD/3/compact.req")" = 1 ] &&
	[ ! -e "$T/$PD/1/compact" ]
tap $? "compact without POOL: every zsmalloc pool, zbud pools skipped"

T=$(newtree)
w "$T/$PD/2/state" destroying
mkpool "$T" 3 zsmalloc
run --root "$T" compact
expect 0 '^pool 2: skipped, destroying$' && [ "$(cat "$T/$PD/2/compact")" = "last=3 total=10" ] &&
	[ "$(cat "$T/$PD/3/compact")" = 1 ]
tap $? "compact without POOL skips a pool being destroyed"

T=$(newtree)
refuse "$T" 3 "compact: pool 1: compaction is not supported by the zbud backend \\(the pool has no compact file\\)$" \
	"compact on a zbud pool: exit 3, clear message, writes nothing" compact 1
refuse "$T" 2 "compact: no pool 9 \\(pools: 1 2\\)$" "compact on a pool that does not exist: exit 2, lists the pools" compact 9
for v in 0 abc -1 4294967296 1.0; do
	refuse "$T" 2 "invalid (pool|value) '$v'" "compact '$v': exit 2, writes nothing" compact "$v"
done
refuse "$T" 2 "compact: too many arguments" "compact with two pools: exit 2" compact 1 2

T=$(newtree)
w "$T/$PD/2/state" destroying
refuse "$T" 1 "compact: pool 2 is destroying, not active: nothing done$" "compact on a pool being destroyed: exit 1" compact 2

T=$(newtree)
rm -r "$T/$PD/2"
refuse "$T" 3 "compact: no active pool supports compaction \\(zbud pools do not compact; pools: 1\\)$" \
	"compact without POOL when only zbud pools exist: exit 3" compact
rm -r "$T/$PD/1"
refuse "$T" 3 "compact: there are no zpoolx pools$" "compact without POOL and no pools: exit 3" compact

T=$(newtree)
rm -r "$T/sys/module/zpoolx" "$T/sys/kernel/zpoolx"
refuse "$T" 3 "the zpoolx module is not loaded \\(.*/sys/module/zpoolx is missing\\): run modprobe zpoolx$" \
	"compact without the module: exit 3" compact 2
T=$(newtree)
rm -r "$T/sys/kernel/zpoolx"
refuse "$T" 3 "/sys/kernel/zpoolx is missing although the zpoolx module is loaded$" \
	"compact with the module but no /sys/kernel/zpoolx: exit 3" compact 2

T=$(newtree)
rm "$T/$PD/2/compact" && mkdir "$T/$PD/2/compact"
refuse "$T" 1 "compact: writing .*/pools/2/compact failed: Is a directory$" \
	"compact refused by the kernel: exit 1 with its error" compact 2

# ---- writeback ----
T=$(newtree)
fake_kernel "$T/$PD/2/writeback" "requested=8 reclaimed=5 total=5" "requested=100 reclaimed=37 total=42"
run_to 60 --root "$T" writeback 2 100
fake_kernel_wait && expect 0 '^pool 2: writeback of 100 pages asked, 37 pages freed \(42 in total\)$' &&
	[ "$(cat "$T/$PD/2/writeback.req")" = 100 ] && [ -z "$ERR" ]
tap $? "writeback 2 100 writes 100 and reports what the kernel freed"

T=$(newtree)
for v in 1 262144; do
	run --root "$T" writeback 1 "$v"
	expect 0 "^pool 1: writeback of $v pages asked" && [ "$(cat "$T/$PD/1/writeback")" = "$v" ]
	tap $? "writeback 1 $v (range boundary) is written"
done

T=$(newtree)
for v in 0 262145 abc -1 1e3 '' 0x10; do
	refuse "$T" 2 "writeback: invalid (PAGES|value) '$v'.*1..262144" \
		"writeback PAGES '$v': exit 2, says the range, writes nothing" writeback 2 "$v"
done
refuse "$T" 2 "writeback: no pool 7 \\(pools: 1 2\\)$" "writeback on a pool that does not exist: exit 2" writeback 7 10
refuse "$T" 2 "invalid pool 'x'" "writeback on pool 'x': exit 2" writeback x 10
refuse "$T" 2 "writeback: missing argument: usage: zpoolctl writeback POOL PAGES" "writeback without PAGES: exit 2" writeback 2

T=$(newtree)
w "$T/$PD/2/evictable" 0
w "$T/$PD/2/name" testmod
refuse "$T" 3 "writeback: pool 2 cannot write back: its creator \\(testmod\\) gave no evict callback$" \
	"writeback on a pool without an evict callback: exit 3" writeback 2 10

T=$(newtree)
w "$T/$PD/2/state" destroying
refuse "$T" 1 "writeback: pool 2 is destroying, not active: nothing done$" "writeback on a pool being destroyed: exit 1" writeback 2 10

T=$(newtree)
rm "$T/$PD/2/writeback"
refuse "$T" 3 "writeback: .*/pools/2/writeback is missing$" "writeback when the pool has no writeback file: exit 3" writeback 2 10

T=$(newtree)
rm -r "$T/sys/module/zpoolx" "$T/sys/kernel/zpoolx"
refuse "$T" 3 "the zpoolx module is not loaded" "writeback without the module: exit 3" writeback 2 10

T=$(newtree)
rm "$T/$PD/2/writeback" && mkdir "$T/$PD/2/writeback"
refuse "$T" 1 "writeback: writing .*/pools/2/writeback failed: Is a directory$" \
	"writeback refused by the kernel: exit 1 with its error" writeback 2 10
