"""WSGI middleware: verifies every request before the application (Django,
Falcon, Flask, Bottle, any WSGI app) reads a byte of it, then hands the
application the verified bytes. Standard library only.

    from sigil.wsgi import SigilMiddleware
    application = SigilMiddleware(get_wsgi_application(), keys={"client-1": secret}, nonce_store=store)

A rejected request is answered here, exactly like @sigil/verify (status,
``{"error": code}``, ``WWW-Authenticate: Sigil`` on 401,
``Sigil-Server-Time``); the application never sees it. A verified one
reaches the application with ``environ["sigil.verified"]`` (a
``sigil.verifier.Verified``: key id, signed headers, the body) and a
``wsgi.input`` holding exactly the verified bytes.
"""

import io
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union
from urllib.parse import quote

from .verifier import Incoming, Rejected, Verified, VerifiedWebhook, Verifier

__all__ = ["SigilMiddleware", "headers_of", "read_capped", "target_of"]

Environ = Dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

_CHUNK = 64 * 1024
_REASONS = {401: "Unauthorized", 403: "Forbidden", 413: "Payload Too Large", 400: "Bad Request",
            503: "Service Unavailable", 500: "Internal Server Error"}


def target_of(environ: Environ) -> str:
    """The request target as sent: RAW_URI (Werkzeug, gunicorn) or REQUEST_URI.

    Without them the target is rebuilt from PATH_INFO, which WSGI has already
    percent-decoded; re-encoding may not give back the sent bytes.
    """
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return str(raw)
    path = quote((environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1"), safe="/:@!$&'()*+,;=-._~%")
    query = environ.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def headers_of(environ: Environ) -> List[Tuple[str, str]]:
    """The header lines WSGI kept. Servers join repeated lines of one name with ',': sign each header once."""
    lines = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            lines.append((key[5:].replace("_", "-").title(), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            lines.append((key.replace("_", "-").title(), value))
    return lines


def read_capped(stream: Any, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``stream``, whatever the framing: the rest is never pulled from the socket."""
    parts = []
    left = limit + 1
    while left > 0:
        chunk = stream.read(min(left, _CHUNK))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _declared(environ: Environ) -> Optional[int]:
    try:
        value = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return value if value >= 0 else None


def _body_reader(environ: Environ) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        declared = _declared(environ)
        stream = environ["wsgi.input"]
        if declared is not None:  # never past the declared end (the verifier refused a length over the limit)
            return read_capped(stream, min(declared, limit + 1) - 1)
        if environ.get("wsgi.input_terminated") or "HTTP_TRANSFER_ENCODING" in environ:
            return read_capped(stream, limit)
        return b""  # no framing: WSGI forbids reading past the end

    return read


def incoming_of(environ: Environ) -> Incoming:
    """The request as the verifier sees it, from a WSGI environ."""
    return Incoming(
        method=environ.get("REQUEST_METHOD", "GET"),
        target=target_of(environ),
        headers=headers_of(environ),
        read_body=_body_reader(environ),
        content_length=_declared(environ),
        secure=environ.get("wsgi.url_scheme") == "https",
        remote_addr=environ.get("REMOTE_ADDR"),
    )


def answer(result: Rejected, start_response: StartResponse) -> List[bytes]:
    status, headers, body = result.response()
    start_response(f"{status} {_REASONS.get(status, 'Error')}", [*headers.items(), ("Content-Length", str(len(body)))])
    return [body]


class SigilMiddleware:
    """Wraps a WSGI application; give ``verifier=Verifier(...)`` or the Verifier options."""

    def __init__(self, app: WSGIApp, *, verifier: Optional[Verifier] = None, keys: Any = None, **options: Any) -> None:
        if not callable(app):
            raise TypeError("SigilMiddleware: expected a WSGI application")
        self.app = app
        self.verifier = verifier if verifier is not None else Verifier(keys, **options)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        result = self.verifier.verify(incoming_of(environ))
        if isinstance(result, Rejected):
            return answer(result, start_response)
        verified: Union[Verified, VerifiedWebhook] = result
        environ["sigil.verified"] = verified
        environ["wsgi.input"] = io.BytesIO(verified.body)
        environ["CONTENT_LENGTH"] = str(len(verified.body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = True
        return self.app(environ, start_response)
