# SPDX-License-Identifier: GPL-2.0
# zswap for zpoolx (and its BPF statistics) in linux-yocto: configuration
# fragments merged by kernel-yocto.bbclass.  Drop zpoolx-bpf.cfg to build a
# kernel without BTF (the tools then run without BPF statistics).
FILESEXTRAPATHS:prepend := "${THISDIR}/files:"
SRC_URI += "file://zpoolx.cfg file://zpoolx-bpf.cfg"
# BTF is made by pahole while the kernel links
DEPENDS += "pahole-native"
