"""Any WSGI application behind sigil.wsgi.SigilMiddleware (here a bare WSGI
callable; Django's get_wsgi_application() or a Falcon app wrap the same way).

    export $(node packages/cli/dist/bin.js keygen)     # SIGIL_KEY_ID, SIGIL_SECRET
    gunicorn -b 127.0.0.1:8000 --chdir test-vectors/reference/python/examples wsgi_app:application

The application runs only for verified requests and reads the verified
bytes from wsgi.input; every response of its own carries ``X-App: 1``.
"""

import hashlib
import json
import os

from sigil import decode_key
from sigil.nonce_store import MemoryNonceStore
from sigil.wsgi import SigilMiddleware


def echo(environ, start_response):
    verified = environ["sigil.verified"]
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    payload = json.dumps({"keyId": verified.key_id, "method": environ["REQUEST_METHOD"], "target": environ.get("RAW_URI"),
                          "contentType": environ.get("CONTENT_TYPE"), "bodySha256": hashlib.sha256(body).hexdigest(),
                          "bodyLength": len(body), "signedHeaders": list(verified.signed_headers)}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload))), ("X-App", "1")])
    return [payload]


application = SigilMiddleware(echo, keys={os.environ["SIGIL_KEY_ID"]: decode_key(os.environ["SIGIL_SECRET"], "base64url")},
                              nonce_store=MemoryNonceStore(), max_body_bytes=64 * 1024,
                              # SIGIL_SCHEMES=v1,rfc9421 accepts RFC 9421 signatures too.
                              schemes=os.environ.get("SIGIL_SCHEMES", "v1").split(","))
