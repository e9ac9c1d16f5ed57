"""Signing with ``httpx``: ``SigilAuth``, an ``httpx.Auth`` for ``httpx.Client``
and ``httpx.AsyncClient`` alike.

    import httpx
    from sigil import decode_key
    from sigil.httpx import SigilAuth

    auth = SigilAuth("client-1", decode_key(secret, "base64url"), origins=["https://api.example.com"])
    with httpx.Client(auth=auth) as client:
        client.post("https://api.example.com/orders", json={"qty": 1})

The SPEC section 8 client rules, as in ``sigil.requests``: the exact bytes
sent are signed (JSON, form, multipart, files; a streamed body is buffered
up to ``max_body_bytes`` with ``SigilError("body_too_large")`` beyond), a
fresh timestamp and nonce on every attempt, the key bound to ``origins``
(``'*'`` to opt out), HTTPS except to loopback, a bounded clock correction.

Redirects: leave the client's ``follow_redirects`` off (httpx's default):
``SigilAuth`` follows them itself, re-signing a same-origin hop and refusing
another origin (or, with ``cross_origin_redirect='follow-unsigned'``,
following it with no signature nor credential). A client that follows
redirects on its own would copy the signature to the next URL: on httpx's
own transports a guard refuses, before the header block is written, any
request carrying a signature made for another URL.

httpx's transport ``retries`` only retry establishing a connection, before
any byte of the request is written, so no used signature is resent.
"""

from typing import Any, Dict, Generator, Iterable, List, Optional, Sequence, Tuple, Union

import httpx

from .client import SignerOwner, REDIRECT_STATUSES, Origin, Signer, collect, is_timestamp_rejection
from .errors import SigilError
from .syntax import SIGNATURE_HEADER, ascii_lower

__all__ = ["SigilAuth"]

_FRAMING = ("content-length", "transfer-encoding")
_SEND_HEADERS = ("http11.send_request_headers.started", "http2.send_request_headers.started")


def _target(url: httpx.URL) -> str:
    return url.raw_path.decode("ascii")


class _Guard:
    """httpcore's ``trace`` extension: refuses a signature sent anywhere but where it was made for."""

    def __init__(self, previous: Any) -> None:
        self.previous = previous
        self.signed: Dict[bytes, Tuple[bytes, bytes, Optional[int], bytes]] = {}

    def check(self, name: str, info: Dict[str, Any]) -> None:
        request = info.get("request") if name in _SEND_HEADERS else None
        if request is None:
            return
        url = request.url
        for field, value in request.headers:
            if field.lower() == SIGNATURE_HEADER.encode():
                made_for = self.signed.get(value)
                if made_for is not None and made_for != (url.scheme, url.host, url.port, url.target):
                    raise SigilError("redirect_cross_origin", "the client followed a redirect with a signature made for "
                                                              "another URL: leave httpx's follow_redirects off, "
                                                              "SigilAuth follows and re-signs redirects itself")


class _SyncGuard(_Guard):
    def __call__(self, name: str, info: Dict[str, Any]) -> None:
        self.check(name, info)
        if self.previous is not None:
            self.previous(name, info)


class _AsyncGuard(_Guard):
    async def __call__(self, name: str, info: Dict[str, Any]) -> None:
        self.check(name, info)
        if self.previous is not None:
            await self.previous(name, info)


