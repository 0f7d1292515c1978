#!/usr/bin/env python3
"""Listens on a unix socket as a minimal Docker API endpoint and saves the body of the first POST /build (the build
context tar the client sends) to a file, then answers with an error so the client stops. Used to compare the tar the
docker CLI sends with the one DockOpt sends; nothing is built."""
import socket, sys, os

sock_path, out_path = sys.argv[1], sys.argv[2]
if os.path.exists(sock_path):
    os.unlink(sock_path)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sock_path)
srv.listen(4)
srv.settimeout(60)

def read_headers(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            return lines
        lines.append(line.decode("latin-1").rstrip("\r\n"))

done = False
while not done:
    conn, _ = srv.accept()
    f = conn.makefile("rb")
    while True:
        head = read_headers(f)
        if not head:
            break
        method, path, _ = head[0].split(" ", 2)
        hdrs = {h.split(":", 1)[0].lower(): h.split(":", 1)[1].strip() for h in head[1:] if ":" in h}
        body = b""
        if hdrs.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int(f.readline().strip().split(b";")[0], 16)
                if size == 0:
                    f.readline()
                    break
                body += f.read(size)
                f.readline()
        elif "content-length" in hdrs:
            body = f.read(int(hdrs["content-length"]))
        if "/build" in path and method == "POST":
            with open(out_path, "wb") as o:
                o.write(body)
            with open(out_path + ".query", "w") as o:
                o.write(path)
            msg = b'{"errorDetail":{"message":"captured"},"error":"captured"}\r\n'
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\nContent-Length: %d\r\n\r\n%s" % (len(msg), msg))
            done = True
            break
        payload = b"OK" if "_ping" in path else b"{}"
        conn.sendall(b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nOstype: linux\r\nServer: Docker/20.10.24 (linux)\r\nDocker-Experimental: false\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(payload), b"" if method == "HEAD" else payload))
    conn.close()
srv.close()
os.unlink(sock_path)
