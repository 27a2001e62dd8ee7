#!/bin/sh
# Independent S3 clients against Fabrik's S3 API: s3cmd (path style,
# SigV4), rclone's S3 backend (provider Other, force_path_style) and the
# @aws-sdk/client-s3 npm package, whose PutObject from a stream sends an
# aws-chunked body with a CRC32 trailer.  Every object must round-trip
# byte-exact; listings name what was stored.
. "$(dirname "$0")/lib/tap.sh"

command -v s3cmd >/dev/null 2>&1 || HAVE_S3CMD=no
command -v rclone >/dev/null 2>&1 || HAVE_RCLONE=no
SDK=$TOP/t/npm/node_modules/@aws-sdk/client-s3
{ command -v node >/dev/null 2>&1 && [ -d "$SDK" ]; } || HAVE_SDK=no
[ "$HAVE_S3CMD$HAVE_RCLONE$HAVE_SDK" = nonono ] &&
    skip_all "none of s3cmd, rclone, @aws-sdk/client-s3 installed"

# Nothing from the caller's AWS environment (AWS_CA_BUNDLE breaks rclone
# over plain http).
unset AWS_CA_BUNDLE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
    AWS_SESSION_TOKEN AWS_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
AK=AKCLIENTS
SK=clients-secret
start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-s3-bind 127.0.0.1:0 --config-s3-access-keys "$AK:$SK"
ok $? "fabrik daemon starts with an s3 listener"
P=$d_port_s3
sha() {
	sha256sum "$1" | cut -d' ' -f1
}
head -c 150000 /dev/urandom >"$TRASH/f1"
head -c 18000000 /dev/urandom >"$TRASH/f2"

if [ "$HAVE_S3CMD" = no ]; then
	echo "# s3cmd not installed: skipped"
else
	cat >"$TRASH/s3cfg" <<CFG
[default]
access_key = $AK
secret_key = $SK
host_base = 127.0.0.1:$P
host_bucket = 127.0.0.1:$P
use_https = False
signature_v2 = False
bucket_location = us-east-1
CFG
	s3c() {
		s3cmd -c "$TRASH/s3cfg" "$@"
	}
	expect_success "s3cmd mb" s3c mb s3://s3cmd-bkt
	expect_success "s3cmd put (single)" s3c put "$TRASH/f1" s3://s3cmd-bkt/a/f1
	expect_success "s3cmd put (multipart, 15 MB chunks)" \
	    s3c put "$TRASH/f2" s3://s3cmd-bkt/a/f2
	expect_success "s3cmd get" s3c get s3://s3cmd-bkt/a/f1 "$TRASH/s1"
	expect_success "s3cmd get the multipart object" \
	    s3c get s3://s3cmd-bkt/a/f2 "$TRASH/s2"
	is "$(sha "$TRASH/s1")" "$(sha "$TRASH/f1")" "s3cmd round trip (small)"
	is "$(sha "$TRASH/s2")" "$(sha "$TRASH/f2")" "s3cmd round trip (18 MB)"
	s3c ls --recursive s3://s3cmd-bkt >"$TRASH/s3ls" 2>&1
	is "$(awk '{print $4}' "$TRASH/s3ls" | tr '\n' ' ')" \
	    "s3://s3cmd-bkt/a/f1 s3://s3cmd-bkt/a/f2 " "s3cmd ls lists both"
	expect_success "s3cmd del" s3c del s3://s3cmd-bkt/a/f1
	s3c get s3://s3cmd-bkt/a/f1 "$TRASH/s1b" >/dev/null 2>&1
	[ $? -ne 0 ]
	ok $? "the deleted object is gone for s3cmd"
fi

if [ "$HAVE_RCLONE" = no ]; then
	echo "# rclone not installed: skipped"
else
	cat >"$TRASH/rclone.conf" <<CFG
