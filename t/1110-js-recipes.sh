#!/bin/sh
# Portable recipes: the example recipes of t/data/js run for real (a
# root-level recipe, a function-based build/test recipe, a TypeScript
# build recipe); cached targets (miss, hit with outputs restored and
# output replayed, invalidation by inputs, env, arguments and imported
# modules, ttl, failures, per-target metadata, --dry-run, --no-cache);
# unknown targets; uncaught errors with file:line:col; fabrik:cache across
# runs; fabrik:config; $, run, glob, hashFile; process.exit and exitCode.
. "$(dirname "$0")/lib/tap.sh"

FABRIK_CONFIG_CACHE_DIR=$TRASH/cache
export FABRIK_CONFIG_CACHE_DIR
unset GEN_FLAVOUR CC
W=$TRASH/w
mkdir -p "$W"
cd "$W" || exit 1

# run NAME ARGS...: fabrik run with stdout in NAME.out, stderr in NAME.err
# and the exit status in $rc.
run() {
	_n=$1
	shift
	"$FABRIK" run "$@" >"$TRASH/$_n.out" 2>"$TRASH/$_n.err"
	rc=$?
}
# status NAME: HIT, MISS or none, from the last result line.
status() {
	sed -n 's/^\[fabrik\] Cache key: recipe-[0-9a-f]\{12\} | \([A-Z]*\).*/\1/p' \
	    "$TRASH/$1.err" | tail -1
}
nres() {
	grep -c '^\[fabrik\] Cache key: recipe-' "$TRASH/$1.err"
}
show() {
	sed 's/^/#   /' "$TRASH/$1.out" "$TRASH/$1.err" | tail -15
}

have_cc=
command -v cc >/dev/null 2>&1 && have_cc=1

# ---- the seed examples ------------------------------------------------------

if [ -n "$have_cc" ]; then
	mkdir -p simple
	cp "$TOP/t/data/js/simple.recipe.js" simple/
	cat >simple/hello.c <<'EOF'
#include <stdio.h>
int main(void) { puts("hello from the simple recipe"); return 0; }
EOF
	cd "$TRASH" || exit 1
	run simple w/simple/simple.recipe.js
	cd "$W" || exit 1
	is "$rc" 0 "simple recipe: exits 0"
	[ -x simple/hello ] && [ "$(./simple/hello)" = "hello from the simple recipe" ]
	ok $? "simple recipe: top level ran cc in the recipe's directory"
	[ -s "$TRASH/simple.out" ]
	ok $? "simple recipe: \$ passed the command's output through"
	[ "$(nres simple)" = 0 ]
	ok $? "simple recipe: no cache line without metadata"

	mkdir -p bt/src bt/tests
	cp "$TOP/t/data/js/build-test.recipe.js" bt/
	cat >bt/src/main.c <<'EOF'
int twice(int);
int main(void) { return twice(21) == 42 ? 0 : 1; }
EOF
	echo 'int twice(int x) { return 2 * x; }' >bt/src/util.c
	echo 'int main(void) { return 0; }' >bt/tests/ok_test.c
	run bt-build bt/build-test.recipe.js build
	is "$rc" 0 "build/test recipe: build exits 0"
	[ -x bt/build/app ] && ./bt/build/app && [ -f bt/build/util.o ]
	ok $? "build/test recipe: build compiled and linked src/*.c"
	run bt-test bt/build-test.recipe.js test
	is "$rc" 0 "build/test recipe: test exits 0"
	[ -f bt/build/ok_test.o ]
	ok $? "build/test recipe: test compiled tests/*_test.c"

	mkdir -p ts/src ts/include/sub ts/build/release ts/build/debug
	cp "$TOP/t/data/js/typed.recipe.ts" ts/
	cat >ts/src/server.c <<'EOF'
#include <stdio.h>
int net(void);
int main(void) { printf("server %d\n", net()); return 0; }
EOF
	echo 'int net(void) { return 7; }' >ts/src/net.c
	cat >ts/src/client.c <<'EOF'
