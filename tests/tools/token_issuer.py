#!/usr/bin/env python3
"""DockOpt's test token issuer for the distribution registry's `auth: token:` mode (the Docker token protocol).

It is ours, written for the tests, not Docker Hub's: it answers GET /token?service=..&scope=repository:NAME:ACTIONS
with a JWT (RS256, signed by the key given; the certificate in the x5c header is the one the registry trusts through
its rootcertbundle). Basic credentials USER:PASSWORD get the scopes asked for; anything else gets 401.
Usage: token_issuer.py PORT KEY.pem CERT.pem ISSUER USER PASSWORD [LOG] [USER2:PASSWORD2:REPO[,REPO...]]
The optional second user gets only the repositories listed (any actions on them; other scopes are left out of its
token, as a token service grants a subset of what is asked without failing).
"""
import base64, json, sys, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

port, key_path, cert_path, issuer, user, password = sys.argv[1:7]
limited = {}
if len(sys.argv) > 8 and sys.argv[8]:
    u2, p2, repos = sys.argv[8].split(':', 2)
    limited[u2] = (p2, set(repos.split(',')))
key = serialization.load_pem_private_key(open(key_path, 'rb').read(), None)
cert = x509.load_pem_x509_certificate(open(cert_path, 'rb').read())
x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()


def token(service, scopes, who=None, allowed=None):
    now = int(time.time())
    access = []
    for s in scopes:
        parts = s.split(':')
        if len(parts) == 3 and parts[0] == 'repository' and (allowed is None or parts[1] in allowed):
            access.append({'type': 'repository', 'name': parts[1], 'actions': parts[2].split(',')})
    header = {'typ': 'JWT', 'alg': 'RS256', 'x5c': [x5c]}
    claims = {'iss': issuer, 'sub': who or user, 'aud': service, 'exp': now + 300, 'nbf': now - 10, 'iat': now,
              'jti': uuid.uuid4().hex, 'access': access}
    signing = b64(json.dumps(header).encode()) + '.' + b64(json.dumps(claims).encode())
    sig = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing + '.' + b64(sig)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        u = urlparse(self.path)
        if u.path != '/token':
            self.send_response(404); self.end_headers(); return
        got = self.headers.get('Authorization')
        basic = lambda a, b: 'Basic ' + base64.b64encode(f'{a}:{b}'.encode()).decode()
        who, allowed = None, None
        if got != basic(user, password):
            match = [(u2, repos) for u2, (p2, repos) in limited.items() if got == basic(u2, p2)]
            if not match:
                self.send_response(401); self.end_headers(); return
            who, allowed = match[0]
        q = parse_qs(u.query)
        t = token(q.get('service', [''])[0], q.get('scope', []), who, allowed)
        body = json.dumps({'token': t, 'access_token': t, 'expires_in': 300}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with open(sys.argv[7] if len(sys.argv) > 7 else '/dev/null', 'a') as log:
            log.write(u.query + '\n')

    def log_message(self, *a):
        pass


ThreadingHTTPServer(('127.0.0.1', int(port)), Handler).serve_forever()
