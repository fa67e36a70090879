#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The system lane's driver inside the guest: a booted Debian 12 with
# systemd as PID 1 (tests/vm/system/README.md).  zpoolx-lane.service (part
# of the image) starts it at every boot from the 9p share /mnt/lane; the
# boot's phase comes on the kernel command line (zxlane=PHASE).  Each phase
# writes TAP to /mnt/lane/out/PHASE.tap and its log to PHASE.log, then
# /mnt/lane/out/PHASE.done, and powers the guest off.
#
#   install  apt install of the .debs; DKMS builds the module in the guest
#   main     after the reboot: boot-time state, zpoold under systemd,
#            metrics, a memory hog, reload, watchdog, security, upgrade,
#            a second kernel, remove and purge
set -u
lane=/mnt/lane
out=$lane/out
phase=$(sed -n 's/.*zxlane=\([a-z]*\).*/\1/p' /proc/cmdline)
mkdir -p "$out"
exec >"$out/$phase.log" 2>&1
# shellcheck disable=SC1091
. "$lane/lane.env" # VERSION VERSION_NEXT KVER KVER2
export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin

n=0
tap() { # RC DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2" >>"$out/$phase.tap"
	else
		echo "not ok $n - $2" >>"$out/$phase.tap"
	fi
	echo "[$(date +%T)] $( [ "$1" = 0 ] && echo ok || echo FAIL): $2"
}
note() { # TEXT: a diagnostic in the TAP stream and the log
	echo "# $*" >>"$out/$phase.tap"
	echo "[$(date +%T)] # $*"
}
# wait_for SECONDS CMD...: until CMD succeeds, polling every 0.5 s
wait_for() {
	local end=$(( $(date +%s) + $1 ))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.5
	done
}
finish() {
	dmesg >"$out/$phase.dmesg"
	journalctl -b --no-pager >"$out/$phase.journal" 2>&1
	echo "1..$n" >>"$out/$phase.tap"
	touch "$out/$phase.done"
	sync
	systemctl poweroff
	exit 0
}
zswap() { cat "/sys/module/zswap/parameters/$1"; }
zswap_is() { [ "$(zswap "$1")" = "$2" ]; }
file_list() { # the files of the root file system, less what changes by itself
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run \
		-o -path /tmp -o -path /mnt -o -path /var/log -o -path /var/cache \
		-o -path /var/lib/apt -o -path /var/lib/dpkg -o -path /var/lib/systemd \
		-o -path /var/tmp -o -path /etc/ld.so.cache -o -path /lost+found \) -prune -o -print | sort
}

# the boot is complete (the lane's own unit is Type=simple, so this does
# not wait for itself); a failed unit is a failure of the lane
state=$(systemctl is-system-running --wait)
tap "$( [ "$state" = running ]; echo $?)" "$phase: boot complete, system $state"
[ "$state" = running ] || note "failed units: $(systemctl --failed --no-legend --plain | tr '\n' ';')"

case $phase in
install)
	file_list >"$out/files-before"
	mkswap -q /dev/vdb && echo "/dev/vdb none swap sw 0 0" >>/etc/fstab && swapon -a
	tap "$(grep -q '^/dev/vdb ' /proc/swaps; echo $?)" "install: swap on /dev/vdb"

	t0=$(date +%s)
	apt-get install -y "$lane/debs/zpoolx-dkms_${VERSION}_all.deb" \
		"$lane"/debs/zpoolx-tools_"${VERSION}"_*.deb >"$out/apt-install.log" 2>&1
	rc=$?
	tap $rc "install: apt-get install ./zpoolx-dkms ./zpoolx-tools (${VERSION}), $(( $(date +%s) - t0 ))s with DKMS building in the guest"
	[ $rc = 0 ] || tail -n 30 "$out/apt-install.log"
	st=$(dkms status zpoolx 2>/dev/null)
	note "dkms status: $st"
	tap "$(grep -qx "zpoolx/$VERSION, $KVER, x86_64: installed" <<<"$st"; echo $?)" \
		"install: dkms status says zpoolx/$VERSION installed for $KVER"
	# one version, one source: changelog (the packages'), module, tools
	v_dkms=$(dpkg-query -W -f='${Version}' zpoolx-dkms)
	v_tools=$(dpkg-query -W -f='${Version}' zpoolx-tools)
	v_mod=$(modinfo -F version zpoolx)
	v_ctl=$(zpoolctl --version)
	v_d=$(zpoold --version)
	tap "$( [ "$v_dkms $v_tools $v_mod $v_ctl $v_d" = "$VERSION $VERSION $VERSION zpoolctl $VERSION zpoold $VERSION" ]; echo $?)" \
		"install: one version: packages $v_dkms and $v_tools, modinfo $v_mod, '$v_ctl', '$v_d'"
	# without a reboot: the module loaded by the postinst, zpoold started,
	# zswap put on zpoolx_zsmalloc and turned on by zpoold
	tap "$( [ -d /sys/module/zpoolx ]; echo $?)" "install: module loaded right after installation"
	tap "$(systemctl is-active -q zpoold; echo $?)" "install: zpoold active right after installation"
	wait_for 20 zswap_is zpool zpoolx_zsmalloc && wait_for 5 zswap_is enabled Y
	tap $? "install: zswap on $(zswap zpool), enabled=$(zswap enabled), set by zpoold"
	# the administrator's edit of the conffile, which the upgrade must keep
	sed -i 's/"interval_ms": 1000/"interval_ms": 500/' /etc/zpoold/zpoold.json
	tap "$(grep -q '"interval_ms": 500' /etc/zpoold/zpoold.json; echo $?)" "install: conffile edited (interval_ms 500)"
	cp /etc/zpoold/zpoold.json "$out/conffile-edited"
	;;

