# SPDX-License-Identifier: GPL-2.0
# Inputs: strings from sysfs that are not UTF-8 (replaced with U+FFFD where
# lib/ reads them, so zpoold's exposition passes promtool and zpoolctl's
# --json is valid JSON), label values with \ and " escaped, a malformed
# sysfs file warned about once per change, and relative --config, --root
# and --record resolved before zpoold detaches into /.

# -- a pool name with an invalid UTF-8 byte, another with \ and "
t=$(newtree)
printf 'bad\xffname\xc3' >"$t/sys/kernel/zpoolx/pools/1/name"
printf 'a"b\\c' >"$t/sys/kernel/zpoolx/pools/2/name"
c=$(cfg utf '{ "metrics": { "enabled": false }, "interval_ms": 100 }')
zrun --foreground --no-bpf --root "$t" --config "$c" --cycles 1 --metrics-file "$WORK/utf.prom"
promtool check metrics <"$WORK/utf.prom" >"$WORK/pc" 2>&1
pc=$?
tap $( { [ "$RC" = 0 ] && [ $pc = 0 ]; }; echo $?) \
	"a pool name with bytes that are not UTF-8: the exposition passes promtool check metrics$(sed 's/^/; /' "$WORK/pc" | tr -d '\n' | head -c 200)"
tap $(grep -qF "name=\"bad$(printf '\xef\xbf\xbd')name$(printf '\xef\xbf\xbd')\"" "$WORK/utf.prom"; echo $?) \
	"each invalid byte is U+FFFD in the label: $(grep -o 'name="bad[^"]*"' "$WORK/utf.prom" | head -1)"
tap $(grep -qF 'name="a\"b\\c"' "$WORK/utf.prom"; echo $?) \
	"backslash and double quote are escaped in label values: $(grep -o 'name="a[^,}]*' "$WORK/utf.prom" | head -1)"
python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8", "strict")' <"$WORK/utf.prom"
tap $? "the whole exposition is valid UTF-8"
"${ZPOOLCTL:-$TOP/zpoolctl/zpoolctl-asan}" --root "$t" --json status >"$WORK/utf.json" 2>"$WORK/utf.err"
zrc=$?
names=$(python3 -c '
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "name" and isinstance(v, str) and v.startswith(("bad", "a")):
                print(v)
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(d)' "$WORK/utf.json" 2>&1)
prc=$?
tap $( { [ $zrc = 0 ] && [ $prc = 0 ] && grep -qxF "bad$(printf '\xef\xbf\xbd')name$(printf '\xef\xbf\xbd')" <<<"$names" && grep -qxF 'a"b\c' <<<"$names"; }; echo $?) \
	"zpoolctl --json status: valid UTF-8 JSON, the names read back as bad\\uFFFDname\\uFFFD and a\"b\\c ($(tr '\n' ' ' <<<"$names"))"
jq -e . "$WORK/utf.json" >/dev/null 2>&1
tap $? "and jq accepts it"

# -- a malformed sysfs file: warned once per change, not every cycle/scrape
t=$(newtree)
w "$t/sys/kernel/zpoolx/pools/1/pages" garbage
if start_daemon "$t" '"interval_ms": 100'; then
	U=http://127.0.0.1:$PORT
	for i in $(seq 10); do curl -s -o /dev/null "$U/metrics"; sleep 0.2; done
	n1=$(grep -c "pools/1/pages: unexpected content 'garbage'" "$DLOG")
	tap $( [ "$n1" = 1 ]; echo $?) "a malformed file over ~20 cycles and 10 scrapes: warned once ($n1 lines)"
	w "$t/sys/kernel/zpoolx/pools/1/pages" rubbish
	sleep 1
	n2=$(grep -c "pools/1/pages: unexpected content 'rubbish'" "$DLOG")
	tap $( [ "$n2" = 1 ]; echo $?) "its text changes: warned once more ($n2 lines for the new text)"
	w "$t/sys/kernel/zpoolx/pools/1/pages" 1000
	sleep 1
	w "$t/sys/kernel/zpoolx/pools/1/pages" garbage
	sleep 1
	n3=$(grep -c "pools/1/pages: unexpected content 'garbage'" "$DLOG")
	tap $( [ "$n3" = 2 ]; echo $?) "recovered, then broken again: warned again ($n3 lines for 'garbage' in all)"
	total=$(grep -c 'warning:' "$DLOG")
	tap $( [ "$total" = 3 ]; echo $?) "three warnings in all over ~4 s of cycles every 100 ms ($total)"
	stop_checked
else
	not_started
fi

# -- relative --config, --root and --record, detached (zpoold chdirs to /)
t=$(newtree)
mkdir -p "$WORK/relrun"
cp -a "$t" "$WORK/relrun/tree"
for try in 1 2 3 4 5; do
	p=$(( 20000 + RANDOM % 40000 ))
	printf '{ "interval_ms": 100, "metrics": { "listen": "127.0.0.1:%s" } }\n' $p >"$WORK/relrun/z.json"
	(cd "$WORK/relrun" && "$ZPOOLD" --no-bpf --log stderr --root tree --config z.json --record rec.jsonl >"$WORK/run.out" 2>"$WORK/run.err")
	RC=$?
	ERR=$(<"$WORK/run.err")
	grep -q 'cannot listen' <<<"$ERR" || break
done
pid=
for d in /proc/[0-9]*; do
	if tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -qF -- "--root tree --config z.json --record rec.jsonl"; then pid=${d#/proc/}; fi
done
sleep 0.5
rm -f "$WORK/body"
get "http://127.0.0.1:$p/metrics"
tap $( { [ "$RC" = 0 ] && [ -n "$pid" ] && [ "$CODE" = 200 ] && grep -q '^zpoolx_pool_info{pool="1"' <<<"$OUT" &&
	[ "$(grep -c . "$WORK/relrun/rec.jsonl" 2>/dev/null)" -ge 2 ] && [ ! -e /rec.jsonl ]; }; echo $?) \
	"relative --root, --config and --record work once detached: the pools of ./tree are served, ./rec.jsonl grows"
if [ -n "$pid" ]; then
	kill -HUP "$pid"
	sleep 0.5
	get "http://127.0.0.1:$p/metrics"
	tap $(grep -q '^zpoolx_daemon_config_reloads_total{result="ok"} 1' <<<"$OUT"; echo $?) \
		"and SIGHUP reloads the relative --config after the chdir"
	kill -TERM "$pid"
else
	tap 1 "no detached zpoold to reload"
fi
(cd "$WORK/relrun" && "$ZPOOLD" --no-bpf --root nowhere --config z.json >"$WORK/run.out" 2>"$WORK/run.err")
RC=$? ERR=$(<"$WORK/run.err")
tap $( { [ "$RC" = 2 ] && grep -qF -- "--root: 'nowhere' is not a directory" <<<"$ERR"; }; echo $?) \
	"a relative --root that does not exist: refused at once"
(cd "$WORK/relrun" && "$ZPOOLD" --no-bpf --root tree --config z.json --record nodir/rec.jsonl >"$WORK/run.out" 2>"$WORK/run.err")
RC=$? ERR=$(<"$WORK/run.err")
tap $( { [ "$RC" = 2 ] && grep -qF -- "--record: cannot open nodir/rec.jsonl: No such file or directory" <<<"$ERR"; }; echo $?) \
	"a relative --record in a missing directory: refused at once"
