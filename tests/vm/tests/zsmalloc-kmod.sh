# SPDX-License-Identifier: GPL-2.0
# The zpool API test module (tests/kmod/zpool_test.c) against
# zpoolx_zsmalloc: every result of the module becomes a TAP line here
# (among them page-crossing objects in every map mode, the huge class,
# pool compaction with live objects, page migration by compact_memory, and
# a stress run with shrink, compaction and migration racing the workers);
# then, with the two pools the module keeps alive (hold=1), their sysfs
# counters and per-class directories are checked against what the module
# saw, writeback is driven through sysfs into the module's evict callback,
# the compact file and the tunables refuse bad input, a second run with
# max_zspage_pages=1 movable=N shows the tunables apply to new pools, and
# the unload rules are checked.
# vm-mem: 256M
# vm-smp: 2
# vm-timeout: 400
# vm-timeout-debug: 2400
# shellcheck shell=bash
set -u

type=zpoolx_zsmalloc
pools=/sys/kernel/zpoolx/pools
params=/sys/module/zpoolx/parameters
marker="zsmalloc-kmod: start $$ $(date +%s%N)"
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

# class_table DIR: one line per class directory (one process for all the
# files: forking cat per file is slow in a TCG guest):
#   name size objs_per_zspage pages_per_zspage objs_allocated objs_used
#   pages_used zspages_full zspages_almost_full zspages_almost_empty
#   zspages_empty
class_table() {
	awk '
		{ n = split(FILENAME, p, "/"); d = p[n - 1]; v[d, p[n]] = $0; seen[d] = 1 }
		END {
			for (d in seen)
				print d, v[d, "size"], v[d, "objs_per_zspage"],
					v[d, "pages_per_zspage"], v[d, "objs_allocated"],
					v[d, "objs_used"], v[d, "pages_used"],
					v[d, "zspages_full"], v[d, "zspages_almost_full"],
					v[d, "zspages_almost_empty"], v[d, "zspages_empty"]
		}' "$1"/classes/*/*
}

# class_sum DIR COLUMN: the sum of a class_table column over the classes
class_sum() {
	class_table "$1" | awk -v c="$2" '{ s += $c } END { print s + 0 }'
}

# classes_ok DIR MAXCHAIN: every class dir is named by its size and
# consistent, there are many, and chains are used as the tunable allows
classes_ok() {
	class_table "$1" | awk -v max="$2" -v psz="$pagesize" '
		function bad(m) { print "#   class " $1 ": " m; err = 1 }
		NF != 11 { bad("files missing"); next }
		{
			n++
			if ($1 != $2) bad("size " $2)
			if ($4 < 1 || $4 > max) bad("pages_per_zspage " $4)
			if ($3 * $2 > $4 * psz) bad($3 " x " $2 " > " $4 " pages")
			if ($5 % $3) bad("objs_allocated " $5)
			if ($6 > $5) bad("objs_used " $6 " > " $5)
			if ($4 > 1) long++
			if ($1 == psz) huge = 1
		}
		END {
			print "#   " n " classes, " long + 0 " with chains longer than one page (max " max ")"
			if (n <= 10 || !huge) err = 1
			if (max > 1 && !long) err = 1
			if (max == 1 && long) err = 1
			exit err
		}'
}

# run_kmod DESC PARAMS...: insmod zpool_test, turn its results into TAP
run_kmod() {
	local desc=$1 line kmod_n=0 done_line=
	shift
	marker="zsmalloc-kmod: $desc $$ $(date +%s%N)"
	echo "$marker" >/dev/kmsg
	insmod "$ZPOOLX_BUILD/kmod/zpool_test.ko" type=$type "$@" >&2 2>&1
	tap $? "insmod zpool_test type=$type $* (init passes only if every kmod test passed)"
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

# ---- load, tunables ----
check "insmod zpoolx" insmod "$ZPOOLX_BUILD/zpoolx.ko"
check "$type is among /sys/kernel/zpoolx/backends" \
	grep -qw "$type" /sys/kernel/zpoolx/backends
check "max_zspage_pages defaults to 8, movable to Y" \
	test "$(cat $params/max_zspage_pages)" = 8 -a "$(cat $params/movable)" = Y
check_fails() { ! "$@"; }
for v in 0 17 -1 abc ""; do
	check "max_zspage_pages refuses '$v' (EINVAL)" \
		check_fails sh -c "echo '$v' >$params/max_zspage_pages"
done
check "max_zspage_pages is still 8" test "$(cat $params/max_zspage_pages)" = 8
check "max_zspage_pages accepts 16, then 8 again" \
	sh -c "echo 16 >$params/max_zspage_pages && test \$(cat $params/max_zspage_pages) = 16 && echo 8 >$params/max_zspage_pages"

# ---- the module's own results ----
run_kmod defaults hold=1 stress_secs=5

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
	check "pool $name: backend, type, state, evictable, pool_bytes, max_zspage_pages, movable" \
		pool_matches "$dir" backend=zsmalloc type=$type state=active \
		evictable=1 pool_bytes=$((pages * pagesize)) max_zspage_pages=8 movable=1
	check "pool $name: per-class directories are consistent" classes_ok "$dir" 8
	check "pool $name: classes' pages_used add up to pages, objs_used to objects" \
		test "$(class_sum "$dir" 7)" = "$pages" -a \
		"$(class_sum "$dir" 6)" = "$(val "$dir" objects)"
	check "pool $name: compact reads last=N total=T" \
		grep -Eqx 'last=[0-9]+ total=[0-9]+' "$dir/compact"
	for f in pages_isolated pages_migrated pages_putback migrate_failures; do
		check "pool $name: $f is a number" grep -Eqx '[0-9]+' "$dir/$f"
	done
done
diag "stress pool: $(for f in pages_isolated pages_migrated pages_putback migrate_failures compact; do
	printf '%s=%s ' $f "$(val "$(pool_dir zpool_test_stress)" $f)"; done)"

