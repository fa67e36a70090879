# SPDX-License-Identifier: GPL-2.0
# The BPF programs of bpf/ through `zpoolctl bpf` (libzpoolx_bpf): they
# load and attach in the guest, count a workload, and their counters equal
# the deltas of the module's sysfs counters over the same run exactly;
# every histogram has samples.
#
# Before zpoolx is loaded, only zswap can be attached: a partial attach,
# said so, exit 0.  As nobody: exit 4.  Then, under one `zpoolctl bpf
# --json --run` (this script again, with --workload): zswap on
# zpoolx_zsmalloc, free memory filled with a tmpfs file, then a memory hog
# in a memory cgroup limited to 32 MiB (swap-out through zswap as with a
# hog past RAM, in seconds instead of a minute), and with its memory out
# the pool's writeback and compact files and /proc/sys/vm/compact_memory
# (migrations); then zswap switched to zpoolx_zbud (a new pool) and the
# same with a writeback.  After each phase, swapoff, so that no stored
# object is left for anything to free later.  The workload snapshots every
# pool's sysfs counters first and, once they stop moving, after each phase.
# vm-kernels: debian debug arm64
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 300
# vm-append-debug: debug_pagealloc=off slub_debug=-
# shellcheck shell=bash
. "$ZPOOLX_TOP/tests/vm/lib.sh"
z=$ZPOOLX_TOP/zpoolctl/zpoolctl
cg=/sys/fs/cgroup

# snap FILE: every pool's counters as p<id>_<name>=<value> (one awk: forks
# are slow under TCG)
snap() {
	local d f files=()
	for d in $(pool_dirs); do
		for f in objects stored_bytes alloc_failures evict_attempted \
			evict_succeeded evict_failed reclaimed_pages pages_isolated \
			pages_migrated pages_putback migrate_failures compact; do
			[ -r "$d/$f" ] && files+=("$d/$f")
		done
	done
	awk '{ n = split(FILENAME, p, "/"); f = p[n]
		if (f == "compact") { sub(/.*total=/, ""); f = "compact_total" }
		print "p" p[n - 1] "_" f "=" $0 }' "${files[@]}" </dev/null >"$1"
	return 0
}

# stamp TEXT: TEXT with the seconds since the test started, for humans
stamp() { say "[$(( $(date +%s) - ${t_start:-0} )) s] $*"; }

# settle: wait until no pool counter moves for half a second
settle() {
	local i
	for i in $(seq 40); do
		snap "$TMPDIR/s1"
		sleep 0.5
		snap "$TMPDIR/s2"
		cmp -s "$TMPDIR/s1" "$TMPDIR/s2" && return 0
	done
	say "counters still moving after 40 tries"
}

# hog CMD MiB: memhog in the 32 MiB memory cgroup, CMD with its memory out
hog() {
	(echo $BASHPID >$cg/hog/cgroup.procs && exec "$ZPOOLX_TOP/build/tools/memhog" -r 1024 -c "$1" "$2")
}

# hog sizes in MiB, for a 32 MiB cgroup (the debug kernel is ~10x slower)
# and how many times to write compact_memory
if [ "$ZPOOLX_KERNEL" = debug ]; then
	hog1=56 hog2=48 compacts=1
else
	hog1=96 hog2=64 compacts=3
fi

if [ "${1:-}" = --workload ]; then
	zs=$(pool_dirs zpoolx_zsmalloc | tail -n 1)
	snap "$TMPDIR/before"
	# (writeback reads the object into a swap cache page charged to the
	# hog's cgroup: lift its limit meanwhile, or every evict fails)
	hog "echo max >$cg/hog/memory.max; echo 64 >$zs/writeback; echo 1 >$zs/compact; for i in \$(seq $compacts); do echo 1 >/proc/sys/vm/compact_memory; done; echo 32M >$cg/hog/memory.max" $hog1 || exit 1
	stamp "zsmalloc phase done"
	# Bring every swapped page back in, so that no stored object is left
	# to be freed after the pool's last snapshot (by this shell exiting,
	# for one; and an emptied pool is destroyed once zswap moves on).
	rm -f "$TMPDIR/fill/f"
	swapoff "$ZPOOLX_SWAPDEV" || exit 1
	settle
	snap "$TMPDIR/after1"
	swapon "$ZPOOLX_SWAPDEV" || exit 1
	echo zpoolx_zbud >$ZSWAP_PARAMS/zpool || exit 1
	zb=$(pool_dirs zpoolx_zbud | tail -n 1)
	hog "echo max >$cg/hog/memory.max; echo 32 >$zb/writeback; echo 32M >$cg/hog/memory.max" $hog2 || exit 1
	stamp "zbud phase done"
	swapoff "$ZPOOLX_SWAPDEV" || exit 1
	settle
	# the pools' last values: a pool still there in the second snapshot
	# overrides the first (the delta awk and the shell keep the last)
	snap "$TMPDIR/after2"
	cat "$TMPDIR/after1" "$TMPDIR/after2" >"$TMPDIR/after"
	stamp "settled"
	exit 0
