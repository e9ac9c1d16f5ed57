"""The client rules of SPEC.md section 8, once, for every Python signing
client (sigil.requests, sigil.httpx). Standard library only.

A ``Signer`` holds the key and decides everything that does not depend on
the HTTP library: which origins the key may reach, whether the transport is
acceptable, the exact Host and target to sign, a fresh timestamp and nonce
per attempt, the clock offset learned from ``Sigil-Server-Time`` (bounded,
and only over TLS or loopback), what a redirect becomes, and the
secret-free events. The adapters only turn their library's request into
``(method, url, headers, body bytes)`` and send what the signer returns.
"""

import ipaddress
import json
import math
import os
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple, Union
from urllib.parse import urlsplit

from .canonical import Request
from .encoding import MAX_KEY_BYTES, MIN_KEY_BYTES, b64url_encode
from .errors import SigilError
from .syntax import KEY_ID, LC_TOKEN, SIGNATURE_HEADER, ascii_lower, matches
from .header import parse_signature_header
from .response import BoundRequest, Response, verify_response
from .verify import Key, sign

Header = Tuple[str, str]
Event = Dict[str, Any]

#: Statuses a client follows (Fetch "redirect status").
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Headers that describe a body: dropped with it when a redirect turns into a GET.
_BODY_HEADERS = frozenset({"content-encoding", "content-language", "content-location", "content-type",
                           "content-length", "content-digest", "transfer-encoding"})
