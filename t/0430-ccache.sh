#!/bin/sh
# The real ccache against a real `fabrik daemon` over ccache's HTTP remote
# storage, in each layout (subdirs with a bearer token, flat with Basic
# credentials in the URL, bazel): a cold compile stores, the local cache
# is emptied, and a warm compile must be served by Fabrik (remote hits in
# `ccache --print-stats`, identical objects, Fabrik's ccache hit counter
# up).  Then the protocol edges with curl: bad paths, HEAD, DELETE, auth.
. "$(dirname "$0")/lib/tap.sh"

command -v ccache >/dev/null 2>&1 || skip_all "ccache not installed"
command -v gcc >/dev/null 2>&1 || skip_all "gcc not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"

TOKEN=ccache-secret
start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-auth-required true \
    --config-auth-tokens "$TOKEN,reader:read"
ok $? "fabrik daemon starts"
P=$d_port_http
U=http://127.0.0.1:$P/ccache

grep -q "env CCACHE_REMOTE_STORAGE=http://127.0.0.1:$P/ccache/" "$TRASH/d.log"
ok $? "the daemon prints CCACHE_REMOTE_STORAGE"

src=$TRASH/src
mkdir -p "$src"
for f in one two three; do
	cat >"$src/$f.c" <<EOF
#include <stdio.h>
int
$f(int x)
{
	printf("%s %d\\n", "$f", x);
	return x * 3 + ${#f};
}
EOF
done

# A private, empty ccache configuration; no compiler wrapper symlinks.
: >"$TRASH/ccache.conf"
CCACHE_CONFIGPATH=$TRASH/ccache.conf
export CCACHE_CONFIGPATH
unset CCACHE_REMOTE_ONLY CCACHE_DISABLE CCACHE_RECACHE CCACHE_READONLY

hits() {
	curl -s "http://127.0.0.1:$d_port_metrics/metrics" |
	    sed -n 's/^fabrik_tool_requests_total{tool="ccache",result="hit"} //p'
}
objects() {
	find "$TRASH/cache/objects" -type f 2>/dev/null | wc -l | tr -d ' '
}
# ccstat NAME: one counter of `ccache --print-stats`.
ccstat() {
	ccache --print-stats | sed -n "s/^$1	//p"
}
compile_all() {
	for f in one two three; do
		ccache gcc -O2 -c "$src/$f.c" -o "$out/$f.o" || return 1
	done
}

# run_layout LAYOUT URL-WITHOUT-ATTRS ATTRS
run_layout() {
	layout=$1
	CCACHE_DIR=$TRASH/ccache-$layout
	CCACHE_LOGFILE=$TRASH/ccache-$layout.log
	CCACHE_REMOTE_STORAGE="$2|layout=$layout$3"
	export CCACHE_DIR CCACHE_LOGFILE CCACHE_REMOTE_STORAGE
	out=$TRASH/out-$layout-cold
	mkdir -p "$out"

	before=$(objects)
	compile_all
	ok $? "$layout: cold compile with ccache succeeds"
	is "$(ccstat remote_storage_miss)/$(ccstat remote_storage_hit)" 3/0 \
	    "$layout: cold compile misses in fabrik (3 misses, 0 hits)"
	is "$(ccstat remote_storage_write)" 6 \
	    "$layout: ccache wrote 3 results and 3 manifests to fabrik"
	is "$(ccstat remote_storage_error)" 0 "$layout: no remote storage errors"
	is "$(objects)" $((before + 6)) "$layout: fabrik holds the 6 new entries"

	# Empty the local cache: what comes back must come from fabrik.
	ccache -C >/dev/null && ccache -z >/dev/null
	ok $? "$layout: local cache cleared"
	is "$(ccstat files_in_cache)" 0 "$layout: local cache is empty"
	hits_before=$(hits)
	out=$TRASH/out-$layout-warm
	mkdir -p "$out"
	compile_all
	ok $? "$layout: warm compile with ccache succeeds"
	is "$(ccstat remote_storage_hit)/$(ccstat cache_miss)" 3/0 \
	    "$layout: warm compile is served by fabrik (3 remote hits, 0 misses)"
	ccache -s -v | grep -q 'Remote storage:'
	ok $? "$layout: ccache -s -v shows the remote storage section"
	same=0
	for f in one two three; do
		cmp -s "$TRASH/out-$layout-cold/$f.o" \
		    "$TRASH/out-$layout-warm/$f.o" || same=1
	done
	ok $same "$layout: objects from fabrik equal the compiled ones"
	[ "$(hits)" -ge $((${hits_before:-0} + 6)) ]
	ok $? "$layout: fabrik's ccache hit counter rose ($hits_before -> $(hits))"
}

run_layout subdirs "http://127.0.0.1:$P/ccache/" "|bearer-token=$TOKEN"
run_layout flat "http://ci:$TOKEN@127.0.0.1:$P/ccache" ""
run_layout bazel "http://127.0.0.1:$P/ccache/" "|bearer-token=$TOKEN"

# ccache's log names each key; the subdirs and flat layouts put it in the
# path as ab/cdef... and abcdef..., and fabrik serves both (HEAD).
key=$(sed -n 's/.*Stored \([0-9a-v]*\) in http.*/\1/p' \
    "$TRASH/ccache-subdirs.log" | head -n 1)
rest=${key#??}
code=$(curl -s -o /dev/null -w '%{http_code}' -I \
    -H "Authorization: Bearer $TOKEN" "$U/${key%"$rest"}/$rest")
is "$code" 200 "HEAD of a subdirs key ccache stored answers 200"
code=$(curl -s -o /dev/null -w '%{http_code}' -I \
    -H "Authorization: Bearer $TOKEN" "$U/$key")
is "$code" 200 "HEAD of the same key in the flat layout answers 200"

# A wrong token: ccache still compiles, fabrik stores nothing.
CCACHE_DIR=$TRASH/ccache-wrong
CCACHE_REMOTE_STORAGE="http://127.0.0.1:$P/ccache/|bearer-token=wrong"
export CCACHE_DIR CCACHE_REMOTE_STORAGE
before=$(objects)
out=$TRASH/out-wrong
mkdir -p "$out"
printf 'int wrong(void) { return 42; }\n' >"$src/wrong.c"
ccache gcc -c "$src/wrong.c" -o "$out/wrong.o"
ok $? "with a wrong token ccache still compiles"
is "$(objects)" "$before" "with a wrong token fabrik stores nothing"

# Protocol edges with curl.
A="Authorization: Bearer $TOKEN"
K=$U/zz/0123456789abcdefghijklmnopqrstuv
head -c 5000 /dev/urandom >"$TRASH/blob"
code=$(curl -s -o /dev/null -w '%{http_code}' "$K")
is "$code" 401 "no credentials: 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer x" "$K")
is "$code" 401 "wrong bearer token: 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "ci:nope" "$K")
is "$code" 401 "wrong Basic password: 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$A" "$K")
is "$code" 404 "GET of an absent key: 404"
code=$(curl -s -o /dev/null -w '%{http_code}' -I -H "$A" "$K")
is "$code" 404 "HEAD of an absent key: 404"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$A" -T "$TRASH/blob" "$K")
is "$code" 200 "PUT: 200"
out=$(curl -s -I -H "$A" "$K" | tr -d '\r')
echo "$out" | grep -q '^HTTP/1.1 200' &&
    echo "$out" | grep -q '^Content-Length: 5000'
