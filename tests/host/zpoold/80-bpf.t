# SPDX-License-Identifier: GPL-2.0
# The BPF families: a struct zpx_bpf_stats with known numbers, formatted
# by zpoold's writer (daemon/bpfhist-test, no BPF loaded): log2 histograms
# as Prometheus histograms with cumulative buckets, +Inf = _count, _sum in
# base units (ns -> seconds), counters _total; valid for promtool.  And
# zpoold without BPF says why once and goes on.

H=$TOP/daemon/bpfhist-test
if [ -x "$H" ]; then
	"$H" >"$WORK/bpf.txt" 2>"$WORK/bpf.err"
	tap $( { [ $? = 0 ] && [ ! -s "$WORK/bpf.err" ]; }; echo $?) "the BPF families are written (no sanitizer report)"
	promtool_ok "$WORK/bpf.txt" "promtool check metrics on the BPF families"
	b() { grep -qxF -- "$1" "$WORK/bpf.txt"; }
	tap $( { b '# TYPE zpoolx_bpf_object_size_bytes histogram' &&
		b 'zpoolx_bpf_object_size_bytes_bucket{le="0"} 0' &&
		b 'zpoolx_bpf_object_size_bytes_bucket{le="1"} 2' &&
		b 'zpoolx_bpf_object_size_bytes_bucket{le="63"} 2' &&
		b 'zpoolx_bpf_object_size_bytes_bucket{le="127"} 7' &&
		b 'zpoolx_bpf_object_size_bytes_bucket{le="4095"} 10' &&
		b 'zpoolx_bpf_object_size_bytes_bucket{le="+Inf"} 10' &&
		b 'zpoolx_bpf_object_size_bytes_sum 9502' &&
		b 'zpoolx_bpf_object_size_bytes_count 10'; }; echo $?) \
		"object size: cumulative buckets at the log2 bounds in bytes, _sum, _count"
	tap $( { b '# TYPE zpoolx_bpf_zswap_store_duration_seconds histogram' &&
		b 'zpoolx_bpf_zswap_store_duration_seconds_bucket{le="2.047e-06"} 6' &&
		b 'zpoolx_bpf_zswap_store_duration_seconds_bucket{le="0.001048575"} 10' &&
		b 'zpoolx_bpf_zswap_store_duration_seconds_bucket{le="+Inf"} 11' &&
		b 'zpoolx_bpf_zswap_store_duration_seconds_sum 3' &&
		b 'zpoolx_bpf_zswap_store_duration_seconds_count 11'; }; echo $?) \
		"zswap store latency: nanoseconds exported as seconds; the top bucket only in +Inf"
	n=$(grep -c '^zpoolx_bpf_evict_duration_seconds_bucket' "$WORK/bpf.txt")
	tap $( { [ "$n" = 64 ] && b 'zpoolx_bpf_evict_duration_seconds_count 0' &&
		b '# TYPE zpoolx_bpf_zswap_load_duration_seconds histogram'; }; echo $?) \
		"an empty histogram keeps its 64 buckets (stable series): evict, zswap load"
	tap $( { b 'zpoolx_bpf_zswap_stores_total{result="stored"} 93' &&
		b 'zpoolx_bpf_zswap_stores_total{result="rejected"} 7' &&
		b 'zpoolx_bpf_zswap_loads_total{result="not_found"} 1' &&
		b 'zpoolx_bpf_pool_allocs_total{pool="3"} 1000' &&
		b 'zpoolx_bpf_pool_compactions_total{pool="4"} 2' &&
		b 'zpoolx_bpf_pool_evict_seconds_total{pool="3"} 2.5' &&
		b 'zpoolx_bpf_attached{point="zswap_frontswap_store"} 1' &&
		b 'zpoolx_bpf_attached{point="zswap_frontswap_load"} 0'; }; echo $?) \
		"counters _total per result and per pool; attach points as a gauge"
else
	skip "zpoold is built without BPF (no bpf/libzpoolx_bpf.a)"
fi

# BPF unavailable (not root here, or no zpoolx tracepoints): said once, with why
t=$(newtree)
c=$(cfg bpfon '{ "metrics": { "enabled": false }, "interval_ms": 100 }')
if [ "$(id -u)" != 0 ]; then
	zrun --foreground --root "$t" --config "$c" --cycles 3
	tap $( { [ "$RC" = 0 ] && [ "$(grep -c 'BPF statistics unavailable, going on without the zpoolx_bpf_\* metrics: ' <<<"$ERR")" = 1 ]; }; echo $?) \
		"BPF unavailable: zpoold says why, once, and runs on"
else
	skip "BPF fallback: runs as root here, and zpoold does not attach BPF to the host's kernel in tests"
fi
zrun --foreground --no-bpf --root "$t" --config "$c" --cycles 1
tap $( { [ "$RC" = 0 ] && grep -q 'BPF statistics off (--no-bpf)' <<<"$ERR"; }; echo $?) "--no-bpf: said once"
