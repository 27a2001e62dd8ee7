#!/bin/sh
# Turborepo remote cache: fabrik daemon vs the turborepo-remote-cache npm
# server (local storage), side by side on 127.0.0.1, same corpus, wrk.
#
#   make fabrik && contrib/bench/turbo-vs-trc.sh
#
# Environment: DURATION (seconds per run, default 10), CONNS (default 16),
# N (artifacts, default 500), SIZE (bytes each, default 65536),
# TRC_DIR (where the npm server is installed, default
# ${TMPDIR:-/tmp}/fabrik-bench-trc; installed with npm on first use),
# BEFORE (another fabrik binary, e.g. an older build: it is measured in
# the same run, alternating with the others, and shown as "before"),
# MAX_SIZE (fabrik's cache.max_size, default 1GB).
# PUTs are measured three ways (see put-*.lua below); fabrik runs with
# cache.max_size = MAX_SIZE (default 1GB), so after their first seconds
# the new-key runs measure a full cache that evicts as it writes (the
# steady state of a production cache; turborepo-remote-cache has no
# size limit and just grows).
# Memory (VmRSS) is read after the GET and overwrite runs (500 + 256
# keys), after the new-key runs (which leave some 100,000 objects: the
# index is a memory-mapped file, and its pages count in fabrik's RSS),
# and as RssAnon (the process's own memory, without mapped files).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
FABRIK=${FABRIK:-$TOP/fabrik}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
N=${N:-500}
SIZE=${SIZE:-65536}
TRC_DIR=${TRC_DIR:-${TMPDIR:-/tmp}/fabrik-bench-trc}
T=$(mktemp -d "${TMPDIR:-/tmp}/turbo-vs-trc.XXXXXX")
BEFORE=${BEFORE:-}
MAX_SIZE=${MAX_SIZE:-1GB}
FPID= TPID= BPID=
cleanup() {
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null
	[ -n "$TPID" ] && kill "$TPID" 2>/dev/null
	[ -n "$BPID" ] && kill "$BPID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

if [ ! -f "$TRC_DIR/node_modules/turborepo-remote-cache/dist/cli.js" ]; then
	mkdir -p "$TRC_DIR"
	(cd "$TRC_DIR" && npm install --no-audit --no-fund \
	    turborepo-remote-cache >/dev/null 2>&1)
fi
TRC_VERSION=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' \
    "$TRC_DIR/node_modules/turborepo-remote-cache/package.json")

# start_fabrik BINARY NAME: starts it; sets PID and PORT.
start_fabrik() {
	"$1" daemon --config-cache-dir "$T/$2" \
	    --config-daemon-bind 127.0.0.1:0 --config-daemon-grpc-bind '' \
	    --config-observability-health-bind '' \
	    --config-observability-metrics-bind '' \
	    --config-auth-required true --config-auth-tokens tok \
	    --config-cache-max-size "$MAX_SIZE" >"$T/$2.log" 2>&1 &
	PID=$!
	i=0
	until grep -q '\[fabrik\] ready' "$T/$2.log"; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/$2.log"; exit 1; }
		sleep 0.05
	done
	PORT=$(sed -n 's/^\[fabrik\] listening http on .*:\([0-9]*\)$/\1/p' \
	    "$T/$2.log")
}
start_fabrik "$FABRIK" fabrik
FPID=$PID FPORT=$PORT
BPORT=
if [ -n "$BEFORE" ]; then
	start_fabrik "$BEFORE" before
	BPID=$PID BPORT=$PORT
fi
TPORT=$((20000 + $$ % 20000))
PORT=$TPORT TURBO_TOKEN=tok STORAGE_PROVIDER=local STORAGE_PATH="$T/trc" \
    LOG_LEVEL=error NODE_ENV=production \
    node "$TRC_DIR/node_modules/turborepo-remote-cache/dist/cli.js" \
    >"$T/trc.log" 2>&1 &
TPID=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$TPORT/v8/artifacts/status" \
    -H 'Authorization: Bearer tok'; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/trc.log"; exit 1; }; sleep 0.1
done

head -c "$SIZE" /dev/urandom >"$T/body"
k=0
while [ $k -lt "$N" ]; do
	for p in "$FPORT" "$TPORT" $BPORT; do
		curl -s -o /dev/null -X PUT -H 'Authorization: Bearer tok' \
		    -H 'Content-Type: application/octet-stream' \
		    --data-binary @"$T/body" \
		    "http://127.0.0.1:$p/v8/artifacts/a$k?slug=bench"
	done
	k=$((k + 1))
done
for p in "$FPORT" "$TPORT" $BPORT; do
	curl -s -H 'Authorization: Bearer tok' \
	    "http://127.0.0.1:$p/v8/artifacts/a7?slug=bench" | cmp -s - "$T/body" ||
	    { echo "server on $p does not return the corpus"; exit 1; }
done

cat >"$T/get.lua" <<LUA
math.randomseed(42)
wrk.headers["Authorization"] = "Bearer tok"
request = function()
	return wrk.format("GET", "/v8/artifacts/a" .. math.random(0, $N - 1) .. "?slug=bench")
