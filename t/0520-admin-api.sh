#!/bin/sh
# The admin API against a real daemon: off by default (404), admin
# permission required (401/403), evict, clear, the effective configuration
# with secrets masked, hot changes of max_cache_size, eviction_policy and
# log_level, refusal of keys that need a restart, and every 400 naming
# its field.
. "$(dirname "$0")/lib/tap.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"

# code URL [CURL ARGS]: prints the status; the body goes to $TRASH/body.
code() {
	_u=$1
	shift
	curl -s -o "$TRASH/body" -w '%{http_code}' "$@" "$_u"
}

# Off by default.
start_fabrik off daemon --config-cache-dir "$TRASH/cache-off" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0
ok $? "fabrik daemon starts with defaults"
O=http://127.0.0.1:$off_port_metrics
is "$(code "$O/api/v1/admin/config")" 404 "admin API off: GET config is 404"
is "$(code "$O/api/v1/admin/evict" -d '{"target_size_bytes":0}')" 404 \
    "admin API off: evict is 404"
is "$(code "$O/api/v1/admin/clear" -d '{"confirm":true}')" 404 \
    "admin API off: clear is 404"
stop_fabrik off

start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-observability-admin-api-enabled true \
    --config-observability-api-auth-required true \
    --config-auth-tokens 'admintok:admin,reader:read'
ok $? "fabrik daemon with the admin API starts"
H=http://127.0.0.1:$d_port_http
M=http://127.0.0.1:$d_port_metrics
ADM='Authorization: Bearer admintok'

# admin CURL-ARGS... PATH: an admin request; status printed, body saved.
admin() {
	_p=$1
	shift
	code "$M/api/v1/admin/$_p" -H "$ADM" "$@"
}
# post PATH JSON: POSTs a body as the admin.
post() {
	admin "$1" -H 'Content-Type: application/json' --data-binary "$2"
}
# bad PATH JSON FIELD DESCRIPTION: expects 400 naming FIELD.
bad() {
	_c=$(post "$1" "$2")
	is "$_c $(jq -r '.field' "$TRASH/body" 2>/dev/null)" "400 $3" "$4"
}

# Gating.
for p in config; do
	curl -s -D "$TRASH/hdr" -o /dev/null "$M/api/v1/admin/$p"
	grep -q '^HTTP/1.1 401' "$TRASH/hdr" &&
	    grep -qi '^WWW-Authenticate: Bearer' "$TRASH/hdr"
	ok $? "GET $p without a token is 401 with WWW-Authenticate: Bearer"
done
is "$(code "$M/api/v1/admin/config" -H 'Authorization: Bearer wrong')" 401 \
    "a wrong token is 401"
is "$(code "$M/api/v1/admin/config" -H 'Authorization: Bearer reader')" 403 \
    "a read token is 403 on the admin API"
is "$(code "$M/api/v1/admin/evict" -H 'Authorization: Bearer reader' -d '{"target_size_bytes":0}')" \
    403 "a read token cannot evict"
is "$(code "$M/api/v1/admin/clear" -d '{"confirm":true}')" 401 \
    "clear without a token is 401"
is "$(admin config)" 200 "the admin token reads the configuration"

# The configuration, secrets masked.
is "$(jq -r '.cache.dir' "$TRASH/body")" "$TRASH/cache" \
    "config shows the cache directory in use"
is "$(jq -c '.auth.tokens' "$TRASH/body")" '["********:admin","********:read"]' \
    "tokens are masked, permissions kept"
grep -q 'admintok\|reader' "$TRASH/body"
ok $((!$?)) "no token appears anywhere in the answer"
is "$(jq -r '.observability.admin_api_enabled, .cache.max_size, .cache.eviction_policy' "$TRASH/body" | tr '\n' ' ')" \
    "true 10000000000 lfu " "config shows types and defaults"

# Hot changes.
is "$(post config '{"max_cache_size": "20GB"}')" 200 \
    "max_cache_size accepts a size string"
is "$(jq -c '[.updated, .config.cache.max_size]' "$TRASH/body")" \
    '[["cache.max_size"],20000000000]' "and reports the new value"
