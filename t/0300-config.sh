#!/bin/sh
# Configuration end to end with the real binary: validate (good and bad
# files, exact file:line:col), show (origins, keys not in effect yet,
# masked secrets), discovery, templates, precedence on a running daemon,
# a daemon with no configuration, --help/--version, SIGHUP reload (good and
# broken files) and a graceful SIGTERM during a slow upload.
. "$(dirname "$0")/lib/tap.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl not installed"

# Work outside the source tree so that no fabrik.toml above us is found,
# with HOME and the XDG directories inside the scratch space.
W=$(mktemp -d "${TMPDIR:-/tmp}/fabrik-0300.XXXXXX")
trap 'rm -rf "$W"; tap_cleanup' EXIT
mkdir -p "$W/home" "$W/xdgconfig" "$W/xdgcache" "$W/xdgstate" "$W/work"
cd "$W/work" || exit 1
export HOME="$W/home" XDG_CONFIG_HOME="$W/xdgconfig" \
    XDG_CACHE_HOME="$W/xdgcache" XDG_STATE_HOME="$W/xdgstate"
unset FABRIK_CONFIG FABRIK_TOKEN AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
for v in $(env | sed -n 's/^\(FABRIK_CONFIG_[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done

PORTS="--config-daemon-bind 127.0.0.1:0
--config-observability-health-bind 127.0.0.1:0
--config-observability-metrics-bind 127.0.0.1:0"

# run NAME CMD...: runs a command, keeps stdout/stderr/status in $TRASH.
run() {
	_n=$1
	shift
	"$@" >"$TRASH/$_n.out" 2>"$TRASH/$_n.err"
	echo $? >"$TRASH/$_n.rc"
}
rc() { cat "$TRASH/$1.rc"; }
err() { cat "$TRASH/$1.err"; }
out() { cat "$TRASH/$1.out"; }

# The host a running daemon's listener is on, from its log.
listen_host() {
	sed -n "s/^\[fabrik\] listening $2 on \(.*\):[0-9]*\$/\1/p" \
	    "$TRASH/$1.log" | head -1
}

wait_log() {
	# wait_log NAME PATTERN: until the daemon's log has a matching line.
	_i=0
	while ! grep -q "$2" "$TRASH/$1.log"; do
		_i=$((_i + 1))
		[ $_i -gt 200 ] && return 1
		sleep 0.05
	done
	return 0
}

# --version, --help, daemon --help.
run ver "$FABRIK" --version
is "$(rc ver)" 0 "fabrik --version exits 0"
out ver | grep -q '^fabrik [0-9][0-9.]*$'
ok $? "and prints 'fabrik VERSION'"
run help "$FABRIK" --help
is "$(rc help)" 0 "fabrik --help exits 0"
for c in daemon server config health; do
	grep -q "^  $c " "$TRASH/help.out"
	ok $? "fabrik --help lists '$c'"
done
run dhelp "$FABRIK" daemon --help
is "$(rc dhelp)" 0 "fabrik daemon --help exits 0"
grep -q -- '--config PATH .*FABRIK_CONFIG$' "$TRASH/dhelp.out"
ok $? "daemon --help lists --config PATH with FABRIK_CONFIG"

# Every key that config show reports must be in daemon --help, with its
# flag and its environment variable on one line.
run show0 "$FABRIK" config show --config /dev/null
is "$(rc show0)" 0 "config show with an empty file"
missing=
nkeys=0
section=
while IFS= read -r line; do
	case $line in
	'['*']') section=$(echo "$line" | tr -d '[]') ;;
	*' = '*)
		key=${line%% = *}
		nkeys=$((nkeys + 1))
		flag=$(echo "--config-$section-$key" | tr _ -)
		var=$(echo "FABRIK_CONFIG_${section}_$key" | tr a-z A-Z)
		grep -q -- "^  $flag  *$var\$" "$TRASH/dhelp.out" ||
		    missing="$missing $flag"
		;;
	esac
done <"$TRASH/show0.out"
is "$missing" "" "daemon --help lists all $nkeys keys with flag and variable"
grep -q -- '--config-upstream-N-url  *FABRIK_CONFIG_UPSTREAM_N_URL$' \
    "$TRASH/dhelp.out"
ok $? "and the per-upstream keys"

# validate: a good file.
cat >"$W/good.toml" <<'EOF'
# a good file
[cache]
max_size = "20GB"
default_ttl = "1h30m"
eviction_policy = "lru"

[build_tools]
enabled = ["gradle", "bazel"]

