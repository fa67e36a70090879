#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of zpoolctl: every command and every error path against fake
# /sys and /proc trees (--root), with the ASan/UBSan binary.
#
#   tests/host/zpoolctl/run.sh          (ZPOOLCTL=path overrides the binary,
#                                        default zpoolctl/zpoolctl-asan)
#
# Prints TAP on stdout; exits non-zero if any test fails.  Needs bash, jq,
# coreutils, util-linux (setpriv, script); run as root, the tests of the
# root check run the binary as nobody (as another user they are skipped).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

# the ASan build brought up to date first, unless ZPOOLCTL is given: a stale
# binary fails the tests of whatever changed since it was built
if [ -z "${ZPOOLCTL_GIVEN:-}" ] && ! make -s -C "$TOP/zpoolctl" sanitize >/dev/null 2>&1; then
	echo "Bail out! make -C zpoolctl sanitize failed"
	exit 1
fi
if [ ! -x "$ZPOOLCTL" ]; then
	echo "Bail out! $ZPOOLCTL is not built (make -C zpoolctl sanitize)"
	exit 1
fi
if ! command -v jq >/dev/null; then
	echo "Bail out! jq is needed for the JSON tests (apt-get install jq)"
	exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zpoolctl-test.XXXXXX")
chmod 755 "$WORK"	# the root-check tests run the binary as nobody
cleanup() {
	local rc=$?
	set +e	# a .t file may have set it
	# a .t file that made the shell exit: a failing test, a failing lane
	t_stopped "$rc" && [ "$rc" = 0 ] && rc=1
	chmod -R u+rwX "$WORK" 2>/dev/null
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT

# each file checked with bash -n, and run to its end (lib.sh's t_begin)
for t in "$HERE"/[0-9]*.t; do
	t_begin "$t" || continue
	# shellcheck source=/dev/null
	source "$t"
	t_end
done
tap_end
