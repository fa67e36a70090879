# SPDX-License-Identifier: GPL-2.0
# The minimal profile (make WITH_SYSTEMD=0 WITH_HTTP=0): built without
# libsystemd and libmicrohttpd, it logs to stderr or the kernel log and
# writes its metrics atomically to a file for node_exporter's textfile
# collector.  Built here with ASan/UBSan into build/zpoold-minimal/ (the
# default build in daemon/ is left alone); the metrics file is also
# checked on the default build.

MIN=$TOP/build/zpoold-minimal
make -s -C "$TOP/daemon" ZPOOLD_OUT="$MIN" WITH_SYSTEMD=0 WITH_HTTP=0 zpoold-asan >"$WORK/min-build.out" 2>&1
rc=$?
tap $rc "make -C daemon WITH_SYSTEMD=0 WITH_HTTP=0 builds$( [ $rc = 0 ] || tail -n 5 "$WORK/min-build.out" | tr '\n' ' ')"
ZMIN=$MIN/zpoold-asan
needed=$(readelf -d "$ZMIN" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
tap $( { [ -n "$needed" ] && ! grep -qE 'libsystemd|libmicrohttpd' <<<"$needed" &&
	grep -q 'libjson-c' <<<"$needed"; }; echo $?) \
	"the minimal zpoold links neither libsystemd nor libmicrohttpd ($needed)"
tap $( ! nm -u "$ZMIN" | grep -qE ' (sd_|MHD_)'; echo $?) "and calls no sd_* or MHD_* function"

# mrun ARGS...: the minimal zpoold, sets OUT, ERR, RC
mrun() {
	"$ZMIN" "$@" >"$WORK/run.out" 2>"$WORK/run.err"
	RC=$?
	OUT=$(<"$WORK/run.out")
	ERR=$(<"$WORK/run.err")
}

mrun --help
tap $( { [ "$RC" = 0 ] && grep -q 'Built without systemd, without the HTTP endpoint' <<<"$OUT" &&
	grep -q -- '--metrics-file FILE' <<<"$OUT" && grep -q -- '--log TARGET' <<<"$OUT" &&
	! grep -q 'journal)' <<<"$OUT"; }; echo $?) "--help says the profile and lists --log and --metrics-file"

# bad arguments and configuration: exit 2, what was wrong, what is accepted
for args in "--log journal|--log: journal: this zpoold is built without systemd (WITH_SYSTEMD=0); expected stderr, kmsg or syslog" \
	"--log console|--log: unknown target 'console': expected stderr, kmsg or syslog" \
	"--metrics-file zpoold.prom|--metrics-file: 'zpoold.prom' is not accepted: expected \"\" (no file) or an absolute path ending in .prom" \
	"--metrics-file /tmp/zpoold.txt|--metrics-file: '/tmp/zpoold.txt' is not accepted: expected" \
	"--metrics-file /tmp/.hidden.prom|--metrics-file: '/tmp/.hidden.prom' is not accepted" \
	"--metrics-file|--metrics-file needs an argument"; do
	a=${args%%|*} want=${args#*|}
	# shellcheck disable=SC2086
	mrun $a
	tap $( { [ "$RC" = 2 ] && [ -z "$OUT" ] && [ "$(wc -l <<<"$ERR")" = 1 ] &&
		grep -qF -- "zpoold: $want" <<<"$ERR" && no_sanitizer_report; }; echo $?) \
		"minimal zpoold $a: exit 2, '$want'"
done
c=$(cfg minhttp '{ "metrics": { "enabled": true } }')
mrun --check-config --config "$c"
tap $( { [ "$RC" = 2 ] && grep -qF "metrics.enabled: true asks for the HTTP endpoint, but this zpoold is built without HTTP (WITH_HTTP=0); accepted: false; metrics.textfile writes the metrics to a file instead" <<<"$ERR"; }; echo $?) \
	"metrics.enabled true is refused: no HTTP in this build, and what to use instead"
c=$(cfg minrel '{ "metrics": { "textfile": "metrics.prom", "classes": false } }')
mrun --check-config --config "$c"
tap $( { [ "$RC" = 2 ] && grep -qF 'metrics.textfile: "metrics.prom" is not accepted: expected "" (no file) or an absolute path ending in .prom (node_exporter'"'"'s textfile collector reads *.prom)' <<<"$ERR"; }; echo $?) \
	"metrics.textfile: a relative path is refused with what is accepted"
c=$(cfg minnum '{ "metrics": { "textfile": 1 } }')
mrun --check-config --config "$c"
tap $( { [ "$RC" = 2 ] && grep -qF 'metrics.textfile: expected a string, an absolute path ending in .prom or "", got an integer 1' <<<"$ERR"; }; echo $?) \
	"metrics.textfile: a number is refused"
c=$(cfg minok '{ "metrics": { "listen": "127.0.0.1:9436", "textfile": "/var/lib/node-exporter/zpoold.prom" } }')
mrun --check-config --config "$c"
tap $( { [ "$RC" = 0 ] && [ "$OUT" = "$c: the configuration is valid" ]; }; echo $?) \
	"the other metrics keys are still accepted (one file for both builds)"
mrun --check-config --config "$TOP/configs/zpoold.json"
tap $( { [ "$RC" = 2 ] && grep -q 'metrics.enabled: true asks for the HTTP endpoint' <<<"$ERR"; }; echo $?) \
	"configs/zpoold.json (the full build's defaults) is refused by the minimal build"

# make install WITH_HTTP=0 WITH_SYSTEMD=0: no unit, a configuration it accepts
d=$WORK/mininst
make -s -C "$TOP/daemon" ZPOOLD_OUT="$MIN" WITH_SYSTEMD=0 WITH_HTTP=0 install DESTDIR="$d" PREFIX=/usr >"$WORK/mininst.out" 2>&1
rc=$?
mrun --check-config --config "$d/etc/zpoold/zpoold.json"
tap $( { [ "$rc" = 0 ] && [ -x "$d/usr/sbin/zpoold" ] && [ ! -e "$d/lib/systemd" ] && [ "$RC" = 0 ] &&
	[ "$(diff "$d/etc/zpoold/zpoold.json" "$TOP/configs/zpoold.json" | grep '^[<>]' | tr -s ' ')" = '< "enabled": false,
> "enabled": true,' ]; }; echo $?) \
	"make install of the minimal profile: no unit, a zpoold.json with metrics.enabled false that it accepts"

# the metrics file: valid for promtool, replaced atomically every cycle
t=$(newtree)
mf=$WORK/textfile/zpoold.prom
mkdir -p "$WORK/textfile"
DLOG=$WORK/min-daemon.log
c=$(cfg mintf '{ "interval_ms": 100 }')
"$ZMIN" --foreground --no-bpf --root "$t" --config "$c" --metrics-file "$mf" 2>"$DLOG" &
DPID=$!
wait_for test -s "$mf"
promtool_ok "$mf" "the metrics file passes promtool check metrics"
tap $( { grep -q '^zpoolx_pool_bytes{pool="2"} ' "$mf" && grep -q '^zpoolx_daemon_policy_cycles_total ' "$mf" &&
	! grep -qE '^zpoolx_[a-z_]+(\{[^}]*\})? [^ ]+ [0-9]+$' "$mf"; }; echo $?) \
	"it has the pools' and the daemon's families, without timestamps (the textfile collector refuses them)"
perm=$(stat -c %a "$mf")
tap $( [ "$perm" = 644 ]; echo $?) "the file is mode 0644, readable by the collector ($perm)"
# atomic: every read sees a whole file (same line count, the last family
# ends it), a new inode each cycle, and never a *.prom temporary file
lines=$(wc -l <"$mf")
last=$(tail -n 1 "$mf" | sed 's/[{ ].*//')
bad=0 inodes=$(stat -c %i "$mf") tmpseen=0 cyc=
for i in $(seq 300); do
	s=$(cat "$mf" 2>/dev/null) || { bad=$((bad + 1)); continue; }
	[ "$(wc -l <<<"$s")" = "$lines" ] && [ "$(tail -n 1 <<<"$s" | sed 's/[{ ].*//')" = "$last" ] || bad=$((bad + 1))
	[ "$(ls "$WORK/textfile" | grep -c '\.prom$')" = 1 ] || tmpseen=$((tmpseen + 1))
	if ! ((i % 20)); then
		inodes="$inodes $(stat -c %i "$mf")"
		cyc="$cyc $(sed -n 's/^zpoolx_daemon_policy_cycles_total //p' <<<"$s")"
	fi
done
# consecutive files are different inodes (the temporary file is made while
# the current one exists); a file system may reuse older ones
ninodes=$(tr ' ' '\n' <<<"$inodes" | sort -u | grep -c .)
ncyc=$(tr ' ' '\n' <<<"$cyc" | sort -un | grep -c .)
tap $( [ "$bad" = 0 ]; echo $?) "300 reads while zpoold rewrites it every 100 ms: each a whole file ($bad torn or missing)"
tap $( [ "$ninodes" -ge 2 ] && [ "$ncyc" -ge 3 ] && [ "$tmpseen" = 0 ]; echo $?) \
	"replaced by rename ($ninodes inodes and $ncyc cycle counts in 15 looks), no second *.prom ever visible ($tmpseen)"
# the directory goes away, then comes back: one error line, one recovery
# (gone until the daemon has said so, however slow the machine: a fixed
# 0.5 s once saw no cycle at all under load)
rm -rf "$WORK/textfile"
wait_for grep -q 'cannot create a temporary file' "$DLOG"
sleep 0.3
mkdir -p "$WORK/textfile"
wait_for test -s "$mf"
sleep 0.3
stop_daemon
# (a write under way when the directory goes fails at its own step, which
# is said too: at most two lines, one of them the missing directory)
nerr=$(grep -c 'error: metrics file: cannot write' "$DLOG")
tap $( { [ "$nerr" -ge 1 ] && [ "$nerr" -le 2 ] &&
	[ "$(grep -c 'cannot create a temporary file' "$DLOG")" = 1 ] &&
	grep -qF "error: metrics file: cannot write $mf: cannot create a temporary file in $WORK/textfile: No such file or directory (tried again every cycle)" "$DLOG" &&
	grep -qF "info: metrics file: $mf written again" "$DLOG"; }; echo $?) \
	"a missing directory is logged once with the file and the cause ($nerr lines), the recovery once"
tap $( { [ "$DRC" = 0 ] && [ -z "$(ls -A "$WORK/textfile" | grep -v '^zpoold.prom$')" ] && daemon_log_clean; }; echo $?) \
	"SIGTERM: exit 0, no temporary file left behind, no sanitizer report"
tap $(grep -q 'info: zpoold .* started: .* metrics in '"$mf"', policy every 100 ms' "$DLOG"; echo $?) \
	"the start line names the metrics file"

# an unwritable place at start: exit 1 with the reason
mrun --foreground --no-bpf --root "$t" --config "$c" --metrics-file /nonexistent/dir/zpoold.prom --cycles 1
tap $( { [ "$RC" = 1 ] &&
	grep -qF 'error: metrics file: cannot write /nonexistent/dir/zpoold.prom: cannot create a temporary file in /nonexistent/dir: No such file or directory' <<<"$ERR" &&
	grep -qF 'error: cannot start: the metrics file /nonexistent/dir/zpoold.prom cannot be written' <<<"$ERR"; }; echo $?) \
	"a metrics file that cannot be written at start: exit 1, the file and the cause"
if can_drop; then
	# $WORK is private: user nobody gets a tree, a config and a directory
	# of its own that it may read but not write
	ro=$(mktemp -d "${TMPDIR:-/tmp}/zpoold-ro.XXXXXX")
	cp -r "$t" "$ro/tree"
	cp "$c" "$ro/c.json"
	mkdir "$ro/out"
	chmod -R a+rX "$ro"
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$ZMIN" --foreground --no-bpf --root "$ro/tree" \
		--config "$ro/c.json" --metrics-file "$ro/out/zpoold.prom" --cycles 1 >"$WORK/run.out" 2>"$WORK/run.err"
	RC=$?
	tap $( { [ "$RC" = 1 ] && grep -qF "cannot create a temporary file in $ro/out: Permission denied" "$WORK/run.err"; }; echo $?) \
		"a directory the user may not write: exit 1, Permission denied$( [ "$RC" = 1 ] || head -c 300 "$WORK/run.err")"
	rm -rf "$ro"
else
	skip "not root: the unwritable-directory test needs setpriv"
fi

# SIGHUP moves the file: the new one is written, the old one removed; a
# move to a place that cannot be written is refused and changes nothing
mkdir -p "$WORK/tf2"
c=$(cfg mintf2 '{ "interval_ms": 100, "metrics": { "textfile": "'"$WORK/tf2/a.prom"'" } }')
"$ZMIN" --foreground --no-bpf --root "$t" --config "$c" 2>"$DLOG" &
DPID=$!
wait_for test -s "$WORK/tf2/a.prom"
cfg mintf2 '{ "interval_ms": 100, "metrics": { "textfile": "'"$WORK/tf2/b.prom"'" } }' >/dev/null
kill -HUP "$DPID"
wait_for test -s "$WORK/tf2/b.prom"
sleep 0.3
moved=$( { [ -s "$WORK/tf2/b.prom" ] && [ ! -e "$WORK/tf2/a.prom" ]; }; echo $?)
cfg mintf2 '{ "interval_ms": 100, "metrics": { "textfile": "/nonexistent/c.prom" } }' >/dev/null
kill -HUP "$DPID"
wait_for grep -q 'reload refused' "$DLOG"
m1=$(sed -n 's/^zpoolx_daemon_policy_cycles_total //p' "$WORK/tf2/b.prom")
sleep 0.5
m2=$(sed -n 's/^zpoolx_daemon_policy_cycles_total //p' "$WORK/tf2/b.prom")
stop_daemon
tap "$moved" "SIGHUP with a new metrics.textfile: the new file is written, the old one removed"
tap $( { grep -qF "reload refused, the running configuration stays: $c: the metrics file could not move to /nonexistent/c.prom" "$DLOG" &&
	[ -n "$m1" ] && [ -n "$m2" ] && [ "$m2" -gt "$m1" ] && daemon_log_clean; }; echo $?) \
	"a move to a place that cannot be written: reload refused, the old file goes on being written (cycles $m1, then $m2)"

# the kernel log: "<30>zpoold[PID]: info: ..." (facility daemon), one record
# a write; under --root it is ROOT/dev/kmsg
t=$(newtree)
mkdir -p "$t/dev"
: >"$t/dev/kmsg"
c=$(cfg minkmsg '{ }')
mrun --foreground --no-bpf --root "$t" --config "$c" --log kmsg --cycles 1 --metrics-file "$WORK/textfile/k.prom"
tap $( { [ "$RC" = 0 ] && [ -z "$ERR" ] &&
	grep -qE '^<30>zpoold\[[0-9]+\]: info: zpoold [0-9.]+ started: ' "$t/dev/kmsg" &&
	! grep -vqE '^<(27|28|30|31)>zpoold\[[0-9]+\]: (error|warning|info|debug): ' "$t/dev/kmsg"; }; echo $?) \
	"--log kmsg: records '<30>zpoold[PID]: info: ...' in the kernel log, nothing on stderr"
rm "$t/dev/kmsg"
mrun --foreground --no-bpf --root "$t" --config "$c" --log kmsg --cycles 1
tap $( { [ "$RC" = 1 ] && grep -qF "zpoold: --log kmsg: cannot open $t/dev/kmsg for writing: No such file or directory" <<<"$ERR"; }; echo $?) \
	"--log kmsg without a kernel log to write: exit 1, which file and why"
mrun --foreground --no-bpf --root "$t" --config "$c" --log stderr --cycles 1
tap $( { [ "$RC" = 0 ] && grep -q '^zpoold: info: zpoold .* started: .* metrics off,' <<<"$ERR"; }; echo $?) \
	"--log stderr, no metrics file: it says the metrics are off"

# without --foreground and without syslog's /dev/log... it detaches; the
# starting process exits with the start-up result (here a bad metrics file)
mrun --no-bpf --root "$t" --config "$c" --log stderr --metrics-file /nonexistent/x.prom --cycles 1
tap $( { [ "$RC" = 1 ] && grep -qF 'cannot create a temporary file in /nonexistent' <<<"$ERR"; }; echo $?) \
	"detached with --log stderr: the start-up error still reaches stderr, exit 1"

# the default build writes the same file next to its HTTP endpoint
if [ -x "$TOP/daemon/zpoold-asan" ] && [ "$ZPOOLD" = "$TOP/daemon/zpoold-asan" ]; then
	t=$(newtree)
	mkdir -p "$WORK/tf3"
	if start_daemon "$t" '"interval_ms": 100' --metrics-file "$WORK/tf3/z.prom"; then
		wait_for test -s "$WORK/tf3/z.prom"
		get "http://127.0.0.1:$PORT/metrics"
		stop_daemon
		tap $( { promtool check metrics <"$WORK/tf3/z.prom" >/dev/null 2>&1 &&
			[ "$(grep -c '^# TYPE' "$WORK/tf3/z.prom")" = "$(grep -c '^# TYPE' <<<"$OUT")" ]; }; echo $?) \
			"the default build: the metrics file has the same families as GET /metrics"
	else
		tap 1 "the default build with --metrics-file did not start: $(tail -n 3 "$DLOG")"
	fi
fi