[[upstream]]
url = "grpc://cache.example:7070"
timeout = "10s"

[auth]
tokens = ["sekrit-one:read,write", "sekrit-two:read"]
EOF
run good "$FABRIK" config validate --config "$W/good.toml"
is "$(rc good)" 0 "config validate: a good file exits 0"
is "$(out good)" "$W/good.toml: ok" "and says ok"

# validate: bad files give file:line:col and exit 2, never a crash.
# badp NAME EXPECTED-PREFIX DESCRIPTION ($W/NAME.toml written first): the
# message starts with the position (the TOML parser's wording is its own).
badp() {
	run "$1" "$FABRIK" config validate --config "$W/$1.toml"
	is "$(rc "$1")" 2 "$3: exit 2"
	is "$(err "$1" | wc -l | tr -d ' ')" 1 "$3: one message"
	case $(err "$1") in
	"$2"?*) ok 0 "$3: message at the right position" ;;
	*)
		ok 1 "$3: message at the right position"
		echo "#   got: $(err "$1")"
		;;
	esac
}
bad() {
	# bad NAME EXPECTED-STDERR DESCRIPTION  ($W/NAME.toml written first)
	run "$1" "$FABRIK" config validate --config "$W/$1.toml"
	is "$(rc "$1")" 2 "$3: exit 2"
	is "$(err "$1")" "$2" "$3: message"
}
printf '[cache]\nmax_size = "1GB"\n[runtime\nworker_threads = 1\n' >"$W/syntax.toml"
badp syntax "$W/syntax.toml:3:9: " \
    "TOML syntax error"
printf '[cache]\nmax_size = "1GB"\n  max_objekt_size = "1MB"\n' >"$W/unknown.toml"
bad unknown "$W/unknown.toml:3:3: unknown key 'max_objekt_size' in [cache] (did you mean 'max_object_size'?)" \
    "unknown key"
printf '[cachee]\n' >"$W/section.toml"
bad section "$W/section.toml:1:2: unknown section [cachee] (did you mean [cache]?)" \
    "unknown section"
printf '[runtime]\nidle_timeout = "60s"\nheader_timeout = true\n' >"$W/type.toml"
bad type "$W/type.toml:3:18: runtime.header_timeout: expected a duration such as \"30s\", found boolean" \
    "wrong type"
printf '\n[cache]\nmax_size = "10 GiBs"\n' >"$W/size.toml"
bad size "$W/size.toml:3:12: cache.max_size: unknown size unit (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)" \
    "bad size"
printf '[cache]\nmax_size = "100000000TB"\n' >"$W/huge.toml"
bad huge "$W/huge.toml:2:12: cache.max_size: size too large" \
    "size beyond the range"
printf '[runtime]\nworker_threads = 2\n' >"$W/threads.toml"
bad threads "$W/threads.toml:2:18: runtime.worker_threads: fabrik runs one event-loop thread; use 0 or 1" \
    "validation error"
printf '[[upstream]]\nurl = "ftp://x/"\n' >"$W/upurl.toml"
bad upurl "$W/upurl.toml:2:7: upstream[0].url: must start with s3://, grpc:// or grpcs://" \
    "bad upstream url"
printf '\357\273\277[cache]\nmax_size = "1GB"\n\000\n' >"$W/nul.toml"
badp nul "$W/nul.toml:3:1: " \
    "a NUL byte"
run nofile "$FABRIK" config validate --config "$W/absent.toml"
is "$(rc nofile)" 2 "a missing file: exit 2"
is "$(err nofile)" "$W/absent.toml: cannot open: No such file or directory" \
    "a missing file: message"
head -c 3000 /dev/urandom >"$W/random.toml"
run random "$FABRIK" config validate --config "$W/random.toml"
is "$(rc random)" 2 "random bytes: exit 2, not a crash"
grep -q "^$W/random.toml:[0-9]*:[0-9]*: " "$TRASH/random.err"
ok $? "random bytes: a positioned message"

# Bad environment variables and flags.
run envbad env FABRIK_CONFIG_CACHE_MAX_SIZE=lots "$FABRIK" config validate \
    --config /dev/null
is "$(rc envbad)" 2 "a bad FABRIK_CONFIG_* value: exit 2"
is "$(err envbad)" "FABRIK_CONFIG_CACHE_MAX_SIZE: cache.max_size: expected a size like \"10GB\" or \"512MiB\"" \
    "and the variable is named"
run envunk env FABRIK_CONFIG_CACHE_MAXSIZE=1GB "$FABRIK" config validate \
    --config /dev/null
