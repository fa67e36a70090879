# SPDX-License-Identifier: GPL-2.0
# One pool's run of bench/run's density part ("count every byte"): zswap
# with lz4 on ZPOOLX_BENCH_POOL (the kernel's zsmalloc or zpoolx_zsmalloc),
# max_pool_percent raised to ZPOOLX_BENCH_PCT so that the pool never hits
# its limit, and four snapshots of everything the pool costs:
#   hog_fill     a memory hog of ZPOOLX_BENCH_HOG MiB, memory full
#   hog_churn    every hog page verified and rewritten with new content
#                (each zswap entry freed, a new one stored), memory full
#   files_fill   the files of ZPOOLX_BENCH_FILES/a.list (paths relative to
#                /, from the host root) copied into a tmpfs past RAM
#   files_churn  each of them deleted and the files of b.list copied in
# ZPOOLX_BENCH_RESERVE MiB (default 0) are held in a ramfs, out of the
# workloads' reach (bench/run --smoke).  The hog is verified page by
# page, the files with sha256sum -c against
# the host's sums (a.sha256, b.sha256, made by bench/run).  For the
# kernel's zsmalloc the compressed bytes come from a kprobe pair on
# zs_malloc/zs_free (bench/zstrace.bpf.c: handle -> size); the same tracer
# runs for zpoolx too, so both guests lose the same memory to it.  Every snapshot goes to
# $ZPOOLX_RESULTS/density.txt as PHASE.KEY=VALUE lines; bench/run turns
# them into the waste breakdown.
# vm-manual: yes
# vm-kernels: debian
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 1500
# vm-append: slab_nomerge
. "$ZPOOLX_TOP/tests/vm/lib.sh"
pool=${ZPOOLX_BENCH_POOL:?} hog=${ZPOOLX_BENCH_HOG:-384}
files=${ZPOOLX_BENCH_FILES:?} pct=${ZPOOLX_BENCH_PCT:-80}
out=$ZPOOLX_RESULTS/density.txt
pin=$TMPDIR/bpffs/zstrace_counters # (a bpffs of the test's own, mounted below)
zstrace=$ZPOOLX_TOP/build/bench-tools/zstrace
self=$ZPOOLX_TOP/tests/vm/tests/bench-density.sh

