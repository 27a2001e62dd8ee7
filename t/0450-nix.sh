#!/bin/sh
# The real Nix (Debian's nix-bin) against a real `fabrik daemon` as an HTTP
# binary cache: a store path built in one chroot store is signed and
# uploaded with `nix copy --to` (GET nix-cache-info, HEAD narinfo and NAR,
# PUT NAR then narinfo, every PUT with Expect: 100-continue, Basic
# credentials from a netrc file), then fetched into FRESH stores with
# `nix copy --from` and by substitution (`nix-store --realise`), which
# check the signature: the right public key gets identical content and
# Fabrik's nix hit counter rises, a wrong key is refused.  Then managed
# signing (nix.secret_key_file): an unsigned upload is served with
# Fabrik's own Sig and accepted by a client trusting only Fabrik's key.
# Last, the protocol edges with curl.  Offline: the only substituter is
# Fabrik.
. "$(dirname "$0")/lib/tap.sh"

command -v nix >/dev/null 2>&1 || skip_all "nix-bin not installed"
command -v nix-store >/dev/null 2>&1 || skip_all "nix-bin not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
[ "$(id -u)" = 0 ] ||
    skip_all "chroot stores with a build sandbox need root here"

TOKEN=nix-secret
start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-auth-required true \
    --config-auth-tokens "$TOKEN,reader:read"
ok $? "fabrik daemon starts"
P=$d_port_http
M=$d_port_metrics
U=http://127.0.0.1:$P/nix

grep -q "nix substituter $U\$" "$TRASH/d.log"
ok $? "the daemon prints the nix substituter URL"

# A private Nix configuration: no daemon, no build users, a sandbox with
# the host's shell and libraries, Fabrik as the only substituter, no
# negative-lookup caching, credentials from a netrc file.
export HOME="$TRASH/home" XDG_CACHE_HOME="$TRASH/xdg-cache" \
    XDG_CONFIG_HOME="$TRASH/xdg-config" XDG_DATA_HOME="$TRASH/xdg-data" \
    NIX_CONF_DIR="$TRASH/etc-nix"
mkdir -p "$HOME" "$NIX_CONF_DIR"
spaths=
for d in /bin /lib /lib64 /usr; do
	[ -e "$d" ] && spaths="$spaths $d"
done
printf 'machine 127.0.0.1 login nix password %s\n' "$TOKEN" >"$TRASH/netrc"
cat >"$NIX_CONF_DIR/nix.conf" <<EOF
build-users-group =
experimental-features = nix-command
sandbox = true
sandbox-paths =$spaths
substituters =
require-sigs = true
narinfo-cache-negative-ttl = 0
netrc-file = $TRASH/netrc
EOF
unset NIX_REMOTE NIX_PATH

# A derivation whose output refers to another store path (a closure of
# two: the output is input-addressed, so only a signature admits it).
cat >"$TRASH/demo.nix" <<'EOF'
let dep = builtins.toFile "fabrik-dep.txt" "dependency content\n"; in
derivation {
  name = "fabrik-nix-demo";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "read l < ${dep}; echo \"built from: $l ${dep}\" > $out" ];
}
EOF
A=$TRASH/store-a
out=$(nix-build --store "$A" --no-out-link "$TRASH/demo.nix" \
    2>"$TRASH/build.log")
