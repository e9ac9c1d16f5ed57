"""A Flask API verifying Sigil-signed requests (the Python side of the examples).

    export $(node packages/cli/dist/bin.js keygen)     # SIGIL_KEY_ID, SIGIL_SECRET
    python3 test-vectors/reference/python/examples/flask_app.py 5000
    node --import tsx examples/client.ts http://127.0.0.1:5000

Listens on 127.0.0.1 (plain HTTP is accepted only from loopback peers) and
prints "ready <port>" once listening; port 0 picks a free one.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from flask import Flask, g, request  # noqa: E402

from sigil import decode_key  # noqa: E402
from sigil.flask import init_app, require_signature  # noqa: E402
from sigil.nonce_store import MemoryNonceStore  # noqa: E402


def create_app(key_id: str, secret: bytes) -> Flask:
    app = Flask(__name__)
    keys = {key_id: secret}
    store = MemoryNonceStore()

    # One view protected by the decorator: a failure never reaches it.
    @app.post("/orders")
    @require_signature(keys=keys, nonce_store=store, max_body_bytes=64 * 1024)
    def orders():
        return {"keyId": g.sigil.key_id, "order": request.get_json()}, 201

    return app


def create_strict_app(key_id: str, secret: bytes) -> Flask:
    """init_app(): every request of the app is verified (404s too); content-type must be signed."""
    app = Flask(__name__)
    init_app(app, keys={key_id: secret}, nonce_store=MemoryNonceStore(), required_headers=["content-type"])

    @app.route("/orders", methods=["POST", "PUT"])
    def orders():
        return {"keyId": g.sigil.key_id, "order": request.get_json(), "target": request.full_path.rstrip("?")}, 201

    return app


def create_signing_app(key_id: str, secret: bytes) -> Flask:
    """init_app(sign_responses=True): every answer to a bound request is signed (SPEC section 11), failures included."""
    app = Flask(__name__)
    init_app(app, keys={key_id: secret}, nonce_store=MemoryNonceStore(), sign_responses=True)

    @app.post("/orders")
    def orders():
        return {"keyId": g.sigil.key_id, "order": request.get_json()}, 201

    return app


def main() -> None:
    from werkzeug.serving import make_server
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    key_id = os.environ.get("SIGIL_KEY_ID")
    secret = os.environ.get("SIGIL_SECRET")
    if not key_id or not secret:
        sys.exit("set SIGIL_KEY_ID and SIGIL_SECRET, e.g. export $(node packages/cli/dist/bin.js keygen)")
    key = decode_key(secret, "base64url")
    # /strict/... goes to the init_app() variant, /signed/... to the one signing its answers, everything else to the decorator one.
    app = DispatcherMiddleware(create_app(key_id, key), {"/strict": create_strict_app(key_id, key),
                                                         "/signed": create_signing_app(key_id, key)})
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    server = make_server("127.0.0.1", port, app, threaded=True)
    print(f"ready {server.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
