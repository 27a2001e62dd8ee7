#!/bin/sh
# The layer chain with S3 upstreams.  Layer 3 is a second Fabrik's own
# S3 API (B), so every request the chain's S3 client signs is checked by
# an independently tested SigV4 verifier.  Daemon A (layer 1) writes
# through its outbox to B, reads fall back to B after its store was
# wiped, a hit is stored locally (B down: still served), concurrent
# misses share one fetch, a kill -9 with queued uploads loses nothing,
# damaged or misplaced upstream objects are misses and never served, an
# upstream that hangs, answers 500, garbage or resets never fails a
# request the local store can serve and trips its circuit breaker, a hit
# further down the chain is copied into the faster upstream that missed,
# and write_through answers a PUT after its upload.
. "$(dirname "$0")/lib/tap.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
command -v sha256sum >/dev/null 2>&1 || skip_all "sha256sum not installed"

AK=AKCHAINTEST
SK=chain/s3cr3t
BUCKET=fabrik

start_b() {
	start_fabrik b daemon --config-cache-dir "$TRASH/b" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0 \
	    --config-s3-bind "127.0.0.1:${BPORT:-0}" \
	    --config-s3-access-keys "$AK:$SK"
}

# s3 METHOD KEY [curl args]: a signed request to B's S3 API.
s3() {
	_m=$1
	_k=$2
	shift 2
	curl -s -o "$TRASH/s3.out" -w '%{http_code}' -X "$_m" \
	    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
	    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
	    "http://127.0.0.1:$BPORT/$BUCKET/$_k" "$@"
}

# The store key of a Gradle cache key, and its object name upstream.
gkey() {
	printf 'gradle\000%s' "$1" | sha256sum | cut -c1-64
}
objname() {
	_h=$(gkey "$1")
	echo "objects/$(echo "$_h" | cut -c1-2)/$_h"
}

# write_config FILE URL-PREFIX... : an [[upstream]] per prefix on B.
write_config() {
	_f=$1
	shift
	: >"$_f"
	for _p in "$@"; do
		case $_p in
		http://*)
			_ep=$_p
			_url="s3://$BUCKET/x/"
			;;
		*)
			_ep="http://127.0.0.1:$BPORT"
			_url="s3://$BUCKET/$_p/"
			;;
		esac
		cat >>"$_f" <<EOF
[[upstream]]
url = "$_url"
endpoint = "$_ep"
path_style = true
access_key = "$AK"
secret_key = "$SK"
timeout = "${UP_TIMEOUT:-3s}"
circuit_failures = 2
circuit_open = "${UP_OPEN:-60s}"
${UP_EXTRA:-}

EOF
	done
}

start_a() {
	_n=$1
	shift
	start_fabrik "$_n" daemon --config "$TRASH/$_n.toml" \
	    --config-cache-dir "$TRASH/$_n" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0 "$@"
}

# metric NAME PORT PATTERN: sums the samples of a metric matching PATTERN.
metric() {
	curl -s "http://127.0.0.1:$2/metrics" |
	    grep "^$1" | grep -e "$3" |
	    awk '{ s += $NF } END { printf "%d", s }'
}

