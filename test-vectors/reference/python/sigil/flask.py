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
from typing import Any, Callable, List, Mapping, Optional, TypeVar, Union

from flask import Flask, Response, current_app, g, request

from .errors import SigilError
from .response import RESPONSE_SIGNATURE_HEADER, sign_response
from .response import Response as SignedBody
from .verifier import Binding, Incoming, Rejected, Verified, VerifiedWebhook, Verifier
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


def _check(verifier: Verifier, bind: bool = False) -> Union[Verified, VerifiedWebhook, Rejected]:
    result: Union[Verified, VerifiedWebhook, Rejected] = verifier.verify(_incoming(), bind_response=bind)
    if not isinstance(result, Rejected):
        g.sigil = result
    return result


#: The answer that replaces a response whose body passed the limit without send_unsigned() (SPEC 11.5).
_OVERSIZE = (500, {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"},
             b'{"error":"response_too_large"}')

#: Headers a client acts on, signed whenever the response carries them (SPEC 11.5); content-type always.
_ACTED_ON = ("location", "sigil-server-time", "accept-signature")

_UNSIGNED = "_sigil_send_unsigned"


def send_unsigned(response: Response) -> Response:
    """Marks one response to go out unsigned while responses are signed (SPEC 11.5).

    For a route whose body cannot be hashed before its headers are sent
    (server-sent events, a large download). Without it, a body over
    ``max_response_bytes`` is replaced by a 500 ``{"error":"response_too_large"}``,
    never sent unsigned. A client that verifies responses refuses the
    unsigned answer (``response_signature_missing``). Returns its argument.
    """
    if not isinstance(response, Response):
        raise TypeError("send_unsigned: expected a flask.Response")
    setattr(response, _UNSIGNED, True)
    return response


def _buffered(response: Response, limit: int) -> Optional[bytes]:
    """The body as it will be sent, at most ``limit`` bytes (a stream is drained into it); None when over."""
    if not response.is_streamed:
        data = response.get_data()
        return data if len(data) <= limit else None
    parts: List[bytes] = []
    size = 0
    for chunk in response.iter_encoded():
        size += len(chunk)
        if size > limit:
            close = getattr(response.response, "close", None)
            if callable(close):
                close()
            return None
        parts.append(chunk)
    data = b"".join(parts)
    response.set_data(data)  # what is sent is exactly what was hashed
    return data


Signer = Callable[[Union[Verified, VerifiedWebhook, Rejected], Response], Response]


def _response_signer(sign_responses: Any, keys: Any, max_bytes: Any) -> Optional[Signer]:
    """The opt-in of SPEC section 11: sign each answer to a bound v1 request with the key it was verified under."""
    if sign_responses is False or sign_responses is None:
        return None
    table = keys if sign_responses is True else sign_responses
    if not isinstance(table, Mapping):
        raise SigilError("invalid_option", "sign_responses must be True (with keys={id: secret}) or {key id: secret or [secrets]}")
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or not 0 <= max_bytes <= 2 ** 31:
        raise SigilError("invalid_option", "max_response_bytes must be an integer from 0 to 2**31")

    def binding_of(result: Union[Verified, VerifiedWebhook, Rejected]) -> Optional[Binding]:
        if isinstance(result, Rejected):
            return result.binding  # set only when the key was known and the MAC verified
        if isinstance(result, Verified) and result.scheme == "v1" and result.bound is not None:
            return Binding(result.key_id, result.algorithm, result.key_index, result.bound)
        return None  # webhooks are never response-signed; RFC 9421 answers go out unsigned here

    def sign(result: Union[Verified, VerifiedWebhook, Rejected], response: Response) -> Response:
        binding = binding_of(result)
        if binding is None or getattr(response, _UNSIGNED, False):
            return response
        secrets = table.get(binding.key_id)
        secret = secrets if isinstance(secrets, (bytes, bytearray)) else (secrets or [None])[binding.key_index]
        if secret is None:
            return response
        body = _buffered(response, max_bytes)
        if body is None:
            status, headers, body = _OVERSIZE
            response = Response(body, status=status, headers=headers)
        names = {n.lower() for n in response.headers.keys()}
        pairs = [(n, v) for n, v in response.headers.items() if n.lower() != RESPONSE_SIGNATURE_HEADER]
        signed = sign_response(SignedBody(response.status_code, pairs, body), bytes(secret), binding.key_id,
                               int(time.time()), binding.request, binding.algorithm, [n for n in _ACTED_ON if n in names])
        response.headers["Sigil-Response-Signature"] = signed.header
        return response

    return sign


def require_signature(view: Optional[F] = None, *, keys: Any = None, verifier: Optional[Verifier] = None,
                      sign_responses: Any = False, max_response_bytes: int = 1024 * 1024, **options: Any) -> Any:
    """Decorator: the view runs only for a verified request (``g.sigil`` says who signed).

    Give ``verifier=Verifier(...)``, or the Verifier options directly:
    ``keys`` ({key id: secret bytes or a list of them}), ``nonce_store``
    (required unless ``replay=False``), ``tolerance=300``,
    ``required_headers=()``, ``max_body_bytes=1 MiB``,
    ``allow_insecure_http=False``, ``trust_proxy=False``. Options are checked
    when the decorator is built.

    ``sign_responses`` (opt-in, SPEC section 11): True signs the answer to a
    verified v1 request with the secret of ``keys`` it was verified under (or
    give ``{key id: secret}``), bound to the request's nonce and MAC:
    ``content-type``, and ``location``, ``sigil-server-time`` and
    ``accept-signature`` when present. Failures are signed when the request
    was bound (its MAC verified: a replay, a store outage, a stale
    timestamp or an unsigned required header), and unsigned otherwise
    (SPEC 11.5). The body is buffered, a
    stream too, up to ``max_response_bytes``; over it the answer is a 500
    ``{"error":"response_too_large"}`` unless the view marked its response
    with ``send_unsigned``.
    """
    checker = verifier if verifier is not None else Verifier(keys, **options)
    signer = _response_signer(sign_responses, keys, max_response_bytes)

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = _check(checker, signer is not None)
            if isinstance(result, Rejected):
                failure = _answer(result)
                return failure if signer is None else signer(result, failure)
            answer = fn(*args, **kwargs)
            if signer is None:
                return answer
            return signer(result, current_app.make_response(answer))

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


def init_app(app: Flask, *, keys: Any = None, verifier: Optional[Verifier] = None, sign_responses: Any = False,
             max_response_bytes: int = 1024 * 1024, **options: Any) -> Verifier:
    """Verifies every request of ``app`` (every route, method and 404) in a before_request hook.

    ``sign_responses`` and ``max_response_bytes`` as for ``require_signature``,
    applied in an after_request hook to every answer, failures included.
    """
    checker = verifier if verifier is not None else Verifier(keys, **options)
    signer = _response_signer(sign_responses, keys, max_response_bytes)

    def check() -> Optional[Response]:
        result = _check(checker, signer is not None)
        if not isinstance(result, Rejected):
            return None
        g.sigil_rejected = result
        return _answer(result)

    app.before_request(check)
    if signer is not None:
        sign = signer
        app.after_request(lambda response: sign(g.get("sigil") or g.get("sigil_rejected"), response))
    return checker
