"""The Sigil-Signature header: strict parser and serialiser (SPEC.md section 3)."""

from dataclasses import dataclass
import re
from typing import Dict, Tuple

from .canonical import Params, header_list_problem
from .errors import SigilError
from .syntax import ALG, ALGORITHMS, H_LIST, KEY_ID, MAC, MAX_HEADER_VALUE, NONCE, TIMESTAMP, VERSION, matches, trim_ows

#: Parameter names and their value grammar (SPEC 3.2 ABNF), in the order senders emit them.
_GRAMMAR = {"v": VERSION, "alg": ALG, "kid": KEY_ID, "ts": TIMESTAMP, "nonce": NONCE, "h": H_LIST, "mac": MAC}


@dataclass(frozen=True)
class Signature:
    """A parsed Sigil-Signature value."""

    params: Params
    mac: str


def _malformed(detail: str) -> SigilError:
    return SigilError("signature_header_malformed", detail)


def split_params(value: str, grammar: "Dict[str, re.Pattern[str]]", code: str) -> Dict[str, str]:
    """Length, then each ``name=value`` part in order (form, known name, not
    duplicated, value syntax), then presence of every name of ``grammar``.
    Raises SigilError(code)."""
    if not isinstance(value, str):
        raise SigilError(code, "not a string")
    text = trim_ows(value)
    if len(text) > MAX_HEADER_VALUE:
        raise SigilError(code, "too long")
    seen: Dict[str, str] = {}
    for part in text.split(";"):
        name, eq, raw = part.partition("=")
        if not eq or not name:
            raise SigilError(code, "a parameter is not name=value")
        if name not in grammar:
            raise SigilError(code, "unknown parameter")
        if name in seen:
            raise SigilError(code, f"duplicate parameter {name}")
        if not matches(grammar[name], raw):
            raise SigilError(code, f"bad value for {name}")
        seen[name] = raw
    for name in grammar:
        if name not in seen:
            raise SigilError(code, f"missing parameter {name}")
    return seen


def parse_signature_header(value: str) -> Signature:
    """Parse a field value. Raises SigilError and nothing else, whatever the input.

    Check order (SPEC 3.2): length; each part in order (form, known name, not
    duplicated, value syntax); presence of all seven; v; alg; the h list rules.
    """
    seen = split_params(value, _GRAMMAR, "signature_header_malformed")
    if seen["v"] != "1":
        raise SigilError("unsupported_version")
    if seen["alg"] not in ALGORITHMS:
        raise SigilError("unsupported_algorithm")
    names: Tuple[str, ...] = tuple(seen["h"].split(","))
    problem = header_list_problem(names)
    if problem:
        raise _malformed(problem)
    params = Params(seen["alg"], seen["kid"], int(seen["ts"]), seen["nonce"], names)
    return Signature(params, seen["mac"])


def format_signature_header(params: Params, mac: str) -> str:
    """Serialise in the order v;alg;kid;ts;nonce;h;mac."""
    return (
        f"v=1;alg={params.algorithm};kid={params.key_id};ts={params.timestamp}"
        f";nonce={params.nonce};h={','.join(params.headers)};mac={mac}"
    )