ok $? "HEAD of a stored key: 200 with its Content-Length"
curl -s -H "$A" "$K" -o "$TRASH/back" && cmp -s "$TRASH/blob" "$TRASH/back"
ok $? "GET returns the stored bytes"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "reader:reader" \
    -T "$TRASH/blob" "$U/zz/readonly")
is "$code" 403 "a read-only token may not PUT: 403"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "x:reader" "$K")
is "$code" 200 "a read-only token (as Basic password) may GET"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$A" -X DELETE "$K")
is "$code" 200 "DELETE of a stored key: 200"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$A" "$K")
is "$code" 404 "GET after DELETE: 404"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$A" -X DELETE "$K")
is "$code" 404 "DELETE of an absent key: 404"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$A" -X POST "$K")
is "$code" 405 "POST: 405"
for bad in '../etc/passwd' 'ab/../cd' '..' 'ab//cd' 'ab/cd/' 'AB/cd' \
    'ab/c%2e' 'ab/c.d' 'ab/c-d' "$(printf 'a%.0s' $(seq 1 129))" \
    'a/b/c/d/e'; do
	# -X PUT, not -T: curl -T rewrites URLs that end in / or ..
	code=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' -H "$A" \
	    -X PUT --data-binary "@$TRASH/blob" "$U/$bad")
	is "$code" 400 "PUT to a malformed key path '$bad': 400"
done
code=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' -H "$A" "$U/")
is "$code" 400 "GET of the bare prefix: 400"
[ ! -e "$TRASH/etc" ] && [ ! -e "$TRASH/cache/etc" ]
ok $? "nothing was written outside the cache's object files"

if [ $tap_failed -ne 0 ]; then
	for l in subdirs flat bazel; do
		echo "# ccache-$l.log:"
		grep -E 'remote|http|Result' "$TRASH/ccache-$l.log" 2>/dev/null |
		    tail -20 | sed 's/^/#   /'
	done
	sed 's/^/#   /' "$TRASH/d.log" | tail -20
fi
stop_fabrik d
ok $? "fabrik exits 0 on SIGTERM"
done_testing
