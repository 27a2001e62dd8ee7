#!/usr/bin/python3
"""REAPI v2 cache + ByteStream checks against `fabrik daemon` (gRPC).

Usage: reapi_test.py PORT TOKEN READ_TOKEN.  The daemon must require
auth with TOKEN (read+write) and READ_TOKEN (read only).  Prints TAP
lines without a plan.  Messages are built and parsed by hand (no protoc):
the layouts follow the field numbers of remote_execution.proto and
bytestream.proto, and t/data/reapi/*.bin are used as templates.
"""
import hashlib
import os
import sys

import grpc

PORT = int(sys.argv[1])
TOKEN = sys.argv[2]
RTOKEN = sys.argv[3]
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "reapi")
n = 0
failed = 0


def ok(cond, name, diag=None):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, name))
    if not cond:
        failed += 1
        if diag is not None:
            print("#   %s" % (diag,))
    sys.stdout.flush()


# ---- protobuf by hand ----

def varint(v):
    if v < 0:
        v += 1 << 64
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def fv(num, v):
    """Varint field (omitted when 0, as proto3 does)."""
    return b"" if v == 0 else varint(num << 3) + varint(v)


def fv_always(num, v):
    return varint(num << 3) + varint(v)


def fb(num, b):
    """Length-delimited field (string, bytes, message)."""
    if isinstance(b, str):
        b = b.encode()
    return varint(num << 3 | 2) + varint(len(b)) + b


def fs(num, b):
    """String/bytes omitted when empty."""
    return b"" if len(b) == 0 else fb(num, b)


def read_varint(b, i):
    v = 0
    shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def parse(b):
    """{field: [values]}: ints for varints, bytes for length-delimited."""
    out = {}
    i = 0
    while i < len(b):
        tag, i = read_varint(b, i)
        num, wt = tag >> 3, tag & 7
        if wt == 0:
            v, i = read_varint(b, i)
        elif wt == 2:
            ln, i = read_varint(b, i)
            v = bytes(b[i:i + ln])
            i += ln
        elif wt == 1:
            v = bytes(b[i:i + 8])
            i += 8
        elif wt == 5:
            v = bytes(b[i:i + 4])
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        out.setdefault(num, []).append(v)
    return out


def one(m, num, default=None):
    return m.get(num, [default])[-1]


def sha(b):
    return hashlib.sha256(b).hexdigest()


def digest(h, size):
    return fs(1, h) + fv(2, size)


def dg(blob):
    return digest(sha(blob), len(blob))


EMPTY = sha(b"")


# ---- channels and methods ----

def ident(b):
    return b


ch = grpc.insecure_channel("127.0.0.1:%d" % PORT,
                           options=[("grpc.max_receive_message_length",
                                     8 << 20)])
V2 = "/build.bazel.remote.execution.v2."


def uu(path):
    return ch.unary_unary(path, request_serializer=ident,
                          response_deserializer=ident)


caps = uu(V2 + "Capabilities/GetCapabilities")
get_ar = uu(V2 + "ActionCache/GetActionResult")
upd_ar = uu(V2 + "ActionCache/UpdateActionResult")
find = uu(V2 + "ContentAddressableStorage/FindMissingBlobs")
bupd = uu(V2 + "ContentAddressableStorage/BatchUpdateBlobs")
bread = uu(V2 + "ContentAddressableStorage/BatchReadBlobs")
qws = uu("/google.bytestream.ByteStream/QueryWriteStatus")
execute = uu(V2 + "Execution/Execute")
tree = ch.unary_stream(V2 + "ContentAddressableStorage/GetTree",
                       request_serializer=ident, response_deserializer=ident)
bs_read = ch.unary_stream("/google.bytestream.ByteStream/Read",
                          request_serializer=ident,
                          response_deserializer=ident)
bs_write = ch.stream_unary("/google.bytestream.ByteStream/Write",
                           request_serializer=ident,
                           response_deserializer=ident)