# wait_metric NAME PORT PATTERN VALUE: polls up to 10 s.
wait_metric() {
	_i=0
	while [ "$(metric "$1" "$2" "$3")" != "$4" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(metric "$1" "$2" "$3")" = "$4" ]
}

gput() {
	curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary "@$3" \
	    "http://127.0.0.1:$1/cache/$2"
}
gget() {
	curl -s -o "$TRASH/get.out" -w '%{http_code}' \
	    "http://127.0.0.1:$1/cache/$2"
}

start_b
ok $? "layer 3 stand-in: a Fabrik S3 API"
BPORT=$b_port_s3
is "$(s3 PUT "")" 200 "bucket created"

# ---- write-through via the outbox, fallback read, local copy ----
write_config "$TRASH/a.toml" tenant-1
start_a a
ok $? "daemon A starts with an s3:// upstream"
grep -q "upstream 1: s3://$BUCKET/tenant-1/" "$TRASH/a.log"
ok $? "the log names the upstream"
head -c 300000 /dev/urandom >"$TRASH/big"
printf 'small object' >"$TRASH/small"
is "$(gput "$a_port_http" aa01 "$TRASH/big")" 200 "PUT to A answers 200"
is "$(gput "$a_port_http" aa02 "$TRASH/small")" 200 "a second PUT"
wait_metric fabrik_upstream_requests_total "$a_port_metrics" \
    'op="put",result="ok"' 2
ok $? "both uploads reached the upstream"
is "$(metric fabrik_upstream_pending_uploads "$a_port_metrics" .)" 0 \
    "nothing pending"
is "$(ls "$TRASH/a/outbox/"*/ | wc -l | tr -d ' ')" 0 "the outbox is empty"
is "$(s3 GET "tenant-1/$(objname aa01)")" 200 \
    "the object is in the bucket under the upstream's prefix"
tail -c 300000 "$TRASH/s3.out" | cmp -s - "$TRASH/big"
ok $? "its content follows the envelope"
head -c 4 "$TRASH/s3.out" | grep -q FBKU
ok $? "the envelope starts with its magic"

stop_fabrik a
rm -rf "$TRASH/a"
start_a a
ok $? "A restarts with an empty store"
is "$(gget "$a_port_http" aa01)" 200 "GET after the wipe: served from S3"
cmp -s "$TRASH/get.out" "$TRASH/big"
ok $? "the bytes are the ones stored"
is "$(metric fabrik_upstream_requests_total "$a_port_metrics" \
    'op="get",result="hit"')" 1 "one upstream hit counted"
is "$(gget "$a_port_http" abcdef99)" 404 "a key nowhere is a 404"
is "$(metric fabrik_upstream_requests_total "$a_port_metrics" \
    'op="get",result="miss"')" 1 "one upstream miss counted"
curl -s "http://127.0.0.1:$a_port_metrics/api/v1/stats" >"$TRASH/stats.json"
grep -q '"upstreams":\[{"url":"s3://fabrik/tenant-1/","circuit":"closed"' \
    "$TRASH/stats.json"
ok $? "the stats API lists the upstream and its circuit"

stop_fabrik b
is "$(gget "$a_port_http" aa01)" 200 \
    "B down: the fetched object is served from A's store"
cmp -s "$TRASH/get.out" "$TRASH/big"
ok $? "same bytes"

# ---- faults: B down, circuit breaker, outbox across kill -9 ----
is "$(gget "$a_port_http" e1e1)" 404 "B down: a miss is a 404, not a 5xx"
is "$(gget "$a_port_http" e2e2)" 404 "again"
grep -q "circuit open" "$TRASH/a.log"
ok $? "two failures open the circuit"
is "$(metric fabrik_upstream_circuit_open "$a_port_metrics" .)" 1 \
    "the circuit gauge says open"
before=$(metric fabrik_upstream_requests_total "$a_port_metrics" skipped)
is "$(gget "$a_port_http" e3e3)" 404 "circuit open: a miss answers at once"
after=$(metric fabrik_upstream_requests_total "$a_port_metrics" skipped)
[ "$after" -gt "$before" ]
ok $? "while open, the upstream is not asked ($before -> $after skipped)"
for k in bb01 bb02 bb03 bb04 bb05; do
	printf 'queued %s' "$k" >"$TRASH/$k"
	is "$(gput "$a_port_http" $k "$TRASH/$k")" 200 \
	    "B down: PUT $k still answers 200"
done
is "$(ls "$TRASH/a/outbox/"*/ | wc -l | tr -d ' ')" 5 \
    "five uploads wait in the outbox"
kill -9 "$a_pid"
wait "$a_pid" 2>/dev/null
start_b
ok $? "B back on the same port"
start_a a
ok $? "A restarts after kill -9"
grep -q "resuming 5 pending uploads from the outbox" "$TRASH/a.log"
ok $? "A resumes the outbox"
wait_metric fabrik_upstream_requests_total "$a_port_metrics" \
    'op="put",result="ok"' 5
ok $? "every queued object was uploaded"
for k in bb01 bb02 bb03 bb04 bb05; do
	s3 GET "tenant-1/$(objname $k)" >/dev/null
	tail -c "$(wc -c <"$TRASH/$k")" "$TRASH/s3.out" | cmp -s - "$TRASH/$k"
	ok $? "$k reached the bucket intact"
done
is "$(ls "$TRASH/a/outbox/"*/ | wc -l | tr -d ' ')" 0 "the outbox drained"

# ---- single flight ----
stop_fabrik a
rm -rf "$TRASH/a"
start_a a
pids=
for i in 1 2 3 4 5 6; do
	curl -s -o "$TRASH/sf.$i" "http://127.0.0.1:$a_port_http/cache/aa01" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p"
done
n=0
for i in 1 2 3 4 5 6; do
	cmp -s "$TRASH/sf.$i" "$TRASH/big" && n=$((n + 1))
done
is "$n" 6 "six concurrent GETs of a cold key all get the object"
is "$(metric fabrik_upstream_requests_total "$a_port_metrics" \
    'op="get",result="hit"')" 1 "and share one upstream fetch"

# ---- damaged and misplaced objects are misses ----
s3 GET "tenant-1/$(objname aa02)" >/dev/null
cp "$TRASH/s3.out" "$TRASH/env.good"
# Flip the last content byte: the envelope's digest no longer matches.
sz=$(wc -c <"$TRASH/env.good")
head -c $((sz - 1)) "$TRASH/env.good" >"$TRASH/env.bad"
printf 'X' >>"$TRASH/env.bad"
is "$(s3 PUT "tenant-1/$(objname cc01)" --data-binary "@$TRASH/env.good")" \
    200 "an object copied under another key's name"
is "$(s3 PUT "tenant-1/$(objname aa02)" --data-binary "@$TRASH/env.bad")" \
    200 "an object damaged in the bucket"
printf 'not an envelope at all' >"$TRASH/junk"
is "$(s3 PUT "tenant-1/$(objname cc02)" --data-binary "@$TRASH/junk")" \
    200 "an object that is not an envelope"
stop_fabrik a
rm -rf "$TRASH/a"
start_a a
is "$(gget "$a_port_http" aa02)" 404 "damaged content: a miss"
is "$(gget "$a_port_http" cc01)" 404 "an object naming another key: a miss"
is "$(gget "$a_port_http" cc02)" 404 "garbage: a miss"
grep -q "do not match\|does not match" "$TRASH/a.log"
ok $? "the digest mismatch is logged"
grep -q "names another key" "$TRASH/a.log"
ok $? "the misplaced object is logged"
is "$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$a_port_metrics/api/v1/artifacts/$(gkey aa02)")" 404 \
    "nothing damaged was stored locally"
