"""Sigil v1 reference implementation: Python 3 standard library only.

Written from SPEC.md; proves byte-identity with @sigil/core through the
shared vectors in test-vectors/.
"""

from .canonical import Params, Request, body_digest, canonicalize, header_value
from .encoding import b64url_decode, b64url_encode, decode_key
from .errors import SigilError, public_code
from .header import Signature, format_signature_header, parse_signature_header
from .query import has_signature_in_query
from .verify import Key, Policy, Signed, compute_mac, sign, signed_header_names, verify

__all__ = [
    "Key",
    "Params",
    "Policy",
    "Request",
    "SigilError",
    "Signature",
    "Signed",
    "b64url_decode",
    "b64url_encode",
    "body_digest",
    "canonicalize",
    "compute_mac",
    "decode_key",
    "format_signature_header",
    "has_signature_in_query",
    "header_value",
    "parse_signature_header",
    "public_code",
    "sign",
    "signed_header_names",
    "verify",
]