AUTH = (("authorization", "Bearer " + TOKEN),)
RAUTH = (("authorization", "Bearer " + RTOKEN),)


def call(fn, req, md=AUTH):
    """(code, response or details) for unary and stream-unary calls."""
    try:
        return grpc.StatusCode.OK, fn(req, metadata=md, timeout=20)
    except grpc.RpcError as e:
        return e.code(), e.details()


def call_stream(fn, req, md=AUTH):
    """(code, [responses] or details) for server-streaming calls."""
    try:
        return grpc.StatusCode.OK, list(fn(req, metadata=md, timeout=20))
    except grpc.RpcError as e:
        return e.code(), e.details()


OK = grpc.StatusCode.OK
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND

# ---- Capabilities ----
c, r = call(caps, b"")
ok(c == OK, "GetCapabilities: OK", r)
if c == OK:
    m = parse(r)
    cc = parse(one(m, 1, b""))
    funcs = one(cc, 1)
    ok(funcs == b"\x01" or funcs == 1, "digest_functions = [SHA256]", cc)
    ok(one(parse(one(cc, 2, b"")), 1) == 1,
       "action_cache_update_capabilities.update_enabled = true")
    ok(one(cc, 4) == 4 * 1024 * 1024, "max_batch_total_size_bytes = 4 MiB")
    ok(one(cc, 5) == 2, "symlink_absolute_path_strategy = ALLOWED")
    lo, hi = parse(one(m, 4, b"")), parse(one(m, 5, b""))
    ok(one(lo, 1) == 2 and one(hi, 1) == 2 and one(hi, 2, 0) >= 0,
       "low/high api version 2.x")
c, r = call(caps, fb(1, "ci/linux"), RAUTH)
ok(c == OK and one(parse(one(parse(one(parse(r), 1, b"")), 2, b"")), 1,
                   0) == 0,
   "a read-only token sees update_enabled = false")
with open(os.path.join(DATA, "get_capabilities_request_instance.bin"),
          "rb") as f:
    c, r = call(caps, f.read())
ok(c == OK, "GetCapabilities with the vector's instance name")

# ---- auth ----
c, _ = call(caps, b"", ())
ok(c == grpc.StatusCode.UNAUTHENTICATED, "no token: UNAUTHENTICATED", c)
c, _ = call(find, b"", (("authorization", "Bearer wrong"),))
ok(c == grpc.StatusCode.UNAUTHENTICATED, "wrong token: UNAUTHENTICATED", c)
c, _ = call(bupd, b"", RAUTH)
ok(c == grpc.StatusCode.PERMISSION_DENIED,
   "read-only token, BatchUpdateBlobs: PERMISSION_DENIED", c)
c, _ = call(bs_write, iter([fb(1, "uploads/u/blobs/%s/0" % EMPTY)]), RAUTH)
ok(c == grpc.StatusCode.PERMISSION_DENIED,
   "read-only token, Write: PERMISSION_DENIED", c)
c, _ = call(find, fb(2, dg(b"x")), RAUTH)
ok(c == OK, "read-only token may FindMissingBlobs", c)

# ---- malformed requests ----
for name, fn in (("GetActionResult", get_ar), ("FindMissingBlobs", find),
                 ("BatchReadBlobs", bread), ("UpdateActionResult", upd_ar),
                 ("QueryWriteStatus", qws)):
    c, r = call(fn, b"\x0a\x05ab")
    ok(c == INVALID, "%s, truncated protobuf: INVALID_ARGUMENT" % name, r)
c, r = call(find, b"\x08")
ok(c == INVALID, "truncated varint: INVALID_ARGUMENT", r)
c, r = call(find, b"\x0b\x00")
ok(c == INVALID, "group wire type: INVALID_ARGUMENT", r)
c, r = call_stream(bs_read, b"\xff\xff\xff")
ok(c == INVALID, "Read, garbage: INVALID_ARGUMENT", r)
c, r = call(bs_write, iter([b"\x12"]))
ok(c == INVALID, "Write, garbage: INVALID_ARGUMENT", r)
c, r = call(execute, b"")
ok(c == grpc.StatusCode.UNIMPLEMENTED, "Execution/Execute: UNIMPLEMENTED", c)

