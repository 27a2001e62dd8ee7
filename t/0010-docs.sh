#!/bin/sh
# The documentation matches the binary: fabrik.1 lints clean, documents every
# command and every configuration key that `fabrik --help` lists (and no key
# that does not exist), doc/configuration.md (when present) names every key,
# doc/api.md lists exactly the metrics a running daemon emits, doc/building.md
# every configure option, fabrik.1 every build-tool route of the daemon, and
# README.md the commands a newcomer needs.
. "$(dirname "$0")/lib/tap.sh"

MAN=$TOP/fabrik.1
README=$TOP/README.md
CONFDOC=$TOP/doc/configuration.md
APIDOC=$TOP/doc/api.md

[ -f "$MAN" ]
ok $? "fabrik.1 exists"

# (a) mandoc lint: not a single warning.
if command -v mandoc >/dev/null 2>&1; then
	out=$(mandoc -Tlint -Wwarning "$MAN" 2>&1)
	is "$out" "" "mandoc -Tlint -Wwarning fabrik.1 prints nothing"
else
	echo "# mandoc not installed: lint skipped"
fi

# The text of one .Sh section / .Ss subsection of fabrik.1 (the subsection
# "upstream" is [[upstream]]).
man_section() {
	awk -v s=".Sh $1" '$0 == s { on = 1; next }
	    on && /^\.Sh / { on = 0 } on' "$MAN"
}
man_subsection() {
	_s=$1
	[ "$_s" = upstream ] && _s='[upstream]'
	awk -v s=".Ss [$_s]" 'index($0, s) == 1 { on = 1; next }
	    on && /^\.S[sh] / { on = 0 } on' "$MAN"
}
# Is KEY an item (.It Ic KEY ...) of the subsection [SECTION]?
man_has_key() {
	man_subsection "$1" | grep -Eq "^\.It Ic $2( |\$)"
}

# (b) every --config-<section>-<key> of `fabrik daemon --help` is in
# fabrik.1's CONFIGURATION, under its own section.
"$FABRIK" daemon --help >"$TRASH/daemon-help" 2>&1
ok $? "fabrik daemon --help succeeds"
sed -n 's/^  --config-\([a-zA-Z0-9-]*\) .*/\1/p' "$TRASH/daemon-help" \
    >"$TRASH/flags"
n=$(wc -l <"$TRASH/flags" | tr -d ' ')
[ "$n" -ge 50 ] && grep -qx 'cache-max-size' "$TRASH/flags" &&
    grep -qx 'upstream-N-url' "$TRASH/flags"
ok $? "fabrik daemon --help lists the config flags ($n)"

