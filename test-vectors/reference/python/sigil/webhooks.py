"""Webhook schemes (SPEC.md section 10): Standard Webhooks, Stripe, GitHub,
Slack and Shopify, verified over the raw body bytes. Python 3 standard
library only and self-contained (it imports nothing else from this package),
written from SPEC.md; the shared vectors in test-vectors/webhooks-*.json
prove it agrees with @sigil/core/webhooks byte for byte.

    from sigil.webhooks import verify
    result = verify("stripe", headers, body, ["whsec_..."], now=int(time.time()))
    result.secret_index, result.replay_key
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple, TypedDict, Union

SCHEMES = ("standard-webhooks", "stripe", "github", "slack", "shopify")
DEFAULT_TOLERANCE_SECONDS = 300
MAX_SIGNATURE_HEADER = 2048
MAX_SIGNATURES = 16
MAX_HEADER_VALUE = 8192
MAX_UTF8_SECRET_BYTES = 1024
WHSEC_PREFIX = "whsec_"

_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*\Z")
_TIMESTAMP = re.compile(r"(?:0|[1-9][0-9]{0,11})\Z")
_ID = re.compile(r"[\x21-\x2d\x2f-\x7e]{1,256}\Z")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}\Z")
_B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\Z")
_SW_ENTRY = re.compile(r"([a-z0-9]{1,16}),([A-Za-z0-9+/=]{1,512})\Z")
_STRIPE_ITEM = re.compile(r"([a-z0-9]{1,16})=([\x21-\x2b\x2d-\x7e]{1,512})\Z")
_SLACK_VERSION = re.compile(r"[a-z0-9]{1,16}=")

Headers = Sequence[Tuple[str, str]]
"""[(name, value)] in wire order; a name may repeat."""


class _Claim(TypedDict):
    """What a scheme's parser read from the headers."""

    signatures: List[bytes]
    timestamp: Optional[int]
    timestamp_text: Optional[str]
    id: Optional[str]
    id_signed: bool


_KeyReader = Callable[[str], bytes]
_Parser = Callable[[Headers], _Claim]
_Content = Callable[[_Claim, bytes], bytes]