is "$(rc envunk)" 2 "an unknown FABRIK_CONFIG_* variable: exit 2"
is "$(err envunk)" "environment: unknown configuration variable FABRIK_CONFIG_CACHE_MAXSIZE" \
    "and it is named"
run flagbad "$FABRIK" config validate --config /dev/null \
    --config-cache-eviction-policy random
is "$(rc flagbad)" 2 "a bad flag value: exit 2"
is "$(err flagbad)" '--config-cache-eviction-policy: cache.eviction_policy: "random" is not one of lfu|lru|ttl' \
    "and the flag is named"

# show: origins, keys not in effect yet, masked secrets.
run show env FABRIK_CONFIG_CACHE_MAX_OBJECT_SIZE=2MB "$FABRIK" config show \
    --config "$W/good.toml" --config-cache-verify always
is "$(rc show)" 0 "config show exits 0"
is "$(head -1 "$TRASH/show.out")" "# effective configuration ($W/good.toml)" \
    "show names the file"
grep -q '^max_size = "20GB"  # file$' "$TRASH/show.out"
ok $? "a value from the file is marked 'file'"
grep -q '^max_object_size = "2MB"  # environment$' "$TRASH/show.out"
ok $? "a value from the environment is marked 'environment'"
grep -q '^verify = "always"  # flag$' "$TRASH/show.out"
ok $? "a value from a flag is marked 'flag'"
grep -q '^min_free_space = "512MB"  # default$' "$TRASH/show.out"
ok $? "a default is marked 'default'"
grep -q '# default; parsed and validated, not in effect yet (not implemented yet)$' \
    "$TRASH/show.out"
ok $? "keys not in effect yet are marked"
grep -q '^url = "grpc://cache.example:7070"  # file$' "$TRASH/show.out"
ok $? "the upstream is shown, from the file"
grep -q sekrit "$TRASH/show.out"
ok $((!$?)) "no token appears in show"
grep -q '^tokens = \["\*\*\*\*\*\*\*\*", "\*\*\*\*\*\*\*\*"\]  # file$' \
    "$TRASH/show.out"
ok $? "auth.tokens are masked"
run show2 env FABRIK_CONFIG_P2P_SECRET=sekrit-p2p-0123456789 "$FABRIK" \
    config show --config /dev/null
grep -q '^secret = "\*\*\*\*\*\*\*\*"  # environment' "$TRASH/show2.out" &&
    ! grep -q sekrit "$TRASH/show2.out"
ok $? "p2p.secret is masked"

# Discovery.
mkdir -p "$W/proj/a/b" "$W/xdgconfig/fabrik" "$W/home/.config/fabrik"
printf '[cache]\nmax_size = "3GB"\n' >"$W/proj/fabrik.toml"
printf '[cache]\nmax_size = "4GB"\n' >"$W/xdgconfig/fabrik/config.toml"
printf '[cache]\nmax_size = "5GB"\n' >"$W/other.toml"
printf '[cache]\nmax_size = "6GB"\n' >"$W/home/.config/fabrik/config.toml"
# discovered DIR [NAME=VALUE...] [-- FLAGS...]: the file config show uses
# when run in DIR with those variables.
discovered() {
	_dir=$1
	shift
	(cd "$_dir" && env "$@") 2>&1 |
	    sed -n '1s/^# effective configuration (\(.*\))$/\1/p'
}
S="$FABRIK config show"
is "$(discovered "$W/proj/a/b" $S)" "$W/proj/fabrik.toml" \
    "fabrik.toml is found walking up from a subdirectory"
(cd "$W/proj/a/b" && $S) | grep -q '^max_size = "3GB"  # file$'
ok $? "and its values are used"
is "$(discovered "$W/work" $S)" "$W/xdgconfig/fabrik/config.toml" \
    "then \$XDG_CONFIG_HOME/fabrik/config.toml"
is "$(discovered "$W/work" XDG_CONFIG_HOME= $S)" \
    "$W/home/.config/fabrik/config.toml" \
    "then ~/.config/fabrik/config.toml when XDG_CONFIG_HOME is empty"
is "$(discovered "$W/proj/a/b" $S --config "$W/other.toml")" "$W/other.toml" \
    "--config PATH overrides discovery"
is "$(discovered "$W/proj/a/b" FABRIK_CONFIG="$W/other.toml" $S)" \
    "$W/other.toml" "FABRIK_CONFIG overrides discovery"
is "$(discovered "$W/proj/a/b" FABRIK_CONFIG="$W/other.toml" $S \
    --config "$W/xdgconfig/fabrik/config.toml")" \
    "$W/xdgconfig/fabrik/config.toml" "--config wins over FABRIK_CONFIG"
