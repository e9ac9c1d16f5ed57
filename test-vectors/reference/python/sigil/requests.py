"""Signing with ``requests``: ``SigilAuth`` (a ``requests.auth.AuthBase``) and
``SigilAdapter`` (retries that sign every attempt afresh).

    import requests
    from sigil import decode_key
    from sigil.requests import SigilAuth

    auth = SigilAuth("client-1", decode_key(secret, "base64url"), origins=["https://api.example.com"])
    requests.post("https://api.example.com/orders", json={"qty": 1}, auth=auth)

Every request is signed over the exact bytes sent (JSON, form, multipart and
files as requests encodes them; a file or generator body is buffered up to
``max_body_bytes``, beyond which ``SigilError("body_too_large")`` is raised
before anything is sent). The key goes only to ``origins`` (``'*'`` written
out to opt out) and over HTTPS, except to loopback. ``SigilAuth`` follows
redirects itself: a same-origin hop is re-signed with a fresh nonce; another
origin is refused (``redirect_cross_origin`` / ``origin_not_allowed``), or
with ``cross_origin_redirect='follow-unsigned'`` followed with no signature
nor credential. A timestamp rejection carrying ``Sigil-Server-Time`` corrects
the clock once (bounded by ``max_clock_skew``; only over TLS or loopback).

urllib3's ``Retry`` resends the very same bytes, so its retries would resend
a used signature: mount ``SigilAdapter(max_retries=Retry(...))`` instead,
which runs each retry as a new, freshly signed attempt. A response that came
through an adapter with urllib3 retries enabled raises
``SigilError("invalid_option")``.
"""

from typing import Any, Dict, List, Optional, Sequence, Union

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.structures import CaseInsensitiveDict
from requests.utils import requote_uri
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from .client import SignerOwner, Origin, Signer, collect, is_timestamp_rejection
from .errors import SigilError
from .syntax import SIGNATURE_HEADER

__all__ = ["SigilAdapter", "SigilAuth"]

_CHUNK = 64 * 1024


class _State:
    """What one call of SigilAuth remembers across its attempts (never the secret)."""

    __slots__ = ("start", "body", "signed", "clock_retried", "hops")

    def __init__(self, start: Origin, body: Optional[bytes]) -> None:
        self.start, self.body = start, body
        self.signed, self.clock_retried, self.hops = True, False, 0


def _text(value: Union[str, bytes]) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _body_bytes(body: Any, limit: int) -> Optional[bytes]:
    """The exact bytes requests would send; files and generators buffered up to ``limit``."""
    if body is None:
        return None
    if isinstance(body, (bytes, bytearray, memoryview)):
        data = bytes(body)
    elif isinstance(body, str):
        data = body.encode("iso-8859-1")  # what http.client sends for a str body
    elif hasattr(body, "read"):
        data = collect(iter(lambda: bytes(body.read(_CHUNK)), b""), limit)
    else:
        try:
            chunks = iter(body)
        except TypeError:
            raise SigilError("body_unsupported", "the request body is neither bytes, text, a file nor an iterable") from None
        data = collect(chunks, limit)
    if len(data) > limit:
        raise SigilError("body_too_large", f"the body exceeds max_body_bytes={limit}")
    return data


def _retries_enabled(retries: Any) -> bool:
    """urllib3's rule: an int ``total`` decides; ``None`` defers to the other counts; False disables."""
    if not isinstance(retries, Retry) or retries.total is False:
        return False
    if isinstance(retries.total, int):
        return retries.total > 0
    return any(isinstance(c, int) and not isinstance(c, bool) and c > 0
               for c in (retries.connect, retries.read, retries.status, getattr(retries, "other", None)))


