#!/bin/sh
# Two Fabrik layers over the Fabrik protocol (gRPC), and S3 below them:
# daemon A (layer 1) has [[upstream]] grpc://B; server B (layer 2) has an
# s3:// upstream on a third Fabrik's S3 API C (layer 3).  The real Gradle
# and Bazel (HTTP cache) against A: a cold build reaches B and C; with
# A's store wiped the warm build is served from B; with B's wiped too,
# from C through B; with B down, from A's store.  Turborepo metadata
# survives the trip A -> B -> C -> B -> A.  Then auth between layers
# (Bearer token; a wrong one is logged and A still serves locally), grpcs
# with a CA made by openssl at test time, and t/fabrik_test.py
# (python3-grpcio) calling every FabrikCache method with good and bad
# input.
. "$(dirname "$0")/lib/tap.sh"

PY=/usr/bin/python3
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
[ -x "$PY" ] || skip_all "python3 not installed"
"$PY" -c 'import grpc' 2>/dev/null || skip_all "python3-grpcio not installed"
HAVE_GRADLE=1
{ command -v gradle && command -v java; } >/dev/null 2>&1 || HAVE_GRADLE=0
HAVE_BAZEL=1
command -v bazel >/dev/null 2>&1 || HAVE_BAZEL=0

AK=AKTWOLAYER
SK=two/layer/s3cr3t
BUCKET=fabrik

