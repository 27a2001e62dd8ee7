#!/bin/sh
# Turborepo remote cache: fabrik daemon vs the turborepo-remote-cache npm
# server (local storage), side by side on 127.0.0.1, same corpus, wrk.
#
#   make fabrik && contrib/bench/turbo-vs-trc.sh
#
# Environment: DURATION (seconds per run, default 10), CONNS (default 16),
# N (artifacts, default 500), SIZE (bytes each, default 65536),
# TRC_DIR (where the npm server is installed, default
# ${TMPDIR:-/tmp}/fabrik-bench-trc; installed with npm on first use).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
FABRIK=${FABRIK:-$TOP/fabrik}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
N=${N:-500}
SIZE=${SIZE:-65536}
TRC_DIR=${TRC_DIR:-${TMPDIR:-/tmp}/fabrik-bench-trc}
T=$(mktemp -d "${TMPDIR:-/tmp}/turbo-vs-trc.XXXXXX")
FPID= TPID=
cleanup() {
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null
	[ -n "$TPID" ] && kill "$TPID" 2>/dev/null
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

"$FABRIK" daemon --config-cache-dir "$T/fabrik" \
    --config-daemon-bind 127.0.0.1:0 --config-daemon-grpc-bind '' \
    --config-observability-health-bind '' \
    --config-observability-metrics-bind '' \
    --config-auth-required true --config-auth-tokens tok \
    >"$T/fabrik.log" 2>&1 &
FPID=$!
i=0
until grep -q '\[fabrik\] ready' "$T/fabrik.log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/fabrik.log"; exit 1; }; sleep 0.05
done
FPORT=$(sed -n 's/^\[fabrik\] listening http on .*:\([0-9]*\)$/\1/p' "$T/fabrik.log")
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
	for p in "$FPORT" "$TPORT"; do
		curl -s -o /dev/null -X PUT -H 'Authorization: Bearer tok' \
		    -H 'Content-Type: application/octet-stream' \
		    --data-binary @"$T/body" \
		    "http://127.0.0.1:$p/v8/artifacts/a$k?slug=bench"
	done
	k=$((k + 1))
done
for p in "$FPORT" "$TPORT"; do
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
cat >"$T/put.lua" <<LUA
local f = io.open("$T/body", "rb")
local body = f:read("*a")
f:close()
math.randomseed(7)
wrk.headers["Authorization"] = "Bearer tok"
wrk.headers["Content-Type"] = "application/octet-stream"
request = function()
	return wrk.format("PUT", "/v8/artifacts/p" .. math.random(0, 255) .. "?slug=bench", nil, body)
end
LUA
rps() {
	wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$2" "http://127.0.0.1:$1/" |
	    sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\)/\1/p'
}
rss() {
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"
}
fg=$(rps "$FPORT" "$T/get.lua"); tg=$(rps "$TPORT" "$T/get.lua")
tg2=$(rps "$TPORT" "$T/get.lua"); fg2=$(rps "$FPORT" "$T/get.lua")
fp=$(rps "$FPORT" "$T/put.lua"); tp=$(rps "$TPORT" "$T/put.lua")
frss=$(rss "$FPID"); trss=$(rss "$TPID")
awk -v fg="$fg" -v fg2="$fg2" -v tg="$tg" -v tg2="$tg2" -v fp="$fp" \
    -v tp="$tp" -v fr="$frss" -v tr="$trss" -v v="$TRC_VERSION" \
    -v c="$CONNS" -v s="$SIZE" 'BEGIN {
	f = (fg + fg2) / 2; t = (tg + tg2) / 2
	printf "turborepo-remote-cache %s (local storage), %d connections, %d-byte artifacts\n", v, c, s
	printf "%-22s %12s %12s %8s\n", "measurement", "fabrik", "trc", "ratio"
	printf "%-22s %12.0f %12.0f %8.2f\n", "GET req/s", f, t, f / t
	printf "%-22s %12.0f %12.0f %8.2f\n", "PUT req/s", fp, tp, fp / tp
	printf "%-22s %12d %12d %8.3f\n", "RSS after load KiB", fr, tr, fr / tr
}'
