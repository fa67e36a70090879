# SPDX-License-Identifier: GPL-2.0
# zswap on zpoolx_zsmalloc under a memory hog of 1.5x RAM (see tests/vm/e2e.sh).
# vm-kernels: debian arm64
# vm-mem: 256M
# vm-mem-arm64: 192M
# vm-swap: 1G
# vm-timeout: 300
. "$ZPOOLX_TOP/tests/vm/lib.sh"
. "$ZPOOLX_TOP/tests/vm/e2e.sh"
plan 6
e2e_hog zpoolx_zsmalloc
done_testing