stop_fabrik a

# ---- Bazel REAPI over gRPC falls back too ----
if /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
	start_a a
	printf 'output of the action' >"$TRASH/o1"
	printf 'read by bytestream' >"$TRASH/o2"
	printf 'read in a batch' >"$TRASH/o3"
	for f in o1 o2 o3; do
		h=$(sha256sum <"$TRASH/$f" | cut -c1-64)
		is "$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
		    --data-binary "@$TRASH/$f" \
		    "http://127.0.0.1:$a_port_http/bazel/cas/$h")" 200 \
		    "CAS blob $f stored through A"
	done
	/usr/bin/python3 - "$TRASH/o1" "$TRASH/ar.bin" <<'PYEOF'
import hashlib, sys
def varint(v):
    out = b""
    while True:
        b = v & 0x7f
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])
def ld(field, data):
    return bytes([field << 3 | 2]) + varint(len(data)) + data
data = open(sys.argv[1], "rb").read()
digest = ld(1, hashlib.sha256(data).hexdigest().encode()) + \
    bytes([2 << 3]) + varint(len(data))
open(sys.argv[2], "wb").write(ld(2, ld(1, b"out/o1") + ld(2, digest)))
PYEOF
	act=$(printf 'chain action' | sha256sum | cut -c1-64)
	is "$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
	    --data-binary "@$TRASH/ar.bin" \
	    "http://127.0.0.1:$a_port_http/bazel/ac/$act")" 200 \
	    "an ActionResult naming o1 stored through A"
	wait_metric fabrik_upstream_pending_uploads "$a_port_metrics" . 0
	ok $? "the blobs and the action result reached B"
	stop_fabrik a
	rm -rf "$TRASH/a"
	start_a a
	/usr/bin/python3 - "$a_port_grpc" "$TRASH" "$act" <<'PYEOF' \
	    >"$TRASH/reapi.out" 2>&1
import grpc, hashlib, sys
port, trash, act = sys.argv[1], sys.argv[2], sys.argv[3]
V2 = "/build.bazel.remote.execution.v2."
ident = lambda b: b
ch = grpc.insecure_channel("127.0.0.1:" + port)
def varint(v):
    out = b""
    while True:
        b = v & 0x7f
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])
def ld(field, data):
    return bytes([field << 3 | 2]) + varint(len(data)) + data
def digest(h, n):
    return ld(1, h.encode()) + bytes([2 << 3]) + varint(n)
def blob(name):
    d = open(trash + "/" + name, "rb").read()
    return d, hashlib.sha256(d).hexdigest()
get_ar = ch.unary_unary(V2 + "ActionCache/GetActionResult",
    request_serializer=ident, response_deserializer=ident)
ar = get_ar(ld(2, digest(act, len(b"chain action"))))
print("ar", "ok" if ar == open(trash + "/ar.bin", "rb").read() else "bad")
d1, h1 = blob("o1")
read = ch.unary_stream("/google.bytestream.ByteStream/Read",
    request_serializer=ident, response_deserializer=ident)
d2, h2 = blob("o2")
got = b""
for m in read(ld(1, ("blobs/%s/%d" % (h2, len(d2))).encode())):
    # ReadResponse: data = 10
    assert m[0] == (10 << 3 | 2)
    got += m[2:] if m[1] < 0x80 else m[3:]
print("bytestream", "ok" if got == d2 else "bad")
batch = ch.unary_unary(V2 + "ContentAddressableStorage/BatchReadBlobs",
    request_serializer=ident, response_deserializer=ident)
