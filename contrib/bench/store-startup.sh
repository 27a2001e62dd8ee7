#!/bin/sh
# Store start-up benchmark: time for `fabrik daemon` to be ready with an
# empty cache, with 100,000 objects and a clean index, and with the same
# objects after an unclean shutdown (SIGKILL: the index is rebuilt).
#
# Usage: contrib/bench/store-startup.sh [OBJECTS] [RUNS]   (from the top
# of a built tree: needs ./fabrik and libfabrik.a; curl for the health
# probe).  Prints the daemon's own "ready in X ms" figure and the wall
# time from exec until GET /health answers, for each run.
set -e

TOP=$(cd "$(dirname "$0")/../.." && pwd)
FABRIK=${FABRIK:-$TOP/fabrik}
N=${1:-100000}
RUNS=${2:-5}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fabrik-startup.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
CC=${CC:-cc}

for f in "$FABRIK" "$TOP/libfabrik.a"; do
	[ -e "$f" ] || { echo "missing $f: run make first" >&2; exit 1; }
done
command -v curl >/dev/null || { echo "curl needed" >&2; exit 1; }

# A generator that writes N small objects (64 B - 2 KiB) through the
# store API, as Gradle PUTs would, and closes the store cleanly.
cat >"$WORK/gen.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

int
main(int argc, char **argv)
{
	struct store_config c;
	struct store *s;
	const char *err;
	unsigned char key[STORE_KEY_LEN], buf[2048];
	char name[32];
	long i, n = atol(argv[2]);
	size_t len;

	memset(&c, 0, sizeof(c));
	c.dir = argv[1];
	c.max_size = 1ULL << 40;
	c.max_object_size = 1ULL << 30;
	if ((s = store_open(&c, &err)) == NULL) {
		fprintf(stderr, "store_open: %s\n", err);
		return 1;
	}
	for (i = 0; i < n; i++) {
		len = 64 + (size_t)(i * 7919 % 1985);
		memset(buf, (int)(i & 0xff), len);
		memcpy(buf, &i, sizeof(i));
		snprintf(name, sizeof(name), "%lx", i);
		store_key_for(STORE_NS_GRADLE, name, strlen(name), key);
		if (store_put_buf(s, key, STORE_NS_GRADLE, buf, len, NULL, 0,
			NULL) != STORE_OK) {
			fprintf(stderr, "put %ld failed\n", i);
			return 1;
		}
	}
	store_close(s);
	return 0;
}
C
LIBS=$(sed -n 's/^LIBS *= *//p' "$TOP/config.mk" 2>/dev/null)
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -I"$TOP/src" -O2 -o "$WORK/gen" \
    "$WORK/gen.c" "$TOP/libfabrik.a" ${LIBS:--lssl -lcrypto -lz}

now_ms() {
	# GNU date; elsewhere fall back to whole seconds.
	_t=$(date +%s%N 2>/dev/null)
	case $_t in *N) echo $(($(date +%s) * 1000)) ;; *) echo $((_t / 1000000)) ;; esac
}

# start DIR LABEL [SIGNAL]: starts the daemon, waits until /health
# answers, prints the figures, stops it with SIGNAL (TERM by default).
start() {
	_log=$WORK/daemon.log
	: >"$_log"
	_t0=$(now_ms)
	"$FABRIK" daemon --config-cache-dir "$1" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0 \
	    --config-cache-max-size 100GB >"$_log" 2>&1 &
	_pid=$!
	_port=
	while [ -z "$_port" ]; do
		_port=$(sed -n 's/^\[fabrik\] listening health on .*:\([0-9]*\)$/\1/p' "$_log")
		kill -0 $_pid 2>/dev/null || { cat "$_log"; exit 1; }
	done
	until curl -s -o /dev/null "http://127.0.0.1:$_port/health"; do :; done
	_t1=$(now_ms)
	_ready=$(sed -n 's/^\[fabrik\] ready in \([0-9.]*\) ms.*/\1/p' "$_log")
	_reb=$(sed -n 's/^\[fabrik\] index rebuilt from \([0-9]*\) objects in \([0-9]*\) ms.*/ (rebuild of \1 objects: \2 ms)/p' "$_log")
	printf '%-28s ready in %7s ms   health answers after %5d ms%s\n' \
	    "$2" "$_ready" $((_t1 - _t0)) "$_reb"
	kill -"${3:-TERM}" $_pid
	wait $_pid 2>/dev/null || :
}

echo "# fabrik $("$FABRIK" --version 2>/dev/null | head -1), $(uname -sr), $(nproc 2>/dev/null || echo ?) CPUs"
mkdir -p "$WORK/empty"
i=0
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	rm -rf "$WORK/empty"
	start "$WORK/empty" "empty cache (run $i)"
done

_t0=$(now_ms)
"$WORK/gen" "$WORK/full" "$N"
echo "# wrote $N objects in $(($(now_ms) - _t0)) ms ($(du -sh "$WORK/full" | cut -f1) on disk)"
i=0
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	start "$WORK/full" "$N objects, clean (run $i)"
done
i=0
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	# Leave the index dirty: start, SIGKILL, then time the next start.
	start "$WORK/full" "(priming, killed)" KILL >/dev/null
	start "$WORK/full" "$N objects, unclean (run $i)"
done
