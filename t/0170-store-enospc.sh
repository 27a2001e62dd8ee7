#!/bin/sh
# A full disk during a PUT: the daemon runs on a 4 MiB tmpfs (in a private
# mount namespace); PUTs go until one fails, which must be exactly 507;
# the daemon keeps serving and earlier objects read back byte-exact; no
# temp file is left.  Then cache.min_free_space: a daemon that would go
# below it answers 507 to PUT and still serves reads.
. "$(dirname "$0")/lib/tap.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
command -v unshare >/dev/null 2>&1 || skip_all "unshare not installed"
command -v nsenter >/dev/null 2>&1 || skip_all "nsenter not installed"

small=$TRASH/small
mkdir -p "$small"
unshare -m sh -c "mount -t tmpfs -o size=4m tmpfs '$small'" \
    >/dev/null 2>&1 ||
    skip_all "cannot mount a tmpfs in a private mount namespace (needs root or user namespaces)"

binds="--config-daemon-bind 127.0.0.1:0 \
--config-observability-health-bind 127.0.0.1:0 \
--config-observability-metrics-bind 127.0.0.1:0"

# unshare and sh exec into fabrik: d_pid is the daemon's pid.
FABRIK=unshare start_fabrik d -m sh -c "mount -t tmpfs -o size=4m tmpfs \
'$small' && exec '$FABRIK' daemon --config-cache-dir '$small' \
--config-cache-min-free-space 0 --config-cache-max-size 1GB $binds"
ok $? "daemon starts on a 4 MiB tmpfs"
url() {
	echo "http://127.0.0.1:$d_port_http/cache/$1"
}

i=0
last=200
while [ $i -lt 40 ] && [ "$last" = 200 ]; do
	i=$((i + 1))
	head -c 262144 /dev/urandom >"$TRASH/obj.$i"
	last=$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
	    --data-binary "@$TRASH/obj.$i" "$(url "$(printf '%04x' $i)")")
done
echo "# PUT $i answered $last"
ok $([ $i -gt 3 ] && [ $i -lt 40 ]; echo $?) \
    "$((i - 1)) objects of 256 KiB fit, PUT $i failed"
is "$last" 507 "the PUT that finds the disk full gets 507"
kill -0 "$d_pid"
ok $? "the daemon is still running"
code=$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$d_port_health/health")
is "$code" 200 "health still answers"
bad=0
j=1
while [ $j -lt $i ]; do
	curl -s -o "$TRASH/got" "$(url "$(printf '%04x' $j)")"
	cmp -s "$TRASH/got" "$TRASH/obj.$j" || bad=$((bad + 1))
	j=$((j + 1))
done
is "$bad" 0 "all $((i - 1)) earlier objects read back byte-exact"
code=$(curl -s -o /dev/null -w '%{http_code}' "$(url "$(printf '%04x' $i)")")
is "$code" 404 "the failed object is a miss"
left=$(nsenter -t "$d_pid" -m ls -A "$small/tmp" | wc -l | tr -d ' ')
is "$left" 0 "no temp files left in the cache's tmp/"
# Tiny PUTs fill the last free pages: every answer is 200 or 507, and
# new index records on a full disk must not crash the daemon (a sparse
# index file would be a SIGBUS here).
k=0
others=0
fits=0
code=200
while [ $k -lt 300 ] && [ "$code" = 200 ]; do
	k=$((k + 1))
	code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary x \
	    "$(url "ff$(printf '%04x' $k)")")
	case $code in
	200) fits=$((fits + 1)) ;;
	507) ;;
	*) others=$((others + 1)) ;;
	esac
done
echo "# $fits one-byte objects fitted"
is "$code" 507 "one-byte PUTs end in 507"
is "$others" 0 "no answer other than 200 or 507"
kill -0 "$d_pid"
ok $? "the daemon survived filling the disk to the last page"
curl -s -o "$TRASH/got" "$(url 0001)"
cmp -s "$TRASH/got" "$TRASH/obj.1"
ok $? "first object still reads back"
stop_fabrik d
ok $? "daemon stops cleanly"

# min_free_space larger than the free space of the cache's file system.
cache=$TRASH/cache
start_fabrik e daemon --config-cache-dir "$cache" $binds
ok $? "daemon starts"
head -c 5000 /dev/urandom >"$TRASH/kept"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
    --data-binary "@$TRASH/kept" "http://127.0.0.1:$e_port_http/cache/0a0b")
is "$code" 200 "PUT with room"
stop_fabrik e
start_fabrik e daemon --config-cache-dir "$cache" $binds \
    --config-cache-min-free-space 1000TB
ok $? "daemon starts with min_free_space 1000TB"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary x \
    "http://127.0.0.1:$e_port_http/cache/0c0d")
is "$code" 507 "PUT below min_free_space gets 507"
curl -s -o "$TRASH/got" "http://127.0.0.1:$e_port_http/cache/0a0b"
cmp -s "$TRASH/got" "$TRASH/kept"
ok $? "reads are still served"
ls -A "$cache/tmp" | grep -q . && t=yes || t=no
is "$t" no "no temp file left"
stop_fabrik e

done_testing
