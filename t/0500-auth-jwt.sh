#!/bin/sh
# JWT RS256 on the request path: tokens minted here with openssl(1) and the
# clearly-marked test key of t/data/jwt; permissions from "permissions" and
# "scope"; expiry, tampering, a read-only token's answer, key rotation by
# replacing the key file (hot reload), and a broken key file keeping the
# old keys.
. "$(dirname "$0")/lib/tap.sh"

command -v openssl >/dev/null 2>&1 || skip_all "openssl(1) not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"

b64url() {
	openssl base64 -A | tr '+/' '-_' | tr -d '='
}
# mint KEY PAYLOAD-JSON [KID]
mint() {
	if [ -n "${3:-}" ]; then
		h=$(printf '{"alg":"RS256","typ":"JWT","kid":"%s"}' "$3" | b64url)
	else
		h=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
	fi
	p=$(printf '%s' "$2" | b64url)
	s=$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -sign "$1" -binary | b64url)
	printf '%s.%s.%s' "$h" "$p" "$s"
}
now=$(date +%s)
exp=$((now + 3600))
KEY1=$TOP/t/data/jwt/private-key.pem
cp "$TOP/t/data/jwt/public-key.pem" "$TRASH/keys.pem"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$TRASH/key2.pem" 2>/dev/null
openssl pkey -in "$TRASH/key2.pem" -pubout -out "$TRASH/pub2.pem" 2>/dev/null

RW=$(mint "$KEY1" "{\"sub\":\"ci\",\"project_id\":\"proj-7\",\"exp\":$exp,\"permissions\":[\"cache:read\",\"cache:write\"]}")
RO=$(mint "$KEY1" "{\"sub\":\"dev\",\"exp\":$exp,\"scope\":\"openid cache:read\"}")
OLD=$(mint "$KEY1" "{\"sub\":\"ci\",\"exp\":$((now - 600)),\"permissions\":[\"cache:read\"]}")
K2=$(mint "$TRASH/key2.pem" "{\"sub\":\"ci\",\"exp\":$exp,\"permissions\":[\"cache:read\",\"cache:write\"]}")
NONE=$(printf '%s.%s.' "$(printf '{"alg":"none"}' | b64url)" \
    "$(printf '{"exp":%s,"permissions":["cache:write"]}' "$exp" | b64url)")

start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-auth-required true \
    --config-auth-public-key-file "$TRASH/keys.pem" \
    --config-auth-key-refresh-interval 200ms \
    --config-observability-log-level debug
ok $? "fabrik starts with a public key file"
U=http://127.0.0.1:$d_port_http/cache
KEY=0123456789abcdef0123456789abcdef
echo payload >"$TRASH/body"

code() {
	curl -s -o /dev/null -w '%{http_code}' "$@"
}
is "$(code -T "$TRASH/body" -H "Authorization: Bearer $RW" "$U/$KEY")" 200 \
    "a read-write JWT (permissions claim) may PUT"
is "$(code -u "ci:$RW" "$U/$KEY")" 200 \
    "the same JWT as the Basic password (Gradle) may GET"
is "$(code -H "Authorization: Bearer $RO" "$U/$KEY")" 200 \
    "a read-only JWT (scope claim) may GET"
grep -q 'sub=ci project_id=proj-7' "$TRASH/d.log"
ok $? "the token's sub and project_id reach the (debug) log"
is "$(code -T "$TRASH/body" -u "dev:$RO" "$U/$KEY")" 413 \
    "a read-only JWT's Gradle PUT is refused with 413 (keeps the build going)"
is "$(code "$U/$KEY")" 401 "no token is 401"
out=$(curl -s -D - -o /dev/null "$U/$KEY" | tr -d '\r')
echo "$out" | grep -q '^WWW-Authenticate: Basic realm="fabrik"'
ok $? "401 carries WWW-Authenticate"
is "$(code -H "Authorization: Bearer $OLD" "$U/$KEY")" 401 \
    "an expired JWT is 401"
is "$(code -H "Authorization: Bearer ${RW%?}x" "$U/$KEY")" 401 \
    "a tampered signature is 401"
is "$(code -H "Authorization: Bearer $NONE" "$U/$KEY")" 401 \
    "alg none is 401"
is "$(code -H "Authorization: Bearer $K2" "$U/$KEY")" 401 \
    "a token of an unknown key is 401"
big=$(head -c 9000 /dev/zero | tr '\0' a)
is "$(code -H "Authorization: Bearer $big" "$U/$KEY")" 401 \
    "an oversized token is 401, not a crash"
m=$(curl -s "http://127.0.0.1:$d_port_metrics/metrics")
echo "$m" | grep -q '^fabrik_auth_failures_total{reason="expired"} 1$' &&
    echo "$m" | grep -q '^fabrik_auth_failures_total{reason="missing"}' &&
    echo "$m" | grep -q '^fabrik_auth_failures_total{reason="forbidden"} 1$'
