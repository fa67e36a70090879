# SPDX-License-Identifier: GPL-2.0
# 00-cli.t - the command line: help, version, unknown commands and options,
# options that do not apply, argument counts, --root.  Sourced by run.sh.

T=$(newtree)

run --help
expect 0 '^Usage: zpoolctl' && grep -q 'set-accept-threshold' <<<"$OUT" && [ -z "$ERR" ]
tap $? "--help prints the usage on stdout, exit 0"

run -V
expect 0 '^zpoolctl [0-9]+\.[0-9]+\.[0-9]+$'
tap $? "--version prints the version"

run --root "$T" frobnicate
expect_error 2 "unknown command 'frobnicate'; commands: status, set-backend, .*advise"
tap $? "unknown command: exit 2, lists the commands"

run --root "$T" --frob
expect_error 2 "unknown option '--frob'; accepted: --root"
tap $? "unknown long option: exit 2, lists the options"

run --root "$T" -x status
expect_error 2 "unknown option '-x'; accepted:"
tap $? "unknown short option: exit 2"

run --root
expect_error 2 "option '--root' needs a value"
tap $? "--root without a value: exit 2"

run --root "$T/nonexistent" status
expect_error 2 "--root: '.*nonexistent' is not a directory"
tap $? "--root that is not a directory: exit 2"

run --root "$T/proc/swaps" status
expect_error 2 "is not a directory"
tap $? "--root naming a file: exit 2"

run --root "$T" status --pid 1
expect_error 2 "status: option --pid does not apply to this command"
tap $? "an option that does not apply (status --pid): exit 2"

run --root "$T" enable --json
expect_error 2 "enable: option --json does not apply"
tap $? "an option that does not apply (enable --json): exit 2"

run --root "$T" doctor -o ID
expect_error 2 "doctor: option --output does not apply"
tap $? "an option that does not apply (doctor -o): exit 2"

run --root "$T" status 1 2
expect_error 2 "status: too many arguments: usage: zpoolctl status \\[POOL\\]$"
tap $? "status with two arguments: exit 2"

run --root "$T" disable extra
expect_error 2 "disable: takes no arguments \\(got 'extra'\\)"
tap $? "a command without arguments given one: exit 2"

run --root "$T" set-limit
expect_error 2 "set-limit: missing argument: usage: zpoolctl set-limit PERCENT \\(1..100\\) or SIZE \\(400M, 1.5G: up to MemTotal\\)$"
tap $? "a missing argument: exit 2 with the usage"

run --root "$T" writeback 1 2 3
expect_error 2 "writeback: too many arguments"
tap $? "too many arguments: exit 2"

run --root "$T" advise --file /etc/passwd --pid 1
expect_error 2 "give either --file or --pid, not both"
tap $? "advise with --file and --pid: exit 2"

# options after the command, and "--" before a value
run set-limit --root "$T" -- 30
expect 0 && [ "$(cat "$T/sys/module/zswap/parameters/max_pool_percent")" = 30 ]
tap $? "options may follow the command; -- ends the options"

T2=$(newtree)
run --root "$T2/" set-limit 31
expect 0 && [ "$(cat "$T2/sys/module/zswap/parameters/max_pool_percent")" = 31 ]
tap $? "--root with a trailing slash"

out=$("$ZPOOLCTL" --root "$T" status 2>&1 >/dev/full); rc=$?
[ "$rc" -eq 1 ] && grep -q 'error writing output' <<<"$out"
tap $? "a full stdout (/dev/full) is an error, exit 1"
