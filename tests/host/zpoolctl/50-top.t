# SPDX-License-Identifier: GPL-2.0
# 50-top.t - top: frames, bars, rates, redraw on a terminal, SIGINT, option
# checks.  Sourced by run.sh.

PD=sys/kernel/zpoolx/pools
T=$(newtree)
# limit = MemTotal 2048000 kB * 20% = 419430400 bytes; pool 2 at half of
# it (pages * 4096 + its 24576 bytes of metadata)
w "$T/$PD/2/pages" 51194
w "$T/$PD/2/pool_bytes" 209715200

run --root "$T" top --iterations 3 --interval 0.01
expect 0 && [ "$(grep -c '^zpoolctl top  frame' <<<"$OUT")" -eq 3 ] &&
	grep -q '^zpoolctl top  frame 3  every 0.010s$' <<<"$OUT" &&
	grep -qE '^zswap enabled  lz4  zpoolx_zsmalloc  limit 400M  stored 3000 pages  pool 3\.9M$' <<<"$OUT" &&
	[ "$(grep -c '^ *2 zsmalloc' <<<"$OUT")" -eq 3 ] && ! grep -q $'\033' <<<"$OUT" && [ -z "$ERR" ]
tap $? "top --iterations 3: three frames, no escape codes when not on a terminal"

line=$(grep '^ *2 zsmalloc' <<<"$OUT" | tail -1)
grep -qF '[###############...............]   50.0' <<<"$line" && grep -qE '200M' <<<"$line"
tap $? "top: the bar shows the pool's size against zswap's limit (50%)"

line=$(grep '^ *1 zbud' <<<"$OUT" | tail -1)
grep -qF '[..............................]    1.0' <<<"$line"
tap $? "top: a small pool has an empty bar"

[ "$(grep '^ *2 zsmalloc' <<<"$OUT" | head -1 | awk '{ print $NF }')" = - ]
tap $? "top: no written-back rate on the first frame"

# wait_for FILE RE: until FILE has a line matching RE (30 s at most)
wait_for() {
	local i
	for i in $(seq 600); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# 100 more pages written back between two frames 2 s apart: about 50/s
# (the machine may be loaded: the second frame may come later)
T=$(newtree)
o=$WORK/top-rate.out
"$ZPOOLCTL" --root "$T" top --iterations 2 --interval 2 >"$o" 2>"$o.err" &
pid=$!
wait_for "$o" '^ *2 zsmalloc' && w "$T/$PD/2/evict_succeeded" 109
wait "$pid"
rc=$?
rate=$(grep '^ *2 zsmalloc' "$o" | tail -1 | awk '{ print $NF }')
[ "$rc" -eq 0 ] && [ ! -s "$o.err" ] && awk -v r="$rate" 'BEGIN { exit !(r >= 10 && r <= 50) }'
tap $? "top: pages written back per second between frames (100 in about 2 s, got $rate)"

T=$(newtree)
rm "$T/proc/meminfo"
w "$T/$PD/2/pages" 1994
w "$T/$PD/2/pool_bytes" 8192000
run --root "$T" top --iterations 1 -i 0.01
line=$(grep '^ *1 zbud' <<<"$OUT")
expect 0 'OF LARGEST' && grep -qF '[###############...............]   50.0' <<<"$line"
tap $? "top without a known limit: bars against the largest pool"

T=$(newtree)
rm -r "$T/sys/module/zpoolx" "$T/sys/kernel/zpoolx"
run --root "$T" top --iterations 1 -i 0.01
expect 0 '^zpoolx module not loaded$'
tap $? "top without the module: says so, exit 0"

T=$(newtree)
if command -v script >/dev/null; then
	out=$(script -qec "'$ZPOOLCTL' --root '$T' top --iterations 2 -i 0.01" /dev/null)
	rc=$?
	[ "$rc" -eq 0 ] && [ "$(grep -o $'\033\\[H\033\\[2J' <<<"$out" | wc -l)" -eq 2 ] &&
		! grep -qE 'Sanitizer|runtime error' <<<"$out"
	tap $? "top on a terminal clears and redraws every frame"
else
	skip "top on a terminal: script(1) is not installed"
fi

T=$(newtree)
o=$WORK/top.out
"$ZPOOLCTL" --root "$T" top --interval 0.1 >"$o" 2>"$o.err" &
pid=$!
wait_for "$o" '^zpoolctl top  frame 2 '
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] && [ "$(grep -c '^zpoolctl top  frame' "$o")" -ge 2 ] && [ ! -s "$o.err" ]
tap $? "top runs until SIGINT, then exits 0"

for bad in "--interval 0" "--interval 0.001" "--interval 3601" "--interval 1.2345" "--interval x" \
	   "--interval 1." "--interval .5" "-i -1"; do
	# shellcheck disable=SC2086
	run --root "$T" top $bad
	expect_error 2 "--interval: invalid value .*: expected seconds 0.01..3600, at most 3 decimals"
	tap $? "top $bad: exit 2, says the range"
done
for bad in 0 1000001 x -3; do
	run --root "$T" top --iterations "$bad"
	expect_error 2 "(--iterations: invalid value '$bad': expected an integer 1..1000000|negative numbers)"
	tap $? "top --iterations $bad: exit 2"
done
run --root "$T" top --json
expect_error 2 "top: option --json does not apply"
tap $? "top --json: exit 2"
run --root "$T" status --interval 1
expect_error 2 "status: option --interval does not apply"
tap $? "--interval on status: exit 2"
