"""The v1 canonical string (SPEC.md section 2)."""

import hashlib
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from .errors import SigilError
from .syntax import (
    ALGORITHMS,
    KEY_ID,
    MAX_SIGNED_HEADERS,
    MAX_SIGNED_VALUE,
    MAX_TARGET,
    METHOD,
    NONCE,
    SIGNATURE_HEADER,
    SIGNED_VALUE,
    TARGET,
    LC_TOKEN,
    ascii_lower,
    matches,
    trim_ows,
)

TAG = "sigil-v1"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

Header = Tuple[str, str]


@dataclass(frozen=True)
class Request:
    """A request as received or about to be sent."""

    method: str
    #: path and query exactly as sent (origin-form)
    target: str
    #: field lines in order, as (name, value); a name may repeat, any case
    headers: Sequence[Header] = field(default_factory=list)
    body: Optional[bytes] = None


@dataclass(frozen=True)
class Params:
    """What the canonical string binds besides the request."""

    algorithm: str
    key_id: str
    timestamp: int
    nonce: str
    #: lowercase, strictly ascending, unique
    headers: Tuple[str, ...]


def header_list_problem(names: Sequence[str]) -> Optional[str]:
    """Why ``names`` is not a valid h list (SPEC 2.3), or None."""
    if not 1 <= len(names) <= MAX_SIGNED_HEADERS:
        return "h must list 1 to 32 names"
    for i, name in enumerate(names):
        if not matches(LC_TOKEN, name):
            return "h holds a name that is not a lowercase token"
        if name == SIGNATURE_HEADER:
            return "h may not list sigil-signature"
        if i > 0 and not names[i - 1] < name:
            return "h must be strictly ascending"
    return None


def header_value(headers: Sequence[Header], name: str) -> Optional[str]:
    """Normalised value of a signed header (SPEC 2.3): None when absent."""
    parts = [trim_ows(value) for line_name, value in headers if ascii_lower(line_name) == name]
    if not parts:
        return None
    value = ", ".join(parts)
    if len(value) > MAX_SIGNED_VALUE or not matches(SIGNED_VALUE, value):
        raise SigilError("header_value_invalid", f"header {name}")
    return value


def body_digest(body: Optional[bytes]) -> str:
    """Lowercase hex SHA-256 of the raw body; no body hashes the empty string."""
    return hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256


def _check_params(params: Params) -> None:
    if params.algorithm not in ALGORITHMS:
        raise SigilError("unsupported_algorithm")
    if not matches(KEY_ID, params.key_id):
        raise SigilError("signature_header_malformed", "kid")
    if not (isinstance(params.timestamp, int) and 0 <= params.timestamp <= 999_999_999_999):
        raise SigilError("signature_header_malformed", "ts")
    if not matches(NONCE, params.nonce):
        raise SigilError("signature_header_malformed", "nonce")
    problem = header_list_problem(params.headers)
    if problem:
        raise SigilError("signature_header_malformed", problem)


def canonicalize(request: Request, params: Params) -> str:
    """The canonical string: LF-joined lines, no trailing LF (SPEC 2.1)."""
    _check_params(params)
    if not matches(METHOD, request.method):
        raise SigilError("method_invalid")
    if len(request.target) > MAX_TARGET or not matches(TARGET, request.target):
        raise SigilError("target_invalid")
    lines: List[str] = [
        TAG,
        params.algorithm,
        params.key_id,
        str(params.timestamp),
        params.nonce,
        request.method,
        request.target,
        ",".join(params.headers),
    ]
    for name in params.headers:
        value = header_value(request.headers, name)
        if value is None:
            raise SigilError("signed_header_missing", f"header {name}")
        lines.append(f"{name}:{value}")
    lines.append(body_digest(request.body))
    return "\n".join(lines)
