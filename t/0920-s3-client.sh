#!/bin/sh
# upstream/s3client through `t/helper s3` against a real `fabrik daemon`
# S3 listener with access keys (so every signature, aws-chunked chunk
# signature and payload hash is checked by Fabrik's verifier): byte-exact
# round trips (small from a buffer and from a file, 3 MB as signed
# aws-chunked, 20 MB multipart), Range, HEAD, list with prefix and
# pagination, delete, NoSuchKey, SignatureDoesNotMatch, a failed multipart
# upload that is aborted and leaves no upload behind, and Debian's awscli
# reading what the client wrote.  Python stand-ins prove the retry rules:
# 503 SlowDown + Retry-After is retried after the announced delay, 500
# stops at the attempt cap, 403 is not retried, a silent server times
# out, a refused connection is retried, a GET cut mid-body resumes
# with Range + If-Match, and a refused part aborts a multipart upload.
. "$(dirname "$0")/lib/tap.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-s3-bind 127.0.0.1:0 \
    --config-s3-access-keys "AKCLIENT:s3cr3t/K+ey"
ok $? "fabrik daemon starts with an s3 listener"
EP=http://127.0.0.1:$d_port_s3

unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
    AWS_REGION AWS_DEFAULT_REGION
export AWS_SHARED_CREDENTIALS_FILE="$TRASH/aws-credentials"
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<CFG
[default]
aws_access_key_id = AKCLIENT
aws_secret_access_key = s3cr3t/K+ey
region = us-east-1
CFG

# s3 ARGS...: the helper against the daemon, credentials from the file.
s3() {
	"$HELPER" s3 --endpoint "$EP" --url s3://builds/tenant-1/ "$@"
}
sha() {
	sha256sum "$1" | cut -d' ' -f1
}
field() { # field NAME FILE: the word after NAME on the first line
	sed -n "1s/.* $1 \([^ ]*\).*/\1/p" "$2"
}

s3 mb >"$TRASH/out" 2>&1
ok $? "CreateBucket"

head -c 100000 /dev/urandom >"$TRASH/small"
s3 --buffer put a/small "$TRASH/small" >"$TRASH/out" 2>&1
ok $? "PutObject from a buffer (signed payload hash)"
s3 get a/small "$TRASH/small.got" >"$TRASH/out" 2>&1
ok $? "GetObject"
is "$(sha "$TRASH/small.got")" "$(sha "$TRASH/small")" "small object round trip is byte-exact"

head -c 3000000 /dev/urandom >"$TRASH/mid"
s3 put a/mid "$TRASH/mid" >"$TRASH/out" 2>&1
ok $? "PutObject streamed from a file (signed aws-chunked)"
is "$(field parts "$TRASH/out")" 0 "3 MB is a single PutObject"
s3 get a/mid "$TRASH/mid.got" >"$TRASH/out" 2>&1
is "$(sha "$TRASH/mid.got")" "$(sha "$TRASH/mid")" "aws-chunked upload round trip is byte-exact"

head -c 20000000 /dev/urandom >"$TRASH/big"
s3 put b/big "$TRASH/big" >"$TRASH/out" 2>&1
ok $? "20 MB PutObject from a file"
is "$(field parts "$TRASH/out")" 3 "20 MB went as a 3-part multipart upload"
case $(field etag "$TRASH/out") in *-3\") r=0 ;; *) r=1 ;; esac
ok $r "the multipart ETag names 3 parts"
s3 get b/big "$TRASH/big.got" >"$TRASH/out" 2>&1
is "$(sha "$TRASH/big.got")" "$(sha "$TRASH/big")" "20 MB multipart round trip is byte-exact"
s3 --buffer mput b/bigbuf "$TRASH/big" >"$TRASH/out" 2>&1
is "$(field parts "$TRASH/out")" 3 "multipart upload from a buffer"
s3 get b/bigbuf "$TRASH/big.got" >/dev/null 2>&1
is "$(sha "$TRASH/big.got")" "$(sha "$TRASH/big")" "buffer multipart round trip is byte-exact"

s3 --range 1000-1999 get b/big "$TRASH/range.got" >"$TRASH/out" 2>&1
dd if="$TRASH/big" of="$TRASH/range.want" bs=1000 skip=1 count=1 2>/dev/null
is "$(sha "$TRASH/range.got")" "$(sha "$TRASH/range.want")" "Range bytes=1000-1999"
is "$(field size "$TRASH/out")" 20000000 "a ranged GET reports the object size"
s3 --range 19999990- get b/big "$TRASH/range.got" >/dev/null 2>&1
is "$(wc -c <"$TRASH/range.got" | tr -d ' ')" 10 "open-ended Range"

