# SPDX-License-Identifier: GPL-2.0
# tap.sh - the TAP helpers of the host test scripts that are not .t suites
# (tests/host/android, tests/host/rules): sourced, they count in n and
# failed; the script ends with its plan and [ "$failed" = 0 ].
#   tap RC DESCRIPTION...   ok or not ok, as RC is 0 or not
#   diag                    standard input as TAP comments
n=0 failed=0
tap() {
	local rc=$1
	shift
	n=$((n + 1))
	if [ "$rc" = 0 ]; then echo "ok $n - $*"; else echo "not ok $n - $*"; failed=$((failed + 1)); fi
}
diag() { sed 's/^/#   /'; }
