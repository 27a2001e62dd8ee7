#!/bin/sh
# Fabrik's HTTP hit path against Debian's nginx, side by side on loopback.
#
# Starts `fabrik daemon` and nginx (one worker, static GET + WebDAV PUT),
# both with ONE worker, loads the same corpus into both, checks that
# fabrik returns the corpus byte for byte, then measures with wrk:
#   - small-object GET hits (1-64 KiB, random keys) at 1, 16, 64 connections
#     (req/s, p50, p99, server CPU time per request),
#   - PUT of 16 KiB and of 1 MiB objects (fabrik /cache/<key>, nginx
#     WebDAV PUT on the same path),
#   - one 128 MiB object GET over one connection (GB/s),
#   - resident memory (VmRSS) of each server idle and after the load.
# Each measurement runs the two servers alternately (round 1 fabrik then
# nginx, round 2 nginx then fabrik, ...) and the table shows the mean.
#
# Usage: contrib/bench/http-vs-nginx.sh          (from the source tree)
# Environment:
#   DURATION=10   seconds per wrk run            QUICK=1  2 s runs, 500 keys
#   ROUNDS=2      runs per server per measurement (alternating order)
#   KEYS=2000     objects in the GET corpus (sizes 1-64 KiB, uniform)
#   THREADS=2     wrk threads for the 16/64-connection runs
#   FABRIK=./fabrik   NGINX=nginx   WRK=wrk
#   BEFORE=path   a second fabrik binary (e.g. an older build), loaded
#                 and measured in the same run, alternating with the
#                 others; its figures appear in two extra columns
#   OUT=${TMPDIR:-/tmp}/http-vs-nginx.txt   where the table is saved (also printed)
#   KEEP=1        keep the scratch directory (printed) for inspection
#   ONLY="get-c64 put-1m"   run only these measurements (names as in
#                 the table: get-c1 get-c16 get-c64 put-16k put-1m get-128m)
# Everything binds 127.0.0.1 only; every process started here and the
# scratch directory are removed on exit.
set -u

here=$(cd "$(dirname "$0")" && pwd)
FABRIK=${FABRIK:-./fabrik}
NGINX=${NGINX:-nginx}
WRK=${WRK:-wrk}
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
	DURATION=${DURATION:-2}
	KEYS=${KEYS:-500}
	ROUNDS=${ROUNDS:-1}
else
	DURATION=${DURATION:-10}
	KEYS=${KEYS:-2000}
	ROUNDS=${ROUNDS:-2}
fi
THREADS=${THREADS:-2}
OUT=${OUT:-${TMPDIR:-/tmp}/http-vs-nginx.txt}
KEEP=${KEEP:-0}
PUT_KEYS=256
BIG=$((128 * 1024 * 1024))

die() {
	echo "http-vs-nginx: $*" >&2
	exit 1
}
note() {
	echo "# $*" >&2
}

for t in "$NGINX" "$WRK" curl od awk cmp; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
[ -x "$FABRIK" ] || die "$FABRIK not found (run make, or set FABRIK=)"
FABRIK=$(cd "$(dirname "$FABRIK")" && pwd)/$(basename "$FABRIK")
BEFORE=${BEFORE:-}
if [ -n "$BEFORE" ]; then
	[ -x "$BEFORE" ] || die "$BEFORE not found"
	BEFORE=$(cd "$(dirname "$BEFORE")" && pwd)/$(basename "$BEFORE")
