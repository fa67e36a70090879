# SPDX-License-Identifier: GPL-2.0
# The daemon on fake trees: the executor writes exactly the files of its
# decisions, --dry-run writes nothing, a failed write is logged and
# counted, SIGHUP reloads (a bad file keeps the running configuration and
# says why), zpoold detaches when not in the foreground, --record writes a
# trace that --replay reads.

# a tree whose pools hold 98% of zswap's limit (MemTotal 2048000 kB, 20%)
fulltree() {
	local t
	t=$(newtree)
	# 99994 pages and 24576 bytes of metadata (mkpool's): 409600000 bytes
	w "$t/sys/kernel/zpoolx/pools/2/pages" 99994
	w "$t/sys/kernel/zpoolx/pools/2/pool_bytes" 409600000
	w "$t/sys/kernel/zpoolx/pools/2/stored_bytes" 368640000
	w "$t/sys/kernel/zpoolx/pools/2/objects" 300000
	echo "$t"
}

t=$(fulltree)
before=$(snapshot "$t")
c=$(cfg exec '{ "metrics": { "enabled": false } }')
zrun --foreground --no-bpf --root "$t" --config "$c" --cycles 1
wb1=$(cat "$t/sys/kernel/zpoolx/pools/1/writeback")
wb2=$(cat "$t/sys/kernel/zpoolx/pools/2/writeback")
tap $( { [ "$RC" = 0 ] && [ "$wb1" = 1000 ] && [ "$wb2" = 7192 ] && no_sanitizer_report; }; echo $?) \
	"pools at 98% of the limit: writeback of 1000 pages from draining pool 1, then 7192 from pool 2 (got '$wb1', '$wb2')"
tap $(grep -q 'info: writeback: zswap pools hold 394.5M > high watermark 360M (90% of the limit 400M = 20% of MemTotal): write back 1000 pages from the draining pool 1' <<<"$ERR"; echo $?) \
	"each decision is logged with its reason"
changed=$(diff <(echo "$before") <(snapshot "$t") | grep '^>' | grep -v '/writeback$' | grep -vE '^> [0-9a-f]{64}  \./sys/kernel/zpoolx/pools/[12]/writeback$')
tap $( [ -z "$changed" ]; echo $?) "nothing but the two writeback files was written${changed:+: $changed}"

t=$(fulltree)
before=$(snapshot "$t")
zrun --foreground --no-bpf --root "$t" --config "$c" --cycles 2 --dry-run
tap $( { [ "$RC" = 0 ] && [ "$before" = "$(snapshot "$t")" ] &&
	grep -q 'info: dry-run, not done: writeback: zswap pools hold' <<<"$ERR" &&
	grep -q 'dry run: nothing is written' <<<"$ERR"; }; echo $?) \
	"--dry-run: the same decisions logged as not done, nothing written"
c2=$(cfg dry '{ "dry_run": true, "metrics": { "enabled": false } }')
zrun --foreground --no-bpf --root "$t" --config "$c2" --cycles 1
tap $( { [ "$RC" = 0 ] && [ "$before" = "$(snapshot "$t")" ]; }; echo $?) "dry_run in the config: nothing written"

# compaction of a sparse zsmalloc pool, and a write that fails
t=$(newtree)
w "$t/sys/kernel/zpoolx/pools/2/pages" 1994
w "$t/sys/kernel/zpoolx/pools/2/pool_bytes" 8192000
w "$t/sys/kernel/zpoolx/pools/2/stored_bytes" 2000000
zrun --foreground --no-bpf --root "$t" --config "$c" --cycles 1
tap $( { [ "$RC" = 0 ] && [ "$(cat "$t/sys/kernel/zpoolx/pools/2/compact")" = 1 ] &&
	grep -q 'info: compact: pool 2 (zsmalloc) is 24.4% utilised (stored_bytes / pool_bytes) < 70% in 7.8M: compact' <<<"$ERR"; }; echo $?) \
	"a zsmalloc pool 24% utilised is compacted (1 written to its compact file)"
