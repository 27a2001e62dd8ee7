#!/bin/sh
# Differential tests of the JavaScript recipe interpreter: every program
# in t/js/*.recipe.js runs under Node.js (the reference engine) and under
# `fabrik run`; standard output and the exit status must be identical,
# byte for byte.  t/js/package.json ({"type": "module"}) makes Node load
# the programs and t/js/lib/*.js as ES modules, as fabrik does.  Both runs
# of a program start in the same, fresh directory (programs using fs write
# below it).  stderr is not compared.
. "$(dirname "$0")/lib/tap.sh"

NODE=${NODE:-node}
command -v "$NODE" >/dev/null 2>&1 || skip_all "node not installed"

JS=$TOP/t/js
FABRIK_CONFIG_CACHE_DIR=$TRASH/cache
export FABRIK_CONFIG_CACHE_DIR
# Nothing in the environment may make the two runs differ.
unset NODE_OPTIONS FABRIK_JS_SET_HERE FABRIK_JS_UNSET_VARIABLE

# fresh: an empty working directory at the same path for both engines.
fresh() {
	rm -rf "$TRASH/cwd"
	mkdir "$TRASH/cwd"
}

for prog in "$JS"/*.recipe.js; do
	name=$(basename "$prog" .recipe.js)
	fresh
	(cd "$TRASH/cwd" && "$NODE" "$prog" >"$TRASH/$name.node" \
	    2>"$TRASH/$name.node.err")
	nrc=$?
	fresh
	(cd "$TRASH/cwd" && "$FABRIK" run --no-cache "$prog" \
	    >"$TRASH/$name.fabrik" 2>"$TRASH/$name.fabrik.err")
	frc=$?
	if [ "$nrc" -ne 0 ]; then
		ok 1 "$name: node exits 0 (got $nrc)"
		sed 's/^/#   /' "$TRASH/$name.node.err" | tail -5
	elif [ "$frc" -ne "$nrc" ]; then
		ok 1 "$name: same output as node (fabrik exits $frc)"
		sed 's/^/#   /' "$TRASH/$name.fabrik.err" | tail -5
	elif cmp -s "$TRASH/$name.node" "$TRASH/$name.fabrik"; then
		ok 0 "$name: same output as node"
	else
		ok 1 "$name: same output as node"
		diff "$TRASH/$name.node" "$TRASH/$name.fabrik" |
		    sed 's/^/#   /' | head -20
	fi
done
rm -rf "$TRASH/cwd"

done_testing
