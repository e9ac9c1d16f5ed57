"""The Flask quick start end to end, from the installed package: a Flask API
verifying Sigil signatures and a requests client signing its calls.

    pip install './test-vectors/reference/python[flask,requests]'
    python3 quickstart.py

Prints one line per call: the status and the JSON answer.
"""

import os
import threading

import requests
from flask import Flask, g, request
from werkzeug.serving import make_server

import sigil
from sigil.flask import require_signature
from sigil.nonce_store import MemoryNonceStore
from sigil.requests import SigilAuth

SECRET = os.urandom(32)  # in production: decode_key(os.environ["SIGIL_SECRET"], "base64url")

# --- the server -------------------------------------------------------------
app = Flask(__name__)
signed = require_signature(keys={"client-1": SECRET}, nonce_store=MemoryNonceStore())


@app.post("/orders")
@signed
def orders():
    return {"keyId": g.sigil.key_id, "order": request.get_json()}, 201


server = make_server("127.0.0.1", 0, app)
threading.Thread(target=server.serve_forever, daemon=True).start()
origin = f"http://127.0.0.1:{server.port}"  # plain HTTP is fine to loopback only

# --- the client -------------------------------------------------------------
auth = SigilAuth("client-1", SECRET, origins=[origin])
accepted = requests.post(f"{origin}/orders", json={"item": "book", "qty": 1}, auth=auth)
unsigned = requests.post(f"{origin}/orders", json={"item": "book", "qty": 1})
print(accepted.status_code, accepted.json())
print(unsigned.status_code, unsigned.json())
print("sigil from", os.path.dirname(sigil.__file__))
server.shutdown()