# ---- FindMissingBlobs / BatchUpdateBlobs / BatchReadBlobs ----
A = b"blob A for the REAPI test\n"
B = b"blob B, never uploaded\n"
C = b"blob C\n"
c, r = call(find, fb(2, dg(A)) + fb(2, digest(EMPTY, 0)) + fb(2, dg(B)))
missing = [parse(x) for x in parse(r).get(2, [])] if c == OK else []
ok(c == OK and [one(x, 1).decode() for x in missing] == [sha(A), sha(B)],
   "FindMissingBlobs: both absent blobs, never the empty blob", r)
for label, d in (("uppercase hash", digest(sha(A).upper(), len(A))),
                 ("short hash", digest(sha(A)[:-1], len(A))),
                 ("negative size", digest(sha(A), -1)),
                 ("size 0 with another hash", digest(sha(A), 0))):
    c, r = call(find, fb(2, d))
    ok(c == INVALID, "FindMissingBlobs, %s: INVALID_ARGUMENT" % label, r)
c, r = call(find, fb(2, dg(A)) * 10001)
ok(c == INVALID, "FindMissingBlobs with 10001 digests: INVALID_ARGUMENT", r)
c, r = call(find, fb(2, dg(A)) * 10000)
ok(c == OK and len(parse(r).get(2, [])) == 10000,
   "FindMissingBlobs with 10000 digests: OK")
c, r = call(find, fb(2, dg(A)) + fv(3, 9))
ok(c == INVALID, "digest_function BLAKE3: INVALID_ARGUMENT", r)

req = (fb(2, fb(1, dg(A)) + fb(2, A)) +
       fb(2, fb(1, dg(B)) + fb(2, C)) +
       fb(2, fb(1, digest(sha(C), len(C) + 1)) + fb(2, C)) +
       fb(2, fb(1, dg(C)) + fb(2, C) + fv(3, 1)) +
       fb(2, fb(1, dg(C)) + fb(2, C)))
c, r = call(bupd, req)
codes = []
if c == OK:
    for x in parse(r).get(1, []):
        e = parse(x)
        codes.append((parse(one(e, 1, b"")).get(1, [b""])[0].decode(),
                      one(parse(one(e, 2, b"")), 1, 0)))
ok(c == OK and len(codes) == 5, "BatchUpdateBlobs: one response per blob", r)
ok(codes[:1] == [(sha(A), 0)], "matching blob: OK", codes)
ok(len(codes) > 1 and codes[1] == (sha(B), 3),
   "data not matching the digest: INVALID_ARGUMENT")
ok(len(codes) > 2 and codes[2][1] == 3, "size mismatch: INVALID_ARGUMENT")
ok(len(codes) > 3 and codes[3][1] == 3, "zstd compressor: INVALID_ARGUMENT")
ok(len(codes) > 4 and codes[4] == (sha(C), 0), "blob C: OK")
ok(b"\x12\x00" in r if c == OK else False,
   "an OK entry carries an empty google.rpc.Status (12 00)")
X = b"x" * ((4 << 20) + 1)
c, r = call(bupd, fb(2, fb(1, dg(X)) + fb(2, X)))
ok(c in (INVALID, grpc.StatusCode.RESOURCE_EXHAUSTED),
   "batch over 4 MiB is refused", c)
c, r = call(find, fb(2, dg(A)) + fb(2, dg(B)) + fb(2, dg(C)))
ok(c == OK and [one(parse(x), 1).decode() for x in parse(r).get(2, [])] ==
   [sha(B)], "after the batch only B is missing")

