# SPDX-License-Identifier: GPL-2.0
# The harness's self-test: plant a kernel WARN_ON and report success anyway.
# The harness must fail this run because of the warning in the kernel log;
# tests/vm/selftest checks that it does.  Never part of a normal run.
# vm-manual: yes
# vm-mem: 192M
# vm-timeout: 120
. "$ZPOOLX_TOP/tests/vm/lib.sh"
plan 2
ok "plant module loads" load_kmod harness_plant
ok "plant module unloads" rmmod harness_plant
done_testing
