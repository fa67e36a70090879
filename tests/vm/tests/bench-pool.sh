# SPDX-License-Identifier: GPL-2.0
# One pool's run of the side-by-side benchmark (bench/run): zswap with lz4
# on ZPOOLX_BENCH_POOL, a memory hog of ZPOOLX_BENCH_HOG MiB verified, and
# the counters with the memory full, written to $ZPOOLX_RESULTS/bench.txt.
# vm-manual: yes
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 400
. "$ZPOOLX_TOP/tests/vm/lib.sh"
. "$ZPOOLX_TOP/tests/vm/e2e.sh"
pool=${ZPOOLX_BENCH_POOL:?} hog=${ZPOOLX_BENCH_HOG:-384}
plan 3
ok "swap on" swap_on
ok "zswap on $pool" zswap_setup "$pool" lz4
start=$(date +%s.%N)
ok "$pool: memhog $hog MiB verified" \
	memhog -r 1024 -c ". $ZPOOLX_TOP/tests/vm/lib.sh; . $ZPOOLX_TOP/tests/vm/e2e.sh; _e2e_snapshot $TMPDIR/full $pool" "$hog"
end=$(date +%s.%N)
. "$TMPDIR/full"
{
	echo "pool=$pool"
	echo "stored_pages=$zswap_stored_pages"
	echo "pool_bytes=$zswap_pool_total_size"
	echo "bytes_per_stored_page=$(( zswap_stored_pages > 0 ? zswap_pool_total_size / zswap_stored_pages : 0 ))"
	echo "stored_bytes=${pool_stored_bytes:-}"
	echo "written_back=$(zswap_stat written_back_pages)"
	echo "pool_limit_hit=$(zswap_stat pool_limit_hit)"
	echo "reject_reclaim_fail=$(zswap_stat reject_reclaim_fail)"
	echo "reject_alloc_fail=$(zswap_stat reject_alloc_fail)"
	echo "wall_seconds=$(awk "BEGIN { printf \"%.1f\", $end - $start }")"
} >"$ZPOOLX_RESULTS/bench.txt"
cat "$ZPOOLX_RESULTS/bench.txt" >&2
done_testing
