#!/bin/sh
# Script recipes: `fabrik run` with #FABRIK annotations, the local cache
# (miss, hit with outputs restored and output replayed, invalidation, ttl),
# dependencies and cycles, timeouts, failures, malformed annotations, the
# shebang form and `fabrik cache status|clean|list`.
. "$(dirname "$0")/lib/tap.sh"

FABRIK_CONFIG_CACHE_DIR=$TRASH/cache
export FABRIK_CONFIG_CACHE_DIR
W=$TRASH/w
mkdir -p "$W/src" "$W/sub"
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
	sed -n 's/^\[fabrik\] Cache key: script-[0-9a-f]\{12\} | \([A-Z]*\).*/\1/p' \
	    "$TRASH/$1.err" | tail -1
}
nres() {
	grep -c '^\[fabrik\] Cache key: script-' "$TRASH/$1.err"
}

cat >gen.sh <<'S'
#!/bin/sh
#FABRIK input "src/**/*.txt"
#FABRIK output "out"
#FABRIK output "single.bin"
#FABRIK env "GEN_FLAVOUR"
echo "gen flavour=$GEN_FLAVOUR args=$*"
echo "to stderr" >&2
rm -rf out
mkdir -p out/deep/er
cat src/*.txt >out/all.txt
printf 'x\000y' >out/deep/er/bin
chmod 751 out/deep/er/bin
ln -s all.txt out/link
ln -s deep/er out/dirlink
mkdir out/empty
chmod 700 out/empty
head -c 3000 /dev/urandom >single.bin
S
echo one >src/a.txt
echo two >src/b.txt

run cold gen.sh
is "$rc" 0 "cold run exits 0"
is "$(status cold)" MISS "cold run is a miss"
grep -q '^\[fabrik\] Cache key: script-[0-9a-f]\{12\} | MISS | [0-9]*\.[0-9][0-9]s (exit: 0)$' \
    "$TRASH/cold.err"
ok $? "miss line has the documented shape"
is "$(cat "$TRASH/cold.out")" "gen flavour= args=" "script output passed through"
grep -q "to stderr" "$TRASH/cold.err"
ok $? "stderr passed through"
cp -R -P out "$TRASH/out.first"
cp single.bin "$TRASH/single.first"
ls -lR out | sed 's/ [A-Z][a-z][a-z] .*:.. / /' >"$TRASH/ls.first"

rm -rf out single.bin
run hit gen.sh
is "$rc" 0 "hit exits with the cached code"
is "$(status hit)" HIT "second run is a hit"
grep -q '^\[fabrik\] Cache key: script-[0-9a-f]\{12\} | HIT ✓ | 0\.[0-9][0-9]s (exit: 0)$' \
    "$TRASH/hit.err"
ok $? "hit line has the documented shape"
cmp -s "$TRASH/cold.out" "$TRASH/hit.out"
ok $? "stdout replayed byte-exact"
grep -q "to stderr" "$TRASH/hit.err"
ok $? "stderr replayed"
diff -r "$TRASH/out.first" out >/dev/null 2>&1
ok $? "output tree restored byte-exact"
cmp -s "$TRASH/single.first" single.bin
ok $? "single output file restored"
ls -lR out | sed 's/ [A-Z][a-z][a-z] .*:.. / /' >"$TRASH/ls.hit"
cmp -s "$TRASH/ls.first" "$TRASH/ls.hit"
ok $? "modes, symlinks and empty directories restored"
is "$(readlink out/link)" "all.txt" "symlink target restored"
[ -d out/empty ]
ok $? "empty directory restored"

# Invalidation.
echo three >src/b.txt
run inp gen.sh
is "$(status inp)" MISS "changing an input is a miss"
mkdir -p src/nested && echo four >src/nested/c.txt
run glob gen.sh
is "$(status glob)" MISS "a new file matching ** is a miss"
run glob2 gen.sh
is "$(status glob2)" HIT "unchanged inputs hit again"
GEN_FLAVOUR=spicy run env gen.sh
is "$(status env)" MISS "changing an env var is a miss"
is "$(cat "$TRASH/env.out")" "gen flavour=spicy args=" "env reaches the script"
GEN_FLAVOUR=spicy run env2 gen.sh
is "$(status env2)" HIT "same env value hits"
run args gen.sh -- a b
is "$(status args)" MISS "arguments are part of the key"
is "$(cat "$TRASH/args.out")" "gen flavour= args=a b" "arguments after -- reach the script"
echo "# a comment" >>gen.sh
run script gen.sh
is "$(status script)" MISS "changing the script is a miss"

# hash=size and hash=mtime.
cat >sized.sh <<'S'
#FABRIK input "sized.txt" hash=size
#FABRIK input "timed.txt" hash=mtime
echo sized
S
echo aaaa >sized.txt
echo t >timed.txt
run s1 sized.sh
run s2 sized.sh
is "$(status s2)" HIT "hash=size: unchanged hits"
echo bbbb >sized.txt
run s3 sized.sh
is "$(status s3)" HIT "hash=size: same size, new content still hits"
echo bbbbb >sized.txt
run s4 sized.sh
is "$(status s4)" MISS "hash=size: new size misses"
touch -t 200001010000 timed.txt
run s5 sized.sh
is "$(status s5)" MISS "hash=mtime: a new mtime misses"

# Custom key, cache disable, --no-cache, --clean, --dry-run.
cat >keyed.sh <<'S'
#FABRIK cache key="v1"
echo keyed
S
run k1 keyed.sh
run k2 keyed.sh
is "$(status k2)" HIT "custom key: hit"
sed 's/v1/v2/' keyed.sh >keyed2.sh && mv keyed2.sh keyed.sh
run k3 keyed.sh
is "$(status k3)" MISS "custom key change misses"
"$FABRIK" run --dry-run keyed.sh >"$TRASH/dry.out" 2>&1
grep -q '^key v2$' "$TRASH/dry.out"
ok $? "--dry-run prints the custom key"
"$FABRIK" run --dry-run gen.sh >"$TRASH/dry2.out" 2>&1
grep -q '^file src/nested/c.txt sha256 [0-9a-f]\{64\}$' "$TRASH/dry2.out" &&
    grep -q '^env GEN_FLAVOUR unset$' "$TRASH/dry2.out" &&
    grep -q '^gen.sh: script-[0-9a-f]\{64\}$' "$TRASH/dry2.out"
ok $? "--dry-run prints the key and its inputs"
run k4 --clean keyed.sh
is "$(status k4)" MISS "--clean forces a miss"
run k5 keyed.sh
is "$(status k5)" HIT "--clean stored the new result"
run k6 --no-cache keyed.sh
is "$(status k6)" MISS "--no-cache runs the script"
grep -q "cache off" "$TRASH/k6.err"
ok $? "--no-cache says the cache is off"
cat >nocache.sh <<'S'
#FABRIK cache disable
echo run >>nocache.count
S
run n1 nocache.sh
run n2 nocache.sh
is "$(wc -l <nocache.count | tr -d ' ')" 2 "cache disable runs every time"

# TTL.
cat >ttl.sh <<'S'
#FABRIK cache ttl="1s"
echo ttl
S
run t1 ttl.sh
run t2 ttl.sh
is "$(status t2)" HIT "ttl: a fresh entry hits"
sleep 2
run t3 ttl.sh
is "$(status t3)" MISS "ttl: an expired entry misses"

# runtime, runtime-arg, runtime-version, exec cwd, exec shell.
cat >rt.sh <<'S'
#FABRIK runtime "bash"
#FABRIK runtime-arg "-e"
#FABRIK runtime-version
#FABRIK exec cwd="sub"
echo "bash=${BASH_VERSION:+yes} opts=$- pwd=$(basename "$PWD")"
S
run r1 rt.sh
case $(cat "$TRASH/r1.out") in
"bash=yes opts="*e*" pwd=sub") ok 0 "runtime, runtime-arg and exec cwd" ;;
*) ok 1 "runtime, runtime-arg and exec cwd: $(cat "$TRASH/r1.out")" ;;
esac
"$FABRIK" run --dry-run rt.sh >"$TRASH/rtdry.out" 2>&1
grep -q '^runtime-version GNU bash' "$TRASH/rtdry.out"
ok $? "runtime-version puts '<runtime> --version' into the key"
cat >sh.sh <<'S'
#!/no/such/interpreter
#FABRIK exec shell
echo "shell ok"
S
run sh1 sh.sh
is "$(cat "$TRASH/sh1.out")" "shell ok" "exec shell runs with /bin/sh"

# Timeout kills the process group and is not cached.
cat >slow.sh <<'S'
#FABRIK exec timeout="1s"
sleep 30 &
echo $! >slow.pid
wait
S
run slow slow.sh
is "$rc" 124 "a timeout exits 124"
grep -q "timed out" "$TRASH/slow.err"
ok $? "a timeout is reported"
# The background sleep was in the script's process group: it must be
# gone (or a zombie waiting for init) soon after the timeout.
gone=1
for i in 1 2 3 4 5 6 7 8 9 10; do
	st=$(ps -o stat= -p "$(cat slow.pid)" 2>/dev/null)
	case $st in
	"" | Z*) gone=0; break ;;
	esac
	sleep 0.2
done
ok $gone "the process group was killed"
"$FABRIK" cache status slow.sh >/dev/null 2>&1
ok $((!$?)) "a timed-out run is not cached"

# Failure.
cat >fail.sh <<'S'
echo failing
exit 3
S
run f1 fail.sh
is "$rc" 3 "a failing script's status is passed on"
run f2 fail.sh
is "$(status f2)" MISS "a failing script is not cached"
run f3 --cache-failures fail.sh
run f4 fail.sh
is "$(status f4)" HIT "--cache-failures caches a failure"
is "$rc" 3 "a cached failure exits with its code"

# Dependencies.
cat >a.sh <<'S'
#FABRIK input "a.in"
#FABRIK output "a.out"
echo a-ran
cat a.in >a.out
S
cat >b.sh <<'S'
#FABRIK depends "a.sh" use-outputs=#true
#FABRIK output "b.out"
echo b-ran
tr a-z A-Z <a.out >b.out
S
cat >c.sh <<'S'
#FABRIK depends "b.sh"
cat b.out
S
echo hello >a.in
run d1 c.sh
is "$(nres d1)" 3 "a chain runs every script"
is "$(cat "$TRASH/d1.out" | tr '\n' ' ')" "a-ran b-ran HELLO " "dependencies run first"
rm -f a.out b.out
run d2 c.sh
is "$(grep -c 'HIT' "$TRASH/d2.err")" 3 "each dependency hits on its own"
is "$(cat b.out 2>/dev/null)" HELLO "dependency outputs restored"
echo world >a.in
run d3 c.sh
is "$(grep -c 'MISS' "$TRASH/d3.err")" 3 "an input change reaches dependents"
is "$(tail -1 "$TRASH/d3.out")" WORLD "dependents see the new output"
cat >x.sh <<'S'
#FABRIK depends "y.sh"
S
cat >y.sh <<'S'
#FABRIK depends "x.sh"
S
run cyc x.sh
is "$rc" 2 "a cycle fails with status 2"
grep -q 'dependency cycle: x.sh -> y.sh -> x.sh' "$TRASH/cyc.err"
ok $? "the cycle is named"

# Malformed annotations.
printf '#!/bin/sh\n#FABRIK frobnicate "x"\n' >bad1.sh
run b1 bad1.sh
is "$rc" 2 "unknown annotation exits 2"
grep -q "^fabrik run: bad1.sh:2:9: unknown annotation 'frobnicate'" "$TRASH/b1.err"
ok $? "unknown annotation: file:line:col"
printf 'echo\n\n#FABRIK input "src/*.c" hash=sha1\n' >bad2.sh
run b2 bad2.sh
grep -q "^fabrik run: bad2.sh:3:25: hash must be content, mtime or size" "$TRASH/b2.err"
ok $? "bad property value: file:line:col"
printf '#FABRIK output "unterminated\n' >bad3.sh
run b3 bad3.sh
grep -q "^fabrik run: bad3.sh:1:[0-9]*: " "$TRASH/b3.err"
ok $? "KDL syntax error: file:line:col"
printf '#FABRIK output "../escape"\n' >bad4.sh
run b4 bad4.sh
grep -q "^fabrik run: bad4.sh:1:16: an output must be a relative path" "$TRASH/b4.err"
ok $? "an output outside the directory is refused"
printf '#FABRIK exec timeout="soon"\n' >bad5.sh
run b5 bad5.sh
grep -q "^fabrik run: bad5.sh:1:14: timeout: " "$TRASH/b5.err"
ok $? "bad duration: file:line:col"
printf '#FABRIK cache ttl="1s" color="red"\n' >bad6.sh
run b6 bad6.sh
grep -q "^fabrik run: bad6.sh:1:24: 'cache' has no property 'color'" "$TRASH/b6.err"
ok $? "unknown property: file:line:col"
is "$(cat "$TRASH/b6.out")" "" "a malformed script does not run"

# Shebang through env -S with the built binary on PATH.
mkdir -p "$TRASH/bin"
ln -sf "$FABRIK" "$TRASH/bin/fabrik"
cat >she.sh <<'S'
#!/usr/bin/env -S fabrik run bash
#FABRIK output "she.out"
echo "bash=${BASH_VERSION:+yes} arg=$1"
echo x >she.out
S
chmod +x she.sh
PATH=$TRASH/bin:$PATH ./she.sh one >"$TRASH/sh.out" 2>"$TRASH/sh.err"
is "$(cat "$TRASH/sh.out")" "bash=yes arg=one" "shebang env -S fabrik run bash"
is "$(status sh)" MISS "shebang run goes through the cache"
rm she.out
PATH=$TRASH/bin:$PATH ./she.sh one >"$TRASH/sh2.out" 2>"$TRASH/sh2.err"
is "$(status sh2)" HIT "shebang run hits"
[ -f she.out ]
ok $? "shebang hit restores outputs"

# fabrik cache status | list | clean.
"$FABRIK" cache status keyed.sh >"$TRASH/cs.out" 2>&1
ok $? "cache status: cached script exits 0"
grep -q '^script-[0-9a-f]\{12\} cached' "$TRASH/cs.out"
ok $? "cache status prints the key"
"$FABRIK" cache list >"$TRASH/cl.out" 2>&1
grep -q "keyed.sh$" "$TRASH/cl.out"
ok $? "cache list shows script entries"
"$FABRIK" cache clean keyed.sh >/dev/null 2>&1
"$FABRIK" cache status keyed.sh >/dev/null 2>&1
is $? 1 "cache clean SCRIPT removes its entry"
"$FABRIK" cache clean >"$TRASH/cc.out" 2>&1
grep -q '^removed [1-9][0-9]* script entries$' "$TRASH/cc.out"
ok $? "cache clean removes every script entry"
"$FABRIK" cache list >"$TRASH/cl2.out" 2>&1
is "$(wc -l <"$TRASH/cl2.out" | tr -d ' ')" 0 "nothing listed after clean"

# A daemon holding the cache: run caches through it (t/1010 has more).
start_fabrik d daemon --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0
ok $? "daemon started on the same cache"
run lk keyed.sh
is "$rc" 0 "run works while a daemon holds the cache"
run lk2 keyed.sh
is "$(status lk2)" HIT "and caches through the daemon"
stop_fabrik d

done_testing
