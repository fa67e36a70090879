# SPDX-License-Identifier: GPL-2.0
# 22-set-limit-size.t - set-limit SIZE: units, the conversion against
# MemTotal (rounded up to a whole percent), what it prints, and every
# refusal with its message and nothing written.  Sourced by run.sh.
#
# The tree's MemTotal is 2048000 kB = 2097152000 bytes (1.95 GiB);
# zswap's limit is totalram pages * percent / 100 pages.

P=sys/module/zswap/parameters
MT=2097152000

# refuse TREE RC ERR-RE DESC ARGS...: as in 20-set.t
refuse() {
	local t=$1 rc=$2 re=$3 desc=$4; shift 4
	refused_on "$t" "$@" && expect_error "$rc" "$re"
	tap $? "$desc"
}

# the percent zpoolctl must write for BYTES: rounded up
want_pct() { echo $(( ($1 * 100 + MT - 1) / MT )); }

T=$(newtree)
run --root "$T" set-limit 400M
expect 0 "^zswap max_pool_percent: 20 -> 20 \\(400M is 20% of MemTotal 1\\.95G; zswap's limit is now 400M\\)$" &&
	[ "$(cat "$T/$P/max_pool_percent")" = 20 ] && [ -z "$ERR" ]
tap $? "set-limit 400M: exactly 20% of MemTotal, says so and the limit"

run --root "$T" set-limit 410M
expect 0 "^zswap max_pool_percent: 20 -> 21 \\(410M is 20\\.5% of MemTotal 1\\.95G, rounded up to a whole percent; zswap's limit is now 420M\\)$" &&
	[ "$(cat "$T/$P/max_pool_percent")" = 21 ]
tap $? "set-limit 410M: 20.5% rounded up to 21, the percent written and the limit now"

run --root "$T" set-limit 1G
expect 0 "^zswap max_pool_percent: 21 -> 52 \\(1G is 51\\.2% of MemTotal 1\\.95G, rounded up to a whole percent; zswap's limit is now 1\\.02G\\)$"
tap $? "set-limit 1G: 52%, the limit shown with three digits (1.02G)"

