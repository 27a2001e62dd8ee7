#!/bin/sh
# HTTP/1.1 server behaviour, seen from the wire: keep-alive, pipelining,
# chunked bodies, 100-continue, HEAD, every limit and timeout.
. "$(dirname "$0")/lib/tap.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"

start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-cache-max-object-size 1MB \
    --config-runtime-header-timeout 1s \
    --config-runtime-idle-timeout 2s \
    --config-runtime-body-timeout 1s
ok $? "fabrik daemon starts"
P=$d_port_http
U=http://127.0.0.1:$P/cache
K1=0123456789abcdef0123456789abcdef
K2=fedcba9876543210fedcba9876543210

raw() {
	"$HELPER" raw "$P" "$@"
}
status_lines() {
	tr -d '\r' | grep -a '^HTTP/1.1 ' | cut -d' ' -f2 | tr '\n' ' '
}

# Misses and plain round trips.
out=$(curl -s -D - -o /dev/null "$U/$K1" | tr -d '\r')
echo "$out" | grep -q '^HTTP/1.1 404' && echo "$out" | grep -q '^Content-Length: 0'
ok $? "GET miss is 404 with Content-Length: 0"
head -c 200000 /dev/urandom >"$TRASH/blob"
code=$(curl -s -o /dev/null -w '%{http_code}' -T "$TRASH/blob" "$U/$K1")
is "$code" 200 "PUT stores"
curl -s "$U/$K1" -o "$TRASH/back"
cmp -s "$TRASH/blob" "$TRASH/back"
ok $? "GET returns the same bytes"
out=$(curl -s -I "$U/$K1" | tr -d '\r')
echo "$out" | grep -q '^Content-Length: 200000'
ok $? "HEAD gives the length without a body"

# Chunked upload (no Content-Length).
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
    -T "$TRASH/blob" "$U/$K2")
is "$code" 200 "chunked PUT stores"
curl -s "$U/$K2" | cmp -s - "$TRASH/blob"
ok $? "chunked upload reads back byte-exact"

# Keep-alive and pipelining: three requests in one write.
echo "text body" >"$TRASH/text"
curl -s -o /dev/null -T "$TRASH/text" "$U/aa11"
got=$(printf 'GET /cache/%s HTTP/1.1\r\nHost: x\r\n\r\nHEAD /cache/%s HTTP/1.1\r\nHost: x\r\n\r\nGET /cache/aaaa HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' \
    aa11 aa11 | raw | status_lines)
is "$got" "200 200 404 " "pipelined requests answered in order"

# A body read after its head, with the next request right behind it in
# the same packet: the pipelined request must survive the body buffer.
printf 'PUT /cache/bb11 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n' \
    >"$TRASH/pipe"
hlen=$(wc -c <"$TRASH/pipe")
printf 'helloGET /cache/bb11 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' \
    >>"$TRASH/pipe"
got=$(raw 200 "$hlen" <"$TRASH/pipe" | tr -d '\r' |
    grep -a -e '^HTTP/1.1 ' -e '^hello$' | tr '\n' ' ')
is "$got" "HTTP/1.1 200 OK HTTP/1.1 200 OK hello " \
    "a request pipelined behind a separately read body is answered"

# Byte at a time.
got=$(printf 'GET /cache/aaaa HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
    raw 2 1 | status_lines)
is "$got" "404 " "a request sent one byte at a time is parsed"

# 100-continue: small body continues, too large is refused first.
printf hello >"$TRASH/hello"
got=$(curl -s -D - -o /dev/null -H 'Expect: 100-continue' -T "$TRASH/hello" \
    "$U/abab" | status_lines)
is "$got" "100 200 " "Expect: 100-continue gets 100 then 200"
got=$(printf 'PUT /cache/abab HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n' |
    raw | status_lines)
is "$got" "413 " "a body over max_object_size is refused before it is sent"
head -c 1100000 /dev/zero >"$TRASH/big"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
    -T "$TRASH/big" "$U/cdcd")
is "$code" 413 "a chunked body over the limit gets 413"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/cdcd")
is "$code" 404 "and nothing was stored"
head -c 3000000 /dev/urandom >"$TRASH/big3"
ok=0
for i in 1 2 3 4 5; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Expect:' \
	    -T "$TRASH/big3" "$U/cdcd")
	[ "$code" = 413 ] && ok=$((ok + 1))
done
is "$ok" 5 "a body sent anyway after an early 413 does not turn the answer into a reset"

# Malformed input.
long=$(head -c 20000 /dev/zero | tr '\0' a)
got=$(printf 'GET /cache/aaaa HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n' "$long" |
    raw | status_lines)
is "$got" "431 " "oversized header section gets 431"
got=$(printf 'GET /cache/aaaa HTTP/2.0\r\nHost: x\r\n\r\n' | raw | status_lines)
is "$got" "505 " "unsupported version gets 505"
got=$(printf 'GET /cache/aaaa HTTP/1.1\r\nHost : x\r\n\r\n' | raw | status_lines)
is "$got" "400 " "space before the colon gets 400"
got=$(printf 'PUT /cache/aaaa HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n' |
    raw | status_lines)
is "$got" "400 " "Transfer-Encoding with Content-Length gets 400"
got=$(printf 'PUT /cache/aaaa HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n' |
    raw | status_lines)
