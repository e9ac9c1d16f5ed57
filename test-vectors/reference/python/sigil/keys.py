"""The verifier's keys (SPEC.md section 5), as @sigil/verify holds them: a
static map or a resolver, several secrets per id (rotation), validity
windows and scopes. Standard library only.

    Verifier({"client-1": [KeyEntry(old, not_after=cutover), KeyEntry(new, not_before=cutover)]}, store)
    Verifier(lambda key_id: secrets_from_vault(key_id), store)   # None: unknown id

A resolver is called on every request and its answer is never cached, so a
key removed (or given ``not_after`` = now) stops working on the next
request. A resolver that raises fails closed: ``key_lookup_unavailable``
(503). One that answers with something that is not a key is a
configuration bug: ``SigilError("invalid_option")`` is raised out of
``verify()``.
"""

import datetime
import math
import re
from dataclasses import dataclass, field
from typing import Callable, FrozenSet, Mapping, Optional, Sequence, Tuple, Union

from .encoding import MAX_KEY_BYTES, MIN_KEY_BYTES
from .errors import SigilError
from .syntax import KEY_ID, METHOD, matches

Instant = Union[int, float, datetime.datetime]

_PREFIX = re.compile(r"/[\x21-\x7e]*")
_DOT_SEGMENT = re.compile(r"(?:^|/)(?:\.|%2e){1,2}(?:/|$)", re.IGNORECASE)


@dataclass(frozen=True)
class KeyEntry:
    """One secret with its validity window (inclusive, Unix seconds or aware datetimes) and scope.

    ``methods``: allowed methods, compared exactly. ``path_prefixes``:
    allowed path prefixes on whole segments (``/v1/orders`` allows
    ``/v1/orders`` and ``/v1/orders/7``, not ``/v1/orders-admin``); a path
    with a ``.`` or ``..`` segment (plain or percent-encoded) never matches.
    """

    secret: bytes = field(repr=False)
    not_before: Optional[Instant] = None
    not_after: Optional[Instant] = None
    methods: Optional[Sequence[str]] = None
    path_prefixes: Optional[Sequence[str]] = None


@dataclass(frozen=True)
class ActiveKey:
    """A key ready for use: the secret, its window in milliseconds, its scope."""

    secret: bytes = field(repr=False)
    not_before_ms: float
    not_after_ms: float
    methods: Optional[FrozenSet[str]] = None
    path_prefixes: Optional[Tuple[str, ...]] = None


KeyInput = Union[bytes, KeyEntry]
Keys = Union[Mapping[str, Union[KeyInput, Sequence[KeyInput]]], Callable[[str], Union[None, KeyInput, Sequence[KeyInput]]]]


def _invalid(detail: str) -> SigilError:
    return SigilError("invalid_option", detail)


def _ms(value: Optional[Instant], where: str, fallback: float) -> float:
    if value is None:
        return fallback
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise _invalid(f"{where} must be an aware datetime (with a timezone) or Unix seconds")
        return value.timestamp() * 1000
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise _invalid(f"{where} must be Unix seconds or an aware datetime")
    return value * 1000


def _activate(found: object, where: str) -> ActiveKey:
    entry = KeyEntry(found) if isinstance(found, (bytes, bytearray)) else found
    if not isinstance(entry, KeyEntry):
        # Strings are refused: the encoding is never guessed (use sigil.decode_key).
        raise _invalid(f"{where} must be secret bytes or a KeyEntry")
    if not isinstance(entry.secret, (bytes, bytearray)) or not MIN_KEY_BYTES <= len(entry.secret) <= MAX_KEY_BYTES:
        raise _invalid(f"{where} must be secret bytes of {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes")
    before, after = _ms(entry.not_before, f"{where}.not_before", -math.inf), _ms(entry.not_after, f"{where}.not_after", math.inf)
    if before > after:
        raise _invalid(f"{where}: not_before is after not_after")
    methods = prefixes = None
    if entry.methods is not None:
        if isinstance(entry.methods, str) or not entry.methods or not all(isinstance(m, str) and matches(METHOD, m) for m in entry.methods):
            raise _invalid(f"{where}.methods must be a non-empty list of HTTP method tokens")
        methods = frozenset(entry.methods)
    if entry.path_prefixes is not None:
        if (isinstance(entry.path_prefixes, str) or not entry.path_prefixes
                or not all(isinstance(p, str) and _PREFIX.fullmatch(p) for p in entry.path_prefixes)):
            raise _invalid(f'{where}.path_prefixes must be a non-empty list of paths starting with "/"')
        prefixes = tuple(entry.path_prefixes)
    return ActiveKey(bytes(entry.secret), before, after, methods, prefixes)


def _activate_all(found: object, where: str) -> Tuple[ActiveKey, ...]:
    if isinstance(found, (list, tuple)):
        if not found:
            raise _invalid(f"{where} must hold at least one key")
        return tuple(_activate(item, f"{where}[{i}]") for i, item in enumerate(found))
    return (_activate(found, where),)


def key_ring(keys: Keys) -> Callable[[str], Tuple[ActiveKey, ...]]:
    """The lookup of SPEC step 7: a static map checked now, or a resolver checked on each answer."""
    if callable(keys):
        def resolve(key_id: str) -> Tuple[ActiveKey, ...]:
            try:
                found = keys(key_id)  # type: ignore[operator]
            except Exception:
                # Fail closed; the resolver's error (it may name a vault path or a token) is dropped.
                raise SigilError("key_lookup_unavailable") from None
            return () if found is None else _activate_all(found, "keys(resolver)")

        return resolve
    if not isinstance(keys, Mapping) or not keys:
        raise _invalid("keys must be a non-empty mapping of key id to secret bytes (or KeyEntry, or a list), or a resolver")
    table = {}
    for key_id, found in keys.items():
        if not isinstance(key_id, str) or not matches(KEY_ID, key_id):
            raise _invalid("key ids must be 1-128 of A-Z a-z 0-9 . _ ~ : -")
        table[key_id] = _activate_all(found, f"keys[{key_id!r}]")
    return lambda key_id: table.get(key_id, ())


def active_at(keys: Sequence[ActiveKey], now_ms: float) -> Tuple[ActiveKey, ...]:
    """The keys whose window holds ``now_ms`` (both ends inclusive)."""
    return tuple(k for k in keys if k.not_before_ms <= now_ms <= k.not_after_ms)


def in_scope(key: ActiveKey, method: str, target: str) -> bool:
    """SPEC step 11: the method and the raw path (no decoding) within the key's scope."""
    if key.methods is not None and method not in key.methods:
        return False
    if key.path_prefixes is None:
        return True
    path = target.split("?", 1)[0]
    if _DOT_SEGMENT.search(path):  # a proxy or router may resolve dot segments after the check
        return False
    return any(path == p or path.startswith(p if p.endswith("/") else p + "/") for p in key.path_prefixes)