curl -s -H 'Authorization: Bearer reader' "$M/metrics" |
    grep -q '^fabrik_cache_max_size_bytes 20000000000$'
ok $? "the store uses the new size at once"
is "$(post config '{"cache.max_size": 300000}')" 200 \
    "cache.max_size accepts bytes"
admin config >/dev/null
is "$(jq -r '.cache.max_size' "$TRASH/body")" 300000 \
    "GET config shows the change"
is "$(post config '{"eviction_policy": "lru", "log_level": "trace"}')" 200 \
    "eviction_policy and log_level change together"
is "$(jq -c '.updated' "$TRASH/body")" \
    '["cache.eviction_policy","observability.log_level"]' "both reported"
is "$(jq -r '.config.cache.eviction_policy, .config.observability.log_level' "$TRASH/body" | tr '\n' ' ')" \
    "lru trace " "both shown"
curl -s -o /dev/null "$H/cache/0000000000000000000000000000dead"
# The request line is logged after the answer is sent: wait for it.
n=0
while ! grep -q '^\[fabrik\] http 404 ' "$TRASH/d.log" && [ $n -lt 100 ]; do
	sleep 0.02
	n=$((n + 1))
done
grep -q '^\[fabrik\] http 404 ' "$TRASH/d.log"
ok $? "log_level trace takes effect (request lines are logged)"
is "$(post config '{"observability.log_level": "info"}')" 200 \
    "observability.log_level is accepted"

# Keys that need a restart, and every 400.
post config '{"cache.dir": "/elsewhere"}' >"$TRASH/c"
is "$(cat "$TRASH/c") $(jq -r .field "$TRASH/body")" "400 cache.dir" \
    "cache.dir is refused"
jq -r .error "$TRASH/body" | grep -q '^cache.dir needs a restart'
ok $? "the refusal says cache.dir needs a restart"
bad config '{"dir": "/elsewhere"}' dir "a bare key that needs a restart is 400"
jq -r .error "$TRASH/body" | grep -q '^cache.dir needs a restart'
ok $? "and names the full key"
bad config '{"daemon.bind": "127.0.0.1:1"}' daemon.bind "daemon.bind is refused"
bad config '{"auth.tokens": ["x"]}' auth.tokens "auth.tokens is refused"
bad config '{"upstream.url": "s3://b"}' upstream.url "upstream keys are refused"
bad config '{"colour": "blue"}' colour "an unknown field is 400"
bad config '{"max_cache_size": true}' max_cache_size "a boolean size is 400"
bad config '{"max_cache_size": "12QB"}' max_cache_size "a bad size unit is 400"
bad config '{"max_cache_size": -5}' max_cache_size "a negative size is 400"
bad config '{"max_cache_size": 0}' max_cache_size "a zero size is 400"
bad config '{"max_cache_size": 1.5}' max_cache_size "a fractional size is 400"
bad config '{"eviction_policy": "fifo"}' eviction_policy "an unknown policy is 400"
bad config '{"eviction_policy": 1}' eviction_policy "a numeric policy is 400"
bad config '{"log_level": "loud"}' log_level "an unknown log level is 400"
bad config '{"log_level": null}' log_level "a null log level is 400"
bad config '{}' body "an empty object is 400"
bad config '[1]' body "an array is 400"
bad config 'max_cache_size=1' body "bad JSON is 400"
bad config '{"max_cache_size": "1GB",}' body "a trailing comma is 400"
bad config '{"log_level": "info", "log_level": "warn"}' body \
    "a repeated field is 400"
bad config '{"max_cache_size": "1GB", "max_size": "2GB"}' max_size \
    "one key under two names is 400"
bad config '{"max_cache_size": "1GB", "cache.dir": "/x"}' cache.dir \
    "a mix with a restart key is 400"
admin config >/dev/null
is "$(jq -r '.cache.max_size' "$TRASH/body")" 300000 \
    "a refused body changes nothing"

# Evict.
i=1
while [ $i -le 12 ]; do
	head -c 10000 /dev/urandom >"$TRASH/obj"
	curl -s -o /dev/null -T "$TRASH/obj" "$H/cache/$(printf 'b%031d' $i)"
	i=$((i + 1))
