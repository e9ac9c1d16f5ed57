"""v1 response signatures (SPEC.md section 11): a response bound to the request it answers."""

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .canonical import Header, body_digest, header_list_problem, header_value
from .encoding import MIN_KEY_BYTES, b64url_encode
from .errors import SigilError
from .syntax import ALG, ALGORITHMS, H_LIST, KEY_ID, MAC, NONCE, SIGNATURE_HEADER, TIMESTAMP, VERSION, ascii_lower, matches
from .header import split_params
from .verify import Key, _mac_matches, compute_mac, signed_header_names

TAG = "sigil-v1-response"
RESPONSE_SIGNATURE_HEADER = "sigil-response-signature"
_GRAMMAR = {"v": VERSION, "alg": ALG, "kid": KEY_ID, "ts": TIMESTAMP, "h": re.compile(f"(?:{H_LIST.pattern})?"), "mac": MAC}


@dataclass(frozen=True)
class Response:
    """A response as sent or received: a final status, field lines in order, the raw body."""

    status: int
    headers: Sequence[Header] = field(default_factory=list)
    body: Optional[bytes] = None


@dataclass(frozen=True)
class BoundRequest:
    """The request a response answers: its nonce and MAC exactly as its Sigil-Signature carried them."""

    nonce: str
    mac: str


@dataclass(frozen=True)
class ResponseSignature:
    algorithm: str
    key_id: str
    timestamp: int
    headers: Tuple[str, ...]
    mac: str


@dataclass(frozen=True)
class SignedResponse:
    canonical: str
    mac: str
    header: str


def _malformed(detail: str) -> SigilError:
    return SigilError("response_signature_malformed", detail)


def _list_problem(names: Sequence[str]) -> Optional[str]:
    if not names:
        return None
    problem = header_list_problem(names)
    if problem:
        return problem
    if RESPONSE_SIGNATURE_HEADER in names or SIGNATURE_HEADER in names:
        return "h may not list a signature header"
    return None


def _check_bound(request: BoundRequest) -> None:
    if not (isinstance(request.nonce, str) and matches(NONCE, request.nonce)):
        raise SigilError("invalid_option", "request.nonce")
    if not (isinstance(request.mac, str) and matches(MAC, request.mac)):
        raise SigilError("invalid_option", "request.mac")


def canonicalize_response(response: Response, algorithm: str, key_id: str, timestamp: int,
                          headers: Sequence[str], request: BoundRequest) -> str:
    """The response canonical string (SPEC 11.2): LF-joined lines, no trailing LF."""
    if algorithm not in ALGORITHMS:
        raise SigilError("unsupported_algorithm")
    if not matches(KEY_ID, key_id):
        raise _malformed("kid")
    if not (isinstance(timestamp, int) and 0 <= timestamp <= 999_999_999_999):
        raise _malformed("ts")
    problem = _list_problem(headers)
    if problem:
        raise _malformed(problem)
    _check_bound(request)
    if not (isinstance(response.status, int) and 200 <= response.status <= 599):
        raise SigilError("response_status_invalid")
    lines: List[str] = [TAG, algorithm, key_id, str(timestamp), request.nonce, request.mac, str(response.status), ",".join(headers)]
    for name in headers:
        value = header_value(response.headers, name)
        if value is None:
            raise SigilError("signed_header_missing", f"header {name}")
        lines.append(f"{name}:{value}")
    lines.append(body_digest(response.body))
    return "\n".join(lines)


def parse_response_signature_header(value: str) -> ResponseSignature:
    """Parse a Sigil-Response-Signature value (SPEC 11.3). Raises SigilError and nothing else."""
    # h may be empty in a response (SPEC 11.3).
    seen = split_params(value, _GRAMMAR, "response_signature_malformed")
    if seen["v"] != "1":
        raise SigilError("unsupported_version")
    if seen["alg"] not in ALGORITHMS:
        raise SigilError("unsupported_algorithm")
    names = tuple(seen["h"].split(",")) if seen["h"] else ()
    problem = _list_problem(names)
    if problem:
        raise _malformed(problem)
    return ResponseSignature(seen["alg"], seen["kid"], int(seen["ts"]), names, seen["mac"])


def _signed_names(response: Response, extra: Iterable[str]) -> Tuple[str, ...]:
    has_type = any(ascii_lower(n) == "content-type" for n, _ in response.headers)
    return signed_header_names(extra, ("content-type",) if has_type else ())


def sign_response(response: Response, secret: bytes, key_id: str, timestamp: int, request: BoundRequest,
                  algorithm: str = "hmac-sha256", headers: Iterable[str] = ()) -> SignedResponse:
    """Sign a response for the request it answers; content-type is signed whenever present."""
    if len(secret) < MIN_KEY_BYTES:
        raise SigilError("invalid_key", "secret too short")
    names = _signed_names(response, headers)
    canonical = canonicalize_response(response, algorithm, key_id, timestamp, names, request)
    mac = b64url_encode(compute_mac(secret, algorithm, canonical))
    header = f"v=1;alg={algorithm};kid={key_id};ts={timestamp};h={','.join(names)};mac={mac}"
    return SignedResponse(canonical, mac, header)


def verify_response(response: Response, keys: Sequence[Key], request: BoundRequest, now: Optional[int] = None,
                    tolerance_seconds: int = 300, required_headers: Sequence[str] = ()) -> str:
    """Run SPEC 11.6 in order. Returns the canonical string; raises SigilError."""
    _check_bound(request)
    lines = [value for name, value in response.headers if ascii_lower(name) == RESPONSE_SIGNATURE_HEADER]
    if not lines:
        raise SigilError("response_signature_missing")
    if len(lines) > 1:
        raise _malformed("several field lines")
    signature = parse_response_signature_header(lines[0])
    if now is not None and abs(now - signature.timestamp) > tolerance_seconds:
        raise SigilError("timestamp_out_of_window")
    has_type = any(ascii_lower(name) == "content-type" for name, _ in response.headers)
    for name in (["content-type"] if has_type else []) + [ascii_lower(n) for n in required_headers]:
        if name not in signature.headers:
            raise SigilError("header_not_signed", name)
    secrets = [key.secret for key in keys if key.key_id == signature.key_id]
    if not secrets:
        raise SigilError("key_unknown")
    canonical = canonicalize_response(response, signature.algorithm, signature.key_id, signature.timestamp,
                                      signature.headers, request)
    if not _mac_matches(signature.mac, signature.algorithm, canonical, secrets):
        raise SigilError("response_signature_invalid")
    return canonical