class WebhookError(Exception):
    """A refusal with a stable code from SPEC.md section 6."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


class Verified:
    """An accepted delivery."""

    def __init__(
        self,
        scheme: str,
        secret_index: int,
        timestamp: Optional[int],
        message_id: Optional[str],
        id_signed: bool,
        signed_content: bytes,
        replay_source: str,
        replay_key: str,
    ) -> None:
        self.scheme = scheme
        self.secret_index = secret_index
        self.timestamp = timestamp
        self.message_id = message_id
        self.id_signed = id_signed
        self.signed_content = signed_content
        self.replay_source = replay_source
        self.replay_key = replay_key


# --- headers -----------------------------------------------------------------

def _value(headers: Headers, name: str) -> Optional[str]:
    """SPEC 2.3 normalisation: each line trimmed of SP/HTAB, lines joined with ", "."""
    parts = [v.strip(" \t") for n, v in headers if n.lower() == name]
    if not parts:
        return None
    value = ", ".join(parts)
    if len(value) > MAX_HEADER_VALUE or not _HEADER_VALUE.match(value):
        raise WebhookError("header_value_invalid", f"header {name}")
    return value


def _signature_header(headers: Headers, name: str) -> str:
    value = _value(headers, name)
    if value is None or value == "":
        raise WebhookError("signature_missing", name)
    if len(value) > MAX_SIGNATURE_HEADER:
        raise WebhookError("signature_header_malformed", f"{name} too long")
    return value


def _required(headers: Headers, name: str) -> str:
    value = _value(headers, name)
    if value is None:
        raise WebhookError("webhook_header_missing", name)
    return value


def _timestamp(text: str, where: str) -> int:
    if not _TIMESTAMP.match(text):
        raise WebhookError("webhook_header_malformed", where)
    return int(text)


def _id(text: str, where: str) -> str:
    if not _ID.match(text):
        raise WebhookError("webhook_header_malformed", where)
    return text


def _hex_mac(text: str, where: str) -> bytes:
    if not _HEX_SHA256.match(text):
        raise WebhookError("signature_header_malformed", where)
    return bytes.fromhex(text)


def _b64_mac(text: str, where: str) -> bytes:
    if not _B64.match(text):
        raise WebhookError("signature_header_malformed", where)
    raw = base64.b64decode(text)
    # Canonical only: the unused bits of the last character must be zero.
    if len(raw) != 32 or base64.b64encode(raw).decode("ascii") != text:
        raise WebhookError("signature_header_malformed", where)
    return raw


def _count(n: int, where: str) -> None:
    if n > MAX_SIGNATURES:
        raise WebhookError("signature_header_malformed", f"{where} has too many entries")


def _need(signatures: List[bytes], where: str) -> None:
    if not signatures:
        raise WebhookError("unsupported_version", where)


# --- secrets -----------------------------------------------------------------

def standard_webhooks_key(secret: str) -> bytes:
    """whsec_ + padded base64 of 24-64 bytes -> the key bytes."""
    if not isinstance(secret, str) or not secret.startswith(WHSEC_PREFIX):
        raise WebhookError("invalid_key", "a Standard Webhooks secret starts with whsec_")
    tail = secret[len(WHSEC_PREFIX):]
    if not _B64.match(tail):
        raise WebhookError("invalid_key", "whsec_ is followed by base64")
    try:
        key = base64.b64decode(tail, validate=True)
    except binascii.Error:
        raise WebhookError("invalid_key", "whsec_ is followed by base64") from None
    if base64.b64encode(key).decode("ascii") != tail:
        raise WebhookError("invalid_key", "whsec_ is followed by canonical base64")
    if not 24 <= len(key) <= 64:
        raise WebhookError("invalid_key", "a Standard Webhooks key is 24-64 bytes")
    return key


def utf8_key(secret: str) -> bytes:
    """Stripe (the WHOLE whsec_ string), GitHub, Slack, Shopify: the secret's UTF-8 bytes."""
    if not isinstance(secret, str) or secret == "":
        raise WebhookError("invalid_key", "the secret is empty")
    key = secret.encode("utf-8")
    if len(key) > MAX_UTF8_SECRET_BYTES:
        raise WebhookError("invalid_key", "the secret is too long")
    return key


# --- schemes -------------------------------------------------------------------
# parse(headers) -> claim dict; content(claim, body) -> signed bytes.

def _parse_standard(headers: Headers) -> _Claim:
    header = _signature_header(headers, "webhook-signature")
    mid = _id(_required(headers, "webhook-id"), "webhook-id")
    ts_text = _required(headers, "webhook-timestamp")
    ts = _timestamp(ts_text, "webhook-timestamp")
    entries = header.split(" ")
    _count(len(entries), "webhook-signature")
    sigs: List[bytes] = []
    for entry in entries:
        m = _SW_ENTRY.match(entry)
        if not m:
            raise WebhookError("signature_header_malformed", "webhook-signature entry")
        if m.group(1) == "v1":
            sigs.append(_b64_mac(m.group(2), "webhook-signature v1"))
    _need(sigs, "webhook-signature")
    return {"signatures": sigs, "timestamp": ts, "timestamp_text": ts_text, "id": mid, "id_signed": True}


def _parse_stripe(headers: Headers) -> _Claim:
    header = _signature_header(headers, "stripe-signature")
    items = header.split(",")
    _count(len(items) - 1, "stripe-signature")
    sigs: List[bytes] = []
    t: Optional[str] = None
    for item in items:
        m = _STRIPE_ITEM.match(item)
        if not m:
            raise WebhookError("signature_header_malformed", "stripe-signature item")
        key, value = m.group(1), m.group(2)
        if key == "t":
            if t is not None:
                raise WebhookError("signature_header_malformed", "two t")
            t = value
        elif key == "v1":
            sigs.append(_hex_mac(value, "stripe-signature v1"))
        # v0 and unknown schemes: skipped, never candidates.
    if t is None:
        raise WebhookError("signature_header_malformed", "no t")
    ts = _timestamp(t, "stripe-signature t")
    _need(sigs, "stripe-signature")
    return {"signatures": sigs, "timestamp": ts, "timestamp_text": t, "id": None, "id_signed": False}


