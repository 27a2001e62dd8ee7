#!/bin/sh
# The real Turborepo (npm package `turbo`, installed into t/npm) against a
# real `fabrik daemon` as its remote cache: cold run stores, a warm run with
# the local cache and outputs wiped must be a remote hit (FULL TURBO);
# teams do not share entries; a read-only token reads and cannot write;
# --preflight keeps the token; signed artifacts (x-artifact-tag) hit with
# the right key and miss with a wrong one.  Then the protocol from curl.
. "$(dirname "$0")/lib/tap.sh"

TURBO=$TOP/t/npm/node_modules/@turbo/linux-64/bin/turbo
command -v node >/dev/null 2>&1 || skip_all "node not installed"
command -v npm >/dev/null 2>&1 || skip_all "npm not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
[ -x "$TURBO" ] || skip_all "turbo not installed (npm install --prefix t/npm)"

start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-auth-required true --config-auth-tokens 'rw-token,ro-token:read'
ok $? "fabrik daemon starts"
URL=http://127.0.0.1:$d_port_http
grep -q "env TURBO_API=$URL\$" "$TRASH/d.log"
ok $? "fabrik daemon prints TURBO_API"

metric() {
	curl -s "http://127.0.0.1:$d_port_metrics/metrics" |
	    sed -n "s/^fabrik_tool_requests_total{tool=\"turbo\",result=\"$1\"} //p"
}
requests() {
	curl -s "http://127.0.0.1:$d_port_metrics/metrics" |
	    sed -n 's/^fabrik_request_duration_seconds_count{tool="turbo"} //p'
}
objects() {
	find "$TRASH/cache/objects" -type f 2>/dev/null | wc -l | tr -d ' '
}
# Every real execution of the build script leaves a line in $TRASH/ran.
ran() {
	if [ -f "$TRASH/ran" ]; then
		wc -l <"$TRASH/ran" | tr -d ' '
	else
		echo 0
	fi
}

# An npm workspace with one package whose build writes dist/out.txt.
ws=$TRASH/ws
mkdir -p "$ws/packages/a" "$TRASH/home"
cat >"$ws/package.json" <<EOF
{ "name": "fabrik-turbo-test", "version": "0.0.0", "private": true,
  "packageManager": "npm@$(npm --version 2>/dev/null)",
  "workspaces": ["packages/*"] }
EOF
cat >"$ws/packages/a/package.json" <<'EOF'
{ "name": "a", "version": "0.0.0", "scripts": { "build": "node build.js" } }
EOF
cat >"$ws/packages/a/build.js" <<'EOF'
const fs = require('fs');
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/out.txt', 'built by a\n');
fs.appendFileSync(process.env.FABRIK_TEST_RAN, 'a\n');
console.log('building a for real');
EOF
turbo_json() {
	cat >"$ws/turbo.json" <<EOF
{ "globalPassThroughEnv": ["FABRIK_TEST_RAN"],
  "tasks": { "build": { "outputs": ["dist/**"] } },
  "remoteCache": { "signature": $1 } }
EOF
}
turbo_json false

# run_turbo NAME TOKEN TEAM [ARGS...]: offline, no telemetry, no daemon.
run_turbo() {
	_name=$1
	_token=$2
	_team=$3
	shift 3
	(cd "$ws" && HOME="$TRASH/home" XDG_CONFIG_HOME="$TRASH/home/.config" \
	    TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 \
	    TURBO_NO_UPDATE_NOTIFIER=1 NPM_CONFIG_UPDATE_NOTIFIER=false \
	    NO_COLOR=1 FORCE_COLOR=0 FABRIK_TEST_RAN="$TRASH/ran" \
	    TURBO_API="$URL" TURBO_TOKEN="$_token" TURBO_TEAM="$_team" \
	    timeout 300 "$TURBO" run build --ui=stream --verbosity=2 "$@") \
	    >"$TRASH/turbo-$_name.log" 2>&1
}
wipe() {
	rm -rf "$ws/.turbo" "$ws/packages/a/.turbo" \
	    "$ws/node_modules/.cache/turbo" "$ws/packages/a/dist"
}
remote_hit() {
	grep -q 'a:build: cache hit, replaying logs' "$TRASH/turbo-$1.log" &&
	    grep -q 'FULL TURBO' "$TRASH/turbo-$1.log" &&
	    grep -q 'source: Remote, event: Hit' "$TRASH/turbo-$1.log"
}