c, r = call(bread, fb(2, dg(A)) + fb(2, dg(B)) + fb(2, digest(EMPTY, 0)) +
            fb(2, digest(sha(A), len(A) + 1)) + fb(2, digest("x", 1)))
ents = [parse(x) for x in parse(r).get(1, [])] if c == OK else []
ok(c == OK and len(ents) == 5, "BatchReadBlobs: one response per digest")
if len(ents) == 5:
    ok(one(ents[0], 2) == A and one(parse(one(ents[0], 3, b"")), 1, 0) == 0,
       "stored blob: data and OK")
    ok(one(parse(one(ents[1], 3, b"")), 1, 0) == 5, "absent blob: NOT_FOUND")
    ok(one(ents[2], 2, b"") == b"" and
       one(parse(one(ents[2], 3, b"")), 1, 0) == 0, "empty blob: OK")
    ok(one(parse(one(ents[3], 3, b"")), 1, 0) == 5,
       "right hash, wrong size: NOT_FOUND")
    ok(one(parse(one(ents[4], 3, b"")), 1, 0) == 3,
       "malformed digest: INVALID_ARGUMENT entry")
c, r = call(bread, fb(2, digest(sha(A), 5 << 20)))
ok(c == INVALID, "BatchReadBlobs over 4 MiB: INVALID_ARGUMENT", r)

# ---- ByteStream ----
BIG = os.urandom(200 * 1024 + 123)
HB = sha(BIG)


def wreqs(name, data, chunk=16384, offset=0, finish=True):
    first = True
    pos = 0
    while True:
        part = data[pos:pos + chunk]
        last = pos + len(part) >= len(data)
        m = (fs(1, name if first else "") + fv(2, offset + pos) +
             (fv(3, 1) if last and finish else b"") + fs(10, part))
        yield m
        first = False
        pos += len(part)
        if last:
            return


res = "uploads/0b2f6c11-1111-4222-8333-444455556666/blobs/%s/%d" % (HB,
                                                                    len(BIG))
c, r = call(bs_write, wreqs(res, BIG))
ok(c == OK and one(parse(r), 1) == len(BIG),
   "Write in 16 KiB chunks: committed_size = size", (c, r))
c, r = call(bs_write, wreqs(res, BIG[:100]))
ok(c == OK and one(parse(r), 1) == len(BIG),
   "Write of a stored blob answers early with committed_size = size")
bad = bytearray(BIG)
bad[5000] ^= 1
hbad = "uploads/u2/blobs/%s/%d" % (sha(b"other" + BIG), len(BIG))
c, r = call(bs_write, wreqs(hbad, bytes(bad)))
ok(c == INVALID, "Write whose data does not match: INVALID_ARGUMENT", r)
c, r = call(find, fb(2, digest(sha(b"other" + BIG), len(BIG))))
ok(c == OK and len(parse(r).get(2, [])) == 1, "... and nothing was stored")
D = b"some data for D\n"
c, r = call(bs_write, wreqs("uploads/u3/blobs/%s/%d" % (sha(D), len(D) - 1),
                            D))
ok(c == INVALID, "Write with more data than the size: INVALID_ARGUMENT", r)
c, r = call(bs_write, wreqs("uploads/u3/blobs/%s/%d" % (sha(D), len(D) + 1),
                            D))
ok(c == INVALID, "finish_write before size bytes: INVALID_ARGUMENT", r)
for label, name in (("no uploads/", "blobs/%s/%d" % (sha(D), len(D))),
                    ("no uuid", "uploads/blobs/%s/%d" % (sha(D), len(D))),
                    ("bad hash", "uploads/u/blobs/%s/%d" % (sha(D)[1:],
                                                           len(D))),
                    ("bad size", "uploads/u/blobs/%s/-1" % sha(D)),
                    ("size +1", "uploads/u/blobs/%s/+16" % sha(D)),
                    ("bad instance", "a//b/uploads/u/blobs/%s/%d" % (sha(D),
                                                                    len(D))),
                    ("blake3", "uploads/u/blobs/blake3/%s/%d" % (sha(D),
                                                                len(D)))):
    c, r = call(bs_write, wreqs(name, D))
    ok(c == INVALID, "Write, %s: INVALID_ARGUMENT" % label, r)
