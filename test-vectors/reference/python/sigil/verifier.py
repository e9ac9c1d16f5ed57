"""A server-side verifier with policy (SPEC.md section 4, all twelve steps):
transport, the reference checks of steps 2-10, and the nonce store. Framework
neutral and standard library only; sigil/flask.py adapts it to Flask.

The canonical string, parser and MAC are the reference's own (verify.py);
nothing here re-implements them.
"""

import hmac
import ipaddress
import json
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, TypeVar, Union

from .canonical import Params, Request
from .encoding import b64url_decode
from .errors import ERROR_STATUS, SigilError, public_code
from .header import parse_signature_header
from .keys import ActiveKey, Keys, active_at, in_scope, key_ring
from .nonce_store import NonceStore
from .syntax import LC_TOKEN, MAX_TARGET, METHOD, SIGNATURE_HEADER, TARGET, ascii_lower, matches
from .verify import Key, Policy, check_head, compute_mac, verify


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
    #: Index of the matching key in the list configured (or resolved) for this id: rotation metrics.
    key_index: int = 0


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


@dataclass(frozen=True)
class Pending:
    """A request past steps 1-7, its body still to read (``Verifier.begin``/``finish``)."""

    incoming: Incoming = field(repr=False)
    params: Params = field(repr=False)
    mac: str = field(repr=False)
    found: Tuple[ActiveKey, ...] = field(repr=False)
    active: Tuple[ActiveKey, ...] = field(repr=False)
    policy: Policy = field(repr=False)
    #: Read at most this many bytes plus one.
    body_limit: int
    started: float = field(repr=False)
    progress: Dict[str, str] = field(repr=False)


Result = TypeVar("Result", Verified, Rejected)


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


