#!/usr/bin/python3
"""Known HTTP/2 attacks against `t/helper grpc-echo`, with raw frames.

Usage: h2_attack.py PORT LOGFILE.  Prints TAP lines without a plan.  Each
attack runs on its own connection; after each one a real gRPC call on a
new connection must succeed (the server is still up and serving).
Frames are built by hand (struct); header blocks with python3-hpack.
"""
import socket
import struct
import sys
import time

import grpc
import hpack

PORT = int(sys.argv[1])
LOG = sys.argv[2]
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, RST, SETTINGS, PUSH, PING, GOAWAY, WU, CONT = range(10)
ES, EH = 0x1, 0x4
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


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", sid) + payload


def request_block(enc, path="/fabrik.test.Echo/Sleep", extra=()):
    return enc.encode([(":method", "POST"), (":scheme", "http"),
                       (":path", path), (":authority", "x"),
                       ("content-type", "application/grpc"),
                       ("te", "trailers")] + list(extra))


def data_frames(sid, payload):
    """DATA frames of at most 16384 octets, END_STREAM on the last."""
    out = b""
    for off in range(0, len(payload), 16384):
        last = off + 16384 >= len(payload)
        out += frame(DATA, ES if last else 0, sid, payload[off:off + 16384])
    return out


def connect(settings=b""):
    s = socket.create_connection(("127.0.0.1", PORT))
    s.sendall(PREFACE + frame(SETTINGS, 0, 0, settings))
    return s


def send(s, data):
    try:
        s.sendall(data)
        return True
    except OSError:
        return False


def read_frames(s, until_goaway=True, timeout=5.0, until_close=False):
    """Reads frames until a GOAWAY (or EOF/timeout); returns
    (frames, goaway_error_code or None, closed)."""
    s.settimeout(0.2)
    buf = b""
    frames = []
    code = None
    closed = False
    end = time.time() + timeout
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            if not until_goaway and not until_close:
                break
            continue
        except OSError:
            closed = True
            break
        if not d:
            closed = True
            break
        buf += d
        while len(buf) >= 9:
            ln = int.from_bytes(buf[0:3], "big")
            if len(buf) < 9 + ln:
                break
            t, fl = buf[3], buf[4]
            sid = int.from_bytes(buf[5:9], "big") & 0x7fffffff
            frames.append((t, fl, sid, buf[9:9 + ln]))
            if t == GOAWAY:
                code = int.from_bytes(buf[13:17], "big")
            buf = buf[9 + ln:]
        if code is not None and until_goaway and not until_close:
            break
    return frames, code, closed


def still_serving(what):
    ch = grpc.insecure_channel("127.0.0.1:%d" % PORT)
    u = ch.unary_unary("/fabrik.test.Echo/Unary",
                       request_serializer=lambda b: b,
                       response_deserializer=lambda b: b)
    try:
        good = u(b"ping", timeout=5) == b"ping"
    except grpc.RpcError as e:
        good = False
    ch.close()
    ok(good, "after %s: another client is served" % what)


EYC = 0xb

# 1. Rapid reset (CVE-2023-44487): open and cancel streams in bulk.
s = connect()
enc = hpack.Encoder()
burst = b""
sid = 1
for i in range(2000):
    burst += frame(HEADERS, EH, sid, request_block(enc))
    burst += frame(RST, 0, sid, struct.pack(">I", 8))
    sid += 2
send(s, burst)
fr, code, closed = read_frames(s)
ok(code == EYC, "rapid reset -> GOAWAY ENHANCE_YOUR_CALM", code)
s.close()
still_serving("rapid reset")

# A few resets are fine (normal cancellation).
s = connect()
enc = hpack.Encoder()
burst = b""
for i in range(20):
    burst += frame(HEADERS, EH, 2 * i + 1, request_block(enc))
    burst += frame(RST, 0, 2 * i + 1, struct.pack(">I", 8))