c, r = call(bs_write, wreqs("uploads/u/compressed-blobs/zstd/%s/%d" %
                            (sha(D), len(D)), D))
ok(c == grpc.StatusCode.UNIMPLEMENTED,
   "Write, compressed-blobs: UNIMPLEMENTED", r)
c, r = call(bs_write, wreqs("ci/x/uploads/u/blobs/%s/%d/meta/data" %
                            (sha(D), len(D)), D))
ok(c == OK and one(parse(r), 1) == len(D),
   "Write under an instance, with trailing metadata: OK")
c, r = call(bs_write, iter([fb(1, "uploads/u4/blobs/%s/%d" % (sha(D), 1000))
                            + fv(2, 0) + fb(10, b"x"),
                            fv(2, 5) + fb(10, b"y")]))
ok(c == INVALID, "Write with a gap in write_offset: INVALID_ARGUMENT", r)

c, r = call_stream(bs_read, fb(1, "blobs/%s/%d" % (HB, len(BIG))))
got = b"".join(one(parse(x), 10, b"") for x in r) if c == OK else b""
ok(c == OK and got == BIG, "Read returns the whole blob", c)
ok(c == OK and len(r) == 4 and
   max(len(one(parse(x), 10, b"")) for x in r) == 65536,
   "... in 64 KiB chunks (%d messages)" % (len(r) if c == OK else -1))
c, r = call_stream(bs_read, fb(1, "blobs/%s/%d" % (HB, len(BIG))) +
                   fv(2, 70000) + fv(3, 100000))
got = b"".join(one(parse(x), 10, b"") for x in r) if c == OK else b""
ok(c == OK and got == BIG[70000:170000], "Read with read_offset and read_limit")
c, r = call_stream(bs_read, fb(1, "blobs/%s/%d" % (HB, len(BIG))) +
                   fv(2, len(BIG) - 10) + fv(3, 100))
got = b"".join(one(parse(x), 10, b"") for x in r) if c == OK else b""
ok(c == OK and got == BIG[-10:], "Read with a limit past the end")
c, r = call_stream(bs_read, fb(1, "blobs/%s/%d" % (HB, len(BIG))) +
                   fv(2, len(BIG)))
ok(c == OK and b"".join(one(parse(x), 10, b"") for x in r) == b"",
   "Read at offset = size: OK, no data")
c, r = call_stream(bs_read, fb(1, "blobs/%s/%d" % (HB, len(BIG))) +
                   fv(2, len(BIG) + 1))
ok(c == grpc.StatusCode.OUT_OF_RANGE, "Read past the end: OUT_OF_RANGE", c)
c, r = call_stream(bs_read, fb(1, "blobs/%s/%d" % (HB, len(BIG))) +
                   fv(2, -1))
ok(c == grpc.StatusCode.OUT_OF_RANGE, "negative read_offset: OUT_OF_RANGE", c)
c, r = call_stream(bs_read, fb(1, "blobs/%s/%d" % (HB, len(BIG))) +
                   fv(3, -5))
ok(c == grpc.StatusCode.OUT_OF_RANGE, "negative read_limit: OUT_OF_RANGE", c)
c, r = call_stream(bs_read, fb(1, "blobs/%s/%d" % (HB, len(BIG) - 1)))
ok(c == NOT_FOUND, "Read with the wrong size: NOT_FOUND", c)
c, r = call_stream(bs_read, fb(1, "blobs/%s/%d" % (sha(B), len(B))))
ok(c == NOT_FOUND, "Read of an absent blob: NOT_FOUND", c)
c, r = call_stream(bs_read, fb(1, "blobs/%s/0" % EMPTY))
ok(c == OK and r == [], "Read of the empty blob: OK, no data")
c, r = call_stream(bs_read, fb(1, "some/instance/blobs/%s/%d" % (sha(A),
                                                                 len(A))))
