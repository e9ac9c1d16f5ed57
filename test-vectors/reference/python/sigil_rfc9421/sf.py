"""A strict RFC 8941 structured-field codec (dictionaries, lists, items),
written from the RFC's parsing and serialisation algorithms (section 4).

Bare items: int (sf-integer), Decimal (sf-decimal), str (sf-string),
Token, bytes (sf-byte-sequence), bool. Parameters and dictionaries are
dicts, which keep insertion order; a later duplicate key overwrites the
value in its first position, as RFC 8941 says.
"""
import base64
import binascii
import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Dict, List, Tuple, Union

from .errors import Rfc9421Error


class Token(str):
    """An sf-token (serialised without quotes)."""


BareItem = Union[int, Decimal, str, Token, bytes, bool]
Params = Dict[str, BareItem]


class Item:
    def __init__(self, value: BareItem, params: Params):
        self.value = value
        self.params = params


class InnerList:
    def __init__(self, items: List[Item], params: Params):
        self.items = items
        self.params = params


Member = Union[Item, InnerList]

_KEY_START = re.compile(r"[a-z*]")
_KEY_CHAR = re.compile(r"[a-z0-9_\-.*]")
_TOKEN_START = re.compile(r"[A-Za-z*]")
_TOKEN_CHAR = re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`|~:/]")
_B64_CHAR = re.compile(r"[A-Za-z0-9+/=]")
_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*")


def _fail(detail: str) -> "Rfc9421Error":
    return Rfc9421Error("signature_header_malformed", "structured field: " + detail)


def strict_b64decode(text: str) -> bytes:
    """Canonical padded base64 only: one byte string, one encoding."""
    if len(text) % 4:
        raise _fail("a byte sequence is not canonical base64")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _fail("a byte sequence is not canonical base64")
    if base64.b64encode(data).decode("ascii") != text:
        raise _fail("a byte sequence is not canonical base64")
    return data


class _Parser:
    def __init__(self, text: str):
        end = len(text)
        while end > 0 and text[end - 1] == " ":
            end -= 1
        self.s = text[:end]
        self.i = 0
        self.skip_sp()

    def done(self) -> bool:
        return self.i >= len(self.s)

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def skip_sp(self) -> None:
        while self.peek() == " ":
            self.i += 1

    def skip_ows(self) -> None:
        while self.peek() in (" ", "\t") and self.peek() != "":
            self.i += 1

    def next_member(self) -> bool:
        self.skip_ows()
        if self.done():
            return False
        if self.s[self.i] != ",":
            raise _fail("members must be separated by commas")
        self.i += 1
        self.skip_ows()
        if self.done():
            raise _fail("trailing comma")
        return True

    def member(self) -> Member:
        return self.inner_list() if self.peek() == "(" else self.item()

    def inner_list(self) -> InnerList:
        self.i += 1
        items: List[Item] = []
        while not self.done():
            self.skip_sp()
            if self.peek() == ")":
                self.i += 1
                return InnerList(items, self.params())
            items.append(self.item())
            if self.peek() not in (" ", ")") or self.peek() == "":
                raise _fail("inner list items must be separated by spaces")
        raise _fail("unterminated inner list")

    def item(self) -> Item:
        value = self.bare_item()
        return Item(value, self.params())

    def params(self) -> Params:
        params: Params = {}
        while self.peek() == ";":
            self.i += 1
            self.skip_sp()
            key = self.key()
            value: BareItem = True
            if self.peek() == "=":
                self.i += 1
                value = self.bare_item()
            params[key] = value
        return params

    def key(self) -> str:
        start = self.i
        if not _KEY_START.fullmatch(self.peek()):
            raise _fail("a key must start with a-z or *")
        while not self.done() and _KEY_CHAR.fullmatch(self.peek()):
            self.i += 1
        return self.s[start:self.i]

    def bare_item(self) -> BareItem:
        c = self.peek()
        if c == "-" or (c != "" and c in "0123456789"):
            return self.number()
        if c == '"':
            return self.string()
        if c == ":":
            return self.byte_sequence()
        if c == "?":
            return self.boolean()
        if c != "" and _TOKEN_START.fullmatch(c):
            return self.token()
        raise _fail("not a bare item")

    def number(self) -> Union[int, Decimal]:
        sign = 1
        if self.peek() == "-":
            sign = -1
            self.i += 1
        if self.peek() == "" or self.peek() not in "0123456789":
            raise _fail("a number needs a digit")
        digits = ""
        decimal = False
        while not self.done():
            c = self.peek()
            if c in "0123456789":
                digits += c
            elif not decimal and c == ".":
                if len(digits) > 12:
                    raise _fail("too many integer digits in a decimal")
                digits += c
                decimal = True
            else:
                break
            self.i += 1
            if not decimal and len(digits) > 15:
                raise _fail("an integer has at most 15 digits")
            if decimal and len(digits) > 16:
                raise _fail("a decimal has at most 16 characters")
        if not decimal:
            return sign * int(digits)
        if digits.endswith("."):
            raise _fail("a decimal needs a fractional digit")
        if len(digits) - digits.index(".") - 1 > 3:
            raise _fail("a decimal has at most 3 fractional digits")
        return sign * Decimal(digits)

    def string(self) -> str:
        self.i += 1
        out = []
        while not self.done():
            c = self.s[self.i]
            self.i += 1
            if c == "\\":
                nxt = self.peek()
                self.i += 1
                if nxt not in ('"', "\\") or nxt == "":
                    raise _fail("bad escape in a string")
                out.append(nxt)
            elif c == '"':
                return "".join(out)
            elif ord(c) < 0x20 or ord(c) > 0x7E:
                raise _fail("a string holds a character outside printable ASCII")
            else:
                out.append(c)
        raise _fail("unterminated string")

    def token(self) -> Token:
        start = self.i
        self.i += 1
        while not self.done() and _TOKEN_CHAR.fullmatch(self.peek()):
            self.i += 1
        return Token(self.s[start:self.i])

    def byte_sequence(self) -> bytes:
        self.i += 1
        start = self.i
        while not self.done() and self.peek() != ":":
            if not _B64_CHAR.fullmatch(self.peek()):
                raise _fail("a byte sequence holds a non-base64 character")
            self.i += 1
        if self.done():
            raise _fail("unterminated byte sequence")
        text = self.s[start:self.i]
        self.i += 1
        return strict_b64decode(text)

    def boolean(self) -> bool:
        self.i += 1
        c = self.peek()
        self.i += 1
        if c == "1":
            return True
        if c == "0":
            return False
        raise _fail("a boolean is ?0 or ?1")


def parse_dictionary(text: str) -> Dict[str, Member]:
    p = _Parser(text)
    out: Dict[str, Member] = {}
    if p.done():
        return out
    while True:
        key = p.key()
        if p.peek() == "=":
            p.i += 1
            out[key] = p.member()
        else:
            out[key] = Item(True, p.params())
        if not p.next_member():
            return out


def parse_list(text: str) -> List[Member]:
    p = _Parser(text)
    out: List[Member] = []
    if p.done():
        return out
    while True:
        out.append(p.member())
        if not p.next_member():
            return out


def parse_item(text: str) -> Item:
    p = _Parser(text)
    item = p.item()
    if not p.done():
        raise _fail("trailing characters after an item")
    return item


def serialize_bare_item(value: BareItem) -> str:
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int):
        if abs(value) > 999_999_999_999_999:
            raise Rfc9421Error("invalid_option", "integer out of range")
        return str(value)
    if isinstance(value, Decimal):
        if value == 0:
            return "0.0"
        fixed = format(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN), "f")
        whole, frac = fixed.split(".")
        return whole + "." + (frac.rstrip("0") or "0")
    if isinstance(value, Token):
        if not _TOKEN.fullmatch(value):
            raise Rfc9421Error("invalid_option", "not a token")
        return str(value)
    if isinstance(value, str):
        if any(ord(c) < 0x20 or ord(c) > 0x7E for c in value):
            raise Rfc9421Error("invalid_option", "a string may hold printable ASCII only")
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bytes):
        return ":" + base64.b64encode(value).decode("ascii") + ":"
    raise Rfc9421Error("invalid_option", "not a bare item")


def serialize_params(params: Params) -> str:
    out = ""
    for key, value in params.items():
        if not _KEY.fullmatch(key):
            raise Rfc9421Error("invalid_option", "not a key")
        out += ";" + key if value is True else ";" + key + "=" + serialize_bare_item(value)
    return out


def serialize_item(item: Item) -> str:
    return serialize_bare_item(item.value) + serialize_params(item.params)


def serialize_inner_list(inner: InnerList) -> str:
    return "(" + " ".join(serialize_item(i) for i in inner.items) + ")" + serialize_params(inner.params)


def serialize_member(member: Member) -> str:
    return serialize_inner_list(member) if isinstance(member, InnerList) else serialize_item(member)


def serialize_list(members: List[Member]) -> str:
    return ", ".join(serialize_member(m) for m in members)


def serialize_dictionary(members: Dict[str, Member]) -> str:
    parts = []
    for key, member in members.items():
        if isinstance(member, Item) and member.value is True:
            parts.append(key + serialize_params(member.params))
        else:
            parts.append(key + "=" + serialize_member(member))
    return ", ".join(parts)


def sorted_params(params: Params) -> List[Tuple[str, BareItem]]:
    return sorted(params.items(), key=lambda kv: kv[0])
