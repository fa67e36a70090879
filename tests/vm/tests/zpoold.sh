# SPDX-License-Identifier: GPL-2.0
# zpoold against the real module: the same memory hog (1.5x RAM) on zswap
# with zpoolx_zsmalloc twice in one guest, first without the daemon, then
# with it.  With zpoold's proactive writeback the pool stays under its high
# watermark and zswap rejects fewer stores (both numbers are printed).
# Then a real Prometheus server scrapes zpoold every 2 s and its query
# API returns the zpoolx_ series.  It loads configs/prometheus/zpoolx-rules.yml
# and finds the target through file_sd with a model label, as a fleet
# would (README, "Scraping a fleet"); every expression of the rules and of
# the Grafana dashboard configs/grafana/zpoolx.json must then return
# series (an alert's with its comparison made a bool one: whether it
# fires or not).
# vm-kernels: debian
# vm-mem: 192M
# vm-swap: 1G
# vm-timeout: 300
. "$ZPOOLX_TOP/tests/vm/lib.sh"
zpoold=$ZPOOLX_TOP/daemon/zpoold
port=9436
plan 25

ip link set lo up 2>/dev/null || busybox ip link set lo up
ok "swap on" swap_on
ok "zswap on zpoolx_zsmalloc" zswap_setup zpoolx_zsmalloc lz4
echo 20 >$ZSWAP_PARAMS/max_pool_percent
limit=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024 / 100 * 20 ))
high=$(( limit / 100 * 85 ))
hog=$(( $(mem_total_mib) * 3 / 2 ))

# to_disk: pages written to the swap device that were not zswap writebacks,
# i.e. stores zswap turned away.  6.1's zswap counts only the store that
# finds its pool full (pool_limit_hit); the stores it then refuses until the
# pool is back under accept_threshold_percent are counted nowhere, but they
# are swap-outs (pswpout) that zswap did not write back.
to_disk() {
	echo $(( $(awk '$1 == "pswpout" { print $2 }' /proc/vmstat) - $(zswap_stat written_back_pages) ))
}

# run_hog NAME: the workload, with the pool's size sampled every 0.2 s
# (bash builtins only: forks are slow in a guest under memory pressure)
mkfifo "$TMPDIR/never"
run_hog() {
	local name=$1 r0 h0 wb0 t0
	r0=$(to_disk)
	h0=$(zswap_stat pool_limit_hit)
	wb0=$(zswap_stat written_back_pages)
	(
		exec 3<>"$TMPDIR/never"
		while :; do
			read -r v <$ZSWAP_DEBUG/pool_total_size && echo "$v"
			read -r -t 0.2 -u 3
		done
	) >"$TMPDIR/$name.samples" &
	sampler=$!
	t0=$(date +%s)
	# -c: with the hog's memory all out, the pool's size every 0.5 s for 4 s
	ok "$name: memhog $hog MiB, every page verified" \
		memhog -r 1024 -c "for i in 1 2 3 4 5 6 7 8; do sleep 0.5; cat $ZSWAP_DEBUG/pool_total_size; done >$TMPDIR/$name.hold" "$hog"
	kill $sampler
	wait $sampler 2>/dev/null
	eval "${name}_rejected=$(( $(to_disk) - r0 ))"
	eval "${name}_hits=$(( $(zswap_stat pool_limit_hit) - h0 ))"
	eval "${name}_written=$(( $(zswap_stat written_back_pages) - wb0 ))"
	eval "${name}_secs=$(( $(date +%s) - t0 ))"
	eval "${name}_max=$(sort -n "$TMPDIR/$name.samples" | tail -n 1)"
	eval "${name}_above=$(awk -v h=$high '$1 > h { n++ } END { print n + 0 }' "$TMPDIR/$name.samples")"
	eval "${name}_n=$(wc -l <"$TMPDIR/$name.samples")"
	# the median of those
	eval "${name}_hold=$(sort -n "$TMPDIR/$name.hold" | sed -n 4p)"
}

say "== RAM $(mem_total_mib) MiB, zswap limit $limit bytes (20%), high watermark $high bytes (85%), hog $hog MiB"
say "t=${SECONDS}s: the hog without zpoold"
run_hog without

cat >"$TMPDIR/zpoold.json" <<EOF
{
  "interval_ms": 100,
  "metrics": { "listen": "127.0.0.1:$port" },
  "writeback": { "high_watermark_percent": 85, "low_watermark_percent": 70,
                 "max_pages_per_cycle": 1024 },
  "compaction": { "enabled": true, "min_interval_s": 5 }
}
EOF
ok "zpoold --check-config accepts the test's configuration" \
	"$zpoold" --check-config --config "$TMPDIR/zpoold.json"
