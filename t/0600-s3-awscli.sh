#!/bin/sh
# Debian's AWS CLI v2 (/usr/bin/aws, not a pyenv v1 `aws` earlier on
# PATH) against Fabrik's S3-compatible API: mb, cp both ways with sha256
# round trips, ls, head-object, Range, rm, a 20 MB multipart upload (aws
# switches to multipart above 8 MB) and its ranged multipart download,
# listing after a restart; a wrong secret is refused with
# SignatureDoesNotMatch and nothing is stored, a read-only key may read
# but not write, and anonymous requests are refused.
. "$(dirname "$0")/lib/tap.sh"

AWS=/usr/bin/aws
[ -x "$AWS" ] || skip_all "Debian's awscli (/usr/bin/aws) not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"

start_d() {
	start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
	    --config-daemon-bind 127.0.0.1:0 \
	    --config-observability-health-bind 127.0.0.1:0 \
	    --config-observability-metrics-bind 127.0.0.1:0 \
	    --config-s3-bind 127.0.0.1:0 \
	    --config-s3-access-keys "AKFABRIKTEST:s3cr3t/K+ey,AKREADER:r34d:read"
}
start_d
ok $? "fabrik daemon starts with an s3 listener"
[ -n "$d_port_s3" ]
ok $? "the log names the s3 port"
EP=http://127.0.0.1:$d_port_s3

export AWS_CONFIG_FILE="$TRASH/aws-config"
export AWS_SHARED_CREDENTIALS_FILE="$TRASH/aws-credentials"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
cat >"$AWS_CONFIG_FILE" <<CFG
[default]
region = us-east-1
s3 =
    addressing_style = path
[profile wrong]
region = us-east-1
s3 =
    addressing_style = path
[profile reader]
region = us-east-1
s3 =
    addressing_style = path
CFG
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<CFG
[default]
aws_access_key_id = AKFABRIKTEST
aws_secret_access_key = s3cr3t/K+ey
[wrong]
aws_access_key_id = AKFABRIKTEST
aws_secret_access_key = not-the-secret
[reader]
aws_access_key_id = AKREADER
aws_secret_access_key = r34d
CFG
aws() {
	"$AWS" --endpoint-url "$EP" "$@"
}
sha() {
	sha256sum "$1" | cut -d' ' -f1
}

expect_success "aws s3 mb creates a bucket" aws s3 mb s3://builds
expect_success "aws s3api head-bucket finds it" \
    aws s3api head-bucket --bucket builds
aws s3 ls >"$TRASH/buckets" 2>&1
grep -q ' builds$' "$TRASH/buckets"
ok $? "aws s3 ls lists the bucket"

head -c 300000 /dev/urandom >"$TRASH/small.bin"
expect_success "aws s3 cp uploads a file" \
    aws s3 cp "$TRASH/small.bin" "s3://builds/dir/a b+c/small.bin"
expect_success "aws s3 cp downloads it" \
    aws s3 cp "s3://builds/dir/a b+c/small.bin" "$TRASH/small.out"
is "$(sha "$TRASH/small.out")" "$(sha "$TRASH/small.bin")" \
    "the download is byte-identical (sha256)"

printf 'Hello, World!' >"$TRASH/check"
expect_success "sccache's layout: prefix/a/b/c/<key> and .sccache_check" \
    sh -c "'$AWS' --endpoint-url '$EP' s3 cp '$TRASH/check' s3://builds/sccache/.sccache_check &&
    '$AWS' --endpoint-url '$EP' s3 cp '$TRASH/check' s3://builds/sccache/0/1/2/0123456789abcdef"

aws s3api head-object --bucket builds --key "dir/a b+c/small.bin" \
    >"$TRASH/head.json" 2>&1
ok $? "aws s3api head-object succeeds"
grep -q '"ContentLength": 300000' "$TRASH/head.json"
ok $? "head-object reports the size"
md5=$(md5sum "$TRASH/small.bin" | cut -d' ' -f1)
grep -q "\"ETag\": \"\\\\\"$md5\\\\\"\"" "$TRASH/head.json"
ok $? "the ETag is the MD5 of the body"

aws s3api get-object --bucket builds --key "dir/a b+c/small.bin" \
    --range bytes=1000-1999 "$TRASH/range.out" >"$TRASH/range.json" 2>&1
ok $? "get-object with a Range succeeds"
grep -q '"ContentRange": "bytes 1000-1999/300000"' "$TRASH/range.json"
ok $? "the answer carries Content-Range"
dd if="$TRASH/small.bin" of="$TRASH/range.want" bs=1000 skip=1 count=1 \
    2>/dev/null
cmp -s "$TRASH/range.out" "$TRASH/range.want"
ok $? "the range holds the right bytes"

aws s3 ls --recursive s3://builds >"$TRASH/ls" 2>&1
ok $? "aws s3 ls --recursive succeeds"
is "$(sed 's/^[^ ]* [^ ]* *[0-9]* //' "$TRASH/ls" | sort | tr '\n' '|')" \
    "dir/a b+c/small.bin|sccache/.sccache_check|sccache/0/1/2/0123456789abcdef|" \
    "aws s3 ls --recursive lists every key"
