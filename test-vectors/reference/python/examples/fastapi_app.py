"""FastAPI (Starlette) behind sigil.asgi.SigilMiddleware.

    export $(node packages/cli/dist/bin.js keygen)     # SIGIL_KEY_ID, SIGIL_SECRET
    uvicorn --app-dir test-vectors/reference/python/examples fastapi_app:app --port 8000

Every route (the generated /docs included) is verified; a view reads the
verified bytes with ``await request.json()`` and who signed them from
``request.state.sigil``.
"""

import hashlib
import os

from fastapi import FastAPI, Request

from sigil import decode_key
from sigil.asgi import SigilMiddleware
from sigil.nonce_store import MemoryNonceStore

app = FastAPI()
app.add_middleware(SigilMiddleware, keys={os.environ["SIGIL_KEY_ID"]: decode_key(os.environ["SIGIL_SECRET"], "base64url")},
                   nonce_store=MemoryNonceStore(), max_body_bytes=64 * 1024,
                   # SIGIL_SCHEMES=v1,rfc9421 accepts RFC 9421 signatures too.
                   schemes=os.environ.get("SIGIL_SCHEMES", "v1").split(","))


@app.post("/orders")
async def orders(request: Request):
    body = await request.body()
    return {"keyId": request.state.sigil.key_id, "order": await request.json(), "bodySha256": hashlib.sha256(body).hexdigest(),
            "signedHeaders": list(request.state.sigil.signed_headers)}


@app.post("/form")
async def form(request: Request):
    return {"keyId": request.state.sigil.key_id, "fields": dict(await request.form())}
