# SPDX-License-Identifier: GPL-2.0
# zswap on zpoolx_zsmalloc under a memory hog of 1.5x RAM (see tests/vm/e2e.sh).
# Debian's kernel only: on the debug kernel, zsmalloc-migrate (a hog with
# compaction racing it) and tracepoints (a hog that fills a small pool and
# evicts) check the same things, and make check's time is bounded.
# vm-kernels: debian
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 300
. "$ZPOOLX_TOP/tests/vm/lib.sh"
. "$ZPOOLX_TOP/tests/vm/e2e.sh"
plan 6
e2e_hog zpoolx_zsmalloc
done_testing