ok(c == OK and b"".join(one(parse(x), 10, b"") for x in r) == A,
   "Read under an instance name (the CAS is shared)")
for label, name in (("no blobs/", "%s/%d" % (sha(A), len(A))),
                    ("trailing segment", "blobs/%s/%d/x" % (sha(A), len(A))),
                    ("uppercase", "blobs/%s/%d" % (sha(A).upper(), len(A))),
                    ("reserved instance", "uploads/blobs/%s/%d" % (sha(A),
                                                                   len(A))),
                    ("empty", "")):
    c, r = call_stream(bs_read, fs(1, name))
    ok(c == INVALID, "Read, %s: INVALID_ARGUMENT" % label, (c, r))
with open(os.path.join(DATA, "bytestream_read_request.bin"), "rb") as f:
    vec = parse(f.read())
c, r = call_stream(bs_read, fb(1, one(vec, 1)) + fv(2, one(vec, 2, 0)) +
                   fv(3, one(vec, 3, 0)))
ok(c == NOT_FOUND, "the vector's Read request: NOT_FOUND (not stored)", c)

# Resumable upload.
E = os.urandom(50000)
rn = "uploads/9d2f1c00-aaaa-4bbb-8ccc-000000000001/blobs/%s/%d" % (sha(E),
                                                                  len(E))
c, r = call(bs_write, wreqs(rn, E[:20000], finish=False))
ok(c == OK and one(parse(r), 1) == 20000,
   "Write without finish_write: committed_size = bytes so far", (c, r))
c, r = call(qws, fb(1, rn))
ok(c == OK and one(parse(r), 1) == 20000 and one(parse(r), 2, 0) == 0,
   "QueryWriteStatus: committed_size 20000, not complete", (c, r))
c, r = call(bs_write, wreqs(rn, E[20000:], offset=12345))
ok(c == INVALID, "resuming at the wrong write_offset: INVALID_ARGUMENT", r)
c, r = call(qws, fb(1, rn))
ok(c == OK and one(parse(r), 1) == 20000,
   "... which leaves the partial upload as it was", (c, r))
c, r = call(bs_write, wreqs(rn, E[:30000], finish=False))
ok(c == OK and one(parse(r), 1) == 30000,
   "a Write at offset 0 restarts the upload")
c, r = call(bs_write, wreqs(rn, E[30000:], offset=30000))
ok(c == OK and one(parse(r), 1) == len(E),
   "Write resumed at write_offset 30000: committed_size = size", (c, r))
c, r = call(qws, fb(1, rn))
ok(c == OK and one(parse(r), 1) == len(E) and one(parse(r), 2, 0) == 1,
   "QueryWriteStatus after: complete, committed_size = size")
c, r = call_stream(bs_read, fb(1, "blobs/%s/%d" % (sha(E), len(E))))
ok(c == OK and b"".join(one(parse(x), 10, b"") for x in r) == E,
   "the resumed blob reads back intact")
# A client that cancels mid-stream leaves no blob behind.
Z = os.urandom(40000)
rz = "uploads/c/blobs/%s/%d" % (sha(Z), len(Z))


def cancelled():
    yield fb(1, rz) + fb(10, Z[:16384])
    raise RuntimeError("client gives up")


c, r = call(bs_write, cancelled())
ok(c == grpc.StatusCode.UNKNOWN or c == grpc.StatusCode.CANCELLED,
   "a Write whose client fails mid-stream is cancelled", c)
c, r = call(find, fb(2, digest(sha(Z), len(Z))))
ok(c == OK and len(parse(r).get(2, [])) == 1,
   "... and the blob is not in the CAS")
c, r = call(qws, fb(1, rz))
ok(c == NOT_FOUND or (c == OK and one(parse(r), 2, 0) == 0 and
                      one(parse(r), 1, 0) <= 16384),
   "... QueryWriteStatus: incomplete", (c, r))
