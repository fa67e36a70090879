# SPDX-License-Identifier: GPL-2.0
# make demo: the appliance at work.  zswap on a zpoolx backend (the kernel's
# zbud where zpoolx offers none yet), a swap disk, a workload half again as
# big as RAM that verifies every page, then zswap's statistics.
# vm-manual: yes
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 300
. "$ZPOOLX_TOP/tests/vm/lib.sh"
plan 4
load_zpoolx
pool=zbud
for b in $(cat /sys/kernel/zpoolx/backends 2>/dev/null); do
	case $b in zpoolx_zbud | zpoolx_zsmalloc) pool=$b ;; esac
	[ "$pool" = zpoolx_zsmalloc ] && break
done
ok "swap on $ZPOOLX_SWAPDEV" swap_on
ok "zswap enabled on $pool with lz4" zswap_setup "$pool" lz4
hog=$(( $(mem_total_mib) * 3 / 2 ))
say "== memory hog: ${hog} MiB in a guest with $(mem_total_mib) MiB of RAM"
# Statistics while the hog's pages are out, before it reads them back.
report='. "$ZPOOLX_TOP/tests/vm/lib.sh"; say "== zswap with the memory full"; zswap_report
	zswap_stat stored_pages >"$TMPDIR/stored"
	if [ -x "$ZPOOLX_TOP/zpoolctl/zpoolctl" ]; then
		say "== zpoolctl status"; "$ZPOOLX_TOP/zpoolctl/zpoolctl" status >&2
	fi'
ok "memhog ${hog} MiB verified every page" memhog -r 1024 -c "$report" "$hog"
cmp_ok "$(cat "$TMPDIR/stored")" -gt 0 "zswap stored pages in $pool"
say "== zswap after the workload read its memory back"
zswap_report
say "== swap"
cat /proc/swaps >&2
done_testing