fi

plan 28

t_start=$(date +%s)
export t_start
ok "swap on $ZPOOLX_SWAPDEV" swap_on
ok "zswap's store and load functions are in the kernel" \
	grep -qE ' zswap_frontswap_(store|load)$' /proc/kallsyms
ok "the kernel has BTF" test -r /sys/kernel/btf/vmlinux

# ---- without zpoolx: zswap only, partial ----
modprobe -q lz4
stamp "zpoolctl bpf without zpoolx"
"$z" bpf --json -i 0.1 >"$TMPDIR/partial.json" 2>"$TMPDIR/partial.err"
is "$?" 0 "zpoolctl bpf without zpoolx loaded: exit 0"
is "$(jq -r '.attached | join(" ")' "$TMPDIR/partial.json") / $(jq -r '.not_attached | length' "$TMPDIR/partial.json")" \
	"zswap_frontswap_store zswap_frontswap_load / 6" \
	"without zpoolx: zswap attached, the six zpoolx tracepoints not"
ok "without zpoolx: a warning names the missing tracepoints" \
	grep -q 'partial: not attached: zpoolx_alloc (no such tracepoint: zpoolx not loaded?)' "$TMPDIR/partial.err"
setpriv --reuid=65534 --regid=65534 --clear-groups -- "$z" bpf -i 0.1 2>"$TMPDIR/nobody.err"
is "$?" 4 "zpoolctl bpf as nobody: exit 4 ($(cat "$TMPDIR/nobody.err"))"

# ---- the workload ----
stamp "workload set-up"
ok "zswap on zpoolx_zsmalloc" zswap_setup zpoolx_zsmalloc lz4
# no compaction but the test's own: every migration happens while counted
echo 0 >/proc/sys/vm/compaction_proactiveness 2>/dev/null
# Fill most of the free memory with a tmpfs file first, so that the pool's
# pages come from all over the zone and compact_memory's migration scanner
# meets them (with free memory at the top of the zone it would not).
mkdir -p "$TMPDIR/fill"
mount -t tmpfs -o size=256m tmpfs "$TMPDIR/fill"
free=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
dd if=/dev/zero of="$TMPDIR/fill/f" bs=1M count=$((free - 40)) status=none
say "filled $((free - 40)) MiB of tmpfs ($free MiB were available)"
[ -e $cg/cgroup.controllers ] || mount -t cgroup2 none $cg
echo +memory >$cg/cgroup.subtree_control
mkdir -p $cg/hog
echo 32M >$cg/hog/memory.max
zs=$(pool_dirs zpoolx_zsmalloc | tail -n 1)

stamp "zpoolctl bpf --run"
t0=$(date +%s)
"$z" bpf --json --run "bash $0 --workload" >"$TMPDIR/bpf.json" 2>"$TMPDIR/bpf.err"
rc=$?
t1=$(date +%s)
sed 's/^/  /' "$TMPDIR/bpf.err" >&2
is "$rc" 0 "zpoolctl bpf --json --run WORKLOAD: exit 0, every page verified ($((t1 - t0)) s)"

# Everything counted, as shell variables (one jq and one awk: forks are
# slow under TCG): b<id>_<counter> from BPF, d<id>_<file> = the sysfs
# delta (a pool created during the run starts at 0), h_<hist>_count,
# h_<hist>_buckets (their sum), zswap_<counter>, attached.
jq -r '(.pools[] | . as $p | to_entries[] | select(.value | type == "number") |
		"b\($p.id)_\(.key)=\(.value)"),
	(.histograms | to_entries[] | "h_\(.key)_count=\(.value.count)",
		"h_\(.key)_buckets=\([.value.buckets[].count] | add // 0)"),
	(.zswap | to_entries[] | "zswap_\(.key)=\(.value)"),
	"attached=\(.attached | length)"' "$TMPDIR/bpf.json" >"$TMPDIR/bpf.vars"
