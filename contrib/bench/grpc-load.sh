#!/bin/sh
# gRPC (REAPI over HTTP/2) load, side by side with the HTTP/1.1 path on
# the same corpus, against one `fabrik daemon`:
#   - ByteStream.Read of a 4 KiB blob and of an 8 MiB blob (h2load,
#     16 connections, 10 streams each), and GET /bazel/cas/ of the same
#     blobs over HTTP/1.1 (wrk, 16 connections);
#   - FindMissingBlobs with 1,000 digests (half present).
# Prints req/s, p99 latency (from h2load's per-request log) and GB/s.
#
# Then the same gRPC calls through Fabrik's own client
# (contrib/bench/grpc-driver.c, built by `make bench`).
#
# Usage: contrib/bench/grpc-load.sh [SECONDS]   (from a built tree; needs
# h2load from nghttp2-client, wrk, python3 and curl)
set -e

TOP=$(cd "$(dirname "$0")/../.." && pwd)
FABRIK=${FABRIK:-$TOP/fabrik}
SECS=${1:-10}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fabrik-grpcload.XXXXXX")
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for t in h2load wrk python3 curl; do
	command -v $t >/dev/null || { echo "$t needed" >&2; exit 1; }
done

: >"$WORK/d.log"
"$FABRIK" daemon --config-cache-dir "$WORK/c" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind "" \
    --config-observability-metrics-bind "" >"$WORK/d.log" 2>&1 &
PID=$!
until grep -q '\[fabrik\] ready' "$WORK/d.log"; do sleep 0.05; done
HTTP=$(sed -n 's/^\[fabrik\] listening http on .*:\([0-9]*\)$/\1/p' "$WORK/d.log")
GRPC=$(sed -n 's/^\[fabrik\] listening grpc on .*:\([0-9]*\)$/\1/p' "$WORK/d.log")

head -c 4096 /dev/urandom >"$WORK/small"
head -c 8388608 /dev/urandom >"$WORK/large"
i=0
while [ $i -lt 500 ]; do
	printf 'present blob %d' $i >"$WORK/p"
	h=$(sha256sum <"$WORK/p" | cut -c1-64)
	curl -s -o /dev/null -T "$WORK/p" "http://127.0.0.1:$HTTP/bazel/cas/$h"
	i=$((i + 1))
done
for f in small large; do
	h=$(sha256sum <"$WORK/$f" | cut -c1-64)
	eval "${f}_hash=$h"
	curl -s -o /dev/null -T "$WORK/$f" "http://127.0.0.1:$HTTP/bazel/cas/$h"
done

# Framed gRPC request bodies.
python3 - "$WORK" "$small_hash" "$large_hash" <<'PY'
import hashlib, struct, sys
work, sh, lh = sys.argv[1:4]
def varint(v):
    out = b""
    while True:
        b = v & 0x7f
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])
def ld(f, d):
    return bytes([f << 3 | 2]) + varint(len(d)) + d
def frame(m):
    return b"\0" + struct.pack(">I", len(m)) + m
def digest(h, n):
    return ld(1, h.encode()) + bytes([2 << 3]) + varint(n)
open(work + "/read-small", "wb").write(frame(ld(1, b"blobs/%s/4096" % sh.encode())))
open(work + "/read-large", "wb").write(frame(ld(1, b"blobs/%s/8388608" % lh.encode())))
req = b""
for i in range(1000):
    data = (b"present blob %d" % i) if i % 2 == 0 else (b"absent blob %d" % i)
    req += ld(2, digest(hashlib.sha256(data).hexdigest(), len(data)))
open(work + "/find", "wb").write(frame(req))
open(work + "/find.pb", "wb").write(req)
open(work + "/read-small.pb", "wb").write(ld(1, b"blobs/%s/4096" % sh.encode()))
open(work + "/read-large.pb", "wb").write(ld(1, b"blobs/%s/8388608" % lh.encode()))
PY

