# Shell TAP helpers for Fabrik scenario tests (git-style).
# Source from t/NNNN-name.sh:  . "$(dirname "$0")/lib/tap.sh"

TOP=${FABRIK_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
FABRIK=${FABRIK:-$TOP/fabrik}
HELPER=$TOP/t/helper
tap_n=0
tap_failed=0
tap_planned=

# A per-test scratch directory, removed at exit unless the test failed.
TRASH=$(mktemp -d "$TOP/t/trash.$(basename "$0" .sh).XXXXXX")
tap_pids=

tap_cleanup() {
	for p in $tap_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $tap_pids; do
		wait "$p" 2>/dev/null
	done
	if [ "$tap_failed" -eq 0 ] && [ -z "$FABRIK_KEEP_TRASH" ]; then
		rm -rf "$TRASH"
	else
		echo "# scratch kept in $TRASH"
	fi
}
trap tap_cleanup EXIT

ok() {
	# ok CONDITION-EXIT-STATUS DESCRIPTION: run as  cmd; ok $? "desc"
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# is GOT WANT DESCRIPTION
is() {
	tap_n=$((tap_n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $tap_n - $3"
	else
		echo "not ok $tap_n - $3"
		echo "#        got: '$1'"
		echo "#   expected: '$2'"
		tap_failed=$((tap_failed + 1))
	fi
}

# expect_success DESCRIPTION COMMAND...
expect_success() {
	_d=$1
	shift
	if "$@" >"$TRASH/last.out" 2>&1; then
		ok 0 "$_d"
	else
		ok 1 "$_d"
		sed 's/^/#   /' "$TRASH/last.out" | tail -20
	fi
}

# expect_failure DESCRIPTION COMMAND...
expect_failure() {
	_d=$1
	shift
	if "$@" >"$TRASH/last.out" 2>&1; then
		ok 1 "$_d"
		sed 's/^/#   /' "$TRASH/last.out" | tail -20
	else
		ok 0 "$_d"
	fi
}

skip_all() {
	echo "1..0 # SKIP $*"
	tap_failed=0
	exit 0
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

# start_fabrik NAME ARGS...: starts "fabrik ARGS" in the background with
# its output in $TRASH/NAME.log and waits for the readiness line.  Sets
# NAME_pid and, from "[fabrik] listening <what> on <addr>:<port>" lines,
# NAME_port_<what> variables (e.g. d_port_http, d_port_health).
start_fabrik() {
	_sf_name=$1
	shift
	start_proc "$_sf_name" "$FABRIK" "$@"
}

# start_proc NAME COMMAND...: as start_fabrik for any command that prints
# the same "listening" and "ready" lines (test stand-ins).
start_proc() {
	_name=$1
	shift
	: >"$TRASH/$_name.log"
	"$@" >"$TRASH/$_name.log" 2>&1 &
	_pid=$!
	tap_pids="$tap_pids $_pid"
	eval "${_name}_pid=$_pid"
	_i=0
	while ! grep -q '\[fabrik\] ready' "$TRASH/$_name.log"; do
		_i=$((_i + 1))
		if [ $_i -gt 200 ] || ! kill -0 "$_pid" 2>/dev/null; then
			echo "# fabrik $_name did not start:"
			sed 's/^/#   /' "$TRASH/$_name.log"
			return 1
		fi
		sleep 0.05
	done
	eval "$(sed -n 's/^\[fabrik\] listening \([a-z0-9_]*\) on .*:\([0-9]*\)$/'"${_name}"'_port_\1=\2/p' "$TRASH/$_name.log")"
	return 0
}

# stop_fabrik NAME: SIGTERM and wait.
stop_fabrik() {
	eval "_pid=\$${1}_pid"
	kill "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	_rc=$?
	return $_rc
}
