# SPDX-License-Identifier: GPL-2.0
# The C settings every userspace Makefile shares (lib/, zpoolctl/, daemon/,
# bpf/): include it with `include ../lib/c.mk`.
#
#   CC        gcc unless given
#   CFLAGS    -O2 -g unless given
#   WARN      C11 and the warnings, all errors
#   CPPFLAGS  _GNU_SOURCE, 64-bit file offsets
#   SANFLAGS  the ASan + UBSan build used by the host tests
#   ZPOOLX_VERSION  the one version (scripts/version, from the Debian
#             changelog), as a -D; VERSION_DEP is the file it comes from,
#             a prerequisite of every program that prints it

CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif
PKG_CONFIG ?= pkg-config
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
           -Wstrict-prototypes -Wmissing-prototypes -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64
SANFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=all

C_MK_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
ifeq ($(origin ZPOOLX_VERSION),undefined)
ZPOOLX_VERSION := $(shell $(C_MK_DIR)../scripts/version)
endif
ifeq ($(ZPOOLX_VERSION),)
$(error no version: scripts/version found no packaging/debian/changelog; pass ZPOOLX_VERSION=)
endif
CPPFLAGS += -DZPOOLX_VERSION='"$(ZPOOLX_VERSION)"'
VERSION_DEP := $(wildcard $(C_MK_DIR)../packaging/debian/changelog $(C_MK_DIR)../debian/changelog)
