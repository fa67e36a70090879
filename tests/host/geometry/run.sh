#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of module/zsx_geometry.h, the zsmalloc backend's size classes
# and zspage chains, for 4 to 256 KiB pages (see geometry_test.c): the
# header the module includes, built here with -Wall -Wextra -Werror and
# ASan/UBSan into build/host/geometry/.  TAP on stdout.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
out=$TOP/build/host/geometry
mkdir -p "$out"
CC=${CC:-gcc}
if ! "$CC" -std=gnu11 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-I"$TOP/module" -o "$out/geometry_test" "$HERE/geometry_test.c" \
	>"$out/build.log" 2>&1; then
	echo "Bail out! geometry_test does not build:"
	sed 's/^/# /' "$out/build.log"
	exit 1
fi
exec "$out/geometry_test"
