#!/bin/sh
# Known HTTP/2 attacks against the h2/gRPC server, with raw frames from
# t/h2_attack.py: rapid reset (CVE-2023-44487), CONTINUATION flood, HPACK
# bomb and oversized header lists, SETTINGS and PING floods, zero-window
# and non-reading stalls, oversized frames, protocol errors, the stream
# limit.  After each one another client must be served.
. "$(dirname "$0")/lib/tap.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "python3 not installed"
"$PY" -c 'import grpc' 2>/dev/null || skip_all "python3-grpcio not installed"
"$PY" -c 'import hpack' 2>/dev/null || skip_all "python3-hpack not installed"

# Write-stall timeout 1 s so the stall attacks end quickly.
FABRIK=$HELPER start_fabrik e grpc-echo 1000 || exit 1
port=$e_port_grpc

"$PY" "$TOP/t/h2_attack.py" "$port" "$TRASH/e.log" >"$TRASH/py.out" 2>&1
rc=$?
sed 's/^ok [0-9]* - /# py: ok - /; s/^not ok [0-9]* - /# py: NOT OK - /; /^#   /!{/^# py/!s/^/# /}' "$TRASH/py.out"
is "$rc" 0 "attack script exits 0"
is "$(grep -c '^ok ' "$TRASH/py.out")" 29 "all 29 attack checks pass"
grep -q 'too many stream resets' "$TRASH/e.log"
ok $? "rapid reset logged"
grep -q 'write stalled' "$TRASH/e.log"
ok $? "write stall logged"
kill -0 "$e_pid"
ok $? "server survived every attack"
done_testing