rm "$t/sys/kernel/zpoolx/pools/2/compact"
ln -s /dev/full "$t/sys/kernel/zpoolx/pools/2/compact"
if start_daemon "$t" '"interval_ms": 100'; then
	get "http://127.0.0.1:$PORT/metrics"
	stop_daemon
	tap $( { grep -qx 'zpoolx_daemon_failed_actions_total{action="compact"} 1' <<<"$OUT" &&
		grep -qx 'zpoolx_daemon_decisions_total{action="compact",reason="low_utilisation"} 1' <<<"$OUT" &&
		grep -q "warning: compact: writing 1 to $t/sys/kernel/zpoolx/pools/2/compact failed: No space left on device" "$DLOG"; }; echo $?) \
		"a failed write is logged with the file and the error, and counted"
else
	tap 1 "zpoold did not start"
fi

# the limit: set within bounds by the policy, written to zswap's parameter
t=$(newtree)
c3=$(cfg lim '{ "metrics": { "enabled": false }, "limit": { "enabled": true, "min_percent": 25, "max_percent": 40 } }')
zrun --foreground --no-bpf --root "$t" --config "$c3" --cycles 1
tap $( { [ "$RC" = 0 ] && [ "$(cat "$t/sys/module/zswap/parameters/max_pool_percent")" = 25 ]; }; echo $?) \
	"max_pool_percent 20 below limit.min_percent 25: set to 25"
c4=$(cfg be '{ "metrics": { "enabled": false }, "backend": { "policy": "fixed", "fixed": "zbud" } }')
zrun --foreground --no-bpf --root "$t" --config "$c4" --cycles 1
tap $( { [ "$RC" = 0 ] && [ "$(cat "$t/sys/module/zswap/parameters/zpool")" = zpoolx_zbud ]; }; echo $?) \
	"backend.policy fixed on zbud: zswap's zpool set to zpoolx_zbud"

# zswap.enable: zswap found off is turned on, and only with the key
t=$(newtree)
w "$t/sys/module/zswap/parameters/enabled" N
zrun --foreground --no-bpf --root "$t" --config "$c" --cycles 1
tap $( { [ "$RC" = 0 ] && [ "$(cat "$t/sys/module/zswap/parameters/enabled")" = N ]; }; echo $?) \
	"zswap off and zswap.enable false (the default): left off"
c5=$(cfg zon '{ "metrics": { "enabled": false }, "zswap": { "enable": true } }')
zrun --foreground --no-bpf --root "$t" --config "$c5" --cycles 1
tap $( { [ "$RC" = 0 ] && [ "$(cat "$t/sys/module/zswap/parameters/enabled")" = Y ] &&
	grep -q 'info: enable_zswap: zswap.enable is true and zswap is off: turn zswap on' <<<"$ERR"; }; echo $?) \
	"zswap off and zswap.enable true: Y written to zswap's enabled, with the reason logged"

