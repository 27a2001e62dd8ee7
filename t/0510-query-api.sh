#!/bin/sh
# The cache query API on the metrics listener against a real daemon:
# listing, sorting and paginating (pages concatenate to the whole set
# with no duplicates, in the right order), lookups, /top, search filters,
# the extended /api/v1/stats, every 400 with its field, and the 401/403/404
# gating by observability.api_auth_required and the enable switch.
. "$(dirname "$0")/lib/tap.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
command -v jq >/dev/null 2>&1 || skip_all "jq not installed"
command -v sha256sum >/dev/null 2>&1 || skip_all "sha256sum not installed"

start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0
ok $? "fabrik daemon starts"
H=http://127.0.0.1:$d_port_http
M=http://127.0.0.1:$d_port_metrics

# code URL [CURL ARGS]: prints the status; the body goes to $TRASH/body.
code() {
	_u=$1
	shift
	curl -s -o "$TRASH/body" -w '%{http_code}' "$@" "$_u"
}
# bad PATH FIELD DESCRIPTION: expects 400 naming FIELD.
bad() {
	_c=$(code "$M$1")
	is "$_c $(jq -r '.field' "$TRASH/body" 2>/dev/null)" "400 $2" "$3"
}

# 30 Gradle objects in 10 sizes (ties in size test the tie-break on the
# hash) and 10 ccache objects; the expected index keys are
# SHA-256("gradle\0" KEY) and SHA-256("ccache\0" PATH).
: >"$TRASH/expected"
i=1
while [ $i -le 30 ]; do
	k=$(printf 'a%031d' $i)
	head -c $(((i % 10 + 1) * 300)) /dev/urandom >"$TRASH/obj"
	curl -s -o /dev/null -T "$TRASH/obj" "$H/cache/$k" || echo "# put $k failed"
	printf 'gradle\000%s' "$k" | sha256sum | cut -d' ' -f1 >>"$TRASH/expected"
	i=$((i + 1))
done
i=1
while [ $i -le 10 ]; do
	head -c $((i * 500)) /dev/urandom >"$TRASH/obj"
	curl -s -o /dev/null -T "$TRASH/obj" "$H/ccache/dir/obj$i" ||
	    echo "# put ccache $i failed"
	printf 'ccache\000dir/obj%s' "$i" | sha256sum | cut -d' ' -f1 \
	    >>"$TRASH/expected"
	i=$((i + 1))
done
# Hits: object a..05 five times, a..07 three times, a..11 once.
for n in 5 5 5 5 5 7 7 7 11; do
	curl -s -o /dev/null "$H/cache/$(printf 'a%031d' $n)"
done
sort "$TRASH/expected" >"$TRASH/expected.sorted"

# The whole list.
c=$(code "$M/api/v1/artifacts?limit=1000")
is "$c" 200 "GET /api/v1/artifacts answers 200"
is "$(jq -r '.total' "$TRASH/body")" 40 "total counts every object"
jq -r '.items[].hash' "$TRASH/body" | sort >"$TRASH/all"
cmp -s "$TRASH/all" "$TRASH/expected.sorted"
ok $? "the hashes are exactly the stored keys"
code "$M/api/v1/artifacts" >/dev/null
is "$(jq -r '.limit, (.items | length)' "$TRASH/body" | tr '\n' ' ')" \
    "100 40 " "the default limit is 100"
jq -e '.items | all(.created_at |
    test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))' \
    "$TRASH/body" >/dev/null
ok $? "created_at is RFC 3339"
jq -e '.items | all(.last_accessed | test("Z$")) and all(.size_bytes > 0)' \
    "$TRASH/body" >/dev/null
ok $? "last_accessed is RFC 3339 and sizes are positive"

# Sort orders, each checked against its definition (ties by hash).
check_order() {
	curl -s "$M/api/v1/artifacts?sort=$1&limit=1000" >"$TRASH/full-$1"
	jq -e "[.items[] | $2] as \$a | \$a == (\$a | sort) and
	    (\$a | length) == 40" "$TRASH/full-$1" >/dev/null
	ok $? "sort=$1 is ordered by $3"
}
check_order size_desc '[-.size_bytes, .hash]' "size, largest first"
check_order size_asc '[.size_bytes, .hash]' "size, smallest first"
check_order access_count '[-.access_count, .hash]' "hits, most first"
check_order last_accessed '[-(.last_accessed | fromdate), .hash]' \
    "last access, most recent first"
