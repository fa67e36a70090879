# SPDX-License-Identifier: GPL-2.0
# lib.sh - helpers for the zpoolctl host tests: TAP output, running the
# ASan binary, fake /sys and /proc trees, tree snapshots.
# Sourced by run.sh and the *.t scripts.

: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}"
[ -n "${ZPOOLCTL:-}" ] && ZPOOLCTL_GIVEN=1
: "${ZPOOLCTL:=$TOP/zpoolctl/zpoolctl-asan}"
case $ZPOOLCTL in /*) ;; *) ZPOOLCTL=$TOP/$ZPOOLCTL ;; esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=98}

T_NUM=0
T_FAILED=0

# ok COND-RESULT DESC: record a test result (0 = pass)
tap() {
	local rc=$1; shift
	T_NUM=$((T_NUM + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $T_NUM - $*"
	else
		echo "not ok $T_NUM - $*"
		T_FAILED=$((T_FAILED + 1))
		if [ -n "${OUT+x}" ]; then
			echo "#   rc=$RC"
			sed 's/^/#   stdout: /' <<<"$OUT" | head -40
			sed 's/^/#   stderr: /' <<<"$ERR" | head -20
		fi
	fi
}

skip() {
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM # SKIP $*"
}

# run ARGS...: runs zpoolctl (under "${RUNAS[@]}" if set), sets OUT, ERR, RC
RUNAS=()
run() {
	"${RUNAS[@]}" "$ZPOOLCTL" "$@" >"$WORK/run.out" 2>"$WORK/run.err"
	RC=$?
	OUT=$(<"$WORK/run.out")
	ERR=$(<"$WORK/run.err")
}

# as_nobody ARGS...: run as user nobody (only possible as root)
can_drop() { [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; }
as_nobody() {
	RUNAS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	run "$@"
	RUNAS=()
}

# the Nth field of the raw pool row whose first field is ID.  --raw
# separates fields by one space and prints an unknown value as an empty
# field, so split on each space (awk's default would merge the blanks)
# field; "<no row>" or "<no field N>" where there is none, so that an
# empty field is told from a missing one
field() { # field ID N  (reads $OUT)
	awk -F '[ ]' -v id="$1" -v n="$2" '
		$1 == id { found = 1; if (n > NF) print "<no field " n ">"; else print $n }
		END { if (!found) print "<no row>" }' <<<"$OUT"
}

# sanitizer findings are never acceptable
no_sanitizer_report() {
	! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' <<<"$ERR"
}

# expect RC [STDOUT-REGEX [STDERR-REGEX]]: check the last run
expect() {
	local want_rc=$1 out_re=${2-} err_re=${3-}
	[ "$RC" -eq "$want_rc" ] || return 1
	no_sanitizer_report || return 1
	if [ -n "$out_re" ]; then grep -qE -- "$out_re" <<<"$OUT" || return 1; fi
	if [ -n "$err_re" ]; then
		grep -qE -- "$err_re" <<<"$ERR" || return 1
	fi
	return 0
}

# an error: exit code, exactly one line on stderr matching RE, no stdout
expect_error() {
	local want_rc=$1 err_re=$2
	[ "$RC" -eq "$want_rc" ] || return 1
	no_sanitizer_report || return 1
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || return 1
	[ -n "$ERR" ] || return 1
	grep -qE -- "$err_re" <<<"$ERR" || return 1
	[ -z "$OUT" ] || return 1
}

# snapshot DIR: every file's path, mode and content hash
snapshot() {
	(cd "$1" && find . -printf '%p %m %y\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# w FILE CONTENT: write a fake file, creating directories.  Replaced by a
# rename, as a sysfs read is atomic: a daemon polling every 100 ms must never
# see the file truncated and still empty (45-inputs.t counted a fourth
# warning, for '', when it read between the truncate and the write).
w() {
	local d=${1%/*}
	[ -d "$d" ] || mkdir -p "$d"
	printf '%s\n' "$2" >"$d/.w$$" && mv -f "$d/.w$$" "$1"
}

# mkpool ROOT ID BACKEND [NAME]: a pool directory as core.c makes it.
# pool_bytes is pages * 4096 + metadata_bytes (zpool's total_size): zbud's
# metadata is its pool structure (a 2 KiB slab object), zsmalloc's also its
# classes, per-CPU buffers, zspage records and handles; the zsmalloc pool
# has 994 pages so that its pool_bytes stays 4096000.
mkpool() {
	local d=$1/sys/kernel/zpoolx/pools/$2 be=$3 name=${4:-zswap}
	local pages=1000 meta=2048
	[ "$be" = zsmalloc ] && pages=994 meta=24576
	w "$d/backend" "$be"
	w "$d/type" "zpoolx_$be"
	w "$d/name" "$name"
	w "$d/state" active
	w "$d/evictable" 1
	w "$d/pages" "$pages"
	w "$d/metadata_bytes" "$meta"
	w "$d/pool_bytes" $((pages * 4096 + meta))
	w "$d/objects" 3000
	w "$d/stored_bytes" 3686400
	w "$d/alloc_failures" 0
	w "$d/evict_attempted" 10
	w "$d/evict_succeeded" 9
	w "$d/evict_failed" 1
	w "$d/reclaimed_pages" 5
	w "$d/writeback" "requested=8 reclaimed=5 total=5"
	if [ "$be" = zsmalloc ]; then
		w "$d/compact" "last=3 total=10"
		mkclass "$d" 208 39 2 40 36 8 1 1 0 0
		mkclass "$d" 1024 4 1 800 790 200 190 5 3 2
		mkclass "$d" 4096 1 1 10 10 10 10 0 0 0
	fi
}

# oldmodule ROOT: the pools as a module without metadata_bytes shows them:
# no such file, pool_bytes the pages alone
oldmodule() {
	local d
	for d in "$1"/sys/kernel/zpoolx/pools/*/; do
		rm -f "$d/metadata_bytes"
		w "$d/pool_bytes" $(($(<"$d/pages") * 4096))
	done
}