end
LUA
# PUT workloads: the same artifact again to one of 256 keys (what a
# second CI job uploading an identical result does), other bytes to one
# of 256 keys (a non-reproducible result replacing the old one), and new
# keys only (a cache miss uploading its result: the common case).
put_head="local f = io.open(\"$T/body\", \"rb\")
local body = f:read(\"*a\")
f:close()
wrk.headers[\"Authorization\"] = \"Bearer tok\"
wrk.headers[\"Content-Type\"] = \"application/octet-stream\""
cat >"$T/put-same.lua" <<LUA
$put_head
math.randomseed(7)
request = function()
	return wrk.format("PUT", "/v8/artifacts/p" .. math.random(0, 255) .. "?slug=bench", nil, body)
end
LUA
cat >"$T/put-other.lua" <<LUA
$put_head
local bodies = {}
for i = 1, 16 do bodies[i] = string.char(i) .. body:sub(2) end
math.randomseed(11)
request = function()
	return wrk.format("PUT", "/v8/artifacts/p" .. math.random(0, 255) .. "?slug=bench", nil, bodies[math.random(16)])
end
LUA
cat >"$T/put-new.lua" <<LUA
$put_head
local prefix, n = "n", 0
init = function(args) prefix = args[1] end
request = function()
	n = n + 1
	return wrk.format("PUT", "/v8/artifacts/" .. prefix .. "-" .. n .. "?slug=bench", nil, body)
end
LUA
run=0
rps() {
	run=$((run + 1))
	wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$2" "http://127.0.0.1:$1/" \
	    -- "r$run" |
	    sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\)/\1/p'
}
rss() {
	sed -n "s/^${2:-VmRSS}:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"
}
# "rss LABEL fabrik trc [before]" lines, from VmRSS (or field $2).
rss_line() {
	echo "rss $1 $(rss "$FPID" "${2:-}") $(rss "$TPID" "${2:-}")" \
	    "$([ -n "$BPID" ] && rss "$BPID" "${2:-}")"
}
# One workload, alternating: fabrik, trc[, before], then the reverse
# order.  Prints "name fabrik1 fabrik2 trc1 trc2 [before1 before2]".
measure() {
	f1=$(rps "$FPORT" "$T/$1.lua"); t1=$(rps "$TPORT" "$T/$1.lua")
	b1= b2=
	[ -n "$BPORT" ] && b1=$(rps "$BPORT" "$T/$1.lua")
	[ -n "$BPORT" ] && b2=$(rps "$BPORT" "$T/$1.lua")
	t2=$(rps "$TPORT" "$T/$1.lua"); f2=$(rps "$FPORT" "$T/$1.lua")
	echo "$1 $f1 $f2 $t1 $t2 $b1 $b2"
}
{
	measure get
	measure put-same
	measure put-other
	rss_line a
	measure put-new
	rss_line b
	rss_line c RssAnon
} >"$T/results"
awk -v v="$TRC_VERSION" -v c="$CONNS" -v s="$SIZE" -v before="$BPORT" '
$1 == "rss" { fr[$2] = $3; tr[$2] = $4; br[$2] = $5; next }
{ name[++n] = $1; for (i = 2; i <= NF; i++) x[n, i] = $i }
END {
	label["get"] = "GET req/s"
	label["put-same"] = "PUT same bytes req/s"
	label["put-other"] = "PUT other bytes req/s"
	label["put-new"] = "PUT new keys req/s"
	printf "turborepo-remote-cache %s (local storage), %d connections, %d-byte artifacts\n", v, c, s
	printf "%-22s %12s %12s %8s", "measurement", "fabrik", "trc", "ratio"
	if (before != "") printf " %12s %8s", "before", "ratio"
	printf "\n"
	for (k = 1; k <= n; k++) {
		f = (x[k, 2] + x[k, 3]) / 2; t = (x[k, 4] + x[k, 5]) / 2
		printf "%-22s %12.0f %12.0f %8.2f", label[name[k]], f, t, f / t
		if (before != "") {
			b = (x[k, 6] + x[k, 7]) / 2
			printf " %12.0f %8.2f", b, b / t
		}
		printf "\n"
	}
	rl["a"] = "RSS KiB, 756 keys"
	rl["b"] = "RSS KiB, + new keys"
	rl["c"] = "  of which anonymous"
	for (k = 0; k < 3; k++) {
		w = substr("abc", k + 1, 1)
		printf "%-22s %12d %12d %8.3f", rl[w], fr[w], tr[w], fr[w] / tr[w]
		if (before != "") printf " %12d %8.3f", br[w], br[w] / tr[w]
		printf "\n"
	}
	printf "runs (req/s):"
	for (k = 1; k <= n; k++) {
		printf " %s fabrik %.0f %.0f, trc %.0f %.0f", name[k], x[k, 2], x[k, 3], x[k, 4], x[k, 5]
		if (before != "") printf ", before %.0f %.0f", x[k, 6], x[k, 7]
		printf ";"
	}
	printf "\n"
}' "$T/results"