# SIGHUP
t=$(newtree)
if start_daemon "$t" '"interval_ms": 100'; then
	conf=$WORK/daemon.json
	cp "$conf" "$WORK/good.json"
	echo '{ "interval_ms": 100, "writeback": { "high_watermark_percent": 150 } }' >"$conf"
	kill -HUP "$DPID"
	wait_for grep -q 'reload refused' "$DLOG"
	get "http://127.0.0.1:$PORT/metrics"
	tap $( { grep -q "error: reload refused, the running configuration stays: $conf: writeback.high_watermark_percent: 150 is out of range: expected an integer 1..100" "$DLOG" &&
		grep -qx 'zpoolx_daemon_config_reloads_total{result="error"} 1' <<<"$OUT" && kill -0 "$DPID"; }; echo $?) \
		"SIGHUP with a bad file: refused with the key and reason, the running configuration stays and serves"
	newport=$(( PORT + 1 ))
	sed "s/127.0.0.1:$PORT/127.0.0.1:$newport/; s/\"interval_ms\": 200/\"interval_ms\": 300/" "$WORK/good.json" >"$conf"
	sed -i 's/{ /{ "log_level": "debug", /' "$conf"
	kill -HUP "$DPID"
	wait_for grep -q 'configuration reloaded' "$DLOG"
	get "http://127.0.0.1:$newport/metrics"
	tap $( { grep -q "info: configuration reloaded from $conf" "$DLOG" && [ "$CODE" = 200 ] &&
		grep -qx 'zpoolx_daemon_config_reloads_total{result="ok"} 1' <<<"$OUT"; }; echo $?) \
		"SIGHUP with a good file: reloaded, the endpoint moved to the new address"
	get --max-time 2 "http://127.0.0.1:$PORT/metrics"
	tap $( [ "$CODE" != 200 ]; echo $?) "the old address is closed"
	# a new address that cannot be bound: the reload is refused as a whole
	busy=$(( newport + 1 ))
	bc=$(cfg busy "{ \"metrics\": { \"listen\": \"127.0.0.1:$busy\" } }")
	"$ZPOOLD" --foreground --no-bpf --root "$t" --config "$bc" 2>"$WORK/busy.log" &
	bpid=$!
	wait_for curl -sf "http://127.0.0.1:$busy/healthz" -o /dev/null
	sed -i "s/127.0.0.1:$newport/127.0.0.1:$busy/; s/\"log_level\": \"debug\"/\"log_level\": \"warning\"/" "$conf"
	kill -HUP "$DPID"
	wait_for grep -q 'could not move to' "$DLOG"
	get "http://127.0.0.1:$newport/metrics"
	tap $( { grep -q "error: reload refused, the running configuration stays: $conf: the metrics endpoint could not move to 127.0.0.1:$busy" "$DLOG" &&
		grep -q "cannot listen on 127.0.0.1:$busy" "$DLOG" && [ "$CODE" = 200 ] &&
		grep -qx 'zpoolx_daemon_config_reloads_total{result="error"} 2' <<<"$OUT"; }; echo $?) \
		"SIGHUP to an address in use: refused, nothing changes, the old endpoint serves"
	kill -TERM $bpid
	wait $bpid
	PORT=$newport
	stop_checked "stops cleanly after reloads"
else
	tap 1 "zpoold did not start"
fi

# detaching: the parent returns once the child is ready, with its result
t=$(newtree)
p=$(( 20000 + RANDOM % 40000 ))
c5=$(cfg detach "{ \"metrics\": { \"listen\": \"127.0.0.1:$p\" } }")
zrun --no-bpf --root "$t" --config "$c5"
pid=
for d in /proc/[0-9]*; do
	if tr '\0' ' ' <"$d/cmdline" 2>/dev/null | grep -qF -- "--config $c5"; then pid=${d#/proc/}; fi
done
get "http://127.0.0.1:$p/healthz"
tap $( { [ "$RC" = 0 ] && [ -n "$pid" ] && [ "$CODE" = 200 ]; }; echo $?) \
	"without --foreground: the parent exits 0 once ready, the detached zpoold (pid $pid) serves"
zrun --no-bpf --root "$t" --config "$c5"
tap $( [ "$RC" = 1 ]; echo $?) "without --foreground: a start-up failure (address in use) is the parent's exit code 1"
[ -n "$pid" ] && kill -TERM "$pid"

# --record, then --replay of what was recorded
t=$(fulltree)
zrun --foreground --no-bpf --root "$t" --config "$c" --cycles 2 --dry-run --record "$WORK/rec.jsonl"
n=$(grep -c . "$WORK/rec.jsonl")
zrun --replay "$WORK/rec.jsonl" --config "$c"
tap $( { [ "$n" = 2 ] && grep -q '^t=0[.0-9]* writeback pool=1 pages=1000:' <<<"$OUT" &&
	[ "$(grep -c '"pages":99994,"metadata_bytes":24576,' "$WORK/rec.jsonl")" = 2 ] &&
	grep -q 'summary: snapshots=2 writeback=4 writeback_pages=16384' <<<"$OUT"; }; echo $?) \
	"--record writes one snapshot a cycle (metadata_bytes too); --replay of it takes the same decisions"
c6=$(cfg recbad '{ "metrics": { "enabled": false } }')
zrun --foreground --no-bpf --root "$t" --config "$c6" --cycles 1 --record /nonexistent/dir/x
tap $( { [ "$RC" = 2 ] && grep -q -- '--record: cannot open /nonexistent/dir/x: No such file or directory' <<<"$ERR"; }; echo $?) \
	"--record into a missing directory: refused"