check_order index '1' "table order"
top=$(jq -r '.items[0].hash' "$TRASH/full-access_count")
is "$top" "$(printf 'gradle\000a%031d' 5 | sha256sum | cut -d' ' -f1)" \
    "the most read object ranks first"

# Pagination: pages of 7 concatenate to the full list, no duplicates.
paginate() {
	_off=0
	: >"$TRASH/pages"
	while [ $_off -le 100 ]; do
		curl -s "$M/api/v1/artifacts?sort=$1&limit=$2&offset=$_off" \
		    >"$TRASH/page"
		_n=$(jq '.items | length' "$TRASH/page")
		jq -r '.items[].hash' "$TRASH/page" >>"$TRASH/pages"
		[ "$_n" -lt "$2" ] && break
		_off=$((_off + $2))
	done
}
for s in size_desc size_asc access_count last_accessed index; do
	paginate $s 7
	jq -r '.items[].hash' "$TRASH/full-$s" >"$TRASH/full"
	cmp -s "$TRASH/pages" "$TRASH/full"
	ok $? "sort=$s: pages of 7 concatenate to the full list"
	is "$(sort "$TRASH/pages" | uniq -d | wc -l | tr -d ' ')" 0 \
	    "sort=$s: no object on two pages"
done
# Deep pages (the heap keeps the tail instead of offset + limit).
curl -s "$M/api/v1/artifacts?sort=size_desc&limit=10&offset=33" >"$TRASH/deep"
is "$(jq -r '[.items[].hash] | join(",")' "$TRASH/deep")" \
    "$(jq -r '[.items[33:40][].hash] | join(",")' "$TRASH/full-size_desc")" \
    "a deep page (offset 33 of 40) is the tail of the full order"
is "$(jq -r '.total, (.items | length)' "$TRASH/deep" | tr '\n' ' ')" \
    "40 7 " "a short last page says the total"
is "$(curl -s "$M/api/v1/artifacts?offset=40" | jq -c '[.total, .items]')" \
    "[40,[]]" "an offset past the end gives no items"
is "$(curl -s "$M/api/v1/artifacts?limit=0" | jq -c '[.total, .items]')" \
    "[40,[]]" "limit=0 gives only the total"

# One object.
h=$(jq -r '.items[0].hash' "$TRASH/full-access_count")
c=$(code "$M/api/v1/artifacts/$h")
is "$c" 200 "GET /api/v1/artifacts/{hash} finds an object"
is "$(jq -c . "$TRASH/body")" \
    "$(jq -c '.items[0]' "$TRASH/full-access_count")" \
    "and answers the same fields as the list"
is "$(jq -r '.access_count, .build_system' "$TRASH/body" | tr '\n' ' ')" \
    "6 gradle " "access_count counts the put and five hits"
H_UP=$(echo "$h" | tr 'a-f' 'A-F')
is "$(code "$M/api/v1/artifacts/$H_UP")" 200 "an upper-case hash works too"
c=$(code "$M/api/v1/artifacts/0000000000000000000000000000000000000000000000000000000000000000")
is "$c" 404 "an absent hash is 404"
bad "/api/v1/artifacts/abc" hash "a short hash is 400"
bad "/api/v1/artifacts/zz00000000000000000000000000000000000000000000000000000000000000" \
    hash "a non-hex hash is 400"
is "$(code "$M/api/v1/artifacts/$h/x")" 404 "deeper paths are 404"

# Top.
c=$(code "$M/api/v1/artifacts/top?limit=3")
is "$c" 200 "GET /api/v1/artifacts/top answers"
is "$(jq -c '[.items[].hash]' "$TRASH/body")" \
    "$(jq -c '[.items[0:3][].hash]' "$TRASH/full-access_count")" \
    "top is the most accessed first"
