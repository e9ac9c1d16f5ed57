"""A server-side verifier with policy (SPEC.md section 4, all twelve steps):
transport, the reference checks of steps 2-10, and the nonce store. Framework
neutral and standard library only; sigil/flask.py adapts it to Flask.

Schemes, as @sigil/verify's ``schemes`` option: ``"v1"`` (the default),
``"rfc9421"`` (SPEC section 9.10, steps in sigil/scheme_rfc9421.py) and
webhook schemes (SPEC section 10, ``sigil.webhooks.standard_webhooks(...)``
and the others), all through the same transport, body, event and nonce
store steps. The canonical string, parser and MAC are the reference's own
(verify.py, sigil_rfc9421, webhooks.py); nothing here re-implements them.
"""

import hmac
import ipaddress
import json
import math
import os
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

from . import scheme_rfc9421
from .canonical import Params, Request, canonicalize
from .encoding import b64url_decode
from .errors import ERROR_STATUS, SigilError, public_code
from .header import parse_signature_header
from .keys import ActiveKey, Keys, active_at, in_scope, key_ring
from .nonce_store import NonceStore
from .query import has_signature_in_query
from .scheme_rfc9421 import Rfc9421Options, Rfc9421Signature
from .syntax import LC_TOKEN, MAX_TARGET, METHOD, SIGNATURE_HEADER, TARGET, ascii_lower, matches
from .response import BoundRequest
from .verify import Key, Policy, check_head, compute_mac, declares_content, verify
from .webhooks import Claim, WebhookError, WebhookScheme


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
    """A verified request. Holds no secret; its request nonce and MAC (``bound``) stay out of repr: safe to log."""

    key_id: str
    algorithm: str
    timestamp: int
    signed_headers: Tuple[str, ...]
    body: bytes = field(repr=False)
    #: Index of the matching key in the list configured (or resolved) for this id: rotation metrics.
    key_index: int = 0
    #: ``"v1"`` or ``"rfc9421"``.
    scheme: str = "v1"
    #: RFC 9421: the covered components, serialised, in signed order (``signed_headers`` are their fields).
    components: Tuple[str, ...] = ()
    #: RFC 9421: the label of the verified signature.
    label: Optional[str] = None
    #: RFC 9421: the signature's ``expires``, when it has one.
    expires: Optional[int] = None
    #: v1: the request's nonce and MAC, to bind a signed response to it (SPEC 11). Not secret; kept out of repr.
    bound: Optional[BoundRequest] = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class VerifiedWebhook:
    """A verified webhook delivery (SPEC section 10). Holds no signature or secret: safe to log.

    ``message_id`` is the sender's id; for GitHub and Shopify it is NOT covered
    by the MAC (``id_signed`` False), so replay was keyed on the signed content.
    """

    scheme: str
    #: Index of the secret that matched, in configuration order (rotation metrics).
    secret_index: int
    #: The signed timestamp (None for GitHub and Shopify, which sign none).
    timestamp: Optional[int]
    message_id: Optional[str]
    id_signed: bool
    #: What the delivery was remembered by: ``"id"`` (the signed id) or ``"content"`` (the signed bytes).
    replay_source: str
    body: bytes = field(repr=False)


@dataclass(frozen=True)
class Binding:
    """What an answer to a v1 request is signed with (SPEC 11.5): the key it was verified under, the request's nonce and MAC.

    Not secret, but kept out of every repr, like ``Verified.bound``.
    """

    key_id: str
    algorithm: str
    #: Index of the matching key in the list configured (or resolved) for this id.
    key_index: int
    request: BoundRequest = field(repr=False)