"$zpoold" --foreground --config "$TMPDIR/zpoold.json" \
	--record "$ZPOOLX_RESULTS/zpoold-trace.jsonl" 2>"$TMPDIR/zpoold.log" &
zpid=$!
up=1
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && { up=0; break; }
	sleep 0.2
done
_tap $up "zpoold is up and /healthz answers ok"
say "t=${SECONDS}s: the hog with zpoold"
run_hog with
curl -s "http://127.0.0.1:$port/metrics" >"$TMPDIR/metrics.txt"

diag "rejected stores (swapped out past zswap) without zpoold: $without_rejected, with zpoold: $with_rejected"
diag "stores that found the pool full (pool_limit_hit): without $without_hits, with $with_hits"
diag "pages written back from the pool: without $without_written, with $with_written"
diag "pool size samples above the high watermark ($high bytes): without $without_above of $without_n (max $without_max), with $with_above of $with_n (max $with_max)"
diag "pool size (median over 4 s) once the hog filled memory: without $without_hold, with $with_hold bytes (limit $limit, high watermark $high)"
diag "hog time: without ${without_secs}s, with ${with_secs}s"
say "rejected stores without zpoold: $without_rejected, with zpoold: $with_rejected"
cmp_ok "$with_rejected" -lt "$without_rejected" \
	"zpoold's proactive writeback: fewer rejected stores ($with_rejected) than without it ($without_rejected)"
# While the hog fills memory at full speed, pages come in faster than a
# TCG guest can write them back, so the pool reaches its limit in both runs
# at times; with zpoold it spends less of the run there, and once the fill
# is over zpoold has it back under the high watermark while without it the
# pool stays full (zswap's own shrink frees one page per rejected store).
cmp_ok $(( with_above * 1000 / with_n )) -lt $(( without_above * 1000 / without_n )) \
	"with zpoold a smaller share of the samples is above the high watermark ($with_above/$with_n vs $without_above/$without_n)"
cmp_ok "$without_hold" -gt "$high" "without zpoold the pool stays above its high watermark after the fill ($without_hold > $high)"
cmp_ok "$with_hold" -le "$high" "with zpoold the pool is under its high watermark after the fill ($with_hold <= $high)"
wbd=$(grep -c 'info: writeback: ' "$TMPDIR/zpoold.log")
cmp_ok "$wbd" -gt 0 "zpoold logged $wbd writeback decisions with their reasons"
grep -m 2 'info: writeback: ' "$TMPDIR/zpoold.log" | sed 's/^/# /'
grep -Eq '^zpoolx_pool_writeback_pages_total\{pool="[0-9]+"\} [1-9]' "$TMPDIR/metrics.txt"
_tap $? "/metrics: zpoolx_pool_writeback_pages_total counts the pages written back"
ok "/metrics passes promtool check metrics" promtool check metrics <"$TMPDIR/metrics.txt"

# ---- a real Prometheus server scraping zpoold every 2 s ----
# (a render of zpoold's metrics, size classes included, can take a second
# in a TCG guest: with a 1 s scrape timeout one scrape in six failed, and
# a failed scrape leaves zpoold's series stale until the next)
say "t=${SECONDS}s: Prometheus"
rules=$ZPOOLX_TOP/configs/prometheus/zpoolx-rules.yml
cat >"$TMPDIR/targets.json" <<EOF
[{ "targets": ["127.0.0.1:$port"], "labels": { "model": "qemu-debian" } }]
EOF
cat >"$TMPDIR/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  scrape_timeout: 2s
  evaluation_interval: 1s
rule_files:
  - $rules
scrape_configs:
  - job_name: zpoold
    file_sd_configs:
      - files: ['$TMPDIR/targets.json']
EOF
prometheus --config.file="$TMPDIR/prometheus.yml" \
	--storage.tsdb.path="$TMPDIR/prom" --web.listen-address=127.0.0.1:9090 \
	>"$TMPDIR/prometheus.log" 2>&1 &
ppid=$!
# query EXPR: the result vector of Prometheus's instant query API
query() {
	curl -s --get --data-urlencode "query=$1" http://127.0.0.1:9090/api/v1/query
}
got=1
for _ in $(seq 120); do
	[ "$(query 'up{job="zpoold"}' | jq -r '.data.result[0].value[1] // empty' 2>/dev/null)" = 1 ] && { got=0; break; }
	sleep 0.5