#include <stdio.h>
int main(void) {
#ifdef CLIENT
	puts("client");
#endif
	return 0;
}
EOF
	: >ts/include/a.h
	: >ts/include/sub/b.h
	run ts-rel ts/typed.recipe.ts build
	is "$rc" 0 "TypeScript recipe: build exits 0"
	grep -qx 'built 2 targets, 2 headers' "$TRASH/ts-rel.out"
	ok $? "TypeScript recipe: prints its summary" || show ts-rel
	[ "$(./ts/build/release/server)" = "server 7" ] &&
	    [ "$(./ts/build/release/client)" = "client" ]
	ok $? "TypeScript recipe: release binaries built with their flags"
	run ts-dbg ts/typed.recipe.ts build debug
	is "$rc" 0 "TypeScript recipe: build debug exits 0"
	[ -x ts/build/debug/server ] && [ -x ts/build/debug/client ]
	ok $? "TypeScript recipe: the argument reached build(profile)"
else
	echo "# cc not installed: seed recipes skipped"
fi

# ---- cached targets ---------------------------------------------------------

mkdir -p c/src c/lib
cat >c/lib/fmt.js <<'EOF'
export const banner = (s) => `== ${s} ==`;
EOF
cat >c/gen.recipe.js <<'EOF'
import { mkdirSync, writeFileSync, readFileSync, readdirSync } from "fs";
import { $ } from "fabrik:runtime";
import { banner } from "./lib/fmt.js";

export const recipe = {
	inputs: ["src/**/*.txt"],
	outputs: ["out", "single.txt"],
	env: ["GEN_FLAVOUR"],
};

console.log("top level runs every time");

export async function gen(...args) {
	console.log(banner(`gen flavour=${process.env.GEN_FLAVOUR ?? ""} args=${args.join(" ")}`));
	console.error("to stderr");
	mkdirSync("out/deep", { recursive: true });
	const all = readdirSync("src").filter((f) => f.endsWith(".txt"))
		.map((f) => readFileSync(`src/${f}`, "utf8")).join("");
	writeFileSync("out/all.txt", all);
	writeFileSync("out/deep/bin", new Uint8Array([0, 1, 2, 255]));
	await $`echo from the shell; echo shell stderr >&2`;
	writeFileSync("single.txt", String(Date.now()));
}

export function other() {
	console.log("other ran");
}

export function plain() {
	console.log("plain ran");
}
plain.recipe = false;

export const own = Object.assign(() => {
	console.log("own ran");
	writeFileSync("own.txt", "own");
}, { recipe: { outputs: ["own.txt"], inputs: ["own-input"] } });

export function fails() {
	console.log("about to fail");
	throw new Error("target failed");
}

export function expiring() {
	console.log("expiring ran");
}
expiring.recipe = { cacheTtl: 1 };
EOF
echo one >c/src/a.txt
echo two >c/src/b.txt
: >c/own-input

run cold c/gen.recipe.js gen
is "$rc" 0 "cached target: cold run exits 0"
is "$(status cold)" MISS "cached target: cold run is a miss"
grep -q '^\[fabrik\] Cache key: recipe-[0-9a-f]\{12\} | MISS | [0-9]*\.[0-9][0-9]s (exit: 0)$' \
    "$TRASH/cold.err"
ok $? "cached target: miss line has the documented shape"
printf 'top level runs every time\n== gen flavour= args= ==\nfrom the shell\n' \
    >"$TRASH/cold.want"
cmp -s "$TRASH/cold.want" "$TRASH/cold.out"
ok $? "cached target: console and \$ output passed through" || show cold
grep -q 'to stderr' "$TRASH/cold.err" && grep -q 'shell stderr' "$TRASH/cold.err"
ok $? "cached target: stderr passed through"
cp -R c/out "$TRASH/out.first"
cp c/single.txt "$TRASH/single.first"

rm -rf c/out c/single.txt
run hit c/gen.recipe.js gen
is "$rc" 0 "cached target: warm run exits 0"
is "$(status hit)" HIT "cached target: warm run is a hit"
grep -q '^\[fabrik\] Cache key: recipe-[0-9a-f]\{12\} | HIT ✓ | 0\.[0-9][0-9]s (exit: 0)$' \
    "$TRASH/hit.err"
