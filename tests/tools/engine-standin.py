#!/usr/bin/env python3
"""A Docker engine STAND-IN for fault tests (not an engine): listens on 127.0.0.1, answers GET /_ping like an
engine (OK, Api-Version 1.41) and then misbehaves on every other request, per mode:
  invalid  - HTTP 200 with bytes that are not JSON
  shape    - HTTP 200 with JSON of the wrong shape (a string where an object or a list belongs)
  stall    - accepts the request and never answers (the connection stays open)
  drop     - sends a chunked answer's first chunk, then closes the connection mid-body
Usage: engine-standin.py MODE PORTFILE   (binds port 0 and writes the chosen port to PORTFILE)."""
import sys, time, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

MODE = sys.argv[1]

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Api-Version", "1.41")
        self.send_header("Server", "Docker/20.10.0 (linux) stand-in")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drain(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        elif self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                self.rfile.read(size + 2)
                if size == 0:
                    break

    def _any(self):
        if self.path.rstrip("/").endswith("/_ping") and self.command in ("GET", "HEAD"):
            return self._send(200, b"OK", "text/plain")
        if MODE == "stall":
            time.sleep(3600)
            return
        try:
            self._drain()
        except Exception:
            pass
        if MODE == "invalid":
            return self._send(200, b'{"Id": "sha256:12\x00 <html>not json')
        if MODE == "shape":
            return self._send(200, b'"a string where an object or a list belongs"')
        if MODE == "drop":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Api-Version", "1.41")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b'{"stream":"Step 1/2 : FROM scratch\\n"}\r\n'
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return

    do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = _any

class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # clients that give up (timeouts) break pipes: expected here

server = QuietServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