ok "the output is JSON with the expected members" test -s "$TMPDIR/bpf.vars"
awk -F= 'FNR == NR { before[$1] = $2; next }
	{ sub(/^p/, "d", $1); printf "%s=%d\n", $1, $2 - before["p" substr($1, 2)] }' \
	"$TMPDIR/before" "$TMPDIR/after" >"$TMPDIR/delta.vars"
# shellcheck disable=SC1091
. "$TMPDIR/bpf.vars"
# shellcheck disable=SC1091
. "$TMPDIR/delta.vars"
is "$attached" 8 "all eight probes attached"
is "$(jq .pool_events_lost "$TMPDIR/bpf.json")" 0 "no pool event lost to a newer pool in its slot"

# v NAME: the value of the shell variable NAME, 0 if unset
v() { local n=$1; echo "${!n:-0}"; }
# compare ID DESC FILE:COUNTER...: sysfs deltas and BPF counters, at once
compare() {
	local id=$1 desc=$2 want="" got="" fc
	shift 2
	for fc in "$@"; do
		want="$want ${fc%%:*}=$(v "d${id}_${fc%%:*}")"
		got="$got ${fc%%:*}=$(v "b${id}_${fc#*:}")"
	done
	is "${got# }" "${want# }" "$desc"
	say "  pool $id:$want"
}

zsid=${zs##*/}
zbid=$(awk -F'[p_]' -v zs="$zsid" '/^p[0-9]+_objects=/ && $2 != zs { id = $2 } END { print id }' "$TMPDIR/after")
say "== pools: zsmalloc $zsid, zbud ${zbid:-none}"
compare "$zsid" "zsmalloc: objects and stored_bytes = allocs - frees and their bytes" \
	objects:objects_delta stored_bytes:stored_bytes_delta
compare "$zsid" "zsmalloc: alloc_failures" alloc_failures:alloc_failures
compare "$zsid" "zsmalloc: evict_attempted, evict_succeeded, evict_failed" \
	evict_attempted:evict_attempted evict_succeeded:evict_succeeded evict_failed:evict_failed
cmp_ok "$(v "b${zsid}_evict_succeeded")" -gt 0 "zsmalloc: objects were evicted"
compare "$zsid" "zsmalloc: reclaimed_pages" reclaimed_pages:reclaimed_pages
compare "$zsid" "zsmalloc: compact total = pages freed by compaction" \
	compact_total:compact_pages_freed
compare "$zsid" "zsmalloc: pages_isolated, pages_migrated, migrate_failures, pages_putback" \
	pages_isolated:isolated pages_migrated:migrated migrate_failures:migrate_failures pages_putback:putback
cmp_ok "$(v "b${zsid}_isolated")" -gt 0 "zsmalloc: the kernel's compaction isolated pool pages ($(v "b${zsid}_migrated") migrated)"
compare "${zbid:-0}" "zbud: objects, stored_bytes, alloc_failures" \
	objects:objects_delta stored_bytes:stored_bytes_delta alloc_failures:alloc_failures
compare "${zbid:-0}" "zbud: evict_attempted, evict_succeeded, evict_failed, reclaimed_pages" \
	evict_attempted:evict_attempted evict_succeeded:evict_succeeded evict_failed:evict_failed \
	reclaimed_pages:reclaimed_pages
for h in object_size evict_latency zswap_store_latency zswap_load_latency; do
	n=$(v "h_${h}_count")
	[ "$n" -gt 0 ] && [ "$n" = "$(v "h_${h}_buckets")" ]
	_tap $? "histogram $h has samples ($n, = the sum of its buckets)"
done
[ "$(v zswap_stores)" -gt 0 ] && [ "$(v zswap_loads)" -gt 0 ]
_tap $? "zswap stores ($(v zswap_stores)) and loads ($(v zswap_loads)) were counted"

stamp "compared"

# ---- text output, for humans ----
"$z" bpf -i 0.2 >"$TMPDIR/bpf.txt" 2>&1
rc=$?
ok "zpoolctl bpf (text): exit $rc, counters and the four histograms" \
	test "$rc" = 0 -a "$(grep -cE '^(object_size|evict_latency|zswap_store_latency|zswap_load_latency) \(' "$TMPDIR/bpf.txt")" = 4
stamp "done"
done_testing