rm -f "$W/xdgconfig/fabrik/config.toml" "$W/home/.config/fabrik/config.toml"
is "$(discovered "$W/work" $S)" "no file" "nothing found: defaults"

# Templates.
for t in layer1 server; do
	"$FABRIK" config generate --template $t >"$W/$t.toml"
	ok $? "config generate --template $t"
	run "gen$t" "$FABRIK" config validate --config "$W/$t.toml"
	is "$(rc "gen$t")" 0 "the $t template validates"
done
run genbad "$FABRIK" config generate --template layer7
is "$(rc genbad)" 2 "an unknown template exits 2"

# A daemon with no configuration at all (only its ports moved to 0 so
# tests never collide): defaults, XDG cache directory, build environment.
start_fabrik bare daemon $PORTS
ok $? "fabrik daemon starts without a configuration file"
grep -q "^\[fabrik\] env GRADLE_BUILD_CACHE_URL=http://127.0.0.1:$bare_port_http/cache/\$" \
    "$TRASH/bare.log"
ok $? "it prints GRADLE_BUILD_CACHE_URL"
grep -q "^\[fabrik\] cache $W/xdgcache/fabrik: " "$TRASH/bare.log"
ok $? "it uses \$XDG_CACHE_HOME/fabrik"
echo "bare body" >"$W/body"
code=$(curl -s -o /dev/null -w '%{http_code}' -T "$W/body" \
    "http://127.0.0.1:$bare_port_http/cache/00aa")
is "$code" 200 "and stores"
[ -n "$(find "$W/xdgcache/fabrik" -type f -size +0 | head -1)" ]
ok $? "into \$XDG_CACHE_HOME/fabrik"
stop_fabrik bare
ok $? "and exits 0 on SIGTERM"
(
	unset XDG_CACHE_HOME
	: >"$TRASH/home.log"
	"$FABRIK" daemon $PORTS >"$TRASH/home.log" 2>&1 &
	p=$!
	i=0
	while ! grep -q '\[fabrik\] ready' "$TRASH/home.log"; do
		i=$((i + 1))
		[ $i -gt 200 ] && break
		sleep 0.05
	done
	kill $p
	wait $p
)
grep -q "^\[fabrik\] cache $W/home/.cache/fabrik: " "$TRASH/home.log"
ok $? "without XDG_CACHE_HOME: ~/.cache/fabrik"

# Precedence on a running daemon: observability.health_bind from the file,
# the environment and a flag; the daemon listens where the winner says.
printf '[observability]\nhealth_bind = "127.0.0.2:0"\n' >"$W/prec.toml"
COMMON="--config $W/prec.toml --config-cache-dir $TRASH/prec-cache
--config-daemon-bind 127.0.0.1:0 --config-observability-metrics-bind 127.0.0.1:0"
check_health() {
	# check_health NAME HOST DESCRIPTION
	is "$(listen_host "$1" health)" "$2" "$3: health listens on $2"
	eval "_p=\$${1}_port_health"
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://$2:$_p/health")
	is "$code" 200 "$3: GET /health on $2 answers"
	stop_fabrik "$1"
}
start_fabrik pfile daemon $COMMON
check_health pfile 127.0.0.2 "file > default"
export FABRIK_CONFIG_OBSERVABILITY_HEALTH_BIND=127.0.0.3:0
start_fabrik penv daemon $COMMON
check_health penv 127.0.0.3 "environment > file"
start_fabrik penv2 daemon --config /dev/null \
    --config-cache-dir "$TRASH/prec-cache" --config-daemon-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0
check_health penv2 127.0.0.3 "environment > default"
start_fabrik pflag daemon $COMMON --config-observability-health-bind \
    127.0.0.4:0
check_health pflag 127.0.0.4 "flag > environment > file"
start_fabrik pflag2 daemon --config /dev/null \
    --config-cache-dir "$TRASH/prec-cache" --config-daemon-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-observability-health_bind 127.0.0.5:0
check_health pflag2 127.0.0.5 "flag (health_bind spelling) > environment"
unset FABRIK_CONFIG_OBSERVABILITY_HEALTH_BIND
start_fabrik pflag3 daemon $COMMON --config-observability-health-bind \
    127.0.0.6:0
check_health pflag3 127.0.0.6 "flag > file"
start_fabrik pdef daemon --config /dev/null \
    --config-cache-dir "$TRASH/prec-cache" --config-daemon-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0
