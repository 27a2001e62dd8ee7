#!/bin/sh
# Bazel's remote cache over gRPC (REAPI v2, tools/reapi) in `fabrik
# daemon`: t/reapi_test.py (python3-grpcio, hand-built protobuf) calls
# every RPC with good and bad input: capabilities, auth, malformed
# messages, digests and resource names, batches, ByteStream reads with
# offsets and limits, resumable writes with QueryWriteStatus, action
# results kept byte for byte and served only when complete, GetTree
# paging.  Then the sharing with the HTTP adapter, the counters and the
# listener's switch.
. "$(dirname "$0")/lib/tap.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "python3 not installed"
"$PY" -c 'import grpc' 2>/dev/null || skip_all "python3-grpcio not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"

TOKEN=reapi-secret
start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-auth-required true \
    --config-auth-tokens "$TOKEN,reader:read"
ok $? "fabrik daemon starts"
[ -n "$d_port_grpc" ]
ok $? "the daemon reports its gRPC listener ($d_port_grpc)"
grep -q "bazel flag --remote_cache=grpc://127.0.0.1:$d_port_grpc\$" "$TRASH/d.log"
ok $? "the daemon prints the bazel --remote_cache=grpc:// flag"

"$PY" "$TOP/t/reapi_test.py" "$d_port_grpc" "$TOKEN" reader \
    >"$TRASH/py.out" 2>&1
rc=$?
sed 's/^ok [0-9]* - /# py: ok - /; s/^not ok [0-9]* - /# py: NOT OK - /' \
    "$TRASH/py.out"
is "$rc" 0 "reapi_test.py exits 0"
is "$(grep -c '^ok ' "$TRASH/py.out")" 124 "all 124 REAPI checks pass"

metric() {
	curl -s "http://127.0.0.1:$d_port_metrics/metrics" |
	    sed -n "s/^fabrik_tool_requests_total{tool=\"$1\",result=\"$2\"} //p"
}
is "$(metric bazel-ac hit)/$(metric bazel-ac miss)" 3/9 \
    "bazel-ac: 3 hits, 9 misses (incomplete results count as misses)"
[ "$(metric bazel-cas hit)" -ge 5 ] && [ "$(metric bazel-cas put)" -ge 5 ]
ok $? "bazel-cas reads and uploads counted ($(metric bazel-cas hit)/$(metric bazel-cas put))"
n=$(curl -s "http://127.0.0.1:$d_port_metrics/metrics" |
    sed -n 's/^fabrik_auth_failures_total{reason="\([a-z_]*\)"} \([0-9]*\)$/\1=\2/p' |
    tr '\n' ' ')
case $n in
*forbidden=*) ok 0 "read-only refusals counted as auth failures ($n)" ;;
*) ok 1 "read-only refusals counted as auth failures ($n)" ;;
esac

# The action cache is shared with the HTTP adapter: the entry written by
# UpdateActionResult (sha256("action 1")) is served over HTTP as is.
A1=$(printf 'action 1' | sha256sum | cut -c1-64)
curl -s -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$d_port_http/bazel/ac/$A1" >"$TRASH/ac.bin"
"$PY" - "$TRASH/ac.bin" <<'PYEOF'
import sys
b = open(sys.argv[1], "rb").read()
# exit_code 0 written explicitly first: the non-canonical bytes sent.
sys.exit(0 if b.startswith(b"\x20\x00\x12") else 1)
PYEOF
ok $? "an action result stored over gRPC is served over HTTP byte for byte"
B=$(printf 'blob A for the REAPI test\n' | sha256sum | cut -c1-64)
is "$(curl -s -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$d_port_http/bazel/cas/$B")" "blob A for the REAPI test" \
    "a CAS blob uploaded over gRPC is served over HTTP"

kill -0 "$d_pid"
ok $? "daemon still running"
stop_fabrik d
ok $? "fabrik exits 0 on SIGTERM"

# daemon.grpc_bind "" turns the listener off; so does a daemon without
# bazel in build_tools.enabled.
start_fabrik off daemon --config-cache-dir "$TRASH/cache2" \
    --config-daemon-bind 127.0.0.1:0 --config-daemon-grpc-bind "" \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0
ok $? "daemon with daemon.grpc_bind = \"\" starts"
grep -q 'listening grpc' "$TRASH/off.log"
ok $((!$?)) "... and has no gRPC listener"
stop_fabrik off
start_fabrik nob daemon --config-cache-dir "$TRASH/cache3" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-build-tools-enabled gradle \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0
ok $? "daemon without bazel enabled starts"
grep -q 'listening grpc' "$TRASH/nob.log"
ok $((!$?)) "... and has no gRPC listener"
stop_fabrik nob

if [ $tap_failed -ne 0 ]; then
	sed 's/^/#   /' "$TRASH/d.log" | tail -20
fi
done_testing
