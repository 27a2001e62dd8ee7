#!/bin/sh
# Portable recipe interpreter: process start-up with a 200-line recipe
# (`fabrik run` end to end, vs `node` on the same module), and
# loop-heavy micro-benchmarks run by both engines from the same source.
# Prints the median wall time of RUNS runs in milliseconds.
#
# Usage: contrib/bench/js-bench.sh [RUNS]   (from a built tree; node
# optional)
set -e

TOP=$(cd "$(dirname "$0")/../.." && pwd)
FABRIK=${FABRIK:-$TOP/fabrik}
RUNS=${1:-10}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fabrik-jsbench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
echo '{"type":"module"}' >"$WORK/package.json"

# A 200-line recipe: helpers, a table, and a top level that does a
# little work (both engines run the top level).
{
	echo 'import { join, basename } from "path";'
	i=0
	while [ $i -lt 40 ]; do
		cat <<JS
function step$i(x) {
  const parts = [x, "$i", basename("/a/b/c$i.txt")];
  return join(...parts).length + $i;
}
JS
		i=$((i + 1))
	done
	echo 'export const table = ['
	i=0
	while [ $i -lt 30 ]; do
		echo "  { name: \"t$i\", weight: $i, tags: [\"a\", \"b\"] },"
		i=$((i + 1))
	done
	echo '];'
	echo 'function main() {'
	echo '  let s = 0;'
	i=0
	while [ $i -lt 40 ]; do
		echo "  s += step$i(\"x\");"
		i=$((i + 1))
	done
	echo '  console.log(s, table.length);'
	echo '}'
	echo 'main();'
} >"$WORK/start.recipe.js"

cat >"$WORK/loop.recipe.js" <<'JS'
const o = { a: 1, b: 2 };
let s = 0;
for (let i = 0; i < 1000000; i++) {
  s += (i * 3) % 7 + o.a;
  o.b = s & 1023;
}
console.log(s, o.b);
JS
cat >"$WORK/mixed.recipe.js" <<'JS'
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
const a = Array.from({ length: 200000 }, (_, i) => i);
const r = a.map((x) => x * 2).filter((x) => x % 3 === 0)
    .reduce((p, x) => p + x, 0);
const m = new Map();
for (let i = 0; i < 100000; i++) m.set("k" + i, i);
console.log(fib(25), r, m.size);
JS

ms() {
	s=$(date +%s%N)
	"$@" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; exit 1; }
	e=$(date +%s%N)
	echo $(((e - s) / 1000000))
}
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
bench() {
	label=$1
	shift
	r=0
	while [ $r -lt "$RUNS" ]; do
		ms "$@"
		r=$((r + 1))
	done | median | awk -v l="$label" '{ printf "%-42s %6d ms\n", l, $1 }'
}

cd "$WORK"
lines=$(wc -l <start.recipe.js | tr -d ' ')
bench "fabrik run: $lines-line recipe (process)" "$FABRIK" run --no-cache start.recipe.js
bench "fabrik run: 1e6-iteration loop" "$FABRIK" run --no-cache loop.recipe.js
bench "fabrik run: fib(25), map/filter/reduce, Map" "$FABRIK" run --no-cache mixed.recipe.js
if command -v node >/dev/null 2>&1; then
	bench "node: $lines-line module (process)" node start.recipe.js
	bench "node: 1e6-iteration loop" node loop.recipe.js
	bench "node: fib(25), map/filter/reduce, Map" node mixed.recipe.js
	"$FABRIK" run --no-cache start.recipe.js >f.out 2>&1
	node start.recipe.js >n.out 2>&1
	cmp -s f.out n.out && echo "same output from both engines" ||
	    echo "OUTPUTS DIFFER"
fi
