#!/usr/bin/python3
"""FabrikCache (the Fabrik protocol, proto/fabrik.proto) checks with grpcio.

Usage: fabrik_test.py HOST:PORT TOKEN READ_TOKEN MAX_OBJECT_SIZE.  The
server must require auth with TOKEN (read+write) and READ_TOKEN (read
only) and have cache.max_object_size = MAX_OBJECT_SIZE bytes.  Prints
TAP lines without a plan.  Messages are built and parsed by hand (no
protoc), following the field numbers of proto/fabrik.proto.
"""
import hashlib
import sys

import grpc

TARGET = sys.argv[1]
TOKEN = sys.argv[2]
RTOKEN = sys.argv[3]
MAXOBJ = int(sys.argv[4])
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


def varint(v):
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
    return b"" if v == 0 else varint(num << 3) + varint(v)


def fb(num, b):
    if isinstance(b, str):
        b = b.encode()
    return b"" if len(b) == 0 else varint(num << 3 | 2) + varint(len(b)) + b


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
        else:
            raise ValueError("wire type %d" % wt)
        out.setdefault(num, []).append(v)
    return out


def one(m, num, default=None):
    return m.get(num, [default])[-1]


def sha(b):
    return hashlib.sha256(b).digest()


def tkey(ns, k):
    """A tool key as the store derives it: SHA-256(ns NUL key)."""
    return sha(ns.encode() + b"\0" + k.encode())


def ident(b):
    return b


ch = grpc.insecure_channel(TARGET, options=[
    ("grpc.max_receive_message_length", 8 << 20),
    ("grpc.max_send_message_length", 8 << 20)])
SVC = "/fabrik.v1.FabrikCache/"
exists = ch.unary_unary(SVC + "Exists", request_serializer=ident,
                        response_deserializer=ident)
get = ch.unary_stream(SVC + "Get", request_serializer=ident,
                      response_deserializer=ident)
put = ch.stream_unary(SVC + "Put", request_serializer=ident,
                      response_deserializer=ident)
delete = ch.unary_unary(SVC + "Delete", request_serializer=ident,
                        response_deserializer=ident)
stats = ch.unary_unary(SVC + "GetStats", request_serializer=ident,
                       response_deserializer=ident)

AUTH = (("authorization", "Bearer " + TOKEN),)
RAUTH = (("authorization", "Bearer " + RTOKEN),)
BAD = (("authorization", "Bearer not-the-token"),)

OK = grpc.StatusCode.OK
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND
UNAUTH = grpc.StatusCode.UNAUTHENTICATED
DENIED = grpc.StatusCode.PERMISSION_DENIED


def call(fn, req, md=AUTH):
    try:
        return OK, fn(req, metadata=md, timeout=20)
    except grpc.RpcError as e:
        return e.code(), e.details()


def call_stream(fn, req, md=AUTH):
    try:
        return OK, list(fn(req, metadata=md, timeout=20))
    except grpc.RpcError as e:
        return e.code(), e.details()


def put_req(key, ns, blob, digest=None, meta=b"", size=None, chunk=1 << 20):
    """The messages of one Put: header (+ first chunk), then chunks."""
    if digest is None:
        digest = sha(blob)
    if size is None:
        size = len(blob)
    first = fb(1, key) + fb(2, ns) + fv(3, size) + fb(4, digest) + \
        fb(6, meta) + fb(5, blob[:chunk])
    msgs = [first]
    for i in range(chunk, len(blob), chunk):
        msgs.append(fb(5, blob[i:i + chunk]))
    return msgs


def do_put(msgs, md=AUTH):
    return call(put, iter(msgs), md)


def get_req(key, ns="", offset=0):
    return fb(1, key) + fb(2, ns) + fv(3, offset)


def get_object(key, offset=0):
    """(code, first message fields, data) of one Get."""
    c, r = call_stream(get, get_req(key, "", offset))
    if c != OK:
        return c, r, None
    msgs = [parse(m) for m in r]
    data = b"".join(one(m, 3, b"") for m in msgs)
    return c, (msgs[0] if msgs else {}), (data, r)


def present(keys, md=AUTH):
    c, r = call(exists, b"".join(fb(1, k) for k in keys), md)
    return c, (parse(r).get(1, []) if c == OK else r)


# ---- Put, Exists, Get ----
blob = b"hello fabrik protocol"
k1 = tkey("gradle", "k1")
k2 = tkey("gradle", "k2")
c, r = do_put(put_req(k1, "gradle", blob, meta=b"\x01meta"))
ok(c == OK, "Put: OK", r)
if c == OK:
    m = parse(r)
    ok(one(m, 1) == len(blob) and one(m, 2, 0) == 0,
       "Put: committed_size, not already_present", m)
c, r = do_put(put_req(k1, "gradle", blob, meta=b"\x01meta"))
ok(c == OK and one(parse(r), 2, 0) == 1,
   "Put of a key the server holds: already_present", r)
