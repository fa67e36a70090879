# SPDX-License-Identifier: GPL-2.0
# 80-docs.t - the man page documents every command, option, column and
# exit code; the bash completion completes; make install puts the files
# where they belong.  Sourced by run.sh.

MAN=$TOP/zpoolctl/zpoolctl.8
COMPL=$TOP/zpoolctl/zpoolctl.bash-completion
CMDS="status set-backend set-compressor set-limit set-accept-threshold enable disable compact writeback stats top doctor advise bpf"
OPTS="--root --output --output-all --noheadings --raw --bytes --json --interval --iterations --file --pid --samples --run --help --version"

if command -v groff >/dev/null; then
	warn=$(groff -man -ww -z "$MAN" 2>&1)
	[ -z "$warn" ]
	tap $? "the man page formats without warnings${warn:+: $warn}"
else
	skip "man page lint: groff is not installed"
fi

# the man page as plain text, with its escaped hyphens
mantext=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$MAN")
# the terms of the COMMANDS section: the line after each .TP or .TQ
terms=$(awk '/^\.SH COMMANDS/ { on = 1; next } /^\.SH/ { on = 0 }
	on && t { print $2; t = 0 } on && /^\.T[PQ]/ { t = 1 }' <<<"$mantext")
missing=
for c in $CMDS; do grep -qx -- "$c" <<<"$terms" || missing="$missing $c"; done
[ -z "$missing" ]
tap $? "the man page has an entry for every command${missing:+ (missing:$missing)}"

missing=
for o in $OPTS; do grep -qE "^\\.(B|BI|BR) .*$o( |$)" <<<"$mantext" || missing="$missing $o"; done
[ -z "$missing" ]
tap $? "the man page documents every option${missing:+ (missing:$missing)}"

missing=
for c in ID BACKEND TYPE NAME STATE CURRENT STORED OBJECTS PAGES POOLSIZE METADATA DATA RATIO UTIL WRITTEN REJECTS \
	 EVICTS EVICTFAIL RECLAIMED ALLOCFAIL WBTOTAL COMPACTED SIZE ZSPG_PAGES ZSPG_OBJS ALLOCATED USED \
	 FULL ALMOST_FULL ALMOST_EMPTY EMPTY WASTE; do
	grep -qw -- "$c" <<<"$mantext" || missing="$missing $c"
done
[ -z "$missing" ]
tap $? "the man page documents every column${missing:+ (missing:$missing)}"

sect=$(awk '/^\.SH EXIT STATUS/ { on = 1; next } /^\.SH/ { on = 0 } on' "$MAN")
for code in 0 1 2 3 4; do grep -qx ".B $code" <<<"$sect" || { false; break; }; done
tap $? "the man page documents exit codes 0 to 4"

run --help
missing=
for c in $CMDS; do grep -qE "^  (set-accept-threshold|enable \| disable|$c)" <<<"$OUT" || missing="$missing $c"; done
for o in $OPTS; do grep -q -- "$o" <<<"$OUT" || missing="$missing $o"; done
[ -z "$missing" ]
tap $? "--help lists every command and option${missing:+ (missing:$missing)}"

# --help: every column with a line on it, and the defaults (zramctl's
# "Available output columns:")
T=$(newtree)
helpcols() { # helpcols TITLE-RE: "NAME|help" lines of that list in $HELP
	awk -v re="$1" '$0 ~ re { on = 1; next } on && /^  \(default: / { exit }
		on && /^  / { n = $1; sub(/^ +[^ ]+  /, ""); print n "|" $0 }' <<<"$HELP"
}
run --help
HELP=$OUT
run --root "$T" -o FROB
poolvalid=$(sed -n 's/.*valid columns: //p' <<<"$ERR" | tr -d ',')
run --root "$T" stats 2 -o FROB
classvalid=$(sed -n 's/.*valid columns: //p' <<<"$ERR" | tr -d ',')
pl=$(helpcols '^Available output columns of status')
cl=$(helpcols '^Available output columns of stats POOL')
[ -n "$poolvalid" ] && [ "$(cut -d'|' -f1 <<<"$pl" | tr '\n' ' ')" = "$poolvalid " ] &&
	! grep -q '|$' <<<"$pl" && [ "$(wc -l <<<"$pl")" -eq 22 ]
tap $? "--help lists every status column, in order, each with a description"
[ -n "$classvalid" ] && [ "$(cut -d'|' -f1 <<<"$cl" | tr '\n' ' ')" = "$classvalid " ] &&
	! grep -q '|$' <<<"$cl" && [ "$(wc -l <<<"$cl")" -eq 12 ]
tap $? "--help lists every stats class column, in order, each with a description"
grep -qx '  (default: ID,BACKEND,STATE,STORED,OBJECTS,POOLSIZE,METADATA,DATA,RATIO,UTIL,WRITTEN,REJECTS)' <<<"$HELP" &&
	grep -qx '  (default: SIZE,ZSPG_PAGES,ZSPG_OBJS,ALLOCATED,USED,PAGES,FULL,ALMOST_FULL,ALMOST_EMPTY,EMPTY,UTIL)' <<<"$HELP"
tap $? "--help gives the default columns of both tables"
run --root "$T" --raw --noheadings -o "$(cut -d'|' -f1 <<<"$pl" | paste -sd,)"
expect 0
tap $? "the columns --help lists are the ones -o takes"
grep -qE '^  status POOL ' <<<"$HELP" && grep -qE '^  set-limit PERCENT\|SIZE ' <<<"$HELP" &&
	grep -q 'KiB-based' <<<"$HELP" && grep -q 'an unknown value an empty' <<<"$HELP" &&
	grep -q '{"pools": \[{"id": 1, ...}\]}' <<<"$HELP"
tap $? "--help: status POOL, set-limit SIZE, --raw's empty fields, --json with -o"

# the man page: the new forms and the zram section
grep -qE '^\.BR status " \[\\fIPOOL\\fR\]"$' "$MAN" &&
	grep -qE '^\.BI set\\-limit " PERCENT\\fR\|\\fPSIZE"$' "$MAN" &&
	grep -q '^\.SH ZRAM AND ZSWAP$' "$MAN"
tap $? "the man page: status [POOL], set-limit PERCENT|SIZE, a ZRAM AND ZSWAP section"
missing=
for c in zram-only zram-before-disk zram-after-disk zram-zswap-off; do
	grep -q "^\.B $(sed 's/-/\\\\-/g' <<<"$c")$" "$MAN" || missing="$missing $c"
	grep -q "\"$c\"" "$TOP/zpoolctl/doctor.c" || missing="$missing $c(doctor.c)"
done
[ -z "$missing" ]
tap $? "the man page names doctor's zram findings${missing:+ (missing:$missing)}"
sect=$(awk '/^\.SH ZRAM AND ZSWAP/ { on = 1; next } /^\.SH/ { on = 0 } on' <<<"$mantext")
grep -q 'swap_writepage()' <<<"$sect" && grep -q 'decompresses' <<<"$sect" &&
	grep -q 'swapon -p' <<<"$sect" && grep -q '0..32767' <<<"$sect"
tap $? "the man page's ZRAM AND ZSWAP: frontswap in swap_writepage, writeback decompresses, priorities"
grep -q 'an empty field' <<<"$mantext" && grep -q 'column names in lower' <<<"$mantext" &&
	grep -q 'MemTotal' <<<"$mantext" && grep -q '1GB' <<<"$mantext"
tap $? "the man page: --raw's empty fields, --json's column keys, set-limit's units"

# ---- bash completion ----
T=$(newtree)
complete_line() { # complete_line LINE: prints the completions, one per line
	bash -c '
		source "$1" || exit 1
		COMP_LINE=$2; COMP_POINT=${#2}; COMP_WORDS=($2); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_zpoolctl zpoolctl
		printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPL" "$1"
}
[ "$(complete_line 'zpoolctl ' | tr '\n' ' ')" = "$(tr ' ' '\n' <<<"$CMDS" | tr '\n' ' ')" ]
tap $? "completion: the commands"
[ "$(complete_line 'zpoolctl set-backend kernel:z' | tr '\n' ' ')" = "zbud zsmalloc z3fold " ]
tap $? "completion: set-backend kernel:... (the part after ':')"
[ "$(complete_line "zpoolctl --root $T stats " | tr '\n' ' ')" = "1 2 " ]
tap $? "completion: pool ids from the --root tree"
[ "$(complete_line "zpoolctl --root $T status " | tr '\n' ' ')" = "1 2 " ] &&
	[ -z "$(complete_line "zpoolctl --root $T status 1 ")" ]
tap $? "completion: status POOL, one pool id"
[ "$(complete_line "zpoolctl set-limit 1" | tr '\n' ' ')" = "10 1G " ] &&
	[ "$(complete_line "zpoolctl set-limit 5" | tr '\n' ' ')" = "50 512M " ]
tap $? "completion: set-limit offers percents and sizes"
[ "$(complete_line "zpoolctl --root $T set-compressor f")" = fancyzip ]
tap $? "completion: compressors from /proc/crypto"
[ "$(complete_line 'zpoolctl -o +PO')" = +POOLSIZE ] &&
	[ "$(complete_line 'zpoolctl -o POOLSIZE,ME')" = POOLSIZE,METADATA ] &&
	[ "$(complete_line 'zpoolctl stats 2 -o SIZE,WA')" = SIZE,WASTE ]
tap $? "completion: -o columns, for status and for stats"
run --root "$T" -o FROB
valid=$(sed -n 's/.*valid columns: //p' <<<"$ERR" | tr -d ',')
compl=$(sed -n 's/^[[:space:]]*local pool_cols="\(.*\)"$/\1/p' "$COMPL")
[ -n "$valid" ] && [ "$valid" = "$compl" ]
tap $? "completion: the pool columns are zpoolctl's (${compl:-none found})"
[ "$(complete_line 'zpoolctl --ou' | tr '\n' ' ')" = "--output --output-all " ]
tap $? "completion: options"

# ---- install ----
D=$WORK/destdir
if make -s -C "$TOP/zpoolctl" install DESTDIR="$D" PREFIX=/usr >"$WORK/install.log" 2>&1; then
	[ -x "$D/usr/sbin/zpoolctl" ] && [ -f "$D/usr/share/man/man8/zpoolctl.8" ] &&
		[ -f "$D/usr/share/bash-completion/completions/zpoolctl" ] &&
		"$D/usr/sbin/zpoolctl" --version >/dev/null
else
	sed 's/^/# /' "$WORK/install.log"
	false
fi
tap $? "make install honours DESTDIR and PREFIX: sbin, man8, bash-completion"
