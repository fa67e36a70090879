# SPDX-License-Identifier: GPL-2.0
# The zpool API test module (tests/kmod/zpool_test.c) against zpoolx_zbud:
# every result of the module becomes a TAP line here; then, with the two
# pools the module keeps alive (hold=1), their sysfs counters are compared
# with what the module saw, writeback is driven through sysfs into the
# module's evict callback, and the unload rules are checked (zpoolx cannot
# go while a pool lives, can once none does).
# vm-mem: 256M
# vm-smp: 2
# vm-timeout: 300
# shellcheck shell=bash
set -u

type=zpoolx_zbud
pools=/sys/kernel/zpoolx/pools
marker="zbud-kmod: start $$ $(date +%s%N)"
pagesize=$(getconf PAGESIZE)

# Plain TAP, the plan at the end.
n=0
failed=0
tap() { # STATUS DESC
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
check() { # DESC CMD...
	local d=$1
	shift
	"$@" >&2 2>&1
	tap $? "$d"
}
diag() { echo "# $*"; }

# The kernel log since the marker, without timestamps.
klog() {
	dmesg -t | sed -n "\|$marker|,\$p"
}

# pool_dir NAME: the sysfs directory of the live pool called NAME
pool_dir() {
	local d
	for d in "$pools"/*/; do
		[ -f "$d/name" ] && [ "$(cat "$d/name")" = "$1" ] && {
			echo "${d%/}"
			return 0
		}
	done
	return 1
}

# pool_matches DIR KEY=VALUE...: every counter file has its value
pool_matches() {
	local dir=$1 kv bad=0 got
	shift
	for kv in "$@"; do
		got=$(cat "$dir/${kv%%=*}" 2>&1)
		if [ "$got" != "${kv#*=}" ]; then
			diag "  $dir/${kv%%=*}: got '$got', want '${kv#*=}'"
			bad=1
		fi
	done
	return $bad
}

val() { cat "$1/$2" 2>/dev/null || echo "?"; }

# ---- load ----
check "insmod zpoolx" insmod "$ZPOOLX_BUILD/zpoolx.ko"
check "$type is among /sys/kernel/zpoolx/backends" \
	grep -qw "$type" /sys/kernel/zpoolx/backends

echo "$marker" >/dev/kmsg
insmod "$ZPOOLX_BUILD/kmod/zpool_test.ko" type=$type hold=1 \
	stress_secs=5 >&2 2>&1
loaded=$?
tap $loaded "insmod zpool_test type=$type hold=1 (init passes only if every kmod test passed)"

# ---- the module's own results ----
# (a file, not a process substitution: the guest's /dev has no /dev/fd)
kmodlog=${TMPDIR:-/tmp}/zpool_test.log
klog | sed -n 's/^zpool_test: //p' >"$kmodlog"
kmod_n=0
expects=()
done_line=
while IFS= read -r line; do
	case $line in
	"ok "*)
		kmod_n=$((kmod_n + 1))
		tap 0 "kmod: ${line#ok * - }"
		;;
	"not ok "*)
		kmod_n=$((kmod_n + 1))
		tap 1 "kmod: ${line#not ok * - }"
		;;
	"# "*) echo "$line" ;;
	"expect "*) expects+=("${line#expect }") ;;
	"done "*) done_line=${line#done } ;;
	esac
done <"$kmodlog"
diag "kmod summary: ${done_line:-none}"
check "kmod finished with no failure, $kmod_n results seen (${done_line:-no done line})" \
	test "$done_line" = "passed=$kmod_n failed=0"

# ---- destroy with live objects: one pr_warn line, freed ----
warns=$(klog | grep -c "(zpool_test_leak): destroyed with 10 live objects")
check "destroying a pool with 10 live objects warned once ($warns lines)" \
	test "$warns" = 1

# ---- the pools kept alive ----
ids=$(cd "$pools" 2>/dev/null && echo *)
check "exactly the two held pools are left (ids: $ids)" \
	test "$(wc -w <<<"$ids")" = 2
check "kmod printed 2 expect lines (${#expects[@]})" test ${#expects[@]} = 2
for e in "${expects[@]}"; do
	# shellcheck disable=SC2086 # one word per counter
	set -- $e
	name=${1#pool=}
	shift
	dir=$(pool_dir "$name")
	if [ -z "$dir" ]; then
		tap 1 "pool $name is in $pools"
		continue
	fi
	diag "$name is $dir"
	check "pool $name: sysfs counters match the module's ($*)" \
		pool_matches "$dir" "$@"
	pages=$(val "$dir" pages)
	check "pool $name: backend, type, state, evictable, pool_bytes" \
		pool_matches "$dir" backend=zbud type=$type state=active \
		evictable=1 pool_bytes=$((pages * pagesize))
	check "pool $name: unbuddied + buddied = pages, none under reclaim" \
		test "$(($(val "$dir" unbuddied_pages) + $(val "$dir" buddied_pages)))" = "$pages" \
		-a "$(val "$dir" reclaiming_pages)" = 0
done

check_fails() { ! "$@"; }
check "rmmod zpoolx is refused while its pools are alive" \
	check_fails rmmod zpoolx
check "zpoolx is still loaded" test -d /sys/module/zpoolx

# ---- writeback through sysfs, into the module's evict callback ----
live=$(pool_dir zpool_test_live)
if [ -n "$live" ]; then
	objs0=$(val "$live" objects) pages0=$(val "$live" pages)
	bytes0=$(val "$live" stored_bytes) ok0=$(val "$live" evict_succeeded)
	check "write 2 to zpool_test_live/writeback" \
		sh -c "echo 2 >'$live/writeback'"
	wb=$(val "$live" writeback)
	diag "writeback: $wb"
	ok1=$(val "$live" evict_succeeded)
	gone=$((ok1 - ok0))
	check "writeback reports 2 pages reclaimed ($wb)" \
		test "$wb" = "requested=2 reclaimed=2 total=2"
	check "after writeback: pages $pages0 -> $((pages0 - 2)), objects $objs0 -> $((objs0 - gone)), no evict failed" \
		pool_matches "$live" pages=$((pages0 - 2)) objects=$((objs0 - gone)) \
		reclaimed_pages=2 evict_failed=0 reclaiming_pages=0
	bytes1=$(val "$live" stored_bytes)
	check "writeback evicted $gone objects, stored_bytes $bytes0 -> $bytes1" \
		test "$gone" -ge 1 -a "$bytes1" -lt "$bytes0"
else
	tap 1 "pool zpool_test_live is in $pools"
fi

# ---- unload ----
check "rmmod zpool_test" rmmod zpool_test
exitline=$(klog | sed -n 's/^zpool_test: exit //p' | tail -n 1)
check "the held pools' objects were intact to the end (${exitline:-no exit line})" \
	test "$exitline" = "errors=0"
ids=$(cd "$pools" 2>/dev/null && echo *)
check "no pool left after rmmod zpool_test (ids: $ids)" test "$ids" = "*"
check "rmmod zpoolx once no pool is alive" rmmod zpoolx
check "/sys/kernel/zpoolx is gone" test ! -e /sys/kernel/zpoolx

echo "1..$n"
[ $failed = 0 ]