c, r = call(qws, fb(1, "uploads/nope/blobs/%s/5" % sha(b"abcde")))
ok(c == NOT_FOUND, "QueryWriteStatus of an unknown upload: NOT_FOUND", c)
c, r = call(qws, fb(1, "blobs/xyz"))
ok(c == INVALID, "QueryWriteStatus with a bad name: INVALID_ARGUMENT", c)

# ---- ActionCache ----
ACT = sha(b"action 1")
ACT2 = sha(b"action 2")
# Deliberately not canonical (exit_code 0 written, fields out of order), so
# a re-encode would differ: the server must keep the client's bytes.
AR = (fv_always(4, 0) + fb(2, fb(1, "out/a.txt") + fb(2, dg(A))) +
      fb(6, dg(C)) + fb(8, digest(EMPTY, 0)))
c, r = call(upd_ar, fb(2, digest(ACT, 42)) + fb(3, AR))
ok(c == OK and r == AR, "UpdateActionResult echoes the action result", c)
c, r = call(get_ar, fb(2, digest(ACT, 42)))
ok(c == OK and r == AR, "GetActionResult returns the client's exact bytes",
   (c, r))
c, r = call(get_ar, fb(2, digest(ACT2, 42)))
ok(c == NOT_FOUND, "GetActionResult of another action: NOT_FOUND", c)
c, r = call(get_ar, fb(1, "ci/linux") + fb(2, digest(ACT, 42)))
ok(c == NOT_FOUND, "... and of the same action in another instance", c)
c, r = call(upd_ar, fb(1, "ci/linux") + fb(2, digest(ACT, 42)) + fb(3, AR),
            RAUTH)
ok(c == grpc.StatusCode.PERMISSION_DENIED,
   "read-only token, UpdateActionResult: PERMISSION_DENIED", c)
c, r = call(get_ar, fb(2, digest(ACT, 42)), RAUTH)
ok(c == OK and r == AR, "read-only token may GetActionResult")
# Incomplete results are misses.
AR2 = fb(2, fb(1, "out/b") + fb(2, dg(B)))
c, r = call(upd_ar, fb(1, "ci/linux") + fb(2, digest(ACT2, 7)) + fb(3, AR2))
ok(c == OK, "UpdateActionResult referencing an absent blob is accepted")
c, r = call(get_ar, fb(1, "ci/linux") + fb(2, digest(ACT2, 7)))
ok(c == NOT_FOUND, "... but GetActionResult is a miss (output missing)", c)
c, r = call(bupd, fb(2, fb(1, dg(B)) + fb(2, B)))
c, r = call(get_ar, fb(1, "ci/linux") + fb(2, digest(ACT2, 7)))
ok(c == OK and r == AR2, "after the blob is uploaded: a hit", c)
for label, ar in (
        ("stdout", fb(6, dg(b"no such stdout"))),
        ("stderr", fb(8, dg(b"no such stderr"))),
        ("output directory tree", fb(3, fb(1, "d") + fb(3, dg(b"no tree")))),
        ("output file with the wrong size",
         fb(2, fb(1, "f") + fb(2, digest(sha(A), len(A) + 1))))):
    act = sha(label.encode())
    c1, _ = call(upd_ar, fb(2, digest(act, 1)) + fb(3, ar))
    c2, _ = call(get_ar, fb(2, digest(act, 1)))
    ok(c1 == OK and c2 == NOT_FOUND,
       "AC entry with a missing %s: miss" % label, (c1, c2))
for label, req in (
        ("no action_result", fb(2, digest(ACT, 42))),
        ("no action_digest", fb(3, AR)),
        ("bad instance", fb(1, "a/../b") + fb(2, digest(ACT, 42)) + fb(3, AR)),
        ("reserved instance", fb(1, "x/blobs") + fb(2, digest(ACT, 42)) +
         fb(3, AR)),
        ("bad digest", fb(2, digest("zz", 1)) + fb(3, AR)),
        ("digest_function MD5", fb(2, digest(ACT, 42)) + fb(3, AR) +
         fv(5, 3))):
    c, r = call(upd_ar, req)
    ok(c == INVALID, "UpdateActionResult, %s: INVALID_ARGUMENT" % label, r)