aws s3 ls s3://builds/ >"$TRASH/ls1" 2>&1
is "$(sed 's/^ *//' "$TRASH/ls1" | tr '\n' '|')" "PRE dir/|PRE sccache/|" \
    "aws s3 ls with a delimiter shows common prefixes"

# 20 MB: multipart upload (8 MB parts), then a ranged multipart download.
head -c 20000000 /dev/urandom >"$TRASH/big.bin"
expect_success "aws s3 cp uploads 20 MB (multipart)" \
    aws s3 cp "$TRASH/big.bin" s3://builds/big.bin
aws s3api head-object --bucket builds --key big.bin >"$TRASH/bighead" 2>&1
grep -q '"ETag": "\\"[0-9a-f]\{32\}-3\\""' "$TRASH/bighead"
ok $? "the multipart ETag is md5-of-md5s-3"
expect_success "aws s3 cp downloads 20 MB" \
    aws s3 cp s3://builds/big.bin "$TRASH/big.out"
is "$(sha "$TRASH/big.out")" "$(sha "$TRASH/big.bin")" \
    "the 20 MB object round-trips byte-exact"
[ -z "$(ls "$TRASH/cache/s3/uploads")" ]
ok $? "no multipart upload is left behind"

# A wrong secret: SignatureDoesNotMatch, nothing stored.
aws --profile wrong s3 cp "$TRASH/check" s3://builds/evil >"$TRASH/wrong" 2>&1
[ $? -ne 0 ] && grep -q SignatureDoesNotMatch "$TRASH/wrong"
ok $? "a wrong secret is refused with SignatureDoesNotMatch"
aws --profile wrong s3 cp "$TRASH/big.bin" s3://builds/evil-big \
    >"$TRASH/wrong2" 2>&1
[ $? -ne 0 ] && grep -q SignatureDoesNotMatch "$TRASH/wrong2"
ok $? "a wrong secret is refused for a multipart upload too"
expect_failure "nothing was stored under the refused keys" \
    sh -c "'$AWS' --endpoint-url '$EP' s3api head-object --bucket builds --key evil ||
    '$AWS' --endpoint-url '$EP' s3api head-object --bucket builds --key evil-big"

# A read-only key reads but cannot write.
expect_success "a read-only key may download" \
    aws --profile reader s3 cp s3://builds/sccache/.sccache_check "$TRASH/r.out"
aws --profile reader s3 cp "$TRASH/check" s3://builds/ro >"$TRASH/ro" 2>&1
[ $? -ne 0 ] && grep -q AccessDenied "$TRASH/ro"
ok $? "a read-only key is refused with AccessDenied on PUT"

# No credentials at all.
curl -s -o "$TRASH/anon" -w '%{http_code}' "$EP/builds/big.bin" \
    >"$TRASH/anon.code"
is "$(cat "$TRASH/anon.code")" 403 "an anonymous GET gets 403"
grep -q '<Code>AccessDenied</Code>' "$TRASH/anon"
ok $? "with an AccessDenied XML error"

# Missing objects and buckets.
aws s3api head-object --bucket builds --key nope >"$TRASH/nope" 2>&1
grep -q '404' "$TRASH/nope"
ok $? "head-object of a missing key is 404"
aws s3 cp s3://nobucket/x "$TRASH/x" >"$TRASH/nob" 2>&1
[ $? -ne 0 ]
ok $? "a missing bucket fails"
aws s3 rb s3://builds >"$TRASH/rb" 2>&1
grep -q BucketNotEmpty "$TRASH/rb"
ok $? "a bucket with objects cannot be removed (BucketNotEmpty)"

# Listing survives a restart.
stop_fabrik d
start_d
ok $? "the daemon restarts"
EP=http://127.0.0.1:$d_port_s3
aws s3 ls --recursive s3://builds >"$TRASH/ls2" 2>&1
is "$(sed 's/^[^ ]* [^ ]* *[0-9]* //' "$TRASH/ls2" | sort | tr '\n' '|')" \
    "big.bin|dir/a b+c/small.bin|sccache/.sccache_check|sccache/0/1/2/0123456789abcdef|" \
    "the listing is the same after a restart"

expect_success "aws s3 rm removes an object" \
    aws s3 rm "s3://builds/dir/a b+c/small.bin"
aws s3api head-object --bucket builds --key "dir/a b+c/small.bin" \
    >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "the removed object is gone"
expect_success "aws s3 rm --recursive empties the bucket" \
    aws s3 rm --recursive s3://builds
expect_success "aws s3 rb removes the empty bucket" aws s3 rb s3://builds
aws s3 ls >"$TRASH/buckets2" 2>&1
! grep -q builds "$TRASH/buckets2"
ok $? "the bucket is gone"

done_testing