burst += frame(PING, 0, 0, b"12345678")
send(s, burst)
fr, code, closed = read_frames(s, until_goaway=False, timeout=1)
ok(code is None and any(f[0] == PING and f[1] == 1 for f in fr),
   "20 cancelled streams: no GOAWAY, PING still answered", code)
s.close()

# 2. CONTINUATION flood: a header block that never ends.
s = connect()
enc = hpack.Encoder()
send(s, frame(HEADERS, 0, 1, request_block(enc)))
junk = b"\x00" * 16384
for i in range(8):
    if not send(s, frame(CONT, 0, 1, junk)):
        break
fr, code, closed = read_frames(s)
ok(code == EYC, "CONTINUATION flood (64 KiB+) -> ENHANCE_YOUR_CALM", code)
s.close()
still_serving("CONTINUATION flood")

s = connect()
enc = hpack.Encoder()
send(s, frame(HEADERS, 0, 1, request_block(enc)) +
     frame(CONT, 0, 1, b"") * 300)
fr, code, closed = read_frames(s)
ok(code == EYC, "300 empty CONTINUATION frames -> ENHANCE_YOUR_CALM", code)
s.close()

s = connect()
enc = hpack.Encoder()
send(s, frame(HEADERS, 0, 1, request_block(enc)) + frame(PING, 0, 0, b"x" * 8))
fr, code, closed = read_frames(s)
ok(code == 0x1, "frame interleaved in a header block -> PROTOCOL_ERROR", code)
s.close()