done
post config '{"max_cache_size": "10MB"}' >/dev/null
total=$(curl -s -H 'Authorization: Bearer reader' "$M/api/v1/stats" |
    jq -r .cache.total_size_bytes)
is "$(post evict '{"target_size_bytes": 50000, "strategy": "lru"}')" 200 \
    "evict answers 200"
ev=$(jq -r .evicted_bytes "$TRASH/body")
obj=$(jq -r .objects "$TRASH/body")
left=$(jq -r .total_size_bytes "$TRASH/body")
[ "$left" -le 50000 ] && [ "$obj" -ge 7 ] && [ $((total - ev)) -eq "$left" ]
ok $? "evict reaches the target ($ev bytes, $obj objects, $left left of $total)"
curl -s -H 'Authorization: Bearer reader' "$M/api/v1/stats" >"$TRASH/stats"
is "$(jq -r .cache.total_size_bytes "$TRASH/stats")" "$left" \
    "stats agree with the answer"
is "$(jq -r .cache.evictions "$TRASH/stats")" "$obj" \
    "the evictions are counted"
jq -e '.cache.eviction_rate_per_hour > 0' "$TRASH/stats" >/dev/null
ok $? "the eviction rate per hour is positive"
is "$(post evict '{"target_size_bytes": "1GB"}')" 200 \
    "evict takes a size string and the configured strategy"
is "$(jq -c '[.evicted_bytes, .objects]' "$TRASH/body")" "[0,0]" \
    "nothing to evict above the total"
bad evict '{"strategy": "lru"}' target_size_bytes "a missing target is 400"
bad evict '{"target_size_bytes": "x"}' target_size_bytes "a bad target is 400"
bad evict '{"target_size_bytes": -1}' target_size_bytes \
    "a negative target is 400"
bad evict '{"target_size_bytes": 0, "strategy": "random"}' strategy \
    "an unknown strategy is 400"
bad evict '{"target_size_bytes": 0, "strategy": 2}' strategy \
    "a numeric strategy is 400"
bad evict '{"target_size_bytes": 0, "force": true}' force \
    "an unknown field is 400"
bad evict '"evict"' body "a string body is 400"

# Clear.
bad clear '{"confirm": false}' confirm "confirm false is 400"
bad clear '{"confirm": "yes"}' confirm "confirm as a string is 400"
bad clear '{"confirm": 1}' confirm "confirm as a number is 400"
bad clear '{}' confirm "clear without confirm is 400"
bad clear '{"confirm": true, "all": true}' all "an extra field is 400"
n=$(curl -s -H 'Authorization: Bearer reader' "$M/api/v1/artifacts" | jq .total)
[ "$n" -gt 0 ]
ok $? "objects are left before clear ($n)"
is "$(post clear '{"confirm": true}')" 200 "clear answers 200"
is "$(jq -c '[.cleared_objects, .total_size_bytes]' "$TRASH/body")" \
    "[$n,0]" "clear reports every object"
is "$(curl -s -H 'Authorization: Bearer reader' "$M/api/v1/artifacts" | jq .total)" \
    0 "the query API sees an empty cache"
is "$(code "$H/cache/$(printf 'b%031d' 12)")" 404 "cleared objects are misses"
ls "$TRASH/cache/objects" 2>/dev/null | while read -r d; do
	ls "$TRASH/cache/objects/$d"
done >"$TRASH/left"
is "$(wc -l <"$TRASH/left" | tr -d ' ')" 0 "no object file is left"

# Methods, paths, limits.
is "$(admin evict)" 405 "GET on evict is 405"
is "$(admin config -X DELETE)" 405 "DELETE on config is 405"
is "$(admin nothing)" 404 "an unknown admin path is 404"
head -c 70000 /dev/zero | tr '\0' ' ' >"$TRASH/big"
is "$(admin config --data-binary "@$TRASH/big")" 413 \
    "a body over 64 KiB is 413"
stop_fabrik d
ok $? "the daemon stops cleanly"

done_testing