# metric NAME PORT PATTERN: sums the samples of a metric matching PATTERN.
metric() {
	curl -s "http://127.0.0.1:$2/metrics" |
	    grep "^$1" | grep -e "$3" |
	    awk '{ s += $NF } END { printf "%d", s }'
}
# wait_zero NAME PORT PATTERN: polls up to 10 s for the sum to be 0.
wait_zero() {
	_i=0
	while [ "$(metric "$1" "$2" "$3")" != 0 ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(metric "$1" "$2" "$3")" = 0 ]
}
# wait_ge NAME PORT PATTERN MIN: polls up to 10 s for the sum to be >= MIN.
wait_ge() {
	_i=0
	while [ "$(metric "$1" "$2" "$3")" -lt "$4" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(metric "$1" "$2" "$3")" -ge "$4" ]
}
objects() {
	find "$TRASH/$1/objects" -type f 2>/dev/null | wc -l | tr -d ' '
}
uphit() {
	metric fabrik_upstream_requests_total "$1" 'op="get",result="hit"'
}

# ---- layer 3: a Fabrik S3 API ----
start_fabrik c daemon --config-cache-dir "$TRASH/c" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-s3-bind 127.0.0.1:0 --config-s3-access-keys "$AK:$SK"
ok $? "layer 3 stand-in: a Fabrik S3 API (C)"
CPORT=$c_port_s3
is "$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    "http://127.0.0.1:$CPORT/$BUCKET/")" 200 "bucket created on C"
s3objects() {
	curl -s --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
	    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
	    "http://127.0.0.1:$CPORT/$BUCKET/?list-type=2&prefix=l2%2F" |
	    grep -o '<Key>' | wc -l | tr -d ' '
}

# ---- layer 2: fabrik server B with an s3:// upstream ----
cat >"$TRASH/b.toml" <<EOF
[[upstream]]
url = "s3://$BUCKET/l2/"
endpoint = "http://127.0.0.1:$CPORT"
path_style = true
access_key = "$AK"
secret_key = "$SK"
timeout = "5s"
EOF
start_b() {
	start_fabrik b server --config "$TRASH/b.toml" \
	    --config-cache-dir "$TRASH/b" \
	    --config-fabrik-bind "127.0.0.1:${BPORT:-0}" \
	    --config-observability-log-format text \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0 "$@"
}
start_b
ok $? "server B (layer 2) starts"
BPORT=$b_port_fabrik
[ -n "$BPORT" ]
ok $? "B serves the Fabrik protocol ($BPORT)"
grep -q "fabrik protocol grpc://127.0.0.1:$BPORT\$" "$TRASH/b.log"
ok $? "B logs its grpc:// address"

# ---- layer 1: daemon A with grpc://B ----
cat >"$TRASH/a.toml" <<EOF
[[upstream]]
url = "grpc://127.0.0.1:$BPORT"
timeout = "5s"
circuit_failures = 2
circuit_open = "60s"
EOF
start_a() {
	start_fabrik a daemon --config "$TRASH/a.toml" \
	    --config-cache-dir "$TRASH/a" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0
}
start_a
ok $? "daemon A (layer 1) starts with a grpc:// upstream"
grep -q "upstream 1: grpc://127.0.0.1:$BPORT" "$TRASH/a.log"
ok $? "A names its upstream"

# drained: A's and B's uploads all done.
drained() {
	wait_zero fabrik_upstream_pending_uploads "$a_port_metrics" . &&
	    wait_zero fabrik_upstream_pending_uploads "$b_port_metrics" .
}

# ---- Gradle ----
proj=$TRASH/proj
mkdir -p "$proj/src/main/java/demo"
cat >"$proj/build.gradle" <<'GRADLE'
apply plugin: 'java'
sourceCompatibility = 1.8
targetCompatibility = 1.8
GRADLE
cat >"$proj/src/main/java/demo/Hello.java" <<'JAVA'
package demo;

public class Hello {
	public static String greet(String who) {
		return "hello, " + who;
	}
}
JAVA
run_gradle() {
	cat >"$proj/settings.gradle" <<GRADLE
rootProject.name = 'demo'
buildCache {
    local { enabled = false }
    remote(HttpBuildCache) {
        url = 'http://127.0.0.1:$a_port_http/cache/'
        push = true
    }
}
GRADLE
	rm -rf "$proj/build" "$proj/.gradle"
	(cd "$proj" && GRADLE_USER_HOME="$TRASH/gradle-home-$1" \
	    timeout 600 gradle --no-daemon --build-cache --console=plain \
	    jar) >"$TRASH/gradle-$1.log" 2>&1
}
gradle_from_cache() {
	grep -q ':compileJava FROM-CACHE' "$TRASH/gradle-$1.log" &&
	    [ -f "$proj/build/libs/demo.jar" ]
}

# ---- Bazel (HTTP cache on A) ----
ws=$TRASH/ws
mkdir -p "$ws"
: >"$ws/WORKSPACE"
cat >"$ws/BUILD" <<'BEOF'
genrule(
    name = "a",
    outs = ["a.txt"],
    cmd = "echo alpha > $@",
)

genrule(
    name = "b",
    srcs = [":a"],
    outs = ["b.txt"],
    cmd = "cat $< > $@; head -c 300000 /dev/zero | tr '\\0' y >> $@",
)
BEOF
run_bazel() {
	(cd "$ws" && timeout 600 bazel --batch \
	    --output_user_root="$TRASH/bazel-root" \
	    --output_base="$TRASH/ob-$1" --host_jvm_args=-Xmx1g --nohome_rc \
	    build --spawn_strategy=local \
	    --remote_cache="http://127.0.0.1:$a_port_http/bazel" //:all) \
	    >"$TRASH/bazel-$1.log" 2>&1
}
remote_hits() {
	n=$(sed -n 's/^INFO: [0-9]* processes:.*[^0-9]\([0-9][0-9]*\) remote cache hit.*/\1/p' \
	    "$TRASH/bazel-$1.log" | tail -n 1)
	echo "${n:-0}"
}
bazel_output_ok() {
	f=$TRASH/ob-$1/execroot/__main__/bazel-out/k8-fastbuild/bin/b.txt
	[ "$(head -n 1 "$f" 2>/dev/null)" = "alpha" ] &&
	    [ "$(wc -c <"$f")" -eq 300006 ]
}

# ---- Turborepo metadata ----
TURBO=/v8/artifacts/0123456789abcdef?slug=team
turbo_put() {
	curl -s -o /dev/null -w '%{http_code}' -X PUT \
	    -H 'Authorization: Bearer x' \
	    -H 'Content-Type: application/octet-stream' \
	    -H 'x-artifact-duration: 4321' -H 'x-artifact-tag: c2lnbmVk+/tag==' \
	    --data-binary "@$TRASH/turbo.blob" "http://127.0.0.1:$a_port_http$TURBO"
}
turbo_get_ok() {
	curl -s -D "$TRASH/turbo.hdr" -o "$TRASH/turbo.back" \
	    -H 'Authorization: Bearer x' "http://127.0.0.1:$a_port_http$TURBO"
	tr -d '\r' <"$TRASH/turbo.hdr" >"$TRASH/turbo.hdr2"
	cmp -s "$TRASH/turbo.blob" "$TRASH/turbo.back" &&
	    grep -q '^x-artifact-duration: 4321$' "$TRASH/turbo.hdr2" &&
	    grep -q '^x-artifact-tag: c2lnbmVk+/tag==$' "$TRASH/turbo.hdr2"
}

# ---- (a) cold builds reach B and C ----
if [ $HAVE_GRADLE = 1 ]; then
	run_gradle cold
	ok $? "cold gradle build against A succeeds"
	grep -q ':compileJava FROM-CACHE' "$TRASH/gradle-cold.log"
	ok $((!$?)) "cold gradle build compiles"
fi
if [ $HAVE_BAZEL = 1 ]; then
	run_bazel cold
	ok $? "cold bazel build against A's HTTP cache succeeds"
	is "$(remote_hits cold)" 0 "cold bazel build: no remote hits"
fi
head -c 70000 /dev/urandom >"$TRASH/turbo.blob"
is "$(turbo_put)" 202 "turbo PUT with x-artifact-duration and x-artifact-tag"
drained
ok $? "every upload of A and B drained"
is "$(metric fabrik_upstream_requests_total "$a_port_metrics" \
    'op="put",result="error"')" 0 "A's uploads to B had no errors"
na=$(objects a)
[ "$na" -ge 2 ] && [ "$(objects b)" -eq "$na" ]
ok $? "B holds every object of A ($na)"
ns3=$(s3objects)
[ "$ns3" -eq "$na" ]
ok $? "C's bucket holds every object too ($ns3 of $na)"

# ---- warm from B after A's store is wiped ----
stop_fabrik a
rm -rf "$TRASH/a"
start_a
ok $? "A restarts with an empty store"
if [ $HAVE_GRADLE = 1 ]; then
	run_gradle warm-b
	ok $? "warm gradle build succeeds"
	gradle_from_cache warm-b
	ok $? "warm gradle build: compileJava FROM-CACHE (served by B)"
fi
if [ $HAVE_BAZEL = 1 ]; then
	run_bazel warm-b
	ok $? "warm bazel build succeeds"
	is "$(remote_hits warm-b)" 2 "warm bazel build: every genrule a remote hit"
	bazel_output_ok warm-b
	ok $? "warm bazel build: outputs intact (300 KB through two layers)"
fi
turbo_get_ok
ok $? "turbo metadata survives A -> B -> A"
h=$(uphit "$a_port_metrics")
[ "$h" -gt 0 ]
ok $? "A counted upstream hits ($h)"
is "$(uphit "$b_port_metrics")" 0 "B served them from its own store"

# ---- warm from C through B after B's store is wiped too ----
stop_fabrik a
stop_fabrik b
rm -rf "$TRASH/a" "$TRASH/b"
start_b
ok $? "B restarts with an empty store on the same port"
start_a
ok $? "A restarts with an empty store"
if [ $HAVE_GRADLE = 1 ]; then
	run_gradle warm-c
	ok $? "warm gradle build succeeds"
	gradle_from_cache warm-c
	ok $? "warm gradle build: compileJava FROM-CACHE (C -> B -> A)"
fi
if [ $HAVE_BAZEL = 1 ]; then
	run_bazel warm-c
	ok $? "warm bazel build succeeds"
	is "$(remote_hits warm-c)" 2 "warm bazel build: every genrule a remote hit"
	bazel_output_ok warm-c
	ok $? "warm bazel build: outputs intact"
fi
turbo_get_ok
ok $? "turbo metadata survives A -> B -> S3 -> B -> A"
h=$(uphit "$b_port_metrics")
[ "$h" -gt 0 ]
ok $? "B fetched from S3 ($h upstream hits)"
h=$(uphit "$a_port_metrics")
[ "$h" -gt 0 ]
ok $? "A fetched from B ($h upstream hits)"
[ "$(objects b)" -ge 1 ]
ok $? "B stored what it fetched ($(objects b) objects)"

# ---- B down: A's store serves ----
stop_fabrik b
if [ $HAVE_GRADLE = 1 ]; then
	run_gradle b-down
	ok $? "B down: gradle build succeeds"
	gradle_from_cache b-down
	ok $? "B down: compileJava FROM-CACHE from A's store"
fi
if [ $HAVE_BAZEL = 1 ]; then
	run_bazel b-down
	ok $? "B down: bazel build succeeds"
	is "$(remote_hits b-down)" 2 "B down: every genrule a remote hit from A"
fi
turbo_get_ok
ok $? "B down: the turbo artifact is served from A's store"
is "$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$a_port_http/cache/00000000000000000000000000000001")" \
    404 "B down: a miss is a 404, not an error"
stop_fabrik a

# ---- (c) auth between layers ----
TOKEN=layer-secret
start_fabrik s server --config-cache-dir "$TRASH/s" \
    --config-fabrik-bind 127.0.0.1:0 \
    --config-observability-log-format text \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-auth-required true --config-auth-tokens "$TOKEN,reader:read" \
    --config-cache-max-object-size 8MiB
ok $? "server S with auth.required starts"
SPORT=$s_port_fabrik

# ---- (e) every FabrikCache method with good and bad input ----
"$PY" "$TOP/t/fabrik_test.py" "127.0.0.1:$SPORT" "$TOKEN" reader 8388608 \
    >"$TRASH/py.out" 2>&1
rc=$?
sed 's/^ok [0-9]* - /# py: ok - /; s/^not ok [0-9]* - /# py: NOT OK - /' \
    "$TRASH/py.out"
is "$rc" 0 "fabrik_test.py exits 0"
is "$(grep -c '^ok ' "$TRASH/py.out")" 66 "all 66 FabrikCache checks pass"

# start_up NAME EXTRA-TOML [ARGS...]: a daemon whose upstream is S.
start_up() {
	_n=$1
	printf '[[upstream]]\nurl = "grpc://127.0.0.1:%s"\ntimeout = "5s"\n%s\n' \
	    "${UPORT:-$SPORT}" "$2" >"$TRASH/$_n.toml"
	shift 2
	start_fabrik "$_n" daemon --config "$TRASH/$_n.toml" \
	    --config-cache-dir "$TRASH/$_n" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0 "$@"
}
gput() {
	printf '%s' "$3" >"$TRASH/gput.body"
	curl -s -o /dev/null -w '%{http_code}' -X PUT \
	    --data-binary "@$TRASH/gput.body" "http://127.0.0.1:$1/cache/$2"
}
gget() {
	curl -s -o "$TRASH/get.out" -w '%{http_code}' \
	    "http://127.0.0.1:$1/cache/$2"
}
start_up t "token = \"$TOKEN\""
is "$(gput "$t_port_http" a0a0 'with the token')" 200 "PUT to A with a token"
wait_ge fabrik_upstream_requests_total "$t_port_metrics" \
    'op="put",result="ok"' 1
ok $? "the upload to S with the right token succeeds"
stop_fabrik t
rm -rf "$TRASH/t"
start_up t "token = \"$TOKEN\""
is "$(gget "$t_port_http" a0a0)/$(cat "$TRASH/get.out")" "200/with the token" \
    "after a wipe, A reads it back from S with the token"
stop_fabrik t
FABRIK_TOKEN=$TOKEN start_up e ""
is "$(gput "$e_port_http" a0a1 'token from FABRIK_TOKEN')" 200 \
    "PUT to A whose token comes from FABRIK_TOKEN"
wait_ge fabrik_upstream_requests_total "$e_port_metrics" \
    'op="put",result="ok"' 1
ok $? "FABRIK_TOKEN is used for grpc:// upstreams"
stop_fabrik e
start_up w 'token = "wrong-token"'
is "$(gput "$w_port_http" a0a2 'wrong token')" 200 \
    "PUT to A with a wrong upstream token still answers 200"
wait_ge fabrik_upstream_requests_total "$w_port_metrics" \
    'op="put",result="error"' 1
ok $? "the upload is refused"
grep -q 'put failed: UNAUTHENTICATED: invalid credentials' "$TRASH/w.log"
ok $? "A logs the refusal with its status"
is "$(gget "$w_port_http" a0a2)/$(cat "$TRASH/get.out")" "200/wrong token" \
    "A still serves the object from its own store"
is "$(gget "$w_port_http" a0a0)" 404 "what only S has is a miss, not an error"
stop_fabrik w
start_up r 'token = "reader"'
is "$(gget "$r_port_http" a0a0)/$(cat "$TRASH/get.out")" "200/with the token" \
    "a read-only token reads from S"
is "$(gput "$r_port_http" a0a3 'read only')" 200 "PUT to A with a read-only upstream token"
wait_ge fabrik_upstream_requests_total "$r_port_metrics" \
    'op="put",result="error"' 1
ok $? "the upload is refused"
grep -q 'put failed: PERMISSION_DENIED: token may not write' "$TRASH/r.log"
ok $? "A logs PERMISSION_DENIED"
stop_fabrik r
stop_fabrik s

# The daemon serves FabrikCache on its gRPC listener too.
start_fabrik g daemon --config-cache-dir "$TRASH/g" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0
is "$(gput "$g_port_http" a1a1 'via http')" 200 "PUT to a daemon over HTTP"
"$PY" - "$g_port_grpc" <<'PYEOF'
import hashlib, sys
import grpc
ch = grpc.insecure_channel("127.0.0.1:" + sys.argv[1])
ex = ch.unary_unary("/fabrik.v1.FabrikCache/Exists",
                    request_serializer=lambda b: b,
                    response_deserializer=lambda b: b)
k = hashlib.sha256(b"gradle\0a1a1").digest()
r = ex(b"\x0a\x20" + k, timeout=10)
sys.exit(0 if r == b"\x0a\x20" + k else 1)
PYEOF
ok $? "the daemon's gRPC listener answers FabrikCache.Exists"
stop_fabrik g

# ---- (d) grpcs with a CA made here ----
if command -v openssl >/dev/null 2>&1 &&
    (cd "$TRASH" && openssl req -x509 -newkey ec \
	-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
	-days 2 -subj /CN=Fabrik-test-ca \
	-addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout srv.key -out srv.csr -subj /CN=localhost &&
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >ext.cnf &&
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -out srv.pem -days 2 -extfile ext.cnf) \
	>"$TRASH/openssl.log" 2>&1; then
	start_fabrik x server --config-cache-dir "$TRASH/x" \
	    --config-fabrik-bind 127.0.0.1:0 \
	    --config-fabrik-tls-cert "$TRASH/srv.pem" \
	    --config-fabrik-tls-key "$TRASH/srv.key" \
	    --config-observability-log-format text \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0
	ok $? "server X with fabrik.tls_cert/tls_key starts"
	XPORT=$x_port_fabrik
	grep -q "fabrik protocol grpcs://127.0.0.1:$XPORT\$" "$TRASH/x.log"
	ok $? "X logs its grpcs:// address"
	printf '[[upstream]]\nurl = "grpcs://127.0.0.1:%s"\ntimeout = "5s"\ntls_ca_file = "%s"\n' \
	    "$XPORT" "$TRASH/ca.pem" >"$TRASH/y.toml"
	start_y() {
		start_fabrik y daemon --config "$TRASH/y.toml" \
		    --config-cache-dir "$TRASH/y" \
		    --config-daemon-bind 127.0.0.1:0 \
		    --config-observability-health-bind 127.0.0.1:0 \
		    --config-observability-metrics-bind 127.0.0.1:0
	}
	start_y
	is "$(gput "$y_port_http" b0b0 'over TLS')" 200 "PUT to A (grpcs upstream)"
	wait_ge fabrik_upstream_requests_total "$y_port_metrics" \
	    'op="put",result="ok"' 1
	ok $? "the upload over grpcs with tls_ca_file succeeds"
	stop_fabrik y
	rm -rf "$TRASH/y"
	start_y
	is "$(gget "$y_port_http" b0b0)/$(cat "$TRASH/get.out")" "200/over TLS" \
	    "after a wipe, read back over grpcs"
	stop_fabrik y
	printf '[[upstream]]\nurl = "grpcs://127.0.0.1:%s"\ntimeout = "5s"\n' \
	    "$XPORT" >"$TRASH/v.toml"
	start_fabrik v daemon --config "$TRASH/v.toml" \
	    --config-cache-dir "$TRASH/v" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0
	is "$(gget "$v_port_http" b0b0)" 404 \
	    "without the CA: the certificate is not trusted, a miss"
	grep -q 'get failed: .*certificate verify failed' "$TRASH/v.log"
	ok $? "A logs the verification failure"
	stop_fabrik v
	stop_fabrik x
else
	echo "# openssl could not make a test CA: no grpcs checks"
fi

if [ $tap_failed -ne 0 ]; then
	for f in a b; do
		echo "# $f.log:"
		tail -20 "$TRASH/$f.log" | sed 's/^/#   /'
	done
fi
done_testing