c, r = present([k2, k1])
ok(c == OK and r == [k1], "Exists: only the present key, in order", r)
c, first, dr = get_object(k1)
ok(c == OK, "Get: OK", first)
if c == OK:
    ok(one(first, 1) == len(blob) and one(first, 2) == sha(blob),
       "Get: first message has size and sha256")
    ok(one(first, 4) == b"\x01meta", "Get: metadata comes back byte for byte")
    ok(one(first, 5) == b"gradle", "Get: the namespace travels as its name")
    ok(dr[0] == blob, "Get: the data is the object")
c, first, dr = get_object(k1, 6)
ok(c == OK and dr[0] == blob[6:] and one(first, 1) == len(blob),
   "Get with offset: the rest, size still the whole object", first)
c, r, _ = get_object(k1, len(blob) + 1)
ok(c == grpc.StatusCode.OUT_OF_RANGE, "Get offset past the end: OUT_OF_RANGE",
   c)
c, r, _ = get_object(k2)
ok(c == NOT_FOUND, "Get of an absent key: NOT_FOUND", c)

# A large object travels in chunks of at most 1 MiB both ways.
big = bytes(range(256)) * (3 * 4096 + 77)
kb = tkey("bazel-ac", "big")
c, r = do_put(put_req(kb, "bazel-ac", big, chunk=1 << 20))
ok(c == OK and one(parse(r), 1) == len(big), "Put of 3 MiB in 1 MiB chunks", r)
c, first, dr = get_object(kb)
ok(c == OK and dr[0] == big, "Get of 3 MiB: intact", c)
if c == OK:
    sizes = [len(one(parse(m), 3, b"")) for m in dr[1]]
    ok(len(sizes) > 3 and max(sizes) <= 1 << 20,
       "Get of 3 MiB: %d messages, none over 1 MiB" % len(sizes), sizes)

# The empty object.
ke = tkey("nx", "empty")
c, r = do_put(put_req(ke, "nx", b""))
ok(c == OK, "Put of an empty object", r)
c, first, dr = get_object(ke)
ok(c == OK and one(first, 1, 0) == 0 and one(first, 2) == sha(b"") and
   dr[0] == b"", "Get of an empty object: size 0, its sha256", first)

# Content-addressed: the key is the digest.
cas = b"a CAS blob"
c, r = do_put(put_req(sha(cas), "bazel-cas", cas))
ok(c == OK, "Put of a CAS blob under its digest", r)
c, r = do_put(put_req(tkey("x", "y"), "bazel-cas", cas))
ok(c == INVALID and "key must equal sha256" in r,
   "Put of a CAS blob under another key: INVALID_ARGUMENT", (c, r))

# ---- bad input ----
c, r = call_stream(get, get_req(k1[:31]))
ok(c == INVALID and "32 bytes" in r, "Get with a 31-byte key: INVALID_ARGUMENT",
   (c, r))
c, r = call_stream(get, get_req(k1, "no-such-tool"))
ok(c == INVALID and "unknown namespace" in r,
   "Get with an unknown namespace: INVALID_ARGUMENT", (c, r))
c, r = call_stream(get, b"\x0a\xff")
ok(c == INVALID and "malformed" in r,
   "Get with malformed protobuf: INVALID_ARGUMENT", (c, r))
c, r = call(exists, fb(1, k1) + fb(1, b"short"))
ok(c == INVALID, "Exists with a short key: INVALID_ARGUMENT", (c, r))
c, r = call(exists, fb(1, k1) * 65537)
ok(c == INVALID and "too many keys" in r,
   "Exists with 65537 keys: INVALID_ARGUMENT", (c, r))
c, r = present([k1] * 65536)
ok(c == OK and len(r) == 65536, "Exists with 65536 keys: OK", c)
c, r = call(delete, fb(1, k1[:5]))
ok(c == INVALID, "Delete with a 5-byte key: INVALID_ARGUMENT", (c, r))
c, r = call(stats, fb(1, "no-such-tool"))
ok(c == INVALID, "GetStats with an unknown namespace: INVALID_ARGUMENT",
   (c, r))

k3 = tkey("gradle", "k3")
data3 = b"some object data"
c, r = do_put(put_req(k3, "gradle", data3, digest=sha(b"other")))
ok(c == INVALID and "does not match" in r,
   "Put whose data does not match sha256: INVALID_ARGUMENT", (c, r))
c, r = present([k3])
ok(c == OK and r == [], "... and nothing was stored", r)
c, r, _ = get_object(k3)
ok(c == NOT_FOUND, "... Get: NOT_FOUND", c)
c, r = do_put([fb(2, "gradle") + fv(3, 3) + fb(4, sha(b"abc")) + fb(5, "abc")])
ok(c == INVALID and "key" in r, "Put without key: INVALID_ARGUMENT", (c, r))
c, r = do_put([fb(1, k3) + fb(2, "gradle") + fv(3, 3) + fb(5, "abc")])
ok(c == INVALID and "sha256" in r, "Put without sha256: INVALID_ARGUMENT",
   (c, r))
c, r = do_put([fb(1, k3) + fv(3, 3) + fb(4, sha(b"abc")) + fb(5, "abc")])
ok(c == INVALID and "namespace" in r, "Put without namespace: INVALID_ARGUMENT",
   (c, r))