: >"$TRASH/keys"
missing=
while read -r flag; do
	case $flag in
	upstream-N-*)
		echo "upstream $(echo "${flag#upstream-N-}" | tr - _)" \
		    >>"$TRASH/keys"
		man_has_key upstream "$(echo "${flag#upstream-N-}" |
		    tr - _)" || missing="$missing $flag"
		continue
		;;
	esac
	# The section is the longest prefix (at a '-') that fabrik.1 has as
	# a subsection and that documents the rest as a key.
	found=
	rest=$flag
	prefix=
	while [ -z "$found" ] && [ "$rest" != "${rest#*-}" ]; do
		prefix=${prefix:+$prefix-}${rest%%-*}
		rest=${rest#*-}
		sec=$(echo "$prefix" | tr - _)
		key=$(echo "$rest" | tr - _)
		if man_has_key "$sec" "$key"; then
			found=1
			echo "$sec $key" >>"$TRASH/keys"
		fi
	done
	[ -n "$found" ] || missing="$missing $flag"
done <"$TRASH/flags"
is "${missing# }" "" "fabrik.1 documents every config key under its section"

# ...and documents no key that does not exist.  ([[upstream]] is "upstream".)
sections=$(sed -n 's/^\.Ss \[\[*\([a-z_]*\)\]*.*/\1/p' "$MAN")
extra=
for sec in $sections; do
	for key in $(man_subsection "$sec" |
	    sed -n 's/^\.It Ic \([a-z_0-9]*\).*/\1/p'); do
		if [ "$sec" = upstream ]; then
			f=upstream-N-$(echo "$key" | tr _ -)
		else
			f=$(echo "$sec-$key" | tr _ -)
		fi
		grep -qx -- "$f" "$TRASH/flags" || extra="$extra $sec.$key"
	done
done
is "${extra# }" "" "every key in fabrik.1's CONFIGURATION exists"

# Each documented key states its type.
untyped=
for sec in $sections; do
	untyped="$untyped$(man_subsection "$sec" |
	    grep '^\.It Ic ' | grep -v ' Vt [a-z]' | sed 's/^/ /')"
done
is "${untyped# }" "" "every key in fabrik.1 names its type (Vt)"

# A key's item says "Not implemented yet" exactly when `fabrik config show`
# says the key is not in effect yet (config.h's status column).
"$FABRIK" config show --config /dev/null --config-upstream-0-url s3://b/ \
    >"$TRASH/show" 2>&1
ok $? "fabrik config show succeeds"
awk '/^\[\[upstream\]\]/ { sec = "upstream"; next }
    /^\[[a-z_0-9]*\]/ { sec = substr($0, 2, length($0) - 2); next }
    /^[a-z_0-9]* = / {
	n = "-"
	if ($0 ~ /not in effect yet/)
		n = "later"
	print sec, $1, n
    }' "$TRASH/show" >"$TRASH/status"
n=$(wc -l <"$TRASH/status" | tr -d ' ')
grep -q '^p2p enabled later$' "$TRASH/status" &&
    grep -q '^upstream url -$' "$TRASH/status" && [ "$n" -ge 50 ]
ok $? "fabrik config show marks the keys not in effect yet ($n keys)"
man_item() {
	man_subsection "$1" | awk -v k="$2" '
	    $0 ~ ("^\\.It Ic " k "( |$)") { on = 1; next }
	    on && /^\.(It|El)/ { exit }
	    on'
}
wrong=
while read -r sec key n; do
	item=$(man_item "$sec" "$key")
	if [ "$n" = - ]; then
		case $item in
		*"ot implemented yet"*) wrong="$wrong $sec.$key(in-effect)" ;;
		esac
	else
		case $item in
		*"ot implemented yet."*) ;;
		*) wrong="$wrong $sec.$key(later)" ;;
		esac
	fi
done <"$TRASH/status"
is "${wrong# }" "" "fabrik.1 says 'Not implemented yet' exactly as config.h"

# ...and in doc/configuration.md when that page exists.
if [ -f "$CONFDOC" ]; then
	missing=
	while read -r sec key; do
		grep -qw -- "$key" "$CONFDOC" || missing="$missing $sec.$key"
	done <"$TRASH/keys"
	is "${missing# }" "" "doc/configuration.md names every config key"
else
	echo "# doc/configuration.md absent: not checked"
fi

# (c) every command of `fabrik --help` is in the SYNOPSIS and described.
"$FABRIK" --help >"$TRASH/help" 2>&1
ok $? "fabrik --help succeeds"
sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' "$TRASH/help" \
    >"$TRASH/commands"
n=$(wc -l <"$TRASH/commands" | tr -d ' ')
[ "$n" -ge 5 ] && grep -qx daemon "$TRASH/commands"
ok $? "fabrik --help lists the commands ($n)"
man_section SYNOPSIS >"$TRASH/synopsis"
man_section DESCRIPTION >"$TRASH/description"
missing=
while read -r cmd; do
	grep -Eq "^\.Cm $cmd( |\$)" "$TRASH/synopsis" &&
	    grep -Eq "^\.It Cm $cmd( |\$)" "$TRASH/description" ||
	    missing="$missing $cmd"
done <"$TRASH/commands"
is "${missing# }" "" "every command is in fabrik.1's SYNOPSIS and DESCRIPTION"

# Subcommands, from each command's own usage text.
for cmd in config cache; do
	"$FABRIK" "$cmd" --help 2>&1
done | sed -n -e 's/^.*fabrik \(config\) \([a-z][a-z]*\).*/\1 \2/p' \
    -e 's/^.*fabrik \(cache\) \([a-z][a-z]*\).*/\1 \2/p' |
    sort -u >"$TRASH/subcommands"
n=$(wc -l <"$TRASH/subcommands" | tr -d ' ')
[ "$n" -ge 5 ]
ok $? "config and cache list their subcommands ($n)"
missing=
while read -r cmd sub; do
	grep -q "^\.Cm $cmd $sub\$" "$TRASH/synopsis" &&
	    grep -q "^\.It Cm $cmd $sub\$" "$TRASH/description" ||
	    missing="$missing '$cmd $sub'"
