# SPDX-License-Identifier: GPL-2.0
# Free high-order blocks around a full pool, the guest half of bench/run:
# zswap on ZPOOLX_BENCH_POOL (zpoolx_zsmalloc loaded with
# movable=ZPOOLX_BENCH_MOVABLE, or a kernel pool).  A first memory hog
# (3/5 of RAM) fills memory and waits; a second one (4/5 of RAM) pushes the
# first into the pool, verifies and exits.  Memory is free again, but
# scattered with the pool's pages: the free blocks of order 4 and above are
# counted from /proc/buddyinfo, compact_memory is written, and they are
# counted again; then the first hog verifies its pages.  Results in
# $ZPOOLX_RESULTS/frag.txt.
# vm-manual: yes
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 400
# shellcheck shell=bash
. "$ZPOOLX_TOP/tests/vm/lib.sh"
. "$ZPOOLX_TOP/tests/vm/e2e.sh"
pool=${ZPOOLX_BENCH_POOL:-zpoolx_zsmalloc} movable=${ZPOOLX_BENCH_MOVABLE:-Y}
plan 4

# high_order_blocks: "blocks pages" free in blocks of order >= 4, all zones
high_order_blocks() {
	awk '{ for (o = 4; o + 5 <= NF; o++) { b += $(o + 5); p += $(o + 5) * 2 ^ o } }
	     END { printf "%d %d\n", b, p }' /proc/buddyinfo
}
measure() {
	read -r b0 p0 < <(high_order_blocks)
	echo 1 >/proc/sys/vm/compact_memory
	read -r b1 p1 < <(high_order_blocks)
	d=$(pool_dirs "$pool" | tail -n 1)
	m=$( [ -n "$d" ] && cat "$d/pages_migrated" 2>/dev/null || echo -)
	pp=$( [ -n "$d" ] && cat "$d/pages" 2>/dev/null || echo -)
	echo "before_blocks=$b0 before_pages=$p0 after_blocks=$b1 after_pages=$p1 pool_pages=$pp migrated=$m stored_pages=$(cat /sys/kernel/debug/zswap/stored_pages)" >"$TMPDIR/frag"
}

ok "swap on" swap_on
if [ "${pool#zpoolx_}" != "$pool" ]; then
	ok "insmod zpoolx movable=$movable" load_zpoolx movable="$movable"
else
	ok "kernel pool $pool (its pages are movable)" true
fi
ok "zswap on $pool" zswap_setup "$pool" lz4
echo 50 >$ZSWAP_PARAMS/max_pool_percent
ram=$(mem_total_mib)
a=$((ram * 3 / 5)) b=$((ram * 4 / 5))
ok "$pool: memhog $a MiB pushed into the pool by memhog $b MiB, both verified" \
	memhog -r 1024 -c "$(declare -f high_order_blocks measure pool_dirs)
		$ZPOOLX_TOP/build/tools/memhog -r 1024 $b >&2 && pool=$pool measure" "$a"
. "$TMPDIR/frag"
{
	echo "pool=$pool"
	echo "movable=$movable"
	tr ' ' '\n' <"$TMPDIR/frag"
} >"$ZPOOLX_RESULTS/frag.txt"
cat "$ZPOOLX_RESULTS/frag.txt" >&2
done_testing