done
_tap $got "Prometheus scraped zpoold: up{job=\"zpoold\"} is 1"
[ $got = 0 ] || tail -n 20 "$TMPDIR/prometheus.log" | sed 's/^/# /'
n=$(query 'zpoolx_pool_bytes' | jq '[.data.result[] | select(.metric.pool != null)] | length')
cmp_ok "${n:-0}" -gt 0 "query zpoolx_pool_bytes: $n series with a pool label"
v=$(query 'zpoolx_daemon_decisions_total{action="writeback",reason="above_high_watermark"}' | jq -r '.data.result[0].value[1] // 0')
cmp_ok "${v%.*}" -gt 0 "query zpoolx_daemon_decisions_total{action=\"writeback\",reason=\"above_high_watermark\"}: $v"
n=$(query 'zpoolx_zswap_rejected_stores_total' | jq '.data.result | length')
cmp_ok "${n:-0}" -gt 0 "query zpoolx_zswap_rejected_stores_total: $n series by reason"
if grep -q '^zpoolx_daemon_bpf_active 1' "$TMPDIR/metrics.txt"; then
	n=$(query 'zpoolx_bpf_zswap_store_duration_seconds_bucket' | jq '.data.result | length')
	cmp_ok "${n:-0}" -gt 1 "query zpoolx_bpf_zswap_store_duration_seconds_bucket: a BPF histogram with $n buckets"
else
	diag "$(grep -m1 'BPF' "$TMPDIR/zpoold.log")"
	grep -q 'BPF statistics unavailable' "$TMPDIR/zpoold.log"
	_tap $? "BPF statistics unavailable in this guest, and zpoold said why"
fi

# ---- the rules and the dashboard on this Prometheus ----
t0=$SECONDS
say "t=${SECONDS}s: the rules and the dashboard"
bpf=$(query 'zpoolx_daemon_bpf_active' | jq -r '.data.result[0].value[1] // 0')
nrec=$(grep -cE '^ *- record:' "$rules")
nalert=$(grep -cE '^ *- alert:' "$rules")
want=$nrec
[ "$bpf" = 1 ] || want=$((nrec - $(grep -cE '^ *- record: model:zpoolx_bpf_' "$rules")))
# until each recording rule was evaluated with the data it needs (a rate
# two scrapes); without BPF statistics the BPF ones stay empty
for _ in $(seq 40); do
	n=$(query 'count(count by (__name__) ({__name__=~"model:zpoolx_.+"}))' | jq -r '.data.result[0].value[1] // 0')
	[ "$n" = "$want" ] && break
	sleep 0.5
