"""RFC 9421 signature base, Content-Digest and HMAC verification as Sigil's
profile defines them (SPEC.md, "The RFC 9421 profile"). Standard library only.
"""
import base64
import hashlib
import hmac
import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple
from urllib.parse import parse_qsl

from . import sf
from .errors import Rfc9421Error

Header = Tuple[str, str]

METHOD = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,32}")
TARGET = re.compile(r"/[\x21\x22\x24-\x7e]*")
FIELD_VALUE = re.compile(r"[\t\x20-\x7e]*")
FIELD_NAME = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]{1,64}")
AUTHORITY = re.compile(r"(?:\[[0-9a-f:.]+\]|[a-z0-9._~%!$&'()*+,;=-]+)(?::([0-9]{0,5}))?")
FORM_SAFE = re.compile(r"[A-Za-z0-9*\-._]")
DEFAULT_PORT = {"http": "80", "https": "443"}
MAX_COMPONENTS = 64
ALGORITHMS = {"hmac-sha256": (hashlib.sha256, 32)}
DIGESTS = {"sha-256": (hashlib.sha256, 32), "sha-512": (hashlib.sha512, 64)}
KNOWN_STRUCTURED_FIELDS = {
    "signature-input": "dictionary", "signature": "dictionary", "accept-signature": "dictionary",
    "content-digest": "dictionary", "repr-digest": "dictionary", "want-content-digest": "dictionary",
    "want-repr-digest": "dictionary", "priority": "dictionary", "cache-status": "list",
    "proxy-status": "list", "example-dict": "dictionary",
}


class Request:
    def __init__(self, method: str, scheme: str, target: str, headers: Sequence[Header],
                 body: Optional[bytes] = None, authority: Optional[str] = None):
        self.method, self.scheme, self.target, self.headers = method, scheme, target, list(headers)
        self.body, self.authority = body, authority


def _malformed(detail: str) -> Rfc9421Error:
    return Rfc9421Error("signature_header_malformed", detail)


def trim_ows(text: str) -> str:
    return text.strip(" \t")


def header_value(headers: Sequence[Header], name: str) -> Optional[str]:
    """Sigil's field value: each line trimmed of SP/HTAB, lines joined by ", "."""
    parts = [trim_ows(v) for n, v in headers if n.lower() == name]
    if not parts:
        return None
    value = ", ".join(parts)
    if len(value) > 8192 or not FIELD_VALUE.fullmatch(value):
        raise Rfc9421Error("header_value_invalid", "header " + name)
    return value


def check_request(r: Request) -> None:
    if not METHOD.fullmatch(r.method):
        raise Rfc9421Error("method_invalid")
    if len(r.target) > 8192 or not TARGET.fullmatch(r.target):
        raise Rfc9421Error("target_invalid")
    if r.scheme not in DEFAULT_PORT:
        raise Rfc9421Error("target_invalid", "scheme")


def authority(r: Request) -> str:
    check_request(r)
    raw = r.authority
    if raw is None:
        if sum(1 for n, _ in r.headers if n.lower() == "host") != 1:
            raise Rfc9421Error("target_invalid", "the authority needs exactly one host field line")
        raw = header_value(r.headers, "host")
    if raw is None:
        raise Rfc9421Error("target_invalid", "the authority needs exactly one host field line")
    lower = raw.lower()
    m = AUTHORITY.fullmatch(lower)
    if not m or len(lower) > 255:
        raise Rfc9421Error("target_invalid", "authority")
    port = m.group(1)
    if port is not None and (port == "" or port == DEFAULT_PORT[r.scheme]):
        return lower[: len(lower) - len(port) - 1]
    return lower


def _path_query(target: str) -> Tuple[str, Optional[str]]:
    q = target.find("?")
    return (target, None) if q < 0 else (target[:q], target[q + 1:])


def form_encode(text: str) -> str:
    return "".join(chr(b) if FORM_SAFE.fullmatch(chr(b)) else "%%%02X" % b for b in text.encode("utf-8"))


def derived_value(r: Request, name: str, params: sf.Params) -> str:
    for key in params:
        if name == "@query-param" and key == "name":
            continue
        raise _malformed("the req parameter applies to responses only" if key == "req" else "unknown parameter")
    path, query = _path_query(r.target)
    if name == "@method":
        return r.method
    if name == "@target-uri":
        return r.scheme + "://" + authority(r) + r.target
    if name == "@authority":
        return authority(r)
    if name == "@scheme":
        return r.scheme
    if name == "@request-target":
        return r.target
    if name == "@path":
        return path
    if name == "@query":
        return "?" + (query or "")
    if name == "@query-param":
        wanted = params.get("name")
        if not isinstance(wanted, str) or isinstance(wanted, sf.Token):
            raise _malformed("@query-param needs a name parameter that is a string")
        pairs = parse_qsl(query or "", keep_blank_values=True, errors="replace")
        values = [form_encode(v) for k, v in pairs if form_encode(k) == wanted]
        if not values:
            raise Rfc9421Error("signed_header_missing", "a covered @query-param is absent")
        if len(values) > 1:
            raise _malformed("a covered @query-param occurs more than once")
        return values[0]
    raise _malformed("unknown derived component")


