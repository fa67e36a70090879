# SPDX-License-Identifier: GPL-2.0
# End-to-end zswap workloads shared by the per-pool tests in tests/vm/tests/
# (zbud-*.sh, zsmalloc-*.sh): source it after lib.sh, then call one of
# e2e_hog, e2e_tmpfs, e2e_unload with a zpool type.

# _e2e_snapshot FILE TYPE: zswap's and the pool's counters, as shell vars
_e2e_snapshot() {
	local f d
	{
		for f in stored_pages pool_total_size written_back_pages pool_limit_hit \
			reject_reclaim_fail reject_alloc_fail reject_compress_poor; do
			echo "zswap_$f=$(zswap_stat $f)"
		done
		d=$(pool_dirs "$2" | tail -n 1)
		if [ -n "$d" ]; then
			for f in pages objects stored_bytes evict_attempted evict_succeeded \
				evict_failed reclaimed_pages alloc_failures; do
				echo "pool_$f=$(cat "$d/$f")"
			done
		fi
	} >"$1"
}

# e2e_hog TYPE: a memory hog of 1.5x RAM, every page verified.  Checks that
# the pool stored pages, that zswap wrote back when it was full, and that no
# store was rejected because reclaim failed.  6 assertions.
e2e_hog() {
	local type=$1 hog
	ok "swap on $ZPOOLX_SWAPDEV" swap_on
	ok "zswap on $type" zswap_setup "$type" lz4
	hog=$(( $(mem_total_mib) * 3 / 2 ))
	if [ "$ZPOOLX_KERNEL" = debug ] || [ "$ZPOOLX_KERNEL" = arm64 ]; then
		# The debug and arm64 lanes' short version (everything is 5-9x
		# slower on the debug kernel, 2-3x in an aarch64 guest): a
		# smaller pool fills with a smaller hog.
		echo 10 >$ZSWAP_PARAMS/max_pool_percent
		hog=$(( $(mem_total_mib) * 5 / 4 ))
	fi
	say "== $type: memory hog of ${hog} MiB, RAM $(mem_total_mib) MiB"
	ok "$type: memhog ${hog} MiB, every page verified" \
		memhog -r 1024 -c ". $ZPOOLX_TOP/tests/vm/lib.sh; . $ZPOOLX_TOP/tests/vm/e2e.sh; _e2e_snapshot $TMPDIR/full $type" "$hog"
	# shellcheck disable=SC1091
	. "$TMPDIR/full"
	say "== $type: with memory full"
	sed 's/^/  /' "$TMPDIR/full" >&2
	cmp_ok "${pool_objects:-0}" -gt 0 "$type: pool held objects with memory full (zswap stored_pages=$zswap_stored_pages)"
	_e2e_reclaim_checks "$type"
}

# _e2e_reclaim_checks TYPE: after a workload that filled the pool, zswap
# wrote back and no store was rejected because reclaim failed.  2 assertions.
_e2e_reclaim_checks() {
	local type=$1
	_e2e_snapshot "$TMPDIR/end" "$type"
	. "$TMPDIR/end"
	say "== $type: after the workload"
	sed 's/^/  /' "$TMPDIR/end" >&2
	if [ "$zswap_pool_limit_hit" -gt 0 ]; then
		cmp_ok "$zswap_written_back_pages" -gt 0 "$type: written back when full (pool_limit_hit=$zswap_pool_limit_hit)"
	else
		_tap 1 "$type: the workload never filled the pool (pool_limit_hit=0): make it bigger"
	fi
	is "$zswap_reject_reclaim_fail" 0 "$type: no store rejected for failed reclaim"
}

