# SPDX-License-Identifier: GPL-2.0
# Android-like mode of the aarch64 lane: what a vendor Android device with
# zswap in its kernel runs, without Android.  No systemd, no debugfs;
# packaging/android/init.zpoold.rc is turned into a plain shell script (its
# on early-boot, on boot and on post-fs-data sections in init's order, then
# its service line) and run: zpoolx loaded as from vendor_dlkm, zswap put on
# zpoolx_zsmalloc, the files zpoold writes given to the system group, and
# zpoold of the minimal profile (what Android.bp builds: no systemd, no
# HTTP, no BPF; build/arm64/minimal/zpoold, scripts/arm64-minimal) started
# as user system (AID 1000) with the .rc's own arguments, logging to the
# kernel log and writing its metrics file.  Then a memory hog makes zpoold
# write back as that user, zpoold moves zswap's zpool back when root
# changes it, and zpoolctl works without debugfs, as root and as system.
# vm-kernels: arm64
# vm-mem: 192M
# vm-swap: 512M
# vm-timeout: 480
. "$ZPOOLX_TOP/tests/vm/lib.sh"
rc=$ZPOOLX_TOP/packaging/android/init.zpoold.rc
zpoold=$ZPOOLX_BUILD/minimal/zpoold
zpoolctl=$ZPOOLX_TOP/zpoolctl/zpoolctl
data=$TMPDIR/data	# the device's /data
plan 25

# ---- an Android-like guest ----
ok "the minimal zpoold is built (scripts/arm64-minimal)" test -x "$zpoold"
if grep -q ' /sys/kernel/debug debugfs ' /proc/self/mounts; then
	umount /sys/kernel/debug
fi
no_debugfs() { ! grep -qw debugfs /proc/self/mounts && [ ! -e "$ZSWAP_DEBUG" ]; }
ok "no debugfs mounted (production Android)" no_debugfs
ok "no systemd (pid 1 is not systemd)" test "$(cat /proc/1/comm)" != systemd
# Android's ueventd.rc gives the kernel log to group system (0620 root
# system); Debian's devtmpfs has it 0600 root root
chown 0:1000 /dev/kmsg && chmod 0620 /dev/kmsg
# Android's kernel has lz4 built in (zpoolx_defconfig); Debian's arm64
# kernel has it as a module
modprobe -q lz4

# ---- init.zpoold.rc as a plain init script ----
aid() { case $1 in root) echo 0 ;; system) echo 1000 ;; *) echo "unknown-user-$1" ;; esac; }
# where the device's paths are in this guest
devpath() {
	case $1 in
	/data/*) echo "$data${1#/data}" ;;
	/vendor/etc/zpoold/*) echo "$ZPOOLX_TOP/packaging/android/${1#/vendor/etc/zpoold/}" ;;
	/vendor/bin/zpoold) echo "$zpoold" ;;
	*) echo "$1" ;;
	esac
}
# section "on X": its commands, one a line
section() {
	awk -v h="$1" '$0 == h { s = 1; next } /^[^ \t]/ { s = 0 }
		s && NF && $1 !~ /^#/ { sub(/^[ \t]+/, ""); print }' "$rc"
}
# translate: init's commands as shell lines (an unknown one fails the script)
translate() {
	local w
	while read -r -a w; do
		case ${w[0]} in
		exec)
			# exec CONTEXT -- /vendor/bin/modprobe ... -d /vendor_dlkm/lib/modules MODULE
			if [ "${w[2]}" = -- ] && [[ ${w[3]} == */modprobe ]] && [ "${w[-1]}" = zpoolx ]; then
				echo "insmod '$ZPOOLX_BUILD/zpoolx.ko'	# vendor_dlkm"
			else
				echo "echo 'init: exec of ${w[*]:3}: not known here' >&2; exit 1"
			fi ;;
		write) echo "echo '${w[2]}' >'${w[1]}'" ;;
		chown) echo "chown $(aid "${w[1]}"):$(aid "${w[2]}") '$(devpath "${w[3]}")'" ;;
		chmod) echo "chmod ${w[1]} '$(devpath "${w[2]}")'" ;;
		mkdir)
			local p
			p=$(devpath "${w[1]}")
			echo "mkdir -p '$p' && chmod ${w[2]:-0755} '$p' && chown $(aid "${w[3]:-root}"):$(aid "${w[4]:-root}") '$p'" ;;
		*) echo "echo 'init: command ${w[0]} is not known here' >&2; exit 1" ;;
		esac
	done
}
svc=$(sed -n 's/^service zpoold //p' "$rc")
opt() { awk -v k="$1" '/^service zpoold /{s=1;next} /^[^ \t]/{s=0} s && $1 == k { print $2 }' "$rc"; }
user=$(opt user) group=$(opt group)
{
	echo "set -e"
	for s in "on early-init" "on init" "on post-fs-data" "on early-boot" "on boot"; do
		echo "# $s"
		section "$s" | translate
	done
	# class main: the service, as its user, with the .rc's arguments
	args=()
	for a in ${svc#* }; do args+=("$(devpath "$a")"); done
	printf 'setpriv --reuid=%s --regid=%s --clear-groups -- %q' "$(aid "$user")" "$(aid "$group")" "$zpoold"
	printf ' %q' "${args[@]}"
	printf ' 2>%q &\necho $! >%q\n' "$TMPDIR/zpoold.stderr" "$TMPDIR/zpoold.pid"
} >"$TMPDIR/init.sh"
say "init.sh:"
sed 's/^/  /' "$TMPDIR/init.sh" >&2
ok "init.zpoold.rc runs as a plain init script" bash "$TMPDIR/init.sh"
pid=$(cat "$TMPDIR/zpoold.pid" 2>/dev/null)
is "$(cat $ZSWAP_PARAMS/zpool) $(cat $ZSWAP_PARAMS/enabled)" "zpoolx_zsmalloc Y" "early-boot: zswap on zpoolx_zsmalloc, enabled"
is "$(cat /sys/kernel/zpoolx/pools/1/backend 2>&1)" zsmalloc "pool 1 is zswap's zpoolx_zsmalloc pool"
# every chown/chmod of on boot took
bad=
while read -r -a w; do
	case ${w[0]} in
	chown) [ "$(stat -c %u:%g "${w[3]}")" = "$(aid "${w[1]}"):$(aid "${w[2]}")" ] || bad="$bad ${w[3]}" ;;
	chmod) [ "$(stat -c %a "${w[2]}")" = "${w[1]#0}" ] || bad="$bad ${w[2]}" ;;
	esac
