# SPDX-License-Identifier: GPL-2.0
# zpoolctl and zpoold against the real module, zswap and sysfs, in one
# short boot (the aarch64 lane's; the Debian lane has the longer
# zpoolctl.sh and zpoold.sh).  zpoolctl puts zswap on zpoolx_zsmalloc and
# refuses a bad value without changing it; zpoold runs with a low high
# watermark and serves its metrics; a memory hog in a memory cgroup
# limited to 32 MiB pushes its pages through zswap in seconds, and with
# them out zpoolctl reads the pool (status --json), writes back from it
# and finds it healthy (doctor) while zpoold has written back on its own
# and counted it, BPF statistics included, in /metrics.
# vm-kernels: arm64
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 240
# shellcheck shell=bash source=tests/vm/lib.sh
. "$ZPOOLX_TOP/tests/vm/lib.sh"
z=$ZPOOLX_TOP/zpoolctl/zpoolctl
zpoold=$ZPOOLX_TOP/daemon/zpoold
port=9436
cg=/sys/fs/cgroup
plan 20

# get PATH: an HTTP GET of zpoold's
get() { curl -sf -m 5 "http://127.0.0.1:$port$1"; }

ip link set lo up 2>/dev/null || busybox ip link set lo up
ok "swap on $ZPOOLX_SWAPDEV" swap_on
modprobe -q lz4
ok "insmod zpoolx" load_zpoolx
ok "zpoolctl set-compressor lz4" "$z" set-compressor lz4
ok "zpoolctl set-backend zsmalloc" "$z" set-backend zsmalloc
is "$(cat "$ZSWAP_PARAMS/zpool")" zpoolx_zsmalloc "zswap's zpool is zpoolx_zsmalloc"
ok "zpoolctl enable" "$z" enable
limit=$(cat "$ZSWAP_PARAMS/max_pool_percent")
ok_fails "zpoolctl set-limit 101 is refused" "$z" set-limit 101
is "$(cat "$ZSWAP_PARAMS/max_pool_percent")" "$limit" "the refused value changed nothing"

cat >"$TMPDIR/zpoold.json" <<EOF
{
  "interval_ms": 100,
  "metrics": { "listen": "127.0.0.1:$port" },
  "writeback": { "high_watermark_percent": 40, "low_watermark_percent": 30,
                 "max_pages_per_cycle": 1024 },
  "backend": { "policy": "fixed", "fixed": "zsmalloc" }
}
EOF
ok "zpoold --check-config accepts the test's configuration" \
	"$zpoold" --check-config --config "$TMPDIR/zpoold.json"
"$zpoold" --foreground --config "$TMPDIR/zpoold.json" 2>"$TMPDIR/zpoold.log" &
zpid=$!
up=1
for _ in $(seq 100); do
	[ "$(get /healthz 2>/dev/null)" = ok ] && { up=0; break; }
	sleep 0.2
done
_tap $up "zpoold is up and /healthz answers ok"

# The hog in a 32 MiB memory cgroup: with its memory out, zpoolctl reads
# the pool and writes 4 pages' worth back (the limit lifted meanwhile:
# writeback reads objects into swap cache pages charged to this cgroup)
[ -e $cg/cgroup.controllers ] || mount -t cgroup2 none $cg
echo +memory >$cg/cgroup.subtree_control
mkdir -p $cg/hog
echo 32M >$cg/hog/memory.max
inside="sleep 2; '$z' status --json >'$TMPDIR/status.json'; '$z' status >&2
id=\$(jq -r '[.zpoolx.pools[] | select(.backend == \"zsmalloc\")][0].id' '$TMPDIR/status.json')
echo max >$cg/hog/memory.max
'$z' writeback \"\$id\" 4 >&2; cat /sys/kernel/zpoolx/pools/\$id/writeback >'$TMPDIR/wb'
'$z' doctor >'$TMPDIR/doctor.txt' 2>&1; echo \$? >'$TMPDIR/doctor.rc'
echo 32M >$cg/hog/memory.max"
ok "memhog 96 MiB in a 32 MiB cgroup, every page verified" \
	bash -c "echo \$\$ >$cg/hog/cgroup.procs && exec '$ZPOOLX_TOP/build/tools/memhog' -r 1024 -c \"\$1\" 96" _ "$inside"
ok "zpoolctl status --json is valid JSON" jq . "$TMPDIR/status.json"
stored=$(jq -r '[.zpoolx.pools[] | select(.backend == "zsmalloc")][0].stored_pages' "$TMPDIR/status.json")
cmp_ok "${stored:-0}" -gt 0 "zpoolctl status shows a zsmalloc pool with stored pages"
ok "zpoolctl writeback POOL 4 reclaimed pages ($(cat "$TMPDIR/wb" 2>/dev/null))" \
	grep -Eq 'requested=4 reclaimed=[1-9]' "$TMPDIR/wb"
is "$(cat "$TMPDIR/doctor.rc" 2>/dev/null)" 0 "zpoolctl doctor says healthy"
sed 's/^/  doctor: /' "$TMPDIR/doctor.txt" >&2

# zpoold's own view: it wrote back and counted it, BPF included
get /metrics >"$TMPDIR/metrics.txt"
grep -Eq '^zpoolx_daemon_decisions_total\{action="writeback",reason="above_high_watermark"\} [1-9]' "$TMPDIR/metrics.txt"
_tap $? "/metrics: zpoold decided to write back, above the high watermark ($(grep -c 'info: writeback: ' "$TMPDIR/zpoold.log") decisions logged)"
grep -m 2 'info: writeback: ' "$TMPDIR/zpoold.log" | sed 's/^/# /'
grep -Eq '^zpoolx_pool_writeback_pages_total\{pool="[0-9]+"\} [1-9]' "$TMPDIR/metrics.txt"
_tap $? "/metrics: zpoolx_pool_writeback_pages_total counts the pages written back"
grep -q '^zpoolx_daemon_bpf_active 1' "$TMPDIR/metrics.txt"
_tap $? "/metrics: BPF statistics active ($(grep -m1 -i 'bpf' "$TMPDIR/zpoold.log"))"
grep -Eq '^zpoolx_bpf_zswap_stores_total\{result="stored"\} [1-9]' "$TMPDIR/metrics.txt"
_tap $? "/metrics: zpoolx_bpf_zswap_stores_total counted zswap's stores"

kill -TERM $zpid
wait $zpid
is "$?" 0 "zpoold stops cleanly on SIGTERM"
done_testing