# every unit, against shell arithmetic
for pair in 400M:$((400 << 20)) 400m:$((400 << 20)) 400MiB:$((400 << 20)) 400Mib:$((400 << 20)) \
	    1.5G:$((3 << 29)) 1.5GiB:$((3 << 29)) 0.25g:$((1 << 28)) 1536K:$((1536 << 10)) \
	    1536KiB:$((1536 << 10)) 1T:-1 1GB:1000000000 500MB:500000000 2000000KB:2000000000 \
	    1K:1024 1.9G:2040109466 2000M:$MT 0.5K:512 1.0000001G:1073741932; do
	arg=${pair%%:*} bytes=${pair#*:}
	T=$(newtree)
	if [ "$bytes" = -1 ]; then
		refused_on "$T" set-limit "$arg" &&
			expect_error 2 "set-limit: invalid SIZE '$arg': [0-9]+ bytes, more than MemTotal"
	else
		want=$(want_pct "$bytes")
		run --root "$T" set-limit "$arg"
		expect 0 "^zswap max_pool_percent: 20 -> $want " && [ "$(cat "$T/$P/max_pool_percent")" = "$want" ]
	fi
	tap $? "set-limit $arg: $([ "$bytes" = -1 ] && echo "more than MemTotal, refused" || echo "$bytes bytes, $want%")"
done

T=$(newtree)
run --root "$T" set-limit 2000M
expect 0 "^zswap max_pool_percent: 20 -> 100 \\(1\\.95G is 100% of MemTotal 1\\.95G; zswap's limit is now 1\\.95G\\)$"
tap $? "set-limit MemTotal's size: 100%"

run --root "$T" set-limit 1K
expect 0 "^zswap max_pool_percent: 100 -> 1 \\(1K is under 0\\.1% of MemTotal 1\\.95G, rounded up to a whole percent; zswap's limit is now 20M\\)$"
tap $? "set-limit 1K: rounded up to 1%, the smallest limit zswap has"

# a percent is still a percent
run --root "$T" set-limit 30
expect 0 '^zswap max_pool_percent: 1 -> 30$' && [ "$(cat "$T/$P/max_pool_percent")" = 30 ]
tap $? "set-limit 30 (no unit) is a percent, printed as before"

# another MemTotal, with a remainder: 1000001 kB
T=$(newtree)
sed -i 's/^MemTotal: .*/MemTotal:        1000001 kB/' "$T/proc/meminfo"
run --root "$T" set-limit 100M
# 104857600 * 100 / 1024001024 = 10.24 -> 11
expect 0 "^zswap max_pool_percent: 20 -> 11 \\(100M is 10\\.2% of MemTotal 977M, rounded up to a whole percent; zswap's limit is now 107M\\)$" &&
	[ "$(cat "$T/$P/max_pool_percent")" = 11 ]
tap $? "set-limit against another MemTotal (1000001 kB): the percent and the limit in whole pages"

# ---- refusals: exit 2, the exact message, nothing written ----
T=$(newtree)
ACC="expected PERCENT, an integer 1\\.\\.100 \\(optionally with %\\), or SIZE, a number with a unit up to MemTotal: K, M, G, T \\(KiB-based: 400M is 400 MiB; also KiB, MiB, GiB, TiB; KB, MB, GB, TB are powers of 1000\\), 1\\.5G$"
refuse "$T" 2 "^zpoolctl: set-limit: invalid SIZE '0M': a limit of 0 bytes; zswap's limit is at least 1% of MemTotal$" \
	"set-limit 0M: exit 2, a limit of 0, writes nothing" set-limit 0M
refuse "$T" 2 "^zpoolctl: set-limit: invalid SIZE '0\\.0G': a limit of 0 bytes" \
	"set-limit 0.0G: exit 2, writes nothing" set-limit 0.0G
refuse "$T" 2 "^zpoolctl: set-limit: invalid value '3X': $ACC" \
	"set-limit 3X: exit 2, lists what is accepted, writes nothing" set-limit 3X
refuse "$T" 2 "^zpoolctl: set-limit: invalid PERCENT '200%': expected an integer 1\\.\\.100 \\(the share of RAM zswap's pool may use\\), or a SIZE such as 400M$" \
	"set-limit 200%: exit 2, says the range, writes nothing" set-limit 200%
refuse "$T" 2 "^zpoolctl: set-limit: invalid SIZE '3G': 3221225472 bytes, more than MemTotal \\(2097152000 bytes, 1\\.95G\\); zswap's limit is a share of RAM, at most 100%$" \
	"set-limit 3G (above MemTotal): exit 2, both in bytes, writes nothing" set-limit 3G
refuse "$T" 2 "^zpoolctl: set-limit: invalid SIZE '2001M': 2098200576 bytes, more than MemTotal \\(2097152000 bytes, 1\\.95G\\)" \
	"set-limit 2001M (1 MiB above MemTotal): exit 2, writes nothing" set-limit 2001M
refuse "$T" 2 "^zpoolctl: set-limit: invalid SIZE '99999999999999999999999M': too large; expected PERCENT" \
	"set-limit with a size past 2^64: exit 2, too large" set-limit 99999999999999999999999M
refuse "$T" 2 "^zpoolctl: set-limit: invalid SIZE '17179869184G': too large; " \
	"set-limit 17179869184G (2^64 bytes): exit 2, too large" set-limit 17179869184G
for v in 400MX 400Mi 400iB 400B 16E 1P M .5G 5.G 1.12345678G 1,5G '400 M' 4e2M +400M 0x10M; do
	refuse "$T" 2 "^zpoolctl: set-limit: invalid value '$(sed 's/[.+]/\\&/g' <<<"$v")': $ACC" \
		"set-limit '$v': exit 2, lists what is accepted, writes nothing" set-limit "$v"
done
refuse "$T" 2 "^zpoolctl: set-limit: invalid value '-400M': negative numbers are not accepted; expected PERCENT \\(1\\.\\.100\\) or SIZE \\(400M, 1\\.5G: up to MemTotal\\)$" \
	"set-limit -400M: exit 2, negative, writes nothing" set-limit -400M

# MemTotal unknown or absurd: a size cannot be converted (exit 1), a
# percent still can
T=$(newtree)
sed -i '/^MemTotal:/d' "$T/proc/meminfo"
refuse "$T" 1 "^zpoolctl: set-limit: cannot convert SIZE '400M' into a percent: MemTotal is unknown \\(no MemTotal line in /proc/meminfo\\); give a PERCENT$" \
	"set-limit SIZE without MemTotal: exit 1, says to give a percent, writes nothing" set-limit 400M
run --root "$T" set-limit 25
expect 0 && [ "$(cat "$T/$P/max_pool_percent")" = 25 ]
tap $? "set-limit PERCENT without MemTotal still works"
rm "$T/proc/meminfo"
refuse "$T" 1 "MemTotal is unknown" "set-limit SIZE without /proc/meminfo: exit 1, writes nothing" set-limit 1G
T=$(newtree)
sed -i 's/^MemTotal: .*/MemTotal: 18446744073709551615 kB/' "$T/proc/meminfo"
refuse "$T" 1 "^zpoolctl: set-limit: cannot convert SIZE '1G' into a percent: MemTotal 18446744073709551615 kB in /proc/meminfo is not plausible; give a PERCENT$" \
	"set-limit SIZE with an absurd MemTotal: exit 1, writes nothing" set-limit 1G
T=$(newtree)
sed -i 's/^MemTotal: .*/MemTotal:              0 kB/' "$T/proc/meminfo"
refuse "$T" 1 "^zpoolctl: set-limit: cannot convert SIZE '1G' into a percent: MemTotal 0 kB in /proc/meminfo is not plausible; give a PERCENT$" \
	"set-limit SIZE with MemTotal 0: exit 1, writes nothing" set-limit 1G

# the order of checks: syntax, privilege, zswap, then MemTotal
T=$(newtree)
rm -r "$T/sys/module/zswap"
refuse "$T" 3 "zswap is not available" "set-limit SIZE without zswap: exit 3" set-limit 400M
refuse "$T" 2 "invalid value '3X'" "set-limit with a bad size is refused before zswap is looked for" set-limit 3X
T=$(newtree)
rm "$T/$P/max_pool_percent"
refuse "$T" 3 "set-limit: this kernel's zswap has no max_pool_percent parameter" \
	"set-limit SIZE without the parameter file: exit 3" set-limit 400M
T=$(newtree)
if can_drop; then
	for v in 400M 3G; do
		before=$(snapshot "$T")
		as_nobody --root "$T" set-limit "$v"
		[ "$before" = "$(snapshot "$T")" ] &&
			expect_error 4 "^zpoolctl: set-limit needs root: run it as root, or with --root DIR as the owner of DIR$"
		tap $? "set-limit $v as a user who is not root nor owns DIR: exit 4, nothing written"
	done
	as_nobody --root "$T" set-limit 0M
	expect_error 2 "invalid SIZE '0M': a limit of 0 bytes"
	tap $? "set-limit 0M is refused before the root check"
else
	skip "set-limit SIZE as another user: needs root to run as nobody"
	skip "set-limit SIZE above MemTotal as another user: needs root to run as nobody"
	skip "set-limit 0M before the root check: needs root to run as nobody"
fi
