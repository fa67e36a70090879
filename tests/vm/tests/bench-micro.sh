# SPDX-License-Identifier: GPL-2.0
# The zpool-API microbenchmark (tests/kmod/zpool_bench.c), the guest half
# of bench/run: the kernel's zsmalloc and zpoolx_zsmalloc in the same boot,
# with 1, 2 and 4 CPUs storing at once (4 vCPUs: on a 2-core host the
# 4-CPU runs measure contention, not parallelism), results in
# $ZPOOLX_RESULTS/micro.txt.  ZPOOLX_BENCH_OPS (operations per thread and
# run), ZPOOLX_BENCH_ROUNDS, ZPOOLX_BENCH_CPUS (the counts, default
# 1,2,4), ZPOOLX_BENCH_TYPES and ZPOOLX_BENCH_MAX_SIZE scale it;
# bench/run --smoke makes it short.
# vm-manual: yes
# vm-mem: 256M
# vm-smp: 4
# vm-timeout: 600
# shellcheck shell=bash
. "$ZPOOLX_TOP/tests/vm/lib.sh"
ops=${ZPOOLX_BENCH_OPS:-200000} rounds=${ZPOOLX_BENCH_ROUNDS:-5}
types=${ZPOOLX_BENCH_TYPES:-zsmalloc,zpoolx_zsmalloc}
cpus=${ZPOOLX_BENCH_CPUS:-1,2,4}
# zbud stores at most 3968 bytes with 4 KiB pages: ZPOOLX_BENCH_MAX_SIZE
max_size=${ZPOOLX_BENCH_MAX_SIZE:-$(getconf PAGESIZE)}
plan 4

ok "insmod zpoolx" load_zpoolx
# the kernel's pools: modules on Debian, built in on debug
for t in ${types//,/ }; do
	case $t in zpoolx_*) ;; *) modprobe -q "$t" 2>/dev/null ;; esac
done
marker="bench-micro: $$ $(date +%s%N)"
echo "$marker" >/dev/kmsg
ok "zpool_bench types=$types cpus=$cpus ops=$ops rounds=$rounds ran to the end" \
	load_kmod zpool_bench types="$types" cpus="$cpus" ops="$ops" rounds="$rounds" max_size="$max_size"
dmesg -t | sed -n "\|$marker|,\$p" | sed -n 's/^zpool_bench: //p' >"$TMPDIR/out"
cat "$TMPDIR/out" >&2
grep '^result ' "$TMPDIR/out" | sed 's/^result //' >"$ZPOOLX_RESULTS/micro.txt"
nres=$(wc -l <"$ZPOOLX_RESULTS/micro.txt")
ntypes=$(echo "$types" | tr ',' '\n' | grep -c .)
ncounts=$(echo "$cpus" | tr ',' '\n' | grep -c .)
is "$nres" "$((ntypes * ncounts))" "one result per type and CPU count ($cpus)"
is "$(grep -c 'failed=0$' "$ZPOOLX_RESULTS/micro.txt")" "$nres" "no allocation failed"
rmmod zpool_bench
done_testing