done <"$TRASH/subcommands"
is "${missing# }" "" "every subcommand is in the SYNOPSIS and DESCRIPTION"
grep -q '^\.Fl -version$' "$TRASH/synopsis" &&
    grep -q '^\.Fl -help$' "$TRASH/synopsis"
ok $? "the SYNOPSIS has --version and --help"

# Every build-tool route of the daemon (daemon_routes[] in src/cli/daemon.c)
# is in fabrik.1's HTTP ENDPOINTS, and its tool in build_tools.enabled.  A
# prefix is a string literal or a macro #defined in a src/ header.
DAEMON_C=$TOP/src/cli/daemon.c
sed -n '/daemon_routes\[\] = {/,/^};/p' "$DAEMON_C" >"$TRASH/routes.c"
grep -c '^[[:space:]]*{ *"' "$TRASH/routes.c" >"$TRASH/nroutes"
sed -n 's/^[[:space:]]*{ *"\([a-z0-9_-]*\)", *{ *\([^ ,]*\) *,.*/\1 \2/p' \
    "$TRASH/routes.c" >"$TRASH/routes"
: >"$TRASH/prefixes"
while read -r tool pfx; do
	case $pfx in
	\"*)
		pfx=${pfx#\"}
		pfx=${pfx%\"}
		;;
	*)
		pfx=$(cat "$TOP"/src/*/*.h | sed -n \
		    "s/^#define[[:space:]][[:space:]]*$pfx[[:space:]][[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" | head -n 1)
		;;
	esac
	echo "$tool $pfx" >>"$TRASH/prefixes"
done <"$TRASH/routes"
n=$(grep -c ' /' "$TRASH/prefixes")
[ "$n" -ge 5 ] && [ "$n" = "$(cat "$TRASH/nroutes")" ]
ok $? "daemon_routes[] read: $n routes, each with its prefix"
man_section 'HTTP ENDPOINTS' >"$TRASH/endpoints"
man_subsection build_tools >"$TRASH/build_tools"
missing=
while read -r tool pfx; do
	[ -n "$pfx" ] && grep -qF -- "$pfx" "$TRASH/endpoints" &&
	    grep -Eq "^\.Li (.* )?$tool( |\$)" "$TRASH/build_tools" ||
	    missing="$missing $tool:$pfx"
done <"$TRASH/prefixes"
is "${missing# }" "" "fabrik.1 documents every daemon route and its tool"

# (d) README.md: the newcomer's commands.
grep -q 'make check' "$README"
ok $? "README.md names make check"
grep -q '^\./configure && make && make install$' "$README" &&
    grep -q '^fabrik daemon$' "$README"
ok $? "README.md gives ./configure && make && make install, then fabrik daemon"

# Every doc/NAME.md that README.md or fabrik.1 names exists.
missing=
for f in $(cat "$README" "$MAN" | grep -o 'doc/[a-z0-9-]*\.md' | sort -u); do
	[ -f "$TOP/$f" ] || missing="$missing $f"
done
is "${missing# }" "" "the doc/ pages README.md and fabrik.1 name exist"

# doc/building.md covers every ./configure option.
missing=
for o in $(cd "$TOP" && ./configure --help |
    sed -n 's/^  \(--[a-z-]*\).*/\1/p'); do
	grep -q -- "$o" "$TOP/doc/building.md" || missing="$missing $o"
done
is "${missing# }" "" "doc/building.md covers every configure option"

# doc/api.md lists exactly the metrics a running daemon emits.
if command -v curl >/dev/null 2>&1; then
	start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0
	ok $? "fabrik daemon starts"
	curl -s "http://127.0.0.1:$d_port_metrics/metrics" |
	    sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' | sort -u >"$TRASH/metrics"
	n=$(wc -l <"$TRASH/metrics" | tr -d ' ')
	[ "$n" -ge 10 ]
	ok $? "the daemon emits metrics ($n)"
	missing=
	while read -r m; do
		grep -q "^| \`$m\` |" "$APIDOC" || missing="$missing $m"
	done <"$TRASH/metrics"
	is "${missing# }" "" "doc/api.md lists every metric"
	extra=
	for m in $(sed -n 's/^| `\(fabrik_[a-z_]*\)` |.*/\1/p' "$APIDOC"); do
		grep -qx "$m" "$TRASH/metrics" || extra="$extra $m"
	done
	is "${extra# }" "" "doc/api.md lists no metric that does not exist"
	stop_fabrik d
	ok $? "fabrik exits 0 on SIGTERM"
else
	echo "# curl not installed: metrics not checked"
fi
done_testing
