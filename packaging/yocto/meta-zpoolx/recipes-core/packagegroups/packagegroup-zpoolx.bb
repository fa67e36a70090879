# SPDX-License-Identifier: GPL-2.0
SUMMARY = "zpoolx: the kernel module, zpoolctl and zpoold"
DESCRIPTION = "Add to an image with IMAGE_INSTALL:append = \" packagegroup-zpoolx\"; \
the kernel also needs zswap (this layer's linux-yocto and linux-raspberrypi \
bbappends)."
LICENSE = "MIT"

inherit packagegroup
# kernel-module-zpoolx is built for the machine's kernel
PACKAGE_ARCH = "${MACHINE_ARCH}"

RDEPENDS:${PN} = "kernel-module-zpoolx zpoolx-tools"
RRECOMMENDS:${PN} = "zpoolx-tools-bash-completion"
