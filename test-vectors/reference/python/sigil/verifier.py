"""A server-side verifier with policy (SPEC.md section 4, all twelve steps):
transport, the reference checks of steps 2-10, and the nonce store. Framework
neutral and standard library only; sigil/flask.py adapts it to Flask.

The canonical string, parser and MAC are the reference's own (verify.py);
nothing here re-implements them.
"""

import ipaddress
import json
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, Mapping, Optional, Sequence, Tuple, Union

from .canonical import Request
from .encoding import MIN_KEY_BYTES
from .errors import ERROR_STATUS, SigilError, public_code
from .header import parse_signature_header
from .nonce_store import NonceStore
from .syntax import SIGNATURE_HEADER, ascii_lower
from .verify import Key, Policy, verify

Secrets = Union[bytes, Sequence[bytes]]

#: Codes of steps 2-7: decided before the body is read.
_BEFORE_BODY = frozenset({
    "signature_in_query", "signature_missing", "signature_header_malformed", "unsupported_version",
    "unsupported_algorithm", "timestamp_out_of_window", "header_not_signed", "key_unknown",
})


@dataclass(frozen=True)
class Incoming:
    """What an adapter knows about a request. ``read_body(limit)`` is called at most once."""

    method: str
    #: path and query exactly as received (e.g. WSGI RAW_URI)
    target: str
    headers: Sequence[Tuple[str, str]]
    read_body: Callable[[int], bytes]
    content_length: Optional[int] = None
    secure: bool = False
    remote_addr: Optional[str] = None


@dataclass(frozen=True)
class Verified:
    """A verified request. Holds no nonce, MAC or secret: safe to log."""

    key_id: str
    algorithm: str
    timestamp: int
    signed_headers: Tuple[str, ...]
    body: bytes = field(repr=False)


@dataclass(frozen=True)
class Rejected:
    """A rejected request; answer with ``response()``, identical to @sigil/verify's."""

    code: str
    server_time: Optional[int] = None

    @property
    def status(self) -> int:
        return ERROR_STATUS[self.code]

    def response(self) -> Tuple[int, Dict[str, str], bytes]:
        """Status, headers and JSON body: only the public code, never a received value.

        ``WWW-Authenticate: Sigil`` on 401, ``Sigil-Server-Time`` on a timestamp rejection.
        """
        headers = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}
        if self.status == 401:  # RFC 9110 section 11.6.1: every 401 carries a challenge (SPEC 4.1)
            headers["WWW-Authenticate"] = "Sigil"
        if self.server_time is not None:
            headers["Sigil-Server-Time"] = str(self.server_time)
        return self.status, headers, json.dumps({"error": public_code(self.code)}, separators=(",", ":")).encode()


def is_loopback(address: Optional[str]) -> bool:
    """127.0.0.0/8 (IPv4-mapped too) and ::1; the socket's address only, never a header."""
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def _invalid(detail: str) -> SigilError:
    return SigilError("invalid_option", detail)


def _key_table(keys: Mapping[str, Secrets]) -> Dict[str, Tuple[Key, ...]]:
    if not isinstance(keys, Mapping) or not keys:
        raise _invalid("keys must be a non-empty mapping of key id to secret bytes (or a list of them)")
    table = {}
    for key_id, secrets in keys.items():
        items = [secrets] if isinstance(secrets, (bytes, bytearray)) else list(secrets)
        if not items or not all(isinstance(s, (bytes, bytearray)) and len(s) >= MIN_KEY_BYTES for s in items):
            # Strings are refused: the encoding is never guessed (use sigil.decode_key).
            raise _invalid(f"keys[{key_id!r}] must be secret bytes of at least {MIN_KEY_BYTES} bytes, or a list of them")
        table[key_id] = tuple(Key(key_id, bytes(s)) for s in items)
    return table