is "$(curl -s "$M/api/v1/artifacts/top" | jq '.items | length')" 10 \
    "top defaults to 10"

# Search.
search() {
	curl -s "$M/api/v1/artifacts/search?limit=1000&$1" >"$TRASH/found"
	is "$(jq -r '.total' "$TRASH/found") $(jq -r '[.items[].hash] | sort | join(",")' "$TRASH/found")" \
	    "$(jq -r "[.items[] | select($2)] | length" "$TRASH/full-index") $(jq -r "[.items[] | select($2) | .hash] | sort | join(\",\")" "$TRASH/full-index")" \
	    "search $1"
}
p2=$(echo "$h" | cut -c1-2)
p1=$(echo "$h" | cut -c1)
search "query=$p1" ".hash | startswith(\"$p1\")"
search "query=$p2" ".hash | startswith(\"$p2\")"
search "query=$h" ".hash == \"$h\""
search "query=$(echo "$p2" | tr 'a-f' 'A-F')" ".hash | startswith(\"$p2\")"
search "min_size=2KB" ".size_bytes >= 2000"
search "max_size=1.5KB" ".size_bytes <= 1500"
search "min_size=1KiB&max_size=3000" \
    ".size_bytes >= 1024 and .size_bytes <= 3000"
search "build_system=ccache" ".build_system == \"ccache\""
search "build_system=gradle&min_size=2KB&max_size=3KB" \
    ".build_system == \"gradle\" and .size_bytes >= 2000 and .size_bytes <= 3000"
search "query=$p1&build_system=gradle" \
    "(.hash | startswith(\"$p1\")) and .build_system == \"gradle\""
search "min_size=1GB" "false"
is "$(curl -s "$M/api/v1/artifacts/search?build_system=ccache" | jq -r .total)" \
    10 "ten ccache objects"
# Filtered pagination, sorted, including a deep page.
curl -s "$M/api/v1/artifacts/search?build_system=gradle&sort=size_asc&limit=1000" |
    jq -r '.items[].hash' >"$TRASH/gfull"
off=0
: >"$TRASH/gpages"
while [ $off -lt 30 ]; do
	curl -s "$M/api/v1/artifacts/search?build_system=gradle&sort=size_asc&limit=4&offset=$off" |
	    jq -r '.items[].hash' >>"$TRASH/gpages"
	off=$((off + 4))
done
cmp -s "$TRASH/gfull" "$TRASH/gpages"
ok $? "filtered, sorted pages concatenate to the filtered list"
is "$(wc -l <"$TRASH/gpages" | tr -d ' ')" 30 "thirty gradle objects paged"

# Stats.
c=$(code "$M/api/v1/stats")
is "$c" 200 "GET /api/v1/stats answers"
is "$(jq -r '.build_systems.gradle.objects, .build_systems.ccache.objects' "$TRASH/body" | tr '\n' ' ')" \
    "30 10 " "stats count objects per build system"
is "$(jq -r '.build_systems.gradle.bytes' "$TRASH/body")" \
    "$(jq '[.items[] | select(.build_system == "gradle") | .size_bytes] | add' "$TRASH/full-index")" \
    "stats sum bytes per build system"
is "$(jq -r '.cache.eviction_rate_per_hour' "$TRASH/body")" 0 \
    "eviction rate per hour is 0 without evictions"
jq -e '.performance.latency_seconds.p99 >= 0' "$TRASH/body" >/dev/null
ok $? "stats keep the latency quantiles"

