# SPDX-License-Identifier: GPL-2.0
SUMMARY = "zpoolx kernel module: zbud and zsmalloc pools for zswap"
DESCRIPTION = "zpoolx.ko registers the zpool types zpoolx_zbud and \
zpoolx_zsmalloc for the kernel's zswap (Linux 6.1), with LRU writeback from \
zsmalloc, proactive writeback and statistics in sysfs.  The kernel needs \
CONFIG_ZSWAP=y: see linux-yocto_%.bbappend in this layer."

require recipes-kernel/zpoolx/zpoolx.inc

inherit module

# module.bbclass runs module/Makefile with KERNEL_SRC= and O=, then its
# modules_install target with MODLIB=${D}${nonarch_base_libdir}/modules/
# ${KERNEL_VERSION}: the module lands in .../extra/zpoolx.ko, which
# kernel-module-split packages as kernel-module-zpoolx.  Kbuild takes the
# version from ../scripts/version, hence S inside the whole checkout.
S = "${WORKDIR}/git/module"

RPROVIDES:${PN} += "kernel-module-zpoolx"

# Loaded at boot (/etc/modules-load.d/zpoolx.conf) so that zswap's zpool can
# be set to zpoolx_zbud or zpoolx_zsmalloc (zswap.zpool= on the kernel
# command line also loads it, through the zpool-zpoolx_* module aliases).
KERNEL_MODULE_AUTOLOAD += "zpoolx"