# 3. HPACK bomb: one big indexed entry referenced many times.
s = connect()
blk = bytearray()
# literal with incremental indexing, new name "x-bomb", 4000-octet value
blk += b"\x40\x06x-bomb" + b"\x7f" + bytes([4000 - 127 - 128 * (
    (4000 - 127) // 128) + 128, (4000 - 127) // 128]) + b"b" * 4000
blk = bytes(request_block(hpack.Encoder())) + bytes(blk) + b"\xbe" * 200
send(s, frame(HEADERS, ES | EH, 1, blk))
fr, code, closed = read_frames(s)
ok(code == 0x9, "HPACK bomb (800 KB decoded from 4 KB) -> COMPRESSION_ERROR",
   code)
s.close()
still_serving("HPACK bomb")

# Oversized header list spread over CONTINUATION frames (60 KB, under the
# block limit, over the header-list limit).
s = connect()
enc = hpack.Encoder()
blk = request_block(enc, extra=[("x-big-%d" % i, "v" * 2000)
                                for i in range(30)])
send(s, frame(HEADERS, EH if len(blk) <= 16384 else 0, 1, blk[:16384]) + b"".join(
    frame(CONT, EH if off + 16384 >= len(blk) else 0, 1, blk[off:off + 16384])
    for off in range(16384, len(blk), 16384)))
fr, code, closed = read_frames(s)
ok(code == 0x9, "60 KB header list -> COMPRESSION_ERROR", code)
s.close()

# 4. SETTINGS flood.
s = connect()
send(s, frame(SETTINGS, 0, 0, struct.pack(">HI", 4, 65535)) * 1000)
fr, code, closed = read_frames(s)
ok(code == EYC, "SETTINGS flood -> ENHANCE_YOUR_CALM", code)
s.close()
still_serving("SETTINGS flood")

# 5. PING flood.
s = connect()
send(s, frame(PING, 0, 0, b"abcdefgh") * 2000)
fr, code, closed = read_frames(s)
acks = sum(1 for f in fr if f[0] == PING and f[1] == 1)
ok(code == EYC, "PING flood -> ENHANCE_YOUR_CALM", code)
ok(0 < acks <= 110, "PING flood: at most the burst answered", acks)
s.close()
still_serving("PING flood")

# 6. Zero-window stall: a client that never opens its window.
s = connect(struct.pack(">HI", 4, 0))  # INITIAL_WINDOW_SIZE 0
enc = hpack.Encoder()
msg = (100).to_bytes(4, "big") + b"w" * 100000
t0 = time.time()
send(s, frame(HEADERS, EH, 1,
              request_block(enc, "/fabrik.test.Echo/ServerStream")) +
     data_frames(1, b"\x00" + len(msg).to_bytes(4, "big") + msg))
fr, code, closed = read_frames(s, False, 10, until_close=True)
dt = time.time() - t0
got_data = sum(len(f[3]) for f in fr if f[0] == DATA)
ok(closed and got_data == 0 and code is None,
   "zero window: no DATA sent, connection closed", (closed, got_data, code))
ok(1.0 <= dt < 6.0, "zero window: closed by the write-stall timeout",
   "%.1f s" % dt)
s.close()
time.sleep(0.1)
ok("cancel /fabrik.test.Echo/ServerStream" in open(LOG).read(),
   "zero window: the call was cancelled (state released)")
still_serving("zero-window stall")

# A client that opens a big window but never reads the socket.
s = socket.create_connection(("127.0.0.1", PORT))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.sendall(PREFACE + frame(SETTINGS, 0, 0, struct.pack(">HI", 4, 0x7fffffff)) +
          frame(WU, 0, 0, struct.pack(">I", 0x7fffffff - 65535)))
enc = hpack.Encoder()
msg = (400).to_bytes(4, "big") + b"r" * 100000
t0 = time.time()
s.sendall(frame(HEADERS, EH, 1,
                request_block(enc, "/fabrik.test.Echo/ServerStream")) +
          data_frames(1, b"\x00" + len(msg).to_bytes(4, "big") + msg))
stalls = open(LOG).read().count("write stalled")
while time.time() - t0 < 8 and open(LOG).read().count("write stalled") == stalls:
    time.sleep(0.1)
dt = time.time() - t0
ok(open(LOG).read().count("write stalled") == stalls + 1 and dt >= 1.0,
   "non-reading client: closed by the write-stall timeout", "%.1f s" % dt)
s.close()
still_serving("non-reading client")

# 7. Oversized frame.
s = connect()
send(s, frame(PING, 0, 0, b"x" * 20000))
fr, code, closed = read_frames(s)
ok(code == 0x6, "20000-octet frame -> FRAME_SIZE_ERROR", code)
s.close()
still_serving("oversized frame")

# 8. Bad preface, HEADERS before SETTINGS, DATA on an idle stream.
s = socket.create_connection(("127.0.0.1", PORT))
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
fr, code, closed = read_frames(s)
ok(code == 0x1, "HTTP/1.1 request instead of the preface -> PROTOCOL_ERROR",
   code)
s.close()
s = socket.create_connection(("127.0.0.1", PORT))
s.sendall(PREFACE + frame(PING, 0, 0, b"x" * 8))
fr, code, closed = read_frames(s)
ok(code == 0x1, "preface not followed by SETTINGS -> PROTOCOL_ERROR", code)
s.close()
s = connect()
send(s, frame(DATA, 0, 5, b"abc"))
fr, code, closed = read_frames(s)
ok(code == 0x1, "DATA on an idle stream -> PROTOCOL_ERROR", code)
s.close()
still_serving("protocol errors")

# 9. Too many concurrent streams: excess refused, connection kept.
s = connect()
enc = hpack.Encoder()
send(s, b"".join(frame(HEADERS, EH, 2 * i + 1, request_block(enc))
                 for i in range(150)) + frame(PING, 0, 0, b"p" * 8))
fr, code, closed = read_frames(s, until_goaway=False, timeout=1)
refused = sum(1 for f in fr if f[0] == RST and
              int.from_bytes(f[3], "big") == 7)
ok(refused == 50 and code is None,
   "150 streams with a limit of 100: 50 REFUSED_STREAM, no GOAWAY",
   (refused, code))
s.close()
still_serving("stream limit")

sys.exit(1 if failed else 0)