d3, h3 = blob("o3")
resp = batch(ld(2, digest(h3, len(d3))))
print("batch", "ok" if d3 in resp else "bad")
PYEOF
	sed 's/^/# /' "$TRASH/reapi.out"
	grep -q "^ar ok" "$TRASH/reapi.out"
	ok $? "GetActionResult on an empty A: the entry and its output come from B"
	grep -q "^bytestream ok" "$TRASH/reapi.out"
	ok $? "ByteStream.Read on an empty A: served from B"
	grep -q "^batch ok" "$TRASH/reapi.out"
	ok $? "BatchReadBlobs on an empty A: served from B"
	is "$(metric fabrik_upstream_requests_total "$a_port_metrics" \
	    'op="get",result="hit"')" 4 "four objects fetched from B"
	stop_fabrik a
fi

# ---- a hit further down is copied into the faster upstream ----
write_config "$TRASH/t.toml" tier1 tenant-1
start_a t
is "$(gget "$t_port_http" aa01)" 200 "two upstreams: the second one hits"
wait_metric fabrik_upstream_requests_total "$t_port_metrics" \
    'op="put",result="ok"' 1
ok $? "the hit is uploaded to the first upstream, which missed"
is "$(s3 GET "tier1/$(objname aa01)")" 200 "it is now in tier1"
stop_fabrik t

# ---- misbehaving upstreams never fail what the local store serves ----
for mode in hang 500 garbage reset; do
	case $mode in
	hang) n=h ;;
	500) n=e ;;
	garbage) n=g ;;
	reset) n=r ;;
	esac
	start_proc "f$n" python3 "$TOP/t/lib/faulty_http.py" "$mode"
	eval "fport=\$f${n}_port_faulty"
	UP_TIMEOUT=1s write_config "$TRASH/d$n.toml" \
	    "http://127.0.0.1:$fport"
	start_a "d$n"
	eval "hp=\$d${n}_port_http mp=\$d${n}_port_metrics"
	is "$(gput "$hp" dd01 "$TRASH/small")" 200 "$mode upstream: PUT 200"
	is "$(gget "$hp" dd01)" 200 "$mode upstream: local hit 200"
	is "$(gget "$hp" dd02)" 404 "$mode upstream: miss 404"
	is "$(gget "$hp" dd03)" 404 "$mode upstream: miss 404 again"
	wait_metric fabrik_upstream_circuit_open "$mp" . 1
	ok $? "$mode upstream: the circuit opens"
	grep -q "request GET" "$TRASH/f$n.log"
	ok $? "$mode upstream: it was really asked"
	stop_fabrik "d$n"
	eval "kill \$f${n}_pid"
done

# ---- permanent: what has not reached it is never evicted ----
# An unreachable permanent upstream (a closed port) and a store of 1 MiB:
# three 300 kB objects fit, the fourth would need an eviction, and every
# candidate is still on its way upstream.
start_proc fdead python3 "$TOP/t/lib/faulty_http.py" reset
eval "deadport=\$fdead_port_faulty"
kill "$fdead_pid"
UP_EXTRA='permanent = true' write_config "$TRASH/p.toml" \
    "http://127.0.0.1:$deadport"
start_a p --config-cache-max-size 1MiB
for k in ff01 ff02 ff03; do
	head -c 300000 /dev/urandom >"$TRASH/$k"
	is "$(gput "$p_port_http" $k "$TRASH/$k")" 200 "permanent: PUT $k"
done
head -c 300000 /dev/urandom >"$TRASH/ff04"
is "$(gput "$p_port_http" ff04 "$TRASH/ff04")" 507 \
    "a PUT that needs an eviction of pending objects is refused (507)"
n=0
for k in ff01 ff02 ff03; do
	[ "$(gget "$p_port_http" $k)" = 200 ] && n=$((n + 1))
done
is "$n" 3 "every object still waiting for its upload is kept"
stop_fabrik p
sed 's/permanent = true//' "$TRASH/p.toml" >"$TRASH/np.toml"
mv "$TRASH/np.toml" "$TRASH/p.toml"
start_a p --config-cache-max-size 1MiB
is "$(gput "$p_port_http" ff04 "$TRASH/ff04")" 200 \
    "without permanent, the same PUT evicts and succeeds"
stop_fabrik p

# ---- write_through ----
UP_EXTRA='write_through = true' write_config "$TRASH/w.toml" tenant-w
start_a w
is "$(gput "$w_port_http" ee01 "$TRASH/small")" 200 "write-through PUT"
is "$(metric fabrik_upstream_requests_total "$w_port_metrics" \
    'op="put",result="ok"')" 1 "the upload ended before the answer"
is "$(s3 GET "tenant-w/$(objname ee01)")" 200 "and the object is there"
stop_fabrik w

done_testing