# mkclass POOLDIR SIZE OBJS/ZSPAGE PAGES/ZSPAGE ALLOC USED PAGES FULL AFULL AEMPTY EMPTY
mkclass() {
	local d=$1/classes/$2
	w "$d/size" "$2"
	w "$d/objs_per_zspage" "$3"
	w "$d/pages_per_zspage" "$4"
	w "$d/objs_allocated" "$5"
	w "$d/objs_used" "$6"
	w "$d/pages_used" "$7"
	w "$d/zspages_full" "$8"
	w "$d/zspages_almost_full" "$9"
	w "$d/zspages_almost_empty" "${10}"
	w "$d/zspages_empty" "${11}"
}

# mktree ROOT: a healthy system: zswap enabled on zpoolx_zsmalloc, an old
# draining zbud pool 1, the current zsmalloc pool 2, a swap device.
mktree() {
	local r=$1 p=$1/sys/module/zswap/parameters d=$1/sys/kernel/debug/zswap
	w "$p/enabled" Y
	w "$p/compressor" lz4
	w "$p/zpool" zpoolx_zsmalloc
	w "$p/max_pool_percent" 20
	w "$p/accept_threshold_percent" 90
	w "$d/stored_pages" 3000
	w "$d/pool_total_size" 4096000
	w "$d/written_back_pages" 9
	w "$d/pool_limit_hit" 0
	w "$d/reject_reclaim_fail" 0
	w "$d/reject_alloc_fail" 0
	w "$d/reject_kmemcache_fail" 0
	w "$d/reject_compress_poor" 2
	w "$d/duplicate_entry" 0
	w "$d/same_filled_pages" 40
	mkdir -p "$r/proc/pressure"
	cat >"$r/proc/swaps" <<-'S'
	Filename				Type		Size		Used		Priority
	/dev/vda                                partition	1048572		10240		-2
	S
	cat >"$r/proc/meminfo" <<-'S'
	MemTotal:        2048000 kB
	MemFree:          100000 kB
	MemAvailable:    1024000 kB
	SwapTotal:       1048572 kB
	SwapFree:        1038332 kB
	Zswap:              4000 kB
	Zswapped:          12000 kB
	HugePages_Total:       0
	S
	cat >"$r/proc/pressure/memory" <<-'S'
	some avg10=1.50 avg60=0.75 avg300=0.10 total=123456
	full avg10=0.20 avg60=0.10 avg300=0.00 total=2345
	S
	cat >"$r/proc/crypto" <<-'S'
	name         : lz4
	driver       : lz4-scomp
	module       : lz4
	priority     : 0
	refcnt       : 1
	selftest     : passed
	internal     : no
	type         : scomp

	name         : lz4
	driver       : lz4-generic
	module       : lz4
	priority     : 0
	refcnt       : 1
	selftest     : passed
	internal     : no
	type         : compression

	name         : crc32c
	driver       : crc32c-intel
	module       : crc32c_intel
	priority     : 200
	type         : shash

	name         : fancyzip
	driver       : fancyzip-scomp
	module       : fancyzip
	type         : scomp
	S
	w "$r/sys/module/zpoolx/parameters/max_zspage_pages" 4
	w "$r/sys/module/zpoolx/parameters/movable" Y
	w "$r/sys/kernel/zpoolx/version" 0.1.0
	w "$r/sys/kernel/zpoolx/backends" "zpoolx_zbud zpoolx_zsmalloc"
	mkpool "$r" 1 zbud
	mkpool "$r" 2 zsmalloc
}

