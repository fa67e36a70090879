# SPDX-License-Identifier: GPL-2.0
# zpoolx's tracepoints (module/trace.h) through tracefs: zswap on
# zpoolx_zsmalloc with a small pool limit, a memory hog past RAM, the
# pool's writeback and compact files and compact_memory, then swapoff, with
# every zpoolx event recorded.  The events must add up exactly to the
# pool's sysfs counters, since each fires where its counter moves; nothing
# may be lost from the ring buffer.  Debian's kernel only in make check:
# on the debug kernel the same events are checked the same way, exactly
# against the same counters, by the bpf test (through the BPF programs),
# and make check's time is bounded; it passes there when run by hand
# (tests/vm/run --kernel debug tracepoints, about 160 s).
# vm-kernels: debian
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 240
# shellcheck shell=bash
. "$ZPOOLX_TOP/tests/vm/lib.sh"
plan 14

type=zpoolx_zsmalloc
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs tracefs $T
ok "swap on $ZPOOLX_SWAPDEV" swap_on
ok "zswap on $type" zswap_setup "$type" lz4
# A small pool fills fast, so a short hog evicts; the debug kernel runs
# the hog 4 to 8 times slower, and tracing slows it more: a shorter hog.
echo 10 >$ZSWAP_PARAMS/max_pool_percent
[ "$ZPOOLX_KERNEL" = debug ] && echo 5 >$ZSWAP_PARAMS/max_pool_percent
ok "the six zpoolx events exist in tracefs" \
	test -d $T/events/zpoolx/zpoolx_alloc -a -d $T/events/zpoolx/zpoolx_free \
	-a -d $T/events/zpoolx/zpoolx_evict -a -d $T/events/zpoolx/zpoolx_reclaim \
	-a -d $T/events/zpoolx/zpoolx_compact -a -d $T/events/zpoolx/zpoolx_migrate
echo 16384 >$T/buffer_size_kb
echo >$T/trace
echo 1 >$T/events/zpoolx/enable

# The pool zswap made when it was enabled; its counters start at 0.
dir=$(pool_dirs "$type" | tail -n 1)
id=${dir##*/}
hog=$(($(mem_total_mib) * 6 / 5))
[ "$ZPOOLX_KERNEL" = debug ] && hog=$(($(mem_total_mib) * 21 / 20))
ok "$type: memhog ${hog} MiB with the events on, every page verified" \
	memhog -r 1024 "$hog"
echo 64 >"$dir/writeback"
echo 1 >/proc/sys/vm/compact_memory
echo 1 >"$dir/compact"
# Any process touching a swapped page frees a pool object, and kcompactd
# may migrate pool pages at any time, so the counters only hold still once
# nothing is left in swap: swapoff brings every page back (each load and
# invalidate traced), and the empty pool has no pages left to migrate.
ok "swapoff empties the pool" swapoff "$ZPOOLX_SWAPDEV"
echo 0 >$T/events/zpoolx/enable

lost=$(cat $T/per_cpu/cpu*/stats | awk '/^(overrun|dropped events):/ { n += $NF } END { print n + 0 }')
is "$lost" 0 "no event was lost from the ring buffer"

# Sum the events of pool $id into shell variables.
eval "$(awk -v id="$id" '
	function arg(k,   i) {
		for (i = 1; i <= NF; i++)
			if (index($i, k "=") == 1)
				return substr($i, length(k) + 2)
		return ""
	}
	/ zpoolx_[a-z]+: / {
		if (arg("pool") != id) next
		ev = $0; sub(/.* zpoolx_/, "", ev); sub(/:.*/, "", ev)
		ret = arg("ret")
		if (ev == "alloc" && ret == 0) { allocs++; objs++; bytes += arg("size") }
		if (ev == "alloc" && ret == -12) nomem++
		if (ev == "free") { objs--; bytes -= arg("size") }
		if (ev == "evict") { ev_all++; if (ret == 0) ev_ok++; else ev_bad++ }
		if (ev == "reclaim") reclaimed += arg("reclaimed")
		if (ev == "compact") compacted += arg("freed")
		if (ev == "migrate") {
			op = arg("op")
			if (op == "isolate" && ret == 0) iso++
			if (op == "migrate" && ret == 0) mig++
			if (op == "migrate" && ret != 0) migfail++
			if (op == "putback") put++
		}
	}
	END {
		printf "t_allocs=%d t_objs=%d t_bytes=%d t_nomem=%d t_ev_all=%d t_ev_ok=%d t_ev_bad=%d\n",
			allocs, objs, bytes, nomem, ev_all, ev_ok, ev_bad
		printf "t_reclaimed=%d t_compacted=%d t_iso=%d t_mig=%d t_migfail=%d t_put=%d\n",
			reclaimed, compacted, iso, mig, migfail, put
	}' $T/trace)"
echo >$T/trace

say "pool $id: $(for f in objects stored_bytes alloc_failures evict_attempted evict_succeeded evict_failed reclaimed_pages pages_isolated pages_migrated pages_putback migrate_failures compact; do printf '%s=%s ' $f "$(cat "$dir/$f")"; done)"
is "$t_objs $t_bytes" "$(cat "$dir/objects") $(cat "$dir/stored_bytes")" \
	"$t_allocs alloc and the free events add up to objects and stored_bytes ($t_objs, $t_bytes)"
cmp_ok "$t_allocs" -gt 1000 "more than 1000 objects were stored"
is "$t_nomem" "$(cat "$dir/alloc_failures")" "alloc -ENOMEM events = alloc_failures"
is "$t_ev_all $t_ev_ok $t_ev_bad" \
	"$(cat "$dir/evict_attempted") $(cat "$dir/evict_succeeded") $(cat "$dir/evict_failed")" \
	"evict events = evict_attempted, evict_succeeded, evict_failed ($t_ev_all)"
cmp_ok "$t_ev_ok" -gt 0 "objects were evicted"
is "$t_reclaimed" "$(cat "$dir/reclaimed_pages")" "reclaim events add up to reclaimed_pages ($t_reclaimed)"
total=$(sed -n 's/.*total=\([0-9]*\).*/\1/p' "$dir/compact")
is "$t_compacted" "$total" "compact events add up to the compact file's total ($total)"
is "$t_iso $t_mig $t_migfail $t_put" \
	"$(cat "$dir/pages_isolated") $(cat "$dir/pages_migrated") $(cat "$dir/migrate_failures") $(cat "$dir/pages_putback")" \
	"migrate events = pages_isolated, pages_migrated, migrate_failures, pages_putback ($t_iso isolated)"
done_testing