# snap PHASE: append PHASE.KEY=VALUE lines for everything the pool costs.
# Called from memhog -c/-w (a child bash) while the hog waits, and after
# the file copies.  Memory is full: reads are builtins where it matters.
snap() {
	local ph=$1 f v d c sz ou oa pu a b i
	# let kswapd finish what the workload left it: zswap's count still
	# for a second (at most 60 tries)
	rd "$ZSWAP_DEBUG/stored_pages" a
	for ((i = 0; i < 60; i++)); do
		sleep 1
		rd "$ZSWAP_DEBUG/stored_pages" b
		[ "$a" = "$b" ] && break
		a=$b
	done
	echo "$ph.settle_seconds=$((i + 1))" >>"$out"
	{
		for f in stored_pages pool_total_size pool_limit_hit written_back_pages \
			reject_reclaim_fail reject_alloc_fail reject_kmemcache_fail \
			reject_compress_poor duplicate_entry same_filled_pages; do
			rd "$ZSWAP_DEBUG/$f" v
			echo "$ph.zswap_$f=$v"
		done
		rd "$ZSWAP_PARAMS/max_pool_percent" v
		echo "$ph.max_pool_percent=$v"
		case $pool in
		zpoolx_*)
			d=$(pool_dirs "$pool" | tail -n 1)
			echo "$ph.pool_dir=$d"
			for f in pages pool_bytes objects stored_bytes metadata_bytes; do
				if rd "$d/$f" v; then
					echo "$ph.pool_$f=$v"
				else
					echo "$ph.pool_$f=missing"
				fi
			done
			# Σ over the size classes: slots used, slots present, pages
			local n=0 used=0 alloc=0 pages=0 objs=0 slots=0
			for c in "$d"/classes/*/; do
				if ! { rd "$c/size" sz && rd "$c/objs_used" ou &&
					rd "$c/objs_allocated" oa && rd "$c/pages_used" pu; }; then
					continue
				fi
				n=$((n + 1))
				used=$((used + ou * sz)) alloc=$((alloc + oa * sz))
				pages=$((pages + pu)) objs=$((objs + ou)) slots=$((slots + oa))
			done
			echo "$ph.classes=$n"
			echo "$ph.class_used_bytes=$used"
			echo "$ph.class_slot_bytes=$alloc"
			echo "$ph.class_pages=$pages"
			echo "$ph.class_objs_used=$objs"
			echo "$ph.class_objs_allocated=$slots"
			"$zstrace" read "$pin" | sed "s/^/$ph.trace_/" # (nothing to count)
			;;
		*)
			# the kernel's zsmalloc: Debian's kernel has no
			# CONFIG_ZSMALLOC_STAT (no debugfs classes), so zstrace
			# walks the pool's size classes (their size includes the
			# 8-byte handle zsmalloc keeps in each object) and gives
			# the compressed bytes it counted
			"$zstrace" read "$pin" | sed -E "s/^(class|pool_pages|walked)/$ph.\1/; t; s/^/$ph.trace_/"
			# its two slab caches, which slab_nomerge keeps apart from
			# every other cache: name active_objs num_objs objsize
			# objperslab pagesperslab : tunables ... : slabdata
			# active_slabs num_slabs sharedavail
			awk -v p="$ph" '$1 == "zs_handle" || $1 == "zspage" {
				k = $1; n[k]++; a[k] += $2; o[k] += $3; s[k] = $4; sl[k] += $15 * $6 }
			END { for (k in n) printf "%s.slab_%s_caches=%d\n%s.slab_%s_active_objs=%d\n%s.slab_%s_num_objs=%d\n%s.slab_%s_objsize=%d\n%s.slab_%s_slab_pages=%d\n",
				p, k, n[k], p, k, a[k], p, k, o[k], p, k, s[k], p, k, sl[k] }' /proc/slabinfo
			;;
		esac
		# moved while we read?  bench/run flags the phase
		rd "$ZSWAP_DEBUG/stored_pages" v
		echo "$ph.zswap_stored_pages_after=$v"
	} >>"$out"
}
if [ -n "${ZPOOLX_DENSITY_SNAP:-}" ]; then
	snap "$ZPOOLX_DENSITY_SNAP"
	exit
fi

plan 9
: >"$out"
echo "pool=$pool" >>"$out"
echo "hog_mib=$hog" >>"$out"
# ZPOOLX_BENCH_RESERVE MiB held in a ramfs (never swapped): a smaller
# guest for bench/run --smoke, whose smaller hog and files still swap
reserve=${ZPOOLX_BENCH_RESERVE:-0}
if [ "$reserve" -gt 0 ]; then
	mkdir -p "$TMPDIR/reserve"
	mount -t ramfs ramfs "$TMPDIR/reserve"
	head -c "${reserve}M" /dev/zero >"$TMPDIR/reserve/held"
	echo "reserved_mib=$reserve" >>"$out"
fi
ok "swap on" swap_on
ok "max_pool_percent $pct" eval "echo $pct >$ZSWAP_PARAMS/max_pool_percent"
ok "zswap on $pool (lz4)" zswap_setup "$pool" lz4
# The tracer (bench/zstrace.bpf.c): zs_malloc's size by handle, given
# back by zs_free; started before the first store, for zpoolx too.
modprobe -q zsmalloc
mkdir -p "$TMPDIR/bpffs"
mount -t bpf bpf "$TMPDIR/bpffs"
t0=$(date +%s)
"$zstrace" attach "$pin" >"$TMPDIR/zstrace.out" 2>&1 &
tracer=$!
for _ in $(seq 900); do # (loading and verifying takes a while under TCG)
	grep -q '^attached' "$TMPDIR/zstrace.out" && break
	kill -0 $tracer 2>/dev/null || break
	sleep 0.2
done
if ok "zstrace on zs_malloc/zs_free attached" grep -q '^attached' "$TMPDIR/zstrace.out"; then
	echo "tracer_start_stored_pages=$(zswap_stat stored_pages)" >>"$out"
	echo "tracer_attach_seconds=$(($(date +%s) - t0))" >>"$out"
else
	sed 's/^/# zstrace: /' "$TMPDIR/zstrace.out"
fi

start=$(date +%s.%N)
ok "hog $hog MiB: filled, verified, rewritten, verified" \
	memhog -r 1024 -c "ZPOOLX_DENSITY_SNAP=hog_fill bash $self" \
	-w "ZPOOLX_DENSITY_SNAP=hog_churn bash $self" "$hog"
end=$(date +%s.%N)
echo "hog_wall_seconds=$(awk "BEGIN { printf \"%.1f\", $end - $start }")" >>"$out"

# ---- real files ----
mnt=$TMPDIR/density-files
mkdir -p "$mnt"
mount -t tmpfs -o size=2g tmpfs "$mnt"
start=$(date +%s.%N)
ok "files of a.list copied into tmpfs ($(wc -l <"$files/a.list") files)" \
	bash -c "cd / && xargs -d '\n' cp --parents -t '$mnt' <'$files/a.list'"
snap files_fill
ok "sha256sum -c of a.list's files in tmpfs" \
	bash -c "cd '$mnt' && sha256sum --quiet -c '$files/a.sha256'"
# churn: every file of a.list replaced by one of b.list, sixteen at a time
churn_files() {
	local a=() b=() old=() new=() i n
	mapfile -t a <"$files/a.list"
	mapfile -t b <"$files/b.list"
	n=$(( ${#a[@]} > ${#b[@]} ? ${#a[@]} : ${#b[@]} ))
	for ((i = 0; i < n; i++)); do
		[ "$i" -lt ${#a[@]} ] && old+=("$mnt/${a[i]}")
		[ "$i" -lt ${#b[@]} ] && new+=("${b[i]}")
		if [ ${#old[@]} -ge 16 ] || [ ${#new[@]} -ge 16 ] || [ "$i" = $((n - 1)) ]; then
			if [ ${#old[@]} -gt 0 ]; then rm -f "${old[@]}" || return 1; fi
			if [ ${#new[@]} -gt 0 ]; then
				(cd / && cp --parents -t "$mnt" "${new[@]}") || return 1
			fi
			old=() new=()
		fi
	done
}
ok "every file replaced by one of b.list" churn_files
snap files_churn
ok "sha256sum -c of b.list's files in tmpfs" \
	bash -c "cd '$mnt' && sha256sum --quiet -c '$files/b.sha256'"
end=$(date +%s.%N)
echo "files_wall_seconds=$(awk "BEGIN { printf \"%.1f\", $end - $start }")" >>"$out"
umount "$mnt"
kill -TERM $tracer 2>/dev/null
wait $tracer 2>/dev/null
cat "$out" >&2
done_testing
