"""ASGI middleware (FastAPI, Starlette, any ASGI app): verifies every HTTP
request before the application reads a byte of it, then hands the
application the verified bytes. Standard library only.

    from fastapi import FastAPI
    from sigil.asgi import SigilMiddleware

    app = FastAPI()
    app.add_middleware(SigilMiddleware, keys={"client-1": secret}, nonce_store=store)

The verifier runs in a worker thread (its nonce store and key resolver may
block); the body is read on the event loop, so a slow upload holds no
thread, only once the cheap checks passed, and at most ``max_body_bytes + 1``
bytes of it. A rejected request
is answered here, like @sigil/verify; a verified one reaches the
application with ``scope["state"]["sigil"]`` (and ``scope["sigil"]``) set to
the ``Verified`` result, and a ``receive`` that yields exactly the verified
bytes. Lifespan and WebSocket traffic pass through untouched.
"""

import asyncio
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, Union
from urllib.parse import quote

from .verifier import Incoming, Rejected, Verified, VerifiedWebhook, Verifier

__all__ = ["SigilMiddleware"]

Scope = Dict[str, Any]
Message = Dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _target(scope: Scope) -> str:
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, (bytes, bytearray)) else quote(scope.get("path", "/"), safe="/:@!$&'()*+,;=-._~%")
    query = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


def _headers(scope: Scope) -> List[Tuple[str, str]]:
    return [(n.decode("latin-1"), v.decode("latin-1")) for n, v in scope.get("headers", [])]


def _declared(headers: List[Tuple[str, str]]) -> Optional[int]:
    values = [v for n, v in headers if n.lower() == "content-length"]
    return int(values[0]) if len(values) == 1 and values[0].strip().isdigit() else None


class _Body:
    """Reads ``http.request`` messages, at most ``limit + 1`` bytes; remembers a disconnect."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.disconnected: Optional[Message] = None

    async def read(self, limit: int) -> bytes:
        parts: List[bytes] = []
        size = 0
        while size <= limit:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.disconnected = message
                raise ConnectionError("the client went away")  # the verifier answers body_read_failed
            chunk = message.get("body", b"")
            parts.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(parts)


class SigilMiddleware:
    """Wraps an ASGI application; give ``verifier=Verifier(...)`` or the Verifier options."""

    def __init__(self, app: ASGIApp, *, verifier: Optional[Verifier] = None, keys: Any = None, **options: Any) -> None:
        if not callable(app):
            raise TypeError("SigilMiddleware: expected an ASGI application")
        self.app = app
        self.verifier = verifier if verifier is not None else Verifier(keys, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        body = _Body(receive)
        headers = _headers(scope)
        client = scope.get("client")

        def unread(limit: int) -> bytes:  # begin() never reads; finish() gets the bytes
            raise RuntimeError("sigil.asgi reads the body itself")

        incoming = Incoming(method=scope["method"], target=_target(scope), headers=headers, read_body=unread,
                            content_length=_declared(headers), secure=scope.get("scheme") == "https",
                            remote_addr=client[0] if client else None)
        # Stores and resolvers may block: the verifier runs in a worker thread.
        # The body is read here, on the event loop, so a slow upload holds no thread.
        pending = await loop.run_in_executor(None, self.verifier.begin, incoming)
        result: Union[Verified, VerifiedWebhook, Rejected]
        if isinstance(pending, Rejected):
            result = pending
        else:
            try:
                data: Optional[bytes] = await body.read(pending.body_limit)
            except ConnectionError:
                data = None
            result = await loop.run_in_executor(None, self.verifier.finish, pending, data)
        if isinstance(result, Rejected):
            status, reply_headers, payload = result.response()
            await send({"type": "http.response.start", "status": status,
                        "headers": [(n.lower().encode(), v.encode()) for n, v in reply_headers.items()]
                        + [(b"content-length", str(len(payload)).encode())]})
            await send({"type": "http.response.body", "body": payload})
            return
        verified: Union[Verified, VerifiedWebhook] = result
        scope["sigil"] = verified
        scope.setdefault("state", {})["sigil"] = result
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": verified.body, "more_body": False}
            if body.disconnected is not None:
                return body.disconnected
            return await receive()

        await self.app(scope, replay, send)