# newtree: a fresh healthy tree in a new directory; prints its path.
# (A copy of one tree made once: forks are slow on a loaded machine.)
newtree() {
	local t
	if [ ! -d "$WORK/template" ]; then
		mkdir "$WORK/template.tmp" && mktree "$WORK/template.tmp" &&
			mv "$WORK/template.tmp" "$WORK/template"
	fi
	t=$(mktemp -d "$WORK/tree.XXXXXX")
	cp -a "$WORK/template/." "$t/"
	echo "$t"
}

# refused ARGS...: on a fresh tree, the command fails and writes nothing;
# sets OUT/ERR/RC; returns 1 if the tree changed
refused_on() { # refused_on TREE ARGS...
	local t=$1 before after; shift
	before=$(snapshot "$t")
	run --root "$t" "$@"
	after=$(snapshot "$t")
	[ "$before" = "$after" ]
}

tap_end() {
	echo "1..$T_NUM"
	[ "$T_FAILED" -eq 0 ]
}

# The runners source every *.t file into their own shell (one numbering,
# one set of helpers), each as
#
#	t_begin FILE || continue
#	source FILE
#	t_end
#
# and call t_stopped first thing in their EXIT trap, so that a file that
# does not run to its end fails the lane instead of just reporting fewer
# tests:
#   - t_begin checks FILE with bash -n first: a syntax error is a failing
#     test naming the file and the line, and the file is not run (sourced,
#     it would run up to the error, silently skip the rest and return);
#   - from t_begin to t_end T_FILE names the file being run: a shell that
#     exits in between (exit in the file or in a helper, set -e, set -u,
#     ${X:?}) is a file that stopped early, and t_stopped reports it as a
#     failing test with the exit status and the last test number seen;
#   - t_end is the file's natural end, marked "# FILE: done, N tests".
T_FILE=
T_FILE_FIRST=1

# t_notok DESC: a failing test of the runner's own (no OUT/ERR dump)
t_notok() {
	T_NUM=$((T_NUM + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_NUM - $*"
}

t_begin() { # t_begin FILE
	local name=${1##*/} line
	T_FILE=
	echo "# $name"
	if ! bash -n "$1" 2>"$WORK/bash-n.err"; then
		line=$(sed -n 's/^.*: line \([0-9][0-9]*\): .*$/\1/p' "$WORK/bash-n.err" | head -n 1)
		t_notok "$name: syntax error at line ${line:-?} (bash -n), not run"
		sed 's/^/#   /' "$WORK/bash-n.err"
		return 1
	fi
	T_FILE=$name
	T_FILE_FIRST=$((T_NUM + 1))
}

t_end() {
	echo "# $T_FILE: done, $((T_NUM - T_FILE_FIRST + 1)) tests"
	T_FILE=
}

# t_stopped STATUS: in the EXIT trap, with the status the shell is exiting
# with; if a file was being run, reports it and the plan, and returns 0
# (the trap must then exit non-zero), else returns 1
t_stopped() {
	local name=$T_FILE last=$T_NUM
	[ -n "$name" ] || return 1
	T_FILE=
	t_notok "$name stopped early: the shell exited with status $1 after test" \
		"$last (the last test seen, $((last - T_FILE_FIRST + 1)) of them from" \
		"this file); the rest of $name did not run"
	echo "1..$T_NUM"
	return 0
}

# fake_kernel FILE BEFORE AFTER: turn a pool's control file into a FIFO
# served by a background "kernel" that answers like sysfs: the first read
# gets BEFORE, then it takes one write (saved in FILE.req), and the next
# read gets AFTER.  Wait for it with fake_kernel_wait.
fake_kernel() {
	local f=$1 before=$2 after=$3
	rm -f "$f" && mkfifo "$f"
	(
		printf '%s\n' "$before" >"$f"
		cat "$f" >"$f.req"
		printf '%s\n' "$after" >"$f"
	) &
	FK_PID=$!
}

# the kernel must have served all three steps within 60 s
fake_kernel_wait() {
	local i
	for i in $(seq 600); do
		kill -0 "$FK_PID" 2>/dev/null || { wait "$FK_PID"; return; }
		sleep 0.1
	done
	kill "$FK_PID" 2>/dev/null
	return 1
}

# run_to SECS ARGS...: run with a time limit (a hung FIFO must not hang us)
run_to() {
	local s=$1; shift
	RUNAS=(timeout "$s")
	run "$@"
	RUNAS=()
}