done < <(section "on boot")
is "$bad" "" "on boot: the owners and modes of the .rc ($(section "on boot" | grep -c '^chown') files)"

# ---- zpoold as user system ----
mf=$(devpath "$(grep -o -- '--metrics-file [^ ]*' <<<"$svc" | cut -d' ' -f2)")
for _ in $(seq 100); do [ -s "$mf" ] && break; sleep 0.2; done
is "$(awk '/^Uid:/ { print $2 }' /proc/$pid/status 2>&1)" 1000 "zpoold runs as uid 1000 (system)"
ok "its metrics file $mf is written" test -s "$mf"
is "$(stat -c '%u %a' "$mf" 2>&1)" "1000 644" "owned by system, mode 0644"
ok "the file has the pools' families" grep -q '^zpoolx_pool_bytes{pool="1"} ' "$mf"
# stored pages and pool size come from /proc/meminfo (Zswapped, Zswap)
# without debugfs; writebacks and rejects have no other source
ok "without debugfs: zswap's size from /proc/meminfo, its debugfs-only counters left out, not 0" \
	bash -c "grep -q '^zpoolx_zswap_stored_pages ' '$mf' && ! grep -qE '^zpoolx_zswap_(written_back_pages|pool_limit_hit)_total ' '$mf'"
ok "zpoold logs to the kernel log" bash -c "dmesg | grep -qE 'zpoold\\[$pid\\]: info: zpoold .* started: '"
ok "zpoold says nothing on stderr" test ! -s "$TMPDIR/zpoold.stderr"

# ---- zpoolctl without debugfs ----
ok "zpoolctl (status) as root" bash -c "'$zpoolctl' >'$TMPDIR/status.out' 2>&1 && grep -q zpoolx_zsmalloc '$TMPDIR/status.out'"
ok "zpoolctl stats 1 as root" "$zpoolctl" stats 1
ok "zpoolctl (status) as system" setpriv --reuid=1000 --regid=1000 --clear-groups -- "$zpoolctl"

# ---- zpoold writes as system ----
# the hog fills zswap's pool (max_pool_percent from the .rc) and zpoold,
# above its high watermark, writes back through pool 1's writeback file
ok "swap on" swap_on
hog=$(( $(mem_total_mib) * 5 / 4 ))
ok "memhog $hog MiB, every page verified, held 4 s" memhog -r 1024 -c "sleep 4" "$hog"
metric() { awk -v m="$1" '$1 == m { print $2 }' "$mf"; }
wb=$(metric 'zpoolx_daemon_decisions_total{action="writeback",reason="above_high_watermark"}')
wbf=$(metric 'zpoolx_daemon_failed_actions_total{action="writeback"}')
cmp_ok "${wb:-0}" -gt 0 "zpoold decided writebacks (${wb:-0})"
is "${wbf:-0}" 0 "and none failed: pool 1's writeback file is system's"
# root moves zswap to zbud; zpoold (backend fixed zsmalloc) moves it back
echo zpoolx_zbud >$ZSWAP_PARAMS/zpool
for _ in $(seq 60); do [ "$(cat $ZSWAP_PARAMS/zpool)" = zpoolx_zsmalloc ] && break; sleep 0.5; done
is "$(cat $ZSWAP_PARAMS/zpool)" zpoolx_zsmalloc "zpoold, as system, puts zswap back on zpoolx_zsmalloc"
ok "its set_backend decision is in the kernel log" bash -c "dmesg | grep -q 'zpoold\\[$pid\\]: info: set_backend: '"
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
ok "SIGTERM stops zpoold" bash -c "! kill -0 $pid 2>/dev/null"
fails=$(metric 'zpoolx_daemon_failed_actions_total{action="set_backend"}')
is "${fails:-0}" 0 "no failed set_backend"

swapoff -a
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
zswap_report 2>/dev/null || true
done_testing