puts0=$(metric put)
run_turbo cold rw-token team1
ok $? "cold turbo run succeeds"
grep -q 'Remote caching enabled' "$TRASH/turbo-cold.log"
ok $? "turbo reports remote caching enabled"
[ "$(ran)" = 1 ] && grep -q 'a:build: cache miss, executing' \
    "$TRASH/turbo-cold.log"
ok $? "cold run executes the build (nothing cached yet)"
puts1=$(metric put)
[ "${puts1:-0}" -gt "${puts0:-0}" ] && [ "$(objects)" -ge 1 ]
ok $? "cold run stored the artifact in fabrik (puts ${puts0:-0} -> $puts1)"

wipe
hits0=$(metric hit)
r0=$(requests)
run_turbo warm rw-token team1
ok $? "warm turbo run succeeds"
r1=$(requests)
remote_hit warm && [ "$(ran)" = 1 ]
ok $? "warm run is a remote hit: FULL TURBO, build not run"
is "$(cat "$ws/packages/a/dist/out.txt" 2>/dev/null)" "built by a" \
    "warm run restored dist/out.txt"
hits1=$(metric hit)
[ "${hits1:-0}" -gt "${hits0:-0}" ]
ok $? "fabrik counted the turbo hit (hits ${hits0:-0} -> $hits1)"

# Teams are separate namespaces.
wipe
run_turbo team2 rw-token team2
ok $? "turbo run for another team succeeds"
grep -q 'a:build: cache miss, executing' "$TRASH/turbo-team2.log" &&
    [ "$(ran)" = 2 ]
ok $? "another team does not see team1's artifact"

# A read-only token reads, and its upload is refused (403) without failing
# the run.
wipe
run_turbo ro-warm ro-token team1
ok $? "turbo run with a read-only token succeeds"
remote_hit ro-warm
ok $? "read-only token still gets the remote hit"
n0=$(objects)
wipe
run_turbo ro-force ro-token team3 --force
ok $? "a forced run with a read-only token still succeeds"
is "$(objects)" "$n0" "nothing was stored with the read-only token"
grep -q 'Remote cache rejected an upload with 403' "$TRASH/turbo-ro-force.log"
ok $? "turbo saw the 403 on its upload and carried on"

# --preflight: OPTIONS before each request; the answer must allow the
# Authorization header, else turbo drops it and auth fails.
wipe
r2=$(requests)
run_turbo preflight rw-token team1 --preflight
ok $? "turbo --preflight run succeeds"
r3=$(requests)
remote_hit preflight
ok $? "--preflight run is a remote hit (token kept)"
[ $((r3 - r2)) -gt $((r1 - r0)) ]
ok $? "--preflight sent OPTIONS requests ($((r3 - r2)) vs $((r1 - r0)) requests)"

# Signed artifacts: turbo sends x-artifact-tag and requires it back.
turbo_json true
KEY=fabrik-test-signature-key-0123456789abcdef
export TURBO_REMOTE_CACHE_SIGNATURE_KEY="$KEY"
wipe
run_turbo signed-cold rw-token signed
ok $? "signed cold run succeeds"
grep -q 'a:build: cache miss, executing' "$TRASH/turbo-signed-cold.log"
ok $? "signed cold run executes the build"
hash=$(sed -n 's/.*a:build: cache miss, executing \([0-9A-Za-z]*\).*/\1/p' \
    "$TRASH/turbo-signed-cold.log" | head -n 1)
q=$(curl -s -X POST -H 'Authorization: Bearer rw-token' \
    -H 'Content-Type: application/json' \
    --data "{\"hashes\":[\"$hash\"]}" "$URL/v8/artifacts?slug=signed")