@dataclass(frozen=True)
class Rejected:
    """A rejected request; answer with ``response()``, identical to @sigil/verify's."""

    code: str
    server_time: Optional[int] = None
    #: Set when the request's key was known and its MAC verified (SPEC 11.5): a signed answer can be bound to it.
    binding: Optional[Binding] = field(default=None, repr=False, compare=False)

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
    #: The parsed signature: v1 parameters (with ``mac``), an RFC 9421 signature, or a webhook claim.
    params: Union[Params, Rfc9421Signature, Claim] = field(repr=False)
    mac: str = field(repr=False)
    found: Tuple[ActiveKey, ...] = field(repr=False)
    active: Tuple[ActiveKey, ...] = field(repr=False)
    policy: Policy = field(repr=False)
    #: Read at most this many bytes plus one.
    body_limit: int
    started: float = field(repr=False)
    progress: Dict[str, str] = field(repr=False)
    #: The early failure (step 5's ``timestamp_out_of_window`` or step 6's ``header_not_signed``) of a v1
    #: request checked on through its MAC only to bind its 401 (SPEC 11.5), else None.
    held: Optional[str] = None


class _BoundFailure(Exception):
    """A failure after the MAC verified: its answer can be signed (SPEC 11.5)."""

    def __init__(self, error: SigilError, binding: Binding) -> None:
        super().__init__(error.code)
        self.error = error
        self.binding = binding


