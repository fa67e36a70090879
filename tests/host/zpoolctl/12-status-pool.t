# SPDX-License-Identifier: GPL-2.0
# 12-status-pool.t - status POOL (one pool's row, by id or name; unknown,
# ambiguous and bad pools), --raw's empty fields for unknown values, and
# the zpool status shows being the one set-backend takes back.  Sourced by
# run.sh.

PD=sys/kernel/zpoolx/pools
T=$(newtree)
w "$T/$PD/1/name" zswap1
w "$T/$PD/2/name" zswap2
BEFORE=$(snapshot "$T")

# ---- status POOL ----
run --root "$T" status 2
expect 0 && [ -z "$ERR" ] && [ "$(printf '%s\n' "$OUT" | wc -l)" -eq 2 ] &&
	[ "$(sed -n 1p <<<"$OUT")" = "ID BACKEND  STATE  STORED OBJECTS POOLSIZE METADATA DATA RATIO  UTIL WRITTEN REJECTS" ] &&
	[ "$(sed -n 2p <<<"$OUT")" = " 2 zsmalloc active   3000    3000     3.9M      24K 3.5M  3.00 90.0%       9       2" ]
tap $? "status 2: the heading and pool 2's row, default columns, nothing else"

run --root "$T" status 1
expect 0 && [ "$(printf '%s\n' "$OUT" | wc -l)" -eq 2 ] &&
	[ "$(sed -n 2p <<<"$OUT")" = " 1 zbud    active      -    3000     3.9M       2K 3.5M  3.00 90.0%       9       -" ]
tap $? "status 1: the other pool, unknown values shown as '-' in the aligned table"

run --root "$T" status zswap2
OUT2=$OUT
run --root "$T" status 2
expect 0 && [ "$OUT" = "$OUT2" ]
tap $? "status NAME: the pool of that name, as status ID"

run --root "$T" status 2 -o POOLSIZE --noheadings --bytes
expect 0 && [ "$OUT" = 4096000 ]
tap $? "status POOL -o POOLSIZE --noheadings --bytes: the one value, for scripts"

run --root "$T" status 2 --raw -o ID,BACKEND,CURRENT
expect 0 && [ "$OUT" = $'ID BACKEND CURRENT\n2 zsmalloc yes' ]
tap $? "status POOL --raw -o: heading and row unaligned"

run --root "$T" status -o +TYPE,NAME 1
expect 0 '^ID BACKEND +STATE .* TYPE +NAME$' && grep -qE '^ 1 zbud .* zpoolx_zbud +zswap1$' <<<"$OUT"
tap $? "status POOL with options before it and -o +LIST"

run --root "$T" status 99
expect_error 2 "^zpoolctl: status: no pool 99 \\(pools by id and name: 1 zswap1, 2 zswap2\\)$"
tap $? "status 99: exit 2, the pools listed by id and name"

run --root "$T" status zswap9
expect_error 2 "^zpoolctl: status: no pool 'zswap9': POOL is a pool id or a pool's name \\(pools by id and name: 1 zswap1, 2 zswap2\\)$"
tap $? "status with an unknown name: exit 2, says what POOL is, lists the pools"

w "$T/$PD/1/name" zswap
w "$T/$PD/2/name" zswap
run --root "$T" status zswap
expect_error 2 "^zpoolctl: status: 2 pools are named 'zswap': give the id of one \\(pools by id and name: 1 zswap, 2 zswap\\)$"
tap $? "status with a name two pools share: exit 2, asks for an id"
w "$T/$PD/1/name" zswap1
w "$T/$PD/2/name" zswap2

for v in 0 2x 4294967296; do
	run --root "$T" status -- "$v"
	expect_error 2 "invalid pool '$v': a pool id is a number 1..4294967295, as listed by zpoolctl status$"
	tap $? "status '$v': a bad id, exit 2 with the range"
done

run --root "$T" status -1
expect_error 2 "^zpoolctl: status: invalid value '-1': negative numbers are not accepted; expected \\[POOL\\]$"
tap $? "status -1: exit 2, negative numbers are not accepted"

run --root "$T" status ''
expect_error 2 "^zpoolctl: status: no pool '': POOL is a pool id or a pool's name"
tap $? "status '': exit 2"

run --root "$T" status $'zswap\n1'
expect_error 2 "status: no pool 'zswap\\\\n1'"
tap $? "status with a newline in POOL: echoed escaped, one line"