is "$got" "501 " "an unknown transfer coding gets 501"
got=$(printf 'PUT /cache/aaaa HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n' |
    raw | status_lines)
is "$got" "400 " "malformed chunk framing gets 400"
got=$(printf 'DELETE /cache/aaaa HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
    raw | status_lines)
is "$got" "405 " "an unsupported method gets 405"
got=$(printf 'GET /cache/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
    raw | status_lines)
is "$got" "400 " "a key with ../ gets 400"
got=$(printf 'GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
    raw | status_lines)
is "$got" "404 " "an unknown endpoint gets 404"

# Timeouts: a slow head gets 408, an idle connection is closed, a stalled
# body is dropped and nothing is stored.
got=$(printf 'GET /cache/aaaa HTTP/1.1\r\nHost: x\r\nX: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n\r\n' |
    raw 100 1 | status_lines)
is "$got" "408 " "a head trickling in past header_timeout gets 408"
got=$("$HELPER" hold "$P" 10)
case $got in "closed "[1-4]) ok 0 "an idle connection is closed ($got s)" ;;
*) ok 1 "an idle connection is closed (got: $got)" ;; esac
got=$(printf 'PUT /cache/efef HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc' |
    raw | status_lines)
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/efef")
is "$code" 404 "a stalled upload is dropped and stores nothing"

# Health and metrics listeners.
out=$("$FABRIK" health --url "http://127.0.0.1:$d_port_health")
ok $? "fabrik health exits 0 for a running daemon"
case $out in *'"status":"healthy"'*'"uptime_seconds":'*'"version":"'*) ok 0 "GET /health has status, uptime_seconds and version" ;;
*) ok 1 "GET /health has status, uptime_seconds and version (got $out)" ;; esac
"$FABRIK" health --url "http://127.0.0.1:1" >/dev/null 2>&1
is $? 1 "fabrik health exits 1 when nothing answers"
m=$(curl -s "http://127.0.0.1:$d_port_metrics/metrics")
for name in fabrik_cache_hits_total fabrik_cache_misses_total \
    fabrik_cache_hit_ratio fabrik_cache_size_bytes fabrik_cache_objects \
    fabrik_cache_evictions_total fabrik_request_duration_seconds_bucket \
    fabrik_bandwidth_bytes_total fabrik_store_integrity_drops_total; do
	echo "$m" | grep -q "^$name"
	ok $? "/metrics exposes $name"
done
echo "$m" | grep -q '^fabrik_tool_requests_total{tool="gradle",result="hit"} [1-9]'
ok $? "/metrics counts gradle hits with a tool label"
curl -s "http://127.0.0.1:$d_port_metrics/api/v1/stats" | grep -q '"total_objects":'
ok $? "/api/v1/stats answers JSON"

kill -0 "$d_pid"
ok $? "fabrik is still running"
stop_fabrik d
ok $? "fabrik exits 0 on SIGTERM"

# The connection bound: with one slot held, a second client waits.
start_fabrik e daemon --config-cache-dir "$TRASH/cache2" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind "" \
    --config-observability-metrics-bind "" \
    --config-runtime-max-concurrent-requests 1 \
    --config-runtime-idle-timeout 2s
ok $? "fabrik with max_concurrent_requests = 1 starts"
"$HELPER" hold "$e_port_http" 5 >/dev/null &
hold_pid=$!
sleep 0.3
code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' \
    "http://127.0.0.1:$e_port_http/cache/aaaa")
is "$code" 000 "a second connection is not served while the slot is taken"
sleep 2.5
code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' \
    "http://127.0.0.1:$e_port_http/cache/aaaa")
is "$code" 404 "it is served once the slot frees"
wait "$hold_pid"
stop_fabrik e

# IPv6, and ":port" listening on both families.
start_fabrik v daemon --config-cache-dir "$TRASH/cache3" \
    --config-daemon-bind '[::1]:0' \
    --config-observability-health-bind ':0' \
    --config-observability-metrics-bind ''
ok $? "fabrik listens on [::1]"
code=$(curl -s -g -o /dev/null -w '%{http_code}' \
    "http://[::1]:$v_port_http/cache/aaaa")
is "$code" 404 "a request over IPv6 is served"
h4=$(curl -s "http://127.0.0.1:$v_port_health/health")
h6=$(curl -s -g "http://[::1]:$v_port_health/health")
case "$h4$h6" in *healthy*healthy*) ok 0 "':port' serves IPv4 and IPv6" ;;
*) ok 1 "':port' serves IPv4 and IPv6 (got '$h4' '$h6')" ;; esac
stop_fabrik v

# Only the adapters in build_tools.enabled are served.
start_fabrik w daemon --config-cache-dir "$TRASH/cache4" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind '' \
    --config-observability-metrics-bind '' \
    --config-build-tools-enabled nx
ok $? "fabrik with only nx enabled starts"
body=$(curl -s "http://127.0.0.1:$w_port_http/cache/aaaa")
is "$body" "no such endpoint" "a disabled adapter (gradle) is not routed"
grep -q GRADLE_BUILD_CACHE_URL "$TRASH/w.log"
ok $((! $?)) "nor advertised"
stop_fabrik w
done_testing
