# SPDX-License-Identifier: GPL-2.0
# zswap's pool switched under load: stress-ng (--verify) on its vm, pageswap
# and madvise stressors plus a memory hog verified page by page, while
# zswap's zpool flips every few seconds between zpoolx_zbud, zpoolx_zsmalloc
# and the kernel's zsmalloc, and compact_memory, the pools' writeback and
# compact files are written at the same time.  Then a hog of 1.5x RAM
# (1.25x on the debug kernel) on the last pool, swapoff, and every retired
# pool must have drained and been destroyed, except those 6.1's zswap
# leaked (named in the output; see "Leaked pools" below).  A drain phase
# follows, flipping with room to spare (zswap never at its limit, so
# nothing may leak) on another compressor; then every pool of that phase
# must be gone, and the module unloads when nothing holds it.
#
# ZPOOLX_SWITCH_S   seconds of switching under load (default 150, 75 on the
#                   debug kernel)
# ZPOOLX_SOAK_MIN   make soak: repeat rounds (with module unload/reload and
#                   swapoff between them) for this many minutes, checking
#                   each round that counters only grew and that pool bytes
#                   track the stored objects; kmemleak judges the end
#
# Leaked pools: in 6.1, zswap_frontswap_store() takes a reference on the
# oldest pool when the pool limit is hit and queues its shrink work; when
# the work is already queued, queue_work() returns false and the reference
# is never put (mm/zswap.c).  Such a pool can never be destroyed, and
# neither can its module be unloaded.  A pool that is still there after
# swapoff is excused only if it is empty and zswap's pool_limit_hit grew
# while it was alive; anything else fails.
#
# vm-kernels: debian debug
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 600
# vm-timeout-debug: 1500
# vm-append-debug: debug_pagealloc=off slub_debug=-
. "$ZPOOLX_TOP/tests/vm/lib.sh"

# The debug kernel runs this 3 to 8 times slower: half the switching and a
# smaller hog after it there (the same paths, KASAN and lockdep watching)
if [ "$ZPOOLX_KERNEL" = debug ]; then
	DUR=${ZPOOLX_SWITCH_S:-75} HOG_PCT=125
else
	DUR=${ZPOOLX_SWITCH_S:-150} HOG_PCT=150
fi
SOAK_MIN=${ZPOOLX_SOAK_MIN:-0}
TYPES=(zpoolx_zbud zpoolx_zsmalloc zsmalloc)
LOG=$ZPOOLX_RESULTS

# The test's own shell must survive the OOM killer; the workloads it starts
# run at the default score (choom -n 0) so that they, not it, are chosen.
echo -1000 >/proc/self/oom_score_adj

# ---- pool bookkeeping ----
# The flips and the sampling of the pools are build/tools/switcher's
# (tests/vm/tools/switcher.c): locked in memory, it keeps its 3 s clock in
# the thrashing this load makes, where a shell loop took 19 s a turn.

now() { printf '%(%s)T' -1; }

# kzs_pools: the kernel's live zsmalloc pools, one per line, named as the
# switcher names them
kzs_pools() {
	local d n
	if [ -d /sys/kernel/debug/zsmalloc ]; then
		for d in /sys/kernel/debug/zsmalloc/*/; do
			[ -d "$d" ] || continue
			d=${d%/}
			echo "${d##*/}"
		done
	elif rd /sys/module/zsmalloc/refcnt n; then
		# Debian: zsmalloc is a module, one reference per pool
		for ((d = 1; d <= n; d++)); do echo "zsmalloc_pool_$d"; done
	fi
}

# ---- the load ----
# background jobs write their verdicts to files under $TMPDIR

