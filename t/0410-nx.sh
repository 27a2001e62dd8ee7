#!/bin/sh
# The real Nx (npm package `nx`, installed into t/npm) against a real
# `fabrik daemon` as its self-hosted remote cache: a cold run stores the
# task output, a warm run with the local cache wiped must replay it
# "[remote cache]"; a read-only token still reads and its PUTs are refused
# with 403, which Nx ignores.  Then the protocol from curl: 200/409/403/
# 401/400/404, content types.
. "$(dirname "$0")/lib/tap.sh"

NXJS=$TOP/t/npm/node_modules/nx/dist/bin/nx.js
command -v node >/dev/null 2>&1 || skip_all "node not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
[ -f "$NXJS" ] || skip_all "nx not installed (npm install --prefix t/npm)"

start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-auth-required true --config-auth-tokens 'rw-token,ro-token:read'
ok $? "fabrik daemon starts"
URL=http://127.0.0.1:$d_port_http
grep -q "env NX_SELF_HOSTED_REMOTE_CACHE_SERVER=$URL\$" "$TRASH/d.log"
ok $? "fabrik daemon prints NX_SELF_HOSTED_REMOTE_CACHE_SERVER"

metric() {
	curl -s "http://127.0.0.1:$d_port_metrics/metrics" |
	    sed -n "s/^fabrik_tool_requests_total{tool=\"nx\",result=\"$1\"} //p"
}
objects() {
	find "$TRASH/cache/objects" -type f 2>/dev/null | wc -l | tr -d ' '
}

# A one-project workspace: target "build" writes dist/out.txt from an
# input file and is cacheable.  nx itself comes from t/npm through
# symlinks, so the workspace resolves it like a local install.
ws=$TRASH/ws
mkdir -p "$ws/packages/a" "$ws/node_modules/@nx" "$TRASH/home"
ln -s "$TOP/t/npm/node_modules/nx" "$ws/node_modules/nx"
for p in "$TOP"/t/npm/node_modules/@nx/*; do
	ln -s "$p" "$ws/node_modules/@nx/$(basename "$p")"
done
cat >"$ws/package.json" <<'EOF'
{ "name": "fabrik-nx-test", "version": "0.0.0", "private": true }
EOF
cat >"$ws/nx.json" <<'EOF'
{
  "targetDefaults": {
    "build": { "cache": true, "inputs": ["{projectRoot}/**/*"],
               "outputs": ["{projectRoot}/dist"] }
  }
}
EOF
cat >"$ws/packages/a/project.json" <<'EOF'
{
  "name": "a",
  "root": "packages/a",
  "targets": {
    "build": {
      "executor": "nx:run-commands",
      "options": { "command": "node build.js", "cwd": "packages/a" }
    }
  }
}
EOF
cat >"$ws/packages/a/build.js" <<'EOF'
const fs = require('fs');
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/out.txt', 'built from ' + fs.readFileSync('input.txt'));
fs.appendFileSync(process.env.FABRIK_TEST_RAN, 'a\n');
console.log('building a for real');
EOF
echo one >"$ws/packages/a/input.txt"

# Every real execution of the task leaves a line in $TRASH/ran.
ran() {
	if [ -f "$TRASH/ran" ]; then
		wc -l <"$TRASH/ran" | tr -d ' '
	else
		echo 0
	fi
}

# Offline and deterministic: no daemon, no Nx Cloud, no TUI, no telemetry;
# the local cache and task database inside the workspace (Nx 24 would
# otherwise share them per user under $HOME).
run_nx() {
	_name=$1
	_token=$2
	(cd "$ws" && HOME="$TRASH/home" NX_DAEMON=false NX_NO_CLOUD=true \
	    NX_TUI=false NX_INTERACTIVE=false CI=true DO_NOT_TRACK=1 \
	    NX_SKIP_LOG_GROUPING=true NPM_CONFIG_UPDATE_NOTIFIER=false \
	    NX_CACHE_DIRECTORY="$ws/.nx/cache" \
	    NX_WORKSPACE_DATA_DIRECTORY="$ws/.nx/workspace-data" \
	    NO_COLOR=1 FORCE_COLOR=0 FABRIK_TEST_RAN="$TRASH/ran" \
	    NX_SELF_HOSTED_REMOTE_CACHE_SERVER="$URL" \
	    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN="$_token" \
	    timeout 300 node "$NXJS" run a:build --outputStyle=static) \
	    >"$TRASH/nx-$_name.log" 2>&1
}
wipe() {
	rm -rf "$ws/.nx" "$ws/node_modules/.cache" "$ws/packages/a/dist" \
	    "$TRASH/home"
	mkdir "$TRASH/home"
}

