# SPDX-License-Identifier: GPL-2.0
# lib.sh - helpers for the zpoold host tests.  The TAP helpers and the fake
# /sys and /proc trees (mktree, mkpool, newtree, snapshot, w) are
# zpoolctl's, sourced from tests/host/zpoolctl/lib.sh: one fake kernel for
# both tools.

: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}"
# shellcheck source=../zpoolctl/lib.sh
source "$TOP/tests/host/zpoolctl/lib.sh"
[ -n "${ZPOOLD:-}" ] && ZPOOLD_GIVEN=1
: "${ZPOOLD:=$TOP/daemon/zpoold-asan}"
case $ZPOOLD in /*) ;; *) ZPOOLD=$TOP/$ZPOOLD ;; esac
TRACES=$TOP/tests/host/zpoold/traces

# zrun ARGS...: run zpoold, sets OUT, ERR, RC (like zpoolctl's run)
zrun() {
	"$ZPOOLD" "$@" >"$WORK/run.out" 2>"$WORK/run.err"
	RC=$?
	OUT=$(<"$WORK/run.out")
	ERR=$(<"$WORK/run.err")
}

# cfg NAME JSON: write a config file, print its path
cfg() {
	printf '%s\n' "$2" >"$WORK/$1.json"
	echo "$WORK/$1.json"
}

# start_daemon TREE CONFIG-JSON-WITHOUT-LISTEN [ARGS...]: zpoold in the
# foreground on a free port; sets PORT, DPID, DLOG.  The config JSON is an
# object's inner text ('"interval_ms": 100') without "metrics"; the metrics
# section is made of $MX ('"timeout_s": 1') and the listen address.
DPID=
start_daemon() {
	local tree=$1 inner=$2 i try c
	shift 2
	DLOG=$WORK/daemon.log
	for try in 1 2 3 4 5; do
		PORT=$(( 20000 + RANDOM % 40000 ))
		c=$(cfg daemon "{ ${inner:+$inner, }\"metrics\": { ${MX:+$MX, }\"listen\": \"127.0.0.1:$PORT\" } }")
		"$ZPOOLD" --foreground --no-bpf --root "$tree" --config "$c" "$@" 2>"$DLOG" &
		DPID=$!
		for i in $(seq 100); do
			if curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
				return 0
			fi
			kill -0 "$DPID" 2>/dev/null || break
			sleep 0.1
		done
		stop_daemon
		grep -q 'cannot listen' "$DLOG" || return 1
	done
	return 1
}

# stop_daemon: SIGTERM, wait; sets DRC
stop_daemon() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	wait "$DPID"
	DRC=$?
	DPID=
}

# get PATH: curl the daemon; sets OUT (body), CODE (HTTP status), HDRS
get() {
	CODE=$(curl -s -o "$WORK/body" -D "$WORK/hdrs" -w '%{http_code}' "$@")
	OUT=$(<"$WORK/body")
	HDRS=$(<"$WORK/hdrs")
}

# wait_for COND-CMD...: up to 10 s
# promtool_ok FILE DESC: one test, FILE passes promtool check metrics; its
# complaints (300 bytes at most) follow DESC
promtool_ok() {
	promtool check metrics <"$1" >"$WORK/promtool.out" 2>&1
	tap $? "$2$(sed 's/^/; /' "$WORK/promtool.out" | tr -d '\n' | head -c 300)"
}

wait_for() {
	local i
	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# daemon_log_clean: no sanitizer report in the daemon's log
daemon_log_clean() {
	! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$DLOG"
}

# stop_checked [WHAT]: stop_daemon, then one assertion that it exited 0
# with no sanitizer report in its log
stop_checked() {
	stop_daemon
	tap $( { [ "$DRC" = 0 ] && daemon_log_clean; }; echo $?) \
		"${1:-and zpoold stops cleanly}, no sanitizer report"
}

# not_started [WHAT]: the failing assertion for a start_daemon that failed,
# with the end of zpoold's log
not_started() {
	tap 1 "zpoold did not start${1:+ $1}: $(tail -3 "$DLOG" | tr '\n' ' ')"
}
