"""Strict base64url/base64/hex codecs and key decoding (SPEC.md sections 3.4 and 5)."""

import base64
import binascii
import re
from typing import Optional

from .errors import SigilError

MIN_KEY_BYTES = 16
MAX_KEY_BYTES = 1024

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})*")


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 4648 section 5)."""
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> Optional[bytes]:
    """Strict decode: alphabet, no padding, unused trailing bits zero. None otherwise."""
    if _B64URL.fullmatch(text) is None or len(text) % 4 == 1:
        return None
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # Re-encoding catches non-zero trailing bits: only one text per byte string.
    return data if b64url_encode(data) == text else None


def b64_decode(text: str) -> Optional[bytes]:
    """Strict standard base64 with padding; None on anything non-canonical."""
    if _B64.fullmatch(text) is None or len(text) % 4 != 0:
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error:
        return None
    return data if base64.b64encode(data).decode("ascii") == text else None


def decode_key(secret: str, encoding: str) -> bytes:
    """The secret bytes of a key given as text in a stated encoding (never guessed)."""
    data: Optional[bytes]
    if encoding == "base64url":
        data = b64url_decode(secret)
    elif encoding == "base64":
        data = b64_decode(secret)
    elif encoding == "hex":
        data = bytes.fromhex(secret) if _HEX.fullmatch(secret) else None
    elif encoding == "utf8":
        try:
            data = secret.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate has no UTF-8 form
            data = None
    else:
        raise SigilError("invalid_key", "unknown encoding")
    if data is None:
        raise SigilError("invalid_key", f"the secret is not valid {encoding}")
    if not MIN_KEY_BYTES <= len(data) <= MAX_KEY_BYTES:
        raise SigilError("invalid_key", f"secrets are {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes")
    return data
