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
# vm-kernels: debian debug arm64
# vm-mem: 256M
# vm-smp: 2
# vm-timeout: 400
# vm-timeout-debug: 2400
# shellcheck shell=bash
set -u
. "$ZPOOLX_TOP/tests/vm/lib.sh"
type=zpoolx_zsmalloc
. "$ZPOOLX_TOP/tests/vm/kmod.sh"
params=/sys/module/zpoolx/parameters

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
			# zspages get their pages as slots first need them
			z = $8 + $9 + $10 + $11
			if ($5 > z * $3) bad("objs_allocated " $5 " > " z " zspages")
			if ($7 > z * $4) bad("pages_used " $7 " > " z " zspages")
			if ($5 * $2 > $7 * psz) bad("objs_allocated " $5 " x " $2 " > " $7 " pages")
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

# zsmalloc's own files of a held pool
zsmalloc_pool_checks() { # NAME DIR
	local name=$1 dir=$2 pages meta objs f
	pages=$(val "$dir" pages) meta=$(val "$dir" metadata_bytes) objs=$(val "$dir" objects)
	# a handle (16 bytes) per object, the pool and its classes (some KiB)
	check "pool $name: metadata_bytes $meta counts a handle per object ($objs) and the pool" \
		test "$meta" -gt $((objs * 16 + 4096))
	check "pool $name: backend, type, state, evictable, pool_bytes (pages + metadata), max_zspage_pages, movable" \
		pool_matches "$dir" backend=zsmalloc type=$type state=active \
		evictable=1 pool_bytes=$((pages * pagesize + meta)) max_zspage_pages=16 movable=1
	check "pool $name: per-class directories are consistent" classes_ok "$dir" 16
	check "pool $name: classes' pages_used add up to pages, objs_used to objects" \
		test "$(class_sum "$dir" 7)" = "$pages" -a \
		"$(class_sum "$dir" 6)" = "$(val "$dir" objects)"
	check "pool $name: compact reads last=N total=T" \
		grep -Eqx 'last=[0-9]+ total=[0-9]+' "$dir/compact"
	for f in pages_isolated pages_migrated pages_putback migrate_failures; do
		check "pool $name: $f is a number" grep -Eqx '[0-9]+' "$dir/$f"
	done
}

# ---- load, tunables ----
load_checks
check "max_zspage_pages defaults to 16, movable to Y" \
	test "$(cat $params/max_zspage_pages)" = 16 -a "$(cat $params/movable)" = Y
for v in 0 17 -1 abc ""; do
	check "max_zspage_pages refuses '$v' (EINVAL)" \
		check_fails sh -c "echo '$v' >$params/max_zspage_pages"
done
check "max_zspage_pages is still 16" test "$(cat $params/max_zspage_pages)" = 16
check "max_zspage_pages accepts 8, then 16 again" \
	sh -c "echo 8 >$params/max_zspage_pages && test \$(cat $params/max_zspage_pages) = 8 && echo 16 >$params/max_zspage_pages"

# ---- the module's own results ----
run_kmod defaults hold=1 stress_secs=5

check_held_pools zsmalloc_pool_checks
diag "stress pool: $(for f in pages_isolated pages_migrated pages_putback migrate_failures compact; do
	printf '%s=%s ' $f "$(val "$(pool_dir zpool_test_stress)" $f)"; done)"

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
	check_writeback "$live"
else
	tap 1 "pool zpool_test_live is in $pools"
fi

unload_kmod

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
unload_kmod
echo 16 >$params/max_zspage_pages
echo Y >$params/movable

# ---- unload ----
kmod_finish