class SigilAuth(SignerOwner, AuthBase):
    """Signs every request requests sends with it, SPEC section 8 client rules included.

    ``secret`` is bytes (``sigil.decode_key`` turns text into bytes). Options:
    ``origins`` (required: a list of origins, or ``'*'``), ``headers`` (more
    header names to sign when present; ``host`` always, ``content-type``
    whenever present), ``algorithm``, ``allow_insecure_http``,
    ``max_body_bytes`` (10 MiB), ``max_clock_skew`` (300 s),
    ``max_redirects`` (20), ``follow_redirects`` (True),
    ``cross_origin_redirect`` (``'error'``), ``on_event`` (secret-free
    records), ``clock``, ``verify_responses`` (False; True or
    ``{"require": [header names]}``: every response to a signed request must
    carry a valid Sigil-Response-Signature bound to it, SPEC section 11,
    checked before a redirect is followed or a clock correction learnt; a
    redirect's ``location`` is always required; a failure raises SigilError).
    """

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return id(self)

    # -- signing -------------------------------------------------------------

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        start = self._signer.check(request.url or "", request.method or "GET")  # before reading any body
        state = _State(start, _body_bytes(request.body, self._signer.max_body_bytes))
        self._sign(request, state)
        request._sigil = state  # type: ignore[attr-defined]
        request.register_hook("response", self._on_response)  # type: ignore[no-untyped-call]
        return request

    def _sign(self, request: requests.PreparedRequest, state: _State) -> None:
        body = state.body
        headers = CaseInsensitiveDict({k: _text(v) for k, v in request.headers.items()})
        if body is not None:
            request.body = body
            headers.pop("Transfer-Encoding", None)
            if request.method in ("GET", "HEAD") and not body:
                headers.pop("Content-Length", None)
            else:
                headers["Content-Length"] = str(len(body))
        if not state.signed:
            request.headers = headers
            return
        lines = self._signer.sign(request.method or "GET", request.url or "", request.path_url,
                                  list(headers.items()), body)
        # The Host line is set explicitly, so http.client sends exactly the signed value.
        request.headers = CaseInsensitiveDict(lines)

    def resign(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """A copy of a request this auth signed, with a fresh timestamp and nonce (retries)."""
        state: Optional[_State] = getattr(request, "_sigil", None)
        if state is None:
            raise SigilError("invalid_option", "the request was not signed by this SigilAuth")
        again = request.copy()
        self._sign(again, state)
        again._sigil = state  # type: ignore[attr-defined]
        return again

    # -- after each response -------------------------------------------------

    def _on_response(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        state: Optional[_State] = getattr(response.request, "_sigil", None)
        if state is None:
            return response
        adapter = getattr(response, "connection", None)  # set by HTTPAdapter.build_response
        if not isinstance(adapter, SigilAdapter) and _retries_enabled(getattr(adapter, "max_retries", None)):
            raise SigilError("invalid_option", "urllib3 retries resend a used signature: mount "
                                               "sigil.requests.SigilAdapter(max_retries=...) instead of HTTPAdapter")
        history: List[requests.Response] = []
        while True:
            request = response.request
            if state.signed and self._signer.response_required is not None:
                self._verify(response)  # before a clock is learnt or a redirect followed (SPEC 11.6)
            if state.signed and not state.clock_retried and response.status_code == 401:
                seconds = is_timestamp_rejection(401, response.headers, response.content)
                if seconds is not None:
                    state.clock_retried = True  # once per call
                    if self._signer.learn(Origin.of(request.url or ""), seconds, request.method or "GET", request.url or ""):
                        response.close()
                        response = self._send(adapter, self.resign(request), kwargs)
                        continue
            if not response.is_redirect:
                break
            # requests copies this request to follow a redirect: never with the signature.
            request.headers.pop(SIGNATURE_HEADER, None)
            if not self.follow_redirects:
                break
            history.append(response)
            response = self._follow(adapter, response, state, kwargs)
        response.history = history
        return response

    def _verify(self, response: requests.Response) -> None:
        request = response.request
        body = collect(response.iter_content(65536), self._signer.max_body_bytes) if response.raw is not None else b""
        response._content = body  # buffered once: the caller reads the verified bytes
        raw = getattr(response.raw, "headers", None)
        lines = [(k, v) for k, v in raw.items()] if raw is not None else list(response.headers.items())
        try:
            self._signer.check_response(request.method or "GET", request.url or "", [(k, _text(v)) for k, v in request.headers.items()],
                                        response.status_code, lines, body)
        except SigilError:
            response.close()
            raise

    def _follow(self, adapter: Any, response: requests.Response, state: _State, kwargs: Dict[str, Any]) -> requests.Response:
        request = response.request
        if state.hops >= self._signer.max_redirects:
            response.close()
            raise SigilError("too_many_redirects", f"max_redirects is {self._signer.max_redirects}")
        state.hops += 1
        headers = [(k, _text(v)) for k, v in request.headers.items()]
        method, url, headers, body, signed = self._signer.next_hop(
            response.status_code, response.headers["location"], request.url or "", state.start, request.method or "GET",
            headers, state.body, state.signed)
        response.content  # read, so the connection goes back to the pool
        response.close()
        state.signed, state.body = signed, body
        nxt = requests.PreparedRequest()
        nxt.method, nxt.url, nxt.body, nxt.hooks = method, requote_uri(url), body, {"response": []}
        nxt.headers = CaseInsensitiveDict(headers)
        if body is None:
            nxt.headers.pop("Content-Length", None)
        nxt._sigil = state  # type: ignore[attr-defined]
        self._sign(nxt, state)
        return self._send(adapter, nxt, kwargs)

    @staticmethod
    def _send(adapter: Any, request: requests.PreparedRequest, kwargs: Dict[str, Any]) -> requests.Response:
        response: requests.Response = adapter.send(
            request, **{k: v for k, v in kwargs.items() if k in ("stream", "timeout", "verify", "cert", "proxies")})
        return response


class SigilAdapter(HTTPAdapter):
    """An HTTPAdapter whose retries re-sign: each attempt gets a fresh timestamp and nonce.

    Takes urllib3's ``Retry`` (or an int) as ``max_retries`` and applies it
    at the requests level, so no attempt resends a used signature. Requests
    not signed by a SigilAuth are retried the same way.

        session.mount("https://api.example.com", SigilAdapter(max_retries=Retry(total=3, backoff_factor=0.2,
                                                                               status_forcelist=[502, 503])))
    """

    def __init__(self, max_retries: Union[int, Retry] = 0, **kwargs: Any) -> None:
        super().__init__(max_retries=Retry(0, read=False), **kwargs)
        self.sigil_retries = Retry.from_int(max_retries)

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None, verify: Any = True,
             cert: Any = None, proxies: Any = None) -> requests.Response:
        retries = self.sigil_retries
        attempt = request
        while True:
            try:
                response = super().send(attempt, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
            except (requests.ConnectionError, requests.Timeout) as error:
                cause = error.args[0] if error.args else error
                cause = cause.reason if isinstance(cause, MaxRetryError) else cause
                try:
                    retries = retries.increment(attempt.method, attempt.url, error=cause if isinstance(cause, Exception) else None)
                except Exception:
                    raise error from None
                retries.sleep()
            else:
                has_retry_after = "Retry-After" in response.headers
                if not retries.is_retry(attempt.method or "GET", response.status_code, has_retry_after):
                    return response
                try:
                    retries = retries.increment(attempt.method, attempt.url, response=response.raw)
                except MaxRetryError:
                    if retries.raise_on_status:
                        raise
                    return response
                response.content
                response.close()
                retries.sleep(response.raw)
            auth = _signing_auth(request)
            attempt = auth.resign(attempt) if auth is not None else attempt


def _signing_auth(request: requests.PreparedRequest) -> Optional[SigilAuth]:
    for hook in request.hooks.get("response", []):
        owner = getattr(hook, "__self__", None)
        if isinstance(owner, SigilAuth):
            return owner
    return None