check "rmmod zpoolx is refused while its pools are alive" \
	check_fails rmmod zpoolx
check "zpoolx is still loaded" test -d /sys/module/zpoolx

# ---- compact and writeback through sysfs ----
live=$(pool_dir zpool_test_live)
if [ -n "$live" ]; then
	for v in 0 2 -1 abc ""; do
		check "compact refuses '$v' (EINVAL)" \
			check_fails sh -c "echo '$v' >'$live/compact'"
	done
	c0=$(val "$live" compact)
	check "write 1 to zpool_test_live/compact" sh -c "echo 1 >'$live/compact'"
	diag "compact: $c0 -> $(val "$live" compact)"
	objs0=$(val "$live" objects) pages0=$(val "$live" pages)
	bytes0=$(val "$live" stored_bytes) ok0=$(val "$live" evict_succeeded)
	check "write 2 to zpool_test_live/writeback" \
		sh -c "echo 2 >'$live/writeback'"
	wb=$(val "$live" writeback)
	diag "writeback: $wb"
	ok1=$(val "$live" evict_succeeded)
	gone=$((ok1 - ok0))
	r=$(sed -n 's/.*reclaimed=\([0-9]*\).*/\1/p' <<<"$wb")
	check "writeback reports at least 2 pages reclaimed ($wb)" \
		test "${r:-0}" -ge 2 -a "$wb" = "requested=2 reclaimed=$r total=$r"
	check "after writeback: pages $pages0 -> $((pages0 - ${r:-0})), objects $objs0 -> $((objs0 - gone)), no evict failed" \
		pool_matches "$live" pages=$((pages0 - ${r:-0})) objects=$((objs0 - gone)) \
		reclaimed_pages="${r:-0}" evict_failed=0
	bytes1=$(val "$live" stored_bytes)
	check "writeback evicted $gone objects, stored_bytes $bytes0 -> $bytes1" \
		test "$gone" -ge 1 -a "$bytes1" -lt "$bytes0"
else
	tap 1 "pool zpool_test_live is in $pools"
fi

check "rmmod zpool_test" rmmod zpool_test
exitline=$(klog | sed -n 's/^zpool_test: exit //p' | tail -n 1)
check "the held pools' objects were intact to the end (${exitline:-no exit line})" \
	test "$exitline" = "errors=0"
ids=$(cd "$pools" 2>/dev/null && echo *)
check "no pool left after rmmod zpool_test (ids: $ids)" test "$ids" = "*"

# ---- the tunables apply to pools created afterwards ----
check "set max_zspage_pages=1 movable=N" \
	sh -c "echo 1 >$params/max_zspage_pages && echo N >$params/movable"
run_kmod "max_zspage_pages=1 movable=N" hold=1 stress_secs=2 objects=300
live=$(pool_dir zpool_test_live)
if [ -n "$live" ]; then
	check "new pool: max_zspage_pages=1 movable=0" \
		pool_matches "$live" max_zspage_pages=1 movable=0
	check "new pool: every class has one page per zspage" classes_ok "$live" 1
	check "new pool: no page isolated or migrated" \
		pool_matches "$(pool_dir zpool_test_stress)" pages_isolated=0 pages_migrated=0
else
	tap 1 "pool zpool_test_live is in $pools"
fi
check "rmmod zpool_test" rmmod zpool_test
exitline=$(klog | sed -n 's/^zpool_test: exit //p' | tail -n 1)
check "the held pools' objects were intact to the end (${exitline:-no exit line})" \
	test "$exitline" = "errors=0"
echo 8 >$params/max_zspage_pages
echo Y >$params/movable

# ---- unload ----
check "rmmod zpoolx once no pool is alive" rmmod zpoolx
check "/sys/kernel/zpoolx is gone" test ! -e /sys/kernel/zpoolx

echo "1..$n"
[ $failed = 0 ]