# e2e_tmpfs TYPE: real files from the host root copied into a tmpfs past
# RAM, then checked with sha256sum -c; zswap wrote back when full and never
# rejected a store for failed reclaim.  7 assertions.
e2e_tmpfs() {
	local type=$1 want have=0 size f mnt=$TMPDIR/e2e-tmpfs
	ok "swap on $ZPOOLX_SWAPDEV" swap_on
	ok "zswap on $type" zswap_setup "$type" lz4
	want=$(( $(mem_total_mib) * 3 / 2 * 1024 * 1024 ))
	# (the root is the host's, read-only: mount under the test's tmpfs)
	mkdir -p "$mnt"
	mount -t tmpfs -o size=$(( want * 2 / 1024 / 1024 ))m tmpfs "$mnt"
	# The biggest files first, up to 1.5x RAM, from the read-only host root:
	# libraries and programs (walking all of /usr/lib and /usr/share over
	# 9p under TCG takes minutes).  A file, not a process substitution: the
	# guest's /dev has no /dev/fd.
	find /usr/lib/x86_64-linux-gnu /usr/bin /usr/libexec -xdev -type f -size +256k -printf '%s %p\n' 2>/dev/null |
		sort -rn >"$TMPDIR/candidates"
	: >"$TMPDIR/list"
	while read -r size f; do
		[ $have -ge "$want" ] && break
		echo "$f" >>"$TMPDIR/list"
		have=$((have + size))
	done <"$TMPDIR/candidates"
	say "== $type: copying $(wc -l <"$TMPDIR/list") files, $((have / 1048576)) MiB, into tmpfs (RAM $(mem_total_mib) MiB)"
	(cd / && sed 's|^/||' "$TMPDIR/list" | xargs -d '\n' sha256sum) >"$TMPDIR/sums"
	ok "$type: files copied into tmpfs" \
		bash -c "cd / && sed 's|^/||' '$TMPDIR/list' | xargs -d '\n' cp --parents -t '$mnt'"
	_e2e_snapshot "$TMPDIR/full" "$type"
	. "$TMPDIR/full"
	cmp_ok "${pool_objects:-0}" -gt 0 "$type: pool holds tmpfs pages (zswap stored_pages=$zswap_stored_pages)"
	ok "$type: sha256sum -c of every file in tmpfs" \
		bash -c "cd '$mnt' && sha256sum --quiet -c '$TMPDIR/sums'"
	umount "$mnt"
	_e2e_reclaim_checks "$type"
}

# e2e_unload TYPE: zpoolx cannot be unloaded while zswap uses it; once
# zswap is switched to the kernel's zbud and the old pool drained (swapoff),
# it can.  8 assertions.
#
# The pool must not reach zswap's limit here: in 6.1, every store that finds
# the pool full while zswap's shrink work is already queued takes a pool
# reference that is never put (zswap_frontswap_store ignores queue_work's
# false), so a pool that was ever full under load is never destroyed and
# the module can never be unloaded.  Hence max_pool_percent=80 and a hog
# just past RAM.
e2e_unload() {
	local type=$1 i
	ok "swap on $ZPOOLX_SWAPDEV" swap_on
	echo 80 >$ZSWAP_PARAMS/max_pool_percent
	ok "zswap on $type" zswap_setup "$type" lz4
	memhog -r 1024 -c ". $ZPOOLX_TOP/tests/vm/lib.sh; . $ZPOOLX_TOP/tests/vm/e2e.sh; _e2e_snapshot $TMPDIR/full $type" \
		$(( $(mem_total_mib) + 32 )) >/dev/null
	. "$TMPDIR/full"
	cmp_ok "${pool_objects:-0}" -gt 0 "$type: pool held objects with memory full (zswap stored_pages=$zswap_stored_pages)"
	is "$(zswap_stat pool_limit_hit)" 0 "$type: the pool never hit zswap's limit"
	ok_fails "$type: rmmod zpoolx refused while zswap uses it" rmmod zpoolx
	ok "zswap switched to the kernel's zbud" zswap_setup zbud lz4
	ok "swapoff drains the old pool" swapoff "$ZPOOLX_SWAPDEV"
	# zswap destroys the drained pool from a workqueue after an RCU grace
	# period; the module reference goes with it.
	for i in $(seq 100); do
		[ "$(cat /sys/module/zpoolx/refcnt)" = 0 ] && break
		sleep 0.2
	done
	diag "after ${i} waits: refcnt=$(cat /sys/module/zpoolx/refcnt) pools: $(pool_dirs | tr '\n' ' ')"
	ok "$type: rmmod zpoolx once the old pool is gone" rmmod zpoolx
	echo 20 >$ZSWAP_PARAMS/max_pool_percent
}
