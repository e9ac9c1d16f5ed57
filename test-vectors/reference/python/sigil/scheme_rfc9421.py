"""The RFC 9421 steps of the Verifier (SPEC.md section 9.10), as
packages/verify/src/lib/scheme-rfc9421.ts runs them: Signature-Input and
Signature parsed and the Sigil parameters required (step 4), the required
components covered (6), signature base, MAC and Content-Digest (9-10), all
with the reference's functions in ``sigil_rfc9421``. The shared steps
around them (transport, window, keys, body, scope, nonce) are the
Verifier's, exactly as for v1.
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from sigil_rfc9421 import sf
from sigil_rfc9421.errors import Rfc9421Error
from sigil_rfc9421.message import ALGORITHMS, Request, check_covered, component_id, header_value
from sigil_rfc9421.verify import read_params, select, verify

from .errors import SigilError
from .syntax import KEY_ID, NONCE, matches

#: The components Sigil requires of every request: method and target (core's BASE_COMPONENTS).
BASE_COMPONENTS: Tuple[str, ...] = ("@method", "@authority", "@path", "@query")


@dataclass(frozen=True)
class Rfc9421Options:
    """The ``rfc9421=`` options of a Verifier (TS ``rfc9421: {...}``).

    ``required_components`` replaces BASE_COMPONENTS (never the content
    components: ``content-digest`` with content, ``content-type`` when
    present, each dropped only by its own option); ``label`` and ``tag``
    select one signature; ``structured_fields`` declares field types for
    ``sf``/``key``; ``allow_unsigned_content`` leaves the body unbound.
    """

    required_components: Optional[Tuple[str, ...]] = None
    label: Optional[str] = None
    tag: Optional[str] = None
    structured_fields: Dict[str, str] = field(default_factory=dict)
    allow_unsigned_content: bool = False

    def __post_init__(self) -> None:
        components = self.required_components
        if components is not None:
            if isinstance(components, str) or not all(isinstance(c, str) for c in components):
                raise SigilError("invalid_option", "rfc9421.required_components must be a sequence of component identifiers")
            for i, component in enumerate(components):
                try:
                    check_covered([sf.parse_item(component) if component.startswith('"') else sf.Item(component, {})])
                except Rfc9421Error:
                    raise SigilError("invalid_option", f"rfc9421.required_components.{i}: expected a component identifier "
                                     "such as '@method' or 'content-type'") from None
            object.__setattr__(self, "required_components", tuple(components))
        if self.label is not None and (not isinstance(self.label, str) or self.label == ""):
            raise SigilError("invalid_option", "rfc9421.label must be a non-empty string")
        if self.tag is not None and not isinstance(self.tag, str):
            raise SigilError("invalid_option", "rfc9421.tag must be a string")
        types = self.structured_fields
        if not isinstance(types, dict) or not all(isinstance(k, str) and v in ("item", "list", "dictionary") for k, v in types.items()):
            raise SigilError("invalid_option", "rfc9421.structured_fields maps field names to 'item', 'list' or 'dictionary'")
        if not isinstance(self.allow_unsigned_content, bool):
            raise SigilError("invalid_option", "rfc9421.allow_unsigned_content must be a boolean")


def _sigil_error(error: Rfc9421Error) -> SigilError:
    return SigilError(error.code, str(error))


@dataclass(frozen=True)
class Rfc9421Signature:
    """One parsed RFC 9421 signature with the Sigil parameters present (step 4)."""

    key_id: str
    created: int
    nonce: str
    expires: Optional[int]
    label: str
    components: Tuple[str, ...]
    message: Request = field(repr=False)
    mac: bytes = field(repr=False)


def parse(method: str, target: str, headers: Sequence[Tuple[str, str]], scheme: str, options: Rfc9421Options) -> Rfc9421Signature:
    """Step 4: select the signature, check parameter types and the covered list, then
    require ``created``, ``nonce`` (the v1 nonce syntax) and ``keyid`` (the v1 key id
    syntax, else ``key_unknown``), and a known ``alg``. Raises SigilError."""
    message = Request(method, scheme, target, headers)
    try:
        label, inner, mac = select(message, options.label, options.tag)
        params = read_params(inner.params)
        covered = tuple(check_covered(inner.items))
    except Rfc9421Error as error:
        raise _sigil_error(error) from None
    created, nonce, alg, keyid = params.get("created"), params.get("nonce"), params.get("alg"), params.get("keyid")
    if not isinstance(created, int):
        raise SigilError("signature_header_malformed", "created is required")
    if not isinstance(nonce, str) or not matches(NONCE, nonce):
        raise SigilError("signature_header_malformed", "nonce is required: 22 to 128 base64url characters")
    if alg is not None and alg not in ALGORITHMS:
        raise SigilError("unsupported_algorithm")
    if not isinstance(keyid, str) or not matches(KEY_ID, keyid):
        raise SigilError("key_unknown", "keyid is absent or not a Sigil key id")
    expires = params.get("expires")
    return Rfc9421Signature(keyid, created, nonce, expires if isinstance(expires, int) else None, label, covered, message, mac)


def required(options: Rfc9421Options, required_headers: Sequence[str], allow_unsigned_content_type: bool,
             message: Request, announces_content: bool = False) -> List[str]:
    """The components the policy requires (SPEC 9.10): the base list, then the content
    components unless opted out by name, then ``required_headers`` as field components.
    Before the body is read, a head that declares content stands for the content."""
    listed = list(options.required_components if options.required_components is not None else BASE_COMPONENTS)
    content: List[str] = []
    if announces_content or message.body:
        content.append("content-digest")
    try:
        has_type = header_value(message.headers, "content-type") is not None
    except Rfc9421Error as error:
        raise _sigil_error(error) from None
    if has_type:
        content.append("content-type")
    for component in content:
        opted_out = options.allow_unsigned_content if component == "content-digest" else allow_unsigned_content_type
        if not opted_out and component not in listed:
            listed.append(component)
    return listed + list(required_headers)


def check_coverage(signature: Rfc9421Signature, components: Sequence[str]) -> None:
    """Step 6: every required component is covered (``header_not_signed``)."""
    for component in components:
        ident = component_id(component)
        if ident not in signature.components:
            raise SigilError("header_not_signed", ident)


def field_names(components: Sequence[str]) -> Tuple[str, ...]:
    """The covered fields (``"content-type"`` -> ``content-type``), derived components left out."""
    names: List[str] = []
    for ident in components:
        name = ident[1:ident.index('"', 1)]
        if not name.startswith("@") and name not in names:
            names.append(name)
    return tuple(names)


def verify_mac(signature: Rfc9421Signature, body: bytes, secrets: Sequence[bytes], components: Sequence[str],
               options: Rfc9421Options) -> int:
    """Steps 9-10 over the received body: base, MAC under every secret (constant
    time), then a covered Content-Digest. Returns the index of the matching
    secret; raises SigilError with the first failing check's code."""
    received = Request(signature.message.method, signature.message.scheme, signature.message.target,
                       signature.message.headers, body)
    try:
        result = verify(received, lambda _kid: [("hmac-sha256", s) for s in secrets], options.label, options.tag,
                        list(components), dict(options.structured_fields))
    except Rfc9421Error as error:
        raise _sigil_error(error) from None
    base = str(result["base"]).encode("ascii")
    index = -1
    for i, secret in enumerate(secrets):  # every key, even after a match
        if hmac.compare_digest(hmac.new(secret, base, hashlib.sha256).digest(), signature.mac) and index < 0:
            index = i
    if index < 0:
        raise SigilError("signature_invalid")  # pragma: no cover - verify() raised first
    return index


def with_body(message: Request, body: bytes) -> Request:
    """The same request with its received content."""
    return Request(message.method, message.scheme, message.target, message.headers, body, message.authority)