echo "$q" | grep -q "\"$hash\":{\"size\":[0-9]*,\"taskDurationMs\":[0-9]*,\"tag\":\"[A-Za-z0-9+/=]*\"}"
ok $? "the signed artifact was stored with its tag ($q)"
wipe
n=$(ran)
run_turbo signed-warm rw-token signed
ok $? "signed warm run succeeds"
remote_hit signed-warm && [ "$(ran)" = "$n" ]
ok $? "signed warm run is a remote hit (tag returned and verified)"
wipe
export TURBO_REMOTE_CACHE_SIGNATURE_KEY=another-key-another-key-another-key-0
run_turbo signed-wrong rw-token signed
ok $? "run with a wrong signature key succeeds"
grep -q 'a:build: cache miss, executing' "$TRASH/turbo-signed-wrong.log" &&
    [ "$(ran)" = $((n + 1)) ]
ok $? "a wrong signature key does not accept the artifact"
unset TURBO_REMOTE_CACHE_SIGNATURE_KEY

# ---- protocol checks with curl ----
A="$URL/v8/artifacts"
RW='Authorization: Bearer rw-token'
RO='Authorization: Bearer ro-token'
out=$(curl -s -w ' %{http_code}' -H "$RW" "$A/status")
is "$out" '{"status":"enabled"} 200' "GET /v8/artifacts/status"
code=$(curl -s -o /dev/null -w '%{http_code}' "$A/status")
is "$code" 401 "status without a token is 401"
code=$(curl -s -o /dev/null -w '%{http_code}' "$A/0123456789abcdef?slug=t")
is "$code" 401 "GET without a token is 401"
head -c 70000 /dev/urandom >"$TRASH/blob"
out=$(curl -s -w ' %{http_code}' -X PUT -H "$RW" \
    -H 'Content-Type: application/octet-stream' \
    -H 'x-artifact-duration: 4321' -H 'x-artifact-tag: c2lnbmVk+/tag==' \
    --data-binary @"$TRASH/blob" "$A/0123456789abcdef?slug=t")
is "$out" '{"urls":["/v8/artifacts/0123456789abcdef"]} 202' \
    "PUT answers 202 with urls"
curl -s -D "$TRASH/hdr" -o "$TRASH/back" -H "$RO" \
    "$A/0123456789abcdef?slug=t"
cmp -s "$TRASH/blob" "$TRASH/back"
ok $? "GET returns the artifact bytes"
tr -d '\r' <"$TRASH/hdr" >"$TRASH/hdr2"
grep -q '^x-artifact-duration: 4321$' "$TRASH/hdr2" &&
    grep -q '^x-artifact-tag: c2lnbmVk+/tag==$' "$TRASH/hdr2" &&
    grep -q '^Content-Type: application/octet-stream$' "$TRASH/hdr2"
ok $? "GET returns x-artifact-duration and x-artifact-tag untouched"
curl -s -I -H "$RO" "$A/0123456789abcdef?slug=t" | tr -d '\r' >"$TRASH/head"
grep -q '^HTTP/1.1 200' "$TRASH/head" &&
    grep -q '^Content-Length: 70000$' "$TRASH/head" &&
    grep -q '^x-artifact-duration: 4321$' "$TRASH/head" &&
    grep -q '^x-artifact-tag: c2lnbmVk+/tag==$' "$TRASH/head"
ok $? "HEAD answers 200 with length, duration and tag"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$RO" \
    "$A/0123456789abcdef?slug=other")
is "$code" 404 "another slug does not see the artifact"
code=$(curl -s -o /dev/null -w '%{http_code}' -I -H "$RO" \
    "$A/fedcba9876543210?slug=t")
is "$code" 404 "HEAD miss is 404"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "$RW" \
    --data-binary x "$A/aaaa?teamId=team_x&slug=s")
