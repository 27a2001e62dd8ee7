#!/bin/sh
# ./configure --static yields a static binary that runs: build a copy of
# the tree out of place and check it with file(1) and ldd(1).
. "$(dirname "$0")/lib/tap.sh"

command -v file >/dev/null 2>&1 || skip_all "file(1) not installed"
[ -f /usr/lib/x86_64-linux-gnu/libssl.a ] || [ -f /usr/lib/libssl.a ] ||
    ls /usr/lib/*/libssl.a >/dev/null 2>&1 || skip_all "no static libssl"

mkdir "$TRASH/tree"
(cd "$TOP" && tar cf - configure Makefile src) | (cd "$TRASH/tree" && tar xf -)
(cd "$TRASH/tree" && ./configure --static >configure.log 2>&1)
ok $? "./configure --static succeeds"
(cd "$TRASH/tree" && make fabrik >make.log 2>&1)
ok $? "make builds the static binary"
file "$TRASH/tree/fabrik" | grep -q 'statically linked'
ok $? "file(1) says the binary is statically linked"
if command -v ldd >/dev/null 2>&1; then
	out=$(ldd "$TRASH/tree/fabrik" 2>&1)
	case $out in
	*"not a dynamic executable"* | *"statically linked"*) ok 0 "ldd finds no shared libraries" ;;
	*) ok 1 "ldd finds no shared libraries (got: $out)" ;;
	esac
fi
got=$("$TRASH/tree/fabrik" --version)
is "$got" "$("$FABRIK" --version)" "the static binary runs"
start_fabrik s daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0
ok $? "the dynamic daemon starts (reference)"
FABRIK=$TRASH/tree/fabrik
start_fabrik st daemon --config-cache-dir "$TRASH/cache2" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0
ok $? "the static daemon starts and serves"
"$FABRIK" health --url "http://127.0.0.1:$st_port_health" >/dev/null
ok $? "the static daemon answers fabrik health"
done_testing
