#!/bin/sh
# The real Bazel (Debian's bazel-bootstrap) against `fabrik daemon` over
# gRPC (REAPI v2): a cold build of a genrule-only workspace uploads, a
# build in a fresh output base must report remote cache hits and produce
# the right output; the action cache is shared with the HTTP protocol;
# then the same with auth required and a Bearer token in
# --remote_header, and a refused build without it.
. "$(dirname "$0")/lib/tap.sh"

command -v bazel >/dev/null 2>&1 || skip_all "bazel not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"

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
    cmd = "cat $< > $@; echo beta >> $@",
)

genrule(
    name = "c",
    srcs = [":b"],
    outs = ["c.txt"],
    cmd = "tr a-z A-Z < $< > $@; head -c 300000 /dev/zero | tr '\\0' x >> $@",
)
BEOF

# run_bazel NAME URL [FLAG...]: one batch-mode build in its own output
# base (nothing local survives from an earlier run).
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
remote_hits() {
	n=$(sed -n 's/^INFO: [0-9]* processes:.*[^0-9]\([0-9][0-9]*\) remote cache hit.*/\1/p' \
	    "$TRASH/bazel-$1.log" | tail -n 1)
	echo "${n:-0}"
}
output_ok() {
	f=$TRASH/ob-$1/execroot/__main__/bazel-out/k8-fastbuild/bin/c.txt
	[ "$(head -n 2 "$f" 2>/dev/null)" = "ALPHA
BETA" ] && [ "$(wc -c <"$f")" -eq 300011 ]
}
metric() {
	curl -s "http://127.0.0.1:$2/metrics" |
	    sed -n "s/^fabrik_tool_requests_total{tool=\"$1\",result=\"$3\"} //p"
}

start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0
ok $? "fabrik daemon starts"
G=grpc://127.0.0.1:$d_port_grpc

run_bazel cold "$G"
ok $? "cold bazel build over gRPC succeeds"
is "$(remote_hits cold)" 0 "cold build has no remote cache hits"
grep -q 'WARNING.*[Rr]emote' "$TRASH/bazel-cold.log"
ok $((!$?)) "cold build printed no remote cache warnings"
[ "$(metric bazel-cas "$d_port_metrics" put)" -ge 3 ] &&
    [ "$(metric bazel-ac "$d_port_metrics" put)" -ge 3 ]
ok $? "Bazel uploaded outputs and action results (cas $(metric bazel-cas "$d_port_metrics" put), ac $(metric bazel-ac "$d_port_metrics" put))"

run_bazel warm "$G"
ok $? "warm bazel build in a fresh output base succeeds"
h=$(remote_hits warm)
[ "$h" -ge 1 ]
ok $? "warm build: $h remote cache hits (N >= 1)"
is "$h" 3 "... every genrule was a hit"
output_ok warm
ok $? "warm build's outputs came intact from the cache (300 KiB ByteStream read)"
[ "$(metric bazel-ac "$d_port_metrics" hit)" -ge 3 ]
ok $? "fabrik counted action-cache hits ($(metric bazel-ac "$d_port_metrics" hit))"

# The same action cache over HTTP: a build with the HTTP protocol hits
# the entries Bazel wrote over gRPC.
run_bazel http "http://127.0.0.1:$d_port_http/bazel"
ok $? "bazel build over HTTP after the gRPC builds succeeds"
is "$(remote_hits http)" 3 "... with 3 remote cache hits from the gRPC uploads"

# An instance name: its action cache is its own.
run_bazel inst "$G" --remote_instance_name=team-a/linux
ok $? "build with --remote_instance_name succeeds"
is "$(remote_hits inst)" 0 "another instance does not see the default one's results"
stop_fabrik d
ok $? "fabrik exits 0 on SIGTERM"

# Auth required: a Bearer token in --remote_header.
TOKEN=grpc-bazel-secret
start_fabrik a daemon --config-cache-dir "$TRASH/cache-auth" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-auth-required true --config-auth-tokens "$TOKEN"
ok $? "fabrik daemon with auth.required starts"
G=grpc://127.0.0.1:$a_port_grpc
run_bazel noauth "$G"
rc=$?
[ "$rc" -ne 0 ] || grep -q 'UNAUTHENTICATED' "$TRASH/bazel-noauth.log"
ok $? "without a token Bazel is refused (exit $rc, UNAUTHENTICATED)"
is "$(find "$TRASH/cache-auth/objects" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 \
    "... and nothing was stored"
run_bazel auth-cold "$G" "--remote_header=authorization=Bearer $TOKEN"
ok $? "cold build with --remote_header=authorization=Bearer succeeds"
is "$(remote_hits auth-cold)" 0 "... no hits"
run_bazel auth-warm "$G" "--remote_header=authorization=Bearer $TOKEN"
ok $? "warm build with the token succeeds"
h=$(remote_hits auth-warm)
[ "$h" -ge 1 ]
ok $? "warm build with the token: $h remote cache hits (N >= 1)"
output_ok auth-warm
ok $? "... and the right outputs"
stop_fabrik a
ok $? "fabrik exits 0 on SIGTERM"

if [ $tap_failed -ne 0 ]; then
	for l in cold warm http inst noauth auth-cold auth-warm; do
		echo "# bazel-$l.log:"
		tail -15 "$TRASH/bazel-$l.log" 2>/dev/null | sed 's/^/#   /'
	done
	sed 's/^/#   /' "$TRASH/d.log" | tail -20
fi
done_testing
