# SPDX-License-Identifier: GPL-2.0
# zpoolx: one top-level make builds everything.  See README.md.
#
#   make                 module (against KDIR) and userspace tools
#   make check           install missing packages, build, lint, run every test
#   make demo            the appliance at work in a qemu guest
#   make bench           side-by-side benchmarks (slow; not part of check)
#   make install         DESTDIR=, PREFIX= (default /usr)
#   make kernel-side KERNEL=debian|debug   modules for a guest kernel
#   make lint            sparse and checkpatch on the kernel code
#   make deb             zpoolx-dkms and zpoolx-tools .debs in build/deb/, lintian-clean
#   make fuzz FUZZ_S=N   libFuzzer harnesses (tests/fuzz/): regressions, then N s each (60)
#   make soak SOAK_MIN=N the switching test for N minutes on the debug kernel (60)
#   make clean

PREFIX ?= /usr
DESTDIR ?=
BUILD := $(CURDIR)/build

# The Debian 6.1 kernel that the tests boot (its ABI number is never
# hard-coded) and the kernel to build the module against by default: the
# running kernel if it is a 6.1 with a build dir, else Debian's 6.1.
DEBIAN_KVER = $(shell scripts/debian-kver)
RUNNING := $(shell uname -r)
ifneq ($(filter 6.1.%,$(RUNNING)),)
ifneq ($(wildcard /lib/modules/$(RUNNING)/build),)
KDIR ?= /lib/modules/$(RUNNING)/build
endif
endif
KDIR ?= /lib/modules/$(DEBIAN_KVER)/build

# Userspace parts, each with its own Makefile, built when present, in this
# order: lib/ (what zpoolctl and zpoold share) and bpf/ (the programs and
# their loader library) before the tools that link them.
USERDIRS := $(patsubst %/Makefile,%,$(wildcard lib/Makefile bpf/Makefile zpoolctl/Makefile daemon/Makefile))

# zpoolx's one version, from packaging/debian/changelog (scripts/version);
# the module gets it on kbuild's command line, the tools through lib/c.mk.
VERSION := $(shell scripts/version)
KBUILD_VERSION := ZPOOLX_VERSION=$(VERSION)

CC ?= gcc
TOOL_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror

# make ARCH=arm64: everything cross-built for Debian 12's arm64 6.1 kernel
# into build/arm64/ (README, "arm64")
ifeq ($(ARCH),arm64)
all: arm64
else
all: module tools userspace
endif

module:
	@mkdir -p $(BUILD)/module
	rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*' module/ $(BUILD)/module/src/
	$(MAKE) -C $(KDIR) M=$(BUILD)/module/src $(KBUILD_VERSION) modules
	ln -sf src/zpoolx.ko $(BUILD)/module/zpoolx.ko

# Modules for a guest kernel: build/<KERNEL>/zpoolx.ko and build/<KERNEL>/kmod/
KERNEL ?= debian
KDIR_debian = /lib/modules/$(DEBIAN_KVER)/build
KDIR_debug = $(shell scripts/build-debug-kernel)
# (arm64: Debian's arm64 headers unless KDIR= is given on the command line)
KDIR_arm64 = $(if $(filter command line,$(origin KDIR)),$(KDIR),$(shell scripts/arm64-kernel kdir))
CROSS_COMPILE ?= aarch64-linux-gnu-
KFLAGS_arm64 = ARCH=arm64 CROSS_COMPILE=$(CROSS_COMPILE)
kernel-side: tools
	@case "$(KERNEL)" in debian|debug|arm64) ;; *) echo "KERNEL must be debian, debug or arm64" >&2; exit 2;; esac
	@mkdir -p $(BUILD)/$(KERNEL)
	rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*' module/ $(BUILD)/$(KERNEL)/module/
	rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*' tests/kmod/ $(BUILD)/$(KERNEL)/kmod/
	+kdir="$(KDIR_$(KERNEL))" && test -n "$$kdir" && \
	$(MAKE) -C $$kdir M=$(BUILD)/$(KERNEL)/module $(KFLAGS_$(KERNEL)) $(KBUILD_VERSION) modules && \
	$(MAKE) -C $$kdir M=$(BUILD)/$(KERNEL)/kmod $(KFLAGS_$(KERNEL)) modules
	ln -sf module/zpoolx.ko $(BUILD)/$(KERNEL)/zpoolx.ko

# The arm64 modules as above (KERNEL=arm64), then the BPF objects and the
# tools from a copy of the sources in build/arm64/src (scripts/arm64-build),
# and zpoold in the minimal profile for the Android-like mode
# (scripts/arm64-minimal)
arm64:
	+$(MAKE) kernel-side KERNEL=arm64
	+scripts/arm64-build
	+scripts/arm64-minimal

# Programs the guests run (from the 9p-shared tree).
tools: $(BUILD)/tools/memhog $(BUILD)/tools/switcher
$(BUILD)/tools/%: tests/vm/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TOOL_CFLAGS) -o $@ $<

userspace:
	+@for d in $(USERDIRS); do $(MAKE) -C $$d || exit 1; done

lint:
	scripts/lint-kernel $(KDIR)

deb:
	scripts/make-deb

check:
	scripts/check

# libFuzzer harnesses, README "Fuzzing": replay each one's regressions,
# then fuzz it FUZZ_S seconds; a summary of execs/s and coverage
FUZZ_S ?= 60
fuzz:
	tests/fuzz/run --seconds $(FUZZ_S)

demo:
	scripts/demo

# the switching test repeated SOAK_MIN minutes on the debug kernel with
# kmemleak (scripts/soak); not part of make check
SOAK_MIN ?= 60
soak:
	SOAK_MIN=$(SOAK_MIN) scripts/soak

bench:
	+@if [ -x bench/run ]; then bench/run; else echo "no benchmarks yet"; exit 1; fi

install: module userspace
	kver=$$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h) && \
	install -D -m 0644 $(BUILD)/module/src/zpoolx.ko $(DESTDIR)/lib/modules/$$kver/extra/zpoolx.ko
	+@for d in $(USERDIRS); do $(MAKE) -C $$d install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) || exit 1; done

clean:
	rm -rf $(BUILD)
	+@for d in $(USERDIRS); do $(MAKE) -C $$d clean || exit 1; done

.PHONY: all arm64 module kernel-side tools userspace lint deb check fuzz demo soak bench install clean