def _parse_github(headers: Headers) -> _Claim:
    header = _signature_header(headers, "x-hub-signature-256")
    if "=" not in header:
        raise WebhookError("signature_header_malformed", "x-hub-signature-256")
    if not header.startswith("sha256="):
        raise WebhookError("unsupported_version", "x-hub-signature-256")
    sig = _hex_mac(header[len("sha256="):], "x-hub-signature-256")
    delivery = _value(headers, "x-github-delivery")
    mid = None if delivery is None else _id(delivery, "x-github-delivery")
    return {"signatures": [sig], "timestamp": None, "timestamp_text": None, "id": mid, "id_signed": False}


def _parse_slack(headers: Headers) -> _Claim:
    header = _signature_header(headers, "x-slack-signature")
    m = _SLACK_VERSION.match(header)
    if not m:
        raise WebhookError("signature_header_malformed", "x-slack-signature")
    if m.group(0) != "v0=":
        raise WebhookError("unsupported_version", "x-slack-signature")
    sig = _hex_mac(header[3:], "x-slack-signature")
    ts_text = _required(headers, "x-slack-request-timestamp")
    ts = _timestamp(ts_text, "x-slack-request-timestamp")
    return {"signatures": [sig], "timestamp": ts, "timestamp_text": ts_text, "id": None, "id_signed": False}


def _parse_shopify(headers: Headers) -> _Claim:
    sig = _b64_mac(_signature_header(headers, "x-shopify-hmac-sha256"), "x-shopify-hmac-sha256")
    raw = _value(headers, "x-shopify-webhook-id")
    mid = None if raw is None else _id(raw, "x-shopify-webhook-id")
    return {"signatures": [sig], "timestamp": None, "timestamp_text": None, "id": mid, "id_signed": False}


_DEFS: Dict[str, Tuple[_KeyReader, _Parser, _Content]] = {
    "standard-webhooks": (standard_webhooks_key, _parse_standard, lambda c, b: f"{c['id']}.{c['timestamp_text']}.".encode("ascii") + b),
    "stripe": (utf8_key, _parse_stripe, lambda c, b: f"{c['timestamp_text']}.".encode("ascii") + b),
    "github": (utf8_key, _parse_github, lambda c, b: b),
    "slack": (utf8_key, _parse_slack, lambda c, b: f"v0:{c['timestamp_text']}:".encode("ascii") + b),
    "shopify": (utf8_key, _parse_shopify, lambda c, b: b),
}

#: The header that carries each scheme's signature (lowercase): what detect() looks for.
SIGNATURE_HEADERS = {"standard-webhooks": "webhook-signature", "stripe": "stripe-signature", "github": "x-hub-signature-256",
                     "slack": "x-slack-signature", "shopify": "x-shopify-hmac-sha256"}
#: Schemes whose MAC covers a timestamp (the tolerance applies; retention >= 2 x tolerance).
TIMESTAMPED = frozenset({"standard-webhooks", "stripe", "slack"})
#: Default replay retention (SPEC 10.2-10.6): outlives each sender's retry schedule.
DEFAULT_RETENTION_SECONDS = {"standard-webhooks": 3 * 86_400, "stripe": 600, "github": 3 * 86_400, "slack": 600, "shopify": 86_400}
MAX_TOLERANCE_SECONDS = 86_400
MAX_RETENTION_SECONDS = 366 * 86_400


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


class Claim:
    """A scheme's headers, strictly parsed, before any MAC: what the verifier checks next."""

    def __init__(self, scheme: "WebhookScheme", parsed: _Claim) -> None:
        self.scheme = scheme
        self._parsed = parsed

    @property
    def timestamp(self) -> Optional[int]:
        return self._parsed["timestamp"]

    @property
    def message_id(self) -> Optional[str]:
        return self._parsed["id"]

    @property
    def id_signed(self) -> bool:
        return self._parsed["id_signed"]

    def __repr__(self) -> str:
        return f"Claim(scheme={self.scheme.name!r}, timestamp={self.timestamp!r}, message_id={self.message_id!r})"


