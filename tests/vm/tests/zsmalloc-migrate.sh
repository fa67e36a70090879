# SPDX-License-Identifier: GPL-2.0
# zswap on zpoolx_zsmalloc while the kernel's compaction migrates pool
# pages: a memory hog of 1.5x RAM fills and verifies every page while
# /proc/sys/vm/compact_memory and the pool's own compact file are written
# again and again; the pool must report migrated pages and the data must
# come back intact.  On the debug kernel, where one compact_memory takes
# seconds under KASAN and lockdep (the 1.5x hog with one every 0.3 s took
# 837 s), the hog is 1.25x RAM and compaction is asked every 2 s: the same
# paths, still hundreds of pages migrated.
# vm-kernels: debian debug arm64
# vm-mem: 256M
# vm-mem-arm64: 192M
# vm-swap: 1G
# vm-timeout: 400
# shellcheck shell=bash
. "$ZPOOLX_TOP/tests/vm/lib.sh"
. "$ZPOOLX_TOP/tests/vm/e2e.sh"
plan 8

type=zpoolx_zsmalloc
ok "swap on $ZPOOLX_SWAPDEV" swap_on
ok "zswap on $type" zswap_setup "$type" lz4
is "$(cat /sys/module/zpoolx/parameters/movable)" Y "movable pages are on (module tunable)"

if [ "$ZPOOLX_KERNEL" = debug ]; then
	pause=2 hog=$(($(mem_total_mib) * 5 / 4))
else
	pause=0.3 hog=$(($(mem_total_mib) * 3 / 2))
fi

# Compact memory and the pool until told to stop; count the rounds.
stop=$TMPDIR/stop-compacting
compactor() {
	local rounds=0 d
	while [ ! -e "$stop" ]; do
		echo 1 >/proc/sys/vm/compact_memory
		for d in $(pool_dirs "$type"); do
			echo 1 >"$d/compact" 2>/dev/null
		done
		rounds=$((rounds + 1))
		sleep $pause
	done
	echo "$rounds" >"$TMPDIR/rounds"
}
compactor &
cpid=$!

say "== $type: memory hog of ${hog} MiB with compact_memory every $pause s"
ok "$type: memhog ${hog} MiB, every page verified while memory is compacted" \
	memhog -r 1024 -c ". $ZPOOLX_TOP/tests/vm/lib.sh; . $ZPOOLX_TOP/tests/vm/e2e.sh; _e2e_snapshot $TMPDIR/full $type; sleep 2" "$hog"
touch "$stop"
wait $cpid
rounds=$(cat "$TMPDIR/rounds" 2>/dev/null || echo 0)

dir=$(pool_dirs "$type" | tail -n 1)
for f in pages objects pages_isolated pages_migrated pages_putback migrate_failures compact; do
	say "  $f: $(cat "$dir/$f" 2>/dev/null)"
done
zswap_report
cmp_ok "$rounds" -gt 0 "compact_memory was written $rounds times during the workload"
. "$TMPDIR/full"
cmp_ok "${pool_objects:-0}" -gt 0 "$type: the pool held objects with memory full"
cmp_ok "$(cat "$dir/pages_migrated" 2>/dev/null || echo 0)" -gt 0 \
	"$type: pool pages were migrated ($(cat "$dir/pages_migrated" 2>/dev/null) migrated, $(cat "$dir/pages_isolated" 2>/dev/null) isolated, $(cat "$dir/migrate_failures" 2>/dev/null) refused)"
is "$(zswap_stat reject_reclaim_fail)" 0 "$type: no store rejected for failed reclaim"
done_testing