# hog_loop UNTIL: a 96 MiB hog, verified, again and again until UNTIL
hog_loop() {
	local until=$1 r=0 pages=0 bad=0 out
	while [ "$(now)" -lt "$until" ]; do
		if out=$(choom -n 0 -- "$ZPOOLX_TOP/build/tools/memhog" -r 1024 96 2>>"$TMPDIR/hog.err"); then
			r=$((r + 1))
		else
			bad=$((bad + 1))
			say "memhog round $((r + bad)) failed: $out"
		fi
		v=${out#*pages=}
		[[ $v =~ ^([0-9]+) ]] && pages=$((pages + BASH_REMATCH[1]))
	done
	echo "rounds=$r failed=$bad pages=$pages" >"$TMPDIR/hog.result"
}

# churn_loop UNTIL: compaction, writeback and compact requests meanwhile
churn_loop() {
	local until=$1 d wb=0 cp=0 cm=0 err=0
	while [ "$(now)" -lt "$until" ]; do
		echo 1 >/proc/sys/vm/compact_memory && cm=$((cm + 1))
		for d in $(pool_dirs); do
			# a pool may be destroyed under our feet: refusals
			# (EBUSY, ENOENT) are expected, complaints are not
			if echo 64 >"$d/writeback" 2>/dev/null; then wb=$((wb + 1)); else err=$((err + 1)); fi
			if [ -e "$d/compact" ]; then
				if echo 1 >"$d/compact" 2>/dev/null; then cp=$((cp + 1)); else err=$((err + 1)); fi
			fi
		done
		sleep 1
	done
	echo "compact_memory=$cm writeback=$wb compact=$cp refused=$err" >"$TMPDIR/churn.result"
}

# round N: one switching run under load, its TAP lines
round() {
	local n=$1 until out rc hog churn
	until=$(( $(now) + DUR ))
	rm -f "$TMPDIR"/hog.result "$TMPDIR"/churn.result
	say "== round $n: ${DUR}s of switching under load ($(date +%T))"
	"$ZPOOLX_TOP/build/tools/switcher" -d "$DUR" -i 3000 -o "$TMPDIR/switch.$n" \
		"${TYPES[@]}" 2>>"$LOG/switcher.$n.err" &
	SWITCHER=$!
	choom -n 0 -- stress-ng --vm 2 --vm-bytes 112M --pageswap 1 --madvise 1 \
		--verify --timeout "${DUR}s" --metrics-brief \
		>"$LOG/stress-ng.$n.log" 2>&1 &
	local sng=$!
	hog_loop "$until" &
	local hogp=$!
	churn_loop "$until" &
	local churnp=$!
	wait $sng
	rc=$?
	wait $hogp $churnp
	hog=$(cat "$TMPDIR/hog.result" 2>/dev/null)
	churn=$(cat "$TMPDIR/churn.result" 2>/dev/null)
	diag "round $n: hog: $hog; churn: $churn"
	out=$(grep -E 'fail|error|corrupt|mismatch' "$LOG/stress-ng.$n.log" | head -n 5)
	is "$rc" 0 "round $n: stress-ng --verify exited 0 (log: stress-ng.$n.log)"
	is "$out" "" "round $n: stress-ng reported no failure"
	local hr=0 hf=1
	[[ $hog =~ ^rounds=([0-9]+)\ failed=([0-9]+) ]] && hr=${BASH_REMATCH[1]} hf=${BASH_REMATCH[2]}
	is "$hf" 0 "round $n: every memhog round verified ($hog)"
	cmp_ok "$hr" -gt 0 "round $n: memhog ran alongside"
}

# settle: zswap on the kernel's zbud, swap drained; then wait (up to 30 s)
# for the retired pools' destruction (a workqueue after an RCU grace period)
settle() {
	local i
	echo zbud >$ZSWAP_PARAMS/zpool
	swapoff "$ZPOOLX_SWAPDEV" || return 1
	for i in $(seq 150); do
		[ -z "$(pool_dirs)" ] && [ -z "$(kzs_pools)" ] && break
		sleep 0.2
	done
	return 0
}

# stop_switcher N: its last sample, its report sourced; the flips judged
stop_switcher() {
	local n=$1
	kill -TERM "$SWITCHER" && wait "$SWITCHER"
	FLIPS=0 FLIP_FAIL=1 FLIP_SLOWEST_MS=0 MONO_BAD=1 SAMPLES=0 POOLS_SEEN=0
	# shellcheck disable=SC1090
	. "$TMPDIR/switch.$n"
	TOTAL_FLIPS=$((TOTAL_FLIPS + FLIPS))
	diag "round $n: $FLIPS flips, slowest ${FLIP_SLOWEST_MS} ms, $FLIP_FAIL refused; $POOLS_SEEN zpoolx pools seen in $SAMPLES samples"
	sed 's/^/  /' "$LOG/switcher.$n.err" >&2 2>/dev/null
	# one every 3 s is asked; a flip that takes long (1.4 s seen on the
	# debug kernel, where making a pool is slow) pushes the next one back
	cmp_ok "$FLIPS" -ge $((DUR / 6)) "round $n: zswap's zpool flipped every few seconds ($FLIPS flips in ${DUR}s, one every 3 s asked)"
	is "$FLIP_FAIL" 0 "round $n: every switch of zswap's zpool was taken"
	is "$MONO_BAD" 0 "round $n: every pool's eviction counters only grew"
}

# judge_leftovers N: every pool still alive must be an excused leak: the
# load phase's report decides for its pools, the drain phase's for the rest
judge_leftovers() {
	local d id objs bad=0 leaked=() n v name type hit0 hit1
	# shellcheck disable=SC1090
	. "$TMPDIR/drain.$1"
	# shellcheck disable=SC1090
	. "$TMPDIR/switch.$1"
	for d in $(pool_dirs); do
		id=${d##*/}
		rd "$d/objects" objs
		v=pool_$id
		read -r name type hit0 hit1 <<<"${!v:-? ? 0 0}"
		if [ "$objs" = 0 ] && [ "$hit1" -gt "$hit0" ]; then
			leaked+=("$name ($id, $type)")
		else
			bad=$((bad + 1))
			say "pool $id ($name, $type) still alive: objects=$objs, pool_limit_hit $hit0..$hit1 during its life"
		fi
	done
	for n in $(kzs_pools); do
		v=kzs_$n
		read -r hit0 hit1 <<<"${!v:-0 0}"
		if [ "$hit1" -gt "$hit0" ]; then
			leaked+=("$n (kernel zsmalloc)")
		else
			bad=$((bad + 1))
			say "kernel zsmalloc pool $n still alive, and the limit was never hit while it was"
		fi
	done
	if [ ${#leaked[@]} -gt 0 ]; then
		diag "round $1: pools 6.1's zswap leaked (empty, alive while pool_limit_hit grew): ${leaked[*]}"
	else
		diag "round $1: no pool leaked: every retired pool was destroyed"
	fi
	is "$bad" 0 "round $1: every retired pool drained and was destroyed, or is an empty pool zswap leaked at its limit"
}

# drain_phase N: the same flips with room to spare, so that zswap never
# hits its limit and so never leaks: compressor lzo (zswap reuses a live
# pool of the same type and compressor, so none of the leaked lz4 pools
# comes back), max_pool_percent 90, a hog just past RAM; then swapoff,
# and every pool of this phase must be destroyed, without excuse.
drain_phase() {
	local n=$1 hit0 hit1 out
	echo 90 >$ZSWAP_PARAMS/max_pool_percent
	swap_on
	echo lzo >$ZSWAP_PARAMS/compressor
	hit0=$(zswap_stat pool_limit_hit)
	"$ZPOOLX_TOP/build/tools/switcher" -d 30 -i 3000 -o "$TMPDIR/drain.$n" \
		"${TYPES[@]}" 2>>"$LOG/switcher.$n.err" &
	SWITCHER=$! DRAIN_T0=$(now)
	out=$(choom -n 0 -- "$ZPOOLX_TOP/build/tools/memhog" -r 1024 $(( $(mem_total_mib) + 32 )))
	_tap $? "round $n, drain phase: a hog just past RAM while the pools flip, every page verified ($out)"
	while [ -e "/proc/$SWITCHER" ] && [ $(( $(now) - DRAIN_T0 )) -lt 30 ]; do sleep 1; done
	settle
	hit1=$(zswap_stat pool_limit_hit)
	kill -TERM "$SWITCHER" && wait "$SWITCHER"
	FLIPS=0
	# shellcheck disable=SC1090
	. "$TMPDIR/drain.$n"
	TOTAL_FLIPS=$((TOTAL_FLIPS + FLIPS))
	cmp_ok "$FLIPS" -ge 5 "round $n, drain phase: the pools flipped ($FLIPS flips)"
	is "$hit1" "$hit0" "round $n, drain phase: zswap's limit was never hit (so no pool may leak)"
	echo lz4 >$ZSWAP_PARAMS/compressor
	echo 20 >$ZSWAP_PARAMS/max_pool_percent
}

# judge_unload: rmmod works exactly when no zpoolx pool is left
judge_unload() {
	if [ -z "$(pool_dirs)" ]; then
		ok "rmmod zpoolx: nothing holds it" rmmod zpoolx
	else
		diag "zpoolx stays loaded: zswap holds $(pool_dirs | wc -l) leaked pool(s) (refcnt $(cat /sys/module/zpoolx/refcnt))"
		ok_fails "rmmod zpoolx refused while zswap's leaked pools hold it" rmmod zpoolx
	fi
}

# quiescent: with the load stopped, each pool's bytes track its objects
# (read three times at most: kswapd may still move a page meanwhile)
quiescent_checks() {
	local d id o s b pg bad=0 try
	for d in $(pool_dirs); do
		id=${d##*/}
		for try in 1 2 3; do
			o=$(cat "$d/objects") s=$(cat "$d/stored_bytes") b=$(cat "$d/pool_bytes") pg=$(cat "$d/pages") || break
			{ [ "$o" = 0 ] && [ "$s" != 0 ]; } || [ "$b" -lt "$s" ] ||
				[ "$s" -gt $((o * 4096)) ] || [ "$b" -lt $((pg * 4096)) ] || continue 2
			sleep 1
		done
		say "pool $id: objects=$o stored_bytes=$s pool_bytes=$b pages=$pg do not agree"
		bad=$((bad + 1))
	done
	is "$bad" 0 "$1: every pool's bytes track its objects (stored <= pool bytes, pages <= pool bytes, stored <= objects x 4 KiB)"
}

swap_and_zswap() {
	swap_on && zswap_setup zpoolx_zsmalloc lz4
}

start=$(now)
# make soak: rounds until SOAK_MIN minutes have gone by, the plan at the end
if [ "$SOAK_MIN" -gt 0 ]; then
	rounds=100000
else
	rounds=1
	plan 17
fi
modprobe -q zsmalloc 2>/dev/null
modprobe -q zbud 2>/dev/null
ok "stress-ng is installed (Debian's package, scripts/install-deps)" command -v stress-ng
TOTAL_FLIPS=0
for r in $(seq "$rounds"); do
	# (zswap_setup loads zpoolx again if the last round unloaded it)
	ok "round $r: swap on, zswap on zpoolx_zsmalloc" swap_and_zswap
	hit0=$(zswap_stat pool_limit_hit)
	round "$r"
	quiescent_checks "round $r, after the load"
	hog=$(( $(mem_total_mib) * HOG_PCT / 100 ))
	out=$(choom -n 0 -- "$ZPOOLX_TOP/build/tools/memhog" -r 1024 "$hog")
	_tap $? "round $r: a ${hog} MiB hog on $(cat $ZSWAP_PARAMS/zpool) after the switching, every page verified ($out)"
	ok "round $r: swapoff drains every pool" settle
	stop_switcher "$r"
	diag "round $r: pool_limit_hit $hit0 -> $(zswap_stat pool_limit_hit); $(zswap_stat written_back_pages) pages written back so far"
	drain_phase "$r"
	judge_leftovers "$r"
	judge_unload
	if [ "$SOAK_MIN" -gt 0 ]; then
		diag "round $r done after $(( $(now) - start ))s"
		[ $(( $(now) - start )) -ge $((SOAK_MIN * 60)) ] && break
	fi
done
[ "$SOAK_MIN" -gt 0 ] && plan $((r * 16 + 1))
diag "flips survived: $TOTAL_FLIPS in $r round(s)"
done_testing
