# SPDX-License-Identifier: GPL-2.0
# 20-set.t - set-backend, set-compressor, set-limit, set-accept-threshold,
# enable, disable: what they write, every refusal (and that a refused
# command writes nothing), the root check.  Sourced by run.sh.

P=sys/module/zswap/parameters

# refuse TREE RC ERR-RE DESC ARGS...: the command fails with RC, one line
# on stderr matching ERR-RE, nothing on stdout, and the tree is unchanged
refuse() {
	local t=$1 rc=$2 re=$3 desc=$4; shift 4
	refused_on "$t" "$@" && expect_error "$rc" "$re"
	tap $? "$desc"
}

# ---- set-backend ----
for pair in zbud:zpoolx_zbud zsmalloc:zpoolx_zsmalloc \
	    zpoolx_zbud:zpoolx_zbud zpoolx_zsmalloc:zpoolx_zsmalloc \
	    kernel:zbud:zbud kernel:zsmalloc:zsmalloc kernel:z3fold:z3fold; do
	arg=${pair%:*} want=${pair##*:}
	T=$(newtree)
	w "$T/$P/zpool" zbud
	run --root "$T" set-backend "$arg"
	expect 0 "^zswap zpool: zbud -> $want\$" && [ "$(cat "$T/$P/zpool")" = "$want" ] && [ -z "$ERR" ]
	tap $? "set-backend $arg writes $want to zswap's zpool"
done

T=$(newtree)
refuse "$T" 2 "set-backend: unknown backend 'zfold'; accepted: zbud, zsmalloc, zpoolx_zbud, zpoolx_zsmalloc \\(zpoolx\\), kernel:zbud, kernel:zsmalloc, kernel:z3fold$" \
	"set-backend with an unknown backend: exit 2, lists the accepted ones, writes nothing" set-backend zfold
refuse "$T" 2 "set-backend: unknown backend 'z3fold'; accepted: zbud, .*, kernel:z3fold \\(the kernel's z3fold is kernel:z3fold\\)$" \
	"set-backend z3fold: exit 2, names kernel:z3fold (a bare name is zpoolx's)" set-backend z3fold
refuse "$T" 2 "unknown backend 'zpoolx_z3fold'; accepted: " \
	"set-backend zpoolx_z3fold (no such zpoolx type): exit 2" set-backend zpoolx_z3fold
refuse "$T" 2 "unknown backend 'ZPOOLX_ZBUD'; accepted: " \
	"set-backend names are case-sensitive, as zswap's are" set-backend ZPOOLX_ZBUD

# what status prints as zswap's zpool, set-backend takes back
T=$(newtree)
for type in zpoolx_zbud zpoolx_zsmalloc; do
	w "$T/$P/zpool" "$type"
	run --root "$T" status
	shown=$(sed -n 's/^zswap: .*, zpool \([^,]*\),.*/\1/p' <<<"$OUT")
	w "$T/$P/zpool" zbud
	run --root "$T" set-backend "$shown"
	expect 0 "^zswap zpool: zbud -> $type\$" && [ "$shown" = "$type" ] &&
		[ "$(cat "$T/$P/zpool")" = "$type" ]
	tap $? "set-backend takes the name status prints ($type)"
done
refuse "$T" 2 "unknown backend ''" "set-backend with an empty name: exit 2" set-backend ''

T=$(newtree)
rm -r "$T/sys/module/zpoolx" "$T/sys/kernel/zpoolx"
refuse "$T" 3 "set-backend: .*the zpoolx module is not loaded .*: run modprobe zpoolx$|^zpoolctl: the zpoolx module is not loaded \\(.*/sys/module/zpoolx is missing\\): run modprobe zpoolx$" \
	"set-backend zsmalloc without the module: exit 3, writes nothing" set-backend zsmalloc
refuse "$T" 3 "the zpoolx module is not loaded" \
	"set-backend zpoolx_zbud without the module: exit 3, writes nothing" set-backend zpoolx_zbud
run --root "$T" set-backend kernel:zsmalloc
expect 0 && [ "$(cat "$T/$P/zpool")" = zsmalloc ]
tap $? "set-backend kernel:zsmalloc works without the zpoolx module"

T=$(newtree)
w "$T/sys/kernel/zpoolx/backends" zpoolx_zbud
refuse "$T" 3 "set-backend: the loaded zpoolx module does not offer zpoolx_zsmalloc \\(it offers: zpoolx_zbud\\)$" \
	"set-backend zsmalloc when the module offers only zbud: exit 3, writes nothing" set-backend zsmalloc
run --root "$T" set-backend zbud
expect 0 && [ "$(cat "$T/$P/zpool")" = zpoolx_zbud ]
tap $? "set-backend zbud when the module offers zbud"
refuse "$T" 3 "set-backend: the loaded zpoolx module does not offer zpoolx_zsmalloc \\(it offers: zpoolx_zbud\\)$" \
	"set-backend zpoolx_zsmalloc is checked against the module's backends like zsmalloc" set-backend zpoolx_zsmalloc

T=$(newtree)
rm -r "$T/sys/module/zswap"
refuse "$T" 3 "zswap is not available: .*/sys/module/zswap/parameters is missing" \
	"set-backend without zswap: exit 3" set-backend kernel:zbud

# ---- set-compressor ----
T=$(newtree)
run --root "$T" set-compressor zstd
expect 0 '^zswap compressor: lz4 -> zstd$' && [ "$(cat "$T/$P/compressor")" = zstd ]
tap $? "set-compressor zstd (loadable by the kernel) writes it"

run --root "$T" set-compressor fancyzip
expect 0 && [ "$(cat "$T/$P/compressor")" = fancyzip ]
tap $? "set-compressor accepts a compression algorithm listed in /proc/crypto"

T=$(newtree)
refuse "$T" 2 "set-compressor: unknown compressor 'crc32c'; accepted: registered now \\(/proc/crypto\\): fancyzip, lz4; loadable by the kernel: 842, deflate, lz4, lz4hc, lzo, lzo-rle, zstd$" \
	"set-compressor with a /proc/crypto name that is not a compressor: exit 2, lists the accepted" set-compressor crc32c
refuse "$T" 2 "unknown compressor 'lz4;reboot'" \
	"set-compressor with shell characters: exit 2" set-compressor 'lz4;reboot'
refuse "$T" 2 "unknown compressor ''" "set-compressor with an empty name: exit 2" set-compressor ''
long=$(printf 'a%.0s' {1..100})
refuse "$T" 2 "unknown compressor 'a+'" "set-compressor with a 100-character name: exit 2" set-compressor "$long"
rm "$T/proc/crypto"
refuse "$T" 2 "accepted: registered now \\(/proc/crypto\\): none; loadable by the kernel: 842" \
	"set-compressor without /proc/crypto: the kernel's list only" set-compressor fancyzip

# ---- set-limit, set-accept-threshold ----
T=$(newtree)
for v in 1 100 25; do
	run --root "$T" set-limit "$v"
	expect 0 "^zswap max_pool_percent: [0-9]+ -> $v\$" && [ "$(cat "$T/$P/max_pool_percent")" = "$v" ]
	tap $? "set-limit $v writes max_pool_percent"
done
run --root "$T" set-limit 40%
expect 0 && [ "$(cat "$T/$P/max_pool_percent")" = 40 ]
tap $? "set-limit accepts a trailing %"

for v in 0 101 200% 99999999999999999999999; do
	refuse "$T" 2 "set-limit: invalid PERCENT '$v': expected an integer 1..100 \\(the share of RAM zswap's pool may use\\), or a SIZE such as 400M$" \
		"set-limit '$v': exit 2, says the range, writes nothing" set-limit "$v"
done
for v in abc 1.5 ' 5' 5x % ''; do
	refuse "$T" 2 "set-limit: invalid value '$v': expected PERCENT, an integer 1..100 \\(optionally with %\\), or SIZE, a number with a unit up to MemTotal: K, M, G, T " \
		"set-limit '$v': exit 2, says what is accepted, writes nothing" set-limit "$v"
done
refuse "$T" 2 "set-limit: invalid value '-5': negative numbers are not accepted; expected PERCENT \\(1..100\\) or SIZE" \
	"set-limit -5: exit 2, says the range, writes nothing" set-limit -5

for v in 0 100 70%; do
	run --root "$T" set-accept-threshold "$v"
	expect 0 '^zswap accept_threshold_percent: ' && [ "$(cat "$T/$P/accept_threshold_percent")" = "${v%\%}" ]
	tap $? "set-accept-threshold $v writes accept_threshold_percent"
done
for v in 101 -1 x; do
	refuse "$T" 2 "set-accept-threshold: invalid (PERCENT|value) '$v'.*0..100" \
		"set-accept-threshold '$v': exit 2, says the range, writes nothing" set-accept-threshold "$v"
done

T=$(newtree)
rm "$T/$P/accept_threshold_percent"
refuse "$T" 3 "set-accept-threshold: this kernel's zswap has no accept_threshold_percent parameter" \
	"set-accept-threshold on a kernel without the parameter: exit 3" set-accept-threshold 80
T=$(newtree)
rm -r "$T/sys/module/zswap"
refuse "$T" 3 "zswap is not available" "set-limit without zswap: exit 3" set-limit 20

# ---- enable, disable ----
T=$(newtree)
w "$T/$P/enabled" N
run --root "$T" enable
expect 0 '^zswap enabled: N -> Y$' && [ "$(cat "$T/$P/enabled")" = Y ]
tap $? "enable writes Y"
run --root "$T" disable
expect 0 '^zswap enabled: Y -> N$' && [ "$(cat "$T/$P/enabled")" = N ]
tap $? "disable writes N"
refuse "$T" 2 "enable: takes no arguments" "enable with an argument: exit 2" enable now
T=$(newtree)
rm -r "$T/sys/module/zswap"
refuse "$T" 3 "zswap is not available" "enable without zswap: exit 3" enable

# ---- the kernel refuses a write ----
T=$(newtree)
rm "$T/$P/enabled" && mkdir "$T/$P/enabled"
refuse "$T" 1 "enable: writing .*/parameters/enabled failed: Is a directory; zswap refuses to enable when it has no pool: check dmesg" \
	"a write the kernel refuses: exit 1 with its error" enable

# ---- privileges ----
# with --root, the owner of DIR may write; a file it may not write is exit 4
T=$(newtree)
if can_drop; then
	chown -R 65534:65534 "$T"
	chmod 0444 "$T/$P/max_pool_percent"
	before=$(snapshot "$T")
	as_nobody --root "$T" set-limit 50
	[ "$before" = "$(snapshot "$T")" ] && expect_error 4 "set-limit: writing .*max_pool_percent failed: Permission denied"
	tap $? "a file that cannot be written: exit 4, nothing written"
	chmod 0644 "$T/$P/max_pool_percent"
	as_nobody --root "$T" set-limit 50
	expect 0 && [ "$(cat "$T/$P/max_pool_percent")" = 50 ]
	tap $? "with --root, the owner of DIR need not be root"
else
	chmod 0444 "$T/$P/max_pool_percent"
	refused_on "$T" set-limit 50 && expect_error 4 "set-limit: writing .*max_pool_percent failed: Permission denied"
	tap $? "a file that cannot be written: exit 4, nothing written"
	chmod 0644 "$T/$P/max_pool_percent"
	run --root "$T" set-limit 50
	expect 0 && [ "$(cat "$T/$P/max_pool_percent")" = 50 ]
	tap $? "with --root, the owner of DIR need not be root"
fi

# not root and not the owner of DIR: every writing command is refused
T=$(newtree)
for cmd in "set-backend zbud" "set-compressor zstd" "set-limit 30" \
	   "set-accept-threshold 80" enable disable "compact 2" "writeback 2 10"; do
	if can_drop; then
		before=$(snapshot "$T")
		# shellcheck disable=SC2086
		as_nobody --root "$T" $cmd
		[ "$before" = "$(snapshot "$T")" ] &&
			expect_error 4 "${cmd%% *} needs root: run it as root, or with --root DIR as the owner of DIR$"
		tap $? "$cmd as a user who is not root nor owns DIR: exit 4, nothing written"
	else
		skip "$cmd as another user: needs root to run as nobody"
	fi
done

if can_drop; then
	as_nobody --root "$T" set-limit 500
	expect_error 2 "set-limit: invalid PERCENT '500'"
	tap $? "bad values are reported before the root check"
	as_nobody --root "$T" status
	expect 0 '^zswap:'
	tap $? "status needs no privileges"
else
	skip "bad values before the root check: needs root to run as nobody"
	skip "status as nobody: needs root to run as nobody"
fi