s3 head a/mid >"$TRASH/out" 2>&1
is "$(field size "$TRASH/out")" 3000000 "HeadObject size"
case $(field etag "$TRASH/out") in \"*\") r=0 ;; *) r=1 ;; esac
ok $r "HeadObject ETag"

for i in 1 2 3 4 5 6 7; do
	s3 --buffer put "p/k$i" "$TRASH/small" >/dev/null 2>&1 || break
done
s3 --max-keys 3 list p/ >"$TRASH/out" 2>&1
is "$(tail -1 "$TRASH/out")" "pages 3 keys 7" "ListObjectsV2 pages with max-keys 3"
is "$(sed -n 1p "$TRASH/out")" "p/k1 100000" "listed keys are relative to the upstream prefix"
s3 list >"$TRASH/out" 2>&1
is "$(tail -1 "$TRASH/out")" "pages 1 keys 11" "the whole prefix lists every key"
"$HELPER" s3 --endpoint "$EP" --url s3://builds list >"$TRASH/out" 2>&1
grep -q '^tenant-1/a/small 100000$' "$TRASH/out"
ok $? "the key prefix is part of the stored key"

s3 delete p/k7 >"$TRASH/out" 2>&1
ok $? "DeleteObject"
s3 get p/k7 "$TRASH/x" >"$TRASH/out" 2>&1
r=$?
is "$r:$(sed -n 1p "$TRASH/out")" \
    "1:error: NoSuchKey (The specified key does not exist.) status 404 attempts 1" \
    "a missing key is NoSuchKey, not retried"
s3 head p/k7 >"$TRASH/out" 2>&1
case $(sed -n 1p "$TRASH/out") in "error: NotFound"*"status 404 attempts 1") r=0 ;; *) r=1 ;; esac
ok $r "HeadObject of a missing key is NotFound"

# A wrong secret is refused at the first chunk; Fabrik drains the rest of
# the body before closing (lingering close), so even a large upload gets
# the S3 error, not a reset.
head -c 1000 /dev/urandom >"$TRASH/tiny"
head -c 3000000 /dev/urandom >"$TRASH/3m"
s3 --ak AKCLIENT --secret not-the-secret --buffer put a/evil "$TRASH/tiny" \
    >"$TRASH/out" 2>&1
r=$?
case $r:$(grep '^error' "$TRASH/out") in 1:"error: SignatureDoesNotMatch"*"status 403 attempts 1") r=0 ;; *) r=1 ;; esac
ok $r "a wrong secret is reported as SignatureDoesNotMatch"
grep -q '^\[fabrik\] s3 PUT builds/tenant-1/a/evil: SignatureDoesNotMatch (' "$TRASH/out"
ok $? "... with a clear log line"
n=0
for i in 1 2 3; do
	s3 --attempts 1 --ak AKCLIENT --secret not-the-secret put a/evil2 \
	    "$TRASH/3m" >"$TRASH/out" 2>&1
	grep -q "error: SignatureDoesNotMatch" "$TRASH/out" && n=$((n + 1))
done
is "$n" 3 "a wrong secret on a 3 MB aws-chunked upload too, every time"
s3 get a/evil >/dev/null 2>&1
ok $((! $?)) "nothing was stored for the refused request"

# Credentials precedence, end to end: the environment beats the file.
AWS_ACCESS_KEY_ID=AKCLIENT AWS_SECRET_ACCESS_KEY=wrong \
    s3 get a/small "$TRASH/x" >"$TRASH/out" 2>&1
grep -q "error: SignatureDoesNotMatch" "$TRASH/out"
ok $? "AWS_* environment variables take precedence over the file"
AWS_ACCESS_KEY_ID=AKCLIENT AWS_SECRET_ACCESS_KEY=wrong \
    s3 --ak AKCLIENT --secret 's3cr3t/K+ey' head a/mid >"$TRASH/out" 2>&1
ok $? "explicit credentials take precedence over the environment"

# A multipart upload that fails at Complete (the object is larger than
# the server's max_object_size) is aborted: no upload is left behind.
start_fabrik e daemon --config-cache-dir "$TRASH/cache-e" \
    --config-cache-max-object-size 12MB \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-s3-bind 127.0.0.1:0 \
    --config-s3-access-keys "AKCLIENT:s3cr3t/K+ey"
ok $? "a second daemon with a 12 MB object limit"
"$HELPER" s3 --endpoint "http://127.0.0.1:$e_port_s3" --url s3://builds mb \
    >/dev/null 2>&1
"$HELPER" s3 --endpoint "http://127.0.0.1:$e_port_s3" --url s3://builds \
    put big "$TRASH/big" >"$TRASH/out" 2>&1
