# SPDX-License-Identifier: GPL-2.0
# zpoolctl drives the real module and zswap: set-backend, enable, status
# with a live pool after a workload, writeback, doctor, and a refused bad
# value that changes nothing.
# vm-kernels: debian
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 300
. "$ZPOOLX_TOP/tests/vm/lib.sh"
. "$ZPOOLX_TOP/tests/vm/e2e.sh"
z=$ZPOOLX_TOP/zpoolctl/zpoolctl
plan 14
ok "swap on" swap_on
modprobe -q lz4
load_zpoolx
backend=zbud
grep -qw zpoolx_zsmalloc /sys/kernel/zpoolx/backends && backend=zsmalloc
ok "zpoolctl set-compressor lz4" "$z" set-compressor lz4
ok "zpoolctl set-backend $backend" "$z" set-backend $backend
is "$(cat $ZSWAP_PARAMS/zpool)" "zpoolx_$backend" "zswap's zpool is now zpoolx_$backend"
ok "zpoolctl enable" "$z" enable
is "$(cat $ZSWAP_PARAMS/enabled)" Y "zswap is enabled"
ok_fails "zpoolctl set-limit 101 is refused" "$z" set-limit 101
is "$(cat $ZSWAP_PARAMS/max_pool_percent)" 20 "the refused value changed nothing"
# status while the hog's memory is out
memhog -r 1024 -c "'$z' status --json >'$TMPDIR/status.json'; '$z' status >&2" \
	$(( $(mem_total_mib) * 3 / 2 )) >/dev/null
ok "status --json is valid JSON" jq . "$TMPDIR/status.json"
id=$(jq -r '[.zpoolx.pools[] | select(.backend == "'$backend'")][0].id' "$TMPDIR/status.json")
stored=$(jq -r '[.zpoolx.pools[] | select(.backend == "'$backend'")][0].stored_pages' "$TMPDIR/status.json")
cmp_ok "${stored:-0}" -gt 0 "status shows pool $id of $backend with stored pages"
# something to write back: fill again and keep it
memhog -r 1024 -c "'$z' writeback $id 4 >&2; cat /sys/kernel/zpoolx/pools/$id/writeback >'$TMPDIR/wb'" \
	$(( $(mem_total_mib) * 3 / 2 )) >/dev/null
ok "zpoolctl writeback $id 4 reclaimed pages" grep -Eq 'requested=4 reclaimed=[1-9]' "$TMPDIR/wb"
ok "zpoolctl doctor says healthy" "$z" doctor
ok "zpoolctl set-backend kernel:zbud" "$z" set-backend kernel:zbud
is "$(cat $ZSWAP_PARAMS/zpool)" zbud "zswap's zpool is the kernel's zbud again"
done_testing
