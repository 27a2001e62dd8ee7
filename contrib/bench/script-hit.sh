#!/bin/sh
# Script recipe hit overhead: a script with 1,000 input files (content
# hashed) and one output, run once cold (MISS), then RUNS times warm
# (HIT: key computed, archive read from the local store, output restored,
# output replayed).  Also `--dry-run` (the key alone).  Prints the wall
# time of each kind of run: median and best, in milliseconds.
#
# Usage: contrib/bench/script-hit.sh [FILES] [RUNS]   (from a built tree)
set -e

TOP=$(cd "$(dirname "$0")/../.." && pwd)
FABRIK=${FABRIK:-$TOP/fabrik}
N=${1:-1000}
RUNS=${2:-20}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fabrik-scripthit.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$WORK/proj/src"
i=0
while [ $i -lt "$N" ]; do
	d="$WORK/proj/src/d$((i % 20))"
	mkdir -p "$d"
	head -c $((200 + i % 1800)) /dev/urandom >"$d/f$i.txt"
	i=$((i + 1))
done
cat >"$WORK/proj/build.sh" <<'SH'
#!/bin/sh
#FABRIK input "src/**/*.txt"
#FABRIK output "out/summary.txt"
mkdir -p out
cat src/*/*.txt | wc -c >out/summary.txt
echo built
SH
chmod +x "$WORK/proj/build.sh"
export XDG_CACHE_HOME="$WORK/cache"

# ms: wall milliseconds of one run of "$@".
ms() {
	s=$(date +%s%N)
	"$@" >/dev/null 2>&1
	e=$(date +%s%N)
	echo $(((e - s) / 1000000))
}
stat_line() {
	sort -n | awk -v what="$1" '{ v[NR] = $1 } END {
	    printf "%-28s median %4d ms  best %4d ms  (%d runs)\n",
	    what, v[int((NR + 1) / 2)], v[1], NR }'
}

cd "$WORK/proj"
"$FABRIK" run build.sh >/dev/null 2>&1
grep -q . out/summary.txt
r=0
while [ $r -lt "$RUNS" ]; do
	rm -rf out
	ms "$FABRIK" run build.sh
	r=$((r + 1))
done | stat_line "hit, outputs restored"
[ -s out/summary.txt ] || { echo "outputs not restored" >&2; exit 1; }
r=0
while [ $r -lt "$RUNS" ]; do
	ms "$FABRIK" run build.sh
	r=$((r + 1))
done | stat_line "hit, outputs present"
r=0
while [ $r -lt "$RUNS" ]; do
	ms "$FABRIK" run --dry-run build.sh
	r=$((r + 1))
done | stat_line "key only (--dry-run)"
r=0
while [ $r -lt "$RUNS" ]; do
	ms "$FABRIK" run --no-cache build.sh
	r=$((r + 1))
done | stat_line "no cache (script runs)"
echo "inputs: $N files, $(du -sk src | cut -f1) KiB"
