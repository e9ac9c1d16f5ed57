"""A Flask API for several worker processes (gunicorn), with one replay
state in Redis shared by every worker, and by Node verifiers using
@sigil/redis with the same Redis and prefix.

    export $(node packages/cli/dist/bin.js keygen)     # SIGIL_KEY_ID, SIGIL_SECRET
    export SIGIL_REDIS_URL=redis://127.0.0.1:6379
    gunicorn -w 4 -b 127.0.0.1:8000 --chdir test-vectors/reference/python/examples gunicorn_app:app

Every response names the worker's pid in ``X-Worker`` (for the tests that
check the replays really spread over the workers).
"""

import os

import redis
from flask import Flask, g, request

from sigil import decode_key
from sigil.flask import init_app
from sigil.redis import DEFAULT_PREFIX, RedisNonceStore


def create_app() -> Flask:
    app = Flask(__name__)
    client = redis.Redis.from_url(os.environ.get("SIGIL_REDIS_URL", "redis://127.0.0.1:6379"),
                                  socket_timeout=1, socket_connect_timeout=1)
    store = RedisNonceStore(client, prefix=os.environ.get("SIGIL_REDIS_PREFIX", DEFAULT_PREFIX))
    init_app(app, keys={os.environ["SIGIL_KEY_ID"]: decode_key(os.environ["SIGIL_SECRET"], "base64url")}, nonce_store=store)

    @app.route("/orders", methods=["POST"])
    def orders():
        return {"keyId": g.sigil.key_id, "order": request.get_json()}, 201

    @app.after_request
    def worker(response):
        response.headers["X-Worker"] = str(os.getpid())
        return response

    return app


app = create_app()