ok $? "nix-build makes a store path in a chroot store"
case $out in
/nix/store/*-fabrik-nix-demo) ok 0 "built $out" ;;
*)
	ok 1 "nix-build printed a store path"
	sed 's/^/#   /' "$TRASH/build.log" | tail -20
	;;
esac
hash=$(basename "$out" | cut -c1-32)

nix-store --generate-binary-cache-key client-1 "$TRASH/sk" "$TRASH/pk"
ok $? "client signing key pair generated"
nix-store --generate-binary-cache-key wrong-1 "$TRASH/sk-w" "$TRASH/pk-w"

# Each fresh store gets a fresh client: Nix remembers narinfos it uploaded
# or looked up in $XDG_CACHE_HOME/nix (binary-cache-v6.sqlite).
fresh() {
	_d=$TRASH/xdg-cache-$1
	mkdir -p "$_d"
	shift
	XDG_CACHE_HOME=$_d "$@"
}

metric() {
	curl -s "http://127.0.0.1:$M/metrics" |
	    sed -n "s/^fabrik_tool_requests_total{tool=\"nix\",result=\"$1\"} //p"
}

# Upload, signing while uploading.
nix copy --store "$A" --to "$U?secret-key=$TRASH/sk" -v "$out" \
    >"$TRASH/copy-to.log" 2>&1
ok $? "nix copy --to fabrik succeeds"
grep -q "uploading '$U/nar/[0-9a-z]*\.nar\.xz'" "$TRASH/copy-to.log" &&
    grep -q "uploading '$U/$hash\.narinfo'" "$TRASH/copy-to.log"
ok $? "nix uploaded the NAR (.nar.xz) and the narinfo"
n=$(grep -c "uploading '$U/[0-9a-z]*\.narinfo'" "$TRASH/copy-to.log")
is "$n" 2 "the whole closure (2 paths) was uploaded"

curl -s -u "nix:$TOKEN" "$U/$hash.narinfo" >"$TRASH/narinfo"
grep -q "^StorePath: $out\$" "$TRASH/narinfo" &&
    grep -q '^References: [0-9a-z]*-fabrik-dep.txt$' "$TRASH/narinfo" &&
    grep -q '^Sig: client-1:' "$TRASH/narinfo"
ok $? "the stored narinfo is the client's, with its Sig"
! grep -q '^Sig: fabrik' "$TRASH/narinfo"
ok $? "no managed signature without nix.secret_key_file"

# A second upload finds everything there (HEAD narinfo 200): no PUT.
nix copy --store "$A" --to "$U" -v "$out" >"$TRASH/copy-to2.log" 2>&1
ok $? "a second nix copy --to succeeds"
! grep -q uploading "$TRASH/copy-to2.log"
ok $? "the second copy uploads nothing (HEAD narinfo answered 200)"

# Fresh store, right key: every path arrives with identical content.
hits0=$(metric hit)
B=$TRASH/store-b
fresh B nix copy --store "$B" --from "$U" \
    --option trusted-public-keys "$(cat "$TRASH/pk")" "$out" \
    >"$TRASH/copy-from.log" 2>&1
ok $? "nix copy --from fabrik into a fresh store succeeds"
cmp -s "$A$out" "$B$out"
ok $? "the path arrived with identical content"
dep=$(sed -n 's/^built from: dependency content //p' "$B$out")
[ -n "$dep" ] && cmp -s "$A$dep" "$B$dep"
ok $? "its reference arrived too ($dep)"
nix-store --store "$B" --verify-path "$out" >/dev/null 2>&1
ok $? "nix-store --verify-path accepts it in the fresh store"
hits1=$(metric hit)
[ "${hits1:-0}" -ge $((${hits0:-0} + 4)) ]
ok $? "fabrik counted nix hits for the narinfos and NARs ($hits0 -> $hits1)"

# Fresh store, wrong key: the client checks the signature and refuses.
W=$TRASH/store-w
fresh W nix copy --store "$W" --from "$U" \
    --option trusted-public-keys "$(cat "$TRASH/pk-w")" "$out" \
    >"$TRASH/copy-wrong.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'lacks a valid signature' "$TRASH/copy-wrong.log"
ok $? "a wrong trusted-public-keys refuses the path (exit $rc)"
[ ! -e "$W$out" ]
ok $? "the refused path is not in that store"

# Substitution proper: nix-store --realise with fabrik as substituter.
C=$TRASH/store-c
fresh C nix-store --store "$C" --realise "$out" --option substituters "$U" \
    --option trusted-public-keys "$(cat "$TRASH/pk")" \
    >"$TRASH/realise.log" 2>&1
ok $? "nix-store --realise substitutes the path from fabrik"
cmp -s "$A$out" "$C$out"
ok $? "the substituted path has identical content"

# nix path-info reads the narinfo back from the cache.
nix path-info --store "$U" --json "$out" >"$TRASH/pathinfo.json" 2>&1 &&
    grep -q '"narSize"' "$TRASH/pathinfo.json"
ok $? "nix path-info --store fabrik reads the narinfo"

# --- managed signing ----------------------------------------------------

nix-store --generate-binary-cache-key fabrik-1 "$TRASH/fsk" "$TRASH/fpk"
start_fabrik s daemon --config-cache-dir "$TRASH/cache-s" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-daemon-grpc-bind '' \
    --config-nix-secret-key-file "$TRASH/fsk"
ok $? "a daemon with nix.secret_key_file starts"
grep -q 'signing narinfos as fabrik-1' "$TRASH/s.log"
ok $? "it logs the signing key name"
US=http://127.0.0.1:$s_port_http/nix

nix copy --store "$A" --to "$US" "$out" >"$TRASH/copy-s.log" 2>&1
ok $? "unsigned upload to the signing daemon"
curl -s "$US/$hash.narinfo" >"$TRASH/narinfo-s"
grep -q '^Sig: fabrik-1:' "$TRASH/narinfo-s" &&
    ! grep -q '^Sig: client-1:' "$TRASH/narinfo-s"
ok $? "the narinfo is served with Fabrik's own Sig"
D=$TRASH/store-d
fresh D nix copy --store "$D" --from "$US" \
    --option trusted-public-keys "$(cat "$TRASH/fpk")" "$out" \
    >"$TRASH/copy-s-from.log" 2>&1 && cmp -s "$A$out" "$D$out"
ok $? "a client trusting only Fabrik's key accepts the path"
E=$TRASH/store-e
fresh E nix copy --store "$E" --from "$US" \
    --option trusted-public-keys "$(cat "$TRASH/pk-w")" "$out" \
    >"$TRASH/copy-s-wrong.log" 2>&1
[ $? -ne 0 ] && [ ! -e "$E$out" ]
ok $? "... and a client trusting another key still refuses it"
stop_fabrik s
ok $? "signing daemon exits 0"

printf 'not a key\n' >"$TRASH/badkey"
"$FABRIK" daemon --config-cache-dir "$TRASH/cache-bad" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind '' \
    --config-observability-metrics-bind '' --config-daemon-grpc-bind '' \
    --config-nix-secret-key-file "$TRASH/badkey" >"$TRASH/bad.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'nix.secret_key_file' "$TRASH/bad.log"
ok $? "a malformed secret key file stops the daemon with a message"

# --- protocol edges (curl) ----------------------------------------------

c() {
	curl -s -o "$TRASH/body" -w '%{http_code}' "$@"
}
is "$(c -u "nix:$TOKEN" "$U/nix-cache-info")" 200 "GET nix-cache-info"
grep -q '^StoreDir: /nix/store$' "$TRASH/body" &&
    grep -q '^WantMassQuery: 1$' "$TRASH/body" &&
    grep -q '^Priority: 40$' "$TRASH/body"
ok $? "nix-cache-info has StoreDir, WantMassQuery and Priority"
is "$(c "$U/nix-cache-info")" 401 "no credentials: 401"
is "$(c -u nix:wrong "$U/$hash.narinfo")" 401 "wrong password: 401"
is "$(c -u "x:reader" -I "$U/$hash.narinfo")" 200 \
    "read-only token: HEAD narinfo 200"
is "$(c -u "x:reader" -X PUT --data-binary @"$TRASH/narinfo" \
    "$U/$hash.narinfo")" 403 "read-only token: PUT 403"
miss=0rj0whqkkbc4arln9ww4zxpvm5vq2yng
is "$(c -u "nix:$TOKEN" "$U/$miss.narinfo")" 404 "missing narinfo: 404"
is "$(c -u "nix:$TOKEN" "$U/nar/$miss.nar.xz")" 404 "missing NAR: 404"
is "$(c -u "nix:$TOKEN" -X PUT --data-binary x "$U/nar/..%2f..%2fx.nar")" \
    400 "PUT of a bad NAR name: 400"
is "$(c -u "nix:$TOKEN" -X PUT --data-binary x --path-as-is \
    "$U/nar/../../etc/passwd")" 400 \
    "PUT outside the layout: 400"
is "$(c -u "nix:$TOKEN" -X PUT --data-binary x "$U/ABC.narinfo")" 400 \
    "PUT of a narinfo with a bad name: 400"
# A NAR named by a SHA-256 it does not have is refused and not stored.
h52=1nfgm9m2a17v23qk5h442narixh0dskdqggb3lr1bx725m01knk1
is "$(c -u "nix:$TOKEN" -X PUT --data-binary 'not the nar' \
    "$U/nar/$h52.nar")" 400 "NAR whose content does not match its name: 400"
is "$(c -u "nix:$TOKEN" "$U/nar/$h52.nar")" 404 "... and it was not stored"
is "$(c -u "nix:$TOKEN" -X PUT \
    --data-binary @"$TOP/t/data/nix-signing/hello.nar" \
    "$U/nar/$h52.nar")" 200 "NAR matching its name: 200"
# narinfos: the vector parses, but a wrong name or missing NAR is refused.
vec=$TOP/t/data/nix-signing/0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss.narinfo
is "$(c -u "nix:$TOKEN" -X PUT --data-binary @"$vec" \
    "$U/$miss.narinfo")" 400 "narinfo under another path's name: 400"
sed 's/^URL: .*/URL: nar\/'"$miss"'.nar/' "$vec" >"$TRASH/nonar.narinfo"
is "$(c -u "nix:$TOKEN" -X PUT --data-binary @"$TRASH/nonar.narinfo" \
    "$U/0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss.narinfo")" 400 \
    "narinfo whose NAR was never uploaded: 400"
