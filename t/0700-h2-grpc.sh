#!/bin/sh
# HTTP/2 + gRPC server (http/h2_server, http/grpc_server) against real
# clients: python3-grpcio (gRPC core) through t/grpc_echo_test.py, and
# nghttp (nghttp2) for plain HTTP/2 requests that are not gRPC.
. "$(dirname "$0")/lib/tap.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "python3 not installed"
"$PY" -c 'import grpc' 2>/dev/null || skip_all "python3-grpcio not installed"

# start_helper NAME ARGS...: like start_fabrik, for t/helper grpc-echo.
start_helper() {
	_name=$1
	shift
	FABRIK=$HELPER start_fabrik "$_name" "$@"
}

start_helper e grpc-echo || exit 1
port=$e_port_grpc
ok $([ -n "$port" ]; echo $?) "helper reports its gRPC port"

"$PY" "$TOP/t/grpc_echo_test.py" "$port" >"$TRASH/py.out" 2>&1
rc=$?
sed 's/^ok [0-9]* - /# py: ok - /; s/^not ok [0-9]* - /# py: NOT OK - /' "$TRASH/py.out"
n_ok=$(grep -c '^ok ' "$TRASH/py.out")
is "$rc" 0 "python3-grpcio interop script exits 0"
is "$n_ok" 29 "all 29 interop checks pass"
grep -q 'cancel /fabrik.test.Echo/Sleep' "$TRASH/e.log"
ok $? "deadline and client cancel reach the service's on_cancel"
is "$(grep -c 'cancel /fabrik.test.Echo/Sleep' "$TRASH/e.log")" 2 \
    "on_cancel ran once per cancelled call"

if command -v nghttp >/dev/null 2>&1; then
	url=http://127.0.0.1:$port/fabrik.test.Echo/Unary
	nghttp -nv "$url" >"$TRASH/ng1.out" 2>&1
	grep -q ':status: 405' "$TRASH/ng1.out"
	ok $? "nghttp GET -> :status 405 (Trailers-Only)"
	grep -q 'grpc-status: 13' "$TRASH/ng1.out"
	ok $? "GET carries grpc-status INTERNAL"
	printf 'x' >"$TRASH/body"
	nghttp -nv -d "$TRASH/body" -H 'content-type: text/plain' "$url" \
	    >"$TRASH/ng2.out" 2>&1
	grep -q ':status: 415' "$TRASH/ng2.out"
	ok $? "wrong content-type -> :status 415"
	grep -q 'grpc-message: invalid gRPC request content-type' \
	    "$TRASH/ng2.out"
	ok $? "415 carries a grpc-message"
	grep -q 'recv SETTINGS frame' "$TRASH/ng1.out" &&
	    grep -q 'SETTINGS_MAX_CONCURRENT_STREAMS(0x03):100' "$TRASH/ng1.out"
	ok $? "server SETTINGS advertise 100 concurrent streams"
	grep -q 'recv WINDOW_UPDATE frame <length=4, flags=0x00, stream_id=0>' \
	    "$TRASH/ng1.out"
	ok $? "server raises the connection window"
	# A compressed message with no grpc-encoding -> INTERNAL.
	printf '\001\000\000\000\001x' >"$TRASH/comp"
	nghttp -nv -d "$TRASH/comp" -H 'content-type: application/grpc' \
	    -H 'te: trailers' "$url" >"$TRASH/ng3.out" 2>&1
	grep -q 'grpc-status: 13' "$TRASH/ng3.out" &&
	    grep -q 'compressed message without grpc-encoding' "$TRASH/ng3.out"
	ok $? "compressed flag without grpc-encoding -> INTERNAL"
	printf '\000\000\000\000\002hi' >"$TRASH/plain"
	nghttp -nv -d "$TRASH/plain" -H 'content-type: application/grpc' \
	    -H 'grpc-encoding: gzip' "$url" >"$TRASH/ng4.out" 2>&1
	grep -q 'grpc-status: 12' "$TRASH/ng4.out"
	ok $? "grpc-encoding gzip -> UNIMPLEMENTED"
	nghttp -nv -d "$TRASH/plain" -H 'content-type: application/grpc' \
	    -H 'grpc-timeout: 12345678901S' "$url" >"$TRASH/ng5.out" 2>&1
	grep -q 'grpc-status: 13' "$TRASH/ng5.out"
	ok $? "malformed grpc-timeout -> INTERNAL"
	nghttp -nv -d "$TRASH/plain" -H 'content-type: application/grpc+proto' \
	    "$url" >"$TRASH/ng6.out" 2>&1
	grep -q 'grpc-status: 0' "$TRASH/ng6.out" &&
	    grep -q 'recv DATA frame <length=7' "$TRASH/ng6.out"
	ok $? "application/grpc+proto accepted, message echoed, trailers"
else
	echo "# nghttp not installed: plain HTTP/2 checks skipped"
fi

kill -0 "$e_pid"
ok $? "server still running"
done_testing
