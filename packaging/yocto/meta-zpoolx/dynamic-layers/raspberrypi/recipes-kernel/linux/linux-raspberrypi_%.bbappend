# SPDX-License-Identifier: GPL-2.0
# zswap for zpoolx in meta-raspberrypi's kernel (what webOS OSE builds for
# the Raspberry Pi 4, 6.1 and 6.6, next to its zram.cfg): the same
# fragments as for linux-yocto.  Active only with meta-raspberrypi in the
# build (BBFILES_DYNAMIC in conf/layer.conf).
FILESEXTRAPATHS:prepend := "${THISDIR}/../../../../recipes-kernel/linux/files:"
SRC_URI += "file://zpoolx.cfg file://zpoolx-bpf.cfg"
DEPENDS += "pahole-native"
