#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of libzpoolx_bpf that need no BPF (nothing is loaded on the
# host): built with ASan/UBSan by `make -C bpf sanitize`.  TAP on stdout.
set -u
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
bin=$TOP/build/bpf/hosttest-asan
if [ ! -x "$bin" ]; then
	echo "Bail out! $bin is not built (make -C bpf sanitize)"
	exit 1
fi
exec "$bin"
