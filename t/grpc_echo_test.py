#!/usr/bin/python3
"""gRPC interop checks against `t/helper grpc-echo` with python3-grpcio.

Usage: grpc_echo_test.py PORT.  Prints TAP lines without a plan (the
calling script adds the plan); raw-bytes serialisers, so no protoc.
"""
import sys
import threading

import grpc

PORT = int(sys.argv[1])
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


def ident(b):
    return b


ch = grpc.insecure_channel("127.0.0.1:%d" % PORT)
P = "/fabrik.test.Echo/"
unary = ch.unary_unary(P + "Unary", request_serializer=ident,
                       response_deserializer=ident)
sstream = ch.unary_stream(P + "ServerStream", request_serializer=ident,
                          response_deserializer=ident)
cstream = ch.stream_unary(P + "ClientStream", request_serializer=ident,
                          response_deserializer=ident)
fail = ch.unary_unary(P + "Fail", request_serializer=ident,
                      response_deserializer=ident)
meta = ch.unary_unary(P + "Metadata", request_serializer=ident,
                      response_deserializer=ident)
sleep = ch.unary_unary(P + "Sleep", request_serializer=ident,
                       response_deserializer=ident)


def code_of(fn, *a, **kw):
    try:
        fn(*a, **kw)
        return grpc.StatusCode.OK, ""
    except grpc.RpcError as e:
        return e.code(), e.details()


# unary
ok(unary(b"hello", timeout=5) == b"hello", "unary echo")
ok(unary(b"", timeout=5) == b"", "unary empty message")
big = bytes(range(256)) * 4096  # 1 MiB: many DATA frames, windows
ok(unary(big, timeout=20) == big, "unary 1 MiB both ways")
huge = b"z" * (5 * 1024 * 1024)
c, d = code_of(unary, huge, timeout=20)
ok(c == grpc.StatusCode.RESOURCE_EXHAUSTED,
   "5 MiB request -> RESOURCE_EXHAUSTED", "%s %s" % (c, d))
ok(unary(b"after", timeout=5) == b"after", "channel usable after that")

# unknown method
other = ch.unary_unary("/fabrik.test.Echo/Nope", request_serializer=ident,
                       response_deserializer=ident)
c, d = code_of(other, b"x", timeout=5)
ok(c == grpc.StatusCode.UNIMPLEMENTED, "unknown method -> UNIMPLEMENTED",
   "%s %s" % (c, d))
svc = ch.unary_unary("/no.Such/Service", request_serializer=ident,
                     response_deserializer=ident)
c, d = code_of(svc, b"x", timeout=5)
ok(c == grpc.StatusCode.UNIMPLEMENTED, "unknown service -> UNIMPLEMENTED")

# statuses and messages (percent-encoding round trip)
for code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT,
             grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.INTERNAL,
             grpc.StatusCode.UNAVAILABLE):
    msg = "failed: %s é 100%% \u2603" % code.name
    c, d = code_of(fail, ("%d %s" % (code.value[0], msg)).encode(),
                   timeout=5)
    ok(c == code and d == msg, "Fail -> %s with message" % code.name,
       "%s %r" % (c, d))
c, d = code_of(fail, b"0", timeout=5)
ok(c == grpc.StatusCode.OK, "Fail with 0 -> OK (Trailers-Only, no message)")

# server streaming: many messages, backpressure, flow control
req = (300).to_bytes(4, "big") + b"s" * 20000
r = list(sstream(req, timeout=30))
ok(len(r) == 300 and all(x == b"s" * 20000 for x in r),
   "server streaming: 300 x 20 KB", "got %d" % len(r))
r = list(sstream((3).to_bytes(4, "big") + big, timeout=30))
ok(len(r) == 3 and all(x == big for x in r),
   "server streaming: 3 x 1 MiB")
r = list(sstream((0).to_bytes(4, "big"), timeout=5))
ok(r == [], "server streaming: zero messages")
c, d = code_of(lambda: list(sstream(b"", timeout=5)))
ok(c == grpc.StatusCode.INVALID_ARGUMENT, "server streaming: bad request")

# client streaming
parts = [bytes([65 + i % 26]) * (i * 1000) for i in range(40)]
ok(cstream(iter(parts), timeout=20) == b"".join(parts),
   "client streaming: 40 messages concatenated")
ok(cstream(iter([]), timeout=5) == b"", "client streaming: no messages")
ok(cstream(iter([big, big]), timeout=20) == big + big,
   "client streaming: 2 x 1 MiB")

# metadata
v = meta(b"authorization", timeout=5,
         metadata=(("authorization", "Bearer t0ken"),))
ok(v == b"Bearer t0ken", "authorization metadata visible", repr(v))
v = meta(b"x-fabrik-test", timeout=5, metadata=(("x-fabrik-test", "v" * 4000),))
ok(v == b"v" * 4000, "4 KB metadata value")
c, d = code_of(meta, b"authorization", timeout=5)
ok(c == grpc.StatusCode.UNAUTHENTICATED, "absent metadata -> service status")

# deadlines
c, d = code_of(sleep, b"x", timeout=0.3)
ok(c == grpc.StatusCode.DEADLINE_EXCEEDED, "deadline -> DEADLINE_EXCEEDED",
   "%s %s" % (c, d))
ok(unary(b"alive", timeout=5) == b"alive", "server fine after deadline")

# client cancellation of a streaming call
fut = sleep.future(b"x", timeout=30)
threading.Event().wait(0.2)
fut.cancel()
ok(fut.cancelled(), "client cancels a pending call")

# many concurrent streams on one channel
results = []
lock = threading.Lock()


def worker(i):
    payload = b"%d-" % i * 50
    try:
        got = unary(payload, timeout=20)
    except grpc.RpcError as e:
        got = e
    with lock:
        results.append(got == payload)


futs = [unary.future(b"c%d" % i * 100, timeout=20) for i in range(300)]
good = sum(1 for i, f in enumerate(futs) if f.result() == b"c%d" % i * 100)
ok(good == 300, "300 concurrent unary calls on one connection",
   "%d good" % good)
ths = [threading.Thread(target=worker, args=(i,)) for i in range(50)]
for t in ths:
    t.start()
for t in ths:
    t.join()
ok(len(results) == 50 and all(results), "50 threads calling at once")

# several channels (connections)
chans = [grpc.insecure_channel("127.0.0.1:%d" % PORT) for _ in range(10)]
good = 0
for i, c2 in enumerate(chans):
    u2 = c2.unary_unary(P + "Unary", request_serializer=ident,
                        response_deserializer=ident)
    good += u2(b"ch%d" % i, timeout=5) == b"ch%d" % i
    c2.close()
ok(good == 10, "10 connections")

ch.close()
sys.exit(1 if failed else 0)
