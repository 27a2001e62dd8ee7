#!/bin/sh
# Script recipe results shared between machines: two `fabrik run`s with
# their own cache directories and one S3 upstream (a Fabrik's own S3
# API).  The first run stores its archive locally and uploads it before
# it exits; the second machine's run is a HIT fetched from the upstream,
# with outputs restored.  With the upstream down the second machine still
# runs the script (a miss), and its result waits in the outbox.
. "$(dirname "$0")/lib/tap.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"

AK=AKSHARE
SK=share-secret
start_fabrik b daemon --config-cache-dir "$TRASH/b" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind "" \
    --config-observability-metrics-bind "" \
    --config-s3-bind 127.0.0.1:0 --config-s3-access-keys "$AK:$SK"
ok $? "layer 3 stand-in: a Fabrik S3 API"
is "$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    "http://127.0.0.1:$b_port_s3/shared/")" 200 "bucket created"
cat >"$TRASH/up.toml" <<EOF
[[upstream]]
url = "s3://shared/scripts/"
endpoint = "http://127.0.0.1:$b_port_s3"
path_style = true
access_key = "$AK"
secret_key = "$SK"
timeout = "2s"
circuit_failures = 1
EOF

mkdir -p "$TRASH/m1/src" "$TRASH/m2/src"
for m in m1 m2; do
	printf 'input one\n' >"$TRASH/$m/src/a.txt"
	cat >"$TRASH/$m/gen.sh" <<'S'
#!/bin/sh
#FABRIK input "src/*.txt"
#FABRIK output "out/result.txt"
mkdir -p out
cat src/*.txt >out/result.txt
echo "generated on $(basename "$PWD")"
S
	chmod +x "$TRASH/$m/gen.sh"
done

# run MACHINE NAME: fabrik run gen.sh on MACHINE with its own cache.
run() {
	(cd "$TRASH/$1" && "$FABRIK" run --config "$TRASH/up.toml" \
	    --config-cache-dir "$TRASH/$1/cache" gen.sh \
	    >"$TRASH/$2.out" 2>"$TRASH/$2.err")
}
status() {
	sed -n 's/^\[fabrik\] Cache key: script-[0-9a-f]\{12\} | \([A-Z]*\).*/\1/p' \
	    "$TRASH/$1.err" | tail -1
}

run m1 cold
is "$(status cold)" MISS "machine 1: a miss runs the script"
is "$(cat "$TRASH/cold.out")" "generated on m1" "its output"
is "$(ls "$TRASH/m1/cache/outbox/"*/ | wc -l | tr -d ' ')" 0 \
    "the archive was uploaded before fabrik run exited"
run m2 warm
is "$(status warm)" HIT "machine 2: a hit from the upstream"
is "$(cat "$TRASH/warm.out")" "generated on m1" \
    "machine 1's output is replayed"
is "$(cat "$TRASH/m2/out/result.txt")" "input one" "outputs restored"
run m2 local
is "$(status local)" HIT "machine 2 again: a local hit now"

stop_fabrik b
printf 'input two\n' >"$TRASH/m2/src/a.txt"
run m2 down
is "$(status down)" MISS "upstream down: the changed script runs"
is "$(cat "$TRASH/m2/out/result.txt")" "input two" "with the new input"
is "$(ls "$TRASH/m2/cache/outbox/"*/ | wc -l | tr -d ' ')" 1 \
    "its result waits in the outbox"
grep -q "upstream s3://shared/scripts/: get failed: Connection refused" \
    "$TRASH/down.err"
ok $? "the unreachable upstream is reported"
grep -q "upstream s3://shared/scripts/: circuit open" "$TRASH/down.err"
ok $? "its circuit opens, so the upload is not even tried"

# ---- through a running daemon that holds the cache directory ----
mkdir -p "$TRASH/m3/src"
printf 'input three\n' >"$TRASH/m3/src/a.txt"
cp "$TRASH/m1/gen.sh" "$TRASH/m3/gen.sh"
start_fabrik d daemon --config-cache-dir "$TRASH/m3/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind "" \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-auth-required true --config-auth-tokens "runner-token"
ok $? "a daemon holds machine 3's cache directory"
grep -q "^grpc://127.0.0.1:$d_port_grpc\$" "$TRASH/m3/cache/daemon.addr"
ok $? "it names its gRPC listener in daemon.addr"
rund() {
	(cd "$TRASH/m3" && FABRIK_TOKEN=runner-token "$FABRIK" run \
	    --config-cache-dir "$TRASH/m3/cache" gen.sh \
	    >"$TRASH/$1.out" 2>"$TRASH/$1.err")
}
rund d1
is "$(status d1)" MISS "through the daemon: a miss runs the script"
rm -rf "$TRASH/m3/out"
rund d2
is "$(status d2)" HIT "the second run is a hit served by the daemon"
is "$(cat "$TRASH/m3/out/result.txt")" "input three" "outputs restored"
[ "$(curl -s "http://127.0.0.1:$d_port_metrics/metrics" |
    sed -n 's/^fabrik_tool_requests_total{tool="script",result="put"} //p')" -ge 1 ]
ok $? "the daemon counted the script result it stored"
(cd "$TRASH/m3" && "$FABRIK" run --config-cache-dir "$TRASH/m3/cache" \
    gen.sh >"$TRASH/d3.out" 2>"$TRASH/d3.err")
is "$(status d3)" MISS "without the token the daemon refuses, and the script still runs"
grep -q "UNAUTHENTICATED\|authentication required" "$TRASH/d3.err"
ok $? "the refusal is reported"
stop_fabrik d
[ ! -e "$TRASH/m3/cache/daemon.addr" ]
ok $? "daemon.addr is removed when the daemon stops"

done_testing
