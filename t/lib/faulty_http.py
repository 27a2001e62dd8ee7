#!/usr/bin/env python3
"""A misbehaving HTTP server for fault-injection scenario tests.

    faulty_http.py MODE [FILE]

Listens on 127.0.0.1 (a free port), prints "[fabrik] listening faulty on
127.0.0.1:PORT" and "[fabrik] ready", then answers every request by MODE:
  hang     accept, read the request, never answer
  500      HTTP 500 with an S3-style XML error
  garbage  HTTP 200 with bytes that are not a Fabrik object
  reset    close the connection without answering
  file     HTTP 200 with the current content of FILE (re-read each time)
Every request line is logged to stdout as "[fabrik] request METHOD PATH".
"""
import socket
import sys
import threading


def serve(conn, mode):
    f = conn.makefile("rb")
    try:
        while True:
            line = f.readline()
            if not line:
                return
            method, path = line.decode("latin-1").split(" ")[:2]
            length = 0
            while True:
                h = f.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                k, _, v = h.decode("latin-1").partition(":")
                if k.strip().lower() == "content-length":
                    length = int(v.strip())
            if length:
                f.read(length)
            print("[fabrik] request %s %s" % (method, path), flush=True)
            if mode == "hang":
                threading.Event().wait()
            if mode == "reset":
                return
            if mode == "file":
                with open(sys.argv[2], "rb") as fh:
                    body = fh.read()
                status = b"200 OK"
            elif mode == "500":
                body = (b"<?xml version=\"1.0\"?><Error><Code>InternalError"
                        b"</Code><Message>injected</Message></Error>")
                status = b"500 Internal Server Error"
            else:
                body = b"<html><body>not what you expected</body></html>"
                status = b"200 OK"
            conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: " +
                         str(len(body)).encode() + b"\r\n\r\n" + body)
    except (OSError, ValueError):
        pass
    finally:
        conn.close()


def main():
    mode = sys.argv[1]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    print("[fabrik] listening faulty on 127.0.0.1:%d" % s.getsockname()[1],
          flush=True)
    print("[fabrik] ready", flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c, mode), daemon=True).start()


main()