[fab]
type = s3
provider = Other
access_key_id = $AK
secret_access_key = $SK
endpoint = http://127.0.0.1:$P
region = us-east-1
force_path_style = true
CFG
	rc() {
		rclone --config "$TRASH/rclone.conf" "$@"
	}
	mkdir -p "$TRASH/up/sub"
	cp "$TRASH/f1" "$TRASH/up/one"
	cp "$TRASH/f2" "$TRASH/up/sub/two"
	expect_success "rclone mkdir" rc mkdir fab:rclone-bkt
	expect_success "rclone copy up (one multipart file)" \
	    rc copy "$TRASH/up" fab:rclone-bkt/tree
	expect_success "rclone copy down" \
	    rc copy fab:rclone-bkt/tree "$TRASH/down"
	is "$(sha "$TRASH/down/one")" "$(sha "$TRASH/f1")" "rclone round trip (small)"
	is "$(sha "$TRASH/down/sub/two")" "$(sha "$TRASH/f2")" \
	    "rclone round trip (18 MB)"
	expect_success "rclone check finds both sides equal" \
	    rc check "$TRASH/up" fab:rclone-bkt/tree
	rc lsf -R fab:rclone-bkt >"$TRASH/rls" 2>&1
	is "$(sort "$TRASH/rls" | tr '\n' ' ')" "tree/ tree/one tree/sub/ tree/sub/two " \
	    "rclone lsf -R lists the tree"
	expect_success "rclone purge" rc purge fab:rclone-bkt
fi

if [ "$HAVE_SDK" = no ]; then
	echo "# @aws-sdk/client-s3 not installed: skipped"
else
	cat >"$TRASH/sdk.js" <<'JS'
const fs = require('fs');
const { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand,
    ListObjectsV2Command } = require(process.env.SDK);
const c = new S3Client({ endpoint: process.env.EP, region: 'us-east-1',
    forcePathStyle: true, credentials: { accessKeyId: process.env.AK,
    secretAccessKey: process.env.SK } });
const seen = [];
c.middlewareStack.add((next) => async (args) => {
	const h = args.request.headers || {};
	if (args.request.method === 'PUT' && h['x-amz-content-sha256'])
		seen.push(h['x-amz-content-sha256'] + ' ' +
		    (h['content-encoding'] || '') + ' ' + (h['x-amz-trailer'] || ''));
	return next(args);
}, { step: 'finalizeRequest', priority: 'low' });
(async () => {
	await c.send(new CreateBucketCommand({ Bucket: 'sdk-bkt' }));
	const file = process.argv[2];
	const st = fs.statSync(file);
	await c.send(new PutObjectCommand({ Bucket: 'sdk-bkt', Key: 'stream/obj',
	    Body: fs.createReadStream(file), ContentLength: st.size }));
	const got = await c.send(new GetObjectCommand({ Bucket: 'sdk-bkt',
	    Key: 'stream/obj' }));
	fs.writeFileSync(process.argv[3],
	    Buffer.from(await got.Body.transformToByteArray()));
	const l = await c.send(new ListObjectsV2Command({ Bucket: 'sdk-bkt' }));
	console.log('put ' + seen.join(' | '));
	console.log('keys ' + l.Contents.map((o) => o.Key + ':' + o.Size).join(','));
})().catch((e) => { console.error(e); process.exit(1); });
JS
	SDK=$SDK EP=http://127.0.0.1:$P AK=$AK SK=$SK \
	    node "$TRASH/sdk.js" "$TRASH/f1" "$TRASH/sdk.out" >"$TRASH/sdk.log" 2>&1
	ok $? "the JS SDK puts a stream, gets it and lists"
	sed 's/^/#   /' "$TRASH/sdk.log" | tail -5
	is "$(sha "$TRASH/sdk.out")" "$(sha "$TRASH/f1")" \
	    "the aws-chunked stream upload round-trips byte-exact"
	grep -q "keys stream/obj:150000" "$TRASH/sdk.log"
	ok $? "ListObjectsV2 reports the decoded size"
	grep -q '^put .*STREAMING-.*aws-chunked.*x-amz-checksum-crc32' "$TRASH/sdk.log"
	ok $? "the SDK sent the object as aws-chunked with a CRC32 trailer"
fi

done_testing