def _byte_sequences(lines: List[str]) -> str:
    out = []
    for line in lines:
        text = trim_ows(line)
        if any(ord(c) > 255 for c in text):
            raise Rfc9421Error("header_value_invalid", "a bs field holds a character above U+00FF")
        out.append(":" + base64.b64encode(text.encode("latin-1")).decode("ascii") + ":")
    return ", ".join(out)


def field_value(r: Request, name: str, params: sf.Params, types: Dict[str, str]) -> str:
    if not FIELD_NAME.fullmatch(name):
        raise _malformed("a field component name must be a lowercase field name")
    use_sf = use_bs = False
    key = None
    for p, v in params.items():
        if p == "sf" and v is True:
            use_sf = True
        elif p == "bs" and v is True:
            use_bs = True
        elif p == "key" and isinstance(v, str) and not isinstance(v, sf.Token):
            key = v
        else:
            raise _malformed("unknown or mistyped field component parameter")
    if use_bs and (use_sf or key is not None):
        raise _malformed("bs cannot be combined with sf or key")
    if use_bs:
        lines = [v for n, v in r.headers if n.lower() == name]
        if not lines:
            raise Rfc9421Error("signed_header_missing", "header " + name)
        return _byte_sequences(lines)
    value = header_value(r.headers, name)
    if value is None:
        raise Rfc9421Error("signed_header_missing", "header " + name)
    if not use_sf and key is None:
        return value
    kind = types.get(name) or KNOWN_STRUCTURED_FIELDS.get(name)
    if kind is None or (key is not None and kind != "dictionary"):
        raise _malformed("sf or key on a field of unknown type")
    try:
        if kind == "item":
            return sf.serialize_item(sf.parse_item(value))
        if kind == "list":
            return sf.serialize_list(sf.parse_list(value))
        members = sf.parse_dictionary(value)
    except Rfc9421Error as e:
        if e.code == "signature_header_malformed":
            raise Rfc9421Error("header_value_invalid", "a covered structured field does not parse")
        raise
    if key is None:
        return sf.serialize_dictionary(members)
    if key not in members:
        raise Rfc9421Error("signed_header_missing", "a covered dictionary key is absent")
    return sf.serialize_member(members[key])


def check_covered(items: List[sf.Item]) -> List[str]:
    if len(items) > MAX_COMPONENTS:
        raise _malformed("too many covered components")
    seen, ids = set(), []
    for item in items:
        name = item.value
        if not isinstance(name, str) or isinstance(name, sf.Token):
            raise _malformed("a component identifier must be an sf-string")
        if name == "@signature-params":
            raise _malformed("@signature-params cannot be covered")
        if name == "" or name != name.lower():
            raise _malformed("component names must be lowercase")
        identity = name + sf.serialize_params(dict(sf.sorted_params(item.params)))
        if identity in seen:
            raise _malformed("a component is covered twice")
        seen.add(identity)
        ids.append(sf.serialize_item(item))
    return ids


def signature_base(r: Request, inner: sf.InnerList, types: Optional[Dict[str, str]] = None) -> str:
    """The signature base of RFC 9421 section 2.5 for a received inner list."""
    check_request(r)
    ids = check_covered(inner.items)
    lines = []
    for ident, item in zip(ids, inner.items):
        name = item.value
        if not isinstance(name, str):  # check_covered accepted only strings
            raise Rfc9421Error("signature_header_malformed", "covered components are strings")
        value = derived_value(r, name, item.params) if name.startswith("@") else field_value(r, name, item.params, types or {})
        lines.append(ident + ": " + value)
    lines.append('"@signature-params": ' + sf.serialize_inner_list(inner))
    return "\n".join(lines)


def content_digest(body: Optional[bytes], algorithm: str) -> str:
    fn, _ = DIGESTS[algorithm]
    return algorithm + "=:" + base64.b64encode(fn(body or b"").digest()).decode("ascii") + ":"


def check_content_digest(value: str, body: Optional[bytes]) -> List[str]:
    try:
        members = sf.parse_dictionary(value)
    except Rfc9421Error:
        raise Rfc9421Error("content_digest_mismatch", "the value is not a structured dictionary")
    checked = []
    for algorithm, (fn, length) in DIGESTS.items():
        member = members.get(algorithm)
        if member is None:
            continue
        if not isinstance(member, sf.Item) or not isinstance(member.value, bytes):
            raise Rfc9421Error("content_digest_mismatch", algorithm + " must be a byte sequence")
        if len(member.value) != length:
            raise Rfc9421Error("content_digest_mismatch", algorithm + " has the wrong length")
        if not hmac.compare_digest(fn(body or b"").digest(), member.value):
            raise Rfc9421Error("content_digest_mismatch", algorithm + " differs from the content")
        checked.append(algorithm)
    if not checked:
        raise Rfc9421Error("content_digest_mismatch", "no sha-256 or sha-512 member")
    return checked


def default_components(r: Request) -> List[str]:
    out = ["@method", "@authority", "@path", "@query"]
    if r.body:
        out.append("content-digest")
    if header_value(r.headers, "content-type") is not None:
        out.append("content-type")
    return out


def component_id(text: str) -> str:
    item = sf.parse_item(text) if text.startswith('"') else sf.Item(text, {})
    return sf.serialize_item(item)