ok $? "auth failures are counted by reason"

# Rotation: both keys in the file, then only the new one.
cat "$TRASH/keys.pem" "$TRASH/pub2.pem" >"$TRASH/keys.new" &&
    mv "$TRASH/keys.new" "$TRASH/keys.pem"
i=0
while ! grep -q 'auth keys reloaded: 2 keys' "$TRASH/d.log" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
grep -q 'auth keys reloaded: 2 keys' "$TRASH/d.log"
ok $? "a changed key file is reloaded without a restart"
is "$(code -H "Authorization: Bearer $K2" "$U/$KEY")" 200 \
    "after rotation the new key's token is accepted"
is "$(code -H "Authorization: Bearer $RW" "$U/$KEY")" 200 \
    "and the old key's token still is while both are listed"
echo "not a key" >"$TRASH/keys.new" && mv "$TRASH/keys.new" "$TRASH/keys.pem"
i=0
while ! grep -q 'keeping the previous keys' "$TRASH/d.log" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
grep -q 'keeping the previous keys' "$TRASH/d.log"
ok $? "a broken key file is reported"
is "$(code -H "Authorization: Bearer $K2" "$U/$KEY")" 200 \
    "and the previous keys stay in force"
cp "$TRASH/pub2.pem" "$TRASH/keys.pem.new" && mv "$TRASH/keys.pem.new" "$TRASH/keys.pem"
i=0
while [ "$(grep -c 'auth keys reloaded: 1 keys' "$TRASH/d.log")" -lt 1 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
is "$(code -H "Authorization: Bearer $RW" "$U/$KEY")" 401 \
    "a token of a retired key is refused (its cache entry is dropped)"
stop_fabrik d
ok $? "fabrik exits 0"

# Static tokens keep working next to JWTs, and JWKS files load too.
start_fabrik j daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-auth-required true --config-auth-tokens 'static-rw,static-ro:read' \
    --config-auth-jwks-file "$TOP/t/data/jwt/jwks.json"
ok $? "fabrik starts with a JWKS file and static tokens"
U=http://127.0.0.1:$j_port_http/cache
KID=$(mint "$KEY1" "{\"exp\":$exp,\"permissions\":[\"cache:read\"]}" fabrik-test-rs256-1)
is "$(code -H "Authorization: Bearer $KID" "$U/$KEY")" 200 \
    "a JWT whose kid is in the JWKS is accepted"
is "$(code -H "Authorization: Bearer static-rw" -T "$TRASH/body" "$U/$KEY")" 200 \
    "a static read-write token may PUT"
is "$(code -u "x:static-ro" -T "$TRASH/body" "$U/$KEY")" 413 \
    "a static read-only token may not"
stop_fabrik j
# auth.jwks_url: the JWK Set is fetched over HTTP at start and on every
# auth.key_refresh_interval; a broken document keeps the keys.
if command -v python3 >/dev/null 2>&1; then
	cp "$TOP/t/data/jwt/jwks.json" "$TRASH/served.json"
	start_proc jw python3 "$TOP/t/lib/faulty_http.py" file \
	    "$TRASH/served.json"
	start_fabrik u daemon --config-cache-dir "$TRASH/cacheu" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0 \
	    --config-auth-required true \
	    --config-auth-key-refresh-interval 1s \
	    --config-auth-jwks-url "http://127.0.0.1:$jw_port_faulty/jwks.json"
	ok $? "fabrik starts with auth.jwks_url"
	i=0
	while ! grep -q "auth keys from" "$TRASH/u.log" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "auth keys from http://127.0.0.1:$jw_port_faulty/jwks.json: 1 keys" \
	    "$TRASH/u.log"
	ok $? "the JWK Set is fetched"
	U=http://127.0.0.1:$u_port_http/cache
	is "$(code -H "Authorization: Bearer $KID" "$U/$KEY")" 404 \
	    "a JWT signed by a key of the fetched set is accepted"
	is "$(code -H "Authorization: Bearer $K2" "$U/$KEY")" 401 \
	    "a JWT of another key is not"
	echo '{"keys": [' >"$TRASH/served.json"
	sleep 2.5
	grep -q "auth.jwks_url .*keeping the previous keys" "$TRASH/u.log"
	ok $? "a broken document is reported"
	is "$(code -H "Authorization: Bearer $KID" "$U/$KEY")" 404 \
	    "and the previous keys stay"
	stop_fabrik u
	kill "$jw_pid"
fi

echo "garbage" >"$TRASH/bad.pem"
"$FABRIK" daemon --config-cache-dir "$TRASH/cache3" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind "" --config-observability-metrics-bind "" \
    --config-auth-public-key-file "$TRASH/bad.pem" >"$TRASH/bad.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'auth: ' "$TRASH/bad.log"
ok $? "an unusable key file at start-up is a clear error (exit $rc)"
done_testing