# Every 400, naming the parameter.
bad "/api/v1/artifacts?limit=1001" limit "limit over 1000 is 400"
bad "/api/v1/artifacts?limit=abc" limit "a non-numeric limit is 400"
bad "/api/v1/artifacts?limit=-1" limit "a negative limit is 400"
bad "/api/v1/artifacts?offset=-1" offset "a negative offset is 400"
bad "/api/v1/artifacts?offset=1e3" offset "a non-integer offset is 400"
bad "/api/v1/artifacts?sort=name" sort "an unknown sort is 400"
bad "/api/v1/artifacts?color=red" color "an unknown parameter is 400"
bad "/api/v1/artifacts?query=ab" query "query only on /search"
bad "/api/v1/artifacts/top?offset=3" offset "no offset on /top"
bad "/api/v1/artifacts/top?limit=5000" limit "limit over 1000 on /top is 400"
bad "/api/v1/artifacts/search?query=xyz" query "a non-hex query is 400"
bad "/api/v1/artifacts/search?query=$h$p1" query "a query over 64 digits is 400"
bad "/api/v1/artifacts/search?min_size=12QB" min_size "a bad min_size is 400"
bad "/api/v1/artifacts/search?min_size=" min_size "an empty min_size is 400"
bad "/api/v1/artifacts/search?max_size=lots" max_size "a bad max_size is 400"
bad "/api/v1/artifacts/search?min_size=2MB&max_size=1MB" min_size \
    "min_size above max_size is 400"
bad "/api/v1/artifacts/search?build_system=maven" build_system \
    "an unknown build_system is 400"
bad "/api/v1/artifacts/search?min_size=%zz" min_size \
    "a bad percent escape is 400"
code "$M/api/v1/artifacts/search?build_system=%63cache" >/dev/null
is "$(jq -r .total "$TRASH/body")" 10 "percent-escaped values are decoded"
is "$(code "$M/api/v1/artifacts" -X POST)" 405 "POST on the query API is 405"
is "$(code "$M/api/v1/artifacts" -I)" 200 "HEAD on the query API is 200"
stop_fabrik d

# Auth: tokens with admin, read and write only.
start_fabrik a daemon --config-cache-dir "$TRASH/cache-a" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-observability-api-auth-required true \
    --config-auth-tokens 'admintok:admin,reader:read,writer:write'
ok $? "fabrik daemon with api_auth_required starts"
A=http://127.0.0.1:$a_port_metrics
is "$(code "http://127.0.0.1:$a_port_health/health")" 200 "health stays public"
for p in /metrics /api/v1/stats /api/v1/artifacts /api/v1/artifacts/top \
    "/api/v1/artifacts/search?query=ab"; do
	curl -s -D "$TRASH/hdr" -o "$TRASH/body" "$A$p" >/dev/null
	st=$(sed -n '1s/^HTTP\/1.1 \([0-9]*\).*/\1/p' "$TRASH/hdr")
	grep -qi '^WWW-Authenticate: Bearer' "$TRASH/hdr"
	is "$st $?" "401 0" "$p without a token is 401 with WWW-Authenticate: Bearer"
	is "$(code "$A$p" -H 'Authorization: Bearer nope')" 401 \
	    "$p with a wrong token is 401"
	is "$(code "$A$p" -H 'Authorization: Bearer writer')" 403 \
	    "$p with a write-only token is 403"
	is "$(code "$A$p" -H 'Authorization: Bearer reader')" 200 \
	    "$p with a read token is 200"
	is "$(code "$A$p" -H 'Authorization: Bearer admintok')" 200 \
	    "$p with an admin token is 200"
done
is "$(code "$A/api/v1/artifacts" -u ci:reader)" 200 \
    "Basic credentials carry the token too"
is "$(code "$A/api/v1/admin/config" -H 'Authorization: Bearer admintok')" \
    404 "the admin API is off by default"
curl -s -H 'Authorization: Bearer reader' "$A/metrics" >"$TRASH/metrics"
grep -q '^fabrik_auth_failures_total{reason="missing"} [1-9]' "$TRASH/metrics"
ok $? "refused API requests are counted in fabrik_auth_failures_total"
stop_fabrik a

# The switch: query API off gives 404 (before any auth).
start_fabrik q daemon --config-cache-dir "$TRASH/cache-q" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-observability-cache-query-api-enabled false
ok $? "fabrik daemon with the query API off starts"
Q=http://127.0.0.1:$q_port_metrics
is "$(code "$Q/api/v1/artifacts")" 404 "query API off: list is 404"
is "$(code "$Q/api/v1/artifacts/top")" 404 "query API off: top is 404"
is "$(code "$Q/api/v1/stats")" 200 "query API off: stats still answer"
stop_fabrik q

done_testing