is "$(listen_host pdef health)" 127.0.0.1 "default: health on 127.0.0.1"
stop_fabrik pdef

# SIGHUP reload.
cat >"$W/reload.toml" <<'EOF'
[cache]
max_size = "1GB"
[observability]
log_level = "info"
EOF
start_fabrik r daemon --config "$W/reload.toml" \
    --config-cache-dir "$TRASH/reload-cache" $PORTS
ok $? "daemon with a file starts"
M="http://127.0.0.1:$r_port_metrics/metrics"
is "$(curl -s "$M" | sed -n 's/^fabrik_cache_max_size_bytes //p')" \
    1000000000 "max_size 1GB in effect"
printf 'BOGUS\r\n\r\n' | "$HELPER" raw "$r_port_http" >/dev/null
grep -q 'bad request' "$TRASH/r.log"
ok $((!$?)) "at log level info a bad request is not logged"
cat >"$W/reload.toml" <<'EOF'
[cache]
max_size = "2GB"
[observability]
log_level = "debug"
EOF
kill -HUP "$r_pid"
wait_log r 'configuration reloaded'
ok $? "SIGHUP: the daemon logs 'configuration reloaded'"
is "$(curl -s "$M" | sed -n 's/^fabrik_cache_max_size_bytes //p')" \
    2000000000 "the new cache.max_size is in effect"
printf 'BOGUS\r\n\r\n' | "$HELPER" raw "$r_port_http" >/dev/null
wait_log r 'bad request'
ok $? "the new log level is in effect (debug lines appear)"
printf '[cache]\nmax_size = "3GB"\nmax_sise = 1\n' >"$W/reload.toml"
kill -HUP "$r_pid"
wait_log r 'reload failed: configuration kept'
ok $? "SIGHUP with a broken file: 'reload failed: configuration kept'"
grep -q "^$W/reload.toml:3:1: unknown key 'max_sise' in \[cache\]" "$TRASH/r.log"
ok $? "the error has the file position"
is "$(curl -s "$M" | sed -n 's/^fabrik_cache_max_size_bytes //p')" \
    2000000000 "the old configuration is kept"
code=$(curl -s -o /dev/null -w '%{http_code}' -T "$W/body" \
    "http://127.0.0.1:$r_port_http/cache/00bb")
is "$code" 200 "and the daemon keeps serving (PUT)"
is "$(curl -s "http://127.0.0.1:$r_port_http/cache/00bb")" "bare body" \
    "and GET"
kill -0 "$r_pid"
ok $? "the daemon is still running"

# SIGTERM during a slow upload: the upload finishes, then exit 0.
printf '[runtime]\ngraceful_shutdown_timeout = "20s"\nbody_timeout = "10s"\n' \
    >"$W/term.toml"
start_fabrik t daemon --config "$W/term.toml" \
    --config-cache-dir "$TRASH/term-cache" $PORTS
ok $? "daemon for the shutdown test starts"
head -c 3000 /dev/urandom >"$W/slow.bin"
{
	printf 'PUT /cache/00cc HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n'
	cat "$W/slow.bin"
} >"$W/slow.req"
# About 200 bytes every 100 ms: the upload takes about 1.5 s.
"$HELPER" raw "$t_port_http" 100 200 <"$W/slow.req" >"$W/slow.out" &
hp=$!
sleep 0.4 # no readiness line exists for "request in flight"
kill -TERM "$t_pid"
wait_log t 'shutting down'
ok $? "SIGTERM starts the shutdown"
grep -q 'finishing 1 connections' "$TRASH/t.log"
ok $? "with the upload in flight"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
    "http://127.0.0.1:$t_port_http/cache/00cc")
is "$code" 000 "no new connection is accepted while draining"
wait $hp
tr -d '\r' <"$W/slow.out" | head -1 | grep -q '^HTTP/1.1 200'
ok $? "the slow upload gets its 200"
wait "$t_pid"
is $? 0 "fabrik exits 0 after the upload"
start_fabrik t2 daemon --config "$W/term.toml" \
    --config-cache-dir "$TRASH/term-cache" $PORTS
curl -s "http://127.0.0.1:$t2_port_http/cache/00cc" -o "$W/slow.back"
cmp -s "$W/slow.bin" "$W/slow.back"
ok $? "the upload was committed whole"
stop_fabrik t2

if [ "$tap_failed" -ne 0 ]; then
	for f in r t; do
		echo "# --- $f.log"
		sed 's/^/#   /' "$TRASH/$f.log" | tail -20
	done
fi
done_testing
