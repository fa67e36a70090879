# SPDX-License-Identifier: GPL-2.0
# The cost of the BPF programs (bpf/, through `zpoolctl bpf --run`): the
# same workloads with and without the programs attached, alternating
# off/on/off/on..., printed as ratios (on/off), not asserted.
#
#  1. the zpool-API microbenchmark (tests/kmod/zpool_bench.c) on
#     zpoolx_zsmalloc (its sizes go past zbud's largest object), on 1 CPU
#     and on all CPUs: every operation
#     is one malloc and one free, i.e. two zpoolx tracepoints with their
#     programs, and nothing else: the worst case;
#  2. zswap on zpoolx_zsmalloc under a memory hog in a 32 MiB memory cgroup
#     (stores, loads, evictions: every program runs), its wall time.
#
# ZPOOLX_BENCH_OPS, ZPOOLX_BENCH_ROUNDS (per insmod; the median is taken)
# and ZPOOLX_BPF_PAIRS (off/on pairs, default 3) scale it.  Results:
# $ZPOOLX_RESULTS/bpf-overhead.txt.  Wall times under TCG are noisy: the
# pairs alternate so that slow phases of the host hit both sides alike.
# vm-manual: yes
# vm-kernels: debian
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 1200
# shellcheck shell=bash
. "$ZPOOLX_TOP/tests/vm/lib.sh"
z=$ZPOOLX_TOP/zpoolctl/zpoolctl
ops=${ZPOOLX_BENCH_OPS:-100000} rounds=${ZPOOLX_BENCH_ROUNDS:-3}
pairs=${ZPOOLX_BPF_PAIRS:-3}
types=zpoolx_zsmalloc
out=$TMPDIR/results
cg=/sys/fs/cgroup
plan 6

ok "swap on" swap_on
ok "zswap on zpoolx_zsmalloc" zswap_setup zpoolx_zsmalloc lz4

# micro MODE: one insmod of zpool_bench, its results as "MODE type cpus ns"
micro() {
	local marker="bpf-overhead: $$ $(date +%s%N)"
	echo "$marker" >/dev/kmsg
	if [ "$1" = on ]; then
		"$z" bpf --json --run ". $ZPOOLX_TOP/tests/vm/lib.sh; load_kmod zpool_bench types=$types ops=$ops rounds=$rounds" \
			>"$TMPDIR/bpf-micro.json" 2>/dev/null || return 1
	else
		load_kmod zpool_bench types=$types ops=$ops rounds=$rounds || return 1
	fi
	rmmod zpool_bench
	dmesg -t | sed -n "\|$marker|,\$p" |
		sed -n 's/^zpool_bench: result type=\([^ ]*\) cpus=\([0-9]*\) .*ns_per_op=\([0-9]*\) .*/\1 \2 \3/p' |
		sed "s/^/micro $1 /" >>"$out"
}

# hog MODE: wall time in ms of a 96 MiB memory hog in a 32 MiB cgroup
[ -e $cg/cgroup.controllers ] || mount -t cgroup2 none $cg
echo +memory >$cg/cgroup.subtree_control
mkdir -p $cg/hog
echo 32M >$cg/hog/memory.max
cat >"$TMPDIR/hog.sh" <<EOF
echo \$\$ >$cg/hog/cgroup.procs && exec $ZPOOLX_TOP/build/tools/memhog -r 1024 96 >/dev/null 2>&1
EOF
hog_cmd="bash $TMPDIR/hog.sh"
hog() {
	local t0 t1
	t0=$(date +%s%N)
	if [ "$1" = on ]; then
		"$z" bpf --json --run "$hog_cmd" >"$TMPDIR/bpf-hog.json" 2>/dev/null || return 1
		# the run's own time, without loading and attaching
		t1=$(( t0 + $(jq .elapsed_ns "$TMPDIR/bpf-hog.json") ))
	else
		$hog_cmd || return 1
		t1=$(date +%s%N)
	fi
	echo "hog $1 all 1 $(( (t1 - t0) / 1000000 ))" >>"$out"
}

: >"$out"
fails=0
for i in $(seq "$pairs"); do
	say "== pair $i of $pairs: microbenchmark"
	micro off || fails=$((fails + 1))
	micro on || fails=$((fails + 1))
done
is "$fails" 0 "zpool_bench ran $((pairs * 2)) times, half of them with the programs attached"
fails=0
for i in $(seq "$pairs"); do
	say "== pair $i of $pairs: memory hog"
	hog off || fails=$((fails + 1))
	hog on || fails=$((fails + 1))
done
is "$fails" 0 "the memory hog ran $((pairs * 2)) times, every page verified"
sed 's/^/  /' "$out" >&2

# The mean of each side per workload, and on/off.
awk '{ k = $1 " " $3 " " $4; s[k " " $2] += $5; n[k " " $2]++; keys[k] = 1 }
	END {
		for (k in keys) {
			off = s[k " off"] / n[k " off"]; on = s[k " on"] / n[k " on"]
			split(k, w, " ")
			if (w[1] == "micro")
				printf "micro %-16s cpus=%s  off %7.0f ns/op  on %7.0f ns/op  ratio %.3f\n", w[2], w[3], off, on, on / off
			else
				printf "hog   zswap/zpoolx_zsmalloc  off %7.0f ms     on %7.0f ms     ratio %.3f\n", off, on, on / off
		}
	}' "$out" | sort >"$TMPDIR/summary"
while read -r line; do diag "$line"; done <"$TMPDIR/summary"
cp "$TMPDIR/summary" "$ZPOOLX_RESULTS/bpf-overhead.txt" 2>/dev/null
cmp_ok "$(grep -c ratio "$TMPDIR/summary")" -eq 3 "ratios for the microbenchmark on 1 and all CPUs and for the hog"
jq -e '.pools | length > 0' "$TMPDIR/bpf-micro.json" >/dev/null
_tap $? "the programs counted the microbenchmark's pools"
done_testing
