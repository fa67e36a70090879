# SPDX-License-Identifier: GPL-2.0
# Helpers for guest-side VM tests: source "$ZPOOLX_TOP/tests/vm/lib.sh".
# TAP goes to stdout; anything for humans goes to stderr (say, diag).

_tap_n=0
_tap_failed=0

plan() { echo "1..$1"; }

# say TEXT: a line for the human reading the report (stderr)
say() { echo "$*" >&2; }

# diag TEXT: a TAP comment, shown by the harness
diag() { echo "# $*"; }

_tap() { # STATUS DESC
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
}

# ok DESC CMD...: passes if CMD exits 0
ok() {
	local d=$1
	shift
	"$@" >&2
	_tap $? "$d"
}

# ok_fails DESC CMD...: passes if CMD exits non-zero
ok_fails() {
	local d=$1
	shift
	! "$@" >&2 2>&1
	_tap $? "$d"
}

# is GOT WANT DESC
is() {
	[ "$1" = "$2" ]
	local r=$?
	_tap $r "$3"
	[ $r = 0 ] || diag "  got '$1', want '$2'"
}

# cmp_ok A OP B DESC (OP: -eq -ne -lt -le -gt -ge)
cmp_ok() {
	[ "$1" "$2" "$3" ] 2>/dev/null
	local r=$?
	_tap $r "$4"
	[ $r = 0 ] || diag "  got '$1', want $2 '$3'"
}

# done_testing: exit status for the harness
done_testing() {
	[ $_tap_failed = 0 ]
}

# ---- kernel-side helpers ----

# load_zpoolx [PARAMS...]: insmod the zpoolx.ko built for this kernel
load_zpoolx() {
	insmod "$ZPOOLX_BUILD/zpoolx.ko" "$@"
}

# load_kmod NAME [PARAMS...]: insmod a test module from tests/kmod
load_kmod() {
	local m=$1
	shift
	insmod "$ZPOOLX_BUILD/kmod/$m.ko" "$@"
}

# pool_dirs [TYPE]: the /sys/kernel/zpoolx/pools/<id> dirs, of TYPE if given
pool_dirs() {
	local d t
	for d in /sys/kernel/zpoolx/pools/*/; do
		[ -d "$d" ] || continue
		if [ -n "${1:-}" ]; then
			rd "$d/type" t || continue
			[ "$t" = "$1" ] || continue
		fi
		echo "${d%/}"
	done
}

# rd FILE VAR: VAR gets FILE's first line, with no fork (a $(cat) waits
# on fork and exec, which crawl when the guest thrashes); fails quietly
# when FILE is gone (a pool destroyed under our feet)
rd() {
	local -n _rd=$2
	IFS= read -r _rd <"$1"
} 2>/dev/null

# swap_on: mkswap and swapon the test's swap disk
swap_on() {
	[ -n "$ZPOOLX_SWAPDEV" ] || { say "swap_on: the test has no vm-swap header"; return 1; }
	mkswap "$ZPOOLX_SWAPDEV" >/dev/null && swapon "$ZPOOLX_SWAPDEV"
}

ZSWAP_PARAMS=/sys/module/zswap/parameters
ZSWAP_DEBUG=/sys/kernel/debug/zswap

# zswap_setup ZPOOL [COMPRESSOR]: point zswap at ZPOOL and enable it.
# Modules zswap needs (lz4, a kernel zpool) are loaded with modprobe from
# the host's /lib/modules, which is this kernel's on the Debian lane.
zswap_setup() {
	local pool=$1 comp=${2:-lz4}
	case $pool in
	zpoolx_*) [ -d /sys/module/zpoolx ] || load_zpoolx || return 1 ;;
	*) modprobe -q "$pool" 2>/dev/null ;;
	esac
	modprobe -q "$comp" 2>/dev/null
	echo "$comp" >$ZSWAP_PARAMS/compressor &&
		echo "$pool" >$ZSWAP_PARAMS/zpool &&
		echo Y >$ZSWAP_PARAMS/enabled &&
		[ "$(cat $ZSWAP_PARAMS/zpool)" = "$pool" ]
}

# zswap_stat NAME: one of zswap's debugfs counters
zswap_stat() {
	cat "$ZSWAP_DEBUG/$1"
}

# zswap_report: zswap's statistics, for humans
zswap_report() {
	local f
	say "zswap: enabled=$(cat $ZSWAP_PARAMS/enabled) zpool=$(cat $ZSWAP_PARAMS/zpool) compressor=$(cat $ZSWAP_PARAMS/compressor) max_pool_percent=$(cat $ZSWAP_PARAMS/max_pool_percent)"
	for f in stored_pages pool_total_size written_back_pages pool_limit_hit \
		reject_reclaim_fail reject_alloc_fail reject_kmemcache_fail \
		reject_compress_poor duplicate_entry same_filled_pages; do
		say "$(printf '  %-22s %s' "$f" "$(zswap_stat $f)")"
	done
}

# memhog MiB [RANDOM_BYTES_PER_PAGE]: fill anonymous memory, verify it
memhog() {
	"$ZPOOLX_TOP/build/tools/memhog" "$@"
}

# mem_total_mib: the guest's RAM as the kernel sees it
mem_total_mib() {
	awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo
}