#: Never sent to another origin on a redirect followed unsigned.
_CREDENTIALS = frozenset({SIGNATURE_HEADER, "authorization", "cookie", "proxy-authorization", "signature",
                          "signature-input"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_ORIGINS = 1024
_SERVER_TIME_DIGITS = 12


def _invalid(detail: str) -> SigilError:
    return SigilError("invalid_option", detail)


class Origin:
    """``scheme://host[:port]`` of a URL, default ports dropped, host lowercased."""

    __slots__ = ("scheme", "host", "port")

    def __init__(self, scheme: str, host: str, port: int) -> None:
        self.scheme, self.host, self.port = scheme, host, port

    @classmethod
    def of(cls, url: str) -> "Origin":
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise SigilError("invalid_option", "the URL is not valid") from None
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").rstrip(".") if parts.hostname else ""
        if scheme not in _DEFAULT_PORTS or not host:
            raise SigilError("insecure_transport", "only http: and https: URLs with a host can be signed")
        return cls(scheme, host, port if port is not None else _DEFAULT_PORTS[scheme])

    @property
    def netloc(self) -> str:
        """The Host field value a client sends: host, and the port unless default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.netloc}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Origin) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


def is_loopback_host(host: str) -> bool:
    """``localhost``, ``*.localhost`` (RFC 6761), 127.0.0.0/8 and ``::1``: never leave the machine."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_transport(origin: Origin, allow_insecure_http: bool) -> None:
    """``insecure_transport`` unless https, or http to loopback, or explicitly allowed."""
    if origin.scheme == "https" or allow_insecure_http or is_loopback_host(origin.host):
        return
    raise SigilError("insecure_transport", "http: is allowed only to loopback hosts or with allow_insecure_http=True")


class OriginPolicy:
    """Where the key may go: exact origins and ``https://*.example.com`` wildcards, or ``'*'``."""

    def __init__(self, origins: Union[str, Sequence[str]], allow_insecure_http: bool) -> None:
        self.any = origins == "*"
        self.exact: Set[str] = set()
        self.wildcards: List[Tuple[str, int, str]] = []
        if self.any:
            return
        if isinstance(origins, str) or not isinstance(origins, (list, tuple)) or not origins:
            raise _invalid("origins must be a non-empty list of origins such as ['https://api.example.com'], "
                           "or '*' written out to allow every origin")
        for index, text in enumerate(origins):
            self._add(index, text, allow_insecure_http)

    def _add(self, index: int, text: object, allow_insecure_http: bool) -> None:
        where = f"origins[{index}]"
        if text == "*":
            raise _invalid(f"{where} is '*': to allow every origin pass origins='*' (a string, not a list)")
        if not isinstance(text, str):
            raise _invalid(f"{where} must be a string")
        parts = urlsplit(text)
        if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc or text.endswith(("?", "#")):
            raise _invalid(f"{where} must be an origin such as https://api.example.com (no path, query or credentials)")
        wildcard = parts.hostname is not None and parts.hostname.startswith("*.")
        try:
            origin = Origin.of(text.replace("*.", "wildcard.", 1) if wildcard else text)
            check_transport(origin, allow_insecure_http)
        except SigilError as error:
            raise _invalid(f"{where} is refused: {error}") from None
        if not wildcard:
            if "*" in text:
                raise _invalid(f"{where} may use '*' only as the whole first label, as in https://*.example.com")
            self.exact.add(str(origin))
            return
        suffix = origin.host[len("wildcard."):]
        if "*" in suffix or "." not in suffix.strip("."):
            raise _invalid(f"{where} may use '*' only as the whole first label over a domain, as in https://*.example.com")
        self.wildcards.append((origin.scheme, origin.port, suffix))

    def allows(self, origin: Origin) -> bool:
        if self.any or str(origin) in self.exact:
            return True
        return any(scheme == origin.scheme and port == origin.port and origin.host.endswith("." + suffix)
                   and len(origin.host) > len(suffix) + 1 for scheme, port, suffix in self.wildcards)

    def describe(self) -> Union[str, List[str]]:
        return "*" if self.any else sorted(self.exact) + [f"{s}://*.{x}" + ("" if p == _DEFAULT_PORTS[s] else f":{p}")
                                                         for s, p, x in self.wildcards]


def server_time(value: Optional[str]) -> Optional[int]:
    """A well-formed ``Sigil-Server-Time`` (Unix seconds), else None."""
    text = (value or "").strip()
    if not text.isdigit() or not text.isascii() or len(text) > _SERVER_TIME_DIGITS or (len(text) > 1 and text[0] == "0"):
        return None
    return int(text)


def is_timestamp_rejection(status: int, headers: Mapping[str, str], body: bytes) -> Optional[int]:
    """The server's clock when a 401 is the verifier's timestamp rejection, else None."""
    if status != 401:
        return None
    seconds = server_time(headers.get("sigil-server-time"))
    if seconds is None:
        return None
    try:
        code = json.loads(body[:16 * 1024].decode("utf-8")).get("error")
    except (ValueError, AttributeError):
        code = None  # an unreadable body does not contradict the header
    return None if isinstance(code, str) and code != "timestamp_out_of_window" else seconds


def without(headers: Iterable[Header], names: Iterable[str]) -> List[Header]:
    drop = frozenset(names)
    return [(n, v) for n, v in headers if ascii_lower(n) not in drop]


def redirect_request(status: int, method: str, headers: Sequence[Header], body: Optional[bytes]
                     ) -> Tuple[str, List[Header], Optional[bytes]]:
    """Fetch's rule: 301/302 turn a POST into a GET, 303 anything but GET/HEAD; 307/308 keep all."""
    if ((status in (301, 302) and method == "POST") or (status == 303 and method not in ("GET", "HEAD"))):
        return "GET", without(headers, _BODY_HEADERS), None
    return method, list(headers), body


class _Secret:
    """Secret bytes behind a face that shows nothing (repr, vars(), logs with locals)."""

    __slots__ = ("_bytes",)

    def __init__(self, data: bytes) -> None:
        self._bytes = bytes(data)

    def reveal(self) -> bytes:
        return self._bytes

    def __repr__(self) -> str:
        return "<redacted>"

    def __reduce__(self) -> Any:
        raise TypeError("a Sigil secret cannot be pickled")


class Signer:
    """The key and the client policy; one per ``SigilAuth``. Thread-safe.

    Never shows the secret: ``repr`` and every error and event are secret-free.
    """

    def __init__(self, key_id: str, secret: bytes, *, origins: Union[str, Sequence[str]],
                 headers: Sequence[str] = (), algorithm: str = "hmac-sha256", allow_insecure_http: bool = False,
                 max_body_bytes: int = 10 * 1024 * 1024, max_clock_skew: int = 300, max_redirects: int = 20,
                 cross_origin_redirect: str = "error", on_event: Optional[Callable[[Event], None]] = None,
                 clock: Callable[[], float] = time.time, verify_responses: Any = False) -> None:
        if not isinstance(key_id, str) or not matches(KEY_ID, key_id):
            raise _invalid("key_id must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ : -")
        if not isinstance(secret, (bytes, bytearray)) or not MIN_KEY_BYTES <= len(secret) <= MAX_KEY_BYTES:
            # Text is refused: its encoding is never guessed (use sigil.decode_key).
            raise SigilError("invalid_key", f"secret must be {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes (decode text with sigil.decode_key)")
        if algorithm not in ("hmac-sha256", "hmac-sha512"):
            raise _invalid("algorithm must be 'hmac-sha256' or 'hmac-sha512'")
        if isinstance(headers, str) or not all(isinstance(h, str) and matches(LC_TOKEN, ascii_lower(h)) for h in headers):
            raise _invalid("headers must be a list of header names")
        for name, value, low, high in (("max_body_bytes", max_body_bytes, 0, 2 ** 40), ("max_clock_skew", max_clock_skew, 0, 86_400),
                                       ("max_redirects", max_redirects, 0, 20)):
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise _invalid(f"{name} must be an integer from {low} to {high}")
        if cross_origin_redirect not in ("error", "follow-unsigned"):
            raise _invalid("cross_origin_redirect must be 'error' or 'follow-unsigned'")
        if on_event is not None and not callable(on_event):
            raise _invalid("on_event must be a function")
        if not callable(clock):
            raise _invalid("clock must be a function returning seconds")
        self.key_id = key_id
        self.__secret = _Secret(secret)
        self.origins = OriginPolicy(origins, bool(allow_insecure_http))
        self.headers = tuple(sorted({ascii_lower(h) for h in headers} - {"host"}))
        self.algorithm = algorithm
        self.allow_insecure_http = bool(allow_insecure_http)
        self.max_body_bytes = max_body_bytes
        self.max_clock_skew = max_clock_skew
        self.max_redirects = max_redirects
        self.cross_origin_redirect = cross_origin_redirect
        self._on_event = on_event
        self._clock = clock
        #: None: responses are not verified; else the response headers required signed besides content-type (SPEC 11.6).
        self.response_required = _response_policy(verify_responses)
        self._offsets: "OrderedDict[str, int]" = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Signer(key_id={self.key_id!r}, origins={self.origins.describe()!r}, secret=<redacted>)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a Sigil signer holds a secret and cannot be pickled")

    # -- where the key may go -------------------------------------------------

    def check(self, url: str, method: str = "GET") -> Origin:
        """Refuses, before anything is sent, an origin the key is not bound to or a cleartext one."""
        origin = Origin.of(url)
        if not self.origins.allows(origin):
            self.event("refused", method, origin, url, code="origin_not_allowed")
            raise SigilError("origin_not_allowed", "add the origin to origins")
        try:
            check_transport(origin, self.allow_insecure_http)
        except SigilError:
            self.event("refused", method, origin, url, code="insecure_transport")
            raise
        return origin

    # -- the clock ------------------------------------------------------------

    def _local_seconds(self) -> int:
        now = self._clock()
        if not isinstance(now, (int, float)) or isinstance(now, bool) or not math.isfinite(now) or now < 0:
            raise _invalid("clock must return seconds since the Unix epoch")
        return math.floor(now)

    def offset(self, origin: Origin) -> int:
        with self._lock:
            return self._offsets.get(str(origin), 0)

    def learn(self, origin: Origin, seconds: int, method: str, url: str) -> bool:
        """Learns the server's clock from a timestamp rejection; False when refused.

        Refused unless the response came over TLS or from loopback (a plaintext
        hop could shift the clock), or when the correction exceeds
        ``max_clock_skew`` (a captured retry signed a month ahead would be
        accepted a month later).
        """
        if origin.scheme != "https" and not is_loopback_host(origin.host):
            self.event("clock_refused", method, origin, url, reason="insecure")
            return False
        offset = seconds - self._local_seconds()
        if abs(offset) > self.max_clock_skew:
            self.event("clock_refused", method, origin, url, reason="too_far")
            return False
        with self._lock:
            self._offsets.pop(str(origin), None)
            if len(self._offsets) >= _MAX_ORIGINS:
                self._offsets.popitem(last=False)
            self._offsets[str(origin)] = offset
        self.event("retry", method, origin, url, code="timestamp_out_of_window", status=401)
        return True

    # -- signing --------------------------------------------------------------

    def sign(self, method: str, url: str, target: str, headers: Sequence[Header], body: Optional[bytes]) -> List[Header]:
        """The header lines to send: ``headers`` without any stale signature, a Host
        line (the one given, else the URL's), and a fresh ``Sigil-Signature``.

        ``target`` is the origin-form target exactly as the library sends it.
        """
        origin = self.check(url, method)
        lines = without(headers, (SIGNATURE_HEADER,))
        if not any(ascii_lower(n) == "host" for n, _ in lines):
            lines.insert(0, ("Host", origin.netloc))
        present = {ascii_lower(n) for n, _ in lines}
        names = [n for n in ("content-type", *self.headers) if n in present]
        nonce = b64url_encode(os.urandom(16))
        timestamp = self._local_seconds() + self.offset(origin)
        signed = sign(Request(method, target, lines, body if body is not None else b""), self.__secret.reveal(), self.key_id,
                      timestamp, nonce, self.algorithm, names)
        self.event("signed", method, origin, url)
        return [*lines, ("Sigil-Signature", signed.header)]

    def next_hop(self, status: int, location: str, current: str, start: Origin, method: str,
                 headers: Sequence[Header], body: Optional[bytes], signed: bool
                 ) -> Tuple[str, str, List[Header], Optional[bytes], bool]:
        """The request a redirect leads to, and whether it is signed.

        Same origin as the first request: re-signed by the caller. Another
        origin: ``redirect_cross_origin`` (``origin_not_allowed`` when the key
        may not go there at all), or with ``cross_origin_redirect='follow-unsigned'``
        followed without the signature or any credential, for good.
        """
        from urllib.parse import urljoin

        url = urljoin(current, location)
        method, headers, body = redirect_request(status, method, headers, body)
        headers = without(headers, ("host",))
        try:
            origin = Origin.of(url)
        except SigilError:
            raise SigilError("redirect_cross_origin", "the redirect leads to a URL that cannot be signed") from None
        if signed and origin != start:
            if self.cross_origin_redirect == "error":
                code = "origin_not_allowed" if not self.origins.allows(origin) else "redirect_cross_origin"
                self.event("refused", method, origin, url, code=code)
                raise SigilError(code, "a signature is never forwarded to another origin "
                                       "(cross_origin_redirect='follow-unsigned' follows it unsigned)")
            signed = False
            headers = without(headers, _CREDENTIALS)
        self.event("redirect", method, origin, url, status=status, signed=signed)
        return method, url, headers, body, signed

    def check_response(self, method: str, url: str, sent: Sequence[Header], status: int, headers: Sequence[Header],
                       body: Optional[bytes]) -> None:
        """Verify a response against the request this signer sent (SPEC 11.6), before anything acts on it.

        The request's nonce and MAC come from ``sent``, the field lines this
        client sent, never from the response. Raises SigilError (no body or
        header value in it) and reports the verdict to ``on_event``.
        """
        origin = Origin.of(url)
        required = self.response_required or ()
        if status in (301, 302, 303, 307, 308):
            required = (*required, "location")  # a redirect is followed only where the server said
        if status == 401 and self.max_clock_skew > 0 and any(ascii_lower(n) == "sigil-server-time" for n, _ in headers):
            required = (*required, "sigil-server-time")  # a clock is learnt only from what the server signed
        try:
            mine = [v for n, v in sent if ascii_lower(n) == SIGNATURE_HEADER]
            params = parse_signature_header(mine[0])
            bound = BoundRequest(params.params.nonce, params.mac)
            verify_response(Response(status, list(headers), body), [Key(self.key_id, self.__secret.reveal())], bound,
                            self._local_seconds() + self.offset(origin), self.max_clock_skew or 300, required)
        except SigilError as error:
            self.event("response-refused", method, origin, url, code=error.code)
            raise SigilError(error.code) from None
        self.event("response-verified", method, origin, url)

    # -- events ---------------------------------------------------------------

    def event(self, kind: str, method: str, origin: Origin, url: str, **extra: Any) -> None:
        """One secret-free record: no secret, MAC, nonce, header value, body or query."""
        if self._on_event is None:
            return
        record: Event = {"type": kind, "keyId": self.key_id, "method": method, "origin": str(origin),
                         "path": urlsplit(url).path or "/", **extra}
        try:
            self._on_event(record)
        except Exception:  # a failing hook never changes what the client does
            pass


class SignerOwner:
    """What every SigilAuth shares: the signer it owns, and a face that never shows the secret."""

    def __init__(self, key_id: str, secret: bytes, *, origins: Union[str, Sequence[str]],
                 follow_redirects: bool = True, **options: Any) -> None:
        self._signer = Signer(key_id, secret, origins=origins, **options)
        #: Follow redirects itself: same origin re-signed, another origin per cross_origin_redirect.
        self.follow_redirects = bool(follow_redirects)

    @property
    def key_id(self) -> str:
        return self._signer.key_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}(key_id={self.key_id!r}, origins={self._signer.origins.describe()!r}, secret=<redacted>)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError(f"{type(self).__name__} holds a secret and cannot be pickled")


def collect(chunks: Iterable[Union[bytes, bytearray, memoryview, str]], limit: int) -> bytes:
    """Buffers a streamed body, failing with ``body_too_large`` as soon as it passes ``limit``."""
    parts: List[bytes] = []
    size = 0
    for chunk in chunks:
        data = chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
        size += len(data)
        if size > limit:
            raise SigilError("body_too_large", f"the streamed body exceeds max_body_bytes={limit}; buffer it or raise the limit")
        parts.append(data)
    return b"".join(parts)


def _response_policy(option: Any) -> Optional[Tuple[str, ...]]:
    """``verify_responses``: False (off), True, or ``{"require": [header names]}``."""
    if option is False or option is None:
        return None
    if option is True:
        return ()
    if isinstance(option, Mapping) and set(option) <= {"require"}:
        names = option.get("require", ())
        if not isinstance(names, str) and all(isinstance(n, str) and matches(LC_TOKEN, ascii_lower(n)) for n in names):
            return tuple(ascii_lower(n) for n in names)
    raise _invalid("verify_responses must be True, False or {'require': [header names]}")
