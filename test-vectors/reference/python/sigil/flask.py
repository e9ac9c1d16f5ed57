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
``schemes=["v1", "rfc9421"]`` accepts RFC 9421 signatures too (SPEC.md section 9).

Webhooks from Stripe, GitHub, Slack, Shopify and Standard Webhooks senders
(SPEC.md section 10), verified over the raw bytes before Flask parses them:

    from sigil.webhooks import stripe

    @app.post("/hooks/stripe")
    @require_webhook(stripe([os.environ["STRIPE_WEBHOOK_SECRET"]]), nonce_store=store)
    def stripe_hook():
        event = request.get_json()     # exactly the verified bytes
        return "", 204                 # g.sigil: a VerifiedWebhook

Failures are answered exactly like @sigil/verify: the code's status, a JSON
body ``{"error": "<public code>"}``, ``WWW-Authenticate: Sigil`` on 401,
``Sigil-Server-Time`` on timestamp rejections, and ``key_unknown`` answered
as ``signature_invalid``.
"""

import functools
import time
from typing import Any, Callable, Mapping, Optional, TypeVar, Union

from flask import Flask, Response, current_app, g, request

from .errors import SigilError
from .response import RESPONSE_SIGNATURE_HEADER, sign_response
from .response import Response as SignedBody
from .verifier import Incoming, Rejected, Verified, VerifiedWebhook, Verifier
from .webhooks import WebhookScheme
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


def _response_signer(sign_responses: Any, keys: Any) -> Optional[Callable[[Verified, Response], None]]:
    """The opt-in of SPEC section 11: sign each response to a verified v1 request with the key it was verified under."""
    if sign_responses is False or sign_responses is None:
        return None
    table = keys if sign_responses is True else sign_responses
    if not isinstance(table, Mapping):
        raise SigilError("invalid_option", "sign_responses must be True (with keys={id: secret}) or {key id: secret or [secrets]}")

    def sign(verified: Verified, response: Response) -> None:
        if verified.scheme != "v1" or verified.bound is None or response.is_streamed:
            return  # RFC 9421 requests, or a body that cannot be hashed before the headers: sent unsigned
        secrets = table.get(verified.key_id)
        secret = secrets if isinstance(secrets, (bytes, bytearray)) else (secrets or [None])[verified.key_index]
        if secret is None:
            return
        headers = [(n, v) for n, v in response.headers.items() if n.lower() != RESPONSE_SIGNATURE_HEADER]
        signed = sign_response(SignedBody(response.status_code, headers, response.get_data()), bytes(secret), verified.key_id,
                               int(time.time()), verified.bound, verified.algorithm,
                               ["location"] if "Location" in response.headers else [])
        response.headers["Sigil-Response-Signature"] = signed.header

    return sign


def require_signature(view: Optional[F] = None, *, keys: Any = None, verifier: Optional[Verifier] = None,
                      sign_responses: Any = False, **options: Any) -> Any:
    """Decorator: the view runs only for a verified request (``g.sigil`` says who signed).

    Give ``verifier=Verifier(...)``, or the Verifier options directly:
    ``keys`` ({key id: secret bytes or a list of them}), ``nonce_store``
    (required unless ``replay=False``), ``tolerance=300``,
    ``required_headers=()``, ``max_body_bytes=1 MiB``,
    ``allow_insecure_http=False``, ``trust_proxy=False``. Options are checked
    when the decorator is built.

    ``sign_responses`` (opt-in, SPEC section 11): True signs the view's
    response to a verified v1 request with the secret of ``keys`` it was
    verified under (or give ``{key id: secret}``), bound to the request's
    nonce and MAC: ``content-type`` and ``location`` when present, the body
    buffered. Failures (401, 503) stay unsigned.
    """
    checker = verifier if verifier is not None else Verifier(keys, **options)
    signer = _response_signer(sign_responses, keys)

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            failure = _check(checker)
            if failure is not None:
                return failure
            result = fn(*args, **kwargs)
            if signer is None:
                return result
            response = current_app.make_response(result)
            signer(g.sigil, response)
            return response

        return wrapper  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate


def require_webhook(*schemes: WebhookScheme, verifier: Optional[Verifier] = None, **options: Any) -> Callable[[F], F]:
    """Decorator for a webhook endpoint: the view runs only for a delivery one of ``schemes`` verifies.

    ``schemes``: values from ``sigil.webhooks`` (``standard_webhooks(secrets)``,
    ``stripe``, ``github``, ``slack``, ``shopify``), each with its secrets
    (several during a rotation, all tried in constant time), tolerance and
    replay retention. ``nonce_store`` (required unless ``replay=False``)
    remembers each delivery under the scheme's name for its retention; the
    other Verifier options (``max_body_bytes``, ``allow_insecure_http``,
    ``trust_proxy``, ``on_event``) apply as to signed requests. ``g.sigil``
    is a ``sigil.verifier.VerifiedWebhook``.
    """
    if verifier is None:
        if not schemes or not all(isinstance(s, WebhookScheme) for s in schemes):
            raise SigilError("invalid_option", "require_webhook takes one or more sigil.webhooks schemes")
        verifier = Verifier(schemes=list(schemes), **options)
    decorate: Callable[[F], F] = require_signature(verifier=verifier)
    return decorate


def init_app(app: Flask, *, keys: Any = None, verifier: Optional[Verifier] = None, **options: Any) -> Verifier:
    """Verifies every request of ``app`` (every route, method and 404) in a before_request hook."""
    checker = verifier if verifier is not None else Verifier(keys, **options)
    app.before_request(lambda: _check(checker))
    return checker
