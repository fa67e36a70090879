# SPDX-License-Identifier: GPL-2.0
# The zpool-API microbenchmark (tests/kmod/zpool_bench.c), the guest half
# of bench/run: the kernel's zsmalloc and zpoolx_zsmalloc in the same boot,
# with 1, 2 and 4 CPUs storing at once (4 vCPUs: on a 2-core host the
# 4-CPU runs measure contention, not parallelism), results in
# $ZPOOLX_RESULTS/micro.txt.  ZPOOLX_BENCH_OPS (operations per thread and
# run), ZPOOLX_BENCH_ROUNDS, ZPOOLX_BENCH_CPUS (the counts, default
# 1,2,4), ZPOOLX_BENCH_TYPES and ZPOOLX_BENCH_MAX_SIZE scale it;
# bench/run --smoke makes it short.
#
# Then lock contention, measured apart (tracing costs time): one more run
# per type and CPU count, with ZPOOLX_BENCH_OPS / 4 operations, under the
# kernel's lock:contention_begin/end tracepoints.  On a spinlock, 6.1
# fires them only for a waiter that queues (kernel/locking/qspinlock.c:
# the first waiter spins on the pending bit untraced), i.e. when two or
# more CPUs wait for the same lock at once; rwlocks are traced on every
# wait.  Every lock the run waits on counts (the pool's own, the page
# allocator's, ...): the waits and their total time per operation, in
# $ZPOOLX_RESULTS/locks.txt, one line per type and CPU count.  Hold times
# are not measured: 6.1 has no event for an uncontended acquisition
# (/proc/lock_stat needs a kernel built with LOCK_STAT).
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
plan 7

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

# ---- lock contention ----
tr=/sys/kernel/tracing
lops=$((ops / 4))
[ "$lops" -ge 1000 ] || lops=1000
# contended TYPE CPUS: one traced run; prints its locks.txt line
contended() {
	local m="bench-micro locks: $$ $1 $2"
	echo 0 >$tr/tracing_on
	echo >$tr/trace
	echo 1 >$tr/events/lock/contention_begin/enable
	echo 1 >$tr/events/lock/contention_end/enable
	echo "$m" >/dev/kmsg
	echo 1 >$tr/tracing_on
	load_kmod zpool_bench types="$1" cpus="$2" ops="$lops" rounds=1 max_size="$max_size" || return 1
	echo 0 >$tr/tracing_on
	echo 0 >$tr/events/lock/contention_begin/enable
	echo 0 >$tr/events/lock/contention_end/enable
	rmmod zpool_bench
	local overrun
	overrun=$(awk '/^overrun:/ { s += $2 } END { print s + 0 }' $tr/per_cpu/cpu*/stats)
	# a wait: contention_begin of a spinning lock on a CPU, then the
	# contention_end of the same lock on that CPU (it cannot move while
	# it spins); sleeping locks (mutexes, rwsems) are left out
	awk -v type="$1" -v cpus="$2" -v ops="$((lops * $2))" -v overrun="$overrun" '
		/contention_begin:/ && /flags=[A-Z|]*SPIN/ {
			cpu = $0; sub(/^.*\[/, "", cpu); sub(/\].*$/, "", cpu)
			match($0, / [0-9]+\.[0-9]+: /); ts = substr($0, RSTART + 1, RLENGTH - 3)
			match($0, /0x[0-9a-f]+/); begin[cpu] = substr($0, RSTART, RLENGTH); t0[cpu] = ts
			next
		}
		/contention_end:/ {
			cpu = $0; sub(/^.*\[/, "", cpu); sub(/\].*$/, "", cpu)
			match($0, / [0-9]+\.[0-9]+: /); ts = substr($0, RSTART + 1, RLENGTH - 3)
			match($0, /0x[0-9a-f]+/)
			if (begin[cpu] == substr($0, RSTART, RLENGTH)) {
				waits++; ns += (ts - t0[cpu]) * 1e9; begin[cpu] = ""
			}
		}
		END {
			printf "type=%s cpus=%s ops=%d waits=%d wait_ns=%.0f waits_per_kop=%.2f wait_ns_per_op=%.1f overrun=%d\n",
				type, cpus, ops, waits, ns, waits * 1000 / ops, ns / ops, overrun
		}' $tr/trace
}
: >"$ZPOOLX_RESULTS/locks.txt"
ok "the kernel has the lock:contention_begin and contention_end tracepoints" \
	test -e $tr/events/lock/contention_begin/enable -a -e $tr/events/lock/contention_end/enable
echo 4096 >$tr/buffer_size_kb
lfails=0
for t in ${types//,/ }; do
	for c in ${cpus//,/ }; do
		[ "$c" -le "$(nproc)" ] || continue
		contended "$t" "$c" >>"$ZPOOLX_RESULTS/locks.txt" || lfails=$((lfails + 1))
	done
done
echo 1408 >$tr/buffer_size_kb
sed 's/^/  locks: /' "$ZPOOLX_RESULTS/locks.txt" >&2
is "$lfails" 0 "traced runs (lock contention, $lops ops) ran to the end"
is "$(grep -c 'overrun=0$' "$ZPOOLX_RESULTS/locks.txt")" "$(grep -c . "$ZPOOLX_RESULTS/locks.txt")" \
	"no trace event was lost (every wait counted)"
done_testing