ok $? "cached target: hit line has the documented shape"
cmp -s "$TRASH/cold.out" "$TRASH/hit.out"
ok $? "cached target: stdout replayed byte-exact (top level ran again)" ||
    show hit
grep -q 'to stderr' "$TRASH/hit.err" && grep -q 'shell stderr' "$TRASH/hit.err"
ok $? "cached target: stderr replayed"
diff -r "$TRASH/out.first" c/out >/dev/null 2>&1 &&
    cmp -s "$TRASH/single.first" c/single.txt
ok $? "cached target: outputs restored byte-exact after deletion"

echo three >c/src/b.txt
run inp c/gen.recipe.js gen
is "$(status inp)" MISS "cached target: changing an input is a miss"
grep -q three c/out/all.txt
ok $? "cached target: the target ran with the new input"
mkdir -p c/src/nested && echo four >c/src/nested/c.txt
run glob c/gen.recipe.js gen
is "$(status glob)" MISS "cached target: a new file matching ** is a miss"
run glob2 c/gen.recipe.js gen
is "$(status glob2)" HIT "cached target: unchanged inputs hit again"
GEN_FLAVOUR=spicy run env c/gen.recipe.js gen
is "$(status env)" MISS "cached target: changing an env variable is a miss"
grep -q 'flavour=spicy' "$TRASH/env.out"
ok $? "cached target: the environment reaches the target"
GEN_FLAVOUR=spicy run env2 c/gen.recipe.js gen
is "$(status env2)" HIT "cached target: the same env value hits"
run args c/gen.recipe.js gen a b
is "$(status args)" MISS "cached target: arguments are part of the key"
grep -q 'args=a b' "$TRASH/args.out"
ok $? "cached target: arguments reach the target function"
echo 'export const unused = 1;' >>c/lib/fmt.js
run mod c/gen.recipe.js gen
is "$(status mod)" MISS "cached target: changing an imported module is a miss"
echo '// a comment' >>c/gen.recipe.js
run src c/gen.recipe.js gen
is "$(status src)" MISS "cached target: changing the recipe is a miss"
run other c/gen.recipe.js other
is "$(status other)" MISS "cached target: each target has its own key"
run other2 c/gen.recipe.js other
is "$(status other2)" HIT "cached target: module-level metadata covers other targets"

run plain c/gen.recipe.js plain
is "$rc" 0 "recipe = false: exits 0"
is "$(nres plain)" 0 "recipe = false: the target is not cached"
grep -q 'plain ran' "$TRASH/plain.out"
ok $? "recipe = false: the target ran"

run own1 c/gen.recipe.js own
rm -f c/own.txt
run own2 c/gen.recipe.js own
is "$(status own1) $(status own2)" "MISS HIT" \
    "per-target metadata (Object.assign) is cached"
[ "$(cat c/own.txt 2>/dev/null)" = own ]
ok $? "per-target metadata: its output restored"

run fail1 c/gen.recipe.js fails
is "$rc" 1 "failing cached target exits 1"
grep -q '^\[fabrik\] not cached: the target failed' "$TRASH/fail1.err"
ok $? "failing cached target is not cached"
run fail2 c/gen.recipe.js fails
is "$(status fail2)" MISS "failing cached target runs again"

run ttl1 c/gen.recipe.js expiring
run ttl2 c/gen.recipe.js expiring
is "$(status ttl1) $(status ttl2)" "MISS MISS" "cacheTtl: an expired entry is a miss"

run nc --no-cache c/gen.recipe.js other
is "$rc" 0 "--no-cache exits 0"
grep -q '| MISS (cache off) |' "$TRASH/nc.err"
ok $? "--no-cache runs the target without the cache"

rm -f c/dry-marker
cat >c/dry.recipe.js <<'EOF'
import { writeFileSync } from "fs";
export const recipe = { inputs: ["src/a.txt"], outputs: ["dry-out"] };
export function build() {
	writeFileSync("dry-marker", "ran");
}
EOF
run dry --dry-run c/dry.recipe.js build
is "$rc" 0 "--dry-run exits 0"
grep -q '^c/dry.recipe.js build: recipe-[0-9a-f]\{64\}$' "$TRASH/dry.out" &&
    grep -q '^target build$' "$TRASH/dry.out" &&
    grep -q '^file src/a.txt sha256 [0-9a-f]\{64\}$' "$TRASH/dry.out" &&
    grep -q '^output dry-out$' "$TRASH/dry.out"
