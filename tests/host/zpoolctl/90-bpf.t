# SPDX-License-Identifier: GPL-2.0
# 90-bpf.t - zpoolctl bpf: the argument errors, all refused before anything
# is loaded (BPF is never loaded on the host: the real test is
# tests/vm/tests/bpf.sh).  Sourced by run.sh.

T=$(newtree)

run --root "$T" bpf
expect_error 3 "bpf: BPF statistics come from the running kernel; not available with --root"
tap $? "bpf with --root: exit 3, says why"

run --root "$T" bpf --json -i 0.5
expect_error 3 "not available with --root"
tap $? "bpf --json --interval with --root: exit 3"

run bpf --run true -i 2
expect_error 2 "bpf: --run counts for the run of the command; it excludes --interval and --iterations"
tap $? "bpf --run with --interval: exit 2"

run bpf --run true --iterations 2
expect_error 2 "excludes --interval and --iterations"
tap $? "bpf --run with --iterations: exit 2"

run bpf --run ''
expect_error 2 "bpf: --run: expected a shell command"
tap $? "bpf --run '': exit 2"

run bpf -i 0
expect_error 2 "--interval: invalid value '0': expected seconds 0.01..3600"
tap $? "bpf --interval 0: exit 2"

run --root "$T" bpf extra
expect_error 2 "bpf: takes no arguments \\(got 'extra'\\)"
tap $? "bpf with an argument: exit 2"

run --root "$T" bpf -o ID
expect_error 2 "bpf: option --output does not apply to this command"
tap $? "bpf -o: exit 2"

run --root "$T" status --run true
expect_error 2 "status: option --run does not apply to this command"
tap $? "--run with another command: exit 2"

run bpf --run
expect_error 2 "option '--run' needs a value"
tap $? "--run without a value: exit 2"