is "$code" 202 "PUT with teamId and slug"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$RW" "$A/aaaa?teamId=team_x")
is "$code" 200 "teamId names the namespace when both are given"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$RW" "$A/aaaa?slug=s")
is "$code" 404 "the slug alone is another namespace"
out=$(curl -s -w ' %{http_code} %{content_type}' -X PUT -H "$RO" \
    --data-binary x "$A/bbbb?slug=t")
is "$out" '{"error":{"code":"forbidden","message":"token may not write"}} 403 application/json' \
    "PUT with a read-only token is 403 with a JSON error"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$RO" "$A/bbbb?slug=t")
is "$code" 404 "the refused PUT stored nothing"
out=$(curl -s -X POST -H "$RO" -H 'Content-Type: application/json' \
    --data '{"hashes":["0123456789abcdef","fedcba9876543210","a.b"]}' \
    "$A?slug=t")
is "$out" '{"0123456789abcdef":{"size":70000,"taskDurationMs":4321,"tag":"c2lnbmVk+/tag=="},"fedcba9876543210":null,"a.b":{"error":{"message":"invalid hash"}}}' \
    "POST /v8/artifacts answers size, duration and tag per hash"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "$RO" \
    --data '{"nohashes":1}' "$A?slug=t")
is "$code" 400 "POST /v8/artifacts with a malformed body is 400"
out=$(curl -s -w ' %{http_code}' -X POST -H "$RW" \
    -H 'Content-Type: application/json' \
    --data '[{"sessionId":"x","source":"REMOTE","event":"HIT","hash":"0123456789abcdef","duration":5}]' \
    "$A/events?slug=t")
is "$out" '{} 200' "POST /v8/artifacts/events is 200"
curl -s -i -X OPTIONS -H 'Access-Control-Request-Method: PUT' \
    -H 'Access-Control-Request-Headers: Authorization, User-Agent, Content-Type, x-artifact-duration, x-artifact-tag' \
    "$A/0123456789abcdef?slug=t" | tr -d '\r' >"$TRASH/opt"
opt=0
grep -q '^HTTP/1.1 200' "$TRASH/opt" &&
    grep -q '^Access-Control-Allow-Origin: \*$' "$TRASH/opt" &&
    grep '^Access-Control-Allow-Methods:' "$TRASH/opt" | grep -q 'PUT' ||
    opt=1
for h in Authorization Content-Type User-Agent x-artifact-duration \
    x-artifact-tag x-artifact-client-ci x-artifact-client-interactive; do
	grep '^Access-Control-Allow-Headers:' "$TRASH/opt" | grep -q "$h" ||
	    opt=1
done
ok $opt "OPTIONS preflight allows the methods and every header turbo sends"
for bad in 'a.b' '..' 'a%2Fb' "$(printf '%0129d' 0)"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is -H "$RW" \
	    "$A/$bad?slug=t")
	is "$code" 400 "malformed hash '$(echo "$bad" | cut -c1-12)' is 400"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$RW" \
    "$A/0123456789abcdef?slug=%zz")
is "$code" 400 "malformed slug encoding is 400"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$RW" \
    "$A/0123456789abcdef?slug=a%0ab")
is "$code" 400 "control character in the slug is 400"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "$RW" \
    -H "x-artifact-tag: $(printf '%01100d' 0)" --data-binary x \
    "$A/cccc?slug=t")
is "$code" 400 "an over-long x-artifact-tag is refused with 400"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "$RW" \
    "$A/0123456789abcdef?slug=t")
is "$code" 405 "DELETE is 405"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$RW" "$URL/v8/other")
is "$code" 404 "unknown /v8 endpoint is 404"

if [ $tap_failed -ne 0 ]; then
	for f in "$TRASH"/turbo-*.log; do
		echo "# --- $f"
		grep -v '\[DEBUG\]\|\[TRACE\]' "$f" | sed 's/^/#   /' | tail -25
	done
	sed 's/^/#   /' "$TRASH/d.log" | tail -20
fi
stop_fabrik d
ok $? "fabrik exits 0 on SIGTERM"
done_testing