grep -v '^NarHash' "$vec" >"$TRASH/nohash.narinfo"
is "$(c -u "nix:$TOKEN" -X PUT --data-binary @"$TRASH/nohash.narinfo" \
    "$U/0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss.narinfo")" 400 \
    "narinfo without NarHash: 400"
is "$(c -u "nix:$TOKEN" -X PUT -H 'Expect: 100-continue' \
    --data-binary @"$vec" "$U/0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss.narinfo")" \
    200 "the vector narinfo is accepted (Expect: 100-continue)"
c -u "nix:$TOKEN" "$U/0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss.narinfo" >/dev/null
cmp -s "$TRASH/body" "$vec"
ok $? "... and served back byte for byte"
head -c 70000 /dev/zero | tr '\0' 'x' >"$TRASH/big"
is "$(c -u "nix:$TOKEN" -X PUT --data-binary @"$TRASH/big" \
    "$U/$miss.narinfo")" 413 "narinfo over 64 KiB: 413"
is "$(c -u "nix:$TOKEN" -X PUT -H 'Transfer-Encoding: chunked' \
    --data-binary @"$TRASH/big" "$U/$miss.narinfo")" 413 \
    "chunked narinfo over 64 KiB: 413 while reading"
is "$(c -u "nix:$TOKEN" "$U/nix-cache-info")" 200 \
    "the daemon still answers after a refused body"
is "$(c -u "nix:$TOKEN" -X DELETE "$U/$hash.narinfo")" 405 "DELETE: 405"
is "$(c -u "nix:$TOKEN" -X PUT --data-binary 'StoreDir: /nix/store
' "$U/nix-cache-info")" 200 "PUT nix-cache-info (as nix copy may): 200"
is "$(c -u "nix:$TOKEN" -X PUT --data-binary 'garbage' \
    "$U/nix-cache-info")" 400 "malformed nix-cache-info: 400"

if [ $tap_failed -ne 0 ]; then
	for f in copy-to copy-from copy-wrong realise copy-s copy-s-from; do
		[ -f "$TRASH/$f.log" ] || continue
		echo "# --- $f.log"
		sed 's/^/#   /' "$TRASH/$f.log" | tail -15
	done
	sed 's/^/#   /' "$TRASH/d.log" | tail -20
fi
stop_fabrik d
ok $? "fabrik exits 0 on SIGTERM"
done_testing
