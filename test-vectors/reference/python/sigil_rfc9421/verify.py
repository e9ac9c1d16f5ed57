"""verify(): one RFC 9421 signature of a request, checks in the profile's order."""
import hmac
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from . import sf
from .errors import Rfc9421Error
from .message import (ALGORITHMS, Request, check_content_digest, check_covered, component_id,
                      default_components, header_value, signature_base)

Key = Tuple[str, bytes]  # (algorithm, secret)


def _field(r: Request, name: str) -> Dict[str, sf.Member]:
    try:
        value = header_value(r.headers, name)
    except Rfc9421Error:
        raise Rfc9421Error("signature_header_malformed", name + " holds a forbidden character")
    if value is None:
        raise Rfc9421Error("signature_missing", "no " + name + " field")
    return sf.parse_dictionary(value)


def select(r: Request, label: Optional[str], tag: Optional[str]) -> Tuple[str, sf.InnerList, bytes]:
    inputs = _field(r, "signature-input")
    signatures = _field(r, "signature")
    labels = [l for l in inputs if label is None or l == label]
    if tag is not None:
        labels = [l for l in labels if isinstance(inputs[l], sf.InnerList) and inputs[l].params.get("tag") == tag
                  and not isinstance(inputs[l].params.get("tag"), sf.Token)]
    if not labels:
        raise Rfc9421Error("signature_missing", "no signature matches the label or tag")
    if len(labels) > 1:
        raise Rfc9421Error("signature_header_malformed", "several signatures match")
    chosen = labels[0]
    inner = inputs[chosen]
    if not isinstance(inner, sf.InnerList):
        raise Rfc9421Error("signature_header_malformed", "a Signature-Input member must be an inner list")
    sig = signatures.get(chosen)
    if sig is None:
        raise Rfc9421Error("signature_missing", "Signature has no member for the label")
    if not isinstance(sig, sf.Item) or not isinstance(sig.value, bytes):
        raise Rfc9421Error("signature_header_malformed", "a Signature member must be a byte sequence")
    return chosen, inner, sig.value


def read_params(params: sf.Params) -> Dict[str, object]:
    out: Dict[str, object] = {}
    for name in ("created", "expires"):
        if name in params:
            v = params[name]
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise Rfc9421Error("signature_header_malformed", name + " must be a non-negative integer")
            out[name] = v
    for name in ("keyid", "alg", "nonce", "tag"):
        if name in params:
            v = params[name]
            if not isinstance(v, str) or isinstance(v, sf.Token):
                raise Rfc9421Error("signature_header_malformed", name + " must be a string")
            out[name] = v
    return out


def verify(r: Request, lookup: Callable[[str], List[Key]], label: Optional[str] = None, tag: Optional[str] = None,
           required: Optional[Sequence[str]] = None, types: Optional[Dict[str, str]] = None) -> Dict[str, object]:
    """Returns the known parameters and the base, or raises Rfc9421Error with the first failing check."""
    chosen, inner, mac = select(r, label, tag)
    params = read_params(inner.params)
    covered = check_covered(inner.items)
    for component in (default_components(r) if required is None else required):
        if component_id(component) not in covered:
            raise Rfc9421Error("header_not_signed", component_id(component))
    alg = params.get("alg")
    if alg is not None and alg not in ALGORITHMS:
        raise Rfc9421Error("unsupported_algorithm")
    keyid = params.get("keyid")
    keys = lookup(keyid) if isinstance(keyid, str) else []
    if not keys:
        raise Rfc9421Error("key_unknown")
    usable = keys if alg is None else [k for k in keys if k[0] == alg]
    if not usable:
        raise Rfc9421Error("unsupported_algorithm", "alg does not match the key")
    base = signature_base(r, inner, types)
    matched = False
    for algorithm, secret in usable:
        fn, length = ALGORITHMS[algorithm]
        expected = hmac.new(secret, base.encode("ascii"), fn).digest()
        matched = (len(mac) == length and hmac.compare_digest(expected, mac)) or matched
    if not matched:
        raise Rfc9421Error("signature_invalid")
    if any(c.startswith('"content-digest"') for c in covered):
        check_content_digest(header_value(r.headers, "content-digest") or "", r.body)
    return dict(params, label=chosen, base=base)
