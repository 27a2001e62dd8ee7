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
# the same run, alternating with the others, and shown as "before").
# Every PUT of a run overwrites one of 256 artifacts (same body).
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
	    >"$T/$2.log" 2>&1 &
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
# Alternating: fabrik, trc[, before], then the reverse order.
bg= bg2= bp= bp2=
fg=$(rps "$FPORT" "$T/get.lua"); tg=$(rps "$TPORT" "$T/get.lua")
[ -n "$BPORT" ] && bg=$(rps "$BPORT" "$T/get.lua")
[ -n "$BPORT" ] && bg2=$(rps "$BPORT" "$T/get.lua")
tg2=$(rps "$TPORT" "$T/get.lua"); fg2=$(rps "$FPORT" "$T/get.lua")
fp=$(rps "$FPORT" "$T/put.lua"); tp=$(rps "$TPORT" "$T/put.lua")
[ -n "$BPORT" ] && bp=$(rps "$BPORT" "$T/put.lua")
[ -n "$BPORT" ] && bp2=$(rps "$BPORT" "$T/put.lua")
tp2=$(rps "$TPORT" "$T/put.lua"); fp2=$(rps "$FPORT" "$T/put.lua")
frss=$(rss "$FPID"); trss=$(rss "$TPID")
brss=
[ -n "$BPID" ] && brss=$(rss "$BPID")
awk -v fg="$fg" -v fg2="$fg2" -v tg="$tg" -v tg2="$tg2" -v fp="$fp" \
    -v fp2="$fp2" -v tp="$tp" -v tp2="$tp2" -v fr="$frss" -v tr="$trss" \
    -v bg="$bg" -v bg2="$bg2" -v bp="$bp" -v bp2="$bp2" -v br="$brss" \
    -v v="$TRC_VERSION" -v c="$CONNS" -v s="$SIZE" 'BEGIN {
	f = (fg + fg2) / 2; t = (tg + tg2) / 2
	p = (fp + fp2) / 2; q = (tp + tp2) / 2
	printf "turborepo-remote-cache %s (local storage), %d connections, %d-byte artifacts\n", v, c, s
	if (bg == "") {
		printf "%-22s %12s %12s %8s\n", "measurement", "fabrik", "trc", "ratio"
		printf "%-22s %12.0f %12.0f %8.2f\n", "GET req/s", f, t, f / t
		printf "%-22s %12.0f %12.0f %8.2f\n", "PUT req/s", p, q, p / q
		printf "%-22s %12d %12d %8.3f\n", "RSS after load KiB", fr, tr, fr / tr
	} else {
		b = (bg + bg2) / 2; d = (bp + bp2) / 2
		printf "%-22s %12s %12s %8s %12s %8s\n", "measurement", "fabrik", "trc", "ratio", "before", "ratio"
		printf "%-22s %12.0f %12.0f %8.2f %12.0f %8.2f\n", "GET req/s", f, t, f / t, b, b / t
		printf "%-22s %12.0f %12.0f %8.2f %12.0f %8.2f\n", "PUT req/s", p, q, p / q, d, d / q
		printf "%-22s %12d %12d %8.3f %12d %8.3f\n", "RSS after load KiB", fr, tr, fr / tr, br, br / tr
	}
	printf "runs (req/s): GET fabrik %.0f %.0f, trc %.0f %.0f", fg, fg2, tg, tg2
	if (bg != "") printf ", before %.0f %.0f", bg, bg2
	printf "; PUT fabrik %.0f %.0f, trc %.0f %.0f", fp, fp2, tp, tp2
	if (bp != "") printf ", before %.0f %.0f", bp, bp2
	printf "\n"
}'