ok $? "--dry-run prints the key and its manifest" || show dry
[ ! -e c/dry-marker ]
ok $? "--dry-run does not call the target"

cat >c/badmeta.recipe.js <<'EOF'
export const recipe = { outputs: ["../escape"] };
export function build() {}
EOF
run badmeta c/badmeta.recipe.js build
is "$rc" 2 "bad metadata exits 2"
grep -q "recipe.outputs: '../escape' must be a relative path" "$TRASH/badmeta.err"
ok $? "bad metadata is explained"

# ---- targets and errors -----------------------------------------------------

cat >t.recipe.js <<'EOF'
export function build() {}
export async function test() {}
export const notATarget = 1;
export default function () {
	console.log("default ran");
}
EOF
run unk t.recipe.js nope
is "$rc" 2 "unknown target exits 2"
grep -q "^\[fabrik\] error: t.recipe.js: no target 'nope'; targets: .*build" \
    "$TRASH/unk.err" && grep -q 'test' "$TRASH/unk.err" &&
    grep -q 'default' "$TRASH/unk.err" && ! grep -q notATarget "$TRASH/unk.err"
ok $? "unknown target lists the exported functions" || show unk
run dflt t.recipe.js
is "$rc:$(cat "$TRASH/dflt.out")" "0:default ran" "no target: the default export runs"

mkdir -p e/lib
cat >e/lib/thrower.js <<'EOF'
export function explode(what) {
	throw new TypeError(`cannot ${what}`);
}
EOF
cat >e/err.recipe.js <<'EOF'
import { explode } from "./lib/thrower.js";
export function top() {
	throw new Error("boom");
}
export function deep() {
	explode("build");
}
export async function later() {
	await null;
	null.x;
}
EOF
run err1 e/err.recipe.js top
is "$rc" 1 "uncaught error exits 1"
grep -q '^\[fabrik\] error: e/err.recipe.js:3:[0-9]*: .*boom' "$TRASH/err1.err"
ok $? "uncaught error names file:line:col" || show err1
run err2 e/err.recipe.js deep
grep -q '^\[fabrik\] error: e/lib/thrower.js:2:[0-9]*: TypeError: cannot build' \
    "$TRASH/err2.err"
ok $? "an error thrown in an imported module names that module" || show err2
run err3 e/err.recipe.js later
is "$rc" 1 "a rejected async target exits 1"
grep -q '^\[fabrik\] error: e/err.recipe.js:10:[0-9]*: TypeError' "$TRASH/err3.err"
ok $? "a rejected async target names file:line:col" || show err3
printf 'const x = 1;\nlet = ;\n' >e/syntax.recipe.js
run syn e/syntax.recipe.js
is "$rc" 1 "a syntax error exits 1"
grep -q '^\[fabrik\] error: .*e/syntax.recipe.js:2:[0-9]*' "$TRASH/syn.err"
ok $? "a syntax error names file:line:col" || show syn
printf 'import x from "left-pad";\n' >e/bare.recipe.js
run bare e/bare.recipe.js
is "$rc" 1 "a bare package import fails"
grep -q "cannot find module 'left-pad'" "$TRASH/bare.err"
ok $? "a bare package import is explained" || show bare

# ---- fabrik:cache, fabrik:config, runtime ----------------------------------

cat >put.recipe.js <<'EOF'
import { get, put, has } from "fabrik:cache";
console.log(has("k1"), get("k1"));
console.log(put("k1", "hello bytes"), has("k1"));
put("bin", new Uint8Array([0, 255, 7]));
Fabrik.cache.put("via-global", "g");
EOF
cat >get.recipe.js <<'EOF'
import * as cache from "fabrik:cache";
console.log(cache.has("k1"), new TextDecoder().decode(cache.get("k1")), cache.get("nope"));
console.log(Array.from(cache.get("bin")).join(","), Fabrik.cache.get("via-global").toString());
EOF
run put put.recipe.js
is "$(cat "$TRASH/put.out")" "false null
true true" "fabrik:cache: put and has in the first run"
run get get.recipe.js
is "$(cat "$TRASH/get.out")" "true hello bytes null
0,255,7 g" "fabrik:cache: get in a second run"
printf 'import { get, has, put } from "fabrik:cache";\nconsole.log(has("k1"), get("k1"), put("k2", "x"));\n' >nc.recipe.js
run getnc --no-cache nc.recipe.js
is "$(cat "$TRASH/getnc.out")" "false null false" \
    "fabrik:cache: --no-cache neither reads nor writes"

