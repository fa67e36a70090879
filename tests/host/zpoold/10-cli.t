# SPDX-License-Identifier: GPL-2.0
# zpoold's command line: help, version, and every bad argument refused with
# exit 2, one line saying what was wrong and what is accepted.

zrun --help
tap $( { [ "$RC" = 0 ] && grep -q -- '--check-config' <<<"$OUT" && grep -q -- '--root DIR' <<<"$OUT"; }; echo $?) "--help lists the options"
zrun --version
tap $( { [ "$RC" = 0 ] && grep -qE '^zpoold [0-9]+\.[0-9]+\.[0-9]+$' <<<"$OUT"; }; echo $?) "--version"
for args in "--bogus|unknown option '--bogus'" \
	"extra|unexpected argument 'extra': zpoold takes options only" \
	"--config|--config needs an argument" \
	"--root /nonexistent/dir|--root: '/nonexistent/dir' is not a directory" \
	"--cycles 0|--cycles: invalid value '0': expected an integer 1..1000000" \
	"--cycles x|--cycles: invalid value 'x': expected an integer 1..1000000" \
	"--cycles 1000001|--cycles: invalid value '1000001'"; do
	a=${args%%|*} want=${args#*|}
	# shellcheck disable=SC2086
	zrun $a
	tap $( { [ "$RC" = 2 ] && [ -z "$OUT" ] && [ "$(wc -l <<<"$ERR")" = 1 ] &&
		grep -qF -- "zpoold: $want" <<<"$ERR" && no_sanitizer_report; }; echo $?) \
		"zpoold $a: exit 2, '$want'"
done
