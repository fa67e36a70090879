# SPDX-License-Identifier: GPL-2.0
# Fault injection (fail-nth over failslab and fail_page_alloc, scoped to the
# test task) against the zpool API of every zpoolx backend: each failure is
# an error to the caller, stored objects stay intact, nothing leaks (the
# harness runs kmemleak after the modules are unloaded), counters end at 0.
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

load_zpoolx
types=$(cat /sys/kernel/zpoolx/backends)
plan $(( $(wc -w <<<"$types") * 6 + 1 ))
for t in $types; do
	load_kmod zpool_fault type="$t"
	r=$?
	dmesg | sed -n "s/.*zpool_fault: \(\(not \)\{0,1\}ok\) [0-9]* - /\1 - $t: /p" >"$TMPDIR/kmod.tap"
	dmesg -C
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
ok "unload zpoolx" rmmod zpoolx
done_testing
