# SPDX-License-Identifier: GPL-2.0
# zpoolx cannot be unloaded while zswap stores in zpoolx_zsmalloc; it can once
# zswap moved to another pool and the old one drained.
# vm-kernels: debian
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 300
. "$ZPOOLX_TOP/tests/vm/lib.sh"
. "$ZPOOLX_TOP/tests/vm/e2e.sh"
plan 8
e2e_unload zpoolx_zsmalloc
done_testing
