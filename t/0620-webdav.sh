#!/bin/sh
# The WebDAV endpoint for sccache's webdav backend: rclone's WebDAV
# backend copies a tree up and down (byte-exact), then curl replays what
# sccache sends (MKCOL a/, a/b/, a/b/c/, PUT .sccache_check and a key,
# GET, GET of a missing key) and checks PROPFIND Depth 0/1, DELETE,
# listing after a restart, and token permissions.
. "$(dirname "$0")/lib/tap.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
unset AWS_CA_BUNDLE

start_d() {
	start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0 \
	    --config-auth-required true \
	    --config-auth-tokens "davtok,reader:read"
}
start_d
ok $? "fabrik daemon starts"
U=http://127.0.0.1:$d_port_http/webdav
sha() {
	sha256sum "$1" | cut -d' ' -f1
}
c() {
	curl -s -o "$TRASH/body" -w '%{http_code}' -u x:davtok "$@"
}

if command -v rclone >/dev/null 2>&1; then
	cat >"$TRASH/rclone.conf" <<CFG
[dav]
type = webdav
url = $U/
vendor = other
bearer_token = davtok
CFG
	mkdir -p "$TRASH/up/x/y"
	head -c 70000 /dev/urandom >"$TRASH/up/one"
	head -c 3000000 /dev/urandom >"$TRASH/up/x/y/two"
	rc() {
		rclone --config "$TRASH/rclone.conf" "$@"
	}
	expect_success "rclone copy up over WebDAV" rc copy "$TRASH/up" dav:tree
	expect_success "rclone copy down over WebDAV" \
	    rc copy dav:tree "$TRASH/down"
	is "$(sha "$TRASH/down/one")" "$(sha "$TRASH/up/one")" \
	    "rclone WebDAV round trip (small)"
	is "$(sha "$TRASH/down/x/y/two")" "$(sha "$TRASH/up/x/y/two")" \
	    "rclone WebDAV round trip (3 MB, nested)"
	rc lsf -R dav:tree >"$TRASH/rls" 2>&1
	is "$(sort "$TRASH/rls" | tr '\n' ' ')" "one x/ x/y/ x/y/two " \
	    "rclone lists the tree"
	expect_success "rclone check finds both sides equal" \
	    rc check "$TRASH/up" dav:tree
else
	echo "# rclone not installed: its WebDAV backend is not tested"
fi

# sccache's pattern.
is "$(c -X MKCOL "$U/sccache/")" 201 "MKCOL sccache/ creates a collection"
is "$(c -X MKCOL "$U/sccache/0/")" 201 "MKCOL sccache/0/"
is "$(c -X MKCOL "$U/sccache/0/")" 405 "MKCOL of an existing collection is 405"
printf 'Hello, World!' >"$TRASH/check"
is "$(c -T "$TRASH/check" "$U/sccache/.sccache_check")" 201 \
    "PUT .sccache_check is 201"
head -c 5000 /dev/urandom >"$TRASH/entry"
is "$(c -T "$TRASH/entry" "$U/sccache/0/1/2/0123456789abcdef")" 201 \
    "PUT of a cache entry (parents implicit)"
is "$(c -T "$TRASH/entry" "$U/sccache/0/1/2/0123456789abcdef")" 204 \
    "a second PUT replaces it (204)"
is "$(c "$U/sccache/0/1/2/0123456789abcdef")" 200 "GET of the entry"
cmp -s "$TRASH/body" "$TRASH/entry"
ok $? "GET returns the entry byte-exact"
is "$(c "$U/sccache/f/f/f/ffff")" 404 "GET of a missing key is 404"
is "$(c -I "$U/sccache/.sccache_check")" 200 "HEAD of .sccache_check"

is "$(c -X PROPFIND -H 'Depth: 0' "$U/sccache/0/1/2/0123456789abcdef")" 207 \
    "PROPFIND Depth 0 on a file is 207"
grep -q '<D:getcontentlength>5000</D:getcontentlength>' "$TRASH/body"
ok $? "with its getcontentlength"
is "$(c -X PROPFIND -H 'Depth: 1' "$U/sccache/")" 207 \
    "PROPFIND Depth 1 on a collection is 207"
grep -o '<D:href>[^<]*</D:href>' "$TRASH/body" | sed 's/<[^>]*>//g' \
    >"$TRASH/hrefs"
is "$(tr '\n' ' ' <"$TRASH/hrefs")" \
    "/webdav/sccache/ /webdav/sccache/.sccache_check /webdav/sccache/0/ " \
    "it lists the collection, its file and its sub-collection"
grep -q '<D:collection/>' "$TRASH/body"
ok $? "collections carry resourcetype collection"
is "$(c -X PROPFIND -H 'Depth: 0' "$U/nothing/here")" 404 \
    "PROPFIND of a missing path is 404"

is "$(curl -s -o /dev/null -w '%{http_code}' "$U/sccache/.sccache_check")" 401 \
    "no token: 401"
is "$(curl -s -o /dev/null -w '%{http_code}' -u x:reader \
    "$U/sccache/.sccache_check")" 200 "a read-only token may GET"
is "$(curl -s -o /dev/null -w '%{http_code}' -u x:reader -T "$TRASH/check" \
    "$U/sccache/ro")" 403 "a read-only token may not PUT"

stop_fabrik d
start_d
ok $? "the daemon restarts"
U=http://127.0.0.1:$d_port_http/webdav
is "$(c -X PROPFIND -H 'Depth: 1' "$U/sccache/0/1/2/")" 207 \
    "PROPFIND after a restart"
grep -q '<D:href>/webdav/sccache/0/1/2/0123456789abcdef</D:href>' "$TRASH/body"
ok $? "the entry is still listed after a restart"

is "$(c -X DELETE "$U/sccache/0/1/2/0123456789abcdef")" 204 "DELETE a file"
is "$(c "$U/sccache/0/1/2/0123456789abcdef")" 404 "it is gone"
is "$(c -X DELETE "$U/sccache/")" 204 "DELETE a collection"
is "$(c -X PROPFIND -H 'Depth: 0' "$U/sccache/")" 404 \
    "the collection is gone"
is "$(c "$U/sccache/.sccache_check")" 404 "and the files below it"

done_testing