class SigilAuth(SignerOwner, httpx.Auth):
    """Signs every request an httpx client sends with it (sync and async).

    ``secret`` is bytes (``sigil.decode_key`` turns text into bytes). Options:
    ``origins`` (required: a list of origins, or ``'*'``), ``headers`` (more
    header names to sign when present), ``algorithm``,
    ``allow_insecure_http``, ``max_body_bytes`` (10 MiB), ``max_clock_skew``
    (300 s), ``max_redirects`` (20), ``follow_redirects`` (True),
    ``cross_origin_redirect`` (``'error'``), ``on_event``, ``clock``.
    """

    # -- the flows -----------------------------------------------------------

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._signer.check(str(request.url), request.method)  # before reading any body
        body = self._buffer(request, request.stream)  # type: ignore[arg-type]
        flow = self._flow(request, body, _SyncGuard)
        outgoing = next(flow)
        while True:
            response = yield outgoing
            if response.status_code == 401 or response.status_code in REDIRECT_STATUSES:
                response.read()
            try:
                outgoing = flow.send(response)
            except StopIteration:
                return

    async def async_auth_flow(self, request: httpx.Request) -> Any:  # AsyncGenerator[Request, Response]
        self._signer.check(str(request.url), request.method)
        body = await self._abuffer(request)
        flow = self._flow(request, body, _AsyncGuard)
        outgoing = next(flow)
        while True:
            response = yield outgoing
            if response.status_code == 401 or response.status_code in REDIRECT_STATUSES:
                await response.aread()
            try:
                outgoing = flow.send(response)
            except StopIteration:
                return

    def _buffer(self, request: httpx.Request, chunks: Iterable[bytes]) -> Optional[bytes]:
        if getattr(request, "_content", None) is not None:
            data: bytes = request.content
        else:
            data = collect(chunks, self._signer.max_body_bytes)
        if len(data) > self._signer.max_body_bytes:
            raise SigilError("body_too_large", f"the body exceeds max_body_bytes={self._signer.max_body_bytes}")
        return data if data or self._declares_content(request) else None

    async def _abuffer(self, request: httpx.Request) -> Optional[bytes]:
        if getattr(request, "_content", None) is not None:
            return self._buffer(request, ())
        chunks: List[bytes] = []
        size = 0
        limit = self._signer.max_body_bytes
        async for chunk in request.stream:  # type: ignore[union-attr]
            size += len(chunk)
            if size > limit:
                raise SigilError("body_too_large", f"the streamed body exceeds max_body_bytes={limit}; buffer it or raise the limit")
            chunks.append(chunk)
        data = b"".join(chunks)
        return data if data or self._declares_content(request) else None

    @staticmethod
    def _declares_content(request: httpx.Request) -> bool:
        return "content-length" in request.headers or "transfer-encoding" in request.headers

    def _flow(self, request: httpx.Request, body: Optional[bytes], guard_type: type
              ) -> Generator[httpx.Request, httpx.Response, None]:
        extensions = dict(request.extensions)
        guard: _Guard = guard_type(extensions.get("trace"))
        extensions["trace"] = guard
        start = Origin.of(str(request.url))
        method, url = request.method, str(request.url)
        headers = [(n, v) for n, v in request.headers.multi_items() if ascii_lower(n) not in _FRAMING]
        signed, clock_retried, hops = True, False, 0
        while True:
            outgoing = httpx.Request(method, url, headers=headers, content=body, extensions=extensions)
            if signed:
                lines = self._signer.sign(method, url, _target(outgoing.url), outgoing.headers.multi_items(), body)
                value = dict((ascii_lower(n), v) for n, v in lines)[SIGNATURE_HEADER]
                outgoing.headers[SIGNATURE_HEADER] = value
                guard.signed[value.encode("ascii")] = (outgoing.url.raw_scheme, outgoing.url.raw_host,
                                                       outgoing.url.port, outgoing.url.raw_path)
            response = yield outgoing
            if signed and not clock_retried and response.status_code == 401:
                seconds = is_timestamp_rejection(401, response.headers, response.content)
                if seconds is not None:
                    clock_retried = True  # once per call
                    if self._signer.learn(Origin.of(url), seconds, method, url):
                        continue
            if not (self.follow_redirects and response.has_redirect_location):
                return
            if hops >= self._signer.max_redirects:
                raise SigilError("too_many_redirects", f"max_redirects is {self._signer.max_redirects}")
            hops += 1
            method, url, headers, body, signed = self._signer.next_hop(
                response.status_code, response.headers["location"], url, start, method, headers, body, signed)
            url = str(httpx.URL(url))

