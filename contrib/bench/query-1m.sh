#!/bin/sh
# The cache query API over 1,000,000 objects.
#
# Fills a store's index with N records (default 1,000,000) directly through
# store_open/index_insert of libfabrik.a -- random keys, sizes from 100 B
# to 1 MB, five build systems, spread creation and access times and hit
# counts -- without object files: the query API only walks the index.
# Then starts `fabrik daemon` on that store and times each request with
# curl -w '%{time_total}' (the median of RUNS runs; the first run of each
# URL is a warm-up and not counted), and reports the daemon's resident
# memory after the runs.
#
# Usage: contrib/bench/query-1m.sh          (from the source tree, after make)
# Environment:
#   N=1000000   index records        RUNS=5    timed runs per request
#   FABRIK=./fabrik   CC=cc
#   OUT=query-1m.txt  where the table is saved (also printed)
#   KEEP=1      keep the scratch directory (printed)
# Binds 127.0.0.1 only; the daemon and the scratch directory are removed
# on exit.
set -u

N=${N:-1000000}
RUNS=${RUNS:-5}
FABRIK=${FABRIK:-./fabrik}
CC=${CC:-cc}
OUT=${OUT:-query-1m.txt}
KEEP=${KEEP:-0}

die() {
	echo "query-1m: $*" >&2
	exit 1
}
[ -x "$FABRIK" ] || die "$FABRIK not built (run make)"
[ -f libfabrik.a ] || die "libfabrik.a not built (run make)"
command -v curl >/dev/null 2>&1 || die "curl not installed"

W=$(mktemp -d "${TMPDIR:-/tmp}/fabrik-query-1m.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	if [ "$KEEP" = 1 ]; then
		echo "# scratch kept in $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT INT TERM

cat >"$W/fill.c" <<'EOF'
/* Writes n random index records into the store at dir. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int
main(int argc, char **argv)
{
	static const int ns[] = { STORE_NS_GRADLE, STORE_NS_BAZEL_CAS,
		STORE_NS_NX, STORE_NS_TURBO, STORE_NS_CCACHE };
	struct store_config cfg;
	struct store *s;
	struct index *ix;
	struct index_rec *r;
	unsigned char key[STORE_KEY_LEN];
	const char *err;
	uint64_t n, i, j, v;
	uint32_t now = (uint32_t)time(NULL);
	int created;

	if (argc != 3)
		return 2;
	n = strtoull(argv[2], NULL, 10);
	memset(&cfg, 0, sizeof(cfg));
	cfg.dir = argv[1];
	cfg.max_size = 1ULL << 50;
	cfg.max_object_size = 1ULL << 40;
	if ((s = store_open(&cfg, &err)) == NULL) {
		fprintf(stderr, "fill: %s\n", err);
		return 1;
	}
	ix = store_index(s);
	for (i = 0; i < n; i++) {
		for (j = 0; j < STORE_KEY_LEN; j += 8) {
			v = next();
			memcpy(key + j, &v, 8);
		}
		if ((r = index_insert(ix, key, &created)) == NULL) {
			fprintf(stderr, "fill: index_insert failed\n");
			return 1;
		}
		r->size = 100 + next() % 1000000;
		r->created = now - (uint32_t)(next() % (6 * 86400));
		r->atime = r->created + (uint32_t)(next() % (now - r->created + 1));
		/* Skewed hit counts: most objects are read a few times. */
		v = next() % 1000;
		r->count = (uint32_t)(v * v * v / 1000000);
		r->ns = (uint8_t)ns[next() % 5];
		index_add_total(ix, (int64_t)r->size);
	}
	store_close(s);
	return 0;
}
EOF
t0=$(date +%s)
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Isrc -o "$W/fill" "$W/fill.c" \
    libfabrik.a -lssl -lcrypto -lz || die "cannot build the filler"
"$W/fill" "$W/cache" "$N" || die "fill failed"
t1=$(date +%s)

"$FABRIK" daemon --config-cache-dir "$W/cache" \
    --config-cache-max-size 1000TB --config-cache-max-object-size 1TB \
    --config-cache-default-ttl 0 \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-build-tools-enabled gradle >"$W/d.log" 2>&1 &
pid=$!
i=0
while ! grep -q '\[fabrik\] ready' "$W/d.log"; do
	i=$((i + 1))
	[ $i -gt 600 ] && die "daemon did not start: $(cat "$W/d.log")"
	kill -0 "$pid" 2>/dev/null || die "daemon died: $(cat "$W/d.log")"
	sleep 0.05
done
port=$(sed -n 's/^\[fabrik\] listening metrics on .*:\([0-9]*\)$/\1/p' \
    "$W/d.log")
M=http://127.0.0.1:$port
objects=$(curl -s "$M/api/v1/stats" |
    sed -n 's/.*"total_objects":\([0-9]*\).*/\1/p')
[ "$objects" = "$N" ] || die "daemon sees $objects objects, not $N"
hash=$(curl -s "$M/api/v1/artifacts?limit=1" |
    sed -n 's/.*"hash":"\([0-9a-f]*\)".*/\1/p')

# time URL: median seconds over RUNS runs after one warm-up.
median() {
	curl -s -o /dev/null "$1"
	r=0
	while [ $r -lt "$RUNS" ]; do
		curl -s -o /dev/null -w '%{time_total}\n' "$1"
		r=$((r + 1))
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] * 1000 }'
}

{
	echo "# query API over $N index records ($(uname -sm), $(date -u +%Y-%m-%d))"
	echo "# fill: $((t1 - t0)) s; median of $RUNS runs (ms), curl time_total"
	printf '%-72s %8s %10s\n' "request" "ms" "bytes"
	for u in \
	    "/api/v1/artifacts?limit=100" \
	    "/api/v1/artifacts?limit=100&offset=500000" \
	    "/api/v1/artifacts?sort=size_desc&limit=100" \
	    "/api/v1/artifacts?sort=size_asc&limit=1000" \
	    "/api/v1/artifacts?sort=last_accessed&limit=100&offset=10000" \
	    "/api/v1/artifacts?sort=access_count&limit=100&offset=100000" \
	    "/api/v1/artifacts?sort=size_desc&limit=1000&offset=499500" \
	    "/api/v1/artifacts?sort=size_desc&limit=100&offset=999900" \
	    "/api/v1/artifacts/top?limit=10" \
	    "/api/v1/artifacts/$hash" \
	    "/api/v1/artifacts/search?query=abc" \
	    "/api/v1/artifacts/search?min_size=900KB&build_system=nx&sort=size_asc" \
	    "/api/v1/artifacts/search?min_size=1KB&sort=size_desc&offset=5000" \
	    "/api/v1/stats"; do
		ms=$(median "$M$u")
		bytes=$(curl -s "$M$u" | wc -c | tr -d ' ')
		printf '%-72s %8s %10s\n' "$(echo "$u" | cut -c1-72)" "$ms" "$bytes"
	done
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
	hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
	echo "# daemon VmRSS ${rss:-?} kB, VmHWM ${hwm:-?} kB (index file $(du -k "$W/cache/index" 2>/dev/null | cut -f1) kB)"
} | tee "$OUT"