r=$?
case $r:$(grep '^error' "$TRASH/out") in 1:"error: EntityTooLarge"*" aborted") r=0 ;; *) r=1 ;; esac
ok $r "a failed multipart upload reports the error and was aborted"
[ -d "$TRASH/cache-e/s3/uploads" ]
ok $? "the server keeps multipart uploads under s3/uploads"
is "$(ls "$TRASH/cache-e/s3/uploads" | wc -l | tr -d ' ')" 0 \
    "no multipart upload is left on the server"

# Debian's awscli reads what the client wrote.
if [ -x /usr/bin/aws ]; then
	export AWS_CONFIG_FILE="$TRASH/aws-config" AWS_PAGER= \
	    AWS_EC2_METADATA_DISABLED=true
	printf '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n' \
	    >"$AWS_CONFIG_FILE"
	/usr/bin/aws --endpoint-url "$EP" s3 cp s3://builds/tenant-1/a/small - \
	    >"$TRASH/aws.got" 2>"$TRASH/aws.err"
	is "$(sha "$TRASH/aws.got")" "$(sha "$TRASH/small")" "awscli reads the small object byte-exact"
	/usr/bin/aws --endpoint-url "$EP" s3 cp s3://builds/tenant-1/b/big - \
	    >"$TRASH/aws.got" 2>"$TRASH/aws.err"
	is "$(sha "$TRASH/aws.got")" "$(sha "$TRASH/big")" "awscli reads the multipart object byte-exact"
	/usr/bin/aws --endpoint-url "$EP" s3 cp s3://builds/tenant-1/a/mid - \
	    >"$TRASH/aws.got" 2>"$TRASH/aws.err"
	is "$(sha "$TRASH/aws.got")" "$(sha "$TRASH/mid")" "awscli reads the aws-chunked object byte-exact"
else
	echo "# skipping awscli checks: /usr/bin/aws not installed"
fi

# ---- retries against python stand-ins ----
cat >"$TRASH/standin.py" <<'PY'
import http.server, socketserver, sys, threading, time

mode = sys.argv[1]
count = [0]
store = {}
lock = threading.Lock()
BODY = bytes((i * 7) & 0xff for i in range(1000))

def xml_error(code, msg):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code>'
            '<Message>%s</Message><RequestId>1</RequestId></Error>'
            % (code, msg)).encode()

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        sys.stderr.write("req %s %s range=%s if-match=%s\n" % (
            self.command, self.path, self.headers.get("Range"),
            self.headers.get("If-Match")))
        sys.stderr.flush()

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        with lock:
            count[0] += 1
            n = count[0]
        ln = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(ln) if ln else b""
        if mode == "silent":
            time.sleep(60)
            return
        if mode == "error500":
            return self.send(500, xml_error("InternalError",
                "We encountered an internal error. Please try again."))
        if mode == "deny":
            return self.send(403, xml_error("AccessDenied", "Access Denied"))
        if mode == "mpfail":
            if self.command == "POST" and self.path.endswith("?uploads"):
                return self.send(200, b'<?xml version="1.0"?><InitiateMultipartUploadResult>'
                    b'<Bucket>bkt</Bucket><Key>k</Key><UploadId>up1</UploadId>'
                    b'</InitiateMultipartUploadResult>')
            if self.command == "PUT" and "partNumber=2&" in self.path:
                return self.send(403, xml_error("AccessDenied", "part refused"))
            if self.command == "PUT":
                return self.send(200, b"", [("ETag", '"p"')])
            if self.command == "DELETE" and "uploadId=up1" in self.path:
                return self.send(204)
            return self.send(400, xml_error("InvalidRequest", "unexpected"))
        if mode == "slowdown" and n <= 2:
            return self.send(503, xml_error("SlowDown",
                "Please reduce your request rate."), [("Retry-After", "1")])
        if mode == "cut" and self.command == "GET":
            if self.headers.get("Range") is None:
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.send_header("ETag", '"e1"')
                self.end_headers()
                self.wfile.write(BODY[:400])
                self.wfile.flush()
                self.close_connection = True
                return
            if (self.headers.get("Range") != "bytes=400-" or
                    self.headers.get("If-Match") != '"e1"'):
                return self.send(400, xml_error("InvalidRequest", "bad resume"))
            return self.send(206, BODY[400:], [("ETag", '"e1"'),
                ("Content-Range", "bytes 400-999/1000")])
        if self.command == "PUT":
            store[self.path] = data
            return self.send(200, b"", [("ETag", '"abc"')])
        if self.command == "GET" and self.path in store:
            return self.send(200, store[self.path], [("ETag", '"abc"')])
        return self.send(404, xml_error("NoSuchKey", "The specified key does not exist."))

    do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = handle_any

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

