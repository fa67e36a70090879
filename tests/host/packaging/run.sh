#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One version, one source: packaging/debian/changelog's newest entry (as
# dpkg-parsechangelog reads it) is what scripts/version prints, what the
# built module says (modinfo -F version) and what zpoolctl --version and
# zpoold --version print; no source file states a version of its own.
# Needs the tree built (make).  The installed packages are checked the
# same way in the system lane (tests/vm/system/guest.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
n=0 failed=0
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

cl=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)
v=$("$top/scripts/version")
tap "$( [ -n "$cl" ] && [ "$v" = "$cl" ]; echo $?)" "scripts/version '$v' = the changelog's '$cl'"
m=$(modinfo -F version "$top/build/module/zpoolx.ko" 2>&1)
tap "$( [ "$m" = "$cl" ]; echo $?)" "modinfo -F version zpoolx.ko: '$m'"
c=$("$top/zpoolctl/zpoolctl" --version 2>&1)
tap "$( [ "$c" = "zpoolctl $cl" ]; echo $?)" "zpoolctl --version: '$c'"
d=$("$top/daemon/zpoold" --version 2>&1)
tap "$( [ "$d" = "zpoold $cl" ]; echo $?)" "zpoold --version: '$d'"
# no other source of a version: no version string literal in the sources
lit=$(cd "$top" && grep -nE '_VERSION +"[0-9]+\.[0-9]+' module/*.[ch] zpoolctl/*.[ch] daemon/*.[ch] lib/*.[ch] 2>/dev/null)
tap "$( [ -z "$lit" ]; echo $?)" "no version literal in module/, zpoolctl/, daemon/, lib/${lit:+: $lit}"
# the Debian package's dkms.conf takes the version from the package
tap "$(grep -qx 'PACKAGE_VERSION="#MODULE_VERSION#"' "$top/packaging/debian/zpoolx-dkms.dkms"; echo $?)" \
	"dkms.conf's PACKAGE_VERSION is filled in by dh_dkms -V"
echo "1..$n"
[ $failed = 0 ]
