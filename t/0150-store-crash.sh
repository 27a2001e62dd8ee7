#!/bin/sh
# SIGKILL in the middle of hundreds of concurrent Gradle PUTs: after a
# restart the index is rebuilt, every acknowledged PUT reads back
# byte-exact, nothing torn is ever served, and `fabrik cache verify
# --content` finds the index and objects/ in agreement.  Two kill cycles.
. "$(dirname "$0")/lib/tap.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"

cache=$TRASH/cache
mkdir -p "$TRASH/payload"
LOOPS=4
PER_LOOP=60

daemon() {
	start_fabrik d daemon --config-cache-dir "$cache" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0
}

# put_loop CYCLE LOOP: PUTs PER_LOOP fresh keys with random sizes from
# 1 B to 300 KiB; writes "key status" lines to $TRASH/put.CYCLE.LOOP.
put_loop() {
	_out=$TRASH/put.$1.$2
	: >"$_out"
	_i=0
	while [ $_i -lt $PER_LOOP ]; do
		_i=$((_i + 1))
		_key=$(printf 'c%02xl%02xi%04x' "$1" "$2" "$_i" |
		    od -An -tx1 | tr -d ' \n')
		_size=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
		_size=$((_size % 307200 + 1))
		head -c "$_size" /dev/urandom >"$TRASH/payload/$_key"
		_code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
		    --max-time 20 --data-binary "@$TRASH/payload/$_key" \
		    "http://127.0.0.1:$port/cache/$_key")
		echo "$_key $_code" >>"$_out"
	done
}

# check_all: every key ever attempted; acknowledged ones must read back
# byte-exact, any key that reads back at all must be byte-exact.
check_all() {
	_acked=0
	_missing=0
	_torn=0
	_served=0
	cat "$TRASH"/put.* >"$TRASH/all-puts"
	while read -r _key _code; do
		_got=$TRASH/got
		rm -f "$_got"
		_st=$(curl -s -o "$_got" -w '%{http_code}' --max-time 20 \
		    "http://127.0.0.1:$port/cache/$_key")
		case $_code in 2??) _acked=$((_acked + 1)) ;; esac
		if [ "$_st" = 200 ]; then
			_served=$((_served + 1))
			if ! cmp -s "$_got" "$TRASH/payload/$_key"; then
				_torn=$((_torn + 1))
				echo "# $_key (PUT $_code) served wrong bytes"
			fi
		else
			case $_code in
			2??)
				_missing=$((_missing + 1))
				echo "# $_key acknowledged ($_code) but GET $_st"
				;;
			esac
		fi
	done <"$TRASH/all-puts"
}

cycle=0
while [ $cycle -lt 2 ]; do
	cycle=$((cycle + 1))
	daemon
	ok $? "cycle $cycle: fabrik daemon starts"
	port=$d_port_http
	if [ $cycle -gt 1 ]; then
		! grep -q 'index rebuilt' "$TRASH/d.log"
		ok $? "cycle $cycle: start after a clean stop does not rebuild"
	fi
	loop=0
	pids=
	while [ $loop -lt $LOOPS ]; do
		loop=$((loop + 1))
		put_loop $cycle $loop &
		pids="$pids $!"
	done
	# Kill once a good number of PUTs has been acknowledged, while the
	# loops are still running.
	n=0
	while [ "$n" -lt $((LOOPS * PER_LOOP / 3)) ]; do
		sleep 0.05
		n=$(cat "$TRASH"/put.$cycle.* 2>/dev/null | grep -c ' 200$')
	done
	kill -9 "$d_pid"
	wait "$d_pid" 2>/dev/null
	echo "# $(ls "$cache/tmp" | wc -l | tr -d ' ') temp files at the kill"
	for p in $pids; do
		wait "$p"
	done
	acked=$(cat "$TRASH"/put.$cycle.* | grep -c ' 2[0-9][0-9]$')
	failed=$(cat "$TRASH"/put.$cycle.* | grep -vc ' 2[0-9][0-9]$')
	ok $([ "$acked" -gt 50 ] && [ "$failed" -gt 0 ]; echo $?) \
	    "cycle $cycle: killed mid-stream ($acked PUTs acknowledged, $failed cut off)"

	mv "$TRASH/d.log" "$TRASH/d.$cycle.killed.log"
	daemon
	ok $? "cycle $cycle: restarts on the same cache directory"
	port=$d_port_http
	grep -q 'index rebuilt from [1-9][0-9]* objects' "$TRASH/d.log"
	ok $? "cycle $cycle: the restart logs an index rebuild"

	check_all
	ok $([ "$_acked" -gt 0 ]; echo $?) \
	    "cycle $cycle: $_acked acknowledged keys checked (all cycles)"
	is "$_missing" 0 "cycle $cycle: every acknowledged PUT reads back"
	is "$_torn" 0 "cycle $cycle: all $_served objects served are byte-exact"

	stop_fabrik d
	ok $? "cycle $cycle: daemon stops cleanly"
	mv "$TRASH/d.log" "$TRASH/d.$cycle.log"
	"$FABRIK" cache verify --content --config-cache-dir "$cache" \
	    >"$TRASH/verify.$cycle" 2>&1
	ok $? "cycle $cycle: fabrik cache verify --content exits 0"
	is "$(sed -n 's/^orphans //p; s/^missing //p; s/^corrupt //p' \
	    "$TRASH/verify.$cycle" | tr '\n' ' ')" "0 0 0 " \
	    "cycle $cycle: orphans 0, missing 0, corrupt 0"
	files=$(sed -n 's/^files //p' "$TRASH/verify.$cycle")
	is "$files" "$_served" "cycle $cycle: one object file per served key"
	ls "$cache/tmp" | grep -q . && tmpleft=yes || tmpleft=no
	is "$tmpleft" no "cycle $cycle: no temp files left"
done

done_testing
