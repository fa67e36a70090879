# SPDX-License-Identifier: GPL-2.0
# zpoolx.ko loads, offers its sysfs root and zpool types, and unloads
# cleanly, twice in a row.
# vm-kernels: debian debug arm64
# vm-mem: 192M
# vm-timeout: 180
. "$ZPOOLX_TOP/tests/vm/lib.sh"
plan 12
ko=$ZPOOLX_BUILD/zpoolx.ko
want=$(modinfo -F version "$ko")
ok "modinfo has a version" test -n "$want"
for round in 1 2; do
	ok "round $round: insmod zpoolx" load_zpoolx
	is "$(cat /sys/kernel/zpoolx/version 2>&1)" "$want" "round $round: /sys/kernel/zpoolx/version"
	is "$(cat /sys/module/zpoolx/version 2>&1)" "$want" "round $round: /sys/module/zpoolx/version"
	ok "round $round: pools/ exists and is empty" test -d /sys/kernel/zpoolx/pools -a -z "$(ls /sys/kernel/zpoolx/pools)"
	ok "round $round: rmmod zpoolx" rmmod zpoolx
done
is "$(ls -d /sys/kernel/zpoolx 2>/dev/null)" "" "/sys/kernel/zpoolx gone after unload"
done_testing
