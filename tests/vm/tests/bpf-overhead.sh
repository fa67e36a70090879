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
#     (stores, loads, evictions: every program runs), its wall time as the
#     hog measures it.
#
# ZPOOLX_BENCH_OPS, ZPOOLX_BENCH_ROUNDS (per insmod; the median is taken)
# and ZPOOLX_BPF_PAIRS (off/on pairs, default 20: 6 gave medians 4% apart
# from one boot to the next) scale it.  Results:
# $ZPOOLX_RESULTS/bpf-overhead.txt.  Wall times under TCG are noisy (the
# same run varies by 15% from one pair to the next): the pairs alternate
# their order (off/on, on/off, ...), so that a drift within a pair hits
# both sides alike, and the ratio is the median of the pairs' ratios.
# vm-manual: yes
# vm-kernels: debian
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 1500
# shellcheck shell=bash
. "$ZPOOLX_TOP/tests/vm/lib.sh"
z=$ZPOOLX_TOP/zpoolctl/zpoolctl
ops=${ZPOOLX_BENCH_OPS:-100000} rounds=${ZPOOLX_BENCH_ROUNDS:-3}
pairs=${ZPOOLX_BPF_PAIRS:-20}
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
# The hog times itself (from before its exec to its exit), on both sides
# alike: what is measured is the programs' cost, not zpoolctl's start.
# Under zpoolctl it also notes zpoolctl's resident memory, which it
# holds in this small guest while it counts.
cat >"$TMPDIR/hog.sh" <<EOF
echo \$\$ >$cg/hog/cgroup.procs || exit 1
[ "\$1" = on ] && sed -n 's/^VmRSS: *//p' /proc/\$(pgrep -o -x zpoolctl)/status >$TMPDIR/zpoolctl-rss
t0=\$(date +%s%N)
$ZPOOLX_TOP/build/tools/memhog -r 1024 96 >/dev/null 2>&1 || exit 1
echo \$(( (\$(date +%s%N) - t0) / 1000000 )) >$TMPDIR/hog-ms
EOF
hog() {
	rm -f "$TMPDIR/hog-ms"
	if [ "$1" = on ]; then
		"$z" bpf --json --run "bash $TMPDIR/hog.sh on" >"$TMPDIR/bpf-hog.json" 2>/dev/null || return 1
	else
		bash "$TMPDIR/hog.sh" off || return 1
	fi
	echo "hog $1 all 1 $(cat "$TMPDIR/hog-ms")" >>"$out"
}

: >"$out"
fails=0
# order I: the sides of pair I, off first in odd pairs and on first in
# even ones (ABBA), so that a drift within a pair hits both sides alike
order() {
	if [ $(($1 % 2)) = 1 ]; then echo off on; else echo on off; fi
}
for i in $(seq "$pairs"); do
	say "== pair $i of $pairs: microbenchmark"
	for side in $(order "$i"); do
		micro "$side" || fails=$((fails + 1))
	done
done
is "$fails" 0 "zpool_bench ran $((pairs * 2)) times, half of them with the programs attached"
fails=0
for i in $(seq "$pairs"); do
	say "== pair $i of $pairs: memory hog"
	for side in $(order "$i"); do
		hog "$side" || fails=$((fails + 1))
	done
done
is "$fails" 0 "the memory hog ran $((pairs * 2)) times, every page verified"
sed 's/^/  /' "$out" >&2

# Per workload: the mean of each side, and the median of the pairs'
# on/off ratios (the k-th off run with the k-th on run: one pair), which a
# slow phase of the host spoils for one pair only.
awk '{ k = $1 " " $3 " " $4; i = ++n[k " " $2]; v[k " " $2 " " i] = $5
	s[k " " $2] += $5; keys[k] = 1 }
	END {
		for (k in keys) {
			np = n[k " off"] < n[k " on"] ? n[k " off"] : n[k " on"]
			for (i = 1; i <= np; i++)
				r[i] = v[k " on " i] / v[k " off " i]
			# insertion sort of r[1..np], then its median
			for (i = 2; i <= np; i++)
				for (j = i; j > 1 && r[j - 1] > r[j]; j--) {
					t = r[j]; r[j] = r[j - 1]; r[j - 1] = t
				}
			med = np % 2 ? r[(np + 1) / 2] : (r[np / 2] + r[np / 2 + 1]) / 2
			off = s[k " off"] / n[k " off"]; on = s[k " on"] / n[k " on"]
			split(k, w, " ")
			if (w[1] == "micro")
				printf "micro %-16s cpus=%s  off %7.0f ns/op  on %7.0f ns/op  ratio %.3f (median of %d pairs)\n", w[2], w[3], off, on, med, np
			else
				printf "hog   zswap/zpoolx_zsmalloc  off %7.0f ms     on %7.0f ms     ratio %.3f (median of %d pairs)\n", off, on, med, np
		}
	}' "$out" | sort >"$TMPDIR/summary"
while read -r line; do diag "$line"; done <"$TMPDIR/summary"
cp "$TMPDIR/summary" "$ZPOOLX_RESULTS/bpf-overhead.txt" 2>/dev/null
diag "zpoolctl bpf's resident memory while it counted: $(cat "$TMPDIR/zpoolctl-rss" 2>/dev/null)"
cmp_ok "$(grep -c ratio "$TMPDIR/summary")" -eq 3 "ratios for the microbenchmark on 1 and all CPUs and for the hog"
jq -e '.pools | length > 0' "$TMPDIR/bpf-micro.json" >/dev/null
_tap $? "the programs counted the microbenchmark's pools"
done_testing