[ "$BEFORE" = "$(snapshot "$T")" ]
tap $? "status POOL reads only: the tree is unchanged"

T=$(newtree)
rm -r "$T/$PD"/*
run --root "$T" status 1
expect_error 2 "^zpoolctl: status: no pool 1 \\(pools by id and name: none\\)$"
tap $? "status POOL when there are no pools: exit 2, says none"

rm -r "$T/sys/module/zpoolx" "$T/sys/kernel/zpoolx"
run --root "$T" status 1
expect_error 3 "^zpoolctl: the zpoolx module is not loaded \\(.*/sys/module/zpoolx is missing\\): run modprobe zpoolx$"
tap $? "status POOL without the module: exit 3"

run --root "$T" status
expect 0 '^zpoolx: +module not loaded$'
tap $? "status without POOL and without the module: still exit 0"

# ---- --raw: an unknown value is an empty field ----
T=$(newtree)
run --root "$T" --raw -o ID,STORED,REJECTS,NAME
expect 0 && [ "$OUT" = $'ID STORED REJECTS NAME\n1   zswap\n2 3000 2 zswap' ]
tap $? "--raw: an unknown value is an empty field, every row has the same fields"

run --root "$T" --raw --noheadings -o ID,REJECTS
expect 0 && [ "$OUT" = $'1 \n2 2' ]
tap $? "--raw: an unknown last value leaves the row ending in its separator"

run --root "$T" --raw --output-all
expect 0 && awk -F '[ ]' 'NF != 22 { bad = 1 } END { exit bad }' <<<"$OUT" &&
	[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 3 ]
tap $? "--raw --output-all: every row splits on single spaces into the 22 fields of the heading"

oldmodule "$T"
run --root "$T" --raw --bytes -o ID,METADATA,POOLSIZE
expect 0 && [ "$OUT" = $'ID METADATA POOLSIZE\n1  4096000\n2  4071424' ]
tap $? "--raw: metadata_bytes missing (older module) is an empty field, not '-' nor 0"

run --root "$T" -o ID,METADATA,POOLSIZE
expect 0 && grep -qE '^ +2 +- +3\.9M$' <<<"$OUT"
tap $? "the aligned table still shows an unknown value as '-'"

w "$T/$PD/2/classes/1024/objs_used" x
run --root "$T" stats 2 --raw --noheadings -o SIZE,USED,PAGES
expect 0 && grep -qx '1024  200' <<<"$OUT"
tap $? "stats --raw: an unknown class value is an empty field too"

# ---- the zpool status shows is the one set-backend takes ----
P=sys/module/zswap/parameters
for pair in zbud:kernel:zbud zsmalloc:kernel:zsmalloc z3fold:kernel:z3fold \
	    zpoolx_zbud:zpoolx_zbud zpoolx_zsmalloc:zpoolx_zsmalloc; do
	type=${pair%%:*} shownwant=${pair#*:}
	T=$(newtree)
	w "$T/$P/zpool" "$type"
	run --root "$T" status
	shown=$(sed -n 's/^zswap: .*, zpool \([^,]*\),.*/\1/p' <<<"$OUT")
	w "$T/$P/zpool" lz4dummy
	run --root "$T" set-backend "$shown"
	expect 0 "^zswap zpool: lz4dummy -> $type\$" && [ "$shown" = "$shownwant" ] &&
		[ "$(cat "$T/$P/zpool")" = "$type" ]
	tap $? "zswap's zpool $type: status shows $shownwant, set-backend takes it back"
done

T=$(newtree)
w "$T/$P/zpool" zsmalloc
run --root "$T" --json
expect 0 && jq -e '.zswap.zpool == "zsmalloc"' <<<"$OUT" >/dev/null
tap $? "--json keeps zswap's zpool as the kernel has it (zsmalloc)"

w "$T/$P/zpool" somefuturepool
run --root "$T" status
expect 0 '^zswap: .*, zpool somefuturepool, '
tap $? "a zpool zpoolctl does not know is shown as it is"

run --root "$T" top --iterations 1 -i 0.01
expect 0 '^zswap enabled  lz4  somefuturepool  limit ' && w "$T/$P/zpool" zbud &&
	run --root "$T" top --iterations 1 -i 0.01 &&
	expect 0 '^zswap enabled  lz4  kernel:zbud  limit '
tap $? "top shows the zpool as status does"
