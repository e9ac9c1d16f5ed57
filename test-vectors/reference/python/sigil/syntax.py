"""Character sets and limits of SPEC.md sections 2 and 3, in one place."""

import re

MAX_HEADER_VALUE = 4096  # Sigil-Signature value after trimming (3.2)
MAX_SIGNED_HEADERS = 32  # names in h (2.3)
MAX_TARGET = 8192  # request target (2.2)
MAX_SIGNED_VALUE = 8192  # one signed header value after normalisation (2.3)

_TCHAR_LC = r"a-z0-9!#$%&'*+.^_`|~-"

VERSION = re.compile(r"[0-9]{1,3}")
ALG = re.compile(r"[a-z0-9-]{1,32}")
KEY_ID = re.compile(r"[A-Za-z0-9._~:-]{1,128}")
TIMESTAMP = re.compile(r"0|[1-9][0-9]{0,11}")
NONCE = re.compile(r"[A-Za-z0-9_-]{22,128}")
MAC = re.compile(r"[A-Za-z0-9_-]{1,128}")
LC_TOKEN = re.compile(f"[{_TCHAR_LC}]{{1,64}}")
H_LIST = re.compile(f"[{_TCHAR_LC}]{{1,64}}(?:,[{_TCHAR_LC}]{{1,64}}){{0,{MAX_SIGNED_HEADERS - 1}}}")
METHOD = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,32}")
# origin-form: "/" then 0x21-0x7E except "#".
TARGET = re.compile(r"/[\x21\x22\x24-\x7e]*")
# A signed value after trimming: HTAB, SP and visible ASCII.
SIGNED_VALUE = re.compile(r"[\t\x20-\x7e]*")

ALGORITHMS = ("hmac-sha256", "hmac-sha512")
SIGNATURE_HEADER = "sigil-signature"

_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lowercase A-Z only (SPEC.md notation: "lowercase" is always ASCII)."""
    return text.translate(_UPPER)


def trim_ows(text: str) -> str:
    """Remove leading and trailing SP and HTAB, and nothing else."""
    return text.strip(" \t")


def matches(pattern: "re.Pattern[str]", text: str) -> bool:
    """Whole-string match (never the trailing-newline leniency of ``$``)."""
    return pattern.fullmatch(text) is not None
