#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of zpoold: the configuration and every config error, the
# policy engine on recorded traces (--replay), the metrics writer (checked
# with promtool), the HTTP endpoint, the executor, SIGHUP reload and the
# systemd unit, against fake /sys and /proc trees (--root), with the
# ASan/UBSan binary.
#
#   tests/host/zpoold/run.sh        (ZPOOLD=path overrides the binary,
#                                    default daemon/zpoold-asan, built here)
#
# Prints TAP on stdout; exits non-zero if any test fails.  Needs bash,
# curl, promtool (Debian's prometheus package), jq.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

if [ -z "${ZPOOLD_GIVEN:-}" ] && ! make -s -C "$TOP/daemon" sanitize >/dev/null 2>&1; then
	echo "Bail out! make -C daemon sanitize failed"
	exit 1
fi
# 45-inputs.t runs zpoolctl too: its ASan build, unless ZPOOLCTL is given
if [ -z "${ZPOOLCTL_GIVEN:-}" ] && ! make -s -C "$TOP/zpoolctl" sanitize >/dev/null 2>&1; then
	echo "Bail out! make -C zpoolctl sanitize failed"
	exit 1
fi
if [ ! -x "$ZPOOLD" ]; then
	echo "Bail out! $ZPOOLD is not built (make -C daemon sanitize)"
	exit 1
fi
for c in curl promtool jq; do
	if ! command -v $c >/dev/null; then
		echo "Bail out! $c is needed (scripts/install-deps)"
		exit 1
	fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zpoold-test.XXXXXX")
cleanup() {
	local rc=$?
	set +e	# a .t file may have set it
	# a .t file that made the shell exit: a failing test, a failing lane
	t_stopped "$rc" && [ "$rc" = 0 ] && rc=1
	stop_daemon
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT

# each file checked with bash -n, and run to its end (the TAP helpers'
# t_begin, tests/host/zpoolctl/lib.sh)
for t in "$HERE"/[0-9]*.t; do
	t_begin "$t" || continue
	# shellcheck source=/dev/null
	source "$t"
	t_end
done
tap_end
