#!/bin/sh
# The real Bazel (Debian's bazel-bootstrap) against a real `fabrik daemon`
# over Bazel's HTTP remote cache: a cold build of a genrule-only workspace
# uploads, a build in a fresh output base must report remote cache hits;
# the same with an instance prefix (action-cache entries are per
# instance).  Then the protocol edges with curl: CAS digest verification,
# HEAD, the empty blob, malformed paths, Basic in both base64 alphabets.
. "$(dirname "$0")/lib/tap.sh"

command -v bazel >/dev/null 2>&1 || skip_all "bazel not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"

# '~' makes the standard and the URL-safe base64 of "ci:TOKEN" differ.
TOKEN='bazel~secret'
start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-auth-required true \
    --config-auth-tokens "$TOKEN,reader:read"
ok $? "fabrik daemon starts"
P=$d_port_http
U=http://127.0.0.1:$P/bazel

grep -q "bazel flag --remote_cache=http://127.0.0.1:$P/bazel" "$TRASH/d.log"
ok $? "the daemon prints the bazel --remote_cache flag"

ws=$TRASH/ws
mkdir -p "$ws"
: >"$ws/WORKSPACE"
cat >"$ws/BUILD" <<'EOF'
genrule(
    name = "a",
    outs = ["a.txt"],
    cmd = "echo alpha > $@",
)

genrule(
    name = "b",
    srcs = [":a"],
    outs = ["b.txt"],
    cmd = "cat $< > $@; echo beta >> $@",
)

genrule(
    name = "c",
    srcs = [":b"],
    outs = ["c.txt"],
    cmd = "tr a-z A-Z < $< > $@",
)
EOF