Result = TypeVar("Result", bound=Union[Verified, VerifiedWebhook, Rejected])
Scheme = Union[str, WebhookScheme]


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

    ``schemes`` (default ``["v1"]``) lists what is accepted: ``"v1"``,
    ``"rfc9421"`` (with ``rfc9421=Rfc9421Options(...)`` or a dict of its
    fields), and webhook schemes from ``sigil.webhooks``
    (``standard_webhooks(secrets)``, ``stripe``, ``github``, ``slack``,
    ``shopify``), which need no ``keys``. A request carrying the signature
    fields of two accepted schemes is refused (``signature_header_malformed``).
    """

    def __init__(self, keys: Optional[Keys] = None, nonce_store: Optional[NonceStore] = None, *, replay: bool = True,
                 tolerance: int = 300, required_headers: Sequence[str] = (), max_body_bytes: int = 1024 * 1024,
                 allow_insecure_http: bool = False, trust_proxy: bool = False,
                 schemes: Sequence[Scheme] = ("v1",), rfc9421: Union[Rfc9421Options, Mapping[str, Any], None] = None,
                 allow_unsigned_content_type: bool = False,
                 on_event: Optional[Callable[[Dict[str, Any]], None]] = None,
                 clock: Callable[[], float] = time.time) -> None:
        names = [s if isinstance(s, str) else getattr(s, "name", None) for s in schemes] if not isinstance(schemes, str) else []
        if not names or not all(n in ("v1", "rfc9421") or isinstance(s, WebhookScheme) for n, s in zip(names, schemes)):
            raise _invalid("schemes must be a non-empty list of 'v1', 'rfc9421' and sigil.webhooks schemes")
        if len(set(names)) != len(names):
            raise _invalid("schemes lists a scheme more than once")
        self._schemes = frozenset(n for n in names if n in ("v1", "rfc9421"))
        self._webhooks: Tuple[WebhookScheme, ...] = tuple(s for s in schemes if isinstance(s, WebhookScheme))
        if rfc9421 is not None and "rfc9421" not in self._schemes:
            raise _invalid("rfc9421 is given but schemes does not include 'rfc9421'")
        try:
            self._rfc9421 = rfc9421 if isinstance(rfc9421, Rfc9421Options) else Rfc9421Options(**dict(rfc9421 or {}))
        except TypeError:
            raise _invalid("rfc9421 takes required_components, label, tag, structured_fields, allow_unsigned_content") from None
        if keys is None and self._schemes:
            raise _invalid("keys are required for the v1 and rfc9421 schemes")
        self._keys: Callable[[str], Tuple[ActiveKey, ...]] = key_ring(keys) if keys is not None else _no_keys
        self._key_ids = sorted(keys) if isinstance(keys, Mapping) else "<resolver>" if keys is not None else []
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
        if not isinstance(allow_unsigned_content_type, bool):
            raise _invalid("allow_unsigned_content_type must be a boolean")
        if on_event is not None and not callable(on_event):
            raise _invalid("on_event must be a function")
        if not callable(clock):
            raise _invalid("clock must be a function returning seconds")
        self._on_event = on_event
        self._store = nonce_store if replay else None
        self._tolerance = tolerance
        self._required = tuple(ascii_lower(h) for h in required_headers)
        self._unsigned_type_ok = allow_unsigned_content_type
        self._max_body = max_body_bytes
        self._insecure_ok = bool(allow_insecure_http)
        self._trust_proxy = bool(trust_proxy)
        self._clock = clock

    def __repr__(self) -> str:
        webhooks = "".join(f", {w.name}" for w in self._webhooks)
        return f"Verifier(key_ids={self._key_ids!r}, schemes=[{', '.join(sorted(self._schemes))}{webhooks}], <secrets redacted>)"

    def _forwarded_https(self, incoming: Incoming) -> Optional[bool]:
        hops = [v for n, v in incoming.headers if ascii_lower(n) == "x-forwarded-proto"]
        if not hops:
            return None
        return all(h.strip().lower() == "https" for line in hops for h in line.split(","))

    def _request_scheme(self, incoming: Incoming) -> str:
        """The scheme the client used, as far as it can be trusted: what RFC 9421's @scheme and @target-uri read."""
        forwarded = self._forwarded_https(incoming) if self._trust_proxy else None
        return "https" if (incoming.secure if forwarded is None else forwarded) else "http"

    def _transport_ok(self, incoming: Incoming) -> bool:
        if self._insecure_ok:
            return True
        if self._trust_proxy:
            return self._request_scheme(incoming) == "https"
        return incoming.secure or is_loopback(incoming.remote_addr)

    def _transport_hint(self, incoming: Incoming) -> str:
        """Why step 1 refused, and what to change (SPEC 4.1): for events. Names the setting, never a received value."""
        if self._trust_proxy:
            return ("trustProxy is set and X-Forwarded-Proto does not say https for every hop: "
                    "have the TLS-terminating proxy send X-Forwarded-Proto: https")
        if not incoming.remote_addr:
            return ("plain HTTP and the peer address is unknown, so the loopback exemption cannot apply: give the adapter "
                    "the connection (remoteAddress: Bun server.requestIP(req), Deno info.remoteAddr), serve HTTPS, "
                    "or set allowInsecureHttp for local development")
        return ("plain HTTP from a peer that is not loopback: serve HTTPS (behind a TLS-terminating proxy: trustProxy), "
                "or set allowInsecureHttp for local development")

    def _store_nonce(self, key_id: str, nonce: str, timestamp: int, expires: Optional[int] = None) -> None:
        tolerance = self._tolerance
        # Kept until the last millisecond at which step 5 still accepts this ts.
        expires_at_ms = (timestamp + tolerance + 1) * 1000
        # A slow body may have outlived the window: the clock is read again
        # after the body, and a past expiry is refused (SPEC 4 step 12).
        now_ms = self._clock() * 1000
        now = math.floor(now_ms / 1000)
        if now_ms >= expires_at_ms or abs(now - timestamp) > tolerance or (expires is not None and now > expires):
            raise SigilError("timestamp_out_of_window")
        self._remember(key_id, nonce, expires_at_ms)

    def _remember(self, key_id: str, nonce: str, expires_at_ms: int) -> None:
        """One atomic check-and-store; every store failure fails closed."""
        if self._store is None:
            return
        try:
            fresh = self._store.check_and_store(key_id, nonce, expires_at_ms)
        except SigilError as error:
            raise SigilError("nonce_store_full" if error.code == "nonce_store_full" else "nonce_store_unavailable") from error
        except Exception as error:  # fail closed
            raise SigilError("nonce_store_unavailable") from error
        if fresh is not True:
            raise SigilError("nonce_replayed" if fresh is False else "nonce_store_unavailable")

    def verify(self, incoming: Incoming, *, bind_response: bool = False) -> Union[Verified, VerifiedWebhook, Rejected]:
        """Runs SPEC 4 steps 1-12 in order; never raises for a bad request.

        Raises ``SigilError("invalid_option")`` only when a key resolver
        answers with something that is not a key (a configuration bug).

        ``bind_response`` (for a server that signs its answers, SPEC 11.5):
        a v1 request outside the time window, or one leaving a required
        header unsigned, is checked on through its MAC, storing nothing, so
        that its 401 can be signed (``Rejected.binding``) when the MAC is
        valid. The code answered is the same either way.
        """
        pending = self.begin(incoming, bind_response=bind_response)
        if isinstance(pending, Rejected):
            return pending
        try:
            body: Optional[bytes] = incoming.read_body(self._max_body)
        except SigilError as error:  # a reader may enforce the limit itself
            return self.finish(pending, None, too_large=error.code == "body_too_large")
        except Exception:  # a broken or aborted upload
            body = None
        return self.finish(pending, body)

    def _pick(self, incoming: Incoming) -> Union[str, WebhookScheme]:
        """Step 3: the one accepted scheme whose signature field the request carries (SPEC 9.10)."""
        names = {ascii_lower(n) for n, _ in incoming.headers}
        found: List[Union[str, WebhookScheme]] = []
        if "v1" in self._schemes and SIGNATURE_HEADER in names:
            found.append("v1")
        if "rfc9421" in self._schemes and "signature-input" in names:
            found.append("rfc9421")
        found.extend(w for w in self._webhooks if w.signature_header in names)
        if len(found) > 1:  # never guess which of two signatures the application relies on
            raise SigilError("signature_header_malformed", "signatures of two schemes")
        if not found:
            raise SigilError("signature_missing")
        return found[0]

    def begin(self, incoming: Incoming, *, bind_response: bool = False) -> Union["Pending", Rejected]:
        """Steps 1-7 and the declared length of step 8, before any byte of the body.

        For adapters that read the body themselves (sigil.asgi reads it on the
        event loop, holding no thread): read at most ``pending.body_limit + 1``
        bytes, then call ``finish``. ``incoming.read_body`` is not called.
        ``bind_response`` as for ``verify``.
        """
        started = time.perf_counter()
        progress: Dict[str, str] = {}
        now_ms = self._clock() * 1000
        if not self._transport_ok(incoming):
            return self._done(incoming, progress, Rejected("insecure_transport"), started)
        policy = Policy(now=math.floor(now_ms / 1000), tolerance_seconds=self._tolerance, required_headers=self._required,
                        allow_unsigned_content_type=self._unsigned_type_ok)
        signature: Union[Params, Rfc9421Signature, Claim]
        mac = ""
        found: Tuple[ActiveKey, ...] = ()
        held: Optional[SigilError] = None  # an early refusal, while the later steps run on to bind it
        try:
            # Step 2 is v1's and RFC 9421's (before the scheme is picked, as @sigil/verify runs it);
            # a webhook sender's URL is the receiver's own, its query none of Sigil's business.
            if self._schemes and not any(w.detect(incoming.headers) for w in self._webhooks) \
                    and has_signature_in_query(incoming.target):
                raise SigilError("signature_in_query")
            scheme: Union[str, WebhookScheme] = self._pick(incoming)
            if isinstance(scheme, WebhookScheme):
                signature = self._begin_webhook(scheme, incoming, policy.now, progress)
            elif scheme == "rfc9421":
                signature = self._begin_rfc9421(incoming, policy.now, progress)
            else:
                head = Request(incoming.method, incoming.target, incoming.headers, None)
                try:  # steps 2-6 without keys or body: nothing is looked up or read for a cheap rejection
                    check_head(head, policy)
                except SigilError as error:
                    if error.code in _AFTER_PARSE:  # the header parsed: events name its key id, as @sigil/verify's do
                        progress["keyId"] = parse_signature_header(_signature_line(incoming)).params.key_id
                    if not (bind_response and error.code in _BINDABLE_EARLY):
                        raise
                    held = error
                    if error.code == "timestamp_out_of_window":
                        # Steps 6-10 at the signature's own time: a window that holds its ts, nothing else relaxed.
                        policy = replace(policy, now=parse_signature_header(_signature_line(incoming)).params.timestamp)
                        check_head(head, policy)
                parsed = parse_signature_header(_signature_line(incoming))
                signature, mac = parsed.params, parsed.mac
                progress["keyId"] = parsed.params.key_id
            if not isinstance(signature, Claim):
                found = self._keys(progress["keyId"])  # step 7; resolvers fail closed
            active = active_at(found, now_ms)  # none: key_unknown, but only after the body (steps 8-10)
            if incoming.content_length is not None and incoming.content_length > self._max_body:
                raise SigilError("body_too_large")  # step 8, before reading
        except SigilError as error:
            return self._done(incoming, progress, self._rejected(held or error), started)
        return Pending(incoming, signature, mac, found, active, policy, self._max_body, started, progress, held.code if held else None)

    def _begin_rfc9421(self, incoming: Incoming, now: int, progress: Dict[str, str]) -> Rfc9421Signature:
        """Steps 4-6 of RFC 9421: parse, window (and expires), coverage with a declared body standing for content."""
        signature = scheme_rfc9421.parse(incoming.method, incoming.target, incoming.headers,
                                         self._request_scheme(incoming), self._rfc9421)
        progress["keyId"] = signature.key_id
        if abs(now - signature.created) > self._tolerance or (signature.expires is not None and now > signature.expires):
            raise SigilError("timestamp_out_of_window")
        scheme_rfc9421.check_coverage(signature, self._components(signature, declares_content(incoming.headers)))
        return signature

    def _components(self, signature: Rfc9421Signature, announces_content: bool, body: Optional[bytes] = None) -> List[str]:
        message = signature.message if body is None else scheme_rfc9421.with_body(signature.message, body)
        return scheme_rfc9421.required(self._rfc9421, self._required, self._unsigned_type_ok, message, announces_content)

    def _begin_webhook(self, scheme: WebhookScheme, incoming: Incoming, now: int, progress: Dict[str, str]) -> Claim:
        """Steps 4-5 of a webhook scheme: its headers, strictly parsed; its signed timestamp in the window."""
        progress["scheme"] = scheme.name
        try:
            claim = scheme.parse(incoming.headers)
            scheme.check_timestamp(claim, now)
        except WebhookError as error:
            raise SigilError(error.code, str(error)) from None
        return claim

    def finish(self, pending: "Pending", body: Optional[bytes], *, too_large: bool = False) -> Union[Verified, VerifiedWebhook, Rejected]:
        """Steps 8 (the bytes read; ``None`` when the read failed, with ``too_large`` when it failed on the limit) to 12."""
        incoming, params = pending.incoming, pending.params
        result: Union[Verified, VerifiedWebhook]
        try:
            if body is None:
                raise SigilError("body_too_large" if too_large else "body_read_failed")
            if len(body) > self._max_body:
                raise SigilError("body_too_large")
            if isinstance(params, Claim):
                result = self._finish_webhook(params, body)
            elif isinstance(params, Rfc9421Signature):
                result = self._finish_rfc9421(pending, params, body)
            else:
                result = self._finish_v1(pending, params, body)
        except _BoundFailure as failure:
            return self._done(incoming, pending.progress, self._rejected(failure.error, failure.binding), pending.started)
        except SigilError as error:
            # An early failure answers as itself whatever the later steps found; only a valid MAC binds it.
            late = SigilError(pending.held) if pending.held else error
            return self._done(incoming, pending.progress, self._rejected(late), pending.started)
        return self._done(incoming, pending.progress, result, pending.started)

    def _finish_v1(self, pending: "Pending", params: Params, body: bytes) -> Verified:
        incoming = pending.incoming
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
        if pending.held == "header_not_signed":
            canonical = canonicalize(received, params)  # the MAC over what it covers: step 6 has refused it already
        else:
            canonical = verify(received, [Key(params.key_id, k.secret) for k in pending.active], pending.policy)  # steps 9-10
        matched = _matching(pending.active, params.algorithm, canonical, pending.mac)
        index, bound = pending.found.index(matched), BoundRequest(params.nonce, pending.mac)
        try:  # past the MAC: every failure from here on is bound to the request
            if pending.held:
                raise SigilError(pending.held)  # checked on only to bind it: nothing stored
            if not in_scope(matched, incoming.method, incoming.target):  # step 11
                raise SigilError("key_scope_denied")
            self._store_nonce(params.key_id, params.nonce, params.timestamp)  # step 12
        except SigilError as error:
            raise _BoundFailure(error, Binding(params.key_id, params.algorithm, index, bound)) from None
        return Verified(params.key_id, params.algorithm, params.timestamp, params.headers, body, index, bound=bound)

    def _finish_rfc9421(self, pending: "Pending", signature: Rfc9421Signature, body: bytes) -> Verified:
        incoming = pending.incoming
        # Coverage again, against the real body (SPEC 9.10 steps 9-10).
        components = self._components(signature, False, body)
        unknown = not pending.active
        secrets = [_DECOY_SECRET] if unknown else [k.secret for k in pending.active]
        try:
            index = scheme_rfc9421.verify_mac(signature, body, secrets, components, self._rfc9421)
        except SigilError:
            if unknown:  # the decoy's answer is never told: an unknown key id answers like a bad MAC
                raise SigilError("key_unknown") from None
            raise
        if unknown:
            raise SigilError("key_unknown")  # pragma: no cover - the decoy matches nothing
        matched = pending.active[index]
        if not in_scope(matched, incoming.method, incoming.target):  # step 11
            raise SigilError("key_scope_denied")
        self._store_nonce(signature.key_id, signature.nonce, signature.created, signature.expires)  # step 12
        return Verified(signature.key_id, "hmac-sha256", signature.created, scheme_rfc9421.field_names(signature.components),
                        body, pending.found.index(matched), "rfc9421", signature.components, signature.label, signature.expires)

    def _finish_webhook(self, claim: Claim, body: bytes) -> VerifiedWebhook:
        scheme = claim.scheme
        index = scheme.match_secret(claim, body)  # every secret against every signature, constant time
        if index < 0:
            raise SigilError("signature_invalid")
        key, source = scheme.replay(claim, body)
        # Remembered under the scheme's name as the key id (Redis: <prefix><scheme>:<replay key>)
        # for retention_seconds from now, not from the sender's timestamp.
        self._remember(scheme.name, key, math.floor((self._clock() + scheme.retention_seconds) * 1000))
        return VerifiedWebhook(scheme.name, index, claim.timestamp, claim.message_id, claim.id_signed, source, body)

    def _rejected(self, error: SigilError, binding: Optional[Binding] = None) -> Rejected:
        if error.code == "invalid_option":
            raise error  # a resolver answered with something that is not a key
        # Sigil-Server-Time is the clock at the rejection (re-read at step 12).
        late = error.code == "timestamp_out_of_window"
        return Rejected(error.code, math.floor(self._clock()) if late else None, binding)

    def _done(self, incoming: Incoming, progress: Dict[str, str], result: Result, started: float) -> Result:
        if self._on_event is not None:
            self._emit(incoming, progress, result, started)
        return result

    def _emit(self, incoming: Incoming, progress: Dict[str, str], result: Union[Verified, VerifiedWebhook, Rejected], started: float) -> None:
        """One secret-free record per verification, the fields of @sigil/verify's events (plus ``scheme`` for a webhook)."""
        event: Dict[str, Any] = {"type": "rejected" if isinstance(result, Rejected) else "accepted"}
        if isinstance(result, Rejected):
            event["code"] = result.code
            if result.code == "insecure_transport":
                event["hint"] = self._transport_hint(incoming)
        for name in ("keyId", "scheme"):
            if name in progress:
                event[name] = progress[name]
        if isinstance(incoming.method, str) and matches(METHOD, incoming.method):
            event["method"] = incoming.method
        if isinstance(incoming.target, str) and matches(TARGET, incoming.target) and len(incoming.target) <= MAX_TARGET:
            event["path"] = incoming.target.split("?", 1)[0]
        event["latencyMs"] = (time.perf_counter() - started) * 1000
        try:
            self._on_event(event)  # type: ignore[misc]
        except Exception:
            pass  # a failing metrics hook never changes a verification result


def _no_keys(key_id: str) -> Tuple[ActiveKey, ...]:
    """A webhook-only verifier has no keys: its secrets are its schemes'."""
    return ()


#: A random key no client holds: what an unknown key id is MACed against.
_DECOY_SECRET = os.urandom(32)

#: Early failures a client acts on (a clock correction, an Accept-Signature retry), bound when their MAC verifies (SPEC 11.5).
_BINDABLE_EARLY = frozenset({"timestamp_out_of_window", "header_not_signed"})

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
