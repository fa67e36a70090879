# SPDX-License-Identifier: GPL-2.0
# systemd integration: sd_notify READY, STATUS, WATCHDOG, RELOADING and
# STOPPING on a stand-in notification socket; no detaching under systemd;
# stderr logging when JOURNAL_STREAM is not stderr.

t=$(newtree)
sock=$WORK/notify.sock
rm -f "$sock"
"$HERE/notify-listen.py" "$sock" 8 >"$WORK/notify.out" &
lpid=$!
wait_for test -S "$sock"
p=$(( 20000 + RANDOM % 40000 ))
c=$(cfg sd "{ \"interval_ms\": 200, \"metrics\": { \"listen\": \"127.0.0.1:$p\" } }")
# no --foreground: under systemd (NOTIFY_SOCKET) zpoold never detaches
NOTIFY_SOCKET=$sock WATCHDOG_USEC=1000000 JOURNAL_STREAM=1:1 \
	"$ZPOOLD" --no-bpf --root "$t" --config "$c" 2>"$WORK/sd.err" &
zpid=$!
sleep 2
kill -HUP $zpid
sleep 1
kill -TERM $zpid
wait $zpid
zrc=$?
wait $lpid
n=$(cat "$WORK/notify.out")
tap $( [ "$zrc" = 0 ]; echo $?) "under NOTIFY_SOCKET without --foreground: runs in the foreground (the process we started), exit 0"
tap $(grep -qx 'READY=1' <<<"$n"; echo $?) "READY=1 once running"
tap $(grep -qE '^STATUS=2 zpoolx pools, [0-9.]+[BKMG] of zswap.s [0-9.]+[BKMG] limit; [0-9]+ decisions last cycle$' <<<"$n"; echo $?) \
	"STATUS= after each cycle: pools, size against the limit, decisions"
tap $( [ "$(grep -cx 'WATCHDOG=1' <<<"$n")" -ge 4 ]; echo $?) "WATCHDOG=1 at least every WatchdogSec/2 ($(grep -cx 'WATCHDOG=1' <<<"$n") in 3 s at WATCHDOG_USEC=1 s)"
tap $(grep -q '^RELOADING=1|MONOTONIC_USEC=[0-9]*$' <<<"$n" && [ "$(grep -cx 'READY=1' <<<"$n")" = 2 ]; echo $?) "SIGHUP: RELOADING=1, then READY=1 again"
tap $(grep -qx 'STOPPING=1' <<<"$n"; echo $?) "SIGTERM: STOPPING=1"
tap $(grep -q 'zpoold: info: zpoold .* started' "$WORK/sd.err"; echo $?) \
	"JOURNAL_STREAM that is not stderr: messages stay on stderr"
