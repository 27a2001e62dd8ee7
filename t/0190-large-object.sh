#!/bin/sh
# A 2 GB artifact goes through with flat memory: PUT and GET stream to and
# from the store (Gradle path and Bazel CAS with its digest check), the
# bytes come back identical, and fabrik's peak RSS stays small.
. "$(dirname "$0")/lib/tap.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
avail=$(df -Pk "$TOP/t" | awk 'NR == 2 { print $4 }')
[ "${avail:-0}" -gt $((6 * 1024 * 1024)) ] || skip_all "needs 6 GB free disk"

start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-cache-max-size 8GB
ok $? "fabrik daemon starts"
U=http://127.0.0.1:$d_port_http

# 2 GiB: sparse zeros with random blocks at both ends and in the middle.
big=$TRASH/big
head -c 1048576 /dev/urandom >"$big"
dd if=/dev/urandom of="$big" bs=1048576 seek=1024 count=1 conv=notrunc 2>/dev/null
truncate -s 2147483648 "$big"
dd if=/dev/urandom of="$big" bs=1048576 seek=2047 count=1 conv=notrunc 2>/dev/null
want=$(sha256sum <"$big" | cut -c1-64)

code=$(curl -s -o /dev/null -w '%{http_code}' -T "$big" "$U/cache/abcdef0123456789")
is "$code" 200 "a 2 GiB Gradle PUT is stored"
got=$(curl -s "$U/cache/abcdef0123456789" | sha256sum | cut -c1-64)
is "$got" "$want" "and reads back byte-exact"
code=$(curl -s -o /dev/null -w '%{http_code}' -T "$big" "$U/bazel/cas/$want")
is "$code" 200 "a 2 GiB Bazel CAS PUT passes its digest check"
got=$(curl -s "$U/bazel/cas/$want" | sha256sum | cut -c1-64)
is "$got" "$want" "and reads back byte-exact"
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$d_pid/status")
echo "# fabrik peak RSS after 8 GiB of transfers: ${hwm} kB"
[ "${hwm:-999999}" -lt 65536 ]
ok $? "peak RSS stays under 64 MiB (${hwm} kB)"
rm -f "$big"
stop_fabrik d
ok $? "fabrik exits 0"
done_testing
