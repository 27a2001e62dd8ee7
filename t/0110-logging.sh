#!/bin/sh
# Log lines: "[fabrik] ..." for people, one JSON object per line with
# log_format = "json" (the server default), and levels that filter.
. "$(dirname "$0")/lib/tap.sh"

start_fabrik t daemon --config-cache-dir "$TRASH/c1" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind '' \
    --config-observability-metrics-bind ''
ok $? "a text-logging daemon starts"
bad=$(grep -v '^\[fabrik\] ' "$TRASH/t.log" | head -3)
is "$bad" "" "every text log line starts with [fabrik]"
stop_fabrik t

: >"$TRASH/j.log"
"$FABRIK" server --config-cache-dir "$TRASH/c2" \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind '' \
    --config-fabrik-bind 127.0.0.1:0 >"$TRASH/j.log" 2>&1 &
pid=$!
i=0
while ! grep -q '"msg":"ready' "$TRASH/j.log" && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill "$pid"
wait "$pid"
is $? 0 "fabrik server (JSON logs by default) stops cleanly"
n=$(grep -c '' "$TRASH/j.log")
j=$(grep -c '^{"ts":"[0-9T:-]*Z","level":"[a-z]*","msg":".*"}$' "$TRASH/j.log")
[ "$n" -ge 3 ] && [ "$n" -eq "$j" ]
ok $? "every server log line is a JSON object with ts, level and msg ($j of $n)"
if command -v jq >/dev/null 2>&1; then
	jq -e . "$TRASH/j.log" >/dev/null 2>&1
	ok $? "and jq parses them all"
fi

start_fabrik q daemon --config-cache-dir "$TRASH/c3" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind '' \
    --config-observability-metrics-bind '' \
    --config-observability-log-level debug
ok $? "a debug-level daemon starts"
stop_fabrik q
"$FABRIK" daemon --config-cache-dir "$TRASH/c4" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind '' \
    --config-observability-metrics-bind '' \
    --config-observability-log-level error >"$TRASH/e.log" 2>&1 &
pid=$!
sleep 0.5
kill "$pid"
wait "$pid"
is "$(grep -c 'ready' "$TRASH/e.log")" 0 "log_level = error hides info lines"
done_testing