c, r = call(get_ar, fb(1, "i" * 257) + fb(2, digest(ACT, 42)))
ok(c == INVALID, "instance name over 256 bytes: INVALID_ARGUMENT", c)
with open(os.path.join(DATA, "get_action_result_request.bin"), "rb") as f:
    c, r = call(get_ar, f.read())
ok(c == NOT_FOUND, "the vector's GetActionResult request: NOT_FOUND", c)
with open(os.path.join(DATA, "action_result.bin"), "rb") as f:
    vec = f.read()
c, r = call(upd_ar, fb(2, digest(sha(b"vec"), 3)) + fb(3, vec))
c2, r2 = call(get_ar, fb(2, digest(sha(b"vec"), 3)))
ok(c == OK and c2 == NOT_FOUND,
   "the vector ActionResult (outputs not in the CAS) is stored but a miss",
   (c, c2))

# ---- GetTree ----
F1 = b"file one\n"
F2 = b"file two\n"
SUB = fb(1, fb(1, "two.txt") + fb(2, dg(F2)))
SUB2 = fb(1, fb(1, "three.txt") + fb(2, dg(F1)) + fv(4, 1))
ROOT = (fb(1, fb(1, "one.txt") + fb(2, dg(F1))) +
        fb(2, fb(1, "sub") + fb(2, dg(SUB))) +
        fb(2, fb(1, "sub2") + fb(2, dg(SUB2))) +
        fb(2, fb(1, "same") + fb(2, dg(SUB))) +
        fb(2, fb(1, "gone") + fb(2, dg(b"missing dir"))))
c, r = call(bupd, b"".join(fb(2, fb(1, dg(x)) + fb(2, x))
                           for x in (F1, F2, SUB, SUB2, ROOT)))
ok(c == OK, "uploaded a directory tree")
c, r = call_stream(tree, fb(2, dg(ROOT)))
dirs = [d for x in r for d in parse(x).get(1, [])] if c == OK else []
ok(c == OK and dirs == [ROOT, SUB, SUB2],
   "GetTree: root then children, breadth first, duplicates and missing "
   "subtrees omitted", (c, len(dirs)))
ok(c == OK and one(parse(r[-1]), 2, b"") == b"",
   "... last page has no next_page_token")
c, r = call_stream(tree, fb(2, dg(ROOT)) + fv(3, 1))
p1 = parse(r[0]) if c == OK and r else {}
ok(c == OK and len(r) == 1 and p1.get(1) == [ROOT] and one(p1, 2, b""),
   "GetTree page_size 1: one directory and a next_page_token")
tok = one(p1, 2, b"")
c, r = call_stream(tree, fb(2, dg(ROOT)) + fv(3, 1) + fb(4, tok))
p2 = parse(r[0]) if c == OK and r else {}
ok(c == OK and p2.get(1) == [SUB], "the next page continues the walk")
c, r = call_stream(tree, fb(2, dg(ROOT)) + fv(3, 5) + fb(4, one(p2, 2, b"")))
p3 = parse(r[0]) if c == OK and r else {}
ok(c == OK and p3.get(1) == [SUB2] and one(p3, 2, b"") == b"",
   "the last page ends the walk")
c, r = call_stream(tree, fb(2, dg(b"not a stored dir")))
ok(c == NOT_FOUND, "GetTree of an absent root: NOT_FOUND", c)
c, r = call_stream(tree, fb(2, dg(ROOT)) + fb(4, "x1"))
ok(c == INVALID, "GetTree with a malformed page_token: INVALID_ARGUMENT", c)

sys.exit(1 if failed else 0)
