# SPDX-License-Identifier: GPL-2.0
# What the guest scripts around the zpool API test module
# (tests/kmod/zpool_test.c) share: running it and turning its kernel-log
# results into TAP, checking the pools it holds alive (hold=1) against its
# "expect" lines, writeback through sysfs into its evict callback, and its
# unload.  Source after lib.sh, with $type set to the zpool type; the plan
# comes at the end (kmod_finish), since the module's results are counted
# as they come.
# shellcheck shell=bash

pools=/sys/kernel/zpoolx/pools
pagesize=$(getconf PAGESIZE)
marker=

tap() { _tap "$@"; }		# STATUS DESC
check() { ok "$@"; }		# DESC CMD...
check_fails() { ! "$@"; }	# CMD...: succeeds if CMD fails

# klog: the kernel log since the last run_kmod, without timestamps
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

# val DIR FILE: a sysfs file's value, "?" if unreadable
val() { cat "$1/$2" 2>/dev/null || echo "?"; }

# run_kmod DESC PARAMS...: insmod zpool_test type=$type PARAMS, one TAP
# line per result of the module; its "expect" lines go to ${expects[@]}
run_kmod() {
	local desc=$1 line kmod_n=0 done_line= kmodlog
	shift
	marker="kmod: $desc $$ $(date +%s%N)"
	echo "$marker" >/dev/kmsg
	insmod "$ZPOOLX_BUILD/kmod/zpool_test.ko" type="$type" "$@" >&2 2>&1
	tap $? "insmod zpool_test type=$type $* (init passes only if every kmod test passed)"
	# (a file, not a process substitution: the guest has no /dev/fd)
	kmodlog=${TMPDIR:-/tmp}/zpool_test.log
	klog | sed -n 's/^zpool_test: //p' >"$kmodlog"
	expects=()
	while IFS= read -r line; do
		case $line in
		"ok "*)
			kmod_n=$((kmod_n + 1))
			tap 0 "kmod ($desc): ${line#ok * - }"
			;;
		"not ok "*)
			kmod_n=$((kmod_n + 1))
			tap 1 "kmod ($desc): ${line#not ok * - }"
			;;
		"# "*) echo "$line" ;;
		"expect "*) expects+=("${line#expect }") ;;
		"done "*) done_line=${line#done } ;;
		esac
	done <"$kmodlog"
	diag "kmod summary: ${done_line:-none}"
	check "kmod ($desc) finished with no failure, $kmod_n results seen (${done_line:-no done line})" \
		test "$done_line" = "passed=$kmod_n failed=0"
}

# check_held_pools FUNC: after run_kmod hold=1 destroy_live=1: the leak
# warning, exactly the two held pools, each one's counters as the module
# expects, then FUNC NAME DIR for the backend's own checks of each pool
check_held_pools() {
	local fn=$1 warns ids e name dir
	warns=$(klog | grep -c "(zpool_test_leak): destroyed with 10 live objects")
	check "destroying a pool with 10 live objects warned once ($warns lines)" \
		test "$warns" = 1
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
		"$fn" "$name" "$dir"
	done
	check "rmmod zpoolx is refused while its pools are alive" \
		check_fails rmmod zpoolx
	check "zpoolx is still loaded" test -d /sys/module/zpoolx
}

# check_writeback DIR [KEY=VALUE...]: write 2 to DIR/writeback; at least
# two pages are freed, through the module's evict callback, and the
# counters follow (plus the KEY=VALUE given)
check_writeback() {
	local dir=$1 objs0 pages0 bytes0 ok0 wb gone r bytes1
	shift
	objs0=$(val "$dir" objects) pages0=$(val "$dir" pages)
	bytes0=$(val "$dir" stored_bytes) ok0=$(val "$dir" evict_succeeded)
	check "write 2 to $(val "$dir" name)/writeback" \
		sh -c "echo 2 >'$dir/writeback'"
	wb=$(val "$dir" writeback)
	diag "writeback: $wb"
	gone=$(($(val "$dir" evict_succeeded) - ok0))
	r=$(sed -n 's/.*reclaimed=\([0-9]*\).*/\1/p' <<<"$wb")
	check "writeback reports at least 2 pages reclaimed ($wb)" \
		test "${r:-0}" -ge 2 -a "$wb" = "requested=2 reclaimed=$r total=$r"
	check "after writeback: pages $pages0 -> $((pages0 - ${r:-0})), objects $objs0 -> $((objs0 - gone)), no evict failed" \
		pool_matches "$dir" pages=$((pages0 - ${r:-0})) objects=$((objs0 - gone)) \
		reclaimed_pages="${r:-0}" evict_failed=0 "$@"
	bytes1=$(val "$dir" stored_bytes)
	check "writeback evicted $gone objects, stored_bytes $bytes0 -> $bytes1" \
		test "$gone" -ge 1 -a "$bytes1" -lt "$bytes0"
}

# unload_kmod: rmmod zpool_test; the held objects were intact, no pool left
unload_kmod() {
	local exitline ids
	check "rmmod zpool_test" rmmod zpool_test
	exitline=$(klog | sed -n 's/^zpool_test: exit //p' | tail -n 1)
	check "the held pools' objects were intact to the end (${exitline:-no exit line})" \
		test "$exitline" = "errors=0"
	ids=$(cd "$pools" 2>/dev/null && echo *)
	check "no pool left after rmmod zpool_test (ids: $ids)" test "$ids" = "*"
}

# load_checks: insmod zpoolx, $type is offered
load_checks() {
	check "insmod zpoolx" load_zpoolx
	check "$type is among /sys/kernel/zpoolx/backends" \
		grep -qw "$type" /sys/kernel/zpoolx/backends
}

# kmod_finish: rmmod zpoolx, the plan, the exit status
kmod_finish() {
	check "rmmod zpoolx once no pool is alive" rmmod zpoolx
	check "/sys/kernel/zpoolx is gone" test ! -e /sys/kernel/zpoolx
	plan "$_tap_n"
	done_testing
}
