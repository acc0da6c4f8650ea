#!/usr/bin/env python3
"""slow-proxy.py LISTEN_PORT UPSTREAM_PORT BYTES_PER_SECOND [CHUNK]

An HTTP proxy on 127.0.0.1 in front of a registry on 127.0.0.1:UPSTREAM_PORT that passes
blob bodies on slowly, CHUNK bytes at a time (16384), so that a test can stop "the registry"
in the middle of a pull, or make it drip (2 1: two bytes a second, one at a time)."""
import http.client
import http.server
import sys
import time

LISTEN, UPSTREAM, RATE = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
CHUNK = int(sys.argv[4]) if len(sys.argv) > 4 else 16384


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def forward(self):
        up = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        up.request(self.command, self.path, headers=headers)
        resp = up.getresponse()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection"):
                self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        slow = "/blobs/" in self.path
        while self.command != "HEAD":
            data = resp.read(CHUNK)
            if not data:
                break
            self.wfile.write(data)
            self.wfile.flush()
            if slow:
                time.sleep(CHUNK / RATE)
        self.close_connection = True

    do_GET = forward
    do_HEAD = forward

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", LISTEN), Proxy).serve_forever()
