# SPDX-License-Identifier: GPL-2.0
# The HTTP endpoint cannot be starved: sixteen clients dripping a header
# line every 4 s (from 127.0.0.1) while /healthz is polled from 127.0.0.2
# (the per-address limit rightly falls on the attacker's own address);
# sixteen keep-alive clients hammering /metrics; metrics.request_deadline_s
# cutting a dripping client that is never idle for metrics.timeout_s; the
# cached exposition (two scrapes within interval_ms render once); and 400
# with the connection closed for requests that are not acceptable HTTP.
# The clients are tests/host/zpoold/httpclients.py.

HC="python3 $TOP/tests/host/zpoold/httpclients.py"
kv() { sed -n "s/^$1=//p" <<<"$OUT"; }
RC=0

# -- the slow-drip attack: defaults but for the deadline (timeout_s 10
# stays above the 4 s between lines, so only the deadline cuts them)
t=$(newtree)
if MX='"request_deadline_s": 5' start_daemon "$t" '"interval_ms": 500'; then
	OUT=$($HC drip "$PORT" 16 22 4)
	polls=$(kv polls) fails=$(kv fails) max=$(kv max_ms) cuts=$(kv cuts) life=$(kv max_life_ms)
	echo "# slow drip, 16 clients, a header line every 4 s, 22 s: /healthz polled $polls times from 127.0.0.2, max latency $max ms, $fails failed; $cuts dripping connections cut by the deadline (longest lived $life ms), $(kv refused) refused by the per-address limit"
	tap $( { [ "$polls" -ge 100 ] && [ "$fails" = 0 ] && [ "$max" -lt 100 ]; }; echo $?) \
		"slow drip: /healthz answered 200 within 100 ms all along (max $max ms over $polls polls)"
	tap $( { [ "$cuts" -ge 8 ] && [ "$life" -ge 4500 ] && [ "$life" -lt 6500 ]; }; echo $?) \
		"slow drip: the dripping connections are cut at metrics.request_deadline_s 5 (longest $life ms, $cuts cut)"
	tap $( [ "$(kv refused)" -ge 8 ]; echo $?) \
		"slow drip: one address gets at most metrics.max_connections_per_address (8) connections ($(kv refused) refused)"
	get "http://127.0.0.1:$PORT/metrics"
	tap $( { [ "$CODE" = 200 ] && kill -0 "$DPID"; }; echo $?) "after the attack /metrics is served from 127.0.0.1 again"
	stop_checked
else
	not_started
fi

# -- sixteen keep-alive clients, each scraping every 20 ms on its own
# connection (320 scrapes/s; back to back they would only measure how the
# CPU is shared on a small machine); 40 pools
t=$(newtree)
for i in $(seq 3 40); do mkpool "$t" "$i" zsmalloc "pool$i"; done
if MX='"max_connections_per_address": 32' start_daemon "$t" '"interval_ms": 1000'; then
	OUT=$($HC keepalive "$PORT" 16 10 0.02)
	polls=$(kv polls) fails=$(kv fails) max=$(kv max_ms) n=$(kv scrapes)
	echo "# keep-alive, 16 clients scraping /metrics every 20 ms for 10 s: $n scrapes; /healthz polled $polls times, max latency $max ms, $fails failed"
	# the bound is looser than the drip's 100 ms: here 16 clients and 16
	# connection threads of the ASan build share the host's CPUs with the
	# prober (before the fix /healthz got no answer at all: the 16
	# connections held every slot)
	tap $( { [ "$polls" -ge 50 ] && [ "$fails" = 0 ] && [ "$max" -lt 250 ] && [ "$n" -ge 100 ]; }; echo $?) \
		"16 keep-alive clients: /healthz within 250 ms all along (max $max ms), $n scrapes served"
	get "http://127.0.0.1:$PORT/metrics"
	r=$(sed -n 's/^zpoolx_daemon_metrics_renders_total //p' <<<"$OUT")
	tap $( [ -n "$r" ] && [ "$r" -le 14 ]; echo $?) \
		"$n scrapes in 10 s with interval_ms 1000 cost $r renders (at most one per interval)"
	stop_checked
else
	not_started
fi