fi
case $OUT in /*) ;; *) OUT=$(pwd)/$OUT ;; esac

T=$(mktemp -d "${TMPDIR:-/tmp}/fabrik-bench.XXXXXX") || die "mktemp failed"
fabrik_pid=
before_pid=
nginx_pid=
cleanup() {
	trap - EXIT INT TERM HUP
	for p in $fabrik_pid $before_pid $nginx_pid; do
		kill "$p" 2>/dev/null
	done
	for p in $fabrik_pid $before_pid $nginx_pid; do
		wait "$p" 2>/dev/null
	done
	if [ "$KEEP" = 1 ]; then
		note "kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- corpus ----

# randhex COUNT: COUNT lines of 32 random lower-case hex digits.
randhex() {
	od -An -v -tx1 -N$(($1 * 16)) /dev/urandom | tr -d ' \n' |
	    fold -w32
	echo
}

note "corpus: $KEYS objects of 1-64 KiB and one of 128 MiB in $T"
mkdir -p "$T/corpus" "$T/nginx/root/cache" "$T/nginx/tmp" "$T/nginx/logs" \
    "$T/fabrik" || die "mkdir failed"
randhex "$KEYS" | sed '/^$/d' >"$T/keys"
randhex 1 | sed '/^$/d' >"$T/bigkey"
randhex "$PUT_KEYS" | sed '/^$/d' >"$T/putkeys"
[ "$(wc -l <"$T/keys")" -eq "$KEYS" ] || die "key generation failed"
# One random pool, cut into objects at random offsets: same bytes for both.
head -c $((4 * 1024 * 1024)) /dev/urandom >"$T/pool"
awk -v seed="$$" 'BEGIN { srand(seed) }
	{ printf "%s %d %d\n", $1, 1024 + int(rand() * (65536 - 1024 + 1)),
	    int(rand() * 3 * 1024 * 1024) }' "$T/keys" >"$T/sizes"
while read -r k size off; do
	tail -c +$((off + 1)) "$T/pool" | head -c "$size" >"$T/corpus/$k"
done <"$T/sizes"
head -c "$BIG" /dev/urandom >"$T/corpus/$(cat "$T/bigkey")"
bytes=$(awk '{ s += $2 } END { print s }' "$T/sizes")
note "corpus: $((bytes / 1024)) KiB of small objects"
cp "$T/corpus/"* "$T/nginx/root/cache/" || die "copying the corpus failed"

# ---- servers ----

# start_fabrik BINARY NAME: starts a daemon on $T/NAME; sets sf_pid and
# sf_port.
start_fabrik() {
	: >"$T/$2.log"
	mkdir -p "$T/$2"
	"$1" daemon --config-cache-dir "$T/$2" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0 \
	    --config-cache-max-size 20GB \
	    >"$T/$2.log" 2>&1 &
	sf_pid=$!
	i=0
	while ! grep -q '\[fabrik\] ready' "$T/$2.log"; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$sf_pid" 2>/dev/null; then
			cat "$T/$2.log" >&2
			die "fabrik did not start"
		fi
		sleep 0.05
	done
	sf_port=$(sed -n \
	    's/^\[fabrik\] listening http on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
	    "$T/$2.log" | head -n 1)
	[ -n "$sf_port" ] || die "no http port in $T/$2.log"
}

# nginx cannot report a port it chose, so try a few at random.  Its
# worker runs as the invoking user (run as root, nginx would otherwise
# switch to nobody, who cannot read the private scratch directory).
start_nginx() {
	for attempt in 1 2 3 4 5 6 7 8; do
		nginx_port=$(awk -v s="$$$attempt" \
		    'BEGIN { srand(s); print 20000 + int(rand() * 40000) }')
		cat >"$T/nginx/nginx.conf" <<EOF
user $(id -un) $(id -gn);
worker_processes 1;
daemon off;
master_process on;
pid $T/nginx/nginx.pid;
error_log $T/nginx/logs/error.log warn;
events {
	worker_connections 4096;
}
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_requests 10000000;
	keepalive_timeout 75s;
	client_max_body_size 256m;
	client_body_buffer_size 128k;
	client_body_temp_path $T/nginx/tmp;
	proxy_temp_path $T/nginx/tmp;
	fastcgi_temp_path $T/nginx/tmp;
	uwsgi_temp_path $T/nginx/tmp;
	scgi_temp_path $T/nginx/tmp;
	default_type application/octet-stream;
	types { }
	server {
		listen 127.0.0.1:$nginx_port;
		root $T/nginx/root;
		location /cache/ {
			dav_methods PUT;
			dav_access user:rw;
		}
	}
}
EOF
		: >"$T/nginx/logs/error.log"
		"$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" \
		    -e "$T/nginx/logs/error.log" 2>"$T/nginx/logs/stderr.log" &
		nginx_pid=$!
		i=0
		while [ $i -lt 100 ]; do
			if ! kill -0 "$nginx_pid" 2>/dev/null; then
				wait "$nginx_pid" 2>/dev/null
				nginx_pid=
				break
			fi
			if curl -s -o /dev/null \
			    "http://127.0.0.1:$nginx_port/" 2>/dev/null; then
				nginx_worker=$(pgrep -P "$nginx_pid" | head -n 1)
				[ -n "$nginx_worker" ] && return 0
			fi
			i=$((i + 1))
			sleep 0.05
		done
		[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null &&
		    wait "$nginx_pid" 2>/dev/null
		nginx_pid=
	done
	cat "$T/nginx/logs/stderr.log" "$T/nginx/logs/error.log" >&2
	die "nginx did not start"
}

# rss PID...: the sum of VmRSS in KiB.
rss() {
	for p in "$@"; do
		sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' \
		    "/proc/$p/status"
	done | awk '{ s += $1 } END { print s + 0 }'
}

# cputicks PID: utime + stime in clock ticks.
cputicks() {
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

start_fabrik "$FABRIK" fabrik
fabrik_pid=$sf_pid fabrik_port=$sf_port
if [ -n "$BEFORE" ]; then
	start_fabrik "$BEFORE" before
	before_pid=$sf_pid before_port=$sf_port
	note "before: pid $before_pid on 127.0.0.1:$before_port ($BEFORE)"
fi
start_nginx
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
note "fabrik pid $fabrik_pid on 127.0.0.1:$fabrik_port;" \
    "nginx pid $nginx_pid (worker $nginx_worker) on 127.0.0.1:$nginx_port"
rss_idle_f=$(rss "$fabrik_pid")
rss_idle_b=
[ -n "$before_pid" ] && rss_idle_b=$(rss "$before_pid")
rss_idle_n=$(rss "$nginx_pid" "$nginx_worker")
rss_idle_nw=$(rss "$nginx_worker")

# ---- load fabrik, check it returns the same bytes ----

F=http://127.0.0.1:$fabrik_port
N=http://127.0.0.1:$nginx_port
Bu=
[ -n "$before_pid" ] && Bu=http://127.0.0.1:$before_port
for srv in "$F" $Bu; do
	{
		while read -r k; do
			printf 'upload-file = "%s"\nurl = "%s/cache/%s"\n' \
			    "$T/corpus/$k" "$srv" "$k"
			printf 'output = "/dev/null"\n'
		done <"$T/keys"
		k=$(cat "$T/bigkey")
		printf 'upload-file = "%s"\nurl = "%s/cache/%s"\n' \
		    "$T/corpus/$k" "$srv" "$k"
		printf 'output = "/dev/null"\n'
	} >"$T/curl-put"
	note "loading $srv over HTTP PUT"
	curl -s -q -K "$T/curl-put" -w '%{http_code}\n' >"$T/put-codes" ||
	    die "curl PUT failed"
	bad=$(grep -vc '^200$' "$T/put-codes")
	[ "$bad" -eq 0 ] || die "$bad of the PUTs to $srv did not answer 200"
done
rss_loaded_f=$(rss "$fabrik_pid")

# Every object once through each server (warms the page cache and checks
# status codes), then byte-for-byte comparison on a sample.
for srv in "$F" "$N" $Bu; do
	sed "s|.*|url = \"$srv/cache/&\"\\
output = \"/dev/null\"|" "$T/keys" >"$T/curl-get"
	curl -s -q -K "$T/curl-get" -w '%{http_code}\n' >"$T/get-codes" ||
	    die "curl GET from $srv failed"
	bad=$(grep -vc '^200$' "$T/get-codes")
	[ "$bad" -eq 0 ] || die "$bad GETs from $srv did not answer 200"
done
sample=$(awk 'NR % 37 == 1' "$T/keys" | head -n 60; cat "$T/bigkey")
checked=0
for k in $sample; do
	for srv in "$F" "$N" $Bu; do
		curl -s -q -o "$T/check" "$srv/cache/$k" ||
		    die "GET $srv/cache/$k failed"
		cmp -s "$T/check" "$T/corpus/$k" ||
		    die "$srv/cache/$k differs from the corpus"
	done
	checked=$((checked + 1))
done
rm -f "$T/check"
note "checked $checked objects byte for byte (both servers)"

# ---- measurements ----

# run_wrk NAME SERVER CONNS SCRIPT ARGS...: one wrk run; appends
# "NAME SERVER rps p50_us p99_us bytes_per_s cpu_us_per_req errors".
run_wrk() {
	name=$1 srv=$2 conns=$3 script=$4
	shift 4
	if [ "$srv" = fabrik ]; then
		url=$F pid=$fabrik_pid
	elif [ "$srv" = before ]; then
		url=$Bu pid=$before_pid
	else
		url=$N pid=$nginx_worker
	fi
	thr=$THREADS
	[ "$conns" -lt "$thr" ] && thr=$conns
	c0=$(cputicks "$pid")
	"$WRK" -t"$thr" -c"$conns" -d"${DURATION}s" --latency \
	    -s "$here/$script" "$url" -- "$@" >"$T/wrk.out" 2>&1
	c1=$(cputicks "$pid")
	cat "$T/wrk.out" >>"$T/wrk.log"
	line=$(grep '^RESULT ' "$T/wrk.out")
	[ -n "$line" ] || {
		cat "$T/wrk.out" >&2
		die "wrk gave no result ($name, $srv)"
	}
	echo "$line" | awk -v n="$name" -v s="$srv" -v c0="$c0" -v c1="$c1" \
	    -v hz="$hz" '{
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			v[kv[1]] = kv[2]
		}
		d = v["duration_us"] / 1e6
		cpu = (c1 - c0) / hz * 1e6
		printf "%s %s %.1f %d %d %.0f %.1f %d\n", n, s,
		    v["requests"] / d, v["p50_us"], v["p99_us"],
		    v["bytes"] / d, (v["requests"] > 0 ? cpu / v["requests"] : 0),
		    v["errors"]
	}' >>"$T/results"
	tail -n 1 "$T/results" | awk '{
		printf "# %-10s %-6s %10.0f req/s  p50 %6d us  p99 %7d us" \
		    "  %6.1f cpu-us/req  %d errors\n", $1, $2, $3, $4, $5, $7, $8
	}' >&2
}

: >"$T/results"
: >"$T/wrk.log"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
# ab NAME CONNS SCRIPT ARGS...: ROUNDS runs on each server, alternating
# which server goes first (A/B, B/A, ...).
ab() {
	name=$1 conns=$2 script=$3
	shift 3
	case " ${ONLY:-$name} " in
	*" $name "*) ;;
	*) return 0 ;;
	esac
	r=1
	while [ $r -le "$ROUNDS" ]; do
		if [ $((r % 2)) -eq 1 ]; then
			run_wrk "$name" fabrik "$conns" "$script" "$@"
			run_wrk "$name" nginx "$conns" "$script" "$@"
			[ -n "$Bu" ] &&
			    run_wrk "$name" before "$conns" "$script" "$@"
		else
			[ -n "$Bu" ] &&
			    run_wrk "$name" before "$conns" "$script" "$@"
			run_wrk "$name" nginx "$conns" "$script" "$@"
			run_wrk "$name" fabrik "$conns" "$script" "$@"
		fi
		r=$((r + 1))
	done
}

for c in 1 16 64; do
	ab "get-c$c" "$c" get.lua "$T/keys"
done
ab put-16k 16 put.lua "$T/putkeys" 16384
ab put-1m 16 put.lua "$T/putkeys" 1048576
ab get-128m 1 get.lua "$T/bigkey"
load1=$(cut -d' ' -f1-3 /proc/loadavg)

rss_after_f=$(rss "$fabrik_pid")
rss_after_b=
[ -n "$before_pid" ] && rss_after_b=$(rss "$before_pid")
rss_after_n=$(rss "$nginx_pid" "$nginx_worker")
rss_after_nw=$(rss "$nginx_worker")

# ---- report ----

{
	echo "Fabrik vs nginx, HTTP/1.1 on loopback, one worker each"
	echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "machine: $(uname -srm); $(getconf _NPROCESSORS_ONLN) CPUs;" \
	    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
	    head -n 1)"
	echo "fabrik:  $("$FABRIK" --version 2>&1 | head -n 1)"
	echo "nginx:   $("$NGINX" -v 2>&1 | sed 's/^nginx version: //')"
	echo "wrk:     $("$WRK" -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
	echo "runs:    ${DURATION}s each, $ROUNDS per server, alternating;" \
	    "wrk threads: min($THREADS, connections)"
	echo "corpus:  $KEYS objects of 1-64 KiB ($((bytes / 1024)) KiB)," \
	    "one of 128 MiB; PUTs overwrite $PUT_KEYS keys"
	echo "load average before: $load0; after: $load1"
	[ -n "$Bu" ] &&
	    echo "before:  $BEFORE (ratio column 2 = before / nginx)"
	echo
	awk '
	{
		k = $1 SUBSEP $2
		n[k]++
		rps[k] += $3; p50[k] += $4; p99[k] += $5
		bps[k] += $6; cpu[k] += $7; err[k] += $8
		if (!($1 in seen)) {
			seen[$1] = 1
			order[++m] = $1
		}
	}
	function avg(a, k) { return a[k] / n[k] }
	function row(label, f, nn, fmt, note) {
		if (hasb) {
			bb = (label in bv) ? bv[label] : 0
			printf "%-26s %12s %12s %8s %12s %8s  %s\n", label,
			    sprintf(fmt, f), sprintf(fmt, nn),
			    (nn > 0 ? sprintf("%.2f", f / nn) : "-"),
			    sprintf(fmt, bb),
			    (nn > 0 ? sprintf("%.2f", bb / nn) : "-"), note
			return
		}
		printf "%-26s %12s %12s %8s  %s\n", label, sprintf(fmt, f),
		    sprintf(fmt, nn), (nn > 0 ? sprintf("%.2f", f / nn) : "-"),
		    note
	}
	END {
		for (i = 1; i <= m; i++) {
			t = order[i]
			b = t SUBSEP "before"
			if (!(b in n))
				continue
			hasb = 1
			if (t == "get-128m") {
				bv[t " GB/s"] = avg(bps, b) / 1e9
			} else {
				bv[t " req/s"] = avg(rps, b)
				bv[t " p50 us"] = avg(p50, b)
				bv[t " p99 us"] = avg(p99, b)
			}
			bv[t " cpu us/req"] = avg(cpu, b)
		}
		if (hasb)
			printf "%-26s %12s %12s %8s %12s %8s\n", "measurement",
			    "fabrik", "nginx", "ratio", "before", "ratio"
		else
			printf "%-26s %12s %12s %8s\n", "measurement",
			    "fabrik", "nginx", "ratio"
		for (i = 1; i <= m; i++) {
			t = order[i]
			f = t SUBSEP "fabrik"
			g = t SUBSEP "nginx"
			if (t == "get-128m") {
				row(t " GB/s", avg(bps, f) / 1e9,
				    avg(bps, g) / 1e9, "%.2f", "higher is better")
			} else {
				row(t " req/s", avg(rps, f), avg(rps, g),
				    "%.0f", "higher is better")
				row(t " p50 us", avg(p50, f), avg(p50, g),
				    "%.0f", "lower is better")
				row(t " p99 us", avg(p99, f), avg(p99, g),
				    "%.0f", "lower is better")
			}
			row(t " cpu us/req", avg(cpu, f), avg(cpu, g),
			    "%.1f", "server CPU time per request")
			if (err[f] + err[g] + err[t SUBSEP "before"] > 0)
				printf "%-26s %12d %12d %8s %12d\n", t " errors",
				    err[f], err[g], "", err[t SUBSEP "before"]
		}
	}' "$T/results"
	printf '%-26s %12s %12s %8s  %s\n' "RSS idle, empty KiB" \
	    "$rss_idle_f" "$rss_idle_n" \
	    "$(awk -v a="$rss_idle_f" -v b="$rss_idle_n" \
	    'BEGIN { printf "%.2f", a / b }')" \
	    "nginx = master + worker ($rss_idle_nw worker)"
	printf '%-26s %12s %12s %8s  %s\n' "RSS corpus loaded KiB" \
	    "$rss_loaded_f" "-" "-" "fabrik after $KEYS+1 PUTs"
	printf '%-26s %12s %12s %8s  %s\n' "RSS after load KiB" \
	    "$rss_after_f" "$rss_after_n" \
	    "$(awk -v a="$rss_after_f" -v b="$rss_after_n" \
	    'BEGIN { printf "%.2f", a / b }')" \
	    "nginx = master + worker ($rss_after_nw worker)"
	[ -n "$Bu" ] && printf '%-26s %12s  (idle %s)\n' \
	    "RSS before-binary KiB" "$rss_after_b" "$rss_idle_b"
	echo
	echo "per-run figures (name server req/s p50us p99us bytes/s cpu-us/req errors):"
	sed 's/^/  /' "$T/results"
} >"$T/table"
cat "$T/table"
cp "$T/table" "$OUT" && note "saved $OUT"
