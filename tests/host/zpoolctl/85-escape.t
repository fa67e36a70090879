# SPDX-License-Identifier: GPL-2.0
# 85-escape.t - arguments, paths and sysfs values echoed in messages are
# escaped: a newline cannot forge a second message, terminal escapes and
# invalid UTF-8 come out as \xNN, valid UTF-8 is kept.  Sourced by run.sh.

# one_line RC LITERAL DESC: the last run failed with RC, printed exactly one
# line on stderr containing LITERAL (a fixed string), nothing on stdout
one_line() {
	local rc=$1 lit=$2 desc=$3
	[ "$RC" -eq "$rc" ] && no_sanitizer_report &&
		[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] &&
		grep -qF -- "$lit" <<<"$ERR" && [ -z "$OUT" ]
	tap $? "$desc"
}

T=$(newtree)
run --root "$T" $'status\nzpoolctl: forged message'
one_line 2 "unknown command 'status\\nzpoolctl: forged message'; commands: " \
	"an unknown command with a newline: one line, the newline shown as \\n"

run --root "$T" set-compressor $'lz4\nzpoolctl: warning: forged'
one_line 2 "unknown compressor 'lz4\\nzpoolctl: warning: forged'" \
	"set-compressor with a newline: one line, \\n"

run --root "$T" set-compressor $'lz4\r\tx'
one_line 2 "unknown compressor 'lz4\\r\\tx'" \
	"carriage return and tab as \\r and \\t"

run --root "$T" set-compressor $'\e[2J\e[31mzstd'
one_line 2 "unknown compressor '\\x1b[2J\\x1b[31mzstd'" \
	"terminal escape sequences as \\x1b"

run --root "$T" set-compressor $'a\x7f\x01b'
one_line 2 "unknown compressor 'a\\x7f\\x01b'" \
	"DEL and other control characters as \\xNN"

run --root "$T" set-compressor $'zs\xfftd\xc3'
one_line 2 "unknown compressor 'zs\\xfftd\\xc3'" \
	"invalid UTF-8 (a stray byte, a truncated sequence) as \\xNN"

run --root "$T" set-compressor $'\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80'
one_line 2 "unknown compressor '\\xc0\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80'" \
	"overlong, surrogate and above-U+10FFFF sequences as \\xNN"

run --root "$T" set-compressor $'x\xc2\x9b31my'
one_line 2 "unknown compressor 'x\\xc2\\x9b31my'" \
	"UTF-8's C1 controls (U+009B, CSI) as \\xNN"

run --root "$T" set-compressor 'zstd-é→日本'
one_line 2 "unknown compressor 'zstd-é→日本'" \
	"valid UTF-8 is shown as it is"

run --root "$T" set-compressor 'a\nb'
one_line 2 "unknown compressor 'a\\\\nb'" \
	"a backslash is doubled: a literal \\n is not mistaken for an escape"

run --root "$T" set-backend $'zbud\nzpoolctl: forged'
one_line 2 "unknown backend 'zbud\\nzpoolctl: forged'; accepted: " \
	"set-backend echoes its argument escaped"

run --root "$T" set-limit $'5\n'
one_line 2 "set-limit: invalid value '5\\n'" "set-limit echoes its argument escaped"

run --root "$T" writeback $'1\nx' 5
one_line 2 "invalid pool '1\\nx'" "a pool argument is echoed escaped"

run --root "$T" writeback 1 $'5\x1b'
one_line 2 "invalid PAGES '5\\x1b'" "writeback's PAGES is echoed escaped"

run --root "$T" -o $'ID,\nX' status
one_line 2 "-o: unknown column '\\nX'" "a column name is echoed escaped"

run --root "$T" $'--bogus\nx'
one_line 2 "unknown option '--bogus\\nx'" "an unknown long option is echoed escaped"

run --root "$T" --interval $'1\n' top
one_line 2 "--interval: invalid value '1\\n'" "an option's value is echoed escaped"

run --root "$WORK"/$'no\nsuch' status
one_line 2 "--root: '$WORK/no\\nsuch' is not a directory" "--root's directory is echoed escaped"

f=$WORK/$'small\nfile'
printf 'x' >"$f"
run --root "$T" advise --file "$f"
one_line 2 "advise: --file $WORK/small\\nfile is smaller than one page" \
	"advise --file's path is echoed escaped"
rm -f "$f"

# a path under --root with a newline and a sysfs value: lib/'s warning
# goes through zpoolctl's hook and is escaped as well
R=$WORK/$'tree\nzpoolctl: forged'
mkdir -p "$R" && cp -a "$T/." "$R/"
printf '12\x1b[31m\n' >"$R/sys/module/zswap/parameters/max_pool_percent"
run --root "$R" status
[ "$RC" -eq 0 ] && no_sanitizer_report &&
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] &&
	grep -qF -- "zpoolctl: warning: $WORK/tree\\nzpoolctl: forged/sys/module/zswap/parameters/max_pool_percent: unexpected content" <<<"$ERR" &&
	! grep -q $'\x1b' <<<"$ERR$OUT"
tap $? "a warning about a sysfs file: the path escaped, the value without its escape sequence, one line"

# the same tree, a write refused: the path in the error is escaped
chmod 0444 "$R/sys/module/zswap/parameters/zpool"
if [ "$(id -u)" -ne 0 ]; then
	run --root "$R" set-backend kernel:zbud
	one_line 4 "$WORK/tree\\nzpoolctl: forged/sys/module/zswap/parameters/zpool failed" \
		"a refused write names the path escaped"
else
	rm -f "$R/sys/module/zswap/parameters/zpool"
	mkdir "$R/sys/module/zswap/parameters/zpool"
	run --root "$R" set-backend kernel:zbud
	# (with warnings: each line is zpoolctl's own)
	[ "$RC" -eq 1 ] && no_sanitizer_report && [ -z "$OUT" ] &&
		! grep -qv '^zpoolctl: ' <<<"$ERR" &&
		grep -qF -- "zpoolctl: set-backend: writing $WORK/tree\\nzpoolctl: forged/sys/module/zswap/parameters/zpool failed: " <<<"$ERR"
	tap $? "a failed write names the path escaped, every stderr line is zpoolctl's"
fi

# advise's report names the file on stdout: escaped too
f=$WORK/$'page\nfile'
head -c 65536 /dev/zero >"$f"
run --root "$T" advise --file "$f" --samples 4
[ "$RC" -eq 0 ] && no_sanitizer_report &&
	grep -qF -- "of file $WORK/page\\nfile" <<<"$OUT" && ! grep -qx 'file' <<<"$OUT"
tap $? "advise's report shows the --file path escaped"
rm -f "$f"

# the old value a set-* command reports is a sysfs value: escaped on stdout
T=$(newtree)
printf 'zb\x1b[2Jud\xff\n' >"$T/sys/module/zswap/parameters/zpool"
run --root "$T" set-backend zbud
expect 0 && [ "$OUT" = 'zswap zpool: zb\x1b[2Jud\xff -> zpoolx_zbud' ] &&
	[ "$(cat "$T/sys/module/zswap/parameters/zpool")" = zpoolx_zbud ]
tap $? "set-backend shows the old zpool escaped"
printf '2\r0\x9b\n' >"$T/sys/module/zswap/parameters/max_pool_percent"
run --root "$T" set-limit 25
expect 0 && [ "$OUT" = 'zswap max_pool_percent: 2\r0\x9b -> 25' ]
tap $? "set-limit shows the old value escaped"
