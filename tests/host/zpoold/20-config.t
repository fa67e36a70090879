# SPDX-License-Identifier: GPL-2.0
# The configuration: the shipped files are valid, and every kind of bad
# input is refused by --check-config (and at start) with exit 2, the key's
# JSON path, the reason and what is accepted.  Every key of the parser's
# table is documented in zpoold.json(5) and README.md.

for f in "$TOP"/configs/zpoold.json "$TOP"/configs/profiles/*.json; do
	zrun --check-config --config "$f"
	tap $( { [ "$RC" = 0 ] && [ "$OUT" = "$f: the configuration is valid" ] && no_sanitizer_report; }; echo $?) \
		"--check-config accepts ${f#"$TOP"/}"
done
c=$(cfg empty '{}')
zrun --check-config --config "$c"
tap $( { [ "$RC" = 0 ]; }; echo $?) "an empty object is valid: every key has a default"

# bad CONFIG-JSON EXPECTED-STDERR-SUBSTRING: refused with exit 2
bad() {
	local c
	c=$(cfg bad "$1")
	zrun --check-config --config "$c"
	tap $( { [ "$RC" = 2 ] && [ -z "$OUT" ] && grep -qF -- "zpoold: $c: $2" <<<"$ERR" && no_sanitizer_report; }; echo $?) \
		"refused: $1 -> $2"
	[ "$RC" = 2 ] && grep -qF -- "$2" <<<"$ERR" || echo "#   rc=$RC err=$ERR"
}

# syntax
bad '{ "interval_ms": 100,' "invalid JSON: the text ends inside a value; expected one JSON object"
bad '{ "interval_ms": 100 } }' "invalid JSON at line 1, column 24: unexpected character; expected one JSON object"
bad '{ "interval_ms": 01 }' "invalid JSON at line 1"
bad $'{\n  "a": 1,\n  oops\n}' "invalid JSON at line 3"
bad '[1, 2]' "the top level is an array: expected a JSON object"
bad '"x"' "the top level is a string: expected a JSON object"
# unknown keys, at every level, with what is accepted
bad '{ "intervall_ms": 100 }' "intervall_ms: unknown key; accepted at the top level: interval_ms, log_level, dry_run, metrics, writeback, limit, compaction, zswap, backend, bpf"
bad '{ "metrics": { "port": 9436 } }' "metrics.port: unknown key; accepted in metrics: enabled, listen, max_connections, max_connections_per_address, timeout_s, request_deadline_s, max_request_bytes, classes"
bad '{ "writeback": { "high": 90 } }' "writeback.high: unknown key; accepted in writeback: enabled, high_watermark_percent, low_watermark_percent, max_pages_per_cycle"
bad '{ "limit": { "max": 30 } }' "limit.max: unknown key; accepted in limit: enabled, min_percent, max_percent"
bad '{ "compaction": { "threshold": 1 } }' "compaction.threshold: unknown key; accepted in compaction: enabled"
bad '{ "backend": { "type": "zbud" } }' "backend.type: unknown key; accepted in backend: policy, fixed"
bad '{ "bpf": { "maps": 1 } }' "bpf.maps: unknown key; accepted in bpf: enabled"
# sections of the wrong type
bad '{ "metrics": true }' "metrics: expected an object with keys enabled, listen"
bad '{ "writeback": [1] }' "writeback: expected an object with keys enabled"
# types
bad '{ "interval_ms": "100" }' 'interval_ms: expected an integer 100..60000 (milliseconds), got a string "100"'
bad '{ "interval_ms": 1.5 }' "interval_ms: expected an integer 100..60000 (milliseconds), got a fractional number 1.5"
bad '{ "dry_run": 1 }' "dry_run: expected true or false, got an integer 1"
bad '{ "metrics": { "enabled": "yes" } }' 'metrics.enabled: expected true or false, got a string "yes"'
bad '{ "limit": { "raise_psi_some_avg10": "high" } }' 'limit.raise_psi_some_avg10: expected a number 0..100 (percent), got a string "high"'
bad '{ "log_level": 3 }' 'log_level: expected one of "error", "warning", "info", "debug", got an integer 3'
bad '{ "metrics": { "listen": 9436 } }' 'metrics.listen: expected a string "ADDRESS:PORT"'
bad '{ "writeback": { "enabled": null } }' "writeback.enabled: expected true or false, got null"
# ranges
bad '{ "interval_ms": 99 }' "interval_ms: 99 is out of range: expected an integer 100..60000 (milliseconds)"
bad '{ "interval_ms": 60001 }' "interval_ms: 60001 is out of range"
bad '{ "interval_ms": -1 }' "interval_ms: -1 is out of range"
bad '{ "interval_ms": 99999999999999999999999 }' "interval_ms: "
bad '{ "writeback": { "high_watermark_percent": 101 } }' "writeback.high_watermark_percent: 101 is out of range: expected an integer 1..100 (percent of zswap's limit)"
bad '{ "writeback": { "high_watermark_percent": 0 } }' "writeback.high_watermark_percent: 0 is out of range"
bad '{ "writeback": { "max_pages_per_cycle": 262145 } }' "writeback.max_pages_per_cycle: 262145 is out of range: expected an integer 1..262144 (pages)"
bad '{ "metrics": { "max_connections": 0 } }' "metrics.max_connections: 0 is out of range: expected an integer 1..1024 (connections)"
bad '{ "metrics": { "timeout_s": 301 } }' "metrics.timeout_s: 301 is out of range: expected an integer 1..300 (seconds)"
bad '{ "metrics": { "max_request_bytes": 100 } }' "metrics.max_request_bytes: 100 is out of range: expected an integer 1024..65536 (bytes)"
bad '{ "limit": { "min_percent": 0 } }' "limit.min_percent: 0 is out of range: expected an integer 1..100 (percent of MemTotal)"
bad '{ "limit": { "step_percent": 51 } }' "limit.step_percent: 51 is out of range"
bad '{ "limit": { "raise_psi_some_avg10": 100.5 } }' "limit.raise_psi_some_avg10: 100.5 is out of range: expected a number 0..100 (percent)"
bad '{ "limit": { "min_compression_ratio": 0.5 } }' "limit.min_compression_ratio: 0.5 is out of range: expected a number 1..64 (ratio)"
bad '{ "limit": { "hold_s": 86401 } }' "limit.hold_s: 86401 is out of range"
bad '{ "compaction": { "below_utilisation_percent": 0 } }' "compaction.below_utilisation_percent: 0 is out of range"
bad '{ "compaction": { "min_pool_bytes": -5 } }' "compaction.min_pool_bytes: -5 is out of range: expected an integer 0..1099511627776 (bytes)"
bad '{ "compaction": { "min_interval_s": 90000 } }' "compaction.min_interval_s: 90000 is out of range"
bad '{ "backend": { "zsmalloc_below_object_bytes": 4097 } }' "backend.zsmalloc_below_object_bytes: 4097 is out of range: expected an integer 1..4096 (bytes)"
bad '{ "backend": { "min_interval_s": 604801 } }' "backend.min_interval_s: 604801 is out of range"
bad '{ "backend": { "min_objects": 1.0 } }' "backend.min_objects: expected an integer"
# enums
bad '{ "log_level": "verbose" }' 'log_level: "verbose" is not accepted: expected one of "error", "warning", "info", "debug"'
bad '{ "backend": { "policy": "smart" } }' 'backend.policy: "smart" is not accepted: expected one of "none", "fixed", "auto"'
bad '{ "backend": { "fixed": "z3fold" } }' 'backend.fixed: "z3fold" is not accepted: expected one of "zbud", "zsmalloc"'
# listen addresses
bad '{ "metrics": { "listen": "localhost:9436" } }' 'metrics.listen: "localhost:9436" is not accepted: bad IPv4 address (host names are not resolved)'
bad '{ "metrics": { "listen": "127.0.0.1" } }' 'metrics.listen: "127.0.0.1" is not accepted: no port'
bad '{ "metrics": { "listen": "127.0.0.1:0" } }' 'metrics.listen: "127.0.0.1:0" is not accepted: bad port'
bad '{ "metrics": { "listen": "127.0.0.1:65536" } }' 'metrics.listen: "127.0.0.1:65536" is not accepted: bad port'
bad '{ "metrics": { "listen": "[::1:9436" } }' 'metrics.listen: "[::1:9436" is not accepted: expected ADDRESS:PORT'
bad '{ "metrics": { "listen": "[zz]:9436" } }' 'metrics.listen: "[zz]:9436" is not accepted: bad IPv6 address'
# rules between keys
bad '{ "writeback": { "high_watermark_percent": 80, "low_watermark_percent": 80 } }' "writeback.low_watermark_percent: 80 must be below writeback.high_watermark_percent (80)"
bad '{ "limit": { "min_percent": 30, "max_percent": 20 } }' "limit.max_percent: 20 must be at least limit.min_percent (30)"
bad '{ "limit": { "lower_psi_some_avg10": 10, "raise_psi_some_avg10": 5 } }' "limit.lower_psi_some_avg10: 10 must be below limit.raise_psi_some_avg10 (5): the gap is the hysteresis"
bad '{ "backend": { "zsmalloc_below_object_bytes": 3000, "zbud_above_object_bytes": 2000 } }' "backend.zbud_above_object_bytes: 2000 must be above backend.zsmalloc_below_object_bytes (3000)"

# several problems: each reported, one line each
c=$(cfg multi '{ "interval_ms": 5, "metrics": { "listen": "x", "foo": 1 }, "log_level": "loud" }')
zrun --check-config --config "$c"
tap $( { [ "$RC" = 2 ] && [ "$(wc -l <<<"$ERR")" = 4 ] && grep -q 'interval_ms: 5' <<<"$ERR" &&
	grep -q 'metrics.listen' <<<"$ERR" && grep -q 'metrics.foo: unknown key' <<<"$ERR" &&
	grep -q 'log_level: "loud"' <<<"$ERR"; }; echo $?) "every problem of a file is reported, one line each"

# files
zrun --check-config --config "$WORK/none.json"
tap $( { [ "$RC" = 2 ] && grep -qF "zpoold: $WORK/none.json: cannot read the file: No such file or directory" <<<"$ERR"; }; echo $?) "a missing --config file is refused"
printf '{"a":1}\0' >"$WORK/nul.json"
zrun --check-config --config "$WORK/nul.json"
tap $( { [ "$RC" = 2 ] && grep -qF "the file holds a NUL byte" <<<"$ERR"; }; echo $?) "a NUL byte is refused"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$WORK/big.json"
zrun --check-config --config "$WORK/big.json"
tap $( { [ "$RC" = 2 ] && grep -qF "(at most 1 MiB, 1048576 bytes, is accepted)" <<<"$ERR"; }; echo $?) "a file over 1 MiB is refused"
# exactly 1 MiB: {} and white space to 1048576 bytes is accepted, one more refused
{ printf '{}'; head -c $((1048576 - 2)) /dev/zero | tr '\0' ' '; } >"$WORK/mib.json"
zrun --check-config --config "$WORK/mib.json"
tap $( { [ "$RC" = 0 ] && [ "$(stat -c %s "$WORK/mib.json")" = 1048576 ]; }; echo $?) "a file of exactly 1 MiB (1048576 bytes) is accepted"
printf ' ' >>"$WORK/mib.json"
zrun --check-config --config "$WORK/mib.json"
tap $( { [ "$RC" = 2 ] && [ "$(stat -c %s "$WORK/mib.json")" = 1048577 ] && grep -qF "cannot read the file: File too large (at most 1 MiB, 1048576 bytes, is accepted)" <<<"$ERR"; }; echo $?) \
	"a file of 1048577 bytes is refused: 'File too large (at most 1 MiB, 1048576 bytes, is accepted)'"
# a BOM, an empty file, white space only, top-level null and scalars
printf '\xef\xbb\xbf{}\n' >"$WORK/bom.json"
zrun --check-config --config "$WORK/bom.json"
tap $( { [ "$RC" = 2 ] && grep -qF "the file starts with a UTF-8 byte order mark (bytes EF BB BF), which JSON text does not have: expected a JSON object; save the file as UTF-8 without a BOM" <<<"$ERR"; }; echo $?) "a UTF-8 BOM is named as such"
: >"$WORK/empty.json"
zrun --check-config --config "$WORK/empty.json"
tap $( { [ "$RC" = 2 ] && grep -qF "the file is empty: expected a JSON object such as {" <<<"$ERR"; }; echo $?) "an empty file: 'the file is empty: expected a JSON object'"
printf ' \n\t\n' >"$WORK/ws.json"
zrun --check-config --config "$WORK/ws.json"
tap $( { [ "$RC" = 2 ] && grep -qF "the file is empty (white space only): expected a JSON object" <<<"$ERR"; }; echo $?) "white space only: said so"
for v in null 'null ' '42' '"x"' 'true' '[]'; do
	printf '%s' "$v" >"$WORK/top.json"
	zrun --check-config --config "$WORK/top.json"
	case $v in null*) w=null ;; 42) w='an integer' ;; '"x"') w='a string' ;; true) w='a boolean' ;; *) w='an array' ;; esac
	tap $( { [ "$RC" = 2 ] && [ "$(wc -l <<<"$ERR")" = 1 ] && grep -qF "the top level is $w: expected a JSON object such as" <<<"$ERR"; }; echo $?) \
		"top level '$v': 'the top level is $w: expected a JSON object'"
done
# duplicate keys: refused with the key's path and where it repeats
printf '{\n  "interval_ms": 100,\n  "metrics": { "listen": "127.0.0.1:1", "listen": "127.0.0.1:2" },\n  "interval_ms": 200\n}\n' >"$WORK/dup.json"
zrun --check-config --config "$WORK/dup.json"
tap $( { [ "$RC" = 2 ] && [ "$(wc -l <<<"$ERR")" = 2 ] &&
	grep -qF "metrics.listen: the key appears more than once in its object (again at line 3, column 41); each key is accepted once" <<<"$ERR" &&
	grep -qF "interval_ms: the key appears more than once in its object (again at line 4, column 3)" <<<"$ERR"; }; echo $?) \
	"duplicate keys refused with their paths and positions"
printf '{ "metrics": { "enabled": true }, "metrics": { "enabled": true } }' >"$WORK/dup2.json"
zrun --check-config --config "$WORK/dup2.json"
tap $( { [ "$RC" = 2 ] && grep -qF "metrics: the key appears more than once" <<<"$ERR"; }; echo $?) "a duplicate section refused"
printf '{ "log_level": "info", "log\\u005flevel": "debug" }' >"$WORK/dup3.json"
zrun --check-config --config "$WORK/dup3.json"
tap $( { [ "$RC" = 2 ] && grep -qF "log_level: the key appears more than once" <<<"$ERR"; }; echo $?) "a duplicate spelt with an escape is found (keys compared as json-c decodes them)"
printf '{ "metrics": { "enabled": true }, "writeback": { "enabled": true } }' >"$WORK/nodup.json"
zrun --check-config --config "$WORK/nodup.json"
tap $( [ "$RC" = 0 ]; echo $?) "equal keys in different sections are not duplicates"
# relative --config and --root are resolved at start (zpoold detaches into /)
mkdir -p "$WORK/rel"
printf '{}' >"$WORK/rel/z.json"
(cd "$WORK/rel" && "$ZPOOLD" --check-config --config z.json >"$WORK/run.out" 2>"$WORK/run.err"); RC=$?
OUT=$(<"$WORK/run.out"); ERR=$(<"$WORK/run.err")
tap $( { [ "$RC" = 0 ] && grep -qF "$WORK/rel/z.json: the configuration is valid" <<<"$OUT"; }; echo $?) "a relative --config is resolved to an absolute path"
(cd "$WORK/rel" && "$ZPOOLD" --check-config --config nothere.json >"$WORK/run.out" 2>"$WORK/run.err"); RC=$?
ERR=$(<"$WORK/run.err")
tap $( { [ "$RC" = 2 ] && grep -qF "zpoold: nothere.json: cannot read the file: No such file or directory" <<<"$ERR"; }; echo $?) "a relative --config that does not exist: said at once"
zrun --check-config --config "$WORK"
tap $( { [ "$RC" = 2 ] && grep -qF "cannot read the file: Is a directory" <<<"$ERR"; }; echo $?) "a directory is refused"

# a bad config stops the daemon at start, before anything is touched
t=$(newtree)
before=$(snapshot "$t")
c=$(cfg startbad '{ "writeback": { "low_watermark_percent": 95 } }')
zrun --foreground --no-bpf --root "$t" --config "$c" --cycles 1
tap $( { [ "$RC" = 2 ] && grep -qF "writeback.low_watermark_percent: 95 must be below" <<<"$ERR" &&
	[ "$before" = "$(snapshot "$t")" ]; }; echo $?) "zpoold refuses to start on a bad config, exit 2, nothing written"

# documentation: every key of the parser is in zpoold.json(5) and README.md
keys=$(grep -oE '^	\{ "[a-z0-9_.]+", K_[A-Z]+' "$TOP/daemon/config.c" | grep -v K_SECTION | sed -E 's/^	\{ "([a-z0-9_.]+)".*/\1/')
nk=$(wc -l <<<"$keys")
missing=
for k in $keys; do
	grep -qF "$k" "$TOP/daemon/zpoold.json.5" || missing="$missing man:$k"
	grep -qF "\`$k\`" "$TOP/README.md" || missing="$missing README:$k"
done
tap $( [ -z "$missing" ] && [ "$nk" -ge 30 ]; echo $?) "all $nk keys documented in zpoold.json.5 and README.md${missing:+ (missing:$missing)}"
# and the defaults of the man page are those of configs/zpoold.json, key by key
