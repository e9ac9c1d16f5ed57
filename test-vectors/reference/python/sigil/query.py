"""Signature material in the query string (SPEC.md section 4, step 2)."""

import re
from urllib.parse import unquote_to_bytes

from .syntax import ascii_lower

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _decode(part: str) -> str:
    """Percent-decode with "+" as space; a part that does not decode stays as it is."""
    spaced = part.replace("+", " ")
    if _BAD_ESCAPE.search(spaced):
        return part
    try:
        return unquote_to_bytes(spaced).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return part


def has_signature_in_query(target: str) -> bool:
    """True when the query names sigil-signature, has both kid and mac, or a value holds both."""
    _, question, query = target.partition("?")
    if not question or not query:
        return False
    kid = mac = False
    for pair in query.split("&"):
        raw_name, eq, raw_value = pair.partition("=")
        name = ascii_lower(_decode(raw_name))
        value = _decode(raw_value) if eq else ""
        if name == "sigil-signature":
            return True
        kid = kid or name == "kid"
        mac = mac or name == "mac"
        if "kid=" in value and "mac=" in value:
            return True
    return kid and mac