s = S(("127.0.0.1", 0), H)
print("listening %d" % s.server_address[1], flush=True)
s.serve_forever()
PY
# standin MODE: starts a stand-in, sets SP to its port.
standin() {
	python3 "$TRASH/standin.py" "$1" >"$TRASH/$1.port" 2>"$TRASH/$1.log" &
	tap_pids="$tap_pids $!"
	_i=0
	while ! grep -q '^listening' "$TRASH/$1.port"; do
		_i=$((_i + 1))
		[ $_i -gt 200 ] && return 1
		sleep 0.05
	done
	SP=$(sed -n 's/^listening //p' "$TRASH/$1.port")
}
sin() {
	"$HELPER" s3 --endpoint "http://127.0.0.1:$SP" --url s3://bkt \
	    --ak AK --secret SK "$@"
}
head -c 5000 /dev/urandom >"$TRASH/f5k"

standin slowdown
t0=$(date +%s)
sin --attempts 4 --buffer put k "$TRASH/f5k" >"$TRASH/out" 2>&1
r=$?
t1=$(date +%s)
is "$r:$(sed -n 's/^ok put size \([0-9]*\) .* attempts \([0-9]*\) .*/\1 \2/p' "$TRASH/out")" \
    "0:5000 3" "503 SlowDown twice, then success on the third attempt"
grep -q '^\[fabrik\] s3 PUT bkt/k: SlowDown (Please reduce your request rate.); retry 1/3 in 1000 ms$' "$TRASH/out"
ok $? "the retry is logged with the S3 code and message and honours Retry-After"
ok $(( t1 - t0 >= 2 ? 0 : 1 )) "two Retry-After: 1 waits took at least 2 s"
sin get k "$TRASH/f5k.got" >/dev/null 2>&1
is "$(sha "$TRASH/f5k.got")" "$(sha "$TRASH/f5k")" "the stand-in got the body intact"

standin error500
sin --attempts 3 --backoff 20 --buffer put k "$TRASH/f5k" >"$TRASH/out" 2>&1
r=$?
is "$r:$(grep '^error' "$TRASH/out")" \
    "1:error: InternalError (We encountered an internal error. Please try again.) status 500 attempts 3" \
    "500 is retried up to the attempt cap"
is "$(grep -c '^req PUT' "$TRASH/error500.log")" 3 "the stand-in saw exactly 3 requests"

standin deny
sin --attempts 3 --buffer put k "$TRASH/f5k" >"$TRASH/out" 2>&1
is "$(grep '^error' "$TRASH/out")" \
    "error: AccessDenied (Access Denied) status 403 attempts 1" "403 is not retried"

standin silent
t0=$(date +%s)
sin --attempts 2 --backoff 10 --timeout 500 get k "$TRASH/x" >"$TRASH/out" 2>&1
r=$?
t1=$(date +%s)
is "$r:$(grep '^error' "$TRASH/out")" "1:error: request timeout () status 0 attempts 2" \
    "a server that never answers times out, retried once"
ok $(( t1 - t0 < 10 ? 0 : 1 )) "the timeouts ended the request quickly"

standin cut
sin get k "$TRASH/cut.got" >"$TRASH/out" 2>&1
r=$?
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7) & 0xff for i in range(1000)))' >"$TRASH/cut.want"
is "$r:$(sha "$TRASH/cut.got")" "0:$(sha "$TRASH/cut.want")" \
    "a GET cut mid-body resumes with Range and If-Match, byte-exact"
grep -q 'range=bytes=400- if-match="e1"' "$TRASH/cut.log"
ok $? "the resume asked for the missing bytes of the same ETag"

standin mpfail
head -c 12000000 /dev/urandom >"$TRASH/f12m"
sin --part-size 5242880 --inflight 1 mput k "$TRASH/f12m" >"$TRASH/out" 2>&1
is "$?:$(grep '^error' "$TRASH/out")" \
    "1:error: AccessDenied (part refused) status 403 attempts 4 upload up1 aborted" \
    "a refused part fails the upload, which is aborted"
is "$(grep -c '^req PUT /bkt/k?partNumber=3' "$TRASH/mpfail.log"):$(grep -c '^req POST /bkt/k?uploadId' "$TRASH/mpfail.log"):$(grep -c '^req DELETE /bkt/k?uploadId=up1' "$TRASH/mpfail.log")" \
    "0:0:1" "no part after the failure, no Complete, one Abort"

# A refused connection: the port of a stand-in that is gone.
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' >"$TRASH/deadport"
SP=$(cat "$TRASH/deadport")
sin --attempts 3 --backoff 10 head k >"$TRASH/out" 2>&1
r=$?
case $r:$(grep '^error' "$TRASH/out") in 1:"error: "*"status 0 attempts 3") r=0 ;; *) r=1 ;; esac
ok $r "a refused connection is retried up to the cap"

done_testing