puts0=$(metric put)
run_nx cold rw-token
ok $? "cold nx run succeeds"
[ "$(ran)" = 1 ] && ! grep -q '\[remote cache\]' "$TRASH/nx-cold.log"
ok $? "cold run executes the task (nothing cached yet)"
puts1=$(metric put)
[ "$puts1" -gt "${puts0:-0}" ] && [ "$(objects)" -ge 1 ]
ok $? "cold run stored its output in fabrik (puts ${puts0:-0} -> $puts1, $(objects) objects)"

wipe
hits0=$(metric hit)
run_nx warm rw-token
ok $? "warm nx run succeeds"
grep -q 'nx run a:build  *\[remote cache\]' "$TRASH/nx-warm.log" &&
    [ "$(ran)" = 1 ]
ok $? "warm run is replayed from the [remote cache] (task not run)"
is "$(cat "$ws/packages/a/dist/out.txt" 2>/dev/null)" "built from one" \
    "warm run restored dist/out.txt"
hits1=$(metric hit)
[ "$hits1" -gt "${hits0:-0}" ]
ok $? "fabrik counted the nx hit (hits ${hits0:-0} -> $hits1)"

# A read-only token reads; its uploads get 403, which Nx takes quietly.
wipe
run_nx ro-warm ro-token
ok $? "nx run with a read-only token succeeds"
grep -q 'nx run a:build  *\[remote cache\]' "$TRASH/nx-ro-warm.log" &&
    [ "$(ran)" = 1 ]
ok $? "read-only token still gets the remote hit"
echo two >"$ws/packages/a/input.txt"
n0=$(objects)
run_nx ro-cold ro-token
ok $? "a new task with a read-only token still succeeds (403 ignored)"
[ "$(ran)" = 2 ]
ok $? "the new task ran"
is "$(objects)" "$n0" "nothing was stored with the read-only token"

# ---- protocol checks with curl ----
C="$URL/v1/cache"
head -c 5000 /dev/urandom >"$TRASH/blob"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
    -H 'Authorization: Bearer rw-token' \
    -H 'Content-Type: application/octet-stream' \
    --data-binary @"$TRASH/blob" "$C/1234567890123456789")
is "$code" 200 "PUT of a new record answers exactly 200"
code=$(curl -s -o "$TRASH/put2" -w '%{http_code} %{content_type}' -X PUT \
    -H 'Authorization: Bearer rw-token' --data-binary 'other' \
    "$C/1234567890123456789")
is "$code" "409 text/plain; charset=utf-8" \
    "second PUT of the same hash is 409 (text/plain)"
curl -s -o "$TRASH/back" -H 'Authorization: Bearer ro-token' \
    "$C/1234567890123456789"
cmp -s "$TRASH/blob" "$TRASH/back"
ok $? "GET returns the first body (the record was not overwritten)"
out=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' \
    -H 'Authorization: Bearer ro-token' "$C/1234567890123456789")
is "$out" "200 application/octet-stream" "GET hit is 200 application/octet-stream"
code=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' -X PUT \
    -H 'Authorization: Bearer ro-token' --data-binary x "$C/42")
is "$code" "403 text/plain; charset=utf-8" "PUT with a read-only token is 403"
code=$(curl -s -o /dev/null -w '%{http_code}' \
    -H 'Authorization: Bearer ro-token' "$C/42")
is "$code" 404 "the refused PUT stored nothing (404)"
code=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$C/42")
is "$code" "401 text/plain; charset=utf-8" "GET without a token is 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary x "$C/43")
is "$code" 401 "PUT without a token is 401"
code=$(curl -s -o /dev/null -w '%{http_code}' \
    -H 'Authorization: Bearer nope' "$C/42")
is "$code" 401 "GET with a wrong token is 401"
for bad in 'a.b' '..' 'a_b' '%2e%2e' \
    "$(printf '%0129d' 0)"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is \
	    -H 'Authorization: Bearer rw-token' "$C/$bad")
	is "$code" 400 "malformed hash '$(echo "$bad" | cut -c1-12)' is 400"
done
code=$(curl -s -o /dev/null -w '%{http_code}' \
    -H 'Authorization: Bearer rw-token' "$C/$(printf '%0128d' 7)")
is "$code" 404 "a 128-character hash is accepted (404 miss)"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE \
    -H 'Authorization: Bearer rw-token' "$C/42")
is "$code" 405 "DELETE is 405"

if [ $tap_failed -ne 0 ]; then
	for f in "$TRASH"/nx-*.log; do
		echo "# --- $f"
		sed 's/^/#   /' "$f" | tail -30
	done
	sed 's/^/#   /' "$TRASH/d.log" | tail -20
fi
stop_fabrik d
ok $? "fabrik exits 0 on SIGTERM"
done_testing