main)
	# ---- what the boot did ----
	# by its identifier: it logs before its unit is known to the journal
	journalctl -b -t systemd-modules-load --no-pager >"$out/modules-load.log"
	tap "$( [ -d /sys/module/zpoolx ] && grep -q "systemd-modules-load.*Inserted module 'zpoolx'" "$out/modules-load.log"; echo $?)" \
		"boot: zpoolx loaded at boot by systemd-modules-load (modules-load.d/zpoolx.conf)"
	wait_for 20 zswap_is zpool zpoolx_zsmalloc && wait_for 5 zswap_is enabled Y
	tap $? "boot: zswap on $(zswap zpool), enabled=$(zswap enabled) (zpoold, from /etc/zpoold/zpoold.json)"
	tap "$(systemctl is-active -q zpoold; echo $?)" "boot: systemctl is-active zpoold (Type=notify: READY=1 was sent)"
	status=$(systemctl show -p StatusText --value zpoold)
	tap "$( [ -n "$status" ]; echo $?)" "boot: zpoold's STATUS= reaches systemd: '$status'"
	tap "$(journalctl -b -u zpoold --no-pager | grep -q 'zpoold\[[0-9]*\]: '; echo $?)" "boot: zpoold logs to the journal"
	zpoolctl >"$out/zpoolctl.txt" 2>&1
	rc=$?
	tap "$( [ $rc = 0 ] && grep -q zpoolx_zsmalloc "$out/zpoolctl.txt"; echo $?)" "boot: zpoolctl status (exit $rc) shows zpoolx_zsmalloc"

	# ---- metrics, under load ----
	curl -sf http://127.0.0.1:9436/metrics >"$out/metrics.txt"
	tap $? "metrics: curl http://127.0.0.1:9436/metrics"
	promtool check metrics <"$out/metrics.txt" >"$out/promtool.txt" 2>&1
	tap $? "metrics: promtool check metrics passes ($(grep -c '^zpoolx_' "$out/metrics.txt") zpoolx_ samples)"
	hog=$(( $(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo) * 3 / 2 ))
	"$lane/memhog" -r 1024 "$hog" >"$out/memhog.txt" 2>&1
	rc=$?
	objs=$(cat /sys/kernel/zpoolx/pools/*/objects 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
	tap $rc "hog: memhog $hog MiB (1.5x RAM) through zswap on zpoolx_zsmalloc, every page verified"
	note "after the hog: zpoolx objects $objs; $(tail -n 1 "$out/memhog.txt")"
	tap "$(systemctl is-active -q zpoold; echo $?)" "hog: zpoold still active"

	# ---- reload: a good file, then a bad one ----
	since=$(date '+%Y-%m-%d %H:%M:%S')
	sed -i 's/"interval_ms": 500/"interval_ms": 400/' /etc/zpoold/zpoold.json
	systemctl reload zpoold
	wait_for 10 sh -c "journalctl -u zpoold --since '$since' --no-pager | grep -q 'configuration reloaded'"
	tap $? "reload: a good configuration is taken (journal: configuration reloaded)"
	cp /etc/zpoold/zpoold.json /tmp/good.json
	since=$(date '+%Y-%m-%d %H:%M:%S')
	sed -i 's/"interval_ms": 400/"interval_ms": 5/' /etc/zpoold/zpoold.json
	pid=$(systemctl show -p MainPID --value zpoold)
	systemctl reload zpoold
	wait_for 10 sh -c "journalctl -u zpoold --since '$since' --no-pager | grep -q 'reload refused'"
	journalctl -u zpoold --since "$since" --no-pager >"$out/reload-bad.journal"
	tap "$(grep -q 'interval_ms: 5 is out of range' "$out/reload-bad.journal" && grep -q 'the running configuration stays' "$out/reload-bad.journal"; echo $?)" \
		"reload: a bad configuration is refused; the journal names the key and the reason"
	note "$(grep -m1 'interval_ms' "$out/reload-bad.journal")"
	tap "$( systemctl is-active -q zpoold && [ "$(systemctl show -p MainPID --value zpoold)" = "$pid" ]; echo $?)" \
		"reload: zpoold runs on, same process, the running configuration kept"
	curl -sf http://127.0.0.1:9436/metrics >"$out/metrics-reload.txt"
	tap "$(grep -qx 'zpoolx_daemon_config_reloads_total{result="error"} 1' "$out/metrics-reload.txt"; echo $?)" \
		"reload: the refused reload is counted (zpoolx_daemon_config_reloads_total{result=\"error\"} 1)"
	cp "$out/conffile-edited" /etc/zpoold/zpoold.json
	systemctl reload zpoold

	# ---- the watchdog: a stopped zpoold is killed and restarted ----
	mkdir -p /run/systemd/system/zpoold.service.d
	printf '[Service]\nWatchdogSec=3s\nRestartSec=1s\n' >/run/systemd/system/zpoold.service.d/lane-watchdog.conf
	systemctl daemon-reload
	systemctl restart zpoold
	wait_for 10 systemctl is-active -q zpoold
	pid=$(systemctl show -p MainPID --value zpoold)
	restarts=$(systemctl show -p NRestarts --value zpoold)
	since=$(date '+%Y-%m-%d %H:%M:%S')
	kill -STOP "$pid"
	wait_for 30 sh -c "p=\$(systemctl show -p MainPID --value zpoold); [ \"\$p\" != 0 ] && [ \"\$p\" != $pid ] && systemctl is-active -q zpoold"
	rc=$?
	journalctl -u zpoold --since "$since" --no-pager >"$out/watchdog.journal"
	tap "$( [ $rc = 0 ] && grep -q 'Watchdog timeout' "$out/watchdog.journal"; echo $?)" \
		"watchdog: zpoold SIGSTOPped (pid $pid) is killed on 'Watchdog timeout' and restarted (now pid $(systemctl show -p MainPID --value zpoold), NRestarts $restarts -> $(systemctl show -p NRestarts --value zpoold))"
	rm -r /run/systemd/system/zpoold.service.d
	systemctl daemon-reload
	systemctl restart zpoold

	# ---- systemd-analyze security ----
	systemd-analyze security --no-pager zpoold.service >"$out/security.txt" 2>&1
	exposure=$(sed -n 's/.*Overall exposure level for zpoold.service: \([0-9.]*\).*/\1/p' "$out/security.txt")
	note "systemd-analyze security zpoold.service: exposure ${exposure:-?}"
	tap "$(awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'; echo $?)" \
		"security: systemd-analyze security exposure ${exposure:-?} (goal: 2.0 or lower)"

	# ---- upgrade N -> N+1, swap on all the while ----
	pid=$(systemctl show -p MainPID --value zpoold)
	(
		while [ ! -e /tmp/stop-sampling ]; do
			grep -q '^/dev/vdb ' /proc/swaps || echo "$(date +%T.%N) swap off" >>/tmp/swap-off
			zswap_is enabled Y || echo "$(date +%T.%N) zswap off" >>/tmp/swap-off
			sleep 0.2
		done
	) &
	sampler=$!
	t0=$(date +%s)
	apt-get install -y "$lane/debs-next/zpoolx-dkms_${VERSION_NEXT}_all.deb" \
		"$lane"/debs-next/zpoolx-tools_"${VERSION_NEXT}"_*.deb >"$out/apt-upgrade.log" 2>&1
	rc=$?
	touch /tmp/stop-sampling
	wait $sampler
	tap $rc "upgrade: apt-get install of $VERSION_NEXT over $VERSION, $(( $(date +%s) - t0 ))s"
	[ $rc = 0 ] || tail -n 30 "$out/apt-upgrade.log"
	tap "$(cmp -s "$out/conffile-edited" /etc/zpoold/zpoold.json; echo $?)" \
		"upgrade: the edited conffile /etc/zpoold/zpoold.json is kept"
	newpid=$(systemctl show -p MainPID --value zpoold)
	tap "$( systemctl is-active -q zpoold && [ "$newpid" != "$pid" ] && [ "$(zpoold --version)" = "zpoold $VERSION_NEXT" ]; echo $?)" \
		"upgrade: zpoold restarted (pid $pid -> $newpid) as $(zpoold --version)"
	st=$(dkms status zpoolx 2>/dev/null)
	note "dkms status: $st"
	tap "$( grep -qx "zpoolx/$VERSION_NEXT, $KVER, x86_64: installed" <<<"$st" && ! grep -q "zpoolx/$VERSION," <<<"$st" &&
		[ "$(modinfo -F version zpoolx)" = "$VERSION_NEXT" ]; echo $?)" \
		"upgrade: DKMS rebuilt the module: $VERSION_NEXT installed for $KVER, $VERSION gone"
	tap "$( [ ! -s /tmp/swap-off ]; echo $?)" "upgrade: swap and zswap never off during the upgrade$( [ -s /tmp/swap-off ] && echo ": $(head -n 3 /tmp/swap-off | tr '\n' ';')")"
	note "the running module stays $(cat /sys/module/zpoolx/version) until the next boot: zswap's pool lives on it"

	# ---- a second 6.1 kernel: DKMS builds for it ----
	t0=$(date +%s)
	# INITRD=No: this kernel is never booted here, so its initramfs (a
	# minute of TCG time) is not made; DKMS's kernel hook runs as usual
	INITRD=No apt-get install -y "$lane"/extra/*.deb >"$out/apt-kernel2.log" 2>&1
	rc=$?
	tap $rc "kernel2: apt-get install linux-image-$KVER2 and its headers, $(( $(date +%s) - t0 ))s"
	[ $rc = 0 ] || tail -n 30 "$out/apt-kernel2.log"
	st=$(dkms status zpoolx 2>/dev/null)
	note "dkms status: $st"
	tap "$( grep -qx "zpoolx/$VERSION_NEXT, $KVER2, x86_64: installed" <<<"$st" &&
		modinfo -k "$KVER2" -F vermagic zpoolx | grep -q "^$KVER2 "; echo $?)" \
		"kernel2: DKMS built zpoolx $VERSION_NEXT for $KVER2 (vermagic $(modinfo -k "$KVER2" -F vermagic zpoolx 2>/dev/null))"

	# ---- remove, then purge ----
	apt-get remove -y zpoolx-tools zpoolx-dkms >"$out/apt-remove.log" 2>&1
	rc=$?
	tap $rc "remove: apt-get remove zpoolx-tools zpoolx-dkms"
	tap "$( ! systemctl is-active -q zpoold; echo $?)" "remove: zpoold stopped ($(systemctl is-active zpoold))"
	tap "$( ! grep -qiE 'rmmod|modprobe: (fatal|error)' "$out/apt-remove.log" && zswap_is zpool zbud; echo $?)" \
		"remove: zswap moved to the kernel's $(zswap zpool), no error from rmmod or modprobe"
	if [ -d /sys/module/zpoolx ]; then
		tap "$(grep -q 'the zpoolx module stays loaded: zswap still holds pages' "$out/apt-remove.log"; echo $?)" \
			"remove: the module stays loaded while zswap's pool on it lives, and the package says so"
	else
		tap 0 "remove: the module was unloaded (no pool held it)"
	fi
	note "$(grep 'zpoolx-dkms:' "$out/apt-remove.log" | tr '\n' ' ')"
	tap "$( ! ls /lib/modules/*/updates/dkms/zpoolx.ko >/dev/null 2>&1 && [ -z "$(dkms status zpoolx 2>/dev/null)" ]; echo $?)" \
		"remove: the module's files are gone for every kernel, dkms status is empty"
	apt-get purge -y zpoolx-tools zpoolx-dkms >"$out/apt-purge.log" 2>&1
	tap $? "purge: apt-get purge zpoolx-tools zpoolx-dkms"
	tap "$( [ ! -e /etc/zpoold ] && ! dpkg-query -W zpoolx-tools zpoolx-dkms >/dev/null 2>&1; echo $?)" "purge: /etc/zpoold and both packages gone"
	file_list >"$out/files-after"
	# left behind: what is new since before the installation, less the
	# second kernel (installed on purpose: its packages' files, and what
	# its scripts made, named after it)
	dpkg-query -W -f='${Package}\n' "linux-*$KVER2" "linux-headers-*-common-rt" 2>/dev/null |
		xargs -r dpkg -L 2>/dev/null | sort -u >"$out/files-kernel2"
	left=$(comm -13 "$out/files-before" "$out/files-after" |
		comm -23 - "$out/files-kernel2" | grep -vF "$KVER2" | grep -vE '^/root/\.' || true)
	tap "$( [ -z "$left" ]; echo $?)" "purge: no file left behind (file lists before installation and after purge)${left:+: $(head -n 5 <<<"$left" | tr '\n' ' ')}"
	;;
*)
	tap 1 "unknown phase '$phase' (accepted: install, main)"
	;;
esac
finish
