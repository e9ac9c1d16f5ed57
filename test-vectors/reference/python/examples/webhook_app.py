"""A Flask app receiving webhooks from Standard Webhooks senders (Svix,
@sigil/webhooks), Stripe, GitHub, Slack and Shopify, verified over the raw
bytes before Flask parses them (SPEC.md section 10).

    export SIGIL_WEBHOOK_SECRETS='{"standard-webhooks": ["whsec_..."], "stripe": ["whsec_..."], "github": ["..."]}'
    python3 test-vectors/reference/python/examples/webhook_app.py 5000

Each configured scheme gets ``POST /hooks/<scheme>``; the view reads the
verified bytes with ``request.get_json()`` (Slack: ``request.form``). Several
secrets per scheme are a rotation, all tried. A delivery is remembered for
its scheme's retention (Standard Webhooks: 3 days), so a replay or a
duplicate retry is refused with ``nonce_replayed``. ``POST /flaky/<scheme>``
answers its first request 503 before verifying anything (a receiver that
was briefly down), for retry tests. Listens on 127.0.0.1 and prints
"ready <port>"; port 0 picks a free one.
"""

import hashlib
import json
import os
import sys
import time
from typing import Any, Callable, Dict, Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from flask import Flask, g, request  # noqa: E402

from sigil.flask import require_webhook  # noqa: E402
from sigil.nonce_store import MemoryNonceStore, NonceStore  # noqa: E402
from sigil.webhooks import SCHEMES, WebhookScheme  # noqa: E402


def create_app(secrets: Dict[str, Any], *, nonce_store: Optional[NonceStore] = None,
               clock: Callable[[], float] = time.time, events: Optional[list] = None) -> Flask:
    """One verified route per scheme in ``secrets``: {scheme name: [secret, ...] or a sigil.webhooks scheme}."""
    app = Flask(__name__)
    store = nonce_store if nonce_store is not None else MemoryNonceStore(clock=clock)
    options: Dict[str, Any] = {"nonce_store": store, "clock": clock, "max_body_bytes": 256 * 1024}
    if events is not None:
        options["on_event"] = events.append
    flaked = set()

    for name, configured in secrets.items():
        scheme = configured if isinstance(configured, WebhookScheme) else WebhookScheme(name, list(configured))

        def view() -> Any:
            delivery = g.sigil
            # The parser runs on the verified bytes, after verification.
            parsed = dict(request.form) if request.mimetype == "application/x-www-form-urlencoded" else request.get_json(silent=True)
            return {"scheme": delivery.scheme, "secretIndex": delivery.secret_index, "messageId": delivery.message_id,
                    "idSigned": delivery.id_signed, "timestamp": delivery.timestamp, "replaySource": delivery.replay_source,
                    "bodySha256": hashlib.sha256(delivery.body).hexdigest(), "parsed": parsed}

        verified = require_webhook(scheme, **options)(view)
        app.add_url_rule(f"/hooks/{name}", f"hook_{name}", verified, methods=["POST"])

        def flaky(verified: Callable[[], Any] = verified, name: str = name) -> Any:
            if name not in flaked:  # down for the first delivery: nothing verified, nothing remembered
                flaked.add(name)
                return {"error": "try again"}, 503
            return verified()

        app.add_url_rule(f"/flaky/{name}", f"flaky_{name}", flaky, methods=["POST"])
    return app


def main() -> None:
    from werkzeug.serving import make_server

    configured = json.loads(os.environ.get("SIGIL_WEBHOOK_SECRETS") or "{}")
    if not configured or any(name not in SCHEMES for name in configured):
        sys.exit(f"set SIGIL_WEBHOOK_SECRETS to a JSON object of {{scheme: [secrets]}}, schemes: {', '.join(SCHEMES)}")
    server = make_server("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 5000, create_app(configured), threaded=True)
    print(f"ready {server.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
