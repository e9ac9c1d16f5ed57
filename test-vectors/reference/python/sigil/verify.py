"""Signing and verification (SPEC.md sections 3.4 and 4)."""

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence, Tuple

from .canonical import Params, Request, canonicalize
from .encoding import MIN_KEY_BYTES, b64url_decode, b64url_encode
from .errors import SigilError
from .header import Signature, format_signature_header, parse_signature_header
from .query import has_signature_in_query
from .syntax import LC_TOKEN, SIGNATURE_HEADER, ascii_lower, matches, trim_ows

_HASH = {"hmac-sha256": hashlib.sha256, "hmac-sha512": hashlib.sha512}
_MAC_BYTES = {"hmac-sha256": 32, "hmac-sha512": 64}


def compute_mac(secret: bytes, algorithm: str, canonical: str) -> bytes:
    """HMAC of the canonical string's ASCII bytes (SPEC 3.4)."""
    return hmac.new(secret, canonical.encode("ascii"), _HASH[algorithm]).digest()


def signed_header_names(extra: Iterable[str] = (), always: Iterable[str] = ("host",)) -> Tuple[str, ...]:
    """Lowercase the names, add ``always`` (host for requests), sort, drop duplicates (SPEC 2.3)."""
    names = set(always)
    for name in extra:
        lower = ascii_lower(name)
        if not matches(LC_TOKEN, lower):
            raise SigilError("invalid_option", "headers must hold HTTP field names")
        names.add(lower)
    return tuple(sorted(names))


@dataclass(frozen=True)
class Signed:
    canonical: str
    mac: str
    header: str


def sign(request: Request, secret: bytes, key_id: str, timestamp: int, nonce: str,
         algorithm: str = "hmac-sha256", headers: Iterable[str] = ()) -> Signed:
    """Sign a request; the caller supplies clock and nonce (16+ random bytes, base64url)."""
    if len(secret) < MIN_KEY_BYTES:
        raise SigilError("invalid_key", "secret too short")
    params = Params(algorithm, key_id, timestamp, nonce, signed_header_names(headers))
    canonical = canonicalize(request, params)
    mac = b64url_encode(compute_mac(secret, algorithm, canonical))
    return Signed(canonical, mac, format_signature_header(params, mac))


@dataclass(frozen=True)
class Key:
    key_id: str
    secret: bytes = field(repr=False)


@dataclass(frozen=True)
class Policy:
    """What a verifier decides; no transport, scope or nonce state (SPEC 4 steps 2-10)."""

    now: int
    tolerance_seconds: int = 300
    required_headers: Sequence[str] = ()
    max_body_bytes: Optional[int] = None
    #: Skip the content rule of step 6 (TS ``allowUnsignedContentType``).
    allow_unsigned_content_type: bool = False


def _mac_matches(received: str, algorithm: str, canonical: str, secrets: Sequence[bytes]) -> bool:
    expected_length = _MAC_BYTES[algorithm]
    decoded = b64url_decode(received)
    # A MAC that does not decode or has the wrong length is a failed comparison.
    if decoded is None or len(decoded) != expected_length:
        return False
    matched = False
    for secret in secrets:  # every key is tried: timing says nothing about which matched
        matched |= hmac.compare_digest(compute_mac(secret, algorithm, canonical), decoded)
    return matched


def declares_content(headers: Sequence[Tuple[str, str]]) -> bool:
    """SPEC 4 step 6: a Transfer-Encoding line, or a Content-Length that is not one readable 0 (step 8)."""
    if any(ascii_lower(name) == "transfer-encoding" for name, _ in headers):
        return True
    members = [trim_ows(part) for name, value in headers if ascii_lower(name) == "content-length" for part in value.split(",")]
    if not members:
        return False
    readable = all(m.isascii() and m.isdigit() and len(m) <= 15 for m in members) and len({int(m) for m in members}) == 1
    return not (readable and int(members[0]) == 0)


def check_head(request: Request, policy: Policy) -> Signature:
    """SPEC 4 steps 2-6, which need neither keys nor body. Returns the parsed signature; raises SigilError."""
    if has_signature_in_query(request.target):
        raise SigilError("signature_in_query")
    lines = [value for name, value in request.headers if ascii_lower(name) == SIGNATURE_HEADER]
    if not lines:
        raise SigilError("signature_missing")
    if len(lines) > 1:
        raise SigilError("signature_header_malformed", "several field lines")
    signature = parse_signature_header(lines[0])
    params = signature.params
    if abs(policy.now - params.timestamp) > policy.tolerance_seconds:
        raise SigilError("timestamp_out_of_window")
    for name in ("host", *policy.required_headers):
        if ascii_lower(name) not in params.headers:
            raise SigilError("header_not_signed", ascii_lower(name))
    has_type = any(ascii_lower(name) == "content-type" for name, _ in request.headers)
    if has_type and not policy.allow_unsigned_content_type and "content-type" not in params.headers and declares_content(request.headers):
        raise SigilError("header_not_signed", "content-type")
    return signature


def verify(request: Request, keys: Sequence[Key], policy: Policy) -> str:
    """Run SPEC 4 steps 2-10 in order. Returns the canonical string; raises SigilError."""
    signature = check_head(request, policy)
    params = signature.params
    secrets = [key.secret for key in keys if key.key_id == params.key_id]
    if policy.max_body_bytes is not None and len(request.body or b"") > policy.max_body_bytes:
        raise SigilError("body_too_large")
    canonical = canonicalize(request, params)
    # An unknown kid is answered as a known one with a bad MAC would be: after
    # the body and the canonical string (SPEC 4 step 7).
    if not secrets:
        raise SigilError("key_unknown")
    if not _mac_matches(signature.mac, params.algorithm, canonical, secrets):
        raise SigilError("signature_invalid")
    return canonical
