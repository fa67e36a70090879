# SPDX-License-Identifier: GPL-2.0
# Fault injection (fail-nth over failslab and fail_page_alloc, scoped to the
# test task) against the zpool API of every zpoolx backend: each failure is
# an error to the caller, stored objects stay intact, nothing leaks (the
# harness runs kmemleak after the modules are unloaded), counters end at 0.
# Then, with only allocations that cannot reclaim directly eligible
# (ignore-gfp-wait=Y), a pool created with zswap's gfp must make none.
# vm-kernels: debug
# vm-mem: 256M
# vm-timeout: 150
. "$ZPOOLX_TOP/tests/vm/lib.sh"
fi_dir=/sys/kernel/debug
# Make the allocations of the zpool paths eligible, fail only through
# fail-nth (probability 0), and stay quiet (no stack dumps in the log).
for a in failslab fail_page_alloc; do
	echo 0 >$fi_dir/$a/probability
	echo N >$fi_dir/$a/ignore-gfp-wait
	echo 0 >$fi_dir/$a/verbose
done
echo N >$fi_dir/fail_page_alloc/ignore-gfp-highmem
echo 0 >$fi_dir/fail_page_alloc/min-order

# kmod_lines TYPE: the module's TAP lines since the last call, into
# $TMPDIR/kmod.tap, each named after TYPE
kmod_lines() {
	dmesg | sed -n "s/.*zpool_fault: \(\(not \)\{0,1\}ok\) [0-9]* - /\1 - $1: /p" >"$TMPDIR/kmod.tap"
	dmesg -C
}

load_zpoolx
types=$(cat /sys/kernel/zpoolx/backends)
plan $(( $(wc -w <<<"$types") * 8 + 1 ))
for t in $types; do
	load_kmod zpool_fault type="$t"
	r=$?
	kmod_lines "$t"
	is "$r" 0 "$t: zpool_fault module passed (see its lines below)"
	while read -r line; do diag "$line"; done <"$TMPDIR/kmod.tap"
	d=
	for p in $(pool_dirs "$t"); do
		[ "$(cat "$p/name")" = zpool_fault ] && d=$p
	done
	is "$(cat "$d/objects" 2>&1)" 0 "$t: objects back to 0"
	is "$(cat "$d/stored_bytes" 2>&1)" 0 "$t: stored_bytes back to 0"
	is "$(cat "$d/pages" 2>&1)" 0 "$t: pages back to 0"
	cmp_ok "$(cat "$d/alloc_failures" 2>&1)" -gt 0 "$t: alloc_failures counted"
	ok "$t: unload the test module" rmmod zpool_fault
done
for a in failslab fail_page_alloc; do echo Y >$fi_dir/$a/ignore-gfp-wait; done
for t in $types; do
	load_kmod zpool_fault type="$t" gfp_check=1
	r=$?
	kmod_lines "$t"
	is "$r" 0 "$t: created with zswap's gfp, it allocates only with direct reclaim (see below)"
	while read -r line; do diag "$line"; done <"$TMPDIR/kmod.tap"
	[ "$r" = 0 ] && rmmod zpool_fault
	is "$(lsmod | grep -c '^zpool_fault ')" 0 "$t: the test module is gone"
done
for a in failslab fail_page_alloc; do echo N >$fi_dir/$a/ignore-gfp-wait; done
ok "unload zpoolx" rmmod zpoolx
done_testing