c, r = do_put(put_req(k3, "no-such-tool", b"abc"))
ok(c == INVALID and "unknown namespace" in r,
   "Put with an unknown namespace: INVALID_ARGUMENT", (c, r))
c, r = do_put(put_req(k3, "gradle", b"abc", size=10))
ok(c == INVALID and "size mismatch" in r,
   "Put with fewer bytes than size: INVALID_ARGUMENT", (c, r))
c, r = do_put(put_req(k3, "gradle", b"abcdef", size=3, chunk=3))
ok(c == INVALID and "more data" in r,
   "Put with more bytes than size: INVALID_ARGUMENT", (c, r))
c, r = do_put(put_req(k3, "gradle", b"abcdef", chunk=3) + [fb(1, k3)])
ok(c == INVALID and "first" in r,
   "Put with a header field in a later message: INVALID_ARGUMENT", (c, r))
c, r = do_put([])
ok(c == INVALID, "Put without any message: INVALID_ARGUMENT", (c, r))
c, r = do_put([b"\x0a"])
ok(c == INVALID and "malformed" in r,
   "Put with malformed protobuf: INVALID_ARGUMENT", (c, r))
c, r = do_put(put_req(k3, "gradle", b"x" * ((1 << 20) + 1), chunk=(1 << 20) + 1))
ok(c == INVALID and "chunk" in r,
   "Put with a chunk over 1 MiB: INVALID_ARGUMENT", (c, r))
c, r = do_put([fb(1, k3) + fb(2, "gradle") + fv(3, MAXOBJ + 1) +
               fb(4, sha(b"x"))])
ok(c == grpc.StatusCode.RESOURCE_EXHAUSTED and "max_object_size" in r,
   "Put over max_object_size: RESOURCE_EXHAUSTED", (c, r))
c, r = do_put(put_req(k3, "gradle", b"abc", meta=b"m" * 4097))
ok(c == INVALID and "metadata" in r,
   "Put with metadata over 4 KiB: INVALID_ARGUMENT", (c, r))
c, r = present([k3])
ok(c == OK and r == [], "none of the bad Puts stored anything", r)

# ---- GetStats ----
c, r = call(stats, b"")
ok(c == OK, "GetStats: OK", r)
if c == OK:
    m = parse(r)
    per = {one(parse(e), 1): parse(e) for e in m.get(5, [])}
    ok(one(m, 1) == 4, "GetStats: 4 objects", m)
    ok(b"gradle" in per and one(per[b"gradle"], 2) == 1 and
       one(per[b"gradle"], 4, 0) >= 1,
       "GetStats: the gradle namespace has 1 object and hits", per)
    ok(one(m, 4, 0) >= 1, "GetStats: misses counted", m)
c, r = call(stats, fb(1, "gradle"))
ok(c == OK and len(parse(r).get(5, [])) == 1 and one(parse(r), 1) == 1,
   "GetStats for one namespace: its totals and one entry", r)

# ---- Delete ----
c, r = call(delete, fb(1, k1) + fb(2, "gradle"))
ok(c == OK and one(parse(r), 1, 0) == 1, "Delete: deleted", r)
c, r = call(delete, fb(1, k1))
ok(c == OK and one(parse(r), 1, 0) == 0, "Delete again: deleted = false", r)
c, r, _ = get_object(k1)
ok(c == NOT_FOUND, "Get after Delete: NOT_FOUND", c)

# ---- auth ----
for name, fn, req, stream in (
        ("Exists", exists, fb(1, k1), False),
        ("Get", get, get_req(kb), True),
        ("Delete", delete, fb(1, kb), False),
        ("GetStats", stats, b"", False)):
    c, r = (call_stream if stream else call)(fn, req, ())
    ok(c == UNAUTH and "authentication required" in r,
       "%s without a token: UNAUTHENTICATED" % name, (c, r))
    c, r = (call_stream if stream else call)(fn, req, BAD)
    ok(c == UNAUTH and "invalid credentials" in r,
       "%s with a wrong token: UNAUTHENTICATED" % name, (c, r))
c, r = do_put(put_req(k1, "gradle", blob), ())
ok(c == UNAUTH, "Put without a token: UNAUTHENTICATED", (c, r))
c, r = do_put(put_req(k1, "gradle", blob), RAUTH)
ok(c == DENIED and "may not write" in r,
   "Put with a read-only token: PERMISSION_DENIED", (c, r))
c, r = call(delete, fb(1, kb), RAUTH)
ok(c == DENIED, "Delete with a read-only token: PERMISSION_DENIED", (c, r))
c, r = present([kb], RAUTH)
ok(c == OK and r == [kb], "Exists with a read-only token: OK", r)
c, r = call_stream(get, get_req(kb), RAUTH)
ok(c == OK, "Get with a read-only token: OK", c)
c, r = call(stats, b"", RAUTH)
ok(c == OK, "GetStats with a read-only token: OK", c)
c, r, _ = get_object(kb)
ok(c == OK, "the object survived the refused Delete", c)

sys.exit(1 if failed else 0)
