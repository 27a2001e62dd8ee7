#!/bin/sh
# fabrik bazel -- ARGS: the flag is injected after the command word, other
# arguments pass through unchanged, signals reach bazel, the exit status is
# bazel's; then the real bazel, cold and warm, through the injected cache.
. "$(dirname "$0")/lib/tap.sh"

# A stand-in that records its arguments proves the plumbing exactly.
cat >"$TRASH/argv-bazel" <<'SH'
#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done >"$ARGS_OUT"
case "$*" in
*sleep*) trap 'echo TERM >"$ARGS_OUT.sig"; exit 143' TERM; sleep 30 & wait ;;
esac
exit 7
SH
chmod +x "$TRASH/argv-bazel"
ARGS_OUT=$TRASH/args FABRIK_BAZEL=$TRASH/argv-bazel FABRIK_TOKEN= \
    "$FABRIK" bazel --config-cache-dir "$TRASH/c0" -- \
    --output_base=/x build --jobs=2 //a:b "arg with space" \
    >"$TRASH/run0.log" 2>&1
is $? 7 "fabrik bazel exits with bazel's status"
got=$(tr '\n' '|' <"$TRASH/args")
case $got in
"--output_base=/x|build|--remote_cache=grpc://127.0.0.1:"*"|--jobs=2|//a:b|arg with space|")
	ok 0 "--remote_cache is injected after the command word only" ;;
*) ok 1 "--remote_cache is injected after the command word (got $got)" ;;
esac
ARGS_OUT=$TRASH/args2 FABRIK_BAZEL=$TRASH/argv-bazel FABRIK_TOKEN=tok123 \
    "$FABRIK" bazel --config-cache-dir "$TRASH/c0" -- test //x \
    >"$TRASH/run1.log" 2>&1
grep -qx -- '--remote_header=authorization=Bearer tok123' "$TRASH/args2"
ok $? "FABRIK_TOKEN becomes the authorization header"
ARGS_OUT=$TRASH/args3 FABRIK_BAZEL=$TRASH/argv-bazel \
    "$FABRIK" bazel --config-cache-dir "$TRASH/c0" -- build sleep \
    >"$TRASH/run2.log" 2>&1 &
pid=$!
i=0
while [ ! -f "$TRASH/args3" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM $pid
wait $pid
is $? 143 "SIGTERM reaches bazel and its status comes back"
[ -f "$TRASH/args3.sig" ]
ok $? "bazel saw the signal"
"$FABRIK" bazel build >/dev/null 2>&1
is $? 2 "without -- it is a usage error"

# A daemon already holds the cache directory: fabrik bazel uses it (a
# second daemon could not open the store) instead of starting one.
start_fabrik run daemon --config-cache-dir "$TRASH/c1" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind "" \
    --config-observability-metrics-bind ""
ok $? "a daemon runs on the cache directory"
ARGS_OUT=$TRASH/args4 FABRIK_BAZEL=$TRASH/argv-bazel FABRIK_TOKEN= \
    "$FABRIK" bazel --config-cache-dir "$TRASH/c1" -- build //x \
    >"$TRASH/run4.log" 2>&1
is $? 7 "fabrik bazel with a running daemon: bazel's status"
grep -qx -- "--remote_cache=grpc://127.0.0.1:$run_port_grpc" "$TRASH/args4"
ok $? "the running daemon's REAPI endpoint is injected"
grep -q "using the running daemon" "$TRASH/run4.log"
ok $? "and it says so"
stop_fabrik run

command -v bazel >/dev/null 2>&1 || { done_testing; }
ws=$TRASH/ws
mkdir -p "$ws"
: >"$ws/WORKSPACE"
cat >"$ws/BUILD" <<'BZL'
genrule(
    name = "hello",
    outs = ["hello.txt"],
    cmd = "echo hello from fabrik bazel > $@",
)
BZL
run_bazel() {
	(cd "$ws" && timeout 600 "$FABRIK" bazel --config-cache-dir "$TRASH/cache" -- \
	    --batch --output_user_root="$TRASH/root-$1" build \
	    --spawn_strategy=local --noshow_progress //:hello) \
	    >"$TRASH/bazel-$1.log" 2>&1
}
run_bazel cold
ok $? "cold build through fabrik bazel succeeds"
run_bazel warm
ok $? "warm build from a fresh output root succeeds"
grep -q '1 remote cache hit' "$TRASH/bazel-warm.log"
ok $? "the warm build is served by the injected Fabrik cache"
[ $tap_failed -eq 0 ] || sed 's/^/#   /' "$TRASH/bazel-warm.log" | tail -20
done_testing