done
say "t=${SECONDS}s: $n of the $nrec recording rules have series"
curl -s http://127.0.0.1:9090/api/v1/rules >"$TMPDIR/rules.json"
n=$(jq '[.data.groups[].rules[] | select(.health == "ok")] | length' "$TMPDIR/rules.json")
is "$n" $((nrec + nalert)) "Prometheus loaded zpoolx-rules.yml: its $nrec recording rules and $nalert alerts evaluated without error"
jq -r '.data.groups[].rules[] | select(.health != "ok") | "# \(.name): \(.health) \(.lastError // "")"' "$TMPDIR/rules.json"
# ask FILE [once]: each "WHERE<TAB>EXPR" line of FILE as an instant query;
# sets where[], expr[], res[] (the number of series, or "error: ...") and
# skipped[] (the BPF ones, not asked when zpoold has no BPF statistics).
# With curl and jq a query takes about a third of a second in a TCG guest,
# so they go in one: the union of each count(EXPR), labelled with its index,
# has a series for each expression that returns some; if it fails (one
# does not parse), each is asked alone to say which.  A scrape that fails
# (past its timeout, under TCG) leaves zpoold's series stale until the
# next one: those without series are asked again, up to 3 times a second apart
# (not with "once").
ask() {
	local w e i round=0 todo left
	where=() expr=() res=() skipped=()
	while IFS=$'\t' read -r w e; do
		if [ "$bpf" != 1 ] && [[ $e == *zpoolx_bpf_* ]]; then
			skipped+=("$w")
			continue
		fi
		where+=("$w")
		expr+=("$e")
	done <"$1"
	todo=("${!expr[@]}")
	while :; do
		ask_union "${todo[@]}"
		left=()
		for i in "${todo[@]}"; do
			if [ "${res[i]}" -gt 0 ] 2>/dev/null; then
				[ $round = 0 ] || asked_again+=("${where[i]} (round $round)")
			else
				left+=("$i")
			fi
		done
		todo=("${left[@]}")
		round=$((round + 1))
		if [ ${#todo[@]} = 0 ] || [ "${2:-}" = once ] || [ $round -gt 3 ]; then break; fi
		sleep 1
	done
}
# ask_union INDEX...: res[INDEX] for those expressions, in one query
ask_union() {
	local i n q='' out
	for i; do
		q+="${q:+ or }label_replace(count(${expr[i]}), \"i\", \"$i\", \"\", \"\")"
		res[i]=0
	done
	out=$(curl -s --data-urlencode "query=$q" http://127.0.0.1:9090/api/v1/query)
	if [ "$(jq -r .status <<<"$out" 2>/dev/null)" = success ]; then
		while read -r i n; do
			res[i]=$n
		done < <(jq -r '.data.result[] | "\(.metric.i) \(.value[1])"' <<<"$out")
	else
		for i; do
			res[i]=$(query "${expr[i]}" | jq -r "$count")
		done
	fi
}
count='if .status == "success" then .data.result | length else "error: \(.error)" end'
asked_again=()
# nonempty DESC: one test, every query of the last ask() returned series
nonempty() {
	local i bad=0
	for i in "${!where[@]}"; do
		[ "${res[i]:-none}" -gt 0 ] 2>/dev/null && continue
		bad=$((bad + 1))
		diag "no series: ${where[i]}: ${expr[i]}: ${res[i]:-no answer}"
	done
	_tap $bad "$1: $((${#where[@]} - bad)) of ${#where[@]} return series$([ ${#skipped[@]} = 0 ] || echo ", ${#skipped[@]} not asked without BPF")"
	[ ${#skipped[@]} = 0 ] || diag "not asked, zpoold has no BPF statistics: ${skipped[*]}"
}
jq -r '.data.groups[].rules[] | select(.type == "recording") | "record \(.name)\t\(.name)", "rule \(.name)\t\(.query)"' \
	"$TMPDIR/rules.json" >"$TMPDIR/records.tsv"
ask "$TMPDIR/records.tsv"
nonempty "recording rules: each recorded series and each rule's expression ($nrec rules)"
say "t=${SECONDS}s: the recording rules asked"
jq -r '.data.groups[].rules[] | select(.type == "alerting") | [.name, (.query | gsub("\\s+"; " "))] | @tsv' \
	"$TMPDIR/rules.json" >"$TMPDIR/alerts.tsv"
ask "$TMPDIR/alerts.tsv" once
bad=$(for i in "${!where[@]}"; do [[ ${res[i]:-error} == error* ]] && echo "${where[i]}: ${res[i]:-no answer}"; done)
_tap "$([ -z "$bad" ]; echo $?)" "alerts: each expression evaluates as written (${#where[@]} alerts)"
[ -z "$bad" ] || diag "$bad"
cut -f1 "$TMPDIR/alerts.tsv" >"$TMPDIR/alert-names"
cut -f2 "$TMPDIR/alerts.tsv" | "$ZPOOLX_TOP/tests/host/rules/exprs" bool |
	paste "$TMPDIR/alert-names" - >"$TMPDIR/alerts-bool.tsv"
ask "$TMPDIR/alerts-bool.tsv"
nonempty "alerts: the quantity each compares (its comparison made bool) whether it fires or not"
say "t=${SECONDS}s: the alerts asked"
diag "alerts now: $(curl -s http://127.0.0.1:9090/api/v1/alerts |
	jq -r '[.data.alerts[] | "\(.labels.alertname) \(.state)"] | if . == [] then "none" else join(", ") end')"
"$ZPOOLX_TOP/tests/host/rules/exprs" dashboard "$ZPOOLX_TOP/configs/grafana/zpoolx.json" 30s >"$TMPDIR/dashboard.tsv"
say "t=${SECONDS}s: the dashboard's queries listed"
ask "$TMPDIR/dashboard.tsv"
nonempty "dashboard: every query and variable query (\$__rate_interval 30s; \$job, \$model, \$instance all)"
say "t=${SECONDS}s: the dashboard asked"
m=$(query 'count by (model) (model:zpoolx_daemon_build_info:count)' | jq -r '[.data.result[].metric.model] | join(",")')
is "$m" qemu-debian "the model label from file_sd, through the recording rules: the dashboard's \$model offers '$m'"
[ ${#asked_again[@]} = 0 ] || diag "series only when asked again: ${asked_again[*]}"
diag "scrapes of zpoold in the last minute that succeeded: $(query 'sum_over_time(up{job="zpoold"}[1m])' |
	jq -r '.data.result[0].value[1]') of $(query 'count_over_time(up{job="zpoold"}[1m])' | jq -r '.data.result[0].value[1]')"
diag "rules and dashboard checked in $((SECONDS - t0)) s"
say "t=${SECONDS}s: Prometheus answered"
kill $ppid
wait $ppid 2>/dev/null
kill -TERM $zpid
wait $zpid
is "$?" 0 "zpoold stops cleanly on SIGTERM"
say "t=${SECONDS}s: done"
done_testing
