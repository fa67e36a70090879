# SPDX-License-Identifier: GPL-2.0
# The zpool API test module (tests/kmod/zpool_test.c) against zpoolx_zbud:
# every result of the module becomes a TAP line here; then, with the two
# pools the module keeps alive (hold=1), their sysfs counters are compared
# with what the module saw, writeback is driven through sysfs into the
# module's evict callback, and the unload rules are checked (zpoolx cannot
# go while a pool lives, can once none does).
# vm-kernels: debian debug arm64
# vm-mem: 256M
# vm-smp: 2
# vm-timeout: 300
# shellcheck shell=bash
set -u
. "$ZPOOLX_TOP/tests/vm/lib.sh"
type=zpoolx_zbud
. "$ZPOOLX_TOP/tests/vm/kmod.sh"

# zbud's own files of a held pool
zbud_pool_checks() { # NAME DIR
	local name=$1 dir=$2 pages meta
	pages=$(val "$dir" pages) meta=$(val "$dir" metadata_bytes)
	check "pool $name: metadata_bytes is its pool structure (0 < $meta < 4096)" \
		test "$meta" -gt 0 -a "$meta" -lt 4096
	check "pool $name: backend, type, state, evictable, pool_bytes (pages + metadata)" \
		pool_matches "$dir" backend=zbud type=$type state=active \
		evictable=1 pool_bytes=$((pages * pagesize + meta))
	check "pool $name: unbuddied + buddied = pages, none under reclaim" \
		test "$(($(val "$dir" unbuddied_pages) + $(val "$dir" buddied_pages)))" = "$pages" \
		-a "$(val "$dir" reclaiming_pages)" = 0
}

load_checks
run_kmod defaults hold=1 stress_secs=5
check_held_pools zbud_pool_checks

# One zbud page per reclaimed unit: exactly the 2 pages asked for.
live=$(pool_dir zpool_test_live)
if [ -n "$live" ]; then
	check_writeback "$live" reclaimed_pages=2 reclaiming_pages=0
else
	tap 1 "pool zpool_test_live is in $pools"
fi

unload_kmod
kmod_finish
