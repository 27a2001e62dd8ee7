#!/bin/sh
# Layer chain benchmark: a daemon A whose upstream is a second Fabrik's
# S3 API (B) on loopback.
#  1. outbox drain: N objects PUT to A, time until every upload reached B;
#  2. upstream GET: A's store wiped, N GETs that each fetch from B (cold)
#     vs the same N GETs again (served locally), one keep-alive connection;
#  3. open circuit: N GETs of absent keys on a daemon whose only upstream
#     is down with its circuit open, vs a daemon without upstreams.
# Prints objects/s, MB/s and per-request latency (median, p99).
#
# Usage: contrib/bench/chain-upstream.sh [N] [SIZE]   (from a built tree)
set -e

TOP=$(cd "$(dirname "$0")/../.." && pwd)
FABRIK=${FABRIK:-$TOP/fabrik}
N=${1:-2000}
SIZE=${2:-16384}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fabrik-chainbench.XXXXXX")
PIDS=
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$WORK"' EXIT
AK=AKBENCH
SK=benchsecret

# start NAME ARGS...: runs fabrik, waits for ready, sets NAME_<listener>.
start() {
	n=$1
	shift
	: >"$WORK/$n.log"
	"$FABRIK" "$@" >"$WORK/$n.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "${n}_pid=$!"
	i=0
	until grep -q '\[fabrik\] ready' "$WORK/$n.log"; do
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$WORK/$n.log"; exit 1; }
		sleep 0.05
	done
	eval "$(sed -n "s/^\[fabrik\] listening \([a-z0-9]*\) on .*:\([0-9]*\)$/${n}_\1=\2/p" "$WORK/$n.log")"
}
stop() {
	eval "kill \$${1}_pid; wait \$${1}_pid" 2>/dev/null || true
}
common="--config-daemon-bind 127.0.0.1:0
    --config-observability-health-bind 127.0.0.1:0
    --config-observability-metrics-bind 127.0.0.1:0"
metric() {
	curl -s "http://127.0.0.1:$2/metrics" | grep "^$1" | grep -e "$3" |
	    awk '{ s += $NF } END { printf "%d", s }'
}
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}
# lat FILE WHAT: median and p99 of curl time_total lines (seconds).
lat() {
	sort -n "$1" | awk -v what="$2" -v n="$N" -v sz="$SIZE" '
	    { v[NR] = $1; s += $1 }
	    END { printf "%-34s %7.0f req/s %7.1f MB/s  median %6.3f ms  p99 %6.3f ms\n",
		what, NR / s, NR * sz / s / 1e6, v[int(NR / 2) + 1] * 1e3,
		v[int(NR * 0.99)] * 1e3 }'
}
# urls PORT PREFIX: the N cache URLs.
urls() {
	i=0
	while [ $i -lt "$N" ]; do
		printf 'url = "http://127.0.0.1:%s/cache/%s%06d"\noutput = "/dev/null"\n' \
		    "$1" "$2" $i
		i=$((i + 1))
	done
}

start b daemon --config-cache-dir "$WORK/b" $common \
    --config-s3-bind 127.0.0.1:0 --config-s3-access-keys "$AK:$SK"
curl -s -o /dev/null -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$AK:$SK" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    "http://127.0.0.1:$b_s3/bench/"
cat >"$WORK/a.toml" <<T
[[upstream]]
url = "s3://bench/p/"
endpoint = "http://127.0.0.1:$b_s3"
path_style = true
access_key = "$AK"
secret_key = "$SK"
T
start a daemon --config "$WORK/a.toml" --config-cache-dir "$WORK/a" $common
head -c "$SIZE" /dev/urandom >"$WORK/obj"

# 1. outbox drain
i=0
while [ $i -lt "$N" ]; do
	printf 'url = "http://127.0.0.1:%s/cache/aa%06d"\nupload-file = "%s"\noutput = "/dev/null"\n' \
	    "$a_http" $i "$WORK/obj"
	i=$((i + 1))
done >"$WORK/put.cfg"
t0=$(now_ms)
curl -s -o /dev/null -K "$WORK/put.cfg"
t1=$(now_ms)
until [ "$(metric fabrik_upstream_pending_uploads "$a_metrics" .)" = 0 ]; do
	sleep 0.05
done
t2=$(now_ms)
echo "PUT $N x $SIZE B to A (local commit):  $(((N * 1000) / (t1 - t0 + 1))) obj/s"
echo "outbox drain to S3 (workers=10):       $(((N * 1000) / (t2 - t0 + 1))) obj/s," \
    "$(((N * SIZE / 1000) / (t2 - t0 + 1))) MB/s, done $((t2 - t1)) ms after the last PUT"
echo "uploads ok: $(metric fabrik_upstream_requests_total "$a_metrics" 'op="put",result="ok"')"

# 2. upstream GET vs local GET
stop a
rm -rf "$WORK/a"
start a daemon --config "$WORK/a.toml" --config-cache-dir "$WORK/a" $common
urls "$a_http" aa >"$WORK/get.cfg"
curl -s -o /dev/null -w '%{time_total}\n' -K "$WORK/get.cfg" >"$WORK/cold"
curl -s -o /dev/null -w '%{time_total}\n' -K "$WORK/get.cfg" >"$WORK/warm"
lat "$WORK/cold" "GET, fetched from the S3 upstream"
lat "$WORK/warm" "GET, local store hit"
echo "upstream hits: $(metric fabrik_upstream_requests_total "$a_metrics" 'op="get",result="hit"')"
stop a

# 3. open circuit vs no upstream (misses)
cat >"$WORK/dead.toml" <<T
[[upstream]]
url = "s3://bench/p/"
endpoint = "http://127.0.0.1:1"
path_style = true
access_key = "$AK"
secret_key = "$SK"
circuit_failures = 1
circuit_open = "1h"
T
start d daemon --config "$WORK/dead.toml" --config-cache-dir "$WORK/d" $common
curl -s -o /dev/null "http://127.0.0.1:$d_http/cache/ff000000"
until [ "$(metric fabrik_upstream_circuit_open "$d_metrics" .)" = 1 ]; do
	sleep 0.05
done
urls "$d_http" bb >"$WORK/miss.cfg"
curl -s -o /dev/null -w '%{time_total}\n' -K "$WORK/miss.cfg" >"$WORK/open"
start n daemon --config-cache-dir "$WORK/n" $common
urls "$n_http" bb >"$WORK/miss2.cfg"
curl -s -o /dev/null -w '%{time_total}\n' -K "$WORK/miss2.cfg" >"$WORK/none"
SIZE=0
lat "$WORK/open" "miss, upstream circuit open"
lat "$WORK/none" "miss, no upstream"
echo "skipped (not sent): $(metric fabrik_upstream_requests_total "$d_metrics" skipped)"
stop d
stop n
stop b