# -- the deadline, the cache and 400s
t=$(newtree)
if MX='"request_deadline_s": 2, "timeout_s": 10' start_daemon "$t" '"interval_ms": 3000'; then
	U=http://127.0.0.1:$PORT
	OUT=$($HC drip "$PORT" 1 4 0.5)
	life=$(kv max_life_ms)
	tap $( { [ "$(kv cuts)" -ge 1 ] && [ "$life" -ge 1900 ] && [ "$life" -lt 3000 ]; }; echo $?) \
		"a client sending a header line every 0.5 s is cut at metrics.request_deadline_s 2 ($life ms), though never idle for timeout_s 10"
	# a kept-alive connection: the deadline runs again from the response
	s=$(date +%s%N)
	curl -s -o /dev/null "$U/healthz" --next -s -o /dev/null "$U/healthz"
	e=$(( ($(date +%s%N) - s) / 1000000 ))
	tap $( [ "$e" -lt 1000 ]; echo $?) "two requests on one kept-alive connection: both answered (${e} ms)"

	# the cache: two scrapes within interval_ms render once
	sleep 3.1
	get "$U/metrics"; a=$(sed -n 's/^zpoolx_daemon_metrics_renders_total //p' <<<"$OUT"); body1=$OUT
	get "$U/metrics"; b=$(sed -n 's/^zpoolx_daemon_metrics_renders_total //p' <<<"$OUT")
	tap $( { [ -n "$a" ] && [ "$a" = "$b" ] && [ "$body1" = "$OUT" ]; }; echo $?) \
		"two scrapes within interval_ms: one render, the same text (renders_total $a, $b)"
	sleep 3.1
	get "$U/metrics"; c=$(sed -n 's/^zpoolx_daemon_metrics_renders_total //p' <<<"$OUT")
	tap $( [ "$c" = $((a + 1)) ]; echo $?) "a scrape after interval_ms renders again (renders_total $a -> $c)"
	# concurrent scrapes of a stale cache: one render
	sleep 3.1
	cpids=
	for i in 1 2 3 4 5 6; do curl -s -o "$WORK/c$i" "$U/metrics" & cpids="$cpids $!"; done
	wait $cpids
	d=$(sed -n 's/^zpoolx_daemon_metrics_renders_total //p' "$WORK/c1")
	same=0
	for i in 2 3 4 5 6; do cmp -s "$WORK/c1" "$WORK/c$i" || same=1; done
	tap $( { [ "$d" = $((c + 1)) ] && [ $same = 0 ]; }; echo $?) \
		"six concurrent scrapes of a stale cache: one render, the same text (renders_total $c -> $d)"
	promtool check metrics <"$WORK/c1" >"$WORK/pc" 2>&1
	tap $? "the exposition with zpoolx_daemon_metrics_renders_total passes promtool check metrics"

	# 400, and the connection closed
	bad400() { # DESC PRINTF-FORMAT
		local hex
		hex=$(printf "$2" | od -An -tx1 | tr -d ' \n')
		OUT=$($HC raw "$PORT" "$hex")
		tap $( { grep -q '^status=HTTP/1.1 400' <<<"$OUT" && grep -q '^conn=closed' <<<"$OUT"; }; echo $?) \
			"$1: 400 and the connection closed ($(tr '\n' ' ' <<<"$OUT"))"
	}
	bad400 "HTTP/1.1 without Host" 'GET /metrics HTTP/1.1\r\n\r\n'
	bad400 "two equal Content-Length headers" 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n'
	bad400 "two conflicting Content-Length headers" 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\nhello'
	bad400 "a method that is not a token (TLS bytes)" '\x16\x03\x01\x02 /metrics HTTP/1.1\r\nHost: x\r\n\r\n'
	bad400 "words that are not HTTP" 'hello there, zpoold\r\n\r\n'
	bad400 "a header line without a colon" 'GET /metrics HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n'
	# HTTP/1.0 needs no Host
	OUT=$($HC raw "$PORT" "$(printf 'GET /healthz HTTP/1.0\r\n\r\n' | od -An -tx1 | tr -d ' \n')")
	tap $(grep -q '^status=HTTP/1.1 200' <<<"$OUT"; echo $?) "HTTP/1.0 without Host: 200"
	get "$U/healthz"
	tap $( { [ "$CODE" = 200 ] && kill -0 "$DPID"; }; echo $?) "zpoold still serves after all of it"
	stop_checked "and stops cleanly"
else
	not_started
fi
