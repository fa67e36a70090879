# SPDX-License-Identifier: GPL-2.0
# The C settings every userspace Makefile shares (lib/, zpoolctl/, daemon/,
# bpf/): include it with `include ../lib/c.mk`.
#
#   CC        gcc unless given
#   CFLAGS    -O2 -g unless given
#   WARN      C11 and the warnings, all errors
#   CPPFLAGS  _GNU_SOURCE, 64-bit file offsets
#   SANFLAGS  the ASan + UBSan build used by the host tests

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