cat >conf.recipe.js <<'EOF'
import { getConfig } from "fabrik:config";
const c = getConfig();
console.log(c.cache.dir, c.cache.max_size, c.auth.tokens.join(","), typeof c.auth.required, Array.isArray(c.upstream));
EOF
FABRIK_CONFIG_AUTH_TOKENS=sekrit run conf conf.recipe.js --config-cache-max-size 3MiB
is "$(cat "$TRASH/conf.out")" "$TRASH/cache 3145728 ******** boolean true" \
    "fabrik:config: effective values, secrets hidden" || show conf

mkdir -p rt/sub
printf 'abc' >rt/data.txt
cat >rt/rt.recipe.js <<'EOF'
import { $, run, glob, hashFile } from "fabrik:runtime";
console.log(await $`exit 3`);
try {
	await $.throws`exit 4`;
} catch (e) {
	console.log("threw", e.exitCode, e.message);
}
await $`printf '<%s>' ${["a b", "c'd", ""]} ${"$HOME"}; echo`;
await $({ cwd: "sub" })`basename "$(pwd)"`;
console.log(await $({ quiet: true })`echo hidden; exit 5`);
const r = run("printf", ["%s-%s", "x y", "z"]);
console.log(r.exitCode, JSON.stringify(r.stdout), JSON.stringify(r.stderr));
console.log(run("no-such-command-here", []).exitCode);
console.log(run("cat", [], { input: "fed" }).stdout);
console.log(glob("**/*.txt").join(","), glob("sub/*").length);
console.log(hashFile("data.txt"));
console.log(Fabrik.exec("echo via exec").stdout.trim(), Fabrik.exists("data.txt"), Fabrik.readFile("data.txt"));
Fabrik.writeFile("made/deep/file.txt", "made");
console.log(Fabrik.readFile("made/deep/file.txt"), process.cwd() === Fabrik.exec("pwd -P").stdout.trim());
EOF
run rt rt/rt.recipe.js
is "$rc" 0 "runtime recipe exits 0"
printf '%s\n' 3 "threw 4 command failed with exit code 4: exit 4" \
    "<a b><c'd><><\$HOME>" sub 5 '0 "x y-z" ""' 127 fed "data.txt 0" \
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" \
    "via exec true abc" "made true" >"$TRASH/rt.want"
diff "$TRASH/rt.want" "$TRASH/rt.out" >"$TRASH/rt.diff"
ok $? "\$, \$.throws, \$({cwd, quiet}), run, glob, hashFile, Fabrik.*" ||
    sed 's/^/#   /' "$TRASH/rt.diff"

printf 'console.log("before");\nprocess.exit(3);\nconsole.log("after");\n' \
    >exit.recipe.js
run exit exit.recipe.js
is "$rc:$(cat "$TRASH/exit.out")" "3:before" "process.exit ends the recipe"
printf 'process.exitCode = 4;\nconsole.log("set");\n' >code.recipe.js
run code code.recipe.js
is "$rc" 4 "process.exitCode is the exit status"

# A TypeScript recipe importing a TypeScript module as "./x.js".
mkdir -p tsm/lib
cat >tsm/lib/util.ts <<'EOF'
export interface Named { name: string }
export function greet<T extends Named>(x: T): string {
	return `hello ${x.name}`;
}
EOF
cat >tsm/main.recipe.ts <<'EOF'
import { greet } from "./lib/util.js";
const who: { name: string } = { name: "ts" };
console.log(greet(who) as string);
EOF
run tsm tsm/main.recipe.ts
is "$rc:$(cat "$TRASH/tsm.out")" "0:hello ts" "TypeScript: ./x.js resolves to x.ts"

done_testing