metric() {
	curl -s "http://127.0.0.1:$d_port_metrics/metrics" |
	    sed -n "s/^fabrik_tool_requests_total{tool=\"$1\",result=\"$2\"} //p"
}
objects() {
	find "$TRASH/cache/objects" -type f 2>/dev/null | wc -l | tr -d ' '
}
# run_bazel NAME URL [FLAG]: one batch-mode build in its own output base
# (so nothing local survives from an earlier run) with the remote cache.
run_bazel() {
	_n=$1
	_u=$2
	shift 2
	(cd "$ws" && timeout 600 bazel --batch \
	    --output_user_root="$TRASH/bazel-root" \
	    --output_base="$TRASH/ob-$_n" --host_jvm_args=-Xmx1g --nohome_rc \
	    build --spawn_strategy=local --nosandbox_debug \
	    --remote_cache="$_u" "$@" //:all) >"$TRASH/bazel-$_n.log" 2>&1
}
# remote_hits NAME: N of "INFO: K processes: N remote cache hit, ...".
remote_hits() {
	n=$(sed -n 's/^INFO: [0-9]* processes:.*[^0-9]\([0-9][0-9]*\) remote cache hit.*/\1/p' \
	    "$TRASH/bazel-$1.log" | tail -n 1)
	echo "${n:-0}"
}

# Credentials in the URL: Bazel sends them as Basic in the URL-safe
# base64 alphabet, which the '~' in the token makes visible.
CACHE_URL="http://ci:$TOKEN@127.0.0.1:$P/bazel"
run_bazel cold "$CACHE_URL"
ok $? "cold bazel build succeeds"
is "$(remote_hits cold)" 0 "cold build has no remote cache hits"
grep -q 'Remote Cache' "$TRASH/bazel-cold.log"
ok $((!$?)) "cold build printed no remote cache warnings"
cold_objects=$(objects)
[ "$cold_objects" -ge 6 ]
ok $? "cold build uploaded action results and outputs ($cold_objects objects)"
puts=$(metric bazel-cas put)
[ "${puts:-0}" -ge 3 ]
ok $? "fabrik counted bazel CAS uploads ($puts)"

ac_hits_before=$(metric bazel-ac hit)
run_bazel warm "$CACHE_URL"
ok $? "warm bazel build in a fresh output base succeeds"
is "$(remote_hits warm)" 3 "warm build: 3 remote cache hits (every genrule)"
grep -q 'Remote Cache' "$TRASH/bazel-warm.log"
ok $((!$?)) "warm build printed no remote cache warnings"
is "$(cat "$TRASH/ob-warm/execroot/__main__/bazel-out/k8-fastbuild/bin/c.txt" 2>&1)" \
    "ALPHA
BETA" "warm build produced the right output from cached blobs"
[ "$(metric bazel-ac hit)" -ge $((${ac_hits_before:-0} + 3)) ]
ok $? "fabrik's bazel-ac hit counter rose ($ac_hits_before -> $(metric bazel-ac hit))"
[ "$(metric bazel-cas hit)" -ge 1 ]
ok $? "fabrik served CAS blobs ($(metric bazel-cas hit) hits)"
is "$(objects)" "$cold_objects" "warm build re-uploaded nothing new"

# An instance prefix: its action cache is its own.
run_bazel inst-cold "$CACHE_URL/team-a/linux_x86-64"
ok $? "cold build under an instance prefix succeeds"
is "$(remote_hits inst-cold)" 0 \
    "an instance does not see the default instance's action results"
# The warm run authenticates with a Bearer header instead.
run_bazel inst-warm "http://127.0.0.1:$P/bazel/team-a/linux_x86-64" \
    "--remote_header=Authorization=Bearer $TOKEN"
ok $? "warm build under the instance prefix (Bearer header) succeeds"
is "$(remote_hits inst-warm)" 3 "warm build under the instance: 3 remote cache hits"
grep -q 'Remote Cache' "$TRASH/bazel-inst-warm.log"
ok $((!$?)) "... with no remote cache warnings"

# Protocol edges with curl.
A="Authorization: Bearer $TOKEN"
printf 'the content of a blob\n' >"$TRASH/blob"
printf 'something else\n' >"$TRASH/other"
H=$(sha256sum "$TRASH/blob" | cut -c1-64)
HO=$(sha256sum "$TRASH/other" | cut -c1-64)
EMPTY=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
code() {
	curl -s --path-as-is -o /dev/null -w '%{http_code}' "$@"
}

is "$(code "$U/cas/$H")" 401 "no credentials: 401"
curl -s -D - -o /dev/null "$U/cas/$H" | tr -d '\r' |
    grep -q '^WWW-Authenticate: Basic realm="fabrik"'
ok $? "401 carries WWW-Authenticate: Basic"
is "$(code -u "ci:wrong" "$U/cas/$H")" 401 "wrong Basic password: 401"
is "$(code -H "Authorization: Bearer nope" "$U/cas/$H")" 401 \
    "wrong bearer token: 401"
std=$(printf 'ci:%s' "$TOKEN" | base64 | tr -d '\n')
url=$(printf '%s' "$std" | tr '+/' '-_')
[ "$std" != "$url" ]
ok $? "the credentials differ between the base64 alphabets ($std, $url)"
is "$(code -H "Authorization: Basic $std" "$U/cas/$H")" 404 \
    "Basic in the standard alphabet is accepted (404 miss)"
is "$(code -H "Authorization: Basic $url" "$U/cas/$H")" 404 \
    "Basic in the URL-safe alphabet is accepted (404 miss)"
is "$(code -H "$A" "$U/cas/$H")" 404 "Bearer is accepted (404 miss)"
is "$(code -I -H "$A" "$U/cas/$H")" 404 "HEAD of an absent blob: 404"

is "$(code -H "$A" -T "$TRASH/other" "$U/cas/$H")" 400 \
    "CAS PUT whose body does not match its digest: 400"
is "$(code -H "$A" "$U/cas/$H")" 404 "... and nothing was stored (GET 404)"
is "$(code -H "$A" -T "$TRASH/blob" "$U/cas/$H")" 200 "CAS PUT: 200"
curl -s -H "$A" "$U/cas/$H" -o "$TRASH/back" && cmp -s "$TRASH/blob" "$TRASH/back"
ok $? "CAS GET returns the blob"
out=$(curl -s -I -H "$A" "$U/cas/$H" | tr -d '\r')
echo "$out" | grep -q '^HTTP/1.1 200' &&
    echo "$out" | grep -q "^Content-Length: $(wc -c <"$TRASH/blob" | tr -d ' ')\$"
ok $? "CAS HEAD: 200 with the blob's Content-Length"
is "$(code -H "$A" -T "$TRASH/blob" "$U/cas/$H")" 200 \
    "CAS re-PUT of a stored blob: 200"
is "$(code -H "$A" -T "$TRASH/other" "$U/cas/$H")" 400 \
    "CAS re-PUT of a stored digest with other bytes: 400"
curl -s -H "$A" "$U/cas/$H" -o "$TRASH/back" && cmp -s "$TRASH/blob" "$TRASH/back"
ok $? "... and the stored blob is unchanged"
is "$(code -H "$A" "$U/cas/$HO")" 404 "the mismatched bytes are not stored under their own digest"
is "$(code -H "$A" "$U/some/instance/cas/$H")" 200 \
    "CAS blobs are shared across instances"
out=$(curl -s -D - -o "$TRASH/empty" -H "$A" "$U/cas/$EMPTY" | tr -d '\r')
echo "$out" | grep -q '^HTTP/1.1 200' && [ ! -s "$TRASH/empty" ]
ok $? "the empty blob is always present (200, no bytes)"

is "$(code -H "$A" -T "$TRASH/other" "$U/ac/$H")" 200 "AC PUT: 200"
curl -s -H "$A" "$U/ac/$H" -o "$TRASH/back" && cmp -s "$TRASH/other" "$TRASH/back"
ok $? "AC GET returns the action result as stored (not validated)"
is "$(code -I -H "$A" "$U/ac/$H")" 200 "AC HEAD: 200"
is "$(code -H "$A" "$U/ci/ac/$H")" 404 "AC entries are per instance (404 elsewhere)"
is "$(code -H "$A" -T "$TRASH/blob" "$U/ci/ac/$H")" 200 "AC PUT under an instance: 200"
curl -s -H "$A" "$U/ac/$H" -o "$TRASH/back" && cmp -s "$TRASH/other" "$TRASH/back"
ok $? "... and the default instance's entry is untouched"

is "$(code -u "x:reader" "$U/ac/$H")" 200 "a read-only token may GET"
is "$(code -u "x:reader" -T "$TRASH/blob" "$U/ac/$H")" 403 \
    "a read-only token may not PUT: 403"
is "$(code -H "$A" -X DELETE "$U/ac/$H")" 405 "DELETE: 405"
is "$(code -H "$A" -X POST "$U/cas/$H")" 405 "POST: 405"

upper=$(printf '%s' "$H" | tr a-f A-F)
for bad in "cas/$upper" "cas/${H%?}" "cas/${H}0" "cas/$(printf '%s' "$H" | sed 's/^./g/')" \
    "xyz/$H" "$H" "ac/" "/ac/$H" "../ac/$H" "a/../ac/$H" "./ac/$H" \
    "a//b/ac/$H" "a%2fb/ac/$H" "a%20b/ac/$H" "ac/$H/" \
    "$(printf 'i%.0s' $(seq 1 257))/ac/$H"; do
	is "$(code -H "$A" -X PUT --data-binary "@$TRASH/blob" "$U/$bad")" \
	    400 "PUT to a malformed path '$(printf '%.40s' "$bad")': 400"
done
# Good instance names.
for inst in "a" "A.b_c-d" "x/y/z" "..a" "$(printf 'i%.0s' $(seq 1 256))"; do
	is "$(code -H "$A" "$U/$inst/ac/$H")" 404 "instance '$(printf '%.20s' "$inst")' is accepted"
done

if [ $tap_failed -ne 0 ]; then
	for l in cold warm inst-cold inst-warm; do
		echo "# bazel-$l.log:"
		tail -15 "$TRASH/bazel-$l.log" 2>/dev/null | sed 's/^/#   /'
	done
	sed 's/^/#   /' "$TRASH/d.log" | tail -20
fi
stop_fabrik d
ok $? "fabrik exits 0 on SIGTERM"
done_testing