V2=/build.bazel.remote.execution.v2.ContentAddressableStorage
# h2 LABEL PATH BODY: one h2load run, then req/s, p99 and the GB/s of
# response data h2load counted.
n=0
h2() {
	n=$((n + 1))
	h2load -D "$SECS" -c 16 -m 10 -t 1 \
	    -H 'content-type: application/grpc' -H 'te: trailers' \
	    -d "$WORK/$3" --log-file="$WORK/h2.$n.log" \
	    "http://127.0.0.1:$GRPC$2" >"$WORK/h2.$n.out" 2>&1
	data=$(sed -n 's/^traffic: .* total, .* headers .*, \([0-9.]*[KMG]*B\) ([0-9]*) data.*/\1/p' \
	    "$WORK/h2.$n.out")
	bytes=$(sed -n 's/^traffic: .* headers .*, [0-9.]*[KMG]*B (\([0-9]*\)) data.*/\1/p' \
	    "$WORK/h2.$n.out")
	awk '$2 == 200 { print $3 }' "$WORK/h2.$n.log" | sort -n |
	    awk -v what="$1" -v secs="$SECS" -v bytes="${bytes:-0}" '
	    { v[++n] = $1 }
	    END {
		printf "%-34s %8.0f req/s  p99 %8.3f ms  %6.2f GB/s\n",
		    what, n / secs, v[int(n * 0.99)] / 1000, bytes / secs / 1e9
	    }'
}
# h1 LABEL URL SIZE: one wrk run.
h1() {
	n=$((n + 1))
	wrk -t 1 -c 16 -d "${SECS}s" --latency "$2" >"$WORK/h1.$n.out" 2>&1
	rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$WORK/h1.$n.out")
	p99=$(sed -n 's/^ *99% *\(.*\)$/\1/p' "$WORK/h1.$n.out")
	awk -v what="$1" -v rps="$rps" -v p99="$p99" -v sz="$3" 'BEGIN {
	    printf "%-34s %8.0f req/s  p99 %11s  %6.2f GB/s\n",
		what, rps, p99, rps * sz / 1e9 }'
}
# Every call must end with grpc-status 0 and carry the blob: checked once.
/usr/bin/python3 - "$GRPC" "$small_hash" <<'PY'
import grpc, sys
ch = grpc.insecure_channel("127.0.0.1:" + sys.argv[1])
read = ch.unary_stream("/google.bytestream.ByteStream/Read",
    request_serializer=lambda b: b, response_deserializer=lambda b: b)
name = b"blobs/%s/4096" % sys.argv[2].encode()
got = sum(len(m) for m in read(bytes([10, len(name)]) + name))
assert got > 4096, got
PY
h2 "gRPC ByteStream.Read 4 KiB" /google.bytestream.ByteStream/Read read-small
h1 "HTTP/1.1 GET /bazel/cas 4 KiB" "http://127.0.0.1:$HTTP/bazel/cas/$small_hash" 4096
h2 "gRPC ByteStream.Read 8 MiB" /google.bytestream.ByteStream/Read read-large
h1 "HTTP/1.1 GET /bazel/cas 8 MiB" "http://127.0.0.1:$HTTP/bazel/cas/$large_hash" 8388608
h2 "gRPC FindMissingBlobs x1000" "$V2/FindMissingBlobs" find

# The same calls through Fabrik's own gRPC client (contrib/bench/grpc-driver,
# `make bench`): one connection, 64 calls in flight, grpc-status checked.
DRV=$TOP/contrib/bench/grpc-driver
if [ -x "$DRV" ]; then
	for c in "ByteStream.Read 4 KiB:/google.bytestream.ByteStream/Read:read-small.pb" \
	    "ByteStream.Read 8 MiB:/google.bytestream.ByteStream/Read:read-large.pb" \
	    "FindMissingBlobs x1000:$V2/FindMissingBlobs:find.pb"; do
		label=${c%%:*}
		rest=${c#*:}
		printf '%-34s ' "driver $label"
		"$DRV" "grpc://127.0.0.1:$GRPC" "${rest%%:*}" \
		    "$WORK/${rest#*:}" "$SECS" 64
	done
else
	echo "(make bench for the grpc-driver figures)"
fi
