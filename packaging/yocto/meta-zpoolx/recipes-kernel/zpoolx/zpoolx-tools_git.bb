# SPDX-License-Identifier: GPL-2.0
SUMMARY = "zpoolx tools: the zpoolctl CLI and the zpoold tuning daemon"
DESCRIPTION = "zpoolctl shows and steers zswap and zpoolx; zpoold keeps \
zswap's zpoolx pools under a watermark with proactive writeback, moves \
zswap's limit by memory pressure and serves Prometheus metrics."

require recipes-kernel/zpoolx/zpoolx.inc

S = "${WORKDIR}/git"

inherit systemd pkgconfig

# json-c: configuration and --json; lz4, zstd: zpoolctl advise; libbpf
# (with elfutils and zlib): the BPF statistics, whose programs are built
# on the build host with clang -target bpf and bpftool (vmlinux.h from the
# target kernel's BTF, skeletons)
DEPENDS = "json-c lz4 zstd libbpf elfutils zlib bpftool-native clang-native"

# zpoold's build profile (README.md, "Minimal build profile"): systemd
# (sd_notify, the journal, the unit) on a systemd distro; http, the
# metrics endpoint (libmicrohttpd).  Without both, zpoold is the minimal
# profile: it logs to stderr, syslog or /dev/kmsg and writes its metrics to
# a file (metrics.textfile); start it from your init with
# `zpoold --log kmsg --metrics-file /run/zpoold.prom`.
PACKAGECONFIG ??= "${@bb.utils.filter('DISTRO_FEATURES', 'systemd', d)} http"
PACKAGECONFIG[systemd] = "WITH_SYSTEMD=1,WITH_SYSTEMD=0,systemd"
PACKAGECONFIG[http] = "WITH_HTTP=1,WITH_HTTP=0,libmicrohttpd"

# vmlinux.h comes from the BTF of the kernel image this image boots
# (CONFIG_DEBUG_INFO_BTF=y, see zpoolx-bpf.cfg): an arm64 Image, a bzImage
# or a vmlinux ELF
ZPOOLX_KIMAGE ?= "${DEPLOY_DIR_IMAGE}/${KERNEL_IMAGETYPE}"
do_compile[depends] += "virtual/kernel:do_deploy"

EXTRA_OEMAKE = "KIMAGE=${ZPOOLX_KIMAGE} CLANG=clang BPFTOOL=bpftool \
                PREFIX=${prefix} SYSCONFDIR=${sysconfdir} \
                UNITDIR=${systemd_system_unitdir} ${PACKAGECONFIG_CONFARGS}"

do_compile() {
	oe_runmake userspace
}

do_install() {
	oe_runmake -C zpoolctl install DESTDIR=${D}
	oe_runmake -C daemon install DESTDIR=${D}
}

# systemd.bbclass packages the unit with ${PN} (and drops it on a distro
# without systemd)
SYSTEMD_SERVICE:${PN} = "zpoold.service"
CONFFILES:${PN} = "${sysconfdir}/zpoold/zpoold.json"

# Every file do_install puts in ${D}, each in exactly one package, with
# the unit of SYSTEMD_SERVICE (tests/host/yocto replays do_compile and
# do_install, with and without systemd and http, and checks this).
FILES:${PN} = "${sbindir}/zpoolctl \
               ${sbindir}/zpoold \
               ${sysconfdir}/zpoold/zpoold.json \
               ${datadir}/zpoold/profiles/512M.json \
               ${datadir}/zpoold/profiles/1G.json \
               ${datadir}/zpoold/profiles/2G.json"
FILES:${PN}-doc = "${mandir}/man8/zpoolctl.8 \
                   ${mandir}/man8/zpoold.8 \
                   ${mandir}/man5/zpoold.json.5"
PACKAGES =+ "${PN}-bash-completion"
FILES:${PN}-bash-completion = "${datadir}/bash-completion/completions/zpoolctl"

# zswap and the module at run time (the kernel needs CONFIG_ZSWAP=y)
RRECOMMENDS:${PN} = "kernel-module-zpoolx"
