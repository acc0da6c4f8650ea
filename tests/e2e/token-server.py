#!/usr/bin/env python3
"""token-server.py PORT KEY CERT ISSUER SERVICE USER:PASSWORD

A registry token server for tests (the Docker token authentication protocol): GET
/token?service=S&scope=repository:NAME:pull with basic credentials answers a JWT signed
(RS256, with the certificate in x5c) by openssl for the registry to verify."""
import base64
import json
import subprocess
import sys
import time
import urllib.parse
import http.server

PORT, KEY, CERT, ISSUER, SERVICE, CREDS = sys.argv[1:7]
DER = subprocess.run(["openssl", "x509", "-in", CERT, "-outform", "DER"],
                     check=True, capture_output=True).stdout


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(user, scope):
    access = []
    if scope:
        kind, name, actions = scope.split(":", 2) if scope.count(":") >= 2 else ("", "", "")
        access.append({"type": kind, "name": name, "actions": actions.split(",")})
    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "x5c": [base64.b64encode(DER).decode()]}
    claims = {"iss": ISSUER, "sub": user, "aud": SERVICE, "exp": now + 300, "nbf": now - 10,
              "iat": now, "jti": str(time.time_ns()), "access": access}
    signing = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode()))
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=signing.encode(),
                         check=True, capture_output=True).stdout
    return signing + "." + b64url(sig)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("Authorization", "")
        ok = auth.startswith("Basic ") and base64.b64decode(auth[6:]).decode() == CREDS
        if url.path != "/token" or q.get("service", [""])[0] != SERVICE or not ok:
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"details": "bad credentials or request"}')
            return
        t = token(CREDS.split(":")[0], q.get("scope", [""])[0])
        body = json.dumps({"token": t, "access_token": t, "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler).serve_forever()
