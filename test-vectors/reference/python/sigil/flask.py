"""Flask integration: verify Sigil-signed requests before a view runs.

Flask is imported here and nowhere else in the package, so the rest of
``sigil`` stays standard-library only.

    from flask import Flask, g
    from sigil import decode_key
    from sigil.flask import require_signature
    from sigil.nonce_store import MemoryNonceStore

    app = Flask(__name__)
    signed = require_signature(keys={"client-1": decode_key(secret, "base64url")}, nonce_store=MemoryNonceStore())

    @app.post("/orders")
    @signed
    def orders():
        return {"keyId": g.sigil.key_id, "order": request.get_json()}, 201

Or verify every request of the app: ``init_app(app, keys=..., nonce_store=...)``.
Failures are answered exactly like @sigil/verify: the code's status, a JSON
body ``{"error": "<public code>"}``, ``WWW-Authenticate: Sigil`` on 401,
``Sigil-Server-Time`` on timestamp rejections, and ``key_unknown`` answered
as ``signature_invalid``.
"""

import functools
from typing import Any, Callable, Optional, TypeVar, Union

from flask import Flask, Response, g, request

from .verifier import Incoming, Rejected, Verified, VerifiedWebhook, Verifier
from .wsgi import read_capped, target_of

F = TypeVar("F", bound=Callable[..., Any])


def _read_body(limit: int) -> bytes:
    """At most ``limit + 1`` bytes from the stream, whatever the framing.

    A declared Content-Length above the limit is refused before this runs; a
    chunked upload stops being read one byte past the limit (the verifier
    answers 413 and the rest is never pulled from the socket). The bytes are
    cached on the request, so the view's request.get_data() / get_json() /
    form read exactly the verified bytes again.
    """
    body = read_capped(request.stream, limit)
    if len(body) <= limit:
        request._cached_data = body  # what Werkzeug's get_data(cache=True) keeps
    return body


def _incoming() -> Incoming:
    return Incoming(
        # As received: Werkzeug's request.method is uppercased.
        method=request.environ.get("REQUEST_METHOD", request.method),
        target=target_of(request.environ),
        # WSGI servers join repeated lines of one name with ",": send each signed header once.
        headers=list(request.headers.items()),
        read_body=_read_body,
        content_length=request.content_length,
        secure=request.environ.get("wsgi.url_scheme") == "https",
        remote_addr=request.remote_addr,
    )


def _answer(result: Rejected) -> Response:
    status, headers, body = result.response()
    # A body left unread (cheap checks run first) is drained or dropped by the WSGI server.
    return Response(body, status=status, headers=headers)


def _check(verifier: Verifier) -> Optional[Response]:
    result: Union[Verified, VerifiedWebhook, Rejected] = verifier.verify(_incoming())
    if isinstance(result, Rejected):
        return _answer(result)
    g.sigil = result
    return None


def require_signature(view: Optional[F] = None, *, keys: Any = None, verifier: Optional[Verifier] = None, **options: Any) -> Any:
    """Decorator: the view runs only for a verified request (``g.sigil`` says who signed).

    Give ``verifier=Verifier(...)``, or the Verifier options directly:
    ``keys`` ({key id: secret bytes or a list of them}), ``nonce_store``
    (required unless ``replay=False``), ``tolerance=300``,
    ``required_headers=()``, ``max_body_bytes=1 MiB``,
    ``allow_insecure_http=False``, ``trust_proxy=False``. Options are checked
    when the decorator is built.
    """
    checker = verifier if verifier is not None else Verifier(keys, **options)

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            failure = _check(checker)
            return failure if failure is not None else fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate


def init_app(app: Flask, *, keys: Any = None, verifier: Optional[Verifier] = None, **options: Any) -> Verifier:
    """Verifies every request of ``app`` (every route, method and 404) in a before_request hook."""
    checker = verifier if verifier is not None else Verifier(keys, **options)
    app.before_request(lambda: _check(checker))
    return checker
