# SPDX-License-Identifier: GPL-2.0
# The metrics writer, through the endpoint of a zpoold running on fake
# trees: valid for promtool check metrics (HELP and TYPE on every family,
# counters _total, base units), the expected families and values, and
# values the kernel does not offer left out rather than written as 0.

t=$(newtree)
if start_daemon "$t" '"interval_ms": 200'; then
	get "http://127.0.0.1:$PORT/metrics"
	printf '%s\n' "$OUT" >"$WORK/m1.txt"
	tap $( [ "$CODE" = 200 ]; echo $?) "GET /metrics: 200"
	tap $(grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' <<<"$HDRS"; echo $?) \
		"Content-Type: text/plain; version=0.0.4"
	promtool_ok "$WORK/m1.txt" "promtool check metrics: no problems"
	# every family: HELP then TYPE, name zpoolx_*, counters end in _total
	awk '
		/^# HELP / { h[$3] = 1; next }
		/^# TYPE / { if (!h[$3]) { print "no HELP before TYPE: " $3; bad = 1 }
			     if ($3 !~ /^zpoolx_/) { print "prefix: " $3; bad = 1 }
			     if ($4 == "counter" && $3 !~ /_total$/) { print "counter without _total: " $3; bad = 1 }
			     t[$3] = $4; next }
		/^#/ { next }
		{ n = $1; sub(/\{.*/, "", n); b = n; sub(/_(bucket|sum|count)$/, "", b)
		  if (!(n in t) && !((b in t) && t[b] == "histogram")) { print "sample without TYPE: " n; bad = 1 } }
		END { exit bad }' "$WORK/m1.txt" >"$WORK/fam.out"
	tap $? "every sample has a family with HELP and TYPE, zpoolx_ prefix, counters _total$(head -3 "$WORK/fam.out" | tr '\n' ' ')"
	tap $( ! grep -E '^# TYPE' "$WORK/m1.txt" | grep -E '_(ms|milliseconds|kb|kib|mib|percent)( |$)' >/dev/null; echo $?) \
		"base units only: no _ms, _kb, _percent"
	m() { grep -qxF -- "$1" "$WORK/m1.txt"; }
	tap $( { m 'zpoolx_zswap_enabled 1' && m 'zpoolx_zswap_info{compressor="lz4",zpool="zpoolx_zsmalloc"} 1' &&
		m 'zpoolx_zswap_max_pool_ratio 0.2' && m 'zpoolx_zswap_limit_bytes 419430400' &&
		m 'zpoolx_zswap_stored_pages 3000' && m 'zpoolx_zswap_pool_bytes 4096000' &&
		m 'zpoolx_zswap_written_back_pages_total 9' &&
		m 'zpoolx_zswap_rejected_stores_total{reason="compress_poor"} 2' &&
		m 'zpoolx_zswap_rejected_stores_total{reason="reclaim_fail"} 0'; }; echo $?) \
		"zswap's parameters and debugfs counters"
	tap $( { m 'zpoolx_memory_total_bytes 2097152000' && m 'zpoolx_memory_available_bytes 1048576000' &&
		m 'zpoolx_swap_total_bytes 1073737728' &&
		m 'zpoolx_memory_pressure_ratio{kind="some",window="10s"} 0.015' &&
		m 'zpoolx_memory_pressure_ratio{kind="full",window="300s"} 0' &&
		m 'zpoolx_memory_pressure_stalled_seconds_total{kind="some"} 0.123456'; }; echo $?) \
		"memory, swap and PSI in bytes, ratios and seconds"
	tap $( { m 'zpoolx_module_loaded 1' &&
		m 'zpoolx_pool_info{pool="1",backend="zbud",type="zpoolx_zbud",name="zswap",state="active"} 1' &&
		m 'zpoolx_pool_info{pool="2",backend="zsmalloc",type="zpoolx_zsmalloc",name="zswap",state="active"} 1' &&
		m 'zpoolx_pool_current{pool="2"} 1' && m 'zpoolx_pool_current{pool="1"} 0' &&
		m 'zpoolx_pool_bytes{pool="2"} 4096000' && m 'zpoolx_pool_objects{pool="1"} 3000' &&
		m 'zpoolx_pool_utilisation_ratio{pool="2"} 0.9' &&
		m 'zpoolx_pool_evict_failures_total{pool="1"} 1' &&
		m 'zpoolx_pool_writeback_pages_total{pool="1"} 5' &&
		m 'zpoolx_pool_compacted_pages_total{pool="2"} 10' &&
		! grep -q 'zpoolx_pool_compacted_pages_total{pool="1"}' "$WORK/m1.txt"; }; echo $?) \
		"per-pool gauges and counters; compaction only where the backend has it"
	tap $( { m '# HELP zpoolx_pool_metadata_bytes bytes the pool holds outside its pages (pool structure, classes, per-CPU buffers, zspage records, handles), included in zpoolx_pool_bytes' &&
		m '# TYPE zpoolx_pool_metadata_bytes gauge' &&
		m 'zpoolx_pool_metadata_bytes{pool="1"} 2048' && m 'zpoolx_pool_metadata_bytes{pool="2"} 24576' &&
		m 'zpoolx_pool_bytes{pool="1"} 4098048' && m 'zpoolx_pool_pages{pool="2"} 994' &&
		grep -qxE '# HELP zpoolx_pool_bytes .*metadata.*' "$WORK/m1.txt" &&
		[ "$(grep -A3 -x '# TYPE zpoolx_pool_bytes gauge' "$WORK/m1.txt" | sed -n 4p)" = '# HELP zpoolx_pool_metadata_bytes bytes the pool holds outside its pages (pool structure, classes, per-CPU buffers, zspage records, handles), included in zpoolx_pool_bytes' ]; }; echo $?) \
		"zpoolx_pool_metadata_bytes per pool, right after zpoolx_pool_bytes, whose HELP says it includes the metadata"
	tap $( { m 'zpoolx_class_used_objects{pool="2",size="1024"} 790' &&
		m 'zpoolx_class_pages{pool="2",size="4096"} 10' &&
		m 'zpoolx_class_zspages{pool="2",size="1024",fullness="almost_full"} 5' &&
		m 'zpoolx_class_pages_per_zspage{pool="2",size="208"} 2'; }; echo $?) \
		"per-class gauges of zsmalloc pools"
	tap $( { m 'zpoolx_daemon_decisions_total{action="writeback",reason="above_high_watermark"} 0' &&
		m 'zpoolx_daemon_failed_actions_total{action="compact"} 0' &&
		m 'zpoolx_daemon_config_reloads_total{result="error"} 0' &&
		m 'zpoolx_daemon_bpf_active 0' && m 'zpoolx_daemon_dry_run 0' &&
		grep -qE '^zpoolx_daemon_policy_cycles_total [1-9]' "$WORK/m1.txt" &&
		grep -qE '^zpoolx_daemon_build_info\{version="[0-9.]+"\} 1$' "$WORK/m1.txt"; }; echo $?) \
		"the daemon's decisions, failures, reloads and cycles as counters"
	stop_checked "zpoold stops on SIGTERM with exit 0"
else
	not_started
fi

# decisions by action and reason: every valid (action, reason) pair from
# the start, 0 included; each decision counted under its own reason
DPAIRS='writeback above_high_watermark
compact low_utilisation
set_limit limit_out_of_bounds
set_limit pressure_raise
set_limit calm_lower
set_backend fixed_backend
set_backend small_objects
set_backend large_objects
enable_zswap zswap_off'
# dpairs FILE: the (action, reason) pairs of FILE's decisions_total samples
dpairs() {
	sed -nE 's/^zpoolx_daemon_decisions_total\{action="([a-z_]+)",reason="([a-z_]+)"\} [0-9]+$/\1 \2/p' "$1"
}
tap $( { [ "$(dpairs "$WORK/m1.txt" | sort)" = "$(sort <<<"$DPAIRS")" ] &&
	[ "$(grep -c '^zpoolx_daemon_decisions_total' "$WORK/m1.txt")" = 9 ] &&
	! grep -E '^zpoolx_daemon_decisions_total' "$WORK/m1.txt" | grep -qv ' 0$' &&
	grep -qxE '# HELP zpoolx_daemon_decisions_total .*by action and reason.*' "$WORK/m1.txt"; }; echo $?) \
	"zpoolx_daemon_decisions_total: the 9 valid (action, reason) pairs, all 0 before any decision"
# pools at 98% of zswap's limit, the current one 48.8% utilised: writeback
# from both pools each cycle, compaction of pool 2 once (min_interval_s)
t=$(newtree)
w "$t/sys/kernel/zpoolx/pools/2/pages" 99994
w "$t/sys/kernel/zpoolx/pools/2/pool_bytes" 409600000
w "$t/sys/kernel/zpoolx/pools/2/stored_bytes" 200000000
w "$t/sys/kernel/zpoolx/pools/2/objects" 300000
if start_daemon "$t" '"interval_ms": 200' --dry-run; then
	dec_seen() {
		get "http://127.0.0.1:$PORT/metrics"
		grep -qE '^zpoolx_daemon_decisions_total\{action="writeback",reason="above_high_watermark"\} [1-9]' <<<"$OUT" &&
			grep -qE '^zpoolx_daemon_decisions_total\{action="compact",reason="low_utilisation"\} [1-9]' <<<"$OUT"
	}
	wait_for dec_seen
	printf '%s\n' "$OUT" >"$WORK/m4.txt"
	stop_checked "zpoold with decisions stops on SIGTERM with exit 0"
	promtool_ok "$WORK/m4.txt" "with decisions counted: valid for promtool"
	tap $( { grep -qxE 'zpoolx_daemon_decisions_total\{action="writeback",reason="above_high_watermark"\} [1-9][0-9]*' "$WORK/m4.txt" &&
		grep -qxF 'zpoolx_daemon_decisions_total{action="compact",reason="low_utilisation"} 1' "$WORK/m4.txt" &&
		[ "$(dpairs "$WORK/m4.txt" | sort)" = "$(sort <<<"$DPAIRS")" ] &&
		[ "$(grep -E '^zpoolx_daemon_decisions_total' "$WORK/m4.txt" | grep -vc ' 0$')" = 2 ] &&
		grep -q 'info: dry-run, not done: writeback: zswap pools hold' "$DLOG" &&
		grep -q 'info: dry-run, not done: compact: pool 2 (zsmalloc) is 48.8% utilised' "$DLOG"; }; echo $?) \
		"a writeback is counted with reason above_high_watermark, a compaction with low_utilisation, nothing else; $(grep '^zpoolx_daemon_decisions_total' "$WORK/m4.txt" | grep -v ' 0$' | paste -sd ' ')"
else
	not_started "with decisions"
fi

# a module without metadata_bytes: the family is left out, not 0
t=$(newtree)
oldmodule "$t"
if start_daemon "$t" '"interval_ms": 200'; then
	get "http://127.0.0.1:$PORT/metrics"
	printf '%s\n' "$OUT" >"$WORK/m3.txt"
	promtool_ok "$WORK/m3.txt" "a module without metadata_bytes: valid for promtool"
	tap $( { ! grep -q 'zpoolx_pool_metadata_bytes' "$WORK/m3.txt" &&
		grep -qxF 'zpoolx_pool_bytes{pool="2"} 4071424' "$WORK/m3.txt" &&
		! grep -q 'warning' "$DLOG"; }; echo $?) \
		"a module without metadata_bytes: no zpoolx_pool_metadata_bytes, pool_bytes the pages, no warning"
	stop_checked "zpoold on a module without metadata_bytes stops with exit 0"
else
	not_started "on a module without metadata_bytes"
fi

# a poorer system: no debugfs, no PSI, no zpoolx, odd label values
t=$(newtree)
rm -rf "$t/sys/kernel/debug" "$t/proc/pressure" "$t/sys/kernel/zpoolx" "$t/sys/module/zpoolx"
w "$t/sys/module/zswap/parameters/compressor" 'lz"4\x'
if start_daemon "$t" '"interval_ms": 200'; then
	get "http://127.0.0.1:$PORT/metrics"
	printf '%s\n' "$OUT" >"$WORK/m2.txt"
	promtool_ok "$WORK/m2.txt" "without debugfs, PSI and zpoolx: still valid for promtool"
	tap $( { ! grep -q 'zpoolx_zswap_written_back_pages_total\|zpoolx_memory_pressure\|zpoolx_pool_' "$WORK/m2.txt" &&
		grep -qx 'zpoolx_module_loaded 0' "$WORK/m2.txt" &&
		grep -qx 'zpoolx_zswap_stored_pages 3000' "$WORK/m2.txt"; }; echo $?) \
		"what the kernel does not offer is left out, not 0; stored pages from /proc/meminfo Zswapped"
	tap $(grep -qxF 'zpoolx_zswap_info{compressor="lz\"4\\x",zpool="zpoolx_zsmalloc"} 1' "$WORK/m2.txt"; echo $?) \
		"label values escaped (quote, backslash)"
	stop_daemon
else
	not_started "on the poorer tree"
fi