class Verifier:
    """Verifies requests under a policy; the secure choices are the defaults.

    HTTPS required (loopback peers exempt unless ``trust_proxy``), replays
    refused through ``nonce_store`` (required unless ``replay=False``),
    +-``tolerance`` seconds, ``max_body_bytes`` read at most. Options are
    checked here: a bad one raises ``SigilError("invalid_option")`` naming it.
    """

    def __init__(self, keys: Keys, nonce_store: Optional[NonceStore] = None, *, replay: bool = True,
                 tolerance: int = 300, required_headers: Sequence[str] = (), max_body_bytes: int = 1024 * 1024,
                 allow_insecure_http: bool = False, trust_proxy: bool = False,
                 on_event: Optional[Callable[[Dict[str, Any]], None]] = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._keys = key_ring(keys)
        self._key_ids = sorted(keys) if isinstance(keys, Mapping) else "<resolver>"
        if replay and not callable(getattr(nonce_store, "check_and_store", None)):
            raise _invalid("nonce_store is required (an object with check_and_store); pass replay=False to turn replay protection off")
        if not replay and nonce_store is not None:
            raise _invalid("nonce_store is given but replay is False")
        if not isinstance(tolerance, int) or isinstance(tolerance, bool) or not 1 <= tolerance <= 86_400:
            raise _invalid("tolerance must be an integer from 1 to 86400 seconds")
        if isinstance(required_headers, str) or not all(isinstance(h, str) and matches(LC_TOKEN, ascii_lower(h)) for h in required_headers):
            raise _invalid("required_headers must be a sequence of header names")
        if not isinstance(max_body_bytes, int) or isinstance(max_body_bytes, bool) or not 0 <= max_body_bytes <= 2 ** 31:
            raise _invalid("max_body_bytes must be an integer from 0 to 2**31")
        if on_event is not None and not callable(on_event):
            raise _invalid("on_event must be a function")
        if not callable(clock):
            raise _invalid("clock must be a function returning seconds")
        self._on_event = on_event
        self._store = nonce_store if replay else None
        self._tolerance = tolerance
        self._required = tuple(ascii_lower(h) for h in required_headers)
        self._max_body = max_body_bytes
        self._insecure_ok = bool(allow_insecure_http)
        self._trust_proxy = bool(trust_proxy)
        self._clock = clock

    def __repr__(self) -> str:
        return f"Verifier(key_ids={self._key_ids!r}, <secrets redacted>)"

    def _transport_ok(self, incoming: Incoming) -> bool:
        if self._insecure_ok:
            return True
        if self._trust_proxy:
            hops = [v for n, v in incoming.headers if ascii_lower(n) == "x-forwarded-proto"]
            if hops:
                return all(h.strip().lower() == "https" for line in hops for h in line.split(","))
            return incoming.secure
        return incoming.secure or is_loopback(incoming.remote_addr)

    def _store_nonce(self, key_id: str, nonce: str, timestamp: int) -> None:
        if self._store is None:
            return
        tolerance = self._tolerance
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
        """Runs SPEC 4 steps 1-12 in order; never raises for a bad request.

        Raises ``SigilError("invalid_option")`` only when a key resolver
        answers with something that is not a key (a configuration bug).
        """
        pending = self.begin(incoming)
        if isinstance(pending, Rejected):
            return pending
        try:
            body: Optional[bytes] = incoming.read_body(self._max_body)
        except SigilError as error:  # a reader may enforce the limit itself
            return self.finish(pending, None, too_large=error.code == "body_too_large")
        except Exception:  # a broken or aborted upload
            body = None
        return self.finish(pending, body)

    def begin(self, incoming: Incoming) -> Union["Pending", Rejected]:
        """Steps 1-7 and the declared length of step 8, before any byte of the body.

        For adapters that read the body themselves (sigil.asgi reads it on the
        event loop, holding no thread): read at most ``pending.body_limit + 1``
        bytes, then call ``finish``. ``incoming.read_body`` is not called.
        """
        started = time.perf_counter()
        progress: Dict[str, str] = {}
        now_ms = self._clock() * 1000
        if not self._transport_ok(incoming):
            return self._done(incoming, progress, Rejected("insecure_transport"), started)
        policy = Policy(now=math.floor(now_ms / 1000), tolerance_seconds=self._tolerance, required_headers=self._required)
        try:
            try:  # steps 2-6 without keys or body: nothing is looked up or read for a cheap rejection
                check_head(Request(incoming.method, incoming.target, incoming.headers, None), policy)
            except SigilError as error:
                if error.code in _AFTER_PARSE:  # the header parsed: events name its key id, as @sigil/verify's do
                    progress["keyId"] = parse_signature_header(_signature_line(incoming)).params.key_id
                raise
            signature = parse_signature_header(_signature_line(incoming))
            progress["keyId"] = signature.params.key_id
            found = self._keys(signature.params.key_id)  # step 7; resolvers fail closed
            active = active_at(found, now_ms)  # none: key_unknown, but only after the body (steps 8-10)
            if incoming.content_length is not None and incoming.content_length > self._max_body:
                raise SigilError("body_too_large")  # step 8, before reading
        except SigilError as error:
            return self._done(incoming, progress, self._rejected(error), started)
        return Pending(incoming, signature.params, signature.mac, found, active, policy, self._max_body, started, progress)

    def finish(self, pending: "Pending", body: Optional[bytes], *, too_large: bool = False) -> Union[Verified, Rejected]:
        """Steps 8 (the bytes read; ``None`` when the read failed, with ``too_large`` when it failed on the limit) to 12."""
        incoming, params = pending.incoming, pending.params
        try:
            if body is None:
                raise SigilError("body_too_large" if too_large else "body_read_failed")
            if len(body) > self._max_body:
                raise SigilError("body_too_large")
            received = Request(incoming.method, incoming.target, incoming.headers, body)
            if not pending.active:
                # An unknown key id reads the body, builds the canonical string
                # and MACs against a decoy key, so it answers like a bad MAC
                # (SPEC 4 step 7); only then is it key_unknown.
                try:
                    verify(received, [Key(params.key_id, _DECOY_SECRET)], pending.policy)
                except SigilError as error:
                    if error.code != "signature_invalid":
                        raise
                raise SigilError("key_unknown")
            canonical = verify(received, [Key(params.key_id, k.secret) for k in pending.active], pending.policy)  # steps 9-10
            matched = _matching(pending.active, params.algorithm, canonical, pending.mac)
            if not in_scope(matched, incoming.method, incoming.target):  # step 11
                raise SigilError("key_scope_denied")
            self._store_nonce(params.key_id, params.nonce, params.timestamp)  # step 12
        except SigilError as error:
            return self._done(incoming, pending.progress, self._rejected(error), pending.started)
        verified = Verified(params.key_id, params.algorithm, params.timestamp, params.headers, body,
                            pending.found.index(matched))
        return self._done(incoming, pending.progress, verified, pending.started)

    def _rejected(self, error: SigilError) -> Rejected:
        if error.code == "invalid_option":
            raise error  # a resolver answered with something that is not a key
        # Sigil-Server-Time is the clock at the rejection (re-read at step 12).
        late = error.code == "timestamp_out_of_window"
        return Rejected(error.code, math.floor(self._clock()) if late else None)

    def _done(self, incoming: Incoming, progress: Dict[str, str], result: Result, started: float) -> Result:
        if self._on_event is not None:
            self._emit(incoming, progress, result, started)
        return result

    def _emit(self, incoming: Incoming, progress: Dict[str, str], result: Union[Verified, Rejected], started: float) -> None:
        """One secret-free record per verification, the fields of @sigil/verify's events."""
        event: Dict[str, Any] = {"type": "accepted" if isinstance(result, Verified) else "rejected"}
        if isinstance(result, Rejected):
            event["code"] = result.code
        if "keyId" in progress:
            event["keyId"] = progress["keyId"]
        if isinstance(incoming.method, str) and matches(METHOD, incoming.method):
            event["method"] = incoming.method
        if isinstance(incoming.target, str) and matches(TARGET, incoming.target) and len(incoming.target) <= MAX_TARGET:
            event["path"] = incoming.target.split("?", 1)[0]
        event["latencyMs"] = (time.perf_counter() - started) * 1000
        try:
            self._on_event(event)  # type: ignore[misc]
        except Exception:
            pass  # a failing metrics hook never changes a verification result


#: A random key no client holds: what an unknown key id is MACed against.
_DECOY_SECRET = os.urandom(32)

#: Codes of steps 5-7: the signature header parsed.
_AFTER_PARSE = frozenset({"timestamp_out_of_window", "header_not_signed", "key_unknown"})


def _signature_line(incoming: Incoming) -> str:
    return [v for n, v in incoming.headers if ascii_lower(n) == SIGNATURE_HEADER][0]


def _matching(active: Sequence[ActiveKey], algorithm: str, canonical: str, mac: str) -> ActiveKey:
    """The key whose MAC matched (steps 9-10 already proved one did), for its scope and index."""
    received = b64url_decode(mac) or b""
    for key in active:
        if hmac.compare_digest(compute_mac(key.secret, algorithm, canonical), received):
            return key
    raise SigilError("signature_invalid")  # pragma: no cover - verify() raised first