class WebhookScheme:
    """One webhook scheme with its secrets read and its policy checked, once.

    Built by standard_webhooks(), stripe(), github(), slack() or shopify();
    handed to ``Verifier(schemes=[...])`` (or ``sigil.flask.require_webhook``).
    The secrets never appear in ``repr`` or errors: a bad one raises
    ``WebhookError("invalid_key")`` naming its index only.
    """

    def __init__(self, name: str, secrets: Union[str, Sequence[str]], *, tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
                 retention_seconds: Optional[int] = None) -> None:
        if name not in _DEFS:
            raise WebhookError("invalid_option", f"unknown webhook scheme (one of {', '.join(SCHEMES)})")
        if not _whole(tolerance_seconds, 0, MAX_TOLERANCE_SECONDS):
            raise WebhookError("invalid_option", f"{name}: tolerance_seconds must be an integer from 0 to {MAX_TOLERANCE_SECONDS}")
        retention = max(DEFAULT_RETENTION_SECONDS[name], 2 * tolerance_seconds) if retention_seconds is None else retention_seconds
        if not _whole(retention, 1, MAX_RETENTION_SECONDS):
            raise WebhookError("invalid_option", f"{name}: retention_seconds must be an integer from 1 to {MAX_RETENTION_SECONDS}")
        if name in TIMESTAMPED and retention < 2 * tolerance_seconds:
            # A timestamp is accepted during 2 x tolerance of wall time: forgetting sooner lets a replay in.
            raise WebhookError("invalid_option", f"{name}: retention_seconds must be at least twice tolerance_seconds")
        secret_list: Sequence[str] = [secrets] if isinstance(secrets, str) else secrets
        if isinstance(secret_list, (bytes, bytearray)) or not 1 <= len(secret_list) <= MAX_SIGNATURES:
            raise WebhookError("invalid_option", f"{name}: secrets must be a string or a list of 1 to {MAX_SIGNATURES} strings")
        read_key, self._parse, self._content = _DEFS[name]
        keys = []
        for index, secret in enumerate(secret_list):
            try:
                keys.append(read_key(secret))
            except WebhookError as error:
                raise WebhookError("invalid_key", f"{name} secrets[{index}]: {error.code}") from None
        self._keys = keys
        self.name = name
        self.signature_header = SIGNATURE_HEADERS[name]
        self.tolerance_seconds = tolerance_seconds
        self.retention_seconds = retention

    def __repr__(self) -> str:
        return f"WebhookScheme({self.name!r}, secrets=<{len(self._keys)} redacted>, tolerance_seconds={self.tolerance_seconds}, " \
               f"retention_seconds={self.retention_seconds})"

    def detect(self, headers: Headers) -> bool:
        """A field line of the scheme's signature header is present (the value is not read)."""
        return any(n.lower() == self.signature_header for n, _ in headers)

    def parse(self, headers: Headers) -> Claim:
        """Signature header, then the scheme's other headers. Raises WebhookError."""
        return Claim(self, self._parse(headers))

    def check_timestamp(self, claim: Claim, now: int) -> None:
        """``timestamp_out_of_window`` when a signed timestamp is more than the tolerance from ``now`` either way."""
        if claim.timestamp is not None and abs(now - claim.timestamp) > self.tolerance_seconds:
            raise WebhookError("timestamp_out_of_window")

    def match_secret(self, claim: Claim, body: bytes) -> int:
        """Index of the first secret whose MAC equals any signature, or -1; every pair compared in constant time."""
        signed = self._content(claim._parsed, body)
        match = -1
        for i, key in enumerate(self._keys):  # timing says nothing about which secret or entry matched
            expected = hmac.new(key, signed, hashlib.sha256).digest()
            hit = False
            for sig in claim._parsed["signatures"]:
                hit = hmac.compare_digest(expected, sig) or hit
            if hit and match < 0:
                match = i
        return match

    def replay(self, claim: Claim, body: bytes) -> Tuple[str, str]:
        """(replay key, source) for a claim whose MAC matched: the signed id, else the signed content."""
        if claim.id_signed and claim.message_id is not None:
            return replay_key(self.name, "id", claim.message_id.encode("ascii")), "id"
        return replay_key(self.name, "content", self._content(claim._parsed, body)), "content"

    def verify(self, headers: Headers, body: Optional[bytes], now: int) -> "Verified":
        """parse -> timestamp -> MAC, with no replay state. Returns Verified or raises WebhookError."""
        raw_body = body or b""
        claim = self.parse(headers)
        self.check_timestamp(claim, now)
        match = self.match_secret(claim, raw_body)
        if match < 0:
            raise WebhookError("signature_invalid")
        key, source = self.replay(claim, raw_body)
        return Verified(self.name, match, claim.timestamp, claim.message_id, claim.id_signed,
                        self._content(claim._parsed, raw_body), source, key)


