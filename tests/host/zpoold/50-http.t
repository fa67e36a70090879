# SPDX-License-Identifier: GPL-2.0
# The HTTP endpoint: GET and HEAD /metrics and /healthz only, 404 and 405
# (with Allow: GET, HEAD) otherwise, a request body refused, oversized requests
# refused, bounded connections, idle connections closed, and zpoold still
# serving after all of it.  A bad listen address stops zpoold at start.

t=$(newtree)
if MX='"max_connections": 4, "timeout_s": 2, "max_request_bytes": 2048' start_daemon "$t" '"interval_ms": 200'; then
	U=http://127.0.0.1:$PORT
	get "$U/healthz"
	tap $( { [ "$CODE" = 200 ] && [ "$OUT" = ok ]; }; echo $?) "GET /healthz: 200 ok"
	get "$U/nothing"
	tap $( { [ "$CODE" = 404 ] && grep -q 'zpoold serves GET /metrics and GET /healthz' <<<"$OUT"; }; echo $?) \
		"GET /nothing: 404, saying what is served"
	get "$U/"
	tap $( [ "$CODE" = 404 ]; echo $?) "GET /: 404"
	get "$U/metrics/"
	tap $( [ "$CODE" = 404 ]; echo $?) "GET /metrics/: 404"
	for m in POST PUT DELETE OPTIONS PATCH; do
		get -X $m "$U/metrics"
		tap $( { [ "$CODE" = 405 ] && grep -qi '^Allow: GET, HEAD' <<<"$HDRS"; }; echo $?) \
			"$m /metrics: 405 with Allow: GET, HEAD"
	done
	for p in metrics healthz; do
		printf 'HEAD /%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' $p |
			timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat >&3; cat <&3" >"$WORK/head" 2>/dev/null
		body=$(sed '1,/^\r$/d' "$WORK/head" | wc -c)
		tap $( { head -1 "$WORK/head" | grep -q '^HTTP/1.1 200' && grep -qi '^Content-Type: text/plain' "$WORK/head" &&
			grep -qi '^Content-Length: [1-9]' "$WORK/head" && [ "$body" = 0 ]; }; echo $?) \
			"HEAD /$p: 200, the headers (Content-Length of the GET) without a body ($body bytes after the headers)"
	done
	get -X POST "$U/healthz"
	tap $( [ "$CODE" = 405 ]; echo $?) "POST /healthz: 405"
	get -X GET --data 'x=1' "$U/metrics"
	tap $( { [ "$CODE" = 413 ] && grep -q 'a GET request has no body' <<<"$OUT"; }; echo $?) "GET with a body: 413"
	big=$(head -c 4096 /dev/zero | tr '\0' a)
	get -H "X-Big: $big" "$U/metrics"
	tap $( [ "$CODE" = 431 ] || [ "$CODE" = 413 ] || [ "$CODE" = 414 ]; echo $?) \
		"headers over metrics.max_request_bytes: refused ($CODE)"
	get "$U/metrics?$big"
	tap $( [ "$CODE" -ge 400 ] && [ "$CODE" -lt 500 ]; echo $?) "a URL over metrics.max_request_bytes: refused ($CODE)"
	# malformed requests and an idle connection: closed by the server
	r=$(printf 'BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat >&3; cat <&3" 2>/dev/null | head -1)
	tap $(grep -q '^HTTP/1.1 405' <<<"$r"; echo $?) "an unknown method: 405 ($(tr -d '\r' <<<"$r"))"
	r=$(printf 'GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat >&3; cat <&3" 2>/dev/null | head -1)
	tap $(grep -q '^HTTP/1.1 505' <<<"$r"; echo $?) "an unknown HTTP version: 505 ($(tr -d '\r' <<<"$r"))"
	s=$(date +%s%N)
	timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat <&3" >/dev/null 2>&1
	rc=$? e=$(( ($(date +%s%N) - s) / 1000000 ))
	tap $( [ "$rc" = 0 ] && [ "$e" -lt 5000 ]; echo $?) "an idle connection is closed after metrics.timeout_s (${e} ms, timeout_s 2)"
	# more connections than max_connections: the extra ones wait (not
	# served) until the idle ones are closed after timeout_s
	pids=
	for i in 1 2 3 4 5 6; do
		timeout 4 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; sleep 3" 2>/dev/null &
		pids="$pids $!"
	done
	sleep 0.3
	get --max-time 1 "$U/healthz"
	over=$CODE
	wait $pids 2>/dev/null
	get "$U/healthz"
	tap $( { [ "$over" != 200 ] && [ "$CODE" = 200 ]; }; echo $?) \
		"over metrics.max_connections: not served (got '$over'); served again once the idle ones are closed"
	get "$U/metrics"
	tap $( { [ "$CODE" = 200 ] && kill -0 "$DPID"; }; echo $?) "after all of this zpoold still serves /metrics"
	stop_checked "and stops cleanly"
else
	not_started
fi

# port in use: zpoold says so and exits 1
t=$(newtree)
if start_daemon "$t" '"interval_ms": 200'; then
	c=$(cfg clash "{ \"metrics\": { \"listen\": \"127.0.0.1:$PORT\" } }")
	zrun --foreground --no-bpf --root "$t" --config "$c" --cycles 1
	tap $( { [ "$RC" = 1 ] && grep -q "error: cannot listen on 127.0.0.1:$PORT" <<<"$ERR"; }; echo $?) \
		"listen address in use: exit 1, 'cannot listen on 127.0.0.1:$PORT'"
	tap $( { grep -q "cannot bind to address 127.0.0.1 port $PORT: Address already in use" <<<"$ERR" && ! grep -q 'port 0' <<<"$ERR"; }; echo $?) \
		"and it names the real address and port and the reason, not 'port 0'"
	stop_daemon
else
	tap 1 "zpoold did not start"
fi
# IPv6 loopback, when the host has it
if [ -e /proc/net/if_inet6 ] && grep -q '^0*1 ' /proc/net/if_inet6; then
	p6=$(( 20000 + RANDOM % 40000 ))
	c=$(cfg v6 "{ \"metrics\": { \"listen\": \"[::1]:$p6\" } }")
	"$ZPOOLD" --foreground --no-bpf --root "$t" --config "$c" 2>"$WORK/v6.log" &
	v6pid=$!
	wait_for curl -sf -g "http://[::1]:$p6/healthz" -o /dev/null
	get -g "http://[::1]:$p6/metrics"
	kill -TERM $v6pid
	wait $v6pid
	tap $( [ "$CODE" = 200 ]; echo $?) "metrics.listen \"[::1]:PORT\": served over IPv6"
else
	skip "no IPv6 loopback on this host"
fi
# metrics disabled: nothing listens, the policy still runs
c=$(cfg nometrics '{ "metrics": { "enabled": false }, "interval_ms": 100 }')
zrun --foreground --no-bpf --root "$t" --config "$c" --cycles 2
tap $( { [ "$RC" = 0 ] && grep -q 'metrics off' <<<"$ERR" && no_sanitizer_report; }; echo $?) \
	"metrics.enabled false: runs its cycles without an endpoint"
