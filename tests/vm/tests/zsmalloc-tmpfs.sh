# SPDX-License-Identifier: GPL-2.0
# zswap on zpoolx_zsmalloc: host files copied into tmpfs past RAM, sha256-checked.
# vm-kernels: debian
# vm-mem: 256M
# vm-swap: 1G
# vm-timeout: 400
. "$ZPOOLX_TOP/tests/vm/lib.sh"
. "$ZPOOLX_TOP/tests/vm/e2e.sh"
plan 7
e2e_tmpfs zpoolx_zsmalloc
done_testing
