# SPDX-License-Identifier: GPL-2.0
# Installation and the systemd unit: make install honours DESTDIR and
# PREFIX; the unit is Type=notify, hardened, and writes only the files of
# zpoold's decisions; systemd-analyze verifies it.

d=$WORK/inst
make -s -C "$TOP/daemon" install DESTDIR="$d" PREFIX=/usr >"$WORK/inst.out" 2>&1
rc=$?
tap $( { [ "$rc" = 0 ] && [ -x "$d/usr/sbin/zpoold" ] && [ -f "$d/usr/share/man/man8/zpoold.8" ] &&
	[ -f "$d/usr/share/man/man5/zpoold.json.5" ] && [ -f "$d/etc/zpoold/zpoold.json" ] &&
	[ -f "$d/lib/systemd/system/zpoold.service" ] &&
	[ -f "$d/usr/share/zpoold/profiles/512M.json" ] && [ -f "$d/usr/share/zpoold/profiles/1G.json" ] &&
	[ -f "$d/usr/share/zpoold/profiles/2G.json" ]; }; echo $?) \
	"make install DESTDIR PREFIX: sbin/zpoold, zpoold.8, zpoold.json.5, /etc/zpoold/zpoold.json, the unit, the profiles"
echo '{ "interval_ms": 5000 }' >"$d/etc/zpoold/zpoold.json"
make -s -C "$TOP/daemon" install DESTDIR="$d" PREFIX=/usr >/dev/null 2>&1
tap $(grep -q 5000 "$d/etc/zpoold/zpoold.json"; echo $?) "make install keeps an existing /etc/zpoold/zpoold.json"
make -s -C "$TOP/daemon" install DESTDIR="$WORK/inst2" PREFIX=/opt/z >/dev/null 2>&1
tap $(grep -q '^ExecStart=/opt/z/sbin/zpoold --foreground$' "$WORK/inst2/lib/systemd/system/zpoold.service"; echo $?) \
	"the installed unit runs PREFIX/sbin/zpoold"

u=$TOP/configs/zpoold.service
for k in 'Type=notify' 'WatchdogSec=' 'ExecReload=/bin/kill -HUP $MAINPID' 'NoNewPrivileges=yes' \
	'ProtectSystem=strict' 'ProtectKernelTunables=yes' 'ProtectKernelModules=yes' 'PrivateTmp=yes' \
	'CapabilityBoundingSet=CAP_BPF CAP_PERFMON' 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
	'SystemCallFilter=@system-service bpf perf_event_open' 'MemoryDenyWriteExecute=yes'; do
	tap $(grep -qxF -- "$k" <(sed 's/\(WatchdogSec=\).*/\1/' "$u"); echo $?) "zpoold.service: $k"
done
# ReadWritePaths: exactly the files the executor writes (zpoold.c, execute())
rw=$(grep '^ReadWritePaths=' "$u" | cut -d= -f2 | sort | tr '\n' ' ')
tap $( [ "$rw" = "-/sys/kernel/zpoolx/pools /sys/module/zswap/parameters/enabled /sys/module/zswap/parameters/max_pool_percent /sys/module/zswap/parameters/zpool " ]; echo $?) \
	"ReadWritePaths: enabled, max_pool_percent, zpool and the pools' directory only ($rw)"
written=$(grep -oE '(ZPOOLX_SYS|ZSWAP_PARAMS) "/[a-z_%/]+"' "$TOP/daemon/zpoold.c" | sort -u | tr '\n' ' ')
tap $( [ "$written" = 'ZPOOLX_SYS "/pools/%lu/compact" ZPOOLX_SYS "/pools/%lu/writeback" ZSWAP_PARAMS "/enabled" ZSWAP_PARAMS "/max_pool_percent" ZSWAP_PARAMS "/zpool" ' ]; echo $?) \
	"the executor writes only those files ($written)"
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/sbin/zpoold|$ZPOOLD|" "$u" >"$WORK/zpoold.service"
	systemd-analyze verify "$WORK/zpoold.service" >"$WORK/verify.out" 2>&1
	bad=$(grep -v "man zpoold\|Command 'man" "$WORK/verify.out")
	tap $( [ -z "$bad" ]; echo $?) "systemd-analyze verify zpoold.service${bad:+: $bad}"
else
	skip "systemd-analyze is not installed"
fi
