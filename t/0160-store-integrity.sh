#!/bin/sh
# Object files altered on disk are never served: a small (inline) object
# reads as 404; a large (streamed) one makes the response fail before it
# completes and is 404 afterwards; both are counted in
# fabrik_store_integrity_drops_total; other objects are unaffected.
. "$(dirname "$0")/lib/tap.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"

cache=$TRASH/cache
daemon() {
	start_fabrik d daemon --config-cache-dir "$cache" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0 "$@"
}
url() {
	echo "http://127.0.0.1:$d_port_http/cache/$1"
}

# Distinct sizes identify the object files without computing store keys.
head -c 1000 /dev/urandom >"$TRASH/small"
head -c 400000 /dev/urandom >"$TRASH/large"
head -c 3000 /dev/urandom >"$TRASH/other1"
head -c 500000 /dev/urandom >"$TRASH/other2"

daemon
ok $? "daemon starts"
for k in small large other1 other2; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
	    --data-binary "@$TRASH/$k" "$(url "aa$(printf %s $k | od -An -tx1 |
	    tr -d ' \n')")")
	is "$code" 200 "PUT $k"
done
stop_fabrik d
ok $? "daemon stops"

key() {
	echo "aa$(printf %s "$1" | od -An -tx1 | tr -d ' \n')"
}
# objfile CONTENT-SIZE: the object file holding that many content bytes
# (header 104 bytes, Gradle stores no metadata).
objfile() {
	find "$cache/objects" -type f -size "$(($1 + 104))c"
}
small_f=$(objfile 1000)
large_f=$(objfile 400000)
ok $([ -f "$small_f" ] && [ -f "$large_f" ]; echo $?) \
    "object files found by size"
# Flip one content byte in place (XOR 0xff of whatever is there).
flip() {
	_b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf %o $((_b ^ 255)))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
flip "$small_f" 600
flip "$large_f" 300000
ok $([ "$(stat -c %s "$small_f")" = 1104 ]; echo $?) "small file same size"

daemon
ok $? "daemon restarts"
code=$(curl -s -o "$TRASH/got.small" -w '%{http_code}' "$(url "$(key small)")")
is "$code" 404 "altered small object: GET is 404"
curl -s -o "$TRASH/got.large" -w '%{http_code}' "$(url "$(key large)")" \
    >"$TRASH/large.code"
rc=$?
echo "# curl exit $rc, status $(cat "$TRASH/large.code"), \
$(wc -c <"$TRASH/got.large" | tr -d ' ') bytes"
ok $([ $rc -ne 0 ]; echo $?) \
    "altered large object: the response does not complete (curl exit $rc)"
! cmp -s "$TRASH/got.large" "$TRASH/large" &&
    [ "$(wc -c <"$TRASH/got.large")" -lt 400000 ]
ok $? "the client holds fewer bytes than the object"
code=$(curl -s -o /dev/null -w '%{http_code}' "$(url "$(key large)")")
is "$code" 404 "second GET of the large object is 404"
ok $([ ! -e "$small_f" ] && [ ! -e "$large_f" ]; echo $?) \
    "both altered files are removed"
drops=$(curl -s "http://127.0.0.1:$d_port_metrics/metrics" |
    sed -n 's/^fabrik_store_integrity_drops_total //p')
is "$drops" 2 "fabrik_store_integrity_drops_total counts both"
for k in other1 other2; do
	curl -s -o "$TRASH/got.$k" "$(url "$(key $k)")"
	cmp -s "$TRASH/got.$k" "$TRASH/$k"
	ok $? "untouched $k reads back byte-exact"
done
stop_fabrik d

# verify=always (hash on every read) through the daemon's flag; the
# forged-record case that only "always" catches is in t/unit/store.c.
daemon --config-cache-verify always
ok $? "daemon restarts with cache.verify = always"
curl -s -o /dev/null "$(url "$(key other1)")"
stop_fabrik d
other_f=$(objfile 3000)
flip "$other_f" 500
daemon --config-cache-verify always
code=$(curl -s -o /dev/null -w '%{http_code}' "$(url "$(key other1)")")
is "$code" 404 "verify=always: altered object is 404"
code=$(curl -s -o "$TRASH/got.other2" -w '%{http_code}' \
    "$(url "$(key other2)")")
cmp -s "$TRASH/got.other2" "$TRASH/other2"
ok $? "verify=always: intact large object still reads"
stop_fabrik d

done_testing