def standard_webhooks(secrets: Union[str, Sequence[str]], *, tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
                      retention_seconds: Optional[int] = None) -> WebhookScheme:
    """Standard Webhooks (Svix and others): each secret ``whsec_`` + base64 of the key bytes; replay on the signed webhook-id, kept 3 days."""
    return WebhookScheme("standard-webhooks", secrets, tolerance_seconds=tolerance_seconds, retention_seconds=retention_seconds)


def stripe(secrets: Union[str, Sequence[str]], *, tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
           retention_seconds: Optional[int] = None) -> WebhookScheme:
    """Stripe: the WHOLE ``whsec_...`` string is the HMAC key (UTF-8, never base64-decoded); ``v0`` is never accepted."""
    return WebhookScheme("stripe", secrets, tolerance_seconds=tolerance_seconds, retention_seconds=retention_seconds)


def github(secrets: Union[str, Sequence[str]], *, retention_seconds: Optional[int] = None) -> WebhookScheme:
    """GitHub (X-Hub-Signature-256): no signed timestamp, so replay is bounded by the retention (3 days), keyed on the body."""
    return WebhookScheme("github", secrets, retention_seconds=retention_seconds)


def slack(secrets: Union[str, Sequence[str]], *, tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
          retention_seconds: Optional[int] = None) -> WebhookScheme:
    """Slack (X-Slack-Signature v0): the app's signing secret as UTF-8."""
    return WebhookScheme("slack", secrets, tolerance_seconds=tolerance_seconds, retention_seconds=retention_seconds)


def shopify(secrets: Union[str, Sequence[str]], *, retention_seconds: Optional[int] = None) -> WebhookScheme:
    """Shopify (X-Shopify-Hmac-Sha256): no signed timestamp, so replay is bounded by the retention (1 day), keyed on the body."""
    return WebhookScheme("shopify", secrets, retention_seconds=retention_seconds)


def replay_key(scheme: str, source: str, data: bytes) -> str:
    """base64url(SHA-256("sigil-webhook-replay" 0 scheme 0 source 0 data)), no padding."""
    digest = hashlib.sha256(b"sigil-webhook-replay\0" + scheme.encode() + b"\0" + source.encode() + b"\0" + data).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verify(
    scheme: str,
    headers: Headers,
    body: Optional[bytes],
    secrets: Union[str, Sequence[str]],
    now: int,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> Verified:
    """Verifies one delivery; returns Verified or raises WebhookError.

    headers: [(name, value)] in order; body: the raw bytes; secrets: the
    endpoint's secrets as the vendor shows them; now: Unix seconds. Order:
    secrets, signature header, other headers, timestamp, MAC. No replay
    state: ``sigil.verifier.Verifier(schemes=[...])`` remembers deliveries.
    """
    if scheme not in _DEFS:
        raise WebhookError("invalid_option", "unknown scheme")
    secret_list: Sequence[str] = [secrets] if isinstance(secrets, str) else secrets
    if not 1 <= len(secret_list) <= MAX_SIGNATURES:
        raise WebhookError("invalid_option", "secrets")
    return WebhookScheme(scheme, secret_list, tolerance_seconds=tolerance_seconds, retention_seconds=MAX_RETENTION_SECONDS).verify(headers, body, now)