class Verifier:
    """Verifies requests under a policy; the secure choices are the defaults.

    HTTPS required (loopback peers exempt unless ``trust_proxy``), replays
    refused through ``nonce_store`` (required unless ``replay=False``),
    +-``tolerance`` seconds, ``max_body_bytes`` read at most. Options are
    checked here: a bad one raises ``SigilError("invalid_option")`` naming it.
    """

    def __init__(self, keys: Mapping[str, Secrets], nonce_store: Optional[NonceStore] = None, *, replay: bool = True,
                 tolerance: int = 300, required_headers: Sequence[str] = (), max_body_bytes: int = 1024 * 1024,
                 allow_insecure_http: bool = False, trust_proxy: bool = False,
                 clock: Callable[[], float] = time.time) -> None:
        self._keys = _key_table(keys)
        if replay and not callable(getattr(nonce_store, "check_and_store", None)):
            raise _invalid("nonce_store is required (an object with check_and_store); pass replay=False to turn replay protection off")
        if not replay and nonce_store is not None:
            raise _invalid("nonce_store is given but replay is False")
        if not isinstance(tolerance, int) or isinstance(tolerance, bool) or not 1 <= tolerance <= 86_400:
            raise _invalid("tolerance must be an integer from 1 to 86400 seconds")
        if isinstance(required_headers, str) or not all(isinstance(h, str) and h for h in required_headers):
            raise _invalid("required_headers must be a sequence of header names")
        if not isinstance(max_body_bytes, int) or isinstance(max_body_bytes, bool) or not 0 <= max_body_bytes <= 2 ** 31:
            raise _invalid("max_body_bytes must be an integer from 0 to 2**31")
        if not callable(clock):
            raise _invalid("clock must be a function returning seconds")
        self._store = nonce_store if replay else None
        self._policy = dict(tolerance_seconds=tolerance, required_headers=tuple(ascii_lower(h) for h in required_headers))
        self._max_body = max_body_bytes
        self._insecure_ok = bool(allow_insecure_http)
        self._trust_proxy = bool(trust_proxy)
        self._clock = clock

    def __repr__(self) -> str:
        return f"Verifier(key_ids={sorted(self._keys)!r}, <secrets redacted>)"

    def _transport_ok(self, incoming: Incoming) -> bool:
        if self._insecure_ok:
            return True
        if self._trust_proxy:
            hops = [v for n, v in incoming.headers if ascii_lower(n) == "x-forwarded-proto"]
            if hops:
                return all(h.strip().lower() == "https" for line in hops for h in line.split(","))
            return incoming.secure
        return incoming.secure or is_loopback(incoming.remote_addr)

    def _read_body(self, incoming: Incoming) -> bytes:
        if incoming.content_length is not None and incoming.content_length > self._max_body:
            raise SigilError("body_too_large")
        try:
            body = incoming.read_body(self._max_body)
        except SigilError:
            raise
        except Exception as error:  # a broken or aborted upload
            raise SigilError("body_read_failed") from error
        if len(body) > self._max_body:
            raise SigilError("body_too_large")
        return body

    def _store_nonce(self, key_id: str, nonce: str, timestamp: int) -> None:
        if self._store is None:
            return
        tolerance = self._policy["tolerance_seconds"]
        # Kept until the last millisecond at which step 5 still accepts this ts.
        expires_at_ms = (timestamp + tolerance + 1) * 1000
        # A slow body may have outlived the window: the clock is read again
        # after the body, and a past expiry is refused (SPEC 4 step 12).
        now_ms = self._clock() * 1000
        if now_ms >= expires_at_ms or abs(math.floor(now_ms / 1000) - timestamp) > tolerance:
            raise SigilError("timestamp_out_of_window")
        try:
            fresh = self._store.check_and_store(key_id, nonce, expires_at_ms)
        except SigilError as error:
            raise SigilError("nonce_store_full" if error.code == "nonce_store_full" else "nonce_store_unavailable") from error
        except Exception as error:  # fail closed
            raise SigilError("nonce_store_unavailable") from error
        if fresh is not True:
            raise SigilError("nonce_replayed" if fresh is False else "nonce_store_unavailable")

    def verify(self, incoming: Incoming) -> Union[Verified, Rejected]:
        """Runs SPEC 4 steps 1-12 in order; never raises for a bad request."""
        now = math.floor(self._clock())
        if not self._transport_ok(incoming):
            return Rejected("insecure_transport")
        lines = [v for n, v in incoming.headers if ascii_lower(n) == SIGNATURE_HEADER]
        keys: Tuple[Key, ...] = ()
        if len(lines) == 1:
            try:
                keys = self._keys.get(parse_signature_header(lines[0]).params.key_id, ())
            except SigilError:
                keys = ()  # verify() reports the parse error at its own step
        policy = Policy(now=now, **self._policy)
        try:
            try:  # steps 2-7 without the body: nothing is read for a cheap rejection
                verify(Request(incoming.method, incoming.target, incoming.headers, None), keys, policy)
            except SigilError as error:
                if error.code in _BEFORE_BODY:
                    raise
            body = self._read_body(incoming)  # step 8
            verify(Request(incoming.method, incoming.target, incoming.headers, body), keys, policy)  # steps 9-10
            params = parse_signature_header(lines[0]).params
            self._store_nonce(params.key_id, params.nonce, params.timestamp)  # step 12
        except SigilError as error:
            # Sigil-Server-Time is the clock at the rejection (re-read at step 12).
            late = error.code == "timestamp_out_of_window"
            return Rejected(error.code, math.floor(self._clock()) if late else None)
        return Verified(params.key_id, params.algorithm, params.timestamp, params.headers, body)
